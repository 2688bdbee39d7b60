//! `hosts.toml`: groups, host entries and inline data, with shape checks.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::convert::{Ctx, Keys, data_table, parse_file, type_name};
use crate::model::{GroupShape, RawGroup, RawHost};
use crate::suggest::did_you_mean;
use strata_diagnostics::{Code, Diagnostic, FileId};

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
                    .with_help(help),
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
                let help = did_you_mean(other, HOST_KEYS.iter().copied())
                    .unwrap_or_else(|| rewrite(quoted_name.as_deref()));
                cx.push(
                    Diagnostic::error(
                        Code::HostEntryShape,
                        cx.span(key.span()),
                        format!("unknown key `{other}` in a host entry"),
                    )
                    .with_label_text("not `name` or `data`")
                    .with_help(help),
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
