//! A setup in progress: the request, the plan, the journal that makes it resumable, and the
//! progress the front end is told.

use std::future::Future;
use std::time::Duration;

use tokio::sync::mpsc;

use super::{SetupError, SetupRequest, graph_diagnosis};
use crate::app::Env;
use crate::cloud::CloudError;
use crate::cloud::admin::GraphAdmin;
use crate::cloud::device::AdminSession;
use crate::cloud::lag::{Names, Retried, is_lag, through_lag};
use crate::model::Diagnosis;
use crate::model::StepStatus;
use crate::plan::{self, PlanStep, StepKind};
use crate::store::Journal;

pub(super) struct Run<'a> {
    pub env: &'a Env,
    pub req: &'a SetupRequest,
    /// The directory as the signed-in administrator.
    pub graph: GraphAdmin<'a>,
    /// The administrator's sign-in, for a token with other permissions from its refresh token.
    pub session: &'a AdminSession,
    pub steps: Vec<PlanStep>,
    pub journal: Journal,
    tx: Option<mpsc::UnboundedSender<(usize, StepStatus)>>,
    /// The app was created by this run: nothing made later can exist yet, so the lookups
    /// that make a resumed run safe are skipped.
    pub fresh: bool,
    /// When the stored secret (or certificate) expires (YYYY-MM-DD).
    pub secret_end: Option<String>,
    /// The certificate the app proves itself with, when the tenant forbids secrets.
    pub certificate: Option<crate::model::Thumbprints>,
}

impl<'a> Run<'a> {
    /// The run of `req`, resuming the journal an earlier run of the same profile left.
    pub fn start(
        env: &'a Env,
        req: &'a SetupRequest,
        session: &'a AdminSession,
        tx: Option<mpsc::UnboundedSender<(usize, StepStatus)>>,
    ) -> Result<Run<'a>, SetupError> {
        Ok(Run {
            env,
            req,
            graph: GraphAdmin::new(&env.http, &req.endpoints, &session.token),
            session,
            steps: plan::plan(&req.answers),
            journal: journal(env, req)?,
            tx,
            fresh: false,
            secret_end: None,
            certificate: None,
        })
    }

    /// Notes in the journal that the change `key` was made just now.
    pub fn made(&mut self, key: String) {
        self.journal.made_at.insert(key, crate::app::now_rfc3339());
    }

    pub fn emit(&self, i: usize, s: StepStatus) {
        if let Some(tx) = &self.tx {
            let _ = tx.send((i, s));
        }
    }

    /// The plan's step of `kind` (for `permission`, when given).
    pub fn index(&self, kind: StepKind, permission: Option<&str>) -> usize {
        self.steps
            .iter()
            .position(|s| {
                s.kind == kind && (permission.is_none() || s.permission.as_deref() == permission)
            })
            .expect("the plan has this step")
    }

    pub fn save(&self) -> Result<(), SetupError> {
        self.env
            .dirs
            .journals(self.env.sandbox.is_some())
            .save(&self.journal)
            .map_err(|e| {
                SetupError::local(Diagnosis {
                    summary: "The setup journal could not be written: the setup stopped before its next change.".into(),
                    evidence: e.to_string(),
                    cause: "The data directory is not writable, or the disk is full.".into(),
                    fix: format!(
                        "Check the data directory (M365MW_DATA_DIR) and its disk, then run the same command again: it finds what exists. {}",
                        made_so_far(&self.journal)
                    ),
                })
            })
    }

    /// Step `i` failed on a directory call.
    pub fn fail(&self, i: usize, e: CloudError) -> SetupError {
        let diagnosis = graph_diagnosis(&e, &self.req.tenant, &self.req.endpoints.portal);
        self.failed(i, diagnosis, e.is_unavailable())
    }

    /// Step `i` cannot go on, for the reason `diagnosis` gives.
    pub fn refuse(&self, i: usize, diagnosis: Diagnosis) -> SetupError {
        self.failed(i, diagnosis, false)
    }

    /// Step `i` failed: told to the front end and returned.
    pub fn failed(&self, i: usize, diagnosis: Diagnosis, unavailable: bool) -> SetupError {
        self.emit(i, StepStatus::Failed(diagnosis.clone()));
        SetupError {
            step: Some(i as u32),
            diagnosis,
            unavailable,
            name_taken: None,
            local: false,
            secrets_forbidden: false,
        }
    }
}

/// What a journal says exists in the tenant, in one sentence.
fn made_so_far(j: &Journal) -> String {
    let mut made = Vec::new();
    if let Some(id) = &j.app_id {
        made.push(format!("the app \"{}\" (client ID {id})", j.app_name));
    }
    if let Some(sp) = &j.sp_id {
        made.push(format!("its service principal ({sp})"));
    }
    if let Some(key) = &j.secret_key_id {
        let stored = if j.secret_stored {
            "in the keyring"
        } else {
            "not stored: it will be replaced"
        };
        made.push(format!("a client secret (key ID {key}, {stored})"));
    }
    if let Some(c) = &j.cert {
        let stored = if c.stored {
            "its private key in the keyring"
        } else {
            "its private key not stored: it will be replaced"
        };
        made.push(format!("a certificate (SHA-1 {}, {stored})", c.sha1));
    }
    if !j.consented.is_empty() {
        made.push(format!("consent to {}", j.consented.join(", ")));
    }
    if !j.exchange_done.is_empty() {
        made.push(format!("Exchange steps {}", j.exchange_done.join(", ")));
    }
    if made.is_empty() {
        "Nothing was made in the tenant yet.".into()
    } else {
        format!("Made so far: {}.", made.join("; "))
    }
}

/// An object a call names that the directory may not show yet: which service, and the object
/// in words ("the new app registration (client ID …)").
pub(super) struct Awaited<'s> {
    pub service: &'static str,
    pub object: &'s str,
}

impl Awaited<'_> {
    /// The object without its ids in brackets, as the progress line names it.
    fn short(&self) -> &str {
        self.object
            .split_once(" (")
            .map_or(self.object, |(words, _)| words)
    }
}

pub(super) const ENTRA: &str = "Microsoft Entra ID";
pub(super) const EXCHANGE: &str = "Exchange Online";

impl Run<'_> {
    /// Runs `call` for step `i`, which names `what`, made moments before: an answer `lagging`
    /// accepts is tried again within the environment's directory wait, the step saying meanwhile
    /// what it waits for. `Err` holds the first other answer, or the last one once the wait
    /// was spent.
    pub async fn through_lag<T, E, F, Fut>(
        &self,
        i: usize,
        what: &Awaited<'_>,
        lagging: impl Fn(&E) -> bool,
        call: F,
    ) -> Result<T, Retried<E>>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let tell = |waited: Duration| {
            self.emit(
                i,
                StepStatus::Waiting(format!(
                    "waiting for {} to show {} (directory replication), {} s so far",
                    what.service,
                    what.short(),
                    waited.as_secs()
                )),
            )
        };
        through_lag(self.env.directory_wait, lagging, tell, call).await
    }

    /// Step `i` gave up waiting for `what`; `last` is the service's last answer.
    pub fn out_waited(&self, i: usize, what: &Awaited<'_>, last: &str) -> SetupError {
        let within = in_words(self.env.directory_wait.budget);
        let d = Diagnosis {
            summary: format!(
                "{} did not show {} within {within}.",
                what.service, what.object
            ),
            evidence: format!("still answered after {within} of retries: {last}"),
            cause: format!(
                "A new object reaches all of {}'s copies of the directory a little later than the answer that made it (directory replication); this usually takes seconds, this time longer.",
                what.service
            ),
            fix: "Run the same command again in a few minutes: the setup resumes where it stopped and keeps what it made (nothing is made twice).".into(),
        };
        self.failed(i, d, true)
    }

    /// Step `i` failed on a directory call that waited for `what`.
    pub fn fail_waited(&self, i: usize, what: &Awaited<'_>, e: Retried<CloudError>) -> SetupError {
        match e {
            Retried::Failed(e) => self.fail(i, e),
            Retried::OutWaited { error, .. } => self.out_waited(i, what, &error.to_string()),
        }
    }
}

/// The lag rule for a directory call naming what `names` says.
pub(super) fn lag(names: Names) -> impl Fn(&CloudError) -> bool {
    move |e| is_lag(names, e)
}

/// A duration as the messages say it: "2 minutes", "90 seconds".
fn in_words(d: Duration) -> String {
    match d.as_secs() {
        1 => "1 second".into(),
        s if s >= 60 && s % 60 == 0 => match s / 60 {
            1 => "1 minute".into(),
            m => format!("{m} minutes"),
        },
        s => format!("{s} seconds"),
    }
}

/// The journal of an earlier run of this profile in this tenant, or a new one.
fn journal(env: &Env, req: &SetupRequest) -> Result<Journal, SetupError> {
    let loaded = env
        .dirs
        .journals(env.sandbox.is_some())
        .load(&req.name)
        .map_err(|e| {
            SetupError::local(Diagnosis {
                summary: "The setup journal is unreadable.".into(),
                evidence: e.to_string(),
                cause: "The file was changed by hand or damaged.".into(),
                fix: "Fix or remove it; without it the setup starts over and finds what exists by name.".into(),
            })
        })?;
    match loaded {
        Some(j) if j.tenant_id != req.tenant_id.to_string() => Err(SetupError::local(Diagnosis {
            summary: format!("Profile {} was set up in another tenant.", req.name),
            evidence: format!(
                "journal tenant {}, this tenant {}",
                j.tenant_id, req.tenant_id
            ),
            cause: "A profile name stands for one setup in one tenant.".into(),
            fix: "Choose another profile name, or `forget` the old profile first.".into(),
        })),
        Some(j) => Ok(j),
        None => Ok(Journal {
            profile: req.name.to_string(),
            tenant_id: req.tenant_id.to_string(),
            app_name: req.answers.app_name.clone(),
            ..Journal::default()
        }),
    }
}

/// A test hook: leave exactly as a killed process would, after this step's journal write.
pub(super) fn crash_point(kind: &str) {
    if std::env::var("M365MW_CRASH_AFTER").is_ok_and(|v| v == kind) {
        std::process::exit(137);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_journal_that_cannot_be_written_is_told_with_what_exists() {
        assert_eq!(
            made_so_far(&Journal::default()),
            "Nothing was made in the tenant yet."
        );
        let j = Journal {
            app_name: "m365-mail-wizard p".into(),
            app_id: Some("a1f5c0de-0001-4000-8000-00000000c001".into()),
            sp_id: Some("e0000000-0001-4000-8000-00000000b001".into()),
            secret_key_id: Some("k1".into()),
            ..Journal::default()
        };
        assert_eq!(
            made_so_far(&j),
            "Made so far: the app \"m365-mail-wizard p\" (client ID a1f5c0de-0001-4000-8000-00000000c001); its service principal (e0000000-0001-4000-8000-00000000b001); a client secret (key ID k1, not stored: it will be replaced)."
        );
    }
}
