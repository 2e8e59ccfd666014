//! Every sign-in the wizard asks of a person, written once for both front ends: the
//! administrator's device code or browser sign-in, and the second one Exchange Online
//! administration may need. The front end is told each code or URL to show through a
//! callback, and presents the outcome.

use std::time::Duration;

use super::Env;
use super::setup::{ExchangeAdmin, graph_diagnosis};
pub use super::user_sign_in::{UserAsk, UserNews};
use crate::cloud::CloudError;
use crate::cloud::browser::{self, BrowserError, BrowserSignIn};
use crate::cloud::device::{self, DeviceCode, DeviceFlow};
pub use crate::cloud::device::{AdminSession, default_admin_client, exchange_admin_client};
use crate::cloud::diagnose::{Context, Stage, device_code_blocked, diagnose};
use crate::model::{AdminPurpose, ClientId, Diagnosis, Endpoints, SignInMethod, TenantId};

/// How administrators sign in during this run.
#[derive(Clone, Copy, Debug)]
pub struct SignInOptions {
    pub method: SignInMethod,
    /// How long a browser sign-in waits for the browser to come back; zero: a device code
    /// refused by Conditional Access is not followed by a browser sign-in.
    pub browser_wait: Duration,
    /// The loopback port tried first (0: any free port).
    pub port: u16,
}

/// Three minutes: long enough to sign in with multifactor authentication.
pub const BROWSER_WAIT: Duration = Duration::from_secs(180);

impl Default for SignInOptions {
    fn default() -> SignInOptions {
        SignInOptions {
            method: SignInMethod::DeviceCode,
            browser_wait: BROWSER_WAIT,
            port: 0,
        }
    }
}

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

/// What a sign-in has to show the person on its way.
pub enum SignInNews<'a> {
    /// A device code to enter.
    Code(&'a DeviceCode),
    /// The device code was refused by Conditional Access (why): the browser sign-in follows.
    DeviceCodeBlocked(&'a Diagnosis),
    /// The URL of a browser sign-in, always shown; whether a browser could be started on it.
    Browser {
        url: &'a str,
        opened: &'a Result<(), String>,
    },
}

/// The administrator's sign-in to `tenant_id` with `client_id` by `method`, asking for the
/// permissions `purpose` needs; `show` is told each code or URL to show.
pub async fn admin(
    env: &Env,
    endpoints: &Endpoints,
    tenant_id: TenantId,
    client_id: ClientId,
    purpose: AdminPurpose,
    method: SignInMethod,
    show: impl FnMut(SignInNews<'_>),
) -> Result<AdminSession, SignInError> {
    let scope = device::scope_string(endpoints, purpose);
    let asked = Asked {
        env,
        endpoints,
        tenant_id,
        client_id,
        scope: &scope,
    };
    asked.signed_in(method, show).await
}

/// One sign-in: who to, with which client, for which scope.
struct Asked<'a> {
    env: &'a Env,
    endpoints: &'a Endpoints,
    tenant_id: TenantId,
    client_id: ClientId,
    scope: &'a str,
}

impl Asked<'_> {
    /// By `method`: device code (falling back to the browser when Conditional Access blocks
    /// it) or browser.
    async fn signed_in(
        &self,
        method: SignInMethod,
        mut show: impl FnMut(SignInNews<'_>),
    ) -> Result<AdminSession, SignInError> {
        if method == SignInMethod::Browser {
            return self.in_browser(false, show).await;
        }
        let flow = DeviceFlow::new(
            &self.env.http,
            self.endpoints,
            self.tenant_id,
            self.client_id,
        );
        let outcome = match flow.start_for(self.scope).await {
            Ok(code) => {
                show(SignInNews::Code(&code));
                flow.wait(&code).await
            }
            Err(e) => Err(e),
        };
        let e = match outcome {
            Ok(s) => return Ok(s),
            Err(e) => e,
        };
        match device_code_blocked(&e) {
            Some(d) if !self.env.sign_in.browser_wait.is_zero() => {
                show(SignInNews::DeviceCodeBlocked(&d));
                self.in_browser(true, show).await
            }
            Some(d) => Err(SignInError::new(d, false)),
            None => Err(not_signed_in(&e, self.refused(&e))),
        }
    }

    /// The browser sign-in: the URL shown (and a browser started on it), the redirect awaited
    /// on the loopback, the code redeemed. `after_block`: the device code was refused before.
    async fn in_browser(
        &self,
        after_block: bool,
        mut show: impl FnMut(SignInNews<'_>),
    ) -> Result<AdminSession, SignInError> {
        let options = &self.env.sign_in;
        let wait = if options.browser_wait.is_zero() {
            BROWSER_WAIT
        } else {
            options.browser_wait
        };
        let (e, t, c) = (self.endpoints, self.tenant_id, self.client_id);
        let failed = |why: &BrowserError| browser_failed(why, after_block, |c| self.refused(c));
        let started = BrowserSignIn::start(e, t, c, self.scope, options.port)
            .await
            .map_err(|why| failed(&why))?;
        let opened = browser::opener::open(&started.url);
        show(SignInNews::Browser {
            url: &started.url,
            opened: &opened,
        });
        started
            .finish(&self.env.http, e, wait)
            .await
            .map_err(|why| failed(&why))
    }

    fn refused(&self, e: &CloudError) -> Diagnosis {
        refused(e, self.tenant_id, self.client_id, self.endpoints)
    }
}

/// Why a browser sign-in ended without a session, as a diagnosis.
pub(super) fn browser_failed(
    e: &BrowserError,
    after_block: bool,
    refused: impl FnOnce(&CloudError) -> Diagnosis,
) -> SignInError {
    let other_way = if after_block {
        "The device code is no way out here: Conditional Access refused it."
    } else {
        "Or sign in with a device code instead: --sign-in device-code (in the wizard: d on the sign-in screen)."
    };
    let (summary, cause, fix, unavailable) = match e {
        BrowserError::Cloud(c) => return not_signed_in(c, refused(c)),
        BrowserError::Listen(_) => (
            "The browser sign-in could not start.",
            "The wizard found no port on 127.0.0.1 to receive the browser's answer on.".to_string(),
            format!("Free a local port (or stop what holds them), then try again. {other_way}"),
            true,
        ),
        BrowserError::TimedOut(_) => (
            "The browser sign-in did not come back in time.",
            "Nobody finished the sign-in in the browser, or the browser runs on another machine and could not reach http://localhost on this one.".to_string(),
            format!(
                "Run the command again and finish the sign-in in a browser on this machine (a longer wait: --browser-wait SECONDS). {other_way}"
            ),
            true,
        ),
        BrowserError::StateMismatch => (
            "A sign-in answer that did not belong to this sign-in was refused.",
            "The answer reaching the wizard's loopback address carried another state than the one this sign-in sent: an old browser tab, another sign-in, or another program. Nothing was kept.".to_string(),
            "Start the sign-in again and finish it in the browser tab of the URL the wizard shows.".to_string(),
            false,
        ),
    };
    SignInError::new(
        Diagnosis {
            summary: summary.into(),
            evidence: e.to_string(),
            cause,
            fix,
        },
        unavailable,
    )
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
    /// The second sign-in's code or URL, to show.
    Shown(SignInNews<'a>),
}

/// Said where the Exchange sign-in happens in the browser.
pub const EXCHANGE_BROWSER_UNCONFIRMED: &str = "Microsoft does not document whether the Exchange Online PowerShell client accepts a http://localhost redirect: if the browser shows a redirect URI error, sign in with --sign-in device-code, or name a client registered with that redirect (--exchange-client-id).";

/// The token for Exchange Online administration: from the first sign-in when the identity
/// platform allows it, otherwise from a second sign-in with `exchange_client_id`, the same way
/// as the first (in the browser when the first one was).
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
            let method = if session.in_browser {
                SignInMethod::Browser
            } else {
                env.sign_in.method
            };
            let show = |news: SignInNews<'_>| tell(ExchangeNews::Shown(news));
            let asked = Asked {
                env,
                endpoints,
                tenant_id,
                client_id: exchange_client_id,
                scope: &scope,
            };
            asked.signed_in(method, show).await?
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
