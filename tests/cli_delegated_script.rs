//! `setup … --shared-mailbox X --exchange powershell`: the mailbox users' FullAccess goes into
//! the printed PowerShell script (alone, or after a hybrid app's scope) instead of being made,
//! held to the same rules as every script the wizard shows.

mod common;

use common::admin_api::AdminApi;
use common::{Home, Tenant, json, secret_service, text};
use m365_mail_wizard::plan::{crowded_lines, undefined_variables};
use serde_json::json as j;

const ALICE: &str = "alice@contoso.example";
const CAROL: &str = "carol@contoso.example";

/// The script the setup wrote, after checking it is well formed.
fn script_of(o: &std::process::Output) -> String {
    assert_eq!(o.status.code(), Some(0), "{}", text(o));
    let path = json(o)["script"].as_str().unwrap().to_string();
    let script = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        undefined_variables(&script),
        Vec::<String>::new(),
        "{script}"
    );
    assert_eq!(crowded_lines(&script), Vec::<String>::new(), "{script}");
    script
}

fn full_access_of(api: &AdminApi, shared: &str) -> usize {
    api.cmdlet("Get-MailboxPermission", j!({"Identity": shared}))
        .iter()
        .filter(|p| p["User"] == ALICE)
        .count()
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn the_users_full_access_is_written_into_the_script_and_not_made() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&["--auto-approve"]);
    let home = Home::new();
    let o = home
        .setup_cmd(
            &t,
            "itsm",
            &[
                "--access",
                "delegated-imap-smtp",
                "--delegated-user",
                ALICE,
                "--shared-mailbox",
                CAROL,
                "--exchange",
                "powershell",
                "--json",
            ],
        )
        .output()
        .unwrap();
    let script = script_of(&o);
    let add = format!(
        "Add-MailboxPermission -Identity '{CAROL}' -User '{ALICE}' -AccessRights 'FullAccess'"
    );
    assert!(script.contains(&add), "{script}");
    assert!(
        script.contains(&format!(
            "Get-MailboxPermission -Identity '{CAROL}' -User '{ALICE}'"
        )),
        "looked for first: {script}"
    );
    assert!(
        script.contains("Connect-ExchangeOnline -Organization 'contoso.example'"),
        "{script}"
    );
    assert!(
        text(&o).contains("in the script"),
        "the step says where it went: {}",
        text(&o)
    );
    let api = AdminApi::sign_in(&t.sb);
    assert_eq!(full_access_of(&api, CAROL), 0, "nothing made in Exchange");

    // A hybrid app scoped by RBAC: the scope's steps, then the users' FullAccess, in one script.
    let o = home
        .setup_cmd(
            &t,
            "hybrid",
            &[
                "--access",
                "graph-read,delegated-imap-smtp",
                "--mailbox",
                "bob@contoso.example",
                "--delegated-user",
                ALICE,
                "--shared-mailbox",
                CAROL,
                "--public-client",
                "--exchange",
                "powershell",
                "--json",
            ],
        )
        .output()
        .unwrap();
    let script = script_of(&o);
    let (scope, users) = (
        script
            .find("New-ManagementScope")
            .expect("the scope's steps"),
        script.find(&add).expect("the users' FullAccess"),
    );
    assert!(scope < users, "{script}");
    assert_eq!(
        script.matches("Connect-ExchangeOnline").count(),
        1,
        "{script}"
    );
    assert_eq!(full_access_of(&api, CAROL), 0, "nothing made in Exchange");
}
