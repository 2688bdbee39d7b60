//! `strata ansible --list | --host NAME`: the dynamic-inventory script contract.
//!
//! Everything that can fail (loading, the limit, reading host files) is
//! decided before this runs, so an error leaves stdout empty, as Ansible
//! expects of a failing inventory script. The answer is then streamed host
//! by host: memory does not grow with the inventory.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::Path;

use strata::ansible::UNGROUPED;
use strata::{Host, Inventory, Value};

use crate::failure::Failure;
use crate::load;
use crate::output::{DataJson, Json};
use crate::plan::{self, AnsibleMode};
use crate::term::Stderr;

/// Loads the inventory (every host's file for `--list`, one for
/// `--host`) and answers.
pub fn run(
    plan: &plan::Ansible,
    out: &mut impl Write,
    err: &mut Stderr<'_>,
) -> Result<(), Failure> {
    let opened = load::open(&plan.query, err)?;
    match &plan.mode {
        AnsibleMode::Host(name) => host(out, opened.host(name)?)?,
        AnsibleMode::List { meta, structured } => {
            let inventory = opened.inventory();
            let selected = opened.selected();
            let groups = super::groups_for(inventory, &selected, opened.limited());
            let meta = meta.then(|| Meta::of(inventory, &plan.cwd));
            if *structured {
                list_structured(out, inventory, &selected, &groups, meta.as_ref())?
            } else {
                list(out, inventory, &selected, &groups, meta.as_ref())?
            }
        }
    }
    opened.finish(out)
}

/// `--list`: every group (never `all`) as `{"hosts": [...]}`, the hosts in
/// no group under `ungrouped`, and every host's resolved data in
/// `_meta.hostvars`, so Ansible never calls `--host`. A group the inventory
/// itself calls `ungrouped` (which `strata check` warns about) is written
/// once, with its own hosts and then the hosts of no group.
///
/// A group with child groups (`children` in hosts.toml) is written as
/// Ansible writes one: its own hosts, and `children` naming the child
/// groups that are written too (a limit may leave some out), so that
/// Ansible builds the same tree, gives each group the same depth and the
/// same members (`ansible-inventory --list` of the answer shows the
/// structure of the hosts.toml).
fn list(
    out: &mut impl Write,
    inventory: &Inventory,
    selected: &[Host<'_>],
    groups: &[(&str, super::Members<'_>)],
    meta: Option<&Meta>,
) -> io::Result<()> {
    let written: std::collections::HashSet<&str> = groups.iter().map(|(n, _)| *n).collect();
    let mut chosen: Option<Vec<bool>> = None;
    let mut ungrouped = selected
        .iter()
        .filter(|h| h.groups().next().is_none())
        .map(|h| h.name());
    out.write_all(b"{")?;
    let mut wrote_ungrouped = false;
    for (name, hosts) in groups {
        serde_json::to_writer(&mut *out, name)?;
        out.write_all(b":{\"hosts\":")?;
        if *name == UNGROUPED {
            let merged: Vec<&str> = hosts.iter().chain(&mut ungrouped).collect();
            serde_json::to_writer(&mut *out, &merged)?;
            wrote_ungrouped = true;
        } else {
            write_nested(out, inventory, selected, &written, &mut chosen, name, hosts)?;
        }
        out.write_all(b"},")?;
    }
    write_meta_head(out, (!wrote_ungrouped).then(|| ungrouped.collect()), meta)?;
    super::write_hosts(out, selected, |buf, h| {
        serde_json::to_writer(&mut *buf, h.name())?;
        buf.push(b':');
        serde_json::to_writer(&mut *buf, &DataJson(&h.data()))?;
        Ok(())
    })?;
    out.write_all(b"}}}\n")
}

/// A group's hosts, and its `children` when it has child groups: then
/// only its own hosts (the selected ones), and the children that are
/// written too (`written`: a limit may leave some out), as Ansible writes
/// a nested group. `chosen` (the selected hosts by index) is made on
/// first need.
fn write_nested(
    out: &mut impl Write,
    inventory: &Inventory,
    selected: &[Host<'_>],
    written: &std::collections::HashSet<&str>,
    chosen: &mut Option<Vec<bool>>,
    name: &str,
    hosts: &super::Members<'_>,
) -> io::Result<()> {
    let Some(g) = inventory.group(name).filter(|g| g.children().len() > 0) else {
        return serde_json::to_writer(&mut *out, hosts).map_err(io::Error::from);
    };
    let chosen = chosen.get_or_insert_with(|| {
        let mut c = vec![false; inventory.len()];
        for h in selected {
            c[h.index()] = true;
        }
        c
    });
    let own: Vec<&str> = g
        .direct_hosts()
        .filter(|h| chosen[h.index()])
        .map(|h| h.name())
        .collect();
    serde_json::to_writer(&mut *out, &own)?;
    let kids: Vec<&str> = g
        .children()
        .map(|c| c.name())
        .filter(|c| written.contains(c))
        .collect();
    out.write_all(b",\"children\":")?;
    serde_json::to_writer(&mut *out, &kids)?;
    Ok(())
}

/// The one variable Ansible's `Group.set_variable` does not store: it sets
/// the group's priority. A key of that name is never handed to a group.
const GROUP_PRIORITY: &str = "ansible_group_priority";

/// `--list --structured`: what the inventory plugin hands Ansible, the
/// structure rather than the flattening (nested groups as in `--list`:
/// own hosts and `children`, which the plugin adds with `add_child`). `all.vars` carries the global data
/// (the override layer over it), every group (in strata's group order) its
/// own data as `vars` and its place in that order as `priority`, and
/// `_meta.hostvars` each host's *own* variables: exactly the keys where
/// what Ansible computes from `all` and the host's groups (groups of one
/// depth sorted by priority, the later winning; no deep merge, as strata)
/// is not strata's resolved value. So every host's variables, as Ansible
/// computes them, are `strata host NAME`.
///
/// `ungrouped` never carries variables: Ansible takes a host out of it as
/// soon as it is in another group (a constructed one included), so its
/// data is given to its hosts as their own.
fn list_structured(
    out: &mut impl Write,
    inventory: &Inventory,
    selected: &[Host<'_>],
    groups: &[(&str, super::Members<'_>)],
    meta: Option<&Meta>,
) -> io::Result<()> {
    // `all`: the override layer over the global data.
    let mut all_vars: HashMap<&str, &Value> = HashMap::new();
    for data in [inventory.override_data(), inventory.data()] {
        for (k, v) in data.iter() {
            if k != GROUP_PRIORITY {
                all_vars.entry(k).or_insert(v);
            }
        }
    }
    // Each group's own data (file over inline over a source's vars), and its
    // position: Ansible's priority.
    let mut position: HashMap<&str, usize> = HashMap::with_capacity(groups.len());
    let mut group_vars: Vec<HashMap<&str, &Value>> = Vec::with_capacity(groups.len());
    for (i, (name, _)) in groups.iter().enumerate() {
        position.insert(name, i);
        let mut vars = HashMap::new();
        if *name != UNGROUPED
            && let Some(g) = inventory.group(name)
        {
            vars.extend(g.data().iter().filter(|(k, _)| *k != GROUP_PRIORITY));
        }
        group_vars.push(vars);
    }
    // A value Ansible would give a host that strata does not (a key strata
    // leaves undefined for it) cannot be taken back by a host variable:
    // such a key is not handed to that group (or to `all`) at all.
    let mut leaks: Vec<(usize, &str)> = Vec::new();
    for (i, (_, members)) in groups.iter().enumerate() {
        if group_vars[i].is_empty() {
            continue;
        }
        for name in members.iter() {
            if let Some(h) = inventory.host(name) {
                let data = h.data();
                leaks.extend(
                    group_vars[i]
                        .keys()
                        .filter(|k| !data.contains_key(k))
                        .map(|k| (i, *k)),
                );
            }
        }
    }
    for (i, k) in leaks {
        group_vars[i].remove(k);
    }
    let mut all_leaks: Vec<&str> = Vec::new();
    for h in selected {
        let data = h.data();
        all_leaks.extend(all_vars.keys().filter(|k| !data.contains_key(k)));
    }
    for k in all_leaks {
        all_vars.remove(k);
    }

    let written: std::collections::HashSet<&str> = groups.iter().map(|(n, _)| *n).collect();
    let mut chosen: Option<Vec<bool>> = None;
    out.write_all(b"{\"all\":{\"vars\":")?;
    write_vars(out, &all_vars)?;
    out.write_all(b"}")?;
    let mut ungrouped = selected
        .iter()
        .filter(|h| h.groups().next().is_none())
        .map(|h| h.name());
    let mut wrote_ungrouped = false;
    for (i, (name, hosts)) in groups.iter().enumerate() {
        out.write_all(b",")?;
        serde_json::to_writer(&mut *out, name)?;
        out.write_all(b":{\"hosts\":")?;
        if *name == UNGROUPED {
            let merged: Vec<&str> = hosts.iter().chain(&mut ungrouped).collect();
            serde_json::to_writer(&mut *out, &merged)?;
            wrote_ungrouped = true;
        } else {
            write_nested(out, inventory, selected, &written, &mut chosen, name, hosts)?;
        }
        write!(out, ",\"priority\":{},\"vars\":", i + 1)?;
        write_vars(out, &group_vars[i])?;
        out.write_all(b"}")?;
    }
    out.write_all(b",")?;
    write_meta_head(out, (!wrote_ungrouped).then(|| ungrouped.collect()), meta)?;
    super::write_hosts(out, selected, |buf, h| {
        serde_json::to_writer(&mut *buf, h.name())?;
        buf.push(b':');
        // The host's groups as Ansible orders them, the last winning: by
        // depth (nested groups are written with their `children`, so
        // Ansible's depths are strata's), then priority, strata's
        // precedence order.
        let mine: Vec<usize> = h
            .groups()
            .filter_map(|g| position.get(g.name()).copied())
            .filter(|&i| !group_vars[i].is_empty())
            .collect();
        let own = h.data().iter().filter(|&(k, v)| {
            let given = mine
                .iter()
                .rev()
                .find_map(|&i| group_vars[i].get(k))
                .or_else(|| all_vars.get(k));
            !matches!(given, Some(g) if std::ptr::eq(*g, v) || *g == v)
        });
        serde_json::to_writer(&mut *buf, &OwnVars(std::cell::RefCell::new(Some(own))))?;
        Ok(())
    })?;
    out.write_all(b"}}}\n")
}

/// A set of variables as a JSON object, keys sorted.
fn write_vars(out: &mut impl Write, vars: &HashMap<&str, &Value>) -> io::Result<()> {
    let mut entries: Vec<(&str, &Value)> = vars.iter().map(|(k, v)| (*k, *v)).collect();
    entries.sort_unstable_by_key(|(k, _)| *k);
    serde_json::to_writer(
        &mut *out,
        &OwnVars(std::cell::RefCell::new(Some(entries.into_iter()))),
    )?;
    Ok(())
}

/// An iterator of (key, value) serialized once as a JSON object.
struct OwnVars<I>(std::cell::RefCell<Option<I>>);

impl<'v, I: Iterator<Item = (&'v str, &'v Value)>> serde::Serialize for OwnVars<I> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let iter = self.0.borrow_mut().take().into_iter().flatten();
        s.collect_map(iter.map(|(k, v)| (k, Json(v))))
    }
}

/// What follows the groups, up to the opening of `_meta.hostvars`: the
/// `ungrouped` group when no group of the output was it (`ungrouped`, its
/// hosts), then `"_meta":{`, `--meta`'s members and `"hostvars":{`.
fn write_meta_head(
    out: &mut impl Write,
    ungrouped: Option<Vec<&str>>,
    meta: Option<&Meta>,
) -> io::Result<()> {
    if let Some(hosts) = ungrouped {
        out.write_all(b"\"ungrouped\":{\"hosts\":")?;
        serde_json::to_writer(&mut *out, &hosts)?;
        out.write_all(b"},")?;
    }
    out.write_all(b"\"_meta\":{")?;
    if let Some(meta) = meta {
        write_meta(out, meta)?;
    }
    out.write_all(b"\"hostvars\":{")
}

fn write_meta(out: &mut impl Write, meta: &Meta) -> io::Result<()> {
    out.write_all(b"\"strata\":")?;
    let value = serde_json::json!({
        "files": meta.files,
        "command_sources": meta.command_sources,
    });
    serde_json::to_writer(&mut *out, &value)?;
    out.write_all(b",")
}

/// `--host NAME`: that host's resolved data.
fn host(out: &mut impl Write, host: Host<'_>) -> io::Result<()> {
    serde_json::to_writer(&mut *out, &DataJson(&host.data()))?;
    out.write_all(b"\n")
}

/// `ansible --list --meta`: what the answer was made of, so that a cache of
/// it (the inventory plugin's) knows when it is stale.
struct Meta {
    /// The absolute path of every file strata read: hosts.toml, the data
    /// files, the source declarations and the files of file sources.
    pub files: Vec<String>,
    /// A command source answered (run now or from strata's own cache): the
    /// answer's freshness is strata's, never a cache's above it.
    pub command_sources: bool,
}

impl Meta {
    /// The files `inventory` was read from; `cwd` makes a relative root absolute.
    fn of(inventory: &Inventory, cwd: &Path) -> Meta {
        let root = cwd.join(inventory.root().unwrap_or(Path::new(".")));
        let mut files = Vec::new();
        let mut command_sources = false;
        for (_, f) in inventory.files().iter() {
            if f.is_virtual() || f.is_missing() {
                continue;
            }
            let name = f.name();
            // A command's answer is shown as `sources/NAME (command output)`
            // or `(cached output, ...)`: not a file of the inventory.
            if name.starts_with("sources/") && name.ends_with(')') && name.contains(" (") {
                command_sources = true;
                continue;
            }
            let path = root.join(name);
            if path.is_file() {
                files.push(path.to_string_lossy().into_owned());
            }
        }
        files.sort();
        files.dedup();
        Meta {
            files,
            command_sources,
        }
    }
}
