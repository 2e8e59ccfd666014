//! Sandbox Microsoft Graph: users, the inbox folder, messages and sendMail, under the access rules.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::Shared;
use super::clock::now_ms;
use super::gate::graph_caller;
use super::responses::{denied, graph_error, resource_not_found};
use super::tenant::{Refusal, User};

pub const READ_ROLES: [&str; 4] = [
    "Mail.Read",
    "Mail.ReadWrite",
    "Mail.ReadBasic",
    "Mail.ReadBasic.All",
];
const USER_ROLES: [&str; 3] = ["User.Read.All", "User.ReadBasic.All", "Directory.Read.All"];
const SEND_ROLES: [&str; 1] = ["Mail.Send"];

fn access_denied() -> Response {
    graph_error(
        StatusCode::FORBIDDEN,
        "ErrorAccessDenied",
        "Access is denied. Check credentials and try again.",
    )
}

fn refusal(r: Refusal, mailbox: &str) -> Response {
    match r {
        Refusal::NoSuchUser => graph_error(
            StatusCode::NOT_FOUND,
            "ErrorInvalidUser",
            &format!("The requested user '{mailbox}' is invalid."),
        ),
        Refusal::MissingRole => access_denied(),
        Refusal::BlockedByPolicy => graph_error(
            StatusCode::FORBIDDEN,
            "ErrorAccessDenied",
            "Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.",
        ),
    }
}

/// Runs `f` on the mailbox when the caller may reach it with one of `roles`.
async fn with_mailbox<F>(
    s: &Shared,
    headers: &HeaderMap,
    mailbox: &str,
    roles: &[&str],
    f: F,
) -> Response
where
    F: FnOnce(&mut User) -> Response,
{
    let mut t = s.tenant.lock().await;
    let caller = match graph_caller(s, headers, &t.tenant_id) {
        Ok(c) => c,
        Err(r) => return r.into_response(),
    };
    // A mailbox without an Exchange Online licence answers so whoever asks
    // (docs/december-2026.md 6.4).
    if t.user(mailbox).is_some_and(|u| u.without_exchange_licence) {
        return graph_error(
            StatusCode::NOT_FOUND,
            "MailboxNotEnabledForRESTAPI",
            "REST API is not yet supported for this mailbox.",
        );
    }
    let id = match t.graph_mail_access(&caller.appid, &caller.roles, roles, mailbox, now_ms()) {
        Ok(u) => u.id.clone(),
        Err(r) => return refusal(r, mailbox),
    };
    let user = t.user_mut(&id).expect("user found above");
    f(user)
}

pub async fn user(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let t = s.tenant.lock().await;
    let caller = match graph_caller(&s, &headers, &t.tenant_id) {
        Ok(c) => c,
        Err(r) => return r.into_response(),
    };
    if !caller
        .roles
        .iter()
        .any(|r| USER_ROLES.contains(&r.as_str()))
    {
        return denied();
    }
    match t.user(&id) {
        Some(u) => Json(json!({
            "@odata.context": format!("{}/v1.0/$metadata#users/$entity", s.graph_base),
            "id": u.id,
            "displayName": u.name,
            "mail": u.mail,
            "userPrincipalName": u.mail,
        }))
        .into_response(),
        None => resource_not_found(&id),
    }
}

pub async fn mail_folder(
    State(s): State<Arc<Shared>>,
    Path((id, folder)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let base = s.graph_base.clone();
    with_mailbox(&s, &headers, &id, &READ_ROLES, |u| {
        if !folder.eq_ignore_ascii_case("inbox") {
            return graph_error(
                StatusCode::NOT_FOUND,
                "ErrorItemNotFound",
                "The specified object was not found in the store.",
            );
        }
        let unread = u.messages.iter().filter(|m| !m.is_read).count();
        Json(json!({
            "@odata.context": format!("{base}/v1.0/$metadata#users('{}')/mailFolders/$entity", u.id),
            "id": format!("AAMkInbox{}", &u.id[..8]),
            "displayName": "Inbox",
            "parentFolderId": format!("AAMkRoot{}", &u.id[..8]),
            "childFolderCount": 0,
            "unreadItemCount": unread,
            "totalItemCount": u.messages.len(),
            "sizeInBytes": u.messages.len() * 4096,
            "isHidden": false,
        }))
        .into_response()
    })
    .await
}

pub async fn messages(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let top = match q.get("$top").map(|t| t.parse::<usize>()) {
        None => 10,
        Some(Ok(n)) if (1..=1000).contains(&n) => n,
        Some(_) => {
            return graph_error(
                StatusCode::BAD_REQUEST,
                "ErrorInvalidUrlQuery",
                "The value of $top must be a whole number from 1 to 1000.",
            );
        }
    };
    with_mailbox(&s, &headers, &id, &READ_ROLES, |u| {
        let value: Vec<Value> = u
            .messages
            .iter()
            .rev()
            .take(top)
            .map(|m| {
                json!({
                    "id": m.id,
                    "subject": m.subject,
                    "receivedDateTime": m.received,
                    "isRead": m.is_read,
                    "from": { "emailAddress": { "address": m.from } },
                })
            })
            .collect();
        Json(json!({ "value": value })).into_response()
    })
    .await
}

pub async fn send_mail(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Option<Json<Value>>,
) -> Response {
    let Some(Json(body)) = body else {
        return graph_error(
            StatusCode::BAD_REQUEST,
            "ErrorInvalidRequest",
            "Empty Payload. JSON content expected.",
        );
    };
    let msg = &body["message"];
    let recipients: Vec<String> = msg["toRecipients"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|r| {
                    r["emailAddress"]["address"]
                        .as_str()
                        .map(str::to_ascii_lowercase)
                })
                .collect()
        })
        .unwrap_or_default();
    if recipients.is_empty() {
        return graph_error(
            StatusCode::BAD_REQUEST,
            "ErrorInvalidRecipients",
            "At least one recipient isn't valid., A message can't be sent because it contains no recipients.",
        );
    }
    let subject = msg["subject"].as_str().unwrap_or("").to_string();
    let mut sender = String::new();
    let r = with_mailbox(&s, &headers, &id, &SEND_ROLES, |u| {
        sender = u.mail.clone();
        StatusCode::ACCEPTED.into_response()
    })
    .await;
    if r.status() != StatusCode::ACCEPTED {
        return r;
    }
    let mut t = s.tenant.lock().await;
    for to in recipients {
        t.deliver(&to, &sender, &subject);
    }
    drop(t);
    s.persist().await;
    r
}
