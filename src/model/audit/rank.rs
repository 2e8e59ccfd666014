//! The findings of each service principal and their order: the riskiest first.

use time::OffsetDateTime;

use super::{Audit, AuditRow, Finding, LastSignIn, PrincipalFacts, Reach, reach};

/// A credential ending within this many days is pointed out.
pub const EXPIRY_WARNING_DAYS: i64 = 30;
/// An app with no sign-in for this many days is pointed out as unused.
pub const UNUSED_DAYS: i64 = 90;

fn findings(f: &PrincipalFacts, r: Reach, now: OffsetDateTime) -> Vec<Finding> {
    let mut out = Vec::new();
    if r == Reach::EveryMailbox {
        out.push(Finding::TenantWide);
    }
    for c in f.credentials.iter().flatten() {
        let Some(ends) = c.ends else { continue };
        let days = (ends - now).whole_days();
        let credential = format!("{} \"{}\"", c.kind, c.name);
        if ends <= now {
            out.push(Finding::CredentialExpired { credential });
        } else if days < EXPIRY_WARNING_DAYS {
            out.push(Finding::CredentialExpiring { credential, days });
        }
    }
    match &f.last_sign_in {
        Some(LastSignIn::Never) => out.push(Finding::Unused { days: None }),
        Some(LastSignIn::At { at }) if (now - *at).whole_days() >= UNUSED_DAYS => {
            out.push(Finding::Unused {
                days: Some((now - *at).whole_days()),
            })
        }
        _ => {}
    }
    if !f.policies.is_empty() {
        out.push(Finding::PolicyScoped);
    }
    out
}

/// The audit of the principals `facts` (those without mail access left out), ranked: the
/// highest risk first, then the widest reach, then by name.
pub fn audit(
    tenant: &str,
    principals: usize,
    facts: Vec<PrincipalFacts>,
    missing: Vec<String>,
    now: OffsetDateTime,
) -> Audit {
    let mut rows: Vec<AuditRow> = facts
        .into_iter()
        .filter(PrincipalFacts::has_mail_access)
        .map(|f| {
            let r = reach(&f);
            let findings = findings(&f, r, now);
            let risk = findings.iter().map(Finding::weight).sum();
            AuditRow {
                facts: f,
                reach: r,
                findings,
                risk,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.risk
            .cmp(&a.risk)
            .then(a.reach.cmp(&b.reach))
            .then_with(|| a.facts.name.cmp(&b.facts.name))
            .then_with(|| a.facts.sp_id.cmp(&b.facts.sp_id))
    });
    Audit {
        tenant: tenant.to_string(),
        at: now,
        principals,
        rows,
        missing,
        exchange_read: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::audit::{CredentialFacts, PolicyGrant};
    use time::Duration;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-12-01 12:00 UTC);

    fn app(name: &str, roles: &[&str], ends_in: i64, last: Option<i64>) -> PrincipalFacts {
        PrincipalFacts {
            sp_id: name.into(),
            name: name.into(),
            graph_roles: roles.iter().map(|r| r.to_string()).collect(),
            credentials: Some(vec![CredentialFacts {
                kind: "secret",
                name: format!("{name} secret"),
                ends: Some(NOW + Duration::days(ends_in)),
            }]),
            last_sign_in: Some(match last {
                Some(d) => LastSignIn::At {
                    at: NOW - Duration::days(d),
                },
                None => LastSignIn::Never,
            }),
            ..PrincipalFacts::default()
        }
    }

    #[test]
    fn the_riskiest_come_first_and_apps_without_mail_are_left_out() {
        let wide = app("wide", &["Mail.Read"], 300, Some(1));
        let mut scoped = app("scoped", &["Mail.Read"], 300, Some(1));
        scoped.policies = vec![PolicyGrant {
            access_right: "RestrictAccess".into(),
            group: "g".into(),
        }];
        let expiring = app("expiring", &["Mail.Read"], 10, Some(1));
        let stale = app("stale", &["Mail.Read"], -5, Some(120));
        let never = app("never", &["Mail.Send"], 300, None);
        let none = app("none", &[], 300, Some(1));
        let a = audit(
            "contoso.example",
            6,
            vec![scoped, none, never, wide, expiring, stale],
            Vec::new(),
            NOW,
        );
        let order: Vec<(&str, u32)> = a
            .rows
            .iter()
            .map(|r| (r.facts.name.as_str(), r.risk))
            .collect();
        assert_eq!(
            order,
            [
                ("stale", 180),
                ("expiring", 140),
                ("never", 130),
                ("wide", 100),
                ("scoped", 20)
            ]
        );
        assert_eq!(
            a.rows[0].findings[1],
            Finding::CredentialExpired {
                credential: "secret \"stale secret\"".into()
            }
        );
        assert_eq!(
            a.rows[1].findings[1].text(),
            "secret \"expiring secret\" expires in 10 days"
        );
    }

    #[test]
    fn unknown_sign_ins_say_nothing_of_use() {
        let mut f = app("x", &["Mail.Read"], 300, None);
        f.last_sign_in = Some(LastSignIn::Unknown {
            why: "no licence".into(),
        });
        let a = audit("t", 1, vec![f], Vec::new(), NOW);
        assert_eq!(a.rows[0].findings, [Finding::TenantWide]);
    }
}
