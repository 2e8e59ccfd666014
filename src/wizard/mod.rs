//! The wizard as a pure state machine: `update(&mut State, Msg) -> Vec<Effect>`.
//! Effects are plain data; the front end's executor performs them and answers with messages.
//! Each screen's module holds the state that screen owns and the handlers of its keys and of
//! the results that concern it.

mod answers;
mod as_user;
mod audit;
mod batch;
mod checks;
mod drafts;

/// The draft the state stands for: what a quit, a signal or a panic keeps.
pub fn draft_of(s: &State) -> Option<crate::model::Draft> {
    drafts::of(s)
}
mod editing;
mod form;
mod help;
mod home;
mod input;
mod keys;
mod reentry;
pub mod scroll;
mod setup;
mod sign_in;
mod steps;
mod unsaved;
mod update;
mod upkeep;

pub use as_user::{AsUserForm, UserCheck, UserRun, can_check_as_user};
pub use audit::{AuditExport, AuditView};
pub use checks::{Checks, TICKS_PER_SECOND, WAIT_AT_MOST_SECS, Waiting};
pub use form::{CONFIRM_ALL, Form, Journey, MailboxField};
pub use help::help;
pub use home::{Home, HomeSort, ProfileRow};
pub use input::Input;
pub use keys::{Hint, Key, hints};
pub use scroll::Viewport;
pub use setup::{GuideVerdict, GuidedCheck, Setup, SetupOrder, SetupRow};
pub use sign_in::{BrowserView, CodeView, SignIn, SignedIn};
pub use steps::Step;
pub use unsaved::UnsavedForm;
pub use update::update;
pub use upkeep::{Migrating, ShowOnce, Upkeep};

use crate::model::{
    AdminPurpose, CheckEvent, CloudKind, Diagnosis, Draft, Endpoints, Mailbox, Profile, Secret,
    StepStatus, TenantId,
};

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
    /// `a` on the home screen: the tenant's apps with mail access, riskiest first.
    Audit,
    /// `u`: which mailbox user the delegated part is checked as, and how the user signs in.
    AsUser,
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
    pub endpoints: Endpoints,
    pub apps: Vec<SandboxApp>,
    pub mailboxes: Vec<String>,
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
    /// What the frame just drawn could show of the screen's list and pane.
    Viewport(Viewport),
    Profiles(Vec<ProfileRow>, Vec<String>),
    /// The tenant's id, and the cloud it lives in (which may differ from the one chosen).
    TenantResolved(Result<(TenantId, CloudKind), String>),
    Saved(Result<Saved, String>),
    CheckEvent(usize, CheckEvent),
    ChecksDone,
    /// A profile's secret could not be read for a re-check.
    CheckFailedToStart(String),
    /// The keyring (named) holds no secret for the profile being checked: offer to paste it
    /// again.
    SecretMissing(String),
    DeviceCode(Result<CodeView, String>),
    /// The device code the mailbox user enters, for the check as that user.
    UserCode(CodeView),
    /// A browser sign-in waits for the browser: the URL to show.
    BrowserSignIn(BrowserView),
    /// Conditional Access refused the device code (the diagnosis' summary): the browser
    /// sign-in follows at once.
    DeviceCodeBlocked(String),
    SignedIn(Result<SignedIn, Diagnosis>),
    SetupStep(usize, StepStatus),
    /// The second sign-in, for Exchange Online administration.
    ExchangeCode(CodeView),
    SetupDone(Result<Box<Profile>, Diagnosis>),
    /// Export written: the folder, or why not.
    Exported(Result<String, String>),
    /// A profile was forgotten (what was removed), or why not.
    Forgotten(Result<String, String>),
    /// Renewal ended: what happened, or why it did not.
    Renewed(Result<String, Diagnosis>),
    /// The plan of a removal from the tenant or a migration, in words, to confirm.
    UpkeepPlan(Box<Profile>, Upkeep, Result<String, Diagnosis>),
    /// A step of a removal or migration settled.
    UpkeepProgress(String),
    /// Where the audit's reading of the tenant has got to.
    AuditProgress(String),
    /// The audit written to a file from its screen: the line that says where, or why not.
    AuditWritten(Result<String, String>),
    /// The audit read, or why not.
    Audited(Result<Box<crate::model::audit::Audit>, Diagnosis>),
    /// A renewal made this new secret for the profile: shown once, on the admin's key press.
    NewSecret(crate::model::ProfileName, SecretBox),
    /// Guided path: what reading plan step `usize` back found.
    GuideChecked(usize, GuideVerdict),
    /// The secret of the sandbox app whose client id was typed (F2).
    SandboxSecret(Result<Secret, String>),
    /// The profiles with a migration journal, and how far each migration got.
    Migrations(Vec<(crate::model::ProfileName, Migrating)>),
    /// The draft on disk, and what its setup made before it was interrupted (its journal).
    DraftLoaded(Option<Box<Draft>>, Option<String>),
    /// The administrator's sign-in expired (the executor keeps the clock and the tokens).
    SignInExpired,
    /// The setup stopped at an app of the same display name (its client ID).
    AppNameTaken {
        client_id: String,
    },
    /// An audited app's unsaved profile, its secret held; or why not (the app's name first).
    UnsavedHeld(String, Result<Box<Profile>, String>),
    /// The system asked the wizard to end (SIGTERM, SIGHUP): it leaves as on ctrl-c.
    Terminate,
    /// The setup stopped because the tenant forbids client secrets: the policy named, and the
    /// failed step's diagnosis.
    SecretsForbidden {
        policy: String,
        diagnosis: crate::model::Diagnosis,
    },
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
        /// The mailbox user who signs in for the delegated rows (`u`).
        as_user: Option<Box<UserCheck>>,
    },
    /// Stops the run of the checks under way (a mailbox user's, with its sign-in).
    CancelChecks,
    SaveDraft(Box<Draft>),
    FillSandboxSecret {
        client_id: String,
    },
    ClearDraft,
    /// Setup: get a device code and wait for the administrator's sign-in.
    StartSignIn {
        cloud: CloudKind,
        tenant_id: TenantId,
        /// What it is for: the permissions it asks for.
        purpose: AdminPurpose,
    },
    CancelSignIn,
    /// How the sign-ins started from now on sign in (`b` and `d` on the sign-in screen).
    UseSignIn(crate::model::SignInMethod),
    OpenBrowser(String),
    /// Sandbox only: approve the code as the sandbox's administrator.
    SandboxApprove(String),
    /// Sandbox only: approve the mailbox user's code as that user.
    SandboxApproveAs {
        code: String,
        user: String,
    },
    /// Sandbox only: play the browser on a browser sign-in's URL, as the sandbox's
    /// administrator.
    SandboxBrowse(String),
    RunSetup(Box<SetupOrder>),
    /// Every export format of a profile, into a new folder in the data directory.
    ExportAll(Box<Profile>),
    /// Remove the profile file and its keyring entry.
    Forget(Box<Profile>),
    /// With the signed-in administrator: a new secret or certificate for the profile, or its
    /// credential's expiry read from the app registration.
    Upkeep(Box<Profile>, Upkeep),
    /// The audit's report or JSON written to the file typed.
    WriteAudit(
        Box<crate::model::audit::Audit>,
        crate::model::audit::AuditFile,
        String,
    ),
    /// Guided path: read back what the administrator did by hand for one step.
    VerifyGuided(Box<GuidedCheck>),
    /// An audited app with no profile: a profile never saved made like `like`'s tenant, and
    /// the secret held in memory for its migration (`Msg::UnsavedHeld`).
    HoldUnsaved {
        app: String,
        like: Box<Profile>,
        client_id: crate::model::ClientId,
        mailboxes: Vec<Mailbox>,
        deny: Mailbox,
        secret: SecretBox,
    },
    /// The secret held for an audited app with no profile dropped: its turn is over.
    DropHeldSecret(crate::model::ProfileName),
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

pub struct State {
    pub screen: Screen,
    pub sandbox: Option<SandboxView>,
    /// Today, for dates typed in and the secrets' expiry (the front end's clock; tests set
    /// their own).
    pub today: time::Date,
    pub size: (u16, u16),
    /// What the last frame showed of the screen's list and detail pane.
    pub viewport: Viewport,
    /// The first line the detail pane shows; back to the top when the selection moves.
    pub pane: usize,
    /// The help of the current screen is open; any key closes it.
    pub help: bool,
    pub frame: u64,
    pub quit: bool,
    pub error: Option<String>,
    pub notice: Option<String>,
    /// An effect is under way; the text says which.
    pub busy: Option<String>,
    pub home: Home,
    pub form: Form,
    /// The secret step stores a new secret for the profile being checked (its keyring entry
    /// was missing); what the form held before, put back when that ends.
    pub reentry: Option<Box<Form>>,
    pub sign_in: SignIn,
    pub setup: Setup,
    pub checks: Checks,
    pub audit: AuditView,
    /// The folder the exports go to (`<data>/exports`), for the file names offered.
    pub exports: String,
}

impl State {
    pub fn new(sandbox: Option<SandboxView>, draft: Option<Draft>, today: time::Date) -> State {
        State {
            screen: Screen::Home,
            form: Form::fresh(sandbox.as_ref()),
            sandbox,
            today,
            size: (MIN_WIDTH, MIN_HEIGHT),
            viewport: Viewport::default(),
            pane: 0,
            help: false,
            frame: 0,
            quit: false,
            error: None,
            notice: None,
            busy: None,
            home: Home {
                on_draft: draft.is_some(),
                draft,
                ..Home::default()
            },
            reentry: None,
            sign_in: SignIn::default(),
            setup: Setup::default(),
            checks: Checks::default(),
            audit: AuditView::default(),
            exports: String::new(),
        }
    }

    pub fn too_small(&self) -> bool {
        self.size.0 < MIN_WIDTH || self.size.1 < MIN_HEIGHT
    }

    pub fn mailbox_list(&self) -> Vec<Mailbox> {
        Mailbox::parse_list(self.form.mailboxes.text()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests;
