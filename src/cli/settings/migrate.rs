//! `migrate PROFILE --to rbac`: its validated settings.

use super::{Invalid, ProfileSettings, Result, admin_client, profile_name};
use crate::cli::args::ProfileArgs;
use crate::cli::migrate_args::MigrateArgs;
use crate::model::{ClientId, Mailbox, ProfileName};

/// Which app: a profile's, or one named by its client ID in a tenant (no profile).
pub enum MigrateApp {
    Profile(ProfileName),
    /// The settings of a profile never saved: the tenant, cloud, mailboxes to check and the
    /// one to refuse, named after the client ID.
    Client(Box<ProfileSettings>, ClientId),
}

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
    /// One or more apps of one tenant, migrated in this order.
    pub apps: Vec<MigrateApp>,
    pub mode: MigrateMode,
    pub mailboxes: Option<Vec<String>>,
    pub deny_mailbox: Option<String>,
    pub json: bool,
    pub admin_client_id: ClientId,
    pub exchange_client_id: ClientId,
}

pub(super) fn settings(a: MigrateArgs, sandbox: bool) -> Result<MigrateSettings> {
    let mut apps = Vec::new();
    for (i, named) in a.profile.iter().enumerate() {
        if a.profile[..i].contains(named) {
            return Err(Invalid::new(format!(
                "{} is named twice: each app is migrated once",
                crate::model::echo_safe(named)
            )));
        }
        apps.push(app(&a, named, sandbox)?);
    }
    if a.tenant.is_some() && !apps.iter().any(|x| matches!(x, MigrateApp::Client(..))) {
        return Err(Invalid::new(
            "with --tenant, name at least one app by its client ID (a GUID)",
        ));
    }
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
    if (a.resume || a.undo) && a.deny_mailbox.is_some() && a.tenant.is_none() {
        return Err(Invalid::new(
            "--deny-mailbox belongs to the plan a migration started with: --resume and --undo keep it",
        ));
    }
    let mode = match (a.resume, a.undo) {
        (true, _) => MigrateMode::Resume,
        (_, true) => MigrateMode::Undo,
        _ => MigrateMode::Start {
            yes: a.yes,
            script: a.print_script,
        },
    };
    Ok(MigrateSettings {
        apps,
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

/// One app named on the command line: with --tenant, a client ID is an app without a profile;
/// anything else is a profile's name.
fn app(a: &MigrateArgs, named: &str, sandbox: bool) -> Result<MigrateApp> {
    let Some(tenant) = &a.tenant else {
        return Ok(MigrateApp::Profile(profile_name(named)?));
    };
    let Ok(client_id) = ClientId::parse(named) else {
        if a.profile.len() == 1 {
            return Err(Invalid::new(format!(
                "with --tenant, {} must be the app's client ID (a GUID); without it, a profile's name",
                crate::model::echo_safe(named)
            )));
        }
        return Ok(MigrateApp::Profile(profile_name(named)?));
    };
    if a.deny_mailbox.is_none() {
        return Err(Invalid::new(
            "--deny-mailbox: an app without a profile needs the mailbox it must not reach",
        ));
    }
    let asked = ProfileArgs {
        profile: client_id.to_string(),
        tenant: tenant.clone(),
        access: "graph-read".into(),
        mailboxes: a.mailbox.clone(),
        deny_mailbox: a.deny_mailbox.clone(),
        cloud: a.cloud.clone(),
        cloud_file: a.cloud_file.clone(),
        send_test: false,
        force: true,
    };
    Ok(MigrateApp::Client(
        Box::new(ProfileSettings::new(&asked, sandbox)?),
        client_id,
    ))
}
