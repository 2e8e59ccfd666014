//! `sandbox serve`'s flags as the simulated tenant's options.

use std::time::Duration;

use super::{Invalid, Result};
use crate::cli::args::SandboxCommand;
use crate::sandbox::{AdminRedirect, FaultPlan, SandboxOptions};

/// `realistic` is the global `--realistic`.
pub(super) fn options(command: SandboxCommand, realistic: bool) -> Result<SandboxOptions> {
    let SandboxCommand::Serve {
        port,
        state,
        latency_ms,
        faults,
        auto_approve,
        auto_approve_user,
        replication_lag_ms,
        max_secret_months,
        device_code_secs,
        propagation_delay,
        extra_mailboxes,
        extra_apps,
        extra_principals,
        admin_without_exchange,
        cloud_instance,
        admin_redirect,
        without_entra_premium,
        forbid_secrets,
        other_role_ids,
        ews_allow_list,
        kiosk_mailbox,
        block_device_code,
        smtp_auth_off,
        smtp_sign_in_refusals,
    } = command;
    let faults = FaultPlan::parse(&faults).map_err(Invalid::new)?;
    // The cloud file goes next to the state file, or to the temporary directory.
    let cloud_dir = state
        .as_ref()
        .and_then(|s| s.parent().map(|p| p.to_path_buf()))
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(std::env::temp_dir);
    let propagation_delay = propagation_delay.unwrap_or(0.0);
    if !(0.0..=86_400.0).contains(&propagation_delay) {
        return Err(Invalid::new(format!(
            "--propagation-delay {propagation_delay}: give seconds from 0 to 86400"
        )));
    }
    let admin_redirect = match admin_redirect.as_deref() {
        None => None,
        Some("") => Some(AdminRedirect::OwnAlias),
        Some(url) => {
            reqwest::Url::parse(url).map_err(|_| {
                Invalid::new(format!(
                    "--admin-redirect {url}: give a URL (http://host:port/path), or no value for the sandbox's own alias"
                ))
            })?;
            Some(AdminRedirect::To(url.to_string()))
        }
    };
    let options = SandboxOptions {
        port,
        state_file: state,
        latency: Duration::from_millis(latency_ms),
        faults,
        reset: false,
        cloud_file_dir: Some(cloud_dir),
        auto_approve,
        auto_approve_user: auto_approve_user
            .map(|m| {
                crate::model::Mailbox::parse(&m)
                    .map(|m| m.to_string())
                    .map_err(|e| Invalid::new(format!("--auto-approve-user {m}: {e}")))
            })
            .transpose()?,
        replication_lag: Duration::from_millis(replication_lag_ms.unwrap_or(0)),
        max_secret_months,
        device_code_lifetime: Duration::from_secs(device_code_secs),
        propagation_delay: Duration::from_secs_f64(propagation_delay),
        extra_mailboxes,
        extra_apps,
        extra_principals,
        admin_without_exchange,
        cloud_instance: cloud_instance.map(|c| match c.split_once(':') {
            Some((name, sub)) => (name.to_string(), sub.to_string()),
            None => (c, String::new()),
        }),
        admin_redirect,
        without_entra_premium,
        ews_allow_list,
        kiosk_mailbox,
        block_device_code,
        realistic: false,
        forbid_secrets,
        other_role_ids,
        smtp_auth_off,
        smtp_sign_in_refusals,
    };
    Ok(if realistic {
        options.realistic()
    } else {
        options
    })
}
