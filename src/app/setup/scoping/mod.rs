//! The Exchange Online part of a setup: each step of `scope::steps` looked for first, made only
//! when missing, and journaled; then the service's own test for every mailbox.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::Value;

use super::consent::made_here;
use super::run::{Awaited, EXCHANGE, Run, crash_point, lag};
use super::{SetupError, exchange_diagnosis};
use crate::cloud::CloudError;
use crate::cloud::exchange_admin::{Cmdlets, ExchangeRoles, Invoked, RoleAssignment};
use crate::cloud::identity::AccessToken;
use crate::cloud::lag::{Names, Retried};
use crate::model::ScopeRecord;
use crate::model::StepStatus;
use crate::model::{ClientId, Diagnosis, ObjectId};
use crate::plan::StepKind;
use crate::scope::{self, ExKind, ExStep, ScopeInput, ScopeSpec};

pub(super) mod delegated;
mod ews;
mod rbac;
mod recipients;
mod service_test;
pub mod smtp_auth;

pub use service_test::{TESTS_AT_ONCE, TestReading, read_test};

/// The administrator's sign-in for Exchange Online administration.
pub struct ExchangeAdmin {
    pub token: AccessToken,
    /// The administrator's UPN (the admin API's anchor mailbox).
    pub upn: String,
}

/// What the Exchange part settled: the scope to keep in the profile and the out-of-scope mailbox.
pub(super) struct Scoped {
    pub record: ScopeRecord,
    pub deny_mailbox: Option<String>,
}

/// What a step found or made.
enum Outcome {
    /// What happened, in words.
    Done(String),
    /// The group, with its DN.
    Dn(String, String),
    /// The management scope, with its id.
    Scope(String, String),
}

/// What the steps read once and share: the group's members and managers, and the app's role
/// assignments.
#[derive(Default)]
struct Seen {
    members: Option<Vec<String>>,
    /// An existing group's `ManagedBy`.
    managed_by: Option<Vec<String>>,
    assigned: Option<Vec<RoleAssignment>>,
    /// The group was made in this run: Exchange may not show it to the next cmdlets yet.
    group_made: bool,
    /// What the EWS step read of EWS's switches, for the journal.
    ews: Option<crate::model::EwsReading>,
}

/// Objects made moments before that a step's cmdlets name, in words: Exchange may answer for a
/// while that it cannot find them (`cloud::lag`).
#[derive(Clone, Copy, Default)]
struct Fresh<'f> {
    /// The app's service principal, when this setup made the app.
    principal: Option<&'f str>,
    /// The group, when this run made it.
    group: Option<&'f str>,
}

/// One step's view of the run: the Exchange admin API and the app being scoped.
struct Ctx<'r, 'a> {
    r: &'r Run<'a>,
    cmdlets: Cmdlets<'r>,
    app: ClientId,
    /// The app's service principal.
    sp: ObjectId,
    fresh: Fresh<'r>,
    /// The step made something (rather than finding it made).
    made: AtomicBool,
}

impl<'r, 'a> Ctx<'r, 'a> {
    fn new(
        r: &'r Run<'a>,
        cmdlets: Cmdlets<'r>,
        app: ClientId,
        sp: ObjectId,
        fresh: Fresh<'r>,
    ) -> Ctx<'r, 'a> {
        Ctx {
            r,
            cmdlets,
            app,
            sp,
            fresh,
            made: AtomicBool::new(false),
        }
    }

    async fn invoke(&self, cmdlet: &str, parameters: Value) -> Result<Invoked, CloudError> {
        self.cmdlets.invoke(cmdlet, parameters).await
    }

    /// Graph's Exchange role management, as the Graph administrator.
    fn roles(&self) -> ExchangeRoles<'r> {
        ExchangeRoles::new(self.r.graph)
    }

    /// Step `i` failed on an Exchange call while doing `what`.
    fn fail(&self, i: usize, e: &CloudError, what: &str) -> SetupError {
        self.r
            .failed(i, exchange_diagnosis(e, what), e.is_unavailable())
    }

    /// A call of step `i` (doing `what`); when it names `new`, an object made moments before,
    /// Exchange's "couldn't find" is waited out first.
    async fn waiting<T, F, Fut>(
        &self,
        i: usize,
        new: Option<&str>,
        what: &str,
        mut call: F,
    ) -> Result<T, SetupError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, CloudError>>,
    {
        let Some(object) = new else {
            return call().await.map_err(|e| self.fail(i, &e, what));
        };
        let awaited = Awaited {
            service: EXCHANGE,
            object,
        };
        self.r
            .through_lag(i, &awaited, lag(Names::NewExchangeObject), call)
            .await
            .map_err(|e| match e {
                Retried::Failed(e) => self.fail(i, &e, what),
                Retried::OutWaited { error, .. } => {
                    self.r.out_waited(i, &awaited, &error.to_string())
                }
            })
    }

    /// Runs a cmdlet for step `i` (doing `what`), which may name `new`.
    async fn invoke_waiting(
        &self,
        i: usize,
        cmdlet: &str,
        parameters: Value,
        new: Option<&str>,
        what: &str,
    ) -> Result<Invoked, SetupError> {
        self.waiting(i, new, what, || self.invoke(cmdlet, parameters.clone()))
            .await
    }

    /// Runs the step's look-up cmdlet, which may name `new`.
    async fn look(
        &self,
        st: &ExStep,
        i: usize,
        what: &str,
        new: Option<&str>,
    ) -> Result<Invoked, SetupError> {
        self.invoke_waiting(i, st.look.name, st.look.parameters(None), new, what)
            .await
    }

    /// Runs the step's cmdlet that makes what was missing, which may name `new`.
    async fn make(&self, st: &ExStep, i: usize, new: Option<&str>) -> Result<Invoked, SetupError> {
        let make = st.make.as_ref().expect("a step that makes something");
        let doing = st.title.to_lowercase();
        let out = self
            .invoke_waiting(i, make.name, make.parameters(None), new, &doing)
            .await?;
        self.made.store(true, Ordering::Relaxed);
        for w in &out.warnings {
            tracing::warn!(cmdlet = make.name, warning = %w, "Exchange warning");
        }
        Ok(out)
    }
}

/// Whether an Exchange call answered that the object does not exist.
pub(crate) fn not_found(e: &CloudError) -> bool {
    matches!(e, CloudError::Graph(g) if g.status == 404 || g.code.ends_with("NotFoundException"))
}

/// A text field of every row, lower-cased.
pub(crate) fn texts(rows: &[Value], field: &str) -> Vec<String> {
    rows.iter()
        .filter_map(|r| r[field].as_str().map(str::to_ascii_lowercase))
        .collect()
}

/// Carries out the Exchange part of `spec` for the app (`client_id`, service principal `sp`).
pub(super) async fn apply(
    r: &mut Run<'_>,
    spec: &ScopeSpec,
    client_id: ClientId,
    sp: ObjectId,
    ex: Option<&ExchangeAdmin>,
) -> Result<Scoped, SetupError> {
    let mut spec = spec.clone();
    if spec.deny_mailbox.is_none() {
        spec.deny_mailbox = r.journal.deny_mailbox.clone();
    }
    let record = spec.record(&r.req.answers.app_name);
    let mut input = spec.input(
        &r.req.answers.access,
        &r.req.answers.app_name,
        &client_id.to_string(),
        &sp.to_string(),
    );
    if spec.script_only {
        let path = write_script(r, &input)?;
        for st in scope::steps(&input) {
            let i = r.index(StepKind::Exchange, Some(&st.key()));
            r.emit(
                i,
                StepStatus::Done(format!("in the script {}", path.display())),
            );
        }
        return Ok(Scoped {
            record,
            deny_mailbox: input.deny_mailbox.clone(),
        });
    }
    let Some(ex) = ex else {
        let i = r.index(StepKind::Exchange, None);
        return Err(r.refuse(
            i,
            Diagnosis {
                summary: "No Exchange Online sign-in for the mailbox scope.".into(),
                evidence: "the setup has no Exchange administration token".into(),
                cause: "The Exchange part needs an Exchange administrator's sign-in.".into(),
                fix: "Run the setup again and sign in when asked, or use --exchange powershell."
                    .into(),
            },
        ));
    };
    let (env, req) = (r.env, r.req);
    let cmdlets = Cmdlets::new(&env.http, &req.endpoints, req.tenant_id, &ex.token, &ex.upn);
    let mut seen = Seen::default();
    let principal = format!("the app's new service principal (object ID {sp})");
    let group_name = input
        .group
        .as_ref()
        .map(|g| format!("the new group {}", g.name));
    for st in scope::steps(&input) {
        let key = st.key();
        let i = r.index(StepKind::Exchange, Some(&key));
        // The scope's filter needs the group's DN: without it the group step runs again.
        let needs_dn =
            st.kind == ExKind::Group && r.journal.group_dn.as_deref().is_none_or(str::is_empty);
        if r.journal.exchange_done.contains(&key) && !needs_dn {
            r.emit(i, StepStatus::Done("done in an earlier run".into()));
            continue;
        }
        r.emit(i, StepStatus::Running);
        let fresh = fresh(r, &principal, group_name.as_deref(), &seen);
        let ctx = Ctx::new(r, cmdlets, client_id, sp, fresh);
        let done = match st.kind {
            ExKind::Mailboxes => recipients::mailboxes(&ctx, &mut input, i).await?,
            ExKind::Group => recipients::group(&ctx, &st, i, &mut seen).await?,
            ExKind::Member => {
                let managers = seen.managed_by.as_deref();
                recipients::member(&ctx, &st, i, &mut seen.members, managers).await?
            }
            ExKind::ServicePrincipal => recipients::service_principal(&ctx, &st, i).await?,
            ExKind::ManagementScope => rbac::management_scope(&ctx, &input, i).await?,
            ExKind::RoleAssignment => {
                rbac::role_assignment(&ctx, &st, i, &mut seen.assigned).await?
            }
            ExKind::AccessPolicy => recipients::access_policy(&ctx, &st, i).await?,
            ExKind::MailboxPermission => recipients::mailbox_permission(&ctx, &st, i).await?,
            ExKind::EwsAllowList => ews::allow_list(&ctx, &input, i, &mut seen.ews).await?,
            ExKind::SmtpAuth => smtp_auth::allow(&ctx, &st, i).await?,
            ExKind::UserFullAccess => recipients::user_full_access(&ctx, &st, i).await?,
        };
        if ctx.made.load(Ordering::Relaxed) {
            r.made(format!("exchange:{key}"));
        }
        let text = record_outcome(r, i, done)?;
        if st.kind == ExKind::Mailboxes {
            r.journal.deny_mailbox = input.deny_mailbox.clone();
        }
        if let Some(read) = seen.ews.take() {
            r.journal.ews = Some(read);
        }
        if !r.journal.exchange_done.contains(&key) {
            r.journal.exchange_done.push(key.clone());
        }
        r.save()?;
        crash_point(&format!("exchange:{key}"));
        r.emit(i, StepStatus::Done(text));
    }
    let fresh = fresh(r, &principal, group_name.as_deref(), &seen);
    let ctx = Ctx::new(r, cmdlets, client_id, sp, fresh);
    service_test::service_test(&ctx, &input).await?;
    Ok(Scoped {
        record,
        deny_mailbox: input.deny_mailbox.clone(),
    })
}

/// What the next step's cmdlets may name that was made moments before.
fn fresh<'f>(r: &Run<'_>, principal: &'f str, group: Option<&'f str>, seen: &Seen) -> Fresh<'f> {
    Fresh {
        principal: (made_here(r) == Names::NewDirectoryObject).then_some(principal),
        group: group.filter(|_| seen.group_made),
    }
}

/// Puts what step `i` found into the journal (the group's DN, the scope's id); its words.
fn record_outcome(r: &mut Run<'_>, i: usize, done: Outcome) -> Result<String, SetupError> {
    match done {
        Outcome::Done(text) => Ok(text),
        Outcome::Scope(text, id) => {
            r.journal.scope_id = Some(id);
            Ok(text)
        }
        Outcome::Dn(_, dn) if dn.is_empty() => Err(r.refuse(
            i,
            Diagnosis {
                summary: "Exchange named no distinguished name for the group.".into(),
                evidence: "DistinguishedName missing from the group's answer".into(),
                cause: "The scope's filter needs it; the answer was incomplete.".into(),
                fix: "Run the setup again; if it repeats, use --exchange powershell.".into(),
            },
        )),
        Outcome::Dn(text, dn) => {
            r.journal.group_dn = Some(dn);
            Ok(text)
        }
    }
}

/// The scope's script, followed by the delegated part's steps when they go into it too.
fn write_script(r: &Run<'_>, input: &ScopeInput) -> Result<std::path::PathBuf, SetupError> {
    let text = r.req.answers.written_script(Some(input), &r.req.tenant);
    write_text(
        r,
        &text.unwrap_or_else(|| scope::script(input, &r.req.tenant)),
    )
}

/// Writes the setup's Exchange Online script (`--exchange powershell`), private to its owner.
fn write_text(r: &Run<'_>, text: &str) -> Result<std::path::PathBuf, SetupError> {
    let path = super::script_path(r.env, &r.req.name);
    crate::store::write_private(&path, text.as_bytes()).map_err(|e| {
        SetupError::local(Diagnosis {
            summary: "The PowerShell script could not be written.".into(),
            evidence: e.to_string(),
            cause: "The data directory is not writable.".into(),
            fix: "Check the permissions of the data directory (M365MW_DATA_DIR).".into(),
        })
    })?;
    Ok(path)
}
