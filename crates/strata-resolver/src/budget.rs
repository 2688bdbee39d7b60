//! An inventory's budget: how much it may expand to, checked from the
//! ranges' bounds before anything is expanded.
//!
//! A few bytes can stand for millions of hosts (`g = ["h[0:999999]"]`), so
//! checking an untrusted inventory must be bounded in time and memory by
//! something other than the file size. Two budgets, both generous next to
//! real fleets:
//!
//! | budget | counts | default |
//! |---|---|---|
//! | host entries | every entry of every group, a range by its size: a host listed in N groups counts N times | 10,000,000 |
//! | hosts | the entries of `all` when it lists hosts; otherwise each distinct entry text once (ranges that overlap count twice) | 1,000,000 |
//!
//! Crossing one is a `strata::budget_exceeded` error at the entry that
//! crossed it, found by counting, never by expanding; an inventory within
//! the budget costs what its expansion costs.

use std::collections::HashSet;

use rayon::prelude::*;

use strata_parser::{Code, Diagnostic, RawGroup};

use crate::range;

/// How much an inventory may expand to, checked from the ranges' bounds
/// before anything is expanded.
///
/// | budget | counts | default |
/// |---|---|---|
/// | host entries | every entry of every group, a range by its size: a host listed in N groups counts N times | 10,000,000 |
/// | hosts | the entries of `all` when it lists hosts; otherwise each distinct entry text once (ranges that overlap count twice) | 1,000,000 |
///
/// Crossing one is a `strata::budget_exceeded` error at the entry that
/// crossed it, found by counting, never by expanding
/// ([`Loader::budget`](crate::Loader::budget) sets it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    /// Host entries, ranges counted by their size.
    pub max_entries: u64,
    /// Hosts.
    pub max_hosts: u64,
}

impl Default for Budget {
    fn default() -> Budget {
        Budget {
            max_entries: 10_000_000,
            max_hosts: 1_000_000,
        }
    }
}

/// Checks `groups` (hosts.toml's, `all` included) against `budget`; the
/// error, if any, is at the entry that crossed it.
pub(crate) fn check(groups: &[RawGroup], budget: Budget) -> Option<Diagnostic> {
    // Counted on all cores; only an inventory over the budget is counted
    // again in order, to find the entry that crossed it.
    let total = groups
        .par_iter()
        .map(|g| {
            g.hosts
                .iter()
                .fold(0u64, |n, h| n.saturating_add(size(&h.name)))
        })
        .reduce(|| 0, u64::saturating_add);
    let crossed = if total > budget.max_entries {
        groups
    } else {
        &[]
    };
    let mut entries: u64 = 0;
    for g in crossed {
        for h in &g.hosts {
            entries = entries.saturating_add(size(&h.name));
            if entries > budget.max_entries {
                return Some(exceeded(
                    h.span,
                    &h.name,
                    format!(
                        "hosts.toml lists more than {} host entries (counting each range by its size, and a host once per group); `{}` brings the count to {}",
                        thousands(budget.max_entries),
                        h.name,
                        thousands(entries)
                    ),
                    "--max-entries",
                ));
            }
        }
    }
    // Not over the budget: the whole count.
    let entries = total;
    let all = groups.iter().find(|g| g.name == "all" && g.has_hosts);
    if all.is_none() && (entries <= budget.max_hosts || distinct(groups) <= budget.max_hosts) {
        return None;
    }
    // Over the budget: counted again, in order and by text, to find the
    // entry that crossed it.
    let mut hosts: u64 = 0;
    let mut seen: HashSet<&str, foldhash::fast::RandomState> = HashSet::default();
    let listed: Box<dyn Iterator<Item = &strata_parser::RawHost>> = match all {
        Some(all) => Box::new(all.hosts.iter()),
        None => Box::new(groups.iter().flat_map(|g| &g.hosts)),
    };
    for h in listed {
        if all.is_none() && !seen.insert(&*h.name) {
            continue;
        }
        hosts = hosts.saturating_add(size(&h.name));
        if hosts > budget.max_hosts {
            return Some(exceeded(
                h.span,
                &h.name,
                format!(
                    "the inventory has more than {} hosts; `{}` brings the count to {}",
                    thousands(budget.max_hosts),
                    h.name,
                    thousands(hosts)
                ),
                "--max-hosts",
            ));
        }
    }
    None
}

/// The hosts of `groups` without `all`'s list: each distinct entry text
/// once, a range by its size. Counted on all cores from the texts'
/// hashes: each thread hashes every text and keeps those of its share (at
/// a million hosts, 2.5 million entries, a set of the texts themselves
/// took 1.5 s, most of it in cache misses). Two texts whose 64-bit hashes
/// (seeded per process) collide count once: a chance of about one in 30
/// million at a million hosts, and it can only let one more host in; the
/// count in order that finds the crossing entry compares texts.
fn distinct(groups: &[RawGroup]) -> u64 {
    use std::hash::BuildHasher;
    let hasher = foldhash::fast::RandomState::default();
    let shares = rayon::current_num_threads().max(1);
    (0..shares)
        .into_par_iter()
        .map(|share| {
            let mut seen: HashSet<u64, foldhash::fast::RandomState> = HashSet::default();
            let mut hosts = 0u64;
            for h in groups.iter().flat_map(|g| &g.hosts) {
                let hash = hasher.hash_one(h.name.as_bytes());
                if (hash >> 32) as usize % shares == share && seen.insert(hash) {
                    hosts = hosts.saturating_add(size(&h.name));
                }
            }
            hosts
        })
        .reduce(|| 0, u64::saturating_add)
}

/// How many hosts an entry stands for: a range its size, any other 1.
fn size(name: &str) -> u64 {
    range::count(name).unwrap_or(1)
}

/// `10000000` as `10,000,000`.
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn exceeded(span: strata_parser::Span, name: &str, message: String, flag: &str) -> Diagnostic {
    let label = match range::count(name) {
        Ok(n) if n > 1 => format!("{} hosts", thousands(n)),
        _ => "this entry".to_string(),
    };
    Diagnostic::error(Code::BudgetExceeded, span, message)
        .with_label_text(label)
        .with_help(format!(
            "nothing was expanded; a real fleet this large needs a larger budget: `{flag} N` on the command line, or `Loader::budget` in the library"
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        let cases = [
            (0, "0"),
            (999, "999"),
            (1000, "1,000"),
            (10_000_000, "10,000,000"),
        ];
        for (n, want) in cases {
            assert_eq!(thousands(n), want);
        }
    }
}
