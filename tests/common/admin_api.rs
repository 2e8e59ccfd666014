//! The sandbox tenant read the way an administrator reads a real one: through Microsoft Graph
//! and the Exchange admin API, signed in with a device code (`sandbox serve --auto-approve`).

use std::io::{Read, Write};

use serde_json::{Value, json};

use super::Served;

const GRAPH_CLIENT: &str = "14d82eec-204b-4c2f-b7e8-296a70dab67e";
const EXCHANGE_CLIENT: &str = "fb78d390-0c51-40cd-8e17-fdbfab77341b";

/// One HTTP/1.0 exchange with a loopback server: the status, the `Location` header and the body.
pub fn http(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, Option<String>, String) {
    let rest = url.strip_prefix("http://").expect("a plain-HTTP URL");
    let (host, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_string()), |(h, p)| (h, format!("/{p}")));
    let mut s = std::net::TcpStream::connect(host).unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.0\r\nHost: {host}\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    write!(s, "{head}\r\n{body}").unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let location = head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case("location")
            .then(|| v.trim().to_string())
    });
    (status, location, body.to_string())
}

/// Fields as `application/x-www-form-urlencoded`.
pub fn form(fields: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A device-code sign-in the sandbox approves at once; the access token.
pub fn sign_in(sb: &Served, client: &str, scope: &str) -> String {
    let login = sb.info["login"].as_str().unwrap();
    let tenant = sb.info["tenant_id"].as_str().unwrap();
    let post = |endpoint: &str, fields: &[(&str, &str)]| {
        let (status, _, body) = http(
            "POST",
            &format!("{login}/{tenant}/oauth2/v2.0/{endpoint}"),
            &[("Content-Type", "application/x-www-form-urlencoded")],
            &form(fields),
        );
        let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        assert_eq!(status, 200, "{endpoint}: {body}");
        v
    };
    let code = post("devicecode", &[("client_id", client), ("scope", scope)]);
    let token = post(
        "token",
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", client),
            ("device_code", code["device_code"].as_str().unwrap()),
        ],
    );
    token["access_token"].as_str().unwrap().to_string()
}

/// A Graph call with `token` (`path` after `/v1.0/`): status and body.
pub fn graph_call(
    sb: &Served,
    token: &str,
    method: &str,
    path: &str,
    body: &Value,
) -> (u16, String) {
    let bearer = format!("Bearer {token}");
    let url = format!("{}/v1.0/{path}", sb.info["graph"].as_str().unwrap());
    let headers = [
        ("Authorization", bearer.as_str()),
        ("Content-Type", "application/json"),
    ];
    let (status, _, text) = http(method, &url, &headers, &body.to_string());
    (status, text)
}

pub struct AdminApi {
    graph: String,
    admin_api: String,
    graph_token: String,
    exchange_token: String,
}

impl AdminApi {
    /// Signed in as the sandbox's administrator, read-only where Graph allows it.
    pub fn sign_in(sb: &Served) -> AdminApi {
        let login = sb.info["login"].as_str().unwrap();
        let tenant = sb.info["tenant_id"].as_str().unwrap();
        let graph = "https://graph.microsoft.com";
        AdminApi {
            graph: sb.info["graph"].as_str().unwrap().to_string(),
            admin_api: format!("{login}/adminapi/beta/{tenant}/InvokeCommand"),
            graph_token: sign_in(
                sb,
                GRAPH_CLIENT,
                &format!("{graph}/Application.Read.All {graph}/RoleManagement.Read.Exchange"),
            ),
            exchange_token: sign_in(
                sb,
                EXCHANGE_CLIENT,
                "https://outlook.office365.com/.default",
            ),
        }
    }

    /// `GET` on Graph (`path` from the version on, e.g. `/v1.0/applications`): the `value` list.
    pub fn list(&self, path: &str) -> Vec<Value> {
        let bearer = format!("Bearer {}", self.graph_token);
        let (status, _, body) = http(
            "GET",
            &format!("{}{path}", self.graph),
            &[("Authorization", &bearer)],
            "",
        );
        assert_eq!(status, 200, "GET {path}: {body}");
        let v: Value = serde_json::from_str(&body).unwrap();
        v["value"].as_array().cloned().unwrap_or_default()
    }

    /// A cmdlet through the Exchange admin API (following its redirect, if any): the rows.
    pub fn cmdlet(&self, name: &str, parameters: Value) -> Vec<Value> {
        let bearer = format!("Bearer {}", self.exchange_token);
        let body = json!({"CmdletInput": {"CmdletName": name, "Parameters": parameters}});
        let mut url = self.admin_api.clone();
        for _ in 0..2 {
            let (status, location, answer) = http(
                "POST",
                &url,
                &[
                    ("Authorization", &bearer),
                    ("Content-Type", "application/json"),
                    ("Accept-Language", "en-US"),
                ],
                &body.to_string(),
            );
            if let (302 | 307, Some(to)) = (status, location) {
                url = to;
                continue;
            }
            assert_eq!(status, 200, "{name}: {answer}");
            let v: Value = serde_json::from_str(&answer).unwrap();
            return v["value"].as_array().cloned().unwrap_or_default();
        }
        panic!("{name}: redirected twice")
    }
}
