//! How far a service principal's grants reach, by the access rules of REFERENCE.md section 7:
//! an application access policy restricts only the Entra ID roles (Graph mail and EWS); an RBAC
//! assignment adds to them, so a tenant-wide Graph role with an RBAC scope still reaches every
//! mailbox; IMAP, POP and SMTP reach only the mailboxes with a mailbox permission.

use super::{PrincipalFacts, Reach};

/// The Office 365 Exchange Online application roles that touch mail.
pub const EXCHANGE_MAIL_ROLES: [&str; 5] = [
    "full_access_as_app",
    "EWS.AccessAsApp",
    "IMAP.AccessAsApp",
    "POP.AccessAsApp",
    "SMTP.SendAsApp",
];

/// A Microsoft Graph application role that touches mail.
pub fn is_mail_graph_role(value: &str) -> bool {
    value.starts_with("Mail.") || value.starts_with("MailboxSettings.")
}

/// The Exchange roles whose reach an application access policy limits, as it limits Graph's:
/// EWS.
fn is_ews_role(value: &str) -> bool {
    matches!(value, "full_access_as_app" | "EWS.AccessAsApp")
}

/// The widest reach of `f`'s grants.
pub fn reach(f: &PrincipalFacts) -> Reach {
    let entra_wide = !f.graph_roles.is_empty() || f.exchange_roles.iter().any(|r| is_ews_role(r));
    let policy = !f.policies.is_empty();
    let mut reaches = Vec::new();
    if entra_wide {
        reaches.push(if policy {
            Reach::ScopedByPolicy
        } else {
            Reach::EveryMailbox
        });
    }
    for g in &f.rbac {
        reaches.push(match g.scope {
            None => Reach::EveryMailbox,
            Some(_) => Reach::ScopedByRbac,
        });
    }
    let protocols = f.exchange_roles.iter().any(|r| !is_ews_role(r));
    if !f.mailbox_permissions.is_empty() && protocols {
        reaches.push(Reach::PerMailbox);
    }
    reaches.into_iter().min().unwrap_or(Reach::NoMailbox)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::audit::{PolicyGrant, RbacGrant};

    fn facts() -> PrincipalFacts {
        PrincipalFacts::default()
    }

    fn rbac(scope: Option<&str>) -> RbacGrant {
        RbacGrant {
            role: "Application Mail.Read".into(),
            scope: scope.map(String::from),
            scope_filter: None,
        }
    }

    #[test]
    fn rbac_adds_to_a_tenant_wide_role_and_a_policy_limits_it() {
        let mut f = facts();
        f.graph_roles = vec!["Mail.Read".into()];
        assert_eq!(reach(&f), Reach::EveryMailbox);
        f.rbac = vec![rbac(Some("Helpdesk"))];
        assert_eq!(
            reach(&f),
            Reach::EveryMailbox,
            "RBAC adds, it does not limit"
        );
        f.graph_roles.clear();
        assert_eq!(reach(&f), Reach::ScopedByRbac);
        f.rbac = vec![rbac(None)];
        assert_eq!(
            reach(&f),
            Reach::EveryMailbox,
            "an organisation-wide assignment"
        );
        let mut p = facts();
        p.graph_roles = vec!["Mail.Send".into()];
        p.policies = vec![PolicyGrant {
            access_right: "RestrictAccess".into(),
            group: "helpdesk@contoso.example".into(),
        }];
        assert_eq!(reach(&p), Reach::ScopedByPolicy);
    }

    #[test]
    fn protocols_reach_only_the_mailboxes_with_a_permission() {
        let mut f = facts();
        f.exchange_roles = vec!["IMAP.AccessAsApp".into()];
        assert_eq!(reach(&f), Reach::NoMailbox);
        f.exchange_principal = true;
        f.mailbox_permissions = vec!["alice@contoso.example".into()];
        assert_eq!(reach(&f), Reach::PerMailbox);
        f.exchange_roles.push("full_access_as_app".into());
        assert_eq!(
            reach(&f),
            Reach::EveryMailbox,
            "EWS full access is tenant-wide"
        );
    }

    #[test]
    fn mail_roles_are_told_from_others() {
        assert!(is_mail_graph_role("Mail.ReadBasic.All"));
        assert!(is_mail_graph_role("MailboxSettings.Read"));
        assert!(!is_mail_graph_role("User.Read.All"));
    }
}
