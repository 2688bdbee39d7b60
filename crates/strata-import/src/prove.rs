//! Step 4: the proof. DIR is loaded with the real strata library (no
//! command is run: `Loader::allow_exec(false)`), and every host is compared
//! with what the tool resolves: the set of hosts, each host's groups (as
//! sets, without `all` and `ungrouped`), and each key's value (JSON
//! equality). The tool's `null` against strata's "no such key" is
//! identical by the null rule, and counted apart. This step does not use
//! placement's model: it checks it.

use std::collections::{BTreeSet, HashSet};
use std::path::Path;

use serde_json::Value;

use crate::model::Imported;

/// The outcome of a comparison.
#[derive(Clone, Debug, Default)]
pub struct Proof {
    /// Hosts compared.
    pub hosts: usize,
    /// strata's groups.
    pub groups: usize,
    /// Values identical.
    pub identical: usize,
    /// Values the tool resolves to null that strata does not have.
    pub nulls: usize,
    /// Every difference.
    pub differences: Vec<Difference>,
}

/// One difference between the tool and strata.
#[derive(Clone, Debug, PartialEq)]
pub struct Difference {
    /// The host (or "the inventory" for the set of hosts).
    pub host: String,
    /// The key, or `groups` / `hosts`.
    pub what: String,
    /// The tool's answer (None: it has none).
    pub tool: Option<Value>,
    /// strata's answer (None: it has none).
    pub strata: Option<Value>,
    /// Where strata's value comes from (`file:line:column (layer)`).
    pub origin: Option<String>,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let show = |v: &Option<Value>| match v {
            Some(v) => v.to_string(),
            None => "(none)".into(),
        };
        write!(
            f,
            "{}: {}: tool {}, strata {}",
            self.host,
            self.what,
            show(&self.tool),
            show(&self.strata)
        )?;
        if let Some(o) = &self.origin {
            write!(f, " (from {o})")?;
        }
        Ok(())
    }
}

impl Proof {
    /// No difference.
    pub fn holds(&self) -> bool {
        self.differences.is_empty()
    }

    /// `N hosts, M groups, K values identical` (and the null count).
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{}, {}, {} identical",
            counted(self.hosts, "host"),
            counted(self.groups, "group"),
            counted(self.identical, "value")
        );
        if self.nulls > 0 {
            s.push_str(&format!(
                ", {} null value{} identical by the null rule (strata has no such key)",
                self.nulls,
                if self.nulls == 1 { "" } else { "s" }
            ));
        }
        s
    }
}

/// Loads DIR with strata and compares it with `imported`'s oracle. The
/// error is strata's own report of a DIR that does not load.
pub fn prove(dir: &Path, imported: &Imported) -> Result<Proof, strata::LoadError> {
    let inventory = strata::Loader::new(dir).allow_exec(false).load()?;
    let mut proof = Proof {
        groups: inventory.groups().len(),
        ..Proof::default()
    };
    let strata_hosts: Vec<&str> = inventory.hosts().map(|h| h.name()).collect();
    let tool_hosts: HashSet<&str> = imported.hosts.iter().map(String::as_str).collect();
    for h in &strata_hosts {
        if !tool_hosts.contains(h) {
            proof.differences.push(Difference {
                host: (*h).to_string(),
                what: "host".into(),
                tool: None,
                strata: Some(Value::Bool(true)),
                origin: inventory
                    .host(h)
                    .and_then(|h| h.location())
                    .map(|l| l.to_string()),
            });
        }
    }
    for name in &imported.hosts {
        let Some(host) = inventory.host(name) else {
            proof.differences.push(Difference {
                host: name.clone(),
                what: "host".into(),
                tool: Some(Value::Bool(true)),
                strata: None,
                origin: None,
            });
            continue;
        };
        proof.hosts += 1;
        let empty = crate::model::Resolved {
            groups: Vec::new(),
            vars: Default::default(),
        };
        let resolved = imported.resolved.get(name).unwrap_or(&empty);
        let want: BTreeSet<&str> = resolved
            .groups
            .iter()
            .map(String::as_str)
            .filter(|g| *g != "all" && *g != "ungrouped")
            .collect();
        let have: BTreeSet<&str> = host.groups().map(|g| g.name()).collect();
        if want != have {
            let list = |s: &BTreeSet<&str>| {
                Value::from(s.iter().map(|g| g.to_string()).collect::<Vec<_>>())
            };
            proof.differences.push(Difference {
                host: name.clone(),
                what: "groups".into(),
                tool: Some(list(&want)),
                strata: Some(list(&have)),
                origin: None,
            });
        }
        let data = host.data();
        for (key, tool) in &resolved.vars {
            match data.get(key) {
                None if tool.is_null() => proof.nulls += 1,
                None => proof.differences.push(Difference {
                    host: name.clone(),
                    what: key.clone(),
                    tool: Some(tool.clone()),
                    strata: None,
                    origin: None,
                }),
                Some(value) => {
                    let value = as_json(value);
                    if &value == tool {
                        proof.identical += 1;
                    } else {
                        proof.differences.push(Difference {
                            host: name.clone(),
                            what: key.clone(),
                            tool: Some(tool.clone()),
                            strata: Some(value),
                            origin: data.origin(key).map(|o| o.to_string()),
                        });
                    }
                }
            }
        }
        for (key, value) in data.iter() {
            if !resolved.vars.contains_key(key) {
                proof.differences.push(Difference {
                    host: name.clone(),
                    what: key.to_string(),
                    tool: None,
                    strata: Some(as_json(value)),
                    origin: data.origin(key).map(|o| o.to_string()),
                });
            }
        }
    }
    Ok(proof)
}

/// strata's value as the tool's JSON: as `strata::json` writes it, except
/// a float JSON cannot hold (NaN, infinities), which is the readers'
/// `{"__float": "nan"}` form (`model::FLOAT_KEY`), so that it compares.
fn as_json(value: &strata::Value) -> Value {
    match value {
        strata::Value::Float(f) if !f.is_finite() => {
            let name = match (f.is_nan(), f.is_sign_negative()) {
                (true, false) => "nan",
                (true, true) => "-nan",
                (false, false) => "inf",
                (false, true) => "-inf",
            };
            serde_json::json!({ crate::model::FLOAT_KEY: name })
        }
        strata::Value::Array(items) => Value::Array(items.iter().map(as_json).collect()),
        strata::Value::Table(table) => Value::Object(
            table
                .iter()
                .map(|(k, v)| (k.to_string(), as_json(v)))
                .collect(),
        ),
        other => strata::json::to_value(other),
    }
}

/// `1 host`, `2 hosts`.
fn counted(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
