//! The administrator's sign-ins as the command line tells them: each device code or browser
//! URL on stderr, a failed sign-in as a diagnosis and its exit.

use crate::app::Env;
use crate::app::setup::ExchangeAdmin;
use crate::app::sign_in::{self, AdminSession, ExchangeNews, SignInError, SignInNews};
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
    let mut asked = false;
    let method = env.sign_in.method;
    sign_in::admin(env, e, tenant_id, client_id, purpose, method, |news| {
        tell(&news, &format!("an administrator of {tenant}"));
        if !std::mem::replace(&mut asked, true) {
            eprintln!("{}", purpose.asks());
        }
    })
    .await
    .map_err(sign_in_failed)
}

/// A token for Exchange Online administration: the first sign-in's, or a second sign-in's;
/// why not, for the caller to stop on (`sign_in_failed`) or go on without Exchange.
pub async fn exchange(
    env: &Env,
    e: &Endpoints,
    tenant_id: TenantId,
    admin_client_id: ClientId,
    exchange_client_id: ClientId,
    session: &AdminSession,
) -> Result<ExchangeAdmin, SignInError> {
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
            ExchangeNews::Shown(news) => {
                if matches!(news, SignInNews::Browser { .. }) {
                    eprintln!("{}", sign_in::EXCHANGE_BROWSER_UNCONFIRMED);
                }
                tell(&news, "an Exchange administrator")
            }
        },
    )
    .await
}

/// One step of a sign-in, on stderr: the code to enter, or the URL to open (always printed,
/// also when a browser was started on it).
fn tell(news: &SignInNews<'_>, who: &str) {
    match news {
        SignInNews::Code(code) => eprintln!(
            "To sign in as {who}, open {} and enter the code {}",
            code.verification_uri, code.user_code
        ),
        SignInNews::DeviceCodeBlocked(d) => eprintln!(
            "{} ({})\nContinuing with the sign-in in the browser instead.",
            d.summary, d.evidence
        ),
        SignInNews::Browser { url, opened } => {
            match opened {
                Ok(()) => eprintln!(
                    "To sign in as {who}, finish the sign-in in your browser; if none opened, open this URL on this machine:"
                ),
                Err(why) => eprintln!(
                    "No browser could be started ({why}). To sign in as {who}, open this URL in a browser on this machine:"
                ),
            }
            eprintln!("{url}");
        }
    }
}

pub fn sign_in_failed(err: SignInError) -> Exit {
    failed(&err.diagnosis, err.unavailable)
}
