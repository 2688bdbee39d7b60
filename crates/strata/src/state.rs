//! Tracking hosts through a run, as pyinfra's `State` does.

use std::collections::BTreeSet;

use strata_resolver::{Host, Inventory};

/// Which hosts a run has activated, which are still active, and which failed.
///
/// Hosts are kept in inventory order whatever order they are added in.
///
/// ```
/// # let inv = strata::Inventory::builder().group("web", ["w1", "w2", "w3"]).build().unwrap();
/// let mut run = strata::RunState::new(&inv);
/// run.activate(inv.select("web").unwrap());
/// run.fail("w2");
/// let active: Vec<_> = run.active().map(|h| h.name()).collect();
/// assert_eq!(active, ["w1", "w3"]);
/// assert_eq!(run.failed().map(|h| h.name()).collect::<Vec<_>>(), ["w2"]);
/// assert_eq!(run.activated().count(), 3);
/// ```
#[derive(Debug, Clone)]
pub struct RunState<'a> {
    inventory: &'a Inventory,
    activated: BTreeSet<usize>,
    failed: BTreeSet<usize>,
}

impl<'a> RunState<'a> {
    /// A run over `inventory` with no host activated yet.
    pub fn new(inventory: &'a Inventory) -> RunState<'a> {
        RunState {
            inventory,
            activated: BTreeSet::new(),
            failed: BTreeSet::new(),
        }
    }

    /// Activates hosts (typically the result of a limit).
    pub fn activate<'h>(&mut self, hosts: impl IntoIterator<Item = Host<'h>>) {
        self.activated.extend(hosts.into_iter().map(|h| h.index()));
    }

    /// Marks an activated host as failed; returns false for a name that is
    /// not an activated host.
    pub fn fail(&mut self, name: &str) -> bool {
        match self.inventory.host(name) {
            Some(h) if self.activated.contains(&h.index()) => {
                self.failed.insert(h.index());
                true
            }
            _ => false,
        }
    }

    fn hosts(&self, ids: impl Iterator<Item = usize> + 'a) -> impl Iterator<Item = Host<'a>> + 'a {
        let inv = self.inventory;
        let all: Vec<Host<'a>> = inv.hosts().collect();
        ids.map(move |i| all[i])
    }

    /// Every host activated at any time, failed or not.
    pub fn activated(&self) -> impl Iterator<Item = Host<'a>> + 'a {
        self.hosts(self.activated.clone().into_iter())
    }

    /// Activated hosts that have not failed.
    pub fn active(&self) -> impl Iterator<Item = Host<'a>> + 'a {
        let ids: Vec<usize> = self.activated.difference(&self.failed).copied().collect();
        self.hosts(ids.into_iter())
    }

    /// Hosts that failed.
    pub fn failed(&self) -> impl Iterator<Item = Host<'a>> + 'a {
        self.hosts(self.failed.clone().into_iter())
    }

    /// Number of active hosts.
    pub fn len_active(&self) -> usize {
        self.activated.difference(&self.failed).count()
    }
}
