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

/// `v` as indented JSON whose text holds no raw control character: serde_json escapes the C0
/// ones, and the C1 ones (a terminal may obey U+009B as an escape) are escaped here.
pub fn pretty_json(v: &serde_json::Value) -> String {
    let text = serde_json::to_string_pretty(v).expect("JSON values serialise");
    if !text.chars().any(char::is_control) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        // Outside strings JSON has only ASCII line breaks and spaces: any other control
        // character is inside a string, where \u escapes keep it.
        if c.is_control() && c != '\n' {
            out.push_str(&format!("\\u{:04x}", c as u32));
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
    fn json_keeps_c1_characters_escaped_and_reads_back_the_same() {
        let v = serde_json::json!({ "tenant": "a\u{9b}31m\u{1b}b", "n": [1, 2] });
        let text = pretty_json(&v);
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "{text:?}"
        );
        assert!(text.contains("\\u009b"), "{text}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap(), v);
    }

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
