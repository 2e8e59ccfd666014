//! Every sign-in the wizard asks of a person, written once for both front ends: the
//! administrator's device code, and the second one Exchange Online administration may need.
//! The front end is told each code to show through a callback, and presents the outcome.

use super::Env;
use super::setup::{ExchangeAdmin, exchange_diagnosis, graph_diagnosis};
use crate::cloud::CloudError;
use crate::cloud::device::{self, DeviceCode, DeviceFlow};
pub use crate::cloud::device::{AdminSession, default_admin_client, exchange_admin_client};
use crate::model::{ClientId, Diagnosis, Endpoints, TenantId};

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

/// The administrator's device-code sign-in to `tenant_id` with `client_id`; `show` is given the
/// code to show as soon as there is one.
pub async fn admin(
    env: &Env,
    endpoints: &Endpoints,
    tenant_id: TenantId,
    client_id: ClientId,
    show: impl FnOnce(&DeviceCode),
) -> Result<AdminSession, SignInError> {
    let tenant = tenant_id.to_string();
    let refused = |e: CloudError| graph_diagnosis(&e, &tenant, &endpoints.portal);
    let flow = DeviceFlow::new(&env.http, endpoints, tenant_id, client_id);
    let code = flow.start().await.map_err(|e| {
        let unavailable = e.is_unavailable();
        SignInError::new(refused(e), unavailable)
    })?;
    show(&code);
    flow.wait(&code)
        .await
        .map_err(|e| SignInError::new(ended(&e).unwrap_or_else(|| refused(e)), false))
}

/// The token for Exchange Online administration: from the first sign-in when the identity
/// platform allows it, otherwise from a second device-code sign-in with `exchange_client_id`,
/// whose code `show` is given together with why the first one could not serve.
pub async fn exchange(
    env: &Env,
    endpoints: &Endpoints,
    tenant_id: TenantId,
    admin_client_id: ClientId,
    exchange_client_id: ClientId,
    session: &AdminSession,
    show: impl FnOnce(&DeviceCode, &CloudError),
) -> Result<ExchangeAdmin, SignInError> {
    const WHAT: &str = "the Exchange Online sign-in";
    let scope = device::exchange_scope_string(endpoints);
    let first = DeviceFlow::new(&env.http, endpoints, tenant_id, admin_client_id);
    let ex = match first.refresh_for(session, &scope).await {
        Ok(s) => s,
        Err(why) => {
            let second = DeviceFlow::new(&env.http, endpoints, tenant_id, exchange_client_id);
            let code = second
                .start_for(&scope)
                .await
                .map_err(|e| SignInError::new(exchange_diagnosis(&e, WHAT), true))?;
            show(&code, &why);
            second.wait(&code).await.map_err(|e| {
                let d = ended(&e).unwrap_or_else(|| exchange_diagnosis(&e, WHAT));
                SignInError::new(d, false)
            })?
        }
    };
    Ok(ExchangeAdmin {
        upn: ex.who().to_string(),
        token: ex.token,
    })
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
