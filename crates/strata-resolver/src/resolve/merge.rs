//! 7. Merge strategies: `strata.toml`'s `[merge]` applied to every host.
//!
//! Runs on the built inventory, after the override and defaults are
//! placed, and only when `[merge]` names something: an inventory without
//! it does no work here. Each top-level key's strategy is decided once
//! (ambiguous globs reported there); each merged key of a host is merged
//! once per distinct list of layers defining it (without the override),
//! which most hosts share with their groups' other hosts, into a
//! [`Layer::Merged`](crate::Layer::Merged) set put first among the host's
//! own layers, where [`Data`](crate::Data) finds it before the layers it
//! merges; a merge that changes nothing (one layer, no knockout) makes no
//! set. The merging itself, with provenance, is [`crate::merge`].

use std::collections::{HashMap, HashSet};

use strata_parser::{Code, Diagnostic, Settings, Text};

use crate::inventory::Inventory;
use crate::layer::Layer;
use crate::merge::{Decided, Merging, Rules, merge_host};

/// Applies `settings`' `[merge]` to every host of `inv`; `budget`: how
/// many values merging may visit, all merges together.
pub(super) fn merge(
    inv: &mut Inventory,
    settings: Settings,
    budget: u64,
    diagnostics: &mut Vec<Diagnostic>,
) {
    if settings.merge.is_empty() {
        return;
    }
    let rules = Rules::new(settings.merge);
    let mut keys = HashMap::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for set in inv.sets.iter().filter(|s| s.layer != Layer::Override) {
        for (k, entry) in set.table.iter() {
            if !seen.insert(k) {
                continue;
            }
            match rules.decide(k) {
                Decided::Plain => {}
                Decided::Merged(node) => {
                    keys.insert(Text::from(k), node);
                }
                Decided::Ambiguous(a, b) => {
                    let (ra, rb) = (&rules.rules[a], &rules.rules[b]);
                    {
                        diagnostics.push(
                            Diagnostic::error(
                                Code::AmbiguousMerge,
                                ra.key_span,
                                format!(
                                    "`{k}` matches `{}` ({}) and `{}` ({}), equally specific",
                                    ra.pattern, ra.strategy, rb.pattern, rb.strategy
                                ),
                            )
                            .with_label_text(format!("`{k}` would be merged by `{}`", ra.strategy))
                            .with_label(rb.key_span, format!("and by `{}`", rb.strategy))
                            .with_label(entry.key_span, format!("`{k}` is defined here"))
                            .with_help(format!(
                                "name `{k}` itself in [merge] (a name wins over globs), or make one glob more specific: the glob with more characters other than `*` wins"
                            )),
                        );
                    }
                }
            }
        }
    }
    drop(seen);
    let file = inv.files.add_virtual("<merged>");
    let mut m = Merging {
        rules,
        keys,
        file: Some(file),
        budget,
        budget_left: budget,
        ..Merging::default()
    };
    for hid in 0..inv.hosts.len() {
        let chain = inv.host_by_id(hid as u32).data().chain().to_vec();
        let name = inv.host_index.name(hid).to_string();
        let (merged, found) = merge_host(&mut inv.sets, &inv.files, &mut m, &chain, &name);
        diagnostics.extend(found);
        if !merged.is_empty() {
            inv.hosts[hid].own.insert_many(0, merged);
        }
    }
    inv.merging = Some(Box::new(m));
}
