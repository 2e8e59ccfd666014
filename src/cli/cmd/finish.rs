//! `renew PROFILE --finish`: the second phase of a renewal, the old credential removed.

use super::upkeep::{finish as told, signed_in_for};
use crate::app::Env;
use crate::cli::Exit;
use crate::model::{AdminPurpose, ClientId, ProfileName};

pub async fn finish(env: &Env, name: &ProfileName, force: bool, admin_client_id: ClientId) -> Exit {
    let next = "Reading the sign-in logs for the old credential's last use…";
    let (mut p, session) = match signed_in_for(
        env,
        name,
        admin_client_id,
        AdminPurpose::FinishRenewal,
        next,
    )
    .await
    {
        Ok(x) => x,
        Err(exit) => return exit,
    };
    let now = time::OffsetDateTime::now_utc();
    let done = crate::app::renew::finish(env, &mut p, &session.token, force).await;
    let failed = done.as_ref().is_ok_and(|d| !d.failed.is_empty());
    let exit = told(done, |d| {
        for (k, used) in &d.removed {
            if let crate::model::LastUse::Unknown(why) = used {
                eprintln!("Note: {why}.");
            }
            eprintln!("Removed {} ({}).", k.named("old"), used.describe(now));
        }
        for k in &d.gone {
            eprintln!(
                "{} was already gone from the app.",
                capital(&k.named("old"))
            );
        }
        for (k, why) in &d.failed {
            eprintln!(
                "{} could not be removed ({why}): run `renew {} --finish` again, or delete it under the app's Certificates & secrets.",
                capital(&k.named("old")),
                p.name
            );
        }
        if d.failed.is_empty() {
            eprintln!(
                "The renewal of {} is finished: only the new credential is on the app.",
                p.name
            );
        }
    });
    if failed { Exit::CheckFailed } else { exit }
}

/// The sentence starting with a capital.
pub fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// After the first phase: what stays valid on the app until `--finish`, why nothing does (the
/// note), and the next `steps`.
pub fn awaiting(a: &crate::app::renew::Awaiting, steps: &str) {
    for k in &a.old {
        eprintln!(
            "{} still works and stays on the app until the renewal is finished.",
            capital(&k.named("old"))
        );
    }
    if let Some(note) = &a.note {
        eprintln!("Note: {note}.");
    }
    eprintln!("{steps}");
}
