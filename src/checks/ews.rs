//! EWS (legacy): a SOAP GetFolder of the inbox, impersonating the mailbox, with the
//! Exchange-audience token.

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::cloud::identity::AccessToken;
use crate::cloud::{CloudError, GraphError, http};
use crate::model::{Endpoints, Mailbox};

/// What a GetFolder answer said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EwsAnswer {
    Folder {
        total: u32,
        unread: u32,
    },
    /// A response message with `ResponseClass="Error"`, or a SOAP fault.
    Error {
        code: String,
        message: String,
    },
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn xml_unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

pub fn get_inbox_request(mailbox: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages">
  <soap:Header>
    <t:RequestServerVersion Version="Exchange2016"/>
    <t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>{}</t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation>
  </soap:Header>
  <soap:Body>
    <m:GetFolder>
      <m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape>
      <m:FolderIds><t:DistinguishedFolderId Id="inbox"/></m:FolderIds>
    </m:GetFolder>
  </soap:Body>
</soap:Envelope>"#,
        xml_escape(mailbox)
    )
}

/// Reads a GetFolder response or a SOAP fault; `None` when it is neither.
pub fn parse_get_folder(xml: &str) -> Option<EwsAnswer> {
    let mut r = Reader::from_str(xml);
    let mut open: Vec<u8> = Vec::new();
    let (mut class, mut code, mut text, mut fault) = (None, None, None, None);
    let (mut total, mut unread) = (None, None);
    let mut depth = 0usize;
    loop {
        match r.read_event().ok()? {
            Event::Start(e) => {
                depth += 1;
                if depth > 64 {
                    return None;
                }
                open = e.local_name().as_ref().to_vec();
                if open.ends_with(b"ResponseMessage") {
                    for a in e.attributes().flatten() {
                        if a.key.local_name().as_ref() == b"ResponseClass" {
                            class = Some(String::from_utf8_lossy(&a.value).into_owned());
                        }
                    }
                }
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                open.clear();
            }
            Event::Text(t) => {
                let v = xml_unescape(String::from_utf8_lossy(&t).trim());
                match open.as_slice() {
                    b"ResponseCode" => code = Some(v),
                    b"MessageText" | b"Message" => text = Some(v),
                    b"faultstring" => fault = Some(v),
                    b"TotalCount" => total = v.parse().ok(),
                    b"UnreadCount" => unread = v.parse().ok(),
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if class.as_deref() == Some("Success")
        && let (Some(total), Some(unread)) = (total, unread)
    {
        return Some(EwsAnswer::Folder { total, unread });
    }
    if class.is_some() || fault.is_some() {
        return Some(EwsAnswer::Error {
            code: code.unwrap_or_else(|| "SoapFault".into()),
            message: text.or(fault).unwrap_or_default(),
        });
    }
    None
}

/// The inbox's counts through EWS, or the error the service answered.
pub async fn inbox(
    http: &reqwest::Client,
    endpoints: &Endpoints,
    token: &AccessToken,
    mailbox: &Mailbox,
) -> Result<(u32, u32), CloudError> {
    let url = endpoints.ews_url();
    http::guard(&url)?;
    let req = http
        .post(&url)
        .header(reqwest::header::AUTHORIZATION, token.bearer())
        .header("Content-Type", "text/xml; charset=utf-8")
        .header("X-AnchorMailbox", mailbox.as_str())
        .body(get_inbox_request(mailbox.as_str()));
    let resp = http::send(req)
        .await
        .map_err(|e| CloudError::from_reqwest(&e))?;
    let status = resp.status;
    // EWS explains a refused token in this header rather than in the body.
    let diagnostics = resp
        .headers
        .get("x-ms-diagnostics")
        .and_then(|v| v.to_str().ok())
        .map(super::wire::printable);
    let body = String::from_utf8_lossy(&resp.body).into_owned();
    let ews = |code: &str, message: String| {
        CloudError::Graph(GraphError {
            status,
            code: code.to_string(),
            message,
        })
    };
    match parse_get_folder(&body) {
        Some(EwsAnswer::Folder { total, unread }) if status == 200 => Ok((total, unread)),
        Some(EwsAnswer::Error { code, message }) => Err(ews(&code, message)),
        _ if status == 401 || status == 403 => Err(ews(
            if status == 401 {
                "401 Unauthorized"
            } else {
                "403 Forbidden"
            },
            diagnostics.unwrap_or_else(|| "EWS refused the access token".into()),
        )),
        _ => Err(CloudError::Unexpected {
            status,
            detail: super::wire::printable(&body),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_escapes_the_mailbox() {
        let r = get_inbox_request("a&b@x.example");
        assert!(r.contains("<t:PrimarySmtpAddress>a&amp;b@x.example</t:PrimarySmtpAddress>"));
        assert!(r.contains(r#"DistinguishedFolderId Id="inbox""#));
    }

    #[test]
    fn answers() {
        let ok = r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><m:GetFolderResponse xmlns:m="m" xmlns:t="t"><m:ResponseMessages><m:GetFolderResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:Folders><t:Folder><t:DisplayName>Inbox</t:DisplayName><t:TotalCount>12</t:TotalCount><t:ChildFolderCount>0</t:ChildFolderCount><t:UnreadCount>3</t:UnreadCount></t:Folder></m:Folders></m:GetFolderResponseMessage></m:ResponseMessages></m:GetFolderResponse></s:Body></s:Envelope>"#;
        assert_eq!(
            parse_get_folder(ok),
            Some(EwsAnswer::Folder {
                total: 12,
                unread: 3
            })
        );
        let err = r#"<s:Envelope xmlns:s="s"><s:Body><m:GetFolderResponse xmlns:m="m"><m:ResponseMessages><m:GetFolderResponseMessage ResponseClass="Error"><m:MessageText>Access is denied. Check credentials and try again.</m:MessageText><m:ResponseCode>ErrorAccessDenied</m:ResponseCode></m:GetFolderResponseMessage></m:ResponseMessages></m:GetFolderResponse></s:Body></s:Envelope>"#;
        assert_eq!(
            parse_get_folder(err),
            Some(EwsAnswer::Error {
                code: "ErrorAccessDenied".into(),
                message: "Access is denied. Check credentials and try again.".into()
            })
        );
        let fault = r#"<s:Envelope xmlns:s="s"><s:Body><s:Fault><faultcode>a:ErrorInvalidExchangeImpersonationHeaderData</faultcode><faultstring xml:lang="en-US">ExchangeImpersonation SOAP header must be present for this type of OAuth token.</faultstring><detail><e:ResponseCode xmlns:e="e">ErrorInvalidExchangeImpersonationHeaderData</e:ResponseCode></detail></s:Fault></s:Body></s:Envelope>"#;
        match parse_get_folder(fault) {
            Some(EwsAnswer::Error { code, message }) => {
                assert_eq!(code, "ErrorInvalidExchangeImpersonationHeaderData");
                assert!(message.starts_with("ExchangeImpersonation SOAP header"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(parse_get_folder("<html>nope</html>"), None);
        assert_eq!(parse_get_folder("<<<"), None);
        assert_eq!(parse_get_folder(""), None);
    }
}
