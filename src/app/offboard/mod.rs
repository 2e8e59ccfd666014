//! `remove PROFILE --from-tenant`: what the setup made, removed in order (`plan.rs`), each
//! removal looked for first so that an interrupted run resumes with the next one (a look that
//! finds nothing counts as removed); then proof that the client gets no token, the profile and
//! its keyring entry forgotten, and an offboarding record written (docs/offboarding.md).

mod exchange;
mod plan;
mod record;

use crate::app::Env;
use crate::app::setup::ExchangeAdmin;
use crate::app::sign_in::AdminSession;
use crate::cloud::CloudError;
use crate::cloud::admin::GraphAdmin;
use crate::cloud::exchange_admin::Cmdlets;
use crate::cloud::identity::{assertion_credentials, client_credentials};
use crate::model::{Credential, Diagnosis, ObjectId, Profile, ProfileName};
use crate::store::Journal;

pub use plan::{Left, Plan, Removal, RemovalKind, plan, plan_json};
pub use record::Record;

/// Why the removal stopped.
#[derive(Debug)]
pub struct OffboardError {
    pub diagnosis: Diagnosis,
    pub unavailable: bool,
    /// A refusal before anything was changed (a shared app, no journal): a usage error.
    pub refused: bool,
}

impl OffboardError {
    fn refused(summary: String, cause: &str, fix: String) -> OffboardError {
        OffboardError {
            diagnosis: Diagnosis {
                summary,
                evidence: String::new(),
                cause: cause.into(),
                fix,
            },
            unavailable: false,
            refused: true,
        }
    }
}

/// What one removal came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Done {
    Removed,
    /// Nothing found: removed before (an earlier run, or by hand).
    AlreadyGone,
    /// Kept, and why.
    Kept(String),
}

/// The other profiles that sign in as the same app (same tenant and client ID).
pub fn sharing(env: &Env, p: &Profile) -> Vec<ProfileName> {
    env.profiles()
        .list()
        .into_iter()
        .flatten()
        .filter(|o| o.name != p.name && o.client_id == p.client_id && o.tenant_id == p.tenant_id)
        .map(|o| o.name)
        .collect()
}

/// The setup journal of the profile's app, or why there is nothing to remove from the tenant.
pub fn prepare(env: &Env, p: &Profile) -> Result<(Journal, Plan), OffboardError> {
    let others = sharing(env, p);
    if !others.is_empty() {
        let names: Vec<String> = others.iter().map(|n| n.to_string()).collect();
        return Err(OffboardError::refused(
            format!(
                "The app of profile {} (client ID {}) is also used by profile {}: nothing was removed.",
                p.name,
                p.client_id,
                names.join(", ")
            ),
            "Removing the app from the tenant would stop the other profile too.",
            format!(
                "Forget this profile only (`m365-mail-wizard forget {}`), or remove {} first.",
                p.name,
                names.join(", ")
            ),
        ));
    }
    let journal = crate::app::exports::setup_journal(env, p).ok_or_else(|| {
        OffboardError::refused(
            format!(
                "Profile {} has no setup journal of its app: the wizard does not know what it made in the tenant.",
                p.name
            ),
            "The app was set up elsewhere (add), or by another machine.",
            format!(
                "Remove the app in the admin center; `m365-mail-wizard forget {}` removes the profile.",
                p.name
            ),
        )
    })?;
    let plan = plan(&journal, p);
    Ok((journal, plan))
}

/// Carries out `plan`, telling each removal as it settles; the record once the profile is gone.
pub async fn run(
    env: &Env,
    p: &Profile,
    journal: &Journal,
    plan: &Plan,
    session: &AdminSession,
    ex: Option<&ExchangeAdmin>,
    mut tell: impl FnMut(&Removal, &Done),
) -> Result<Record, OffboardError> {
    let e = env.endpoints(p);
    let started = crate::app::now_rfc3339();
    // Read before anything goes: the proof at the end signs in with it.
    let credential = env.secret(p).await.ok();
    let graph = GraphAdmin::new(&env.http, &e, &session.token);
    let mut record = Record::new(p, journal, started);
    for (n, r) in plan.removals.iter().enumerate() {
        let done = match (&r.kind, ex) {
            (RemovalKind::Application { object_id }, _) => delete_app(graph, object_id)
                .await
                .map_err(|err| failed(r, &err))?,
            (kind, Some(ex)) => {
                let cmdlets = Cmdlets::new(&env.http, &e, p.tenant_id, &ex.token, &ex.upn);
                exchange::remove(&cmdlets, journal, p, kind)
                    .await
                    .map_err(|err| failed(r, &err))?
            }
            (_, None) => Done::Kept("no Exchange Online sign-in".into()),
        };
        tell(r, &done);
        record.note(r, &done);
        crash_point(n);
    }
    record.left.extend(plan.left.iter().cloned());
    record.token = Some(match &credential {
        Some(c) => token_refused(env, p, c).await,
        None => Err("the keyring entry could not be read: the refusal was not tried".into()),
    });
    let forgot = crate::app::forget_profile(env, p).await;
    record.local = match &forgot {
        Ok(said) => said.clone(),
        Err(err) => format!("the profile could not be forgotten: {err}"),
    };
    record.finish();
    record.path = record::write(env, &record).ok();
    Ok(record)
}

async fn delete_app(graph: GraphAdmin<'_>, object_id: &str) -> Result<Done, CloudError> {
    let Ok(id) = ObjectId::parse(object_id) else {
        return Ok(Done::Kept(format!("{object_id} is no object ID")));
    };
    if graph.application(id).await?.is_none() {
        return Ok(Done::AlreadyGone);
    }
    Ok(if graph.delete_application(id).await? {
        Done::Removed
    } else {
        Done::AlreadyGone
    })
}

/// Asks for a token as the app: `Ok` with Entra ID's refusal, `Err` when a token came (or the
/// question could not be put).
async fn token_refused(
    env: &Env,
    p: &Profile,
    credential: &crate::model::Secret,
) -> Result<String, String> {
    let e = env.endpoints(p);
    let scope = e.graph_scope();
    let asked = match &p.credential {
        Credential::Secret => {
            client_credentials(
                &env.http,
                &e,
                &p.tenant_id,
                &p.client_id,
                credential,
                &scope,
            )
            .await
        }
        Credential::Certificate { thumbprint } => {
            assertion_credentials(
                &env.http,
                &e,
                &p.tenant_id,
                &p.client_id,
                credential,
                &thumbprint.sha256,
                &scope,
            )
            .await
        }
    };
    match asked {
        Ok(_) => Err("Microsoft Entra ID still issued a token to the client".into()),
        Err(err) if err.is_unavailable() => {
            Err(format!("the token endpoint did not answer: {err}"))
        }
        Err(err) => Ok(err.to_string()),
    }
}

fn failed(r: &Removal, err: &CloudError) -> OffboardError {
    OffboardError {
        diagnosis: Diagnosis {
            summary: format!("{}: not done.", r.title),
            evidence: err.to_string(),
            cause: if err.is_unavailable() {
                "Microsoft's service did not answer.".into()
            } else {
                "Microsoft refused the removal.".into()
            },
            fix: format!(
                "Run the same command again: what is gone is found gone and the removal goes on. By hand: {}",
                r.powershell
            ),
        },
        unavailable: err.is_unavailable(),
        refused: false,
    }
}

/// A test's crash after the `n`th removal (`M365MW_CRASH_AFTER=remove:N`).
fn crash_point(n: usize) {
    if std::env::var("M365MW_CRASH_AFTER").is_ok_and(|v| v == format!("remove:{n}")) {
        std::process::exit(137);
    }
}
