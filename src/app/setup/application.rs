//! The app registration and its service principal (the Enterprise application): found by what
//! an earlier run journaled or by display name, made only when missing.

use super::SetupError;
use super::completion::{completion, wanted_access};
use super::resolve::Resolved;
use super::run::{Awaited, ENTRA, Run, crash_point, lag};
use crate::cloud::CloudError;
use crate::cloud::admin::Application;
use crate::cloud::graph::outcome_unknown;
use crate::cloud::lag::Names;
use crate::model::{ClientId, ObjectId};
use crate::model::{Diagnosis, StepStatus};
use crate::plan::StepKind;

/// The app's object id and client id.
pub(super) async fn application(
    r: &mut Run<'_>,
    res: &[Resolved],
) -> Result<(ObjectId, ClientId), SetupError> {
    let i = r.index(StepKind::CreateApp, None);
    r.emit(i, StepStatus::Running);
    // An app an earlier run made is found by its id; if it is gone (deleted, or not replicated
    // yet) the search by name below takes over.
    let journaled = r
        .journal
        .app_id
        .as_deref()
        .and_then(|id| ClientId::parse(id).ok());
    if let Some(app_id) = journaled
        && let Some(a) = r
            .graph
            .find_application(app_id)
            .await
            .map_err(|err| r.fail(i, err))?
    {
        let done = complete(r, i, res, &a).await?;
        r.emit(
            i,
            StepStatus::Done(format!("already registered (client ID {}){done}", a.app_id)),
        );
        return Ok((a.id, a.app_id));
    }
    let named = r
        .graph
        .applications_named(&r.req.answers.app_name)
        .await
        .map_err(|err| r.fail(i, err))?;
    // An app this profile's setup made is resumed even when the journal never heard of it (its
    // answer was lost): the wizard's tag names the profile.
    let tag = wizard_tag(&r.req.name);
    let tagged = named.iter().find(|a| a.tags.contains(&tag));
    if tagged.is_some() && ours_by_id(&named, journaled).is_none() {
        r.journal.app_created = true;
    }
    let ours = ours_by_id(&named, journaled).or(tagged);
    if let Some(a) = ours.or(if r.req.reuse_existing {
        named.first()
    } else {
        None
    }) {
        let a = a.clone();
        journal_app(r, &a);
        r.save()?;
        let done = complete(r, i, res, &a).await?;
        r.emit(
            i,
            StepStatus::Done(format!(
                "using the existing app (client ID {}){done}",
                a.app_id
            )),
        );
        return Ok((a.id, a.app_id));
    }
    if let Some(a) = named.first() {
        let mut clash = r.refuse(
            i,
            Diagnosis {
                summary: format!("An app named \"{}\" already exists.", r.req.answers.app_name),
                evidence: format!("client ID {}", a.app_id),
                cause: "Another app registration uses this display name; creating a second one would leave two apps nobody can tell apart.".into(),
                fix: "Give the new app another name, or use the existing app: its permissions, secret and scope are then checked and completed.".into(),
            },
        );
        clash.name_taken = Some(Box::new(a.app_id));
        return Err(clash);
    }
    let rra = wanted_access(r, res);
    let mut body = serde_json::json!({
        "displayName": r.req.answers.app_name,
        "signInAudience": "AzureADMyOrg",
        "requiredResourceAccess": rra,
        "tags": [tag],
    });
    if r.req.answers.public_client() {
        body["isFallbackPublicClient"] = serde_json::Value::Bool(true);
    }
    if let Some(uri) = r.req.answers.redirect_uri() {
        body["web"] = serde_json::json!({ "redirectUris": [uri] });
    }
    let graph = r.graph;
    let name = r.req.answers.app_name.clone();
    let (a, lost) = made_once(
        || graph.create_application(&body),
        || async {
            let named = graph.applications_named(&name).await?;
            Ok(named.into_iter().find(|a| a.tags.contains(&tag)))
        },
    )
    .await
    .map_err(|err| r.fail(i, err))?;
    journal_app(r, &a);
    r.journal.app_created = true;
    r.fresh = true;
    r.save()?;
    crash_point("create-app");
    r.emit(
        i,
        StepStatus::Done(format!(
            "registered (client ID {}){}",
            a.app_id,
            found_note(lost)
        )),
    );
    Ok((a.id, a.app_id))
}

/// Completes an app the setup adopts with what it lacks (one `PATCH`, nothing removed); the
/// words for its progress line.
async fn complete(
    r: &Run<'_>,
    i: usize,
    res: &[Resolved],
    a: &Application,
) -> Result<String, SetupError> {
    let (patch, words) = completion(r, res, a);
    if let Some(body) = patch {
        r.graph
            .update_application(a.id, &body)
            .await
            .map_err(|err| r.fail(i, err))?;
    }
    Ok(if words.is_empty() {
        String::new()
    } else {
        format!(": {words}")
    })
}

/// The tag the wizard gives the apps it makes: which profile made it.
pub(super) fn wizard_tag(name: &crate::model::ProfileName) -> String {
    format!("m365-mail-wizard:profile={name}")
}

fn ours_by_id(named: &[Application], id: Option<ClientId>) -> Option<&Application> {
    named.iter().find(|a| Some(a.app_id) == id)
}

/// Makes something once: when the answer to `make` is lost (an outage or a dropped connection
/// after the request was sent), what it may have made is looked for with `find` and adopted, and
/// made again only when absent.
/// Also says whether what was made was found after its answer was lost.
pub(super) async fn made_once<T, M, MF, F, FF>(make: M, find: F) -> Result<(T, bool), CloudError>
where
    M: Fn() -> MF,
    MF: std::future::Future<Output = Result<T, CloudError>>,
    F: Fn() -> FF,
    FF: std::future::Future<Output = Result<Option<T>, CloudError>>,
{
    let mut tries = 0;
    loop {
        tries += 1;
        match make().await {
            Err(err) if outcome_unknown(&err) && tries < 3 => {
                if let Some(found) = find().await? {
                    return Ok((found, true));
                }
            }
            other => return other.map(|made| (made, false)),
        }
    }
}

fn found_note(lost: bool) -> &'static str {
    if lost {
        "; the answer was lost on its way, so it was looked for and found"
    } else {
        ""
    }
}

fn journal_app(r: &mut Run<'_>, a: &Application) {
    r.journal.app_object_id = Some(a.id.to_string());
    r.journal.app_id = Some(a.app_id.to_string());
}

/// The object id of the app's service principal.
pub(super) async fn service_principal(
    r: &mut Run<'_>,
    app_id: ClientId,
) -> Result<ObjectId, SetupError> {
    let i = r.index(StepKind::CreateServicePrincipal, None);
    r.emit(i, StepStatus::Running);
    let existing = if r.fresh {
        None
    } else {
        r.graph
            .find_service_principal(app_id)
            .await
            .map_err(|err| r.fail(i, err))?
    };
    if let Some(sp) = existing {
        let id = sp.id.to_string();
        let fresh = r.journal.sp_id.as_deref() != Some(id.as_str());
        r.journal.sp_id = Some(id);
        if fresh {
            r.save()?;
        }
        r.emit(
            i,
            StepStatus::Done(format!("already there (object ID {})", sp.id)),
        );
        return Ok(sp.id);
    }
    let object = format!("the new app registration (client ID {app_id})");
    let what = Awaited {
        service: ENTRA,
        object: &object,
    };
    let graph = r.graph;
    let (sp, lost) = r
        .through_lag(i, &what, lag(Names::NewDirectoryObject), || {
            made_once(
                || graph.create_service_principal(app_id),
                || graph.find_service_principal(app_id),
            )
        })
        .await
        .map_err(|err| r.fail_waited(i, &what, err))?;
    r.journal.sp_id = Some(sp.id.to_string());
    r.save()?;
    crash_point("create-service-principal");
    r.emit(
        i,
        StepStatus::Done(format!("created (object ID {}){}", sp.id, found_note(lost))),
    );
    Ok(sp.id)
}
