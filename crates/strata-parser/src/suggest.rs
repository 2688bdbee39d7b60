//! Did-you-mean suggestions.

/// The candidate closest to `word` (fewest edits, transpositions counting
/// as one), if it is close enough to be a likely typo: at most a third of
/// the word's length, and at least one edit allowed. Ties go to the first.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = strsim::damerau_levenshtein(word, c);
        if d <= limit && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
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
        ];
        for (word, candidates, want) in cases {
            assert_eq!(closest(word, candidates.iter().copied()), *want, "{word}");
        }
    }
}
