//! A profile's settings in the consuming application's formats, the setup as a PowerShell
//! script, and the handover report. Pure; never a secret or a token: the secret is named by
//! where it is kept, nothing more.

use std::fmt::Write;
use std::str::FromStr;

use serde_json::json;

use crate::catalog::catalog;
use crate::model::{AccessChoice, Credential, Endpoints, Profile, host_port};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Env,
    Json,
    Properties,
    PowerShell,
    Report,
    ReportHtml,
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Format, String> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "env" => Format::Env,
            "json" => Format::Json,
            "properties" => Format::Properties,
            "powershell" | "ps1" => Format::PowerShell,
            "report" | "md" | "markdown" => Format::Report,
            "report-html" | "html" => Format::ReportHtml,
            other => {
                return Err(format!(
                    "unknown format \"{other}\": use env, json, properties, powershell, report or report-html"
                ));
            }
        })
    }
}

pub struct Input<'a> {
    pub profile: &'a Profile,
    pub endpoints: &'a Endpoints,
    /// Where the secret is: the keyring service name.
    pub keyring_service: &'a str,
    /// The date the export is made (YYYY-MM-DD).
    pub today: &'a str,
}

pub fn render(format: Format, i: &Input) -> String {
    match format {
        Format::Env => env(i),
        Format::Json => json_text(i),
        Format::Properties => properties(i),
        Format::PowerShell => powershell(i),
        Format::Report => report(i).markdown(),
        Format::ReportHtml => report(i).html(),
    }
}

fn uses(p: &Profile, c: AccessChoice) -> bool {
    p.access.contains(&c)
}

fn graph(p: &Profile) -> bool {
    p.access.iter().any(|a| a.uses_graph())
}

fn exchange(p: &Profile) -> bool {
    p.access.iter().any(|a| a.uses_exchange())
}

fn split(endpoint: &str) -> (String, String) {
    host_port(endpoint)
        .map(|(h, p)| (h, p.to_string()))
        .unwrap_or_else(|_| (endpoint.to_string(), String::new()))
}

fn mailboxes(p: &Profile) -> Vec<&str> {
    p.mailboxes.iter().map(|m| m.as_str()).collect()
}

/// What the keyring holds for the profile, as the documents name it.
fn credential_name(p: &Profile) -> &'static str {
    if p.credential.is_secret() {
        "the client secret"
    } else {
        "the certificate's private key"
    }
}

fn secret_place(i: &Input) -> String {
    format!("{} / {}", i.keyring_service, i.profile.name)
}

/// A value safe to paste after `KEY=` in a shell or a .env file.
fn shell_value(v: &str) -> String {
    if !v.is_empty()
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./:@,=+-".contains(c))
    {
        v.to_string()
    } else {
        format!("'{}'", v.replace('\'', "'\\''"))
    }
}

fn env(i: &Input) -> String {
    let (p, e) = (i.profile, i.endpoints);
    let tenant = p.tenant_id.to_string();
    let mut out = vec![("M365_TENANT_ID".to_string(), tenant.clone())];
    let mut add = |k: &str, v: String| out.push((k.to_string(), v));
    add("M365_CLIENT_ID", p.client_id.to_string());
    add("M365_TOKEN_URL", e.token_url(&tenant));
    if graph(p) || uses(p, AccessChoice::Delegated) {
        add("M365_GRAPH_SCOPE", e.graph_scope());
        add("M365_GRAPH_ENDPOINT", e.graph_v1());
    }
    if exchange(p) {
        add("M365_EXCHANGE_SCOPE", e.exchange_scope());
    }
    for (choice, key, endpoint) in [
        (AccessChoice::Imap, "IMAP", &e.imap),
        (AccessChoice::Pop, "POP", &e.pop),
        (AccessChoice::Smtp, "SMTP", &e.smtp),
    ] {
        if uses(p, choice) || (choice != AccessChoice::Pop && uses(p, AccessChoice::Delegated)) {
            let (h, port) = split(endpoint);
            add(&format!("M365_{key}_HOST"), h);
            add(&format!("M365_{key}_PORT"), port);
        }
    }
    if uses(p, AccessChoice::Ews) {
        add("M365_EWS_URL", e.ews_url());
    }
    add("M365_MAILBOXES", mailboxes(p).join(","));
    match &p.credential {
        Credential::Secret => add("M365_CLIENT_SECRET_KEYRING", secret_place(i)),
        Credential::Certificate { thumbprint } => {
            add("M365_CLIENT_CERTIFICATE_KEY_KEYRING", secret_place(i));
            add("M365_CLIENT_CERTIFICATE_X5T_S256", thumbprint.clone());
        }
    }
    if let Some(x) = &p.secret_expires {
        let key = match p.credential {
            Credential::Secret => "M365_CLIENT_SECRET_EXPIRES",
            Credential::Certificate { .. } => "M365_CLIENT_CERTIFICATE_EXPIRES",
        };
        add(key, x.clone());
    }
    let mut text = format!(
        "# m365-mail-wizard: settings of profile {} ({}). No secret here: read it from the keyring entry named below.\n",
        p.name, i.today
    );
    for (k, v) in out {
        let _ = writeln!(text, "{k}={}", shell_value(&v));
    }
    text
}

fn json_text(i: &Input) -> String {
    let (p, e) = (i.profile, i.endpoints);
    let tenant = p.tenant_id.to_string();
    let mut scopes = Vec::new();
    if graph(p) || uses(p, AccessChoice::Delegated) {
        scopes.push(e.graph_scope());
    }
    if exchange(p) {
        scopes.push(e.exchange_scope());
    }
    let endpoint = |c: AccessChoice, v: &str| uses(p, c).then(|| v.to_string());
    let v = json!({
        "profile": p.name,
        "tenant": p.tenant,
        "tenant_id": tenant,
        "client_id": p.client_id,
        "token_url": e.token_url(&tenant),
        "scopes": scopes,
        "access": p.access.iter().map(|a| a.key()).collect::<Vec<_>>(),
        "graph_endpoint": graph(p).then(|| e.graph_v1()),
        "imap": endpoint(AccessChoice::Imap, &e.imap),
        "pop": endpoint(AccessChoice::Pop, &e.pop),
        "smtp": endpoint(AccessChoice::Smtp, &e.smtp),
        "ews": uses(p, AccessChoice::Ews).then(|| e.ews_url()),
        "mailboxes": mailboxes(p),
        "credential": match &p.credential {
            Credential::Secret => json!({
                "kind": "client-secret",
                "keyring_service": i.keyring_service,
                "keyring_user": p.name,
                "expires": p.secret_expires,
            }),
            Credential::Certificate { thumbprint } => json!({
                "kind": "certificate",
                "private_key_keyring_service": i.keyring_service,
                "private_key_keyring_user": p.name,
                "x5t_s256": thumbprint,
                "expires": p.secret_expires,
            }),
        },
    });
    serde_json::to_string_pretty(&v).expect("settings serialise") + "\n"
}

fn properties(i: &Input) -> String {
    let (p, e) = (i.profile, i.endpoints);
    let tenant = p.tenant_id.to_string();
    let login = e.login.trim_end_matches('/');
    let mut t = format!(
        "# m365-mail-wizard: mail settings of profile {} ({}), as Java mail / ITSM tools take them.\n# No secret here: {} is in the keyring entry {}.\n",
        p.name,
        i.today,
        credential_name(p),
        secret_place(i)
    );
    let delegated = uses(p, AccessChoice::Delegated);
    for (choice, proto, endpoint, tls) in [
        (AccessChoice::Imap, "imap", &e.imap, "ssl.enable"),
        (AccessChoice::Pop, "pop3", &e.pop, "ssl.enable"),
        (AccessChoice::Smtp, "smtp", &e.smtp, "starttls.enable"),
    ] {
        if !(uses(p, choice) || (delegated && choice != AccessChoice::Pop)) {
            continue;
        }
        let (h, port) = split(endpoint);
        let _ = writeln!(t, "mail.{proto}.host={h}");
        let _ = writeln!(t, "mail.{proto}.port={port}");
        let _ = writeln!(t, "mail.{proto}.{tls}=true");
        if proto == "smtp" {
            let _ = writeln!(t, "mail.smtp.starttls.required=true");
            let _ = writeln!(t, "mail.smtp.auth=true");
        }
        let _ = writeln!(t, "mail.{proto}.auth.mechanisms=XOAUTH2");
    }
    let _ = writeln!(t, "oauth2.tenant.id={tenant}");
    let _ = writeln!(t, "oauth2.client.id={}", p.client_id);
    let _ = writeln!(
        t,
        "oauth2.authorize.url={login}/{tenant}/oauth2/v2.0/authorize"
    );
    let _ = writeln!(t, "oauth2.token.url={}", e.token_url(&tenant));
    if let Credential::Certificate { thumbprint } = &p.credential {
        let _ = writeln!(
            t,
            "# The app proves itself with a certificate: a client assertion (RS256, x5t#S256 below)\n# signed with the private key in the keyring entry above; there is no client secret.\noauth2.client.assertion.x5t-s256={thumbprint}"
        );
    }
    if exchange(p) {
        let _ = writeln!(t, "oauth2.scope={}", e.exchange_scope());
        let _ = writeln!(t, "oauth2.grant.type=client_credentials");
    } else if graph(p) {
        let _ = writeln!(t, "oauth2.scope={}", e.graph_scope());
        let _ = writeln!(t, "oauth2.grant.type=client_credentials");
    }
    if delegated {
        let _ = writeln!(
            t,
            "# Delegated: the user signs in once; the tool asks for IMAP.AccessAsUser.All, SMTP.Send and offline_access.\n# Whether it wants them prefixed with a resource URL depends on the tool (not confirmed here)."
        );
        let _ = writeln!(
            t,
            "oauth2.delegated.scope=IMAP.AccessAsUser.All SMTP.Send offline_access"
        );
    }
    t
}

fn ps_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn powershell(i: &Input) -> String {
    let p = i.profile;
    let tenant = p.tenant_id.to_string();
    let client = p.client_id.to_string();
    let mut t = String::new();
    let _ = writeln!(
        t,
        "# m365-mail-wizard: the setup of profile {} ({}), as a script that can run again and again.",
        p.name, i.today
    );
    let _ = writeln!(
        t,
        "# Each step looks first and changes only what is missing. {} is not part of it:\n# it is in the keyring entry {}.",
        if p.credential.is_secret() {
            "The client secret"
        } else {
            "The certificate's private key"
        },
        secret_place(i)
    );
    let _ = writeln!(t, "#Requires -Modules Microsoft.Graph.Applications");
    let _ = writeln!(t, "$ErrorActionPreference = 'Stop'");
    let _ = writeln!(
        t,
        "Connect-MgGraph -TenantId {} -Scopes 'Application.ReadWrite.All','AppRoleAssignment.ReadWrite.All','DelegatedPermissionGrant.ReadWrite.All'",
        ps_quote(&tenant)
    );
    let _ = writeln!(
        t,
        "$app = Get-MgApplication -Filter \"appId eq '{client}'\"\nif (-not $app) {{ throw 'No app with client ID {client} in this tenant: register it first (m365-mail-wizard setup).' }}"
    );
    let _ = writeln!(
        t,
        "$sp = Get-MgServicePrincipal -Filter \"appId eq '{client}'\"\nif (-not $sp) {{ $sp = New-MgServicePrincipal -AppId $app.AppId }}"
    );
    for (resource, names) in crate::plan::permissions(
        &p.access,
        &p.scope
            .as_ref()
            .map(|s| s.omitted(&p.access))
            .unwrap_or_default(),
    ) {
        let _ = writeln!(
            t,
            "$res = Get-MgServicePrincipal -Filter \"appId eq '{}'\"  # {}",
            resource.app_id, resource.name
        );
        for n in names {
            let _ = writeln!(
                t,
                "$role = ($res.AppRoles | Where-Object Value -eq {}).Id\nif (-not (Get-MgServicePrincipalAppRoleAssignment -ServicePrincipalId $sp.Id | Where-Object {{ $_.ResourceId -eq $res.Id -and $_.AppRoleId -eq $role }})) {{\n    New-MgServicePrincipalAppRoleAssignedTo -ServicePrincipalId $res.Id -PrincipalId $sp.Id -ResourceId $res.Id -AppRoleId $role | Out-Null\n}}",
                ps_quote(&n)
            );
        }
    }
    if let Some((resource, scopes)) = crate::plan::delegated(&p.access) {
        let _ = writeln!(
            t,
            "$res = Get-MgServicePrincipal -Filter \"appId eq '{}'\"\nif (-not (Get-MgOauth2PermissionGrant -Filter \"clientId eq '$($sp.Id)'\" | Where-Object ResourceId -eq $res.Id)) {{\n    New-MgOauth2PermissionGrant -ClientId $sp.Id -ConsentType AllPrincipals -ResourceId $res.Id -Scope {} | Out-Null\n}}",
            resource.app_id,
            ps_quote(&scopes.join(" "))
        );
    }
    let exchange_mail = [AccessChoice::Imap, AccessChoice::Pop, AccessChoice::Smtp]
        .iter()
        .any(|c| uses(p, *c));
    if let Some(scope) = &p.scope {
        let input = scope.script_input(
            &p.access,
            &p.mailboxes
                .iter()
                .map(|m| m.to_string())
                .collect::<Vec<_>>(),
            p.deny_mailbox.as_ref().map(|m| m.as_str()),
        );
        let _ = writeln!(
            t,
            "# Exchange Online: the mailbox scope ({}).\nConnect-ExchangeOnline -Organization {}",
            scope.kind.label(),
            ps_quote(&p.tenant)
        );
        t.push_str(&crate::scope::script_steps(&input));
    } else if exchange_mail {
        let list: Vec<String> = mailboxes(p).iter().map(|m| ps_quote(m)).collect();
        let _ = writeln!(
            t,
            "# Exchange Online: the service principal (with the Enterprise application's object ID) and FullAccess per mailbox.\nConnect-ExchangeOnline -Organization {}\nif (-not (Get-ServicePrincipal -Identity $sp.Id -ErrorAction SilentlyContinue)) {{\n    New-ServicePrincipal -AppId $app.AppId -ObjectId $sp.Id -DisplayName $app.DisplayName | Out-Null\n}}\nforeach ($m in @({})) {{\n    if (-not (Get-MailboxPermission -Identity $m -User $sp.Id -ErrorAction SilentlyContinue)) {{\n        Add-MailboxPermission -Identity $m -User $sp.Id -AccessRights FullAccess | Out-Null\n    }}\n}}",
            ps_quote(&p.tenant),
            list.join(", ")
        );
    }
    let _ = writeln!(
        t,
        "Write-Host 'Done: run m365-mail-wizard check {} to verify.'",
        p.name
    );
    t
}

/// A document made of blocks, written as Markdown or as HTML.
enum Block {
    Heading(String),
    Para(String),
    Table(Vec<&'static str>, Vec<Vec<String>>),
    Steps(Vec<String>),
}

struct Doc {
    title: String,
    blocks: Vec<Block>,
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

impl Doc {
    fn markdown(&self) -> String {
        let mut t = format!("# {}\n\n", self.title);
        for b in &self.blocks {
            match b {
                Block::Heading(h) => {
                    let _ = write!(t, "## {h}\n\n");
                }
                Block::Para(p) => {
                    let _ = writeln!(t, "{p}\n");
                }
                Block::Table(head, rows) => {
                    let _ = writeln!(t, "| {} |", head.join(" | "));
                    let _ = writeln!(t, "|{}", "---|".repeat(head.len()));
                    for r in rows {
                        let cells: Vec<String> = r.iter().map(|c| md_cell(c)).collect();
                        let _ = writeln!(t, "| {} |", cells.join(" | "));
                    }
                    t.push('\n');
                }
                Block::Steps(steps) => {
                    for (n, s) in steps.iter().enumerate() {
                        let _ = writeln!(t, "{}. {s}", n + 1);
                    }
                    t.push('\n');
                }
            }
        }
        t
    }

    fn html(&self) -> String {
        let mut t = format!(
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>\n<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.4}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}}</style></head><body>\n<h1>{}</h1>\n",
            html(&self.title),
            html(&self.title)
        );
        for b in &self.blocks {
            match b {
                Block::Heading(h) => {
                    let _ = writeln!(t, "<h2>{}</h2>", html(h));
                }
                Block::Para(p) => {
                    let _ = writeln!(t, "<p>{}</p>", html(p));
                }
                Block::Table(head, rows) => {
                    t.push_str("<table><tr>");
                    for h in head {
                        let _ = write!(t, "<th>{}</th>", html(h));
                    }
                    t.push_str("</tr>\n");
                    for r in rows {
                        t.push_str("<tr>");
                        for c in r {
                            let _ = write!(t, "<td>{}</td>", html(c));
                        }
                        t.push_str("</tr>\n");
                    }
                    t.push_str("</table>\n");
                }
                Block::Steps(steps) => {
                    t.push_str("<ol>\n");
                    for s in steps {
                        let _ = writeln!(t, "<li>{}</li>", html(s));
                    }
                    t.push_str("</ol>\n");
                }
            }
        }
        t.push_str("</body></html>\n");
        t
    }
}

fn report(i: &Input) -> Doc {
    let (p, e) = (i.profile, i.endpoints);
    let mut b = Vec::new();
    b.push(Block::Para(format!(
        "Handover record of the mail access configured for an application, made by m365-mail-wizard on {}. It holds no secret: {} is in the keyring entry {}.",
        i.today,
        credential_name(p),
        secret_place(i)
    )));
    b.push(Block::Heading("Tenant and application".into()));
    b.push(Block::Table(
        vec!["", ""],
        vec![
            vec!["Tenant".into(), p.tenant.clone()],
            vec!["Tenant ID".into(), p.tenant_id.to_string()],
            vec!["Cloud".into(), e.name.clone()],
            vec!["Application (client) ID".into(), p.client_id.to_string()],
            vec!["Profile".into(), p.name.to_string()],
        ],
    ));
    b.push(Block::Heading(
        "What the application may do, and why".into(),
    ));
    let rows: Vec<Vec<String>> = p
        .access
        .iter()
        .map(|a| {
            let req = catalog().requirement(*a);
            let perms = if req.roles.is_empty() {
                req.scopes.join(", ")
            } else {
                req.roles.join(", ")
            };
            vec![
                a.label().to_string(),
                format!("{perms} ({})", catalog().resource(&req.resource).name),
                req.explain.clone(),
            ]
        })
        .collect();
    b.push(Block::Table(vec!["Access", "Permission", "Why"], rows));
    b.push(Block::Heading("Mailboxes and scope".into()));
    b.push(Block::Para(format!(
        "Mailboxes the application must reach: {}.",
        mailboxes(p).join(", ")
    )));
    if let Some(d) = &p.deny_mailbox {
        b.push(Block::Para(format!("Checked to be out of reach: {d}.")));
    }
    for a in &p.access {
        b.push(Block::Para(format!(
            "{}: {}",
            a.label(),
            catalog().requirement(*a).scope
        )));
    }
    b.push(Block::Heading(
        "Settings for the consuming application".into(),
    ));
    b.push(Block::Table(
        vec!["Setting", "Value"],
        p.app_settings(e, i.keyring_service)
            .into_iter()
            .map(|(k, v)| vec![k.to_string(), v])
            .collect(),
    ));
    b.push(Block::Heading("Last check".into()));
    match &p.last_check {
        None => b.push(Block::Para(format!(
            "Not checked yet: run `m365-mail-wizard check {}`.",
            p.name
        ))),
        Some(c) => {
            let verdict = match c.verdict {
                crate::model::CheckVerdict::Passed => "all checks passed",
                crate::model::CheckVerdict::Failed => "a check failed",
                crate::model::CheckVerdict::Waiting => "waiting for a change to apply",
            };
            b.push(Block::Para(format!(
                "{} — {verdict} ({} passed, {} failed).",
                c.at, c.passed, c.failed
            )));
            if !c.rows.is_empty() {
                b.push(Block::Table(
                    vec!["Check", "Result", "Time", "Detail"],
                    c.rows
                        .iter()
                        .map(|r| {
                            vec![
                                r.id.clone(),
                                r.status.clone(),
                                r.elapsed_ms.map(|m| format!("{m} ms")).unwrap_or_default(),
                                r.detail.clone(),
                            ]
                        })
                        .collect(),
                ));
            }
        }
    }
    if !p.credential.is_secret() {
        b.push(Block::Heading("Certificate and its renewal".into()));
        b.push(Block::Para(match &p.secret_expires {
            Some(x) => format!("The certificate expires on {x}. Renew it a few weeks before."),
            None => "The certificate's expiry was not recorded: look it up in Entra admin center › App registrations › the app › Certificates & secrets.".into(),
        }));
        b.push(Block::Steps(vec![
            format!("Run `m365-mail-wizard cert {}` (an administrator signs in) or `cert {} --guided` (upload in the portal): a new certificate is made, registered and proven first.", p.name, p.name),
            "The certificate it replaces is removed from the app once the new one signs in (on the guided path, delete it in the portal).".into(),
            format!("Verify: `m365-mail-wizard check {}`.", p.name),
        ]));
    } else {
        b.push(Block::Heading("Client secret and its renewal".into()));
        b.push(Block::Para(match &p.secret_expires {
        Some(x) => format!("The client secret expires on {x}. Renew it a few weeks before."),
        None => "The secret's expiry was not recorded: look it up in Entra admin center › App registrations › the app › Certificates & secrets.".into(),
    }));
        b.push(Block::Steps(vec![
        "Add a new client secret to the app: Entra admin center › App registrations › the app › Certificates & secrets › New client secret.".into(),
        "Store the new Value where the consuming application reads it, and switch the application to it.".into(),
        format!("Verify: `m365-mail-wizard check {}`.", p.name),
        "Only then delete the old secret.".into(),
    ]));
    }
    Doc {
        title: format!("Mail access handover — {}", p.tenant),
        blocks: b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse_with_a_helpful_error() {
        assert_eq!("ENV".parse::<Format>(), Ok(Format::Env));
        assert_eq!("html".parse::<Format>(), Ok(Format::ReportHtml));
        assert!(
            "yaml"
                .parse::<Format>()
                .unwrap_err()
                .contains("report-html")
        );
    }

    #[test]
    fn shell_values_are_quoted_when_needed() {
        assert_eq!(shell_value("https://x/y"), "https://x/y");
        assert_eq!(shell_value("a b"), "'a b'");
        assert_eq!(shell_value("it's"), "'it'\\''s'");
    }

    #[test]
    fn html_escapes() {
        let d = Doc {
            title: "<x>".into(),
            blocks: vec![Block::Para("a & b".into())],
        };
        let h = d.html();
        assert!(h.contains("<h1>&lt;x&gt;</h1>") && h.contains("<p>a &amp; b</p>"));
    }
}
