//! Text from users and files made safe for a terminal: control characters (escape sequences
//! that would retitle the window, clear the screen or move the cursor) shown, not obeyed.

/// `text` with every control character but line breaks and tabs written as `\u{…}`.
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() && c != '\n' && c != '\t' {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_shown_not_obeyed() {
        assert_eq!(printable("contoso.example"), "contoso.example");
        assert_eq!(
            printable("a\u{1b}]0;owned\u{7}b\u{9b}2J\r"),
            "a\\u{1b}]0;owned\\u{7}b\\u{9b}2J\\u{d}"
        );
        assert_eq!(printable("line one\n\tline two"), "line one\n\tline two");
    }
}
