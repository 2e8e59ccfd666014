use serde::{Deserialize, Serialize};

/// What was typed in the wizard before it was left, kept without the secret.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub cloud: String,
    pub tenant: String,
    pub client_id: String,
    pub access: Vec<String>,
    pub mailboxes: String,
    pub deny_mailbox: String,
    pub name: String,
}
