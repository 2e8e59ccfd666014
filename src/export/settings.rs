//! The settings formats: a .env file, JSON, and Java mail properties.

use std::fmt::Write;

use serde_json::json;

use super::{Input, credential_name, mailboxes, secret_place, uses};
use crate::model::{AccessChoice, Credential, Profile, host_port};

fn graph(p: &Profile) -> bool {
    p.access.iter().any(|a| a.uses_graph())
}

fn exchange(p: &Profile) -> bool {
    p.access.iter().any(|a| a.uses_exchange())
}

/// The delegated style signs in to Graph too.
fn wants_graph_scope(p: &Profile) -> bool {
    graph(p) || uses(p, AccessChoice::Delegated)
}

fn split(endpoint: &str) -> (String, String) {
    host_port(endpoint)
        .map(|(h, p)| (h, p.to_string()))
        .unwrap_or_else(|_| (endpoint.to_string(), String::new()))
}

/// IMAP, POP3 or SMTP settings are written for the choice itself, and IMAP and SMTP also for
/// the delegated style.
fn serves(p: &Profile, c: AccessChoice) -> bool {
    uses(p, c) || (c != AccessChoice::Pop && uses(p, AccessChoice::Delegated))
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

pub(super) fn env(i: &Input) -> String {
    let (p, e) = (i.profile, i.endpoints);
    let tenant = p.tenant_id.to_string();
    let mut out = vec![("M365_TENANT_ID".to_string(), tenant.clone())];
    let mut add = |k: &str, v: String| out.push((k.to_string(), v));
    add("M365_CLIENT_ID", p.client_id.to_string());
    add("M365_TOKEN_URL", e.token_url(&tenant));
    if wants_graph_scope(p) {
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
        if serves(p, choice) {
            let (h, port) = split(endpoint);
            add(&format!("M365_{key}_HOST"), h);
            add(&format!("M365_{key}_PORT"), port);
        }
    }
    if uses(p, AccessChoice::Ews) {
        add("M365_EWS_URL", e.ews_url());
    }
    add("M365_MAILBOXES", mailboxes(p).join(","));
    if let Some(c) = super::delegated::consumer(i) {
        for (k, v) in super::delegated::env(&c) {
            add(k, v);
        }
    }
    match &p.credential {
        Credential::Secret => add("M365_CLIENT_SECRET_KEYRING", secret_place(i)),
        Credential::Certificate { thumbprint } => {
            add("M365_CLIENT_CERTIFICATE_KEY_KEYRING", secret_place(i));
            add(
                "M365_CLIENT_CERTIFICATE_X5T_S256",
                thumbprint.sha256.clone(),
            );
            add("M365_CLIENT_ASSERTION_ALG", "PS256".into());
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
        p.name,
        i.today()
    );
    for (k, v) in out {
        let _ = writeln!(text, "{k}={}", shell_value(&v));
    }
    text
}

pub(super) fn json(i: &Input) -> String {
    let (p, e) = (i.profile, i.endpoints);
    let tenant = p.tenant_id.to_string();
    let mut scopes = Vec::new();
    if wants_graph_scope(p) {
        scopes.push(e.graph_scope());
    }
    if exchange(p) {
        scopes.push(e.exchange_scope());
    }
    let endpoint = |c: AccessChoice, v: &str| uses(p, c).then(|| v.to_string());
    let mut v = json!({
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
                "assertion_alg": "PS256",
                "x5t_s256": thumbprint.sha256,
                "expires": p.secret_expires,
            }),
        },
    });
    if let Some(c) = super::delegated::consumer(i) {
        v["delegated"] = super::delegated::json(&c);
    }
    crate::model::pretty_json(&v) + "\n"
}

pub(super) fn properties(i: &Input) -> String {
    let (p, e) = (i.profile, i.endpoints);
    let tenant = p.tenant_id.to_string();
    let login = e.login.trim_end_matches('/');
    let mut t = format!(
        "# m365-mail-wizard: mail settings of profile {} ({}), as Java mail / ITSM tools take them.\n# No secret here: {} is in the keyring entry {}.\n",
        p.name,
        i.today(),
        credential_name(p),
        secret_place(i)
    );
    for (choice, proto, endpoint, tls) in [
        (AccessChoice::Imap, "imap", &e.imap, "ssl.enable"),
        (AccessChoice::Pop, "pop3", &e.pop, "ssl.enable"),
        (AccessChoice::Smtp, "smtp", &e.smtp, "starttls.enable"),
    ] {
        if !serves(p, choice) {
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
            "# The app proves itself with a certificate: a client assertion (PS256, x5t#S256 below)\n# signed with the private key in the keyring entry above; there is no client secret.\noauth2.client.assertion.x5t-s256={thumbprint}"
        );
    }
    let app_scope = if exchange(p) {
        Some(e.exchange_scope())
    } else if graph(p) {
        Some(e.graph_scope())
    } else {
        None
    };
    if let Some(scope) = app_scope {
        let _ = writeln!(t, "oauth2.scope={scope}");
        let _ = writeln!(t, "oauth2.grant.type=client_credentials");
    }
    if let Some(c) = super::delegated::consumer(i) {
        t.push_str(&super::delegated::properties(&c));
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_values_are_quoted_when_needed() {
        assert_eq!(shell_value("https://x/y"), "https://x/y");
        assert_eq!(shell_value("a b"), "'a b'");
        assert_eq!(shell_value("it's"), "'it'\\''s'");
    }
}
