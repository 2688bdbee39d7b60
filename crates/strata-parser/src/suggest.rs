//! Did-you-mean suggestions.
//!
//! Names are compared the way a person reads them: `WEB1` and `web1`, or a
//! composed `é` and an `e` followed by a combining accent, are the same name
//! with a different spelling, and `web1` is the short name of
//! `web1.example.com`. Only then are typos (edit distance) considered.

use strata_diagnostics::{Edit, Fix, Span};
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
    closest_and_sole(word, candidates).map(|(c, _)| c)
}

/// [`closest`], only when no other candidate is as close by the same rule:
/// the suggestion a tool may apply without asking (a fix), where
/// [`closest`]'s is only offered to a person.
///
/// ```
/// use strata_parser::{closest, sole_closest};
/// assert_eq!(sole_closest("webb", ["web", "db"]), Some("web"));
/// // `webs` is one edit away too.
/// assert_eq!(closest("webb", ["web", "webs"]), Some("web"));
/// assert_eq!(sole_closest("webb", ["web", "webs"]), None);
/// ```
pub fn sole_closest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    closest_and_sole(word, candidates).and_then(|(c, sole)| sole.then_some(c))
}

/// [`closest`], and whether it is the only candidate that close by its
/// rule (a name equal up to case and normalization is taken as the only
/// one): one pass for both the help line and the fix.
pub fn closest_and_sole<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<(&'a str, bool)> {
    let folded = fold(word);
    let limit = (folded.chars().count() / 3).max(1);
    let mut short: Option<(&str, bool)> = None;
    let mut best: Option<(usize, &str, bool)> = None;
    for c in candidates {
        let fc = fold(c);
        if fc == folded {
            return Some((c, true));
        }
        if fc.split_once('.').is_some_and(|(head, _)| head == folded) {
            match &mut short {
                None => short = Some((c, true)),
                Some((_, sole)) => *sole = false,
            }
        }
        // Edit distance is quadratic in the lengths (time and memory):
        // names much longer or shorter than the limit allows cannot be
        // within it, and very long names are not typed by hand.
        if fc.len().abs_diff(folded.len()) > limit * 4 || fc.len().max(folded.len()) > MAX_TYPO_LEN
        {
            continue;
        }
        let d = strsim::damerau_levenshtein(&folded, &fc);
        if d > limit {
            continue;
        }
        match &mut best {
            Some((b, _, sole)) if d == *b => *sole = false,
            Some((b, _, _)) if d > *b => {}
            _ => best = Some((d, c, true)),
        }
    }
    short.or(best.map(|(_, c, sole)| (c, sole)))
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

/// The fix that writes `meant` where `written` is, at `span`, whose source
/// text is `source`: a TOML key or string (JSON's too) written plainly,
/// bare (`hots`) or quoted without escapes (`"hots"`, `'hots'`). `None`
/// for anything else (a dotted key, an escape), where a replacement of the
/// span might not say `meant`.
///
/// ```
/// use strata_diagnostics::{Files, Span};
/// use strata_parser::name_fix;
///
/// let mut files = Files::new();
/// let f = files.add("strata.toml", "[merge]\npackages = \"uniqe\"\n".into());
/// let fix = name_fix(Span::new(f, 19..26), "\"uniqe\"", "uniqe", "unique").unwrap();
/// assert_eq!(fix.title, "Replace `uniqe` with `unique`");
/// assert_eq!(
///     fix.apply_to(f, files.get(f).text()).as_deref(),
///     Some("[merge]\npackages = \"unique\"\n")
/// );
/// assert!(name_fix(Span::new(f, 0..1), "\"uni\\u0071e\"", "uniqe", "unique").is_none());
/// ```
pub fn name_fix(span: Span, source: &str, written: &str, meant: &str) -> Option<Fix> {
    let bare = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    };
    let quotable = !meant
        .chars()
        .any(|c| c == '"' || c == '\\' || c.is_control());
    let text = if source == written && bare(written) {
        if bare(meant) {
            meant.to_string()
        } else if quotable {
            format!("\"{meant}\"")
        } else {
            return None;
        }
    } else if (source == format!("\"{written}\"") && !written.contains('\\'))
        || source == format!("'{written}'")
    {
        if !quotable {
            return None;
        }
        format!("\"{meant}\"")
    } else {
        return None;
    };
    Some(
        Fix::new(format!("Replace `{written}` with `{meant}`"))
            .with_edit(Edit::Replace { span, text }),
    )
}

/// `"did you mean `x`?"` for the closest candidate.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    closest(word, candidates).map(suggestion)
}

/// `"did you mean `x`?"`, for a suggestion `x` found otherwise.
pub fn suggestion(name: &str) -> String {
    format!("did you mean `{name}`?")
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

    #[test]
    fn sole_suggestions() {
        let cases: &[(&str, &[&str], Option<&str>)] = &[
            ("host", &["hosts", "data"], Some("hosts")),
            ("webb", &["web", "webs"], None),
            // a tie, and a sole one among farther candidates
            ("webb", &["wexx", "webx", "web"], None),
            ("webbb", &["webxx", "webb"], Some("webb")),
            // two short names
            ("web1", &["web1.a.com", "web1.b.com"], None),
            ("web1", &["web1.a.com", "web2"], Some("web1.a.com")),
            // the same name up to case
            ("WEB", &["web", "wab"], Some("web")),
        ];
        for (word, candidates, want) in cases {
            assert_eq!(
                sole_closest(word, candidates.iter().copied()),
                *want,
                "{word}"
            );
        }
    }
}
