//! Loading the inventory a [`Query`] plans: the first load (which may
//! defer `host_data/`), the full load that reports every problem when the
//! first fails, the selection and the host files the command reads.

use std::io::Write;

use strata::{Diagnostic, Host, Inventory, Loader};

use crate::failure::Failure;
use crate::plan::{HostFiles, Query, Selection};
use crate::report;
use crate::term::Stderr;

/// A loaded inventory with the hosts a command shows.
pub struct Opened {
    inventory: Inventory,
    /// Host numbers, not hosts, as the host files are read after the
    /// selection (which needs the inventory mutable); `None` for every
    /// host, which takes no list of numbers (0.8 MB at 100,000 hosts).
    chosen: Option<Vec<usize>>,
    limited: bool,
    process_exits: bool,
}

/// Loads the inventory, selects its hosts and reads the host files the
/// query names; prints the warnings. Exit 1 when the inventory or a host
/// file has errors, 2 when the limit or the host name matches nothing.
pub fn open(query: &Query, err: &mut Stderr<'_>) -> Result<Opened, Failure> {
    let mut inventory = load(&query.first, &query.full, err)?;
    let chosen: Option<Vec<usize>> = match &query.selection {
        Selection::Nothing => Some(Vec::new()),
        Selection::Every => None,
        Selection::Limit(limit) => Some(
            inventory
                .select_limit(limit)
                .map_err(|e| Failure::Usage(e.to_string()))?
                .iter()
                .map(|h| h.index())
                .collect(),
        ),
    };
    let problems = match &query.host_files {
        HostFiles::None => Vec::new(),
        HostFiles::Of(name) => {
            let needed = find_host(&inventory, name)?.index();
            inventory.read_host_data([needed])
        }
        HostFiles::Selected => match &chosen {
            Some(chosen) => inventory.read_host_data(chosen.iter().copied()),
            None => inventory.read_host_data(0..inventory.len()),
        },
    };
    report::print(err, &problems, inventory.files(), false);
    if problems.iter().any(Diagnostic::is_error) {
        return Err(Failure::Inventory);
    }
    Ok(Opened {
        inventory,
        chosen,
        limited: matches!(query.selection, Selection::Limit(_)),
        process_exits: query.process_exits,
    })
}

impl Opened {
    /// The inventory.
    pub fn inventory(&self) -> &Inventory {
        &self.inventory
    }

    /// The selected hosts, in inventory order.
    pub fn selected(&self) -> Vec<Host<'_>> {
        match &self.chosen {
            Some(chosen) => chosen
                .iter()
                .filter_map(|&i| self.inventory.host_at(i))
                .collect(),
            None => self.inventory.hosts().collect(),
        }
    }

    /// True when a limit chose the hosts.
    pub fn limited(&self) -> bool {
        self.limited
    }

    /// The host called `name`, or a usage error with a did-you-mean.
    pub fn host(&self, name: &str) -> Result<Host<'_>, Failure> {
        find_host(&self.inventory, name)
    }

    /// Ends the command: flushes `out`, then, when the process ends here,
    /// leaves the inventory to the operating system (freeing every host
    /// and value one by one would only cost time).
    pub fn finish(self, out: &mut impl Write) -> Result<(), Failure> {
        out.flush()?;
        if self.process_exits {
            std::mem::forget(self.inventory);
        }
        Ok(())
    }
}

/// The host called `name`, or a usage error with a did-you-mean.
fn find_host<'a>(inventory: &'a Inventory, name: &str) -> Result<Host<'a>, Failure> {
    inventory.host(name).ok_or_else(|| {
        Failure::Usage(match strata::closest_host(inventory, name) {
            Some(n) => format!("no host `{name}` in the inventory; did you mean `{n}`?"),
            None => format!("no host `{name}` in the inventory"),
        })
    })
}

/// Loads the inventory with `first` (which may defer `host_data/`); prints
/// warnings (one line each). When loading fails, everything is read with
/// `full` so that every problem of every file is reported at once, then
/// exit 1.
fn load(first: &Loader, full: &Loader, err: &mut Stderr<'_>) -> Result<Inventory, Failure> {
    match first.load() {
        Ok(inv) => {
            report::print(err, inv.diagnostics(), inv.files(), false);
            Ok(inv)
        }
        Err(_) => {
            match full.load() {
                Err(problems) => {
                    report::print(err, problems.diagnostics(), problems.files(), false);
                }
                // The files changed in between: what is left are warnings.
                Ok(inv) => report::print(err, inv.diagnostics(), inv.files(), false),
            }
            Err(Failure::Inventory)
        }
    }
}
