//! The audit written to a file from the audit screen: the customer's report (Markdown or HTML,
//! by the file name's extension) or the JSON of `audit --json`, the same text the command line
//! writes. The audit holds no secret, so neither does the file.

use std::path::{Path, PathBuf};

use crate::export::audit_report;
use crate::model::audit::{Audit, AuditFile};

/// Writes `what` of the audit to `typed` (a leading `~/` is the home folder); the line that
/// confirms it, or why nothing was written.
pub fn write(a: &Audit, what: AuditFile, typed: &str) -> Result<String, String> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Err("Type the name of the file to write.".into());
    }
    let path = expand_home(typed);
    match crate::store::existing(&path) {
        Ok(None) => {}
        Ok(Some("a regular file")) => {
            return Err(format!(
                "{typed} exists: type another file name (nothing is replaced from here)."
            ));
        }
        Ok(Some(other)) => {
            return Err(format!(
                "{typed} is {other}: the audit is written to a new regular file only; type a file name."
            ));
        }
        Err(e) => return Err(format!("{typed}: {e}")),
    }
    let (text, kind) = match what {
        AuditFile::Json => (audit_report::audit_json(a), "JSON of the audit"),
        AuditFile::Report => match extension(&path).as_deref() {
            Some("md" | "markdown") => (audit_report::audit_markdown(a), "report (Markdown)"),
            Some("html" | "htm") => (audit_report::audit_html(a), "report (HTML)"),
            _ => {
                return Err(format!(
                    "{typed}: the report's format follows the file name: end it in .md (Markdown) or .html (HTML)."
                ));
            }
        },
    };
    crate::store::write_private(&path, text.as_bytes()).map_err(|e| format!("{typed}: {e}"))?;
    Ok(format!(
        "Wrote the {kind} to {} (no secret in it).",
        path.display()
    ))
}

fn extension(path: &Path) -> Option<String> {
    path.extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
}

fn expand_home(typed: &str) -> PathBuf {
    match (typed.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(typed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::audit::{self, PolicyGrant, PrincipalFacts};

    fn sample() -> Audit {
        let at = time::macros::datetime!(2026-12-02 10:00 UTC);
        let app = PrincipalFacts {
            sp_id: "sp-1".into(),
            app_id: "app-1".into(),
            name: "Fax <relay>".into(),
            graph_roles: vec!["Mail.Send".into()],
            policies: vec![PolicyGrant {
                access_right: "RestrictAccess".into(),
                group: "fax@contoso.com".into(),
            }],
            ..PrincipalFacts::default()
        };
        audit::audit("contoso.com", 3, vec![app], vec![], at)
    }

    #[test]
    fn the_file_holds_what_the_command_line_writes_in_the_format_its_name_says() {
        let dir = tempfile::tempdir().unwrap();
        let a = sample();
        let at = |name: &str| dir.path().join(name).display().to_string();
        for (name, what, want) in [
            ("a.md", AuditFile::Report, audit_report::audit_markdown(&a)),
            ("a.HTML", AuditFile::Report, audit_report::audit_html(&a)),
            ("a.json", AuditFile::Json, audit_report::audit_json(&a)),
        ] {
            let line = write(&a, what, &at(name)).unwrap();
            assert!(
                line.contains(&at(name)) && line.contains("no secret"),
                "{line}"
            );
            assert_eq!(std::fs::read_to_string(at(name)).unwrap(), want);
        }
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(at("a.json")).unwrap()).unwrap();
        assert_eq!(json["audit"]["rows"][0]["app_id"], "app-1");
        assert_eq!(json["by_reach"]["scoped by a policy"], 1);
    }

    #[test]
    fn anything_but_a_new_file_with_a_known_extension_is_refused_and_nothing_written() {
        let dir = tempfile::tempdir().unwrap();
        let a = sample();
        let p = |name: &str| dir.path().join(name).display().to_string();
        let e = write(&a, AuditFile::Report, &p("a.txt")).unwrap_err();
        assert!(e.contains(".md (Markdown) or .html"), "{e}");
        assert!(!dir.path().join("a.txt").exists());
        std::fs::write(p("old.md"), "kept").unwrap();
        let e = write(&a, AuditFile::Report, &p("old.md")).unwrap_err();
        assert!(e.contains("exists"), "{e}");
        assert_eq!(std::fs::read_to_string(p("old.md")).unwrap(), "kept");
        std::fs::create_dir(p("d.json")).unwrap();
        let e = write(&a, AuditFile::Json, &p("d.json")).unwrap_err();
        assert!(
            e.starts_with(&p("d.json")) && e.contains("a directory"),
            "{e}"
        );
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(p("old.md"), p("link.md")).unwrap();
            let e = write(&a, AuditFile::Report, &p("link.md")).unwrap_err();
            assert!(e.contains("a symbolic link"), "{e}");
            assert_eq!(std::fs::read_to_string(p("old.md")).unwrap(), "kept");
        }
        assert_eq!(
            write(&a, AuditFile::Json, "  ").unwrap_err(),
            "Type the name of the file to write."
        );
    }
}
