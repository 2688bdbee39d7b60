//! `strata list`: the whole resolved inventory.

use std::io::{self, Write};

use strata::Host;

use crate::args::DataFormat;
use crate::output::{DataJson, sorted_table, write_toml};

/// Streams `{"hosts": [...], "groups": [...]}` host by host, so memory does
/// not grow with the inventory.
pub fn run(
    out: &mut dyn Write,
    selected: &[Host<'_>],
    groups: &[(&str, Vec<&str>)],
    format: DataFormat,
) -> io::Result<()> {
    match format {
        DataFormat::Json => {
            out.write_all(b"{\"hosts\":[")?;
            for (i, h) in selected.iter().enumerate() {
                if i > 0 {
                    out.write_all(b",")?;
                }
                out.write_all(b"{\"name\":")?;
                serde_json::to_writer(&mut *out, h.name())?;
                out.write_all(b",\"groups\":")?;
                serde_json::to_writer(
                    &mut *out,
                    &h.groups().map(|g| g.name()).collect::<Vec<_>>(),
                )?;
                out.write_all(b",\"data\":")?;
                serde_json::to_writer(&mut *out, &DataJson(&h.data()))?;
                out.write_all(b"}")?;
            }
            out.write_all(b"],\"groups\":[")?;
            for (i, (name, hosts)) in groups.iter().enumerate() {
                if i > 0 {
                    out.write_all(b",")?;
                }
                serde_json::to_writer(
                    &mut *out,
                    &serde_json::json!({ "name": name, "hosts": hosts }),
                )?;
            }
            out.write_all(b"]}\n")
        }
        DataFormat::Toml => {
            let hosts: Vec<toml::Value> = selected
                .iter()
                .map(|h| {
                    let mut t = toml::Table::new();
                    t.insert("name".into(), h.name().into());
                    t.insert(
                        "groups".into(),
                        toml::Value::Array(h.groups().map(|g| g.name().into()).collect()),
                    );
                    t.insert(
                        "data".into(),
                        toml::Value::Table(sorted_table(&h.data().to_table())),
                    );
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
                        toml::Value::Array(hs.iter().map(|h| (*h).into()).collect()),
                    );
                    toml::Value::Table(t)
                })
                .collect();
            let mut doc = toml::Table::new();
            doc.insert("hosts".into(), toml::Value::Array(hosts));
            doc.insert("groups".into(), toml::Value::Array(groups));
            write_toml(out, &doc)
        }
    }
}
