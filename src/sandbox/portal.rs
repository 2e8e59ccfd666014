//! `GET /portal`: the sandbox's stand-in for the Microsoft Entra admin center. The wizard's
//! portal links lead here on the sandbox; the page says what an administrator would do in the
//! real admin center and lists the tenant's apps with the values the guided steps ask for.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Html;

use super::Shared;
use super::facts::{EXCHANGE_APP_ID, GRAPH_APP_ID};
use super::tenant::{App, Tenant};

pub async fn page(State(s): State<Arc<Shared>>) -> Html<String> {
    let t = s.tenant.lock().await;
    let rows: String = t.apps.iter().map(|a| app_row(&t, a)).collect();
    Html(format!(
        "<!doctype html><meta charset=utf-8><title>{name} — sandbox admin center</title>\
<h1>{name} — the sandbox's stand-in for the Microsoft Entra admin center</h1>\
<p>On a real tenant this link opens the Microsoft Entra admin center. There an administrator would:</p>\
<ol><li>App registrations › New registration: register the application (this organizational directory only) \
and copy its Application (client) ID and Directory (tenant) ID from the Overview page.</li>\
<li>Certificates &amp; secrets: add a client secret and copy its <em>Value</em> (not its Secret ID) at once, \
or upload a certificate.</li>\
<li>API permissions: add the application permissions (Microsoft Graph, Office 365 Exchange Online) and \
grant admin consent.</li>\
<li>Enterprise applications: find the app's service principal, whose Object ID Exchange Online's \
<code>New-ServicePrincipal</code> needs.</li></ol>\
<p>This sandbox has no buttons for these steps: a setup makes them through Microsoft Graph, as the \
wizard's automated path does. For the guided path, the apps below give the values to paste; \
F2 on the wizard's secret step fills in a seeded app's secret.</p>\
<h2>Applications in {domain}</h2>\
<table border=1 cellpadding=4><tr><th>Display name</th><th>Application (client) ID</th>\
<th>Object ID (App registration)</th><th>Object ID (Enterprise application)</th>\
<th>Application permissions consented</th><th>Client secrets</th><th>Certificates</th></tr>{rows}</table>",
        name = escape(&t.display_name),
        domain = escape(t.domains.first().map_or("", String::as_str)),
    ))
}

fn app_row(t: &Tenant, a: &App) -> String {
    let mut roles: Vec<String> = t
        .consented_roles(a, GRAPH_APP_ID)
        .into_iter()
        .map(|r| format!("{r} (Microsoft Graph)"))
        .collect();
    roles.extend(
        t.consented_roles(a, EXCHANGE_APP_ID)
            .into_iter()
            .map(|r| format!("{r} (Office 365 Exchange Online)")),
    );
    let mut secrets: Vec<String> = a
        .passwords
        .iter()
        .map(|p| format!("{}… expires {}", p.hint, p.end.date()))
        .collect();
    if !a.secret.is_empty() {
        secrets.push(format!(
            "seeded, expires {} (F2 fills it in)",
            a.secret_expires.date()
        ));
    }
    let none = |v: Vec<String>| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join("<br>")
        }
    };
    format!(
        "<tr><td>{}</td><td><code>{}</code></td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
        escape(&a.name),
        escape(&a.client_id),
        escape(&a.object_id),
        if a.sp_id.is_empty() {
            "none yet".to_string()
        } else {
            escape(&a.sp_id)
        },
        none(roles.iter().map(|r| escape(r)).collect()),
        none(secrets.iter().map(|s| escape(s)).collect()),
        a.certificates.len(),
    )
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use crate::sandbox::{Sandbox, SandboxOptions};

    #[tokio::test]
    async fn the_portal_links_lead_to_a_page_that_lists_the_apps() {
        let sb = Sandbox::start(SandboxOptions::default()).await.unwrap();
        let portal = sb.info().endpoints().portal;
        let http = reqwest::Client::new();
        // The links the wizard shows: the portal itself, and its blades after a fragment.
        for link in [
            portal.clone(),
            format!("{portal}/#view/Microsoft_AAD_RegisteredApps/ApplicationsListBlade"),
            format!(
                "{portal}/#view/Microsoft_AAD_RegisteredApps/ApplicationMenuBlade/~/Overview/appId/a1f5c0de-0001-4000-8000-00000000c001"
            ),
        ] {
            let answer = http.get(&link).send().await.unwrap();
            assert_eq!(answer.status().as_u16(), 200, "{link}");
            let page = answer.text().await.unwrap();
            assert!(page.contains("stand-in for the Microsoft Entra admin center"));
            assert!(
                page.contains("a1f5c0de-0001-4000-8000-00000000c001"),
                "{page}"
            );
            assert!(page.contains("Mail.Read (Microsoft Graph)"), "{page}");
        }
        sb.stop().await;
    }
}
