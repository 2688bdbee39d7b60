//! From a line of a file to what it does to the resolved inventory: the
//! definition written there ([`Inventory::written_at`]), every definition
//! of a key ([`Inventory::written`]), and on which hosts a definition wins
//! or is shadowed, and by what ([`Inventory::reach`]), in the words of
//! [`Data::explain`](crate::Data::explain). The language server's hover,
//! definition and references are made of these.

use strata_parser::Value;

use crate::data::{Definition, Origin};
use crate::explain::Reason;
use crate::inventory::{Host, Inventory, SetId};

/// One top-level definition of a key as written in one layer: a line of a
/// data file, or of an inline `data` table.
#[derive(Clone, Debug, PartialEq)]
pub struct Written<'a> {
    /// The key.
    pub key: &'a str,
    /// The value as written.
    pub value: &'a Value,
    /// Where it is written (the key's position) and its layer.
    pub origin: Origin<'a>,
    set: SetId,
}

/// A top-level key as the inventory's layers write it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyUse<'a> {
    /// The key.
    pub key: &'a str,
    /// The types it is written with (`integer`, `string`...), in the
    /// order first met.
    pub types: Vec<&'static str>,
    /// How many layers write it.
    pub layers: usize,
}

/// On which hosts a definition wins, and where it is shadowed, by what.
#[derive(Clone, Debug, PartialEq)]
pub struct Reach<'a> {
    /// Hosts whose value of the key is this definition, in inventory order.
    pub wins: Vec<Host<'a>>,
    /// Hosts where another definition wins: that definition, and the rule
    /// by which it beats this one ([`Reason`]'s words, as `strata explain`
    /// says them).
    pub shadowed: Vec<(Host<'a>, Definition<'a>, Reason<'a>)>,
    /// Hosts where the key's value is merged (`strata.toml`'s `[merge]`)
    /// from this definition and others.
    pub merged: Vec<Host<'a>>,
}

impl Inventory {
    /// The top-level definition whose key or value covers byte `offset` of
    /// the file `name` (relative to the root: `group_data/web.toml`, or
    /// `hosts.toml` for inline data), if any.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// std::fs::write(dir.path().join("hosts.toml"), "web = [\"w1\"]\n")?;
    /// std::fs::create_dir(dir.path().join("group_data"))?;
    /// std::fs::write(dir.path().join("group_data/web.toml"), "port = 80\nuser = \"x\"\n")?;
    /// let inv = strata_resolver::Inventory::load(dir.path())?;
    /// let written = inv.written_at("group_data/web.toml", 12).unwrap();
    /// assert_eq!((written.key, written.value.as_str()), ("user", Some("x")));
    /// # Ok(()) }
    /// ```
    pub fn written_at(&self, name: &str, offset: usize) -> Option<Written<'_>> {
        let file = self.files.find(name)?;
        self.sets.iter().enumerate().find_map(|(id, set)| {
            if set.file != file {
                return None;
            }
            set.table.iter().find_map(|(key, entry)| {
                let covers = |s: strata_parser::Span| s.range().contains(&offset);
                (covers(entry.key_span) || covers(entry.value_span)).then(|| Written {
                    key,
                    value: &entry.value,
                    origin: self.origin_of(set, Some(entry.key_span)),
                    set: id as SetId,
                })
            })
        })
    }

    /// Every top-level definition written in the file `name` (relative to
    /// the root: a data file, or `hosts.toml` for inline data), in the
    /// order of their position in the file.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// std::fs::write(dir.path().join("hosts.toml"), "web = [\"w1\"]\n")?;
    /// std::fs::create_dir(dir.path().join("group_data"))?;
    /// std::fs::write(dir.path().join("group_data/web.toml"), "port = 80\nuser = \"x\"\n")?;
    /// let inv = strata_resolver::Inventory::load(dir.path())?;
    /// let keys: Vec<&str> = inv.written_in("group_data/web.toml").iter().map(|w| w.key).collect();
    /// assert_eq!(keys, ["port", "user"]);
    /// # Ok(()) }
    /// ```
    pub fn written_in(&self, name: &str) -> Vec<Written<'_>> {
        let Some(file) = self.files.find(name) else {
            return Vec::new();
        };
        let mut out: Vec<(usize, Written<'_>)> = Vec::new();
        for (id, set) in self.sets.iter().enumerate() {
            if set.file != file {
                continue;
            }
            for (key, entry) in set.table.iter() {
                out.push((
                    entry.key_span.range().start,
                    Written {
                        key,
                        value: &entry.value,
                        origin: self.origin_of(set, Some(entry.key_span)),
                        set: id as SetId,
                    },
                ));
            }
        }
        out.sort_by_key(|(at, _)| *at);
        out.into_iter().map(|(_, w)| w).collect()
    }

    /// Every definition of `key` in the inventory's layers, highest layer
    /// first (`Layer`'s order), then by file and position.
    pub fn written(&self, key: &str) -> Vec<Written<'_>> {
        self.written_where(key, |_| true, usize::MAX).0
    }

    /// The first `limit` definitions of `key` (in [`Inventory::written`]'s
    /// order) whose value passes `keep`, and how many pass. Only those
    /// returned are located in their files: a file whose text was let go
    /// is read back for them alone, not for every definition.
    ///
    /// ```
    /// let inv = strata_resolver::Inventory::builder()
    ///     .group_with_data("a", ["h"], toml::toml! { port = 1 })
    ///     .group_with_data("b", ["h"], toml::toml! { port = "x" })
    ///     .group_with_data("c", ["h"], toml::toml! { port = "y" })
    ///     .build()
    ///     .unwrap();
    /// let (strings, count) = inv.written_where("port", |v| v.as_str().is_some(), 1);
    /// assert_eq!((strings.len(), count), (1, 2));
    /// ```
    pub fn written_where(
        &self,
        key: &str,
        keep: impl Fn(&Value) -> bool,
        limit: usize,
    ) -> (Vec<Written<'_>>, usize) {
        let mut found: Vec<(usize, &str, &strata_parser::Entry)> = self
            .sets
            .iter()
            .enumerate()
            .filter_map(|(id, set)| {
                let (key, entry) = set.table.iter().find(|(k, _)| *k == key)?;
                keep(&entry.value).then_some((id, key, entry))
            })
            .collect();
        // Layer, file, then position: a byte offset orders the places of
        // one file as their lines and columns do.
        found.sort_by_key(|&(id, _, entry)| {
            let set = &self.sets[id];
            (
                set.layer,
                self.files.get(set.file).name(),
                entry.key_span.range().start,
            )
        });
        let count = found.len();
        let out = found
            .into_iter()
            .take(limit)
            .map(|(id, key, entry)| Written {
                key,
                value: &entry.value,
                origin: self.origin_of(&self.sets[id], Some(entry.key_span)),
                set: id as SetId,
            })
            .collect();
        (out, count)
    }

    /// Every top-level key written in the inventory's layers, in name
    /// order, with its types and how many layers write it.
    ///
    /// ```
    /// let inv = strata_resolver::Inventory::builder()
    ///     .group_with_data("a", ["h"], toml::toml! { port = 1 })
    ///     .group_with_data("b", ["h"], toml::toml! { port = "x" })
    ///     .build()
    ///     .unwrap();
    /// let keys = inv.keys_written();
    /// assert_eq!((keys[0].key, keys[0].types.as_slice(), keys[0].layers), ("port", &["integer", "string"][..], 2));
    /// ```
    pub fn keys_written(&self) -> Vec<KeyUse<'_>> {
        let mut by_key: std::collections::BTreeMap<&str, KeyUse<'_>> = Default::default();
        for set in &self.sets {
            for (key, entry) in set.table.iter() {
                let seen = by_key.entry(key).or_insert_with(|| KeyUse {
                    key,
                    types: Vec::new(),
                    layers: 0,
                });
                seen.layers += 1;
                let ty = entry.value.type_str();
                if !seen.types.contains(&ty) {
                    seen.types.push(ty);
                }
            }
        }
        by_key.into_values().collect()
    }

    /// On which hosts `written` wins, is shadowed (and by what), or is
    /// merged with others, over the hosts whose data it is a layer of.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// std::fs::write(dir.path().join("hosts.toml"), "web = [\"w1\", \"w2\"]\n")?;
    /// std::fs::create_dir(dir.path().join("group_data"))?;
    /// std::fs::create_dir(dir.path().join("host_data"))?;
    /// std::fs::write(dir.path().join("group_data/web.toml"), "port = 80\n")?;
    /// std::fs::write(dir.path().join("host_data/w2.toml"), "port = 8080\n")?;
    /// let inv = strata_resolver::Inventory::load(dir.path())?;
    /// let reach = inv.reach(&inv.written_at("group_data/web.toml", 0).unwrap());
    /// assert_eq!(reach.wins.iter().map(|h| h.name()).collect::<Vec<_>>(), ["w1"]);
    /// let (host, winner, reason) = &reach.shadowed[0];
    /// assert_eq!((host.name(), winner.origin.to_string().as_str()), ("w2", "host_data/w2.toml:1:1 (host file)"));
    /// assert_eq!(reason.to_string(), "host file data (rank 2) beats group file data (rank 6)");
    /// # Ok(()) }
    /// ```
    pub fn reach<'a>(&'a self, written: &Written<'a>) -> Reach<'a> {
        let mut reach = Reach {
            wins: Vec::new(),
            shadowed: Vec::new(),
            merged: Vec::new(),
        };
        let is_this = |d: &Definition<'_>| {
            d.origin.source == written.origin.source && d.origin.location == written.origin.location
        };
        // A group's layers, and inline data written in its host list, are
        // layers of its hosts only: only those are looked at.
        let group = self.sets[written.set as usize]
            .group
            .and_then(|g| self.groups().nth(g as usize));
        let candidates: Box<dyn Iterator<Item = Host<'a>>> = match group {
            Some(g) => Box::new(g.hosts()),
            None => Box::new(self.hosts()),
        };
        for host in candidates {
            let data = host.data();
            if !data.chain().contains(&written.set) {
                continue;
            }
            let Some(e) = data.explain(written.key) else {
                continue;
            };
            if e.merged.is_some() {
                reach.merged.push(host);
            } else if is_this(&e.winner) {
                reach.wins.push(host);
            } else if let Some((_, reason)) = e.shadowed.into_iter().find(|(d, _)| is_this(d)) {
                reach.shadowed.push((host, e.winner, reason));
            }
        }
        reach
    }
}

#[cfg(test)]
mod tests {
    use crate::Inventory;

    #[test]
    fn written_in_hosts_toml_is_its_inline_data_in_file_order() {
        let dir = tempfile::tempdir().unwrap();
        let text =
            "[web]\nhosts = [{ name = \"w1\", data = { b = 1 } }]\ndata = { a = 2, c = 3 }\n";
        std::fs::write(dir.path().join("hosts.toml"), text).unwrap();
        let inv = Inventory::load(dir.path()).unwrap();
        let keys: Vec<&str> = inv.written_in("hosts.toml").iter().map(|w| w.key).collect();
        assert_eq!(keys, ["b", "a", "c"]);
        assert!(inv.written_in("group_data/none.toml").is_empty());
    }

    #[test]
    fn a_parent_groups_data_reaches_its_childrens_hosts() {
        let dir = tempfile::tempdir().unwrap();
        let text = "web = [\"w1\", \"w2\"]\ndb = [\"d1\"]\n[prod]\nchildren = [\"web\"]\nhosts = [{ name = \"p1\", data = { a = 3 } }]\ndata = { a = 1 }\n[all]\nhosts = [\"w1\", \"w2\", \"d1\", \"p1\"]\ndata = { a = 0 }\n";
        std::fs::write(dir.path().join("hosts.toml"), text).unwrap();
        std::fs::create_dir(dir.path().join("group_data")).unwrap();
        std::fs::write(dir.path().join("group_data/web.toml"), "b = 1\n").unwrap();
        let inv = Inventory::load(dir.path()).unwrap();
        let names = |hosts: &[crate::Host<'_>]| -> Vec<String> {
            hosts.iter().map(|h| h.name().to_string()).collect()
        };
        let written = inv.written("a");
        let by_value = |v: i64| {
            written
                .iter()
                .find(|w| w.value.as_integer() == Some(v))
                .unwrap()
        };
        // prod's data: its children's hosts and its own, but p1's entry wins there.
        let prod = inv.reach(by_value(1));
        assert_eq!(names(&prod.wins), ["w1", "w2"]);
        assert_eq!(prod.shadowed.len(), 1);
        assert_eq!(names(&inv.reach(by_value(3)).wins), ["p1"]);
        // all's data: every host, shadowed where prod reaches.
        let all = inv.reach(by_value(0));
        assert_eq!(names(&all.wins), ["d1"]);
        assert_eq!(all.shadowed.len(), 3);
    }
}
