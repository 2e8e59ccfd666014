//! The resources the plan needs (Microsoft Graph, Exchange Online), found in the tenant with
//! their permission ids as the tenant names them.

use super::SetupError;
use super::run::Run;
use crate::catalog::Resource;
use crate::cloud::admin::ServicePrincipal;
use crate::model::ClientId;
use crate::model::Diagnosis;
use crate::model::StepStatus;
use crate::plan::StepKind;

/// A resource's service principal, with the role and scope ids resolved at run time.
pub(super) struct Resolved {
    pub resource: &'static Resource,
    pub sp: ServicePrincipal,
    /// (permission name, app role id)
    pub roles: Vec<(String, String)>,
    /// (permission name, delegated scope id)
    pub scopes: Vec<(String, String)>,
}

pub(super) async fn resolve(r: &Run<'_>) -> Result<Vec<Resolved>, SetupError> {
    let i = r.index(StepKind::Resolve, None);
    r.emit(i, StepStatus::Running);
    let mut out = Vec::new();
    let mut notes = Vec::new();
    let wanted = r.req.answers.needs();
    let found = futures_util::future::join_all(wanted.iter().map(|n| {
        let app_id = ClientId::parse(&n.resource.app_id)
            .expect("the catalog's app ids are GUIDs (its tests check them)");
        r.graph.find_service_principal(app_id)
    }))
    .await;
    for (need, sp) in wanted.into_iter().zip(found) {
        let res = need.resource;
        let sp = sp.map_err(|e| r.fail(i, e))?;
        let Some(sp) = sp else {
            return Err(r.refuse(
                i,
                Diagnosis {
                    summary: format!("{} is not available in this tenant.", res.name),
                    evidence: format!("no service principal with appId {}", res.app_id),
                    cause: "The tenant has no subscription that includes it (for Exchange Online: no Exchange licence).".into(),
                    fix: "Check the tenant's subscriptions, or choose access through another API.".into(),
                },
            ));
        };
        let mut roles = Vec::new();
        for n in need.roles {
            let Some(id) = sp.role_id(&n) else {
                return Err(r.refuse(i, not_offered(res, &sp, &n, false)));
            };
            if res.app_role_id(&n) != Some(id) {
                notes.push(format!(
                    "{n}: the tenant says {id}, the catalog {}",
                    res.app_role_id(&n).unwrap_or("—")
                ));
            }
            roles.push((n, id.to_string()));
        }
        let mut scopes = Vec::new();
        for n in need.scopes {
            let Some(id) = sp.scope_id(&n) else {
                return Err(r.refuse(i, not_offered(res, &sp, &n, true)));
            };
            scopes.push((n, id.to_string()));
        }
        out.push(Resolved {
            resource: res,
            sp,
            roles,
            scopes,
        });
    }
    let detail = if notes.is_empty() {
        "permission ids match the catalog".to_string()
    } else {
        format!("using the tenant's ids ({})", notes.join("; "))
    };
    r.emit(i, StepStatus::Done(detail));
    Ok(out)
}

/// The resource offers no permission `name` (a delegated one when `delegated`).
fn not_offered(res: &Resource, sp: &ServicePrincipal, name: &str, delegated: bool) -> Diagnosis {
    let (kind, list) = if delegated {
        ("delegated", "oauth2PermissionScopes")
    } else {
        ("application", "appRoles")
    };
    Diagnosis {
        summary: format!("{} offers no {kind} permission {name}.", res.name),
        evidence: format!("{list} of {} lack {name}", sp.id),
        cause: "The permission was renamed or withdrawn.".into(),
        fix: "Report this; meanwhile use the guided path and pick the nearest permission in the portal.".into(),
    }
}
