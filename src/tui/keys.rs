//! Terminal events to wizard messages.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::wizard::{Key, Msg};

pub fn to_msg(ev: Event) -> Option<Msg> {
    match ev {
        Event::Key(k) if k.kind != KeyEventKind::Release => key(k).map(Msg::Key),
        Event::Paste(text) => Some(Msg::Paste(text)),
        Event::Resize(w, h) => Some(Msg::Resize(w, h)),
        _ => None,
    }
}

fn key(k: KeyEvent) -> Option<Key> {
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    let shift = k.modifiers.contains(KeyModifiers::SHIFT);
    Some(match k.code {
        KeyCode::Char('c') if ctrl => Key::Interrupt,
        KeyCode::Char(_) if ctrl => return None,
        KeyCode::Char(c) => Key::Char(c),
        KeyCode::Enter => Key::Enter,
        KeyCode::Esc => Key::Esc,
        KeyCode::Backspace => Key::Backspace,
        KeyCode::Delete => Key::Delete,
        KeyCode::Up if shift => Key::ShiftUp,
        KeyCode::Down if shift => Key::ShiftDown,
        KeyCode::Up => Key::Up,
        KeyCode::Down => Key::Down,
        KeyCode::Left => Key::Left,
        KeyCode::Right => Key::Right,
        KeyCode::Home => Key::Home,
        KeyCode::End => Key::End,
        KeyCode::PageUp => Key::PageUp,
        KeyCode::PageDown => Key::PageDown,
        KeyCode::Tab => Key::Tab,
        KeyCode::BackTab => Key::BackTab,
        KeyCode::F(1) => Key::Help,
        KeyCode::F(2) => Key::FillSandboxSecret,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pressed(code: KeyCode, modifiers: KeyModifiers) -> Option<Key> {
        key(KeyEvent::new(code, modifiers))
    }

    #[test]
    fn paging_help_and_the_pane_keys_reach_the_wizard() {
        let none = KeyModifiers::NONE;
        assert_eq!(pressed(KeyCode::PageUp, none), Some(Key::PageUp));
        assert_eq!(pressed(KeyCode::PageDown, none), Some(Key::PageDown));
        assert_eq!(pressed(KeyCode::Home, none), Some(Key::Home));
        assert_eq!(pressed(KeyCode::End, none), Some(Key::End));
        assert_eq!(pressed(KeyCode::F(1), none), Some(Key::Help));
        assert_eq!(pressed(KeyCode::Char('?'), none), Some(Key::Char('?')));
        assert_eq!(
            pressed(KeyCode::Up, KeyModifiers::SHIFT),
            Some(Key::ShiftUp)
        );
        assert_eq!(
            pressed(KeyCode::Down, KeyModifiers::SHIFT),
            Some(Key::ShiftDown)
        );
        assert_eq!(pressed(KeyCode::Down, none), Some(Key::Down));
        assert_eq!(
            pressed(KeyCode::Char('c'), KeyModifiers::CONTROL),
            Some(Key::Interrupt)
        );
    }
}
