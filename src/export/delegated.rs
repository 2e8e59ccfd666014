//! The settings a delegated consumer needs — the authorize and token endpoints, the client id,
//! the scopes as full URIs, the IMAP and SMTP hosts — in each export format, ESM's property
//! names included; and for the handover report, which mailboxes use which style and
//! Exchange's submission limits. Sources: docs/delegated-setup.md.

use serde_json::{Value, json};

use super::document::Block;
use super::{Input, uses};
use crate::model::{AccessChoice, ConsumerSignIn, Endpoints, Profile, host_port};
use crate::scope;
use crate::store::Journal;

/// What a consuming application that signs a mailbox user in is told.
pub(super) struct Consumer {
    pub authorize: String,
    pub token: String,
    /// The device-code endpoint, for the device-code flow.
    pub device_code: Option<String>,
    pub client_id: String,
    /// Full URIs on the cloud's Exchange resource, then `offline_access` (and `openid`).
    pub scopes: Vec<String>,
    pub flow: &'static str,
    pub redirect_uri: Option<String>,
    pub imap: (String, String),
    pub smtp: (String, String),
    pub users: Vec<String>,
    pub shared: Vec<String>,
}

/// The delegated scopes as a token request names them: on the cloud's Exchange resource.
pub(super) fn scope_uris(e: &Endpoints, openid: bool) -> Vec<String> {
    let resource = e.exchange_resource.trim_end_matches('/');
    let mut v = vec![
        format!("{resource}/IMAP.AccessAsUser.All"),
        format!("{resource}/SMTP.Send"),
        "offline_access".to_string(),
    ];
    if openid {
        v.push("openid".into());
    }
    v
}

fn split(endpoint: &str) -> (String, String) {
    host_port(endpoint)
        .map(|(h, p)| (h, p.to_string()))
        .unwrap_or_else(|_| (endpoint.to_string(), String::new()))
}

/// The consumer's settings, when the profile has the delegated style.
pub(super) fn consumer(i: &Input) -> Option<Consumer> {
    let (p, e) = (i.profile, i.endpoints);
    if !uses(p, AccessChoice::Delegated) {
        return None;
    }
    let tenant = p.tenant_id.to_string();
    let login = e.login.trim_end_matches('/');
    let part = p.delegated.as_ref();
    let sign_in = part.map_or(ConsumerSignIn::DeviceCode, |d| d.sign_in.clone());
    let list = |m: Option<&Vec<crate::model::Mailbox>>| -> Vec<String> {
        m.map(|l| l.iter().map(|x| x.to_string()).collect())
            .unwrap_or_default()
    };
    Some(Consumer {
        authorize: format!("{login}/{tenant}/oauth2/v2.0/authorize"),
        token: e.token_url(&tenant),
        device_code: (sign_in == ConsumerSignIn::DeviceCode)
            .then(|| format!("{login}/{tenant}/oauth2/v2.0/devicecode")),
        client_id: p.client_id.to_string(),
        scopes: scope_uris(e, part.is_some_and(|d| d.openid)),
        flow: sign_in.key(),
        redirect_uri: sign_in.redirect_uri().map(String::from),
        imap: split(&e.imap),
        smtp: split(&e.smtp),
        users: list(part.map(|d| &d.users)),
        shared: list(part.map(|d| &d.shared)),
    })
}

/// `KEY=value` pairs of the .env file.
pub(super) fn env(c: &Consumer) -> Vec<(&'static str, String)> {
    let mut v = vec![
        ("M365_DELEGATED_SIGN_IN", c.flow.to_string()),
        ("M365_DELEGATED_AUTHORIZE_URL", c.authorize.clone()),
        ("M365_DELEGATED_TOKEN_URL", c.token.clone()),
    ];
    if let Some(d) = &c.device_code {
        v.push(("M365_DELEGATED_DEVICECODE_URL", d.clone()));
    }
    if let Some(r) = &c.redirect_uri {
        v.push(("M365_DELEGATED_REDIRECT_URI", r.clone()));
    }
    v.push(("M365_DELEGATED_SCOPES", c.scopes.join(" ")));
    v.push(("M365_DELEGATED_USERS", c.users.join(",")));
    if !c.shared.is_empty() {
        v.push(("M365_DELEGATED_SHARED_MAILBOXES", c.shared.join(",")));
    }
    v
}

/// The `delegated` object of the JSON export.
pub(super) fn json(c: &Consumer) -> Value {
    json!({
        "sign_in": c.flow,
        "client_id": c.client_id,
        "authorize_url": c.authorize,
        "token_url": c.token,
        "devicecode_url": c.device_code,
        "redirect_uri": c.redirect_uri,
        "scopes": c.scopes,
        "imap": { "host": c.imap.0, "port": c.imap.1, "tls": "implicit", "sasl": "XOAUTH2" },
        "smtp": { "host": c.smtp.0, "port": c.smtp.1, "tls": "starttls", "sasl": "XOAUTH2" },
        "users": c.users,
        "shared_mailboxes": c.shared,
    })
}

/// The properties: the wizard's own `oauth2.delegated.*` names, then ESM's.
pub(super) fn properties(c: &Consumer) -> String {
    let mut t = format!(
        "# Delegated: a mailbox user signs in to the consuming application ({} flow), which keeps a refresh token (offline_access).\n",
        c.flow
    );
    if c.device_code.is_some() || c.flow == "password" {
        t.push_str("# It signs in without a client secret: \"Allow public client flows\" is on for the app.\n");
    }
    t.push_str(&format!("oauth2.delegated.sign.in={}\n", c.flow));
    t.push_str(&format!("oauth2.delegated.authorize.url={}\n", c.authorize));
    t.push_str(&format!("oauth2.delegated.token.url={}\n", c.token));
    if let Some(d) = &c.device_code {
        t.push_str(&format!("oauth2.delegated.devicecode.url={d}\n"));
    }
    if let Some(r) = &c.redirect_uri {
        t.push_str(&format!("oauth2.delegated.redirect.uri={r}\n"));
    }
    t.push_str(&format!("oauth2.delegated.scope={}\n", c.scopes.join(" ")));
    t.push_str(&format!("oauth2.delegated.users={}\n", c.users.join(",")));
    if !c.shared.is_empty() {
        t.push_str(&format!(
            "# A shared mailbox: sign in as the user, give the shared mailbox's address as the XOAUTH2 user.\noauth2.delegated.shared.mailboxes={}\n",
            c.shared.join(",")
        ));
    }
    t.push_str(
        "# Microsoft's page writes these scopes on https://outlook.office.com/; the same page asks for Office 365 Exchange Online's\n# app-only token as https://outlook.office365.com/.default, the form ESM's guide uses below.\n",
    );
    t.push_str("# ESM-style properties (the names its guide uses):\n");
    t.push_str("mail.store.oauth.enabled = true\n");
    t.push_str("mail.transport.oauth.enabled = true\n");
    t.push_str(&format!(
        "mail.oauth.authorize.endpoint = {}\n",
        c.authorize
    ));
    t.push_str(&format!("mail.oauth.client.id = {}\n", c.client_id));
    t.push_str(&format!(
        "mail.oauth.scopes = {}\n",
        c.scopes[..2].join(",")
    ));
    t
}

/// The delegated users' FullAccess on shared mailboxes that the setup made or found.
fn full_access_made(p: &Profile, j: Option<&Journal>) -> Option<Block> {
    let (j, d) = (j?, p.delegated.as_ref()?);
    let users: Vec<String> = d.users.iter().map(|m| m.to_string()).collect();
    let shared: Vec<String> = d.shared.iter().map(|m| m.to_string()).collect();
    let rows: Vec<Vec<String>> = scope::delegated_steps(&users, &shared)
        .iter()
        .filter(|st| j.exchange_done.contains(&st.key()))
        .filter_map(|st| {
            let (shared, user) = scope::shared_and_user(st)?;
            Some(vec![
                "Mailbox permission".into(),
                format!("FullAccess on {shared} for {user}"),
                format!("{user} may open the shared mailbox {shared} with their own sign-in"),
            ])
        })
        .collect();
    (!rows.is_empty()).then(|| Block::Table(vec!["Object", "Name", "What it does"], rows))
}

/// The report's section: which mailboxes use which style, what the setup made for the
/// delegated users, and the sending limits.
pub(super) fn styles(p: &Profile, j: Option<&Journal>) -> Vec<Block> {
    let app_only = p.access.iter().any(|a| *a != AccessChoice::Delegated);
    let mut rows: Vec<Vec<String>> = Vec::new();
    if app_only {
        for m in &p.mailboxes {
            rows.push(vec![
                m.to_string(),
                "app-only".into(),
                "the application's own sign-in (client credentials), within the scope above".into(),
            ]);
        }
    }
    if let Some(d) = &p.delegated {
        for u in &d.users {
            rows.push(vec![
                u.to_string(),
                "delegated".into(),
                format!(
                    "{u} signs in to the consuming application ({} flow); the user's own rights apply",
                    d.sign_in.key()
                ),
            ]);
        }
        for s in &d.shared {
            let users: Vec<String> = d.users.iter().map(|u| u.to_string()).collect();
            rows.push(vec![
                s.to_string(),
                "delegated (shared)".into(),
                format!(
                    "reached with {}'s sign-in through FullAccess",
                    users.join(", ")
                ),
            ]);
        }
    } else if uses(p, AccessChoice::Delegated) {
        rows.push(vec![
            "the mailbox of whoever signs in".into(),
            "delegated".into(),
            "no mailbox user was named at setup".into(),
        ]);
    }
    let mut b = Vec::new();
    if uses(p, AccessChoice::Delegated) {
        b.push(Block::Heading("Which mailboxes use which style".into()));
        b.push(Block::Table(vec!["Mailbox", "Style", "How"], rows));
        if let Some(made) = full_access_made(p, j) {
            b.push(Block::Para(
                "Made or found in Exchange Online for the delegated users:".into(),
            ));
            b.push(made);
        }
    }
    if uses(p, AccessChoice::Delegated) {
        b.push(Block::Para(
            "SMTP AUTH must be allowed for each delegated mailbox (Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false where it is off): its switches apply to OAuth sign-ins too. No Exchange application scope applies to the delegated style; a user reaches their own mailbox and the mailboxes they hold FullAccess on.".into(),
        ));
    }
    if uses(p, AccessChoice::Delegated) || uses(p, AccessChoice::Smtp) {
        b.push(Block::Para(
            "Sending through SMTP submission is limited by Exchange Online per mailbox: 30 messages a minute and 10,000 recipients a day (and 3 connections at once). A consuming application that sends more must spread it over mailboxes or time.".into(),
        ));
    }
    b
}

#[cfg(test)]
#[path = "delegated_tests.rs"]
mod tests;
