//! Reading back one step the administrator did by hand: the app in the tenant, its sign-in with
//! the pasted secret, its consents (as the signed-in administrator, else from the app's own
//! tokens) and the Exchange Online steps. What cannot be read is said to be not verified.

use super::{AppSecret, exchange, prove_secret, token_roles};
use crate::app::Env;
use crate::app::setup::ExchangeAdmin;
use crate::catalog::catalog;
use crate::cloud::CloudError;
use crate::cloud::admin::GraphAdmin;
use crate::cloud::diagnose::{Context, Stage, diagnose};
use crate::cloud::identity::AccessToken;
use crate::model::{ClientId, Diagnosis, Endpoints, ObjectId, Secret, StepStatus, TenantId};
use crate::plan::{SetupAnswers, StepKind};

/// The app as far as the administrator pasted it, and what is known of it.
pub struct PastedApp<'a> {
    pub endpoints: &'a Endpoints,
    /// The tenant as the administrator named it (for the diagnoses).
    pub tenant: &'a str,
    pub tenant_id: TenantId,
    pub client_id: ClientId,
    /// The app's service principal (Enterprise application), once known.
    pub sp_object_id: Option<ObjectId>,
    /// The secret pasted at the secret step, for the steps after it.
    pub secret: Option<&'a Secret>,
}

/// The plan step to read back.
pub struct StepToRead<'a> {
    pub kind: StepKind,
    /// A consent step's permission, or an Exchange step's key.
    pub permission: Option<&'a str>,
    /// A consent step's resource (catalog key).
    pub resource: Option<&'a str>,
    pub answers: &'a SetupAnswers,
}

/// Who may read: the signed-in administrator (Graph), and their Exchange Online sign-in.
#[derive(Clone, Copy, Default)]
pub struct Readers<'a> {
    pub graph: Option<&'a AccessToken>,
    pub exchange: Option<&'a ExchangeAdmin>,
}

/// What reading a step back found.
#[derive(Debug)]
pub struct ReadBack {
    pub status: StepStatus,
    /// The app's service principal, when this step learned it.
    pub sp_object_id: Option<ObjectId>,
}

impl ReadBack {
    fn status(status: StepStatus) -> ReadBack {
        ReadBack {
            status,
            sp_object_id: None,
        }
    }
}

fn unverified(why: impl Into<String>) -> ReadBack {
    ReadBack::status(StepStatus::Unverified(why.into()))
}

fn done(what: impl Into<String>) -> ReadBack {
    ReadBack::status(StepStatus::Done(what.into()))
}

fn failed(d: Diagnosis) -> ReadBack {
    ReadBack::status(StepStatus::Failed(d))
}

/// Reads back `step` of `app` with what `readers` allow.
pub async fn read_back(
    env: &Env,
    app: &PastedApp<'_>,
    step: &StepToRead<'_>,
    readers: Readers<'_>,
) -> ReadBack {
    match step.kind {
        StepKind::CreateApp => match readers.graph {
            Some(token) => app_in_tenant(env, app, token).await,
            None => {
                unverified("no administrator is signed in: the secret's sign-in proves the app")
            }
        },
        StepKind::AddSecret => secret_signs_in(env, app).await,
        StepKind::Consent => consent(env, app, step, readers.graph).await,
        StepKind::DelegatedConsent => match readers.graph {
            Some(token) => delegated_consent(env, app, step, token).await,
            None => unverified(
                "no administrator is signed in, and only an administrator can read a delegated consent",
            ),
        },
        StepKind::Exchange | StepKind::ExchangeTest => match (readers.exchange, app.sp_object_id) {
            (Some(ex), Some(sp)) => ReadBack::status(exchange::read(env, app, sp, step, ex).await),
            (None, _) => unverified(
                "no Exchange administrator is signed in, so nothing could read Exchange Online",
            ),
            (_, None) => unverified("the app's service principal is not known yet"),
        },
        _ => unverified("the wizard has nothing to read for this step"),
    }
}

fn app_secret<'a>(app: &'a PastedApp<'a>, secret: &'a Secret) -> AppSecret<'a> {
    AppSecret {
        endpoints: app.endpoints,
        tenant_id: &app.tenant_id,
        client_id: &app.client_id,
        secret,
    }
}

/// The pasted client ID names an app of the tenant; its Object ID pasted instead is recognised.
async fn app_in_tenant(env: &Env, app: &PastedApp<'_>, token: &AccessToken) -> ReadBack {
    let graph = GraphAdmin::new(&env.http, app.endpoints, token);
    let id = app.client_id;
    let could_not = |e: CloudError| unverified(format!("the tenant could not be read ({e})"));
    match graph.find_application(id).await {
        Err(e) => could_not(e),
        Ok(Some(a)) => match graph.find_service_principal(id).await {
            Err(e) => could_not(e),
            Ok(None) => failed(Diagnosis {
                summary: format!("\"{}\" has no Enterprise application yet.", a.display_name),
                evidence: format!("no service principal with appId {id}"),
                cause: "Registering in the portal makes it; an app registered another way may lack it.".into(),
                fix: "In Entra admin center › Enterprise applications, or with New-MgServicePrincipal -AppId, create it; then press enter again.".into(),
            }),
            Ok(Some(sp)) => ReadBack {
                status: StepStatus::Done(format!(
                    "\"{}\" is registered; its Enterprise application's object ID is {}",
                    a.display_name, sp.id
                )),
                sp_object_id: Some(sp.id),
            },
        },
        Ok(None) => match graph.application(ObjectId(id.0)).await {
            Ok(Some(a)) => failed(Diagnosis {
                summary: format!(
                    "That is the Object ID of \"{}\". Its Application (client) ID is {} — the line above the Object ID on the Overview page.",
                    a.display_name, a.app_id
                ),
                evidence: format!("no app has the client ID {id}; an app has it as its Object ID"),
                cause: "The Overview page shows both IDs; the Object ID was copied.".into(),
                fix: "Paste the Application (client) ID.".into(),
            }),
            Ok(None) => failed(Diagnosis {
                summary: "No app in this tenant has this client ID: copy \"Application (client) ID\" from the app's Overview page.".into(),
                evidence: format!("no application with appId {id}"),
                cause: "The ID was mistyped, or the app was registered in another tenant.".into(),
                fix: "Copy the Application (client) ID again, and check the directory the portal shows (top right).".into(),
            }),
            Err(e) => could_not(e),
        },
    }
}

/// The app signs in with the pasted secret; the token names its service principal.
async fn secret_signs_in(env: &Env, app: &PastedApp<'_>) -> ReadBack {
    let Some(secret) = app.secret else {
        return unverified("no secret was pasted");
    };
    match prove_secret(env, &app_secret(app, secret)).await {
        Ok(t) => ReadBack {
            status: StepStatus::Done("the app signed in with the pasted secret".into()),
            sp_object_id: ObjectId::parse(&t.claims.oid).ok(),
        },
        Err(e) => {
            let client = app.client_id.to_string();
            let d = diagnose(
                &e,
                &Context {
                    stage: Stage::Token,
                    tenant: app.tenant,
                    client_id: &client,
                    mailbox: None,
                    portal: &app.endpoints.portal,
                },
            );
            failed(d)
        }
    }
}

/// A missing consent, in words.
fn not_granted(permission: &str, resource: &str, evidence: String) -> Diagnosis {
    Diagnosis {
        summary: format!("{permission} on {resource} is not granted yet."),
        evidence,
        cause: "The permission was not added as an application permission, or \"Grant admin consent\" was not pressed (a new consent can take a minute to show in the app's tokens).".into(),
        fix: format!("In the app's API permissions, {permission} must say \"Granted for\" your organisation; then press enter to read it again."),
    }
}

/// Admin consent for one application permission: read as the administrator, or from the roles
/// in the app's own token for the resource.
async fn consent(
    env: &Env,
    app: &PastedApp<'_>,
    step: &StepToRead<'_>,
    admin: Option<&AccessToken>,
) -> ReadBack {
    let (Some(permission), Some(key)) = (step.permission, step.resource) else {
        return unverified("the step names no permission");
    };
    let resource = catalog().resource(key);
    if let Some(token) = admin {
        let graph = GraphAdmin::new(&env.http, app.endpoints, token);
        return match granted_roles(&graph, app.client_id, &resource.app_id).await {
            Ok((roles, res)) if roles.iter().any(|r| res.role_id(permission) == Some(r)) => done(
                format!("{permission} is granted (read as the administrator)"),
            ),
            Ok(_) => failed(not_granted(
                permission,
                &resource.name,
                "the app's service principal holds no such app role assignment".into(),
            )),
            Err(e) => unverified(format!("the app's consents could not be read ({e})")),
        };
    }
    let Some(secret) = app.secret else {
        return unverified("no administrator is signed in and no secret was pasted");
    };
    match token_roles(env, &app_secret(app, secret), key).await {
        Ok(roles) if roles.iter().any(|r| r == permission) => done(format!(
            "the app's {} token carries {permission}",
            resource.name
        )),
        Ok(roles) => failed(not_granted(
            permission,
            &resource.name,
            format!(
                "roles in the app's {} token: {}",
                resource.name,
                or_none(&roles)
            ),
        )),
        Err(e) => unverified(format!("the app could not sign in to read it ({e})")),
    }
}

fn or_none(v: &[String]) -> String {
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

/// The app's app role assignments, and the resource's service principal (its role ids).
async fn granted_roles(
    graph: &GraphAdmin<'_>,
    client_id: ClientId,
    resource_app_id: &str,
) -> Result<(Vec<String>, crate::cloud::admin::ServicePrincipal), CloudError> {
    let (sp, res) = service_principals(graph, client_id, resource_app_id).await?;
    let roles = graph
        .assignments(sp)
        .await?
        .into_iter()
        .filter(|a| a.resource_id == res.id)
        .map(|a| a.app_role_id)
        .collect();
    Ok((roles, res))
}

/// The app's service principal's id and the resource's service principal.
async fn service_principals(
    graph: &GraphAdmin<'_>,
    client_id: ClientId,
    resource_app_id: &str,
) -> Result<(ObjectId, crate::cloud::admin::ServicePrincipal), CloudError> {
    let missing = |what: &str| CloudError::Unexpected {
        status: 404,
        detail: format!("no service principal for {what}"),
    };
    let sp = graph
        .find_service_principal(client_id)
        .await?
        .ok_or_else(|| missing("the app"))?;
    let res_id = ClientId::parse(resource_app_id).map_err(|_| missing(resource_app_id))?;
    let res = graph
        .find_service_principal(res_id)
        .await?
        .ok_or_else(|| missing(resource_app_id))?;
    Ok((sp.id, res))
}

/// Tenant-wide consent for the delegated scopes, read as the administrator.
async fn delegated_consent(
    env: &Env,
    app: &PastedApp<'_>,
    step: &StepToRead<'_>,
    token: &AccessToken,
) -> ReadBack {
    let Some((resource, scopes)) = step.answers.delegated_scopes() else {
        return unverified("the access asks for no delegated permission");
    };
    let graph = GraphAdmin::new(&env.http, app.endpoints, token);
    let read = async {
        let (sp, res) = service_principals(&graph, app.client_id, &resource.app_id).await?;
        let granted: Vec<String> = graph
            .grants(sp)
            .await?
            .into_iter()
            .filter(|g| g.resource_id == res.id)
            .flat_map(|g| {
                g.scope
                    .split_whitespace()
                    .map(String::from)
                    .collect::<Vec<_>>()
            })
            .collect();
        Ok::<_, CloudError>(granted)
    };
    match read.await {
        Ok(granted) => {
            let missing: Vec<&String> = scopes.iter().filter(|s| !granted.contains(s)).collect();
            if missing.is_empty() {
                done("granted for the whole organisation (read as the administrator)")
            } else {
                let names: Vec<String> = missing.iter().map(|s| s.to_string()).collect();
                failed(not_granted(
                    &names.join(", "),
                    &resource.name,
                    format!("granted: {}", or_none(&granted)),
                ))
            }
        }
        Err(e) => unverified(format!("the app's consents could not be read ({e})")),
    }
}
