//! TOML 1.1 syntax that TOML 1.0 readers reject.
//!
//! The toml crate reads TOML 1.1, so strata accepts a line break or a
//! trailing comma inside an inline table, the `\e` and `\xHH` escapes and
//! times without seconds. Python's `tomllib` and most editors' TOML 1.0
//! parsers reject them, so a green `strata check` would not mean that the
//! files are portable: each such construct is a warning
//! (`strata::toml_1_1`), the first of each kind per file, with a count.
//!
//! This is a scan over the text of a file that parsed, with just enough
//! lexing to know strings, comments and brackets.

use strata_diagnostics::{Code, Diagnostic};
use strata_diagnostics::{FileId, Span};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    NewlineInInlineTable,
    TrailingComma,
    EscapeE,
    EscapeX,
    TimeWithoutSeconds,
}

impl Kind {
    fn describe(self) -> (&'static str, &'static str) {
        match self {
            Kind::NewlineInInlineTable => (
                "a line break inside an inline table",
                "write the inline table on one line, or as a `[table]` section",
            ),
            Kind::TrailingComma => (
                "a trailing comma in an inline table",
                "remove the comma before `}`",
            ),
            Kind::EscapeE => ("the `\\e` escape", "write `\\u001b` instead"),
            Kind::EscapeX => ("a `\\xHH` escape", "write `\\u00HH` instead"),
            Kind::TimeWithoutSeconds => (
                "a time without seconds",
                "add the seconds: `07:32:00`, not `07:32`",
            ),
        }
    }
}

/// The bytes the scan acts on.
static INTERESTING: [bool; 256] = {
    let mut t = [false; 256];
    let bytes = b"#\"'{}[]\n,:";
    let mut i = 0;
    while i < bytes.len() {
        t[bytes[i] as usize] = true;
        i += 1;
    }
    t
};

/// Warnings for TOML 1.1 syntax in `text` (a file that parsed).
pub(crate) fn warnings(file: FileId, text: &str) -> Vec<Diagnostic> {
    // Each construct needs one of these bytes (inline tables `{`, escapes
    // `\`, times `:`); most data files have none, and are not scanned.
    if !text.contains(['{', '\\', ':']) {
        return Vec::new();
    }
    let mut found: Vec<(Kind, usize, usize)> = Vec::new(); // kind, first offset, count
    let mut note = |kind: Kind, at: usize| match found.iter_mut().find(|f| f.0 == kind) {
        Some(f) => f.2 += 1,
        None => found.push((kind, at, 1)),
    };
    let b = text.as_bytes();
    let mut brackets: Vec<u8> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        // Most bytes are letters, digits and spaces: skip them in a tight loop.
        if !INTERESTING[b[i] as usize] {
            i += 1;
            continue;
        }
        let in_inline = brackets.last() == Some(&b'{');
        match b[i] {
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'"' | b'\'' => {
                i = string(b, i, &mut note);
                continue;
            }
            b'{' | b'[' => brackets.push(b[i]),
            b'}' | b']' => {
                brackets.pop();
            }
            b'\n' if in_inline => note(Kind::NewlineInInlineTable, i),
            b',' if in_inline => {
                let mut j = i + 1;
                while j < b.len() && matches!(b[j], b' ' | b'\t' | b'\r' | b'\n') {
                    j += 1;
                }
                if b.get(j) == Some(&b'}') {
                    note(Kind::TrailingComma, i);
                }
            }
            b':' => {
                // Outside strings, `:` is only in times: `HH:MM` not
                // followed by `:SS`.
                let digits = |k: usize| b.get(k).is_some_and(u8::is_ascii_digit);
                if i >= 2
                    && digits(i - 1)
                    && digits(i - 2)
                    && digits(i + 1)
                    && digits(i + 2)
                    && b.get(i + 3) != Some(&b':')
                    && (i < 3 || !matches!(b[i - 3], b':' | b'+' | b'-'))
                {
                    note(Kind::TimeWithoutSeconds, i - 2);
                }
            }
            _ => {}
        }
        i += 1;
    }
    found
        .into_iter()
        .map(|(kind, at, count)| {
            let (what, help) = kind.describe();
            let more = if count > 1 {
                format!(" ({count} in this file)")
            } else {
                String::new()
            };
            Diagnostic::warning(
                Code::Toml11,
                Span::new(file, at..at + 1),
                format!("TOML 1.1 syntax: {what}{more}; TOML 1.0 tools such as Python's tomllib reject it"),
            )
            .with_label_text("TOML 1.1 only")
            .with_help(help)
        })
        .collect()
}

/// Skips the string starting at `start` (any of the four kinds); returns
/// the offset after it.
pub(crate) fn skip_string(b: &[u8], start: usize) -> usize {
    string(b, start, &mut |_, _| {})
}

/// Skips the string starting at `start` (any of the four kinds), noting
/// 1.1-only escapes in basic strings; returns the offset after it.
fn string(b: &[u8], start: usize, note: &mut impl FnMut(Kind, usize)) -> usize {
    let quote = b[start];
    let multi = b.get(start + 1) == Some(&quote) && b.get(start + 2) == Some(&quote);
    let mut i = start + if multi { 3 } else { 1 };
    while i < b.len() {
        let c = b[i];
        if quote == b'"' && c == b'\\' {
            match b.get(i + 1) {
                Some(b'e') => note(Kind::EscapeE, i),
                Some(b'x') => note(Kind::EscapeX, i),
                _ => {}
            }
            i += 2;
            continue;
        }
        if c == quote {
            if !multi {
                return i + 1;
            }
            if b.get(i + 1) == Some(&quote) && b.get(i + 2) == Some(&quote) {
                // Up to two more quotes may close a multi-line string.
                let mut end = i + 3;
                while end < b.len() && b[end] == quote && end < i + 5 {
                    end += 1;
                }
                return end;
            }
        }
        if c == b'\n' && !multi {
            return i;
        }
        i += 1;
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use strata_diagnostics::Files;

    #[test]
    fn kinds() {
        // (text, kinds found)
        let cases: &[(&str, &[&str])] = &[
            ("a = { x = 1 }\nb = [\n 1,\n 2,\n]\n", &[]),
            (
                "a = { x = 1,\n y = 2 }\n",
                &["a line break inside an inline table"],
            ),
            ("a = { x = 1, }\n", &["a trailing comma in an inline table"]),
            ("a = \"\\e[0m\"\n", &["the `\\e` escape"]),
            ("a = \"\\x41\"\n", &["a `\\xHH` escape"]),
            ("a = 'lit\\e'\n", &[]),
            ("a = 07:32\n", &["a time without seconds"]),
            ("a = 07:32:00\nb = 1979-05-27T07:32:00Z\n", &[]),
            (
                "a = 1979-05-27T07:32:00-07:00\nb = 1979-05-27T00:32:00.999+07:00\n",
                &[],
            ),
            ("a = 1979-05-27T07:32Z\n", &["a time without seconds"]),
            ("a = \"07:32\" # 08:00\n", &[]),
            ("a = \"\"\"x\n\\e\"\"\"\n", &["the `\\e` escape"]),
            (
                "a = [{ x = 1 }, { y = 2, }]\n",
                &["a trailing comma in an inline table"],
            ),
        ];
        for (text, want) in cases {
            let mut files = Files::new();
            let file = files.add("a.toml", text.to_string());
            let got: Vec<String> = warnings(file, text)
                .iter()
                .map(|d| d.message.clone())
                .collect();
            assert_eq!(got.len(), want.len(), "{text:?}: {got:?}");
            for (g, w) in got.iter().zip(*want) {
                assert!(g.contains(w), "{text:?}: {g}");
            }
        }
    }

    #[test]
    fn counts_repeats() {
        let text = "a = { x = 1, }\nb = { y = 2, }\n";
        let d = warnings(FileId::from_index(0), text);
        assert_eq!(d.len(), 1);
        assert!(
            d[0].message.contains("(2 in this file)"),
            "{}",
            d[0].message
        );
    }
}
