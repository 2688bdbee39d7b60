//! `hosts.toml`: groups, host entries and inline data, with shape checks.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::convert::{Ctx, Keys, data_table, parse_file, type_name};
use crate::model::{GroupShape, RawGroup, RawHost};
use crate::suggest::{closest, did_you_mean, sole_closest};
use strata_diagnostics::{Code, Diagnostic, Edit, FileId, Fix};

const GROUP_KEYS: &[&str] = &["hosts", "children", "data"];
const HOST_KEYS: &[&str] = &["name", "data"];

/// The groups of `text` (file `file`) by the whole-document parse; the
/// flag is false when it has syntax errors (the groups are then what could
/// be recovered).
pub(crate) fn parse(
    file: FileId,
    text: &str,
    diagnostics: &mut Vec<Diagnostic>,
    keys: &Keys,
) -> (Vec<RawGroup>, bool) {
    parse_file(file, text, diagnostics, keys, groups)
}

/// Keys people bring from Ansible or pyinfra, and what to write instead.
fn known_mistake(key: &str) -> Option<&'static str> {
    match key {
        "vars" | "variables" | "group_vars" => {
            Some("group data goes in `data` (or in group_data/<group>.toml)")
        }
        "host" | "members" => Some("did you mean `hosts`?"),
        _ => None,
    }
}

/// The group key a [`known_mistake`] means, for a fix.
fn known_rename(key: &str) -> Option<&'static str> {
    match key {
        "vars" | "variables" | "group_vars" => Some("data"),
        "host" | "members" => Some("hosts"),
        _ => None,
    }
}

/// Parses the top-level table of `hosts.toml` into groups.
pub(crate) fn groups(table: &DeTable<'_>, cx: &mut Ctx<'_>) -> Vec<RawGroup> {
    let mut out = Vec::with_capacity(table.len());
    for (key, value) in table.iter() {
        let name = key.get_ref().to_string();
        let name_span = cx.span(key.span());
        let before = cx.diagnostics.len();
        let group = match value.get_ref() {
            DeValue::Array(items) => {
                let mut broken_hosts = Vec::new();
                let hosts = host_entries(items.iter(), cx, &mut broken_hosts);
                Some(RawGroup {
                    name,
                    name_span,
                    shape: GroupShape::Array,
                    hosts,
                    has_hosts: true,
                    data: None,
                    children: Vec::new(),
                    broken: cx.diagnostics.len() > before,
                    broken_hosts,
                    hosts_unread: false,
                })
            }
            DeValue::Table(t) => {
                let mut group = group_table(name, name_span, t, cx);
                group.broken = cx.diagnostics.len() > before;
                Some(group)
            }
            other => {
                cx.push(
                    Diagnostic::error(
                        Code::GroupShape,
                        cx.span(value.span()),
                        format!("group `{name}` must be an array of hosts or a table, found {}", type_name(other)),
                    )
                    .with_label_text("expected an array or a table")
                    .with_help(format!(
                        "write `{name} = [\"host1\", \"host2\"]`, or `[{name}]` with `hosts` and `data`; global data goes in `[all] data` or group_data/all.toml"
                    )),
                );
                // Kept, marked broken: its group_data file is not "a file
                // that names no group", and it is not "an empty group".
                Some(RawGroup {
                    name,
                    name_span,
                    shape: GroupShape::Array,
                    hosts: Vec::new(),
                    has_hosts: false,
                    data: None,
                    children: Vec::new(),
                    broken: true,
                    broken_hosts: Vec::new(),
                    hosts_unread: true,
                })
            }
        };
        out.extend(group);
    }
    out
}

fn group_table(
    name: String,
    name_span: strata_diagnostics::Span,
    table: &DeTable<'_>,
    cx: &mut Ctx<'_>,
) -> RawGroup {
    let mut group = RawGroup {
        name,
        name_span,
        shape: GroupShape::Table,
        hosts: Vec::new(),
        has_hosts: false,
        data: None,
        children: Vec::new(),
        broken: false,
        broken_hosts: Vec::new(),
        hosts_unread: false,
    };
    for (key, value) in table.iter() {
        match key.get_ref().as_ref() {
            "hosts" => match value.get_ref() {
                DeValue::Array(items) => {
                    group.hosts = host_entries(items.iter(), cx, &mut group.broken_hosts);
                    group.has_hosts = true;
                }
                other => {
                    group.hosts_unread = true;
                    cx.push(
                        Diagnostic::error(
                            Code::DataShape,
                            cx.span(value.span()),
                            format!(
                                "`hosts` of group `{}` must be an array, found {}",
                                group.name,
                                type_name(other)
                            ),
                        )
                        .with_label_text("expected an array of hosts"),
                    );
                }
            },
            "children" => child_names(&mut group, value, cx),
            "data" => match value.get_ref() {
                DeValue::Table(t) => group.data = Some(data_table(t, cx)),
                other => cx.push(
                    Diagnostic::error(
                        Code::DataShape,
                        cx.span(value.span()),
                        format!(
                            "`data` of group `{}` must be a table, found {}",
                            group.name,
                            type_name(other)
                        ),
                    )
                    .with_label_text("expected a table")
                    .with_help("write `data = { key = \"value\" }` or a `[group.data]` section"),
                ),
            },
            other => {
                let looks_like_group = matches!(value.get_ref(), DeValue::Array(_));
                let fix = match known_rename(other) {
                    // `vars` is `data` only when it is a table.
                    Some("data") if !matches!(value.get_ref(), DeValue::Table(_)) => None,
                    Some(meant) => key_rename(table, key, GROUP_KEYS, Some(meant), cx),
                    None if known_mistake(other).is_some() => None,
                    None => key_rename(table, key, GROUP_KEYS, None, cx),
                };
                let help = known_mistake(other)
                    .map(str::to_string)
                    .or_else(|| did_you_mean(other, GROUP_KEYS.iter().copied()))
                    .or_else(|| {
                        looks_like_group.then(|| {
                            format!(
                                "in TOML, keys after a `[{}]` header belong to that table: to make `{other}` a group, move it above the first `[table]` header",
                                group.name
                            )
                        })
                    })
                    .unwrap_or_else(|| {
                        "a group table holds only `hosts`, `children` and `data`".to_string()
                    });
                cx.push(
                    Diagnostic::error(
                        Code::UnknownGroupKey,
                        cx.span(key.span()),
                        format!("unknown key `{other}` in group `{}`", group.name),
                    )
                    .with_label_text("not `hosts`, `children` or `data`")
                    .with_help(help)
                    .with_fix_opt(fix),
                );
            }
        }
    }
    group
}

/// A group's `children`: an array of group names (only the syntax here;
/// which groups they name is the resolver's concern).
fn child_names(group: &mut RawGroup, value: &Spanned<DeValue<'_>>, cx: &mut Ctx<'_>) {
    let DeValue::Array(items) = value.get_ref() else {
        cx.push(
            Diagnostic::error(
                Code::DataShape,
                cx.span(value.span()),
                format!(
                    "`children` of group `{}` must be an array of group names, found {}",
                    group.name,
                    type_name(value.get_ref())
                ),
            )
            .with_label_text("expected an array of group names")
            .with_help("write `children = [\"web\", \"db\"]`"),
        );
        return;
    };
    group.children.reserve_exact(items.len());
    for item in items.iter() {
        match item.get_ref() {
            DeValue::String(s) => group.children.push((s.to_string(), cx.span(item.span()))),
            other => cx.push(
                Diagnostic::error(
                    Code::DataShape,
                    cx.span(item.span()),
                    format!(
                        "a child of group `{}` must be a group name, found {}",
                        group.name,
                        type_name(other)
                    ),
                )
                .with_label_text("expected a group name"),
            ),
        }
    }
}

fn host_entries<'a, 'i: 'a>(
    items: impl ExactSizeIterator<Item = &'a Spanned<DeValue<'i>>>,
    cx: &mut Ctx<'_>,
    broken: &mut Vec<String>,
) -> Vec<RawHost> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match item.get_ref() {
            DeValue::String(s) => out.push(RawHost {
                name: (&**s).into(),
                span: cx.span(item.span()),
                data: None,
            }),
            DeValue::Table(t) => out.extend(host_table(t, item.span(), cx, broken)),
            other => {
                let mut d = Diagnostic::error(
                    Code::HostEntryShape,
                    cx.span(item.span()),
                    format!(
                        "a host entry must be a string or a `{{ name, data }}` table, found {}",
                        type_name(other)
                    ),
                )
                .with_label_text("not a host");
                // pyinfra's `("web1", {"port": 1})` pair, written in TOML.
                if let DeValue::Array(pair) = other
                    && pair.len() == 2
                    && let (Some(name), Some(data)) = (pair.first(), pair.get(1))
                    && let (DeValue::String(n), DeValue::Table(_)) =
                        (name.get_ref(), data.get_ref())
                {
                    broken.push(n.to_string());
                    d = d.with_help(format!(
                        "pyinfra's (name, data) pair is written `{{ name = {}, data = {} }}` in hosts.toml",
                        cx.quote(name.span()),
                        cx.quote(data.span())
                    ));
                    d = d.with_fix_opt(pair_rewrite(item.span(), name, data, cx));
                }
                cx.push(d);
            }
        }
    }
    out
}

fn host_table(
    table: &DeTable<'_>,
    span: std::ops::Range<usize>,
    cx: &mut Ctx<'_>,
    broken: &mut Vec<String>,
) -> Option<RawHost> {
    let mut name = None;
    let mut data = None;
    let mut ok = true;
    // Keys that are not `name` or `data`: most often data written at the
    // top level of the entry (`{ name = "w1", port = 1 }`).
    let stray: Vec<String> = table
        .iter()
        .filter(|(k, _)| !HOST_KEYS.contains(&k.get_ref().as_ref()))
        .map(|(k, v)| format!("{} = {}", cx.quote(k.span()), cx.quote(v.span())))
        .collect();
    let rewrite = |name: Option<&str>| {
        format!(
            "host data goes in `data`: `{{ name = {}, data = {{ {} }} }}`",
            name.unwrap_or("\"...\""),
            stray.join(", ")
        )
    };
    // The rewrite of the whole entry, made once for all its stray keys.
    let mut entry_fix: Option<Option<Fix>> = None;
    for (key, value) in table.iter() {
        match (key.get_ref().as_ref(), value.get_ref()) {
            ("name", DeValue::String(s)) => name = Some((s.to_string(), cx.span(value.span()))),
            ("data", DeValue::Table(t)) => data = Some(data_table(t, cx)),
            ("name", other) => {
                ok = false;
                cx.push(
                    Diagnostic::error(
                        Code::HostEntryShape,
                        cx.span(value.span()),
                        format!(
                            "a host's `name` must be a string, found {}",
                            type_name(other)
                        ),
                    )
                    .with_label_text("expected a string"),
                );
            }
            ("data", other) => {
                ok = false;
                cx.push(
                    Diagnostic::error(
                        Code::DataShape,
                        cx.span(value.span()),
                        format!(
                            "a host's `data` must be a table, found {}",
                            type_name(other)
                        ),
                    )
                    .with_label_text("expected a table"),
                );
            }
            (other, _) => {
                ok = false;
                let quoted_name = table
                    .iter()
                    .find(|(k, _)| k.get_ref().as_ref() == "name")
                    .map(|(_, v)| cx.quote(v.span()));
                let (help, fix) = match did_you_mean(other, HOST_KEYS.iter().copied()) {
                    Some(help) => (help, key_rename(table, key, HOST_KEYS, None, cx)),
                    None => (
                        rewrite(quoted_name.as_deref()),
                        entry_fix
                            .get_or_insert_with(|| entry_rewrite(table, &span, cx))
                            .clone(),
                    ),
                };
                cx.push(
                    Diagnostic::error(
                        Code::HostEntryShape,
                        cx.span(key.span()),
                        format!("unknown key `{other}` in a host entry"),
                    )
                    .with_label_text("not `name` or `data`")
                    .with_help(help)
                    .with_fix_opt(fix),
                );
            }
        }
    }
    match name {
        Some((name, _)) if !ok => {
            broken.push(name);
            None
        }
        Some((name, name_span)) => Some(RawHost {
            name: name.into(),
            span: name_span,
            data: data.map(Box::new),
        }),
        None => {
            if ok {
                cx.push(
                    Diagnostic::error(
                        Code::HostEntryShape,
                        cx.span(span),
                        "a host entry table needs a `name`",
                    )
                    .with_label_text("no `name` here")
                    .with_help("write `{ name = \"web1\", data = { ... } }`"),
                );
            }
            None
        }
    }
}

/// The fix for a key of `table` that is a typo of one of `keys`: renaming
/// it to the key meant, when that is the only one that close (or
/// `known`, a known mistake's), the table does not have it already, and
/// the key is written plainly (not dotted).
fn key_rename(
    table: &DeTable<'_>,
    key: &Spanned<std::borrow::Cow<'_, str>>,
    keys: &[&'static str],
    known: Option<&'static str>,
    cx: &Ctx<'_>,
) -> Option<Fix> {
    let written = key.get_ref().as_ref();
    let meant = known.or_else(|| sole_closest(written, keys.iter().copied()))?;
    if table.iter().any(|(k, _)| k.get_ref().as_ref() == meant) {
        return None;
    }
    let span = cx.span(key.span());
    let source = cx.text.get(span.range())?;
    let plain = [
        written.to_string(),
        format!("\"{written}\""),
        format!("'{written}'"),
    ];
    if !plain.iter().any(|p| p == source) {
        return None;
    }
    Some(
        Fix::new(format!("Rename `{written}` to `{meant}`")).with_edit(Edit::Replace {
            span,
            text: meant.to_string(),
        }),
    )
}

/// The fix for data written beside `name` in a host entry
/// (`{ name = "w1", port = 1 }`): the entry written again as
/// `{ name = "w1", data = { port = 1 } }`, on one line, each key and value
/// as written, after the entry's own `data` if it has one. `None` when it
/// would not be exactly that: no `name`, a key that may be a typo of
/// `name` or `data`, a `data` that is not an inline table or has one of
/// the keys already, a comment between the entries (it would be lost), or
/// a rewrite that does not read back as the same data.
fn entry_rewrite(table: &DeTable<'_>, span: &std::ops::Range<usize>, cx: &Ctx<'_>) -> Option<Fix> {
    let source = |range: std::ops::Range<usize>| cx.text.get(cx.span(range).range());
    let mut name = None;
    let mut data: Vec<&str> = Vec::new();
    let mut data_keys: Vec<&str> = Vec::new();
    let mut stray: Vec<(&str, String)> = Vec::new();
    // The entry's text with every key and value cut out: what is left are
    // the braces, `=`, commas, spaces and comments.
    let mut pieces: Vec<std::ops::Range<usize>> = Vec::new();
    for (key, value) in table.iter() {
        pieces.push(key.span());
        pieces.push(value.span());
        let entry = format!("{} = {}", source(key.span())?, source(value.span())?);
        match (key.get_ref().as_ref(), value.get_ref()) {
            ("name", DeValue::String(_)) => name = Some(entry),
            ("name", _) => return None,
            ("data", DeValue::Table(t)) => {
                let inline = source(value.span())?;
                if !inline.starts_with('{') {
                    return None;
                }
                for (k, v) in t.iter() {
                    data_keys.push(k.get_ref().as_ref());
                    data.push(cx.text.get(cx.span(k.span().start..v.span().end).range())?);
                }
            }
            ("data", _) => return None,
            (other, _) => {
                if closest(other, HOST_KEYS.iter().copied()).is_some() {
                    return None;
                }
                stray.push((other, entry));
            }
        }
    }
    let name = name?;
    if stray.is_empty() || stray.iter().any(|(k, _)| data_keys.contains(k)) {
        return None;
    }
    pieces.sort_by_key(|r| r.start);
    let mut at = span.start;
    for piece in &pieces {
        if source(at..piece.start.max(at))?.contains('#') {
            return None;
        }
        at = at.max(piece.end);
    }
    if source(at..span.end)?.contains('#') {
        return None;
    }
    let mut inner: Vec<String> = data.iter().map(|d| d.to_string()).collect();
    inner.extend(stray.into_iter().map(|(_, e)| e));
    let text = format!("{{ {name}, data = {{ {} }} }}", inner.join(", "));
    let original = source(span.clone())?;
    if !reads_as_moved(original, &text) {
        return None;
    }
    Some(
        Fix::new("Move the data into `data`").with_edit(Edit::Replace {
            span: cx.span(span.clone()),
            text,
        }),
    )
}

/// The fix for pyinfra's `["web1", { port = 1 }]` pair at `span`: the
/// entry `{ name = "web1", data = { port = 1 } }`, name and data as
/// written; `None` when a comment inside the pair would be lost or the
/// data is not written as an inline table.
fn pair_rewrite(
    span: std::ops::Range<usize>,
    name: &Spanned<DeValue<'_>>,
    data: &Spanned<DeValue<'_>>,
    cx: &Ctx<'_>,
) -> Option<Fix> {
    let source = |range: std::ops::Range<usize>| cx.text.get(cx.span(range).range());
    let (name_text, data_text) = (source(name.span())?, source(data.span())?);
    if !data_text.starts_with('{') {
        return None;
    }
    let gaps = [
        span.start..name.span().start,
        name.span().end..data.span().start,
        data.span().end..span.end,
    ];
    for gap in gaps {
        if source(gap)?.contains('#') {
            return None;
        }
    }
    Some(
        Fix::new("Write the pair as `{ name, data }`").with_edit(Edit::Replace {
            span: cx.span(span),
            text: format!("{{ name = {name_text}, data = {data_text} }}"),
        }),
    )
}

/// Whether `rewritten` (an entry table) holds the data of `original` with
/// every key but `name` and `data` moved into `data`.
fn reads_as_moved(original: &str, rewritten: &str) -> bool {
    let read = |entry: &str| {
        toml::from_str::<toml::Table>(&format!("entry = {entry}\n"))
            .ok()?
            .remove("entry")
    };
    let (Some(toml::Value::Table(mut before)), Some(after)) = (read(original), read(rewritten))
    else {
        return false;
    };
    let name = before.remove("name");
    let mut data = match before.remove("data") {
        Some(toml::Value::Table(t)) => t,
        None => toml::Table::new(),
        Some(_) => return false,
    };
    data.extend(before);
    let mut want = toml::Table::new();
    if let Some(name) = name {
        want.insert("name".into(), name);
    }
    want.insert("data".into(), toml::Value::Table(data));
    after == toml::Value::Table(want)
}

#[cfg(test)]
mod tests {
    use strata_diagnostics::Files;

    use super::*;
    use crate::convert::Keys;

    /// The diagnostics of hosts.toml `text`, and the store's id for it.
    fn check(text: &str) -> (FileId, Vec<Diagnostic>) {
        let mut files = Files::new();
        let file = files.add("hosts.toml", text.to_string());
        let mut diagnostics = Vec::new();
        parse(file, text, &mut diagnostics, &Keys::default());
        (file, diagnostics)
    }

    /// `text` with the fix of its first `host_entry_shape` error applied;
    /// every such error of the entry carries the same fix, and the fixed
    /// text has no such error left.
    fn fixed(text: &str) -> String {
        let (file, diagnostics) = check(text);
        let shape: Vec<&Diagnostic> = diagnostics
            .iter()
            .filter(|d| d.code == Code::HostEntryShape)
            .collect();
        let fix = shape[0].fix.as_ref().expect("a fix");
        let out = fix.apply_to(file, text).expect("edits inside the text");
        let (_, again) = check(&out);
        assert!(
            !again.iter().any(|d| d.code == Code::HostEntryShape),
            "{out}: {again:?}"
        );
        out
    }

    fn fixes(text: &str) -> Vec<Option<Fix>> {
        check(text)
            .1
            .into_iter()
            .filter(|d| d.code == Code::HostEntryShape)
            .map(|d| d.fix.map(|f| *f))
            .collect()
    }

    #[test]
    fn data_beside_name_moves_into_data() {
        assert_eq!(
            fixed("web = [{ name = \"w1\", port = 1, 'user' = \"x\" }]\n"),
            "web = [{ name = \"w1\", data = { port = 1, 'user' = \"x\" } }]\n"
        );
        // Both stray keys offer the same fix.
        let both = fixes("web = [{ name = \"w1\", port = 1, user = \"x\" }]\n");
        assert_eq!(both.len(), 2);
        assert!(both[0].is_some() && both[0] == both[1]);
        // After the entry's own data, values as written.
        assert_eq!(
            fixed("[web]\nhosts = [\"w0\", { name = 'w1', data = { a = 0x10 }, port = [1, 2] }]\n"),
            "[web]\nhosts = [\"w0\", { name = 'w1', data = { a = 0x10, port = [1, 2] } }]\n"
        );
        // A multi-line entry (TOML 1.1) is written on one line; a value's
        // own line breaks are kept.
        assert_eq!(
            fixed("web = [\n  { name = \"w1\",\n    port = [\n      1,\n    ],\n  },\n]\n"),
            "web = [\n  { name = \"w1\", data = { port = [\n      1,\n    ] } },\n]\n"
        );
    }

    #[test]
    fn a_typo_of_name_or_data_is_renamed() {
        assert_eq!(
            fixed("web = [{ nmae = \"w1\" }]\n"),
            "web = [{ name = \"w1\" }]\n"
        );
        assert_eq!(
            fixed("web = [{ name = \"w1\", \"dta\" = { a = 1 } }]\n"),
            "web = [{ name = \"w1\", data = { a = 1 } }]\n"
        );
        // The rename first; data beside a misspelt name has no fix yet.
        assert_eq!(
            fixes("web = [{ nme = \"w1\", port = 1 }]\n")
                .iter()
                .map(Option::is_some)
                .collect::<Vec<_>>(),
            [true, false]
        );
    }

    #[test]
    fn no_fix_when_it_is_not_clear() {
        for text in [
            // `name` is there already.
            "web = [{ name = \"a\", nmae = \"b\" }]\n",
            // no name.
            "web = [{ port = 1 }]\n",
            // `data` has the key already.
            "web = [{ name = \"a\", data = { port = 1 }, port = 2 }]\n",
            // a comment would be lost.
            "web = [\n  { name = \"a\", # the first\n    port = 1 },\n]\n",
            // `data` written as dotted keys, not an inline table.
            "web = [{ name = \"a\", data.x = 1, port = 2 }]\n",
        ] {
            let found = fixes(text);
            assert!(!found.is_empty(), "{text}");
            assert!(found.iter().all(Option::is_none), "{text}: {found:?}");
        }
    }

    /// `text` with the fix of its `unknown_group_key` error applied, which
    /// leaves no such error.
    fn group_key_fixed(text: &str) -> Option<String> {
        let (file, diagnostics) = check(text);
        let d = diagnostics
            .iter()
            .find(|d| d.code == Code::UnknownGroupKey)
            .expect("an unknown group key");
        let out = d.fix.as_ref()?.apply_to(file, text)?;
        let (_, again) = check(&out);
        assert!(
            !again.iter().any(|d| d.code == Code::UnknownGroupKey),
            "{out}: {again:?}"
        );
        Some(out)
    }

    #[test]
    fn a_misspelt_group_key_is_renamed() {
        let cases = [
            (
                "[web]\nhost = [\"w1\"]\n",
                Some("[web]\nhosts = [\"w1\"]\n"),
            ),
            (
                "[web]\nmembers = [\"w1\"]\n",
                Some("[web]\nhosts = [\"w1\"]\n"),
            ),
            (
                "[web]\nchildern = []\nhosts = [\"w1\"]\n",
                Some("[web]\nchildren = []\nhosts = [\"w1\"]\n"),
            ),
            (
                "[web]\nhosts = [\"w1\"]\n[web.vars]\na = 1\n",
                Some("[web]\nhosts = [\"w1\"]\n[web.data]\na = 1\n"),
            ),
            // `vars` that is not a table, `hosts` already there, no close key.
            ("[web]\nhosts = [\"w1\"]\nvars = 1\n", None),
            ("[web]\nhosts = [\"w1\"]\nhost = [\"w2\"]\n", None),
            ("[web]\nhosts = [\"w1\"]\nzzz = 1\n", None),
        ];
        for (text, want) in cases {
            assert_eq!(group_key_fixed(text).as_deref(), want, "{text}");
        }
    }

    #[test]
    fn a_pyinfra_pair_becomes_an_entry_table() {
        let text = "web = [\"w0\", [\"w1\", { port = 1, tags = [\"a\"] }]]\n";
        let (file, diagnostics) = check(text);
        let d = diagnostics
            .iter()
            .find(|d| d.code == Code::HostEntryShape)
            .expect("the pair's error");
        let out = d.fix.as_ref().expect("a fix").apply_to(file, text).unwrap();
        assert_eq!(
            out,
            "web = [\"w0\", { name = \"w1\", data = { port = 1, tags = [\"a\"] } }]\n"
        );
        assert!(check(&out).1.is_empty(), "{out}");
        // A comment inside the pair would be lost.
        let commented = "web = [\n  [\"w1\", # the web server\n   { port = 1 }],\n]\n";
        let (_, diagnostics) = check(commented);
        assert!(
            diagnostics.iter().all(|d| d.fix.is_none()),
            "{diagnostics:?}"
        );
    }
}
