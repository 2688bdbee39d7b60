//! A large `hosts.toml`, parsed in pieces.
//!
//! The TOML parser holds every token of a document while it parses it:
//! for a 6 MB hosts.toml (100,000 hosts, 250,000 entries) that is some
//! 90 MB, most of a large inventory's peak memory, and one core's work
//! while the other cores wait. A hosts.toml is a list of top-level items
//! (groups), so a large one is cut at lines where a top-level item starts
//! and the pieces are parsed on all cores, each piece's tokens freed when
//! it is done.
//!
//! The cut is only ever a shortcut to the whole-document parse, never a
//! different reading:
//!
//! - a light lexer (strings, comments, brackets) finds lines that start a
//!   top-level key (before the first `[table]` header) or a header; a text
//!   it cannot follow to the end in a neutral state is not cut;
//! - every piece must parse, and no top-level key may come from two pieces
//!   (dotted keys and headers such as `[a]` and `[a.b]` that build one
//!   table from several places, or a key written twice);
//!
//! otherwise the whole document is parsed as before, which reports syntax
//! errors exactly. Spans of a piece are moved by its offset (see
//! [`Ctx::offset`](crate::convert::Ctx)), so every span, diagnostic and
//! quote is the whole parse's.

use std::collections::HashSet;
use std::ops::Range;

use rayon::prelude::*;
use toml::de::DeTable;

use crate::convert::{Ctx, Keys};
use crate::model::RawGroup;
use crate::toml11;
use strata_diagnostics::{Diagnostic, FileId};

/// Files smaller than this (256 KiB) are parsed whole.
pub(crate) const SPLIT_MIN: usize = 256 * 1024;

/// Pieces are at least this long (64 KiB), so there are few of them.
const PIECE: usize = 64 * 1024;

/// The groups of `text`, parsed in pieces, with the diagnostics of the
/// whole parse (the TOML 1.1 warnings included); `None` when the text is
/// small, cannot be cut, or a piece does not parse cleanly on its own (the
/// caller then parses the whole document).
pub(crate) fn in_pieces(
    file: FileId,
    text: &str,
    diagnostics: &mut Vec<Diagnostic>,
    keys: &Keys,
) -> Option<Vec<RawGroup>> {
    if text.len() < SPLIT_MIN {
        return None;
    }
    let pieces = cut(text, PIECE)?;
    let parsed: Vec<Option<Piece>> = pieces
        .into_par_iter()
        .map(|range| {
            let table = DeTable::parse(&text[range.clone()]).ok()?;
            let names = table
                .get_ref()
                .keys()
                .map(|k| k.get_ref().to_string())
                .collect();
            let mut diagnostics = Vec::new();
            let mut cx = Ctx {
                file,
                text,
                offset: range.start,
                diagnostics: &mut diagnostics,
                keys,
            };
            let groups = super::full::groups(table.get_ref(), &mut cx);
            Some(Piece {
                names,
                groups,
                diagnostics,
            })
        })
        .collect();
    let mut seen = HashSet::new();
    for piece in &parsed {
        let piece = piece.as_ref()?;
        if !piece.names.iter().all(|n| seen.insert(n.as_str())) {
            return None;
        }
    }
    let mut groups = Vec::with_capacity(seen.len());
    for piece in parsed.into_iter().flatten() {
        groups.extend(piece.groups);
        diagnostics.extend(piece.diagnostics);
    }
    diagnostics.extend(toml11::warnings(file, text));
    Some(groups)
}

struct Piece {
    /// Its top-level keys, as the parser decoded them.
    names: Vec<String>,
    groups: Vec<RawGroup>,
    diagnostics: Vec<Diagnostic>,
}

/// Cuts `text` into consecutive ranges of at least `min` bytes (the last
/// may be shorter), each after the first starting at a line that begins a
/// top-level item; `None` when there would be one piece, or when the text
/// does not end in a neutral state (an open string, bracket or brace).
fn cut(text: &str, min: usize) -> Option<Vec<Range<usize>>> {
    let b = text.as_bytes();
    let mut starts = vec![0];
    let mut depth = 0usize;
    let mut seen_header = false;
    let mut i = 0;
    let mut line_start = true;
    while i < b.len() {
        if line_start {
            line_start = false;
            let mut j = i;
            while j < b.len() && matches!(b[j], b' ' | b'\t') {
                j += 1;
            }
            if depth == 0 && j < b.len() {
                let c = b[j];
                let header = c == b'[';
                let key = c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'"' | b'\'');
                let last = *starts.last().unwrap_or(&0);
                if (header || (key && !seen_header)) && i - last >= min {
                    starts.push(i);
                }
                seen_header |= header;
            }
            i = j;
            continue;
        }
        match b[i] {
            b'\n' => {
                line_start = true;
                i += 1;
            }
            b'#' => {
                // A comment runs to the end of the line.
                i = memchr_or_end(b'\n', b, i);
            }
            b'[' | b'{' => {
                depth += 1;
                i += 1;
            }
            b']' | b'}' => {
                depth = depth.checked_sub(1)?;
                i += 1;
            }
            b'"' if b[i..].starts_with(b"\"\"\"") => i = close(b, i + 3, b"\"\"\"", true)?,
            b'\'' if b[i..].starts_with(b"'''") => i = close(b, i + 3, b"'''", false)?,
            b'"' => i = close(b, i + 1, b"\"", true)?,
            b'\'' => i = close(b, i + 1, b"'", false)?,
            _ => i += 1,
        }
    }
    if depth != 0 || starts.len() < 2 {
        return None;
    }
    let mut ranges: Vec<Range<usize>> = starts.windows(2).map(|w| w[0]..w[1]).collect();
    ranges.push(starts[starts.len() - 1]..b.len());
    Some(ranges)
}

/// The offset just past the `end` delimiter that closes a string whose
/// body starts at `from`; in basic strings a backslash escapes the next
/// byte. Single-line strings end at a line break (`None`: not followed).
fn close(b: &[u8], from: usize, end: &[u8], escapes: bool) -> Option<usize> {
    let single = end.len() == 1;
    let mut i = from;
    while i < b.len() {
        match b[i] {
            b'\\' if escapes => i += 2,
            b'\n' if single => return None,
            _ if b[i..].starts_with(end) => {
                // `""""` and `"""""` close with the extra quotes in the body.
                let mut k = i + end.len();
                while !single && k < b.len() && b[k] == end[0] && k - i < end.len() + 2 {
                    k += 1;
                }
                return Some(k);
            }
            _ => i += 1,
        }
    }
    None
}

fn memchr_or_end(needle: u8, b: &[u8], from: usize) -> usize {
    b[from..]
        .iter()
        .position(|&c| c == needle)
        .map_or(b.len(), |p| from + p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use strata_diagnostics::Files;

    /// Parses `text` whole and in pieces of at least `min` bytes; both
    /// must give the same groups and diagnostics.
    fn both(text: &str, min: usize) -> Option<(Vec<RawGroup>, Vec<Diagnostic>)> {
        let mut files = Files::new();
        let file = files.add("hosts.toml", text.to_string());
        let keys = Keys::default();
        let pieces = cut(text, min)?;
        let mut split_diags = Vec::new();
        let parsed: Option<Vec<_>> = pieces
            .iter()
            .map(|r| DeTable::parse(&text[r.clone()]).ok().map(|t| (r.start, t)))
            .collect();
        let parsed = parsed?;
        let mut names = HashSet::new();
        for (_, t) in &parsed {
            for k in t.get_ref().keys() {
                if !names.insert(k.get_ref().to_string()) {
                    return None;
                }
            }
        }
        let mut split = Vec::new();
        for (offset, t) in &parsed {
            let mut cx = Ctx {
                file,
                text,
                offset: *offset,
                diagnostics: &mut split_diags,
                keys: &keys,
            };
            split.extend(crate::hosts::full::groups(t.get_ref(), &mut cx));
        }
        let mut whole_diags = Vec::new();
        let whole = DeTable::parse(text).expect("pieces parse, so the whole must");
        let mut cx = Ctx {
            file,
            text,
            offset: 0,
            diagnostics: &mut whole_diags,
            keys: &keys,
        };
        let whole = crate::hosts::full::groups(whole.get_ref(), &mut cx);
        assert_eq!(split, whole, "{text}");
        assert_eq!(split_diags, whole_diags, "{text}");
        Some((split, split_diags))
    }

    #[test]
    fn cuts_only_where_a_top_level_item_starts() {
        // (text, where pieces start with min = 1)
        let cases: &[(&str, &[usize])] = &[
            ("a = [\"x\"]\nb = [\"y\"]\n", &[0, 10]),
            // Inside a multi-line array: no cut.
            ("a = [\n\"x\",\nb,\n]\nc = []\n", &[0, 16]),
            // After a header, only headers start pieces.
            ("a = []\n[t]\nk = 1\n[u]\n", &[0, 7, 17]),
            // A `[` or a key-looking line inside strings is no cut.
            ("a = \"\"\"\nb = [\n\"\"\"\nc = 1\n", &[0, 18]),
            ("a = '''\n[x]\n'''\nc = 1\n", &[0, 16]),
            ("a = \"x\\\"\" # [\nb = 1\n", &[0, 14]),
            // Indented keys still start lines.
            ("a = 1\n  b = 2\n", &[0, 6]),
        ];
        for (text, want) in cases {
            let got: Vec<usize> = cut(text, 1)
                .map(|r| r.iter().map(|r| r.start).collect())
                .unwrap_or_default();
            assert_eq!(&got, want, "{text:?}");
        }
    }

    #[test]
    fn unfinished_text_is_not_cut() {
        for text in [
            "a = [\nb = 1\n",
            "a = \"x\nb = 1\n",
            "a = 1\n]\nb = 2\n",
            "a = '''\nb = 1\n",
        ] {
            assert_eq!(cut(text, 1), None, "{text:?}");
        }
    }

    #[test]
    fn pieces_parse_to_what_the_whole_parses_to() {
        let texts = [
            "# comment\nweb = [\"w1\", \"w2\"]\ndb = [\"d1\", { name = \"d2\", data = { port = 5 } }]\n",
            "web = [\"w1\"]\n\n[db]\nhosts = [\"d1\"]\ndata = { a = 1 }\n[all]\ndata = { x = \"y\" }\n",
            "web = [\"w[1:3]\", \"@docker/x\"]\n\"quoted name\" = [\"q1\"]\nbad = 1\nalso = [1]\n",
            "web = [\"w1\"]\n[t]\nhosts = [\"x\"]\nvars = 1\n",
        ];
        for text in texts {
            assert!(both(text, 1).is_some(), "{text}");
        }
    }

    #[test]
    fn a_table_built_in_two_pieces_falls_back() {
        // `a` is defined by two pieces: the caller must parse the whole.
        assert!(both("a.b = [\"x\"]\na.c = [\"y\"]\n", 1).is_none());
        assert!(both("[a.b]\nhosts = []\n[a]\nhosts = []\n", 1).is_none());
    }

    #[test]
    fn large_files_take_the_pieces_and_keep_spans_and_diagnostics() {
        let mut text = String::new();
        for g in 0..2000 {
            text.push_str(&format!("g{g} = ["));
            for h in 0..20 {
                text.push_str(&format!("\"h{g}-{h}.example.com\", "));
            }
            text.push_str("]\n");
        }
        text.push_str("broken = 5\n");
        assert!(text.len() > SPLIT_MIN);
        let mut files = Files::new();
        let file = files.add("hosts.toml", text.clone());
        let keys = Keys::default();
        let mut diagnostics = Vec::new();
        let groups = in_pieces(file, &text, &mut diagnostics, &keys).unwrap();
        let (whole, whole_diags) = both(&text, PIECE).unwrap();
        assert_eq!(groups, whole);
        assert_eq!(diagnostics, whole_diags);
        assert_eq!(diagnostics.len(), 1);
        let last = &groups[1999].hosts[19];
        assert_eq!(&text[last.span.range()], "\"h1999-19.example.com\"");
    }

    proptest::proptest! {
        /// The law: whenever every piece parses and no top-level key comes
        /// from two pieces, the whole document parses too, to the same
        /// groups, spans and diagnostics (`both` asserts it). Texts are
        /// lines drawn from tricky fragments: strings holding brackets,
        /// quotes and comment signs, multi-line strings and arrays,
        /// headers, dotted and quoted keys, and broken lines.
        #[test]
        fn pieces_never_read_differently(lines in proptest::collection::vec(0usize..FRAGMENTS.len(), 0..24)) {
            let text: String = lines.iter().map(|&i| FRAGMENTS[i]).collect();
            let _ = both(&text, 1);
        }
    }

    const FRAGMENTS: &[&str] = &[
        "web = [\"w1\", \"w2\"]\n",
        "db = [\"d1\",\n  \"d2\",\n]\n",
        "s = [\"a]b\", 'c[d', \"e#f\"]\n",
        "m = \"\"\"\nx = [\n\"\"\"\n",
        "l = '''\n[t]\n'''\n",
        "q = \"\\\"[\"\n",
        "[t]\n",
        "[t.u]\n",
        "[[arr]]\n",
        "hosts = [\"h1\"]\n",
        "data = { a = 1 }\n",
        "a.b = [\"x\"]\n",
        "\"quoted key\" = [\"y\"]\n",
        "# [comment] = \"\n",
        "\n",
        "  indented = [\"i\"]\n",
        "broken = [\n",
        "]\n",
        "x = { name = \"n\",\n data = {} }\n",
        "web = [\"again\"]\n",
        "e = 5\n",
    ];
}
