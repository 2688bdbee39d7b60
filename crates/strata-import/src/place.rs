//! Step 2: where each value goes, so that strata's rule gives every host
//! what the tool resolves (the oracle, [`Imported::resolved`]).
//!
//! strata's rule (docs/precedence.md), as this module models it: a host's
//! file (`host_data/<h>.toml`) over its groups, the deeper group first, at
//! equal depth the later one in hosts.toml, over the global data
//! (`group_data/all.toml`). Placement starts from the tool's own placement
//! (group variables in the group, host variables on the host) and
//! corrects it until the model gives the oracle:
//!
//! 1. a `null` definition is taken out (strata has no null);
//! 2. a group's (or the global) definition that wins in strata for a host
//!    whose oracle value differs, and that the tool resolves for none of
//!    the group's hosts, is dead in the tool: it is dropped (Ansible's
//!    `group_vars/all.yml` beats `[atlanta:vars]`); repeated until stable;
//! 3. what still differs is pinned: the oracle's value in the host's own
//!    data, counted per (what strata would pick, what the tool picks, key);
//! 4. a group definition that then wins for no host is left out.
//!
//! A host whose oracle value is `null` must then get nothing from strata
//! (the null rule, docs/import.md); otherwise it is a [`Problem`]. The
//! model is only a guide: the proof ([`crate::prove()`]) loads the written
//! inventory with the real library.

use std::collections::{BTreeMap, HashMap, HashSet};

use indexmap::IndexMap;
use serde_json::Value;

use crate::model::{Imported, Problem, Vars};
use crate::value::to_toml;

/// An inventory as strata will hold it, values in TOML.
#[derive(Clone, Debug)]
pub struct Placed {
    /// Every host, in the tool's order.
    pub hosts: Vec<String>,
    /// The groups, in hosts.toml's order.
    pub groups: Vec<PlacedGroup>,
    /// `group_data/all.toml`.
    pub global: toml::Table,
    /// `host_data/<host>.toml`, for hosts with data.
    pub host_vars: IndexMap<String, toml::Table>,
    /// What placement changed, for the user.
    pub report: Report,
}

/// One group of hosts.toml.
#[derive(Clone, Debug)]
pub struct PlacedGroup {
    /// Its name.
    pub name: String,
    /// Its own hosts, without those a child holds already.
    pub hosts: Vec<String>,
    /// Its children.
    pub children: Vec<String>,
    /// `group_data/<name>.toml`.
    pub vars: toml::Table,
}

/// What placement did that the user should know, each with a count.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Definitions dropped because the tool never resolves them:
    /// (subject, key) → reason.
    pub dropped: Vec<(String, String, String)>,
    /// Definitions dropped because strata gives them to no host (a deeper
    /// group or the hosts' own data always wins): count.
    pub unused: usize,
    /// Values pinned in host data: reason → hosts.
    pub pins: BTreeMap<String, usize>,
    /// Keys whose `null` was dropped by the null rule: key → hosts.
    pub nulls: BTreeMap<String, usize>,
    /// Groups with no host, left out with their data.
    pub empty_groups: Vec<String>,
}

/// Who defines a value, for messages.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Definer {
    Host,
    /// What a connector gives its host (`@ssh/10.0.0.5` → `ssh_hostname`):
    /// below the host's own data, above its groups.
    Connector,
    Group(usize),
    Global,
}

struct Model<'a> {
    imported: &'a Imported,
    global: Vars,
    groups: Vec<Vars>,
    hosts: HashMap<String, Vars>,
    /// What strata's connectors give connector hosts (pyinfra's `@docker/x`).
    connectors: HashMap<String, Vars>,
    /// Each host's groups, in strata's order (lowest first).
    host_groups: HashMap<&'a str, Vec<usize>>,
    /// Each group's hosts, through children.
    members: Vec<Vec<&'a str>>,
}

impl<'a> Model<'a> {
    fn label(&self, d: Definer) -> String {
        match d {
            Definer::Host => "the host's own definition".into(),
            Definer::Connector => "the host's connector".into(),
            Definer::Group(g) => format!("group `{}`", self.imported.groups[g].name),
            Definer::Global => "group `all`".into(),
        }
    }

    /// What strata gives `host` for `key`, and who defines it.
    fn resolve(&self, host: &str, key: &str) -> Option<(&Value, Definer)> {
        if let Some(v) = self.hosts.get(host).and_then(|v| v.get(key)) {
            return Some((v, Definer::Host));
        }
        if let Some(v) = self.connectors.get(host).and_then(|v| v.get(key)) {
            return Some((v, Definer::Connector));
        }
        for &g in self.host_groups.get(host).into_iter().flatten().rev() {
            if let Some(v) = self.groups[g].get(key) {
                return Some((v, Definer::Group(g)));
            }
        }
        self.global.get(key).map(|v| (v, Definer::Global))
    }

    fn oracle(&self, host: &str, key: &str) -> Option<&Value> {
        self.imported
            .resolved
            .get(host)
            .and_then(|r| r.vars.get(key))
    }

    /// Whose value, among the tool's own definitions, `host` gets for
    /// `key` ("group `all`'s value"): the most specific first.
    fn tool_value(&self, host: &str, key: &str, value: &Value) -> String {
        let imported = self.imported;
        let found = if imported.host_vars.get(host).and_then(|v| v.get(key)) == Some(value) {
            Some(Definer::Host)
        } else if let Some(&g) = self
            .host_groups
            .get(host)
            .into_iter()
            .flatten()
            .rev()
            .find(|&&g| imported.groups[g].vars.get(key) == Some(value))
        {
            Some(Definer::Group(g))
        } else if imported.global.get(key) == Some(value) {
            Some(Definer::Global)
        } else {
            None
        };
        match found {
            Some(d) => format!("{}'s value", self.label(d)),
            None => "a value that none of the inventory's group or host variables gives \
                     (a vars plugin, or group_vars/host_vars beside the playbook directory)"
                .into(),
        }
    }

    /// Drops dead group and global definitions once; true when something
    /// changed.
    fn drop_dead(&mut self, report: &mut Report) -> bool {
        let mut changed = false;
        for g in 0..self.groups.len() {
            let keys: Vec<String> = self.groups[g].keys().cloned().collect();
            for key in keys {
                let value = self.groups[g][&key].clone();
                let winners: Vec<&str> = self.members[g]
                    .iter()
                    .copied()
                    .filter(
                        |h| matches!(self.resolve(h, &key), Some((_, Definer::Group(w))) if w == g),
                    )
                    .collect();
                let wrong: Vec<&str> = winners
                    .iter()
                    .copied()
                    .filter(|h| self.oracle(h, &key) != Some(&value))
                    .collect();
                let used = self.members[g]
                    .iter()
                    .any(|h| self.oracle(h, &key) == Some(&value));
                if !wrong.is_empty() && !used {
                    let why = self.why(&wrong, &key, Definer::Group(g));
                    report
                        .dropped
                        .push((self.label(Definer::Group(g)), key.clone(), why));
                    self.groups[g].shift_remove(&key);
                    changed = true;
                }
            }
        }
        let keys: Vec<String> = self.global.keys().cloned().collect();
        for key in keys {
            let value = self.global[&key].clone();
            let hosts = &self.imported.hosts;
            let wrong: Vec<&str> = hosts
                .iter()
                .map(String::as_str)
                .filter(|h| matches!(self.resolve(h, &key), Some((_, Definer::Global))))
                .filter(|h| self.oracle(h, &key) != Some(&value))
                .collect();
            let used = hosts.iter().any(|h| self.oracle(h, &key) == Some(&value));
            if !wrong.is_empty() && !used {
                let why = self.why(&wrong, &key, Definer::Global);
                report
                    .dropped
                    .push((self.label(Definer::Global), key.clone(), why));
                self.global.shift_remove(&key);
                changed = true;
            }
        }
        changed
    }

    /// Drops the group definitions that win for no host in strata (a
    /// deeper group or the hosts' own data always wins): they change
    /// nothing, and strata would warn about them (`shadowed_parent_data`).
    fn drop_unused(&mut self, report: &mut Report) {
        for g in 0..self.groups.len() {
            let keys: Vec<String> = self.groups[g].keys().cloned().collect();
            for key in keys {
                let wins = self.members[g].iter().any(
                    |h| matches!(self.resolve(h, &key), Some((_, Definer::Group(w))) if w == g),
                );
                if !wins {
                    self.groups[g].shift_remove(&key);
                    report.unused += 1;
                }
            }
        }
    }

    /// "Ansible resolves group `all`'s value for 2 hosts" (or "no value").
    fn why(&self, hosts: &[&str], key: &str, dropped: Definer) -> String {
        let mut by: BTreeMap<String, usize> = BTreeMap::new();
        for h in hosts {
            let what = match self.oracle(h, key) {
                Some(v) => self.tool_value(h, key, v),
                None => "no value".into(),
            };
            *by.entry(what).or_default() += 1;
        }
        let parts: Vec<String> = by
            .into_iter()
            .map(|(what, n)| format!("{what} for {n} host{}", plural(n)))
            .collect();
        format!(
            "{} resolves {} over {}'s",
            tool_name(self.imported),
            parts.join(", "),
            self.label(dropped)
        )
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn tool_name(imported: &Imported) -> &'static str {
    match imported.tool {
        crate::model::Tool::Ansible => "Ansible",
        crate::model::Tool::Pyinfra => "pyinfra",
    }
}

/// Each group's depth as strata computes it: 1 without a parent, else one
/// more than its deepest parent's.
fn strata_depths(imported: &Imported, index: &HashMap<&str, usize>) -> Vec<u32> {
    let n = imported.groups.len();
    let mut parents: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (p, g) in imported.groups.iter().enumerate() {
        for c in &g.children {
            if let Some(&c) = index.get(c.as_str()) {
                parents[c].push(p);
            }
        }
    }
    let mut depth: Vec<Option<u32>> = vec![None; n];
    fn visit(
        g: usize,
        parents: &[Vec<usize>],
        depth: &mut [Option<u32>],
        on_path: &mut Vec<bool>,
    ) -> u32 {
        if let Some(d) = depth[g] {
            return d;
        }
        if on_path[g] {
            return 1;
        }
        on_path[g] = true;
        let d = 1 + parents[g]
            .iter()
            .map(|&p| visit(p, parents, depth, on_path))
            .max()
            .unwrap_or(0);
        on_path[g] = false;
        depth[g] = Some(d);
        d
    }
    let mut on_path = vec![false; n];
    (0..n)
        .map(|g| visit(g, &parents, &mut depth, &mut on_path))
        .collect()
}

/// What strata's built-in connectors give each connector host of a
/// pyinfra inventory (Ansible has no connector hosts: its `@` names are
/// refused by `names`). The pyinfra reader checked that these are the
/// values pyinfra resolves.
fn connector_data(imported: &Imported) -> HashMap<String, Vars> {
    let mut out = HashMap::new();
    if imported.tool != crate::Tool::Pyinfra {
        return out;
    }
    let connectors = strata::Connectors::builtin();
    for host in imported.hosts.iter().filter(|h| h.starts_with('@')) {
        // The reader refused a host its connector does not make as named.
        let Ok(made) = crate::pyinfra::connector_host(&connectors, host) else {
            continue;
        };
        if made.name != *host {
            continue;
        }
        let vars: Vars = made
            .data
            .iter()
            .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), Value::String(s.into()))))
            .collect();
        out.insert(host.clone(), vars);
    }
    out
}

/// Places `imported`'s values, or every problem that keeps it from being
/// written (a null that would change a value, a value without a TOML form,
/// a name strata refuses).
pub fn place(imported: &Imported) -> Result<Placed, Vec<Problem>> {
    let mut problems = crate::names::problems(imported);
    let mut report = Report::default();
    let index: HashMap<&str, usize> = imported
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| (g.name.as_str(), i))
        .collect();
    // Each group's hosts through children.
    let mut members: Vec<Vec<&str>> = Vec::with_capacity(imported.groups.len());
    for g in &imported.groups {
        let mut seen_groups = HashSet::new();
        let mut seen = HashSet::new();
        let mut list = Vec::new();
        let mut stack = vec![g.name.as_str()];
        while let Some(name) = stack.pop() {
            if !seen_groups.insert(name) {
                continue;
            }
            let Some(&i) = index.get(name) else { continue };
            for h in &imported.groups[i].hosts {
                if seen.insert(h.as_str()) {
                    list.push(h.as_str());
                }
            }
            stack.extend(imported.groups[i].children.iter().map(String::as_str));
        }
        members.push(list);
    }
    let depth = strata_depths(imported, &index);
    let mut host_groups: HashMap<&str, Vec<usize>> = HashMap::new();
    for (g, hosts) in members.iter().enumerate() {
        for h in hosts {
            host_groups.entry(h).or_default().push(g);
        }
    }
    for groups in host_groups.values_mut() {
        groups.sort_by_key(|&g| (depth[g], g));
    }
    // 1. Nulls out (the null rule decides below whether that is safe).
    let strip = |vars: &Vars| -> Vars {
        vars.iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    let mut model = Model {
        imported,
        global: strip(&imported.global),
        groups: imported.groups.iter().map(|g| strip(&g.vars)).collect(),
        hosts: imported
            .host_vars
            .iter()
            .map(|(h, v)| (h.clone(), strip(v)))
            .collect(),
        connectors: connector_data(imported),
        host_groups,
        members,
    };
    // 2. Dead definitions out, until stable (each round drops at least one
    // definition, so this ends).
    while model.drop_dead(&mut report) {}
    // 3. Pins, and the null rule.
    for host in &imported.hosts {
        let oracle = imported.resolved.get(host).map(|r| &r.vars);
        let mut keys: Vec<String> = oracle
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        let mut strata_keys: Vec<String> = model.global.keys().cloned().collect();
        for &g in model.host_groups.get(host.as_str()).into_iter().flatten() {
            strata_keys.extend(model.groups[g].keys().cloned());
        }
        if let Some(own) = model.hosts.get(host) {
            strata_keys.extend(own.keys().cloned());
        }
        if let Some(made) = model.connectors.get(host) {
            strata_keys.extend(made.keys().cloned());
        }
        let known: HashSet<String> = keys.iter().cloned().collect();
        let mut added = HashSet::new();
        for k in strata_keys {
            if !known.contains(&k) && added.insert(k.clone()) {
                keys.push(k);
            }
        }
        for key in keys {
            let want = oracle.and_then(|o| o.get(&key));
            let have = model.resolve(host, &key).map(|(v, d)| (v.clone(), d));
            match (want, have) {
                (Some(Value::Null), None) => *report.nulls.entry(key).or_default() += 1,
                (Some(Value::Null), Some((_, d))) => problems.push(Problem {
                    subject: format!("host `{host}`"),
                    key: Some(key.clone()),
                    message: format!(
                        "{} resolves it to null, which strata cannot hold, and without it \
                         the host would get {}'s value instead (the null rule, docs/import.md)",
                        tool_name(imported),
                        model.label(d)
                    ),
                }),
                (Some(w), Some((h, _))) if *w == h => {}
                (Some(w), have) => {
                    let picked = match have {
                        Some((_, d)) => format!("{}'s value", model.label(d)),
                        None => "nothing".into(),
                    };
                    let reason = format!(
                        "`{key}`: {} resolves {}, where strata would give {picked}",
                        tool_name(imported),
                        model.tool_value(host, &key, w)
                    );
                    *report.pins.entry(reason).or_default() += 1;
                    model
                        .hosts
                        .entry(host.clone())
                        .or_default()
                        .insert(key.clone(), w.clone());
                }
                (None, Some((_, Definer::Host))) => {
                    model.hosts.get_mut(host).map(|v| v.shift_remove(&key));
                    if model.resolve(host, &key).is_some() {
                        problems.push(no_value_problem(imported, host, &key));
                    }
                }
                (None, Some(_)) => problems.push(no_value_problem(imported, host, &key)),
                (None, None) => {}
            }
        }
    }
    // 4. What no host gets any more (pins make some group values unused).
    model.drop_unused(&mut report);
    // Values as TOML, every problem of every value reported.
    let table = |vars: &Vars, subject: &str, problems: &mut Vec<Problem>| -> toml::Table {
        let mut t = toml::Table::new();
        for (k, v) in vars {
            match to_toml(v, subject, k) {
                Ok(v) => {
                    t.insert(k.clone(), v);
                }
                Err(p) => problems.extend(p),
            }
        }
        t
    };
    let global = table(&model.global, "group `all`", &mut problems);
    let mut groups = Vec::new();
    let kept: HashSet<usize> = (0..imported.groups.len())
        .filter(|&g| !model.members[g].is_empty())
        .collect();
    for (g, group) in imported.groups.iter().enumerate() {
        if !kept.contains(&g) {
            report.empty_groups.push(group.name.clone());
            continue;
        }
        let children: Vec<String> = group
            .children
            .iter()
            .filter(|c| index.get(c.as_str()).is_some_and(|i| kept.contains(i)))
            .cloned()
            .collect();
        let held: HashSet<&str> = children
            .iter()
            .flat_map(|c| model.members[index[c.as_str()]].iter().copied())
            .collect();
        let mut seen = HashSet::new();
        let hosts = group
            .hosts
            .iter()
            .filter(|h| !held.contains(h.as_str()) && seen.insert(h.as_str()))
            .cloned()
            .collect();
        groups.push(PlacedGroup {
            name: group.name.clone(),
            hosts,
            children,
            vars: table(
                &model.groups[g],
                &format!("group `{}`", group.name),
                &mut problems,
            ),
        });
    }
    let mut host_vars = IndexMap::new();
    for host in &imported.hosts {
        if let Some(vars) = model.hosts.get(host)
            && !vars.is_empty()
        {
            host_vars.insert(
                host.clone(),
                table(vars, &format!("host `{host}`"), &mut problems),
            );
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Placed {
        hosts: imported.hosts.clone(),
        groups,
        global,
        host_vars,
        report,
    })
}

fn no_value_problem(imported: &Imported, host: &str, key: &str) -> Problem {
    Problem {
        subject: format!("host `{host}`"),
        key: Some(key.to_string()),
        message: format!(
            "{} gives the host no such key, but its own definitions would give it one in strata",
            tool_name(imported)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ImportedGroup, Resolved, Tool};
    use serde_json::json;

    fn vars(v: Value) -> Vars {
        v.as_object().unwrap().clone()
    }

    fn group(name: &str, hosts: &[&str], children: &[&str], v: Value) -> ImportedGroup {
        ImportedGroup {
            name: name.into(),
            hosts: hosts.iter().map(|s| s.to_string()).collect(),
            children: children.iter().map(|s| s.to_string()).collect(),
            vars: vars(v),
        }
    }

    fn imported(groups: Vec<ImportedGroup>, global: Value, resolved: Value) -> Imported {
        let resolved: IndexMap<String, Resolved> = resolved
            .as_object()
            .unwrap()
            .iter()
            .map(|(h, v)| {
                (
                    h.clone(),
                    Resolved {
                        groups: vec![],
                        vars: vars(v.clone()),
                    },
                )
            })
            .collect();
        Imported {
            tool: Tool::Ansible,
            hosts: resolved.keys().cloned().collect(),
            groups,
            global: vars(global),
            host_vars: IndexMap::new(),
            resolved,
        }
    }

    /// The case: `group_vars/all.yml` beats `[atlanta:vars]`, so
    /// atlanta's value is dead and dropped; nothing is pinned.
    #[test]
    fn a_value_ansible_never_resolves_is_dropped() {
        let i = imported(
            vec![group(
                "atlanta",
                &["h1", "h2"],
                &[],
                json!({"ntp": "atl", "x": 1}),
            )],
            json!({"ntp": "all"}),
            json!({"h1": {"ntp": "all", "x": 1}, "h2": {"ntp": "all", "x": 1}, "h3": {"ntp": "all"}}),
        );
        let p = place(&i).unwrap();
        assert!(p.groups[0].vars.get("ntp").is_none());
        assert_eq!(p.groups[0].vars["x"].as_integer(), Some(1));
        assert_eq!(p.report.dropped.len(), 1);
        assert_eq!(
            p.report.dropped[0].2,
            "Ansible resolves group `all`'s value for 2 hosts over group `atlanta`'s"
        );
        assert!(p.report.pins.is_empty());
        assert!(p.host_vars.is_empty());
    }

    /// A group's value some of its hosts do get is kept; the others are pinned.
    #[test]
    fn what_no_placement_gives_is_pinned() {
        let i = imported(
            vec![group("g", &["h1", "h2"], &[], json!({"k": "g"}))],
            json!({"k": "all"}),
            json!({"h1": {"k": "g"}, "h2": {"k": "all"}}),
        );
        let p = place(&i).unwrap();
        assert_eq!(p.groups[0].vars["k"].as_str(), Some("g"));
        assert_eq!(p.host_vars["h2"]["k"].as_str(), Some("all"));
        assert_eq!(p.report.pins.values().sum::<usize>(), 1);
    }

    /// Deeper wins, then later, then global; a parent's key no host gets
    /// is dropped as unused; a redundant direct member is left out.
    #[test]
    fn nesting_follows_strata_and_unused_definitions_go() {
        let i = imported(
            vec![
                group("p", &["h1"], &["c"], json!({"k": "p", "only_p": 1})),
                group("c", &["h1"], &[], json!({"k": "c"})),
            ],
            json!({}),
            json!({"h1": {"k": "c", "only_p": 1}}),
        );
        let p = place(&i).unwrap();
        assert!(p.groups[0].vars.get("k").is_none());
        assert_eq!(p.report.unused, 1);
        assert!(p.groups[0].hosts.is_empty());
        assert_eq!(p.groups[0].children, ["c"]);
        assert!(p.report.pins.is_empty());
    }

    /// A value that is unused only until a deeper one is dropped is kept:
    /// unused definitions go last, after drops and pins.
    #[test]
    fn a_shadowed_value_is_kept_when_the_deeper_one_is_dropped() {
        let i = imported(
            vec![
                group("parent", &[], &["child"], json!({"x": 2})),
                group("child", &["c1", "c2"], &[], json!({"x": 3})),
            ],
            json!({}),
            json!({"c1": {"x": 2}, "c2": {"x": 2}}),
        );
        let p = place(&i).unwrap();
        assert_eq!(p.groups[0].vars["x"].as_integer(), Some(2));
        assert!(p.groups[1].vars.is_empty());
        assert!(p.host_vars.is_empty());
        assert_eq!(p.report.dropped.len(), 1);
        assert_eq!(p.report.unused, 0);
    }

    #[test]
    fn the_null_rule() {
        // Nothing lower: the null goes, the host has no such key.
        let i = imported(
            vec![group("g", &["h1"], &[], json!({"n": null}))],
            json!({}),
            json!({"h1": {"n": null}}),
        );
        let p = place(&i).unwrap();
        assert_eq!(p.report.nulls["n"], 1);
        assert!(p.groups[0].vars.is_empty());
        // Something lower would win: refused, with the host and key.
        let i = imported(
            vec![group("g", &["h1"], &[], json!({"n": null}))],
            json!({"n": 5}),
            json!({"h1": {"n": null}, "h2": {"n": 5}}),
        );
        let problems = place(&i).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].subject, "host `h1`");
        assert_eq!(problems[0].key.as_deref(), Some("n"));
    }

    #[test]
    fn big_integers_and_nested_nulls_are_problems() {
        let i = imported(
            vec![],
            json!({"big": {crate::value::BIG_INTEGER: "99999999999999999999"}, "arr": [null]}),
            json!({"h1": {"big": {crate::value::BIG_INTEGER: "99999999999999999999"}, "arr": [null]}}),
        );
        let problems = place(&i).unwrap_err();
        assert_eq!(problems.len(), 2, "{problems:?}");
    }
}
