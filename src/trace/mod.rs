//! `--trace FILE`: every HTTP request and answer and every mail protocol line of the run, one
//! JSON object a line, redacted (see `redact` and `mail`; the format is in docs/trace.md).
//!
//! Off unless [`start`] was called: then each hook costs one atomic load and formats nothing.
//! Each record is written whole with one `write` to a file opened for appending, mode 0600, so
//! that a run killed mid-way leaves whole lines and nothing reaches the terminal.

pub mod mail;
pub mod redact;
#[cfg(test)]
mod tests;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use serde_json::{Value, json};

pub use mail::{Dir, MailRedactor};
use redact::Redactor;

/// The version of the record format; a reader refuses what it does not know.
pub const FORMAT: u32 = 1;

static ON: AtomicBool = AtomicBool::new(false);
static SINK: OnceLock<Sink> = OnceLock::new();

struct Sink {
    file: Mutex<std::fs::File>,
    redactor: Mutex<Redactor>,
    seq: std::sync::atomic::AtomicU64,
}

/// Why the trace file cannot be written.
#[derive(Debug, thiserror::Error)]
#[error("--trace {path}: cannot write the trace file: {detail}")]
pub struct TraceError {
    pub path: PathBuf,
    pub detail: String,
}

/// Whether this run writes a trace.
#[inline]
pub fn on() -> bool {
    ON.load(Ordering::Relaxed)
}

/// Opens (or creates, mode 0600) `path` for appending and turns tracing on for the run.
pub fn start(path: &Path) -> Result<(), TraceError> {
    let fail = |detail: String| TraceError {
        path: path.to_path_buf(),
        detail,
    };
    if path.is_dir() {
        return Err(fail("it is a directory; name a file".into()));
    }
    let mut o = std::fs::OpenOptions::new();
    o.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    let file = o.open(path).map_err(|e| fail(e.to_string()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(|e| fail(e.to_string()))?;
    }
    let sink = Sink {
        file: Mutex::new(file),
        redactor: Mutex::new(Redactor::default()),
        seq: Default::default(),
    };
    if SINK.set(sink).is_err() {
        return Err(fail("a trace is already being written".into()));
    }
    ON.store(true, Ordering::Relaxed);
    let head = json!({
        "trace": FORMAT,
        "program": concat!("m365-mail-wizard ", env!("CARGO_PKG_VERSION")),
    });
    write(head);
    Ok(())
}

fn write(mut record: Value) {
    let Some(sink) = SINK.get() else { return };
    let seq = sink.seq.fetch_add(1, Ordering::Relaxed);
    if let Value::Object(m) = &mut record {
        m.insert("seq".into(), seq.into());
        m.insert("at".into(), now().into());
    }
    let mut line = record.to_string();
    line.push('\n');
    let mut f = sink.file.lock().unwrap_or_else(|e| e.into_inner());
    // A trace that cannot be written must not stop the run, nor print on a screen.
    let _ = f.write_all(line.as_bytes());
}

fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Keeps `value` (a credential the trace would otherwise see only as free text, such as a
/// webhook's URL path) out of the trace from now on.
pub fn keep_out(kind: &str, value: &str) {
    with_redactor(|r| r.learn(kind, value));
}

fn with_redactor<T>(f: impl FnOnce(&mut Redactor) -> T) -> Option<T> {
    let sink = SINK.get()?;
    let mut r = sink.redactor.lock().unwrap_or_else(|e| e.into_inner());
    Some(f(&mut r))
}

/// One HTTP request on its way out; [`HttpCall::answered`] or [`HttpCall::failed`] writes it.
pub struct HttpCall {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    started: Instant,
}

impl HttpCall {
    pub fn new(method: &str, url: &str, headers: Vec<(String, String)>, body: Vec<u8>) -> Self {
        HttpCall {
            method: method.to_string(),
            url: url.to_string(),
            headers,
            body,
            started: Instant::now(),
        }
    }

    /// Writes the request with its answer.
    pub fn answered(self, status: u16, headers: &[(String, String)], body: &[u8]) {
        let ms = self.started.elapsed().as_millis() as u64;
        let record = with_redactor(|r| {
            let request = message(r, &self.headers, &self.body);
            let response = message(r, headers, body);
            let mut rec = json!({
                "kind": "http",
                "method": self.method,
                "url": r.url(&self.url),
                "request": request.0,
                "status": status,
                "response": response.0,
                "ms": ms,
            });
            if !response.1.is_empty() {
                rec["claims"] = Value::Object(response.1);
            }
            rec
        });
        if let Some(r) = record {
            write(r);
        }
    }

    /// Writes the request with the reason no answer came.
    pub fn failed(self, error: &str) {
        let record = with_redactor(|r| {
            json!({
                "kind": "http",
                "method": self.method,
                "url": r.url(&self.url),
                "request": message(r, &self.headers, &self.body).0,
                "error": r.text(error),
            })
        });
        if let Some(r) = record {
            write(r);
        }
    }
}

/// Headers and body of one request or answer, redacted; and the claims of tokens it held.
fn message(
    r: &mut Redactor,
    headers: &[(String, String)],
    body: &[u8],
) -> (Value, serde_json::Map<String, Value>) {
    let content_type = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    let b = r.body(content_type, body);
    let hs: Vec<Value> = headers
        .iter()
        .map(|(k, v)| json!([k, r.header(k, v)]))
        .collect();
    let mut m = json!({ "headers": hs });
    if let Value::Object(parts) = b.body {
        for (k, v) in parts {
            m[k] = v;
        }
    }
    (m, b.claims)
}

/// The tracing half of one mail dialogue: which protocol, which server, and where the
/// dialogue stands. None when tracing is off.
pub struct MailTrace {
    peer: String,
    /// Numbers the dialogues of a run: the checks talk to several mailboxes at once.
    dialogue: u64,
    state: MailRedactor,
}

static DIALOGUES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl MailTrace {
    pub fn new(proto: &'static str, peer: &str) -> Option<MailTrace> {
        on().then(|| MailTrace {
            peer: peer.to_string(),
            dialogue: DIALOGUES.fetch_add(1, Ordering::Relaxed),
            state: MailRedactor::new(proto),
        })
    }

    /// Writes one line (or several joined by CR LF) sent in `dir`.
    pub fn line(&mut self, dir: Dir, text: &str) {
        let redacted = self.state.line(dir, text);
        let Some(redacted) = with_redactor(|r| r.text(&redacted)) else {
            return;
        };
        write(json!({
            "kind": "mail",
            "proto": self.state.proto(),
            "peer": self.peer,
            "dialogue": self.dialogue,
            "dir": dir.key(),
            "line": redacted,
        }));
    }
}
