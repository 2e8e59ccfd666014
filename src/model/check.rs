//! Live checks as data: which to run for a profile, their rows and events, and the verdict.
//! The probes and the runner that fill them in are in `checks`.

use std::time::Duration;

use serde::Serialize;

use super::access::AccessChoice;
use super::diagnosis::Diagnosis;
use super::mailbox::Mailbox;
use super::profile::Profile;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckKind {
    /// A client-credentials token for Microsoft Graph, with the roles the access needs.
    Token,
    /// A client-credentials token for Office 365 Exchange Online (IMAP, POP, SMTP, EWS).
    ExchangeToken,
    /// The mailbox's inbox can be read through Graph.
    GraphRead,
    /// The mailbox can send through Graph (a test message to itself).
    GraphSend,
    /// IMAP sign-in and a read-only look at the inbox.
    Imap,
    /// POP3 sign-in and the message count.
    Pop,
    /// SMTP submission sign-in; a test message only when opted in.
    Smtp,
    /// EWS GetFolder of the inbox, impersonating the mailbox.
    Ews,
    /// The mailbox that must be out of reach is refused.
    Denied,
    /// Delegated IMAP + SMTP: nothing to probe without the mailbox user's sign-in.
    Delegated,
    /// The mailbox user's sign-in to the app: a delegated token with the mail scopes.
    UserToken,
    /// IMAP `AUTHENTICATE XOAUTH2` with the user's token, for their own or a shared mailbox.
    UserImap,
    /// SMTP submission `AUTH XOAUTH2` with the user's token.
    UserSmtp,
    /// The user's refresh token redeemed once (`offline_access`).
    UserRefresh,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckSpec {
    pub kind: CheckKind,
    pub mailbox: Option<Mailbox>,
    /// Set when the check is not run at all, with the reason.
    pub skip: Option<String>,
    /// For the must-be-denied check: the probe that tries the mailbox.
    pub via: Option<CheckKind>,
    /// For the delegated rows: the mailbox user whose token is used.
    pub as_user: Option<Mailbox>,
}

impl CheckSpec {
    pub(super) fn new(kind: CheckKind, mailbox: Option<&Mailbox>) -> CheckSpec {
        CheckSpec {
            kind,
            mailbox: mailbox.cloned(),
            skip: None,
            via: None,
            as_user: None,
        }
    }

    pub fn id(&self) -> String {
        match (&self.kind, &self.mailbox, &self.as_user) {
            (CheckKind::Token, ..) => "token:graph".into(),
            (CheckKind::ExchangeToken, ..) => "token:exchange".into(),
            (k, Some(m), Some(u)) if m != u => format!("{}:{m}:as:{u}", kind_key(*k)),
            (k, Some(m), _) => format!("{}:{m}", kind_key(*k)),
            (k, None, _) => kind_key(*k).into(),
        }
    }

    /// The two short columns of the progress view: what, and against what.
    pub fn columns(&self) -> (&'static str, String) {
        match self.kind {
            CheckKind::Token => ("token", "Graph".into()),
            CheckKind::ExchangeToken => ("token", "Exchange".into()),
            CheckKind::GraphRead => ("graph", self.target()),
            CheckKind::GraphSend => ("send", self.target()),
            CheckKind::Imap => ("imap", self.target()),
            CheckKind::Pop => ("pop", self.target()),
            CheckKind::Smtp => ("smtp", self.target()),
            CheckKind::Ews => ("ews", self.target()),
            CheckKind::Denied => ("denied", self.target()),
            CheckKind::Delegated => ("deleg.", "IMAP+SMTP".into()),
            CheckKind::UserToken => ("token", self.target()),
            CheckKind::UserImap => ("imap·u", self.target()),
            CheckKind::UserSmtp => ("smtp·u", self.target()),
            CheckKind::UserRefresh => ("refresh", self.target()),
        }
    }

    fn target(&self) -> String {
        self.mailbox
            .as_ref()
            .map(|m| m.short().to_string())
            .unwrap_or_default()
    }
}

fn kind_key(k: CheckKind) -> &'static str {
    match k {
        CheckKind::Token | CheckKind::ExchangeToken => "token",
        CheckKind::GraphRead => "graph-read",
        CheckKind::GraphSend => "graph-send",
        CheckKind::Imap => "imap",
        CheckKind::Pop => "pop",
        CheckKind::Smtp => "smtp",
        CheckKind::Ews => "ews",
        CheckKind::Denied => "denied",
        CheckKind::Delegated => "delegated",
        CheckKind::UserToken => "token:user",
        CheckKind::UserImap => "delegated-imap",
        CheckKind::UserSmtp => "delegated-smtp",
        CheckKind::UserRefresh => "refresh",
    }
}

impl CheckKind {
    /// A row of the delegated part, run with a mailbox user's token.
    pub fn as_user(self) -> bool {
        matches!(
            self,
            CheckKind::UserToken
                | CheckKind::UserImap
                | CheckKind::UserSmtp
                | CheckKind::UserRefresh
        )
    }

    /// Which token the check needs: Graph, Exchange, or none of its own.
    pub fn needs_exchange_token(self) -> bool {
        matches!(
            self,
            CheckKind::Imap | CheckKind::Pop | CheckKind::Smtp | CheckKind::Ews
        )
    }
}

/// The checks for a profile, in display order: tokens first, then each mailbox, then the
/// must-be-denied mailbox; nobody signs in as a mailbox user.
pub fn check_plan(p: &Profile) -> Vec<CheckSpec> {
    check_plan_as(p, None)
}

/// [`check_plan`], with the delegated part's rows for the mailbox `users` who sign in this
/// run (none: the part is one skipped row).
pub fn check_plan_as(p: &Profile, users: Option<&[Mailbox]>) -> Vec<CheckSpec> {
    let has = |c: AccessChoice| p.access.contains(&c);
    let reads = has(AccessChoice::GraphRead) || has(AccessChoice::GraphReadWrite);
    let mut out = Vec::new();
    if p.access
        .iter()
        .any(|a| a.uses_graph() || *a == AccessChoice::Delegated)
    {
        out.push(CheckSpec::new(CheckKind::Token, None));
    }
    if p.access.iter().any(|a| a.uses_exchange()) {
        out.push(CheckSpec::new(CheckKind::ExchangeToken, None));
    }
    for m in &p.mailboxes {
        let m = Some(m);
        if reads {
            out.push(CheckSpec::new(CheckKind::GraphRead, m));
        }
        if has(AccessChoice::GraphSend) {
            let mut s = CheckSpec::new(CheckKind::GraphSend, m);
            s.skip = (!p.send_test).then(|| "not sent: sending a test message is opt-in".into());
            out.push(s);
        }
        for (choice, kind) in [
            (AccessChoice::Imap, CheckKind::Imap),
            (AccessChoice::Pop, CheckKind::Pop),
            (AccessChoice::Smtp, CheckKind::Smtp),
            (AccessChoice::Ews, CheckKind::Ews),
        ] {
            if has(choice) {
                out.push(CheckSpec::new(kind, m));
            }
        }
    }
    if has(AccessChoice::Delegated) {
        out.extend(super::check_delegated::delegated_specs(p, users));
    }
    if let Some(d) = &p.deny_mailbox {
        let mut s = CheckSpec::new(CheckKind::Denied, Some(d));
        s.via = if reads {
            Some(CheckKind::GraphRead)
        } else if has(AccessChoice::Ews) {
            Some(CheckKind::Ews)
        } else if has(AccessChoice::Imap) {
            Some(CheckKind::Imap)
        } else if has(AccessChoice::Pop) {
            Some(CheckKind::Pop)
        } else if has(AccessChoice::Smtp) {
            // The SMTP sign-in alone: nothing is sent as that mailbox.
            Some(CheckKind::Smtp)
        } else {
            None
        };
        if s.via.is_none() {
            s.skip = Some(
                "not checked: without read access the only probe would be sending mail as that mailbox".into(),
            );
        }
        out.push(s);
    }
    out
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Not started yet.
    Queued,
    Running,
    Passed,
    Failed,
    /// Refused as it must be until Exchange Online or Entra applies a change the setup made
    /// moments ago: not a failure.
    Pending,
    Skipped,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckEvent {
    Started,
    Passed {
        detail: String,
        elapsed: Duration,
    },
    Failed {
        diagnosis: Diagnosis,
        elapsed: Duration,
        /// The failure was the network or the service, not the configuration.
        unavailable: bool,
    },
    Skipped {
        reason: String,
    },
    /// Refused, as it will be until a recent change applies (`since_change_secs` ago).
    Pending {
        diagnosis: Diagnosis,
        since_change_secs: u64,
        elapsed: Duration,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CheckRow {
    pub id: String,
    pub kind: CheckKind,
    pub mailbox: Option<Mailbox>,
    pub status: Status,
    pub elapsed_ms: Option<u64>,
    pub detail: Option<String>,
    pub diagnosis: Option<Diagnosis>,
    /// For a pending check: how long ago the change it waits for was made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since_change_secs: Option<u64>,
    #[serde(skip)]
    pub unavailable: bool,
    #[serde(skip)]
    pub spec: CheckSpec,
}

impl CheckRow {
    pub fn new(spec: CheckSpec) -> CheckRow {
        CheckRow {
            id: spec.id(),
            kind: spec.kind,
            mailbox: spec.mailbox.clone(),
            status: Status::Queued,
            elapsed_ms: None,
            detail: None,
            diagnosis: None,
            since_change_secs: None,
            unavailable: false,
            spec,
        }
    }

    /// A token row whose sign-in the identity platform refused (an AADSTS error): the
    /// credential is wrong, which no waiting mends.
    pub fn sign_in_refused(&self) -> bool {
        matches!(self.kind, CheckKind::Token | CheckKind::ExchangeToken)
            && self.status == Status::Failed
            && self
                .diagnosis
                .as_ref()
                .is_some_and(|d| d.evidence.contains("AADSTS"))
    }

    pub fn apply(&mut self, ev: CheckEvent) {
        match ev {
            CheckEvent::Started => self.status = Status::Running,
            CheckEvent::Passed { detail, elapsed } => {
                self.status = Status::Passed;
                self.detail = Some(detail);
                self.elapsed_ms = Some(elapsed.as_millis() as u64);
            }
            CheckEvent::Failed {
                diagnosis,
                elapsed,
                unavailable,
            } => {
                self.status = Status::Failed;
                self.detail = Some(diagnosis.summary.clone());
                self.diagnosis = Some(diagnosis);
                self.elapsed_ms = Some(elapsed.as_millis() as u64);
                self.unavailable = unavailable;
            }
            CheckEvent::Skipped { reason } => {
                self.status = Status::Skipped;
                self.detail = Some(reason);
            }
            CheckEvent::Pending {
                diagnosis,
                since_change_secs,
                elapsed,
            } => {
                self.status = Status::Pending;
                self.detail = Some(diagnosis.summary.clone());
                self.diagnosis = Some(diagnosis);
                self.since_change_secs = Some(since_change_secs);
                self.elapsed_ms = Some(elapsed.as_millis() as u64);
            }
        }
    }

    pub fn done(&self) -> bool {
        matches!(
            self.status,
            Status::Passed | Status::Failed | Status::Pending | Status::Skipped
        )
    }
}

/// The overall outcome of a set of rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Passed,
    Failed,
    /// Something could not be reached (network, service outage).
    Unavailable,
    /// Nothing failed, but a check waits for a change Microsoft has not applied yet.
    Pending,
}

pub fn verdict(rows: &[CheckRow]) -> Verdict {
    let failed: Vec<&CheckRow> = rows.iter().filter(|r| r.status == Status::Failed).collect();
    if failed.is_empty() {
        if rows.iter().any(|r| r.status == Status::Pending) {
            Verdict::Pending
        } else {
            Verdict::Passed
        }
    } else if failed.iter().all(|r| r.unavailable) {
        Verdict::Unavailable
    } else {
        Verdict::Failed
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::model::{ClientId, CloudKind, KeyringBackend, ProfileName, TenantId};

    pub(in crate::model) fn profile(
        access: &[AccessChoice],
        send_test: bool,
        deny: bool,
    ) -> Profile {
        Profile {
            name: ProfileName::parse("p").unwrap(),
            sandbox: true,
            cloud: CloudKind::Global,
            endpoints: None,
            tenant: "contoso.example".into(),
            tenant_id: TenantId::parse("3f4c2a10-5b6d-4e7f-8a9b-0c1d2e3f4a5b").unwrap(),
            client_id: ClientId::parse("a1f5c0de-0001-4000-8000-00000000c001").unwrap(),
            access: access.to_vec(),
            mailboxes: Mailbox::parse_list("alice@contoso.example bob@contoso.example").unwrap(),
            deny_mailbox: deny.then(|| Mailbox::parse("ceo@contoso.example").unwrap()),
            send_test,
            keyring: KeyringBackend::SessionMemory,
            last_check: None,
            scope: None,
            secret_expires: None,
            credential_renewed: None,
            credential: Default::default(),
            rotation: None,
            delegated: None,
        }
    }

    #[test]
    fn plan_orders_token_mailboxes_denied() {
        let ids: Vec<String> = check_plan(&profile(&[AccessChoice::GraphRead], false, true))
            .iter()
            .map(CheckSpec::id)
            .collect();
        assert_eq!(
            ids,
            [
                "token:graph",
                "graph-read:alice@contoso.example",
                "graph-read:bob@contoso.example",
                "denied:ceo@contoso.example"
            ]
        );
    }

    #[test]
    fn exchange_protocols_share_one_exchange_token() {
        let p = check_plan(&profile(
            &[AccessChoice::Imap, AccessChoice::Smtp, AccessChoice::Ews],
            false,
            true,
        ));
        let ids: Vec<String> = p.iter().map(CheckSpec::id).collect();
        assert_eq!(
            ids,
            [
                "token:exchange",
                "imap:alice@contoso.example",
                "smtp:alice@contoso.example",
                "ews:alice@contoso.example",
                "imap:bob@contoso.example",
                "smtp:bob@contoso.example",
                "ews:bob@contoso.example",
                "denied:ceo@contoso.example"
            ]
        );
        assert!(
            p.iter().all(|s| s.skip.is_none()),
            "SMTP authenticates without sending"
        );
        assert_eq!(p.last().unwrap().via, Some(CheckKind::Ews));
        let pop_only = check_plan(&profile(&[AccessChoice::Pop], false, true));
        assert_eq!(pop_only.last().unwrap().via, Some(CheckKind::Pop));
        let smtp_only = check_plan(&profile(&[AccessChoice::Smtp], false, true));
        let denied = smtp_only.last().unwrap();
        assert_eq!(denied.via, Some(CheckKind::Smtp), "the SMTP sign-in alone");
        assert!(denied.skip.is_none());
        let both = check_plan(&profile(
            &[AccessChoice::GraphRead, AccessChoice::Imap],
            false,
            false,
        ));
        assert_eq!(both[0].id(), "token:graph");
        assert_eq!(both[1].id(), "token:exchange");
    }

    #[test]
    fn sending_is_opt_in() {
        let p = check_plan(&profile(&[AccessChoice::GraphSend], false, true));
        let send: Vec<&CheckSpec> = p
            .iter()
            .filter(|s| s.kind == CheckKind::GraphSend)
            .collect();
        assert_eq!(send.len(), 2);
        assert!(
            send.iter()
                .all(|s| s.skip.as_deref().unwrap().contains("opt-in"))
        );
        let denied = p.iter().find(|s| s.kind == CheckKind::Denied).unwrap();
        assert!(
            denied.skip.is_some(),
            "a send-only app cannot be probed for denial without sending"
        );
        let p = check_plan(&profile(
            &[AccessChoice::GraphSend, AccessChoice::GraphRead],
            true,
            false,
        ));
        assert!(p.iter().all(|s| s.skip.is_none()));
    }

    #[test]
    fn rows_and_verdicts() {
        let specs = check_plan(&profile(&[AccessChoice::GraphRead], false, false));
        let mut rows: Vec<CheckRow> = specs.into_iter().map(CheckRow::new).collect();
        assert_eq!(verdict(&rows), Verdict::Passed);
        rows[0].apply(CheckEvent::Started);
        assert_eq!(rows[0].status, Status::Running);
        assert!(!rows[0].done());
        rows[0].apply(CheckEvent::Passed {
            detail: "roles: Mail.Read".into(),
            elapsed: Duration::from_millis(12),
        });
        assert_eq!(rows[0].elapsed_ms, Some(12));
        let dg = Diagnosis {
            summary: "s".into(),
            evidence: "e".into(),
            cause: "c".into(),
            fix: "f".into(),
        };
        rows[1].apply(CheckEvent::Failed {
            diagnosis: dg.clone(),
            elapsed: Duration::ZERO,
            unavailable: true,
        });
        assert_eq!(verdict(&rows), Verdict::Unavailable);
        rows[2].apply(CheckEvent::Failed {
            diagnosis: dg,
            elapsed: Duration::ZERO,
            unavailable: false,
        });
        assert_eq!(verdict(&rows), Verdict::Failed);
    }

    #[test]
    fn pending_is_neither_passed_nor_failed() {
        let specs = check_plan(&profile(&[AccessChoice::GraphRead], false, false));
        let mut rows: Vec<CheckRow> = specs.into_iter().map(CheckRow::new).collect();
        assert_eq!(rows[0].status, Status::Queued);
        let waiting = Diagnosis {
            summary: "pending: the role assignment was made 4 min ago".into(),
            evidence: "HTTP 403".into(),
            cause: "c".into(),
            fix: "f".into(),
        };
        rows[1].apply(CheckEvent::Pending {
            diagnosis: waiting.clone(),
            since_change_secs: 240,
            elapsed: Duration::from_millis(3),
        });
        assert!(rows[1].done());
        assert_eq!(rows[1].since_change_secs, Some(240));
        assert_eq!(rows[1].detail.as_deref(), Some(waiting.summary.as_str()));
        assert_eq!(verdict(&rows), Verdict::Pending);
        let json = serde_json::to_value(&rows[1]).unwrap();
        assert_eq!(json["status"], "pending");
        assert_eq!(json["since_change_secs"], 240);
        assert!(
            serde_json::to_value(&rows[0])
                .unwrap()
                .get("since_change_secs")
                .is_none()
        );
        rows[2].apply(CheckEvent::Failed {
            diagnosis: waiting,
            elapsed: Duration::ZERO,
            unavailable: false,
        });
        assert_eq!(
            verdict(&rows),
            Verdict::Failed,
            "a failure outweighs a pending check"
        );
    }
}
