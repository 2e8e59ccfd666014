//! The delegated part's live check: each mailbox user signs in to the app as its consuming
//! application does (device code with the app's own client ID, or the password flow), then
//! IMAP and SMTP run with the user's token for the user's mailbox and each shared one, and the
//! refresh token is redeemed once. The user's tokens stay in memory for the run only: never
//! stored, logged or shown. A later round of `check --wait` renews the user's sign-in with its
//! refresh token instead of asking the user again.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use tokio::sync::mpsc;

use super::Env;
use super::sign_in::{AdminSession, UserAsk, UserNews, browser_failed};
use crate::checks::{UserMail, user_mail};
use crate::cloud::CloudError;
use crate::cloud::browser::BrowserError;
use crate::cloud::diagnose::{
    UserContext, no_refresh_token, other_account, scopes_missing, user_sign_in,
};
use crate::model::{
    CheckEvent, CheckKind, CheckSpec, ConsumerSignIn, Credential, Endpoints, Mailbox, Profile,
    Secret, check_plan_as,
};

/// The delegated scopes IMAP and SMTP need, as Microsoft's page names them.
pub const MAIL_SCOPES: [&str; 2] = ["IMAP.AccessAsUser.All", "SMTP.Send"];

/// Who signs in as a mailbox user this run, and how the front end shows it.
pub struct UserSignIn {
    /// `--as-user`; none: the profile's delegated users.
    pub as_user: Option<Mailbox>,
    /// `--password-flow`: the user's password, read once and never kept.
    pub password: Option<Secret>,
    /// `--sign-in browser`: the user signs in in the browser, on the loopback redirect the
    /// profile records for the app (see [`browser_unavailable`]).
    pub browser: bool,
    pub show: Box<dyn Fn(UserNews<'_>) + Send + Sync>,
    /// Each user's latest sign-in of this run, in memory only.
    pub kept: KeptSignIns,
}

/// The sessions of the users who signed in during this run, by app and user: a later round
/// renews one with its refresh token rather than asking the user again. Dropped with the run.
#[derive(Default)]
pub struct KeptSignIns(Mutex<HashMap<String, AdminSession>>);

impl KeptSignIns {
    fn key(p: &Profile, user: &Mailbox) -> String {
        format!("{}/{}", p.client_id, user.as_str().to_ascii_lowercase())
    }

    fn take(&self, p: &Profile, user: &Mailbox) -> Option<AdminSession> {
        let mut kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        kept.remove(&Self::key(p, user))
    }

    fn keep(&self, p: &Profile, user: &Mailbox, session: AdminSession) {
        let mut kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        kept.insert(Self::key(p, user), session);
    }
}

impl UserSignIn {
    pub fn users(&self, p: &Profile) -> Vec<Mailbox> {
        match &self.as_user {
            Some(u) => vec![u.clone()],
            None => p
                .delegated
                .as_ref()
                .map(|d| d.users.clone())
                .unwrap_or_default(),
        }
    }
}

/// Why the mailbox user cannot sign in in the browser for profile `p`, with what to do; none
/// when the app registration lists a loopback redirect (as the profile records it).
pub fn browser_unavailable(p: &Profile) -> Option<String> {
    let d = p.delegated.as_ref()?;
    if d.sign_in.loopback_redirect().is_some() {
        return None;
    }
    let why = match &d.sign_in {
        ConsumerSignIn::AuthorizationCode { redirect_uri } => format!(
            "the app's registered redirect URI is {redirect_uri}, which the wizard cannot receive the sign-in on (it listens on http://localhost[:port]/ only)"
        ),
        other => format!(
            "its consuming application signs in with the {} flow, for which the setup registers no redirect URI, and the wizard cannot read the app registration with the app's own credentials",
            other.key()
        ),
    };
    Some(format!(
        "--sign-in browser signs the mailbox user in on a loopback redirect the app registration lists (http://localhost, as Microsoft registers it for apps that open the system browser), and profile {} records none: {why}. Leave --sign-in browser out to sign in with a device code (the default); or, when the consuming application itself signs in in a browser on this machine, register that address with `setup {} --delegated-sign-in authorization-code --redirect-uri http://localhost`.",
        p.name, p.name
    ))
}

/// The rows of a run: the delegated part's for the users who sign in, when anyone does.
pub fn plan(p: &Profile, sign_in: Option<&UserSignIn>) -> Vec<CheckSpec> {
    let users = sign_in.map(|s| s.users(p));
    check_plan_as(p, users.as_deref())
}

/// The scope string of the user's sign-in: Exchange Online's IMAP and SMTP scopes, and
/// `offline_access` for the refresh token.
pub fn mail_scope(endpoints: &Endpoints) -> String {
    let r = endpoints.exchange_resource.trim_end_matches('/');
    format!(
        "{r}/{} {r}/{} offline_access",
        MAIL_SCOPES[0], MAIL_SCOPES[1]
    )
}

/// Runs the rows of every user in `specs`, one user after the other (each signs in).
pub async fn run(
    env: &Env,
    p: &Profile,
    secret: &Secret,
    sign_in: &UserSignIn,
    specs: &[CheckSpec],
    tx: mpsc::UnboundedSender<(usize, CheckEvent)>,
) {
    let send = |i: usize, ev: CheckEvent| {
        let _ = tx.send((i, ev));
    };
    for user in sign_in.users(p) {
        let rows: Vec<(usize, &CheckSpec)> = specs
            .iter()
            .enumerate()
            .filter(|(_, s)| s.kind.as_user() && s.as_user.as_ref() == Some(&user))
            .collect();
        one_user(env, p, secret, sign_in, &user, &rows, &send).await;
    }
}

async fn one_user(
    env: &Env,
    p: &Profile,
    secret: &Secret,
    sign_in: &UserSignIn,
    user: &Mailbox,
    rows: &[(usize, &CheckSpec)],
    send: &impl Fn(usize, CheckEvent),
) {
    let row = |kind: CheckKind| rows.iter().find(|(_, s)| s.kind == kind).map(|(i, _)| *i);
    let (Some(token_row), Some(refresh_row)) =
        (row(CheckKind::UserToken), row(CheckKind::UserRefresh))
    else {
        return;
    };
    let endpoints = env.endpoints(p);
    let scope = mail_scope(&endpoints);
    // A confidential consuming application (authorization code) proves itself with the secret;
    // the device code and password flows are a public client's, as the consuming one's are.
    let confidential = matches!(
        p.delegated.as_ref().map(|d| &d.sign_in),
        Some(ConsumerSignIn::AuthorizationCode { .. })
    ) && p.credential == Credential::Secret;
    let ask = UserAsk {
        endpoints: &endpoints,
        tenant_id: p.tenant_id,
        client_id: p.client_id,
        secret: confidential.then_some(secret),
        user: user.as_str(),
        scope: &scope,
        password: sign_in.password.as_ref(),
    };
    let (tenant, client_id) = (p.tenant.clone(), p.client_id.to_string());
    let ctx = UserContext {
        tenant: &tenant,
        client_id: &client_id,
        user: user.as_str(),
        scopes: &MAIL_SCOPES,
        password_flow: sign_in.password.is_some(),
        portal: &endpoints.portal,
    };
    let not_run = |why: &str| {
        for (i, s) in rows {
            if s.kind != CheckKind::UserToken {
                send(
                    *i,
                    CheckEvent::Skipped {
                        reason: format!("not run: {why}"),
                    },
                );
            }
        }
    };
    send(token_row, CheckEvent::Started);
    let started = Instant::now();
    let failed = |i: usize, diagnosis, unavailable| {
        send(
            i,
            CheckEvent::Failed {
                diagnosis,
                elapsed: started.elapsed(),
                unavailable,
            },
        )
    };
    // An earlier round's sign-in is renewed with its refresh token; only the first asks.
    let earlier = sign_in.kept.take(p, user);
    let renewed = earlier.is_some();
    let refused = |e: CloudError| (user_sign_in(&e, &ctx), e.is_unavailable());
    let show = |news: UserNews<'_>| (sign_in.show)(news);
    let in_browser = sign_in
        .browser
        .then(|| p.delegated.as_ref()?.sign_in.loopback_redirect())
        .flatten();
    let signed_in = match (earlier, in_browser) {
        (Some(earlier), _) => ask
            .refresh(env, &earlier)
            .await
            .map(|s| s.keeping_refresh(earlier))
            .map_err(refused),
        (None, Some(uri)) => ask.in_browser(env, uri, show).await.map_err(|e| match e {
            BrowserError::Cloud(c) => refused(c),
            other => {
                let f = browser_failed(&other, false, |c| user_sign_in(c, &ctx));
                (f.diagnosis, f.unavailable)
            }
        }),
        (None, None) => ask.sign_in(env, show).await.map_err(refused),
    };
    let session = match signed_in {
        Ok(s) => s,
        Err((diagnosis, unavailable)) => {
            failed(token_row, diagnosis, unavailable);
            not_run(&format!("{user} did not sign in"));
            return;
        }
    };
    let claims = &session.token.claims;
    if !claims.upn.eq_ignore_ascii_case(user.as_str()) {
        failed(token_row, other_account(&claims.upn, &ctx), false);
        not_run(&format!("the token is {}'s, not {user}'s", claims.upn));
        return;
    }
    let held: Vec<&str> = claims.scp.split_whitespace().collect();
    let missing: Vec<&str> = MAIL_SCOPES
        .into_iter()
        .filter(|s| !held.contains(s))
        .collect();
    if missing.is_empty() {
        let how = match renewed {
            true => {
                "'s sign-in of an earlier round renewed with its refresh token (not asked again)"
            }
            false => " signed in",
        };
        send(
            token_row,
            CheckEvent::Passed {
                detail: format!("{user}{how}; scopes: {}", claims.scp),
                elapsed: started.elapsed(),
            },
        );
    } else {
        failed(
            token_row,
            scopes_missing(&missing, &claims.scp, &ctx),
            false,
        );
    }
    let mail = UserMail {
        endpoints: &endpoints,
        timeouts: env.timeouts,
        client_id: &client_id,
        connections: &env.connections,
    };
    user_mail(&mail, rows, &session.token, send).await;
    send(refresh_row, CheckEvent::Started);
    let started = Instant::now();
    let ev = if !session.renewable() {
        CheckEvent::Failed {
            diagnosis: no_refresh_token(&ctx),
            elapsed: started.elapsed(),
            unavailable: false,
        }
    } else {
        match ask.refresh(env, &session).await {
            Ok(refreshed) => {
                sign_in
                    .kept
                    .keep(p, user, refreshed.keeping_refresh(session));
                CheckEvent::Passed {
                    detail:
                        "the refresh token was redeemed once for a new token (offline_access works)"
                            .into(),
                    elapsed: started.elapsed(),
                }
            }
            Err(e) => CheckEvent::Failed {
                diagnosis: user_sign_in(&e, &ctx),
                elapsed: started.elapsed(),
                unavailable: e.is_unavailable(),
            },
        }
    };
    send(refresh_row, ev);
}
