//! The administrator's device-code sign-in, for a setup or for one profile's upkeep.

use super::setup::guide;
use super::{Effect, Key, Screen, State, Step, Upkeep};
use crate::model::{AdminPurpose, Diagnosis, Profile, SignInMethod, TenantId};

/// What the sign-in screen owns. The administrator stays signed in (`signed_in`, for
/// `tenant`) until the executor tells that the sign-in expired (`Msg::SignInExpired`): going
/// back and forth in a journey asks for no new code.
#[derive(Debug, Default)]
pub struct SignIn {
    pub code: Option<CodeView>,
    pub signed_in: Option<SignedIn>,
    /// The tenant the sign-in is (or was) for.
    pub tenant: Option<TenantId>,
    /// What the sign-in is (or was) for: the permissions it asked for.
    pub purpose: AdminPurpose,
    /// The profile the sign-in is for (renewal, or reading its expiry), instead of a setup.
    pub renewing: Option<Profile>,
    /// What the sign-in for `renewing` is for.
    pub upkeep: Upkeep,
    /// A browser sign-in waiting for the browser, instead of a device code.
    pub browser: Option<BrowserView>,
    /// Why the device code was refused, when the browser sign-in took over.
    pub blocked: Option<String>,
    /// How the next sign-in signs in (`b`, `d`).
    pub method: SignInMethod,
}

/// A browser sign-in as the sign-in screen shows it: the URL (always shown), and why no
/// browser could be started on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrowserView {
    pub url: String,
    pub not_opened: Option<String>,
}

/// A device code as the sign-in screen shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeView {
    pub user_code: String,
    pub uri: String,
    pub expires_in: u64,
}

/// Who signed in, and whether they may grant consent (from the token).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedIn {
    pub who: String,
    pub role: Option<String>,
    /// The token names directory roles, none of which may grant consent.
    pub lacks_rights: bool,
}

impl SignIn {
    /// The administrator signed in to `tenant` with the permissions `needed` asks for, while
    /// the sign-in lasts: a sign-in that asked for less is not reused.
    pub fn signed_in_for(&self, tenant: TenantId, needed: AdminPurpose) -> Option<&SignedIn> {
        self.signed_in
            .as_ref()
            .filter(|_| self.tenant == Some(tenant) && self.purpose.covers(needed))
    }

    /// Forgets any sign-in and waits for a new one to `tenant` for `purpose`.
    pub(super) fn expect(&mut self, tenant: TenantId, purpose: AdminPurpose) {
        self.code = None;
        self.browser = None;
        self.blocked = None;
        self.signed_in = None;
        self.tenant = Some(tenant);
        self.purpose = purpose;
    }
}

/// The administrator's sign-in expired: the next step that needs it signs in again.
pub(super) fn expired(s: &mut State) -> Vec<Effect> {
    if s.sign_in.signed_in.take().is_none() {
        return Vec::new();
    }
    if s.screen == Screen::Plan {
        s.error = Some(
            "The administrator's sign-in has expired. esc, then enter signs in again; nothing was changed."
                .into(),
        );
    }
    Vec::new()
}

pub(super) fn device_code(s: &mut State, result: Result<CodeView, String>) -> Vec<Effect> {
    match result {
        Ok(code) => s.sign_in.code = Some(code),
        Err(m) => s.error = Some(m),
    }
    Vec::new()
}

pub(super) fn browser(s: &mut State, view: BrowserView) -> Vec<Effect> {
    s.sign_in.code = None;
    s.sign_in.browser = Some(view);
    s.sign_in.method = SignInMethod::Browser;
    Vec::new()
}

/// The device code was refused by Conditional Access: this sign-in and the next ones go to
/// the browser.
pub(super) fn blocked(s: &mut State, why: String) -> Vec<Effect> {
    s.sign_in.code = None;
    s.sign_in.blocked = Some(why);
    s.sign_in.method = SignInMethod::Browser;
    vec![Effect::UseSignIn(SignInMethod::Browser)]
}

/// Signed in for a setup: the plan follows, runnable only by an administrator who may consent.
pub(super) fn signed_in(s: &mut State, result: Result<SignedIn, Diagnosis>) -> Vec<Effect> {
    match result {
        Ok(si) => {
            s.error = si.lacks_rights.then(|| {
                format!(
                    "{} holds no role that may grant admin consent (Global Administrator or Privileged Role Administrator). Hand this plan to such an administrator, or sign in again as one (esc).",
                    si.who
                )
            });
            s.sign_in.signed_in = Some(si);
            s.setup.plan_cursor = 0;
            s.screen = Screen::Plan;
        }
        Err(d) => {
            s.sign_in.code = None;
            let again = match s.sign_in.browser.take() {
                Some(_) => "Press n to sign in again.",
                None => "Press n for a new code.",
            };
            s.error = Some(format!("{} {} {again}", d.summary, d.fix));
        }
    }
    Vec::new()
}

/// The second sign-in of a setup, for Exchange Online administration.
pub(super) fn exchange_code(s: &mut State, code: CodeView) -> Vec<Effect> {
    s.notice = Some(format!(
        "Sign in once more, for Exchange Online administration: open {} and enter {} ({} min).",
        code.uri,
        code.user_code,
        code.expires_in / 60
    ));
    Vec::new()
}

pub(super) fn key(s: &mut State, k: Key) -> Vec<Effect> {
    let browser = s.sign_in.browser.as_ref().map(|b| b.url.clone());
    match (k, &s.sign_in.code) {
        (Key::Esc, _) => {
            s.error = None;
            s.sign_in.code = None;
            s.sign_in.browser = None;
            s.screen = if s.sign_in.renewing.take().is_some() {
                Screen::Home
            } else {
                Screen::Form(Step::Name)
            };
            // The audit's migrations wait for this sign-in: none of them goes ahead.
            let mut fx = vec![Effect::CancelSignIn];
            fx.extend(super::batch::abandon(s));
            fx
        }
        (Key::Char('b'), _) if s.sign_in.method == SignInMethod::DeviceCode => {
            switch(s, SignInMethod::Browser)
        }
        (Key::Char('d'), _) if s.sign_in.method == SignInMethod::Browser => {
            switch(s, SignInMethod::DeviceCode)
        }
        (Key::Char('o'), Some(c)) => vec![Effect::OpenBrowser(c.uri.clone())],
        (Key::Char('o'), None) if browser.is_some() => {
            vec![Effect::OpenBrowser(browser.expect("checked"))]
        }
        (Key::Char('a'), Some(c)) if s.sandbox.is_some() => {
            vec![Effect::SandboxApprove(c.user_code.clone())]
        }
        (Key::Char('a'), None) if s.sandbox.is_some() && browser.is_some() => {
            vec![Effect::SandboxBrowse(browser.expect("checked"))]
        }
        (Key::Char('g'), _) if s.sign_in.renewing.is_none() => {
            let mut fx = vec![Effect::CancelSignIn];
            fx.extend(guide::start(s));
            fx
        }
        (Key::Char('n'), None) if browser.is_none() => {
            s.error = None;
            start(s)
        }
        _ => Vec::new(),
    }
}

/// The sign-in started again by `method`: the one under way is cancelled.
fn switch(s: &mut State, method: SignInMethod) -> Vec<Effect> {
    s.error = None;
    s.sign_in.code = None;
    s.sign_in.browser = None;
    s.sign_in.blocked = None;
    s.sign_in.method = method;
    let mut fx = vec![Effect::CancelSignIn, Effect::UseSignIn(method)];
    fx.extend(start(s));
    fx
}

/// A new sign-in, for the profile being renewed or for the setup's tenant.
fn start(s: &State) -> Vec<Effect> {
    if let Some(p) = &s.sign_in.renewing {
        return vec![Effect::StartSignIn {
            cloud: p.cloud,
            tenant_id: p.tenant_id,
            purpose: s.sign_in.purpose,
        }];
    }
    match (&s.setup.order, s.form.tenant_id) {
        (Some(_), Some(tenant_id)) => vec![Effect::StartSignIn {
            cloud: s.form.cloud,
            tenant_id,
            purpose: s.sign_in.purpose,
        }],
        _ => Vec::new(),
    }
}
