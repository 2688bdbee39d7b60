//! From the raw model to an [`Inventory`]: the resolve stages, in the
//! order they run, each in its own file.
//!
//! 1. [`external`]: external sources. [`external::fetch`] asks for the
//!    answers of command sources (the [`Loader`](crate::Loader) runs it
//!    before the others, as only it knows the consent and the fetcher);
//!    [`external::merge`] turns one answer's groups into a plan that
//!    [`layers`] places.
//! 2. [`budget`]: how much the inventory may expand to, counted from the
//!    ranges' bounds before anything is expanded (called first by
//!    [`expand`]).
//! 3. [`expand`]: expand every entry (ranges, connectors), check names,
//!    and fix the hosts and their order;
//! 4. [`layers`]: place every data layer where the waterfall of
//!    docs/precedence.md reads it: group memberships with inline host data,
//!    `all`, external sources, implicit connector groups, group_data/ and
//!    host_data/ files, each host's own layers (all the precedence rules
//!    are there);
//! 5. [`nesting`]: nested groups (`children` of hosts.toml and of
//!    sources): each group's hosts with its descendants', its depth, and
//!    each host's groups in precedence order (depth, then position);
//! 6. [`consistency`]: what needs the whole picture (a host missing from
//!    `all`, hosts listed twice, files that name nothing, name clashes, no
//!    hosts).
//! 7. [`merge`]: `strata.toml`'s merge strategies, on the built inventory,
//!    only when `[merge]` names something.
//!
//! [`run`] below runs stages 2 to 7 in order ([`build`]) and sorts what
//! they found. The checks that go beyond
//! loading (`strata check`) are not a stage: they live in
//! [`lint`](crate::lint) and run on the finished inventory.

pub(crate) mod budget;
mod consistency;
mod expand;
pub(crate) mod external;
mod layers;
mod merge;
mod nesting;

/// Test support: hosts.toml `text` with the fix of its first `code`
/// diagnostic applied (which then is gone, checked), or `None` when that
/// diagnostic has no fix.
#[cfg(test)]
pub(crate) fn hosts_fixed(text: &str, code: strata_parser::Code) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("hosts.toml"), text).unwrap();
    let problems = crate::Loader::new(dir.path()).check();
    let d = problems
        .diagnostics()
        .iter()
        .find(|d| d.code == code)
        .unwrap_or_else(|| panic!("a {code:?} diagnostic"));
    let file = d.span().unwrap().file;
    let out = d.fix.as_ref()?.apply_to(file, text)?;
    std::fs::write(dir.path().join("hosts.toml"), &out).unwrap();
    let again = crate::Loader::new(dir.path()).check();
    assert!(!again.diagnostics().iter().any(|d| d.code == code), "{out}");
    Some(out)
}

use std::collections::HashMap;

use strata_parser::{Diagnostic, FileId, Files, RawInventory, Span};

use crate::connector::{ConnectorHost, Connectors};
use crate::inventory::{GroupRec, HostGroups, HostIndex, HostRec, Inventory, NameMap, SetId};
use crate::layer::DataSet;
use crate::problems::Problems;

/// What a caller adds to the files: override data, defaults, connectors.
#[derive(Clone, Debug, Default)]
pub(crate) struct Extras {
    pub overrides: Option<(String, toml::Table)>,
    pub defaults: Option<(String, toml::Table)>,
    pub connectors: Connectors,
    pub budget: budget::Budget,
}

/// One host an entry stands for, after ranges and connectors. Kept small:
/// there is one per host entry of hosts.toml.
struct Expanded {
    name: strata_parser::Text,
    span: Span,
    /// Index of the entry in its group's host list (where its inline data is).
    entry: u32,
    /// The name's hash in the host index (`HostIndex::hash_of`), made when
    /// the entry is, possibly on another thread.
    hash: u64,
    connector: Option<Box<(String, ConnectorHost)>>,
}

/// Per-host values that most hosts lack (inline data, a connector's data
/// and groups): stored only as far as the last host that has one, so that
/// 100,000 hosts without any cost nothing (it was 56 bytes a host, written
/// for every host).
struct Sparse<T>(Vec<T>);

impl<T> Default for Sparse<T> {
    fn default() -> Self {
        Sparse(Vec::new())
    }
}

impl<T: Default> Sparse<T> {
    /// Host `hid`'s value, if it was ever set.
    fn get(&self, hid: usize) -> Option<&T> {
        self.0.get(hid)
    }

    /// Host `hid`'s value, made (the default) if need be.
    fn get_mut(&mut self, hid: usize) -> &mut T {
        if self.0.len() <= hid {
            self.0.resize_with(hid + 1, T::default);
        }
        &mut self.0[hid]
    }

    /// Takes host `hid`'s value, leaving the default.
    fn take(&mut self, hid: usize) -> T {
        self.0.get_mut(hid).map(std::mem::take).unwrap_or_default()
    }
}

struct Builder<'c> {
    files: Files,
    diagnostics: Vec<Diagnostic>,
    hosts: Vec<HostRec>,
    host_index: HostIndex,
    groups: Vec<GroupRec>,
    group_index: NameMap<u32>,
    sets: Vec<DataSet>,
    connectors: &'c Connectors,
    budget: budget::Budget,
    /// Per host: its groups (`Inventory::host_groups`); each group's hosts
    /// are made from them once all are placed.
    member_of: Vec<HostGroups>,
    /// Per host: inline sets in the order they were written.
    inline: Sparse<Vec<SetId>>,
    /// Per host: the connector's data set.
    connector_set: Sparse<Option<SetId>>,
    /// Per host: implicit groups from its connector.
    implicit: Sparse<Vec<String>>,
    /// One virtual source per connector, shared by its hosts.
    connector_sources: HashMap<String, FileId>,
    /// External sources' host-variable sets, in source order, by host (only hosts
    /// that have some: a static inventory pays nothing per host).
    source_sets: HashMap<u32, Vec<SetId>>,
    /// The external source of each source document.
    source_files: HashMap<FileId, std::sync::Arc<str>>,
    /// Hosts hosts.toml names but that could not be expanded: no data
    /// file is said to name no host when it may name one of them.
    unexpanded: expand::Unexpanded,
    /// The same for `all`'s entries: no host is said to be missing from
    /// `all` when it may be one of them.
    all_unexpanded: expand::Unexpanded,
    /// `all`'s entries are being expanded.
    expanding_all: bool,
    /// Each parent's `children` as written, for [`nesting`]: hosts.toml's
    /// first, then sources' (`true`: a source's, already checked for
    /// loops, repeats and unknown names by [`external::merge`]).
    nesting: Vec<Nesting>,
}

/// One parent's `children` as written: the parent, each child's name where
/// it is written, and whether a source gave them (`true`).
type Nesting = (u32, Vec<(String, Span)>, bool);

/// `incomplete`: some source gave no answer (`check` without consent), so
/// files that name no host or group may name one of its.
fn build(raw: RawInventory, extras: &Extras, incomplete: bool) -> (Inventory, Vec<Diagnostic>) {
    let RawInventory {
        root,
        files,
        hosts,
        hosts_ok,
        group_files,
        host_files,
        deferred_host_files,
        source_decls: _,
        source_docs,
        settings,
        diagnostics,
    } = raw;
    let mut b = Builder {
        files,
        diagnostics,
        hosts: Vec::new(),
        host_index: HostIndex::default(),
        groups: Vec::new(),
        group_index: NameMap::default(),
        sets: Vec::new(),
        connectors: &extras.connectors,
        budget: extras.budget,
        member_of: Vec::new(),
        inline: Sparse::default(),
        connector_set: Sparse::default(),
        implicit: Sparse::default(),
        connector_sources: HashMap::new(),
        source_sets: HashMap::new(),
        source_files: HashMap::new(),
        unexpanded: expand::Unexpanded::default(),
        all_unexpanded: expand::Unexpanded::default(),
        expanding_all: false,
        nesting: Vec::new(),
    };
    let (hosts_file, raw_groups) = match hosts {
        Some(h) => (Some(h.file), h.groups),
        None => (None, Vec::new()),
    };

    // 1. Entries to hosts.
    // The budget's host keys count each group's data file (read already).
    let file_keys: HashMap<&str, u64> = group_files
        .iter()
        .map(|f| (f.name.as_str(), f.data.len() as u64))
        .collect();
    let expanded = b.expand(raw_groups, &|name| {
        file_keys.get(name).copied().unwrap_or(0)
    });
    drop(file_keys);
    let any_broken = expanded.any_broken;

    // 2. Data layers.
    let global_inline = b.place_groups(expanded, hosts_file);
    let source_global = b.place_sources(source_docs);
    b.implicit_groups();
    let complete = hosts_ok && !incomplete;
    let global_file = b.place_group_files(group_files, complete);
    let deferred = b.place_host_files(host_files, deferred_host_files, complete);
    b.own_layers();
    b.nest();

    // 3. Consistency of the whole.
    b.name_clashes();
    b.no_hosts(hosts_file, hosts_ok, any_broken || incomplete);

    let overrides = extras
        .overrides
        .as_ref()
        .map(|(name, t)| b.add_table(crate::layer::Layer::Override, name, t));
    let defaults = extras
        .defaults
        .as_ref()
        .map(|(name, t)| b.add_table(crate::layer::Layer::Defaults, name, t));
    let mut inv = Inventory {
        root: Some(root),
        files: b.files,
        hosts: b.hosts,
        host_groups: b.member_of,
        host_index: b.host_index,
        groups: b.groups,
        group_index: b.group_index,
        sets: b.sets,
        global: global_file
            .into_iter()
            .chain(global_inline)
            .chain(source_global)
            .collect(),
        overrides,
        defaults,
        deferred,
        source_files: b.source_files,
        groups_complete: !incomplete,
        diagnostics: Vec::new(),
        key_order: Default::default(),
        merging: None,
    };
    let mut diagnostics = b.diagnostics;
    // 4. Merge strategies, only when strata.toml names some.
    if !settings.merge.is_empty() {
        merge::merge(
            &mut inv,
            settings,
            extras.budget.max_host_keys,
            &mut diagnostics,
        );
    }
    (inv, diagnostics)
}

/// File by file (hosts.toml first), top to bottom.
pub(crate) fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by_key(|d| d.span().map(|s| (s.file, s.start)));
}

/// Runs the stages: the inventory, or every problem found when one is an
/// error (warnings stay in [`Inventory::diagnostics`]).
pub(crate) fn run(
    raw: RawInventory,
    extras: &Extras,
    incomplete: bool,
) -> Result<Inventory, Problems> {
    let (mut inv, mut diagnostics) = build(raw, extras, incomplete);
    sort(&mut diagnostics);
    if diagnostics.iter().any(Diagnostic::is_error) {
        Err(Problems::new(diagnostics, std::mem::take(&mut inv.files)))
    } else {
        inv.diagnostics = diagnostics;
        Ok(inv)
    }
}
