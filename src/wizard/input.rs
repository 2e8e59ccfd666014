//! A one-line text field: the text, a cursor, and whether it is shown masked.

#[derive(Clone, Default, PartialEq, Eq)]
pub struct Input {
    text: String,
    /// Cursor position in characters.
    cursor: usize,
    pub masked: bool,
}

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.masked {
            f.write_str("Input(…)")
        } else {
            write!(f, "Input({:?})", self.text)
        }
    }
}

impl Input {
    pub fn new(text: &str) -> Input {
        Input {
            text: text.to_string(),
            cursor: text.chars().count(),
            masked: false,
        }
    }

    pub fn masked() -> Input {
        Input {
            masked: true,
            ..Input::default()
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.text
            .char_indices()
            .nth(chars)
            .map(|(i, _)| i)
            .unwrap_or(self.text.len())
    }

    pub fn insert(&mut self, s: &str) {
        let at = self.byte_at(self.cursor);
        let clean: String = s.chars().filter(|c| !c.is_control()).collect();
        self.text.insert_str(at, &clean);
        self.cursor += clean.chars().count();
    }

    pub fn backspace(&mut self) {
        if self.cursor > 0 {
            let at = self.byte_at(self.cursor - 1);
            self.text.remove(at);
            self.cursor -= 1;
        }
    }

    pub fn delete(&mut self) {
        if self.cursor < self.text.chars().count() {
            let at = self.byte_at(self.cursor);
            self.text.remove(at);
        }
    }

    pub fn left(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }

    pub fn right(&mut self) {
        self.cursor = (self.cursor + 1).min(self.text.chars().count());
    }

    pub fn home(&mut self) {
        self.cursor = 0;
    }

    pub fn end(&mut self) {
        self.cursor = self.text.chars().count();
    }

    pub fn clear(&mut self) {
        self.text.clear();
        self.cursor = 0;
    }

    /// What the screen may show: the text, or one bullet per character when masked.
    pub fn display(&self) -> String {
        if self.masked {
            "•".repeat(self.text.chars().count())
        } else {
            self.text.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editing() {
        let mut i = Input::new("ac");
        i.left();
        i.insert("b");
        assert_eq!(i.text(), "abc");
        i.home();
        i.delete();
        assert_eq!(i.text(), "bc");
        i.end();
        i.backspace();
        assert_eq!(i.text(), "b");
        i.insert("é\u{7}x");
        assert_eq!(i.text(), "béx", "control characters are dropped");
        i.left();
        i.backspace();
        assert_eq!(i.text(), "bx");
    }

    #[test]
    fn masked_display_hides_the_text() {
        let mut i = Input::masked();
        i.insert("s3cr3t");
        assert_eq!(i.display(), "••••••");
        assert!(!i.display().contains('s'));
    }
}
