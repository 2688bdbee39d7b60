//! `strata ansible --list | --host NAME`: the dynamic-inventory script contract.
//!
//! The whole answer is built before anything is written, so an error leaves
//! stdout empty, as Ansible expects of a failing inventory script.

use serde_json::{Map, Value, json};
use strata::Host;

use crate::output::{DataJson, Json};

/// `--list`: every group (never `all`) as `{"hosts": [...]}`, the hosts in
/// no group under `ungrouped`, and every host's resolved data in
/// `_meta.hostvars`, so Ansible never calls `--host`.
pub fn list(selected: &[Host<'_>], groups: &[(&str, Vec<&str>)]) -> String {
    let mut doc = Map::new();
    for (name, hosts) in groups {
        doc.insert(name.to_string(), json!({ "hosts": hosts }));
    }
    let ungrouped: Vec<&str> = selected
        .iter()
        .filter(|h| h.groups().next().is_none())
        .map(|h| h.name())
        .collect();
    // A group the inventory itself calls `ungrouped` keeps its hosts too.
    let entry = doc
        .entry("ungrouped")
        .or_insert_with(|| json!({ "hosts": [] }));
    if let Some(Value::Array(hosts)) = entry.get_mut("hosts") {
        hosts.extend(ungrouped.into_iter().map(Value::from));
    }
    let hostvars: Map<String, Value> = selected
        .iter()
        .map(|h| {
            let data = h.data();
            let vars: Map<String, Value> = data
                .iter()
                .map(|(k, v)| {
                    (
                        k.to_string(),
                        serde_json::to_value(Json(v)).unwrap_or(Value::Null),
                    )
                })
                .collect();
            (h.name().to_string(), Value::Object(vars))
        })
        .collect();
    doc.insert("_meta".into(), json!({ "hostvars": hostvars }));
    let mut text = serde_json::to_string(&Value::Object(doc)).unwrap_or_default();
    text.push('\n');
    text
}

/// `--host NAME`: that host's resolved data.
pub fn host(host: Host<'_>) -> String {
    let mut text = serde_json::to_string(&DataJson(&host.data())).unwrap_or_default();
    text.push('\n');
    text
}
