//! A renewal's new client secret, on the screen once (as the portal shows it once): what it is,
//! the Value, and that the next key clears it for good.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Stylize;
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::theme::{ACCENT, WARN};
use crate::model::ProfileName;
use crate::wizard::SecretBox;

pub fn draw(f: &mut Frame, name: &ProfileName, value: &SecretBox, area: Rect) {
    f.render_widget(Clear, area);
    let lines = vec![
        Line::from(format!("The new client secret of {name}:")),
        Line::from(""),
        Line::from(value.0.expose().to_string()).bold().fg(ACCENT),
        Line::from(""),
        Line::from("Copy this Value into the consuming application now."),
        Line::from("It will not be shown again: any key clears it from the screen.").fg(WARN),
        Line::from(""),
        Line::from(
            "Then confirm the application works, and press w on the profile to remove the old secret.",
        ),
    ];
    let block = Block::bordered().title(" New client secret — shown once ");
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}
