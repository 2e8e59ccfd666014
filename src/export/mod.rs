//! A profile's settings in the consuming application's formats, the setup as a PowerShell
//! script, and the handover report. Pure; never a secret or a token: the secret is named by
//! where it is kept, nothing more.

pub mod audit_report;
mod changes;
mod delegated;
mod document;
mod exchange_objects;
mod granted;
mod local_time;
mod metrics;
mod powershell;
mod report;
mod settings;
mod with_secret;

pub use changes::{Change, Summary, summarize};
pub use metrics::{CheckOutcome, FleetEntry, prometheus};
pub use with_secret::add_secret;

use std::str::FromStr;

use time::OffsetDateTime;

use crate::model::{AccessChoice, Endpoints, Profile};
use crate::store::Journal;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Env,
    Json,
    Properties,
    PowerShell,
    Report,
    ReportHtml,
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Format, String> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "env" => Format::Env,
            "json" => Format::Json,
            "properties" => Format::Properties,
            "powershell" | "ps1" => Format::PowerShell,
            "report" | "md" | "markdown" => Format::Report,
            "report-html" | "html" => Format::ReportHtml,
            other => {
                return Err(format!(
                    "unknown format \"{other}\": use env, json, properties, powershell, report or report-html"
                ));
            }
        })
    }
}

pub struct Input<'a> {
    pub profile: &'a Profile,
    pub endpoints: &'a Endpoints,
    /// Where the secret is: the keyring service name.
    pub keyring_service: &'a str,
    /// When the export is made, in the reader's offset from UTC: every time the documents
    /// show is in that offset.
    pub now: OffsetDateTime,
    /// What the wizard's setup made for this app, as its journal recorded it; none when the
    /// profile was added for an app made elsewhere.
    pub setup: Option<&'a Journal>,
}

impl Input<'_> {
    /// The date the export is made (YYYY-MM-DD), the reader's.
    fn today(&self) -> String {
        self.now.date().to_string()
    }
}

/// The export in `format`. A control character from a hostile profile value is shown as an
/// escape, never written raw (the file may be shown on a terminal, or run).
pub fn render(format: Format, i: &Input) -> String {
    crate::model::printable(&render_raw(format, i))
}

fn render_raw(format: Format, i: &Input) -> String {
    match format {
        Format::Env => settings::env(i),
        Format::Json => settings::json(i),
        Format::Properties => settings::properties(i),
        Format::PowerShell => powershell::powershell(i),
        Format::Report => report::report(i).markdown(),
        Format::ReportHtml => report::report(i).html(),
    }
}

fn uses(p: &Profile, c: AccessChoice) -> bool {
    p.access.contains(&c)
}

fn mailboxes(p: &Profile) -> Vec<&str> {
    p.mailboxes.iter().map(|m| m.as_str()).collect()
}

/// What the keyring holds for the profile, as the documents name it.
fn credential_name(p: &Profile) -> &'static str {
    if p.credential.is_secret() {
        "the client secret"
    } else {
        "the certificate's private key"
    }
}

fn secret_place(i: &Input) -> String {
    format!("{} / {}", i.keyring_service, i.profile.name)
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod format_tests {
    use super::*;

    #[test]
    fn the_exported_script_defines_what_it_uses_one_command_a_line() {
        for (scope, access) in [
            ("", r#"["graph-read", "imap", "smtp"]"#),
            (
                "[scope]\nkind = \"rbac\"\ngroup = \"helpdesk-scope\"\napp_name = \"Helpdesk\"\n",
                r#"["graph-read", "imap"]"#,
            ),
            (
                "[scope]\nkind = \"restrict-policy\"\ngroup = \"helpdesk-scope\"\napp_name = \"Helpdesk\"\n",
                r#"["graph-read", "ews"]"#,
            ),
        ] {
            let text = format!(
                "name = \"helpdesk\"\ncloud = \"global\"\ntenant = \"contoso.com\"\ntenant_id = \"3f4c2a10-5b6d-4e7f-8a9b-0c1d2e3f4a5b\"\nclient_id = \"a1f5c0de-0001-4000-8000-00000000c001\"\naccess = {access}\nmailboxes = [\"alice@contoso.com\", \"frank@contoso.com\"]\ndeny_mailbox = \"ceo@contoso.com\"\n{scope}"
            );
            let profile: Profile = toml::from_str(&text).unwrap();
            let endpoints = Endpoints::named(crate::model::CloudKind::Global).unwrap();
            let script = render(
                Format::PowerShell,
                &Input {
                    profile: &profile,
                    endpoints: &endpoints,
                    keyring_service: "m365-mail-wizard",
                    now: time::macros::datetime!(2026-11-26 12:00 UTC),
                    setup: None,
                },
            );
            assert_eq!(
                crate::plan::undefined_variables(&script),
                Vec::<String>::new(),
                "{script}"
            );
            assert_eq!(
                crate::plan::crowded_lines(&script),
                Vec::<String>::new(),
                "{script}"
            );
        }
    }

    #[test]
    fn formats_parse_with_a_helpful_error() {
        assert_eq!("ENV".parse::<Format>(), Ok(Format::Env));
        assert_eq!("html".parse::<Format>(), Ok(Format::ReportHtml));
        assert!(
            "yaml"
                .parse::<Format>()
                .unwrap_err()
                .contains("report-html")
        );
    }
}
