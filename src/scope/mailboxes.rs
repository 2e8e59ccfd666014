//! The mailbox a setup checks as out of scope when none was named: a user or shared mailbox,
//! never a system one (discovery, arbitration, monitoring…), which has no Entra user for the
//! Graph check to reach.

use serde_json::Value;

use super::Cmdlet;

/// The `RecipientTypeDetails` of mailboxes that people or teams read.
pub const PERSON_MAILBOXES: [&str; 2] = ["UserMailbox", "SharedMailbox"];

/// How many mailboxes are listed to choose from.
const LISTED: &str = "20";

/// `Get-Mailbox` for user and shared mailboxes only, a few of them.
pub fn mailbox_listing() -> Cmdlet {
    Cmdlet::new("Get-Mailbox")
        .list("RecipientTypeDetails", &PERSON_MAILBOXES)
        .text("ResultSize", LISTED)
}

/// Whether a `Get-Mailbox` row is a user or shared mailbox; a row that does not say is not.
pub fn is_person_mailbox(row: &Value) -> bool {
    row["RecipientTypeDetails"]
        .as_str()
        .is_some_and(|t| PERSON_MAILBOXES.iter().any(|p| p.eq_ignore_ascii_case(t)))
}

/// The first listed user or shared mailbox that is not one of `named`, lower case.
pub fn pick_deny_mailbox(rows: &[Value], named: &[String]) -> Option<String> {
    rows.iter()
        .filter(|r| is_person_mailbox(r))
        .filter_map(|r| r["PrimarySmtpAddress"].as_str())
        .map(str::to_ascii_lowercase)
        .find(|m| !named.iter().any(|x| x.eq_ignore_ascii_case(m)))
}
