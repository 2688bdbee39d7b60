//! Limits: choosing hosts by group, name, glob or regular expression.
//!
//! A limit is one or more patterns; each pattern is a comma-separated list of
//! terms. Plain terms are united, then `&term` intersects and `!term`
//! removes. A pattern made only of `&`/`!` terms starts from every host.
//! Several patterns (repeated `--limit`) are united.
//!
//! Inside a term, `&` and `!` also start a new term, as they do after
//! Ansible's `:` separator: `web&prod` is `web,&prod` and `web!web3` is
//! `web,!web3` — unless the whole term is the name of a group or host
//! (names may hold `&` and `!`). `&` and `!` inside `[...]` or `{...}` belong
//! to the glob (`web[!3]`), and a `~regex` runs to the next comma.

use globset::{GlobBuilder, GlobMatcher};
use regex::Regex;

use crate::inventory::{Host, Inventory};

/// Why a limit could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    /// A term matches no group and no host.
    #[error("the limit term `{term}` matches no group or host{}", match (ansible, suggestion) {
        (Some(a), _) => format!("; Ansible's `:` separators are commas in strata: `{a}`"),
        (None, Some(s)) => format!("; did you mean `{s}`?"),
        (None, None) => String::new(),
    })]
    NoMatch {
        /// The term as written (without `&`/`!`).
        term: String,
        /// The nearest group or host name.
        suggestion: Option<String>,
        /// When the term is Ansible's pattern syntax (`web:&db`, `web:!web1`)
        /// whose parts all match: the same limit in strata's syntax (`web,&db`).
        ansible: Option<String>,
    },
    /// A `~regex` term is not a valid regular expression.
    #[error("the limit term `~{pattern}` is not a valid regular expression: {message}")]
    Regex {
        /// The expression.
        pattern: String,
        /// What is wrong with it.
        message: String,
    },
    /// A glob term is malformed.
    #[error("the limit term `{pattern}` is not a valid glob: {message}")]
    Glob {
        /// The glob.
        pattern: String,
        /// What is wrong with it.
        message: String,
    },
    /// A pattern has an empty term (`web,,db` or a lone `!`).
    #[error("the limit `{pattern}` has an empty term")]
    Empty {
        /// The whole pattern.
        pattern: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Add,
    And,
    Not,
}

#[derive(Debug, Clone)]
enum Matcher {
    All,
    /// A group or host name; groups are tried first.
    Name(String),
    Glob(GlobMatcher),
    Regex(Regex),
}

#[derive(Debug, Clone)]
struct Term {
    op: Op,
    text: String,
    matcher: Matcher,
    /// For the parts of a term split at an inner `&`/`!` (`web&prod`): the
    /// whole term (its operator and text), which is used instead of the
    /// parts when it is the exact name of a group or host.
    whole: Option<(Op, String)>,
}

/// A parsed limit, ready to [`Inventory::select_limit`].
#[derive(Debug, Clone)]
pub struct Limit {
    patterns: Vec<Vec<Term>>,
}

/// Splits one comma-separated term at the `&` and `!` that start a new term:
/// not the leading operator, not inside `[...]` or `{...}` (globs), not after
/// a `~` that starts a regular expression, and not right after another
/// operator (`web&!db` is `web`, `&!db`, which is refused as a term `!db`
/// would be, rather than a silent guess).
fn split_operators(term: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut square, mut curly, mut start) = (0usize, 0usize, 0usize);
    let bytes = term.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let piece_start = i == start || (i == start + 1 && matches!(bytes[start], b'&' | b'!'));
        if piece_start && c == b'~' {
            // A regular expression: the rest of the term is its own.
            break;
        }
        match c {
            b'\\' => i += 1, // an escaped character (globs) is never an operator
            b'[' => square += 1,
            b']' => square = square.saturating_sub(1),
            b'{' => curly += 1,
            b'}' => curly = curly.saturating_sub(1),
            b'&' | b'!' if square == 0 && curly == 0 && !piece_start => {
                out.push(&term[start..i]);
                start = i;
            }
            _ => {}
        }
        i += 1;
    }
    out.push(&term[start..]);
    out
}

/// Splits on commas outside `{...}` (globs and regexes use braces for their own commas).
fn split_terms(pattern: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in pattern.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                out.push(&pattern[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&pattern[start..]);
    out
}

fn is_glob(s: &str) -> bool {
    s.contains(['*', '?', '[', '{'])
}

/// A term's leading operator and the rest.
fn split_op(raw: &str) -> (Op, &str) {
    match raw.as_bytes().first() {
        Some(b'&') => (Op::And, &raw[1..]),
        Some(b'!') => (Op::Not, &raw[1..]),
        _ => (Op::Add, raw),
    }
}

/// The matcher of a term's text (without its operator).
fn matcher(text: &str) -> Result<Matcher, LimitError> {
    Ok(if text == "all" || text == "*" {
        Matcher::All
    } else if let Some(re) = text.strip_prefix('~') {
        Matcher::Regex(
            Regex::new(&format!("^(?:{re})")).map_err(|e| LimitError::Regex {
                pattern: re.to_string(),
                message: e.to_string(),
            })?,
        )
    } else if is_glob(text) {
        let glob = GlobBuilder::new(text)
            .literal_separator(false)
            .backslash_escape(true)
            .build()
            .map_err(|e| LimitError::Glob {
                pattern: text.to_string(),
                message: e.kind().to_string(),
            })?;
        Matcher::Glob(glob.compile_matcher())
    } else {
        Matcher::Name(text.to_string())
    })
}

impl Limit {
    /// Parses one or more patterns (each like `web,&prod,!web3*`).
    pub fn parse<S: AsRef<str>>(patterns: &[S]) -> Result<Limit, LimitError> {
        let mut out = Vec::with_capacity(patterns.len());
        for p in patterns {
            let p = p.as_ref();
            let mut terms = Vec::new();
            for raw in split_terms(p) {
                let raw = raw.trim();
                let pieces = split_operators(raw);
                let whole = (pieces.len() > 1).then(|| {
                    let (op, text) = split_op(raw);
                    (op, text.to_string())
                });
                for piece in pieces {
                    let (op, text) = split_op(piece);
                    if text.is_empty() {
                        return Err(LimitError::Empty {
                            pattern: p.to_string(),
                        });
                    }
                    terms.push(Term {
                        op,
                        text: text.to_string(),
                        matcher: matcher(text)?,
                        whole: whole.clone(),
                    });
                }
            }
            out.push(terms);
        }
        Ok(Limit { patterns: out })
    }

    /// True when the limit has no pattern (it selects every host).
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }
}

impl Inventory {
    /// The hosts selected by one pattern, in inventory order.
    ///
    /// ```
    /// let inv = strata_resolver::Inventory::builder()
    ///     .group("web", ["web1", "web2", "web3"])
    ///     .group("db", ["db1"])
    ///     .build()
    ///     .unwrap();
    /// let names: Vec<_> = inv.select("web,db,!web3*").unwrap().iter().map(|h| h.name()).collect();
    /// assert_eq!(names, ["web1", "web2", "db1"]);
    /// assert!(inv.select("wbe").is_err()); // did you mean `web`?
    /// ```
    pub fn select(&self, pattern: &str) -> Result<Vec<Host<'_>>, LimitError> {
        self.select_limit(&Limit::parse(&[pattern])?)
    }

    /// The hosts selected by a parsed limit, in inventory order. An empty
    /// limit selects every host.
    pub fn select_limit(&self, limit: &Limit) -> Result<Vec<Host<'_>>, LimitError> {
        if limit.is_empty() {
            return Ok(self.hosts().collect());
        }
        let n = self.hosts.len();
        let mut selected = vec![false; n];
        for terms in &limit.patterns {
            let terms = &self.names_first(terms);
            let only_filters = terms.iter().all(|t| t.op != Op::Add);
            let mut set = vec![only_filters; n];
            for t in terms.iter().filter(|t| t.op == Op::Add) {
                for id in self.matching(t)? {
                    set[id] = true;
                }
            }
            for t in terms.iter().filter(|t| t.op == Op::And) {
                let mut keep = vec![false; n];
                for id in self.matching(t)? {
                    keep[id] = true;
                }
                set.iter_mut().zip(keep).for_each(|(s, k)| *s &= k);
            }
            for t in terms.iter().filter(|t| t.op == Op::Not) {
                for id in self.matching(t)? {
                    set[id] = false;
                }
            }
            selected.iter_mut().zip(set).for_each(|(s, k)| *s |= k);
        }
        Ok(selected
            .iter()
            .enumerate()
            .filter(|(_, s)| **s)
            .map(|(i, _)| self.host_by_id(i as u32))
            .collect())
    }

    /// The terms of one pattern, where the parts of a term split at an inner
    /// `&`/`!` are put back together when the whole term is the exact name
    /// of a group or host (`a&b` naming a host `a&b`).
    fn names_first(&self, terms: &[Term]) -> Vec<Term> {
        let mut out: Vec<Term> = Vec::with_capacity(terms.len());
        for t in terms {
            let Some((op, whole)) = &t.whole else {
                out.push(t.clone());
                continue;
            };
            if self.group(whole).is_none() && self.host(whole).is_none() {
                out.push(t.clone());
            } else if !out
                .last()
                .is_some_and(|last| last.whole == t.whole && last.text == *whole)
            {
                out.push(Term {
                    op: *op,
                    text: whole.clone(),
                    matcher: Matcher::Name(whole.clone()),
                    whole: t.whole.clone(),
                });
            }
        }
        out
    }

    /// Indexes of the hosts whose name satisfies `pred`.
    fn hosts_where(&self, pred: impl Fn(&str) -> bool) -> Vec<usize> {
        (0..self.hosts.len())
            .filter(|&i| pred(self.host_index.name(i)))
            .collect()
    }

    fn matching(&self, t: &Term) -> Result<Vec<usize>, LimitError> {
        let ids: Vec<usize> = match &t.matcher {
            Matcher::All => (0..self.hosts.len()).collect(),
            Matcher::Name(name) => {
                if let Some(g) = self.group(name) {
                    g.hosts().map(|h| h.index()).collect()
                } else if let Some(h) = self.host(name) {
                    vec![h.index()]
                } else {
                    Vec::new()
                }
            }
            Matcher::Glob(g) => self.hosts_where(|name| g.is_match(name)),
            Matcher::Regex(r) => self.hosts_where(|name| r.is_match(name)),
        };
        if ids.is_empty() && !matches!(t.matcher, Matcher::All) {
            let names = self
                .groups
                .iter()
                .map(|g| g.name.as_str())
                .chain(self.host_index.names());
            // `web:&db` was split at `&`: the hint is about the whole term.
            let (term, ansible) = match &t.whole {
                Some((_, whole)) => match self.ansible_form(whole) {
                    Some(a) => (whole.clone(), Some(a)),
                    None => (t.text.clone(), None),
                },
                None => (t.text.clone(), self.ansible_form(&t.text)),
            };
            return Err(LimitError::NoMatch {
                suggestion: strata_parser::closest(&term, names).map(str::to_string),
                term,
                ansible,
            });
        }
        Ok(ids)
    }

    /// `web:&db` (Ansible's pattern syntax) as `web,&db`, when every part
    /// of it matches something.
    fn ansible_form(&self, text: &str) -> Option<String> {
        if !text.contains(':') || text.starts_with('~') {
            return None;
        }
        let strata = text.split(':').collect::<Vec<_>>().join(",");
        let limit = Limit::parse(&[&strata]).ok()?;
        let all_match = limit.patterns[0]
            .iter()
            .all(|t| !t.text.contains(':') && self.matching(t).is_ok());
        all_match.then_some(strata)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inv() -> Inventory {
        Inventory::builder()
            .hosts([
                "web1",
                "web2",
                "web3",
                "db1.example.com",
                "db2.example.com",
                "@ssh/10.0.0.5",
                "lb",
            ])
            .group("web", ["web1", "web2", "web3"])
            .group("db", ["db1.example.com", "db2.example.com"])
            .group("prod", ["web1", "db1.example.com", "@ssh/10.0.0.5"])
            .build()
            .unwrap()
    }

    #[test]
    fn selections() {
        let inv = inv();
        // (patterns, selected names in inventory order)
        let cases: &[(&[&str], &[&str])] = &[
            (&["web"], &["web1", "web2", "web3"]),
            (&["web1"], &["web1"]),
            (
                &["all"],
                &[
                    "web1",
                    "web2",
                    "web3",
                    "db1.example.com",
                    "db2.example.com",
                    "@ssh/10.0.0.5",
                    "lb",
                ],
            ),
            (
                &["*"],
                &[
                    "web1",
                    "web2",
                    "web3",
                    "db1.example.com",
                    "db2.example.com",
                    "@ssh/10.0.0.5",
                    "lb",
                ],
            ),
            (&["web*"], &["web1", "web2", "web3"]),
            (
                &["db?.example.com"],
                &["db1.example.com", "db2.example.com"],
            ),
            (&["{web,db}1*"], &["web1", "db1.example.com"]),
            (&["@ssh*"], &["@ssh/10.0.0.5"]),
            (&["~web[12]"], &["web1", "web2"]),
            (&["~eb"], &[]),
            (
                &["web,db"],
                &["web1", "web2", "web3", "db1.example.com", "db2.example.com"],
            ),
            (
                &["db,web"],
                &["web1", "web2", "web3", "db1.example.com", "db2.example.com"],
            ),
            (&["web,&prod"], &["web1"]),
            (&["web,!web2"], &["web1", "web3"]),
            (
                &["!web"],
                &["db1.example.com", "db2.example.com", "@ssh/10.0.0.5", "lb"],
            ),
            (&["&prod,!db"], &["web1", "@ssh/10.0.0.5"]),
            (
                &["web1", "db"],
                &["web1", "db1.example.com", "db2.example.com"],
            ),
            (&["web,!web1", "web1"], &["web1", "web2", "web3"]),
            (&[" web1 , lb "], &["web1", "lb"]),
            // `&` and `!` inside a term start a new term (Ansible's `web:&prod`).
            (&["web&prod"], &["web1"]),
            (&["web!web2"], &["web1", "web3"]),
            (&["web&prod!web1"], &[]),
            (&["web&!web1"], &[]),
            (&["db,web&prod"], &["web1", "db1.example.com"]),
            (&["web*&prod"], &["web1"]),
            (&["&prod!db"], &["web1", "@ssh/10.0.0.5"]),
            (&["!web&prod"], &["db1.example.com", "@ssh/10.0.0.5"]),
            // ... but not inside a glob's brackets or braces, nor in a regex.
            (&["web[!3]"], &["web1", "web2"]),
            (&["{web,db}[!2]*&prod"], &["web1", "db1.example.com"]),
            (&["~web[^3]&x"], &[]),
            (
                &["~(web|db1)[^&]*"],
                &["web1", "web2", "web3", "db1.example.com"],
            ),
        ];
        for (patterns, want) in cases {
            let limit = Limit::parse(patterns).unwrap();
            match inv.select_limit(&limit) {
                Ok(hosts) => {
                    let got: Vec<_> = hosts.iter().map(|h| h.name()).collect();
                    assert_eq!(got, *want, "{patterns:?}");
                }
                Err(e) => assert!(want.is_empty(), "{patterns:?}: {e}"),
            }
        }
    }

    #[test]
    fn names_with_operators_are_names_first() {
        let inv = Inventory::builder()
            .hosts(["a&b", "a", "b", "c!d"])
            .group("ab", ["a", "b"])
            .group("b", ["b"])
            .build()
            .unwrap();
        let names = |p: &str| -> Vec<String> {
            inv.select(p)
                .unwrap()
                .iter()
                .map(|h| h.name().to_string())
                .collect()
        };
        assert_eq!(names("a&b"), ["a&b"]);
        assert_eq!(names("!a&b"), ["a", "b", "c!d"]);
        assert_eq!(names("c!d"), ["c!d"]);
        assert_eq!(names("ab&b"), ["b"]);
        assert_eq!(names("ab!b"), ["a"]);
        // A part that matches nothing is reported by itself, with its hint.
        assert_eq!(
            inv.select("ab&zz").unwrap_err(),
            LimitError::NoMatch {
                term: "zz".into(),
                suggestion: None,
                ansible: None,
            }
        );
    }

    #[test]
    fn errors() {
        let inv = inv();
        let no_match = |term: &str, suggestion: Option<&str>| LimitError::NoMatch {
            ansible: None,
            term: term.into(),
            suggestion: suggestion.map(Into::into),
        };
        let cases: &[(&str, LimitError)] = &[
            ("wbe", no_match("wbe", Some("web"))),
            ("prd", no_match("prd", Some("prod"))),
            ("~xyz", no_match("~xyz", None)),
            ("zzzzzz", no_match("zzzzzz", None)),
            ("web,!zzzzzz", no_match("zzzzzz", None)),
            (
                "web,,db",
                LimitError::Empty {
                    pattern: "web,,db".into(),
                },
            ),
            (
                "!",
                LimitError::Empty {
                    pattern: "!".into(),
                },
            ),
        ];
        for (pattern, want) in cases {
            assert_eq!(&inv.select(pattern).unwrap_err(), want, "{pattern}");
        }
        // Ansible's separators: (pattern, strata's form, if every part matches)
        let ansible = [
            ("web:db", Some("web,db")),
            ("web:&prod", Some("web,&prod")),
            ("web:!web1", Some("web,!web1")),
            ("web:nosuch", None),
        ];
        for (pattern, want) in ansible {
            match inv.select(pattern).unwrap_err() {
                LimitError::NoMatch { ansible, .. } => {
                    assert_eq!(ansible.as_deref(), want, "{pattern}")
                }
                other => panic!("{pattern}: {other}"),
            }
        }
        assert!(
            inv.select("web:db")
                .unwrap_err()
                .to_string()
                .ends_with("Ansible's `:` separators are commas in strata: `web,db`")
        );
        assert!(matches!(
            inv.select("~(").unwrap_err(),
            LimitError::Regex { .. }
        ));
        assert!(matches!(
            inv.select("web[").unwrap_err(),
            LimitError::Glob { .. }
        ));
    }
}
