//! Stage 2: every data layer, placed where the waterfall reads it
//! (docs/precedence.md). Each host's own layers, highest first: its host
//! file, its inline entries (the one in `all`, then later groups before
//! earlier ones), sources' host variables, its connector's data; each
//! group's: its group_data file, then its inline `data`, then sources'
//! `vars`; global: group_data/all.toml, then `all.data`, then sources'
//! `all.vars`. External sources are placed by `external/place.rs`.

use std::collections::HashMap;

use strata_parser::{
    Code, DataFile, DataTable, DeferredFile, Diagnostic, FileId, RawGroup, Span, Value,
    malformed_marker,
};

use super::expand::{Entries, Expansion};
use super::{Builder, Expanded};
use crate::inventory::{GroupRec, SetId};
use crate::layer::{DataSet, Layer};

/// About how many entries are expanded ahead, on another thread, while as
/// many are placed (a batch is whole groups, at least one): a few hundred
/// KB of expanded entries, in a handful of hand-overs between threads
/// (each costs wake-ups: with a batch of eight groups, the 1,000 groups of
/// 100,000 hosts made 7,000 context switches).
const AHEAD: usize = 16 * 1024;

/// `groups` cut into runs of whole groups of about [`AHEAD`] entries.
fn batches(mut groups: &mut [RawGroup]) -> Vec<&mut [RawGroup]> {
    let mut out = Vec::new();
    while !groups.is_empty() {
        let mut entries = 0;
        let mut n = 0;
        while n < groups.len() && (n == 0 || entries < AHEAD) {
            entries += groups[n].hosts.len();
            n += 1;
        }
        let (batch, rest) = std::mem::take(&mut groups).split_at_mut(n);
        out.push(batch);
        groups = rest;
    }
    out
}

impl Builder<'_> {
    /// Explicit groups in file order, with memberships and inline host
    /// data, then `all`'s inline host data (which ranks above every group
    /// entry); returns the global inline data (`all.data`).
    pub(super) fn place_groups(
        &mut self,
        x: Expansion,
        hosts_file: Option<FileId>,
    ) -> Option<SetId> {
        let Expansion {
            groups,
            all,
            all_entries,
            ..
        } = x;
        let all_lists_hosts = all_entries.is_some();
        // Expanded here, a batch of groups at a time: their entries are dropped
        // before the next ones' are made. While a batch is placed, the
        // next batch's groups of plain names are expanded on another
        // thread (the others here, in order, when their turn comes).
        let mut groups = groups;
        let mut batches = batches(&mut groups);
        // The batch before's entries (their names, mostly) are freed there
        // too.
        let mut ready: Vec<Option<Entries>> = Vec::new();
        let mut spent: Vec<Entries> = Vec::new();
        for b in 0..batches.len() {
            let (done, rest) = batches.split_at_mut(b + 1);
            let batch = &mut *done[b];
            let mut next: Vec<Option<Entries>> = Vec::new();
            let old = std::mem::take(&mut spent);
            let hasher = self.host_index.hasher();
            rayon::in_place_scope(|scope| {
                let following = rest.first_mut();
                let next = &mut next;
                scope.spawn(move |_| {
                    drop(old);
                    if let Some(following) = following {
                        *next = following
                            .iter_mut()
                            .map(|g| super::expand::plain_entries(&mut g.hosts, &hasher))
                            .collect();
                    }
                });
                let mut ready = std::mem::take(&mut ready).into_iter();
                for group in batch.iter_mut() {
                    let entries = self.entries_of(group, ready.next().flatten());
                    spent.push(self.place_group(
                        group,
                        entries,
                        all.as_ref(),
                        all_lists_hosts,
                        hosts_file,
                    ));
                }
            });
            ready = next;
        }
        drop(spent);
        drop(batches);
        drop(groups);
        // The `all` entries' inline data ranks above every group entry.
        if let (Some(_), Some(entries)) = (&all, all_entries) {
            let mut seen = vec![false; self.hosts.len()];
            let mut twice = Vec::new();
            for e in &entries.hosts {
                let hid = self.host_index[&e.name];
                if std::mem::replace(&mut seen[hid as usize], true) {
                    twice.push(e);
                }
                if let Some(data) = entries.data(e.entry) {
                    let set = self.add_set(Layer::HostInline, None, e.span.file, data.clone());
                    self.inline.get_mut(hid as usize).push(set);
                }
            }
            for run in twice.chunk_by(|x, y| x.entry == y.entry) {
                self.listed_twice(run, "`all`");
            }
        }
        let all = all?;
        if let Some((_, span)) = all.children.first() {
            self.diagnostics.push(
                strata_parser::Diagnostic::error(
                    strata_parser::Code::InvalidChild,
                    *span,
                    "`all` cannot have children: every group is inside it already",
                )
                .with_label_text("`children` of `all`")
                .with_help(
                    "remove `children` from `[all]`: groups without a parent are `all`'s children",
                ),
            );
        }
        let data = all.data?;
        Some(self.add_set(
            Layer::GlobalInline,
            None,
            hosts_file.unwrap_or(all.name_span.file),
            data,
        ))
    }

    /// Places one explicit group: its name, inline data and members (a
    /// member new to the inventory is added when `all` lists no hosts).
    /// Gives the entries back, to be freed.
    fn place_group(
        &mut self,
        group: &mut RawGroup,
        entries: Entries,
        all: Option<&RawGroup>,
        all_lists_hosts: bool,
        hosts_file: Option<FileId>,
    ) -> Entries {
        self.check_group_name(group);
        let gid = self.add_group(&group.name, Some(group.name_span), false);
        self.empty_group(group, &entries);
        if !group.children.is_empty() {
            if group.name.starts_with('@') {
                self.diagnostics.push(
                    strata_parser::Diagnostic::error(
                        strata_parser::Code::InvalidChild,
                        group.name_span,
                        format!("connector group `{}` cannot have children", group.name),
                    )
                    .with_label_text("a connector's group")
                    .with_help("a connector group holds the hosts of its connector only; give the children to a group of your own"),
                );
            } else {
                self.nesting
                    .push((gid, std::mem::take(&mut group.children), false));
            }
        }
        if let Some(data) = group.data.take() {
            let set = self.add_set(
                Layer::GroupInline,
                Some(gid),
                hosts_file.unwrap_or(group.name_span.file),
                data,
            );
            self.groups[gid as usize].sets.push(set);
        }
        // Problems are reported once per entry: `w[0:999]` missing from
        // `all` is one error, not a thousand.
        // One lookup per entry. Without hosts in `all`, a name not seen
        // yet is a new host. Groups mostly list hosts in inventory order:
        // the host after the previous entry's is tried first, in the dense
        // vector of names, before the table (whose slots are where the
        // lookups of 250,000 entries miss the cache). The guess is tried
        // only while it would have been right for the entry before: in a
        // group in random order, a wrong guess was one more cache miss
        // per entry.
        let (mut missing, mut twice) = (Vec::new(), Vec::new());
        let Entries { hosts, data, .. } = &entries;
        let (mut next, mut guess) = (0u32, true);
        for e in hosts.iter() {
            let known = match guess && self.host_index.is_named(next, &e.name) {
                true => Some(next),
                false => self.host_index.get_hashed(e.hash, &e.name).copied(),
            };
            let hid = match known {
                Some(hid) => hid,
                None if !all_lists_hosts => self.new_host(e),
                None => {
                    missing.push(e);
                    continue;
                }
            };
            guess = hid == next;
            next = hid + 1;
            let data = Entries::data_of(data, e.entry);
            if !self.add_member(gid, hid, e, data) {
                twice.push(e);
            }
        }
        // A host that may be one of `all`'s entries that could not be
        // expanded (`web[3:1]`) is not said to be missing from it.
        missing.retain(|e| !self.all_unexpanded.may_name(&e.name));
        for run in missing.chunk_by(|x, y| x.entry == y.entry) {
            self.not_in_all(run, &group.name, all);
        }
        for run in twice.chunk_by(|x, y| x.entry == y.entry) {
            self.listed_twice(run, &format!("group `{}`", group.name));
        }
        entries
    }

    /// Implicit connector groups come after every explicit group.
    pub(super) fn implicit_groups(&mut self) {
        for hid in 0..self.hosts.len() {
            for name in self.implicit.take(hid) {
                let gid = match self.group_index.get(&name) {
                    Some(&g) => g,
                    None => self.add_group(&name, None, true),
                };
                let groups = &mut self.member_of[hid];
                if !groups.contains(&gid) {
                    groups.push(gid);
                }
            }
        }
    }

    /// group_data/ files: each group's file goes before its inline data;
    /// returns group_data/all.toml's set.
    pub(super) fn place_group_files(
        &mut self,
        files: Vec<DataFile>,
        hosts_ok: bool,
    ) -> Option<SetId> {
        let mut global_file = None;
        for f in &files {
            self.hosts_in_data(&f.name, &f.data);
        }
        // Reported once every file is placed: a rename is offered only to
        // a name no file has.
        let mut unknown = Vec::new();
        for f in files {
            if f.name == "all" {
                global_file = Some(self.add_set(Layer::GlobalFile, None, f.file, f.data));
            } else if let Some(&gid) = self.group_index.get(f.name.as_str()) {
                let set = self.add_set(Layer::GroupFile, Some(gid), f.file, f.data);
                self.groups[gid as usize].sets.insert(0, set);
            } else if hosts_ok {
                unknown.push((f.name, f.file));
            }
        }
        for (name, file) in unknown {
            self.unknown_group_file(&name, file, global_file.is_some());
        }
        global_file
    }

    /// Whether group `name` has a file of group_data/ (`all`'s is
    /// `has_global_file`).
    pub(super) fn group_has_file(&self, name: &str, has_global_file: bool) -> bool {
        if name == "all" {
            return has_global_file;
        }
        self.group_index.get(name).is_some_and(|&gid| {
            self.groups[gid as usize]
                .sets
                .iter()
                .any(|&s| self.sets[s as usize].layer == Layer::GroupFile)
        })
    }

    /// Whether host `name` has a file of host_data/, read (`own` sets) or
    /// deferred.
    pub(super) fn host_has_file(&self, name: &str, deferred: &HashMap<u32, DeferredFile>) -> bool {
        self.host_index.get(name).is_some_and(|&hid| {
            deferred.contains_key(&hid)
                || self.hosts[hid as usize]
                    .own
                    .iter()
                    .any(|&s| self.sets[s as usize].layer == Layer::HostFile)
        })
    }

    /// host_data/ files, read or deferred: each host's file's set becomes
    /// its first own layer; returns the deferred files by host.
    pub(super) fn place_host_files(
        &mut self,
        files: Vec<DataFile>,
        deferred_files: Vec<DeferredFile>,
        hosts_ok: bool,
    ) -> HashMap<u32, DeferredFile> {
        // One set per host file: room for them at once, not by doubling,
        // and for the override and default layers, which come last (a
        // doubling then would copy every set).
        self.sets.reserve_exact(files.len() + 2);
        // Reported once every file is placed: a rename is offered only to
        // a name no file has.
        let mut unknown = Vec::new();
        for f in files {
            if let Some(&hid) = self.host_index.get(&f.name) {
                let set = self.add_set(Layer::HostFile, None, f.file, f.data);
                self.hosts[hid as usize].own.push(set);
            } else if hosts_ok && !self.unexpanded.may_name(&f.name) {
                unknown.push((f.name.to_string(), f.file));
            }
        }
        let mut deferred = HashMap::new();
        for f in deferred_files {
            if let Some(&hid) = self.host_index.get(f.name()) {
                deferred.insert(hid, f);
            } else if hosts_ok && !self.unexpanded.may_name(f.name()) {
                let file = self.files.add(f.display(), String::new());
                unknown.push((f.name().to_string(), file));
            }
        }
        for (name, file) in unknown {
            self.unknown_host_file(&name, file, &deferred);
        }
        deferred
    }

    /// Each host's own layers, highest first: host file, inline entries
    /// (last written first), sources' host variables (the later source
    /// first), connector.
    pub(super) fn own_layers(&mut self) {
        for hid in 0..self.hosts.len() {
            // The host file's set, when it has one (`place_host_files`).
            let mut own = std::mem::take(&mut self.hosts[hid].own);
            if let Some(sets) = self.inline.get(hid) {
                own.extend(sets.iter().rev().copied());
            }
            if let Some(sets) = self.source_sets.get(&(hid as u32)) {
                own.extend(sets.iter().rev().copied());
            }
            own.extend(self.connector_set.get(hid).copied().flatten());
            self.hosts[hid].own = own;
            self.conflicting_inline(hid);
        }
        // Each group's hosts, in inventory order, from the hosts' group
        // lists (which have no repeats), each at its exact size.
        let mut counts = vec![0usize; self.groups.len()];
        for groups in &self.member_of {
            for &g in groups {
                counts[g as usize] += 1;
            }
        }
        for (g, n) in self.groups.iter_mut().zip(counts) {
            g.hosts.reserve_exact(n);
        }
        for (hid, groups) in self.member_of.iter().enumerate() {
            for &g in groups {
                self.groups[g as usize].hosts.push(hid as u32);
            }
        }
        self.hosts.shrink_to_fit();
        self.member_of.shrink_to_fit();
    }

    pub(super) fn add_set(
        &mut self,
        layer: Layer,
        group: Option<u32>,
        file: FileId,
        table: DataTable,
    ) -> SetId {
        self.sets.push(DataSet {
            layer,
            group,
            file,
            table,
        });
        (self.sets.len() - 1) as SetId
    }

    /// A layer from a plain table (command line, code), in a virtual source.
    pub(super) fn add_table(&mut self, layer: Layer, source: &str, table: &toml::Table) -> SetId {
        let file = self.files.add_virtual(source);
        // A vault or unsafe table Ansible would not recognise is refused,
        // as in a file (there located): never handed on as a plain table.
        let mut kept = toml::Table::new();
        for (key, value) in table {
            match malformed_marker(&Value::from(value.clone())) {
                None => {
                    kept.insert(key.clone(), value.clone());
                }
                Some(problem) => self.diagnostics.push(
                    Diagnostic::error(
                        Code::AnsibleValueShape,
                        Span::file_start(file),
                        format!("{source}: `{key}`: {problem}"),
                    )
                    .with_help("write an encrypted value as `{ __ansible_vault = \"$ANSIBLE_VAULT;...\" }` and a string Ansible must never template as `{ __ansible_unsafe = \"...\" }`, each alone in its table"),
                ),
            }
        }
        let table = DataTable::from_table(kept, Span::file_start(file));
        self.add_set(layer, None, file, table)
    }

    pub(super) fn add_group(&mut self, name: &str, span: Option<Span>, implicit: bool) -> u32 {
        let gid = self.groups.len() as u32;
        self.groups.push(GroupRec {
            name: name.to_string(),
            span,
            hosts: Vec::new(),
            direct: None,
            children: Vec::new(),
            depth: 1,
            implicit,
            sets: Vec::new(),
        });
        self.group_index.insert(name.to_string(), gid);
        gid
    }

    /// Makes `hid` a member of `gid` with the entry's inline data; false
    /// when it already was (listed twice).
    pub(super) fn add_member(
        &mut self,
        gid: u32,
        hid: u32,
        e: &Expanded,
        data: Option<&DataTable>,
    ) -> bool {
        let groups = &mut self.member_of[hid as usize];
        let new = !groups.contains(&gid);
        if new {
            groups.push(gid);
        }
        if let Some(data) = data {
            let set = self.add_set(Layer::HostInline, Some(gid), e.span.file, data.clone());
            self.inline.get_mut(hid as usize).push(set);
        }
        new
    }
}
