//! Resolved data: a view over the layers that apply, with provenance.

use serde::de::DeserializeOwned;
use strata_parser::{Location, Value};

use crate::inventory::{Inventory, SetId};
use crate::layer::{DataSet, Layer};

/// Where a definition comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin<'a> {
    /// The layer.
    pub layer: Layer,
    /// The group, for group layers and for inline host data written in a group.
    pub group: Option<&'a str>,
    /// The file name relative to the root (`group_data/web.toml`), or a
    /// virtual name such as `<command line>`.
    pub source: &'a str,
    /// Where the key is written, when it comes from a file.
    pub location: Option<Location>,
    /// The external source (`sources/<name>.toml`) of a source layer.
    pub source_name: Option<&'a str>,
}

impl std::fmt::Display for Origin<'_> {
    /// `group_data/web.toml:3:1 (group web)` or `<command line> (override)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.location {
            Some(l) => write!(f, "{l}")?,
            None => f.write_str(self.source)?,
        }
        match (self.layer, self.group) {
            (Layer::SourceHost | Layer::SourceGroup | Layer::SourceGlobal, group) => {
                let name = self.source_name.unwrap_or("?");
                match (self.layer, group) {
                    (Layer::SourceGroup, Some(g)) => write!(f, " (group {g}, source {name})"),
                    (Layer::SourceGlobal, _) => write!(f, " (all, source {name})"),
                    _ => write!(f, " (source {name})"),
                }
            }
            (Layer::GroupFile | Layer::GroupInline, Some(g)) => write!(f, " (group {g})"),
            (Layer::HostInline, Some(g)) => write!(f, " (host inline, in group {g})"),
            (Layer::HostInline, None) => write!(f, " (host inline, in all)"),
            (layer, _) => write!(f, " ({layer})"),
        }
    }
}

/// One definition of a key in one layer, as [`Data::layered`] lists them.
#[derive(Clone, Copy)]
pub(crate) struct Layered<'a> {
    pub key: &'a str,
    pub set: &'a DataSet,
    pub entry: &'a strata_parser::Entry,
}

/// Equal keys: usually the same shared allocation, so the addresses answer
/// before the bytes are compared.
pub(crate) fn same_key(a: &str, b: &str) -> bool {
    std::ptr::eq(a, b) || a == b
}

/// One definition of a key: its value and where it comes from.
#[derive(Clone, Debug, PartialEq)]
pub struct Definition<'a> {
    /// The value as written.
    pub value: &'a Value,
    /// Where it is written.
    pub origin: Origin<'a>,
}

/// Reading data into a Rust type failed.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DataError {
    /// The key is defined in no layer.
    #[error("no data `{0}`")]
    Missing(String),
    /// The value does not fit the requested type.
    #[error("data `{key}` ({origin}): {message}")]
    Type {
        /// The key (empty when deserializing the whole data).
        key: String,
        /// Where the value comes from.
        origin: String,
        /// What serde said.
        message: String,
    },
}

/// The data of a host (or of a group, or the global data): a read-only view
/// over its layers in precedence order. Nothing is copied; each lookup walks
/// the layers and the first definition wins.
#[derive(Clone)]
pub struct Data<'a> {
    inv: &'a Inventory,
    chain: Vec<SetId>,
}

impl std::fmt::Debug for Data<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<'a> Data<'a> {
    pub(crate) fn new(inv: &'a Inventory, chain: Vec<SetId>) -> Data<'a> {
        Data { inv, chain }
    }

    /// The layers, highest first, by set number: two views with the same
    /// chain have the same data.
    pub(crate) fn inventory(&self) -> &'a Inventory {
        self.inv
    }

    pub(crate) fn chain(&self) -> &[SetId] {
        &self.chain
    }

    fn sets(&self) -> impl Iterator<Item = &'a DataSet> + '_ {
        let inv = self.inv;
        self.chain.iter().map(move |&id| &inv.sets[id as usize])
    }

    /// The winning value of `key`.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.sets().find_map(|s| s.table.get(key)).map(|e| &e.value)
    }

    /// True when some layer defines `key`.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Every definition of `key`, the winner first, then those it shadows in
    /// precedence order. A value `strata.toml` merges comes first, with its
    /// highest contribution's origin, then every definition it merged.
    pub fn definitions(&self, key: &str) -> Vec<Definition<'a>> {
        let inv = self.inv;
        self.sets()
            .filter_map(|s| s.table.get(key).map(|e| (s, e)))
            .map(|(s, e)| Definition {
                value: &e.value,
                origin: match s.layer {
                    Layer::Merged => self.top_contribution(key),
                    _ => None,
                }
                .unwrap_or_else(|| inv.origin_of(s, Some(e.key_span))),
            })
            .collect()
    }

    fn sets_with_ids(&self) -> impl Iterator<Item = (SetId, &'a DataSet)> + '_ {
        let inv = self.inv;
        self.chain
            .iter()
            .map(move |&id| (id, &inv.sets[id as usize]))
    }

    /// The provenance of `key` in this view, when its winner is merged
    /// (made again from the layers it merged).
    pub(crate) fn merged(&self, key: &str) -> Option<std::sync::Arc<crate::merge::MergedKey>> {
        let m = self.inv.merging.as_deref()?;
        let &id = self
            .chain
            .iter()
            .find(|&&id| self.inv.sets[id as usize].table.get(key).is_some())?;
        if self.inv.sets[id as usize].layer != Layer::Merged {
            return None;
        }
        // A poisoned lock only means another thread panicked: the map is
        // still whole (each change is one call).
        let lock = || m.provenance.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(found) = lock().get(&id) {
            return Some(found.clone());
        }
        let contributions = crate::merge::contributions(&self.inv.sets, &self.chain, key);
        let made = std::sync::Arc::new(crate::merge::provenance(
            &self.inv.sets,
            &self.inv.files,
            m,
            key,
            &contributions,
        )?);
        let mut kept = lock();
        if kept.len() < crate::merge::PROVENANCE_KEPT {
            kept.insert(id, made.clone());
        }
        Some(made)
    }

    /// The origin of the highest definition a merged `key` merged.
    fn top_contribution(&self, key: &str) -> Option<Origin<'a>> {
        let (s, e) = self
            .sets()
            .filter(|s| !matches!(s.layer, Layer::Override | Layer::Merged))
            .find_map(|s| s.table.get(key).map(|e| (s, e)))?;
        Some(self.inv.origin_of(s, Some(e.key_span)))
    }

    /// The origin of `path` (inside `key`'s merged value).
    fn merged_origin(&self, key: &str, path: &[&str]) -> Option<Origin<'a>> {
        self.origin_in_merged(&*self.merged(key)?, key, path)
    }

    /// The origin of `path` inside `key`'s merged value, given its
    /// provenance `m` ([`Data::merged`]): for callers that ask about many
    /// paths of one value, which make the provenance once.
    pub(crate) fn origin_in_merged(
        &self,
        m: &crate::merge::MergedKey,
        key: &str,
        path: &[&str],
    ) -> Option<Origin<'a>> {
        let (piece, n) = m.piece_of(path)?;
        let mut from = piece.from.clone();
        let below = self.value_at(piece.set, key, &piece.from)?;
        from.extend(segs_of(below, &path[n..])?);
        Some(self.origin_at(piece.set, key, &from))
    }

    /// The value at `from` in set `set`'s value of `key`.
    fn value_at(&self, set: SetId, key: &str, from: &[crate::merge::Seg]) -> Option<&'a Value> {
        let mut v = &self.inv.sets[set as usize].table.get(key)?.value;
        for seg in from {
            v = match (seg, v) {
                (crate::merge::Seg::Key(k), Value::Table(t)) => t.get(k)?,
                (crate::merge::Seg::Index(i), Value::Array(a)) => a.get(*i)?,
                _ => return None,
            };
        }
        Some(v)
    }

    /// The origin of `from` inside set `set`'s value of `key`: where it
    /// is written when the file can be read again, else where the key is.
    pub(crate) fn origin_at(
        &self,
        set: SetId,
        key: &str,
        from: &[crate::merge::Seg],
    ) -> Origin<'a> {
        let s = &self.inv.sets[set as usize];
        let e = s.table.get(key).expect("the set defines the key");
        let span = crate::merge::locate(&self.inv.files, s.file, e, from).unwrap_or(e.key_span);
        self.inv.origin_of(s, Some(span))
    }

    /// Where the value at `path` comes from: `path[0]` a key, then table
    /// keys and array indices inside its value (`["sysctl",
    /// "vm.swappiness"]`, `["packages", "2"]`). For a value
    /// `strata.toml` merges, the layer that gave that piece; otherwise
    /// the winning definition, pointing at the nested value when its file
    /// can be read again. `None` when the value has no such path.
    ///
    /// ```
    /// let inv = strata_resolver::Inventory::builder()
    ///     .group_with_data("web", ["w1"], toml::toml! { sysctl = { "vm.swappiness" = 10 } })
    ///     .global_data(toml::toml! { sysctl = { "net.core.somaxconn" = 1024 } })
    ///     .merge("sysctl", "hash")
    ///     .build()
    ///     .unwrap();
    /// let data = inv.host("w1").unwrap().data();
    /// let o = data.origin_of_path(&["sysctl", "net.core.somaxconn"]).unwrap();
    /// assert_eq!(o.layer, strata_resolver::Layer::GlobalInline);
    /// let o = data.origin_of_path(&["sysctl", "vm.swappiness"]).unwrap();
    /// assert_eq!(o.group, Some("web"));
    /// ```
    pub fn origin_of_path(&self, path: &[&str]) -> Option<Origin<'a>> {
        let (&key, inner) = path.split_first()?;
        let (id, s, e) = self
            .sets_with_ids()
            .find_map(|(id, s)| s.table.get(key).map(|e| (id, s, e)))?;
        let from = segs_of(&e.value, inner)?;
        if s.layer == Layer::Merged {
            return self.merged_origin(key, inner);
        }
        Some(self.origin_at(id, key, &from))
    }

    /// The layers defining `key`, highest first, with their entries.
    pub(crate) fn sets_defining<'k>(
        &'k self,
        key: &'k str,
    ) -> impl Iterator<Item = (&'a DataSet, &'a strata_parser::Entry)> + 'k {
        self.sets()
            .filter_map(move |s| s.table.get(key).map(|e| (s, e)))
    }

    /// Where the winning value of `key` comes from (for a value
    /// `strata.toml` merges, its highest contribution:
    /// [`Data::origin_of_path`] gives each piece's).
    pub fn origin(&self, key: &str) -> Option<Origin<'a>> {
        let (s, e) = self.sets().find_map(|s| s.table.get(key).map(|e| (s, e)))?;
        if s.layer == Layer::Merged
            && let Some(o) = self.top_contribution(key)
        {
            return Some(o);
        }
        Some(self.inv.origin_of(s, Some(e.key_span)))
    }

    /// Every key with its winning value, keys sorted.
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, &'a Value)> + use<'a> {
        let mut all = self.layered();
        all.dedup_by(|b, a| same_key(a.key, b.key));
        all.into_iter().map(|d| (d.key, &d.entry.value))
    }

    /// Every definition of every key: keys sorted, and for each key its
    /// layers highest first (the winner, then what it shadows).
    ///
    /// Keys sort by their precomputed rank (an integer, see
    /// [`KeyOrder`](crate::key_order::KeyOrder)), not their text; sorting
    /// by (rank, position) keeps the layers' order among equal keys. This
    /// runs once per host for every command that prints data.
    pub(crate) fn layered(&self) -> Vec<Layered<'a>> {
        let n = self.sets().map(|s| s.table.len()).sum();
        let mut entries: Vec<Layered<'a>> = Vec::with_capacity(n);
        for set in self.sets() {
            entries.extend(
                set.table
                    .iter()
                    .map(|(key, entry)| Layered { key, set, entry }),
            );
        }
        let order = self.inv.key_order();
        let mut ranked = Vec::with_capacity(n);
        for (pos, d) in entries.iter().enumerate() {
            match order.rank(d.key) {
                Some(r) => ranked.push(u64::from(r) << 32 | pos as u64),
                None => {
                    // A key the order does not know: compare texts.
                    entries.sort_by_key(|d| d.key);
                    return entries;
                }
            }
        }
        ranked.sort_unstable();
        ranked
            .into_iter()
            .map(|r| entries[(r & u64::from(u32::MAX)) as usize])
            .collect()
    }

    /// Keys, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        self.iter().map(|(k, _)| k)
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// True when no layer defines anything.
    pub fn is_empty(&self) -> bool {
        self.sets().all(|s| s.table.is_empty())
    }

    /// The resolved data as a table, keys sorted.
    pub fn to_table(&self) -> toml::Table {
        self.iter()
            .map(|(k, v)| (k.to_string(), v.to_toml()))
            .collect()
    }

    /// The value of `key` as a `T`.
    ///
    /// ```
    /// let inv = strata_resolver::Inventory::builder()
    ///     .group("web", ["w1"])
    ///     .group_data("web", toml::toml! { port = 8080 })
    ///     .build()
    ///     .unwrap();
    /// let port: u16 = inv.host("w1").unwrap().data().get_as("port").unwrap();
    /// assert_eq!(port, 8080);
    /// ```
    pub fn get_as<T: DeserializeOwned>(&self, key: &str) -> Result<T, DataError> {
        let value = self
            .get(key)
            .ok_or_else(|| DataError::Missing(key.to_string()))?;
        value
            .to_toml()
            .try_into()
            .map_err(|e: toml::de::Error| DataError::Type {
                key: key.to_string(),
                origin: self.origin(key).map(|o| o.to_string()).unwrap_or_default(),
                message: e.message().trim().to_string(),
            })
    }

    /// The whole resolved data as a `T` (typically the deploy tool's own
    /// configuration struct).
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, DataError> {
        toml::Value::Table(self.to_table())
            .try_into()
            .map_err(|e: toml::de::Error| DataError::Type {
                key: String::new(),
                origin: String::from("resolved data"),
                message: e.message().trim().to_string(),
            })
    }
}

/// `path` inside `value` as steps (table keys, array indices); `None`
/// when the value has no such path.
fn segs_of(mut value: &Value, path: &[&str]) -> Option<Vec<crate::merge::Seg>> {
    let mut out = Vec::with_capacity(path.len());
    for seg in path {
        value = match value {
            Value::Table(t) => {
                out.push(crate::merge::Seg::Key((*seg).into()));
                t.get(seg)?
            }
            Value::Array(a) => {
                let i = seg.parse::<usize>().ok()?;
                out.push(crate::merge::Seg::Index(i));
                a.get(i)?
            }
            _ => return None,
        };
    }
    Some(out)
}

impl Inventory {
    pub(crate) fn origin_of(
        &self,
        set: &DataSet,
        key_span: Option<strata_parser::Span>,
    ) -> Origin<'_> {
        Origin {
            layer: set.layer,
            group: set.group.map(|g| self.groups[g as usize].name.as_str()),
            source: self.files.get(set.file).name(),
            location: key_span.and_then(|s| self.files.location(s)),
            source_name: self.source_files.get(&set.file).map(|s| &**s),
        }
    }
}
