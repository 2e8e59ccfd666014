//! Live checks: the probes and the concurrent runner. Which checks to run, their rows and
//! events are plain data in `model::check`.

pub mod ews;
pub mod imap;
pub mod mail_diagnosis;
pub mod pop;
mod runner;
pub mod smtp;
pub mod wire;

pub use runner::{RunInput, UserMail, run, user_mail};
pub use wire::Timeouts;
