//! Turning resolved data into JSON and TOML, deterministically: keys sorted
//! at every level, TOML datetimes as RFC 3339 strings in JSON (the JSON
//! conversion is `strata::json`, the one schemas validate).

use std::io::{self, Write};

use serde::Serialize;
use strata::Value;

/// The one conversion to JSON, shared with schemas (`strata::json`).
pub use strata::json::{DataJson, Json, PairsJson};

/// A TOML value with table keys sorted at every level.
pub fn sorted(v: &toml::Value) -> toml::Value {
    match v {
        toml::Value::Array(a) => toml::Value::Array(a.iter().map(sorted).collect()),
        toml::Value::Table(t) => toml::Value::Table(sorted_table(t)),
        other => other.clone(),
    }
}

/// A table with keys sorted at every level.
pub fn sorted_table(t: &toml::Table) -> toml::Table {
    let mut keys: Vec<&String> = t.keys().collect();
    keys.sort();
    keys.into_iter()
        .map(|k| (k.clone(), sorted(&t[k])))
        .collect()
}

/// Writes JSON followed by a newline.
pub fn write_json(out: &mut impl Write, v: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut *out, v)?;
    out.write_all(b"\n")
}

/// Writes a table as a TOML document.
pub fn write_toml(out: &mut impl Write, t: &toml::Table) -> io::Result<()> {
    let text = toml::to_string(t).map_err(io::Error::other)?;
    out.write_all(text.as_bytes())
}

/// A key as TOML writes it: bare when it can be, quoted otherwise.
pub fn inline_key(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if bare {
        key.to_string()
    } else {
        let mut out = String::with_capacity(key.len() + 2);
        quote(&mut out, key);
        out
    }
}

/// A value as one line of TOML (tables inline, keys sorted, strings with
/// escapes instead of line breaks), so line-based layouts such as
/// `--show-origin` and `graph --vars` hold for multi-line strings.
pub fn inline_value(value: &Value) -> String {
    let mut out = String::new();
    write_inline(&mut out, value);
    out
}

fn write_inline(out: &mut String, value: &Value) {
    match value {
        Value::String(s) => quote(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_inline(out, v);
            }
            out.push(']');
        }
        Value::Table(t) if t.is_empty() => out.push_str("{}"),
        Value::Table(t) => {
            let mut entries: Vec<(&str, &Value)> = t.iter().collect();
            entries.sort_unstable_by_key(|(k, _)| *k);
            out.push_str("{ ");
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&inline_key(k));
                out.push_str(" = ");
                write_inline(out, v);
            }
            out.push_str(" }");
        }
        other => out.push_str(&other.to_string()),
    }
}

/// A TOML basic string on one line: `"`, `\`, control characters and
/// bidirectional formatting characters escaped, so that human output
/// (which passes [`strata::escape_controls`]) finds nothing left to escape
/// and stays valid TOML.
fn quote(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || strata::needs_escape(c) => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_rendering() {
        // (key, rendered)
        let keys = [
            ("plain_key-1", "plain_key-1"),
            ("has space", "\"has space\""),
            ("", "\"\""),
            ("a.b", "\"a.b\""),
            ("q\"b\\", "\"q\\\"b\\\\\""),
            (
                "esc\u{1b}c1\u{9b}rtl\u{202e}",
                "\"esc\\u001Bc1\\u009Brtl\\u202E\"",
            ),
        ];
        for (k, want) in keys {
            assert_eq!(inline_key(k), want);
        }
        let v: toml::Table = "t = { z = 1, a = [1, \"x\"] }".parse().unwrap();
        assert_eq!(
            inline_value(&v["t"].clone().into()),
            "{ a = [1, \"x\"], z = 1 }"
        );
        // Values stay on one line, and read back as the same TOML value.
        let doc: toml::Table = r#"
            m = """one
"two"\\	tab\u0007"""
            t = { s = "a\nb", e = {} }
            f = 1.5
            d = 1979-05-27
        "#
        .parse()
        .unwrap();
        for (k, v) in &doc {
            let line = inline_value(&v.clone().into());
            assert!(!line.contains('\n'), "{k}: {line}");
            let back: toml::Table = format!("v = {line}").parse().unwrap();
            assert_eq!(&back["v"], v, "{k}: {line}");
        }
    }

    #[test]
    fn json_conversion() {
        let doc: toml::Table = r#"
            z = 1
            a = { y = 2, b = [1.5, "s"] }
            when = 1979-05-27T07:32:00Z
            day = 1979-05-27
            nan = nan
        "#
        .parse()
        .unwrap();
        let value = Value::from(doc);
        assert_eq!(
            serde_json::to_string(&Json(&value)).unwrap(),
            r#"{"a":{"b":[1.5,"s"],"y":2},"day":"1979-05-27","nan":null,"when":"1979-05-27T07:32:00Z","z":1}"#
        );
    }
}
