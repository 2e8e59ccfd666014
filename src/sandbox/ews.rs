//! EWS `GetFolder` for app-only callers, with Exchange Online's answers (access rule 2:
//! full_access_as_app plus any application access policy).

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::Shared;
use super::clock::now_ms;
use super::gate::bearer;
use super::tenant::{EwsRefusal, Refusal};

const SOAP_ENV: &str = "http://schemas.xmlsoap.org/soap/envelope/";
const TYPES: &str = "http://schemas.microsoft.com/exchange/services/2006/types";
const MESSAGES: &str = "http://schemas.microsoft.com/exchange/services/2006/messages";

fn xml(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        body,
    )
        .into_response()
}

fn envelope(body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="{SOAP_ENV}"><s:Header><h:ServerVersionInfo MajorVersion="15" MinorVersion="20" MajorBuildNumber="0" MinorBuildNumber="0" xmlns:h="{TYPES}"/></s:Header><s:Body>{body}</s:Body></s:Envelope>"#
    )
}

fn fault(code: &str, message: &str) -> Response {
    xml(
        StatusCode::INTERNAL_SERVER_ERROR,
        envelope(&format!(
            r#"<s:Fault><faultcode xmlns:a="{TYPES}">a:{code}</faultcode><faultstring xml:lang="en-US">{message}</faultstring><detail><e:ResponseCode xmlns:e="{TYPES}">{code}</e:ResponseCode><e:Message xmlns:e="{TYPES}">{message}</e:Message></detail></s:Fault>"#
        )),
    )
}

fn response_message(class: &str, code: &str, text: Option<&str>, folder: &str) -> Response {
    let text = text
        .map(|t| format!("<m:MessageText>{t}</m:MessageText>"))
        .unwrap_or_default();
    xml(
        StatusCode::OK,
        envelope(&format!(
            r#"<m:GetFolderResponse xmlns:m="{MESSAGES}" xmlns:t="{TYPES}"><m:ResponseMessages><m:GetFolderResponseMessage ResponseClass="{class}">{text}<m:ResponseCode>{code}</m:ResponseCode>{folder}</m:GetFolderResponseMessage></m:ResponseMessages></m:GetFolderResponse>"#
        )),
    )
}

/// The text of the first element whose name ends with `local` (any prefix).
fn element_text<'a>(xml: &'a str, local: &str) -> Option<&'a str> {
    let mut rest = xml;
    loop {
        let i = rest.find('<')?;
        rest = &rest[i + 1..];
        let end = rest.find('>')?;
        let name = rest[..end].split_whitespace().next().unwrap_or("");
        let bare = name.rsplit(':').next().unwrap_or(name);
        if bare == local && !rest[..end].ends_with('/') {
            let body = &rest[end + 1..];
            return body.find('<').map(|j| body[..j].trim());
        }
    }
}

pub async fn exchange_asmx(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let unauthorized = || {
        (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer client_id=\"00000002-0000-0ff1-ce00-000000000000\", trusted_issuers=\"00000001-0000-0000-c000-000000000000@*\", token_types=\"app_asserted_user_v1 service_asserted_app_v1\", error=\"invalid_token\"")],
        )
            .into_response()
    };
    let t = s.tenant.lock().await;
    let Ok(caller) = s.verify_token(bearer(&headers), &s.exchange_resource, &t.tenant_id) else {
        return unauthorized();
    };
    let now = now_ms();
    let rbac = t
        .app_by_client_id(&caller.appid)
        .is_some_and(|a| t.rbac_grants(a, &["full_access_as_app"], None, now));
    if !rbac && !caller.roles.iter().any(|r| r == "full_access_as_app") {
        // As reported from the real service: 403 with the reason in x-ms-diagnostics.
        return (
            StatusCode::FORBIDDEN,
            [(
                "x-ms-diagnostics",
                "2000008;reason=\"The token contains not enough scope to make this call.\";error_category=\"invalid_grant\"",
            )],
        )
            .into_response();
    }
    let Some(mailbox) = element_text(&body, "PrimarySmtpAddress") else {
        return fault(
            "ErrorInvalidExchangeImpersonationHeaderData",
            "ExchangeImpersonation SOAP header must be present for this type of OAuth token.",
        );
    };
    if !body.contains("GetFolder") || !body.contains("Id=\"inbox\"") {
        return fault(
            "ErrorInvalidRequest",
            "The sandbox answers GetFolder of the inbox only.",
        );
    }
    if let Some(refusal) = t.ews_refusal(&caller.appid, mailbox) {
        return switched_off(refusal);
    }
    match t.graph_mail_access(
        &caller.appid,
        &caller.roles,
        &["full_access_as_app"],
        mailbox,
        now,
    ) {
        Ok(u) => {
            let unread = u.messages.iter().filter(|m| !m.is_read).count();
            let folder = format!(
                r#"<m:Folders><t:Folder><t:FolderId Id="AAMkInbox{}" ChangeKey="AQAAAA=="/><t:DisplayName>Inbox</t:DisplayName><t:TotalCount>{}</t:TotalCount><t:ChildFolderCount>0</t:ChildFolderCount><t:UnreadCount>{unread}</t:UnreadCount></t:Folder></m:Folders>"#,
                &u.id[..8],
                u.messages.len()
            );
            response_message("Success", "NoError", None, &folder)
        }
        Err(Refusal::NoSuchUser) => response_message(
            "Error",
            "ErrorNonExistentMailbox",
            Some("The SMTP address has no mailbox associated with it."),
            "",
        ),
        Err(Refusal::MissingRole | Refusal::BlockedByPolicy) => response_message(
            "Error",
            "ErrorAccessDenied",
            Some("Access is denied. Check credentials and try again."),
            "",
        ),
    }
}

/// EWS's own refusals. Microsoft documents only the licence's HTTP 403; the words of every
/// answer here are the sandbox's own (docs/realistic-sandbox.md).
fn switched_off(refusal: EwsRefusal) -> Response {
    let reason = match refusal {
        EwsRefusal::OrgDisabled => {
            "2000014;reason=\"EWS is disabled for this organization (EwsEnabled is False).\";error_category=\"ews_disabled\""
        }
        EwsRefusal::NotAllowListed => {
            "2000015;reason=\"The application is not in the organization's EWS allow list (EwsAllowedAppIDs).\";error_category=\"ews_app_not_allowed\""
        }
        EwsRefusal::MailboxDisabled => {
            "2000016;reason=\"EWS is disabled for this mailbox (EwsEnabled is False).\";error_category=\"ews_disabled\""
        }
        EwsRefusal::Licence => {
            let mut r = response_message(
                "Error",
                "ErrorInvalidLicense",
                Some("The license is invalid for this mailbox."),
                "",
            );
            *r.status_mut() = StatusCode::FORBIDDEN;
            return r;
        }
    };
    (StatusCode::FORBIDDEN, [("x-ms-diagnostics", reason)]).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_impersonated_address() {
        let req = crate::checks::ews::get_inbox_request("alice@contoso.example");
        assert_eq!(
            element_text(&req, "PrimarySmtpAddress"),
            Some("alice@contoso.example")
        );
        assert_eq!(element_text("<a><b/></a>", "b"), None);
        assert_eq!(element_text("<x:b>v</x:b>", "b"), Some("v"));
    }
}
