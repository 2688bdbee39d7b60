//! Converting toml's spanned document tree into the raw model.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diagnostic::{Code, Diagnostic};
use crate::model::{DataTable, Entry, Key};
use crate::source::{FileId, Span};
use crate::value::{Text, Value};

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
    /// hosts.toml parsed on its own (see `split`) has spans relative to it.
    pub offset: usize,
    pub diagnostics: &'d mut Vec<crate::diagnostic::Diagnostic>,
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

/// Converts a spanned table into a [`DataTable`] of its top-level keys.
pub(crate) fn data_table(table: &DeTable<'_>, cx: &mut Ctx<'_>) -> DataTable {
    // TOML forbids duplicate keys, so plain pushes keep the table exact.
    let mut out = DataTable::with_capacity(table.len());
    for (key, value) in table.iter() {
        if let Some(v) = value_of(value, 1, cx) {
            out.push_new(
                cx.keys.get(key.get_ref()),
                Entry {
                    value: v,
                    key_span: cx.span(key.span()),
                    value_span: cx.span(value.span()),
                },
            );
        }
    }
    out
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
        DeValue::Datetime(d) => Value::Datetime(Box::new(*d)),
        DeValue::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items.iter() {
                out.push(value_of(item, depth + 1, cx)?);
            }
            Value::Array(out.into_boxed_slice())
        }
        DeValue::Table(table) => {
            let mut out = Vec::with_capacity(table.len());
            for (k, v) in table.iter() {
                out.push((Text::from(&**k.get_ref()), value_of(v, depth + 1, cx)?));
            }
            Value::Table(out.into_iter().collect())
        }
    })
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
        let help = message.contains("carriage return").then_some(
            "the file has a carriage return without a line feed (old Mac line endings); TOML needs LF or CRLF: save the file with Unix or Windows line endings",
        );
        cx.push(
            Diagnostic::error(
                Code::TomlSyntax,
                cx.span(range),
                format!("invalid TOML: {message}"),
            )
            .with_help_opt(help.map(str::to_string)),
        );
    }
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
