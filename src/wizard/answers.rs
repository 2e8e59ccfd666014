//! The form's answers checked again as a whole and turned into what the effects carry: the
//! profile to save, or the order of a setup.

use super::{
    CONFIRM_ALL, Effect, Form, Journey, Saved, Screen, SecretBox, SetupOrder, State, Step, checks,
    sign_in,
};
use crate::model::{
    AccessChoice, AdminPurpose, ClientId, Cloud, ConsumerSignIn, DelegatedPart, KeyringBackend,
    Mailbox, Profile, ProfileName, ScopeKind, Secret, TenantId, parse_expiry,
};
use crate::plan::{self, SECRET_MONTHS, SetupAnswers};
use crate::scope::{GroupRef, ScopeSpec};
use crate::wizard::setup::progress;

/// The secret as pasted, trimmed; `None` (and the reason shown) when it must not be stored.
pub(super) fn pasted_secret(s: &mut State) -> Option<Secret> {
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

pub(super) fn validate_mailboxes(f: &Form) -> Result<(Vec<Mailbox>, Option<Mailbox>), String> {
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

/// The Exchange Online part from the scope step; none for the delegated style.
pub(super) fn scope_spec(f: &Form) -> Result<Option<ScopeSpec>, String> {
    if f.access.iter().all(|a| *a == AccessChoice::Delegated) {
        return Ok(None);
    }
    let kind = f.scope();
    let (mailboxes, deny) = validate_mailboxes(f)?;
    if kind == ScopeKind::AllMailboxes && f.confirm_all.text().trim() != CONFIRM_ALL {
        return Err(format!(
            "Type \"{}\" (tab to the field) to confirm: the app will reach every mailbox, the CEO's included.",
            CONFIRM_ALL
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
        decline_ews_allow_list: f.decline_ews_allow_list,
    }))
}

/// The delegated step's answers checked: the flow (with its redirect URI), at least one user,
/// shared mailboxes that are not users, users that are not app-only mailboxes.
pub(super) fn delegated_answers(f: &Form) -> Result<DelegatedPart, String> {
    let redirect = f.redirect_uri.text();
    let uri = (f.sign_in_key() == "authorization-code").then_some(redirect);
    let sign_in =
        ConsumerSignIn::parse(f.sign_in_key(), uri).map_err(|e| format!("Redirect URI: {e}."))?;
    let users =
        Mailbox::parse_list(f.delegated_users.text()).map_err(|e| format!("Mailbox users: {e}"))?;
    if users.is_empty() {
        return Err("Type at least one mailbox user who signs in to the consuming application, e.g. alice@contoso.com.".into());
    }
    let shared =
        Mailbox::parse_list(f.shared.text()).map_err(|e| format!("Shared mailboxes: {e}"))?;
    if let Some(m) = shared.iter().find(|m| users.contains(m)) {
        return Err(format!(
            "{m} is a user and a shared mailbox: a user reaches their own mailbox without FullAccess."
        ));
    }
    if !delegated_only(f)
        && let Ok(app_only) = Mailbox::parse_list(f.mailboxes.text())
        && let Some(m) = users.iter().find(|m| app_only.contains(m))
    {
        return Err(format!(
            "{m} is also an app-only mailbox: in a hybrid app a mailbox uses one style (go back with esc to change the other)."
        ));
    }
    Ok(DelegatedPart {
        sign_in,
        openid: f.openid,
        users,
        shared,
    })
}

fn delegated_only(f: &Form) -> bool {
    f.access.iter().all(|a| *a == AccessChoice::Delegated)
}

/// Goes to `step` with the error shown; no effect.
fn fail(s: &mut State, step: Step, msg: String) -> Vec<Effect> {
    s.error = Some(msg);
    s.screen = Screen::Form(step);
    Vec::new()
}

/// The profile name (free) and the resolved tenant, which both journeys end with.
fn name_and_tenant(s: &mut State) -> Result<(ProfileName, TenantId), Vec<Effect>> {
    let name = match ProfileName::parse(s.form.name.text()) {
        Ok(n) => n,
        Err(e) => return Err(fail(s, Step::Name, e.to_string())),
    };
    if s.home.profile_names().contains(&name) {
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

/// Builds the profile from the form, re-validating every step; on a bad field, goes there.
pub(in crate::wizard) fn save(s: &mut State) -> Vec<Effect> {
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
            .setup
            .order
            .as_ref()
            .filter(|_| s.form.journey == Journey::Setup)
            .and_then(|o| Some(o.answers.scope.as_ref()?.record(&o.answers.app_name))),
        secret_expires: parse_expiry(s.form.guide_expires.text(), s.today)
            .ok()
            .flatten(),
        credential_renewed: None,
        credential: Default::default(),
        rotation: None,
        delegated: None,
    };
    s.busy = Some("Saving the secret to the keyring…".into());
    s.checks.unverified = match s.screen {
        Screen::Guide => super::setup::guide::not_verified(s),
        _ => Vec::new(),
    };
    s.checks.profile = Some(profile.clone());
    s.checks.secret = Some(secret.clone());
    vec![Effect::Save {
        profile: Box::new(profile),
        secret: SecretBox(secret),
    }]
}

/// Validates the setup answers into the order of a setup and its plan; on a bad field, goes
/// there.
pub(super) fn build_order(s: &mut State) -> Result<(), Vec<Effect>> {
    let (name, tenant_id) = name_and_tenant(s)?;
    let (mailboxes, deny_mailbox) = if delegated_only(&s.form) {
        (Vec::new(), None)
    } else {
        validate_mailboxes(&s.form).map_err(|e| fail(s, Step::Mailboxes, e))?
    };
    let delegated = if s.form.access.contains(&AccessChoice::Delegated) {
        Some(delegated_answers(&s.form).map_err(|e| fail(s, Step::Delegated, e))?)
    } else {
        None
    };
    let app_name = match s.form.app_name.text().trim() {
        "" => format!("m365-mail-wizard {name}"),
        t => t.to_string(),
    };
    let portal = match &s.sandbox {
        Some(sb) => sb.endpoints.portal.clone(),
        None => Cloud::named(s.form.cloud).endpoints.portal,
    };
    let scope = scope_spec(&s.form).map_err(|e| fail(s, Step::Scope, e))?;
    let answers = SetupAnswers {
        app_name,
        access: s.form.access.clone(),
        secret_months: SECRET_MONTHS[s.form.months.min(SECRET_MONTHS.len() - 1)],
        portal,
        scope,
        delegated_script: s.form.exchange_script && delegated.is_some(),
        delegated,
        reuse_app: s.form.reuse_app,
    };
    s.setup.plan = plan::plan(&answers);
    s.setup.order = Some(SetupOrder {
        name,
        tenant: s.form.tenant.text().trim().to_ascii_lowercase(),
        tenant_id,
        cloud: s.form.cloud,
        answers,
        mailboxes,
        deny_mailbox,
        send_test: s.form.send_test,
        reuse_app: s.form.reuse_app,
        certificate_if_secrets_forbidden: false,
    });
    Ok(())
}

/// Validates the setup answers and goes to the plan: through the administrator's sign-in,
/// unless the administrator of this tenant is signed in already.
pub(super) fn setup_order(s: &mut State) -> Vec<Effect> {
    if let Err(fx) = build_order(s) {
        return fx;
    }
    let tenant_id = s.setup.order.as_ref().expect("just built").tenant_id;
    s.sign_in.code = None;
    if let Some(si) = s
        .sign_in
        .signed_in_for(tenant_id, AdminPurpose::Setup)
        .cloned()
    {
        return sign_in::signed_in(s, Ok(si));
    }
    s.sign_in.expect(tenant_id, AdminPurpose::Setup);
    if s.form.guided {
        return super::setup::guide::start(s);
    }
    s.screen = Screen::SignIn;
    vec![Effect::StartSignIn {
        cloud: s.form.cloud,
        tenant_id,
        purpose: AdminPurpose::Setup,
    }]
}

/// The app was given another name after a clash: the setup runs again at once while the
/// administrator is still signed in, else after the sign-in and the plan.
pub(super) fn run_renamed(s: &mut State) -> Vec<Effect> {
    if let Err(fx) = build_order(s) {
        return fx;
    }
    let tenant_id = s.setup.order.as_ref().expect("just built").tenant_id;
    if s.sign_in
        .signed_in_for(tenant_id, AdminPurpose::Setup)
        .is_some_and(|si| !si.lacks_rights)
    {
        return progress::run(s);
    }
    setup_order(s)
}

/// Where the secret went: a sandbox without a keyring keeps it in this session's memory.
pub(super) fn note_store(s: &mut State, saved: &Saved) {
    if let Some(p) = s.checks.profile.as_mut()
        && saved.store == "session memory"
    {
        p.keyring = KeyringBackend::SessionMemory;
    }
}

/// The secret and the profile were saved: the form is cleared and the checks run.
pub(super) fn saved(s: &mut State, result: Result<Saved, String>) -> Vec<Effect> {
    s.busy = None;
    match result {
        Ok(saved) => {
            note_store(s, &saved);
            let mut notice = saved
                .note
                .unwrap_or_else(|| format!("Secret stored in the {}; profile saved.", saved.store));
            if !s.checks.unverified.is_empty() {
                notice.push_str(&format!(
                    " {} guided step(s) not verified (nothing could read them): these checks are their proof.",
                    s.checks.unverified.len()
                ));
            }
            s.notice = Some(notice);
            s.form = Form::fresh(s.sandbox.as_ref());
            let mut fx = vec![Effect::ClearDraft];
            fx.extend(checks::start(s));
            fx
        }
        Err(m) => {
            s.error = Some(m);
            Vec::new()
        }
    }
}
