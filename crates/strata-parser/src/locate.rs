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
    // A report about many values of one file (a schema violated by every
    // key of a 5,000-key table) asks about the same text again and again:
    // the text is parsed once into an index of every value's span, kept for
    // the last text asked about (compared by content, so a text that merely
    // reuses an address is never taken for another), and each question is
    // then a walk down `path`. Without it each question re-parsed the file:
    // quadratic in the number of reports.
    LAST.with(|last| {
        let mut last = last.borrow_mut();
        if last.as_ref().is_none_or(|(seen, _)| seen.as_str() != text) {
            *last = Some((text.to_string(), Index::of(text)?));
        }
        let (_, index) = last.as_ref()?;
        index.locate(&at, path)
    })
}

thread_local! {
    /// The last text [`locate_nested`] indexed, with its index.
    static LAST: std::cell::RefCell<Option<(String, Index)>> = const { std::cell::RefCell::new(None) };
}

/// Every value of a TOML document: its span and what it holds, and the
/// values by span (the first in depth-first order, as a search would find).
struct Index {
    nodes: Vec<Node>,
    by_span: std::collections::HashMap<(usize, usize), usize>,
}

struct Node {
    span: Range<usize>,
    kind: Kind,
}

enum Kind {
    /// A table: each key's value (the first, for a key written twice).
    Table(std::collections::HashMap<String, usize>),
    Array(Vec<usize>),
    Leaf,
}

impl Index {
    fn of(text: &str) -> Option<Index> {
        let doc = DeTable::parse(text).ok()?;
        let mut index = Index {
            nodes: Vec::new(),
            by_span: std::collections::HashMap::new(),
        };
        for v in doc.get_ref().values() {
            index.add(v);
        }
        Some(index)
    }

    /// Adds `v` and everything in it, depth first; returns its number.
    fn add(&mut self, v: &Spanned<DeValue<'_>>) -> usize {
        let id = self.nodes.len();
        let span = v.span();
        self.by_span.entry((span.start, span.end)).or_insert(id);
        self.nodes.push(Node {
            span,
            kind: Kind::Leaf,
        });
        let kind = match v.get_ref() {
            DeValue::Table(t) => {
                let mut keys = std::collections::HashMap::with_capacity(t.len());
                for (k, c) in t.iter() {
                    let child = self.add(c);
                    keys.entry(k.get_ref().to_string()).or_insert(child);
                }
                Kind::Table(keys)
            }
            DeValue::Array(items) => Kind::Array(items.iter().map(|c| self.add(c)).collect()),
            _ => Kind::Leaf,
        };
        self.nodes[id].kind = kind;
        id
    }

    fn locate(&self, at: &Range<usize>, path: &[&str]) -> Option<Range<usize>> {
        let mut node = *self.by_span.get(&(at.start, at.end))?;
        for seg in path {
            node = match &self.nodes[node].kind {
                Kind::Table(keys) => *keys.get(*seg)?,
                Kind::Array(items) => *items.get(seg.parse::<usize>().ok()?)?,
                Kind::Leaf => return None,
            };
        }
        Some(self.nodes[node].span.clone())
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

    #[test]
    fn the_index_of_the_last_text_never_answers_for_another_text() {
        // The same spans in two texts of equal length: each is answered from
        // its own content, alternately, however the index is kept.
        let a = "t = { x = 1, y = 2 }\n";
        let b = "t = { y = 1, x = 2 }\n";
        let span = a.find('{').unwrap()..a.len() - 1;
        for _ in 0..3 {
            let x = locate_nested(a, span.clone(), &["x"]).map(|r| &a[r]);
            assert_eq!(x, Some("1"));
            let x = locate_nested(b, span.clone(), &["x"]).map(|r| &b[r]);
            assert_eq!(x, Some("2"));
        }
        // A key written twice (an error elsewhere): the first is found.
        assert_eq!(
            locate_nested("a = 1\n", 4..5, &[]).map(|r| r.start),
            Some(4)
        );
    }
}
