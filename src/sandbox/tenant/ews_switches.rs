//! EWS's own switches as the sandbox enforces them (docs/ews.md): the organisation's
//! `EwsEnabled` and allow list of application IDs, each mailbox's `EwsEnabled`, and mailboxes
//! whose Kiosk / frontline licence carries no right to EWS. All `$null` in the seed.

use super::Tenant;

/// An application ID the sandbox's enforced allow list holds from the start: some other
/// organisation-approved app, never one the wizard makes.
pub const OTHER_ALLOWED_APP_ID: &str = "5e1f0a7c-0b8d-4c2e-9f3a-0000000e0500";

/// The mailbox `--kiosk-mailbox` (and `--realistic`) license as Exchange Online Kiosk.
pub const KIOSK_MAILBOX: &str = "heidi@contoso.example";

/// Why EWS refuses a mailbox before looking at the app's scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EwsRefusal {
    /// `Set-OrganizationConfig -EwsEnabled $false`.
    OrgDisabled,
    /// `EwsEnabled $true` and the app's ID is not in `EwsAllowedAppIDs`.
    NotAllowListed,
    /// `Set-CASMailbox -EwsEnabled $false`.
    MailboxDisabled,
    /// The mailbox's licence (Kiosk, F1, F3) has no right to EWS.
    Licence,
}

impl Tenant {
    /// What EWS's switches say about `app` reaching `mailbox`; none lets the call go on to the
    /// role and scope checks (a mailbox that does not exist is answered there).
    pub fn ews_refusal(&self, app: &str, mailbox: &str) -> Option<EwsRefusal> {
        let user = self.user(mailbox)?;
        let listed = self
            .switches
            .ews_allowed_app_ids
            .as_ref()
            .is_some_and(|ids| ids.iter().any(|id| id.eq_ignore_ascii_case(app)));
        match self.switches.ews_enabled {
            Some(false) => Some(EwsRefusal::OrgDisabled),
            Some(true) if !listed => Some(EwsRefusal::NotAllowListed),
            _ if user.ews_enabled == Some(false) => Some(EwsRefusal::MailboxDisabled),
            _ if user.kiosk_licence => Some(EwsRefusal::Licence),
            _ => None,
        }
    }

    /// The knob `--ews-allow-list`: the organisation enforces an allow list that holds another
    /// app. A tenant whose switch was already set (a kept state file) is left as it is.
    pub fn enforce_ews_allow_list(&mut self) {
        if self.switches.ews_enabled.is_none() && self.switches.ews_allowed_app_ids.is_none() {
            self.switches.ews_enabled = Some(true);
            self.switches.ews_allowed_app_ids = Some(vec![OTHER_ALLOWED_APP_ID.into()]);
        }
    }

    /// The knob `--kiosk-mailbox`: one mailbox licensed as Exchange Online Kiosk.
    pub fn license_kiosk_mailbox(&mut self) {
        if let Some(u) = self.user_mut(KIOSK_MAILBOX) {
            u.kiosk_licence = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP: &str = "11111111-1111-4111-8111-111111111111";

    #[test]
    fn the_seed_lets_ews_through_and_each_knob_refuses_its_own_way() {
        let mut t = Tenant::seed();
        let alice = "alice@contoso.example";
        assert_eq!(t.ews_refusal(APP, alice), None, "all $null in the seed");
        assert_eq!(t.ews_refusal(APP, KIOSK_MAILBOX), None);
        t.license_kiosk_mailbox();
        assert_eq!(t.ews_refusal(APP, KIOSK_MAILBOX), Some(EwsRefusal::Licence));
        t.user_mut(alice).unwrap().ews_enabled = Some(false);
        assert_eq!(t.ews_refusal(APP, alice), Some(EwsRefusal::MailboxDisabled));
        t.enforce_ews_allow_list();
        assert_eq!(
            t.ews_refusal(APP, "bob@contoso.example"),
            Some(EwsRefusal::NotAllowListed)
        );
        t.switches.ews_allowed_app_ids =
            Some(vec![OTHER_ALLOWED_APP_ID.into(), APP.to_uppercase()]);
        assert_eq!(t.ews_refusal(APP, "bob@contoso.example"), None);
        assert_eq!(t.ews_refusal(APP, alice), Some(EwsRefusal::MailboxDisabled));
        t.switches.ews_enabled = Some(false);
        assert_eq!(
            t.ews_refusal(APP, "bob@contoso.example"),
            Some(EwsRefusal::OrgDisabled)
        );
        assert_eq!(
            t.ews_refusal(APP, "ghost@contoso.example"),
            None,
            "answered later"
        );
    }

    #[test]
    fn an_allow_list_already_set_is_kept() {
        let mut t = Tenant::seed();
        t.switches.ews_enabled = Some(false);
        t.enforce_ews_allow_list();
        assert_eq!(t.switches.ews_enabled, Some(false));
        assert_eq!(t.switches.ews_allowed_app_ids, None);
    }
}
