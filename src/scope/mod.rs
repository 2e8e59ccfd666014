//! Which mailboxes an app may reach, and the Exchange Online steps that make it so. Every step is
//! a cmdlet with its parameters, so the automated path and the PowerShell script are made from
//! the same data and cannot drift apart. Pure.

mod cmdlet;
mod delegated;
mod ews;
mod group;
mod mailboxes;
mod propagation;
mod roles;
mod scoped_refusal;
mod script;
mod smtp_auth;
mod spec;
mod steps;

pub use cmdlet::{Arg, Cmdlet, quote};
pub use delegated::{delegated_smtp_auth, delegated_steps, shared_and_user};
pub use ews::{EWS_READ, allow_list_value, ews_notes, mailbox_ews_on, org_ews_on};
pub use group::GroupRef;
pub use mailboxes::{PERSON_MAILBOXES, is_person_mailbox, mailbox_listing, pick_deny_mailbox};
pub use propagation::{
    CONSENT_WINDOW_SECS, Change, EXCHANGE_WINDOW_SECS, Made, SetupFacts, age, reclassify,
};
pub use roles::{
    bypassing_permissions, entra_permission_of, full_access_protocols, needs_mailbox_permission,
    omitted, rbac_roles, scoped_by_group, scoped_by_group_under,
};
pub use script::{
    delegated_part, delegated_script, looked_steps, script, script_steps, setup_script, variables,
};
pub use smtp_auth::{smtp_auth_commands, smtp_auth_off};
pub use spec::{ScopeSpec, ready_to_hand_over};
pub use steps::{ExKind, ExStep, ScopeInput, steps, test_cmdlet, tested_mailboxes};

#[cfg(test)]
mod smtp_tests;
#[cfg(test)]
mod tests;
