//! The administrator's sign-ins as the command line tells them: each device code on stderr,
//! a failed sign-in as a diagnosis and its exit.

use crate::app::Env;
use crate::app::setup::ExchangeAdmin;
use crate::app::sign_in::{self, AdminSession, ExchangeNews, SignInError};
use crate::cli::Exit;
use crate::cli::output::failed;
use crate::model::{AdminPurpose, ClientId, Endpoints, TenantId};

/// The device-code sign-in of an administrator of `tenant` (its ID `tenant_id`), for `purpose`.
pub async fn admin(
    env: &Env,
    e: &Endpoints,
    tenant_id: TenantId,
    tenant: &str,
    client_id: ClientId,
    purpose: AdminPurpose,
) -> Result<AdminSession, Exit> {
    sign_in::admin(env, e, tenant_id, client_id, purpose, |code| {
        eprintln!(
            "To sign in as an administrator of {tenant}, open {} and enter the code {}",
            code.verification_uri, code.user_code
        );
        eprintln!("{}", purpose.asks());
    })
    .await
    .map_err(sign_in_failed)
}

/// A token for Exchange Online administration: the first sign-in's, or a second sign-in's.
pub async fn exchange(
    env: &Env,
    e: &Endpoints,
    tenant_id: TenantId,
    admin_client_id: ClientId,
    exchange_client_id: ClientId,
    session: &AdminSession,
) -> Result<ExchangeAdmin, Exit> {
    sign_in::exchange(
        env,
        e,
        tenant_id,
        admin_client_id,
        exchange_client_id,
        session,
        |news| match news {
            ExchangeNews::SecondSignIn(why) => eprintln!(
                "The first sign-in cannot be reused for Exchange Online administration ({why}). Sign in once more, for Exchange:"
            ),
            ExchangeNews::Code(code) => eprintln!(
                "To sign in as an Exchange administrator, open {} and enter the code {}",
                code.verification_uri, code.user_code
            ),
        },
    )
    .await
    .map_err(sign_in_failed)
}

fn sign_in_failed(err: SignInError) -> Exit {
    failed(&err.diagnosis, err.unavailable)
}
