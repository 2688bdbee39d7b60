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
                let id = (key.to_string(), hash(o), hash(n), origin);
                let candidates = groups.entry(id.clone()).or_default();
                if let Some(&i) = candidates.iter().find(|&&i| {
                    let c = &out.changes[i];
                    same_opt(c.old.as_ref(), o) && same_opt(c.new.as_ref(), n)
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
