//! The app's client secret: added with the longest lifetime the tenant allows, its value put
//! straight into the keyring, and a secret an interrupted run added but never stored removed.

use time::OffsetDateTime;

use super::SetupError;
use super::run::{Awaited, ENTRA, Run, crash_point};
use crate::cloud::CloudError;
use crate::cloud::admin::{GraphAdmin, NewPassword, PasswordInfo};
use crate::cloud::graph::outcome_unknown;
use crate::cloud::lag::{Names, Retried, is_lag};
use crate::model::{ClientId, Diagnosis, ObjectId, ProfileName};
use crate::model::{StepStatus, add_months};
use crate::plan::{self, StepKind};

pub enum Capped {
    /// The tenant's policy refuses every lifetime offered.
    Refused(Diagnosis),
    Failed(CloudError),
}

/// Adds a secret of `months`, stepping down to the longest lifetime a tenant's app management
/// policy accepts. Returns the secret and the lifetime used.
pub async fn add_password_capped(
    graph: &GraphAdmin<'_>,
    app: ObjectId,
    label: &str,
    months: u32,
) -> Result<(NewPassword, u32), Capped> {
    let mut months = months;
    loop {
        let end = add_months(OffsetDateTime::now_utc(), months);
        match graph.add_password(app, label, end).await {
            Ok(np) => return Ok((np, months)),
            Err(CloudError::Graph(g)) if g.code == "CredentialInvalidLifetimeAsPerAppPolicy" => {
                match plan::SECRET_MONTHS.iter().rev().find(|m| **m < months) {
                    Some(shorter) => months = *shorter,
                    None => {
                        return Err(Capped::Refused(Diagnosis {
                            summary: "The tenant's policy refuses every secret lifetime the wizard offers.".into(),
                            evidence: format!("HTTP {} {}: {}", g.status, g.code, g.message),
                            cause: "An app management policy caps client secret lifetimes below 3 months, or forbids secrets.".into(),
                            fix: "Ask the tenant's administrators for the policy's limit (Entra admin center › Enterprise apps › App management policies), or use a certificate credential.".into(),
                        }));
                    }
                }
            }
            Err(err) => return Err(Capped::Failed(err)),
        }
    }
}

/// Adds a secret named `prefix` and the time of this attempt; when the answer is lost on its way, removes the
/// secret it may have made (its Value never arrived) and tries again, three times at most.
/// Returns the secret, the lifetime used and how many lost secrets were removed.
pub async fn add_password_settled(
    graph: &GraphAdmin<'_>,
    app: ObjectId,
    client_id: ClientId,
    prefix: &str,
    months: u32,
) -> Result<(NewPassword, u32, usize), Capped> {
    let mut lost = 0;
    for tries in 1.. {
        let attempt = attempt_label(prefix);
        match add_password_capped(graph, app, &attempt, months).await {
            Ok((np, used)) => return Ok((np, used, lost)),
            Err(Capped::Failed(err)) if outcome_unknown(&err) && tries < 3 => {
                lost += remove_attempt(graph, app, client_id, &attempt)
                    .await
                    .map_err(Capped::Failed)?;
            }
            Err(other) => return Err(other),
        }
    }
    unreachable!("the loop returns by its third try")
}

/// Removes the secrets named `attempt` from the app: how many there were.
async fn remove_attempt(
    graph: &GraphAdmin<'_>,
    app: ObjectId,
    client_id: ClientId,
    attempt: &str,
) -> Result<usize, CloudError> {
    let on_app = graph
        .find_application(client_id)
        .await?
        .map(|a| a.password_credentials)
        .unwrap_or_default();
    let mut removed = 0;
    for p in on_app
        .iter()
        .filter(|p| p.display_name.as_deref() == Some(attempt))
    {
        graph.remove_password(app, &p.key_id).await?;
        removed += 1;
    }
    Ok(removed)
}

fn secret_display_name(name: &ProfileName) -> String {
    format!("m365-mail-wizard ({name})")
}

/// One attempt's secret name: `prefix` and the time of the attempt.
fn attempt_label(prefix: &str) -> String {
    let now = OffsetDateTime::now_utc();
    let at = now
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| now.unix_timestamp_nanos().to_string());
    format!("{prefix} {at}")
}

/// Whether a secret's name is one a setup of this label gave (older versions: the label alone).
fn made_here(name: &str, label: &str) -> bool {
    name == label
        || name
            .strip_prefix(label)
            .is_some_and(|rest| rest.starts_with(" setup "))
}

/// The secret step for the app (`object_id`, `client_id`).
pub(super) async fn secret(
    r: &mut Run<'_>,
    object_id: ObjectId,
    client_id: ClientId,
) -> Result<(), SetupError> {
    let i = r.index(StepKind::AddSecret, None);
    r.emit(i, StepStatus::Running);
    if r.journal.certificate {
        return super::certificate::certificate(r, i, client_id, None).await;
    }
    let on_app: Vec<PasswordInfo> = if r.fresh {
        Vec::new()
    } else {
        r.graph
            .find_application(client_id)
            .await
            .map_err(|err| r.fail(i, err))?
            .map(|a| a.password_credentials)
            .unwrap_or_default()
    };
    if let Some(end) = still_stored(r, i, &on_app).await? {
        r.secret_end = end;
        r.emit(i, StepStatus::Done("already in the keyring".into()));
        return Ok(());
    }
    // Secrets this setup added but never stored: their values are lost, so they go. By label
    // only on an app this setup created; an adopted app's secrets may serve someone else.
    let label = secret_display_name(&r.req.name);
    let created = r.journal.app_created;
    let orphans: Vec<String> = on_app
        .iter()
        .filter(|p| {
            Some(&p.key_id) == r.journal.secret_key_id.as_ref()
                || (created
                    && p.display_name
                        .as_deref()
                        .is_some_and(|d| made_here(d, &label)))
        })
        .map(|p| p.key_id.clone())
        .collect();
    for k in &orphans {
        r.graph
            .remove_password(object_id, k)
            .await
            .map_err(|err| r.fail(i, err))?;
    }
    r.journal.secret_key_id = None;
    r.journal.secret_stored = false;
    r.save()?;
    let wanted = r.req.answers.secret_months;
    // An app this setup made may not have reached every copy of the directory yet.
    let names = if r.journal.app_created {
        Names::NewDirectoryObject
    } else {
        Names::Existing
    };
    let object = format!("the new app registration (client ID {client_id})");
    let what = Awaited {
        service: ENTRA,
        object: &object,
    };
    let lagging = |e: &Capped| matches!(e, Capped::Failed(err) if is_lag(names, err));
    let graph = r.graph;
    let (mut tries, mut lost) = (0, 0);
    let added = loop {
        tries += 1;
        // Each attempt's name is its own, so a secret whose answer was lost can be told apart.
        let attempt = attempt_label(&format!("{label} setup"));
        let added = r
            .through_lag(i, &what, lagging, || {
                add_password_capped(&graph, object_id, &attempt, wanted)
            })
            .await;
        match added {
            Err(Retried::Failed(Capped::Failed(err))) if outcome_unknown(&err) && tries < 3 => {
                // It may have been added, but its value never arrived: remove it, make another.
                lost += remove_attempt(&graph, object_id, client_id, &attempt)
                    .await
                    .map_err(|err| r.fail(i, err))?;
            }
            other => break other,
        }
    };
    let (np, months) = match added {
        Ok(x) => x,
        Err(Retried::Failed(Capped::Failed(CloudError::Graph(g))))
            if g.code == super::certificate::SECRETS_FORBIDDEN =>
        {
            return super::certificate::secrets_forbidden(r, i, object_id, client_id, &g).await;
        }
        Err(Retried::Failed(Capped::Refused(d))) => return Err(r.refuse(i, d)),
        Err(Retried::Failed(Capped::Failed(err))) => return Err(r.fail(i, err)),
        Err(Retried::OutWaited { error, .. }) => {
            let last = match error {
                Capped::Failed(err) => err.to_string(),
                Capped::Refused(d) => d.evidence,
            };
            return Err(r.out_waited(i, &what, &last));
        }
    };
    let capped = if months < wanted {
        format!(
            " (the tenant's policy refused {wanted} months; {months} is the longest it accepts)"
        )
    } else {
        String::new()
    };
    r.journal.secret_key_id = Some(np.key_id.clone());
    r.save()?;
    crash_point("add-secret");
    let (value, n) = (np.secret, r.req.name.to_string());
    r.env
        .with_vault(r.req.keyring, move |v| v.set(&n, &value))
        .await
        .map_err(|err| {
            r.failed(
                i,
                Diagnosis {
                    summary: "The new secret could not be stored in the keyring.".into(),
                    evidence: err.to_string(),
                    cause: "No keyring is available to this session.".into(),
                    fix: "Unlock or start the keyring and run the setup again: the unstored secret is removed and a new one made.".into(),
                },
                true,
            )
        })?;
    r.journal.secret_stored = true;
    r.save()?;
    r.secret_end = np.end.get(..10).map(String::from);
    let mut replaced = if orphans.is_empty() {
        String::new()
    } else {
        format!(
            "; replaced {} secret(s) an interrupted run never stored",
            orphans.len()
        )
    };
    if lost > 0 {
        replaced.push_str(&format!(
            "; removed {lost} secret(s) whose value was lost on its way"
        ));
    }
    r.emit(
        i,
        StepStatus::Done(format!(
            "valid until {} and stored in the keyring{capped}{replaced}",
            np.end.get(..10).unwrap_or(&np.end)
        )),
    );
    Ok(())
}

/// When the secret an earlier run stored is still on the app and in the keyring: its end date
/// (YYYY-MM-DD, when the app names one).
async fn still_stored(
    r: &Run<'_>,
    i: usize,
    on_app: &[PasswordInfo],
) -> Result<Option<Option<String>>, SetupError> {
    let Some(mine) = r
        .journal
        .secret_key_id
        .as_ref()
        .filter(|_| r.journal.secret_stored)
        .and_then(|k| on_app.iter().find(|p| &p.key_id == k))
    else {
        return Ok(None);
    };
    let n = r.req.name.to_string();
    match r.env.with_vault(r.req.keyring, move |v| v.get(&n)).await {
        Ok(_) => Ok(Some(
            mine.end_date_time
                .as_deref()
                .and_then(|e| e.get(..10))
                .map(String::from),
        )),
        Err(crate::vault::VaultError::NotFound(..)) => Ok(None),
        // A locked or absent keyring says nothing about the secret: stop, remove nothing.
        Err(err) => Err(r.refuse(
            i,
            Diagnosis {
                summary: "The keyring cannot be read.".into(),
                evidence: err.to_string(),
                cause: "The keyring is locked or not running.".into(),
                fix: "Unlock the keyring and run the setup again.".into(),
            },
        )),
    }
}
