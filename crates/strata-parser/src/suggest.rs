//! Did-you-mean suggestions.

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(word, c);
        if score >= 0.8 && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

/// `"did you mean `x`?"` for the closest candidate.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
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
            ("webserver", &["webservers", "databases"], Some("webservers")),
            ("zzz", &["webservers", "databases"], None),
        ];
        for (word, candidates, want) in cases {
            assert_eq!(closest(word, candidates.iter().copied()), *want, "{word}");
        }
    }
}
