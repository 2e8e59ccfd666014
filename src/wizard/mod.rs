//! The wizard as a pure state machine: `update(&mut State, Msg) -> Vec<Effect>`.
//! Effects are plain data; the TUI's executor performs them and answers with messages.

mod input;
mod keys;
mod update;

pub use input::Input;
pub use keys::{Hint, Key, hints};
pub use update::update;

use crate::checks::CheckRow;
use crate::model::{AccessChoice, CloudKind, Mailbox, Profile, ProfileName, Secret, TenantId};
use crate::store::Draft;

/// Which journey the form serves: check an existing app (3), or set one up (1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Journey {
    #[default]
    Check,
    Setup,
}

/// The questions of the two journeys, in the order both ask them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    Tenant,
    ClientId,
    Secret,
    Access,
    Mailboxes,
    /// Setup: which mailboxes the app may reach, and how Exchange Online limits it.
    Scope,
    /// Setup: the new app's display name and its secret's lifetime.
    AppDetails,
    Name,
}

impl Step {
    pub const ALL: [Step; 6] = [
        Step::Tenant,
        Step::ClientId,
        Step::Secret,
        Step::Access,
        Step::Mailboxes,
        Step::Name,
    ];

    pub const SETUP: [Step; 6] = [
        Step::Tenant,
        Step::Access,
        Step::Mailboxes,
        Step::Scope,
        Step::AppDetails,
        Step::Name,
    ];

    pub fn of(journey: Journey) -> &'static [Step] {
        match journey {
            Journey::Check => &Step::ALL,
            Journey::Setup => &Step::SETUP,
        }
    }

    pub fn next_in(self, journey: Journey) -> Option<Step> {
        let steps = Step::of(journey);
        steps
            .iter()
            .position(|s| *s == self)
            .and_then(|i| steps.get(i + 1).copied())
    }

    pub fn prev_in(self, journey: Journey) -> Option<Step> {
        let steps = Step::of(journey);
        steps
            .iter()
            .position(|s| *s == self)
            .and_then(|i| i.checked_sub(1))
            .map(|i| steps[i])
    }

    pub fn title(self) -> &'static str {
        match self {
            Step::Tenant => "Tenant",
            Step::ClientId => "Application",
            Step::Secret => "Secret",
            Step::Access => "Access",
            Step::Mailboxes => "Mailboxes",
            Step::Scope => "Scope",
            Step::AppDetails => "App & secret",
            Step::Name => "Profile name",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    Home,
    Form(Step),
    /// Setup: the administrator's device-code sign-in.
    SignIn,
    /// Setup: every step with its Graph call and PowerShell, before anything changes.
    Plan,
    /// Setup: the steps being carried out.
    Progress,
    /// Setup by hand: one plan step's portal instructions, and what to paste back.
    Guide,
    Checks,
    Summary,
}

/// Ticks a second (the event loop ticks every 100 ms).
pub const TICKS_PER_SECOND: u32 = 10;
/// How long the wizard keeps retrying a scoped setup's failing checks.
pub const WAIT_AT_MOST_SECS: u32 = 2 * 3600;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Waiting {
    pub ticks_left: u32,
    /// The pause before this retry, in seconds (doubles each time, up to five minutes).
    pub pause_secs: u32,
    /// Seconds waited so far.
    pub waited_secs: u32,
}

impl Waiting {
    pub fn seconds_left(&self) -> u32 {
        self.ticks_left.div_ceil(TICKS_PER_SECOND)
    }
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

/// A setup to carry out, as plain data: the executor adds the endpoints and the session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetupOrder {
    pub name: ProfileName,
    pub tenant: String,
    pub tenant_id: TenantId,
    pub cloud: CloudKind,
    pub answers: crate::plan::SetupAnswers,
    pub mailboxes: Vec<Mailbox>,
    pub deny_mailbox: Option<Mailbox>,
    pub send_test: bool,
}

/// One row of the setup progress view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetupRow {
    pub title: String,
    pub status: crate::setup::StepStatus,
    pub pending: bool,
}

/// The order of the home screen's profiles.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum HomeSort {
    #[default]
    Name,
    Tenant,
    /// Soonest-expiring secret first.
    Expiry,
    /// Failed checks first, then the oldest check.
    LastCheck,
}

impl HomeSort {
    pub fn label(self) -> &'static str {
        match self {
            HomeSort::Name => "name",
            HomeSort::Tenant => "tenant",
            HomeSort::Expiry => "expiry",
            HomeSort::LastCheck => "last check",
        }
    }

    fn next(self) -> HomeSort {
        match self {
            HomeSort::Name => HomeSort::Tenant,
            HomeSort::Tenant => HomeSort::Expiry,
            HomeSort::Expiry => HomeSort::LastCheck,
            HomeSort::LastCheck => HomeSort::Name,
        }
    }
}

/// What the home screen shows of a profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileRow {
    pub profile: Profile,
}

/// A sandbox app the home screen lists (never its secret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SandboxApp {
    pub name: String,
    pub client_id: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SandboxView {
    pub tenant_domain: String,
    pub endpoints: crate::model::Endpoints,
    pub apps: Vec<SandboxApp>,
    pub mailboxes: Vec<String>,
}

/// Which field of the mailboxes step has the cursor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MailboxField {
    Reach,
    Deny,
}

/// Everything typed in the form. The secret lives only in `secret` (masked) until saved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Form {
    pub cloud: CloudKind,
    pub tenant: Input,
    /// Set once discovery resolved what `tenant` says; cleared when it is edited.
    pub tenant_id: Option<TenantId>,
    pub client_id: Input,
    pub secret: Input,
    pub access: Vec<AccessChoice>,
    pub send_test: bool,
    /// Row under the cursor on the access step (the choices, then the send-test option).
    pub access_cursor: usize,
    pub mailboxes: Input,
    pub deny: Input,
    pub mailbox_field: MailboxField,
    pub name: Input,
    pub journey: Journey,
    /// Setup: the new app's display name (empty: "m365-mail-wizard <profile>").
    pub app_name: Input,
    /// Setup: index into `plan::SECRET_MONTHS`.
    pub months: usize,
    /// Setup: which field of the app step has the cursor (0 name, 1 lifetime).
    pub app_field: usize,
    /// Guided setup: the tenant ID pasted back from the app's Overview page.
    pub guide_tenant: Input,
    /// Guided setup: which field of the app or secret step has the cursor.
    pub guide_field: usize,
    /// Guided setup: the secret's expiry as the portal shows it.
    pub guide_expires: Input,
    /// Setup: index into `ScopeKind::ALL` (RBAC for Applications first, the default).
    pub scope_kind: usize,
    /// Setup: the group that names the mailboxes in scope (empty: m365mw-<profile>).
    pub group: Input,
    /// Setup: "all mailboxes" typed to confirm that scope.
    pub confirm_all: Input,
    /// Setup: which field of the scope step has the cursor (0 kind, 1 group or confirmation).
    pub scope_field: usize,
    /// Setup: the Exchange Online part is written as a PowerShell script for an Exchange
    /// administrator instead of done after a second sign-in.
    pub exchange_script: bool,
}

impl Default for Form {
    fn default() -> Form {
        Form {
            cloud: CloudKind::Global,
            tenant: Input::default(),
            tenant_id: None,
            client_id: Input::default(),
            secret: Input::masked(),
            access: vec![AccessChoice::GraphRead],
            send_test: false,
            access_cursor: 0,
            mailboxes: Input::default(),
            deny: Input::default(),
            mailbox_field: MailboxField::Reach,
            name: Input::default(),
            journey: Journey::Check,
            app_name: Input::default(),
            months: 1,
            app_field: 0,
            guide_tenant: Input::default(),
            guide_field: 0,
            guide_expires: Input::default(),
            scope_kind: 0,
            group: Input::default(),
            confirm_all: Input::default(),
            scope_field: 0,
            exchange_script: false,
        }
    }
}

/// What a typed confirmation of the all-mailboxes scope must say.
pub const CONFIRM_ALL: &str = "all mailboxes";

impl Form {
    pub fn scope(&self) -> crate::scope::ScopeKind {
        crate::scope::ScopeKind::ALL[self.scope_kind.min(crate::scope::ScopeKind::ALL.len() - 1)]
    }

    /// Whether anything was typed that a draft should keep.
    pub fn touched(&self) -> bool {
        !(self.tenant.text().is_empty()
            && self.client_id.text().is_empty()
            && self.mailboxes.text().is_empty()
            && self.deny.text().is_empty()
            && self.name.text().is_empty())
    }

    pub fn draft(&self) -> Draft {
        // A draft is a plain file: a secret pasted into the wrong field must not reach it.
        let secret = self.secret.text().trim();
        let keep = |text: &str| -> String {
            text.split_inclusive([',', ';', ' '])
                .filter(|w| {
                    let w = w.trim_end_matches([',', ';', ' ']);
                    !crate::model::looks_like_secret(w) && (secret.is_empty() || w.trim() != secret)
                })
                .collect()
        };
        Draft {
            cloud: self.cloud.key().to_string(),
            tenant: keep(self.tenant.text()),
            // Only an id is kept: whatever else was typed there might be a pasted secret.
            client_id: crate::model::ClientId::parse(self.client_id.text())
                .map(|c| c.to_string())
                .unwrap_or_default(),
            access: self.access.iter().map(|a| a.key().to_string()).collect(),
            mailboxes: keep(self.mailboxes.text()),
            deny_mailbox: keep(self.deny.text()),
            name: keep(self.name.text()),
        }
    }

    pub fn from_draft(d: &Draft) -> Form {
        let access: Vec<AccessChoice> = d.access.iter().filter_map(|a| a.parse().ok()).collect();
        Form {
            cloud: d.cloud.parse().unwrap_or(CloudKind::Global),
            tenant: Input::new(&d.tenant),
            client_id: Input::new(&d.client_id),
            access: if access.is_empty() {
                vec![AccessChoice::GraphRead]
            } else {
                access
            },
            mailboxes: Input::new(&d.mailboxes),
            deny: Input::new(&d.deny_mailbox),
            name: Input::new(&d.name),
            ..Form::default()
        }
    }

    /// Rows of the access step: each choice, then the send-test option.
    pub fn access_rows(&self) -> usize {
        self.choices().len() + 1
    }

    /// Switches to `journey`, leaving out choices it does not offer.
    pub fn set_journey(&mut self, journey: Journey) {
        self.journey = journey;
        let offered = self.choices();
        self.access.retain(|a| offered.contains(a));
        if self.access.is_empty() {
            self.access.push(AccessChoice::GraphRead);
        }
        self.access_cursor = self.access_cursor.min(self.access_rows() - 1);
    }

    /// The access choices this journey offers: checking an existing app lists only what its
    /// checks can prove (a delegated sign-in needs the mailbox user, so it is set up only).
    pub fn choices(&self) -> &'static [AccessChoice] {
        match self.journey {
            Journey::Check => &AccessChoice::ALL[..AccessChoice::ALL.len() - 1],
            Journey::Setup => &AccessChoice::ALL,
        }
    }
}

/// The outcome of saving, as the executor reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Saved {
    /// Where the secret went, e.g. "Secret Service keyring".
    pub store: String,
    /// Set when the sandbox had to keep the secret in memory.
    pub note: Option<String>,
}

pub enum Msg {
    Key(Key),
    Paste(String),
    Tick,
    Resize(u16, u16),
    Profiles(Vec<ProfileRow>, Vec<String>),
    /// The tenant's id, and the cloud it lives in (which may differ from the one chosen).
    TenantResolved(Result<(TenantId, CloudKind), String>),
    Saved(Result<Saved, String>),
    CheckEvent(usize, crate::checks::CheckEvent),
    ChecksDone,
    /// A profile's secret could not be read for a re-check.
    CheckFailedToStart(String),
    /// The keyring (named) holds no secret for the profile being checked: offer to paste it
    /// again.
    SecretMissing(String),
    DeviceCode(Result<CodeView, String>),
    SignedIn(Result<SignedIn, crate::cloud::Diagnosis>),
    SetupStep(usize, crate::setup::StepStatus),
    /// The second sign-in, for Exchange Online administration.
    ExchangeCode(CodeView),
    SetupDone(Result<Box<Profile>, crate::cloud::Diagnosis>),
    /// Export written: the folder, or why not.
    Exported(Result<String, String>),
    /// A profile was forgotten (what was removed), or why not.
    Forgotten(Result<String, String>),
    /// Renewal ended: what happened, or why it did not.
    Renewed(Result<String, crate::cloud::Diagnosis>),
    /// Guided path, signed in: whether the pasted client ID names an app of the tenant.
    AppLookedUp(Result<(), String>),
    /// The secret of the sandbox app whose client id was typed (F2).
    SandboxSecret(Result<Secret, String>),
}

#[derive(Debug, PartialEq, Eq)]
pub enum Effect {
    LoadProfiles,
    ResolveTenant {
        cloud: CloudKind,
        tenant: String,
    },
    /// Secret to the keyring, then the profile to disk.
    Save {
        profile: Box<Profile>,
        secret: SecretBox,
    },
    /// Runs the checks; `secret` is given for a profile just saved, else read from the keyring.
    RunChecks {
        /// `State::check_run` of this run.
        run: u64,
        profile: Box<Profile>,
        secret: Option<SecretBox>,
    },
    SaveDraft(Draft),
    FillSandboxSecret {
        client_id: String,
    },
    ClearDraft,
    /// Setup: get a device code and wait for the administrator's sign-in.
    StartSignIn {
        cloud: CloudKind,
        tenant_id: TenantId,
    },
    CancelSignIn,
    OpenBrowser(String),
    /// Sandbox only: approve the code as the sandbox's administrator.
    SandboxApprove(String),
    RunSetup(Box<SetupOrder>),
    /// Every export format of a profile, into a new folder in the data directory.
    ExportAll(Box<Profile>),
    /// Remove the profile file and its keyring entry.
    Forget(Box<Profile>),
    /// With the signed-in administrator: a new secret or certificate for the profile, or its
    /// credential's expiry read from the app registration.
    Upkeep(Box<Profile>, Upkeep),
    /// Guided path, signed in: look the pasted client ID up in the tenant.
    LookUpApp {
        client_id: String,
        cloud: CloudKind,
    },
    Quit,
}

/// A secret carried by an effect; compares equal to any other so effects stay comparable in
/// tests without exposing the text.
#[derive(Clone)]
pub struct SecretBox(pub Secret);

impl PartialEq for SecretBox {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}
impl Eq for SecretBox {}
impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(…)")
    }
}

pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

/// What an admin sign-in from the dashboard is for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Upkeep {
    /// A new client secret, valid this many months.
    Secret { months: u32 },
    /// A new certificate, valid this many months.
    Certificate { months: u32 },
    /// Read when the credential expires.
    #[default]
    ReadExpiry,
}

impl Upkeep {
    /// The lifetime, for the kinds that make a credential.
    pub fn months(self) -> Option<u32> {
        match self {
            Upkeep::Secret { months } | Upkeep::Certificate { months } => Some(months),
            Upkeep::ReadExpiry => None,
        }
    }

    fn with_months(self, months: u32) -> Upkeep {
        match self {
            Upkeep::Secret { .. } => Upkeep::Secret { months },
            Upkeep::Certificate { .. } => Upkeep::Certificate { months },
            Upkeep::ReadExpiry => Upkeep::ReadExpiry,
        }
    }

    /// Another of the lifetimes the portal offers, `step` places along.
    pub fn step_months(self, step: isize) -> Upkeep {
        let all = crate::plan::SECRET_MONTHS;
        let Some(now) = self.months() else {
            return self;
        };
        let i = all.iter().position(|m| *m == now).unwrap_or(1);
        let j = i.saturating_add_signed(step).min(all.len() - 1);
        self.with_months(all[j])
    }
}

pub struct State {
    pub screen: Screen,
    pub sandbox: Option<SandboxView>,
    pub profiles: Vec<ProfileRow>,
    /// Profile files that could not be read, with the reason.
    pub broken: Vec<String>,
    pub home_cursor: usize,
    pub form: Form,
    /// The draft found at start, offered on the home screen.
    pub draft: Option<Draft>,
    pub error: Option<String>,
    pub notice: Option<String>,
    /// An effect is under way; the text says which.
    pub busy: Option<String>,
    /// The profile being checked (just saved, or picked on the home screen).
    pub current: Option<Profile>,
    /// Secret of the profile just saved, kept for re-runs in this session only.
    pub current_secret: Option<Secret>,
    pub checks: Vec<CheckRow>,
    pub checks_running: bool,
    pub check_cursor: usize,
    /// A scoped profile's checks failed: they run again when the countdown ends, as Exchange
    /// Online may not have applied the changes yet.
    pub waiting: Option<Waiting>,
    pub frame: u64,
    /// Today, for dates typed in (the executor's clock; tests set their own).
    pub today: time::Date,
    pub size: (u16, u16),
    pub quit: bool,
    pub code: Option<CodeView>,
    pub signed_in: Option<SignedIn>,
    pub order: Option<SetupOrder>,
    pub plan: Vec<crate::plan::PlanStep>,
    pub plan_cursor: usize,
    pub setup_rows: Vec<SetupRow>,
    pub setup_running: bool,
    /// Guided setup: index into `plan` of the step shown.
    pub guide: usize,
    /// The profile the sign-in is for (renewal, or reading its expiry), instead of a setup.
    pub renewing: Option<Profile>,
    /// What the sign-in for `renewing` is for.
    pub upkeep: Upkeep,
    /// The secret step stores a new secret for `current` (its keyring entry was missing); what
    /// the form held before, put back when that ends.
    pub reentry: Option<Box<Form>>,
    /// Which run of the checks is current: results of an earlier run are dropped.
    pub check_run: u64,
    pub home_sort: HomeSort,
    /// Home screen filter: profiles whose name, tenant or client ID contain it.
    pub home_filter: Input,
    pub filtering: bool,
    /// The profile `f` asked to forget, until `y` confirms (any other key keeps it).
    pub forgetting: Option<ProfileName>,
    /// `s` or `k` asked for a new credential: its lifetime is being chosen before the sign-in.
    pub choosing_lifetime: Option<(Profile, Upkeep)>,
}

impl State {
    pub fn new(sandbox: Option<SandboxView>, draft: Option<Draft>) -> State {
        let mut form = Form::default();
        if let Some(s) = &sandbox {
            form.cloud = CloudKind::Custom;
            form.tenant = Input::new(&s.tenant_domain);
        }
        State {
            screen: Screen::Home,
            sandbox,
            profiles: Vec::new(),
            broken: Vec::new(),
            home_cursor: 0,
            form,
            draft,
            error: None,
            notice: None,
            busy: None,
            current: None,
            current_secret: None,
            checks: Vec::new(),
            checks_running: false,
            waiting: None,
            check_cursor: 0,
            frame: 0,
            today: time::OffsetDateTime::now_utc().date(),
            size: (MIN_WIDTH, MIN_HEIGHT),
            quit: false,
            code: None,
            signed_in: None,
            order: None,
            plan: Vec::new(),
            plan_cursor: 0,
            setup_rows: Vec::new(),
            setup_running: false,
            guide: 0,
            renewing: None,
            upkeep: Upkeep::default(),
            reentry: None,
            check_run: 0,
            home_sort: HomeSort::Name,
            home_filter: Input::default(),
            filtering: false,
            forgetting: None,
            choosing_lifetime: None,
        }
    }

    pub fn too_small(&self) -> bool {
        self.size.0 < MIN_WIDTH || self.size.1 < MIN_HEIGHT
    }

    pub fn profile_names(&self) -> Vec<ProfileName> {
        self.profiles
            .iter()
            .map(|p| p.profile.name.clone())
            .collect()
    }

    /// Steps already answered (for the ✔ marks on the left).
    pub fn step_done(&self, step: Step) -> bool {
        match self.screen {
            Screen::Form(current) => step < current,
            _ => false,
        }
    }

    /// The home screen's profiles: filtered, then sorted.
    pub fn visible_profiles(&self) -> Vec<&ProfileRow> {
        let needle = self.home_filter.text().trim().to_ascii_lowercase();
        let mut rows: Vec<&ProfileRow> = self
            .profiles
            .iter()
            .filter(|r| {
                let p = &r.profile;
                needle.is_empty()
                    || p.name.as_str().to_ascii_lowercase().contains(&needle)
                    || p.tenant.to_ascii_lowercase().contains(&needle)
                    || p.client_id.to_string().contains(&needle)
            })
            .collect();
        let today = self.today;
        match self.home_sort {
            HomeSort::Name => rows.sort_by(|a, b| a.profile.name.cmp(&b.profile.name)),
            HomeSort::Tenant => rows.sort_by(|a, b| {
                (&a.profile.tenant, &a.profile.name).cmp(&(&b.profile.tenant, &b.profile.name))
            }),
            HomeSort::Expiry => {
                rows.sort_by_key(|r| r.profile.expiry(today).map(|(d, _)| d).unwrap_or(i64::MAX))
            }
            HomeSort::LastCheck => rows.sort_by_key(|r| match &r.profile.last_check {
                None => (0, ""),
                Some(c) if c.verdict != crate::model::CheckVerdict::Passed => (1, c.at.as_str()),
                Some(c) => (2, c.at.as_str()),
            }),
        }
        rows
    }

    /// The profile under the home screen's cursor.
    pub fn selected_profile(&self) -> Option<&ProfileRow> {
        self.visible_profiles().get(self.home_cursor).copied()
    }

    /// The plan steps the guided path shows: those an admin does in the portal.
    pub fn guided_steps(&self) -> Vec<usize> {
        use crate::plan::StepKind;
        self.plan
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                matches!(
                    p.kind,
                    StepKind::CreateApp
                        | StepKind::AddSecret
                        | StepKind::Consent
                        | StepKind::DelegatedConsent
                        | StepKind::Exchange
                        | StepKind::ExchangeTest
                ) && p.permission.as_deref() != Some("mailboxes")
            })
            .map(|(i, _)| i)
            .collect()
    }

    pub fn mailbox_list(&self) -> Vec<Mailbox> {
        Mailbox::parse_list(self.form.mailboxes.text()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests;
