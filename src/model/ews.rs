//! EWS's own switches in Exchange Online (docs/ews.md): the organisation's and each mailbox's
//! `EwsEnabled`, the organisation's allow list of application IDs, and what they let through.
//! Pure.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// When Microsoft began switching EWS off tenant by tenant (MC1227454).
pub const EWS_PHASED_FROM: &str = "1 October 2026";
/// When EWS in Exchange Online is shut down for good (MC1227454).
pub const EWS_ENDS: &str = "1 April 2027";

/// Words every diagnosis of an EWS refusal by a switch or the licence has in its summary: no
/// scope change explains such a refusal, so it is never "pending".
pub const EWS_NOT_SCOPE_MARKS: [&str; 3] = [
    "EWS is disabled for the",
    "not on the organisation's EWS allow list",
    "its licence does not include EWS",
];

/// What a setup read of EWS's switches: kept in its journal so that a check can tell the
/// refusals apart where Microsoft does not document EWS's words for them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EwsReading {
    /// `Get-OrganizationConfig` `EwsEnabled`: none is `$null` (not configured).
    #[serde(default)]
    pub org_enabled: Option<bool>,
    /// `EwsAllowedAppIDs` as read with `-RetrieveEwsOperationAccessPolicy`.
    #[serde(default)]
    pub allowed_app_ids: Vec<String>,
    /// Each mailbox's `Get-CASMailbox` `EwsEnabled`, by lower-cased address.
    #[serde(default)]
    pub mailboxes: BTreeMap<String, Option<bool>>,
    /// The administrator declined adding the app to the organisation's allow list.
    #[serde(default)]
    pub declined: bool,
    /// The app's ID is on the allow list (found there or added by the setup).
    #[serde(default)]
    pub on_allow_list: bool,
}

/// Why EWS's own switches refuse a mailbox to an app, before any scope is looked at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EwsBlock {
    /// `Set-OrganizationConfig -EwsEnabled $false`: all EWS is blocked.
    Organisation,
    /// `EwsEnabled $true` at the organisation, and the app's ID is not in `EwsAllowedAppIDs`.
    NotAllowListed,
    /// `Set-CASMailbox -EwsEnabled $false`.
    Mailbox,
}

impl EwsBlock {
    /// The cause in words.
    pub fn words(self) -> &'static str {
        match self {
            EwsBlock::Organisation => "EWS is disabled for the organisation",
            EwsBlock::NotAllowListed => "the app is not on the organisation's EWS allow list",
            EwsBlock::Mailbox => "EWS is disabled for the mailbox",
        }
    }
}

/// What the switches allow (Set-OrganizationConfig and Set-CASMailbox, MC1015893): the
/// organisation `$false` blocks everything; `$true` lets only allow-listed apps through;
/// `$null` lets every app through and the list has no effect; a mailbox `$false` blocks that
/// mailbox — both must allow.
pub fn ews_block(org: Option<bool>, on_list: bool, mailbox: Option<bool>) -> Option<EwsBlock> {
    match org {
        Some(false) => Some(EwsBlock::Organisation),
        Some(true) if !on_list => Some(EwsBlock::NotAllowListed),
        _ if mailbox == Some(false) => Some(EwsBlock::Mailbox),
        _ => None,
    }
}

/// An `EwsAllowedAppIDs` value as a list: comma-separated, blanks dropped.
pub fn parse_app_ids(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// Whether `app` is on `list` (application IDs compare without regard to case).
pub fn lists_app(list: &[String], app: &str) -> bool {
    list.iter().any(|id| id.eq_ignore_ascii_case(app))
}

/// The allow list with `app` added once, every existing ID kept in its place:
/// `-EwsAllowedAppIDs` replaces the whole list.
pub fn with_app(list: &[String], app: &str) -> Vec<String> {
    let mut out = list.to_vec();
    if !lists_app(list, app) {
        out.push(app.to_string());
    }
    out
}

impl EwsReading {
    /// What blocks EWS for `mailbox` by the switches read; none when they let it through.
    pub fn block_for(&self, mailbox: &str) -> Option<EwsBlock> {
        let m = self
            .mailboxes
            .get(&mailbox.to_ascii_lowercase())
            .copied()
            .flatten();
        ews_block(self.org_enabled, self.on_allow_list, m)
    }

    /// The organisation enforces an allow list and the app is not on it.
    pub fn needs_allow_list(&self) -> bool {
        self.org_enabled == Some(true) && !self.on_allow_list
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_the_organisation_and_the_mailbox_must_allow() {
        use EwsBlock::*;
        let cases = [
            (None, false, None, None),
            (None, false, Some(true), None),
            (None, false, Some(false), Some(Mailbox)),
            (Some(true), true, None, None),
            (Some(true), true, Some(false), Some(Mailbox)),
            (Some(true), false, None, Some(NotAllowListed)),
            (Some(true), false, Some(false), Some(NotAllowListed)),
            (Some(false), true, Some(true), Some(Organisation)),
            (Some(false), false, None, Some(Organisation)),
        ];
        for (org, listed, mailbox, block) in cases {
            assert_eq!(
                ews_block(org, listed, mailbox),
                block,
                "org {org:?}, on list {listed}, mailbox {mailbox:?}"
            );
        }
    }

    #[test]
    fn adding_the_app_keeps_every_existing_id() {
        let list = parse_app_ids(" a1, ,B2 ,c3,");
        assert_eq!(list, ["a1", "B2", "c3"]);
        assert_eq!(with_app(&list, "d4"), ["a1", "B2", "c3", "d4"]);
        assert_eq!(with_app(&list, "b2"), list, "already there: unchanged");
        assert_eq!(with_app(&[], "d4"), ["d4"]);
    }

    #[test]
    fn a_reading_judges_each_mailbox() {
        let mut r = EwsReading {
            org_enabled: Some(true),
            ..EwsReading::default()
        };
        r.mailboxes
            .insert("bob@contoso.example".into(), Some(false));
        assert!(r.needs_allow_list());
        assert_eq!(
            r.block_for("alice@contoso.example"),
            Some(EwsBlock::NotAllowListed)
        );
        r.on_allow_list = true;
        assert!(!r.needs_allow_list());
        assert_eq!(r.block_for("alice@contoso.example"), None);
        assert_eq!(r.block_for("Bob@contoso.example"), Some(EwsBlock::Mailbox));
    }
}
