//! `migrate PROFILE --to rbac`: its validated settings.

use super::{Invalid, Result, admin_client, profile_name};
use crate::cli::migrate_args::MigrateArgs;
use crate::model::{ClientId, Mailbox, ProfileName};

/// What `migrate` was asked to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MigrateMode {
    /// Print the plan (or the script), or with --yes carry it out.
    Start {
        yes: bool,
        script: bool,
    },
    Resume,
    Undo,
}

pub struct MigrateSettings {
    pub profile: ProfileName,
    pub mode: MigrateMode,
    pub mailboxes: Option<Vec<String>>,
    pub deny_mailbox: Option<String>,
    pub json: bool,
    pub admin_client_id: ClientId,
    pub exchange_client_id: ClientId,
}

pub(super) fn settings(a: MigrateArgs) -> Result<MigrateSettings> {
    let mut mailboxes = Vec::new();
    for m in a.mailboxes.iter().filter(|m| !m.trim().is_empty()) {
        let m = Mailbox::parse(m).map_err(|e| Invalid::new(format!("--mailboxes: {e}")))?;
        mailboxes.push(m.to_string());
    }
    let deny_mailbox = a
        .deny_mailbox
        .as_deref()
        .map(|m| {
            Mailbox::parse(m)
                .map(|m| m.to_string())
                .map_err(|e| Invalid::new(format!("--deny-mailbox: {e}")))
        })
        .transpose()?;
    let mode = match (a.resume, a.undo) {
        (true, _) => MigrateMode::Resume,
        (_, true) => MigrateMode::Undo,
        _ => MigrateMode::Start {
            yes: a.yes,
            script: a.print_script,
        },
    };
    Ok(MigrateSettings {
        profile: profile_name(&a.profile)?,
        mode,
        mailboxes: (!mailboxes.is_empty()).then_some(mailboxes),
        deny_mailbox,
        json: a.json,
        admin_client_id: admin_client(&a.admin_client_id)?,
        exchange_client_id: ClientId::parse(&a.exchange_client_id).map_err(|_| {
            Invalid::new(format!(
                "--exchange-client-id {}: not a GUID",
                a.exchange_client_id
            ))
        })?,
    })
}
