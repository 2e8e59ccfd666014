//! Pending is a state, not a failure: a check refused because a change the setup made has not
//! reached Exchange Online or the token service yet is told as pending, with the time since the
//! change, within the window Microsoft gives for it. After the window, a scoped app's refusal is
//! explained with its scope (never with a tenant-wide permission). Pure: the journal's times and
//! `now` come in. Sources: docs/propagation.md.

use super::scoped_refusal::{policy_consent, policy_diagnosis, rbac_diagnosis};
use super::steps::ExKind;
use crate::model::{
    AccessChoice, CheckEvent, CheckKind, CheckSpec, Diagnosis, EWS_NOT_SCOPE_MARKS, ScopeKind,
    ScopeRecord,
};

/// A change a setup makes that takes effect only after a while: admin consent to an
/// application permission (the token's roles), or an Exchange Online step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Consent,
    Exchange(ExKind),
}

/// RBAC for Applications: 30 minutes to 2 hours (application-rbac, "Limitations"); application
/// access policies: "longer than 1 hour" (auth-limit-mailbox-access). The wizard waits 2 hours.
pub const EXCHANGE_WINDOW_SECS: i64 = 2 * 60 * 60;
/// Admin consent: minutes. Microsoft gives no figure; the wizard allows a quarter of an hour.
pub const CONSENT_WINDOW_SECS: i64 = 15 * 60;

impl Change {
    pub fn window_secs(self) -> i64 {
        match self {
            Change::Consent => CONSENT_WINDOW_SECS,
            _ => EXCHANGE_WINDOW_SECS,
        }
    }

    fn what(self) -> &'static str {
        match self {
            Change::Consent => "admin consent",
            Change::Exchange(k) => match k {
                ExKind::Mailboxes => "mailbox look-up",
                ExKind::Group => "mail-enabled security group",
                ExKind::Member => "group membership",
                ExKind::ServicePrincipal => "service principal's registration in Exchange Online",
                ExKind::ManagementScope => "management scope",
                ExKind::RoleAssignment => "role assignment",
                ExKind::AccessPolicy => "application access policy",
                ExKind::MailboxPermission => "FullAccess permission",
                ExKind::EwsAllowList => "EWS allow list",
                ExKind::SmtpAuth => "SMTP AUTH switch of the mailbox",
                ExKind::UserFullAccess => "user's FullAccess permission",
            },
        }
    }

    fn applies(self) -> &'static str {
        match self {
            Change::Consent => {
                "new consent usually reaches the app's tokens within minutes (Microsoft gives no exact time; the wizard allows 15 minutes)"
            }
            Change::Exchange(ExKind::ManagementScope | ExKind::RoleAssignment) => {
                "Exchange Online applies it within 2 hours"
            }
            Change::Exchange(ExKind::AccessPolicy) => {
                "Exchange Online can take more than an hour to apply it (the wizard allows 2 hours)"
            }
            Change::Exchange(ExKind::SmtpAuth) => {
                "Exchange Online applies it after a while (Microsoft gives no time for this switch; the wizard allows 2 hours, as for its other Exchange Online changes)"
            }
            _ => "Exchange Online can take an hour or more to apply it (the wizard allows 2 hours)",
        }
    }
}

/// A change the setup made, when (seconds since the epoch), the mailbox it is about, and for a
/// mailbox user's FullAccess on a shared mailbox, the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Made {
    pub change: Change,
    pub mailbox: Option<String>,
    pub user: Option<String>,
    pub at: i64,
}

impl Made {
    /// From a setup journal's key: `consent:<resource>:<permission>` or `exchange:<step key>`.
    pub fn from_key(key: &str, at: i64) -> Option<Made> {
        let mut user = None;
        let (change, mailbox) = if key.starts_with("consent:") {
            (Change::Consent, None)
        } else {
            let step = key.strip_prefix("exchange:")?;
            let (kind, subject) = match step.split_once(':') {
                Some((k, s)) => (k, Some(s.to_string())),
                None => (step, None),
            };
            let kind = [
                ExKind::Group,
                ExKind::Member,
                ExKind::ServicePrincipal,
                ExKind::ManagementScope,
                ExKind::RoleAssignment,
                ExKind::AccessPolicy,
                ExKind::MailboxPermission,
                ExKind::SmtpAuth,
                ExKind::UserFullAccess,
            ]
            .into_iter()
            .find(|k| format!("{k:?}").eq_ignore_ascii_case(kind))?;
            // A user's FullAccess is about `<shared mailbox>:<user>`.
            let subject = match (kind, subject) {
                (ExKind::UserFullAccess, Some(s)) => {
                    let (shared, who) = s.split_once(':')?;
                    user = Some(who.to_string());
                    Some(shared.to_string())
                }
                (_, subject) => subject,
            };
            // Only membership, FullAccess and SMTP AUTH are about one mailbox; a role's name is
            // no mailbox.
            let per_mailbox = matches!(
                kind,
                ExKind::Member
                    | ExKind::MailboxPermission
                    | ExKind::SmtpAuth
                    | ExKind::UserFullAccess
            );
            (Change::Exchange(kind), subject.filter(|_| per_mailbox))
        };
        Some(Made {
            change,
            mailbox,
            user,
            at,
        })
    }
}

/// What the checks know of a profile's setup.
pub struct SetupFacts<'a> {
    pub scope: Option<&'a ScopeRecord>,
    pub access: &'a [AccessChoice],
    pub client_id: &'a str,
    /// The app's service principal object id, when the journal has it.
    pub sp_id: Option<&'a str>,
    pub made: &'a [Made],
    /// Seconds since the epoch.
    pub now: i64,
}

impl SetupFacts<'_> {
    pub(super) fn kind(&self) -> Option<ScopeKind> {
        self.scope.map(|s| s.kind)
    }

    fn policy(&self) -> bool {
        matches!(
            self.kind(),
            Some(ScopeKind::RestrictPolicy | ScopeKind::DenyPolicy)
        )
    }
}

/// A check's failure as it stands given the setup's recent changes: pending while a change it
/// waits for is within its window; after that, a scoped app's refusal explained by its scope;
/// anything else unchanged.
pub fn reclassify(spec: &CheckSpec, ev: CheckEvent, s: &SetupFacts) -> CheckEvent {
    let CheckEvent::Failed {
        diagnosis,
        elapsed,
        unavailable: false,
    } = ev
    else {
        return ev;
    };
    let mailbox = spec.mailbox.as_ref().map(|m| m.to_string());
    let as_user = spec.as_user.as_ref().map(|u| u.as_str());
    if !refused(spec, &diagnosis, s) {
        return CheckEvent::Failed {
            diagnosis,
            elapsed,
            unavailable: false,
        };
    }
    let switch = smtp_switch_refusal(spec.kind, &diagnosis);
    let waits_for = if switch {
        vec![Change::Exchange(ExKind::SmtpAuth)]
    } else {
        awaited(spec.kind, s)
    };
    let latest = s
        .made
        .iter()
        .filter(|m| waits_for.contains(&m.change))
        .filter(|m| m.mailbox.is_none() || m.mailbox == mailbox)
        .filter(|m| match (&m.user, as_user) {
            (None, _) => true,
            (Some(u), Some(a)) => u.eq_ignore_ascii_case(a),
            (Some(_), None) => false,
        })
        .filter(|m| s.now - m.at < m.change.window_secs())
        .max_by_key(|m| {
            let rank = waits_for.iter().position(|c| *c == m.change);
            (m.at + m.change.window_secs(), rank)
        });
    if let Some(m) = latest {
        let since = (s.now - m.at).max(0) as u64;
        return CheckEvent::Pending {
            diagnosis: pending(m, since, &diagnosis, spec, s),
            since_change_secs: since,
            elapsed,
        };
    }
    if switch {
        return CheckEvent::Failed {
            diagnosis,
            elapsed,
            unavailable: false,
        };
    }
    let scoped = matches!(
        spec.kind,
        CheckKind::GraphRead | CheckKind::GraphSend | CheckKind::Ews
    ) || smtp_by_role(spec.kind, s);
    let diagnosis = match (s.kind(), mailbox.as_deref()) {
        (Some(ScopeKind::Rbac), Some(m)) if scoped => rbac_diagnosis(m, &diagnosis, s),
        (Some(ScopeKind::RestrictPolicy | ScopeKind::DenyPolicy), Some(m)) if scoped => {
            policy_diagnosis(m, &diagnosis, s)
        }
        (Some(ScopeKind::RestrictPolicy | ScopeKind::DenyPolicy), None)
            if spec.kind == CheckKind::Token =>
        {
            policy_consent(diagnosis, s)
        }
        _ => diagnosis,
    };
    CheckEvent::Failed {
        diagnosis,
        elapsed,
        unavailable: false,
    }
}

/// Whether the failure is a refusal a change not yet applied explains (not a missing mailbox,
/// a wrong secret or a switched-off protocol).
fn refused(spec: &CheckSpec, d: &Diagnosis, s: &SetupFacts) -> bool {
    let ev = d.evidence.as_str();
    match spec.kind {
        CheckKind::Token | CheckKind::ExchangeToken => {
            d.summary.starts_with("Missing application permission") && !ev.contains("AADSTS")
        }
        CheckKind::GraphRead | CheckKind::GraphSend => ev.starts_with("HTTP 403"),
        CheckKind::Ews => {
            (ev.starts_with("HTTP 403") || ev.starts_with("HTTP 401"))
                && !EWS_NOT_SCOPE_MARKS.iter().any(|w| d.summary.contains(w))
        }
        CheckKind::Imap | CheckKind::Pop | CheckKind::Smtp => {
            [
                "AUTHENTICATE failed",
                "not connected",
                "Authentication failure",
                "5.7.3 ",
                "STOREDRV",
            ]
            .iter()
            .any(|w| ev.contains(w))
                || smtp_switch_refusal(spec.kind, d)
        }
        CheckKind::Denied => s.policy() && d.summary.contains("should be out of the app's reach"),
        // A user's token refused for a shared mailbox: the user's FullAccess on it.
        CheckKind::UserImap | CheckKind::UserSmtp => {
            d.summary.contains("'s token for the shared mailbox")
                || smtp_switch_refusal(spec.kind, d)
        }
        CheckKind::Delegated | CheckKind::UserToken | CheckKind::UserRefresh => false,
    }
}

/// An SMTP refusal the mailbox's own SMTP AUTH switch answers: Exchange's 5.7.139 saying SMTP
/// AUTH is disabled for the mailbox, or for the organisation while the mailbox's switch is not set
/// (once applied, the mailbox's switch wins over the organisation's). Such a refusal waits only
/// for the setup's `Set-CASMailbox` of that mailbox.
fn smtp_switch_refusal(kind: CheckKind, d: &Diagnosis) -> bool {
    matches!(kind, CheckKind::Smtp | CheckKind::UserSmtp)
        && d.evidence
            .to_ascii_lowercase()
            .contains("smtpclientauthentication is disabled for the")
}

/// The changes a check's refusal may be waiting for; of changes made in the same second, the
/// last one named is the one the check is said to wait for.
fn awaited(kind: CheckKind, s: &SetupFacts) -> Vec<Change> {
    use ExKind::*;
    let x = Change::Exchange;
    let consent = Change::Consent;
    let rbac = [
        ServicePrincipal,
        Group,
        Member,
        ManagementScope,
        RoleAssignment,
    ]
    .map(x);
    match kind {
        CheckKind::Token | CheckKind::ExchangeToken => vec![consent],
        CheckKind::GraphRead | CheckKind::GraphSend | CheckKind::Ews => match s.kind() {
            Some(ScopeKind::Rbac) => rbac.to_vec(),
            Some(ScopeKind::RestrictPolicy | ScopeKind::DenyPolicy) => [consent]
                .into_iter()
                .chain([Group, Member, AccessPolicy].map(x))
                .collect(),
            _ => vec![consent],
        },
        CheckKind::Smtp if smtp_by_role(kind, s) => rbac.to_vec(),
        CheckKind::Imap | CheckKind::Pop | CheckKind::Smtp => {
            vec![consent, x(ServicePrincipal), x(MailboxPermission)]
        }
        CheckKind::Denied => [Group, Member, AccessPolicy].map(x).to_vec(),
        CheckKind::UserImap | CheckKind::UserSmtp => vec![x(UserFullAccess)],
        CheckKind::Delegated | CheckKind::UserToken | CheckKind::UserRefresh => Vec::new(),
    }
}

/// SMTP under RBAC for Applications: sent through the role `Application SMTP.SendAsApp` in the
/// scope, like Graph, not through consent and FullAccess.
fn smtp_by_role(kind: CheckKind, s: &SetupFacts) -> bool {
    kind == CheckKind::Smtp && s.kind() == Some(ScopeKind::Rbac)
}

/// "4 min", "1 h 5 min", "40 s".
pub fn age(secs: u64) -> String {
    match secs {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 => format!("{} min", s / 60),
        s => format!("{} h {} min", s / 3600, (s % 3600) / 60),
    }
}

fn pending(m: &Made, since: u64, was: &Diagnosis, spec: &CheckSpec, s: &SetupFacts) -> Diagnosis {
    let (what, applies) = (m.change.what(), m.change.applies());
    let left = (m.at + m.change.window_secs() - s.now).max(0) as u64;
    Diagnosis {
        summary: format!("pending: the {what} was made {} ago; {applies}", age(since)),
        evidence: was.evidence.clone(),
        cause: format!(
            "The setup made the {what} {} ago. Until the change applies, {} is refused as it is now; nothing is wrong with the setup.",
            age(since),
            spec.mailbox
                .as_ref()
                .map(|x| x.to_string())
                .unwrap_or_else(|| "the app".into())
        ),
        fix: format!(
            "Nothing to change: wait, then check again (`check --wait` checks until it passes). If it is still refused in {}, the check fails and says what to look at.",
            age(left)
        ),
    }
}

#[cfg(test)]
#[path = "propagation_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "propagation_delegated_tests.rs"]
mod delegated_tests;

#[cfg(test)]
#[path = "propagation_smtp_tests.rs"]
mod smtp_tests;
