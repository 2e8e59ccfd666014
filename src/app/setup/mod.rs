//! Carries out a setup plan as the signed-in administrator. Every step first looks for what
//! an earlier run made (journal, then app id, then display name) and records each new object
//! id the moment it exists, so a setup killed anywhere resumes without duplicates.

use std::time::Duration;

use time::OffsetDateTime;
use tokio::sync::mpsc;

use crate::app::Env;
use crate::catalog::{Resource, catalog};
use crate::cloud::admin::{self, ServicePrincipal};
use crate::cloud::device::AdminSession;
use crate::cloud::diagnose::{self, Context, Stage};
use crate::cloud::identity::client_credentials;
use crate::cloud::{CloudError, Diagnosis};
use crate::model::{
    ClientId, CloudKind, Endpoints, KeyringBackend, Mailbox, Profile, ProfileName, TenantId,
};
use crate::plan::{self, PlanStep, SetupAnswers, StepKind};
use crate::store::Journal;

mod scoping;
pub use scoping::{ExchangeAdmin, TESTS_AT_ONCE, exchange_diagnosis, in_scope};

/// Directory roles (template ids, as in a token's `wids`) that may grant admin consent to
/// application permissions.
const CONSENT_ROLES: [(&str, &str); 2] = [
    (
        "62e90394-69f5-4237-9190-012177145e10",
        "Global Administrator",
    ),
    (
        "e8611ab8-c189-46e8-94e1-60213ab1f814",
        "Privileged Role Administrator",
    ),
];

#[derive(Clone, Debug)]
pub struct SetupRequest {
    pub name: ProfileName,
    pub tenant: String,
    pub tenant_id: TenantId,
    pub cloud: CloudKind,
    /// Where the calls go.
    pub endpoints: Endpoints,
    /// Kept in the profile for a custom cloud.
    pub custom_endpoints: Option<Endpoints>,
    pub answers: SetupAnswers,
    pub mailboxes: Vec<Mailbox>,
    pub deny_mailbox: Option<Mailbox>,
    pub send_test: bool,
    pub keyring: KeyringBackend,
    /// Adopt an existing app of the same display name instead of refusing.
    pub reuse_existing: bool,
    /// Revoke a tenant-wide consent the chosen scope leaves out (it would bypass the scope).
    pub remove_bypassing: bool,
}

pub use crate::model::StepStatus;

#[derive(Clone, Debug)]
pub struct SetupError {
    pub step: Option<usize>,
    pub diagnosis: Diagnosis,
    /// The network or the service failed; running the setup again resumes it.
    pub unavailable: bool,
}

/// Whether the signed-in account can grant what the plan needs, from its token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rights {
    Enough(&'static str),
    NotEnough,
    /// The token lists no directory roles; the calls themselves will tell.
    Unknown,
}

pub fn rights(session: &AdminSession) -> Rights {
    let wids = &session.token.claims.wids;
    if let Some((_, name)) = CONSENT_ROLES
        .iter()
        .find(|(id, _)| wids.iter().any(|w| w == id))
    {
        Rights::Enough(name)
    } else if wids.is_empty() {
        Rights::Unknown
    } else {
        Rights::NotEnough
    }
}

/// What a signed-in account without the rights is told, with what to hand to an admin.
pub fn not_enough_rights(who: &str) -> Diagnosis {
    Diagnosis {
        summary: format!("{who} cannot grant admin consent."),
        evidence: "the sign-in token carries no Global Administrator or Privileged Role Administrator role".into(),
        cause: "Granting application permissions needs one of those roles; the setup would stop half-done.".into(),
        fix: "Sign in as such an administrator, or hand the plan to one: `setup … --guided` walks through the portal, and `setup` without --yes prints every step with its PowerShell.".into(),
    }
}

fn crash_point(kind: &str) {
    // A test hook: leave exactly as a killed process would, after this step's journal write.
    if std::env::var("M365MW_CRASH_AFTER").is_ok_and(|v| v == kind) {
        std::process::exit(137);
    }
}

pub use crate::model::add_months;

fn secret_display_name(name: &ProfileName) -> String {
    format!("m365-mail-wizard ({name})")
}

struct Run<'a> {
    env: &'a Env,
    req: &'a SetupRequest,
    token: &'a crate::cloud::identity::AccessToken,
    steps: Vec<PlanStep>,
    journal: Journal,
    tx: Option<mpsc::UnboundedSender<(usize, StepStatus)>>,
    /// The app was created by this run: nothing made later can exist yet, so the lookups
    /// that make a resumed run safe are skipped.
    fresh: bool,
    /// When the stored secret expires (YYYY-MM-DD).
    secret_end: Option<String>,
}

impl Run<'_> {
    fn emit(&self, i: usize, s: StepStatus) {
        if let Some(tx) = &self.tx {
            let _ = tx.send((i, s));
        }
    }

    fn index(&self, kind: StepKind, permission: Option<&str>) -> usize {
        self.steps
            .iter()
            .position(|s| {
                s.kind == kind && (permission.is_none() || s.permission.as_deref() == permission)
            })
            .expect("the plan has this step")
    }

    fn save(&self) -> Result<(), SetupError> {
        self.env
            .dirs
            .journals(self.env.sandbox.is_some())
            .save(&self.journal)
            .map_err(|e| SetupError {
                step: None,
                diagnosis: Diagnosis {
                    summary: "The setup journal could not be written.".into(),
                    evidence: e.to_string(),
                    cause: "The data directory is not writable.".into(),
                    fix: "Check the permissions of the data directory (M365MW_DATA_DIR).".into(),
                },
                unavailable: false,
            })
    }

    fn fail(&self, i: usize, e: CloudError) -> SetupError {
        let unavailable = e.is_unavailable();
        let diagnosis = graph_diagnosis(&e, &self.req.tenant, &self.req.endpoints.portal);
        self.emit(i, StepStatus::Failed(diagnosis.clone()));
        SetupError {
            step: Some(i),
            diagnosis,
            unavailable,
        }
    }

    fn refuse(&self, i: usize, diagnosis: Diagnosis) -> SetupError {
        self.emit(i, StepStatus::Failed(diagnosis.clone()));
        SetupError {
            step: Some(i),
            diagnosis,
            unavailable: false,
        }
    }
}

pub enum Capped {
    /// The tenant's policy refuses every lifetime offered.
    Refused(Diagnosis),
    Failed(CloudError),
}

/// Adds a secret of `months`, stepping down to the longest lifetime a tenant's app management
/// policy accepts. Returns the secret and the lifetime used.
pub async fn add_password_capped(
    http: &reqwest::Client,
    e: &Endpoints,
    t: &crate::cloud::identity::AccessToken,
    object_id: &str,
    label: &str,
    months: u32,
) -> Result<(admin::NewPassword, u32), Capped> {
    let mut months = months;
    loop {
        let end = add_months(OffsetDateTime::now_utc(), months);
        match admin::add_password(http, e, t, object_id, label, end).await {
            Ok(np) => return Ok((np, months)),
            Err(CloudError::Graph(g)) if g.code == "CredentialInvalidLifetimeAsPerAppPolicy" => {
                match plan::SECRET_MONTHS.iter().rev().find(|m| **m < months) {
                    Some(shorter) => months = *shorter,
                    None => {
                        return Err(Capped::Refused(Diagnosis {
                            summary: "The tenant's policy refuses every secret lifetime the wizard offers.".into(),
                            evidence: format!("HTTP {} {}: {}", g.status, g.code, g.message),
                            cause: "An app management policy caps client secret lifetimes below 3 months, or forbids secrets.".into(),
                            fix: "Ask the tenant's administrators for the policy's limit (Entra admin center › Enterprise apps › App management policies), or use a certificate credential.".into(),
                        }));
                    }
                }
            }
            Err(err) => return Err(Capped::Failed(err)),
        }
    }
}

/// The diagnosis of a failed directory call.
pub fn graph_diagnosis(e: &CloudError, tenant: &str, portal: &str) -> Diagnosis {
    match e {
        CloudError::Graph(g) if g.status == 403 => Diagnosis {
            summary: "The signed-in account may not make this change.".into(),
            evidence: format!("HTTP 403 {}: {}", g.code, g.message),
            cause: "Creating apps and granting consent need an administrator role (Global Administrator, or Application Administrator plus Privileged Role Administrator for consent).".into(),
            fix: "Sign in as such an administrator and run the setup again: it resumes where it stopped.".into(),
        },
        _ => diagnose::diagnose(
            e,
            &Context {
                stage: Stage::Token,
                tenant,
                client_id: "",
                mailbox: None,
                portal,
            },
        ),
    }
}

/// Where `--exchange powershell` writes the Exchange Online script of a profile.
pub fn script_path(env: &Env, name: &ProfileName) -> std::path::PathBuf {
    env.dirs
        .data
        .join("scripts")
        .join(format!("{name}-exchange.ps1"))
}

/// Runs the setup to the end and returns the saved profile.
pub async fn run(
    env: &Env,
    req: &SetupRequest,
    session: &AdminSession,
    exchange: Option<&ExchangeAdmin>,
    tx: Option<mpsc::UnboundedSender<(usize, StepStatus)>>,
) -> Result<Profile, SetupError> {
    let journals = env.dirs.journals(env.sandbox.is_some());
    let loaded = journals.load(&req.name).map_err(|e| SetupError {
        step: None,
        diagnosis: Diagnosis {
            summary: "The setup journal is unreadable.".into(),
            evidence: e.to_string(),
            cause: "The file was changed by hand or damaged.".into(),
            fix:
                "Fix or remove it; without it the setup starts over and finds what exists by name."
                    .into(),
        },
        unavailable: false,
    })?;
    let journal = match loaded {
        Some(j) if j.tenant_id != req.tenant_id.to_string() => {
            return Err(SetupError {
                step: None,
                diagnosis: Diagnosis {
                    summary: format!("Profile {} was set up in another tenant.", req.name),
                    evidence: format!(
                        "journal tenant {}, this tenant {}",
                        j.tenant_id, req.tenant_id
                    ),
                    cause: "A profile name stands for one setup in one tenant.".into(),
                    fix: "Choose another profile name, or `forget` the old profile first.".into(),
                },
                unavailable: false,
            });
        }
        Some(j) => j,
        None => Journal {
            profile: req.name.to_string(),
            tenant_id: req.tenant_id.to_string(),
            app_name: req.answers.app_name.clone(),
            ..Journal::default()
        },
    };
    let mut r = Run {
        env,
        req,
        token: &session.token,
        steps: plan::plan(&req.answers),
        journal,
        tx,
        fresh: false,
        secret_end: None,
    };
    let resources = resolve(&r).await?;
    let (object_id, app_id) = application(&mut r, &resources).await?;
    let sp = service_principal(&mut r, &app_id).await?;
    secret(&mut r, &object_id).await?;
    if resources.iter().any(|x| !x.roles.is_empty()) {
        consent(&mut r, &resources, &sp).await?;
    }
    delegated_consent(&mut r, &resources, &sp).await?;
    bypassing_consent(&mut r, &sp).await?;
    let scoped = match &req.answers.scope {
        Some(spec) => Some(scoping::apply(&mut r, spec, &app_id, &sp, exchange).await?),
        None => None,
    };
    let client_id = ClientId::parse(&app_id).map_err(|e| SetupError {
        step: None,
        diagnosis: Diagnosis {
            summary: "Graph returned an app id that is not a GUID.".into(),
            evidence: e.to_string(),
            cause: "An unexpected answer.".into(),
            fix: "Run the setup again.".into(),
        },
        unavailable: true,
    })?;
    verify(&mut r, client_id).await?;
    let profile = Profile {
        name: req.name.clone(),
        sandbox: env.sandbox.is_some(),
        cloud: req.cloud,
        endpoints: req.custom_endpoints.clone(),
        tenant: req.tenant.clone(),
        tenant_id: req.tenant_id,
        client_id,
        access: req.answers.access.clone(),
        mailboxes: req.mailboxes.clone(),
        deny_mailbox: req.deny_mailbox.clone().or_else(|| {
            scoped
                .as_ref()
                .and_then(|s| s.deny_mailbox.as_deref())
                .and_then(|m| Mailbox::parse(m).ok())
        }),
        send_test: req.send_test,
        keyring: req.keyring,
        last_check: None,
        scope: scoped.map(|s| s.record),
        secret_expires: r.secret_end.clone(),
        credential: Default::default(),
    };
    env.profiles().save(&profile).map_err(|e| SetupError {
        step: None,
        diagnosis: Diagnosis {
            summary: "The profile could not be saved.".into(),
            evidence: e.to_string(),
            cause: "The config directory is not writable.".into(),
            fix: "Check M365MW_CONFIG_DIR; then run the setup again (it resumes).".into(),
        },
        unavailable: false,
    })?;
    r.journal.finished = true;
    r.save()?;
    Ok(profile)
}

/// Resource service principals, with the role ids resolved at run time.
struct Resolved {
    resource: &'static Resource,
    sp: ServicePrincipal,
    roles: Vec<(String, String)>,
    scopes: Vec<(String, String)>,
}

async fn resolve(r: &Run<'_>) -> Result<Vec<Resolved>, SetupError> {
    let i = r.index(StepKind::Resolve, None);
    r.emit(i, StepStatus::Running);
    let mut out = Vec::new();
    let mut notes = Vec::new();
    let wanted = plan::needs(&r.req.answers.access, &r.req.answers.omitted());
    let found = futures_util::future::join_all(wanted.iter().map(|n| {
        admin::find_service_principal(&r.env.http, &r.req.endpoints, r.token, &n.resource.app_id)
    }))
    .await;
    for (need, sp) in wanted.into_iter().zip(found) {
        let (res, names) = (need.resource, need.roles);
        let sp = sp.map_err(|e| r.fail(i, e))?;
        let Some(sp) = sp else {
            return Err(r.refuse(
                i,
                Diagnosis {
                    summary: format!("{} is not available in this tenant.", res.name),
                    evidence: format!("no service principal with appId {}", res.app_id),
                    cause: "The tenant has no subscription that includes it (for Exchange Online: no Exchange licence).".into(),
                    fix: "Check the tenant's subscriptions, or choose access through another API.".into(),
                },
            ));
        };
        let mut roles = Vec::new();
        for n in names {
            let Some(id) = sp.role_id(&n) else {
                return Err(r.refuse(
                    i,
                    Diagnosis {
                        summary: format!("{} offers no application permission {n}.", res.name),
                        evidence: format!("appRoles of {} lack {n}", sp.id),
                        cause: "The permission was renamed or withdrawn.".into(),
                        fix: "Report this; meanwhile use the guided path and pick the nearest permission in the portal.".into(),
                    },
                ));
            };
            if res.app_role_id(&n) != Some(id) {
                notes.push(format!(
                    "{n}: the tenant says {id}, the catalog {}",
                    res.app_role_id(&n).unwrap_or("—")
                ));
            }
            roles.push((n, id.to_string()));
        }
        let mut scopes = Vec::new();
        for n in need.scopes {
            let Some(id) = sp.scope_id(&n) else {
                return Err(r.refuse(
                    i,
                    Diagnosis {
                        summary: format!("{} offers no delegated permission {n}.", res.name),
                        evidence: format!("oauth2PermissionScopes of {} lack {n}", sp.id),
                        cause: "The permission was renamed or withdrawn.".into(),
                        fix: "Report this; meanwhile use the guided path and pick the nearest permission in the portal.".into(),
                    },
                ));
            };
            scopes.push((n, id.to_string()));
        }
        out.push(Resolved {
            resource: res,
            sp,
            roles,
            scopes,
        });
    }
    let detail = if notes.is_empty() {
        "permission ids match the catalog".to_string()
    } else {
        format!("using the tenant's ids ({})", notes.join("; "))
    };
    r.emit(i, StepStatus::Done(detail));
    Ok(out)
}

async fn application(r: &mut Run<'_>, res: &[Resolved]) -> Result<(String, String), SetupError> {
    let i = r.index(StepKind::CreateApp, None);
    r.emit(i, StepStatus::Running);
    let (http, e, t) = (&r.env.http, &r.req.endpoints, r.token);
    // An app an earlier run made is found by its id; if it is gone (deleted, or not replicated
    // yet) the search by name below takes over.
    if let Some(app_id) = r.journal.app_id.clone()
        && let Some(a) = admin::find_application(http, e, t, &app_id)
            .await
            .map_err(|err| r.fail(i, err))?
    {
        r.emit(
            i,
            StepStatus::Done(format!("already registered (client ID {})", a.app_id)),
        );
        return Ok((a.id, a.app_id));
    }
    let named = admin::applications_named(http, e, t, &r.req.answers.app_name)
        .await
        .map_err(|err| r.fail(i, err))?;
    let ours = named
        .iter()
        .find(|a| Some(&a.app_id) == r.journal.app_id.as_ref());
    if let Some(a) = ours.or(if r.req.reuse_existing {
        named.first()
    } else {
        None
    }) {
        r.journal.app_object_id = Some(a.id.clone());
        r.journal.app_id = Some(a.app_id.clone());
        r.save()?;
        r.emit(
            i,
            StepStatus::Done(format!("using the existing app (client ID {})", a.app_id)),
        );
        return Ok((a.id.clone(), a.app_id.clone()));
    }
    if let Some(a) = named.first() {
        return Err(r.refuse(
            i,
            Diagnosis {
                summary: format!("An app named \"{}\" already exists.", r.req.answers.app_name),
                evidence: format!("client ID {}", a.app_id),
                cause: "Another app registration uses this display name; creating a second one would leave two apps nobody can tell apart.".into(),
                fix: "Choose another name (--name), or adopt the existing app (--reuse-app): its permissions are then checked and completed.".into(),
            },
        ));
    }
    let rra = plan::required_resource_access(
        &r.req.answers.access,
        &r.req.answers.omitted(),
        |resource, name, role| {
            let x = res.iter().find(|x| std::ptr::eq(x.resource, resource))?;
            let ids = if role { &x.roles } else { &x.scopes };
            ids.iter()
                .find(|(n, _)| n == name)
                .map(|(_, id)| id.clone())
        },
    );
    let mut body = serde_json::json!({
        "displayName": r.req.answers.app_name,
        "signInAudience": "AzureADMyOrg",
        "requiredResourceAccess": rra,
    });
    if r.req.answers.public_client {
        body["isFallbackPublicClient"] = serde_json::Value::Bool(true);
    }
    let a = admin::create_application(http, e, t, &body)
        .await
        .map_err(|err| r.fail(i, err))?;
    r.journal.app_object_id = Some(a.id.clone());
    r.journal.app_id = Some(a.app_id.clone());
    r.journal.app_created = true;
    r.fresh = true;
    r.save()?;
    crash_point("create-app");
    r.emit(
        i,
        StepStatus::Done(format!("registered (client ID {})", a.app_id)),
    );
    Ok((a.id, a.app_id))
}

async fn service_principal(r: &mut Run<'_>, app_id: &str) -> Result<String, SetupError> {
    let i = r.index(StepKind::CreateServicePrincipal, None);
    r.emit(i, StepStatus::Running);
    let (http, e, t) = (&r.env.http, &r.req.endpoints, r.token);
    let existing = if r.fresh {
        None
    } else {
        admin::find_service_principal(http, e, t, app_id)
            .await
            .map_err(|err| r.fail(i, err))?
    };
    if let Some(sp) = existing {
        let fresh = r.journal.sp_id.as_deref() != Some(sp.id.as_str());
        r.journal.sp_id = Some(sp.id.clone());
        if fresh {
            r.save()?;
        }
        r.emit(
            i,
            StepStatus::Done(format!("already there (object ID {})", sp.id)),
        );
        return Ok(sp.id);
    }
    let sp = admin::create_service_principal(http, e, t, app_id)
        .await
        .map_err(|err| r.fail(i, err))?;
    r.journal.sp_id = Some(sp.id.clone());
    r.save()?;
    crash_point("create-service-principal");
    r.emit(
        i,
        StepStatus::Done(format!("created (object ID {})", sp.id)),
    );
    Ok(sp.id)
}

async fn secret(r: &mut Run<'_>, object_id: &str) -> Result<(), SetupError> {
    let i = r.index(StepKind::AddSecret, None);
    r.emit(i, StepStatus::Running);
    let (http, e, t) = (&r.env.http, &r.req.endpoints, r.token);
    let name = r.req.name.to_string();
    let keyring = r.req.keyring;
    let on_app: Vec<admin::PasswordInfo> = if r.fresh {
        Vec::new()
    } else {
        admin::find_application(http, e, t, r.journal.app_id.as_deref().unwrap_or_default())
            .await
            .map_err(|err| r.fail(i, err))?
            .map(|a| a.password_credentials)
            .unwrap_or_default()
    };
    if r.journal.secret_stored
        && let Some(k) = &r.journal.secret_key_id
        && on_app.iter().any(|p| &p.key_id == k)
    {
        let n = name.clone();
        let stored = match r.env.with_vault(keyring, move |v| v.get(&n)).await {
            Ok(_) => true,
            Err(crate::vault::VaultError::NotFound(..)) => false,
            Err(err) => {
                // A locked or absent keyring says nothing about the secret: stop, remove nothing.
                return Err(r.refuse(
                    i,
                    Diagnosis {
                        summary: "The keyring cannot be read.".into(),
                        evidence: err.to_string(),
                        cause: "The keyring is locked or not running.".into(),
                        fix: "Unlock the keyring and run the setup again.".into(),
                    },
                ));
            }
        };
        if stored {
            r.secret_end = on_app
                .iter()
                .find(|p| &p.key_id == k)
                .and_then(|p| p.end_date_time.as_deref())
                .and_then(|e| e.get(..10))
                .map(String::from);
            r.emit(i, StepStatus::Done("already in the keyring".into()));
            return Ok(());
        }
    }
    // Secrets this setup added but never stored: their values are lost, so they go. By label
    // only on an app this setup created; an adopted app's secrets may serve someone else.
    let label = secret_display_name(&r.req.name);
    let created = r.journal.app_created;
    let orphans: Vec<String> = on_app
        .iter()
        .filter(|p| {
            Some(&p.key_id) == r.journal.secret_key_id.as_ref()
                || (created && p.display_name.as_deref() == Some(label.as_str()))
        })
        .map(|p| p.key_id.clone())
        .collect();
    for k in &orphans {
        admin::remove_password(http, e, t, object_id, k)
            .await
            .map_err(|err| r.fail(i, err))?;
    }
    r.journal.secret_key_id = None;
    r.journal.secret_stored = false;
    r.save()?;
    let (np, months) = match add_password_capped(
        &r.env.http,
        e,
        t,
        object_id,
        &label,
        r.req.answers.secret_months,
    )
    .await
    {
        Ok(x) => x,
        Err(Capped::Refused(d)) => return Err(r.refuse(i, d)),
        Err(Capped::Failed(err)) => return Err(r.fail(i, err)),
    };
    let capped = if months < r.req.answers.secret_months {
        format!(
            " (the tenant's policy refused {} months; {months} is the longest it accepts)",
            r.req.answers.secret_months
        )
    } else {
        String::new()
    };
    r.journal.secret_key_id = Some(np.key_id.clone());
    r.save()?;
    crash_point("add-secret");
    let value = np.secret;
    let n = name.clone();
    r.env
        .with_vault(keyring, move |v| v.set(&n, &value))
        .await
        .map_err(|err| {
            r.refuse(
                i,
                Diagnosis {
                    summary: "The new secret could not be stored in the keyring.".into(),
                    evidence: err.to_string(),
                    cause: "No keyring is available to this session.".into(),
                    fix: "Unlock or start the keyring and run the setup again: the unstored secret is removed and a new one made.".into(),
                },
            )
        })?;
    r.journal.secret_stored = true;
    r.save()?;
    r.secret_end = np.end.get(..10).map(String::from);
    let replaced = if orphans.is_empty() {
        String::new()
    } else {
        format!(
            "; replaced {} secret(s) an interrupted run never stored",
            orphans.len()
        )
    };
    r.emit(
        i,
        StepStatus::Done(format!(
            "valid until {} and stored in the keyring{capped}{replaced}",
            np.end.get(..10).unwrap_or(&np.end)
        )),
    );
    Ok(())
}

async fn consent(r: &mut Run<'_>, res: &[Resolved], sp: &str) -> Result<(), SetupError> {
    let (http, e, t) = (&r.env.http, &r.req.endpoints, r.token);
    let existing = if r.fresh {
        Vec::new()
    } else {
        admin::assignments(http, e, t, sp).await.map_err(|err| {
            let i = r.index(StepKind::Consent, None);
            r.fail(i, err)
        })?
    };
    let mut todo = Vec::new();
    for x in res {
        for (name, role) in &x.roles {
            let i = r.index(StepKind::Consent, Some(name));
            let key = format!("{}:{name}", x.resource.key);
            if existing
                .iter()
                .any(|a| a.resource_id == x.sp.id && &a.app_role_id == role)
            {
                if !r.journal.consented.contains(&key) {
                    r.journal.consented.push(key);
                    r.save()?;
                }
                r.emit(i, StepStatus::Done("already granted".into()));
            } else {
                r.emit(i, StepStatus::Running);
                todo.push((i, key, x.sp.id.as_str(), role.as_str()));
            }
        }
    }
    // Consents are independent of each other: granted together.
    let results = futures_util::future::join_all(
        todo.iter()
            .map(|(_, _, resource, role)| admin::assign(http, e, t, resource, sp, role)),
    )
    .await;
    for ((i, key, _, _), result) in todo.into_iter().zip(results) {
        result.map_err(|err| r.fail(i, err))?;
        r.journal.consented.push(key);
        r.save()?;
        crash_point("consent");
        r.emit(i, StepStatus::Done("granted".into()));
    }
    Ok(())
}

/// A tenant-wide consent that the scope leaves out — from an earlier setup or by hand — would
/// let the app reach every mailbox whatever the scope says: found, explained, and revoked when
/// the admin asked for it.
async fn bypassing_consent(r: &mut Run<'_>, sp: &str) -> Result<(), SetupError> {
    let omitted = r.req.answers.omitted();
    if omitted.is_empty() || r.fresh {
        return Ok(());
    }
    let Some(i) = r.steps.iter().position(|s| s.kind == StepKind::Exchange) else {
        return Ok(());
    };
    let (http, e, t) = (&r.env.http, &r.req.endpoints, r.token);
    let ids: Vec<(String, &str)> = catalog()
        .resources
        .iter()
        .flat_map(|res| res.permissions.iter())
        .filter(|p| omitted.contains(&p.name))
        .filter_map(|p| Some((p.role.clone()?, p.name.as_str())))
        .collect();
    let found: Vec<(admin::Assignment, &str)> = admin::assignments(http, e, t, sp)
        .await
        .map_err(|err| r.fail(i, err))?
        .into_iter()
        .filter_map(|a| {
            let name = ids
                .iter()
                .find(|(id, _)| id.eq_ignore_ascii_case(&a.app_role_id))?
                .1;
            Some((a, name))
        })
        .collect();
    if found.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = found.iter().map(|(_, n)| *n).collect();
    if !r.req.remove_bypassing {
        return Err(r.refuse(
            i,
            Diagnosis {
                summary: format!(
                    "The app already holds {} tenant-wide, which would bypass the mailbox scope.",
                    names.join(", ")
                ),
                evidence: format!("admin consent on the app's service principal {sp}"),
                cause: "RBAC for Applications adds to what Entra ID grants: with that consent the app reaches every mailbox.".into(),
                fix: "Run the setup again with --remove-tenant-wide-consent to revoke it (the scope then grants what the app needs), or keep it with --scope restrict-policy.".into(),
            },
        ));
    }
    for (a, _) in &found {
        admin::remove_assignment(http, e, t, sp, &a.id)
            .await
            .map_err(|err| r.fail(i, err))?;
    }
    tracing::info!(removed = %names.join(", "), "tenant-wide consent revoked for the scope");
    Ok(())
}

/// Tenant-wide consent for the delegated style's scopes (`oauth2PermissionGrants`).
async fn delegated_consent(r: &mut Run<'_>, res: &[Resolved], sp: &str) -> Result<(), SetupError> {
    let Some(x) = res.iter().find(|x| !x.scopes.is_empty()) else {
        return Ok(());
    };
    let i = r.index(StepKind::DelegatedConsent, None);
    r.emit(i, StepStatus::Running);
    let (http, e, t) = (&r.env.http, &r.req.endpoints, r.token);
    let want: Vec<&str> = x.scopes.iter().map(|(n, _)| n.as_str()).collect();
    let existing = if r.fresh {
        Vec::new()
    } else {
        admin::grants(http, e, t, sp)
            .await
            .map_err(|err| r.fail(i, err))?
    };
    if let Some(g) = existing.iter().find(|g| g.resource_id == x.sp.id) {
        let have: Vec<&str> = g.scope.split_whitespace().collect();
        if want.iter().all(|w| have.contains(w)) {
            r.emit(i, StepStatus::Done("already granted".into()));
            return Ok(());
        }
        return Err(r.refuse(
            i,
            Diagnosis {
                summary: "A tenant-wide consent exists with other delegated permissions.".into(),
                evidence: format!("granted: {}", g.scope),
                cause: "An earlier consent for this app covers a different set of permissions."
                    .into(),
                fix: format!(
                    "In the app's API permissions, add {} and press \"Grant admin consent\" again.",
                    want.join(", ")
                ),
            },
        ));
    }
    admin::grant(http, e, t, sp, &x.sp.id, &want.join(" "))
        .await
        .map_err(|err| r.fail(i, err))?;
    r.journal
        .consented
        .push(format!("{}:delegated", x.resource.key));
    r.save()?;
    r.emit(
        i,
        StepStatus::Done(format!("granted for all users: {}", want.join(" "))),
    );
    Ok(())
}

/// Signs in as the app until its token carries every role, waiting out propagation: a new
/// secret and new consent can take a while to reach the token endpoint.
async fn verify(r: &mut Run<'_>, client_id: ClientId) -> Result<(), SetupError> {
    let i = r.index(StepKind::Verify, None);
    r.emit(i, StepStatus::Running);
    let name = r.req.name.to_string();
    let secret = r
        .env
        .with_vault(r.req.keyring, move |v| v.get(&name))
        .await
        .map_err(|err| {
            r.refuse(
                i,
                Diagnosis {
                    summary: "The secret is not in the keyring.".into(),
                    evidence: err.to_string(),
                    cause: "The keyring entry was removed while the setup ran.".into(),
                    fix: "Run the setup again: it makes a new secret.".into(),
                },
            )
        })?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    let wanted: Vec<(&str, String, Vec<String>)> = [
        (crate::catalog::GRAPH, r.req.endpoints.graph_scope()),
        (crate::catalog::EXCHANGE, r.req.endpoints.exchange_scope()),
    ]
    .into_iter()
    .map(|(resource, scope)| {
        let omitted = r.req.answers.omitted();
        let need: Vec<String> = catalog()
            .roles_needed(resource, &r.req.answers.access)
            .iter()
            .flat_map(|q| q.roles.clone())
            .filter(|n| !omitted.contains(n))
            .collect();
        (resource, scope, need)
    })
    .filter(|(_, _, need)| !need.is_empty())
    .collect();
    // With no application role to wait for (the delegated style), one token proves the secret.
    let wanted = if wanted.is_empty() {
        vec![(
            crate::catalog::GRAPH,
            r.req.endpoints.graph_scope(),
            Vec::new(),
        )]
    } else {
        wanted
    };
    let run: &Run = r;
    let results = futures_util::future::join_all(wanted.iter().map(|(resource, scope, need)| {
        roles_for(run, i, client_id, &secret, resource, scope, need, deadline)
    }))
    .await;
    let mut seen = Vec::new();
    for roles in results {
        seen.extend(roles?);
    }
    r.emit(i, StepStatus::Done(format!("roles: {}", seen.join(", "))));
    Ok(())
}

/// The app's roles on one resource once they include `need`, retrying while a new secret or
/// consent propagates.
#[allow(clippy::too_many_arguments)]
async fn roles_for(
    r: &Run<'_>,
    i: usize,
    client_id: ClientId,
    secret: &crate::model::Secret,
    resource: &str,
    scope: &str,
    need: &[String],
    deadline: tokio::time::Instant,
) -> Result<Vec<String>, SetupError> {
    loop {
        let got = client_credentials(
            &r.env.http,
            &r.req.endpoints,
            &r.req.tenant_id,
            &client_id,
            secret,
            scope,
        )
        .await;
        let waiting = tokio::time::Instant::now() < deadline;
        match got {
            Ok(tok) if need.iter().all(|n| tok.claims.roles.contains(n)) => {
                return Ok(tok.claims.roles.clone());
            }
            Ok(_) if waiting => {}
            Ok(tok) => {
                let missing: Vec<String> = need
                    .iter()
                    .filter(|n| !tok.claims.roles.contains(n))
                    .cloned()
                    .collect();
                return Err(r.refuse(
                    i,
                    diagnose::missing_roles(
                        &tok.claims.roles,
                        &missing,
                        &catalog().resource(resource).name,
                    ),
                ));
            }
            Err(CloudError::Aad(a)) if waiting && (a.has_code(7000215) || a.has_code(700016)) => {}
            Err(err) if waiting && err.is_transient() => {}
            Err(err) => return Err(r.fail(i, err)),
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_admin_client_cannot_be_assumed_to_consent() {
        let d = not_enough_rights("alice@contoso.example");
        assert!(d.fix.contains("--guided"));
    }
}
