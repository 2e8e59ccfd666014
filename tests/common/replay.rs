//! The replay server: answers HTTP requests from a trace written with `--trace` (docs/trace.md).
//!
//! A request is matched to the first unused recorded exchange with the same method, path, query
//! and (redacted) body; failing that, the same method, path and query; failing that, the same
//! method and path. The recorded status, headers and body are answered, with every recorded
//! origin (scheme://host:port) replaced by the replay server's own, and each redaction marker
//! replaced by a usable stand-in: an access token becomes an unsigned JWT carrying the claims
//! the trace kept for it (expiry moved an hour ahead), a secret a secret-shaped value.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use m365_mail_wizard::trace::redact::Redactor;
use serde_json::{Value, json};

struct Exchange {
    method: String,
    path: String,
    query: String,
    request: Value,
    status: u16,
    response: Value,
    claims: Value,
    used: bool,
}

pub struct Replay {
    pub origin: String,
    exchanges: Arc<Mutex<Vec<Exchange>>>,
    misses: Arc<Mutex<Vec<String>>>,
    graph_prefix: String,
}

/// Scheme, host and port of a URL; and the rest (path and query).
fn split_origin(url: &str) -> (String, String) {
    let after = url.find("://").map_or(0, |i| i + 3);
    match url[after..].find('/') {
        Some(i) => (url[..after + i].to_string(), url[after + i..].to_string()),
        None => (url.to_string(), "/".to_string()),
    }
}

impl Replay {
    /// Serves the HTTP exchanges of every run in the trace `text`, on a loopback port.
    pub fn start(text: &str) -> Replay {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let mut origins: Vec<String> = Vec::new();
        let mut exchanges = Vec::new();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let rec: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("a trace line is JSON ({e}): {line}"));
            if let Some(v) = rec.get("trace") {
                assert_eq!(v, 1, "trace format version");
            }
            if rec["kind"] != "http" || rec.get("status").is_none() {
                continue;
            }
            let (o, rest) = split_origin(rec["url"].as_str().unwrap());
            if !origins.contains(&o) {
                origins.push(o);
            }
            let (path, query) = rest.split_once('?').unwrap_or((&rest, ""));
            exchanges.push(Exchange {
                method: rec["method"].as_str().unwrap().to_string(),
                path: path.to_string(),
                query: query.to_string(),
                request: body_of(&rec["request"]),
                status: rec["status"].as_u64().unwrap() as u16,
                response: rec["response"].clone(),
                claims: rec["claims"].clone(),
                used: false,
            });
        }
        // Every recorded origin becomes this server's, in answers and in the kept claims.
        let rewrite = |v: &Value| -> Value {
            let mut s = v.to_string();
            for o in &origins {
                s = s.replace(o.as_str(), &origin);
            }
            serde_json::from_str(&s).unwrap()
        };
        for e in &mut exchanges {
            e.response = rewrite(&e.response);
            e.claims = rewrite(&e.claims);
        }
        let graph_prefix = if exchanges.iter().any(|e| e.path.starts_with("/graph/")) {
            "/graph".to_string()
        } else {
            String::new()
        };
        let replay = Replay {
            origin,
            exchanges: Arc::new(Mutex::new(exchanges)),
            misses: Arc::default(),
            graph_prefix,
        };
        let (ex, misses) = (replay.exchanges.clone(), replay.misses.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let (ex, misses) = (ex.clone(), misses.clone());
                std::thread::spawn(move || serve(conn, &ex, &misses));
            }
        });
        replay
    }

    pub fn from_file(path: &Path) -> Replay {
        Replay::start(&std::fs::read_to_string(path).unwrap())
    }

    /// A cloud file (`--cloud-file`) whose every HTTP endpoint is this server.
    pub fn cloud_file(&self, dir: &Path) -> PathBuf {
        let o = &self.origin;
        let text = format!(
            "name = \"replay\"\nlogin = \"{o}\"\ngraph = \"{o}{}\"\ngraph_resource = \"https://graph.microsoft.com\"\n\
             exchange = \"{o}\"\nexchange_resource = \"https://outlook.office365.com\"\n\
             imap = \"127.0.0.1:9\"\npop = \"127.0.0.1:9\"\nsmtp = \"127.0.0.1:9\"\nportal = \"{o}/portal\"\n",
            self.graph_prefix
        );
        let path = dir.join("replay-cloud.toml");
        std::fs::write(&path, text).unwrap();
        path
    }

    /// Requests no recorded exchange answered.
    pub fn misses(&self) -> Vec<String> {
        self.misses.lock().unwrap().clone()
    }

    /// Recorded exchanges no request asked for.
    pub fn unused(&self) -> Vec<String> {
        let ex = self.exchanges.lock().unwrap();
        ex.iter()
            .filter(|e| !e.used)
            .map(|e| format!("{} {}", e.method, e.path))
            .collect()
    }
}

/// A recorded body as one comparable value.
fn body_of(message: &Value) -> Value {
    match (message.get("json"), message.get("text")) {
        (Some(j), _) => j.clone(),
        (None, Some(t)) => t.clone(),
        _ => Value::Null,
    }
}

fn serve(conn: TcpStream, ex: &Mutex<Vec<Exchange>>, misses: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut head = String::new();
    if reader.read_line(&mut head).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = head.split_whitespace();
    let (method, target) = (
        parts.next().unwrap_or("").to_string(),
        parts.next().unwrap_or("/").to_string(),
    );
    let (mut length, mut content_type) = (0usize, String::new());
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            match k.trim().to_ascii_lowercase().as_str() {
                "content-length" => length = v.trim().parse().unwrap_or(0),
                "content-type" => content_type = v.trim().to_string(),
                _ => {}
            }
        }
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    let asked = body_of(&Redactor::default().body(&content_type, &body).body);
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let answer = {
        let mut ex = ex.lock().unwrap();
        let pick = |e: &Exchange, q: bool, b: bool| {
            !e.used
                && e.method == method
                && e.path == path
                && (!q || e.query == query)
                && (!b || e.request == asked)
        };
        let found = [(true, true), (true, false), (false, false)]
            .into_iter()
            .find_map(|(q, b)| ex.iter().position(|e| pick(e, q, b)));
        found.map(|i| {
            ex[i].used = true;
            (ex[i].status, ex[i].response.clone(), ex[i].claims.clone())
        })
    };
    let mut conn = conn;
    let Some((status, response, claims)) = answer else {
        misses.lock().unwrap().push(format!("{method} {target}"));
        let _ = conn.write_all(
            b"HTTP/1.1 599 Not In Trace\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
        );
        return;
    };
    let out = match (response.get("json"), response.get("text")) {
        (Some(j), _) => fill(&j.to_string(), &claims),
        (None, Some(Value::String(t))) => fill(t, &claims),
        _ => String::new(),
    };
    let mut text = format!("HTTP/1.1 {status} Replayed\r\n");
    for h in response["headers"].as_array().into_iter().flatten() {
        let (k, v) = (h[0].as_str().unwrap_or(""), h[1].as_str().unwrap_or(""));
        if !matches!(
            k.to_ascii_lowercase().as_str(),
            "content-length" | "transfer-encoding" | "connection" | "date"
        ) {
            text.push_str(&format!("{k}: {}\r\n", fill(v, &claims)));
        }
    }
    text.push_str(&format!(
        "content-length: {}\r\nconnection: close\r\n\r\n{out}",
        out.len()
    ));
    let _ = conn.write_all(text.as_bytes());
}

/// `text` with each redaction marker replaced by a stand-in the client can use.
fn fill(text: &str, claims: &Value) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("«redacted:") {
        out.push_str(&rest[..at]);
        let after = &rest[at + "«redacted:".len()..];
        let Some(end) = after.find('»') else {
            break;
        };
        out.push_str(&stand_in(&after[..end], claims));
        rest = &after[end + '»'.len_utf8()..];
    }
    out.push_str(rest);
    out
}

fn stand_in(kind: &str, claims: &Value) -> String {
    match kind {
        "access_token" | "id_token" | "jwt" => {
            let mut c = claims.get(kind).cloned().unwrap_or_else(|| json!({}));
            if c.get("exp").is_some() {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_secs();
                c["exp"] = json!(now + 3600);
            }
            format!(
                "{}.{}.cmVwbGF5ZWQ",
                URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#),
                URL_SAFE_NO_PAD.encode(c.to_string())
            )
        }
        "secretText" => "Rpl7Q~Replayed.Secret-Stand_In.0123456789ab".to_string(),
        "user_code" => "RPLY2345".to_string(),
        other => format!("replayed-{other}"),
    }
}
