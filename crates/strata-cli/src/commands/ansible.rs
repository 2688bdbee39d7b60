//! `strata ansible --list | --host NAME`: the dynamic-inventory script contract.
//!
//! Everything that can fail (loading, the limit, reading host files) is
//! decided before this runs, so an error leaves stdout empty, as Ansible
//! expects of a failing inventory script. The answer is then streamed host
//! by host: memory does not grow with the inventory.

use std::io::{self, Write};
use std::path::Path;

use strata::ansible::UNGROUPED;
use strata::{Host, Inventory};

use crate::output::DataJson;

/// `--list`: every group (never `all`) as `{"hosts": [...]}`, the hosts in
/// no group under `ungrouped`, and every host's resolved data in
/// `_meta.hostvars`, so Ansible never calls `--host`. A group the inventory
/// itself calls `ungrouped` (which `strata check` warns about) is written
/// once, with its own hosts and then the hosts of no group.
pub fn list(
    out: &mut impl Write,
    selected: &[Host<'_>],
    groups: &[(&str, super::Members<'_>)],
    meta: Option<&Meta>,
) -> io::Result<()> {
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
            serde_json::to_writer(&mut *out, hosts)?;
        }
        out.write_all(b"},")?;
    }
    if !wrote_ungrouped {
        let hosts: Vec<&str> = ungrouped.collect();
        out.write_all(b"\"ungrouped\":{\"hosts\":")?;
        serde_json::to_writer(&mut *out, &hosts)?;
        out.write_all(b"},")?;
    }
    out.write_all(b"\"_meta\":{")?;
    if let Some(meta) = meta {
        out.write_all(b"\"strata\":")?;
        let value = serde_json::json!({
            "files": meta.files,
            "command_sources": meta.command_sources,
        });
        serde_json::to_writer(&mut *out, &value)?;
        out.write_all(b",")?;
    }
    out.write_all(b"\"hostvars\":{")?;
    super::write_hosts(out, selected, |buf, h| {
        serde_json::to_writer(&mut *buf, h.name())?;
        buf.push(b':');
        serde_json::to_writer(&mut *buf, &DataJson(&h.data()))?;
        Ok(())
    })?;
    out.write_all(b"}}}\n")
}

/// `--host NAME`: that host's resolved data.
pub fn host(out: &mut impl Write, host: Host<'_>) -> io::Result<()> {
    serde_json::to_writer(&mut *out, &DataJson(&host.data()))?;
    out.write_all(b"\n")
}

/// `ansible --list --meta`: what the answer was made of, so that a cache of
/// it (the inventory plugin's) knows when it is stale.
pub struct Meta {
    /// The absolute path of every file strata read: hosts.toml, the data
    /// files, the source declarations and the files of file sources.
    pub files: Vec<String>,
    /// A command source answered (run now or from strata's own cache): the
    /// answer's freshness is strata's, never a cache's above it.
    pub command_sources: bool,
}

impl Meta {
    /// The files `inventory` was read from; `cwd` makes a relative root absolute.
    pub fn of(inventory: &Inventory, cwd: &Path) -> Meta {
        let root = cwd.join(inventory.root().unwrap_or(Path::new(".")));
        let mut files = Vec::new();
        let mut command_sources = false;
        for (_, f) in inventory.sources().iter() {
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
