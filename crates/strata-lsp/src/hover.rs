//! Hover answers, in Markdown: what a line does to the resolved inventory,
//! in the words of `strata explain`.

use std::fmt::Write as _;

use strata::{Group, Host, HostEntry, Inventory, Value, Written};

use crate::locate::Target;

/// Hosts named in a list before it says "and N more".
const NAMED_HOSTS: usize = 8;
/// Keys of a host's data shown before "and N more keys".
const SHOWN_KEYS: usize = 40;
/// Characters of a value shown before it is cut.
const VALUE_CHARS: usize = 120;

/// The Markdown of a hover on `target`.
pub fn hover(inventory: &Inventory, target: &Target<'_>) -> String {
    match target {
        Target::Key(written) => key(inventory, written),
        Target::Host(host) => host_hover(*host),
        Target::Group(group) => group_hover(inventory, *group),
        Target::Entry(entry) => entry_hover(entry),
    }
}

/// A value as one line of TOML, cut when long.
pub fn inline(value: &Value) -> String {
    let text = value.to_toml().to_string();
    match text.char_indices().nth(VALUE_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// `a`, `b`, `c` and 5 more.
fn names<'a>(names: impl ExactSizeIterator<Item = &'a str>) -> String {
    let total = names.len();
    let mut out: Vec<String> = names.take(NAMED_HOSTS).map(|n| format!("`{n}`")).collect();
    if total > NAMED_HOSTS {
        out.push(format!("and {} more", total - NAMED_HOSTS));
    }
    out.join(", ")
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

fn key(inventory: &Inventory, written: &Written<'_>) -> String {
    let mut out = format!(
        "`{} = {}`\n\n{}\n",
        written.key,
        inline(written.value),
        written.origin
    );
    let reach = inventory.reach(written);
    let _ = write!(
        out,
        "\nwins on {}, shadowed on {}",
        plural(reach.wins.len(), "host"),
        plural(reach.shadowed.len(), "host")
    );
    if !reach.merged.is_empty() {
        let _ = write!(out, ", merged on {}", plural(reach.merged.len(), "host"));
    }
    out.push('\n');
    if !reach.wins.is_empty() {
        let _ = write!(
            out,
            "\n**wins on** {}\n",
            names(reach.wins.iter().map(|h| h.name()))
        );
    }
    // Shadowed hosts grouped by what shadows them, in order of first host.
    let mut by: Vec<(String, String, Vec<&str>)> = Vec::new();
    for (host, winner, reason) in &reach.shadowed {
        let what = format!("`{}` from {}", inline(winner.value), winner.origin);
        let why = reason.to_string();
        match by.iter_mut().find(|(w, r, _)| *w == what && *r == why) {
            Some(entry) => entry.2.push(host.name()),
            None => by.push((what, why, vec![host.name()])),
        }
    }
    for (what, why, hosts) in by.iter().take(NAMED_HOSTS) {
        let _ = write!(
            out,
            "\n**shadowed** on {} by {what}\n  because {why}\n",
            names(hosts.iter().copied()),
        );
    }
    if by.len() > NAMED_HOSTS {
        let rest: usize = by[NAMED_HOSTS..].iter().map(|(_, _, h)| h.len()).sum();
        let _ = write!(
            out,
            "\n**shadowed** on {rest} more host{} by {} other definitions\n",
            if rest == 1 { "" } else { "s" },
            by.len() - NAMED_HOSTS
        );
    }
    if !reach.merged.is_empty() {
        let _ = write!(
            out,
            "\n**merged** (strata.toml `[merge]`) on {}\n",
            names(reach.merged.iter().map(|h| h.name()))
        );
    }
    // The key's type in the layers that define it, when they differ.
    let here = written.value.type_str();
    let (others, count) =
        inventory.written_where(written.key, |v| v.type_str() != here, NAMED_HOSTS);
    if count > 0 {
        let mut others: Vec<String> = others
            .iter()
            .map(|w| format!("{} at {}", w.value.type_str(), w.origin))
            .collect();
        if count > others.len() {
            others.push(format!("and {} more", count - others.len()));
        }
        let _ = write!(out, "\n**type drift**: {here} here; ");
        out.push_str(&others.join("; "));
        out.push('\n');
    }
    out
}

/// An entry of hosts.toml that makes several hosts (a range pattern):
/// what it expands to.
fn entry_hover(entry: &HostEntry<'_>) -> String {
    let mut out = format!(
        "**entry** `{}` in group `{}`: {}\n",
        entry.written,
        entry.group,
        plural(entry.hosts.len(), "host")
    );
    if !entry.hosts.is_empty() {
        let _ = write!(
            out,
            "\nexpands to {}\n",
            names(entry.hosts.iter().map(|h| h.name()))
        );
    }
    out
}

fn host_hover(host: Host<'_>) -> String {
    let groups: Vec<&str> = host.groups().map(|g| g.name()).collect();
    let mut out = format!(
        "**host** `{}`\n\ngroups: {}\n",
        host.name(),
        names(groups.into_iter())
    );
    let data = host.data();
    let total = data.len();
    out.push_str("\n| key | value | from |\n|---|---|---|\n");
    for (key, value) in data.iter().take(SHOWN_KEYS) {
        let from = data.origin(key).map(|o| o.to_string()).unwrap_or_default();
        let _ = writeln!(
            out,
            "| `{}` | `{}` | {} |",
            key,
            inline(value).replace('|', "\\|"),
            from.replace('|', "\\|")
        );
    }
    if total > SHOWN_KEYS {
        let _ = write!(out, "\nand {} more keys\n", total - SHOWN_KEYS);
    }
    out
}

fn group_hover(inventory: &Inventory, group: Group<'_>) -> String {
    let count = inventory.groups().filter(|g| !g.is_implicit()).count();
    let mut out = format!(
        "**group** `{}`: {}\n\nprecedence: group {} of {} in hosts.toml order, depth {} (a deeper group wins, then a later one)\n",
        group.name(),
        plural(group.hosts().len(), "host"),
        group.index() + 1,
        count,
        group.depth()
    );
    let file = format!("group_data/{}.toml", group.name());
    match inventory.files().find(&file) {
        Some(_) => {
            let _ = writeln!(out, "\ndata file: {file}");
        }
        None => out.push_str("\nno data file\n"),
    }
    if let Some(at) = group.location() {
        let _ = writeln!(out, "\ndeclared at {at}");
    }
    out
}
