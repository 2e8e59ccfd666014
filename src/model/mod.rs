//! Validated domain types. Nothing here does I/O.

mod access;
mod cloud;
mod ids;
mod mailbox;
mod profile;
mod sandbox_link;
mod secret;
mod tenant;

pub use access::{AccessChoice, parse_access_list};
pub use cloud::{
    Cloud, CloudKind, EndpointError, Endpoints, check_url, host_port, is_loopback_host,
};
pub use ids::{ClientId, Guid, IdError, ObjectId, TenantId};
pub use mailbox::{Mailbox, MailboxError};
pub use profile::{
    CheckVerdict, Credential, ExpiryLevel, KeyringBackend, LastCheck, LastRow, Profile,
    ProfileName, ProfileNameError, parse_expiry,
};
pub use sandbox_link::{SandboxLink, SandboxLinkApp};
pub use secret::{Secret, SecretWarning, echo_safe, looks_like_secret};
pub use tenant::{TenantError, TenantInput};
