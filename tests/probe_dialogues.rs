//! The mail probes against scripted servers: dialogues the sandbox does not speak (IMAP without
//! SASL-IR, a challenge before the refusal, a runaway response), checked line by line.

use std::time::Duration;

use m365_mail_wizard::checks::wire::{ProbeError, Target, Timeouts, tls_config, xoauth2};
use m365_mail_wizard::checks::{imap, pop, smtp};
use m365_mail_wizard::sandbox::authority::Authority;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

const MAILBOX: &str = "alice@contoso.example";
const TOKEN: &str = "eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJ4In0.c2ln";

enum Step {
    /// The server sends this line.
    Say(String),
    /// The next client line must equal this.
    Hear(String),
    /// The server sends this many untagged lines.
    Flood(usize),
}

use Step::{Flood, Hear, Say};

fn say(s: &str) -> Step {
    Say(s.to_string())
}

fn hear(s: &str) -> Step {
    Hear(s.to_string())
}

/// Serves one connection over TLS (after a plain STARTTLS prelude for SMTP) and reports
/// whether the client said exactly what the script expects.
async fn scripted(
    starttls: Vec<Step>,
    script: Vec<Step>,
) -> (Target, tokio::task::JoinHandle<Result<(), String>>) {
    let authority = Authority::generate().unwrap();
    let acceptor = TlsAcceptor::from(authority.server_config().unwrap());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let mut plain = BufReader::new(tcp);
        run_steps(&mut plain, starttls).await?;
        if script.is_empty() {
            return Ok(());
        }
        let tls = acceptor
            .accept(plain.into_inner())
            .await
            .map_err(|e| e.to_string())?;
        run_steps(&mut BufReader::new(tls), script).await
    });
    let tls = tls_config(Some(&authority.ca_pem())).unwrap();
    let timeouts = Timeouts {
        step: Duration::from_secs(5),
        total: Duration::from_secs(10),
    };
    let target = Target::new(&format!("127.0.0.1:{port}"), tls, timeouts).unwrap();
    (target, task)
}

async fn run_steps<S>(io: &mut BufReader<S>, steps: Vec<Step>) -> Result<(), String>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    for step in steps {
        match step {
            Say(line) => {
                let w = io.get_mut();
                let _ = w.write_all(format!("{line}\r\n").as_bytes()).await;
                let _ = w.flush().await;
            }
            Hear(want) => {
                let mut got = String::new();
                io.read_line(&mut got).await.map_err(|e| e.to_string())?;
                let got = got.trim_end_matches(['\r', '\n']);
                if got != want {
                    return Err(format!("expected {want:?}, heard {got:?}"));
                }
            }
            Flood(n) => {
                let w = io.get_mut();
                for i in 0..n {
                    if w.write_all(format!("* OK noise {i}\r\n").as_bytes())
                        .await
                        .is_err()
                    {
                        break;
                    }
                }
                let _ = w.flush().await;
            }
        }
    }
    Ok(())
}

#[tokio::test]
async fn imap_without_sasl_ir_uses_the_two_step_form() {
    let ir = xoauth2(MAILBOX, TOKEN).to_string();
    let (target, server) = scripted(
        vec![],
        vec![
            say("* OK ready"),
            hear("a1 CAPABILITY"),
            say("* CAPABILITY IMAP4rev1 AUTH=XOAUTH2"),
            say("a1 OK done"),
            hear("a2 AUTHENTICATE XOAUTH2"),
            say("+ "),
            Hear(ir),
            say("a2 OK [CAPABILITY IMAP4rev1] Logged in"),
            hear("a3 EXAMINE INBOX"),
            say("* 4 EXISTS"),
            say("* OK [UNSEEN 2] first unseen"),
            say("a3 OK [READ-ONLY] done"),
            hear("a4 SEARCH UNSEEN"),
            say("* SEARCH 2 3"),
            say("a4 OK done"),
            hear("a5 LOGOUT"),
            say("* BYE"),
            say("a5 OK bye"),
        ],
    )
    .await;
    let counts = imap::probe(&target, MAILBOX, TOKEN).await.unwrap();
    assert_eq!((counts.messages, counts.unseen), (4, 2));
    server.await.unwrap().unwrap();
}

#[tokio::test]
async fn a_challenge_before_the_refusal_is_answered_and_kept_as_evidence() {
    let ir = xoauth2(MAILBOX, TOKEN).to_string();
    let (target, server) = scripted(
        vec![],
        vec![
            say("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2] ready"),
            Hear(format!("a1 AUTHENTICATE XOAUTH2 {ir}")),
            say("+ eyJzdGF0dXMiOiI0MDAiLCJzY2hlbWVzIjoiQmVhcmVyIn0="),
            hear(""),
            say("a1 NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)"),
        ],
    )
    .await;
    let err = imap::probe(&target, MAILBOX, TOKEN).await.unwrap_err();
    match &err {
        ProbeError::Refused { step, line } => {
            assert_eq!(*step, "authenticate");
            assert!(line.contains("a1 NO [AUTHENTICATIONFAILED]"), "{line}");
            assert!(
                line.contains(r#"{"status":"400","schemes":"Bearer"}"#),
                "{line}"
            );
        }
        other => panic!("{other:?}"),
    }
    server.await.unwrap().unwrap();
}

#[tokio::test]
async fn a_runaway_response_is_cut_off() {
    let (target, _server) = scripted(
        vec![],
        vec![say("* OK ready"), hear("a1 CAPABILITY"), Flood(5_000)],
    )
    .await;
    let err = imap::probe(&target, MAILBOX, TOKEN).await.unwrap_err();
    assert!(
        matches!(&err, ProbeError::Garbled { line, .. } if line.contains("more than 2000 lines")),
        "{err:?}"
    );
}

#[tokio::test]
async fn pop_challenge_then_err() {
    let ir = xoauth2(MAILBOX, TOKEN).to_string();
    let (target, server) = scripted(
        vec![],
        vec![
            say("+OK ready"),
            hear("AUTH XOAUTH2"),
            say("+ "),
            Hear(ir),
            say("+ eyJzdGF0dXMiOiI0MDEifQ=="),
            hear(""),
            say("-ERR [AUTH] Authentication failed."),
        ],
    )
    .await;
    let err = pop::probe(&target, MAILBOX, TOKEN).await.unwrap_err();
    assert!(
        matches!(&err, ProbeError::Refused { line, .. } if line.contains("-ERR [AUTH]") && line.contains("401")),
        "{err:?}"
    );
    server.await.unwrap().unwrap();
}

#[tokio::test]
async fn smtp_refuses_to_send_the_token_without_starttls() {
    let (target, server) = scripted(
        vec![
            say("220 mx ready"),
            hear("EHLO m365-mail-wizard.invalid"),
            say("250-mx"),
            say("250 AUTH XOAUTH2"),
            // The client hangs up: nothing, least of all the token, goes out in the clear.
            hear(""),
        ],
        vec![],
    )
    .await;
    let err = smtp::probe(&target, MAILBOX, TOKEN, false)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ProbeError::Refused { step: "starttls", line } if line.contains("unencrypted")),
        "{err:?}"
    );
    server.await.unwrap().unwrap();
}

#[tokio::test]
async fn smtp_multiline_replies_and_two_step_auth() {
    let ir = xoauth2(MAILBOX, TOKEN).to_string();
    let (target, server) = scripted(
        vec![
            say("220-mx.example ESMTP"),
            say("220 ready"),
            hear("EHLO m365-mail-wizard.invalid"),
            say("250-mx.example"),
            say("250-SIZE 1000"),
            say("250 STARTTLS"),
            hear("STARTTLS"),
            say("220 2.0.0 go ahead"),
        ],
        vec![
            hear("EHLO m365-mail-wizard.invalid"),
            say("250-mx.example"),
            say("250 AUTH LOGIN XOAUTH2"),
            hear("AUTH XOAUTH2"),
            say("334 "),
            Hear(ir),
            say("235 2.7.0 Authentication successful"),
            hear("QUIT"),
            say("221 bye"),
        ],
    )
    .await;
    let out = smtp::probe(&target, MAILBOX, TOKEN, false).await.unwrap();
    assert_eq!(out, smtp::SmtpOutcome::Authenticated);
    server.await.unwrap().unwrap();
}
