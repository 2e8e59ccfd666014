//! The sandbox's HTTP routes, behind the added latency and the injected faults.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{delete, get, patch, post};

use super::faults::{self, Area, FaultKind};
use super::{
    Shared, authorize, device, directory, ews, exchange_admin, graph, identity, portal, responses,
    sign_in_activity, sign_ins,
};

fn area_of(path: &str) -> Area {
    let admin_api = path
        .strip_prefix(exchange_admin::ALIAS)
        .unwrap_or(path)
        .starts_with("/adminapi/");
    if admin_api || path.starts_with("/graph/beta/roleManagement/") {
        Area::Exchange
    } else if path.starts_with("/graph/v1.0/") && !path.starts_with("/graph/v1.0/users/") {
        Area::Admin
    } else if path.starts_with("/graph/") {
        Area::Graph
    } else if path.starts_with("/EWS/") {
        Area::Ews
    } else if path.ends_with("/token") {
        Area::Token
    } else {
        Area::Discovery
    }
}

async fn latency_and_faults(State(s): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    if !s.latency.is_zero() {
        tokio::time::sleep(s.latency).await;
    }
    let fault = s.faults.take(area_of(req.uri().path()));
    match fault {
        Some(FaultKind::Status(code)) => responses::injected(code),
        Some(FaultKind::Hang) => {
            tokio::time::sleep(faults::HANG).await;
            responses::injected(504)
        }
        Some(FaultKind::Close | FaultKind::Garbage | FaultKind::Endless) => {
            responses::injected(502)
        }
        None | Some(FaultKind::Lost) => {
            // A request that may change the tenant is served under the state file's lock; every
            // request sees what other processes serving the same file wrote.
            let _held = if matches!(*req.method(), Method::GET | Method::HEAD) {
                s.refresh().await;
                None
            } else {
                s.hold().await
            };
            let answer = next.run(req).await;
            if fault == Some(FaultKind::Lost) {
                // Carried out and written down; the answer is what goes missing.
                return responses::injected(502);
            }
            answer
        }
    }
}

pub(super) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(identity::discovery),
        )
        .route("/{tenant}/discovery/v2.0/keys", get(identity::jwks))
        .route("/{tenant}/oauth2/v2.0/token", post(identity::token))
        .route("/{tenant}/oauth2/v2.0/devicecode", post(device::devicecode))
        .route("/{tenant}/oauth2/v2.0/authorize", get(authorize::authorize))
        .route(
            "/sandbox/device",
            get(device::approval_page).post(device::approve),
        )
        .route("/graph/v1.0/users/{id}", get(graph::user))
        .route(
            "/graph/v1.0/users/{id}/mailFolders/{folder}",
            get(graph::mail_folder),
        )
        .route("/graph/v1.0/users/{id}/messages", get(graph::messages))
        .route("/graph/v1.0/users/{id}/sendMail", post(graph::send_mail))
        .route("/EWS/Exchange.asmx", post(ews::exchange_asmx))
        .route(
            "/adminapi/beta/{tenant}/InvokeCommand",
            post(exchange_admin::invoke_command),
        )
        .route(
            &format!(
                "{}/adminapi/beta/{{tenant}}/InvokeCommand",
                exchange_admin::ALIAS
            ),
            post(exchange_admin::invoke_command),
        )
        .route(
            "/graph/beta/roleManagement/exchange/roleDefinitions",
            get(exchange_admin::role_definitions),
        )
        .route(
            "/graph/beta/roleManagement/exchange/customAppScopes",
            get(exchange_admin::list_custom_scopes).post(exchange_admin::create_custom_scope),
        )
        .route(
            "/graph/beta/roleManagement/exchange/roleAssignments",
            get(exchange_admin::list_role_assignments).post(exchange_admin::create_role_assignment),
        )
        .route("/sandbox/exchange-log", get(exchange_admin::exchange_log))
        .route("/portal", get(portal::page))
        .route("/portal/", get(portal::page))
        .route("/portal/{*rest}", get(portal::page))
        .route(
            "/sandbox/portal/certificate",
            post(directory::portal_upload_certificate),
        )
        .route("/graph/beta/auditLogs/signIns", get(sign_ins::list))
        .route(
            "/graph/beta/reports/servicePrincipalSignInActivities",
            get(sign_in_activity::list),
        )
        .route("/graph/v1.0/me", get(directory::me))
        .route("/graph/v1.0/organization", get(directory::organization))
        .route(
            "/graph/v1.0/applications",
            get(directory::list_applications).post(directory::create_application),
        )
        .route(
            "/graph/v1.0/applications/{id}",
            get(directory::get_application)
                .patch(directory::update_application)
                .delete(directory::delete_application),
        )
        .route(
            "/graph/v1.0/directory/deletedItems/microsoft.graph.application",
            get(directory::deleted_applications),
        )
        .route(
            "/graph/v1.0/directory/deletedItems/microsoft.graph.servicePrincipal",
            get(directory::deleted_principals),
        )
        .route(
            "/graph/v1.0/directory/deletedItems/{id}/restore",
            post(directory::restore_deleted),
        )
        .route(
            "/graph/v1.0/applications/{id}/addPassword",
            post(directory::add_password),
        )
        .route(
            "/graph/v1.0/applications/{id}/removePassword",
            post(directory::remove_password),
        )
        .route(
            "/graph/v1.0/applications/{id}/appManagementPolicies",
            get(directory::app_management_policies),
        )
        .route(
            "/graph/v1.0/policies/defaultAppManagementPolicy",
            get(directory::default_app_management_policy),
        )
        .route(
            "/graph/v1.0/servicePrincipals",
            get(directory::list_service_principals).post(directory::create_service_principal),
        )
        .route("/graph/v1.0/{key}", get(directory::get_service_principal))
        .route(
            "/graph/v1.0/servicePrincipals/{id}",
            get(directory::get_service_principal),
        )
        .route(
            "/graph/v1.0/servicePrincipals/{id}/appRoleAssignments",
            get(directory::list_assignments),
        )
        .route(
            "/graph/v1.0/servicePrincipals/{id}/appRoleAssignments/{aid}",
            delete(directory::remove_assignment),
        )
        .route(
            "/graph/v1.0/servicePrincipals/{id}/appRoleAssignedTo",
            get(directory::list_assigned_to).post(directory::assign_app_role),
        )
        .route(
            "/graph/v1.0/oauth2PermissionGrants",
            get(directory::list_grants).post(directory::create_grant),
        )
        .route(
            "/graph/v1.0/oauth2PermissionGrants/{id}",
            patch(directory::update_grant),
        )
        .layer(middleware::from_fn_with_state(
            shared.clone(),
            latency_and_faults,
        ))
        .with_state(shared)
}
