//! What the admin chose for the Exchange Online part of a setup, and what a profile keeps of it.

use super::roles::{omitted, scoped_by_group};
use super::script::{APP_VAR, SP_VAR};
use super::{GroupRef, ScopeInput};
use crate::model::{AccessChoice, ScopeKind, ScopeRecord};

/// What the admin chose for the Exchange Online part of a setup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScopeSpec {
    pub kind: ScopeKind,
    pub group: Option<GroupRef>,
    pub mailboxes: Vec<String>,
    /// A mailbox that must stay out of reach; the setup picks one when none is named.
    pub deny_mailbox: Option<String>,
    /// Write the PowerShell script for the admin to run, instead of making the changes.
    pub script_only: bool,
    /// The administrator declined adding the app to the organisation's EWS allow list.
    pub decline_ews_allow_list: bool,
}

impl ScopeSpec {
    /// What a profile keeps of this scope.
    pub fn record(&self, app_name: &str) -> ScopeRecord {
        ScopeRecord {
            kind: self.kind,
            group: self.group.as_ref().map(|g| g.identity().to_string()),
            app_name: app_name.to_string(),
        }
    }

    /// The input of the Exchange Online steps with the app's ids where known, and where not,
    /// stand-ins that `scope::variables` writes as `$app.AppId` / `$sp.Id`.
    pub fn input_or_variables(
        &self,
        access: &[AccessChoice],
        app_name: &str,
        client_id: Option<&str>,
        sp: Option<&str>,
    ) -> ScopeInput {
        self.input(
            access,
            app_name,
            client_id.unwrap_or(APP_VAR),
            sp.unwrap_or(SP_VAR),
        )
    }

    /// The input of the Exchange Online steps once the app and its service principal exist.
    pub fn input(
        &self,
        access: &[AccessChoice],
        app_name: &str,
        client_id: &str,
        sp: &str,
    ) -> ScopeInput {
        ScopeInput {
            kind: self.kind,
            access: access.to_vec(),
            app_name: app_name.to_string(),
            client_id: client_id.to_string(),
            sp_object_id: sp.to_string(),
            group: self.group.clone(),
            mailboxes: self.mailboxes.clone(),
            deny_mailbox: self.deny_mailbox.clone(),
            decline_ews_allow_list: self.decline_ews_allow_list,
        }
    }
}

impl ScopeRecord {
    /// The steps' input for an app known only by variables of a script (`$app`, `$sp`).
    pub fn script_input(
        &self,
        access: &[AccessChoice],
        mailboxes: &[String],
        deny_mailbox: Option<&str>,
    ) -> ScopeInput {
        let spec = ScopeSpec {
            kind: self.kind,
            group: self.group.as_deref().and_then(|g| GroupRef::parse(g).ok()),
            mailboxes: mailboxes.to_vec(),
            deny_mailbox: deny_mailbox.map(String::from),
            script_only: true,
            decline_ews_allow_list: false,
        };
        spec.input(access, &self.app_name, APP_VAR, SP_VAR)
    }

    /// Application permissions the app's tokens need not — and should not — carry.
    pub fn omitted(&self, access: &[AccessChoice]) -> Vec<String> {
        omitted(self.kind, access)
    }
}

/// A scoped setup is ready to hand over when every check passed, the out-of-scope mailbox
/// included — or, for all mailboxes, when there is nothing to keep out.
pub fn ready_to_hand_over(
    scope: Option<&ScopeRecord>,
    access: &[AccessChoice],
    has_deny_mailbox: bool,
    all_passed: bool,
) -> bool {
    let Some(s) = scope else { return false };
    all_passed
        && (has_deny_mailbox || (s.kind == ScopeKind::AllMailboxes && scoped_by_group(access)))
}
