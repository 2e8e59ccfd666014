//! `setup`'s settings: the profile, the app's name and secret, the sign-ins, and the Exchange
//! Online scope the flags choose.

use std::time::Duration;

use super::profile::{ProfileSettings, mailbox_list};
use super::{Invalid, Result};
use crate::cli::args::{DelegatedArgs, SetupArgs};
use crate::model::ScopeKind;
use crate::model::{AccessChoice, ClientId, ConsumerSignIn, DelegatedPart, echo_safe};
use crate::plan::SECRET_MONTHS;
use crate::scope::{GroupRef, ScopeSpec};

/// How far `setup` goes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum SetupMode {
    /// Print the plan; nothing changes.
    Plan,
    /// Sign in and carry the plan out (`--yes`).
    Apply,
    /// The administrator does each step in the portal (`--guided`).
    Guided,
}

pub struct SetupSettings {
    pub profile: ProfileSettings,
    pub mode: SetupMode,
    pub app_name: String,
    pub secret_months: u32,
    pub admin_client_id: ClientId,
    /// Checked to be a GUID when a scope is made, the only time it is used.
    pub exchange_client_id: ClientId,
    /// None for the delegated style, which reaches only the signed-in user's own mailbox.
    pub scope: Option<ScopeSpec>,
    pub json: bool,
    pub reuse_app: bool,
    /// The delegated style's answers, when the access has it.
    pub delegated: Option<DelegatedPart>,
    /// `--exchange powershell` with the delegated style: its steps go into the script.
    pub delegated_script: bool,
    pub remove_tenant_wide_consent: bool,
    pub wait: Duration,
    /// How long the setup waits for the directory to show what it made (`--directory-wait`).
    pub directory_wait: Duration,
    /// A certificate instead when the tenant forbids client secrets.
    pub certificate_if_secrets_forbidden: bool,
}

impl SetupSettings {
    pub(super) fn new(a: SetupArgs, sandbox: bool) -> Result<SetupSettings> {
        if !SECRET_MONTHS.contains(&a.secret_months) {
            return Err(Invalid::new(format!(
                "--secret-months {}: choose 3, 6, 12, 18 or 24 (the lifetimes the portal offers; 6 is recommended)",
                a.secret_months
            )));
        }
        let admin_client_id = super::admin_client(&a.admin_client_id)?;
        let profile = ProfileSettings::new(&a.common, sandbox)?;
        let app_name = a
            .name
            .clone()
            .unwrap_or_else(|| format!("m365-mail-wizard {}", profile.name));
        if app_name.trim().is_empty() || app_name.len() > 120 {
            return Err(Invalid::new(
                "--name: give the app a display name of 1 to 120 characters",
            ));
        }
        let scope = scope_spec(&a, &profile)?;
        let delegated = delegated_part(&a.delegated, Some(a.exchange.as_str()), &profile)?;
        let mode = if a.guided {
            SetupMode::Guided
        } else if a.yes {
            SetupMode::Apply
        } else {
            SetupMode::Plan
        };
        Ok(SetupSettings {
            profile,
            mode,
            app_name,
            secret_months: a.secret_months,
            admin_client_id,
            // Checked in `scope_spec`: used only when there is an Exchange scope.
            exchange_client_id: ClientId::parse(&a.exchange_client_id)
                .unwrap_or_else(|_| crate::app::sign_in::exchange_admin_client()),
            scope,
            json: a.json,
            reuse_app: a.reuse_app,
            delegated_script: delegated.is_some() && a.exchange == "powershell",
            delegated,
            remove_tenant_wide_consent: a.remove_tenant_wide_consent,
            wait: a.wait,
            directory_wait: a.directory_wait,
            certificate_if_secrets_forbidden: a.certificate_if_secrets_forbidden,
        })
    }
}

/// The delegated style's answers; the flags that ask them are refused without that style.
/// `exchange` is setup's `--exchange`; `add` has none and makes no Exchange change.
pub(super) fn delegated_part(
    a: &DelegatedArgs,
    exchange: Option<&str>,
    profile: &ProfileSettings,
) -> Result<Option<DelegatedPart>> {
    let users = mailbox_list("--delegated-user", &a.delegated_users)?;
    let shared = mailbox_list("--shared-mailbox", &a.shared_mailboxes)?;
    if !profile.access.contains(&AccessChoice::Delegated) {
        let given = [
            (a.delegated_sign_in.is_some(), "--delegated-sign-in"),
            (a.redirect_uri.is_some(), "--redirect-uri"),
            (!users.is_empty(), "--delegated-user"),
            (!shared.is_empty(), "--shared-mailbox"),
            (a.openid, "--openid"),
            (a.public_client, "--public-client"),
        ];
        if let Some((_, flag)) = given.iter().find(|(on, _)| *on) {
            return Err(Invalid::new(format!(
                "{flag} belongs to the delegated style: add delegated-imap-smtp to --access, or leave {flag} out"
            )));
        }
        return Ok(None);
    }
    let flow = match (&a.delegated_sign_in, a.public_client) {
        (Some(f), true) if f != "device-code" => {
            return Err(Invalid::new(format!(
                "--public-client stands for --delegated-sign-in device-code, which contradicts --delegated-sign-in {}: leave --public-client out",
                echo_safe(f)
            )));
        }
        (Some(f), _) => f.as_str(),
        (None, _) => "device-code",
    };
    let sign_in = ConsumerSignIn::parse(flow, a.redirect_uri.as_deref()).map_err(|e| {
        let flag = if e.contains("redirect URI") {
            "--redirect-uri"
        } else {
            "--delegated-sign-in"
        };
        Invalid::new(format!("{flag}: {e}"))
    })?;
    if users.is_empty() {
        return Err(Invalid::new(
            "--delegated-user: name at least one mailbox user who signs in to the consuming application (repeat it for more)",
        ));
    }
    if let Some(m) = shared.iter().find(|m| users.contains(m)) {
        return Err(Invalid::new(format!(
            "--shared-mailbox: {m} is also a --delegated-user; a user reaches their own mailbox without FullAccess"
        )));
    }
    if let Some(m) = users.iter().find(|m| profile.mailboxes.contains(m)) {
        return Err(Invalid::new(format!(
            "--delegated-user: {m} is also given with --mailbox; in a hybrid app a mailbox uses one style: app-only (--mailbox) or delegated (--delegated-user)"
        )));
    }
    if let Some(other) = exchange.filter(|e| !["automate", "powershell"].contains(e)) {
        return Err(Invalid::new(format!(
            "--exchange {}: use automate or powershell",
            echo_safe(other)
        )));
    }
    Ok(Some(DelegatedPart {
        sign_in,
        openid: a.openid,
        users,
        shared,
    }))
}

/// The Exchange Online part the flags ask for; none for the delegated style.
fn scope_spec(a: &SetupArgs, profile: &ProfileSettings) -> Result<Option<ScopeSpec>> {
    if profile.access.iter().all(|x| *x == AccessChoice::Delegated) {
        return Ok(None);
    }
    let kind = ScopeKind::parse(&a.scope).map_err(|e| Invalid::new(format!("--scope: {e}")))?;
    if kind == ScopeKind::AllMailboxes && !a.i_understand_all_mailboxes {
        return Err(Invalid::new(
            "--scope all-mailboxes lets the app read or send as every mailbox of the organisation, the CEO's included: add --i-understand-all-mailboxes to confirm, or choose --scope rbac",
        ));
    }
    if kind == ScopeKind::DenyPolicy && profile.deny_mailbox.is_none() {
        return Err(Invalid::new(
            "--scope deny-policy keeps the app away from the group's members: name the mailbox to keep out with --deny-mailbox",
        ));
    }
    let script_only = match a.exchange.as_str() {
        "automate" => false,
        "powershell" => true,
        other => {
            return Err(Invalid::new(format!(
                "--exchange {other}: use automate or powershell"
            )));
        }
    };
    if ClientId::parse(&a.exchange_client_id).is_err() {
        return Err(Invalid::new(format!(
            "--exchange-client-id {}: not a GUID",
            a.exchange_client_id
        )));
    }
    let group = match (&a.group, kind.uses_group()) {
        (Some(g), _) => Some(g.clone()),
        (None, true) => Some(format!("m365mw-{}", profile.name)),
        (None, false) => None,
    };
    let group = group
        .map(|g| GroupRef::parse(&g))
        .transpose()
        .map_err(|e| Invalid::new(format!("--group: {e}")))?;
    Ok(Some(ScopeSpec {
        kind,
        group,
        mailboxes: profile.mailboxes.iter().map(|m| m.to_string()).collect(),
        deny_mailbox: profile.deny_mailbox.as_ref().map(|m| m.to_string()),
        script_only,
        decline_ews_allow_list: a.decline_ews_allow_list,
    }))
}
