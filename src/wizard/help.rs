//! The help of a screen (`?`, F1): each key of the bottom line, with a sentence saying what
//! it does. Built from `hints`, so the help lists exactly the keys the bottom line offers.

use super::{Hint, Screen, State, hints};

/// The keys of the current screen, each with what it does.
pub fn help(s: &State) -> Vec<(Hint, String)> {
    hints(s)
        .into_iter()
        .map(|h| {
            let text = sentence(s.screen, h)
                .map_or_else(|| format!("{}: {}.", h.key, h.action), String::from);
            (h, text)
        })
        .collect()
}

/// What the key of `h` does on `screen`, as a sentence.
fn sentence(screen: Screen, h: Hint) -> Option<&'static str> {
    use Screen::*;
    Some(match (h.key, h.action) {
        ("?", _) => "? or F1 shows this help; any key closes it.",
        ("F1", _) => "F1 shows this help; any key closes it.",
        ("q", "quit") => "Q or ctrl-C quits the wizard.",
        ("q", _) => "Q or ctrl-C quits; the answers so far stay as a draft (not the secret).",
        ("ctrl-c", "quit") => "Ctrl-C quits the wizard.",
        ("ctrl-c", _) => "Ctrl-C quits; the answers so far stay as a draft (not the secret).",
        ("↑↓", "move") if screen == Home => {
            "↑↓ move one profile, PgUp/PgDn a page, Home/End to either end."
        }
        ("↑↓", "select") if screen == Checks => {
            "↑↓ select one check, PgUp/PgDn a page, Home/End either end."
        }
        ("↑↓", "select") if screen == Audit => {
            "↑↓ select one app, PgUp/PgDn a page, Home/End either end."
        }
        ("↑↓", "select") => "↑↓ select one step, PgUp/PgDn a page, Home/End either end.",
        ("J/K", _) => "J and K (or shift-↓ and shift-↑) scroll the box below the list.",
        ("PgUp/PgDn", _) => "PgUp and PgDn (or shift-↑ and shift-↓) scroll the step's text.",
        // The audit screen.
        ("w", "write report") => {
            "W writes the customer's report to a file: Markdown for .md, HTML for .html."
        }
        ("space", "mark for migration") => {
            "Space marks the app to move to RBAC for Applications (a policy-scoped or tenant-wide one); one with no profile here has its secret asked on its turn."
        }
        ("M", _) => {
            "M (shift-m) migrates the marked apps one after the other: each plan shown, y carries it out."
        }
        ("j", "write JSON") => "J writes the audit to a file as `audit --json` prints it.",
        ("type", "file name") => "Typing edits the file's name; a leading ~/ is your home folder.",
        ("enter", "write it") => "Enter writes the file; an existing one is never replaced.",
        ("type", "secret or mailboxes") => {
            "Typing fills the field: the client secret's Value (never shown), the mailboxes the app must reach (commas between), the one it must not."
        }
        ("tab", "next field") if screen == Audit => {
            "Tab goes to the next field, shift-tab back; nothing typed is lost."
        }
        ("enter", "next, then migrate") => {
            "Enter goes to the next field; on the last it signs in and shows the app's migration plan, y carries it out. The secret is held in memory for this migration only."
        }
        ("esc", "skip this app") => {
            "Esc skips this app (its secret is forgotten) and goes on with the next one marked."
        }
        ("esc", "write nothing") => "Esc goes back to the audit without writing anything.",
        // The home screen.
        ("type", _) => "Typing shows only the profiles whose name, tenant or ID match.",
        ("enter", "keep") => "Enter keeps the filter and goes back to the list.",
        ("esc", "clear") => "Esc clears the filter: every profile shows again.",
        ("←→", "lifetime") => "← and → choose how long the new credential stays valid.",
        ("enter", "sign in and make it") => "Enter asks for an admin's sign-in, then makes it.",
        ("any other key", "cancel") => "Any other key cancels: nothing changes.",
        ("u", "check as a mailbox user") => {
            "U checks the delegated part as a mailbox user: the user signs in to the app, then IMAP, SMTP and the refresh token are tried."
        }
        ("←→", "how the user signs in") => {
            "← and → choose a device code (the default) or the password flow, which fails with MFA."
        }
        ("enter", "check as this user") => {
            "Enter runs the checks; the user signs in for the delegated rows (no token is kept)."
        }
        ("esc", "cancel the check") => {
            "Esc stops the check and the user's sign-in; nothing is recorded."
        }
        ("a", "approve as the user (sandbox)") => {
            "A approves the user's code as that mailbox user, in the sandbox."
        }
        ("y", "carry it out") => {
            "Y carries out the plan shown, step by step; the busy line tells each step."
        }
        ("m", _) => {
            "M signs in and shows the plan that moves the app to RBAC for Applications; a migration stopped earlier goes on from its journal."
        }
        ("U", _) => {
            "U (shift-u) signs in and shows what undoing the profile's migration puts back, last step first."
        }
        ("R", _) => {
            "R (shift-r) signs in and shows what removing the app from the tenant takes away."
        }
        ("a", "audit tenant") => {
            "A signs in read-only and lists the tenant's mail apps, riskiest first."
        }
        ("y", "discard it") => "Y discards the draft; what a setup made stays in the tenant.",
        ("y", _) => "Y removes the profile file and its keyring entry (the app stays).",
        ("any other key", "keep it") if screen == Home => "Any other key keeps it as it is.",
        ("n", "set up a new app") => "N sets up a new app registration, up to its live checks.",
        ("c", "certificate instead") => {
            "C gives the app a certificate instead of a client secret; its key goes to the keyring."
        }
        ("c", _) => "C adds an app registration that exists already, and checks it.",
        ("enter", "re-check") => "Enter runs the live checks of the selected profile.",
        ("s", _) => "S makes a new client secret and proves it; the old one stays until w.",
        ("k", _) => "K switches to a new certificate and proves it; the old stays until w.",
        ("v", _) => "V shows the renewal's new secret Value once; the next key clears it.",
        ("w", _) => "W reads the sign-in logs, then removes what a renewal replaced.",
        ("any key", "clear it") => {
            "Any key clears the secret from the screen; it is not shown again."
        }
        ("x", _) => "X signs in and reads the credential's expiry off the app.",
        ("e", "export") => "E writes settings, report and script to a new folder (no secret).",
        ("enter", "resume draft") => {
            "Enter resumes the draft in the journey and step it was left at."
        }
        ("f", "discard draft") => "F discards the draft once y confirms it.",
        ("↓", "profiles") => "↓ leaves the draft's row for the profiles.",
        ("f", _) => "F forgets the selected profile once y confirms it.",
        ("/", _) => "/ shows only the profiles whose name, tenant or ID match.",
        ("o", "sort") => "O orders the profiles by name, tenant, expiry or last check.",
        ("d", "device code instead") => "D signs in with a device code instead of the browser.",
        ("b", "browser sign-in") => {
            "B signs in in this machine's browser instead (also when the device code is blocked)."
        }
        ("d", _) => "D brings back the answers of the journey left unfinished.",
        // The questions.
        ("↑↓", "cloud") => "↑ and ↓ choose the Microsoft cloud the tenant lives in.",
        ("F2", _) => "F2 fills in the secret of the sandbox app whose client ID is typed.",
        ("space", _) => "Space ticks or unticks the choice under the cursor.",
        ("↑↓", "move") => "↑ and ↓ move between the choices.",
        ("↑↓", "choose") => "↑ and ↓ choose how Exchange Online limits the app.",
        ("p", "Exchange part as a script") => "P writes the Exchange part as a script to run.",
        ("p", _) => "P has the wizard do the Exchange part, after a second sign-in.",
        ("←→", "sign-in flow") => {
            "← and → choose how the consuming application signs its users in."
        }
        ("o", "ask openid too") => {
            "O asks for openid and User.Read too, for a tool that reads who signed in."
        }
        ("o", "leave openid out") => "O leaves openid and User.Read out again.",
        ("tab", _) => "Tab and shift-Tab move between the fields.",
        ("enter", "next") => "Enter checks this answer and goes to the next question.",
        ("enter", "sign in") => "Enter asks for an admin's sign-in; the plan comes next.",
        ("enter", "save & check") => "Enter saves the profile and runs the live checks.",
        ("enter", "store & re-check") => "Enter stores the secret and runs the checks again.",
        ("esc", "back") => match screen {
            Form(_) => "Esc goes back one question; nothing typed is lost.",
            Guide => "Esc goes back one step, or to the questions from the first.",
            SignIn => "Esc cancels the sign-in and goes back.",
            AsUser => "Esc goes back without checking; a password typed is forgotten.",
            _ => "Esc goes back to the questions.",
        },
        // The setup.
        ("g", "guided setup") => "G sets up a new app by hand in the portal, each step read back.",
        ("enter", "verify, next") => "Enter reads the step back and goes on only when it holds.",
        ("enter", "verify, save & check") => {
            "Enter reads the step back, then saves the profile and runs the checks."
        }
        ("enter", "next (not verified)") => {
            "Enter goes on: nothing can read this step back, so it shows as not verified."
        }
        ("enter", "save & check (not verified)") => {
            "Enter saves and runs the checks; the unread steps show as not verified."
        }
        ("g", _) => "G shows the same steps to do by hand in the portal instead.",
        ("l", "decline EWS allow list") => {
            "L leaves the organisation's EWS allow list alone: EWS then fails where it is enforced."
        }
        ("l", _) => {
            "L adds the app to the organisation's EWS allow list again, where it is enforced."
        }
        ("o", "browser") => "O opens the sign-in page in the browser.",
        ("a", _) => "A approves the code as the sandbox's administrator.",
        ("n", "new code") => "N asks for a new sign-in code.",
        ("enter", "run the plan") => "Enter carries out every step of the plan, in this order.",
        ("enter", "done, next") => "Enter checks what was pasted and shows the next step.",
        ("u", _) => "U uses the app that has this name: it is checked and completed.",
        ("e", "another name") => "E goes back to the app's name to type another one.",
        ("r", "resume") => "R resumes the setup: whatever exists already is kept.",
        // The checks.
        ("r", "re-run") => "R runs the checks again.",
        ("r", "check now") => "R checks now instead of waiting for the countdown.",
        ("enter", "summary") => "Enter shows the verdict and the application's settings.",
        ("esc", "home") => "Esc goes back to the home screen.",
        ("esc", "home (stop waiting)") => "Esc goes back to the home screen and stops waiting.",
        ("esc", "back to checks") => "Esc goes back to the checks and their diagnoses.",
        ("enter", "home") => "Enter goes to the home screen.",
        _ => return None,
    })
}

#[cfg(test)]
pub(super) fn has_sentence(screen: Screen, h: Hint) -> bool {
    sentence(screen, h).is_some()
}
