//! Every sign-in the wizard asks of a person, written once for both front ends: the
//! administrator's device code, and the second one Exchange Online administration may need.
//! The front end is told each code to show through a callback, and presents the outcome.

use super::Env;
use super::setup::{ExchangeAdmin, graph_diagnosis};
use crate::cloud::CloudError;
use crate::cloud::device::{self, DeviceCode, DeviceFlow};
pub use crate::cloud::device::{AdminSession, default_admin_client, exchange_admin_client};
use crate::cloud::diagnose::{Context, Stage, diagnose};
use crate::model::{AdminPurpose, ClientId, Diagnosis, Endpoints, TenantId};

/// A sign-in that did not end with a session: why, and whether a dependency was unreachable.
#[derive(Debug)]
pub struct SignInError {
    pub diagnosis: Diagnosis,
    pub unavailable: bool,
}

impl SignInError {
    fn new(diagnosis: Diagnosis, unavailable: bool) -> SignInError {
        SignInError {
            diagnosis,
            unavailable,
        }
    }
}

/// The administrator's device-code sign-in to `tenant_id` with `client_id`, asking for the
/// permissions `purpose` needs; `show` is given the code to show as soon as there is one.
pub async fn admin(
    env: &Env,
    endpoints: &Endpoints,
    tenant_id: TenantId,
    client_id: ClientId,
    purpose: AdminPurpose,
    show: impl FnOnce(&DeviceCode),
) -> Result<AdminSession, SignInError> {
    let flow = DeviceFlow::new(&env.http, endpoints, tenant_id, client_id);
    let refused = |e: &CloudError| refused(e, tenant_id, client_id, endpoints);
    let code = flow
        .start(purpose)
        .await
        .map_err(|e| SignInError::new(refused(&e), e.is_unavailable()))?;
    show(&code);
    flow.wait(&code)
        .await
        .map_err(|e| not_signed_in(&e, refused(&e)))
}

/// A sign-in that did not complete: one the person declined is a failure (exit 1); one whose
/// code ran out, or whose service could not be reached, is "unavailable" (exit 3).
fn not_signed_in(e: &CloudError, refused: Diagnosis) -> SignInError {
    let timed_out = matches!(e, CloudError::Aad(a) if a.error == "expired_token");
    SignInError::new(ended(e).unwrap_or(refused), timed_out || e.is_unavailable())
}

/// What the Exchange sign-in has to tell the person on its way.
pub enum ExchangeNews<'a> {
    /// The first sign-in's refresh token was refused for Exchange (why): a second one follows.
    SecondSignIn(&'a CloudError),
    /// The second sign-in's code, to show.
    Code(&'a DeviceCode),
}

/// The token for Exchange Online administration: from the first sign-in when the identity
/// platform allows it, otherwise from a second device-code sign-in with `exchange_client_id`.
pub async fn exchange(
    env: &Env,
    endpoints: &Endpoints,
    tenant_id: TenantId,
    admin_client_id: ClientId,
    exchange_client_id: ClientId,
    session: &AdminSession,
    mut tell: impl FnMut(ExchangeNews<'_>),
) -> Result<ExchangeAdmin, SignInError> {
    let scope = device::exchange_scope_string(endpoints);
    let first = DeviceFlow::new(&env.http, endpoints, tenant_id, admin_client_id);
    let ex = match first.refresh_for(session, &scope).await {
        Ok(s) => s,
        Err(why) => {
            tell(ExchangeNews::SecondSignIn(&why));
            let second = DeviceFlow::new(&env.http, endpoints, tenant_id, exchange_client_id);
            let refused = |e: &CloudError| refused(e, tenant_id, exchange_client_id, endpoints);
            let code = second
                .start_for(&scope)
                .await
                .map_err(|e| SignInError::new(refused(&e), e.is_unavailable()))?;
            tell(ExchangeNews::Code(&code));
            second
                .wait(&code)
                .await
                .map_err(|e| not_signed_in(&e, refused(&e)))?
        }
    };
    Ok(ExchangeAdmin {
        upn: ex.who().to_string(),
        token: ex.token,
    })
}

/// A sign-in the identity platform refused (or could not be reached for), with the tenant and
/// the public client filled in.
fn refused(e: &CloudError, tenant: TenantId, client: ClientId, endpoints: &Endpoints) -> Diagnosis {
    let (tenant, client) = (tenant.to_string(), client.to_string());
    match e {
        // A 403 from Graph is the account's rights, said the way the setup says it.
        CloudError::Graph(_) => graph_diagnosis(e, &tenant, &endpoints.portal),
        _ => diagnose(
            e,
            &Context {
                stage: Stage::Token,
                tenant: &tenant,
                client_id: &client,
                mailbox: None,
                portal: &endpoints.portal,
            },
        ),
    }
}

/// A sign-in the person ended, or let run out, rather than one the service refused.
fn ended(e: &CloudError) -> Option<Diagnosis> {
    let CloudError::Aad(a) = e else { return None };
    match a.error.as_str() {
        "authorization_declined" => Some(Diagnosis {
            summary: "The sign-in was declined.".into(),
            evidence: a.short_description().to_string(),
            cause: "Someone pressed \"No\" or \"Cancel\" on the sign-in page.".into(),
            fix: "Start the sign-in again for a new code, and approve it.".into(),
        }),
        "expired_token" => Some(Diagnosis {
            summary: "The sign-in code expired.".into(),
            evidence: a.short_description().to_string(),
            cause: "Nobody entered the code within its lifetime (15 minutes).".into(),
            fix: "Start the sign-in again for a new code.".into(),
        }),
        _ => None,
    }
}
