//! The delegated style's rules: which delegated scopes an app may get for a user (admin
//! consent, for every user or for that one), and which mailboxes IMAP, POP and SMTP let a
//! user's token reach (the user's own, and those the user has FullAccess on).

use super::access::{MailProtocol, MailRefusal};
use super::records::{App, MailboxRight, User};
use super::{Tenant, effective};

/// The password of every sandbox user, for the resource-owner password flow (README, `sandbox
/// info`).
pub const USER_PASSWORD: &str = "Sandbox-Mailbox-1";

/// Scopes the identity platform issues without a consent of their own in the sandbox: the
/// OpenID Connect ones.
const OPENID: [&str; 3] = ["openid", "profile", "email"];

impl MailProtocol {
    /// The delegated scope a user's token needs for the protocol (Microsoft: "Authenticate an
    /// IMAP, POP or SMTP connection using OAuth").
    pub fn delegated_scope(self) -> &'static str {
        match self {
            MailProtocol::Imap => "IMAP.AccessAsUser.All",
            MailProtocol::Pop => "POP.AccessAsUser.All",
            MailProtocol::Smtp => "SMTP.Send",
        }
    }
}

impl Tenant {
    /// The first of `scopes` (short names) no admin consent grants `app` for `user`: an
    /// `oauth2PermissionGrant` of the app's service principal, for all principals or for the
    /// user, on any resource.
    pub fn ungranted_scope<'s>(
        &self,
        app: &App,
        user: &User,
        scopes: &'s [String],
    ) -> Option<&'s str> {
        let granted = |scope: &str| {
            self.permission_grants.iter().any(|g| {
                !app.sp_id.is_empty()
                    && g.client_id == app.sp_id
                    && g.principal_id.as_ref().is_none_or(|p| p == &user.id)
                    && g.scope
                        .split_whitespace()
                        .any(|s| s.eq_ignore_ascii_case(scope))
            })
        };
        scopes
            .iter()
            .map(String::as_str)
            .filter(|s| !OPENID.contains(s))
            .find(|s| !granted(s))
    }

    /// IMAP, POP or SMTP for `mailbox` with the delegated token of user `oid` holding `scp`:
    /// the scope, then the user's own mailbox or FullAccess on it, then the mailbox's switches.
    pub fn delegated_mail_access(
        &self,
        oid: &str,
        scp: &str,
        protocol: MailProtocol,
        mailbox: &str,
        now_ms: i64,
    ) -> Result<&User, MailRefusal> {
        let signer = self.user(oid).ok_or(MailRefusal::NoSuchUser)?;
        let target = self.user(mailbox).ok_or(MailRefusal::NoSuchUser)?;
        if !scp
            .split_whitespace()
            .any(|s| s == protocol.delegated_scope())
        {
            return Err(MailRefusal::MissingRole);
        }
        if target.id != signer.id
            && !self.user_holds(signer, target, MailboxRight::FullAccess, now_ms)
        {
            return Err(MailRefusal::NotDelegated);
        }
        match protocol {
            MailProtocol::Imap if !target.imap_enabled => Err(MailRefusal::ProtocolDisabled),
            MailProtocol::Pop if !target.pop_enabled => Err(MailRefusal::ProtocolDisabled),
            MailProtocol::Smtp => self.smtp_auth_allowed(target, now_ms),
            _ => Ok(target),
        }
    }

    /// Whether `user` holds `right` on `mailbox` (`Add-MailboxPermission -User`, or
    /// `Add-RecipientPermission -Trustee` for SendAs).
    pub fn user_holds(
        &self,
        user: &User,
        mailbox: &User,
        right: MailboxRight,
        now_ms: i64,
    ) -> bool {
        self.mailbox_permissions.iter().any(|p| {
            p.mailbox == mailbox.mail
                && (p.principal.eq_ignore_ascii_case(&user.id)
                    || p.principal.eq_ignore_ascii_case(&user.mail))
                && p.right == right
                && effective(p.effective_ms, now_ms)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::tenant::{MailboxPermission, PermissionGrant};

    fn tenant_with_grant(principal: Option<&str>) -> (Tenant, App) {
        let mut t = Tenant::seed();
        let app = t.apps.iter().find(|a| a.key == "scoped").unwrap().clone();
        t.permission_grants.push(PermissionGrant {
            id: "g1".into(),
            client_id: app.sp_id.clone(),
            resource_id: "f0000000-0000-4000-8000-000000000001".into(),
            scope: "IMAP.AccessAsUser.All SMTP.Send offline_access".into(),
            principal_id: principal.map(String::from),
        });
        (t, app)
    }

    #[test]
    fn consent_for_all_users_or_for_one() {
        let wanted: Vec<String> = [
            "openid",
            "IMAP.AccessAsUser.All",
            "SMTP.Send",
            "offline_access",
        ]
        .map(String::from)
        .to_vec();
        let (t, app) = tenant_with_grant(None);
        let alice = t.user("alice@contoso.example").unwrap();
        assert_eq!(t.ungranted_scope(&app, alice, &wanted), None);
        let pop = vec!["POP.AccessAsUser.All".to_string()];
        assert_eq!(
            t.ungranted_scope(&app, alice, &pop),
            Some("POP.AccessAsUser.All")
        );
        let (t, app) = tenant_with_grant(Some("b0000000-0000-4000-8000-000000000003"));
        let (alice, bob) = (
            t.user("alice@contoso.example").unwrap(),
            t.user("bob@contoso.example").unwrap(),
        );
        assert_eq!(t.ungranted_scope(&app, bob, &wanted), None);
        assert_eq!(
            t.ungranted_scope(&app, alice, &wanted),
            Some("IMAP.AccessAsUser.All"),
            "a grant for bob is not one for alice"
        );
    }

    #[test]
    fn a_user_reaches_their_own_mailbox_and_those_they_have_full_access_on() {
        let mut t = Tenant::seed();
        let alice = t.user("alice@contoso.example").unwrap().id.clone();
        let both = "IMAP.AccessAsUser.All SMTP.Send";
        let reach = |t: &Tenant, scp: &str, p: MailProtocol, m: &str| {
            t.delegated_mail_access(&alice, scp, p, m, 0).err()
        };
        assert_eq!(
            reach(&t, both, MailProtocol::Imap, "alice@contoso.example"),
            None
        );
        assert_eq!(
            reach(&t, both, MailProtocol::Smtp, "alice@contoso.example"),
            None
        );
        assert_eq!(
            reach(&t, "SMTP.Send", MailProtocol::Imap, "alice@contoso.example"),
            Some(MailRefusal::MissingRole)
        );
        assert_eq!(
            reach(&t, both, MailProtocol::Pop, "alice@contoso.example"),
            Some(MailRefusal::MissingRole)
        );
        assert_eq!(
            reach(&t, both, MailProtocol::Imap, "erin@contoso.example"),
            Some(MailRefusal::NotDelegated)
        );
        t.mailbox_permissions.push(MailboxPermission {
            mailbox: "erin@contoso.example".into(),
            principal: alice.clone(),
            right: MailboxRight::FullAccess,
            effective_ms: 0,
        });
        assert_eq!(
            reach(&t, both, MailProtocol::Imap, "erin@contoso.example"),
            None
        );
        t.user_mut("erin@contoso.example")
            .unwrap()
            .smtp_client_auth_disabled = Some(true);
        assert_eq!(
            reach(&t, both, MailProtocol::Smtp, "erin@contoso.example"),
            Some(MailRefusal::SmtpAuthOffForMailbox)
        );
        t.user_mut("erin@contoso.example").unwrap().imap_enabled = false;
        assert_eq!(
            reach(&t, both, MailProtocol::Imap, "erin@contoso.example"),
            Some(MailRefusal::ProtocolDisabled)
        );
    }
}
