//! A mailbox's SMTP AUTH switch as the SMTP server sees it. A change made with `Set-CASMailbox
//! -SmtpClientAuthenticationDisabled` is stored (and shown by `Get-CASMailbox`) at once, but
//! reaches the SMTP server only after the propagation delay (REFERENCE.md 7.4); until then the
//! value it replaced applies.

use super::{MailRefusal, PendingSmtpSwitch, Tenant, User, effective};

impl User {
    /// The mailbox's own switch as it applies at `now_ms`.
    pub fn smtp_switch_at(&self, now_ms: i64) -> Option<bool> {
        match self.smtp_switch_pending {
            Some(p) if !effective(p.effective_ms, now_ms) => p.before,
            _ => self.smtp_client_auth_disabled,
        }
    }

    /// Stores `value` at once; the SMTP server sees it from `effective_ms`.
    pub fn set_smtp_switch(&mut self, value: Option<bool>, now_ms: i64, effective_ms: i64) {
        let before = self.smtp_switch_at(now_ms);
        self.smtp_client_auth_disabled = value;
        self.smtp_switch_pending =
            (!effective(effective_ms, now_ms)).then_some(PendingSmtpSwitch {
                before,
                effective_ms,
            });
    }
}

impl Tenant {
    /// SMTP AUTH for a mailbox the token may send from: refused by a sign-in policy the mailbox
    /// is marked with, then by its own switch, or by the organisation's when its own is not set.
    pub(super) fn smtp_auth_allowed<'u>(
        &self,
        user: &'u User,
        now_ms: i64,
    ) -> Result<&'u User, MailRefusal> {
        if let Some(why) = user.smtp_sign_in_refusal {
            return Err(MailRefusal::SignInRefused(why));
        }
        match user.smtp_switch_at(now_ms) {
            Some(true) => Err(MailRefusal::SmtpAuthOffForMailbox),
            None if self.switches.smtp_client_auth_disabled => {
                Err(MailRefusal::SmtpAuthOffForTenant)
            }
            _ => Ok(user),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_smtp_server_sees_a_switch_change_only_once_it_applies() {
        let mut t = Tenant::seed();
        t.switches.smtp_client_auth_disabled = true;
        let alice = "alice@contoso.example";
        let refusal = |t: &Tenant, now| t.smtp_auth_allowed(t.user(alice).unwrap(), now).err();
        assert_eq!(refusal(&t, 0), Some(MailRefusal::SmtpAuthOffForTenant));
        t.user_mut(alice)
            .unwrap()
            .set_smtp_switch(Some(false), 1_000, 5_000);
        assert_eq!(
            t.user(alice).unwrap().smtp_client_auth_disabled,
            Some(false)
        );
        assert_eq!(refusal(&t, 4_999), Some(MailRefusal::SmtpAuthOffForTenant));
        assert_eq!(refusal(&t, 5_000), None);
        // A second change while the first is pending replaces the value then in force.
        t.user_mut(alice)
            .unwrap()
            .set_smtp_switch(Some(true), 2_000, 9_000);
        assert_eq!(refusal(&t, 8_000), Some(MailRefusal::SmtpAuthOffForTenant));
        assert_eq!(refusal(&t, 9_000), Some(MailRefusal::SmtpAuthOffForMailbox));
    }

    #[test]
    fn without_a_delay_the_change_applies_at_once() {
        let mut t = Tenant::seed();
        let alice = "alice@contoso.example";
        let u = t.user_mut(alice).unwrap();
        u.set_smtp_switch(Some(true), 1_000, 1_000);
        assert_eq!(u.smtp_switch_pending, None);
        assert_eq!(u.smtp_switch_at(1_000), Some(true));
    }
}
