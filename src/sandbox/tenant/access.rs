//! The access rules of REFERENCE.md section 7: who gets a token, which roles it carries, and
//! which mailboxes Graph, EWS, IMAP, POP and SMTP let it reach.

use time::OffsetDateTime;

use super::records::{AccessRight, App, Group, MailboxRight, SmtpSignInRefusal, User};
use super::{Tenant, effective};
use crate::sandbox::facts::{EXCHANGE_APP_ID, GRAPH_APP_ID};

/// The Exchange protocols of access rule 3.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MailProtocol {
    Imap,
    Pop,
    Smtp,
}

impl MailProtocol {
    fn role(self) -> &'static str {
        match self {
            MailProtocol::Imap => "IMAP.AccessAsApp",
            MailProtocol::Pop => "POP.AccessAsApp",
            MailProtocol::Smtp => "SMTP.SendAsApp",
        }
    }
}

/// Why an IMAP, POP or SMTP sign-in is refused (rule 3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MailRefusal {
    NoSuchUser,
    MissingRole,
    NoServicePrincipal,
    /// Registered with an object id that is not the token's service principal.
    WrongObjectId,
    NoPermission,
    ProtocolDisabled,
    /// SMTP AUTH off for the organisation, the mailbox's own switch not set.
    SmtpAuthOffForTenant,
    /// SMTP AUTH off by the mailbox's own switch.
    SmtpAuthOffForMailbox,
    /// The mailbox's sign-in refused by security defaults or Conditional Access.
    SignInRefused(SmtpSignInRefusal),
    /// A user's token for another user's mailbox, without FullAccess on it.
    NotDelegated,
}

impl MailRefusal {
    /// Refusals Exchange reports only after a successful IMAP sign-in.
    pub fn after_sign_in(self) -> bool {
        matches!(self, MailRefusal::WrongObjectId | MailRefusal::NoPermission)
    }
}

/// Why a mailbox call is refused; each maps to the real service's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    NoSuchUser,
    MissingRole,
    BlockedByPolicy,
}

/// Why the token endpoint refuses a client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientRefusal {
    UnknownApp,
    MissingSecret,
    BadSecret,
    ExpiredSecret,
}

impl Tenant {
    pub fn authenticate_client(
        &self,
        client_id: &str,
        secret: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<&App, ClientRefusal> {
        let app = self
            .app_by_client_id(client_id)
            .ok_or(ClientRefusal::UnknownApp)?;
        let secret = secret
            .filter(|s| !s.is_empty())
            .ok_or(ClientRefusal::MissingSecret)?;
        let seeded = (!app.secret.is_empty() && secret == app.secret).then_some(app.secret_expires);
        let added = app
            .passwords
            .iter()
            .find(|p| p.secret == secret)
            .map(|p| p.end);
        let end = seeded.or(added).ok_or(ClientRefusal::BadSecret)?;
        if end <= now {
            return Err(ClientRefusal::ExpiredSecret);
        }
        Ok(app)
    }

    /// The application roles consented for `app` on the resource with `resource_app_id`.
    pub fn consented_roles(&self, app: &App, resource_app_id: &str) -> Vec<String> {
        let mut roles = match resource_app_id {
            GRAPH_APP_ID => app.graph_roles.clone(),
            EXCHANGE_APP_ID => app.exchange_roles.clone(),
            _ => Vec::new(),
        };
        if let Some(rp) = self
            .resource_principals
            .iter()
            .find(|r| r.app_id == resource_app_id)
        {
            for a in self
                .app_role_assignments
                .iter()
                .filter(|a| a.principal_id == app.sp_id && a.resource_id == rp.id)
            {
                if let Some(r) = rp.app_roles.iter().find(|r| r.id == a.app_role_id)
                    && !roles.contains(&r.value)
                {
                    roles.push(r.value.clone());
                }
            }
        }
        roles
    }

    /// Rule 2: a Graph mail or EWS call for `mailbox` by `client_id` holding `roles` (from its
    /// token) needs one of `any_of` and must pass the app's access policies, if any — or an RBAC
    /// assignment whose scope holds the mailbox, which policies do not restrict.
    pub fn graph_mail_access(
        &self,
        client_id: &str,
        roles: &[String],
        any_of: &[&str],
        mailbox: &str,
        now_ms: i64,
    ) -> Result<&User, Refusal> {
        let user = self.user(mailbox).ok_or(Refusal::NoSuchUser)?;
        let app = self.app_by_client_id(client_id);
        if app.is_some_and(|a| self.rbac_grants(a, any_of, Some(&user.mail), now_ms)) {
            return Ok(user);
        }
        if !roles.iter().any(|r| any_of.contains(&r.as_str())) {
            return Err(Refusal::MissingRole);
        }
        if self.policy_allows(client_id, &user.mail, now_ms) {
            Ok(user)
        } else {
            Err(Refusal::BlockedByPolicy)
        }
    }

    /// Whether the app's access policies, if any, let it reach `mailbox`.
    pub fn policy_allows(&self, client_id: &str, mailbox: &str, now_ms: i64) -> bool {
        let mut policies: Vec<(Option<&Group>, AccessRight)> = Vec::new();
        if let Some(p) = self
            .app_by_client_id(client_id)
            .and_then(|a| a.policy.as_ref())
        {
            policies.push((self.find_group(&p.group), p.access_right));
        }
        for p in self.access_policies.iter().filter(|p| {
            p.app_id.eq_ignore_ascii_case(client_id) && effective(p.effective_ms, now_ms)
        }) {
            policies.push((self.find_group(&p.group), p.access_right));
        }
        // Several policies for one app: access is allowed when any of them allows it.
        policies.is_empty()
            || policies.iter().any(|(g, right)| {
                let member = g.is_some_and(|g| g.has_member(mailbox, now_ms));
                match right {
                    AccessRight::RestrictAccess => member,
                    AccessRight::DenyAccess => !member,
                }
            })
    }

    /// The RBAC role that stands for an Entra permission name.
    fn rbac_role_of(permission: &str) -> String {
        if permission == "full_access_as_app" {
            "Application EWS.AccessAsApp".into()
        } else {
            format!("Application {permission}")
        }
    }

    /// An effective RBAC assignment of one of `any_of` (Entra names) to the app, covering
    /// `mailbox` (or any mailbox when none is given).
    pub fn rbac_grants(
        &self,
        app: &App,
        any_of: &[&str],
        mailbox: Option<&str>,
        now_ms: i64,
    ) -> bool {
        let wanted: Vec<String> = any_of.iter().map(|p| Self::rbac_role_of(p)).collect();
        self.exchange_sp_registered(app, now_ms)
            && self.role_assignments.iter().any(|ra| {
                ra.app.eq_ignore_ascii_case(&app.sp_id)
                    && effective(ra.effective_ms, now_ms)
                    && wanted.iter().any(|w| w.eq_ignore_ascii_case(&ra.role))
                    && match (mailbox, &ra.scope) {
                        (None, _) | (_, None) => true,
                        (Some(m), Some(scope)) => self.scope_holds(scope, m, now_ms),
                    }
            })
    }

    fn exchange_sp_registered(&self, app: &App, now_ms: i64) -> bool {
        self.exchange_service_principals.iter().any(|sp| {
            sp.object_id.eq_ignore_ascii_case(&app.sp_id) && effective(sp.effective_ms, now_ms)
        })
    }

    /// A management scope `MemberOfGroup -eq '<DN>'` holds the group's members.
    pub fn scope_holds(&self, scope_id: &str, mailbox: &str, now_ms: i64) -> bool {
        let Some(sc) = self.management_scopes.iter().find(|x| x.id == scope_id) else {
            return false;
        };
        if !effective(sc.effective_ms, now_ms) {
            return false;
        }
        self.scope_group(&sc.filter)
            .is_some_and(|g| g.has_member(mailbox, now_ms))
    }

    /// The group a `MemberOfGroup -eq '<DN>'` filter names.
    pub fn scope_group(&self, filter: &str) -> Option<&Group> {
        let dn = filter
            .trim()
            .strip_prefix("MemberOfGroup -eq ")?
            .trim_matches(|c| c == '\'' || c == '"');
        let domain = self.domains.first().map(String::as_str).unwrap_or("");
        self.groups
            .iter()
            .find(|g| g.dn(domain).eq_ignore_ascii_case(dn))
    }

    /// Rule 3: IMAP, POP or SMTP for `mailbox` by the app `appid` whose token names service
    /// principal `oid` and carries `roles`.
    pub fn exchange_mail_access(
        &self,
        appid: &str,
        oid: &str,
        roles: &[String],
        protocol: MailProtocol,
        mailbox: &str,
        now_ms: i64,
    ) -> Result<&User, MailRefusal> {
        let user = self.user(mailbox).ok_or(MailRefusal::NoSuchUser)?;
        let has_role = roles.iter().any(|r| r == protocol.role());
        // SMTP through RBAC for Applications: the role in a scope that holds the mailbox, for a
        // token without the SMTP.SendAsApp claim (with it, Exchange checks mailbox permissions:
        // docs/smtp.md).
        let app = self.app_by_client_id(appid);
        if protocol == MailProtocol::Smtp
            && !has_role
            && app
                .is_some_and(|a| self.rbac_grants(a, &["SMTP.SendAsApp"], Some(&user.mail), now_ms))
        {
            return self.smtp_auth_allowed(user, now_ms);
        }
        if !has_role {
            return Err(MailRefusal::MissingRole);
        }
        let sp = self
            .exchange_service_principals
            .iter()
            .find(|sp| sp.app_id.eq_ignore_ascii_case(appid) && effective(sp.effective_ms, now_ms))
            .ok_or(MailRefusal::NoServicePrincipal)?;
        if !sp.object_id.eq_ignore_ascii_case(oid) {
            return Err(MailRefusal::WrongObjectId);
        }
        let enabled = match protocol {
            MailProtocol::Imap => user.imap_enabled,
            MailProtocol::Pop => user.pop_enabled,
            MailProtocol::Smtp => true,
        };
        if !enabled {
            return Err(MailRefusal::ProtocolDisabled);
        }
        let granted = self.mailbox_permissions.iter().any(|p| {
            p.mailbox == user.mail
                && p.principal.eq_ignore_ascii_case(oid)
                && effective(p.effective_ms, now_ms)
                && (p.right == MailboxRight::FullAccess
                    || (protocol == MailProtocol::Smtp && p.right == MailboxRight::SendAs))
        });
        if !granted {
            return Err(MailRefusal::NoPermission);
        }
        if protocol == MailProtocol::Smtp {
            return self.smtp_auth_allowed(user, now_ms);
        }
        Ok(user)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::tenant::Policy;

    #[test]
    fn client_authentication() {
        let t = Tenant::seed();
        let scoped = t.apps.iter().find(|a| a.key == "scoped").unwrap();
        let expired = t.apps.iter().find(|a| a.key == "expired").unwrap();
        let at = time::macros::datetime!(2026-11-26 12:00 UTC);
        let cases: [(&str, Option<&str>, Option<ClientRefusal>); 5] = [
            (&scoped.client_id, Some(&scoped.secret), None),
            (
                &scoped.client_id,
                Some("wrong"),
                Some(ClientRefusal::BadSecret),
            ),
            (&scoped.client_id, None, Some(ClientRefusal::MissingSecret)),
            (
                &scoped.object_id,
                Some(&scoped.secret),
                Some(ClientRefusal::UnknownApp),
            ),
            (
                &expired.client_id,
                Some(&expired.secret),
                Some(ClientRefusal::ExpiredSecret),
            ),
        ];
        for (client, secret, refusal) in cases {
            let outcome = t.authenticate_client(client, secret, at);
            assert_eq!(
                outcome.err(),
                refusal,
                "{client}, secret given: {}",
                secret.is_some()
            );
        }
    }

    #[test]
    fn policy_rules() {
        let t = Tenant::seed();
        let id = |k: &str| {
            t.apps
                .iter()
                .find(|a| a.key == k)
                .unwrap()
                .client_id
                .clone()
        };
        let read = ["Mail.Read".to_string()];
        let any = ["Mail.Read", "Mail.ReadWrite"];
        let cases: [(&str, &[String], &str, Option<Refusal>); 6] = [
            ("scoped", &read, "alice", None),
            ("scoped", &read, "ceo", Some(Refusal::BlockedByPolicy)),
            ("scoped", &[], "alice", Some(Refusal::MissingRole)),
            ("blocked", &read, "alice", Some(Refusal::BlockedByPolicy)),
            ("unscoped", &read, "ceo", None),
            ("unscoped", &read, "ghost", Some(Refusal::NoSuchUser)),
        ];
        for (app, roles, who, refusal) in cases {
            let mailbox = format!("{who}@contoso.example");
            let outcome = t.graph_mail_access(&id(app), roles, &any, &mailbox, 0);
            assert_eq!(outcome.err(), refusal, "{app} → {mailbox}");
        }
    }

    #[test]
    fn deny_access_policy_inverts_membership() {
        let mut t = Tenant::seed();
        let app = t.apps.iter_mut().find(|a| a.key == "unscoped").unwrap();
        app.policy = Some(Policy {
            group: "helpdesk-mailboxes".into(),
            access_right: AccessRight::DenyAccess,
        });
        let id = app.client_id.clone();
        let read = ["Mail.Read".to_string()];
        let reach = |mailbox: &str| t.graph_mail_access(&id, &read, &["Mail.Read"], mailbox, 0);
        assert_eq!(
            reach("alice@contoso.example").err(),
            Some(Refusal::BlockedByPolicy)
        );
        assert!(reach("ceo@contoso.example").is_ok());
    }
}
