//! A settings export with the client secret's Value in it, for the consuming application: made
//! only on the administrator's explicit `export --with-secret`, into a private file.

use super::Format;

/// The warning the file opens with (a comment, where the format has comments).
const WARNING: &str = "This file holds the app's client secret. Give it to the consuming application, then delete it; never commit, mail or paste it.";

/// `settings` (as `format` renders it) with the secret `value` added; why not for formats that
/// carry no credential (PowerShell, the reports).
pub fn add_secret(format: Format, settings: &str, value: &str) -> Result<String, String> {
    match format {
        Format::Env => Ok(format!(
            "# {WARNING}\n{settings}M365_CLIENT_SECRET={}\n",
            quoted(value)
        )),
        Format::Properties => Ok(format!(
            "# {WARNING}\n{settings}oauth2.client.secret={}\n",
            value.replace('\\', "\\\\")
        )),
        Format::Json => {
            let mut v: serde_json::Value =
                serde_json::from_str(settings).map_err(|e| e.to_string())?;
            v["credential"]["client_secret"] = value.into();
            v["warning"] = WARNING.into();
            serde_json::to_string_pretty(&v)
                .map(|t| t + "\n")
                .map_err(|e| e.to_string())
        }
        Format::PowerShell | Format::Report | Format::ReportHtml => Err(
            "--with-secret goes with --format env, json or properties (the settings a consuming application reads)".into(),
        ),
    }
}

/// Single-quoted for a shell or a .env file.
fn quoted(v: &str) -> String {
    format!("'{}'", v.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_is_added_to_settings_formats_only() {
        let env = add_secret(Format::Env, "M365_CLIENT_ID=x\n", "abc~'d").unwrap();
        assert!(env.starts_with("# This file holds"), "{env}");
        assert!(env.ends_with("M365_CLIENT_SECRET='abc~'\\''d'\n"), "{env}");
        let json = add_secret(
            Format::Json,
            r#"{"credential":{"kind":"client-secret"}}"#,
            "s3",
        )
        .unwrap();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["credential"]["client_secret"], "s3");
        assert!(add_secret(Format::Report, "", "s").is_err());
        assert!(add_secret(Format::PowerShell, "", "s").is_err());
    }
}
