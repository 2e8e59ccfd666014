//! `GET /portal`: the sandbox's stand-in for the Entra admin center, which the wizard's portal
//! links point at. It has no buttons: it names the tenant and lists its apps with the IDs the
//! guided path asks for, the Enterprise application's object ID among them.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Html;

use super::Shared;

/// Text safe inside HTML.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub async fn page(State(s): State<Arc<Shared>>) -> Html<String> {
    let t = s.tenant.lock().await;
    let rows: String = t
        .apps
        .iter()
        .map(|a| {
            format!(
                "<tr><td>{}</td><td><code>{}</code></td><td><code>{}</code></td><td><code>{}</code></td></tr>",
                esc(&a.name),
                esc(&a.client_id),
                esc(&a.object_id),
                if a.sp_id.is_empty() {
                    "none yet".to_string()
                } else {
                    esc(&a.sp_id)
                }
            )
        })
        .collect();
    Html(format!(
        "<!doctype html><meta charset=utf-8><title>{name} — sandbox portal</title>\
         <h1>{name} — sandbox tenant</h1>\
         <p>Directory (tenant) ID <code>{id}</code>, domain {domain}. This sandbox runs on this \
         machine and has no Entra admin center: nothing here reaches Microsoft.</p>\
         <p>For the guided setup in the sandbox, use one of its apps: paste its Application \
         (client) ID and this tenant ID, then press F2 on the secret step to fill in its \
         secret. The Exchange Online commands take the Enterprise application's object ID \
         (not the App registration's).</p>\
         <table border=1 cellpadding=4><tr><th>App</th><th>Application (client) ID</th>\
         <th>Object ID (App registration)</th><th>Object ID (Enterprise application)</th></tr>\
         {rows}</table>",
        name = esc(&t.display_name),
        id = esc(&t.tenant_id),
        domain = esc(t.domains.first().map(String::as_str).unwrap_or("")),
    ))
}
