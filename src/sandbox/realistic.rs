//! `--realistic`: the sandbox tenant as Microsoft 365 really behaves (REFERENCE.md section 8,
//! docs/realistic-sandbox.md), all at once.

use std::time::Duration;

use super::tenant::{Group, SmtpSignInRefusal, Tenant};
use super::{AdminRedirect, SandboxOptions};

/// How long a new object stays unknown to the calls that use it.
pub const REPLICATION_LAG: Duration = Duration::from_secs(3);
/// How long Exchange takes to apply a scope, an assignment or a policy.
pub const PROPAGATION_DELAY: Duration = Duration::from_secs(20);

const MAIL_APPS_ID: &str = "c0000000-0000-4000-8000-0000000000a1";
const MAIL_APPS_MANAGER: &str = "carol@contoso.example";
/// The seeded mailbox without an Exchange Online licence.
const UNLICENSED: &str = "ivan@";
const SMTP_AUTH_OFF: &str = "smtp-auth-off";
/// The mailboxes whose SMTP AUTH the tenant's identity policies refuse.
const SMTP_REFUSED: [(&str, SmtpSignInRefusal); 2] = [
    ("grace@contoso.example", SmtpSignInRefusal::SecurityDefaults),
    (
        "frank@contoso.example",
        SmtpSignInRefusal::ConditionalAccess,
    ),
];

impl SandboxOptions {
    /// These options with every realistic behaviour on; a lag or delay already set is kept.
    pub fn realistic(self) -> SandboxOptions {
        SandboxOptions {
            realistic: true,
            ews_allow_list: true,
            kiosk_mailbox: true,
            replication_lag: nonzero_or(self.replication_lag, REPLICATION_LAG),
            propagation_delay: nonzero_or(self.propagation_delay, PROPAGATION_DELAY),
            admin_redirect: self
                .admin_redirect
                .clone()
                .or(Some(AdminRedirect::OwnAlias)),
            smtp_auth_off: true,
            smtp_sign_in_refusals: true,
            ..self
        }
    }
}

fn nonzero_or(set: Duration, default: Duration) -> Duration {
    if set.is_zero() { default } else { set }
}

impl Tenant {
    /// The group an earlier administrator made for mail apps, "Mail Apps", managed by someone
    /// other than the sandbox admin; added once, kept as the tenant changes it.
    pub fn add_existing_mail_apps_group(&mut self) {
        if self.groups.iter().any(|g| g.id == MAIL_APPS_ID) {
            return;
        }
        let domain = self.domains.first().cloned().unwrap_or_default();
        self.groups.push(Group {
            id: MAIL_APPS_ID.into(),
            name: "Mail Apps".into(),
            mail: format!("mailapps@{domain}"),
            members: Vec::new(),
            managed_by: vec![MAIL_APPS_MANAGER.into()],
            joined: Default::default(),
            created_ms: 0,
        });
    }
}

impl Tenant {
    /// With `realistic`, Ivan's mailbox has no Exchange Online licence: Graph's mail calls for
    /// it answer 404 `MailboxNotEnabledForRESTAPI`. Without, the mark goes again, so a state
    /// file started once realistic does not keep it.
    pub fn mark_unlicensed_mailbox(&mut self, realistic: bool) {
        for u in self.users.iter_mut() {
            if u.mail.to_ascii_lowercase().starts_with(UNLICENSED) {
                u.without_exchange_licence = realistic;
            }
        }
    }

    /// SMTP AUTH off for the organisation (once: what the administrator changes later is
    /// kept), and the mailboxes marked as refused by security defaults or Conditional Access.
    pub fn apply_smtp_knobs(&mut self, off: bool, refusals: bool) {
        if off && !self.knobs_applied.iter().any(|k| k == SMTP_AUTH_OFF) {
            self.switches.smtp_client_auth_disabled = true;
            self.knobs_applied.push(SMTP_AUTH_OFF.into());
        }
        if refusals {
            for (mail, why) in SMTP_REFUSED {
                if let Some(u) = self.user_mut(mail) {
                    u.smtp_sign_in_refusal = Some(why);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn realistic_options_keep_what_was_set_and_fill_the_rest() {
        let set = SandboxOptions {
            propagation_delay: Duration::from_secs(5),
            ..SandboxOptions::default()
        }
        .realistic();
        assert!(set.realistic && set.ews_allow_list && set.kiosk_mailbox);
        assert_eq!(set.propagation_delay, Duration::from_secs(5));
        assert_eq!(set.replication_lag, REPLICATION_LAG);
        assert_eq!(set.admin_redirect, Some(AdminRedirect::OwnAlias));
        assert!(set.smtp_auth_off && set.smtp_sign_in_refusals);
    }

    #[test]
    fn smtp_auth_is_turned_off_once_and_the_admins_change_is_kept() {
        let mut t = Tenant::seed();
        t.apply_smtp_knobs(true, true);
        assert!(t.switches.smtp_client_auth_disabled);
        t.switches.smtp_client_auth_disabled = false;
        t.apply_smtp_knobs(true, true);
        assert!(
            !t.switches.smtp_client_auth_disabled,
            "kept as the admin set it"
        );
        let marked = |m: &str| {
            t.users
                .iter()
                .find(|u| u.mail == m)
                .unwrap()
                .smtp_sign_in_refusal
        };
        assert_eq!(
            marked("grace@contoso.example"),
            Some(SmtpSignInRefusal::SecurityDefaults)
        );
        assert_eq!(
            marked("frank@contoso.example"),
            Some(SmtpSignInRefusal::ConditionalAccess)
        );
        assert_eq!(marked("alice@contoso.example"), None);
    }

    #[test]
    fn the_mail_apps_group_is_added_once_and_managed_by_another_admin() {
        let mut t = Tenant::seed();
        t.add_existing_mail_apps_group();
        t.add_existing_mail_apps_group();
        let groups: Vec<&Group> = t.groups.iter().filter(|g| g.name == "Mail Apps").collect();
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].mail, "mailapps@contoso.example");
        let admin = t.users.iter().find(|u| u.admin).unwrap();
        assert!(!groups[0].managed_by.contains(&admin.mail));
    }

    #[test]
    fn only_ivan_is_marked_without_an_exchange_licence() {
        let mut t = Tenant::seed();
        assert!(t.users.iter().all(|u| !u.without_exchange_licence));
        t.mark_unlicensed_mailbox(true);
        let marked: Vec<&str> = t
            .users
            .iter()
            .filter(|u| u.without_exchange_licence)
            .map(|u| u.mail.as_str())
            .collect();
        assert_eq!(marked, ["ivan@contoso.example"]);
        t.mark_unlicensed_mailbox(false);
        assert!(t.users.iter().all(|u| !u.without_exchange_licence));
    }
}
