//! `strata list`: the whole resolved inventory.

use std::io::{self, Write};

use serde_json::Value;
use strata::{Data, Host, Inventory};

use crate::args::{ListExtra, ListFormat};
use crate::commands::explain::key_origin_json;
use crate::failure::Failure;
use crate::load;
use crate::output::{DataJson, PairsJson, sorted_table, write_toml};
use crate::plan;
use crate::term::Stderr;

/// Loads the inventory and the selected hosts' files, and prints them.
pub fn run(plan: &plan::List, out: &mut impl Write, err: &mut Stderr<'_>) -> Result<(), Failure> {
    let opened = load::open(&plan.query, err)?;
    {
        let inventory = opened.inventory();
        let selected = opened.selected();
        let groups = super::groups_for(inventory, &selected, opened.limited());
        print(out, inventory, &selected, &groups, plan.format, plan.extra)?;
    }
    opened.finish(out)
}

/// Streams `{"hosts": [...], "groups": [...]}` host by host, so memory does
/// not grow with the inventory; or, as JSON Lines, each host object on a
/// line of its own and then `{"names": [...], "groups": [...]}`. `extra` adds origins,
/// global data and datetime paths (see docs/cli.md).
fn print(
    out: &mut impl Write,
    inventory: &Inventory,
    selected: &[Host<'_>],
    groups: &[(&str, super::Members<'_>)],
    format: ListFormat,
    extra: ListExtra,
) -> io::Result<()> {
    match format {
        ListFormat::Json => {
            out.write_all(b"{\"hosts\":[")?;
            super::write_hosts(out, selected, |out, h| host_json(out, h, extra))?;
            out.write_all(b"],")?;
            rest_json(out, inventory, groups, extra)?;
            out.write_all(b"}\n")
        }
        ListFormat::JsonLines => {
            super::write_hosts_between(out, selected, b'\n', |out, h| host_json(out, h, extra))?;
            if !selected.is_empty() {
                out.write_all(b"\n")?;
            }
            // The names, in the order of the lines above: a program can
            // index the lines without decoding them.
            out.write_all(b"{\"names\":")?;
            serde_json::to_writer(
                &mut *out,
                &selected.iter().map(|h| h.name()).collect::<Vec<_>>(),
            )?;
            out.write_all(b",")?;
            rest_json(out, inventory, groups, extra)?;
            out.write_all(b"}\n")
        }
        ListFormat::Toml => {
            let hosts: Vec<toml::Value> = selected
                .iter()
                .map(|h| {
                    let data = h.data();
                    let mut t = toml::Table::new();
                    t.insert("name".into(), h.name().into());
                    t.insert(
                        "groups".into(),
                        toml::Value::Array(h.groups().map(|g| g.name().into()).collect()),
                    );
                    t.insert(
                        "data".into(),
                        toml::Value::Table(sorted_table(&data.to_table())),
                    );
                    if extra.datetime_paths {
                        t.insert(
                            "datetimes".into(),
                            json_to_toml(datetime_paths(&data.iter().collect::<Vec<_>>())),
                        );
                    }
                    if extra.origins {
                        t.insert("origins".into(), json_to_toml(origins(&data)));
                    }
                    toml::Value::Table(t)
                })
                .collect();
            let groups: Vec<toml::Value> = groups
                .iter()
                .map(|(name, hs)| {
                    let mut t = toml::Table::new();
                    t.insert("name".into(), (*name).into());
                    t.insert(
                        "hosts".into(),
                        toml::Value::Array(hs.iter().map(Into::into).collect()),
                    );
                    toml::Value::Table(t)
                })
                .collect();
            let mut doc = toml::Table::new();
            if extra.global_data {
                let data = inventory.data();
                doc.insert(
                    "data".into(),
                    toml::Value::Table(sorted_table(&data.to_table())),
                );
                if extra.datetime_paths {
                    doc.insert(
                        "datetimes".into(),
                        json_to_toml(datetime_paths(&data.iter().collect::<Vec<_>>())),
                    );
                }
            }
            doc.insert("hosts".into(), toml::Value::Array(hosts));
            doc.insert("groups".into(), toml::Value::Array(groups));
            write_toml(out, &doc)
        }
    }
}

/// One host's object: `{"name": ..., "groups": [...], "data": {...}}` and
/// what `extra` adds.
fn host_json(out: &mut Vec<u8>, h: Host<'_>, extra: ListExtra) -> io::Result<()> {
    let data = h.data();
    out.extend_from_slice(b"{\"name\":");
    serde_json::to_writer(&mut *out, h.name())?;
    out.extend_from_slice(b",\"groups\":");
    serde_json::to_writer(&mut *out, &h.groups().map(|g| g.name()).collect::<Vec<_>>())?;
    out.extend_from_slice(b",\"data\":");
    if extra.datetime_paths {
        // Resolved once for both members.
        let pairs: Vec<(&str, &strata::Value)> = data.iter().collect();
        serde_json::to_writer(&mut *out, &PairsJson(&pairs))?;
        out.extend_from_slice(b",\"datetimes\":");
        serde_json::to_writer(&mut *out, &datetime_paths(&pairs))?;
    } else {
        serde_json::to_writer(&mut *out, &DataJson(&data))?;
    }
    if extra.origins {
        out.extend_from_slice(b",\"origins\":");
        serde_json::to_writer(&mut *out, &origins(&data))?;
    }
    out.push(b'}');
    Ok(())
}

/// The members after the hosts: `"groups":[...]` and, with
/// `--global-data`, `"data"` (and its `"datetimes"`).
fn rest_json(
    out: &mut impl Write,
    inventory: &Inventory,
    groups: &[(&str, super::Members<'_>)],
    extra: ListExtra,
) -> io::Result<()> {
    out.write_all(b"\"groups\":[")?;
    for (i, (name, hosts)) in groups.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        serde_json::to_writer(
            &mut *out,
            &serde_json::json!({ "name": name, "hosts": hosts }),
        )?;
    }
    out.write_all(b"]")?;
    if extra.global_data {
        let data = inventory.data();
        out.write_all(b",\"data\":")?;
        serde_json::to_writer(&mut *out, &DataJson(&data))?;
        if extra.datetime_paths {
            out.write_all(b",\"datetimes\":")?;
            serde_json::to_writer(&mut *out, &datetime_paths(&data.iter().collect::<Vec<_>>()))?;
        }
    }
    Ok(())
}

/// `{"key": origin}` for every key of `data`, keys sorted; a merged
/// key's origin has its `"pieces"`.
fn origins(data: &Data<'_>) -> Value {
    Value::Object(
        data.keys()
            .filter_map(|k| key_origin_json(data, k).map(|o| (k.to_string(), o)))
            .collect(),
    )
}

/// The paths to every TOML datetime in `data`, in the order the JSON output
/// prints the values (keys sorted): `[["when"], ["window", "start"], ["list", 0]]`.
fn datetime_paths(pairs: &[(&str, &strata::Value)]) -> Value {
    // Most data holds no datetime: say so without building a path.
    if !pairs.iter().any(|(_, v)| holds_datetime(v)) {
        return Value::Array(Vec::new());
    }
    let mut paths = Vec::new();
    let mut path = Vec::new();
    for &(key, value) in pairs {
        path.push(Value::from(key));
        walk(value, &mut path, &mut paths);
        path.pop();
    }
    Value::Array(paths)
}

/// Whether `value` is or holds a TOML datetime.
fn holds_datetime(value: &strata::Value) -> bool {
    match value {
        strata::Value::Datetime(_) => true,
        strata::Value::Array(items) => items.iter().any(holds_datetime),
        strata::Value::Table(table) => table.iter().any(|(_, v)| holds_datetime(v)),
        _ => false,
    }
}

fn walk(value: &strata::Value, path: &mut Vec<Value>, paths: &mut Vec<Value>) {
    match value {
        strata::Value::Datetime(_) => paths.push(Value::Array(path.clone())),
        strata::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(Value::from(i));
                walk(item, path, paths);
                path.pop();
            }
        }
        strata::Value::Table(table) => {
            let mut entries: Vec<(&str, &strata::Value)> = table.iter().collect();
            entries.sort_unstable_by_key(|(k, _)| *k);
            for (k, v) in entries {
                path.push(Value::from(k));
                walk(v, path, paths);
                path.pop();
            }
        }
        _ => {}
    }
}

/// JSON (objects, arrays, strings, integers; no nulls inside objects) as
/// TOML, for `--format toml`: object members that are `null` are left out,
/// since TOML has no null.
fn json_to_toml(v: Value) -> toml::Value {
    match v {
        Value::Object(map) => toml::Value::Table(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, json_to_toml(v)))
                .collect(),
        ),
        Value::Array(items) => toml::Value::Array(items.into_iter().map(json_to_toml).collect()),
        Value::String(s) => toml::Value::String(s),
        Value::Bool(b) => toml::Value::Boolean(b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => toml::Value::Integer(i),
            None => toml::Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        // Only reachable for a null outside an object, which the callers
        // never produce.
        Value::Null => toml::Value::String(String::new()),
    }
}
