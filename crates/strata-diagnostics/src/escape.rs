//! Inventory text on its way to a terminal: control characters escaped.
//!
//! Keys, values, names, file names and file contents are the author's
//! text; printed raw, an ESC (`\u{1b}`) starts a terminal sequence that can
//! set the window title, clear the screen or hide what follows. Every human
//! output (diagnostics with their source lines, `hosts`, `groups`, `graph`,
//! `explain`, `diff`, `--show-origin`) passes its text through
//! [`escape_controls`]; machine formats (JSON, TOML) escape by their own rules.

use std::borrow::Cow;

/// `text` with every control character (C0 but line feed and tab, DEL, C1)
/// and every bidirectional formatting character (which reorders what is
/// shown, as in "Trojan Source") written as `\u{1b}`, the form Rust's
/// `escape_debug` uses. Line feeds and tabs are layout and stay. Borrows
/// when there is nothing to escape.
///
/// ```
/// use strata_diagnostics::escape_controls;
/// assert_eq!(escape_controls("a\u{1b}]0;title\u{7}b\n"), "a\\u{1b}]0;title\\u{7}b\n");
/// assert_eq!(escape_controls("plain\ttext"), "plain\ttext");
/// ```
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    let Some(first) = text.find(needs_escape) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 8);
    out.push_str(&text[..first]);
    for c in text[first..].chars() {
        push_escaped(&mut out, c);
    }
    Cow::Owned(out)
}

/// Pushes `c`, escaped when [`needs_escape`] says so.
pub(crate) fn push_escaped(out: &mut String, c: char) {
    if needs_escape(c) {
        out.extend(c.escape_unicode());
    } else {
        out.push(c);
    }
}

/// True for the characters [`escape_controls`] escapes (for writers that
/// escape them their own way, such as TOML's `\u009B`).
pub fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || is_bidi_control(c)
}

/// Unicode's bidirectional formatting characters: embeddings, overrides,
/// isolates and the marks.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{061c}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_a_terminal_obeys() {
        let cases = [
            ("plain", "plain"),
            ("a\u{1b}[2Jb", "a\\u{1b}[2Jb"),
            ("\u{1b}]0;pwned\u{7}", "\\u{1b}]0;pwned\\u{7}"),
            ("cr\rdel\u{7f}c1\u{9b}31m", "cr\\u{d}del\\u{7f}c1\\u{9b}31m"),
            ("line\nand\ttab", "line\nand\ttab"),
            ("rtl\u{202e}txt", "rtl\\u{202e}txt"),
            ("é ü 日本", "é ü 日本"),
        ];
        for (text, want) in cases {
            assert_eq!(escape_controls(text), want, "{text:?}");
        }
        assert!(matches!(escape_controls("plain"), Cow::Borrowed(_)));
    }
}
