//! The mail-enabled security group that names the mailboxes in scope.

use serde::{Deserialize, Serialize};

/// The group that names the mailboxes in scope: a display name, or a primary SMTP address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRef {
    pub name: String,
    pub address: Option<String>,
}

impl GroupRef {
    pub fn parse(s: &str) -> Result<GroupRef, String> {
        let t = s.trim();
        if t.is_empty() {
            return Err("the group is empty: give a display name or an SMTP address".into());
        }
        // A client secret's Value carries a `~`; a group name practically never does.
        if t.contains('~') && crate::model::looks_like_secret(t) {
            return Err("that looks like a client secret's Value, not a group: give the group's display name or SMTP address".into());
        }
        if t.contains(['"', '\'', '`', '$', '\n', '\r']) {
            return Err(format!(
                "the group \"{}\" has a quote, backtick or $: use letters, digits, spaces, '-', '_' or '.'",
                crate::model::echo_safe(t)
            ));
        }
        if let Some((local, domain)) = t.split_once('@') {
            let ok = !local.is_empty() && domain.contains('.') && !t.contains(char::is_whitespace);
            if !ok {
                return Err(format!(
                    "the group address \"{t}\" is not an address: use name@domain"
                ));
            }
            return Ok(GroupRef {
                name: local.to_string(),
                address: Some(t.to_ascii_lowercase()),
            });
        }
        Ok(GroupRef {
            name: t.to_string(),
            address: None,
        })
    }

    /// What the cmdlets' `-Identity` takes.
    pub fn identity(&self) -> &str {
        self.address.as_deref().unwrap_or(&self.name)
    }

    pub fn alias(&self) -> String {
        self.name
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            .collect()
    }
}
