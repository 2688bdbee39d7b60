//! `strata.toml`, the inventory's settings: for now its `[merge]` table,
//! which names a merge strategy per data key (docs/format.md, "strata.toml";
//! the strategies are in docs/precedence.md, "Merge strategies").
//!
//! This module parses a text the reader (`read/settings.rs`) hands it; the
//! resolver applies the rules.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use strata_diagnostics::{Code, Diagnostic, FileId, Span};

use crate::convert::{Ctx, Keys, parse_file};
use crate::suggest::{did_you_mean, name_fix, sole_closest};

/// The name of the settings file inside the inventory root.
pub const SETTINGS_FILE: &str = "strata.toml";

/// The tables `strata.toml` may hold.
const TABLES: &[&str] = &["merge"];

/// How the definitions of one key in several layers become its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Strategy {
    /// The highest layer's value, whole (the default: pyinfra's waterfall).
    First,
    /// Arrays: the union, highest layer's elements first, each once.
    Unique,
    /// Tables: top-level keys merged, the higher layer wins per key.
    Hash,
    /// Tables merged recursively, the higher layer wins at the leaves;
    /// arrays are replaced by the higher layer's.
    Deep,
}

impl Strategy {
    /// Every strategy, as written in `strata.toml`.
    pub const NAMES: &'static [&'static str] = &["first", "unique", "hash", "deep"];

    /// The strategy called `name`.
    pub fn from_name(name: &str) -> Option<Strategy> {
        match name {
            "first" => Some(Strategy::First),
            "unique" => Some(Strategy::Unique),
            "hash" => Some(Strategy::Hash),
            "deep" => Some(Strategy::Deep),
            _ => None,
        }
    }

    /// Its name as written in `strata.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::First => "first",
            Strategy::Unique => "unique",
            Strategy::Hash => "hash",
            Strategy::Deep => "deep",
        }
    }
}

impl std::fmt::Display for Strategy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One entry of `[merge]`: a key, a nested path or a glob, and its strategy.
#[derive(Clone, Debug, PartialEq)]
pub struct MergeRule {
    /// The path as written, segments joined by `.`: `packages`,
    /// `app.limits`, `sysctl_*`.
    pub pattern: String,
    /// The path, top-level key first (one segment for a glob).
    pub path: Vec<String>,
    /// True when the (single) segment holds `*`, which stands for any run
    /// of characters.
    pub glob: bool,
    /// The strategy.
    pub strategy: Strategy,
    /// Where the key is written.
    pub key_span: Span,
    /// Where the strategy is written.
    pub value_span: Span,
}

impl MergeRule {
    /// True when this glob (or name) matches the top-level key `key`.
    pub fn matches(&self, key: &str) -> bool {
        if !self.glob {
            return self.path.len() == 1 && self.path[0] == key;
        }
        glob_matches(&self.path[0], key)
    }

    /// How specific a glob is: its characters other than `*`.
    pub fn literal_len(&self) -> usize {
        self.path[0].chars().filter(|&c| c != '*').count()
    }
}

/// `*` matches any run of characters (none included); nothing else is special.
fn glob_matches(pattern: &str, key: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = key.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for p in middle {
        match rest.find(p) {
            Some(i) => rest = &rest[i + p.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// What `strata.toml` says.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Settings {
    /// The file, when the inventory has one.
    pub file: Option<FileId>,
    /// `[merge]`, in the order written (rules with problems left out).
    pub merge: Vec<MergeRule>,
}

/// Parses the text of `strata.toml` (file `file`); every problem becomes a
/// diagnostic, and a rule with a problem is left out.
pub fn parse_settings(file: FileId, text: &str, diagnostics: &mut Vec<Diagnostic>) -> Settings {
    let keys = Keys::default();
    let (merge, _) = parse_file(file, text, diagnostics, &keys, read);
    Settings {
        file: Some(file),
        merge,
    }
}

fn read(doc: &DeTable<'_>, cx: &mut Ctx<'_>) -> Vec<MergeRule> {
    let mut rules = Vec::new();
    for (key, value) in doc.iter() {
        let name = key.get_ref();
        if name == "merge" {
            match value.get_ref() {
                DeValue::Table(t) => read_merge(t, &[], cx, &mut rules),
                other => cx.push(
                    Diagnostic::error(
                        Code::SettingsShape,
                        cx.span(value.span()),
                        format!("`merge` is {}, not a table", type_name(other)),
                    )
                    .with_label_text("expected a table of key = \"strategy\"")
                    .with_help(
                        "write `[merge]` and under it lines such as `packages = \"unique\"`",
                    ),
                ),
            }
            continue;
        }
        let mut d = Diagnostic::error(
            Code::UnknownSetting,
            cx.span(key.span()),
            format!("strata.toml has no setting `{name}`"),
        )
        .with_label_text("unknown table or key");
        d = match did_you_mean(name, TABLES.iter().copied()) {
            Some(h) => d.with_help(format!("{h} strata.toml knows `[merge]`")),
            None => d.with_help(
                "strata.toml knows `[merge]` (merge strategies per data key, docs/format.md)",
            ),
        };
        // The rename, unless the table meant is there already.
        let fix = sole_closest(name, TABLES.iter().copied())
            .filter(|meant| !doc.iter().any(|(k, _)| k.get_ref() == meant))
            .and_then(|meant| {
                let span = cx.span(key.span());
                name_fix(span, cx.text.get(span.range())?, name, meant)
            });
        cx.push(d.with_fix_opt(fix));
    }
    // A path given twice (`"a.b"` and `a.b`).
    let mut seen: std::collections::HashMap<&[String], Span> = std::collections::HashMap::new();
    let mut twice = Vec::new();
    for (i, r) in rules.iter().enumerate() {
        match seen.get(r.path.as_slice()) {
            Some(&first) => {
                twice.push(i);
                cx.push(
                    Diagnostic::error(
                        Code::SettingsShape,
                        r.key_span,
                        format!("`{}` is given a strategy twice", r.pattern),
                    )
                    .with_label_text("the second time")
                    .with_label(first, "the first time")
                    .with_help("keep one line per key"),
                );
            }
            None => {
                seen.insert(&r.path, r.key_span);
            }
        }
    }
    drop(seen);
    for i in twice.into_iter().rev() {
        rules.remove(i);
    }
    rules
}

fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a datetime",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// The entries of `[merge]` (or of a table under it, `prefix` its path).
fn read_merge(table: &DeTable<'_>, prefix: &[String], cx: &mut Ctx<'_>, out: &mut Vec<MergeRule>) {
    for (key, value) in table.iter() {
        let written = key.get_ref();
        let key_span = cx.span(key.span());
        // A quoted key with dots is a path: `"app.limits"`; a segment in
        // double quotes is one name, dots and all: `'"app.limits"'`.
        let mut path = prefix.to_vec();
        let segments = path_segments(written);
        let pattern = match &segments {
            Some(segments) => {
                path.extend(segments.iter().map(|(s, _)| s.clone()));
                let mut shown: Vec<String> = prefix.iter().map(|s| shown_segment(s)).collect();
                shown.extend(segments.iter().map(|(s, quoted)| {
                    if *quoted {
                        format!("\"{s}\"")
                    } else {
                        s.clone()
                    }
                }));
                shown.join(".")
            }
            None => written.to_string(),
        };
        // Only a segment written without quotes can be a glob.
        let glob = segments
            .as_ref()
            .is_some_and(|s| s.iter().any(|(s, quoted)| !quoted && s.contains('*')));
        if let DeValue::Table(t) = value.get_ref() {
            // `app.limits = "deep"` and `[merge.app]` are paths too.
            if segments.is_none() || path.iter().any(String::is_empty) || glob {
                bad_pattern(&pattern, key_span, cx);
                continue;
            }
            read_merge(t, &path, cx, out);
            continue;
        }
        let Some(name) = strategy_text(value, &pattern, cx) else {
            continue;
        };
        let Some(strategy) = Strategy::from_name(name) else {
            let mut d = Diagnostic::error(
                Code::UnknownMergeStrategy,
                cx.span(value.span()),
                format!("`{pattern}`: unknown merge strategy `{name}`"),
            )
            .with_label_text("not a strategy");
            let known = "the strategies are `first`, `unique`, `hash` and `deep`";
            d = match did_you_mean(name, Strategy::NAMES.iter().copied()) {
                Some(h) => d.with_help(format!("{h} {known}")),
                None => d.with_help(known),
            };
            let fix = sole_closest(name, Strategy::NAMES.iter().copied()).and_then(|meant| {
                let span = cx.span(value.span());
                name_fix(span, cx.text.get(span.range())?, name, meant)
            });
            cx.push(d.with_fix_opt(fix));
            continue;
        };
        if segments.is_none() || path.iter().any(String::is_empty) || (glob && path.len() > 1) {
            bad_pattern(&pattern, key_span, cx);
            continue;
        }
        out.push(MergeRule {
            pattern,
            path,
            glob,
            strategy,
            key_span,
            value_span: cx.span(value.span()),
        });
    }
}

/// The strategy's name, or a diagnostic for a value that is not a string.
fn strategy_text<'v>(
    value: &'v Spanned<DeValue<'_>>,
    pattern: &str,
    cx: &mut Ctx<'_>,
) -> Option<&'v str> {
    match value.get_ref() {
        DeValue::String(s) => Some(s),
        other => {
            cx.push(
                Diagnostic::error(
                    Code::SettingsShape,
                    cx.span(value.span()),
                    format!(
                        "`{pattern}`: a merge strategy is a string, not {}",
                        type_name(other)
                    ),
                )
                .with_label_text("expected \"first\", \"unique\", \"hash\" or \"deep\"")
                .with_help(format!(
                    "write `\"{pattern}\" = \"deep\"` (or another strategy name, quoted)"
                )),
            );
            None
        }
    }
}

/// The segments of a `[merge]` key as written, each with whether it was
/// in double quotes: `app.limits` is `app`, `limits`; `"app.limits"` (the
/// TOML key `'"app.limits"'`) is the one name `app.limits`, as Hiera's
/// `lookup` reads a quoted segment. `None` for an unclosed quote or text
/// after a closing one.
fn path_segments(written: &str) -> Option<Vec<(String, bool)>> {
    let mut out = Vec::new();
    let mut rest = written;
    loop {
        if let Some(after) = rest.strip_prefix('"') {
            let end = after.find('"')?;
            out.push((after[..end].to_string(), true));
            rest = &after[end + 1..];
            if rest.is_empty() {
                return Some(out);
            }
            rest = rest.strip_prefix('.')?;
        } else {
            match rest.find('.') {
                Some(dot) => {
                    out.push((rest[..dot].to_string(), false));
                    rest = &rest[dot + 1..];
                }
                None => {
                    out.push((rest.to_string(), false));
                    return Some(out);
                }
            }
        }
    }
}

/// A path segment as a `[merge]` key writes it: quoted when it holds a dot.
fn shown_segment(s: &str) -> String {
    if s.contains('.') {
        format!("\"{s}\"")
    } else {
        s.to_string()
    }
}

fn bad_pattern(pattern: &str, span: Span, cx: &mut Ctx<'_>) {
    cx.push(
        Diagnostic::error(
            Code::SettingsShape,
            span,
            format!("`{pattern}` names no data key"),
        )
        .with_label_text("an empty name, an unclosed quote, or a `*` in a nested path")
        .with_help("name a top-level key (`packages`), a nested table by its path (`\"app.limits\"`), a key with a dot in its name in double quotes (`'\"app.limits\"'`), or top-level keys by a glob (`\"sysctl_*\"`); globs are for top-level keys only"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_segments() {
        let seg = |s: &str, q: bool| (s.to_string(), q);
        for (written, want) in [
            ("packages", Some(vec![seg("packages", false)])),
            (
                "app.limits",
                Some(vec![seg("app", false), seg("limits", false)]),
            ),
            ("\"app.limits\"", Some(vec![seg("app.limits", true)])),
            (
                "app.\"x.y\".z",
                Some(vec![seg("app", false), seg("x.y", true), seg("z", false)]),
            ),
            ("\"\"", Some(vec![seg("", true)])),
            ("a.", Some(vec![seg("a", false), seg("", false)])),
            ("\"a.b", None),
            ("\"a\"b", None),
            ("\"a\".", Some(vec![seg("a", true), seg("", false)])),
        ] {
            assert_eq!(path_segments(written), want, "{written}");
        }
    }

    #[test]
    fn globs() {
        for (p, k, want) in [
            ("sysctl_*", "sysctl_net", true),
            ("sysctl_*", "sysctl_", true),
            ("sysctl_*", "sysctl", false),
            ("*_rules", "fw_rules", true),
            ("*_rules", "fw_rule", false),
            ("a*b*c", "abc", true),
            ("a*b*c", "axxbyyc", true),
            ("a*b*c", "axxcyyb", false),
            ("*", "anything", true),
            ("ab*ab", "ab", false),
            ("ab*ab", "abab", true),
        ] {
            assert_eq!(glob_matches(p, k), want, "{p} on {k}");
        }
    }

    #[test]
    fn rules_and_problems() {
        let text = "[merge]\npackages = \"unique\"\n\"app.limits\" = \"deep\"\nfeatures.flags = \"hash\"\n\"sysctl_*\" = \"hash\"\nx = \"deeep\"\ny = 3\n\"a.*\" = \"deep\"\n\n[merg]\n";
        let mut files = strata_diagnostics::Files::new();
        let file = files.add(SETTINGS_FILE, text.to_string());
        let mut d = Vec::new();
        let s = parse_settings(file, text, &mut d);
        let got: Vec<(&str, Strategy, bool)> = s
            .merge
            .iter()
            .map(|r| (r.pattern.as_str(), r.strategy, r.glob))
            .collect();
        assert_eq!(
            got,
            [
                ("packages", Strategy::Unique, false),
                ("app.limits", Strategy::Deep, false),
                ("features.flags", Strategy::Hash, false),
                ("sysctl_*", Strategy::Hash, true),
            ]
        );
        assert_eq!(s.merge[1].path, ["app", "limits"]);
        let codes: Vec<Code> = d.iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            [
                Code::UnknownMergeStrategy,
                Code::SettingsShape,
                Code::SettingsShape,
                Code::UnknownSetting
            ]
        );
        assert!(
            d[0].help
                .as_deref()
                .unwrap()
                .contains("did you mean `deep`?")
        );
        assert!(
            d[3].help
                .as_deref()
                .unwrap()
                .contains("did you mean `merge`?")
        );
    }

    /// `text` with the fix of its `code` diagnostic applied (which then
    /// is gone), or `None` without a fix.
    fn fixed(text: &str, code: Code) -> Option<String> {
        let mut files = strata_diagnostics::Files::new();
        let file = files.add(SETTINGS_FILE, text.to_string());
        let mut diagnostics = Vec::new();
        parse_settings(file, text, &mut diagnostics);
        let d = diagnostics
            .iter()
            .find(|d| d.code == code)
            .expect("the diagnostic");
        let out = d.fix.as_ref()?.apply_to(file, text)?;
        let mut again = Vec::new();
        parse_settings(file, &out, &mut again);
        assert!(again.is_empty(), "{out}: {again:?}");
        Some(out)
    }

    #[test]
    fn misspelt_tables_and_strategies_are_fixed() {
        let cases = [
            (
                "[marge]\npackages = \"unique\"\n",
                Code::UnknownSetting,
                Some("[merge]\npackages = \"unique\"\n"),
            ),
            (
                "[merge]\npackages = \"uniqe\"\n",
                Code::UnknownMergeStrategy,
                Some("[merge]\npackages = \"unique\"\n"),
            ),
            (
                "[merge]\n\"a.b\" = 'Deep'\n",
                Code::UnknownMergeStrategy,
                Some("[merge]\n\"a.b\" = \"deep\"\n"),
            ),
            // `[merge]` is there already; an escape in the name; nothing close.
            ("[merge]\n[marge]\n", Code::UnknownSetting, None),
            (
                "[merge]\npackages = \"uniq\\u0065e\"\n",
                Code::UnknownMergeStrategy,
                None,
            ),
            (
                "[merge]\npackages = \"zzzzz\"\n",
                Code::UnknownMergeStrategy,
                None,
            ),
        ];
        for (text, code, want) in cases {
            assert_eq!(fixed(text, code).as_deref(), want, "{text}");
        }
    }
}
