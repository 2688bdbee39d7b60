//! Step 1 for Ansible: what `ansible-inventory` says an inventory is, read
//! into an [`Imported`].
//!
//! Two runs of the real tool on the same Ansible inventories:
//! `--list --export` gives the structure (groups with `hosts`, `children`
//! and `vars`, `_meta.hostvars` with each host's own variables), `--list`
//! the oracle (every host's variables fully resolved). [`run`] makes both
//! through `strata-exec`; [`from_json`] takes them from one file produced
//! elsewhere, `{"export": <--list --export>, "list": <--list>}`.
//!
//! Orders: the groups in Ansible's precedence order, lowest first (depth
//! from `all`, then `ansible_group_priority`, then name); the hosts in the
//! order of a walk of `--list`'s tree from `all` (a group's own hosts,
//! then its children in order, depth first, each host where it first
//! appears), as `ansible-inventory` itself walks it.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use indexmap::IndexMap;
use serde_json::Value;
use strata_exec::{Command, run as run_command};

use crate::model::{Imported, ImportedGroup, Problem, Resolved, Tool, Vars};
use crate::value::BIG_INTEGER;

/// How long one `ansible-inventory` run may take.
pub const TIMEOUT: Duration = Duration::from_secs(600);

/// Ansible's implicit group of hosts in no other group.
const UNGROUPED: &str = "ungrouped";

/// What `ansible-inventory` printed, parsed.
#[derive(Clone, Debug)]
pub struct Output {
    /// `--list --export`.
    pub export: Value,
    /// `--list`.
    pub list: Value,
    /// Its version (`ansible-inventory --version`'s first line), when run here.
    pub version: Option<String>,
}

/// The two commands [`run`] runs, as argument vectors (for the message
/// that says so before running them).
pub fn commands(program: &Path, inventories: &[PathBuf]) -> [Vec<String>; 2] {
    let mut base = vec![program.to_string_lossy().into_owned()];
    for i in inventories {
        base.push("-i".into());
        base.push(i.to_string_lossy().into_owned());
    }
    let mut export = base.clone();
    export.extend(["--list".into(), "--export".into()]);
    let mut list = base;
    list.push("--list".into());
    [export, list]
}

/// Runs `program` (`ansible-inventory`) on the Ansible inventories: its
/// `--version`, `--list --export` and `--list`. An inventory Ansible cannot
/// parse is an error (`ANSIBLE_INVENTORY_UNPARSED_FAILED`), not an empty
/// import.
pub fn run(program: &Path, inventories: &[PathBuf]) -> Result<Output, Vec<Problem>> {
    let [export_argv, list_argv] = commands(program, inventories);
    let exec = |argv: Vec<String>| -> Result<Vec<u8>, Problem> {
        let shown = argv.join(" ");
        let command = Command::new(argv)
            .timeout(TIMEOUT)
            .env("ANSIBLE_INVENTORY_UNPARSED_FAILED", "True")
            .env("ANSIBLE_NOCOLOR", "1");
        let out = run_command(&command).map_err(|e| tool_problem(&shown, &e.to_string()))?;
        if !out.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let tail: Vec<&str> = stderr.lines().rev().take(20).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            return Err(tool_problem(
                &shown,
                &format!("it failed ({}):\n{}", out.status, tail.join("\n")),
            ));
        }
        Ok(out.stdout)
    };
    let version_argv = vec![program.to_string_lossy().into_owned(), "--version".into()];
    // The three runs are independent: run them side by side.
    let (version, export, list) = std::thread::scope(|s| {
        let version = s.spawn(|| exec(version_argv));
        let export = s.spawn(|| exec(export_argv));
        let list = exec(list_argv);
        let join = |h: std::thread::ScopedJoinHandle<'_, Result<Vec<u8>, Problem>>| {
            h.join().unwrap_or_else(|_| {
                Err(tool_problem(
                    &program.display().to_string(),
                    "its run failed",
                ))
            })
        };
        (join(version), join(export), list)
    });
    let version = version.ok().and_then(|v| {
        String::from_utf8_lossy(&v)
            .lines()
            .next()
            .map(|l| l.trim().to_string())
    });
    let (export, list) = match (export, list) {
        (Ok(e), Ok(l)) => (e, l),
        (e, l) => return Err(e.err().into_iter().chain(l.err()).collect()),
    };
    let mut problems = Vec::new();
    let export = parse_json(&export, "`ansible-inventory --list --export`'s output")
        .map_err(|p| problems.push(p));
    let list =
        parse_json(&list, "`ansible-inventory --list`'s output").map_err(|p| problems.push(p));
    match (export, list) {
        (Ok(export), Ok(list)) => Ok(Output {
            export,
            list,
            version,
        }),
        _ => Err(problems),
    }
}

fn tool_problem(command: &str, message: &str) -> Problem {
    Problem {
        subject: format!("`{command}`"),
        key: None,
        message: message.to_string(),
    }
}

/// Reads `{"export": <--list --export output>, "list": <--list output>}`
/// (the `--from-json FILE` of `strata import ansible`).
pub fn from_json(text: &[u8], name: &str) -> Result<Output, Vec<Problem>> {
    let mut value = parse_json(text, name).map_err(|p| vec![p])?;
    let shape = || Problem {
        subject: name.to_string(),
        key: None,
        message: "expected an object {\"export\": <ansible-inventory --list --export>, \
                  \"list\": <ansible-inventory --list>}"
            .into(),
    };
    let Some(object) = value.as_object_mut() else {
        return Err(vec![shape()]);
    };
    let (Some(export), Some(list)) = (object.remove("export"), object.remove("list")) else {
        return Err(vec![shape()]);
    };
    if !object.is_empty() {
        return Err(vec![shape()]);
    }
    Ok(Output {
        export,
        list,
        version: None,
    })
}

/// Parses JSON without letting an integer become a float: an integer
/// literal outside i64 (which serde_json would read as a u64 or an f64) is
/// first rewritten into `{"__strata_import_big_integer": "<digits>"}`, which
/// [`crate::place()`] reports as a problem where it is defined.
pub fn parse_json(text: &[u8], name: &str) -> Result<Value, Problem> {
    let text = std::str::from_utf8(text).map_err(|e| Problem {
        subject: name.to_string(),
        key: None,
        message: format!("it is not UTF-8: {e}"),
    })?;
    let marked = mark_big_integers(text);
    serde_json::from_str(&marked).map_err(|e| Problem {
        subject: name.to_string(),
        key: None,
        message: format!("it is not JSON: {e}"),
    })
}

/// `text` with every integer literal outside i64 wrapped as
/// [`BIG_INTEGER`]. Strings are skipped (escapes included); anything that
/// is not JSON is left for the parser to refuse.
fn mark_big_integers(text: &str) -> std::borrow::Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                i += 1;
                while i < bytes.len()
                    && matches!(bytes[i], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-')
                {
                    i += 1;
                }
                let literal = &text[start..i];
                let integer = literal.bytes().skip(1).all(|b| b.is_ascii_digit())
                    && literal.bytes().any(|b| b.is_ascii_digit());
                if integer && literal.parse::<i64>().is_err() {
                    let out = out.get_or_insert_with(|| String::with_capacity(text.len() + 64));
                    out.push_str(&text[copied..start]);
                    out.push_str(&format!("{{\"{BIG_INTEGER}\": \"{literal}\"}}"));
                    copied = i;
                }
            }
            _ => i += 1,
        }
    }
    match out {
        None => std::borrow::Cow::Borrowed(text),
        Some(mut out) => {
            out.push_str(&text[copied.min(text.len())..]);
            std::borrow::Cow::Owned(out)
        }
    }
}

/// One group of `ansible-inventory`'s JSON.
#[derive(Default)]
struct Node {
    hosts: Vec<String>,
    children: Vec<String>,
    vars: Vars,
}

/// The groups of one `ansible-inventory` output, by name, and its
/// `_meta.hostvars`.
fn tree(output: &Value, what: &str, problems: &mut Vec<Problem>) -> (IndexMap<String, Node>, Vars) {
    let mut groups = IndexMap::new();
    let mut hostvars = Vars::new();
    let Some(object) = output.as_object() else {
        problems.push(Problem {
            subject: what.into(),
            key: None,
            message: "expected a JSON object".into(),
        });
        return (groups, hostvars);
    };
    for (name, value) in object {
        if name == "_meta" {
            if let Some(h) = value.get("hostvars").and_then(Value::as_object) {
                hostvars = h.clone();
            }
            continue;
        }
        let mut node = Node::default();
        let strings =
            |v: Option<&Value>, field: &str, problems: &mut Vec<Problem>| -> Vec<String> {
                match v {
                    None => Vec::new(),
                    Some(Value::Array(items)) => items
                        .iter()
                        .filter_map(|i| match i.as_str() {
                            Some(s) => Some(s.to_string()),
                            None => {
                                problems.push(Problem {
                                    subject: format!("group `{name}` in {what}"),
                                    key: Some(field.into()),
                                    message: format!("expected names, found {i}"),
                                });
                                None
                            }
                        })
                        .collect(),
                    Some(other) => {
                        problems.push(Problem {
                            subject: format!("group `{name}` in {what}"),
                            key: Some(field.into()),
                            message: format!("expected a list of names, found {other}"),
                        });
                        Vec::new()
                    }
                }
            };
        node.hosts = strings(value.get("hosts"), "hosts", problems);
        node.children = strings(value.get("children"), "children", problems);
        match value.get("vars") {
            None => {}
            Some(Value::Object(v)) => node.vars = v.clone(),
            Some(other) => problems.push(Problem {
                subject: format!("group `{name}` in {what}"),
                key: Some("vars".into()),
                message: format!("expected a table, found {other}"),
            }),
        }
        groups.insert(name.clone(), node);
    }
    groups.entry("all".to_string()).or_default();
    (groups, hostvars)
}

/// Hosts in the order of a depth-first walk from `all`: a group's own
/// hosts, then its children's, each host where it first appears.
fn host_order(groups: &IndexMap<String, Node>) -> Vec<String> {
    let mut order = Vec::new();
    let mut seen_hosts = HashSet::new();
    let mut seen_groups = HashSet::new();
    let mut stack = vec!["all".to_string()];
    while let Some(name) = stack.pop() {
        if !seen_groups.insert(name.clone()) {
            continue;
        }
        let Some(node) = groups.get(&name) else {
            continue;
        };
        for h in &node.hosts {
            if seen_hosts.insert(h.clone()) {
                order.push(h.clone());
            }
        }
        for c in node.children.iter().rev() {
            stack.push(c.clone());
        }
    }
    order
}

/// Every group's depth: its longest path from `all` (`all` is 0). A cycle
/// (which Ansible refuses) stops at the group already on the path.
fn depths(groups: &IndexMap<String, Node>) -> HashMap<String, u32> {
    let mut depth: HashMap<String, u32> = HashMap::new();
    // Longest paths in a DAG: relax in a topological order (Kahn).
    let mut indegree: HashMap<&str, usize> = groups.keys().map(|g| (g.as_str(), 0)).collect();
    for node in groups.values() {
        for c in &node.children {
            if let Some(d) = indegree.get_mut(c.as_str()) {
                *d += 1;
            }
        }
    }
    let mut ready: Vec<&str> = indegree
        .iter()
        .filter(|(_, d)| **d == 0)
        .map(|(g, _)| *g)
        .collect();
    ready.sort_unstable();
    for g in &ready {
        depth.insert((*g).to_string(), if *g == "all" { 0 } else { 1 });
    }
    while let Some(g) = ready.pop() {
        let d = depth.get(g).copied().unwrap_or(1);
        if let Some(node) = groups.get(g) {
            for c in &node.children {
                let entry = depth.entry(c.clone()).or_insert(0);
                *entry = (*entry).max(d + 1);
                if let Some(n) = indegree.get_mut(c.as_str()) {
                    *n -= 1;
                    if *n == 0 {
                        ready.push(c.as_str());
                    }
                }
            }
        }
    }
    depth
}

/// Ansible's `ansible_group_priority` of a group: an integer (or a string
/// of one, as INI may give), default 1.
fn priority(vars: &Vars) -> i64 {
    match vars.get("ansible_group_priority") {
        Some(Value::Number(n)) => n.as_i64().unwrap_or(1),
        Some(Value::String(s)) => s.trim().parse().unwrap_or(1),
        _ => 1,
    }
}

/// Every group each host is in, through children, by host.
fn memberships(groups: &IndexMap<String, Node>) -> HashMap<String, HashSet<String>> {
    let mut of: HashMap<String, HashSet<String>> = HashMap::new();
    // Each group's hosts with its descendants', computed by a walk per group
    // (bounded by groups x edges).
    for (name, _) in groups {
        if name == "all" || name == UNGROUPED {
            continue;
        }
        let mut seen = HashSet::new();
        let mut stack = vec![name.as_str()];
        while let Some(g) = stack.pop() {
            if !seen.insert(g) {
                continue;
            }
            if let Some(node) = groups.get(g) {
                for h in &node.hosts {
                    of.entry(h.clone()).or_default().insert(name.clone());
                }
                stack.extend(node.children.iter().map(String::as_str));
            }
        }
    }
    of
}

/// The [`Imported`] of `ansible-inventory`'s two outputs, or every problem
/// of their shape.
pub fn read(output: &Output) -> Result<Imported, Vec<Problem>> {
    let mut problems = Vec::new();
    let (export, export_hostvars) = tree(&output.export, "the --export output", &mut problems);
    let (list, list_hostvars) = tree(&output.list, "the --list output", &mut problems);
    let hosts = host_order(&list);
    let depth = depths(&export);
    let mut names: Vec<&String> = export
        .keys()
        .filter(|g| *g != "all" && *g != UNGROUPED)
        .collect();
    names.sort_by_cached_key(|g| {
        (
            depth.get(*g).copied().unwrap_or(1),
            priority(&export[*g].vars),
            (*g).clone(),
        )
    });
    let groups: Vec<ImportedGroup> = names
        .into_iter()
        .map(|g| ImportedGroup {
            name: g.clone(),
            hosts: export[g].hosts.clone(),
            // `--export` drops a group with nothing in it but keeps its
            // name among its parent's children.
            children: export[g]
                .children
                .iter()
                .filter(|c| *c != UNGROUPED && *c != "all" && export.contains_key(*c))
                .cloned()
                .collect(),
            // Ansible takes `ansible_group_priority` for the order (used
            // above) and gives it to no host.
            vars: export[g]
                .vars
                .iter()
                .filter(|(k, _)| *k != "ansible_group_priority")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        })
        .collect();
    let mut host_vars: IndexMap<String, Vars> = IndexMap::new();
    for (h, v) in export_hostvars {
        match v {
            Value::Object(v) => {
                host_vars.insert(h, v);
            }
            other => problems.push(Problem {
                subject: format!("host `{h}`"),
                key: None,
                message: format!("expected a table of variables in --export, found {other}"),
            }),
        }
    }
    // `ungrouped`'s variables (`[ungrouped:vars]`) reach only hosts in no
    // other group, over `all`'s and under their own: they become host
    // variables where the host has none of that key.
    if let Some(node) = export.get(UNGROUPED) {
        for h in &node.hosts {
            let own = host_vars.entry(h.clone()).or_default();
            for (k, v) in &node.vars {
                if !own.contains_key(k) {
                    own.insert(k.clone(), v.clone());
                }
            }
        }
    }
    let member = memberships(&list);
    let mut resolved = IndexMap::new();
    for h in &hosts {
        let vars = match list_hostvars.get(h) {
            None => Vars::new(),
            Some(Value::Object(v)) => v.clone(),
            Some(other) => {
                problems.push(Problem {
                    subject: format!("host `{h}`"),
                    key: None,
                    message: format!("expected a table of variables in --list, found {other}"),
                });
                Vars::new()
            }
        };
        let mut in_groups: Vec<String> = member
            .get(h)
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default();
        in_groups.sort();
        resolved.insert(
            h.clone(),
            Resolved {
                groups: in_groups,
                vars,
            },
        );
    }
    let export_hosts: HashSet<String> = host_order(&export).into_iter().collect();
    for h in &hosts {
        if !export_hosts.contains(h) {
            problems.push(Problem {
                subject: format!("host `{h}`"),
                key: None,
                message: "it is in --list but not in --list --export: the two runs disagree".into(),
            });
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Imported {
        tool: Tool::Ansible,
        hosts,
        groups,
        global: export["all"].vars.clone(),
        host_vars,
        resolved,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn big_integers_are_marked_and_small_ones_and_strings_are_not() {
        let text = r#"{"a": 9223372036854775807, "b": 9223372036854775808, "c": -9223372036854775809,
                       "d": "123456789012345678901234567890", "e": 1.5e300, "f": [12345678901234567890123],
                       "g\"": "x\\", "h": -1}"#;
        let v = parse_json(text.as_bytes(), "t").unwrap();
        assert_eq!(v["a"], json!(i64::MAX));
        assert_eq!(v["b"], json!({BIG_INTEGER: "9223372036854775808"}));
        assert_eq!(v["c"], json!({BIG_INTEGER: "-9223372036854775809"}));
        assert_eq!(v["d"], json!("123456789012345678901234567890"));
        assert_eq!(v["e"], json!(1.5e300));
        assert_eq!(v["f"][0], json!({BIG_INTEGER: "12345678901234567890123"}));
        assert_eq!(v["h"], json!(-1));
        assert!(parse_json(b"{\"a\": 1", "t").is_err());
    }

    #[test]
    fn groups_come_in_ansibles_precedence_order_and_hosts_in_its_walk() {
        let tree = json!({
            "_meta": {"hostvars": {"b1": {"x": 1}}},
            "all": {"children": ["ungrouped", "b", "a"], "vars": {"g": 0}},
            "b": {"hosts": ["b1", "a1"], "children": ["c"]},
            "c": {"hosts": ["c1", "b1"]},
            "a": {"hosts": ["a2", "c1"], "children": ["d"], "vars": {"ansible_group_priority": 5}},
            "d": {"hosts": ["d1"], "vars": {"ansible_group_priority": "0"}},
            "ungrouped": {"hosts": ["z"]}
        });
        let output = Output {
            export: tree.clone(),
            list: tree,
            version: None,
        };
        let imported = read(&output).unwrap();
        let names: Vec<&str> = imported.groups.iter().map(|g| g.name.as_str()).collect();
        assert_eq!(names, ["b", "a", "d", "c"]);
        assert_eq!(imported.hosts, ["z", "b1", "a1", "c1", "a2", "d1"]);
        assert_eq!(imported.resolved["c1"].groups, ["a", "b", "c"]);
        assert_eq!(imported.resolved["z"].groups, Vec::<String>::new());
        assert_eq!(imported.global["g"], 0);
        assert_eq!(imported.host_vars["b1"]["x"], 1);
        assert!(imported.groups.iter().all(|g| g.vars.is_empty()));
    }

    #[test]
    fn the_from_json_file_has_one_shape() {
        assert!(from_json(br#"{"export": {}, "list": {}}"#, "f").is_ok());
        assert!(from_json(br#"{"export": {}}"#, "f").is_err());
        assert!(from_json(br#"{"export": {}, "list": {}, "x": 1}"#, "f").is_err());
        assert!(from_json(b"[]", "f").is_err());
    }
}
