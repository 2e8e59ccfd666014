//! The effects that need the signed-in administrator: the sign-ins, the setup and the
//! dashboard's upkeep.

use std::sync::Arc;

use tokio::sync::mpsc;

use super::AdminSlot;
use crate::app::sign_in::AdminSession;
use crate::app::{self as app_layer, Env};
use crate::model::{AdminPurpose, KeyringBackend, Profile};
use crate::vault::VaultError;
use crate::wizard::{self, Msg, Upkeep};

pub(super) async fn sign_in(
    env: &Env,
    slot: &Arc<AdminSlot>,
    cloud: crate::model::CloudKind,
    tenant_id: crate::model::TenantId,
    purpose: AdminPurpose,
    tx: &mpsc::UnboundedSender<Msg>,
) -> Msg {
    let endpoints = endpoints_for(env, cloud);
    let client = app_layer::sign_in::default_admin_client();
    let chosen = *slot.method.lock().unwrap_or_else(|e| e.into_inner());
    let method = chosen.unwrap_or(env.sign_in.method);
    let mut shown = false;
    let signed_in = app_layer::sign_in::admin(
        env,
        &endpoints,
        tenant_id,
        client,
        purpose,
        method,
        |news| {
            shown = true;
            let _ = tx.send(news_msg(&news));
        },
    )
    .await;
    match signed_in {
        Ok(session) => {
            let (role, lacks_rights) = match app_layer::setup::rights(&session) {
                app_layer::setup::Rights::Enough(r) => (Some(r.to_string()), false),
                app_layer::setup::Rights::NotEnough => (None, true),
                app_layer::setup::Rights::Unknown => (None, false),
            };
            let who = session.who().to_string();
            let lasts = session.token.expires_in;
            *slot.session.lock().await = Some((session, purpose));
            tell_expiry(slot, lasts, tx);
            // An Exchange Online sign-in kept for the guided path was the previous admin's.
            *slot.exchange.lock().await = None;
            Msg::SignedIn(Ok(wizard::SignedIn {
                who,
                role,
                lacks_rights,
            }))
        }
        Err(e) if shown => Msg::SignedIn(Err(e.diagnosis)),
        // No code to show: the sign-in could not start.
        Err(e) => Msg::DeviceCode(Err(format!("{} {}", e.diagnosis.summary, e.diagnosis.fix))),
    }
}

/// The kept sign-in, when its permissions cover `needed`.
pub(super) fn kept_for(
    kept: Option<&(AdminSession, AdminPurpose)>,
    needed: AdminPurpose,
) -> Option<&AdminSession> {
    kept.filter(|(_, had)| had.covers(needed))
        .map(|(session, _)| session)
}

/// Why an effect that needs a kept sign-in found none that covers it.
pub(super) fn not_signed_in() -> crate::model::Diagnosis {
    crate::model::Diagnosis {
        summary: "Nobody is signed in with the permissions this needs.".into(),
        evidence: String::new(),
        cause: "The sign-in was cancelled, or asked for less.".into(),
        fix: "Press the key again.".into(),
    }
}

/// Forgets the sign-in a little before its token expires, and tells the wizard; a later
/// sign-in makes this one's news moot.
fn tell_expiry(slot: &Arc<AdminSlot>, lasts_secs: u64, tx: &mpsc::UnboundedSender<Msg>) {
    use std::sync::atomic::Ordering;
    let this = slot.signed_in.fetch_add(1, Ordering::SeqCst) + 1;
    // A setup takes minutes: the sign-in is given up while there is still time to use it.
    let usable = lasts_secs.saturating_sub(300).max(lasts_secs / 2);
    let (slot, tx) = (slot.clone(), tx.clone());
    tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_secs(usable)).await;
        if slot.signed_in.load(Ordering::SeqCst) == this {
            *slot.session.lock().await = None;
            let _ = tx.send(Msg::SignInExpired);
        }
    });
}

/// The setup run to its end; what the wizard is told.
pub(super) async fn run_setup(
    env: &Env,
    slot: &AdminSlot,
    order: wizard::SetupOrder,
    tx: &mpsc::UnboundedSender<Msg>,
) -> Msg {
    match setup(env, slot, order, tx).await {
        Ok(profile) => Msg::SetupDone(Ok(profile)),
        Err(e) => match (&e.name_taken, e.policy()) {
            (Some(client_id), _) => Msg::AppNameTaken {
                client_id: client_id.to_string(),
            },
            (None, Some(policy)) => Msg::SecretsForbidden {
                policy: policy.to_string(),
                diagnosis: e.diagnosis.clone(),
            },
            (None, None) => Msg::SetupDone(Err(e.diagnosis)),
        },
    }
}

async fn setup(
    env: &Env,
    slot: &AdminSlot,
    order: wizard::SetupOrder,
    tx: &mpsc::UnboundedSender<Msg>,
) -> Result<Box<Profile>, app_layer::setup::SetupError> {
    let guard = slot.session.lock().await;
    let Some(session) = kept_for(guard.as_ref(), AdminPurpose::Setup) else {
        return Err(app_layer::setup::SetupError::local(
            crate::model::Diagnosis {
                summary: "Nobody is signed in for a setup.".into(),
                evidence: String::new(),
                cause: "The sign-in was cancelled.".into(),
                fix: "Go back (esc) and sign in again.".into(),
            },
        ));
    };
    let endpoints = endpoints_for(env, order.cloud);
    // The sandbox runs without a keyring too: its (fake) secrets may then live in memory.
    let keyring = match env.with_vault(env.keyring, |v| v.get("")).await {
        Err(VaultError::Unavailable(_)) if env.sandbox.is_some() => KeyringBackend::SessionMemory,
        _ => env.keyring,
    };
    let req = app_layer::setup::SetupRequest {
        name: order.name,
        tenant: order.tenant,
        tenant_id: order.tenant_id,
        cloud: order.cloud,
        endpoints,
        custom_endpoints: None,
        answers: order.answers,
        mailboxes: order.mailboxes,
        deny_mailbox: order.deny_mailbox,
        send_test: order.send_test,
        keyring,
        reuse_existing: order.reuse_app,
        remove_bypassing: false,
        certificate_if_secrets_forbidden: order.certificate_if_secrets_forbidden,
    };
    let scoped = req.answers.scope.as_ref().is_some_and(|s| !s.script_only);
    let exchange = if scoped || req.answers.delegated_steps_made() {
        Some(
            exchange_admin(env, &req.endpoints, req.tenant_id, session, tx)
                .await
                .map_err(app_layer::setup::SetupError::local)?,
        )
    } else {
        None
    };
    let (etx, mut erx) = mpsc::unbounded_channel();
    let forward = {
        let tx = tx.clone();
        tokio::spawn(async move {
            while let Some((i, st)) = erx.recv().await {
                let _ = tx.send(Msg::SetupStep(i, st));
            }
        })
    };
    let result = app_layer::setup::run(env, &req, session, exchange.as_ref(), Some(etx)).await;
    let _ = forward.await;
    result.map(Box::new)
}

/// The Exchange Online administration token; a second code is shown on screen (the sandbox
/// approves it as its admin at once).
pub(super) async fn exchange_admin(
    env: &Env,
    endpoints: &crate::model::Endpoints,
    tenant: crate::model::TenantId,
    session: &app_layer::sign_in::AdminSession,
    tx: &mpsc::UnboundedSender<Msg>,
) -> Result<app_layer::setup::ExchangeAdmin, crate::model::Diagnosis> {
    use app_layer::sign_in::{default_admin_client, exchange_admin_client};
    app_layer::sign_in::exchange(
        env,
        endpoints,
        tenant,
        default_admin_client(),
        exchange_admin_client(),
        session,
        |news| {
            if let app_layer::sign_in::ExchangeNews::Shown(news) = news {
                if let app_layer::sign_in::SignInNews::Code(code) = &news {
                    let _ = tx.send(Msg::ExchangeCode(code_view(code)));
                    if env.sandbox.is_some() {
                        sandbox_approve(env, code.user_code.clone(), None);
                    }
                } else {
                    let _ = tx.send(news_msg(&news));
                }
            }
        },
    )
    .await
    .map_err(|e| e.diagnosis)
}

/// What the sign-in screen is told of a sign-in's step.
fn news_msg(news: &app_layer::sign_in::SignInNews<'_>) -> Msg {
    use app_layer::sign_in::SignInNews;
    match news {
        SignInNews::Code(code) => Msg::DeviceCode(Ok(code_view(code))),
        SignInNews::DeviceCodeBlocked(d) => Msg::DeviceCodeBlocked(d.summary.clone()),
        SignInNews::Browser { url, opened } => Msg::BrowserSignIn(wizard::BrowserView {
            url: url.to_string(),
            not_opened: opened.as_ref().err().cloned(),
        }),
    }
}

pub(super) fn code_view(code: &crate::cloud::device::DeviceCode) -> wizard::CodeView {
    wizard::CodeView {
        user_code: code.user_code.clone(),
        uri: code.verification_uri.clone(),
        expires_in: code.expires_in,
    }
}

/// The sandbox's device-approval page, answered as its administrator (or as `user`).
pub(super) fn sandbox_approve(env: &Env, code: String, user: Option<String>) {
    let Some(sb) = env.sandbox.clone() else {
        return;
    };
    let http = env.http.clone();
    tokio::spawn(async move {
        let url = format!("{}/sandbox/device", sb.login);
        let user = user.unwrap_or_else(|| sb.admin.clone());
        let form = [
            ("user_code", code.as_str()),
            ("user", user.as_str()),
            ("decision", "approve"),
        ];
        if let Err(e) = crate::cloud::http::send(http.post(url).form(&form)).await {
            tracing::warn!(error = %e, "sandbox approval failed");
        }
    });
}

/// The sandbox's authorize page, followed as its administrator to the wizard's loopback.
pub(super) fn sandbox_browse(env: &Env, url: String) {
    let Some(sb) = env.sandbox.clone() else {
        return;
    };
    let http = env.http.clone();
    tokio::spawn(async move {
        let Ok(mut url) = reqwest::Url::parse(&url) else {
            return;
        };
        url.query_pairs_mut().append_pair("sandbox_user", &sb.admin);
        // The wizard's client follows no redirect: the loopback is visited as a second call.
        let location = match crate::cloud::http::send(http.get(url.as_str())).await {
            Ok(a) => a
                .headers
                .get(reqwest::header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .map(String::from),
            Err(e) => {
                tracing::warn!(error = %e, "sandbox authorize failed");
                return;
            }
        };
        if let Some(back) = location {
            let _ = crate::cloud::http::send(http.get(back)).await;
        }
    });
}

/// The endpoints of `cloud`, or the sandbox's.
pub(super) fn endpoints_for(env: &Env, cloud: crate::model::CloudKind) -> crate::model::Endpoints {
    match &env.sandbox {
        Some(s) => s.endpoints(),
        None => crate::model::Cloud::named(cloud).endpoints,
    }
}

/// A dashboard action that needs the administrator's sign-in; what to tell the user, and a new
/// secret's Value for the show-once.
pub(super) async fn upkeep(
    env: &Env,
    p: &mut Profile,
    token: &crate::cloud::identity::AccessToken,
    what: Upkeep,
) -> Result<(String, Option<crate::model::Secret>), crate::model::Diagnosis> {
    let awaiting = |a: &app_layer::renew::Awaiting| {
        match (a.old.as_slice(), &a.note) {
        ([], None) => String::new(),
        ([], Some(n)) => format!(" Note: {n}."),
        _ => " The old one still works and stays on the app: give the new credential to the consuming application, confirm it works, then press w to remove the old one.".to_string(),
    }
    };
    let done = match what {
        Upkeep::Secret { months } => app_layer::renew::renew(env, p, token, months).await.map(|r| {
            let note = format!(
                "Renewed {}: the new secret ({} months) is in the keyring, signs in, and is valid until {}. Press v to see its Value once (it will not be shown again).{}",
                p.name,
                r.months,
                r.expires,
                awaiting(&r.awaiting)
            );
            (note, Some(r.value))
        }),
        Upkeep::Certificate { months } => app_layer::renew::certify(env, p, token, months).await.map(|c| {
            let note = format!(
                "{} now signs in with a certificate valid until {}; its private key is in the keyring.{}",
                p.name,
                c.expires,
                awaiting(&c.awaiting)
            );
            (note, None)
        }),
        Upkeep::FinishRenewal { force } => app_layer::renew::finish(env, p, token, force).await.map(|d| {
            let now = time::OffsetDateTime::now_utc();
            let mut parts: Vec<String> = d
                .removed
                .iter()
                .map(|(k, used)| format!("Removed {} ({}).", k.named("old"), used.describe(now)))
                .collect();
            parts.extend(d.gone.iter().map(|k| format!("{} was already gone.", k.named("old"))));
            parts.extend(d.failed.iter().map(|(k, why)| {
                format!("{} could not be removed ({why}): press w again.", k.named("old"))
            }));
            (parts.join(" "), None)
        }),
        Upkeep::ReadExpiry => app_layer::renew::read_expiry(env, p, token).await.map(|r| (r.note, None)),
        Upkeep::Offboard { .. }
        | Upkeep::Migrate { .. }
        | Upkeep::UndoMigration { .. }
        | Upkeep::Audit => {
            return Err(crate::model::Diagnosis {
                summary: "Not an upkeep of the app registration.".into(),
                evidence: String::new(),
                cause: "The tenant's removals and migrations run on their own path.".into(),
                fix: "Press R or m again.".into(),
            });
        }
    };
    done.map_err(|e| {
        let mut d = e.diagnosis;
        if matches!(what, Upkeep::FinishRenewal { force: false }) && d.fix.contains("--force") {
            d.fix.push_str(" In the wizard, W removes it anyway.");
        }
        d
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn only_the_latest_sign_in_tells_that_it_expired() {
        let slot = Arc::new(AdminSlot::default());
        let (tx, mut rx) = mpsc::unbounded_channel();
        tell_expiry(&slot, 0, &tx);
        tell_expiry(&slot, 0, &tx);
        drop(tx);
        assert!(matches!(rx.recv().await, Some(Msg::SignInExpired)));
        assert!(
            rx.recv().await.is_none(),
            "the replaced sign-in tells nothing"
        );
        assert!(slot.session.lock().await.is_none());
    }
}
