//! Go to definition and find references: locations made from the
//! library's origins and declarations.

use std::path::Path;

use lsp_types::{Location, Position, Range, Url};
use strata::{Files, Inventory};

use crate::locate::Target;
use crate::text::{file_position, file_range};

/// The protocol's location of a strata location (1-based line, column in
/// characters) in a file of the inventory at `root`.
pub fn location(root: &Path, files: &Files, at: &strata::Location) -> Option<Location> {
    let uri = Url::from_file_path(root.join(&at.inventory_path)).ok()?;
    let line = at.line.saturating_sub(1) as usize;
    let position = match files.find(&at.inventory_path) {
        Some(id) => {
            let file = files.get(id);
            let start = file.line_range(line).map_or(0, |r| r.start);
            let text = &file.text()[start..];
            let column = at.column.saturating_sub(1) as usize;
            let offset = start
                + text
                    .char_indices()
                    .nth(column)
                    .map_or(text.len(), |(i, _)| i);
            file_position(file, offset)
        }
        None => Position::new(line as u32, at.column.saturating_sub(1)),
    };
    Some(Location::new(uri, Range::new(position, position)))
}

/// The protocol's location of a span of a file of the inventory.
fn span_location(root: &Path, files: &Files, span: strata::Span) -> Option<Location> {
    let file = files.get(span.file);
    let uri = Url::from_file_path(root.join(file.name())).ok()?;
    Some(Location::new(uri, file_range(file, span)))
}

/// Hosts of a range pattern whose places a jump lists, at most.
const ENTRY_HOSTS: usize = 100;

/// The start of the file `name` of the inventory, when it was read.
fn file_start(root: &Path, files: &Files, name: &str) -> Option<Location> {
    files.find(name)?;
    let uri = Url::from_file_path(root.join(name)).ok()?;
    Some(Location::new(uri, Range::default()))
}

/// Where `target` is defined: a host's or group's data file and
/// declaration; for a key, the definitions that win on the hosts this one
/// reaches (itself where it wins).
pub fn definition(root: &Path, inventory: &Inventory, target: &Target<'_>) -> Vec<Location> {
    let files = inventory.files();
    let mut out = Vec::new();
    match target {
        Target::Host(host) => {
            out.extend(file_start(
                root,
                files,
                &format!("host_data/{}.toml", host.name()),
            ));
            out.extend(host.location().and_then(|l| location(root, files, &l)));
        }
        Target::Group(group) => {
            out.extend(file_start(
                root,
                files,
                &format!("group_data/{}.toml", group.name()),
            ));
            out.extend(group.location().and_then(|l| location(root, files, &l)));
        }
        Target::Entry(entry) => {
            for host in entry.hosts.iter().take(ENTRY_HOSTS) {
                for l in definition(root, inventory, &Target::Host(*host)) {
                    if !out.contains(&l) {
                        out.push(l);
                    }
                }
            }
        }
        Target::Key(written) => {
            let reach = inventory.reach(written);
            if !reach.wins.is_empty() || !reach.merged.is_empty() {
                out.extend(
                    written
                        .origin
                        .location
                        .as_ref()
                        .and_then(|l| location(root, files, l)),
                );
            }
            for (_, winner, _) in &reach.shadowed {
                if let Some(l) = winner
                    .origin
                    .location
                    .as_ref()
                    .and_then(|l| location(root, files, l))
                    && !out.contains(&l)
                {
                    out.push(l);
                }
            }
        }
    }
    out
}

/// Every definition of the key of `target` (in precedence order of their
/// layers, then by file and line). For a host: every entry of hosts.toml
/// that makes it (a range included), its data file, and every definition
/// that wins on it. For a group: its declaration, every `children` list
/// naming it, its data file and its schema file. For a range pattern, its
/// hosts' places.
pub fn references(root: &Path, inventory: &Inventory, target: &Target<'_>) -> Vec<Location> {
    let files = inventory.files();
    let mut out: Vec<Location> = Vec::new();
    let mut add = |l: Option<Location>| {
        if let Some(l) = l
            && !out.contains(&l)
        {
            out.push(l);
        }
    };
    match target {
        Target::Key(written) => {
            for w in inventory.written(written.key) {
                add(w
                    .origin
                    .location
                    .as_ref()
                    .and_then(|l| location(root, files, l)));
            }
        }
        Target::Host(host) => {
            for entry in inventory.host_entries(host.name()) {
                add(span_location(root, files, entry.span));
            }
            add(file_start(
                root,
                files,
                &format!("host_data/{}.toml", host.name()),
            ));
            let data = host.data();
            for key in data.keys() {
                add(data
                    .origin(key)
                    .and_then(|o| o.location)
                    .and_then(|l| location(root, files, &l)));
            }
        }
        Target::Group(group) => {
            add(group.location().and_then(|l| location(root, files, &l)));
            for span in inventory.child_mentions(group.name()) {
                add(span_location(root, files, span));
            }
            add(file_start(
                root,
                files,
                &format!("group_data/{}.toml", group.name()),
            ));
            // Schemas are read from disk, not kept with the inventory.
            let schema = root.join(format!("schema/{}.json", group.name()));
            if schema.is_file() {
                add(Url::from_file_path(&schema)
                    .ok()
                    .map(|uri| Location::new(uri, Range::default())));
            }
        }
        Target::Entry(_) => return definition(root, inventory, target),
    }
    out
}
