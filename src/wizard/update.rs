use super::{
    Effect, Form, Input, Journey, Key, MailboxField, Msg, ProfileRow, Screen, SecretBox,
    SetupOrder, SetupRow, State, Step, Upkeep,
};
use crate::checks::{self, CheckRow};
use crate::model::{
    AccessChoice, ClientId, CloudKind, KeyringBackend, Mailbox, Profile, ProfileName, Secret,
    TenantInput,
};
use crate::plan::{self, SECRET_MONTHS, SetupAnswers};
use crate::setup::StepStatus;

pub fn update(s: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Tick => {
            s.frame = s.frame.wrapping_add(1);
            match s.waiting.as_mut() {
                // The retry is under way; its end decides whether to wait again.
                Some(_) if s.checks_running => Vec::new(),
                Some(w) if w.ticks_left > 1 => {
                    w.ticks_left -= 1;
                    Vec::new()
                }
                Some(_) => start_checks(s),
                None => Vec::new(),
            }
        }
        Msg::Resize(w, h) => {
            s.size = (w, h);
            Vec::new()
        }
        Msg::Profiles(rows, broken) => {
            s.profiles = rows;
            s.broken = broken;
            s.home_cursor = s.home_cursor.min(s.profiles.len().saturating_sub(1));
            Vec::new()
        }
        Msg::Key(Key::Interrupt) => interrupt(s),
        Msg::Key(_) | Msg::Paste(_) if s.busy.is_some() => Vec::new(),
        Msg::Paste(text) => {
            if let Some(input) = focused_input(s) {
                input.insert(text.trim_end_matches(['\r', '\n']));
                after_edit(s);
            }
            Vec::new()
        }
        Msg::Key(k) => match s.screen {
            Screen::Home => home_key(s, k),
            Screen::Form(step) => form_key(s, step, k),
            Screen::SignIn => sign_in_key(s, k),
            Screen::Plan => plan_key(s, k),
            Screen::Progress => progress_key(s, k),
            Screen::Guide => guide_key(s, k),
            Screen::Checks => checks_key(s, k),
            Screen::Summary => summary_key(s, k),
        },
        Msg::ExchangeCode(code) => {
            s.notice = Some(format!(
                "Sign in once more, for Exchange Online administration: open {} and enter {} ({} min).",
                code.uri,
                code.user_code,
                code.expires_in / 60
            ));
            Vec::new()
        }
        Msg::DeviceCode(result) => {
            match result {
                Ok(code) => s.code = Some(code),
                Err(m) => s.error = Some(m),
            }
            Vec::new()
        }
        Msg::SignedIn(Ok(si)) if s.renewing.is_some() => {
            let profile = s.renewing.clone().expect("checked");
            let busy = match s.upkeep {
                Upkeep::Certificate { .. } => "Making, registering and proving a certificate for",
                Upkeep::Secret { .. } => "Renewing the secret of",
                Upkeep::ReadExpiry => {
                    "Reading from the app registration when the credential expires, for"
                }
            };
            s.busy = Some(format!("{busy} {} as {}…", profile.name, si.who));
            s.signed_in = Some(si);
            s.screen = Screen::Home;
            vec![Effect::Upkeep(Box::new(profile), s.upkeep)]
        }
        Msg::Forgotten(result) => {
            s.busy = None;
            match result {
                Ok(note) => s.notice = Some(note),
                Err(m) => s.error = Some(m),
            }
            vec![Effect::LoadProfiles]
        }
        Msg::Exported(result) => {
            s.busy = None;
            match result {
                Ok(dir) => s.notice = Some(format!("Exported (no secret in any file) to {dir}")),
                Err(m) => s.error = Some(m),
            }
            Vec::new()
        }
        Msg::Renewed(result) => {
            s.busy = None;
            s.renewing = None;
            s.upkeep = Upkeep::default();
            match result {
                Ok(note) => s.notice = Some(note),
                Err(d) => s.error = Some(format!("{} {}", d.summary, d.fix)),
            }
            vec![Effect::LoadProfiles]
        }
        Msg::SignedIn(result) => {
            match result {
                Ok(si) => {
                    s.error = si.lacks_rights.then(|| {
                        format!(
                            "{} holds no role that may grant admin consent (Global Administrator or Privileged Role Administrator). Hand this plan to such an administrator, or sign in again as one (esc).",
                            si.who
                        )
                    });
                    s.signed_in = Some(si);
                    s.plan_cursor = 0;
                    s.screen = Screen::Plan;
                }
                Err(d) => {
                    s.code = None;
                    s.error = Some(format!("{} {} Press n for a new code.", d.summary, d.fix));
                }
            }
            Vec::new()
        }
        Msg::AppLookedUp(result) => {
            s.busy = None;
            match result {
                Ok(()) => next_guided(s),
                Err(m) => {
                    s.form.guide_field = 0;
                    s.error = Some(m);
                    Vec::new()
                }
            }
        }
        Msg::SetupStep(i, status) => {
            if let Some(row) = s.setup_rows.get_mut(i) {
                row.pending = false;
                row.status = status;
            }
            Vec::new()
        }
        Msg::SetupDone(result) => {
            s.setup_running = false;
            match result {
                Ok(profile)
                    if s.order
                        .as_ref()
                        .and_then(|o| o.answers.scope.as_ref())
                        .is_some_and(|sc| sc.script_only) =>
                {
                    // Nothing to check before an Exchange administrator has run the script.
                    s.notice = Some(format!(
                        "Profile {} saved; the secret is in the keyring. The Exchange Online part is in the script named above: run it in PowerShell as an Exchange administrator (it is safe to run twice), then re-check the profile from the home screen.",
                        profile.name
                    ));
                    s.current = Some(*profile);
                    s.current_secret = None;
                    s.form = fresh_form(s);
                    vec![Effect::ClearDraft]
                }
                Ok(profile) => {
                    s.notice = Some(format!(
                        "App registered and consented; the secret is in the keyring. Profile {} saved.",
                        profile.name
                    ));
                    s.current = Some(*profile);
                    s.current_secret = None;
                    s.form = fresh_form(s);
                    let mut fx = vec![Effect::ClearDraft];
                    fx.extend(start_checks(s));
                    fx
                }
                Err(d) => {
                    s.error = Some(format!(
                        "{} {} Press r to resume: what exists is found and kept.",
                        d.summary, d.fix
                    ));
                    Vec::new()
                }
            }
        }
        Msg::TenantResolved(result) => {
            s.busy = None;
            match result {
                Ok((id, lives_in)) => {
                    s.form.tenant_id = Some(id);
                    s.notice = Some(format!("Tenant ID: {id}"));
                    if lives_in != s.form.cloud && s.sandbox.is_none() {
                        s.notice = Some(format!(
                            "Tenant ID: {id}. It lives in the {} cloud: switched to it.",
                            lives_in.label()
                        ));
                        s.form.cloud = lives_in;
                    }
                    let next = Step::Tenant.next_in(s.form.journey).unwrap_or(Step::Tenant);
                    s.screen = Screen::Form(next);
                }
                Err(m) => s.error = Some(m),
            }
            Vec::new()
        }
        Msg::SandboxSecret(result) => {
            match result {
                Ok(secret) => {
                    s.form.secret.clear();
                    s.form.secret.insert(secret.expose());
                    s.notice = Some("The sandbox app's secret was filled in.".into());
                }
                Err(m) => s.error = Some(m),
            }
            Vec::new()
        }
        Msg::Saved(Ok(saved)) if s.reentry.is_some() => {
            s.busy = None;
            s.notice = Some(saved.note.unwrap_or_else(|| {
                format!("Secret stored in the {}; checking again.", saved.store)
            }));
            if let Some(p) = s.current.as_mut()
                && saved.store == "session memory"
            {
                p.keyring = KeyringBackend::SessionMemory;
            }
            if let Some(form) = s.reentry.take() {
                s.form = *form;
            }
            start_checks(s)
        }
        Msg::Saved(result) => {
            s.busy = None;
            match result {
                Ok(saved) => {
                    s.notice = Some(saved.note.unwrap_or_else(|| {
                        format!("Secret stored in the {}; profile saved.", saved.store)
                    }));
                    if let Some(p) = s.current.as_mut()
                        && saved.store == "session memory"
                    {
                        p.keyring = KeyringBackend::SessionMemory;
                    }
                    s.form = fresh_form(s);
                    let mut fx = vec![Effect::ClearDraft];
                    fx.extend(start_checks(s));
                    fx
                }
                Err(m) => {
                    s.error = Some(m);
                    Vec::new()
                }
            }
        }
        Msg::CheckEvent(i, ev) => {
            if let Some(row) = s.checks.get_mut(i) {
                row.apply(ev);
            }
            Vec::new()
        }
        Msg::ChecksDone => {
            s.checks_running = false;
            s.waiting = next_wait(s);
            vec![Effect::LoadProfiles]
        }
        Msg::CheckFailedToStart(m) => {
            // No retry after a start that failed: it would fail again at once.
            s.waiting = None;
            s.checks_running = false;
            s.error = Some(match &s.current {
                Some(p) if s.screen != Screen::Checks => format!("{}: {m}", p.name),
                _ => m,
            });
            Vec::new()
        }
        Msg::SecretMissing(store) if s.screen != Screen::Checks || s.reentry.is_some() => {
            // The checks screen was left meanwhile: say it, but take nobody anywhere.
            s.waiting = None;
            s.checks_running = false;
            s.error = Some(format!(
                "The {store} holds no secret for {}: re-check it to paste the secret again.",
                s.current
                    .as_ref()
                    .map_or("the profile", |p| p.name.as_str())
            ));
            Vec::new()
        }
        Msg::SecretMissing(store) => {
            s.waiting = None;
            s.checks_running = false;
            match &s.current {
                Some(p) if !p.credential.is_secret() => {
                    s.screen = Screen::Home;
                    s.error = Some(format!(
                        "The {store} holds no private key for {}: press k to make and register a new certificate.",
                        p.name
                    ));
                }
                Some(p) => {
                    let mut form = Form {
                        client_id: Input::new(&p.client_id.to_string()),
                        ..Form::default()
                    };
                    form.set_journey(Journey::Check);
                    s.reentry = Some(Box::new(std::mem::replace(&mut s.form, form)));
                    s.screen = Screen::Form(Step::Secret);
                    s.error = Some(format!(
                        "The {store} holds no secret for {} (removed, or another machine). Paste the secret's Value to store it again, or esc to go back.",
                        p.name
                    ));
                }
                None => s.error = Some(format!("The {store} holds no secret for this profile.")),
            }
            Vec::new()
        }
    }
}

fn fresh_form(s: &State) -> Form {
    let mut f = Form::default();
    if let Some(sb) = &s.sandbox {
        f.cloud = CloudKind::Custom;
        f.tenant = Input::new(&sb.tenant_domain);
    }
    f
}

fn interrupt(s: &mut State) -> Vec<Effect> {
    s.quit = true;
    let mut fx = Vec::new();
    if s.screen == Screen::SignIn {
        fx.push(Effect::CancelSignIn);
    }
    if matches!(s.screen, Screen::Form(_)) && s.reentry.is_none() && s.form.touched() {
        fx.push(Effect::SaveDraft(s.form.draft()));
    }
    fx.push(Effect::Quit);
    fx
}

fn quit(s: &mut State) -> Vec<Effect> {
    s.quit = true;
    vec![Effect::Quit]
}

/// After a scoped profile's checks: failures may be changes Exchange Online has not applied
/// yet, so the checks run again after a pause that doubles each time, for up to two hours.
fn next_wait(s: &State) -> Option<crate::wizard::Waiting> {
    use crate::wizard::{TICKS_PER_SECOND, WAIT_AT_MOST_SECS, Waiting};
    let p = s.current.as_ref()?;
    p.scope.as_ref()?;
    if s.screen != Screen::Checks || !s.checks.iter().any(|r| r.status == checks::Status::Failed) {
        return None;
    }
    let (pause, waited) = match s.waiting {
        Some(w) => ((w.pause_secs * 2).min(300), w.waited_secs + w.pause_secs),
        None => (10, 0),
    };
    (waited < WAIT_AT_MOST_SECS).then_some(Waiting {
        ticks_left: pause * TICKS_PER_SECOND,
        pause_secs: pause,
        waited_secs: waited,
    })
}

fn start_checks(s: &mut State) -> Vec<Effect> {
    let Some(p) = s.current.clone() else {
        return Vec::new();
    };
    // While a missing secret is being pasted again, nothing else may take the screen.
    if s.reentry.is_some() {
        return Vec::new();
    }
    s.checks = checks::plan(&p).into_iter().map(CheckRow::new).collect();
    s.check_cursor = 0;
    s.checks_running = true;
    s.error = None;
    s.screen = Screen::Checks;
    s.check_run += 1;
    vec![Effect::RunChecks {
        run: s.check_run,
        profile: Box::new(p),
        secret: s.current_secret.clone().map(SecretBox),
    }]
}

fn home_key(s: &mut State, k: Key) -> Vec<Effect> {
    s.error = None;
    if s.filtering {
        match k {
            Key::Enter => s.filtering = false,
            Key::Esc => {
                s.filtering = false;
                s.home_filter.clear();
            }
            Key::Char(c) => s.home_filter.insert(&c.to_string()),
            Key::Backspace => s.home_filter.backspace(),
            _ => {}
        }
        s.home_cursor = 0;
        return Vec::new();
    }
    if let Some((profile, upkeep)) = s.choosing_lifetime.take() {
        return match k {
            Key::Left | Key::Right => {
                let upkeep = upkeep.step_months(if k == Key::Right { 1 } else { -1 });
                choose_lifetime(s, profile, upkeep)
            }
            Key::Enter => upkeep_sign_in(s, profile, upkeep),
            _ => {
                s.notice = Some("Nothing changed.".into());
                Vec::new()
            }
        };
    }
    if let Some(name) = s.forgetting.take() {
        let row = s.profiles.iter().find(|r| r.profile.name == name);
        return match (k, row) {
            (Key::Char('y'), Some(row)) => {
                s.busy = Some(format!("Forgetting {name}…"));
                vec![Effect::Forget(Box::new(row.profile.clone()))]
            }
            _ => {
                s.notice = Some(format!("{name} is kept."));
                Vec::new()
            }
        };
    }
    match k {
        Key::Char('f') => match s.selected_profile() {
            Some(row) => {
                let name = row.profile.name.clone();
                s.notice = None;
                s.error = Some(format!(
                    "Forget {name}? Its profile file and keyring entry go; the app registration in the tenant stays. y forgets it, any other key keeps it."
                ));
                s.forgetting = Some(name);
                Vec::new()
            }
            None => Vec::new(),
        },
        Key::Char('/') if !s.profiles.is_empty() => {
            s.filtering = true;
            Vec::new()
        }
        Key::Char('o') if !s.profiles.is_empty() => {
            s.home_sort = s.home_sort.next();
            s.home_cursor = 0;
            Vec::new()
        }
        Key::Char('q') | Key::Esc => quit(s),
        Key::Char(c @ ('c' | 'n')) => {
            s.notice = None;
            s.form.set_journey(if c == 'n' {
                Journey::Setup
            } else {
                Journey::Check
            });
            s.screen = Screen::Form(Step::Tenant);
            Vec::new()
        }
        Key::Char('d') => {
            if let Some(d) = s.draft.take() {
                let sandbox_tenant = s.sandbox.as_ref().map(|sb| sb.tenant_domain.clone());
                s.form = Form::from_draft(&d);
                if let Some(t) = sandbox_tenant {
                    s.form.cloud = CloudKind::Custom;
                    if s.form.tenant.text().is_empty() {
                        s.form.tenant = Input::new(&t);
                    }
                }
                s.notice = Some(
                    "Draft restored. The secret is never kept in a draft: paste it again.".into(),
                );
                s.screen = Screen::Form(Step::Tenant);
            }
            Vec::new()
        }
        Key::Up => {
            s.home_cursor = s.home_cursor.saturating_sub(1);
            Vec::new()
        }
        Key::Down => {
            s.home_cursor = (s.home_cursor + 1).min(s.visible_profiles().len().saturating_sub(1));
            Vec::new()
        }
        Key::Char('e') => match s.selected_profile().cloned() {
            Some(row) => {
                s.busy = Some(format!("Exporting {}…", row.profile.name));
                vec![Effect::ExportAll(Box::new(row.profile.clone()))]
            }
            None => Vec::new(),
        },
        Key::Char('k') => match s.selected_profile().cloned() {
            Some(ProfileRow { profile }) => {
                choose_lifetime(s, profile, Upkeep::Certificate { months: 12 })
            }
            None => Vec::new(),
        },
        Key::Char('x') => match s.selected_profile().cloned() {
            Some(ProfileRow { profile }) => upkeep_sign_in(s, profile, Upkeep::ReadExpiry),
            None => Vec::new(),
        },
        Key::Char('s') => match s.selected_profile().cloned() {
            Some(ProfileRow { profile }) if profile.credential.is_secret() => {
                choose_lifetime(s, profile, Upkeep::Secret { months: 6 })
            }
            Some(_) => {
                s.error = Some("This profile signs in with a certificate: k makes a new one, proves it and removes the old one.".into());
                Vec::new()
            }
            None => Vec::new(),
        },
        Key::Enter | Key::Char('r') => match s.selected_profile().cloned() {
            Some(ProfileRow { profile }) => {
                s.current = Some(profile);
                s.current_secret = None;
                s.notice = None;
                start_checks(s)
            }
            None => Vec::new(),
        },
        _ => Vec::new(),
    }
}

fn focused_input(s: &mut State) -> Option<&mut Input> {
    let f = &mut s.form;
    match s.screen {
        Screen::Form(Step::Tenant) => Some(&mut f.tenant),
        Screen::Form(Step::ClientId) => Some(&mut f.client_id),
        Screen::Form(Step::Secret) => Some(&mut f.secret),
        Screen::Form(Step::Mailboxes) => Some(match f.mailbox_field {
            MailboxField::Reach => &mut f.mailboxes,
            MailboxField::Deny => &mut f.deny,
        }),
        Screen::Form(Step::Name) => Some(&mut f.name),
        Screen::Form(Step::AppDetails) if f.app_field == 0 => Some(&mut f.app_name),
        Screen::Form(Step::Scope) if f.scope_field == 1 => {
            Some(if f.scope() == crate::scope::ScopeKind::AllMailboxes {
                &mut f.confirm_all
            } else {
                &mut f.group
            })
        }
        Screen::Guide => match s.plan.get(s.guide).map(|p| p.kind) {
            Some(plan::StepKind::CreateApp) if f.guide_field == 0 => Some(&mut f.client_id),
            Some(plan::StepKind::CreateApp) => Some(&mut f.guide_tenant),
            Some(plan::StepKind::AddSecret) if f.guide_field == 0 => Some(&mut f.secret),
            Some(plan::StepKind::AddSecret) => Some(&mut f.guide_expires),
            _ => None,
        },
        _ => None,
    }
}

fn after_edit(s: &mut State) {
    if s.screen == Screen::Form(Step::Tenant) {
        s.form.tenant_id = None;
    }
}

/// Editing keys shared by every text field; returns whether the key was one.
fn edit(s: &mut State, k: Key) -> bool {
    let Some(input) = focused_input(s) else {
        return false;
    };
    match k {
        Key::Char(c) => input.insert(&c.to_string()),
        Key::Backspace => input.backspace(),
        Key::Delete => input.delete(),
        Key::Left => input.left(),
        Key::Right => input.right(),
        Key::Home => input.home(),
        Key::End => input.end(),
        _ => return false,
    }
    after_edit(s);
    true
}

/// The secret as pasted, trimmed; `None` (and the reason shown) when it must not be stored.
fn pasted_secret(s: &mut State) -> Option<Secret> {
    let (secret, warnings) = Secret::from_pasted(s.form.secret.text());
    if let Some(w) = warnings.iter().find(|w| w.blocks()) {
        s.error = Some(w.message().into());
        return None;
    }
    if let Some(w) = warnings.first() {
        s.notice = Some(w.message().into());
    }
    Some(secret)
}

/// Enter or esc on the secret step when it stores a missing secret again.
fn reenter_key(s: &mut State, k: Key) -> Vec<Effect> {
    s.error = None;
    s.notice = None;
    let Some(profile) = s.current.clone().filter(|_| k == Key::Enter) else {
        if let Some(form) = s.reentry.take() {
            s.form = *form;
        }
        s.current_secret = None;
        s.screen = Screen::Home;
        return Vec::new();
    };
    let Some(secret) = pasted_secret(s) else {
        return Vec::new();
    };
    // The re-entry ends when the save has worked: a failed one can be tried again.
    s.busy = Some("Saving the secret to the keyring…".into());
    s.current_secret = Some(secret.clone());
    vec![Effect::Save {
        profile: Box::new(profile),
        secret: SecretBox(secret),
    }]
}

fn form_key(s: &mut State, step: Step, k: Key) -> Vec<Effect> {
    if s.reentry.is_some() && matches!(k, Key::Esc | Key::Enter) {
        return reenter_key(s, k);
    }
    if k == Key::Esc {
        s.error = None;
        s.notice = None;
        s.screen = step
            .prev_in(s.form.journey)
            .map(Screen::Form)
            .unwrap_or(Screen::Home);
        return Vec::new();
    }
    if k == Key::Enter {
        s.error = None;
        s.notice = None;
        return submit(s, step);
    }
    match (step, k) {
        (Step::Tenant, Key::Up | Key::Down) if s.sandbox.is_none() => {
            let named = CloudKind::NAMED;
            let i = named.iter().position(|c| *c == s.form.cloud).unwrap_or(0);
            let n = named.len();
            let j = if k == Key::Down {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            };
            s.form.cloud = named[j];
            s.form.tenant_id = None;
        }
        (Step::Secret, Key::FillSandboxSecret) if s.sandbox.is_some() => {
            return vec![Effect::FillSandboxSecret {
                client_id: s.form.client_id.text().trim().to_ascii_lowercase(),
            }];
        }
        (Step::Access, Key::Up) => s.form.access_cursor = s.form.access_cursor.saturating_sub(1),
        (Step::Access, Key::Down) => {
            s.form.access_cursor = (s.form.access_cursor + 1).min(s.form.access_rows() - 1);
        }
        (Step::Access, Key::Char(' ') | Key::Char('x')) => toggle_access(&mut s.form),
        (Step::Mailboxes, Key::Tab | Key::BackTab | Key::Up | Key::Down) => {
            s.form.mailbox_field = match s.form.mailbox_field {
                MailboxField::Reach => MailboxField::Deny,
                MailboxField::Deny => MailboxField::Reach,
            };
        }
        (Step::Scope, Key::Tab | Key::BackTab) => s.form.scope_field = 1 - s.form.scope_field,
        (Step::Scope, Key::Up) if s.form.scope_field == 0 => {
            s.form.scope_kind = s.form.scope_kind.saturating_sub(1);
        }
        (Step::Scope, Key::Down) if s.form.scope_field == 0 => {
            s.form.scope_kind = (s.form.scope_kind + 1).min(crate::scope::ScopeKind::ALL.len() - 1);
        }
        (Step::Scope, Key::Char('p')) if s.form.scope_field == 0 => {
            s.form.exchange_script = !s.form.exchange_script;
        }
        (Step::Scope, _) if s.form.scope_field == 0 => {}
        (Step::AppDetails, Key::Tab | Key::BackTab | Key::Up | Key::Down) => {
            s.form.app_field = 1 - s.form.app_field;
        }
        (Step::AppDetails, Key::Left | Key::Right) if s.form.app_field == 1 => {
            let n = SECRET_MONTHS.len();
            s.form.months = if k == Key::Right {
                (s.form.months + 1).min(n - 1)
            } else {
                s.form.months.saturating_sub(1)
            };
        }
        (Step::Access, _) => {}
        _ => {
            edit(s, k);
        }
    }
    Vec::new()
}

fn toggle_access(f: &mut Form) {
    match f.choices().get(f.access_cursor) {
        Some(a) => {
            if let Some(i) = f.access.iter().position(|x| x == a) {
                f.access.remove(i);
            } else {
                f.access.push(*a);
                f.access.sort();
            }
        }
        None => f.send_test = !f.send_test,
    }
}

fn advance(s: &mut State, step: Step) -> Vec<Effect> {
    s.screen = Screen::Form(step.next_in(s.form.journey).unwrap_or(step));
    Vec::new()
}

fn submit(s: &mut State, step: Step) -> Vec<Effect> {
    match step {
        Step::Tenant => match TenantInput::parse(s.form.tenant.text()) {
            Err(e) => {
                s.error = Some(e.to_string());
                Vec::new()
            }
            Ok(_) if s.form.tenant_id.is_some() => advance(s, step),
            Ok(t) => {
                s.busy = Some(format!("Looking up tenant {t}…"));
                vec![Effect::ResolveTenant {
                    cloud: s.form.cloud,
                    tenant: t.to_string(),
                }]
            }
        },
        Step::ClientId => match ClientId::parse(s.form.client_id.text()) {
            Err(e) => {
                s.error = Some(e.to_string());
                Vec::new()
            }
            Ok(c) if Some(c.0) == s.form.tenant_id.map(|t| t.0) => {
                s.error = Some(
                    "That is the tenant ID. The client ID is the app's \"Application (client) ID\" on its Overview page."
                        .into(),
                );
                Vec::new()
            }
            Ok(_) => advance(s, step),
        },
        Step::Secret => {
            let Some(secret) = pasted_secret(s) else {
                return Vec::new();
            };
            s.form.secret.clear();
            s.form.secret.insert(secret.expose());
            advance(s, step)
        }
        Step::Access => {
            if s.form.access.is_empty() {
                s.error = Some("Choose at least one: move with ↑↓ and press space.".into());
                Vec::new()
            } else {
                advance(s, step)
            }
        }
        Step::Mailboxes => match validate_mailboxes(&s.form) {
            Err(e) => {
                s.error = Some(e);
                Vec::new()
            }
            Ok(_) => advance(s, step),
        },
        Step::Scope => match scope_spec(&s.form) {
            Err(e) => {
                s.error = Some(e);
                Vec::new()
            }
            Ok(_) => advance(s, step),
        },
        Step::AppDetails => {
            if s.form.app_name.text().chars().count() > 120 {
                s.error = Some("Keep the app's name to 120 characters.".into());
                Vec::new()
            } else {
                advance(s, step)
            }
        }
        Step::Name if s.form.journey == Journey::Setup => setup_order(s),
        Step::Name => save(s),
    }
}

/// The Exchange Online part from the scope step; none for the delegated style.
fn scope_spec(f: &Form) -> Result<Option<crate::scope::ScopeSpec>, String> {
    use crate::scope::{GroupRef, ScopeKind, ScopeSpec};
    if f.access.iter().all(|a| *a == AccessChoice::Delegated) {
        return Ok(None);
    }
    let kind = f.scope();
    let (mailboxes, deny) = validate_mailboxes(f)?;
    if kind == ScopeKind::AllMailboxes && f.confirm_all.text().trim() != crate::wizard::CONFIRM_ALL
    {
        return Err(format!(
            "Type \"{}\" (tab to the field) to confirm: the app will reach every mailbox, the CEO's included.",
            crate::wizard::CONFIRM_ALL
        ));
    }
    if kind == ScopeKind::DenyPolicy && deny.is_none() {
        return Err("A deny policy keeps the app away from a group: go back (esc) and name the mailbox to keep out under \"must be denied\".".into());
    }
    let group = if kind.uses_group() {
        let text = match f.group.text().trim() {
            "" => format!("m365mw-{}", f.name.text().trim()),
            t => t.to_string(),
        };
        let text = if text == "m365mw-" {
            "m365mw-mailboxes".to_string()
        } else {
            text
        };
        Some(GroupRef::parse(&text).map_err(|e| format!("Group: {e}"))?)
    } else {
        None
    };
    Ok(Some(ScopeSpec {
        kind,
        group,
        mailboxes: mailboxes.iter().map(|m| m.to_string()).collect(),
        deny_mailbox: deny.map(|m| m.to_string()),
        script_only: f.exchange_script,
    }))
}

fn validate_mailboxes(f: &Form) -> Result<(Vec<Mailbox>, Option<Mailbox>), String> {
    let reach = Mailbox::parse_list(f.mailboxes.text()).map_err(|e| e.to_string())?;
    if reach.is_empty() {
        return Err(
            "Type at least one mailbox the application must reach, e.g. helpdesk@contoso.com."
                .into(),
        );
    }
    let deny = match f.deny.text().trim() {
        "" => None,
        t => Some(Mailbox::parse(t).map_err(|e| format!("Must-be-denied mailbox: {e}"))?),
    };
    if let Some(d) = &deny
        && reach.contains(d)
    {
        return Err(format!(
            "{d} is in both lists: a mailbox cannot be both reachable and denied."
        ));
    }
    Ok((reach, deny))
}

/// Builds the profile from the form, re-validating every step; on a bad field, goes there.
/// Goes to `step` with the error shown; no effect.
fn fail(s: &mut State, step: Step, msg: String) -> Vec<Effect> {
    s.error = Some(msg);
    s.screen = Screen::Form(step);
    Vec::new()
}

/// The profile name (free) and the resolved tenant, which both journeys end with.
fn name_and_tenant(s: &mut State) -> Result<(ProfileName, crate::model::TenantId), Vec<Effect>> {
    let name = match ProfileName::parse(s.form.name.text()) {
        Ok(n) => n,
        Err(e) => return Err(fail(s, Step::Name, e.to_string())),
    };
    if s.profile_names().contains(&name) {
        return Err(fail(
            s,
            Step::Name,
            format!("A profile named \"{name}\" exists already: choose another name."),
        ));
    }
    match s.form.tenant_id {
        Some(t) => Ok((name, t)),
        None => Err(fail(
            s,
            Step::Tenant,
            "The tenant was changed: press enter to look it up again.".into(),
        )),
    }
}

fn save(s: &mut State) -> Vec<Effect> {
    let (name, tenant_id) = match name_and_tenant(s) {
        Ok(x) => x,
        Err(fx) => return fx,
    };
    let client_id = match ClientId::parse(s.form.client_id.text()) {
        Ok(c) => c,
        Err(e) => return fail(s, Step::ClientId, e.to_string()),
    };
    let (secret, warnings) = Secret::from_pasted(s.form.secret.text());
    if let Some(w) = warnings.iter().find(|w| w.blocks()) {
        return fail(s, Step::Secret, w.message().into());
    }
    let (mailboxes, deny_mailbox) = match validate_mailboxes(&s.form) {
        Ok(x) => x,
        Err(e) => return fail(s, Step::Mailboxes, e),
    };
    let profile = Profile {
        name,
        sandbox: s.sandbox.is_some(),
        cloud: s.form.cloud,
        endpoints: None,
        tenant: s.form.tenant.text().trim().to_ascii_lowercase(),
        tenant_id,
        client_id,
        access: s.form.access.clone(),
        mailboxes,
        deny_mailbox,
        send_test: s.form.send_test,
        keyring: KeyringBackend::Os,
        last_check: None,
        scope: s
            .order
            .as_ref()
            .filter(|_| s.form.journey == Journey::Setup)
            .and_then(|o| Some(o.answers.scope.as_ref()?.record(&o.answers.app_name))),
        secret_expires: crate::model::parse_expiry(s.form.guide_expires.text(), s.today)
            .ok()
            .flatten(),
        credential: Default::default(),
    };
    s.busy = Some("Saving the secret to the keyring…".into());
    s.current = Some(profile.clone());
    s.current_secret = Some(secret.clone());
    vec![Effect::Save {
        profile: Box::new(profile),
        secret: SecretBox(secret),
    }]
}

/// Validates the setup answers and starts the administrator's sign-in.
fn setup_order(s: &mut State) -> Vec<Effect> {
    let (name, tenant_id) = match name_and_tenant(s) {
        Ok(x) => x,
        Err(fx) => return fx,
    };
    let (mailboxes, deny_mailbox) = match validate_mailboxes(&s.form) {
        Ok(x) => x,
        Err(e) => return fail(s, Step::Mailboxes, e),
    };
    let app_name = match s.form.app_name.text().trim() {
        "" => format!("m365-mail-wizard {name}"),
        t => t.to_string(),
    };
    let portal = match &s.sandbox {
        Some(sb) => sb.endpoints.portal.clone(),
        None => crate::model::Cloud::named(s.form.cloud).endpoints.portal,
    };
    let answers = SetupAnswers {
        app_name,
        access: s.form.access.clone(),
        secret_months: SECRET_MONTHS[s.form.months.min(SECRET_MONTHS.len() - 1)],
        portal,
        public_client: false,
        scope: match scope_spec(&s.form) {
            Ok(x) => x,
            Err(e) => return fail(s, Step::Scope, e),
        },
    };
    s.plan = plan::plan(&answers);
    s.order = Some(SetupOrder {
        name,
        tenant: s.form.tenant.text().trim().to_ascii_lowercase(),
        tenant_id,
        cloud: s.form.cloud,
        answers,
        mailboxes,
        deny_mailbox,
        send_test: s.form.send_test,
    });
    s.code = None;
    s.signed_in = None;
    s.screen = Screen::SignIn;
    vec![Effect::StartSignIn {
        cloud: s.form.cloud,
        tenant_id,
    }]
}

/// Asks how long the new secret or certificate is to be valid, before the sign-in.
fn choose_lifetime(s: &mut State, profile: Profile, upkeep: Upkeep) -> Vec<Effect> {
    let what = match upkeep {
        Upkeep::Certificate { .. } => "certificate",
        _ => "secret",
    };
    let advice = match upkeep {
        Upkeep::Secret { .. } => " (the portal recommends 6; renew before it runs out)",
        _ => "",
    };
    s.notice = Some(format!(
        "New {what} for {}: valid for {} months{advice}. ←→ another lifetime, enter signs in and makes it, any other key cancels.",
        profile.name,
        upkeep.months().unwrap_or(6)
    ));
    s.choosing_lifetime = Some((profile, upkeep));
    Vec::new()
}

/// An admin sign-in for one profile's upkeep; what follows it is `upkeep`.
fn upkeep_sign_in(s: &mut State, profile: Profile, upkeep: Upkeep) -> Vec<Effect> {
    let fx = vec![Effect::StartSignIn {
        cloud: profile.cloud,
        tenant_id: profile.tenant_id,
    }];
    s.renewing = Some(profile);
    s.upkeep = upkeep;
    s.code = None;
    s.signed_in = None;
    s.notice = None;
    s.screen = Screen::SignIn;
    fx
}

fn sign_in_key(s: &mut State, k: Key) -> Vec<Effect> {
    match (k, &s.code) {
        (Key::Esc, _) => {
            s.error = None;
            s.code = None;
            s.screen = if s.renewing.take().is_some() {
                Screen::Home
            } else {
                Screen::Form(Step::Name)
            };
            vec![Effect::CancelSignIn]
        }
        (Key::Char('o'), Some(c)) => vec![Effect::OpenBrowser(c.uri.clone())],
        (Key::Char('a'), Some(c)) if s.sandbox.is_some() => {
            vec![Effect::SandboxApprove(c.user_code.clone())]
        }
        (Key::Char('g'), _) if s.renewing.is_none() => {
            let mut fx = vec![Effect::CancelSignIn];
            fx.extend(start_guide(s));
            fx
        }
        (Key::Char('n'), None) if s.renewing.is_some() => {
            s.error = None;
            let p = s.renewing.as_ref().expect("checked");
            vec![Effect::StartSignIn {
                cloud: p.cloud,
                tenant_id: p.tenant_id,
            }]
        }
        (Key::Char('n'), None) => {
            s.error = None;
            match (&s.order, s.form.tenant_id) {
                (Some(_), Some(tenant_id)) => vec![Effect::StartSignIn {
                    cloud: s.form.cloud,
                    tenant_id,
                }],
                _ => Vec::new(),
            }
        }
        _ => Vec::new(),
    }
}

fn plan_key(s: &mut State, k: Key) -> Vec<Effect> {
    match k {
        Key::Up => s.plan_cursor = s.plan_cursor.saturating_sub(1),
        Key::Down => s.plan_cursor = (s.plan_cursor + 1).min(s.plan.len().saturating_sub(1)),
        Key::Esc => {
            s.error = None;
            s.screen = Screen::Form(Step::Name);
            return vec![Effect::CancelSignIn];
        }
        Key::Enter if s.signed_in.as_ref().is_some_and(|si| !si.lacks_rights) => {
            return run_setup(s);
        }
        Key::Char('g') => {
            let mut fx = vec![Effect::CancelSignIn];
            fx.extend(start_guide(s));
            return fx;
        }
        _ => {}
    }
    Vec::new()
}

fn run_setup(s: &mut State) -> Vec<Effect> {
    let Some(order) = s.order.clone() else {
        return Vec::new();
    };
    s.error = None;
    s.setup_rows = s
        .plan
        .iter()
        .map(|p| SetupRow {
            title: p.title.clone(),
            status: StepStatus::Running,
            pending: true,
        })
        .collect();
    s.setup_running = true;
    s.screen = Screen::Progress;
    vec![Effect::RunSetup(Box::new(order))]
}

fn start_guide(s: &mut State) -> Vec<Effect> {
    s.error = None;
    s.code = None;
    if let Some(first) = s.guided_steps().first() {
        s.guide = *first;
        s.form.guide_field = 0;
        s.screen = Screen::Guide;
    }
    Vec::new()
}

/// Checks what the step asked to paste back; the message names what is wrong.
fn check_guided(s: &mut State) -> Result<(), String> {
    match s.plan.get(s.guide).map(|p| p.kind) {
        Some(plan::StepKind::CreateApp) => {
            let tenant = s.form.tenant_id;
            let c = ClientId::parse(s.form.client_id.text()).map_err(|e| {
                s.form.guide_field = 0;
                format!("Application (client) ID: {e}")
            })?;
            if tenant.map(|t| t.0) == Some(c.0) {
                s.form.guide_field = 0;
                return Err("That is the Directory (tenant) ID. The Application (client) ID is the line above it on the Overview page.".into());
            }
            let t = crate::model::TenantId::parse(s.form.guide_tenant.text()).map_err(|e| {
                s.form.guide_field = 1;
                format!("Directory (tenant) ID: {e}")
            })?;
            if Some(t) != tenant {
                s.form.guide_field = 1;
                return Err(format!(
                    "{t} is another tenant: this setup is for {}. In the portal, switch directory (top right).",
                    tenant.map(|t| t.to_string()).unwrap_or_default()
                ));
            }
            Ok(())
        }
        Some(plan::StepKind::AddSecret) => {
            let (secret, warnings) = Secret::from_pasted(s.form.secret.text());
            if let Some(w) = warnings.iter().find(|w| w.blocks()) {
                s.form.guide_field = 0;
                return Err(w.message().into());
            }
            s.form.secret.clear();
            s.form.secret.insert(secret.expose());
            crate::model::parse_expiry(s.form.guide_expires.text(), s.today).map_err(|e| {
                s.form.guide_field = 1;
                format!("Expires: {e}")
            })?;
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The next portal step, or, after the last, the profile saved.
fn next_guided(s: &mut State) -> Vec<Effect> {
    let steps = s.guided_steps();
    let at = steps.iter().position(|i| *i == s.guide).unwrap_or(0);
    match steps.get(at + 1) {
        Some(next) => {
            s.guide = *next;
            s.form.guide_field = 0;
            Vec::new()
        }
        None => {
            s.form.access = s
                .order
                .as_ref()
                .map(|o| o.answers.access.clone())
                .unwrap_or_default();
            save(s)
        }
    }
}

fn guide_key(s: &mut State, k: Key) -> Vec<Effect> {
    let steps = s.guided_steps();
    let at = steps.iter().position(|i| *i == s.guide).unwrap_or(0);
    let kind = s.plan.get(s.guide).map(|p| p.kind);
    match k {
        Key::Esc => {
            s.error = None;
            match at.checked_sub(1) {
                Some(prev) => s.guide = steps[prev],
                None => s.screen = Screen::Form(Step::Name),
            }
            Vec::new()
        }
        Key::Enter => {
            s.error = None;
            if let Err(m) = check_guided(s) {
                s.error = Some(m);
                return Vec::new();
            }
            if kind == Some(plan::StepKind::CreateApp) && s.signed_in.is_some() {
                s.busy = Some("Looking the app up in the tenant…".into());
                return vec![Effect::LookUpApp {
                    client_id: s.form.client_id.text().trim().to_ascii_lowercase(),
                    cloud: s.form.cloud,
                }];
            }
            next_guided(s)
        }
        Key::Tab | Key::BackTab | Key::Up | Key::Down
            if matches!(
                kind,
                Some(plan::StepKind::CreateApp | plan::StepKind::AddSecret)
            ) =>
        {
            s.form.guide_field = 1 - s.form.guide_field;
            Vec::new()
        }
        Key::FillSandboxSecret
            if s.sandbox.is_some() && kind == Some(plan::StepKind::AddSecret) =>
        {
            vec![Effect::FillSandboxSecret {
                client_id: s.form.client_id.text().trim().to_ascii_lowercase(),
            }]
        }
        _ => {
            edit(s, k);
            Vec::new()
        }
    }
}

fn progress_key(s: &mut State, k: Key) -> Vec<Effect> {
    match k {
        Key::Char('r') if !s.setup_running && s.error.is_some() => run_setup(s),
        Key::Esc if !s.setup_running => {
            s.error = None;
            s.screen = Screen::Home;
            vec![Effect::LoadProfiles]
        }
        Key::Char('q') if !s.setup_running => quit(s),
        _ => Vec::new(),
    }
}

fn checks_key(s: &mut State, k: Key) -> Vec<Effect> {
    match k {
        Key::Up => s.check_cursor = s.check_cursor.saturating_sub(1),
        Key::Down => s.check_cursor = (s.check_cursor + 1).min(s.checks.len().saturating_sub(1)),
        Key::Char('r') if !s.checks_running => {
            s.waiting = None;
            return start_checks(s);
        }
        Key::Enter if !s.checks_running => {
            s.waiting = None;
            s.screen = Screen::Summary;
        }
        Key::Esc => {
            s.waiting = None;
            s.screen = Screen::Home;
            return vec![Effect::LoadProfiles];
        }
        Key::Char('q') => return quit(s),
        _ => {}
    }
    Vec::new()
}

fn summary_key(s: &mut State, k: Key) -> Vec<Effect> {
    match k {
        Key::Esc => s.screen = Screen::Checks,
        Key::Enter => {
            s.screen = Screen::Home;
            return vec![Effect::LoadProfiles];
        }
        Key::Char('q') => return quit(s),
        _ => {}
    }
    Vec::new()
}
