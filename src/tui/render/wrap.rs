//! Text broken into the lines a box shows: at spaces, each command on a line of its own, a
//! label's text indented under its first line. Wrapped here rather than by the paragraph, so
//! that a pane knows how many lines it holds.

use ratatui::style::{Style, Stylize};
use ratatui::text::{Line, Span};

use super::theme::DIM;

/// The verbs of the PowerShell cmdlets the wizard names: a command starts at one of them.
const VERBS: [&str; 24] = [
    "Add",
    "Clear",
    "Connect",
    "Disable",
    "Disconnect",
    "Enable",
    "Export",
    "Format",
    "Get",
    "Grant",
    "Import",
    "Install",
    "Invoke",
    "New",
    "Out",
    "Remove",
    "Revoke",
    "Select",
    "Set",
    "Start",
    "Stop",
    "Test",
    "Update",
    "Where",
];

/// `text` in lines of at most `width` characters, broken at spaces; a word longer than a
/// line is cut where the line ends.
pub fn words(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut len = 0;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let mut chars: Vec<char> = word.chars().collect();
        if len > 0 && len + 1 + chars.len() <= width {
            line.push(' ');
            line.extend(&chars);
            len += 1 + chars.len();
            continue;
        }
        if len > 0 {
            lines.push(std::mem::take(&mut line));
        }
        while chars.len() > width {
            lines.push(chars.drain(..width).collect());
        }
        line = chars.iter().collect();
        len = chars.len();
    }
    if len > 0 || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Whether `word` names a cmdlet: an approved verb, a dash, a capitalised noun.
fn is_cmdlet(word: &str) -> bool {
    let word = word.trim_start_matches(['(', '{']);
    let Some((verb, noun)) = word.split_once('-') else {
        return false;
    };
    VERBS.contains(&verb)
        && noun.starts_with(|c: char| c.is_ascii_uppercase())
        && noun.chars().all(|c| c.is_ascii_alphanumeric())
}

/// `text` split where a command begins: at each line break, and before each cmdlet that
/// follows the end of a sentence or clause (`;` `.` `:` `,`) or opens a parenthesis. A
/// cmdlet after a pipe or an `=` belongs to the command before it.
pub fn commands(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut current: Vec<&str> = Vec::new();
        for word in line.split(' ').filter(|w| !w.is_empty()) {
            let after_clause = current
                .last()
                .is_some_and(|prev| prev.ends_with([';', '.', ':', ',']));
            if is_cmdlet(word) && (after_clause || word.starts_with('(')) && !current.is_empty() {
                out.push(current.join(" "));
                current.clear();
            }
            current.push(word);
        }
        out.push(current.join(" "));
    }
    if out.is_empty() {
        out.push(String::new());
    }
    out
}

/// The narrowest text column worth indenting under a label; narrower, the text starts on
/// the line below the label.
const MIN_COLUMN: usize = 24;

/// `label` dim, then `text` in `style`, in lines of at most `width`: each command on a line of
/// its own, every line after the first indented to where the text began.
pub fn labelled(label: &str, text: &str, width: usize, style: Style) -> Vec<Line<'static>> {
    let indent = label.chars().count();
    let mut lines = Vec::new();
    let column = if width >= indent + MIN_COLUMN {
        width - indent
    } else {
        lines.push(Line::from(Span::raw(label.to_string()).fg(DIM)));
        width
    };
    let pad = if lines.is_empty() { indent } else { 0 };
    for (n, text_line) in commands(text)
        .iter()
        .flat_map(|c| words(c, column))
        .enumerate()
    {
        let lead = if n == 0 && lines.is_empty() {
            Span::raw(label.to_string()).fg(DIM)
        } else {
            Span::raw(" ".repeat(pad))
        };
        lines.push(Line::from(vec![lead, Span::styled(text_line, style)]));
    }
    lines
}

/// `text` in lines of at most `width`, in `style`.
pub fn plain(text: &str, width: usize, style: Style) -> Vec<Line<'static>> {
    words(text, width)
        .into_iter()
        .map(|l| Line::styled(l, style))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: &[Line]) -> Vec<String> {
        lines.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn words_break_at_spaces_and_cut_only_what_cannot_fit() {
        assert_eq!(
            words("the fix comes first", 8),
            ["the fix", "comes", "first"]
        );
        assert_eq!(words("", 8), [""]);
        assert_eq!(
            words("id 3f4c2a10-5b6d-4e7f", 8),
            ["id", "3f4c2a10", "-5b6d-4e", "7f"]
        );
        for line in words(&"word ".repeat(40), 13) {
            assert!(line.chars().count() <= 13, "{line}");
        }
    }

    #[test]
    fn each_command_starts_a_line() {
        let fix = "Get-ServicePrincipal | Where-Object AppId -eq 'x' | Format-List ObjectId — it must show y. If it differs: Remove-ServicePrincipal -Identity <that id>; New-ServicePrincipal -AppId x -ObjectId y; then grant FullAccess again (Add-MailboxPermission -Identity a@b -User y -AccessRights FullAccess).";
        assert_eq!(
            commands(fix),
            [
                "Get-ServicePrincipal | Where-Object AppId -eq 'x' | Format-List ObjectId — it must show y. If it differs:",
                "Remove-ServicePrincipal -Identity <that id>;",
                "New-ServicePrincipal -AppId x -ObjectId y; then grant FullAccess again",
                "(Add-MailboxPermission -Identity a@b -User y -AccessRights FullAccess).",
            ]
        );
        // Commands joined by line breaks never run together.
        assert_eq!(
            commands("Test-A -Identity 'frank@contoso.example'\nTest-B -Identity x"),
            [
                "Test-A -Identity 'frank@contoso.example'",
                "Test-B -Identity x"
            ]
        );
        // An assignment or a pipe keeps its cmdlet; prose keeps its words.
        assert_eq!(
            commands("$app = New-MgApplication -DisplayName 'x'"),
            ["$app = New-MgApplication -DisplayName 'x'"]
        );
        assert_eq!(
            commands("Sign-in works, Get-rid of nothing."),
            ["Sign-in works, Get-rid of nothing."]
        );
    }

    #[test]
    fn a_label_hangs_its_text_and_gives_way_when_narrow() {
        let lines = labelled(
            "Fix: ",
            "Add-MailboxPermission -Identity bob@contoso.example -User e0000000-0007 -AccessRights FullAccess",
            40,
            Style::default(),
        );
        assert_eq!(
            texts(&lines),
            [
                "Fix: Add-MailboxPermission -Identity",
                "     bob@contoso.example -User",
                "     e0000000-0007 -AccessRights",
                "     FullAccess",
            ]
        );
        let narrow = labelled(
            "PowerShell instead: ",
            "Get-Mailbox -Identity x",
            30,
            Style::default(),
        );
        assert_eq!(
            texts(&narrow),
            ["PowerShell instead: ", "Get-Mailbox -Identity x"]
        );
        for line in texts(&labelled(
            "Cause: ",
            &"because ".repeat(30),
            50,
            Style::default(),
        )) {
            assert!(line.chars().count() <= 50, "{line}");
        }
    }
}
