//! Admin consent: the application permissions granted to the app's service principal, the
//! delegated style's tenant-wide grant, and a tenant-wide consent that would bypass the scope.

use super::SetupError;
use super::resolve::Resolved;
use super::run::{Awaited, ENTRA, Run, crash_point, lag};
use crate::catalog::catalog;
use crate::cloud::admin::Assignment;
use crate::cloud::lag::Names;
use crate::model::Diagnosis;
use crate::model::ObjectId;
use crate::model::StepStatus;
use crate::plan::StepKind;

/// Grants the application permissions (app role assignments) the app's service principal `sp`
/// lacks.
pub(super) async fn consent(
    r: &mut Run<'_>,
    res: &[Resolved],
    sp: ObjectId,
) -> Result<(), SetupError> {
    let existing = if r.fresh {
        Vec::new()
    } else {
        r.graph.assignments(sp).await.map_err(|err| {
            let i = r.index(StepKind::Consent, None);
            r.fail(i, err)
        })?
    };
    let mut todo = Vec::new();
    for x in res {
        for (name, role) in &x.roles {
            let i = r.index(StepKind::Consent, Some(name));
            let key = format!("{}:{name}", x.resource.key);
            if existing
                .iter()
                .any(|a| a.resource_id == x.sp.id && &a.app_role_id == role)
            {
                if !r.journal.consented.contains(&key) {
                    r.journal.consented.push(key);
                    r.save()?;
                }
                r.emit(i, StepStatus::Done("already granted".into()));
            } else {
                r.emit(i, StepStatus::Running);
                todo.push((i, key, x.sp.id, role.as_str()));
            }
        }
    }
    // Consents are independent of each other: granted together, each waiting for a service
    // principal this setup made to reach the directory's copies.
    let object = new_principal(sp);
    let what = Awaited {
        service: ENTRA,
        object: &object,
    };
    let names = made_here(r);
    let (graph, run) = (&r.graph, &*r);
    let results = futures_util::future::join_all(todo.iter().map(|(i, _, resource, role)| {
        run.through_lag(*i, &what, lag(names), move || {
            graph.assign(*resource, sp, role)
        })
    }))
    .await;
    for ((i, key, _, _), result) in todo.into_iter().zip(results) {
        result.map_err(|err| r.fail_waited(i, &what, err))?;
        r.made(format!("consent:{key}"));
        r.journal.consented.push(key);
        r.save()?;
        crash_point("consent");
        r.emit(i, StepStatus::Done("granted".into()));
    }
    Ok(())
}

/// A tenant-wide consent that the scope leaves out — from an earlier setup or by hand — would
/// let the app reach every mailbox whatever the scope says: found, explained, and revoked when
/// the admin asked for it.
pub(super) async fn bypassing_consent(r: &mut Run<'_>, sp: ObjectId) -> Result<(), SetupError> {
    let omitted = r.req.answers.omitted();
    if omitted.is_empty() || r.fresh {
        return Ok(());
    }
    let Some(i) = r.steps.iter().position(|s| s.kind == StepKind::Exchange) else {
        return Ok(());
    };
    let ids: Vec<(String, &str)> = catalog()
        .resources
        .iter()
        .flat_map(|res| res.permissions.iter())
        .filter(|p| omitted.contains(&p.name))
        .filter_map(|p| Some((p.role.clone()?, p.name.as_str())))
        .collect();
    let found: Vec<(Assignment, &str)> = r
        .graph
        .assignments(sp)
        .await
        .map_err(|err| r.fail(i, err))?
        .into_iter()
        .filter_map(|a| {
            let name = ids
                .iter()
                .find(|(id, _)| id.eq_ignore_ascii_case(&a.app_role_id))?
                .1;
            Some((a, name))
        })
        .collect();
    if found.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = found.iter().map(|(_, n)| *n).collect();
    if !r.req.remove_bypassing {
        return Err(r.refuse(
            i,
            Diagnosis {
                summary: format!(
                    "The app already holds {} tenant-wide, which would bypass the mailbox scope.",
                    names.join(", ")
                ),
                evidence: format!("admin consent on the app's service principal {sp}"),
                cause: "RBAC for Applications adds to what Entra ID grants: with that consent the app reaches every mailbox.".into(),
                fix: "Run the setup again with --remove-tenant-wide-consent to revoke it (the scope then grants what the app needs), or keep it with --scope restrict-policy.".into(),
            },
        ));
    }
    for (a, _) in &found {
        r.graph
            .remove_assignment(sp, &a.id)
            .await
            .map_err(|err| r.fail(i, err))?;
    }
    tracing::info!(removed = %names.join(", "), "tenant-wide consent revoked for the scope");
    Ok(())
}

/// Tenant-wide consent for the delegated style's scopes (`oauth2PermissionGrants`).
pub(super) async fn delegated_consent(
    r: &mut Run<'_>,
    res: &[Resolved],
    sp: ObjectId,
) -> Result<(), SetupError> {
    let Some(x) = res.iter().find(|x| !x.scopes.is_empty()) else {
        return Ok(());
    };
    let i = r.index(StepKind::DelegatedConsent, None);
    r.emit(i, StepStatus::Running);
    let want: Vec<&str> = x.scopes.iter().map(|(n, _)| n.as_str()).collect();
    let existing = if r.fresh {
        Vec::new()
    } else {
        r.graph.grants(sp).await.map_err(|err| r.fail(i, err))?
    };
    if let Some(g) = existing.iter().find(|g| g.resource_id == x.sp.id) {
        let have: Vec<&str> = g.scope.split_whitespace().collect();
        let missing: Vec<&str> = want.iter().copied().filter(|w| !have.contains(w)).collect();
        if missing.is_empty() {
            r.emit(i, StepStatus::Done("already granted".into()));
            return Ok(());
        }
        // The grant keeps what it holds; the missing scopes are added to it.
        let scope = have
            .iter()
            .chain(&missing)
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        r.graph
            .update_grant(&g.id, &scope)
            .await
            .map_err(|err| r.fail(i, err))?;
        r.made(format!("consent:{}:delegated", x.resource.key));
        r.save()?;
        r.emit(
            i,
            StepStatus::Done(format!(
                "keeps the granted {}; adds {}",
                have.join(" "),
                missing.join(" ")
            )),
        );
        return Ok(());
    }
    let object = new_principal(sp);
    let what = Awaited {
        service: ENTRA,
        object: &object,
    };
    let (graph, scope) = (r.graph, want.join(" "));
    r.through_lag(i, &what, lag(made_here(r)), || {
        graph.grant(sp, x.sp.id, &scope)
    })
    .await
    .map_err(|err| r.fail_waited(i, &what, err))?;
    r.journal
        .consented
        .push(format!("{}:delegated", x.resource.key));
    r.save()?;
    r.emit(
        i,
        StepStatus::Done(format!("granted for all users: {}", want.join(" "))),
    );
    Ok(())
}

/// The app's service principal, in words, when this setup made it.
fn new_principal(sp: ObjectId) -> String {
    format!("the app's new service principal (object ID {sp})")
}

/// How a call naming the app or its service principal may lag: only when this setup made the
/// app (and so its service principal), in this run or an earlier one.
pub(super) fn made_here(r: &Run<'_>) -> Names {
    if r.journal.app_created {
        Names::NewDirectoryObject
    } else {
        Names::Existing
    }
}
