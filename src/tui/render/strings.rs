//! The sentences the screens show that carry no computed value. Texts filled in with values
//! stay beside the code that fills them in.

use crate::wizard::Step;

// Titles.
pub const TITLE_HOME: &str = " m365-mail-wizard";
pub const TITLE_SETUP: &str = " New setup";
pub const TITLE_CHECK: &str = " Check an existing app";
pub const TITLE_SIGN_IN: &str = " New setup · administrator sign-in";
pub const TITLE_AUDIT_SIGN_IN: &str = " Audit of the tenant's mail apps · administrator sign-in";
pub const TITLE_PLAN: &str = " New setup · the plan";
pub const TITLE_PROGRESS: &str = " New setup · running";
pub const TITLE_GUIDE: &str = " New setup · guided, in the portal";
pub const PROFILES: &str = " Profiles ";
pub const STEPS: &str = " Steps ";
pub const SIGN_IN_TITLE: &str = " Administrator sign-in (device code) ";
pub const IN_THE_PORTAL: &str = " In the portal ";
pub const SUMMARY: &str = " Summary ";
pub const HELP_TITLE: &str = " Help: the keys of this screen ";
pub const HELP_CLOSES: &str = " Any key closes this help.";

/// The question of each step of the form.
pub fn question(step: Step) -> &'static str {
    match step {
        Step::Tenant => " Which tenant? ",
        Step::ClientId => " Which app registration? ",
        Step::Secret => " The client secret ",
        Step::Access => " What does the application use? ",
        Step::Mailboxes => " Which mailboxes? ",
        Step::Scope => " Which mailboxes may the app reach? ",
        Step::Delegated => " Who signs in to the consuming application, and how? ",
        Step::AppDetails => " The new app and its secret ",
        Step::Name => " Name this profile ",
    }
}

// Starting the sandbox.
pub const SANDBOX_STARTING: &str =
    " Starting the sandbox tenant (contoso.example) on this machine…";
pub const SANDBOX_MADE_UP: &str =
    " Nothing here reaches Microsoft; its apps, mailboxes and secrets are made up.";

// Home.
pub const NO_PROFILES: &str = "  No profiles yet. Press c to check an app you already registered.";
pub const EXPIRED: &str = "expired";
pub const NOT_CHECKED: &str = "not checked";
pub const NEVER_CHECKED: &str = "never";
pub const EXPIRY_UNKNOWN: &str = "unknown: x reads it from the app registration";
pub const SCOPE_NOT_RECORDED: &str = "not recorded (app added, not set up here)";
pub const SANDBOX_TENANT: &str = "sandbox tenant";

// The form: what comes after its steps, in each journey.
pub const CHECK_TAIL: [&str; 2] = [" ○ Save & check", " ○ Summary"];
pub const SETUP_TAIL: [&str; 2] = [" ○ Sign in & plan", " ○ Run & check"];

pub const SANDBOX_CLOUD: &str = "Cloud: built-in sandbox tenant";
pub const CLOUD: &str = "Cloud: ";
pub const TENANT: &str = "Tenant ID (a GUID) or a verified domain";
pub const TENANT_HELP: &str = "A domain is looked up through the tenant's OpenID discovery document. The tenant ID is on Entra admin center › Overview.";
pub const CLIENT_ID: &str = "Application (client) ID";
pub const CLIENT_ID_HELP: &str = "Entra admin center › App registrations › the app › Overview shows it as \"Application (client) ID\". The \"Object ID\" beside it is a different value.";
pub const SECRET_VALUE: &str = "Client secret Value (hidden as you type)";
pub const SECRET_HELP: &str = "Paste the secret's Value, not its Secret ID. It goes to the OS keyring only, never to a file, and is not shown again.";
pub const SEND_TEST: &str = "Send a test message from each mailbox to itself (opt-in)";
pub const SEND_TEST_HELP: &str =
    "Graph sends through the sendMail call; SMTP sends the test message by SMTP submission.";
pub const RBAC_LEAVES_OUT: &str =
    "The plan leaves out the tenant-wide Graph/EWS permission: it would bypass the scope.";
pub const FULL_ACCESS_ANYWAY: &str =
    "IMAP, POP and SMTP are limited by FullAccess on each listed mailbox, whatever is chosen here.";
pub const CONFIRM_ALL: &str = "Type \"all mailboxes\" to confirm";
pub const GROUP: &str =
    "Mail-enabled security group for the mailboxes (name or address; made if missing)";
pub const DEFAULT_GROUP: &str = "m365mw-<profile name> (the default)";
pub const EXCHANGE_AS_SCRIPT: &str = "Exchange part: a PowerShell script to run (p: done for me)";
pub const EXCHANGE_DONE_FOR_ME: &str =
    "Exchange part: done for me after a second sign-in (p: a script)";
pub const APP_NAME: &str = "Display name of the new app registration";
pub const SECRET_LIFETIME: &str = "Client secret lifetime";
pub const APP_DETAILS_HELP: &str = "Empty name: \"m365-mail-wizard <profile>\". The portal recommends 6 months; renew before it runs out. Nothing is created before you have seen the plan.";
pub const REACH: &str = "Mailboxes the application must reach (separate with commas)";
pub const DENY: &str = "One mailbox it must NOT reach (optional; proves the scope)";
pub const PROFILE_NAME: &str = "Profile name (letters, digits, . _ -)";
pub const NAME_HELP_CHECK: &str =
    "Enter stores the secret in the keyring, saves the profile and runs the live checks.";
pub const NAME_HELP_SETUP: &str = "Enter asks for an administrator's sign-in (a device code); the plan comes next, and nothing changes in the tenant before you run it.";

// Sign-in.
pub const SIGN_IN_AS_ADMIN: &str = "  Sign in as an administrator of the tenant:";
pub const OPEN: &str = "  1. Open   ";
pub const ENTER: &str = "  2. Enter  ";
pub const SANDBOX_APPROVE: &str = "  Sandbox: press a to approve as the sandbox's administrator.";
pub const ASKING_FOR_CODE: &str = "  Asking for a sign-in code…";
pub const SIGN_IN_TITLE_BROWSER: &str = " Administrator sign-in (browser) ";
pub const BROWSER_OPENED: &str = "  Finish the sign-in in the browser that opened, or open this URL in a browser on this machine:";
pub const SANDBOX_BROWSE: &str = "  Sandbox: press a to sign in as the sandbox's administrator.";
pub const STARTING_BROWSER: &str = "  Starting the sign-in in the browser…";

// Plan.
pub const NOTHING_CHANGED_YET: &str =
    "Nothing has changed yet: enter runs every step, in this order.";
pub const GRAPH: &str = "Graph:      ";
pub const POWERSHELL: &str = "PowerShell: ";
pub const CHANGES: &str = "Changes:    ";

// Guided path.
pub const REGISTER_THE_APP: &str = "Register the app";
pub const DELEGATED_CONSENT: &str = "Consent: delegated";
pub const ADD_A_SECRET: &str = "Add a secret";
pub const DIRECTORY_ID: &str = "Directory (tenant) ID";
pub const SECRET_PASTED: &str = "Secret Value (hidden as you type)";
pub const PRESS_ENTER_WHEN_DONE: &str = "Press enter when it is done: the wizard reads it back.";
pub const PRESS_ENTER_UNVERIFIED: &str = "Press enter when it is done. Nothing can read it back without an administrator's sign-in, so it will show as not verified (?) and the live checks at the end are its proof. To have it read back: n on the home screen, sign in, then g on the plan.";
pub const APP_READ_BY_SECRET: &str = "Without an administrator's sign-in the tenant cannot be asked about the app now: the secret's sign-in (next step) proves it.";
pub const READ_BACK: &str = "✔ read back: ";
pub const NOT_VERIFIED: &str = "? not verified: ";
pub const POWERSHELL_INSTEAD: &str = "PowerShell instead: ";
pub const NOT_VERIFIED_IN_GUIDE: &str = "Not verified during the guided setup (nothing could read them back; these checks are their only proof): ";
pub const TITLE_GUIDED_ANSWERS: &str = " New setup · guided";
pub const GUIDED_TAIL: [&str; 2] = [" ○ In the portal", " ○ Save & check"];

// Checks and summary.
pub const CHECKING: &str = "checking…";
pub const WAITING: &str = "waiting…";
pub const EVIDENCE: &str = "Evidence: ";
pub const CAUSE: &str = "Cause: ";
pub const FIX: &str = "Fix: ";
pub const READY_TO_HAND_OVER: &str = " Ready to hand over: the out-of-scope mailbox is refused.";
pub const SETTINGS: &str = "Settings for the consuming application:";

// The delegated style's step.
pub const SIGN_IN_FLOW: &str = "Users sign in to the tool by ";
pub const OPENID: &str = "openid and User.Read too (the tool reads who signed in)";
pub const REDIRECT_URI: &str = "Redirect URI (where the tool receives the sign-in)";
pub const DELEGATED_USERS: &str = "Mailbox users who sign in (separate with commas)";
pub const SHARED: &str = "Shared mailboxes, optional (the users get FullAccess)";
pub const DELEGATED_HELP: &str = "No Exchange application scope applies: each user reaches their own mailbox, and the shared ones through FullAccess.";

/// What a flow of the delegated style means for the app registration.
pub fn flow_explained(key: &str) -> &'static str {
    match key {
        "authorization-code" => {
            "In a browser: a Web redirect URI is registered; public client flows stay off."
        }
        "password" => {
            "Public client flows are turned on. The password flow fails for any account with MFA; Microsoft discourages it."
        }
        _ => "\"Allow public client flows\" is turned on: the tool signs in without a secret.",
    }
}
