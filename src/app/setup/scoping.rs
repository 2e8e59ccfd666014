//! The Exchange Online part of a setup: each step of `scope::steps` looked for first, made only
//! when missing, and journaled; then the service's own test for every mailbox.

use serde_json::{Value, json};

use super::{Run, SetupError, StepStatus, crash_point};
use crate::cloud::exchange_admin::{self as exo, Invoked};
use crate::cloud::identity::AccessToken;
use crate::cloud::{CloudError, Diagnosis};
use crate::plan::StepKind;
use crate::scope::{self, ExKind, ExStep, ScopeInput, ScopeKind, ScopeRecord, ScopeSpec};

/// The administrator's sign-in for Exchange Online administration.
pub struct ExchangeAdmin {
    pub token: AccessToken,
    /// The administrator's UPN (the admin API's anchor mailbox).
    pub upn: String,
}

/// What the Exchange part settled: the scope to keep in the profile and the out-of-scope mailbox.
pub struct Scoped {
    pub record: ScopeRecord,
    pub deny_mailbox: Option<String>,
}

fn not_found(e: &CloudError) -> bool {
    matches!(e, CloudError::Graph(g) if g.status == 404 || g.code.ends_with("NotFoundException"))
}

/// The diagnosis of a failed Exchange administration call.
pub fn exchange_diagnosis(e: &CloudError, what: &str) -> Diagnosis {
    match e {
        CloudError::Graph(g) if g.status == 401 || g.status == 403 => Diagnosis {
            summary: format!("Exchange Online refused {what}."),
            evidence: format!("HTTP {} {}: {}", g.status, g.code, g.message),
            cause: "The signed-in account has no Exchange administrator role (Exchange Administrator or Global Administrator), or the role is new and not yet in effect.".into(),
            fix: "Sign in as an Exchange administrator and run the setup again (it resumes), or run the setup with --exchange powershell and hand the script to one.".into(),
        },
        CloudError::Graph(g) if g.message.contains("application access policies") => Diagnosis {
            summary: "The tenant has no room for another application access policy.".into(),
            evidence: format!("{}: {}", g.code, g.message),
            cause: "Policies share a fixed amount of space (about 300 with short descriptions).".into(),
            fix: "Use --scope rbac (RBAC for Applications, which Microsoft recommends instead), or remove policies no app uses any more (Get-ApplicationAccessPolicy).".into(),
        },
        CloudError::Graph(g) if g.status == 429 || g.message.contains("concurrent") => Diagnosis {
            summary: "Exchange Online is throttling the administration calls.".into(),
            evidence: format!("HTTP {} {}: {}", g.status, g.code, g.message),
            cause: "Too many requests, or too many at once, for this tenant.".into(),
            fix: "Wait a few minutes and run the setup again: it resumes where it stopped.".into(),
        },
        CloudError::Graph(g) => Diagnosis {
            summary: format!("Exchange Online could not do this: {what}."),
            evidence: format!("HTTP {} {}: {}", g.status, g.code, g.message),
            cause: "The service's message above says why.".into(),
            fix: "Correct what it names and run the setup again; it resumes. The same step in PowerShell is in the plan (setup without --yes).".into(),
        },
        other => Diagnosis {
            summary: format!("Exchange Online could not be reached for {what}."),
            evidence: other.to_string(),
            cause: "The network or the service failed.".into(),
            fix: "Run the setup again: it resumes where it stopped.".into(),
        },
    }
}

struct Ctx<'r, 'a> {
    r: &'r Run<'a>,
    ex: &'r ExchangeAdmin,
    tenant_id: String,
}

impl Ctx<'_, '_> {
    async fn invoke(&self, cmdlet: &str, parameters: Value) -> Result<Invoked, CloudError> {
        exo::invoke(
            &self.r.env.http,
            &self.r.req.endpoints,
            &self.tenant_id,
            &self.ex.token,
            &self.ex.upn,
            cmdlet,
            parameters,
        )
        .await
    }
}

fn texts(rows: &[Value], field: &str) -> Vec<String> {
    rows.iter()
        .filter_map(|r| r[field].as_str().map(str::to_ascii_lowercase))
        .collect()
}

/// Carries out the Exchange part of `spec` for the app (`client_id`, service principal `sp`).
pub(super) async fn apply(
    r: &mut Run<'_>,
    spec: &ScopeSpec,
    client_id: &str,
    sp: &str,
    ex: Option<&ExchangeAdmin>,
) -> Result<Scoped, SetupError> {
    let mut spec = spec.clone();
    if spec.deny_mailbox.is_none() {
        spec.deny_mailbox = r.journal.deny_mailbox.clone();
    }
    let record = spec.record(&r.req.answers.app_name);
    let input = spec.input(
        &r.req.answers.access,
        &r.req.answers.app_name,
        client_id,
        sp,
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
    let tenant_id = r.req.tenant_id.to_string();
    let mut input = input;
    // Read once, for every member and role step.
    let mut members: Option<Vec<String>> = None;
    let mut assigned: Option<Vec<(String, Option<String>)>> = None;
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
        let ctx = Ctx {
            r,
            ex,
            tenant_id: tenant_id.clone(),
        };
        let done = match st.kind {
            ExKind::Mailboxes => mailboxes(&ctx, &mut input, i).await?,
            ExKind::Group => group(&ctx, &st, i).await?,
            ExKind::Member => {
                if members.is_none() {
                    let found = ctx
                        .invoke(st.look.name, st.look.parameters(None))
                        .await
                        .map_err(|e| ctx.fail(i, &e, "listing the group's members"))?;
                    members = Some(texts(&found.rows, "PrimarySmtpAddress"));
                }
                let m = st.subject.clone().unwrap_or_default().to_ascii_lowercase();
                if members.as_ref().is_some_and(|ms| ms.contains(&m)) {
                    Outcome::Done("already a member".into())
                } else {
                    ctx.make(&st, i, None).await?;
                    Outcome::Done("added".into())
                }
            }
            ExKind::ServicePrincipal => service_principal(&ctx, &st, i, sp).await?,
            ExKind::ManagementScope => management_scope(&ctx, &input, i).await?,
            ExKind::RoleAssignment => role_assignment(&ctx, &input, &st, i, &mut assigned).await?,
            ExKind::AccessPolicy => {
                let found = ctx
                    .invoke(st.look.name, st.look.parameters(None))
                    .await
                    .map_err(|e| ctx.fail(i, &e, "reading the access policies"))?;
                let right = st
                    .make
                    .as_ref()
                    .and_then(|m| m.text_param("AccessRight"))
                    .unwrap_or_default();
                let mine = found.rows.iter().any(|p| {
                    p["AppId"]
                        .as_str()
                        .is_some_and(|a| a.eq_ignore_ascii_case(client_id))
                        && p["AccessRight"].as_str() == Some(right)
                });
                if mine {
                    Outcome::Done("a policy for this app exists".into())
                } else {
                    ctx.make(&st, i, None).await?;
                    Outcome::Done(format!("created ({right})"))
                }
            }
            ExKind::MailboxPermission => {
                let found = ctx
                    .invoke(st.look.name, st.look.parameters(None))
                    .await
                    .map_err(|e| ctx.fail(i, &e, "reading the mailbox's permissions"))?;
                let has = found.rows.iter().any(|p| {
                    p["AccessRights"]
                        .as_array()
                        .is_some_and(|a| a.iter().any(|x| x.as_str() == Some("FullAccess")))
                });
                if has {
                    Outcome::Done("FullAccess already granted".into())
                } else {
                    ctx.make(&st, i, None).await?;
                    Outcome::Done("FullAccess granted".into())
                }
            }
        };
        let (text, extra) = match done {
            Outcome::Done(t) => (t, None),
            Outcome::Dn(t, dn) => (t, Some(dn)),
            Outcome::Scope(t, id) => {
                r.journal.scope_id = Some(id);
                (t, None)
            }
        };
        if let Some(dn) = extra {
            if dn.is_empty() {
                return Err(r.refuse(
                    i,
                    Diagnosis {
                        summary: "Exchange named no distinguished name for the group.".into(),
                        evidence: "DistinguishedName missing from the group's answer".into(),
                        cause: "The scope's filter needs it; the answer was incomplete.".into(),
                        fix: "Run the setup again; if it repeats, use --exchange powershell."
                            .into(),
                    },
                ));
            }
            r.journal.group_dn = Some(dn);
        }
        if st.kind == ExKind::Mailboxes {
            r.journal.deny_mailbox = input.deny_mailbox.clone();
        }
        if !r.journal.exchange_done.contains(&key) {
            r.journal.exchange_done.push(key.clone());
        }
        r.save()?;
        crash_point(&format!("exchange:{key}"));
        r.emit(i, StepStatus::Done(text));
    }
    service_test(r, ex, &input).await?;
    Ok(Scoped {
        record,
        deny_mailbox: input.deny_mailbox.clone(),
    })
}

enum Outcome {
    /// Found or made: what happened, in words.
    Done(String),
    /// The group, with its DN.
    Dn(String, String),
    /// The management scope, with its id.
    Scope(String, String),
}

impl Ctx<'_, '_> {
    fn fail(&self, i: usize, e: &CloudError, what: &str) -> SetupError {
        let diagnosis = exchange_diagnosis(e, what);
        self.r.emit(i, StepStatus::Failed(diagnosis.clone()));
        SetupError {
            step: Some(i),
            diagnosis,
            unavailable: e.is_unavailable(),
        }
    }

    async fn make(&self, st: &ExStep, i: usize, dn: Option<&str>) -> Result<Invoked, SetupError> {
        let make = st.make.as_ref().expect("a step that makes something");
        let out = self
            .invoke(make.name, make.parameters(dn))
            .await
            .map_err(|e| self.fail(i, &e, &st.title.to_lowercase()))?;
        for w in &out.warnings {
            tracing::warn!(cmdlet = make.name, warning = %w, "Exchange warning");
        }
        Ok(out)
    }
}

async fn mailboxes(
    ctx: &Ctx<'_, '_>,
    input: &mut ScopeInput,
    i: usize,
) -> Result<Outcome, SetupError> {
    let named: Vec<String> = input
        .mailboxes
        .iter()
        .chain(input.deny_mailbox.iter())
        .cloned()
        .collect();
    let found = futures_util::future::join_all(
        named
            .iter()
            .map(|m| ctx.invoke("Get-Mailbox", json!({ "Identity": m }))),
    )
    .await;
    for (m, f) in named.iter().zip(found) {
        match f {
            Ok(_) => {}
            Err(e) if not_found(&e) => {
                let d = Diagnosis {
                    summary: format!("{m} is not a mailbox in this tenant."),
                    evidence: e.to_string(),
                    cause: "The address is mistyped, belongs to a group or a contact, or the mailbox has no Exchange Online licence.".into(),
                    fix: format!("Correct or remove {m} and run the setup again."),
                };
                return Err(ctx.r.refuse(i, d));
            }
            Err(e) => return Err(ctx.fail(i, &e, "looking up the mailboxes")),
        }
    }
    let everything = input.kind == ScopeKind::AllMailboxes && scope::scoped_by_group(&input.access);
    if input.deny_mailbox.is_none() && !everything {
        let all = ctx
            .invoke("Get-Mailbox", json!({ "ResultSize": "20" }))
            .await
            .map_err(|e| ctx.fail(i, &e, "listing mailboxes"))?;
        input.deny_mailbox = texts(&all.rows, "PrimarySmtpAddress")
            .into_iter()
            .find(|m| !input.mailboxes.iter().any(|x| x.eq_ignore_ascii_case(m)));
    }
    Ok(Outcome::Done(match &input.deny_mailbox {
        Some(d) => format!(
            "{} found; {d} is checked as out of scope",
            input.mailboxes.join(", ")
        ),
        None => format!("{} found", input.mailboxes.join(", ")),
    }))
}

async fn group(ctx: &Ctx<'_, '_>, st: &ExStep, i: usize) -> Result<Outcome, SetupError> {
    match ctx.invoke(st.look.name, st.look.parameters(None)).await {
        Ok(found) if !found.rows.is_empty() => {
            let g = &found.rows[0];
            let security = g["GroupType"]
                .as_str()
                .is_some_and(|t| t.contains("SecurityEnabled"));
            if !security {
                return Err(ctx.r.refuse(
                    i,
                    Diagnosis {
                        summary: format!("{} is a group, but not a mail-enabled security group.", st.look.text_param("Identity").unwrap_or_default()),
                        evidence: format!("GroupType: {}", g["GroupType"].as_str().unwrap_or("?")),
                        cause: "Scopes and policies need a security principal; a distribution list or Microsoft 365 group is not one.".into(),
                        fix: "Name another group with --group (a new name makes a new mail-enabled security group).".into(),
                    },
                ));
            }
            let dn = g["DistinguishedName"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            Ok(Outcome::Dn("existing group reused".into(), dn))
        }
        Err(e) if !not_found(&e) => Err(ctx.fail(i, &e, "looking up the group")),
        _ => make_group(ctx, st, i).await,
    }
}

async fn make_group(ctx: &Ctx<'_, '_>, st: &ExStep, i: usize) -> Result<Outcome, SetupError> {
    let make = st.make.as_ref().expect("group step makes");
    match ctx.invoke(make.name, make.parameters(None)).await {
        Ok(out) => {
            let dn = out.rows.first().and_then(|g| g["DistinguishedName"].as_str()).unwrap_or_default().to_string();
            Ok(Outcome::Dn("created".into(), dn))
        }
        Err(CloudError::Graph(g)) if g.code.contains("AlreadyExists") || g.code.contains("ProxyAddressExists") => {
            Err(ctx.r.refuse(
                i,
                Diagnosis {
                    summary: "The group's name or address is taken by another recipient.".into(),
                    evidence: format!("{}: {}", g.code, g.message),
                    cause: "A mailbox, contact or group already uses it, so no new group can have it.".into(),
                    fix: "Give --group another name or address, or the name of an existing mail-enabled security group to reuse.".into(),
                },
            ))
        }
        Err(e) => Err(ctx.fail(i, &e, "creating the group")),
    }
}

async fn service_principal(
    ctx: &Ctx<'_, '_>,
    st: &ExStep,
    i: usize,
    sp: &str,
) -> Result<Outcome, SetupError> {
    match ctx.invoke(st.look.name, st.look.parameters(None)).await {
        Ok(found) if !found.rows.is_empty() => {
            let registered = found.rows[0]["ObjectId"].as_str().unwrap_or_default();
            if registered.eq_ignore_ascii_case(sp) {
                Ok(Outcome::Done("already registered".into()))
            } else {
                Err(ctx.r.refuse(
                    i,
                    Diagnosis {
                        summary: "Exchange knows this app under the wrong object id.".into(),
                        evidence: format!("registered ObjectId {registered}; the app's service principal is {sp}"),
                        cause: "It was registered with the app registration's object id (or another one) instead of the Enterprise application's: tokens are issued, mailbox access fails.".into(),
                        fix: format!("In Exchange Online PowerShell run Remove-ServicePrincipal -Identity {registered}, then run the setup again."),
                    },
                ))
            }
        }
        Err(e) if !not_found(&e) => {
            Err(ctx.fail(i, &e, "looking up the Exchange service principal"))
        }
        _ => {
            ctx.make(st, i, None).await?;
            Ok(Outcome::Done("registered".into()))
        }
    }
}

async fn management_scope(
    ctx: &Ctx<'_, '_>,
    input: &ScopeInput,
    i: usize,
) -> Result<Outcome, SetupError> {
    let (http, e, t) = (&ctx.r.env.http, &ctx.r.req.endpoints, ctx.r.token);
    let name = input.scope_name();
    let found = exo::find_custom_scope(http, e, t, &name)
        .await
        .map_err(|err| ctx.fail(i, &err, "reading the management scopes"))?;
    if let Some(id) = found {
        return Ok(Outcome::Scope("already exists".into(), id));
    }
    let Some(dn) = ctx.r.journal.group_dn.clone().filter(|d| !d.is_empty()) else {
        return Err(ctx.r.refuse(
            i,
            Diagnosis {
                summary: "The group's distinguished name is unknown.".into(),
                evidence: "the group step recorded no DN".into(),
                cause: "The group was not found or made in this run.".into(),
                fix: "Run the setup again; it looks the group up first.".into(),
            },
        ));
    };
    let filter = format!("MemberOfGroup -eq '{dn}'");
    let id = exo::create_custom_scope(http, e, t, &name, &filter)
        .await
        .map_err(|err| ctx.fail(i, &err, "creating the management scope"))?;
    Ok(Outcome::Scope("created".into(), id))
}

async fn role_assignment(
    ctx: &Ctx<'_, '_>,
    input: &ScopeInput,
    st: &ExStep,
    i: usize,
    assigned: &mut Option<Vec<(String, Option<String>)>>,
) -> Result<Outcome, SetupError> {
    let (http, e, t) = (&ctx.r.env.http, &ctx.r.req.endpoints, ctx.r.token);
    let role = st.subject.clone().unwrap_or_default();
    let Some(scope_id) = ctx.r.journal.scope_id.clone() else {
        return Err(ctx.r.refuse(
            i,
            Diagnosis {
                summary: "The management scope is unknown.".into(),
                evidence: "no scope id recorded".into(),
                cause: "The scope step did not finish.".into(),
                fix: "Run the setup again.".into(),
            },
        ));
    };
    let def = exo::role_definition(http, e, t, &role)
        .await
        .map_err(|err| ctx.fail(i, &err, "looking up the role"))?;
    let Some(def) = def else {
        return Err(ctx.r.refuse(
            i,
            Diagnosis {
                summary: format!("Exchange Online has no role \"{role}\"."),
                evidence: "roleManagement/exchange/roleDefinitions found none".into(),
                cause: "The role name changed, or this cloud does not offer RBAC for Applications."
                    .into(),
                fix: "Use --scope restrict-policy, or the PowerShell path (--exchange powershell)."
                    .into(),
            },
        ));
    };
    if assigned.is_none() {
        *assigned = Some(
            exo::role_assignments(http, e, t, &input.sp_object_id)
                .await
                .map_err(|err| ctx.fail(i, &err, "reading the role assignments"))?,
        );
    }
    let existing = assigned.as_deref().unwrap_or_default();
    if existing
        .iter()
        .any(|(d, s)| d.eq_ignore_ascii_case(&def) && s.as_deref() == Some(scope_id.as_str()))
    {
        return Ok(Outcome::Done("already assigned".into()));
    }
    exo::create_role_assignment(http, e, t, &def, &input.sp_object_id, &scope_id)
        .await
        .map_err(|err| ctx.fail(i, &err, "assigning the role"))?;
    Ok(Outcome::Done("assigned within the scope".into()))
}

/// How many of the service's tests run at once.
pub const TESTS_AT_ONCE: usize = 4;

/// `Test-ServicePrincipalAuthorization` / `Test-ApplicationAccessPolicy` for every intended
/// mailbox and the one outside.
async fn service_test(
    r: &Run<'_>,
    ex: &ExchangeAdmin,
    input: &ScopeInput,
) -> Result<(), SetupError> {
    let tests: Vec<(String, bool, scope::Cmdlet)> = scope::tested_mailboxes(input)
        .into_iter()
        .filter_map(|(m, intended)| scope::test_cmdlet(input, &m).map(|c| (m, intended, c)))
        .collect();
    if tests.is_empty() {
        return Ok(());
    }
    let i = r.index(StepKind::ExchangeTest, None);
    r.emit(i, StepStatus::Running);
    let ctx = Ctx {
        r,
        ex,
        tenant_id: r.req.tenant_id.to_string(),
    };
    let results: Vec<Result<Invoked, CloudError>> = {
        use futures_util::StreamExt;
        let calls: Vec<_> = tests
            .iter()
            .map(|(_, _, c)| {
                let (name, params) = (c.name, c.parameters(None));
                let ctx = &ctx;
                async move { ctx.invoke(name, params).await }
            })
            .collect();
        futures_util::stream::iter(calls)
            .buffered(TESTS_AT_ONCE)
            .collect()
            .await
    };
    let mut wrong = Vec::new();
    let mut told = Vec::new();
    for ((m, intended, _), res) in tests.iter().zip(results) {
        let out = res.map_err(|e| ctx.fail(i, &e, "testing the scope"))?;
        let reached = in_scope(input.kind, &out.rows);
        told.push(format!(
            "{m} {}",
            if reached { "in scope" } else { "out of scope" }
        ));
        if reached != *intended {
            wrong.push(format!(
                "{m} is {} but should be {}",
                if reached { "in scope" } else { "out of scope" },
                if *intended { "in" } else { "out" }
            ));
        }
    }
    if !wrong.is_empty() {
        return Err(r.refuse(
            i,
            Diagnosis {
                summary: "Exchange's own test disagrees with the intended scope.".into(),
                evidence: wrong.join("; "),
                cause: "An older policy or role assignment for this app grants or blocks more than this setup did, or a mailbox is in the group by mistake.".into(),
                fix: "List what applies with Get-ManagementRoleAssignment -RoleAssignee <service principal> and Get-ApplicationAccessPolicy, remove what is not wanted, and run the setup again.".into(),
            },
        ));
    }
    r.emit(i, StepStatus::Done(told.join(", ")));
    Ok(())
}

/// Reads a test's rows: `InScope` True/False/"Not Run" (RBAC), `AccessCheckResult` (policy).
pub fn in_scope(kind: ScopeKind, rows: &[Value]) -> bool {
    match kind {
        ScopeKind::Rbac => rows.iter().any(|r| match &r["InScope"] {
            Value::Bool(b) => *b,
            Value::String(s) => s.eq_ignore_ascii_case("true"),
            _ => false,
        }),
        _ => rows.iter().any(|r| {
            r["AccessCheckResult"]
                .as_str()
                .is_some_and(|s| s.eq_ignore_ascii_case("Granted"))
        }),
    }
}

fn write_script(r: &Run<'_>, input: &ScopeInput) -> Result<std::path::PathBuf, SetupError> {
    let path = super::script_path(r.env, &r.req.name);
    let text = scope::script(input, &r.req.tenant);
    crate::store::write_private(&path, text.as_bytes()).map_err(|e| SetupError {
        step: None,
        diagnosis: Diagnosis {
            summary: "The PowerShell script could not be written.".into(),
            evidence: e.to_string(),
            cause: "The data directory is not writable.".into(),
            fix: "Check the permissions of the data directory (M365MW_DATA_DIR).".into(),
        },
        unavailable: false,
    })?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(status: u16, code: &str, message: &str) -> CloudError {
        CloudError::Graph(crate::cloud::GraphError {
            status,
            code: code.into(),
            message: message.into(),
        })
    }

    #[test]
    fn exchange_refusals_say_what_to_do() {
        let d = exchange_diagnosis(
            &graph(
                403,
                "AuthorizationException",
                "The user isn't assigned to any management roles.",
            ),
            "x",
        );
        assert!(
            d.cause.contains("Exchange administrator role")
                && d.fix.contains("--exchange powershell"),
            "{d:?}"
        );
        let d = exchange_diagnosis(
            &graph(
                400,
                "TaskArgumentException",
                "The total size of all application access policies in the organization exceeds the limit.",
            ),
            "x",
        );
        assert!(d.fix.contains("--scope rbac"), "{d:?}");
        let d = exchange_diagnosis(
            &graph(
                400,
                "ThrottlingException",
                "Maximum number of concurrent requests reached.",
            ),
            "x",
        );
        assert!(
            d.summary.contains("throttling") && d.fix.contains("resumes"),
            "{d:?}"
        );
    }

    #[test]
    fn test_rows_are_read_in_every_form() {
        assert!(in_scope(ScopeKind::Rbac, &[json!({"InScope": true})]));
        assert!(in_scope(ScopeKind::Rbac, &[json!({"InScope": "True"})]));
        assert!(!in_scope(ScopeKind::Rbac, &[json!({"InScope": "Not Run"})]));
        assert!(!in_scope(ScopeKind::Rbac, &[]));
        assert!(in_scope(
            ScopeKind::RestrictPolicy,
            &[json!({"AccessCheckResult": "Granted"})]
        ));
        assert!(!in_scope(
            ScopeKind::DenyPolicy,
            &[json!({"AccessCheckResult": "Denied"})]
        ));
    }
}
