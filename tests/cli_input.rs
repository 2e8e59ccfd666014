//! Bad input to the commands: exit 2 with a message that says what to do. No keyring needed:
//! every case is refused before anything is stored.

mod common;

use common::{Home, Served, json, text};

fn add(home: &Home, args: &[&str], secret: &str) -> (i32, String) {
    let mut full = vec!["add"];
    full.extend_from_slice(args);
    let o = home.run(&full, secret);
    (
        o.status.code().unwrap(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

const OK_ID: &str = "a1f5c0de-0001-4000-8000-00000000c001";

#[test]
fn refused_before_anything_is_stored() {
    let sb = Served::start(&[]);
    let cf = sb.cloud_file();
    let home = Home::new();
    let common = |id: &'static str| {
        vec![
            "p1",
            "--tenant",
            "contoso.example",
            "--client-id",
            id,
            "--access",
            "graph-read",
            "--mailbox",
            "alice@contoso.example",
            "--secret-stdin",
        ]
    };
    let mut a = common("not-a-guid");
    a.extend(["--cloud-file", &cf]);
    let (code, err) = add(&home, &a, "x");
    assert_eq!(code, 2);
    assert!(
        err.contains("--client-id: Client ID (Application ID) must be a GUID"),
        "{err}"
    );

    let mut a = common(OK_ID);
    a.extend(["--cloud-file", &cf]);
    let (code, err) = add(&home, &a, "8d5e4a8c-1f2b-4c3d-9e8f-0a1b2c3d4e5f\n");
    assert_eq!(code, 2);
    assert!(err.contains("Secret ID"), "{err}");

    let long = "a".repeat(10_000_000);
    for (secret, says) in [
        (
            "8d5e4a8c-1f2b-4c3d-9e8f-0a1b2c3d4e5f\nsbx1Q~whatever.value.long.enough.0000\n",
            "more than one line",
        ),
        ("sbx1Q~whatever value.long.enough.0000", "spaces inside"),
        (
            "sbx1Q~whatever\u{1b}]0;owned\u{7}.value.0000",
            "control characters",
        ),
        (
            "sbx1Q~whatever\0value.long.enough.0000",
            "control characters",
        ),
        (long.as_str(), "longer than 256 characters"),
    ] {
        let mut a = common(OK_ID);
        a.extend(["--cloud-file", &cf]);
        let (code, err) = add(&home, &a, secret);
        assert_eq!(code, 2, "{says}: {err}");
        assert!(err.contains(says), "{says}: {err}");
        assert!(
            !err.contains("owned") && !err.contains("whatever"),
            "not echoed: {err}"
        );
    }

    let mut a = common(OK_ID);
    a.extend(["--cloud-file", &cf]);
    a[2] = "unknown.example";
    let (code, err) = add(&home, &a, "sbx1Q~whatever.value.long.enough.0000");
    assert_eq!(code, 2);
    assert!(
        err.contains("AADSTS90002") && err.contains("national cloud"),
        "{err}"
    );

    let mut a = common(OK_ID);
    a.extend(["--cloud-file", &cf]);
    a[8] = "alice";
    let (code, err) = add(&home, &a, "x");
    assert_eq!(code, 2);
    assert!(
        err.contains("--mailbox: \"alice\" is not a mailbox address"),
        "{err}"
    );

    let mut a = common(OK_ID);
    a.extend(["--cloud-file", &cf]);
    a[6] = "imap4";
    let (code, err) = add(&home, &a, "x");
    assert_eq!(code, 2);
    assert!(err.contains("unknown access \"imap4\""), "{err}");

    let mut a = common(OK_ID);
    a.extend(["--cloud", "mars"]);
    let (code, err) = add(&home, &a, "x");
    assert_eq!(code, 2);
    assert!(err.contains("unknown cloud \"mars\""), "{err}");

    assert!(
        !home.config().join("profiles").exists(),
        "nothing was written"
    );
}

#[test]
fn unknown_profile_and_corrupt_file() {
    let home = Home::new();
    let o = home.run(&["check", "nope", "--json"], "");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    // With --json the error is JSON on stdout.
    let e = &json(&o)["error"];
    assert_eq!(e["code"], "not_found", "{}", text(&o));
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("no profile named \"nope\"")
    );
    let dir = home.config().join("profiles");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("bad.toml"), "name = \"bad\"\ncloud = [\n").unwrap();
    let o = home.run(&["profiles"], "");
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("bad.toml:") && err.contains("left as it is"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("bad.toml")).unwrap(),
        "name = \"bad\"\ncloud = [\n"
    );
}

#[test]
fn a_profile_that_is_a_device_or_a_fifo_is_refused_not_read() {
    let home = Home::new();
    let dir = home.config().join("profiles");
    std::fs::create_dir_all(&dir).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.join("zero.toml")).unwrap();
    let fifo = dir.join("pipe.toml");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    std::fs::write(dir.join("big.toml"), vec![b'#'; 2 * 1024 * 1024]).unwrap();
    for name in ["zero", "pipe"] {
        let o = home.run(&["check", name], "");
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(text(&o).contains("not a regular file"), "{}", text(&o));
    }
    let o = home.run(&["check", "big"], "");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("1 MiB limit"), "{}", text(&o));
    let o = home.run(&["profiles"], "");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("zero.toml") && err.contains("pipe.toml") && err.contains("big.toml"),
        "{err}"
    );
}

#[test]
fn plain_http_cloud_file_off_machine_is_refused() {
    let home = Home::new();
    let f = home.dir.path().join("cloud.toml");
    std::fs::write(
        &f,
        "name = \"lab\"\nlogin = \"http://login.example.com\"\ngraph = \"https://g\"\ngraph_resource = \"https://g\"\nexchange = \"https://x\"\nexchange_resource = \"https://x\"\nimap = \"x:993\"\npop = \"x:995\"\nsmtp = \"x:587\"\nportal = \"https://p\"\n",
    )
    .unwrap();
    let fs = f.display().to_string();
    let (code, err) = add(
        &home,
        &[
            "p",
            "--tenant",
            "contoso.example",
            "--client-id",
            OK_ID,
            "--access",
            "graph-read",
            "--mailbox",
            "a@b.com",
            "--cloud-file",
            &fs,
            "--secret-stdin",
        ],
        "x",
    );
    assert_eq!(code, 2);
    assert!(err.contains("plain http"), "{err}");
}

#[test]
fn a_mistyped_flag_or_command_is_named_with_what_was_meant() {
    let home = Home::new();
    let o = home.run(&["--sanbox", "profiles"], "");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("--sanbox") && err.contains("'--sandbox'"),
        "{err}"
    );
    let o = home.run(&["profils"], "");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("'profiles'"), "{err}");
}

#[test]
fn profiles_and_check_name_the_sandbox_profiles_kept_apart() {
    let home = Home::new();
    let o = home.run(&["profiles"], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(!String::from_utf8_lossy(&o.stderr).contains("kept apart"));
    let dir = home.config().join("sandbox-profiles");
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["lab1", "lab2"] {
        std::fs::write(
            dir.join(format!("{name}.toml")),
            format!(
                "name = \"{name}\"\nsandbox = true\ncloud = \"global\"\ntenant = \"contoso.example\"\ntenant_id = \"3f4c2a10-5b6d-4e7f-8a9b-0c1d2e3f4a5b\"\nclient_id = \"{OK_ID}\"\naccess = [\"graph-read\"]\nmailboxes = [\"alice@contoso.example\"]\n"
            ),
        )
        .unwrap();
    }
    let o = home.run(&["profiles"], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("No profiles yet"));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("2 profiles of the sandbox tenant are kept apart")
            && err.contains("with --sandbox"),
        "{err}"
    );
    let o = home.run(&["check", "--all"], "");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("kept apart") && err.contains("no profiles yet"),
        "{err}"
    );
    // JSON stays JSON: the note is for people.
    let o = home.run(&["profiles", "--json"], "");
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "[]");
    assert!(!String::from_utf8_lossy(&o.stderr).contains("kept apart"));
}

#[test]
fn escape_codes_in_a_profile_or_an_argument_are_shown_not_obeyed() {
    let home = Home::new();
    let dir = home.config().join("profiles");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("hostile.toml"),
        format!(
            "name = \"hostile\"\ncloud = \"global\"\ntenant = \"contoso\\u001b]0;owned\\u0007\\u001b[2J.example\"\ntenant_id = \"3f4c2a10-5b6d-4e7f-8a9b-0c1d2e3f4a5b\"\nclient_id = \"{OK_ID}\"\naccess = [\"graph-read\"]\nmailboxes = [\"alice@contoso.example\"]\n"
        ),
    )
    .unwrap();
    let o = home.run(&["profiles"], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("contoso\\u{1b}]0;owned"), "{out}");
    let hostile = "ali\u{1b}]0;owned\u{7}ce";
    let mut a = vec![
        "p2",
        "--tenant",
        "contoso.example",
        "--client-id",
        OK_ID,
        "--access",
        "graph-read",
        "--mailbox",
        hostile,
        "--secret-stdin",
    ];
    a.extend(["--cloud", "global"]);
    let (code, err) = add(&home, &a, "x");
    assert_eq!(code, 2, "{err}");
    for o in [&out.to_string(), &err] {
        assert!(
            !o.contains('\u{1b}') && !o.contains('\u{7}'),
            "no raw control character reaches the terminal: {o:?}"
        );
    }
}

#[test]
fn a_profile_folder_that_is_a_file_is_an_error_not_an_empty_list() {
    let home = Home::new();
    std::fs::create_dir_all(home.config()).unwrap();
    std::fs::write(home.config().join("profiles"), "not a folder").unwrap();
    let o = home.run(&["profiles"], "");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("profiles"), "{}", text(&o));
    let o = home.run(&["check", "--all"], "");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[test]
fn a_profile_file_copied_under_another_name_is_named_not_checked_twice() {
    let home = Home::new();
    let dir = home.config().join("profiles");
    std::fs::create_dir_all(&dir).unwrap();
    let toml = format!(
        "name = \"orig\"\ncloud = \"global\"\ntenant = \"contoso.example\"\ntenant_id = \"3f4c2a10-5b6d-4e7f-8a9b-0c1d2e3f4a5b\"\nclient_id = \"{OK_ID}\"\naccess = [\"graph-read\"]\nmailboxes = [\"alice@contoso.example\"]\n"
    );
    std::fs::write(dir.join("orig.toml"), &toml).unwrap();
    std::fs::write(dir.join("copy.toml"), &toml).unwrap();
    let o = home.run(&["profiles"], "");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("copy.toml") && err.contains("rename the file to orig.toml"),
        "{err}"
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(out.matches("orig").count(), 1, "listed once: {out}");
}

/// A raw control character other than a line break or a tab, as a terminal would obey it.
fn control_in(s: &str) -> Option<char> {
    s.chars()
        .find(|c| (c.is_control() && *c != '\n' && *c != '\t') || ('\u{80}'..='\u{9f}').contains(c))
}

#[test]
fn no_output_of_any_command_carries_a_control_character_from_hostile_names() {
    let home = Home::new();
    let dir = home.config().join("profiles");
    std::fs::create_dir_all(&dir).unwrap();
    let evil = "\\u001b]0;owned\\u0007\\u001b[2J\\u009b31m\\r";
    std::fs::write(
        dir.join("hostile.toml"),
        format!(
            "name = \"hostile\"\ncloud = \"global\"\ntenant = \"contoso{evil}.example\"\ntenant_id = \"3f4c2a10-5b6d-4e7f-8a9b-0c1d2e3f4a5b\"\nclient_id = \"{OK_ID}\"\naccess = [\"graph-read\"]\nmailboxes = [\"alice@contoso.example\"]\nsecret_expires = \"2027-01-31\"\n\n[last_check]\nat = \"2026-11-30T10:00:00Z\"\nverdict = \"failed\"\npassed = 1\nfailed = 1\n\n[[last_check.rows]]\nid = \"graph-read:alice@contoso.example\"\nstatus = \"failed\"\ndetail = \"denied{evil}\"\n\n[scope]\nkind = \"restrict-policy\"\ngroup = \"Mail{evil} Apps\"\napp_name = \"CRM{evil} sync\"\n"
        ),
    )
    .unwrap();
    let mut runs: Vec<Vec<&str>> = vec![
        vec!["profiles"],
        vec!["profiles", "--json"],
        vec!["check", "hostile"],
        vec!["check", "hostile", "--json"],
        vec!["check", "--all"],
        vec!["expiry", "hostile"],
        vec!["forget", "nobody{evil}"],
    ];
    for format in [
        "env",
        "json",
        "properties",
        "powershell",
        "report",
        "report-html",
    ] {
        runs.push(vec!["export", "hostile", "--format", format]);
    }
    let mut seen = 0;
    for args in &runs {
        let o = home.run(args, "");
        let out = text(&o);
        seen += usize::from(out.contains("owned"));
        if let Some(c) = control_in(&out) {
            panic!("{args:?} printed {c:?}: {out:?}");
        }
    }
    assert!(
        seen >= runs.len() / 2,
        "the hostile values are shown, made harmless"
    );
}
