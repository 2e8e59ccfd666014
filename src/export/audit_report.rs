//! The audit's report for the customer, in Markdown or HTML: a summary by reach, then every
//! service principal with mail access, riskiest first. Names and no values: a credential is
//! named with its end, never shown.

use std::collections::BTreeMap;

use super::document::{Block, Doc};
use crate::model::audit::{Audit, AuditRow, LastSignIn, Reach};
use crate::model::printable;

fn date(t: time::OffsetDateTime) -> String {
    let d = t.date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// What the app was granted, in one cell.
pub fn grants(r: &AuditRow) -> String {
    let f = &r.facts;
    let mut parts = Vec::new();
    if !f.graph_roles.is_empty() {
        parts.push(format!("Microsoft Graph: {}", f.graph_roles.join(", ")));
    }
    if !f.exchange_roles.is_empty() {
        parts.push(format!("Exchange Online: {}", f.exchange_roles.join(", ")));
    }
    for g in &f.rbac {
        let scope = g.scope.as_deref().unwrap_or("the whole organisation");
        parts.push(format!("RBAC: {} within {scope}", g.role));
    }
    for p in &f.policies {
        parts.push(format!("access policy: {} {}", p.access_right, p.group));
    }
    if !f.mailbox_permissions.is_empty() {
        parts.push(format!(
            "mailbox permissions on {}",
            f.mailbox_permissions.join(", ")
        ));
    }
    printable(&parts.join("; "))
}

/// The credentials' ends, in one cell.
pub fn credentials(r: &AuditRow) -> String {
    match &r.facts.credentials {
        None => "registered in another tenant".into(),
        Some(c) if c.is_empty() => "none".into(),
        Some(c) => printable(
            &c.iter()
                .map(|c| match c.ends {
                    Some(e) => format!("{} \"{}\" ends {}", c.kind, c.name, date(e)),
                    None => format!("{} \"{}\"", c.kind, c.name),
                })
                .collect::<Vec<_>>()
                .join("; "),
        ),
    }
}

pub fn last_sign_in(r: &AuditRow) -> String {
    match &r.facts.last_sign_in {
        Some(LastSignIn::At { at }) => date(*at),
        Some(LastSignIn::Never) => "never".into(),
        Some(LastSignIn::Unknown { .. }) | None => "unknown".into(),
    }
}

pub fn findings(r: &AuditRow) -> String {
    let texts: Vec<String> = r.findings.iter().map(|f| f.text()).collect();
    printable(&texts.join("; "))
}

/// How many rows reach as far as each reach.
pub fn by_reach(a: &Audit) -> BTreeMap<Reach, usize> {
    let mut n = BTreeMap::new();
    for r in &a.rows {
        *n.entry(r.reach).or_insert(0) += 1;
    }
    n
}

fn doc(a: &Audit) -> Doc {
    let mut blocks = vec![Block::Para(format!(
        "Tenant {}, read on {}: {} service principals, {} with access to mail. Ranked by risk: tenant-wide access first, then expired or soon-expiring credentials, apps unused for 90 days and apps scoped by an application access policy.",
        printable(&a.tenant),
        date(a.at),
        a.principals,
        a.rows.len()
    ))];
    blocks.push(Block::Table(
        vec!["Reach", "Service principals"],
        by_reach(a)
            .into_iter()
            .map(|(r, n)| vec![r.label().to_string(), n.to_string()])
            .collect(),
    ));
    if !a.missing.is_empty() {
        blocks.push(Block::Heading("Not in this audit".into()));
        for m in &a.missing {
            blocks.push(Block::Para(printable(m)));
        }
    }
    blocks.push(Block::Heading(
        "Service principals with access to mail".into(),
    ));
    blocks.push(Block::Table(
        vec![
            "Risk",
            "Application",
            "Application ID",
            "Reach",
            "Granted",
            "Credentials",
            "Last sign-in",
            "Findings",
        ],
        a.rows
            .iter()
            .map(|r| {
                vec![
                    r.risk.to_string(),
                    printable(&r.facts.name),
                    r.facts.app_id.clone(),
                    r.reach.label().to_string(),
                    grants(r),
                    credentials(r),
                    last_sign_in(r),
                    findings(r),
                ]
            })
            .collect(),
    ));
    Doc {
        title: "Mail access audit".into(),
        blocks,
    }
}

pub fn audit_markdown(a: &Audit) -> String {
    doc(a).markdown()
}

pub fn audit_html(a: &Audit) -> String {
    doc(a).html()
}

/// The audit as `audit --json` prints it: the rows and, per reach, how many apps.
pub fn audit_json_value(a: &Audit) -> serde_json::Value {
    let by_reach: serde_json::Map<_, _> = by_reach(a)
        .into_iter()
        .map(|(r, n)| (r.label().to_string(), n.into()))
        .collect();
    serde_json::json!({ "audit": a, "by_reach": by_reach })
}

/// The JSON of `audit --json` as a file holds it (the same text, ending in a line break).
pub fn audit_json(a: &Audit) -> String {
    format!("{}\n", crate::model::pretty_json(&audit_json_value(a)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::audit::{PrincipalFacts, audit};

    #[test]
    fn names_are_escaped_in_html() {
        let f = PrincipalFacts {
            sp_id: "1".into(),
            name: "<script>alert(1)</script>".into(),
            graph_roles: vec!["Mail.Read".into()],
            ..PrincipalFacts::default()
        };
        let a = audit("t", 1, vec![f], Vec::new(), time::OffsetDateTime::now_utc());
        let h = audit_html(&a);
        assert!(h.contains("&lt;script&gt;") && !h.contains("<script>"));
        assert!(audit_markdown(&a).contains("| every mailbox |"));
    }
}
