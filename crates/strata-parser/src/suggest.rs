//! Did-you-mean suggestions.
//!
//! Names are compared the way a person reads them: `WEB1` and `web1`, or a
//! composed `é` and an `e` followed by a combining accent, are the same name
//! with a different spelling, and `web1` is the short name of
//! `web1.example.com`. Only then are typos (edit distance) considered.

use unicode_normalization::UnicodeNormalization;

/// Names longer than this (in bytes) get no edit-distance suggestion.
const MAX_TYPO_LEN: usize = 256;

/// `name` folded for comparison: Unicode NFC, then lower case.
fn fold(name: &str) -> String {
    name.nfc().flat_map(char::to_lowercase).collect()
}

/// The candidate closest to `word`, if it is close enough to be a likely
/// mistake, by the first rule that finds one:
///
/// 1. the same name up to case and Unicode normalization;
/// 2. a candidate whose short name (the part before the first `.`) is
///    `word` (`web1` for `web1.example.com`);
/// 3. the fewest edits (transpositions count as one, case and normalization
///    are ignored), at most a third of the word's length and at least one.
///
/// Ties go to the first candidate.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let folded = fold(word);
    let limit = (folded.chars().count() / 3).max(1);
    let mut short: Option<&str> = None;
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let fc = fold(c);
        if fc == folded {
            return Some(c);
        }
        if short.is_none() && fc.split_once('.').is_some_and(|(head, _)| head == folded) {
            short = Some(c);
        }
        // Edit distance is quadratic in the lengths (time and memory):
        // names much longer or shorter than the limit allows cannot be
        // within it, and very long names are not typed by hand.
        if fc.len().abs_diff(folded.len()) > limit * 4 || fc.len().max(folded.len()) > MAX_TYPO_LEN
        {
            continue;
        }
        let d = strsim::damerau_levenshtein(&folded, &fc);
        if d <= limit && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, c));
        }
    }
    short.or(best.map(|(_, c)| c))
}

/// What sets `written` apart from `meant` when they look the same: a
/// sentence for a help line, or `None` when the difference is visible.
///
/// ```
/// use strata_parser::spelling_note;
/// assert!(spelling_note("WEB1", "web1").unwrap().contains("case"));
/// assert!(spelling_note("cafe\u{301}", "caf\u{e9}").unwrap().contains("normalization"));
/// assert_eq!(spelling_note("webb", "web"), None);
/// ```
pub fn spelling_note(written: &str, meant: &str) -> Option<&'static str> {
    if written == meant || fold(written) != fold(meant) {
        return None;
    }
    let same_letters = written.nfc().eq(meant.nfc());
    Some(if same_letters {
        "The two names look alike but are encoded differently (Unicode normalization: a composed `é` against `e` followed by a combining accent, as some editors and macOS file names write it): rename the file by typing its name again."
    } else {
        "The names differ only in letter case, and names are case-sensitive."
    })
}

/// `"did you mean `x`?"` for the closest candidate.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    closest(word, candidates).map(|c| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let cases: &[(&str, &[&str], Option<&str>)] = &[
            ("dta", &["hosts", "data"], Some("data")),
            ("host", &["hosts", "data"], Some("hosts")),
            (
                "webserver",
                &["webservers", "databases"],
                Some("webservers"),
            ),
            ("zzz", &["webservers", "databases"], None),
            ("wbe", &["web1", "web"], Some("web")),
            ("prd", &["web", "prod"], Some("prod")),
            // case and Unicode normalization
            ("WEB1", &["web2", "web1"], Some("web1")),
            (
                "Web1.Example.COM",
                &["web1.example.com"],
                Some("web1.example.com"),
            ),
            ("cafe\u{301}", &["cafés", "caf\u{e9}"], Some("caf\u{e9}")),
            ("caf\u{e9}", &["cafe\u{301}"], Some("cafe\u{301}")),
            // short names
            (
                "web1",
                &["web10.example.com", "web1.example.com"],
                Some("web1.example.com"),
            ),
            (
                "db",
                &["web1.example.com", "db.internal"],
                Some("db.internal"),
            ),
            // a short name wins over a one-letter typo
            (
                "web1",
                &["web2", "web1.example.com"],
                Some("web1.example.com"),
            ),
        ];
        for (word, candidates, want) in cases {
            assert_eq!(closest(word, candidates.iter().copied()), *want, "{word}");
        }
    }
}
