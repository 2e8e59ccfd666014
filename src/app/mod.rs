//! The use cases both front ends share. Nothing here knows a terminal or a command line: the
//! front ends parse input, call these, and present what they return.

pub mod audit;
mod checks;
pub mod damaged_profile;
pub mod delegated_checks;
mod env;
pub mod executor;
mod exit;
pub mod exports;
pub mod fleet;
pub mod guided;
mod in_order;
pub mod migrate;
pub mod offboard;
mod open_files;
pub mod pasted_secret;
pub mod profile_checks;
mod profiles;
pub mod renew;
pub mod setup;
pub mod sign_in;
mod tenant;
mod user_sign_in;

pub use checks::{now_rfc3339, record_check, run_checks};
pub use env::{Env, KEYUTILS_WARNING, app_settings, keyring_service};
pub use exit::Exit;
pub use profiles::{
    SaveError, elsewhere_note, forget_profile, forget_secret, forget_unfinished, save_profile,
};
pub use tenant::resolve_tenant;
