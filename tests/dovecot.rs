//! The IMAP, POP3 and SMTP probes against a real mail server: Dovecot, validating the
//! sandbox's Exchange tokens locally (oauth2 passdb, config in tests/dovecot/). A good token
//! passes every probe through the check runner; a forged one is refused and diagnosed.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use common::{has_command, peer};
use m365_mail_wizard::checks::mail_diagnosis::{
    MailContext, Peers, Refusal, classify, diagnose_probe,
};
use m365_mail_wizard::checks::wire::{ProbeError, Target, Timeouts, tls_config};
use m365_mail_wizard::checks::{self, RunInput, imap, pop, smtp};
use m365_mail_wizard::cloud::http;
use m365_mail_wizard::cloud::identity::client_credentials;
use m365_mail_wizard::model::{
    AccessChoice, ClientId, CloudKind, KeyringBackend, Mailbox, Profile, ProfileName, Secret,
};
use m365_mail_wizard::model::{CheckEvent, CheckKind, check_plan};
use m365_mail_wizard::sandbox::authority::Authority;
use m365_mail_wizard::sandbox::{Sandbox, SandboxOptions, Signer256};
use serde_json::Value;

const MAILBOX: &str = "alice@contoso.example";

fn out(cmd: &str, args: &[&str]) -> String {
    let o = Command::new(cmd).args(args).output().unwrap();
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

/// A plain SMTP sink for Dovecot's submission relay, counting the messages it takes.
fn smtp_sink() -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(AtomicUsize::new(0));
    let count = received.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let count = count.clone();
            std::thread::spawn(move || sink_session(conn, &count));
        }
    });
    (port, received)
}

fn sink_session(conn: TcpStream, count: &AtomicUsize) {
    let mut w = conn.try_clone().unwrap();
    let mut r = BufReader::new(conn);
    let _ = w.write_all(b"220 sink ready\r\n");
    let mut line = String::new();
    let mut in_data = false;
    while r.read_line(&mut line).unwrap_or(0) > 0 {
        let l = line.trim_end().to_ascii_uppercase();
        let reply: &[u8] = if in_data {
            if l == "." {
                in_data = false;
                count.fetch_add(1, Ordering::SeqCst);
                b"250 OK\r\n"
            } else {
                b""
            }
        } else if l.starts_with("DATA") {
            in_data = true;
            b"354 go ahead\r\n"
        } else if l.starts_with("QUIT") {
            let _ = w.write_all(b"221 bye\r\n");
            return;
        } else {
            b"250 OK\r\n"
        };
        if w.write_all(reply).is_err() {
            return;
        }
        line.clear();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Dovecot {
    child: Child,
    dir: tempfile::TempDir,
    imaps: u16,
    pop3s: u16,
    submission: u16,
    ca_pem: String,
    relayed: Arc<AtomicUsize>,
}

impl Dovecot {
    /// Starts Dovecot trusting the sandbox's signing key, for tokens whose `sub` is `sub`.
    fn start(issuer: &str, kid: &str, public_key: &str, sub: &str) -> Dovecot {
        let dir = tempfile::tempdir().unwrap();
        let p = |s: &str| dir.path().join(s);
        for d in ["state", "keys/default/RS256", "mail"] {
            std::fs::create_dir_all(p(d)).unwrap();
        }
        std::fs::write(p("keys/default/RS256").join(kid), public_key).unwrap();
        // Five messages in alice's inbox, the last two unseen.
        let cur = p(&format!("mail/{MAILBOX}/Maildir/cur"));
        for sub in ["cur", "new", "tmp"] {
            std::fs::create_dir_all(cur.parent().unwrap().join(sub)).unwrap();
        }
        for i in 1..=5 {
            let flags = if i <= 3 { "S" } else { "" };
            let name = format!("{}.M{i}P1.test:2,{flags}", 1_700_000_000 + i);
            let body = format!(
                "From: noreply@contoso.example\r\nTo: {MAILBOX}\r\nSubject: message {i}\r\nDate: Wed, 1 Nov 2026 08:0{i}:00 +0000\r\n\r\nbody {i}\r\n"
            );
            std::fs::write(cur.join(name), body).unwrap();
        }
        let authority = Authority::generate().unwrap();
        let issued = authority.issue_pem(&["127.0.0.1", "localhost"]).unwrap();
        std::fs::write(p("cert.pem"), &issued.cert).unwrap();
        std::fs::write(p("key.pem"), &issued.key).unwrap();
        let (relay_port, relayed) = smtp_sink();
        let (imaps, pop3s, submission) = (free_port(), free_port(), free_port());
        let root = out("id", &["-u"]) == "0";
        let (user, group) = if root {
            ("nobody".to_string(), out("id", &["-gn", "nobody"]))
        } else {
            (out("id", &["-un"]), out("id", &["-gn"]))
        };
        let fill = |template: &str| {
            let path = |s: &str| p(s).display().to_string();
            [
                ("@BASE_DIR@", path("base")),
                ("@STATE_DIR@", path("state")),
                ("@MAIL_DIR@", path("mail")),
                ("@IMAPS_PORT@", imaps.to_string()),
                ("@POP3S_PORT@", pop3s.to_string()),
                ("@SUBMISSION_PORT@", submission.to_string()),
                ("@RELAY_PORT@", relay_port.to_string()),
                ("@CERT@", path("cert.pem")),
                ("@KEY@", path("key.pem")),
                ("@USER@", user.clone()),
                ("@GROUP@", group.clone()),
                ("@OAUTH2_CONF@", path("dovecot-oauth2.conf.ext")),
                ("@KEY_DICT_DIR@", path("keys")),
                ("@ISSUER@", issuer.to_string()),
                ("@SUB@", sub.to_string()),
            ]
            .iter()
            .fold(template.to_string(), |t, (k, v)| t.replace(k, v))
        };
        let templates = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/dovecot");
        for name in ["dovecot.conf", "dovecot-oauth2.conf.ext"] {
            let t = std::fs::read_to_string(templates.join(format!("{name}.in"))).unwrap();
            std::fs::write(p(name), fill(&t)).unwrap();
        }
        if root {
            let owner = format!("{user}:{group}");
            let dir_arg = dir.path().display().to_string();
            assert!(
                Command::new("chown")
                    .args(["-R", &owner, &dir_arg])
                    .status()
                    .unwrap()
                    .success()
            );
        }
        let child = Command::new("dovecot")
            .args(["-F", "-c"])
            .arg(p("dovecot.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let d = Dovecot {
            child,
            dir,
            imaps,
            pop3s,
            submission,
            ca_pem: authority.ca_pem(),
            relayed,
        };
        let deadline = Instant::now() + Duration::from_secs(15);
        for port in [imaps, pop3s, submission] {
            while TcpStream::connect(("127.0.0.1", port)).is_err() {
                assert!(
                    Instant::now() < deadline,
                    "Dovecot did not start:\n{}",
                    d.log()
                );
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        d
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.path("state/dovecot.log")).unwrap_or_default()
    }

    fn path(&self, s: &str) -> PathBuf {
        self.dir.path().join(s)
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The token with its claims changed and the signature kept: a forgery.
fn tampered(token: &str) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    let mut claims: Value = serde_json::from_slice(&B64.decode(parts[1]).unwrap()).unwrap();
    claims["roles"] = serde_json::json!([
        "IMAP.AccessAsApp",
        "POP.AccessAsApp",
        "SMTP.SendAsApp",
        "full_access_as_app"
    ]);
    claims["exp"] = Value::from(claims["exp"].as_i64().unwrap() + 86_400);
    format!(
        "{}.{}.{}",
        parts[0],
        B64.encode(claims.to_string()),
        parts[2]
    )
}

/// The same claims, signed by a key nobody trusts.
fn foreign(token: &str) -> String {
    let payload = token.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(&B64.decode(payload).unwrap()).unwrap();
    Signer256::generate().sign(&claims)
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dovecot_accepts_sandbox_tokens_and_refuses_forged_ones() {
    if !peer(
        "Dovecot",
        has_command("dovecot")
            && ["imap", "pop3", "submission"]
                .iter()
                .all(|p| std::path::Path::new("/usr/lib/dovecot").join(p).exists()),
        "apt-get install dovecot-imapd dovecot-pop3d dovecot-submissiond",
    ) {
        return;
    }
    let sb = Sandbox::start(SandboxOptions::default()).await.unwrap();
    let info = sb.info().clone();
    let app = info.app("scoped").unwrap().clone();
    let client_id = ClientId::parse(&app.client_id).unwrap();
    let http = http::client();
    let token = client_credentials(
        &http,
        &info.endpoints(),
        &info.tenant_id(),
        &client_id,
        &Secret::new(app.secret.clone()),
        &info.endpoints().exchange_scope(),
    )
    .await
    .unwrap();
    let issuer = format!("https://sts.windows.net/{}/", info.tenant_id);
    let dovecot = Dovecot::start(&issuer, &info.kid, &info.signing_key, &token.claims.oid);

    let mut endpoints = info.endpoints();
    endpoints.imap = format!("127.0.0.1:{}", dovecot.imaps);
    endpoints.pop = format!("127.0.0.1:{}", dovecot.pop3s);
    endpoints.smtp = format!("127.0.0.1:{}", dovecot.submission);
    endpoints.mail_ca = Some(dovecot.ca_pem.clone());
    let access = vec![AccessChoice::Imap, AccessChoice::Pop, AccessChoice::Smtp];
    let profile = Profile {
        name: ProfileName::parse("dovecot").unwrap(),
        sandbox: true,
        cloud: CloudKind::Custom,
        endpoints: Some(endpoints.clone()),
        tenant: info.tenant_domain.clone(),
        tenant_id: info.tenant_id(),
        client_id,
        access: access.clone(),
        mailboxes: vec![Mailbox::parse(MAILBOX).unwrap()],
        deny_mailbox: None,
        send_test: true,
        keyring: KeyringBackend::SessionMemory,
        last_check: None,
        scope: None,
        secret_expires: None,
        credential_renewed: None,
        credential: Default::default(),
        rotation: None,
        delegated: None,
    };
    let specs = check_plan(&profile);
    let input = RunInput {
        http,
        endpoints: endpoints.clone(),
        tenant: profile.tenant.clone(),
        tenant_id: profile.tenant_id,
        client_id,
        secret: Secret::new(app.secret.clone()),
        access,
        send_test: true,
        timeouts: Timeouts::default(),
        connections: std::sync::Arc::new(tokio::sync::Semaphore::new(16)),
        omitted: Vec::new(),
        ews: None,
        certificate: None,
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    checks::run(input, specs.clone(), tx).await;
    let mut details = std::collections::HashMap::new();
    while let Ok((i, ev)) = rx.try_recv() {
        match ev {
            CheckEvent::Passed { detail, .. } => {
                details.insert(specs[i].kind, detail);
            }
            CheckEvent::Failed { diagnosis, .. } => {
                panic!("{} failed: {diagnosis:?}\n{}", specs[i].id(), dovecot.log())
            }
            _ => {}
        }
    }
    assert_eq!(
        details[&CheckKind::Imap],
        "inbox: 5 messages, 2 unseen (read-only)"
    );
    assert!(details[&CheckKind::Pop].starts_with("5 messages"));
    assert_eq!(
        details[&CheckKind::Smtp],
        "signed in; test message sent to itself"
    );
    assert_eq!(
        dovecot.relayed.load(Ordering::SeqCst),
        1,
        "Dovecot relayed the test message"
    );

    let tls = tls_config(Some(&dovecot.ca_pem)).unwrap();
    let target = |e: &str| Target::new(e, tls.clone(), Timeouts::default()).unwrap();
    let roles: Vec<String> = token.claims.roles.clone();
    for forged in [tampered(token.expose()), foreign(token.expose())] {
        let results: [(CheckKind, ProbeError); 3] = [
            (
                CheckKind::Imap,
                imap::probe(&target(&endpoints.imap), MAILBOX, &forged)
                    .await
                    .unwrap_err(),
            ),
            (
                CheckKind::Pop,
                pop::probe(&target(&endpoints.pop), MAILBOX, &forged)
                    .await
                    .unwrap_err(),
            ),
            (
                CheckKind::Smtp,
                smtp::probe(&target(&endpoints.smtp), MAILBOX, &forged, false)
                    .await
                    .unwrap_err(),
            ),
        ];
        for (kind, err) in results {
            assert_eq!(classify(&err), Refusal::TokenRejected, "{kind:?}: {err:?}");
            let ctx = MailContext {
                kind,
                mailbox: MAILBOX,
                client_id: &app.client_id,
                sp_object_id: &token.claims.oid,
                roles: &roles,
                peers: Peers::default(),
            };
            let dg = diagnose_probe(&err, &ctx);
            assert!(
                dg.summary.contains("rejected the access token"),
                "{kind:?}: {dg:?}"
            );
            assert!(dg.evidence.contains("\"status\":\"401\""), "{dg:?}");
        }
    }
    assert_eq!(dovecot.relayed.load(Ordering::SeqCst), 1);
    sb.stop().await;
}
