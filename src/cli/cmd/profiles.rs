//! `profiles`: the saved profiles, one line each or as JSON.

use serde_json::{Value, json};

use crate::app::Env;
use crate::cli::Exit;
use crate::cli::output::error::error_fields;
use crate::cli::output::{print_json, store_code};
use crate::model::{CheckVerdict, Profile};

pub fn profiles(env: &Env, json_out: bool) -> Exit {
    let mut exit = Exit::Ok;
    let mut list = Vec::new();
    let mut unreadable = Vec::new();
    for r in env.profiles().list() {
        match r {
            Ok(p) => list.push(p),
            Err(e) => {
                eprintln!("error: {}", crate::model::printable(&e.to_string()));
                // In the JSON, a file that cannot be read stands in its place with the error.
                unreadable.push(json!({
                    "name": null,
                    "error": error_fields(store_code(&e), Exit::Usage, &e.to_string()),
                }));
                exit = Exit::Usage;
            }
        }
    }
    if json_out {
        let mut all: Vec<Value> = list.iter().map(profile_json).collect();
        all.extend(unreadable);
        print_json(&Value::Array(all));
    } else if list.is_empty() {
        println!("No profiles yet. Add one with the wizard or `m365-mail-wizard add`.");
    } else {
        for p in &list {
            println!("{}", crate::model::printable(&line(p)));
        }
    }
    if !json_out && let Some(note) = crate::app::elsewhere_note(env) {
        eprintln!("note: {note}");
    }
    exit
}

fn line(p: &Profile) -> String {
    let last = p
        .last_check
        .as_ref()
        .map(|c| {
            format!(
                "{} {}",
                if c.verdict == CheckVerdict::Passed {
                    "✔"
                } else {
                    "✘"
                },
                c.at
            )
        })
        .unwrap_or_else(|| "never checked".into());
    let access: Vec<&str> = p.access.iter().map(|a| a.key()).collect();
    format!(
        "{:<20} {:<24} {:<22} {} mailbox(es)  {}",
        p.name.as_str(),
        p.tenant,
        access.join(","),
        p.mailboxes.len(),
        last
    )
}

fn profile_json(p: &Profile) -> Value {
    let expiry = p.expiry(time::OffsetDateTime::now_utc().date());
    json!({
        "name": p.name,
        "sandbox": p.sandbox,
        "cloud": p.cloud,
        "tenant": p.tenant,
        "tenant_id": p.tenant_id,
        "client_id": p.client_id,
        "access": p.access,
        "mailboxes": p.mailboxes,
        "deny_mailbox": p.deny_mailbox,
        "keyring": p.keyring,
        "last_check": p.last_check,
        "secret_expires": p.secret_expires,
        "secret_expires_in_days": expiry.map(|(d, _)| d),
        "secret_expiry_level": expiry.map(|(_, l)| l),
    })
}
