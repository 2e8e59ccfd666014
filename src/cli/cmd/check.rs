//! `check`: the live checks of one profile or of every profile, shown as a table or as JSON;
//! and the checks `setup` runs once it is done.

use std::io::IsTerminal;
use std::time::Duration;

use serde_json::{Value, json};

use crate::app::Env;
use crate::app::delegated_checks::{self, UserSignIn};
use crate::app::fleet;
use crate::app::profile_checks::{self, Checked, Note};
use crate::app::sign_in::UserNews;
use crate::cli::Exit;
use crate::cli::output::report::{
    self, failed_row, fleet_progress, progress_line, unreadable_json,
};
use crate::cli::output::{Code, error_with, in_json, print_json};
use crate::cli::settings::CheckSettings;
use crate::model::Verdict;
use crate::model::{AccessChoice, KeyringBackend, Profile, verdict};
use crate::vault::VaultError;

/// A profile's outcome as shown: its exit, its JSON report or its text, and the error of a
/// file that could not be read.
struct Presented {
    exit: Exit,
    json: Option<Value>,
    text: Option<String>,
    unreadable: Option<String>,
}

pub async fn check(env: &Env, s: CheckSettings) -> Exit {
    // With every profile, a damaged file is reported in its place: it must not hide the others.
    let listed = match &s.profile {
        Some(name) => match super::load(env, name) {
            Ok(p) => vec![Ok(p)],
            Err(exit) => return exit,
        },
        None => {
            let all = env.profiles().list();
            if all.is_empty() {
                let mut extra = serde_json::Map::new();
                if let Some(note) = crate::app::elsewhere_note(env) {
                    if !in_json() {
                        eprintln!("note: {note}");
                    }
                    extra.insert("note".into(), json!(note));
                }
                return error_with(
                    Code::NoProfiles,
                    Exit::Usage,
                    "no profiles yet: add one with `m365-mail-wizard add` or the wizard",
                    extra,
                );
            }
            all
        }
    };
    let profiles: Vec<&Profile> = listed.iter().filter_map(|r| r.as_ref().ok()).collect();
    if s.as_user.is_some()
        && let Some(p) = profiles
            .iter()
            .find(|p| !p.access.contains(&AccessChoice::Delegated))
    {
        return crate::cli::output::usage(format!(
            "--as-user checks the delegated style, and profile {} has none (its access: {}); run `check {}` without it",
            p.name,
            p.access
                .iter()
                .map(|a| a.to_string())
                .collect::<Vec<_>>()
                .join(","),
            p.name
        ));
    }
    let expiring: Vec<String> = match s.warn_days {
        Some(days) => profile_checks::expiring_within(profiles.iter().copied(), days)
            .into_iter()
            .map(|(name, left)| format!("{name} ({left} days)"))
            .collect(),
        None => Vec::new(),
    };
    // Each check's progress for one profile; for many, how many are done.
    let terminal = std::io::stderr().is_terminal() && !s.json;
    let progress = Progress {
        checks: profiles.len() == 1 && terminal,
        profiles: profiles.len() > 1 && terminal,
    };
    let unreadable = listed.iter().filter(|r| r.is_err()).count();
    let before = fleet::recorded_before(&listed);
    // A mailbox user signs in only when one profile is named: never for the whole fleet.
    let browser = env.sign_in.method == crate::model::SignInMethod::Browser;
    if browser && s.profile.is_some() {
        if s.password_flow {
            return crate::cli::output::usage(
                "--sign-in browser and --password-flow are two ways to sign the mailbox user in: give one",
            );
        }
        if let Some(why) = profiles
            .iter()
            .find_map(|p| delegated_checks::browser_unavailable(p))
        {
            return crate::cli::output::usage(why);
        }
    }
    let users = match s.profile.is_some() {
        true => match user_sign_in(&s, browser) {
            Ok(u) => Some(u),
            Err(exit) => return exit,
        },
        false => None,
    };
    let checked =
        profile_checks::check_profiles(env, listed, s.wait, users.as_ref(), &narrator(progress))
            .await;
    let entries = if s.prometheus || s.notify.is_some() {
        fleet::entries(&checked, &before)
    } else {
        Vec::new()
    };
    let mut worst = Exit::Ok;
    let mut reports = Vec::new();
    for shown in checked.into_iter().map(|c| present(env, c, s.json)) {
        if let Some(e) = shown.unreadable {
            eprintln!("error: {e}");
        }
        if let Some(t) = shown.text.filter(|_| !s.prometheus) {
            print!("{t}");
        }
        worst = match (worst, shown.exit) {
            (Exit::CheckFailed, _) | (_, Exit::CheckFailed) => Exit::CheckFailed,
            (Exit::Unavailable, _) | (_, Exit::Unavailable) => Exit::Unavailable,
            (Exit::Pending, _) | (_, Exit::Pending) => Exit::Pending,
            _ => Exit::Ok,
        };
        reports.extend(shown.json);
    }
    if unreadable > 0 && worst == Exit::Ok {
        worst = Exit::Usage;
    }
    if !expiring.is_empty() {
        eprintln!(
            "Secrets expiring within the warning window: {}",
            expiring.join(", ")
        );
        if worst == Exit::Ok {
            worst = Exit::Expiring;
        }
    }
    if s.json {
        let v = if s.profile.is_some() {
            reports.pop().unwrap_or(Value::Null)
        } else {
            Value::Array(reports)
        };
        print_json(&v);
    }
    if s.prometheus {
        print!("{}", crate::export::prometheus(&entries, unreadable));
    }
    if let Some(url) = &s.notify {
        let summary = crate::export::summarize(&entries, s.warn_days.unwrap_or(NOTIFY_DAYS));
        tell_webhook(url, &summary, s.timeouts.step).await;
    }
    worst
}

/// Credentials expiring within this many days are told to `--notify`'s webhook, unless
/// `--warn-days` says otherwise.
const NOTIFY_DAYS: u32 = 30;

/// Tells the webhook what changed; a failure is a warning, never the command's exit.
async fn tell_webhook(url: &str, summary: &crate::export::Summary, timeout: Duration) {
    match fleet::notify(url, summary, timeout).await {
        Ok(fleet::Notified::Sent) => {}
        Ok(fleet::Notified::Quiet) => eprintln!(
            "notify: nothing changed since the last run and no credential expires soon: nothing sent to {}",
            crate::cloud::webhook::shown(url)
        ),
        Err(e) => eprintln!("warning: the notification was not sent: {e}"),
    }
}

/// How the delegated part's mailbox user signs in: `--as-user`, with `--password-flow` the
/// password read now, before anything runs, or with `--sign-in browser` in the browser.
fn user_sign_in(s: &CheckSettings, browser: bool) -> Result<UserSignIn, Exit> {
    let password = match (&s.as_user, s.password_flow) {
        (Some(user), true) => Some(crate::cli::prompt::password_from_stdin(user.as_str())?),
        _ => None,
    };
    Ok(UserSignIn {
        as_user: s.as_user.clone(),
        password,
        show: Box::new(|news| match news {
            UserNews::Code { user, code } => eprintln!(
                "To check the delegated access, sign in to the app as {user}: open {} and enter the code {} (no token of the user's is kept)",
                code.verification_uri, code.user_code
            ),
            UserNews::PasswordFlow { user } => eprintln!(
                "warning: signing {user} in with the password flow: Microsoft discourages it, and it fails for any account that must use multifactor authentication; the password is not kept"
            ),
            UserNews::Browser { user, url, opened } => {
                match opened {
                    Ok(()) => eprintln!(
                        "To check the delegated access, sign in to the app as {user} in your browser; if none opened, open this URL on this machine (no token of the user's is kept):"
                    ),
                    Err(why) => eprintln!(
                        "No browser could be started ({why}). To check the delegated access, sign in to the app as {user}: open this URL in a browser on this machine (no token of the user's is kept):"
                    ),
                }
                eprintln!("{url}");
            }
        }),
        browser,
        kept: Default::default(),
    })
}

/// Which progress is shown on stderr (a terminal only).
#[derive(Clone, Copy)]
struct Progress {
    /// Each check of the one profile.
    checks: bool,
    /// How many of many profiles are done.
    profiles: bool,
}

/// Runs one profile's checks, records the result, and prints it (or returns it as JSON).
pub async fn check_and_print(
    env: &Env,
    p: Profile,
    json_out: bool,
    wait: Duration,
) -> (Exit, Option<Value>) {
    let progress = Progress {
        checks: std::io::stderr().is_terminal() && !json_out,
        profiles: false,
    };
    let checked = profile_checks::check_profile(env, p, wait, None, &narrator(progress)).await;
    let shown = present(env, checked, json_out);
    if let Some(t) = shown.text {
        print!("{t}");
    }
    (shown.exit, shown.json)
}

/// What is said on stderr while checks run; each check's progress only when `progress`.
fn narrator(progress: Progress) -> impl Fn(Note<'_>) + Sync {
    move |note| match note {
        Note::Progress { done, total } => {
            if progress.profiles {
                eprint!("\r\x1b[2K{}", fleet_progress(done, total));
                if done == total {
                    eprint!("\r\x1b[2K");
                }
            }
        }
        Note::Check { spec, event } => {
            if let Some(line) = progress
                .checks
                .then(|| progress_line(spec, event))
                .flatten()
            {
                eprintln!("{line}");
            }
        }
        Note::NoSecret { profile, error } => eprintln!("error: profile {}: {error}", profile.name),
        Note::Retrying {
            profile,
            failing,
            pause,
            left,
        } => eprintln!(
            "{profile}: waiting — {failing} check(s) still fail, as changes not yet applied would; again in {}s ({}m {}s left)",
            pause.as_secs(),
            left.as_secs() / 60,
            left.as_secs() % 60
        ),
        Note::NotRecorded(e) => eprintln!("warning: the check result was not saved: {e}"),
    }
}

/// One profile's outcome as the command tells it.
fn present(env: &Env, checked: Checked, json_out: bool) -> Presented {
    match checked {
        Checked::Unreadable(e) => Presented {
            exit: Exit::Usage,
            json: json_out.then(|| unreadable_json(&e)),
            text: None,
            unreadable: Some(e.to_string()),
        },
        Checked::NoSecret { profile, error } => no_secret(env, &profile, &error, json_out),
        Checked::Ran {
            profile,
            rows,
            elapsed_ms,
        } => {
            let verdict = verdict(&rows);
            let exit = match verdict {
                Verdict::Passed => Exit::Ok,
                Verdict::Failed => Exit::CheckFailed,
                Verdict::Unavailable => Exit::Unavailable,
                Verdict::Pending => Exit::Pending,
            };
            let (json, text) = if json_out {
                let v = report::json(env, &profile, &rows, verdict, elapsed_ms);
                (Some(v), None)
            } else {
                (None, Some(report::text(env, &profile, &rows, verdict)))
            };
            Presented {
                exit,
                json,
                text,
                unreadable: None,
            }
        }
    }
}

/// A profile whose secret could not be read: gone from the keyring, or the keyring out of reach.
fn no_secret(env: &Env, p: &Profile, e: &VaultError, json_out: bool) -> Presented {
    let (exit, verdict, cause, fix) = match e {
        VaultError::NotFound(..) if p.keyring == KeyringBackend::SessionMemory => (
            Exit::CheckFailed,
            Verdict::Failed,
            "No keyring was reachable when this sandbox profile was saved, so its secret was kept only in the memory of that wizard run, which has ended.",
            format!(
                "Store the secret again: re-check {} in the wizard (`m365-mail-wizard --sandbox`), which asks for it (F2 fills in a seeded sandbox app's secret); with a keyring running, `m365-mail-wizard --sandbox add {} --force … --secret-stdin` keeps it for good.",
                p.name, p.name
            ),
        ),
        VaultError::NotFound(..) => (
            Exit::CheckFailed,
            Verdict::Failed,
            "The keyring entry was removed, or the profile was copied from another machine.",
            format!(
                "Store the secret again: `m365-mail-wizard add {} --force … --secret-stdin` (or re-check it in the wizard, which asks for it); a certificate profile needs `cert {}`.",
                p.name, p.name
            ),
        ),
        _ => (
            Exit::Unavailable,
            Verdict::Unavailable,
            "The keyring could not be reached or is locked.",
            "Unlock or start the keyring and check again.".to_string(),
        ),
    };
    let json = json_out.then(|| {
        let mut v = report::json(env, p, &[], verdict, 0);
        v["checks"] = json!([failed_row(
            "keyring",
            &e.to_string(),
            &format!("No secret could be read for profile {}.", p.name),
            cause,
            &fix,
        )]);
        v
    });
    Presented {
        exit,
        json,
        text: None,
        unreadable: None,
    }
}
