use serde::{Deserialize, Serialize};

/// What was typed in the wizard before it was left, kept without the secret, and where it was
/// left. Every field has a default, so drafts written by older versions still load (they
/// resume as a check of an existing app, at its first step).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Draft {
    pub cloud: String,
    pub tenant: String,
    pub client_id: String,
    pub access: Vec<String>,
    pub mailboxes: String,
    pub deny_mailbox: String,
    pub name: String,
    /// `check` (an existing app), `setup` (set up for me) or `guided` (by hand in the portal).
    pub journey: String,
    /// Where the wizard was left: a question (`tenant`, `client-id`, `secret`, `access`,
    /// `mailboxes`, `scope`, `delegated`, `app`, `name`) or a setup screen (`sign-in`, `plan`, `progress`,
    /// `guide`).
    pub at: String,
    /// The tenant's id as discovery found it, so that resuming need not look it up again.
    pub tenant_id: String,
    pub send_test: bool,
    /// Setup: `ScopeKind::key` of the chosen scope.
    pub scope: String,
    pub group: String,
    /// Setup: the all-mailboxes scope was confirmed by typing it.
    pub confirm_all: String,
    /// Setup: the Exchange Online part is written as a script instead of done.
    pub exchange_script: bool,
    pub app_name: String,
    /// Setup: the new secret's lifetime in months (0: the default).
    pub secret_months: u32,
    /// Setup: the existing app of the same name is to be used.
    pub reuse_app: bool,
    /// Guided: the plan step shown (its index in the plan).
    pub guide_step: usize,
    /// Guided: the tenant ID pasted back from the app's Overview page.
    pub guide_tenant: String,
    /// Guided: the secret's expiry as the portal showed it.
    pub guide_expires: String,
    /// Setup, delegated style: the consuming application's sign-in flow (`device-code`, …).
    pub sign_in: String,
    pub redirect_uri: String,
    pub delegated_users: String,
    pub shared_mailboxes: String,
    pub openid: bool,
}
