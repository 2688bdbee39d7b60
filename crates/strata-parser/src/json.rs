//! Strict JSON (RFC 8259) with the byte span of every value and key.
//!
//! Two kinds of JSON file live in an inventory: the documents a source
//! answers with (the Ansible dynamic-inventory `--list` shape) and schemas
//! for resolved data. Both need positions, so that a problem points at the
//! line and column that caused it, as in TOML files. This module is syntax
//! only: it knows nothing of either shape.
//!
//! ```
//! use strata_parser::json::{parse_json, JsonValue};
//!
//! let text = r#"{"web": {"hosts": ["w1", "w2"]}}"#;
//! let doc = parse_json(text).unwrap();
//! let hosts = doc.pointer("/web/hosts").unwrap();
//! assert_eq!(&text[hosts.span.clone()], r#"["w1", "w2"]"#);
//! let JsonValue::Array(items) = &hosts.value else { unreachable!() };
//! assert_eq!(items[1].as_str(), Some("w2"));
//!
//! // Errors carry the byte range of the problem.
//! let err = parse_json("{\"a\": 1,}").unwrap_err();
//! assert_eq!(err.span, 7..8);
//! ```
//!
//! Nesting deeper than [`MAX_DEPTH`] is refused before
//! anything is parsed, so hostile input costs its length, never the stack.
//!
//! [`MAX_DEPTH`]: crate::MAX_DEPTH

use std::ops::Range;

use jsonc_parser::ast;

use crate::convert::MAX_DEPTH;

/// A JSON value and the bytes it was written in.
#[derive(Clone, Debug, PartialEq)]
pub struct Json {
    /// The value.
    pub value: JsonValue,
    /// Byte range of the value in the text (for a string, with its quotes).
    pub span: Range<usize>,
}

/// The kinds of JSON value.
#[derive(Clone, Debug, PartialEq)]
pub enum JsonValue {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number without fraction or exponent that fits in an `i64`.
    Integer(i64),
    /// A number with a fraction or an exponent, as the nearest finite
    /// `f64` (as every JSON reader reads it). Integers are never here: they
    /// are [`Integer`](Self::Integer) or [`OutOfRange`](Self::OutOfRange).
    Float(f64),
    /// A number that neither an `i64` nor a finite `f64` holds as written:
    /// an integer beyond 64 bits (`18446744073709551616`) or a number
    /// beyond the float range (`1e400`). Kept as its text, so that a reader
    /// can refuse it where it stands instead of changing it silently (Python
    /// and Ansible keep such integers exact; strata's data, like TOML,
    /// cannot).
    OutOfRange(String),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object's members in the order written. Duplicate keys are kept;
    /// a reader that wants JSON's usual "last one wins" takes the last.
    Object(Vec<JsonMember>),
}

/// One `"key": value` member of an object.
#[derive(Clone, Debug, PartialEq)]
pub struct JsonMember {
    /// The key, unescaped.
    pub key: String,
    /// Byte range of the key, with its quotes.
    pub key_span: Range<usize>,
    /// The value.
    pub value: Json,
}

/// Why a text is not JSON.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    /// What is wrong, as a sentence fragment ("expected a comma …").
    pub message: String,
    /// Byte range of the offending text.
    pub span: Range<usize>,
}

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for JsonError {}

/// Parses `text` as one strict JSON value: no comments, no trailing commas,
/// no single quotes, nothing after the value but whitespace.
pub fn parse_json(text: &str) -> Result<Json, JsonError> {
    check_depth(text)?;
    let options = jsonc_parser::ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let parsed = jsonc_parser::parse_to_ast(text, &Default::default(), &options).map_err(|e| {
        let range = e.range();
        JsonError {
            message: lowercase_first(&e.kind().to_string()),
            span: range.start..range.end.max(range.start),
        }
    })?;
    match parsed.value {
        Some(value) => Ok(convert(value)),
        None => Err(JsonError {
            message: "expected a JSON value, found nothing".into(),
            span: text.len()..text.len(),
        }),
    }
}

impl Json {
    /// The member `key` of an object (the last one, if written twice).
    pub fn get(&self, key: &str) -> Option<&Json> {
        self.member(key).map(|m| &m.value)
    }

    /// The member `key` of an object, with its key's span.
    pub fn member(&self, key: &str) -> Option<&JsonMember> {
        match &self.value {
            JsonValue::Object(members) => members.iter().rev().find(|m| m.key == key),
            _ => None,
        }
    }

    /// The value a JSON Pointer (RFC 6901, `/a/0/b`) names; `""` is the
    /// value itself.
    pub fn pointer(&self, pointer: &str) -> Option<&Json> {
        if pointer.is_empty() {
            return Some(self);
        }
        let mut at = self;
        for token in pointer.strip_prefix('/')?.split('/') {
            let token = token.replace("~1", "/").replace("~0", "~");
            at = match &at.value {
                JsonValue::Object(_) => at.get(&token)?,
                JsonValue::Array(items) => items.get(token.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(at)
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            JsonValue::String(s) => Some(s),
            _ => None,
        }
    }

    /// The name of the value's kind, for messages: `"an object"`, `"a string"`.
    pub fn kind(&self) -> &'static str {
        match self.value {
            JsonValue::Null => "null",
            JsonValue::Bool(_) => "a boolean",
            JsonValue::Integer(_) | JsonValue::Float(_) | JsonValue::OutOfRange(_) => "a number",
            JsonValue::String(_) => "a string",
            JsonValue::Array(_) => "an array",
            JsonValue::Object(_) => "an object",
        }
    }
}

/// Refuses nesting deeper than [`MAX_DEPTH`] with one linear scan, so that
/// the recursive parser never sees it.
fn check_depth(text: &str) -> Result<(), JsonError> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (i, b) in text.bytes().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(JsonError {
                        message: format!("values are nested more than {MAX_DEPTH} levels deep"),
                        span: i..i + 1,
                    });
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

fn convert(value: ast::Value<'_>) -> Json {
    let (value, range) = match value {
        ast::Value::NullKeyword(n) => (JsonValue::Null, n.range),
        ast::Value::BooleanLit(b) => (JsonValue::Bool(b.value), b.range),
        ast::Value::NumberLit(n) => (number(n.value), n.range),
        ast::Value::StringLit(s) => (JsonValue::String(s.value.into_owned()), s.range),
        ast::Value::Array(a) => (
            JsonValue::Array(a.elements.into_iter().map(convert).collect()),
            a.range,
        ),
        ast::Value::Object(o) => (
            JsonValue::Object(
                o.properties
                    .into_iter()
                    .map(|p| {
                        let (key, key_range) = match p.name {
                            ast::ObjectPropName::String(s) => (s.value.into_owned(), s.range),
                            ast::ObjectPropName::Word(w) => (w.value.to_owned(), w.range),
                        };
                        JsonMember {
                            key,
                            key_span: key_range.start..key_range.end,
                            value: convert(p.value),
                        }
                    })
                    .collect(),
            ),
            o.range,
        ),
    };
    Json {
        value,
        span: range.start..range.end,
    }
}

fn number(text: &str) -> JsonValue {
    if !text.contains(['.', 'e', 'E']) {
        // An integer: exact in an i64, or out of range (never a float that
        // would round it).
        return match text.parse::<i64>() {
            Ok(i) => JsonValue::Integer(i),
            Err(_) => JsonValue::OutOfRange(text.to_owned()),
        };
    }
    // The scanner accepted it as a JSON number, so this parses; beyond the
    // float range it is infinite, which no JSON text means.
    match text.parse::<f64>() {
        Ok(f) if f.is_finite() => JsonValue::Float(f),
        _ => JsonValue::OutOfRange(text.to_owned()),
    }
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_of_values_and_keys() {
        let text = "{\n  \"a\": [1, 2.5, -3e2, true, null],\n  \"é\": \"x\\ny\"\n}";
        let doc = parse_json(text).unwrap();
        let JsonValue::Object(members) = &doc.value else {
            panic!("{doc:?}")
        };
        assert_eq!(&text[members[0].key_span.clone()], "\"a\"");
        assert_eq!(&text[members[1].key_span.clone()], "\"é\"");
        assert_eq!(members[1].value.as_str(), Some("x\ny"));
        let JsonValue::Array(items) = &members[0].value.value else {
            panic!()
        };
        let kinds: Vec<_> = items.iter().map(|j| j.value.clone()).collect();
        assert_eq!(
            kinds,
            [
                JsonValue::Integer(1),
                JsonValue::Float(2.5),
                JsonValue::Float(-300.0),
                JsonValue::Bool(true),
                JsonValue::Null
            ]
        );
        assert_eq!(&text[items[2].span.clone()], "-3e2");
    }

    #[test]
    fn pointers() {
        let doc = parse_json(r#"{"a/b": {"~k": [10, 20]}, "x": 1, "x": 2}"#).unwrap();
        assert_eq!(
            doc.pointer("/a~1b/~0k/1").unwrap().value,
            JsonValue::Integer(20)
        );
        assert_eq!(doc.pointer("/x").unwrap().value, JsonValue::Integer(2));
        assert!(doc.pointer("/a~1b/~0k/2").is_none());
        assert!(doc.pointer("x").is_none());
        assert_eq!(doc.pointer("").unwrap(), &doc);
    }

    #[test]
    fn numbers_no_i64_or_finite_f64_holds_are_kept_as_text() {
        let doc = parse_json(
            "[9223372036854775807, 9223372036854775808, 1e400, -1e400, 1e308, 123456789012345678901234567890, -9223372036854775809]",
        )
        .unwrap();
        let JsonValue::Array(items) = doc.value else {
            panic!()
        };
        assert_eq!(items[0].value, JsonValue::Integer(i64::MAX));
        assert_eq!(
            items[1].value,
            JsonValue::OutOfRange("9223372036854775808".into())
        );
        assert_eq!(items[2].value, JsonValue::OutOfRange("1e400".into()));
        assert_eq!(items[3].value, JsonValue::OutOfRange("-1e400".into()));
        assert_eq!(items[4].value, JsonValue::Float(1e308));
        assert_eq!(
            items[5].value,
            JsonValue::OutOfRange("123456789012345678901234567890".into())
        );
        assert_eq!(
            items[6].value,
            JsonValue::OutOfRange("-9223372036854775809".into())
        );
    }

    #[test]
    fn strict_json_only() {
        // (text, where the error starts, message)
        let cases = [
            ("{\"a\": 1,}", 7, "trailing commas are not allowed"),
            ("[1, 2,]", 5, "trailing commas are not allowed"),
            ("{'a': 1}", 1, ""),
            ("{a: 1}", 1, ""),
            ("// c\n{}", 0, "comments are not allowed"),
            ("[1 2]", 2, "expected comma"),
            ("[NaN]", 1, ""),
            ("[0x10]", 1, ""),
            ("{} {}", 3, ""),
            ("[+1]", 1, ""),
        ];
        for (text, start, message) in cases {
            let err = parse_json(text).unwrap_err();
            eprintln!("{text:?}: {err:?}");
            assert_eq!(err.span.start, start, "{text:?}: {err:?}");
            assert!(err.message.starts_with(message), "{text:?}: {err:?}");
        }
        let err = parse_json("  ").unwrap_err();
        assert_eq!(err.message, "expected a JSON value, found nothing");
    }

    #[test]
    fn debug_print_before_json_is_located() {
        let text = "fetching hosts...\n{\"_meta\": {}}";
        let err = parse_json(text).unwrap_err();
        assert_eq!(err.span.start, 0, "{err:?}");
    }

    #[test]
    fn deep_nesting_is_refused_before_parsing() {
        let text = "[".repeat(100_000);
        let err = parse_json(&text).unwrap_err();
        assert_eq!(err.span, MAX_DEPTH..MAX_DEPTH + 1);
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse_json(&ok).is_ok());
        // Brackets inside strings do not count.
        let in_string = format!("[\"{}\\\"{}\"]", "[".repeat(100), "{".repeat(100));
        assert!(parse_json(&in_string).is_ok());
    }

    #[test]
    fn odd_strings_do_not_panic() {
        for text in [
            "\"\\ud800\"",
            "\"\\udc00\\ud800\"",
            "\"\\u12\"",
            "\"\u{1F600}\"",
            "\"abc",
            "[\"\\",
            "-",
            "1e999",
            "\u{feff}{}",
        ] {
            let _ = parse_json(text);
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in "[\\[\\]{}\",:0-9a-z\\\\ .eE+-]{0,64}") {
            let _ = parse_json(&text);
        }

        #[test]
        fn never_panics_on_any_text(text in "\\PC{0,64}") {
            let _ = parse_json(&text);
        }
    }
}
