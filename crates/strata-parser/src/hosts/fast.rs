//! A fast path for the commonest `hosts.toml`: top-level arrays of plain
//! host names and nothing else, as a large generated inventory is written:
//!
//! ```toml
//! # comment
//! web = ["web1.example.com", "web2.example.com"]
//! db = [
//!     "db1.example.com",  # primary
//! ]
//! ```
//!
//! The toml crate's spanned parser builds a token list and a tree for the
//! whole document before [`super::full::groups`] converts it: at 250,000
//! entries that was most of the work of a command about one host. This
//! scan reads that subset straight into groups, with the same spans, and
//! gives up (`None`) at the first byte outside it, so that the full parser
//! decides everything else, errors included. What the subset allows:
//!
//! - lines of blanks (space, tab) and comments;
//! - `key = [ ... ]` with a bare key (`A-Za-z0-9_-`), each key once;
//! - in the array, basic strings (`"..."`) without escapes or control
//!   characters, separated by commas, with blanks, comments and line breaks
//!   between them and an optional trailing comma;
//! - comments without control characters (tab aside); `\n` line breaks
//!   only (`\r` gives up).
//!
//! Such a document has nothing the TOML 1.1 scan warns about (no inline
//! table, escape or time), and no entry or group that
//! [`super::full::groups`] reports: it gives exactly these groups and no
//! diagnostic. A differential test holds the two paths to that.

use crate::model::{GroupShape, RawGroup, RawHost};
use strata_diagnostics::{FileId, Span};

/// Documents over twice this size are scanned in pieces of about this
/// size, on all cores.
const PIECE: usize = 256 * 1024;

/// The groups of `text` when it is in the subset, else `None`.
///
/// A large document is cut at lines that start with a key (in the subset,
/// a line inside an array never does) and the pieces are scanned on all
/// cores, the calling thread included, each with the spans of the whole
/// text. When a piece is not in the subset, or a key is in two pieces, the
/// whole text is scanned at once, which decides.
pub(crate) fn plain_arrays(file: FileId, text: &str) -> Option<Vec<RawGroup>> {
    if text.len() < 2 * PIECE {
        return scan(file, text, 0);
    }
    let cuts = cuts(text);
    let pieces = cuts.len() - 1;
    let next = std::sync::atomic::AtomicUsize::new(0);
    let done: Vec<std::sync::OnceLock<Option<Vec<RawGroup>>>> =
        (0..pieces).map(|_| std::sync::OnceLock::new()).collect();
    let work = || {
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if i >= pieces {
                break;
            }
            let _ = done[i].set(scan(file, &text[..cuts[i + 1]], cuts[i]));
        }
    };
    rayon::in_place_scope(|scope| {
        for _ in 1..rayon::current_num_threads().min(pieces) {
            scope.spawn(|_| work());
        }
        work();
    });
    let mut groups = Vec::new();
    let mut names = std::collections::HashSet::new();
    for piece in done {
        let Some(Some(piece)) = piece.into_inner() else {
            return scan(file, text, 0);
        };
        for g in piece {
            if !names.insert(g.name.clone()) {
                return scan(file, text, 0);
            }
            groups.push(g);
        }
    }
    Some(groups)
}

/// Where the pieces of `text` start (0 first), and its length last: about
/// every [`PIECE`] bytes, at the next line that starts with a key's byte.
fn cuts(text: &str) -> Vec<usize> {
    let b = text.as_bytes();
    let mut cuts = vec![0];
    let mut at = PIECE;
    while at < b.len() {
        match b[at..].iter().position(|&c| c == b'\n') {
            Some(nl) if b.get(at + nl + 1).is_some_and(|&c| bare(c)) => {
                cuts.push(at + nl + 1);
                at += nl + 1 + PIECE;
            }
            Some(nl) => at += nl + 1,
            None => break,
        }
    }
    cuts.push(b.len());
    cuts
}

/// The groups of `text` from `start` (the start of a line) to its end,
/// when they are in the subset, with spans in `text`.
fn scan(file: FileId, text: &str, start: usize) -> Option<Vec<RawGroup>> {
    let b = text.as_bytes();
    let mut groups: Vec<RawGroup> = Vec::new();
    let mut names = std::collections::HashSet::new();
    let mut room = Vec::new();
    let mut i = start;
    loop {
        i = blanks(b, i);
        match b.get(i) {
            None => break,
            Some(b'\n') => i += 1,
            Some(b'#') => i = comment(b, i)?,
            Some(&c) if bare(c) => {
                let start = i;
                while b.get(i).is_some_and(|&c| bare(c)) {
                    i += 1;
                }
                let name = &text[start..i];
                i = blanks(b, i);
                if b.get(i) != Some(&b'=') {
                    return None;
                }
                i = blanks(b, i + 1);
                if b.get(i) != Some(&b'[') {
                    return None;
                }
                let (hosts, end) = array(file, text, i + 1, &mut room)?;
                i = blanks(b, end);
                match b.get(i) {
                    None | Some(b'\n') => {}
                    Some(b'#') => i = comment(b, i)?,
                    Some(_) => return None,
                }
                // A key twice is an error for the full parser to report.
                if !names.insert(name) {
                    return None;
                }
                groups.push(RawGroup {
                    name: name.to_string(),
                    name_span: Span::new(file, start..start + name.len()),
                    shape: GroupShape::Array,
                    hosts,
                    has_hosts: true,
                    data: None,
                    children: Vec::new(),
                    broken: false,
                    broken_hosts: Vec::new(),
                    hosts_unread: false,
                });
            }
            Some(_) => return None,
        }
    }
    Some(groups)
}

fn bare(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

fn blanks(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    i
}

/// Skips the comment at `i` (a `#`), up to the line break (not included).
fn comment(b: &[u8], mut i: usize) -> Option<usize> {
    i += 1;
    while let Some(&c) = b.get(i) {
        match c {
            b'\n' => break,
            b'\t' => {}
            // Control characters: the full parser decides.
            0..=0x1f | 0x7f => return None,
            _ => {}
        }
        i += 1;
    }
    Some(i)
}

/// Blanks, line breaks and comments inside an array.
fn gaps(b: &[u8], mut i: usize) -> Option<usize> {
    loop {
        match b.get(i) {
            Some(b' ' | b'\t' | b'\n') => i += 1,
            Some(b'#') => i = comment(b, i)?,
            _ => return Some(i),
        }
    }
}

/// Bytes a plain basic string may hold: anything but `"`, `\` and control
/// characters (tab included, to keep the subset small).
static PLAIN: [bool; 256] = {
    let mut t = [true; 256];
    let mut c = 0;
    while c < 0x20 {
        t[c] = false;
        c += 1;
    }
    t[0x7f] = false;
    t[b'"' as usize] = false;
    t[b'\\' as usize] = false;
    t
};

/// The array whose `[` is just before `i`: its host entries and the offset
/// after its `]`. `hosts` is room to gather them in.
fn array(
    file: FileId,
    text: &str,
    mut i: usize,
    hosts: &mut Vec<RawHost>,
) -> Option<(Vec<RawHost>, usize)> {
    let b = text.as_bytes();
    hosts.clear();
    loop {
        i = gaps(b, i)?;
        match b.get(i)? {
            b']' => return Some((exact(hosts), i + 1)),
            b'"' => {
                let start = i;
                i += 1;
                while PLAIN[*b.get(i)? as usize] {
                    i += 1;
                }
                if b[i] != b'"' {
                    return None;
                }
                i += 1;
                hosts.push(RawHost {
                    name: text[start + 1..i - 1].into(),
                    span: Span::new(file, start..i),
                    data: None,
                });
                i = gaps(b, i)?;
                match b.get(i)? {
                    b',' => i += 1,
                    b']' => return Some((exact(hosts), i + 1)),
                    _ => return None,
                }
            }
            _ => return None,
        }
    }
}

/// The entries in a vector of their exact size (250,000 of them are alive
/// until the groups are expanded), moved out of `hosts`, the room they
/// were gathered in and that the next array reuses: one allocation per
/// array rather than a growth by doubling and a shrink.
fn exact(hosts: &mut Vec<RawHost>) -> Vec<RawHost> {
    let mut out = Vec::with_capacity(hosts.len());
    out.append(hosts);
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use strata_diagnostics::Files;

    /// The full parser's answer: (groups, diagnostics' messages, ok).
    fn full(text: &str) -> (Vec<crate::model::RawGroup>, Vec<String>, bool) {
        let mut files = Files::new();
        let file = files.add("hosts.toml", text.to_string());
        let mut diagnostics = Vec::new();
        let (groups, ok) = crate::convert::parse_file(
            file,
            text,
            &mut diagnostics,
            &crate::convert::Keys::default(),
            crate::hosts::full::groups,
        );
        let messages = diagnostics.iter().map(|d| d.message.clone()).collect();
        (groups, messages, ok)
    }

    /// When the fast path answers, the full parser gives the same groups,
    /// no diagnostic, and success.
    fn same(text: &str) -> bool {
        let file = strata_diagnostics::FileId::from_index(0);
        match super::plain_arrays(file, text) {
            Some(groups) => {
                let (want, diagnostics, ok) = full(text);
                assert!(ok, "{text:?}: the full parser failed: {diagnostics:?}");
                assert!(diagnostics.is_empty(), "{text:?}: {diagnostics:?}");
                assert_eq!(groups, want, "{text:?}");
                true
            }
            None => false,
        }
    }

    #[test]
    fn the_subset_is_read_as_the_full_parser_reads_it() {
        let yes = [
            "",
            "\n\n",
            "# only a comment",
            "web = []",
            "web = [\"w1\"]",
            "web = [\"w1\", \"w2\"]\n",
            "web=[\"w1\",\"w2\",]\n",
            "  web\t=  [ \"w1\" ,\n\t\"w2\" # two\n, ] # end\ndb = [\"d1\"]\n",
            "web = [\n  # first\n  \"w1\",\n\n  \"w2\",\n]\n",
            "all = [\"a\", \"b\"]\nweb = [\"a\"]\n",
            "web = [\"\"]\n",
            "web = [\"w[1:3]\", \"@ssh/10.0.0.5\", \"caf\u{e9}\", \"a b\"]\n",
            "a-b_C9 = [\"x\"]\n# \u{e9}t\u{e9} \u{1F600}\n",
            "web = [\"w1\"] # comment: with a colon 07:32 and { brace\n",
            "1 = [\"x\"]\n",
        ];
        for text in yes {
            assert!(same(text), "{text:?} should take the fast path");
        }
        // Outside the subset: the full parser decides.
        let no = [
            "web = [\"w1\"]\r\n",
            "web = [\"w\\u0031\"]\n",
            "web = ['w1']\n",
            "web = [\"w1\"] x\n",
            "web = [\"w1\"\n",
            "web = [\"w1\" \"w2\"]\n",
            "web = [,]\n",
            "web = [\"w1\",,]\n",
            "web = [\"w1\"]\nweb = [\"w2\"]\n",
            "\"web\" = [\"w1\"]\n",
            "web.x = [\"w1\"]\n",
            "[web]\nhosts = [\"w1\"]\n",
            "web = [{ name = \"w1\" }]\n",
            "web = \"w1\"\n",
            "web = [\"w\tx\"]\n",
            "web = [\"w1\"] # bell \u{7}\n",
            "web = [\"w1\"]\n\u{feff}",
            "\u{feff}web = [\"w1\"]\n",
            "web = [\"w1\"]web2 = []\n",
            "caf\u{e9} = [\"w1\"]\n",
            "web = [[\"w1\"]]\n",
            "web =\n[\"w1\"]\n",
        ];
        for text in no {
            assert!(!same(text), "{text:?} should take the full parser");
        }
    }

    /// Bits of TOML, in and out of the subset.
    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("\n".to_string()),
            Just(" ".to_string()),
            Just("\t".to_string()),
            Just("#c".to_string()),
            Just("# x\u{7} \n".to_string()),
            Just("=".to_string()),
            Just("[".to_string()),
            Just("]".to_string()),
            Just(",".to_string()),
            Just("\"".to_string()),
            Just(".".to_string()),
            Just("\r\n".to_string()),
            Just("'x'".to_string()),
            Just("{ a = 1 }".to_string()),
            Just("\\".to_string()),
            Just("\u{e9}".to_string()),
            "[a-z][a-z0-9_-]{0,3}",
            "\"[a-z0-9.@/: \u{e9}\\[\\]-]{0,6}\"",
        ]
    }

    /// A document of the subset: groups of names, with blanks, comments,
    /// line breaks and trailing commas here and there.
    fn document() -> impl Strategy<Value = String> {
        prop::collection::vec(
            (
                "[a-z][a-z0-9_-]{0,5}",
                prop::collection::vec("[a-z0-9.@/:\u{e9} -]{0,8}", 0..5),
                prop_oneof![Just(""), Just(" "), Just("\t"), Just("  ")],
                prop_oneof![Just(", "), Just(","), Just(",\n  "), Just(" , # c\n")],
                any::<bool>(),
                prop_oneof![Just(""), Just(" # end"), Just("\n# line\n"), Just("\n\n")],
            ),
            0..6,
        )
        .prop_map(|groups| {
            let mut text = String::new();
            let mut seen = std::collections::HashSet::new();
            for (name, hosts, blank, sep, trailing, after) in &groups {
                if !seen.insert(name.clone()) {
                    continue;
                }
                let quoted: Vec<String> = hosts.iter().map(|h| format!("\"{h}\"")).collect();
                let comma = if *trailing && !hosts.is_empty() {
                    ","
                } else {
                    ""
                };
                text.push_str(&format!(
                    "{blank}{name}{blank}={blank}[{}{comma}]{after}\n",
                    quoted.join(sep)
                ));
            }
            text
        })
    }

    /// A document of `groups` groups of `hosts` names each, some arrays on
    /// several lines: over a megabyte, so scanned in pieces.
    fn big(groups: usize, hosts: usize) -> String {
        let mut text = String::from("# big\n");
        for g in 0..groups {
            let names: Vec<String> = (0..hosts)
                .map(|h| format!("\"h{g}x{h}.example.com\""))
                .collect();
            if g % 3 == 0 {
                text.push_str(&format!("g{g} = [\n  {},\n]\n", names.join(",\n  ")));
            } else {
                text.push_str(&format!("g{g} = [{}] # {g}\n", names.join(", ")));
            }
        }
        text
    }

    #[test]
    fn pieces_read_as_the_whole() {
        let file = strata_diagnostics::FileId::from_index(0);
        let text = big(600, 100);
        assert!(text.len() > 4 * super::PIECE, "{}", text.len());
        assert!(super::cuts(&text).len() > 4);
        let whole = super::scan(file, &text, 0).expect("in the subset");
        assert_eq!(super::plain_arrays(file, &text), Some(whole));
        // Out of the subset somewhere, or a key in two pieces: what the
        // whole scan says, which is no.
        let at = text.len() / 2;
        let mut spoiled = Vec::new();
        let mut s = text.clone();
        s.insert_str(at + text[at..].find('\n').unwrap() + 1, "x = 'y'\n");
        spoiled.push(s);
        let mut s = text.clone();
        s.push_str("g1 = [\"again\"]\n");
        spoiled.push(s);
        let mut s = text.clone();
        // A line starting with a key's byte inside an array, near a cut.
        let cut = super::cuts(&text)[2];
        let open = text[..cut].rfind("= [\n").unwrap();
        s.insert_str(open + 4, "bare\n");
        spoiled.push(s);
        for s in &spoiled {
            assert_eq!(super::scan(file, s, 0), None);
            assert_eq!(super::plain_arrays(file, s), None);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn the_subset_always_takes_the_fast_path(text in document()) {
            prop_assert!(same(&text), "{:?}", text);
        }

        /// Near misses: a document of the subset with a few bytes inserted
        /// or removed. Either path may answer, but never differently.
        #[test]
        fn never_differs_from_the_full_parser(
            text in document(),
            edits in prop::collection::vec((any::<prop::sample::Index>(), prop::option::of(piece())), 1..4),
        ) {
            let mut text = text;
            for (at, edit) in edits {
                let mut at = at.index(text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                match edit {
                    Some(piece) => text.insert_str(at, &piece),
                    None if at < text.len() => {
                        text.remove(at);
                    }
                    None => {}
                }
            }
            same(&text);
        }
    }
}
