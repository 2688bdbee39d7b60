//! What a change does to a resolved inventory: hosts added and removed,
//! group memberships, and every resolved value that changed, with where the
//! new value comes from. `strata diff` formats it.
//!
//! Identical changes are grouped across hosts: one [`Change`] per key, old
//! value, new value and origin, listing the hosts it applies to, so a
//! one-line edit of `group_data/all.toml` is one change for 4,000 hosts,
//! not 4,000 changes.
//!
//! ```
//! use strata_resolver::{Inventory, diff};
//!
//! let old = Inventory::builder()
//!     .group_with_data("web", ["w1", "w2"], toml::toml! { ntp = "ntp1" })
//!     .build()
//!     .unwrap();
//! let new = Inventory::builder()
//!     .group_with_data("web", ["w1", "w2", "w3"], toml::toml! { ntp = "ntp2" })
//!     .build()
//!     .unwrap();
//! let d = diff(&old, &new);
//! assert_eq!(d.hosts_added, ["w3"]);
//! assert_eq!(d.groups[0].added, ["w3"]);
//! assert_eq!(d.changes.len(), 1);
//! let change = &d.changes[0];
//! assert_eq!(change.key, "ntp");
//! assert_eq!(change.old.as_ref().unwrap().as_str(), Some("ntp1"));
//! assert_eq!(change.new.as_ref().unwrap().as_str(), Some("ntp2"));
//! assert_eq!(change.hosts, ["w1", "w2"]);
//! ```

use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use strata_parser::Value;

use crate::data::Origin;
use crate::inventory::Inventory;
use crate::layer::Layer;

/// The difference between two resolved inventories ([`diff`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InventoryDiff {
    /// Hosts only in the new inventory, in its order.
    pub hosts_added: Vec<String>,
    /// Hosts only in the old inventory, in its order.
    pub hosts_removed: Vec<String>,
    /// Groups whose members changed: the new inventory's groups in order,
    /// then groups that only the old one has.
    pub groups: Vec<GroupDiff>,
    /// Changed values of hosts present on both sides, grouped, ordered by
    /// key and then by the first host.
    pub changes: Vec<Change>,
}

impl InventoryDiff {
    /// True when the two inventories resolve to the same hosts, groups and data.
    pub fn is_empty(&self) -> bool {
        self.hosts_added.is_empty()
            && self.hosts_removed.is_empty()
            && self.groups.is_empty()
            && self.changes.is_empty()
    }

    /// Number of distinct hosts with at least one changed value.
    pub fn hosts_changed(&self) -> usize {
        let mut seen: HashSet<&str> = HashSet::new();
        for c in &self.changes {
            seen.extend(c.hosts.iter().map(String::as_str));
        }
        seen.len()
    }
}

impl InventoryDiff {
    /// Every changed piece of a merged value once, with every host it
    /// reaches: the pieces of [`InventoryDiff::changes`] that are the
    /// same edit (same key, contribution, old and new piece) joined, in
    /// the order of the changes. One line of `group_data/all.toml` that
    /// adds an element to a `unique` array is one entry, whichever merged
    /// values it changes.
    pub fn contributions(&self) -> Vec<ContributionChange> {
        let mut out: Vec<ContributionChange> = Vec::new();
        let mut index: HashMap<(&str, &ChangeOrigin, u64, u64), Vec<usize>> = HashMap::new();
        for c in &self.changes {
            for p in &c.pieces {
                let id = (
                    c.key.as_str(),
                    &p.origin,
                    hash(p.old.as_ref()),
                    hash(p.new.as_ref()),
                );
                let candidates = index.entry(id).or_default();
                let at = candidates.iter().copied().find(|&i| {
                    same_opt(out[i].old.as_ref(), p.old.as_ref())
                        && same_opt(out[i].new.as_ref(), p.new.as_ref())
                });
                let i = match at {
                    Some(i) => i,
                    None => {
                        candidates.push(out.len());
                        out.push(ContributionChange {
                            key: c.key.clone(),
                            path: p.path.clone(),
                            old: p.old.clone(),
                            new: p.new.clone(),
                            origin: p.origin.clone(),
                            hosts: Vec::new(),
                        });
                        out.len() - 1
                    }
                };
                out[i].hosts.extend(c.hosts.iter().cloned());
            }
        }
        out
    }

    /// Every key whose merge strategy changed, with the hosts whose value
    /// of it changes (in the order of the changes).
    pub fn strategies(&self) -> Vec<(&str, &StrategyChange, Vec<&str>)> {
        let mut out: Vec<(&str, &StrategyChange, Vec<&str>)> = Vec::new();
        for c in &self.changes {
            let Some(s) = &c.strategy else { continue };
            match out.iter_mut().find(|(k, _, _)| *k == c.key) {
                Some((_, _, hosts)) => hosts.extend(c.hosts.iter().map(String::as_str)),
                None => out.push((&c.key, s, c.hosts.iter().map(String::as_str).collect())),
            }
        }
        out
    }
}

/// One changed piece of merged values and every host it reaches
/// ([`InventoryDiff::contributions`]).
#[derive(Clone, Debug, PartialEq)]
pub struct ContributionChange {
    /// The top-level key.
    pub key: String,
    /// Where in the key's value, in the first change that has it
    /// (`packages[3]`; the index can differ between merged values).
    pub path: String,
    /// The old piece; `None` when it appears.
    pub old: Option<Value>,
    /// The new piece; `None` when it is gone.
    pub new: Option<Value>,
    /// The contribution: where the piece is written.
    pub origin: ChangeOrigin,
    /// Every host whose merged value it changes.
    pub hosts: Vec<String>,
}

/// A group whose members changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupDiff {
    /// The group's name.
    pub name: String,
    /// Hosts that are members now and were not before (new order).
    pub added: Vec<String>,
    /// Hosts that were members and are not any more (old order).
    pub removed: Vec<String>,
}

/// One change of one key's resolved value, shared by one or more hosts.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    /// The top-level key.
    pub key: String,
    /// The old value; `None` when the key appears.
    pub old: Option<Value>,
    /// The new value; `None` when the key disappears.
    pub new: Option<Value>,
    /// Where the new value is defined (the old one when the key disappears).
    pub origin: ChangeOrigin,
    /// The hosts it applies to, in the new inventory's order.
    pub hosts: Vec<String>,
    /// For a value `strata.toml` merges (on either side): each piece that
    /// differs, with the contribution it comes from; empty otherwise.
    pub pieces: Vec<PieceChange>,
    /// When `strata.toml` merges the key differently on the two sides.
    pub strategy: Option<StrategyChange>,
}

/// One piece of a merged value that differs: an element of a `unique`
/// array, a key of a `hash` or `deep` table (a nested key for `deep`),
/// added, removed or changed.
#[derive(Clone, Debug, PartialEq)]
pub struct PieceChange {
    /// Where in the key's value: `sysctl."vm.swappiness"`, `packages[2]`
    /// (the index in the new value, or the old one for a removed piece).
    pub path: String,
    /// The old piece; `None` when it appears.
    pub old: Option<Value>,
    /// The new piece; `None` when it is gone.
    pub new: Option<Value>,
    /// The contribution it comes from: the new piece's, or the old one's
    /// when it is gone.
    pub origin: ChangeOrigin,
}

/// A key `strata.toml`'s `[merge]` merges differently on the two sides.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StrategyChange {
    /// The old strategy: `first` without a rule, `unique`, or `first,
    /// limits: hash` with a rule on a nested path.
    pub old: String,
    /// The new strategy, written alike.
    pub new: String,
    /// Where the rule is written (the new rule's, or the old one's when
    /// the new side has none): `strata.toml:2:12`.
    pub at: Option<String>,
}

/// Where a changed value is defined, by path relative to its inventory's
/// root (`group_data/web.toml`), so both sides of a diff read alike.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ChangeOrigin {
    /// The file relative to the inventory root, or a virtual source such
    /// as `<command line>`.
    pub file: String,
    /// 1-based line, when the value comes from a file.
    pub line: Option<u32>,
    /// 1-based column, when the value comes from a file.
    pub column: Option<u32>,
    /// The layer.
    pub layer: Layer,
    /// The group, for group layers and inline host data written in a group.
    pub group: Option<String>,
}

impl ChangeOrigin {
    fn of(o: &Origin<'_>) -> ChangeOrigin {
        ChangeOrigin {
            file: o
                .location
                .as_ref()
                .map_or_else(|| o.source.to_string(), |l| l.inventory_path.clone()),
            line: o.location.as_ref().map(|l| l.line),
            column: o.location.as_ref().map(|l| l.column),
            layer: o.layer,
            group: o.group.map(str::to_string),
        }
    }
}

impl std::fmt::Display for ChangeOrigin {
    /// `group_data/web.toml:3:1 (group web)`, as [`Origin`] shows itself.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.file)?;
        if let (Some(l), Some(c)) = (self.line, self.column) {
            write!(f, ":{l}:{c}")?;
        }
        match (self.layer, &self.group) {
            (Layer::GroupFile | Layer::GroupInline, Some(g)) => write!(f, " (group {g})"),
            (Layer::HostInline, Some(g)) => write!(f, " (host inline, in group {g})"),
            (Layer::HostInline, None) => write!(f, " (host inline, in all)"),
            (layer, _) => write!(f, " ({layer})"),
        }
    }
}

/// Compares two resolved inventories: what going from `old` to `new` does.
///
/// Hosts are matched by name. Values are compared as resolved (the winner
/// of the waterfall), whichever layer defines them: moving a value from a
/// host file to a group file without changing it is no change. A host that
/// is added or removed is listed as such; its values are not listed as
/// changes.
///
/// Cost: one pass over both inventories' hosts and keys. Hosts that share
/// their definitions (every host of a group without its own data) share the
/// comparison, which is done once per distinct pair of definitions.
pub fn diff(old: &Inventory, new: &Inventory) -> InventoryDiff {
    let mut out = InventoryDiff {
        hosts_added: new
            .hosts()
            .filter(|h| old.host(h.name()).is_none())
            .map(|h| h.name().to_string())
            .collect(),
        hosts_removed: old
            .hosts()
            .filter(|h| new.host(h.name()).is_none())
            .map(|h| h.name().to_string())
            .collect(),
        groups: group_changes(old, new),
        changes: Vec::new(),
    };

    // (old value, new value) by address -> the change it belongs to, if any.
    // The address of a definition's value identifies the definition, hence
    // the key and the origin; None is address 0.
    let mut memo: HashMap<(usize, usize), Option<usize>> = HashMap::new();
    // (key, hash of old, hash of new, origin) -> candidate changes.
    let mut groups: HashMap<(String, u64, u64, ChangeOrigin), Vec<usize>> = HashMap::new();
    let mut first_host: Vec<usize> = Vec::new();
    let addr = |v: Option<&Value>| v.map_or(0, |v| v as *const Value as usize);

    for nh in new.hosts() {
        let Some(oh) = old.host(nh.name()) else {
            continue;
        };
        let (od, nd) = (oh.data(), nh.data());
        let (mut ol, mut nl) = (od.iter().peekable(), nd.iter().peekable());
        loop {
            let (key, o, n) = match (ol.peek(), nl.peek()) {
                (None, None) => break,
                (Some(&(ok, ov)), Some(&(nk, nv))) if ok == nk => {
                    ol.next();
                    nl.next();
                    (ok, Some(ov), Some(nv))
                }
                (Some(&(ok, ov)), Some(&(nk, _))) if ok < nk => {
                    ol.next();
                    (ok, Some(ov), None)
                }
                (Some(&(ok, ov)), None) => {
                    ol.next();
                    (ok, Some(ov), None)
                }
                (_, Some(&(nk, nv))) => {
                    nl.next();
                    (nk, None, Some(nv))
                }
            };
            let slot = *memo.entry((addr(o), addr(n))).or_insert_with(|| {
                if let (Some(a), Some(b)) = (o, n)
                    && same(a, b)
                {
                    return None;
                }
                let origin = match n {
                    Some(_) => nd.origin(key),
                    None => od.origin(key),
                }
                .map(|o| ChangeOrigin::of(&o))
                .expect("a key with a value has an origin");
                let merged = (od.merged(key), nd.merged(key));
                let pieces = if merged.0.is_some() || merged.1.is_some() {
                    pieces(
                        (&od, merged.0.as_deref()),
                        (&nd, merged.1.as_deref()),
                        key,
                        o,
                        n,
                    )
                } else {
                    Vec::new()
                };
                let strategy = strategy_change(old, new, key);
                let id = (key.to_string(), hash(o), hash(n), origin);
                let candidates = groups.entry(id.clone()).or_default();
                if let Some(&i) = candidates.iter().find(|&&i| {
                    let c = &out.changes[i];
                    same_opt(c.old.as_ref(), o) && same_opt(c.new.as_ref(), n) && c.pieces == pieces
                }) {
                    return Some(i);
                }
                candidates.push(out.changes.len());
                first_host.push(nh.index());
                out.changes.push(Change {
                    key: id.0,
                    old: o.cloned(),
                    new: n.cloned(),
                    origin: id.3,
                    hosts: Vec::new(),
                    pieces,
                    strategy,
                });
                Some(out.changes.len() - 1)
            });
            if let Some(i) = slot {
                out.changes[i].hosts.push(nh.name().to_string());
            }
        }
    }
    let mut order: Vec<usize> = (0..out.changes.len()).collect();
    order.sort_by(|&a, &b| {
        (out.changes[a].key.as_str(), first_host[a])
            .cmp(&(out.changes[b].key.as_str(), first_host[b]))
    });
    let mut changes: Vec<Option<Change>> = out.changes.into_iter().map(Some).collect();
    out.changes = order
        .into_iter()
        .filter_map(|i| changes[i].take())
        .collect();
    out
}

/// The most pieces one change lists: a merged value rewritten whole says
/// so in its old and new values already.
pub const MAX_PIECES: usize = 100;

/// The pieces that differ between the old and new values of a key merged
/// on either side, each with the contribution it comes from: tables key
/// by key, arrays of one length element by element, arrays of different
/// lengths (a `unique` union that gained or lost an element) as the
/// elements one has and the other lacks. Linear in the values (elements
/// matched by hash); at most [`MAX_PIECES`].
/// A side: its data, and the provenance of the key when it is merged
/// there (made once for every piece).
type Side<'s, 'a> = (&'s crate::Data<'a>, Option<&'s crate::merge::MergedKey>);

fn pieces(
    old: Side<'_, '_>,
    new: Side<'_, '_>,
    key: &str,
    o: Option<&Value>,
    n: Option<&Value>,
) -> Vec<PieceChange> {
    let mut found = Vec::new();
    differ(o, n, &mut Vec::new(), &mut found);
    found
        .into_iter()
        .map(|(path, o, n)| {
            let steps: Vec<String> = path.iter().map(crate::merge::Seg::as_string).collect();
            let steps: Vec<&str> = steps.iter().map(String::as_str).collect();
            let (data, merged) = if n.is_some() { new } else { old };
            let origin = match merged {
                Some(m) => data.origin_in_merged(m, key, &steps),
                None => {
                    let mut full: Vec<&str> = vec![key];
                    full.extend(&steps);
                    data.origin_of_path(&full)
                }
            }
            .or_else(|| data.origin(key))
            .map(|o| ChangeOrigin::of(&o))
            .expect("a key with a value has an origin");
            PieceChange {
                path: crate::merge::shown_path(key, &path),
                old: o.cloned(),
                new: n.cloned(),
                origin,
            }
        })
        .collect()
}

type Differing<'v> = (Vec<crate::merge::Seg>, Option<&'v Value>, Option<&'v Value>);

fn differ<'v>(
    o: Option<&'v Value>,
    n: Option<&'v Value>,
    path: &mut Vec<crate::merge::Seg>,
    out: &mut Vec<Differing<'v>>,
) {
    use crate::merge::Seg;
    if out.len() >= MAX_PIECES {
        return;
    }
    match (o, n) {
        (Some(Value::Table(a)), Some(Value::Table(b))) => {
            for (k, nv) in b.iter() {
                let ov = a.get(k);
                if ov.is_some_and(|ov| same(ov, nv)) {
                    continue;
                }
                path.push(Seg::Key(k.into()));
                differ(ov, Some(nv), path, out);
                path.pop();
            }
            for (k, ov) in a.iter().filter(|(k, _)| b.get(k).is_none()) {
                path.push(Seg::Key(k.into()));
                differ(Some(ov), None, path, out);
                path.pop();
            }
        }
        (Some(Value::Array(a)), Some(Value::Array(b))) if a.len() == b.len() => {
            for (i, (ov, nv)) in a.iter().zip(b.iter()).enumerate() {
                if !same(ov, nv) {
                    path.push(Seg::Index(i));
                    differ(Some(ov), Some(nv), path, out);
                    path.pop();
                }
            }
        }
        (Some(Value::Array(a)), Some(Value::Array(b))) => {
            // Each element of one side matched with an equal one of the
            // other, at most once: what is left was added or removed.
            let mut left: HashMap<u64, Vec<usize>> = HashMap::new();
            for (i, ov) in a.iter().enumerate() {
                left.entry(hash(Some(ov))).or_default().push(i);
            }
            let mut matched = vec![false; a.len()];
            let mut added = Vec::new();
            for (j, nv) in b.iter().enumerate() {
                let bucket = left.entry(hash(Some(nv))).or_default();
                match bucket.iter().position(|&i| same(&a[i], nv)) {
                    Some(p) => matched[bucket.swap_remove(p)] = true,
                    None => added.push(j),
                }
            }
            for (i, ov) in a.iter().enumerate().filter(|(i, _)| !matched[*i]) {
                if out.len() >= MAX_PIECES {
                    return;
                }
                out.push((pushed(path, Seg::Index(i)), Some(ov), None));
            }
            for j in added {
                if out.len() >= MAX_PIECES {
                    return;
                }
                out.push((pushed(path, Seg::Index(j)), None, Some(&b[j])));
            }
        }
        (o, n) => out.push((path.clone(), o, n)),
    }
}

fn pushed(path: &[crate::merge::Seg], seg: crate::merge::Seg) -> Vec<crate::merge::Seg> {
    let mut p = path.to_vec();
    p.push(seg);
    p
}

/// How `key` merges on each side, when that differs.
fn strategy_change(old: &Inventory, new: &Inventory, key: &str) -> Option<StrategyChange> {
    let (o, oat) = crate::merge::strategy_text(old.merging.as_deref(), key);
    let (n, nat) = crate::merge::strategy_text(new.merging.as_deref(), key);
    if o == n {
        return None;
    }
    let at = match (nat, oat) {
        (Some(s), _) => new.files.location(s),
        (None, Some(s)) => old.files.location(s),
        (None, None) => None,
    }
    .map(|l| format!("{}:{}:{}", l.inventory_path, l.line, l.column));
    Some(StrategyChange { old: o, new: n, at })
}

fn group_changes(old: &Inventory, new: &Inventory) -> Vec<crate::diff::GroupDiff> {
    let mut out = Vec::new();
    for ng in new.groups() {
        let members = |g: Option<crate::inventory::Group<'_>>| -> HashSet<String> {
            g.into_iter()
                .flat_map(|g| g.hosts().map(|h| h.name().to_string()))
                .collect()
        };
        let og = old.group(ng.name());
        let before = members(og);
        let now: HashSet<&str> = ng.hosts().map(|h| h.name()).collect();
        let added: Vec<String> = ng
            .hosts()
            .filter(|h| !before.contains(h.name()))
            .map(|h| h.name().to_string())
            .collect();
        let removed: Vec<String> = og
            .into_iter()
            .flat_map(|g| g.hosts())
            .filter(|h| !now.contains(h.name()))
            .map(|h| h.name().to_string())
            .collect();
        if !added.is_empty() || !removed.is_empty() {
            out.push(GroupDiff {
                name: ng.name().to_string(),
                added,
                removed,
            });
        }
    }
    for og in old.groups().filter(|g| new.group(g.name()).is_none()) {
        if og.hosts().len() > 0 {
            out.push(GroupDiff {
                name: og.name().to_string(),
                added: Vec::new(),
                removed: og.hosts().map(|h| h.name().to_string()).collect(),
            });
        }
    }
    out
}

fn same_opt(a: Option<&Value>, b: Option<&Value>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => same(a, b),
        (None, None) => true,
        _ => false,
    }
}

/// Equality as a reviewer sees it: tables compare whatever their key
/// order, and a NaN equals a NaN (the same text in both files is no change).
fn same(a: &Value, b: &Value) -> bool {
    use Value as V;
    match (a, b) {
        (V::Float(x), V::Float(y)) => x.to_bits() == y.to_bits() || x == y,
        (V::Array(x), V::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (V::Table(x), V::Table(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        (a, b) => a == b,
    }
}

fn hash(v: Option<&Value>) -> u64 {
    let mut h = DefaultHasher::new();
    if let Some(v) = v {
        hash_value(v, &mut h);
    }
    h.finish()
}

/// A hash consistent with [`same`]: table keys in sorted order, floats by
/// their bits (0.0 and -0.0, equal, hash alike).
fn hash_value(v: &Value, h: &mut DefaultHasher) {
    use Value as V;
    std::mem::discriminant(v).hash(h);
    match v {
        V::String(s) => s.hash(h),
        V::Integer(i) => i.hash(h),
        V::Float(f) => (if *f == 0.0 { 0.0f64 } else { *f }).to_bits().hash(h),
        V::Boolean(b) => b.hash(h),
        V::Datetime(d) => d.to_string().hash(h),
        V::Array(a) => {
            a.len().hash(h);
            for x in a {
                hash_value(x, h);
            }
        }
        V::Table(t) => {
            let mut pairs: Vec<(&str, &Value)> = t.iter().collect();
            pairs.sort_unstable_by_key(|(k, _)| *k);
            pairs.len().hash(h);
            for (k, v) in pairs {
                k.hash(h);
                hash_value(v, h);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Inventory;

    fn inv(groups: &[(&str, &[&str], toml::Table)]) -> Inventory {
        let mut b = Inventory::builder();
        for (name, hosts, data) in groups {
            b = b.group_with_data(*name, hosts.iter().copied(), data.clone());
        }
        b.build().unwrap()
    }

    #[test]
    fn nothing_changes() {
        let a = inv(&[("web", &["w1"], toml::toml! { x = 1 })]);
        let b = inv(&[("web", &["w1"], toml::toml! { x = 1 })]);
        assert!(diff(&a, &b).is_empty());
    }

    #[test]
    fn keys_appear_disappear_and_change_grouped() {
        let old = inv(&[
            (
                "web",
                &["w1", "w2", "w3"],
                toml::toml! { ntp = "a" gone = 1 nan = nan },
            ),
            ("db", &["d1"], toml::toml! { ntp = "a" }),
        ]);
        let new = inv(&[
            (
                "web",
                &["w1", "w2", "w3"],
                toml::toml! { ntp = "b" fresh = [1, 2] nan = nan },
            ),
            ("db", &["d1"], toml::toml! { ntp = "b" }),
        ]);
        let d = diff(&old, &new);
        let got: Vec<(&str, Option<String>, Option<String>, usize)> = d
            .changes
            .iter()
            .map(|c| {
                (
                    c.key.as_str(),
                    c.old.as_ref().map(|v| v.to_string()),
                    c.new.as_ref().map(|v| v.to_string()),
                    c.hosts.len(),
                )
            })
            .collect();
        let s = |x: &str| Some(x.to_string());
        assert_eq!(
            got,
            [
                ("fresh", None, s("[1, 2]"), 3),
                ("gone", s("1"), None, 3),
                // Same key, values and... different origins: two changes.
                ("ntp", s("\"a\""), s("\"b\""), 3),
                ("ntp", s("\"a\""), s("\"b\""), 1),
            ]
        );
        assert_eq!(d.changes[3].origin.group.as_deref(), Some("db"));
        assert_eq!(d.hosts_changed(), 4);
    }

    #[test]
    fn memberships() {
        let old = inv(&[
            ("web", &["w1", "w2"], toml::Table::new()),
            ("old", &["w1"], toml::Table::new()),
        ]);
        let new = inv(&[
            ("web", &["w2", "w3"], toml::Table::new()),
            ("fresh", &["w1"], toml::Table::new()),
        ]);
        let d = diff(&old, &new);
        assert_eq!(d.hosts_added, ["w3"]);
        assert!(d.hosts_removed.is_empty());
        let groups: Vec<(&str, Vec<String>, Vec<String>)> = d
            .groups
            .iter()
            .map(|g| (g.name.as_str(), g.added.clone(), g.removed.clone()))
            .collect();
        let v = |x: &[&str]| x.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            groups,
            [
                ("web", v(&["w3"]), v(&["w1"])),
                ("fresh", v(&["w1"]), v(&[])),
                ("old", v(&[]), v(&["w1"])),
            ]
        );
    }

    #[test]
    fn merged_values_say_which_contribution_changed() {
        let side = |global: toml::Table, strategy: &str| {
            Inventory::builder()
                .group_with_data("web", ["w1", "w2"], toml::toml! { pkgs = ["nginx"] })
                .group_with_data("db", ["d1"], toml::toml! { pkgs = ["pg"] })
                .global_data(global)
                .merge("pkgs", strategy)
                .build()
                .unwrap()
        };
        let old = side(toml::toml! { pkgs = ["htop", "tmux"] }, "unique");
        let new = side(toml::toml! { pkgs = ["htop", "git"] }, "unique");
        let d = diff(&old, &new);
        // Two merged values change (web's and db's), by one edit of the
        // global layer: the same element replaced in each.
        assert_eq!(d.changes.len(), 2);
        for c in &d.changes {
            let got: Vec<(&str, Option<String>, Option<String>, Layer)> = c
                .pieces
                .iter()
                .map(|p| {
                    (
                        p.path.as_str(),
                        p.old.as_ref().map(|v| v.to_string()),
                        p.new.as_ref().map(|v| v.to_string()),
                        p.origin.layer,
                    )
                })
                .collect();
            let s = |x: &str| Some(x.to_string());
            assert_eq!(
                got,
                [("pkgs[2]", s("\"tmux\""), s("\"git\""), Layer::GlobalInline)]
            );
            assert!(c.strategy.is_none());
        }
        let joined = d.contributions();
        assert_eq!(joined.len(), 1);
        assert_eq!(joined[0].hosts, ["w1", "w2", "d1"]);

        // An element gone: where it was.
        let shorter = side(toml::toml! { pkgs = ["htop"] }, "unique");
        let d = diff(&old, &shorter);
        let p = &d.changes[0].pieces;
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].path, "pkgs[2]");
        assert_eq!(p[0].old.as_ref().and_then(|v| v.as_str()), Some("tmux"));
        assert!(p[0].new.is_none());
        assert_eq!(p[0].origin.layer, Layer::GlobalInline);

        // A strategy that changes: the hosts whose value changes.
        let first = side(toml::toml! { pkgs = ["htop"] }, "first");
        let unique = side(toml::toml! { pkgs = ["htop"] }, "unique");
        let d = diff(&first, &unique);
        let strategies = d.strategies();
        assert_eq!(strategies.len(), 1);
        assert_eq!(
            (strategies[0].1.old.as_str(), strategies[0].1.new.as_str()),
            ("first", "unique")
        );
        assert_eq!(strategies[0].2, ["w1", "w2", "d1"]);
        assert!(d.changes.iter().all(|c| c.pieces.len() == 1));
    }

    #[test]
    fn pieces_are_bounded() {
        let side = |v: i64| {
            let mut t = toml::Table::new();
            for i in 0..1000 {
                t.insert(format!("k{i}"), toml::Value::Integer(v));
            }
            let mut g = toml::Table::new();
            g.insert("big".into(), toml::Value::Table(t));
            Inventory::builder()
                .group_with_data("web", ["w1"], toml::toml! { big = { x = 1 } })
                .global_data(g)
                .merge("big", "hash")
                .build()
                .unwrap()
        };
        let d = diff(&side(1), &side(2));
        assert_eq!(d.changes.len(), 1);
        assert_eq!(d.changes[0].pieces.len(), MAX_PIECES);
    }

    #[test]
    fn equality_and_hash_agree() {
        let t: toml::Table = "a = { x = 1, y = 2 }\nb = { y = 2, x = 1 }\nz = 0.0\nm = -0.0\n"
            .parse()
            .unwrap();
        let t: std::collections::HashMap<String, Value> =
            t.into_iter().map(|(k, v)| (k, v.into())).collect();
        assert!(same(&t["a"], &t["b"]));
        assert_eq!(hash(Some(&t["a"])), hash(Some(&t["b"])));
        assert!(same(&t["z"], &t["m"]));
        assert_eq!(hash(Some(&t["z"])), hash(Some(&t["m"])));
    }
}
