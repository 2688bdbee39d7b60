//! What a deploy tool says an inventory is, in a form that does not depend
//! on the tool: the one input of placement, writing and the proof.
//!
//! The Ansible reader builds it from `ansible-inventory`'s JSON; the
//! pyinfra reader receives it as JSON from a Python script that runs
//! pyinfra's loader (so the serde derives below ARE that script's output
//! contract: change both together).
//!
//! Values are JSON values as the tool printed them. Two one-key tables
//! carry what plain JSON cannot: `{"__ansible_vault": "$ANSIBLE_VAULT;..."}`
//! (an encrypted value, kept encrypted) and `{"__ansible_unsafe": "..."}`
//! (a string Ansible must never template). `null` is a key defined with no
//! value; strata has no null, so placement decides what becomes of it.
//! `{"__float": "nan"}` (or `"-nan"`, `"inf"`, `"-inf"`) is a float JSON
//! cannot carry, which TOML writes as `nan`, `inf`, `-inf`.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The key of the one-key table that carries a float JSON cannot:
/// `{"__float": "nan"}`, `"-nan"`, `"inf"` or `"-inf"`.
pub const FLOAT_KEY: &str = "__float";

/// A set of variables, in the tool's order.
pub type Vars = serde_json::Map<String, Value>;

/// Which tool resolved the inventory (and so whose rules the oracle follows).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tool {
    /// `ansible-inventory`.
    Ansible,
    /// pyinfra's inventory loader.
    Pyinfra,
}

/// An inventory as one tool reads it: its structure, the variables as
/// written at each level, and what the tool resolves for every host.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Imported {
    /// The tool that read it.
    pub tool: Tool,
    /// Every host, each once, in the tool's host order.
    pub hosts: Vec<String>,
    /// Every group but `all` (and Ansible's implicit `ungrouped`), in the
    /// tool's precedence order, lowest first: the order hosts.toml should
    /// write them so strata's rule "deeper wins, then later" gives the
    /// tool's answer. A name starting with `@` is an implicit connector
    /// group (`@docker`, after every other group): strata makes it from its
    /// hosts' names, so hosts.toml never declares it; its `vars` belong in
    /// `group_data/@docker.toml`.
    pub groups: Vec<ImportedGroup>,
    /// Variables of every host (Ansible's `all` group, pyinfra's
    /// `group_data/all.py`).
    pub global: Vars,
    /// Each host's own variables (inline and `host_vars/`), by host name;
    /// a host without any may be missing.
    pub host_vars: IndexMap<String, Vars>,
    /// The oracle: what the tool resolves for every host.
    pub resolved: IndexMap<String, Resolved>,
}

/// One group as the tool declares it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportedGroup {
    /// Its name.
    pub name: String,
    /// Hosts listed in the group itself (not through children), in order.
    pub hosts: Vec<String>,
    /// Child groups, in order.
    #[serde(default)]
    pub children: Vec<String>,
    /// The group's variables, as the tool merges them for the group.
    #[serde(default)]
    pub vars: Vars,
}

/// What the tool resolves for one host.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resolved {
    /// Every group the host is in, directly or through children, without
    /// `all` and `ungrouped` (compared as a set).
    pub groups: Vec<String>,
    /// The host's variables, fully resolved, without the tool's internal
    /// ones (Ansible's `inventory_dir`, `group_names`, ...).
    pub vars: Vars,
}

/// Something in the tool's inventory that strata cannot take as it is (a
/// Python object, a null that would change a value, an integer TOML cannot
/// hold): reported with what it belongs to, all of them in one run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Problem {
    /// What the value belongs to, as the user would name it: "group `web`",
    /// "host `db1`", "all".
    pub subject: String,
    /// The key (a dotted path into nested tables where it is deeper), if
    /// the problem is one value's.
    #[serde(default)]
    pub key: Option<String>,
    /// What is wrong, in one sentence.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_contract_reads_back_what_it_writes() {
        let text = r#"{
            "tool": "pyinfra",
            "hosts": ["web1", "db1"],
            "groups": [{"name": "web", "hosts": ["web1"], "children": [], "vars": {"port": 80}}],
            "global": {"user": "deploy"},
            "host_vars": {"db1": {"role": "primary"}},
            "resolved": {
                "web1": {"groups": ["web"], "vars": {"user": "deploy", "port": 80}},
                "db1": {"groups": [], "vars": {"user": "deploy", "role": "primary"}}
            }
        }"#;
        let imported: Imported = serde_json::from_str(text).unwrap();
        assert_eq!(imported.tool, Tool::Pyinfra);
        assert_eq!(imported.groups[0].vars["port"], 80);
        assert_eq!(imported.resolved["db1"].vars["role"], "primary");
        let again: Imported =
            serde_json::from_str(&serde_json::to_string(&imported).unwrap()).unwrap();
        assert_eq!(again, imported);
        let unknown = text.replacen("\"tool\"", "\"extra\": 1, \"tool\"", 1);
        assert!(serde_json::from_str::<Imported>(&unknown).is_err());
    }
}
