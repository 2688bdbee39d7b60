//! Finding where a nested value is written, after the fact: the raw model
//! keeps the span of each top-level value only (one per data key keeps
//! memory small), so a report about `tls.min_version` re-reads the one
//! file involved to point at `"1.0"` rather than at the whole `tls` table.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// Files larger than this are not re-read to locate a nested value (the
/// caller keeps the top-level value's span): a report stays cheap even
/// about a huge hosts.toml.
pub const MAX_LOCATE_SIZE: usize = 1024 * 1024;

/// The byte range of the value at `path` (table keys, and array indices
/// written as numbers) inside the value written at `at` in the TOML
/// document `text`. `None` when the text is not TOML, is larger than
/// [`MAX_LOCATE_SIZE`], or has no such value.
///
/// ```
/// let text = "port = 80\ntls = { min_version = \"1.0\", ciphers = [\"a\", \"b\"] }\n";
/// let tls = text.find('{').unwrap()..text.len() - 1; // where `tls`'s value is written
/// let at = strata_parser::locate_nested(text, tls.clone(), &["min_version"]).unwrap();
/// assert_eq!(&text[at], "\"1.0\"");
/// let at = strata_parser::locate_nested(text, tls, &["ciphers", "1"]).unwrap();
/// assert_eq!(&text[at], "\"b\"");
/// ```
pub fn locate_nested(text: &str, at: Range<usize>, path: &[&str]) -> Option<Range<usize>> {
    if text.len() > MAX_LOCATE_SIZE {
        return None;
    }
    let doc = DeTable::parse(text).ok()?;
    let root = doc.get_ref();
    let start = root.values().find_map(|v| find(v, &at))?;
    let mut node = start;
    for seg in path {
        node = match node.get_ref() {
            DeValue::Table(t) => t.iter().find(|(k, _)| k.get_ref() == seg).map(|(_, v)| v)?,
            DeValue::Array(items) => items.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(node.span())
}

/// The value written exactly at `at`, searched depth first.
fn find<'a, 'd>(
    v: &'a Spanned<DeValue<'d>>,
    at: &Range<usize>,
) -> Option<&'a Spanned<DeValue<'d>>> {
    let span = v.span();
    if span == *at {
        return Some(v);
    }
    // Only a value whose span contains `at` can hold it (tables defined by
    // headers are spread out, so look inside every table).
    match v.get_ref() {
        DeValue::Table(t) => t.values().find_map(|c| find(c, at)),
        DeValue::Array(items) if span.start <= at.start && at.end <= span.end => {
            items.iter().find_map(|c| find(c, at))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_values_in_inline_tables_header_tables_and_host_entries() {
        // (document, the top-level value's text, path, expected text)
        let cases: &[(&str, &str, &[&str], Option<&str>)] = &[
            (
                "tls = { v = \"1.0\" }\n",
                "{ v = \"1.0\" }",
                &["v"],
                Some("\"1.0\""),
            ),
            ("a = [1, [2, 3]]\n", "[1, [2, 3]]", &["1", "0"], Some("2")),
            ("a = [1, 2]\n", "[1, 2]", &["5"], None),
            ("a = 1\n", "1", &["x"], None),
            // A host entry's inline data, deep inside hosts.toml.
            (
                "web = [\"w1\", { name = \"w2\", data = { db = { port = 70000 } } }]\n",
                "{ db = { port = 70000 } }",
                &["db", "port"],
                Some("70000"),
            ),
        ];
        for (text, value, path, want) in cases {
            let start = text.find(value).unwrap();
            let got = locate_nested(text, start..start + value.len(), path).map(|r| &text[r]);
            assert_eq!(got, *want, "{text} {path:?}");
        }
        // A table written with a header: its members are found too.
        let text = "[tls]\nv = \"1.0\"\n";
        let doc = DeTable::parse(text).unwrap();
        let span = doc.get_ref().values().next().unwrap().span();
        assert_eq!(
            locate_nested(text, span, &["v"]).map(|r| &text[r]),
            Some("\"1.0\"")
        );
        // Not TOML: nothing.
        assert_eq!(locate_nested("a = [", 4..5, &["0"]), None);
    }
}
