//! An inventory's budget: how much it may expand to, checked from the
//! ranges' bounds before anything is expanded.
//!
//! A few bytes can stand for millions of hosts (`g = ["h[0:999999]"]`), so
//! checking an untrusted inventory must be bounded in time and memory by
//! something other than the file size. Four budgets, all generous next to
//! real fleets:
//!
//! | budget | counts | default |
//! |---|---|---|
//! | host entries | every entry of every group, a range by its size: a host listed in N groups counts N times | 10,000,000 |
//! | hosts | the entries of `all` when it lists hosts; otherwise each distinct entry text once (ranges that overlap count twice) | 1,000,000 |
//! | name bytes | the lengths of the names every entry stands for, added up (a range name by name) | 256 MiB |
//! | host keys | every entry (a range by its size) times the keys it gets from its group: the group's file and inline data, its own inline data, and global data (counted on `all`'s entries when `all` lists hosts, else on every entry) | 100,000,000 |
//!
//! The first two bound how many hosts there are; the last two what they
//! cost: a 1 KB hosts.toml of one range over a name of 1,000 bytes stands
//! for a gigabyte of names, and ten groups of a million hosts with 200
//! keys each for two billion values to resolve.
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
/// | name bytes | the lengths of the names every entry stands for, added up | 256 MiB |
/// | host keys | every entry times the keys it gets from its group, its inline data and global data | 100,000,000 |
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
    /// Bytes of host names: each entry's names' lengths, added up.
    pub max_name_bytes: u64,
    /// Host keys: each entry's hosts times the keys they get from its
    /// group, its inline data and global data.
    pub max_host_keys: u64,
}

impl Default for Budget {
    fn default() -> Budget {
        Budget {
            max_entries: 10_000_000,
            max_hosts: 1_000_000,
            max_name_bytes: 256 << 20,
            max_host_keys: 100_000_000,
        }
    }
}

/// What the entries of hosts.toml stand for, counted from the ranges' bounds.
#[derive(Clone, Copy, Default)]
struct Totals {
    entries: u64,
    name_bytes: u64,
    host_keys: u64,
}

impl Totals {
    fn add(self, o: Totals) -> Totals {
        Totals {
            entries: self.entries.saturating_add(o.entries),
            name_bytes: self.name_bytes.saturating_add(o.name_bytes),
            host_keys: self.host_keys.saturating_add(o.host_keys),
        }
    }
}

/// What one entry of a group whose hosts get `keys` keys of data stands for.
fn entry(h: &strata_parser::RawHost, keys: u64) -> Totals {
    let n = size(&h.name);
    let inline = h.data.as_ref().map_or(0, |d| d.len() as u64);
    Totals {
        entries: n,
        name_bytes: range::name_bytes(&h.name).unwrap_or(h.name.len() as u64),
        host_keys: n.saturating_mul(keys.saturating_add(inline)),
    }
}

/// Checks `groups` (hosts.toml's, `all` included) against `budget`; the
/// error, if any, is at the entry that crossed it. `file_keys` gives the
/// number of keys of a group's group_data file (`all` for global data);
/// a group's inline `data` is counted here.
pub(crate) fn check(
    groups: &[RawGroup],
    file_keys: &(dyn Fn(&str) -> u64 + Sync),
    budget: Budget,
) -> Option<Diagnostic> {
    let keys = |name: &str| {
        let inline = groups
            .iter()
            .find(|g| g.name == name)
            .and_then(|g| g.data.as_ref())
            .map_or(0, |d| d.len() as u64);
        file_keys(name).saturating_add(inline)
    };
    // Global data reaches every host: counted on `all`'s entries when it
    // lists hosts, else on every entry (a host in N groups N times).
    let all_lists = groups.iter().any(|g| g.name == "all" && g.has_hosts);
    let global = keys("all");
    let keys_of = |g: &RawGroup| {
        let own = g.data.as_ref().map_or(0, |d| d.len() as u64);
        if g.name == "all" {
            global
        } else if all_lists {
            file_keys(&g.name).saturating_add(own)
        } else {
            file_keys(&g.name)
                .saturating_add(own)
                .saturating_add(global)
        }
    };
    // Counted on all cores; only an inventory over the budget is counted
    // again in order, to find the entry that crossed it.
    let total = groups
        .par_iter()
        .map(|g| {
            let k = keys_of(g);
            g.hosts
                .iter()
                .fold(Totals::default(), |t, h| t.add(entry(h, k)))
        })
        .reduce(Totals::default, Totals::add);
    let over = total.entries > budget.max_entries
        || total.name_bytes > budget.max_name_bytes
        || total.host_keys > budget.max_host_keys;
    let crossed = if over { groups } else { &[] };
    let mut sum = Totals::default();
    for g in crossed {
        let k = keys_of(g);
        for h in &g.hosts {
            let this = entry(h, k);
            sum = sum.add(this);
            if sum.entries > budget.max_entries {
                return Some(exceeded(
                    h.span,
                    &h.name,
                    format!(
                        "hosts.toml lists more than {} host entries (counting each range by its size, and a host once per group); `{}` brings the count to {}",
                        thousands(budget.max_entries),
                        short(&h.name),
                        thousands(sum.entries)
                    ),
                    "--max-entries",
                ));
            }
            if sum.name_bytes > budget.max_name_bytes {
                return Some(
                    exceeded(
                        h.span,
                        &h.name,
                        format!(
                            "hosts.toml's host names add up to more than {} bytes (each name of a range counted, once per group); `{}` brings them to {} bytes",
                            thousands(budget.max_name_bytes),
                            short(&h.name),
                            thousands(sum.name_bytes)
                        ),
                        "--max-name-bytes",
                    )
                    .with_label_text(format!(
                        "{} of names",
                        bytes(this.name_bytes)
                    )),
                );
            }
            if sum.host_keys > budget.max_host_keys {
                let inline = h.data.as_ref().map_or(0, |d| d.len() as u64);
                return Some(
                    exceeded(
                        h.span,
                        &h.name,
                        format!(
                            "the inventory's data stands for more than {} host keys (each host gets every key of each group it is in, of global data and of its inline data); `{}` in group `{}` brings the count to {}",
                            thousands(budget.max_host_keys),
                            short(&h.name),
                            g.name,
                            thousands(sum.host_keys)
                        ),
                        "--max-host-keys",
                    )
                    .with_label_text(format!(
                        "{} × {} keys",
                        match size(&h.name) {
                            1 => "1 host".to_string(),
                            n => format!("{} hosts", thousands(n)),
                        },
                        thousands(k.saturating_add(inline))
                    )),
                );
            }
        }
    }
    let total = total.entries;
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
                    short(&h.name),
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

/// A name as a message quotes it: at most 60 characters.
fn short(name: &str) -> String {
    match name.char_indices().nth(60) {
        Some((at, _)) => format!("{}…", &name[..at]),
        None => name.to_string(),
    }
}

/// `1006888890` as `960.2 MiB`.
fn bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 30 => format!("{:.1} GiB", n as f64 / f64::from(1u32 << 30)),
        n if n >= 1 << 20 => format!("{:.1} MiB", n as f64 / f64::from(1u32 << 20)),
        n if n >= 1 << 10 => format!("{:.1} KiB", n as f64 / 1024.0),
        n => format!("{n} bytes"),
    }
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
