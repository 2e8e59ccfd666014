//! What the commands read from standard input: a secret piped in, and the answers the guided
//! paths ask for, each asked again until it is valid.

use std::io::{BufRead, IsTerminal, Read, Write};

use super::Exit;
use super::output::usage;
use crate::model::{ClientId, Secret, TenantId};

/// Standard input as text, enough of it for `n` secrets with room to say one is too long,
/// without reading a whole file.
fn stdin_text(n: usize) -> Result<String, Exit> {
    let limit = ((crate::model::SECRET_MAX_CHARS * 4 + 16) * n) as u64;
    let mut bytes = Vec::new();
    if std::io::stdin()
        .take(limit)
        .read_to_end(&mut bytes)
        .is_err()
    {
        return Err(usage("could not read the secret from standard input"));
    }
    String::from_utf8(bytes).map_err(|_| {
        usage(
            "the secret on standard input is not text (UTF-8): pipe in the client secret's Value alone (several: one a line)",
        )
    })
}

/// `n` client secrets from standard input, one a line, in the order their apps were named.
pub fn secrets_from_stdin(n: usize) -> Result<Vec<Secret>, Exit> {
    let mut raw = stdin_text(n)?;
    let lines: Vec<&str> = raw
        .lines()
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .filter(|l| !l.is_empty())
        .collect();
    let got = lines.len();
    let mut out = Vec::new();
    let mut blocked = None;
    for (i, line) in lines.into_iter().enumerate() {
        let (secret, warnings) = Secret::from_pasted(line);
        if let Some(w) = warnings.iter().find(|w| w.blocks()) {
            blocked.get_or_insert_with(|| format!("secret {} of {n}: {}", i + 1, w.message()));
        }
        out.push(secret);
    }
    zeroize::Zeroize::zeroize(&mut raw);
    if let Some(why) = blocked {
        return Err(usage(why));
    }
    if got != n {
        return Err(usage(format!(
            "standard input holds {got} secrets for {n} client IDs: one line each, in the order the client IDs are named"
        )));
    }
    Ok(out)
}

/// The secret `add --secret-stdin` is piped; notes on what was trimmed from it.
pub fn secret_from_stdin() -> Result<Secret, Exit> {
    let mut raw = stdin_text(1)?;
    // One line ending is how `echo` and files end their text; only more is worth a note.
    let line = raw
        .strip_suffix("\r\n")
        .or_else(|| raw.strip_suffix('\n'))
        .unwrap_or(&raw);
    let (secret, warnings) = Secret::from_pasted(line);
    zeroize::Zeroize::zeroize(&mut raw);
    if let Some(w) = warnings.iter().find(|w| w.blocks()) {
        return Err(usage(w.message()));
    }
    for w in warnings {
        eprintln!("note: {}", w.message());
    }
    Ok(secret)
}

/// The mailbox user's password for `check --password-flow`: typed unseen at a terminal, or the
/// first line piped in. Never kept.
pub fn password_from_stdin(user: &str) -> Result<Secret, Exit> {
    let none = || {
        usage(format!(
            "--password-flow: no password for {user} on standard input: type it, or pipe it in on one line"
        ))
    };
    if std::io::stdin().is_terminal() {
        let typed = ask(
            &format!("Password of {user} (not shown, never kept): "),
            true,
        );
        return typed
            .filter(|p| !p.is_empty())
            .map(Secret::new)
            .ok_or_else(none);
    }
    let mut bytes = Vec::new();
    if std::io::stdin().take(4096).read_to_end(&mut bytes).is_err() {
        return Err(none());
    }
    let text = String::from_utf8_lossy(&bytes);
    let line = text.lines().next().unwrap_or("");
    let password = (!line.is_empty()).then(|| Secret::new(line));
    zeroize::Zeroize::zeroize(&mut bytes);
    password.ok_or_else(none)
}

/// Reads one answer; `None` at end of input.
pub fn ask(prompt: &str, hidden: bool) -> Option<String> {
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    if hidden && std::io::stdin().is_terminal() {
        return read_hidden();
    }
    let mut line = String::new();
    match std::io::stdin().lock().read_line(&mut line) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(line.trim_end_matches(['\r', '\n']).to_string()),
    }
}

/// A line typed without echo: the secret never shows on the screen.
fn read_hidden() -> Option<String> {
    use crossterm::event::{Event, KeyCode, KeyEventKind, KeyModifiers, read};
    crossterm::terminal::enable_raw_mode().ok()?;
    let mut text = String::new();
    let result = loop {
        match read() {
            Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => match k.code {
                KeyCode::Enter => break Some(std::mem::take(&mut text)),
                KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => break None,
                KeyCode::Char(c) => text.push(c),
                KeyCode::Backspace => {
                    text.pop();
                }
                _ => {}
            },
            Ok(Event::Paste(p)) => text.push_str(&p),
            Ok(_) => {}
            Err(_) => break None,
        }
    };
    let _ = crossterm::terminal::disable_raw_mode();
    eprintln!();
    result
}

/// Waits for a line (Enter) off the async threads; false at end of input.
pub async fn line_entered() -> bool {
    let mut line = String::new();
    let read = tokio::task::spawn_blocking(move || std::io::stdin().read_line(&mut line))
        .await
        .ok()
        .and_then(Result::ok);
    read.is_some_and(|n| n > 0)
}

pub fn ask_client_id(tenant_id: TenantId) -> Result<ClientId, Exit> {
    loop {
        let Some(raw) = ask("Application (client) ID: ", false) else {
            return Err(usage("input ended before the client ID was given"));
        };
        match ClientId::parse(&raw) {
            Ok(c) if c.to_string() == tenant_id.to_string() => eprintln!(
                "  That is the Directory (tenant) ID. The Application (client) ID is the line above it on the Overview page."
            ),
            Ok(c) => return Ok(c),
            Err(e) => eprintln!("  {e}"),
        }
    }
}

/// The tenant ID the portal shows, which must be this setup's.
pub fn confirm_tenant_id(tenant_id: TenantId) -> Result<(), Exit> {
    loop {
        let Some(raw) = ask("Directory (tenant) ID: ", false) else {
            return Err(usage("input ended before the tenant ID was given"));
        };
        match TenantId::parse(&raw) {
            Ok(t) if t == tenant_id => return Ok(()),
            Ok(t) => eprintln!(
                "  {t} is another tenant: this setup is for {tenant_id}. Sign in to the portal with an account of that tenant (top right › Switch directory)."
            ),
            Err(e) => eprintln!("  {e}"),
        }
    }
}

/// A secret's expiry as the portal shows it (YYYY-MM-DD); none when skipped.
pub fn ask_expiry() -> Result<Option<String>, Exit> {
    let today = time::OffsetDateTime::now_utc().date();
    loop {
        let Some(raw) = ask("Expires (as the portal shows it; enter to skip): ", false) else {
            return Err(usage("input ended before the expiry was given"));
        };
        match crate::model::parse_expiry(&raw, today) {
            Ok(d) => return Ok(d),
            Err(e) => eprintln!("  {e}"),
        }
    }
}

pub fn ask_secret() -> Result<Secret, Exit> {
    loop {
        let Some(raw) = ask("Secret Value (not shown): ", true) else {
            return Err(usage("input ended before the secret was given"));
        };
        let (secret, warnings) = Secret::from_pasted(&raw);
        match warnings.iter().find(|w| w.blocks()) {
            Some(w) => eprintln!("  {}", w.message()),
            None => return Ok(secret),
        }
    }
}
