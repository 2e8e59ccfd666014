//! What the tenant holds for the app before a migration: its service principal and name, the
//! Entra application roles it holds (names resolved from the resources' own role lists), its
//! application access policies and whether Exchange Online knows its service principal.

use serde_json::json;

use super::exchange::{look, text};
use super::{MigrateError, refused};
use crate::catalog::{EXCHANGE, GRAPH, catalog};
use crate::cloud::CloudError;
use crate::cloud::admin::GraphAdmin;
use crate::cloud::exchange_admin::Cmdlets;
use crate::model::ClientId;
use crate::plan::migration::{Found, HeldPolicy, HeldRole};

pub(super) async fn found(
    graph: GraphAdmin<'_>,
    x: &Cmdlets<'_>,
    client_id: ClientId,
) -> Result<Found, MigrateError> {
    let failed = |e: CloudError| MigrateError::cloud("Reading the app in the tenant", &e);
    let Some(sp) = graph
        .find_service_principal(client_id)
        .await
        .map_err(failed)?
    else {
        return Err(refused(
            format!("The app {client_id} has no service principal in this tenant."),
            "Without one it holds no roles and no scope to move.",
            "Check the client ID and the tenant.".into(),
        ));
    };
    let mut roles = Vec::new();
    let held = graph.assignments(sp.id).await.map_err(failed)?;
    for key in [GRAPH, EXCHANGE] {
        let app_id = &catalog().resource(key).app_id;
        let Ok(app_id) = ClientId::parse(app_id) else {
            continue;
        };
        let Some(resource) = graph.find_service_principal(app_id).await.map_err(failed)? else {
            continue;
        };
        for a in held.iter().filter(|a| a.resource_id == resource.id) {
            let name = resource
                .app_roles
                .iter()
                .find(|r| r.id.eq_ignore_ascii_case(&a.app_role_id))
                .map(|r| r.value.clone())
                .unwrap_or_else(|| a.app_role_id.clone());
            roles.push(HeldRole {
                name,
                role_id: a.app_role_id.clone(),
                resource_sp: resource.id.to_string(),
                assignment_id: a.id.clone(),
            });
        }
    }
    let client = client_id.to_string();
    let failed = |e: CloudError| MigrateError::cloud("Reading the app in Exchange Online", &e);
    let policies = look(x, "Get-ApplicationAccessPolicy", json!({}))
        .await
        .map_err(failed)?
        .iter()
        .filter(|r| text(r, "AppId").eq_ignore_ascii_case(&client))
        .map(|r| HeldPolicy {
            identity: text(r, "Identity").to_string(),
            group: Some(text(r, "ScopeIdentity"))
                .filter(|s| !s.is_empty())
                .unwrap_or(text(r, "ScopeName"))
                .to_string(),
            access_right: text(r, "AccessRight").to_string(),
            description: text(r, "Description").to_string(),
        })
        .collect();
    let exchange_principal = !look(x, "Get-ServicePrincipal", json!({"Identity": client}))
        .await
        .map_err(failed)?
        .is_empty();
    Ok(Found {
        app_name: sp.display_name.clone(),
        client_id: client,
        sp_id: sp.id.to_string(),
        exchange_principal,
        roles,
        policies,
    })
}
