//! Validated domain types. Nothing here does I/O.

#[macro_use]
mod checked_text;

mod access;
mod admin_purpose;
pub mod audit;
mod check;
mod check_delegated;
mod cloud;
mod dates;
mod delegated;
mod diagnosis;
mod draft;
mod ews;
mod ids;
mod mailbox;
mod printable;
mod profile;
mod rotation;
mod sandbox_link;
mod scope;
mod secret;
mod setup_step;
mod tenant;

pub use access::{AccessChoice, parse_access_list};
pub use admin_purpose::{AdminPurpose, SETUP_SCOPES, SignInMethod};
pub use check::{
    CheckEvent, CheckKind, CheckRow, CheckSpec, Status, Verdict, check_plan, check_plan_as, verdict,
};
pub use cloud::{
    Cloud, CloudKind, EndpointError, Endpoints, check_url, host_port, is_loopback_host,
};
pub use dates::add_months;
pub use delegated::{ConsumerSignIn, DelegatedPart, REDIRECT_EXAMPLES, parse_redirect_uri};
pub use diagnosis::Diagnosis;
pub use draft::Draft;
pub use ews::{
    EWS_ENDS, EWS_NOT_SCOPE_MARKS, EWS_PHASED_FROM, EwsBlock, EwsReading, ews_block, lists_app,
    parse_app_ids, with_app,
};
pub use ids::{ClientId, Guid, IdError, ObjectId, TenantId};
pub use mailbox::{Mailbox, MailboxError};
pub use printable::{pretty_json, printable};
pub use profile::{
    CheckVerdict, Credential, ExpiryLevel, KeyringBackend, LastCheck, LastRow, Profile,
    ProfileName, ProfileNameError, Thumbprints, parse_expiry,
};
pub use rotation::{CredentialKind, KeyRef, LastUse, RECENT_USE, Rotation, ago};
pub use sandbox_link::{SandboxLink, SandboxLinkApp};
pub use scope::{ScopeKind, ScopeRecord};
pub use secret::{SECRET_MAX_CHARS, Secret, SecretWarning, echo_safe, looks_like_secret};
pub use setup_step::StepStatus;
pub use tenant::{TenantError, TenantInput};
