//! The resolved inventory: hosts, groups and their data.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use strata_parser::{Diagnostic, Files, Location, Span, Text};

use crate::data::Data;
use crate::layer::DataSet;

pub(crate) type SetId = u32;

/// Host and group names to their index: a fast hash (foldhash, seeded per
/// process), since building a 100,000-host inventory makes hundreds of
/// thousands of lookups and SipHash was a tenth of the work.
pub(crate) type NameMap<V> = HashMap<String, V, foldhash::fast::RandomState>;

/// Host names to their index. Building a 100,000-host inventory looks a
/// name up for each of its 250,000 entries, at random places: what a
/// lookup touches decides its cost (cache misses), not its instructions.
/// The table holds only host numbers (4 bytes a slot); the names it
/// compares against are in a dense vector by number, those of up to 22
/// bytes (most host names) inline.
#[derive(Default)]
pub(crate) struct HostIndex {
    table: hashbrown::HashTable<u32>,
    /// Each host's name, by number (up to 24 bytes inline): the only copy
    /// of it ([`HostIndex::name`]).
    names: Vec<Text>,
    hasher: foldhash::fast::RandomState,
}

impl std::fmt::Debug for HostIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostIndex")
            .field("hosts", &self.names.len())
            .finish()
    }
}

impl HostIndex {
    fn hash(hasher: &foldhash::fast::RandomState, name: &[u8]) -> u64 {
        use std::hash::BuildHasher;
        hasher.hash_one(name)
    }

    pub fn get(&self, name: &str) -> Option<&u32> {
        self.get_hashed(self.hash_of(name), name)
    }

    /// What [`HostIndex::get`] and [`HostIndex::insert_hashed`] hash a name
    /// with (to hash names ahead, on another thread).
    pub fn hasher(&self) -> foldhash::fast::RandomState {
        self.hasher.clone()
    }

    /// `name`'s hash with [`HostIndex::hasher`].
    pub fn hash_of(&self, name: &str) -> u64 {
        Self::hash(&self.hasher, name.as_bytes())
    }

    /// [`HostIndex::get`] with the name's hash already made.
    pub fn get_hashed(&self, hash: u64, name: &str) -> Option<&u32> {
        let name = name.as_bytes();
        self.table
            .find(hash, |&id| self.names[id as usize].as_bytes() == name)
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Adds `name`, which the index does not hold, as the next host: `id`
    /// is the number of names already in, `hash` the name's
    /// ([`HostIndex::hash_of`]), made ahead.
    pub fn insert_hashed(&mut self, name: &str, id: u32, hash: u64) {
        debug_assert_eq!(id as usize, self.names.len());
        debug_assert_eq!(hash, self.hash_of(name));
        debug_assert!(!self.contains_key(name));
        let key = Text::from(name);
        let (names, hasher) = (&self.names, &self.hasher);
        self.table.insert_unique(hash, id, |&id| {
            Self::hash(hasher, names[id as usize].as_bytes())
        });
        self.names.push(key);
    }

    /// Every host's name, by number.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(Text::as_str)
    }

    /// True when host `id` exists and is called `name`: a guess checked
    /// without the table.
    pub fn is_named(&self, id: u32, name: &str) -> bool {
        self.names
            .get(id as usize)
            .is_some_and(|n| n.as_bytes() == name.as_bytes())
    }

    /// The name of host `id`.
    pub fn name(&self, id: usize) -> &str {
        &self.names[id]
    }

    pub fn reserve(&mut self, n: usize) {
        let (names, hasher) = (&self.names, &self.hasher);
        self.table
            .reserve(n, |&id| Self::hash(hasher, names[id as usize].as_bytes()));
        self.names.reserve(n);
    }
}

impl std::ops::Index<&str> for HostIndex {
    type Output = u32;

    fn index(&self, name: &str) -> &u32 {
        self.get(name).expect("a host of the index")
    }
}

/// A host's groups (see `Inventory::host_groups`).
pub(crate) type HostGroups = smallvec::SmallVec<[u32; 4]>;

/// A host's own layers (see `HostRec::own`): most hosts have one or two,
/// kept in the record (no allocation per host).
pub(crate) type OwnSets = smallvec::SmallVec<[SetId; 4]>;

/// What a host has besides its name (in the host index) and groups
/// (`Inventory::host_groups`): 56 bytes, one per host.
#[derive(Debug)]
pub(crate) struct HostRec {
    /// Where the host is first named (in `all` when present).
    pub span: Option<Span>,
    /// The host's own layers, highest first: host file, inline entries, connector.
    pub own: OwnSets,
    /// `docker` for `@docker/...`, when the host comes from a connector.
    pub connector: Option<Box<str>>,
}

#[derive(Debug)]
pub(crate) struct GroupRec {
    pub name: String,
    pub span: Option<Span>,
    /// Every host of the group, its descendants' included, in inventory
    /// order.
    pub hosts: Vec<u32>,
    /// The hosts the group lists itself, when it has children (else they
    /// are `hosts`).
    pub direct: Option<Vec<u32>>,
    /// Child groups, as `children` names them.
    pub children: Vec<u32>,
    /// 1 without parents, else one more than the deepest parent's.
    pub depth: u32,
    pub implicit: bool,
    /// The group's layers, highest first: its group_data file, its inline data.
    pub sets: Vec<SetId>,
}

/// A resolved inventory: hosts in order, groups in order, and every host's
/// data through the waterfall, with the origin of every value.
///
/// Build one with [`Loader`](crate::Loader) (from a directory) or
/// [`Inventory::builder`] (in code). It is immutable, `Send` and `Sync`.
#[derive(Debug)]
pub struct Inventory {
    pub(crate) root: Option<PathBuf>,
    pub(crate) files: Files,
    pub(crate) hosts: Vec<HostRec>,
    /// Each host's groups, by host: explicit ones in hosts.toml order, then
    /// implicit connector groups. Most hosts are in a few: up to four are
    /// kept inline (no allocation). A vector of its own, not a field of
    /// the records: building looks a host's groups up for each of 250,000
    /// entries at 100,000 hosts, at random, and 24 bytes a host are what
    /// those lookups touch.
    pub(crate) host_groups: Vec<HostGroups>,
    pub(crate) host_index: HostIndex,
    pub(crate) groups: Vec<GroupRec>,
    pub(crate) group_index: NameMap<u32>,
    pub(crate) sets: Vec<DataSet>,
    /// Global layers, highest first: group_data/all.toml, all.data.
    pub(crate) global: Vec<SetId>,
    pub(crate) overrides: Option<SetId>,
    pub(crate) defaults: Option<SetId>,
    /// Host files listed but not read yet (see `Loader::defer_host_data`).
    pub(crate) deferred: HashMap<u32, strata_parser::DeferredFile>,
    /// The external source each source document belongs to.
    pub(crate) source_files: HashMap<strata_parser::FileId, std::sync::Arc<str>>,
    /// False when a source gave no answer (`check` without consent): its
    /// groups are unknown, so a schema is not said to name no group.
    pub(crate) groups_complete: bool,
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// The rank of every key of `sets`, for sorting merged data; made on
    /// first use (commands that print no data never pay for it).
    pub(crate) key_order: std::sync::OnceLock<crate::key_order::KeyOrder>,
    /// `strata.toml`'s merge strategies and the merged sets' provenance;
    /// `None` without `[merge]` (then nothing merges, nothing is kept).
    pub(crate) merging: Option<Box<crate::merge::Merging>>,
}

/// A host of an [`Inventory`].
#[derive(Clone, Copy)]
pub struct Host<'a> {
    inv: &'a Inventory,
    id: u32,
}

/// A group of an [`Inventory`].
#[derive(Clone, Copy)]
pub struct Group<'a> {
    inv: &'a Inventory,
    id: u32,
}

impl std::fmt::Debug for Host<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Host").field("name", &self.name()).finish()
    }
}

impl std::fmt::Debug for Group<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Group").field("name", &self.name()).finish()
    }
}

impl PartialEq for Host<'_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.inv, other.inv) && self.id == other.id
    }
}
impl Eq for Host<'_> {}

impl<'a> Host<'a> {
    fn rec(&self) -> &'a HostRec {
        &self.inv.hosts[self.id as usize]
    }

    /// The host's name.
    pub fn name(&self) -> &'a str {
        self.inv.host_index.name(self.id as usize)
    }

    /// Position of the host in inventory order (0-based).
    pub fn index(&self) -> usize {
        self.id as usize
    }

    /// The host's groups, in precedence order (the later wins): by depth
    /// (a group with no parent first, children after their parents), and
    /// at equal depth as written: hosts.toml's, then sources', then
    /// implicit connector groups. A host is in a group when the group or
    /// one of its descendants lists it. Never `all`.
    pub fn groups(&self) -> impl Iterator<Item = Group<'a>> + use<'a> {
        let inv = self.inv;
        inv.host_groups[self.id as usize]
            .iter()
            .map(move |&id| Group { inv, id })
    }

    /// True when the host belongs to the group called `name`.
    pub fn in_group(&self, name: &str) -> bool {
        self.groups().any(|g| g.name() == name)
    }

    /// The host's resolved data.
    pub fn data(&self) -> Data<'a> {
        let inv = self.inv;
        let rec = self.rec();
        let groups = &inv.host_groups[self.id as usize];
        let mut chain = Vec::with_capacity(rec.own.len() + groups.len() * 2 + 4);
        chain.extend(inv.overrides);
        chain.extend(&rec.own);
        for &g in groups.iter().rev() {
            chain.extend(&inv.groups[g as usize].sets);
        }
        chain.extend(&inv.global);
        chain.extend(inv.defaults);
        Data::new(inv, chain)
    }

    /// Only the host's own layers (host file, inline entries, connector),
    /// as pyinfra's `Inventory.get_host_data`.
    pub fn own_data(&self) -> Data<'a> {
        let inv = self.inv;
        let own = self.rec().own.iter().copied();
        match inv.merging {
            None => Data::new(inv, own.collect()),
            // Without the merged set, which merges group layers too.
            Some(_) => Data::new(
                inv,
                own.filter(|&s| inv.sets[s as usize].layer != crate::layer::Layer::Merged)
                    .collect(),
            ),
        }
    }

    /// True when the host has a `host_data/` file that was not read yet
    /// (with [`Loader::defer_host_data`](crate::Loader::defer_host_data)):
    /// its data lacks that layer until [`Inventory::read_host_data`].
    pub fn has_deferred_data(&self) -> bool {
        self.inv.deferred.contains_key(&self.id)
    }

    /// The connector that made this host (`docker` for `@docker/web`).
    pub fn connector(&self) -> Option<&'a str> {
        self.rec().connector.as_deref()
    }

    /// Where the host is named in hosts.toml.
    pub fn location(&self) -> Option<Location> {
        self.rec().span.and_then(|s| self.inv.files.location(s))
    }
}

impl<'a> Group<'a> {
    fn rec(&self) -> &'a GroupRec {
        &self.inv.groups[self.id as usize]
    }

    /// The group's name.
    pub fn name(&self) -> &'a str {
        &self.rec().name
    }

    /// Position of the group in group order (0-based, as
    /// [`Inventory::groups`] gives them).
    pub fn index(&self) -> usize {
        self.id as usize
    }

    /// The group's hosts in inventory order: those it lists and those of
    /// its descendants (through `children`), each once.
    pub fn hosts(&self) -> impl ExactSizeIterator<Item = Host<'a>> + use<'a> {
        let inv = self.inv;
        self.rec().hosts.iter().map(move |&id| Host { inv, id })
    }

    /// The hosts the group lists itself (and sources give it), in
    /// inventory order, without its descendants'.
    pub fn direct_hosts(&self) -> impl ExactSizeIterator<Item = Host<'a>> + use<'a> {
        let inv = self.inv;
        let rec = self.rec();
        rec.direct
            .as_ref()
            .unwrap_or(&rec.hosts)
            .iter()
            .map(move |&id| Host { inv, id })
    }

    /// The group's child groups, in the order `children` names them.
    pub fn children(&self) -> impl ExactSizeIterator<Item = Group<'a>> + use<'a> {
        let inv = self.inv;
        self.rec().children.iter().map(move |&id| Group { inv, id })
    }

    /// The groups that name this one as a child, in group order.
    pub fn parents(&self) -> impl Iterator<Item = Group<'a>> + use<'a> {
        let (inv, me) = (self.inv, self.id);
        inv.groups().filter(move |g| g.rec().children.contains(&me))
    }

    /// The group's depth: 1 without parents, else one more than its
    /// deepest parent's. A deeper group's data wins over a shallower
    /// one's (docs/precedence.md).
    pub fn depth(&self) -> u32 {
        self.rec().depth
    }

    /// True for groups a connector makes (`@docker`).
    pub fn is_implicit(&self) -> bool {
        self.rec().implicit
    }

    /// The group's own data: its group_data file over its inline `data`.
    pub fn data(&self) -> Data<'a> {
        Data::new(self.inv, self.rec().sets.clone())
    }

    /// Where the group is named in hosts.toml.
    pub fn location(&self) -> Option<Location> {
        self.rec().span.and_then(|s| self.inv.files.location(s))
    }
}

impl Inventory {
    /// Number of hosts.
    pub fn len(&self) -> usize {
        self.hosts.len()
    }

    /// True when there is no host.
    pub fn is_empty(&self) -> bool {
        self.hosts.is_empty()
    }

    /// Hosts in inventory order.
    pub fn hosts(&self) -> impl ExactSizeIterator<Item = Host<'_>> {
        (0..self.hosts.len() as u32).map(move |id| Host { inv: self, id })
    }

    /// The host at `index` in inventory order ([`Host::index`]).
    pub fn host_at(&self, index: usize) -> Option<Host<'_>> {
        (index < self.hosts.len()).then_some(Host {
            inv: self,
            id: index as u32,
        })
    }

    /// The host called `name`.
    pub fn host(&self, name: &str) -> Option<Host<'_>> {
        self.host_index.get(name).map(|&id| Host { inv: self, id })
    }

    /// Groups in definition order, then the implicit connector groups.
    pub fn groups(&self) -> impl ExactSizeIterator<Item = Group<'_>> {
        (0..self.groups.len() as u32).map(move |id| Group { inv: self, id })
    }

    /// The group called `name`.
    pub fn group(&self, name: &str) -> Option<Group<'_>> {
        self.group_index
            .get(name)
            .map(|&id| Group { inv: self, id })
    }

    /// Global data: group_data/all.toml over `all.data`.
    pub fn data(&self) -> Data<'_> {
        Data::new(self, self.global.clone())
    }

    /// The data of the group called `name` (its file over its inline data).
    pub fn group_data(&self, name: &str) -> Option<Data<'_>> {
        self.group(name).map(|g| g.data())
    }

    /// A host's own data (host file, inline, connector), without groups.
    pub fn host_data(&self, name: &str) -> Option<Data<'_>> {
        self.host(name).map(|h| h.own_data())
    }

    /// The data of several groups merged, the later group winning, as
    /// pyinfra's `get_groups_data`. Unknown names are skipped.
    pub fn groups_data<S: AsRef<str>>(&self, names: &[S]) -> Data<'_> {
        let mut chain = Vec::new();
        for name in names.iter().rev() {
            if let Some(&g) = self.group_index.get(name.as_ref()) {
                chain.extend(&self.groups[g as usize].sets);
            }
        }
        Data::new(self, chain)
    }

    /// The override layer (`--data`, `override_data`).
    pub fn override_data(&self) -> Data<'_> {
        Data::new(self, self.overrides.into_iter().collect())
    }

    /// The defaults layer supplied by the caller.
    pub fn defaults(&self) -> Data<'_> {
        Data::new(self, self.defaults.into_iter().collect())
    }

    /// Warnings found while loading (errors stop loading, see [`crate::LoadError`]).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The files the inventory was read from, for rendering diagnostics.
    pub fn files(&self) -> &Files {
        &self.files
    }

    /// The inventory directory, when loaded from disk.
    pub fn root(&self) -> Option<&Path> {
        self.root.as_deref()
    }

    /// Reads the deferred `host_data/` files of these hosts (by
    /// [`Host::index`]) and adds them to their data. Hosts without a
    /// deferred file are skipped. Returns the problems found in those files;
    /// a file with errors adds no data.
    ///
    /// ```
    /// # fn main() -> std::io::Result<()> {
    /// # let dir = tempfile::tempdir()?;
    /// # std::fs::write(dir.path().join("hosts.toml"), "web = [\"w1\", \"w2\"]\n")?;
    /// # std::fs::create_dir(dir.path().join("host_data"))?;
    /// # std::fs::write(dir.path().join("host_data/w1.toml"), "port = 8001\n")?;
    /// let mut inv = strata_resolver::Loader::new(dir.path()).defer_host_data().load().unwrap();
    /// let w1 = inv.host("w1").unwrap().index();
    /// assert!(inv.host("w1").unwrap().data().get("port").is_none());
    /// assert!(inv.read_host_data([w1]).is_empty());
    /// assert_eq!(inv.host("w1").unwrap().data().get("port").unwrap().as_integer(), Some(8001));
    /// # Ok(()) }
    /// ```
    pub fn read_host_data(&mut self, hosts: impl IntoIterator<Item = usize>) -> Vec<Diagnostic> {
        let mut ids = Vec::new();
        let mut files = Vec::new();
        for i in hosts {
            if let Some(f) = self.deferred.remove(&(i as u32)) {
                ids.push(i);
                files.push(f);
            }
        }
        if files.is_empty() {
            return Vec::new();
        }
        let root = self.root.clone().unwrap_or_default();
        let (read, diagnostics) = strata_parser::read_deferred(&root, &mut self.files, files);
        let mut diagnostics = diagnostics;
        for (i, f) in ids.into_iter().zip(read) {
            if f.ok {
                self.sets.push(DataSet {
                    layer: crate::layer::Layer::HostFile,
                    group: None,
                    file: f.file,
                    table: f.data,
                });
                let set = (self.sets.len() - 1) as SetId;
                match self.merging.take() {
                    None => self.hosts[i].own.insert(0, set),
                    Some(mut m) => {
                        // Below the merged set, which is merged again with it.
                        let own = &mut self.hosts[i].own;
                        let merged = own.first().is_some_and(|&s| {
                            self.sets[s as usize].layer == crate::layer::Layer::Merged
                        });
                        if merged {
                            own.remove(0);
                        }
                        own.insert(0, set);
                        let chain = self.host_by_id(i as u32).data().chain().to_vec();
                        let name = self.host_index.name(i).to_string();
                        let (set, found) = crate::merge::merge_host(
                            &mut self.sets,
                            &self.files,
                            &mut m,
                            &chain,
                            &name,
                        );
                        diagnostics.extend(found);
                        self.hosts[i].own.insert_many(0, set);
                        self.merging = Some(m);
                    }
                }
            }
        }
        // New files bring keys the order has not ranked.
        self.key_order = std::sync::OnceLock::new();
        diagnostics
    }

    /// Reads every deferred `host_data/` file.
    pub fn read_all_host_data(&mut self) -> Vec<Diagnostic> {
        let all: Vec<usize> = self.deferred.keys().map(|&i| i as usize).collect();
        self.read_host_data(all)
    }

    /// The order of every key, made on first use.
    pub(crate) fn key_order(&self) -> &crate::key_order::KeyOrder {
        self.key_order
            .get_or_init(|| crate::key_order::KeyOrder::new(&self.sets))
    }

    pub(crate) fn host_by_id(&self, id: u32) -> Host<'_> {
        Host { inv: self, id }
    }
}

#[cfg(test)]
mod tests {
    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn a_host_keeps_four_groups_and_four_own_layers_in_a_vec_s_room() {
        let vec = std::mem::size_of::<Vec<u32>>();
        assert_eq!(std::mem::size_of::<super::HostGroups>(), vec);
        assert_eq!(std::mem::size_of::<super::OwnSets>(), vec);
        assert_eq!(std::mem::size_of::<super::HostRec>(), 56);
    }

    #[test]
    fn host_names_are_kept_in_the_index() {
        assert_eq!(std::mem::size_of::<strata_parser::Text>(), 24);
        let mut index = super::HostIndex::default();
        let names = [
            "",
            "a",
            "h0000217.example.com",
            "22-bytes-long-hostname",
            "23-bytes-long-host-name",
            "caf\u{e9}",
        ];
        for (i, name) in names.iter().enumerate() {
            index.insert_hashed(name, i as u32, index.hash_of(name));
        }
        for (i, name) in names.iter().enumerate() {
            assert_eq!(index.get(name), Some(&(i as u32)));
            assert_eq!(index[*name], i as u32);
            assert!(index.contains_key(name));
        }
        assert!(index.get("h0000217.example.co").is_none());
        assert!(index.get("22-bytes-long-hostnam").is_none());
    }

    #[test]
    fn inventory_is_send_and_sync() {
        assert_send_sync::<super::Inventory>();
    }
}
