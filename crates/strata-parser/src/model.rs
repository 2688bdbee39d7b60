//! The raw model: what the files say, with spans, before any semantics.

use std::sync::Arc;

use crate::value::Value;
use strata_diagnostics::{FileId, Span};

/// One top-level key of a data table and its value.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The value.
    pub value: Value,
    /// Where the key is written.
    pub key_span: Span,
    /// Where the value is written.
    pub value_span: Span,
}

/// A table of data (a data file, a group's `data`, a host's inline `data`):
/// its top-level keys in the order the source writes them.
///
/// Stored as one shared slice: data tables are small and there is one per
/// host file, so a hash map's overhead would dominate the memory of a large
/// inventory (lookups are linear); and a copy of a table is a count, not a
/// copy of its entries, so that a process keeping parsed files for reuse
/// ([`ParseMemo`](crate::ParseMemo)) holds them once. A table is written
/// whole when it is made; [`DataTable::insert`] copies it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DataTable {
    entries: std::sync::Arc<[(Key, Entry)]>,
}

/// A key's name, shared by every table that has it (the same few names
/// recur in every host file): one pointer a entry, not a pointer and a
/// length (half a million entries at 100,000 hosts).
#[derive(Clone, Debug)]
pub(crate) struct Key(Arc<Box<str>>);

impl Key {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Key {
    fn from(s: &str) -> Key {
        Key(Arc::new(s.into()))
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.as_str() == other.as_str()
    }
}

impl Eq for Key {}

impl std::hash::Hash for Key {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl std::borrow::Borrow<str> for Key {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl DataTable {
    /// A table of plain values that come from no file position (the command
    /// line, code): every key and value is placed at `span`.
    pub fn from_table(table: toml::Table, span: Span) -> DataTable {
        table
            .into_iter()
            .map(|(k, value)| {
                let entry = Entry {
                    value: value.into(),
                    key_span: span,
                    value_span: span,
                };
                (k, entry)
            })
            .collect()
    }

    /// The entry for `key`.
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries
            .iter()
            .find(|(k, _)| k.as_str() == key)
            .map(|(_, e)| e)
    }

    /// Sets `key`, replacing an earlier entry for it. The table is copied:
    /// for a table of one or a few keys (build larger ones whole).
    pub fn insert(&mut self, key: &str, entry: Entry) {
        let mut entries = self.entries.to_vec();
        match entries.iter_mut().find(|(k, _)| k.as_str() == key) {
            Some((_, e)) => *e = entry,
            None => entries.push((key.into(), entry)),
        }
        self.entries = entries.into();
    }

    /// A table of `entries`, whose keys are distinct (a TOML table's are):
    /// no search, so that a table of many keys costs what they do.
    pub(crate) fn from_distinct(entries: Vec<(Key, Entry)>) -> DataTable {
        DataTable {
            entries: entries.into(),
        }
    }

    /// A table of `entries` in order, where a repeated key replaces the
    /// earlier entry in its place (JSON allows repeats), in time linear in
    /// the entries.
    pub(crate) fn from_entries(entries: impl IntoIterator<Item = (Key, Entry)>) -> DataTable {
        let mut out: Vec<(Key, Entry)> = Vec::new();
        let mut at: std::collections::HashMap<Key, usize> = std::collections::HashMap::new();
        for (key, entry) in entries {
            match at.get(&key) {
                Some(&i) => out[i].1 = entry,
                None => {
                    at.insert(key.clone(), out.len());
                    out.push((key, entry));
                }
            }
        }
        DataTable {
            entries: out.into(),
        }
    }

    /// Keys and entries in source order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &Entry)> {
        self.entries.iter().map(|(k, e)| (k.as_str(), e))
    }

    /// Keys in source order.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.as_str())
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there is no key.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl FromIterator<(String, Entry)> for DataTable {
    fn from_iter<I: IntoIterator<Item = (String, Entry)>>(iter: I) -> DataTable {
        DataTable::from_entries(iter.into_iter().map(|(k, e)| (Key::from(&*k), e)))
    }
}

/// How a group is written in `hosts.toml`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupShape {
    /// `web = ["w1", "w2"]`
    Array,
    /// `[web]` with `hosts` and `data`.
    Table,
}

/// A host entry as written: a name (possibly holding a range or a connector)
/// and optional inline data.
#[derive(Clone, Debug, PartialEq)]
pub struct RawHost {
    /// The name as written, before range expansion; most host names are
    /// short enough to be kept inline (no allocation for each of 250,000
    /// entries at 100,000 hosts).
    pub name: crate::value::Text,
    /// Where the name is written.
    pub span: Span,
    /// The entry's inline `data`, for `{ name, data }` entries (boxed: a
    /// hosts.toml of 250,000 entries rarely has any).
    pub data: Option<Box<DataTable>>,
}

/// A group as written in `hosts.toml` (including `all`).
#[derive(Clone, Debug, PartialEq)]
pub struct RawGroup {
    /// The group's name (the top-level key).
    pub name: String,
    /// Where the name is written.
    pub name_span: Span,
    /// Array or table.
    pub shape: GroupShape,
    /// Host entries in order.
    pub hosts: Vec<RawHost>,
    /// False for a table group without a `hosts` key (`[all]` with only
    /// `data` gives global data without fixing the host list).
    pub has_hosts: bool,
    /// The group's inline `data`, for table groups that have one.
    pub data: Option<DataTable>,
    /// The group's `children` (table groups): each child group's name and
    /// where it is written, in order. What a name means (a group of the
    /// inventory, no cycle) is the resolver's to decide.
    pub children: Vec<(String, Span)>,
    /// The group, or one of its entries, has an error (reported): checks
    /// that follow from its content (an empty group, say) are skipped, so
    /// one mistake gives one diagnostic.
    pub broken: bool,
    /// Names of host entries that were dropped for an error (a
    /// `{ name = "w1", port = 1 }`): their data files are not reported as
    /// naming no host.
    pub broken_hosts: Vec<String>,
    /// The group's hosts could not be read at all (the group, or its
    /// `hosts`, is not an array): any host may be one of them.
    pub hosts_unread: bool,
}

/// The parsed `hosts.toml`.
#[derive(Clone, Debug, PartialEq)]
pub struct HostsFile {
    /// Which file.
    pub file: FileId,
    /// Groups in file order.
    pub groups: Vec<RawGroup>,
}

/// A data file: `group_data/<group>.toml` or `host_data/<host>.toml`.
#[derive(Clone, Debug, PartialEq)]
pub struct DataFile {
    /// The group or host it names (the path below the data directory
    /// without `.toml`); most host names are short enough to be kept inline.
    pub name: crate::value::Text,
    /// Which file.
    pub file: FileId,
    /// Its top-level keys. Empty when the file could not be parsed.
    pub data: DataTable,
    /// False when the file could not be read or parsed (a diagnostic says why).
    pub ok: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: i64) -> Entry {
        let span = Span::file_start(FileId::from_index(0));
        Entry {
            value: Value::Integer(n),
            key_span: span,
            value_span: span,
        }
    }

    #[test]
    fn a_repeated_key_keeps_its_first_place_and_its_last_value() {
        type Keys<'a> = &'a [(&'a str, i64)];
        let cases: &[(Keys, Keys)] = &[
            (&[], &[]),
            (&[("a", 1)], &[("a", 1)]),
            (&[("a", 1), ("b", 2), ("a", 3)], &[("a", 3), ("b", 2)]),
            (
                &[("b", 1), ("a", 2), ("b", 3), ("b", 4)],
                &[("b", 4), ("a", 2)],
            ),
        ];
        for (given, want) in cases {
            let from =
                DataTable::from_entries(given.iter().map(|&(k, n)| (Key::from(k), entry(n))));
            let mut by_insert = DataTable::default();
            for &(k, n) in *given {
                by_insert.insert(k, entry(n));
            }
            for table in [from, by_insert] {
                let got: Vec<(&str, i64)> = table
                    .iter()
                    .map(|(k, e)| (k, e.value.as_integer().unwrap()))
                    .collect();
                assert_eq!(&got, want, "{given:?}");
            }
        }
    }

    #[test]
    fn shared_keys_are_one_pointer() {
        assert_eq!(std::mem::size_of::<Key>(), 8);
        assert_eq!(std::mem::size_of::<(Key, Entry)>(), 56);
    }
}
