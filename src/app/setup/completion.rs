//! An existing app the setup adopts (the same profile's, or `--reuse-app`) is completed, never
//! trimmed: its `requiredResourceAccess` gets what the answers need merged in, public client
//! flows are turned on and a redirect URI added where the delegated style's sign-in needs them,
//! and the progress line names what was kept and what was added.

use serde_json::{Value, json};

use super::resolve::Resolved;
use super::run::Run;
use crate::catalog::catalog;
use crate::cloud::admin::Application;
use crate::plan;

/// `requiredResourceAccess` for the answers, with the tenant's ids.
pub(super) fn wanted_access(r: &Run<'_>, res: &[Resolved]) -> Value {
    plan::required_access_of(r.req.answers.needs(), |resource, name, role| {
        let x = res.iter().find(|x| std::ptr::eq(x.resource, resource))?;
        let ids = if role { &x.roles } else { &x.scopes };
        ids.iter()
            .find(|(n, _)| n == name)
            .map(|(_, id)| id.clone())
    })
}

/// What the app lacks, as the body of one `PATCH`, with the words for the progress line;
/// `None` when it lacks nothing.
pub(super) fn completion(
    r: &Run<'_>,
    res: &[Resolved],
    app: &Application,
) -> (Option<Value>, String) {
    let want = wanted_access(r, res);
    let merged = plan::merged_resource_access(&app.required_resource_access, &want);
    let had = permission_names(&app.required_resource_access, res);
    let now = permission_names(&merged, res);
    let added: Vec<&String> = now.iter().filter(|n| !had.contains(n)).collect();
    let mut body = serde_json::Map::new();
    let mut words = Vec::new();
    if !had.is_empty() {
        words.push(format!("keeps the existing permissions {}", had.join(", ")));
    }
    if merged != app.required_resource_access && !added.is_empty() {
        body.insert("requiredResourceAccess".into(), merged);
        let added: Vec<&str> = added.iter().map(|s| s.as_str()).collect();
        words.push(format!("adds {}", added.join(", ")));
    }
    if r.req.answers.public_client() && app.is_fallback_public_client != Some(true) {
        body.insert("isFallbackPublicClient".into(), Value::Bool(true));
        words.push("turns on public client flows".into());
    }
    if let Some(uri) = r.req.answers.redirect_uri() {
        let mut uris = app.redirect_uris();
        if !uris.iter().any(|u| u == uri) {
            uris.push(uri.to_string());
            words.push(format!("adds the redirect URI {uri}, keeping the others"));
            let mut web = if app.web.is_object() {
                app.web.clone()
            } else {
                json!({})
            };
            web["redirectUris"] = json!(uris);
            body.insert("web".into(), web);
        }
    }
    let patch = (!body.is_empty()).then_some(Value::Object(body));
    (patch, words.join("; "))
}

/// The permissions a `requiredResourceAccess` lists, by name where the catalog or the tenant
/// knows it ("(delegated)" after a scope), by id otherwise.
fn permission_names(rra: &Value, res: &[Resolved]) -> Vec<String> {
    let mut out = Vec::new();
    for entry in rra.as_array().into_iter().flatten() {
        let app_id = entry["resourceAppId"].as_str().unwrap_or_default();
        let resource = catalog()
            .resources
            .iter()
            .find(|x| x.app_id.eq_ignore_ascii_case(app_id));
        for a in entry["resourceAccess"].as_array().into_iter().flatten() {
            let id = a["id"].as_str().unwrap_or_default();
            let role = a["type"].as_str() == Some("Role");
            let by_tenant = res
                .iter()
                .filter(|x| resource.is_some_and(|r| std::ptr::eq(x.resource, r)))
                .flat_map(|x| if role { &x.roles } else { &x.scopes })
                .find(|(_, i)| i.eq_ignore_ascii_case(id))
                .map(|(n, _)| n.clone());
            let by_catalog = resource.and_then(|r| {
                r.permissions
                    .iter()
                    .find(|p| {
                        let known = if role { &p.role } else { &p.scope };
                        known.as_deref().is_some_and(|k| k.eq_ignore_ascii_case(id))
                    })
                    .map(|p| p.name.clone())
            });
            let name = by_tenant.or(by_catalog).unwrap_or_else(|| id.to_string());
            let name = if role {
                name
            } else {
                format!("{name} (delegated)")
            };
            if !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out
}
