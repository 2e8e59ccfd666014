//! A profile's exports as the reader gets them: the setup journal of its app (when the wizard
//! made it), the reader's local time, and the pure renderers of `export`.

use time::OffsetDateTime;

use crate::app::Env;
use crate::export::{Format, Input, render};
use crate::model::Profile;
use crate::store::Journal;

/// The journal of the setup that made this profile's app; none for an app made elsewhere, or
/// for a journal left by a setup of another app under the same profile name.
pub(crate) fn setup_journal(env: &Env, p: &Profile) -> Option<Journal> {
    let journal = env
        .dirs
        .journals(env.sandbox.is_some())
        .load(&p.name)
        .inspect_err(
            |e| tracing::warn!(error = %e, "setup journal unreadable: exported without it"),
        )
        .ok()
        .flatten()?;
    let same = |a: &str, b: String| a.eq_ignore_ascii_case(&b);
    (same(&journal.tenant_id, p.tenant_id.to_string())
        && journal
            .app_id
            .as_deref()
            .is_some_and(|a| same(a, p.client_id.to_string())))
    .then_some(journal)
}

/// The profile in `format`, made now.
pub fn export(env: &Env, p: &Profile, format: Format) -> String {
    let now = OffsetDateTime::now_utc().to_offset(env.local_offset);
    let journal = setup_journal(env, p);
    render(
        format,
        &input(env, p, now, journal.as_ref(), &env.endpoints(p)),
    )
}

fn input<'a>(
    env: &Env,
    p: &'a Profile,
    now: OffsetDateTime,
    setup: Option<&'a Journal>,
    endpoints: &'a crate::model::Endpoints,
) -> Input<'a> {
    Input {
        profile: p,
        endpoints,
        keyring_service: crate::app::keyring_service(env),
        now,
        setup,
    }
}

/// Every export format of the profile into a new folder under the data directory, named by the
/// profile and the reader's local time.
pub fn export_all(env: &Env, p: &Profile) -> Result<String, String> {
    let now = OffsetDateTime::now_utc().to_offset(env.local_offset);
    let stamp = format!(
        "{}-{:02}{:02}{:02}",
        now.date(),
        now.hour(),
        now.minute(),
        now.second()
    );
    let dir = env
        .dirs
        .data
        .join("exports")
        .join(format!("{}-{stamp}", p.name));
    let endpoints = env.endpoints(p);
    let journal = setup_journal(env, p);
    let input = input(env, p, now, journal.as_ref(), &endpoints);
    for (format, file) in [
        (Format::Report, "handover.md"),
        (Format::ReportHtml, "handover.html"),
        (Format::Env, "settings.env"),
        (Format::Json, "settings.json"),
        (Format::Properties, "mail.properties"),
        (Format::PowerShell, "setup.ps1"),
    ] {
        let path = dir.join(file);
        crate::store::write_private(&path, render(format, &input).as_bytes())
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(dir.display().to_string())
}

/// The profile's settings in `format` with its client secret's Value from the keyring, for
/// `export --with-secret`; why not, when the profile has no secret to give.
pub async fn export_with_secret(env: &Env, p: &Profile, format: Format) -> Result<String, String> {
    if !p.credential.is_secret() {
        return Err(format!(
            "profile {} signs in with a certificate: its private key stays in the keyring; there is no client secret to export",
            p.name
        ));
    }
    if !matches!(format, Format::Env | Format::Json | Format::Properties) {
        return Err("--with-secret goes with --format env, json or properties (the settings a consuming application reads)".into());
    }
    let secret = env.secret(p).await.map_err(|e| {
        format!(
            "profile {}: the secret could not be read from the keyring: {e}",
            p.name
        )
    })?;
    crate::export::add_secret(format, &export(env, p, format), secret.expose())
}
