//! Validating every host's resolved data against the schemas that apply
//! to it: the data as [`crate::json`] writes it, hosts whose data comes
//! from the same definitions validated once, violations grouped by the
//! definition they come from.

use std::collections::HashMap;

use strata_parser::{Diagnostic, Value};

use super::wording::describe;
use super::{DefinedAt, Found, Group, MergedAt, Schemas};
use crate::data::Data;
use crate::inventory::Inventory;
use crate::layer::{DataSet, Layer};
use crate::merge::{MergedKey, Seg};

/// What one host's data breaks: each violation with its definition.
type Violations = std::sync::Arc<Vec<(Found, Option<DefinedAt>)>>;

/// Violations found on data made of given definitions, for given schemas.
type Memo = HashMap<(Vec<usize>, Vec<usize>), Violations>;

/// A host (by index) and what its data breaks.
type HostViolations = (u32, Violations);

impl Inventory {
    /// Reads and compiles the `schema/` folder of the inventory's root
    /// (nothing for an inventory built in code). The schema files join
    /// [`Inventory::files`], so diagnostics can label them.
    pub fn read_schemas(&mut self) -> (Schemas, Vec<Diagnostic>) {
        self.read_schemas_overlaid(&strata_parser::Overlay::default())
    }

    /// [`Inventory::read_schemas`], with the texts of `overlay` read instead
    /// of the files they stand for (an editor's unsaved buffers).
    pub fn read_schemas_overlaid(
        &mut self,
        overlay: &strata_parser::Overlay,
    ) -> (Schemas, Vec<Diagnostic>) {
        match self.root.clone() {
            Some(root) => Schemas::read_overlaid(&root, &mut self.files, overlay),
            None => (Schemas::new(), Vec::new()),
        }
    }

    /// Validates every host's resolved data against `schemas`: `all` for
    /// every host, a group's schema for that group's hosts. Returns one
    /// [`Code::Schema`](strata_parser::Code::Schema) error per distinct violation (a violation shared by
    /// many hosts from one definition is one diagnostic), and a
    /// [`Code::UnknownSchemaGroup`](strata_parser::Code::UnknownSchemaGroup) warning for a schema whose group does
    /// not exist.
    ///
    /// Each schema is compiled once; hosts whose data comes from the same
    /// definitions are validated once.
    pub fn validate(&self, schemas: &Schemas) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        // Schemas per group id; `all` applies to everyone.
        let mut for_group: HashMap<u32, Vec<usize>> = HashMap::new();
        let mut for_all = Vec::new();
        for (i, s) in schemas.items.iter().enumerate() {
            if s.group == "all" {
                for_all.push(i);
            } else if let Some(&g) = self.group_index.get(&s.group) {
                for_group.entry(g).or_default().push(i);
            } else if self.groups_complete {
                out.push(self.unknown_group(s));
            }
        }
        if for_all.is_empty() && for_group.is_empty() {
            return out;
        }

        // Hosts are validated in parallel, in contiguous runs; grouping then
        // goes through the results in host order.
        let found = |range: std::ops::Range<usize>| {
            self.violations_of(schemas, &for_all, &for_group, range)
        };
        let n = self.hosts.len();
        let threads = std::thread::available_parallelism()
            .map_or(1, |t| t.get())
            .min(8);
        let results: Vec<HostViolations> = if threads == 1 || n < 2048 {
            found(0..n)
        } else {
            let per = n.div_ceil(threads);
            std::thread::scope(|scope| {
                let handles: Vec<_> = (0..threads)
                    .map(|t| {
                        let range = (t * per).min(n)..((t + 1) * per).min(n);
                        scope.spawn(move || found(range))
                    })
                    .collect();
                handles
                    .into_iter()
                    .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                    .collect()
            })
        };
        let mut groups: Vec<Group> = Vec::new();
        let mut index: HashMap<(Found, Option<usize>), usize> = HashMap::new();
        for (host, list) in results {
            for (f, definition) in list.iter() {
                let id = (f.clone(), definition.as_ref().map(|d| d.set));
                let i = *index.entry(id).or_insert_with(|| {
                    groups.push(Group {
                        found: f.clone(),
                        definition: definition.clone(),
                        hosts: Vec::new(),
                    });
                    groups.len() - 1
                });
                groups[i].hosts.push(host);
            }
        }
        out.extend(groups.into_iter().map(|g| self.violation(schemas, g)));
        out
    }

    /// The violations of the hosts in `range` (by index), for the hosts
    /// that have any. Hosts whose data comes from the same definitions
    /// share one validation (and one list).
    fn violations_of(
        &self,
        schemas: &Schemas,
        for_all: &[usize],
        for_group: &HashMap<u32, Vec<usize>>,
        range: std::ops::Range<usize>,
    ) -> Vec<HostViolations> {
        let mut memo: Memo = HashMap::new();
        let mut out = Vec::new();
        for i in range {
            let host = self.host_by_id(i as u32);
            let mut applicable = for_all.to_vec();
            for &g in &self.host_groups[i] {
                if let Some(s) = for_group.get(&g) {
                    applicable.extend(s);
                }
            }
            if applicable.is_empty() {
                continue;
            }
            let data = host.data();
            let pairs: Vec<(&str, &Value)> = data.iter().collect();
            let fingerprint: Vec<usize> = pairs
                .iter()
                .map(|(_, v)| *v as *const Value as usize)
                .collect();
            let key = (fingerprint, applicable);
            let list = match memo.get(&key) {
                Some(list) => list.clone(),
                None => {
                    let instance = crate::json::data_to_value(&pairs);
                    let mut found = Vec::new();
                    // The provenance of each merged key with a violation,
                    // made once however many violations it has.
                    let mut provenance: HashMap<String, Option<std::sync::Arc<MergedKey>>> =
                        HashMap::new();
                    for &s in &key.1 {
                        // Most hosts pass: the quick yes/no first, the errors
                        // (with their paths and messages) only for those that fail.
                        let validator = &schemas.items[s].validator;
                        if validator.is_valid(&instance) {
                            continue;
                        }
                        for e in validator.iter_errors(&instance) {
                            for f in describe(s, &e) {
                                let definition = f.key.as_deref().and_then(|k| {
                                    let (set, entry) = data.sets_defining(k).next()?;
                                    if set.layer == Layer::Merged
                                        && let Some(m) = provenance
                                            .entry(k.to_string())
                                            .or_insert_with(|| data.merged(k))
                                        && let Some(at) = merged_definition(&data, m, k, &f.path)
                                    {
                                        return Some(at);
                                    }
                                    Some(DefinedAt {
                                        set: set as *const DataSet as usize,
                                        value: entry.value_span,
                                        merged: None,
                                    })
                                });
                                found.push((f, definition));
                            }
                        }
                    }
                    let list = std::sync::Arc::new(found);
                    // A host with layers of its own (a host file, inline
                    // data, a connector) rarely shares its data with
                    // another: remembering it would only cost memory.
                    if self.hosts[i].own.is_empty() {
                        memo.insert(key, list.clone());
                    }
                    list
                }
            };
            if !list.is_empty() {
                out.push((i as u32, list));
            }
        }
        out
    }
}

/// Where the offending value at `pointer` (a JSON pointer into the host's
/// data, starting at the merged `key`) comes from: the piece that gave it
/// when it comes whole from one contribution, else the merged value with
/// every contribution to it. `None` when the merge's provenance has no
/// such path (then the caller falls back to the merged set). `m`: the
/// key's provenance ([`Data::merged`]).
fn merged_definition(
    data: &Data<'_>,
    m: &MergedKey,
    key: &str,
    pointer: &str,
) -> Option<DefinedAt> {
    let inner: Vec<String> = pointer
        .trim_start_matches('/')
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    let inner: Vec<&str> = inner.iter().map(String::as_str).collect();
    let inv = data.inventory();
    let contributions = crate::merge::contributions(&inv.sets, data.chain(), key);
    let (piece, n) = m.piece_of(&inner)?;
    // Every contribution to the value at `inner`: the one that gave its
    // longest recorded prefix, and those of the pieces inside it.
    let mut sets: Vec<u32> = vec![piece.set];
    for s in m.sets_below(&inner) {
        if !sets.contains(&s) {
            sets.push(s);
        }
    }
    if sets.len() == 1 {
        // One piece: where it is written, followed down to the value.
        let mut from = piece.from.clone();
        let mut below = &inv.sets[piece.set as usize].table.get(key)?.value;
        for seg in &piece.from {
            below = match (seg, below) {
                (Seg::Key(k), strata_parser::Value::Table(t)) => t.get(k)?,
                (Seg::Index(i), strata_parser::Value::Array(a)) => a.get(*i)?,
                _ => return None,
            };
        }
        for w in &inner[n..] {
            below = match below {
                strata_parser::Value::Table(t) => {
                    from.push(Seg::Key((*w).into()));
                    t.get(w)?
                }
                strata_parser::Value::Array(a) => {
                    let i = w.parse::<usize>().ok()?;
                    from.push(Seg::Index(i));
                    a.get(i)?
                }
                _ => return None,
            };
        }
        let set = &inv.sets[piece.set as usize];
        let entry = set.table.get(key)?;
        let value =
            crate::merge::locate(&inv.files, set.file, entry, &from).unwrap_or(entry.value_span);
        return Some(DefinedAt {
            set: set as *const DataSet as usize,
            value,
            merged: Some(std::sync::Arc::new(MergedAt {
                rule: m.rule,
                located: !from.is_empty(),
                from: from.iter().map(Seg::as_string).collect(),
                contributions: Vec::new(),
            })),
        });
    }
    // The merged value itself: its contributions in precedence order, each
    // at the same path in its own value (tables merge key by key, so the
    // path is the same; an array element is always one piece).
    sets.sort_by_key(|s| contributions.iter().position(|c| c == s));
    let at: Vec<Seg> = inner.iter().map(|w| Seg::Key((*w).into())).collect();
    let spans: Vec<strata_parser::Span> = sets
        .iter()
        .filter_map(|&id| {
            let set = &inv.sets[id as usize];
            let entry = set.table.get(key)?;
            Some(crate::merge::locate(&inv.files, set.file, entry, &at).unwrap_or(entry.key_span))
        })
        .collect();
    let (&value, rest) = spans.split_first()?;
    let (top, _) = data.sets_defining(key).next()?;
    Some(DefinedAt {
        set: top as *const DataSet as usize,
        value,
        merged: Some(std::sync::Arc::new(MergedAt {
            rule: m.rule,
            located: !at.is_empty(),
            from: inner.iter().map(|s| s.to_string()).collect(),
            contributions: rest.to_vec(),
        })),
    })
}
