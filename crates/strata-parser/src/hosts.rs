//! `hosts.toml`: groups, host entries and inline data, with shape checks.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::convert::{Ctx, data_table, type_name};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{GroupShape, RawGroup, RawHost};
use crate::suggest::did_you_mean;

const GROUP_KEYS: &[&str] = &["hosts", "data"];
const HOST_KEYS: &[&str] = &["name", "data"];

/// Keys people bring from Ansible or pyinfra, and what to write instead.
fn known_mistake(key: &str) -> Option<&'static str> {
    match key {
        "vars" | "variables" | "group_vars" => {
            Some("group data goes in `data` (or in group_data/<group>.toml)")
        }
        "children" => {
            Some("strata has no nested groups: list the hosts, or give a host several groups")
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
        let group = match value.get_ref() {
            DeValue::Array(items) => Some(RawGroup {
                name,
                name_span,
                shape: GroupShape::Array,
                hosts: host_entries(items.iter(), cx),
                has_hosts: true,
                data: None,
            }),
            DeValue::Table(t) => Some(group_table(name, name_span, t, cx)),
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
                None
            }
        };
        out.extend(group);
    }
    out
}

fn group_table(
    name: String,
    name_span: crate::Span,
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
    };
    for (key, value) in table.iter() {
        match key.get_ref().as_ref() {
            "hosts" => match value.get_ref() {
                DeValue::Array(items) => {
                    group.hosts = host_entries(items.iter(), cx);
                    group.has_hosts = true;
                }
                other => cx.push(
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
                ),
            },
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
                    .unwrap_or_else(|| "a group table holds only `hosts` and `data`".to_string());
                cx.push(
                    Diagnostic::error(
                        Code::UnknownGroupKey,
                        cx.span(key.span()),
                        format!("unknown key `{other}` in group `{}`", group.name),
                    )
                    .with_label_text("not `hosts` or `data`")
                    .with_help(help),
                );
            }
        }
    }
    group
}

fn host_entries<'a, 'i: 'a>(
    items: impl ExactSizeIterator<Item = &'a Spanned<DeValue<'i>>>,
    cx: &mut Ctx<'_>,
) -> Vec<RawHost> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match item.get_ref() {
            DeValue::String(s) => out.push(RawHost {
                name: s.to_string(),
                span: cx.span(item.span()),
                data: None,
            }),
            DeValue::Table(t) => out.extend(host_table(t, item.span(), cx)),
            other => cx.push(
                Diagnostic::error(
                    Code::HostEntryShape,
                    cx.span(item.span()),
                    format!(
                        "a host entry must be a string or a `{{ name, data }}` table, found {}",
                        type_name(other)
                    ),
                )
                .with_label_text("not a host"),
            ),
        }
    }
    out
}

fn host_table(
    table: &DeTable<'_>,
    span: std::ops::Range<usize>,
    cx: &mut Ctx<'_>,
) -> Option<RawHost> {
    let mut name = None;
    let mut data = None;
    let mut ok = true;
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
                let help = did_you_mean(other, HOST_KEYS.iter().copied())
                    .unwrap_or_else(|| "a host entry holds only `name` and `data`".to_string());
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
        Some((name, name_span)) => ok.then_some(RawHost {
            name,
            span: name_span,
            data,
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
