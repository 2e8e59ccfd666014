//! The check as a mailbox user: the form (who signs in, and how), and the user's device code
//! as the checks screen shows it while the user signs in.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Style, Stylize};
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::theme::{DIM, WARN, spinner};
use super::widgets::{field, input_field};
use super::wrap::plain;
use crate::wizard::{State, UserRun};

const WHAT: &str = "The delegated part is proven the way its consuming application uses it: the mailbox user signs in to the app itself, then IMAP and SMTP run with the user's token (SMTP only signs in; nothing is sent) and the refresh token is redeemed once. No token of the user's is kept.";
const USER: &str = "Mailbox user (the profile's first is filled in)";
const HOW: &str = "Signs in with";
const DEVICE_CODE: &str = "a device code: the user enters it at Microsoft's sign-in page";
const PASSWORD_FLOW: &str = "the password flow: the password typed below";
const PASSWORD: &str = "The user's password (not shown, used for this sign-in only, never kept)";
/// The warning the command line's `--password-flow` gives too (Microsoft's ROPC page).
const PASSWORD_WARNING: &str = "The password flow fails for any account that must use multifactor authentication (MFA), and Microsoft discourages it (\"Microsoft recommends you do not use the ROPC flow\"). Prefer the device code.";
pub const TITLE: &str = " Check as a mailbox user";

/// The form of `u`.
pub fn draw(f: &mut Frame, s: &State, area: Rect) {
    let form = &s.checks.as_user;
    let width = usize::from(area.width.saturating_sub(4)).max(20);
    let mut lines = vec![Line::default()];
    lines.extend(plain(WHAT, width, Style::default().fg(DIM)));
    lines.push(Line::default());
    lines.extend(input_field(USER, &form.user, form.field == 0));
    lines.push(Line::default());
    let chosen = if form.password_flow {
        PASSWORD_FLOW
    } else {
        DEVICE_CODE
    };
    lines.extend(field(HOW, format!("‹ {chosen} ›"), form.field == 1));
    if form.password_flow {
        lines.push(Line::default());
        lines.extend(input_field(PASSWORD, &form.password, form.field == 2));
        lines.push(Line::default());
        lines.extend(plain(PASSWORD_WARNING, width, Style::default().fg(WARN)));
    }
    let name = s
        .checks
        .profile
        .as_ref()
        .map(|p| p.name.to_string())
        .unwrap_or_default();
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(format!(" Who signs in for {name}'s delegated part? "))),
        area,
    );
}

/// What the checks screen shows above the rows while the user's sign-in waits: where to go
/// and the code to enter there, for the user.
pub fn code_lines(s: &State, run: &UserRun) -> Vec<Line<'static>> {
    let Some(c) = &run.code else {
        return Vec::new();
    };
    let mut lines = vec![Line::from(format!("  Sign in to the app as {}:", run.user))];
    lines.extend(super::sign_in::open_and_enter(c));
    lines.push(
        Line::from(format!(
            "  The code is valid for {} minutes. Waiting for {} {}",
            c.expires_in / 60,
            run.user,
            spinner(s.frame)
        ))
        .fg(DIM),
    );
    if s.sandbox.is_some() {
        lines.push(Line::from(format!("  Sandbox: press a to approve as {}.", run.user)).fg(WARN));
    }
    lines
}
