//! Converting toml's spanned document tree into the raw model.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::ansible_marker::{self, ANSIBLE_VAULT, Fault, marker_in};
use crate::model::{DataTable, Entry, Key};
use crate::toml11;
use crate::value::{Text, Value};
use strata_diagnostics::{Code, Diagnostic, FileId, Files, Span};

/// Values nested deeper than this are reported instead of converted.
pub const MAX_DEPTH: usize = 64;

/// Files up to this size (256 KiB) get every syntax error reported; larger
/// broken files get the first one. The parser's error recovery keeps every
/// error it meets, and a hostile file of a few MiB of `=` lines would make it
/// hold millions of them.
pub const MAX_RECOVER_SIZE: usize = 256 * 1024;

/// Parses a TOML document. On success this is one pass; on failure, small
/// files are parsed again with error recovery so that all their errors show.
pub(crate) fn parse_document(text: &str) -> (toml::Spanned<DeTable<'_>>, Vec<toml::de::Error>) {
    match DeTable::parse(text) {
        Ok(table) => (table, Vec::new()),
        Err(_) if text.len() <= MAX_RECOVER_SIZE => DeTable::parse_recoverable(text),
        Err(first) => (toml::Spanned::new(0..0, DeTable::new()), vec![first]),
    }
}

/// Syntax errors reported per file; the rest are summed up in one more.
const MAX_SYNTAX_ERRORS: usize = 50;

/// Collects diagnostics for one file.
pub(crate) struct Ctx<'d> {
    pub file: FileId,
    /// The file's text, for quoting what is written in help lines.
    pub text: &'d str,
    /// Where the parsed text starts in the file: a piece of a large
    /// hosts.toml parsed on its own (see `hosts::pieces`) has spans relative to it.
    pub offset: usize,
    pub diagnostics: &'d mut Vec<Diagnostic>,
    pub keys: &'d Keys,
}

/// Top-level keys shared across the files of one load: `app_port` is stored
/// once, not once per host file. Safe to use from parsing threads.
#[derive(Debug, Default)]
pub(crate) struct Keys(std::sync::Mutex<std::collections::HashSet<Key>>);

impl Keys {
    pub fn get(&self, key: &str) -> Key {
        let mut set = self.0.lock().unwrap_or_else(|e| e.into_inner());
        match set.get(key) {
            Some(k) => k.clone(),
            None => {
                let k = Key::from(key);
                set.insert(k.clone());
                k
            }
        }
    }
}

impl Ctx<'_> {
    pub fn span(&self, range: std::ops::Range<usize>) -> Span {
        Span::new(
            self.file,
            range.start + self.offset..range.end + self.offset,
        )
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    /// The source text of a range, for quoting in help lines; long text is
    /// shortened.
    pub fn quote(&self, range: std::ops::Range<usize>) -> String {
        let range = range.start + self.offset..range.end + self.offset;
        let text = self.text.get(range).unwrap_or("").trim();
        if text.chars().count() > 60 || text.contains('\n') {
            "{ ... }".to_string()
        } else {
            text.to_string()
        }
    }
}

/// Parses a data file from text into `files`.
pub fn parse_data(files: &mut Files, name: &str, text: String) -> (DataTable, Vec<Diagnostic>) {
    let file = files.add(name, text);
    let mut diagnostics = Vec::new();
    let (table, _) = parse_data_text(
        file,
        files.get(file).text(),
        &mut diagnostics,
        &Keys::default(),
    );
    (table, diagnostics)
}

/// A data file's table ([`parse_file`] with [`data_table`]).
pub(crate) fn parse_data_text(
    file: FileId,
    text: &str,
    diagnostics: &mut Vec<Diagnostic>,
    keys: &Keys,
) -> (DataTable, bool) {
    parse_file(file, text, diagnostics, keys, data_table)
}

/// Parses `text` (file `file`): syntax errors become diagnostics and give
/// `T::default()`; a valid document is read by `read`. The flag says which.
pub(crate) fn parse_file<T: Default>(
    file: FileId,
    text: &str,
    diagnostics: &mut Vec<Diagnostic>,
    keys: &Keys,
    read: impl FnOnce(&DeTable<'_>, &mut Ctx<'_>) -> T,
) -> (T, bool) {
    let mut cx = Ctx {
        file,
        text,
        offset: 0,
        diagnostics,
        keys,
    };
    let (table, errors) = parse_document(text);
    if errors.is_empty() {
        let out = read(table.get_ref(), &mut cx);
        cx.diagnostics.extend(toml11::warnings(file, text));
        (out, true)
    } else {
        syntax_errors(errors, &mut cx, text);
        (T::default(), false)
    }
}

/// Converts a spanned table into a [`DataTable`] of its top-level keys.
pub(crate) fn data_table(table: &DeTable<'_>, cx: &mut Ctx<'_>) -> DataTable {
    // TOML forbids duplicate keys, so plain pushes keep the table exact.
    let mut out = Vec::with_capacity(table.len());
    for (key, value) in table.iter() {
        if let Some(v) = value_of(value, 1, cx) {
            out.push((
                cx.keys.get(key.get_ref()),
                Entry {
                    value: v,
                    key_span: cx.span(key.span()),
                    value_span: cx.span(value.span()),
                },
            ));
        }
    }
    DataTable::from_distinct(out)
}

/// Converts a spanned value into a plain TOML value; `None` (with a
/// diagnostic) when a number does not fit or nesting is too deep.
pub(crate) fn value_of(
    value: &Spanned<DeValue<'_>>,
    depth: usize,
    cx: &mut Ctx<'_>,
) -> Option<Value> {
    let span = value.span();
    if depth > MAX_DEPTH {
        cx.push(
            Diagnostic::error(Code::TooDeep, cx.span(span), format!("values are nested more than {MAX_DEPTH} levels deep"))
                .with_help("flatten the structure; strata refuses deeper nesting to stay safe on untrusted input"),
        );
        return None;
    }
    Some(match value.get_ref() {
        DeValue::String(s) => Value::String(Text::from(&**s)),
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) => Value::Integer(n),
            Err(_) => {
                cx.push(
                    Diagnostic::error(
                        Code::NumberOutOfRange,
                        cx.span(span),
                        format!("integer `{i}` does not fit in a 64-bit integer"),
                    )
                    .with_label_text("strata cannot hold this number exactly")
                    .with_help("TOML integers are signed 64-bit, from -2^63 to 2^63-1; write larger numbers as strings"),
                );
                return None;
            }
        },
        DeValue::Float(f) => {
            let x = parse_float(f.as_str());
            if x.is_infinite() && !f.as_str().ends_with("inf") {
                cx.push(
                    Diagnostic::error(
                        Code::NumberOutOfRange,
                        cx.span(span),
                        format!("float `{f}` is beyond the range of a 64-bit float"),
                    )
                    .with_label_text("this would become infinity")
                    .with_help("TOML floats are 64-bit, up to about 1.8e308; write `inf` if infinity is meant, or the number as a string"),
                );
                return None;
            }
            Value::Float(x)
        }
        DeValue::Boolean(b) => Value::Boolean(*b),
        DeValue::Datetime(d) => Value::Datetime(Box::new(crate::value::with_seconds(*d))),
        DeValue::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items.iter() {
                out.push(value_of(item, depth + 1, cx)?);
            }
            Value::Array(out.into_boxed_slice())
        }
        DeValue::Table(table) => {
            if let Some(marker) = marker_in(table.iter().map(|(k, _)| &**k.get_ref()))
                && !marker_is_sound(table, span.clone(), marker, cx)
            {
                return None;
            }
            let mut out = Vec::with_capacity(table.len());
            for (k, v) in table.iter() {
                out.push((Text::from(&**k.get_ref()), value_of(v, depth + 1, cx)?));
            }
            Value::Table(out.into_iter().collect())
        }
    })
}

/// A table holding `{ __ansible_vault = ... }` or `{ __ansible_unsafe = ... }`
/// (at `span`): false, reported where it is wrong, when Ansible would not
/// recognise it (the key is then left out, as a number that does not fit).
fn marker_is_sound(
    table: &DeTable<'_>,
    span: std::ops::Range<usize>,
    marker: &str,
    cx: &mut Ctx<'_>,
) -> bool {
    let Some((_, value)) = table.iter().find(|(k, _)| &**k.get_ref() == marker) else {
        return true;
    };
    let text = match value.get_ref() {
        DeValue::String(s) => Some(&**s),
        _ => None,
    };
    let Some(fault) = ansible_marker::fault(marker, table.len(), text) else {
        return true;
    };
    let (at, label) = match fault {
        Fault::OtherKeys => (
            span,
            "Ansible would take this for a plain table".to_string(),
        ),
        Fault::WrongType => (value.span(), "not a string".to_string()),
        Fault::NoVaultHeader => (value.span(), "not a vault ciphertext".to_string()),
    };
    cx.push(
        Diagnostic::error(
            Code::AnsibleValueShape,
            cx.span(at),
            format!(
                "`{marker}` {}: {}",
                ansible_marker::meaning(marker),
                ansible_marker::problem(fault, "table")
            ),
        )
        .with_label_text(label)
        .with_help(if marker == ANSIBLE_VAULT {
            "write an encrypted value alone in its table, `key = { __ansible_vault = \"\"\"...\"\"\" }`, with the ciphertext `ansible-vault encrypt_string` prints (from `$ANSIBLE_VAULT;` on) between the triple quotes"
        } else {
            "write a string Ansible must never template as `key = { __ansible_unsafe = \"{{ ... }}\" }`, alone in its table"
        }),
    );
    false
}

fn parse_float(s: &str) -> f64 {
    let clean = s.replace('_', "");
    match clean.as_str() {
        "nan" | "+nan" => f64::NAN,
        "-nan" => -f64::NAN,
        _ => clean.parse().unwrap_or(f64::NAN),
    }
}

/// Turns the parser's errors into diagnostics.
///
/// The parser's recovery often reports one mistake several times on the
/// same line; only the first error of each line is kept.
pub(crate) fn syntax_errors(errors: Vec<toml::de::Error>, cx: &mut Ctx<'_>, text: &str) {
    let total = errors.len();
    let mut reported = 0;
    // Lines are counted incrementally: a file of a million errors must not
    // cost a million scans from the start.
    let (mut counted_to, mut line) = (0usize, 0usize);
    let mut last_line = None;
    for e in errors {
        let range = e.span().unwrap_or(text.len()..text.len());
        let at = range.start.min(text.len());
        if at < counted_to {
            (counted_to, line) = (0, 0);
        }
        line += text.as_bytes()[counted_to..at]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        counted_to = at;
        if last_line.replace(line) == Some(line) {
            continue;
        }
        if reported == MAX_SYNTAX_ERRORS {
            cx.push(
                Diagnostic::error(
                    Code::TomlSyntax,
                    cx.span(range),
                    format!("invalid TOML: more errors from here on ({total} in all); only the first {MAX_SYNTAX_ERRORS} lines with errors are shown"),
                )
                .with_help("fix the errors above first; later ones are often caused by them"),
            );
            return;
        }
        reported += 1;
        let message = e.message().trim().to_string();
        if message.contains("recursion") {
            cx.push(
                Diagnostic::error(
                    Code::TooDeep,
                    cx.span(range),
                    format!("values are nested too deeply for the TOML parser ({message})"),
                )
                .with_help(format!(
                    "flatten the structure; strata refuses nesting deeper than {MAX_DEPTH} levels to stay safe on untrusted input"
                )),
            );
            continue;
        }
        if message == "duplicate key" {
            cx.push(duplicate_key(cx, text, range));
            continue;
        }
        // Point at the carriage return itself, not where a line feed was
        // expected after it.
        let range = if message.contains("carriage return")
            && range.start > 0
            && text.as_bytes().get(range.start - 1) == Some(&b'\r')
        {
            range.start - 1..range.start
        } else {
            range
        };
        let mut help = if message.contains("carriage return") {
            Some("the file has a carriage return without a line feed (old Mac line endings); TOML needs LF or CRLF: save the file with Unix or Windows line endings".to_string())
        } else {
            bare_word(text, range.start).map(|word| {
                format!("a string needs quotes in TOML: write `\"{word}\"`; unquoted, a value must be a number, `true`, `false`, a date or a time")
            })
        };
        let mut d = Diagnostic::error(
            Code::TomlSyntax,
            cx.span(range.clone()),
            format!("invalid TOML: {message}"),
        );
        // A `{` or `[` left open is found only where the next line starts:
        // label where it opened.
        let unclosed = message == "unclosed array" || message == "unclosed inline table";
        if (unclosed || message.starts_with("missing comma between"))
            && let Some((open, bracket)) = open_bracket(text, range.start)
        {
            let line_of = |at: usize| {
                let end = (at + cx.offset).min(cx.text.len());
                1 + cx.text.as_bytes()[..end]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count()
            };
            let (open_line, error_line) = (line_of(open), line_of(range.start));
            if open_line != error_line {
                let (what, close) = if bracket == b'{' {
                    ("inline table", '}')
                } else {
                    ("array", ']')
                };
                let or_comma = if unclosed {
                    String::new()
                } else {
                    " (or the missing `,` if it goes on)".to_string()
                };
                d = d.with_label(
                    cx.span(open..open + 1),
                    format!("this {what} is still open at line {error_line}"),
                );
                help = Some(format!(
                    "the `{}` on line {open_line} is not closed: add `{close}` where the {what} ends{or_comma}",
                    bracket as char
                ));
            }
        }
        cx.push(d.with_help_opt(help));
    }
}

/// The innermost `{` or `[` still open at `at` (its offset and the
/// bracket), from a scan of `text` that skips strings and comments.
/// `[table]` headers open and close on their line.
fn open_bracket(text: &str, at: usize) -> Option<(usize, u8)> {
    let b = text.as_bytes();
    let end = at.min(b.len());
    let mut stack: Vec<(usize, u8)> = Vec::new();
    let mut i = 0;
    while i < end {
        match b[i] {
            b'#' => {
                while i < end && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'"' | b'\'' => {
                i = crate::toml11::skip_string(b, i);
                continue;
            }
            c @ (b'{' | b'[') => stack.push((i, c)),
            b'}' | b']' => {
                stack.pop();
            }
            _ => {}
        }
        i += 1;
    }
    stack.pop()
}

/// The unquoted word around `at` when it stands where a value goes (after
/// `=`, `[` or `,`): `info` in `log_level = info`, which the parser reads
/// as a misspelt `inf` ("invalid float, expected `inf`"), `web-1` in
/// `hosts = [web-1]`. `None` elsewhere, and for a word too long to quote.
fn bare_word(text: &str, at: usize) -> Option<&str> {
    let bare = |c: char| !c.is_whitespace() && !c.is_control() && !"\"'[]{},=#".contains(c);
    let at = at.min(text.len());
    if !text.is_char_boundary(at) {
        return None;
    }
    let start = text[..at]
        .char_indices()
        .rev()
        .take_while(|&(_, c)| bare(c))
        .last()
        .map_or(at, |(i, _)| i);
    let end = text[at..]
        .char_indices()
        .find(|&(_, c)| !bare(c))
        .map_or(text.len(), |(i, _)| at + i);
    let word = &text[start..end];
    // After `=` or `,`, or after a `[` that itself opens a value (an
    // array, not a `[table]` header).
    let mut head = &text[..start];
    let valued = loop {
        head = head.trim_end_matches([' ', '\t', '\r', '\n']);
        match head.chars().next_back() {
            Some('=' | ',') => break true,
            Some('[') => head = &head[..head.len() - 1],
            _ => break false,
        }
    };
    // A broken date or time (`25:00:00`) is no string that lost its quotes.
    let datetime = word.starts_with(|c: char| c.is_ascii_digit()) && word.contains(':');
    let wordlike = word.starts_with(|c: char| c.is_alphanumeric() || "_-+./".contains(c));
    // The error is in the word (not just after it), and the word is no
    // TOML value by itself (`2` in `[1, 2` is fine; the `]` is missing).
    let inside = text[at..].starts_with(bare);
    let valid = toml::from_str::<toml::Table>(&format!("v = {word}")).is_ok();
    (valued && wordlike && inside && !valid && !datetime && word.chars().count() <= 60)
        .then_some(word)
}

/// "duplicate key", with the key named and its first definition labelled.
fn duplicate_key(cx: &Ctx<'_>, text: &str, range: std::ops::Range<usize>) -> Diagnostic {
    let key = text.get(range.clone()).unwrap_or("").trim();
    let mut d = Diagnostic::error(
        Code::TomlSyntax,
        cx.span(range.clone()),
        if key.is_empty() {
            "invalid TOML: duplicate key".to_string()
        } else {
            format!("invalid TOML: duplicate key `{}`", key.trim_matches(['"', '\'']))
        },
    )
    .with_label_text("defined again here")
    .with_help("a key is defined once per table: merge the two (in hosts.toml, list all of a group's hosts in one array)");
    if let Some(first) = first_definition(text, key, range.start) {
        d = d.with_label(cx.span(first..first + key.len()), "first defined here");
    }
    d
}

/// The last place before `before` where `key` is written as a key: at a
/// line's start, after `[`, `{`, `,` or `.`, and followed by `=`, `.` or
/// `]` (spaces allowed).
fn first_definition(text: &str, key: &str, before: usize) -> Option<usize> {
    if key.is_empty() {
        return None;
    }
    let head = text.get(..before)?;
    let mut end = head.len();
    while let Some(at) = head[..end].rfind(key) {
        let prev = head[..at].trim_end_matches([' ', '\t']).chars().next_back();
        let next = text[at + key.len()..]
            .trim_start_matches([' ', '\t'])
            .chars()
            .next();
        let starts = matches!(prev, None | Some('\n' | '\r' | '[' | '{' | ',' | '.'));
        if starts && matches!(next, Some('=' | '.' | ']')) {
            return Some(at);
        }
        end = at;
    }
    None
}

/// A human name for a value's type.
pub(crate) fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a datetime",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_brackets() {
        // (text, where the error is, the open bracket's offset)
        let cases = [
            ("a = [1,\n  2\nb = 1\n", 12, Some(4)),
            ("a = { x = 1, y = [1]\nb = 1\n", 21, Some(4)),
            ("[t]\na = { x = \"{[\" # }\nb = 1\n", 24, Some(8)),
            ("[[t]]\na = 1\n", 11, None),
            ("a = [[1, 2], [3,\nb = 1\n", 17, Some(13)),
            ("a = '''[{'''\nb = 1\n", 13, None),
        ];
        for (text, at, want) in cases {
            assert_eq!(open_bracket(text, at).map(|o| o.0), want, "{text:?}");
        }
    }

    #[test]
    fn bare_words_in_value_places() {
        // (text, error offset, word)
        let cases = [
            ("log_level = info\n", 12, Some("info")),
            ("d=info # c\n", 2, Some("info")),
            ("a = [info, debug]\n", 5, Some("info")),
            ("a = [1, debug]\n", 8, Some("debug")),
            ("b = { c = warn }\n", 10, Some("warn")),
            ("v = 1.2.3\n", 7, Some("1.2.3")),
            (
                "hosts = [web-1.example.com]\n",
                9,
                Some("web-1.example.com"),
            ),
            ("u = http://x.y/z\n", 4, Some("http://x.y/z")),
            ("t = 25:00:00\n", 4, None),
            ("d = 1979-05-27T25:00:00Z\n", 4, None),
            ("info\n", 4, None),
            ("[table\n", 6, None),
            ("[[table.x\n", 8, None),
            ("a = [[1], [x]]\n", 11, Some("x")),
            ("a = [\n  one,\n]\n", 8, Some("one")),
            ("s = \"open\n", 4, None),
            ("e = \u{1b}]0;t\n", 4, None),
            ("e = ]\n", 4, None),
            ("t = { y = [1, 2\n", 15, None),
            ("t = [1, 2 3]\n", 10, None),
            ("t = [true, false]\n", 5, None),
        ];
        for (text, at, want) in cases {
            assert_eq!(bare_word(text, at), want, "{text:?}");
        }
    }
}
