//! `strata diff`: what a change does to the resolved inventory, for people
//! (human), for programs (json) and for a pull request (markdown).

use std::io::{self, Write};
use std::path::Path;

use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Serialize, Serializer};
use strata::{Change, Inventory, InventoryDiff, PieceChange};

use crate::args::DiffFormat;
use crate::discover;
use crate::failure::Failure;
use crate::output::{Json, inline_value, write_json};
use crate::plan::{self, OldSide};
use crate::report;
use crate::term::Stderr;

/// How many host names a grouped line shows before "and N more".
const SHOWN: usize = 5;

/// Loads both sides (the old one from git with `--base`), compares them
/// and prints the difference.
pub fn run(plan: &plan::Diff, out: &mut impl Write, err: &mut Stderr<'_>) -> Result<(), Failure> {
    let shown = |root: &Path| {
        let base = discover::display_base(root, &plan.loaders.cwd);
        match base.trim_end_matches('/') {
            "" => ".".to_string(),
            b => b.to_string(),
        }
    };
    // The export (a temporary directory) lives until the diff is printed.
    let (export, old_loader, old_label) = match &plan.old {
        OldSide::Root(old) => (None, plan.loaders.for_root(old), shown(old)),
        OldSide::Git(rev) => {
            let export = strata_exec::git::export_inventory(&plan.new, rev).map_err(|e| {
                Failure::Usage(format!("cannot read the inventory at `{rev}`: {e}"))
            })?;
            // Old files are shown as `REV:path/in/repo/hosts.toml`, as git shows them.
            let loader = plan
                .loaders
                .for_root(export.inventory())
                .display_base(format!("{rev}:{}", export.path_in_repo()));
            let label = format!("{} at {rev}", shown(&plan.new));
            (Some(export), loader, label)
        }
    };
    let new_loader = plan.loaders.for_root(&plan.new);
    // Both sides load at the same time (each also uses every core for its files).
    let (old_loaded, new_loaded) = std::thread::scope(|s| {
        let old = s.spawn(|| old_loader.load());
        let new = new_loader.load();
        (old.join(), new)
    });
    let old_loaded =
        old_loaded.map_err(|_| Failure::Usage("loading the old side failed".into()))?;
    let new_label = shown(&plan.new);
    let mut side =
        |loaded: Result<Inventory, strata::LoadError>, which: &str, label: &str| match loaded {
            Ok(inv) => Some(inv),
            Err(problems) => {
                report::print(err, problems.diagnostics(), problems.files(), false);
                let n = problems.errors().count();
                err.line(&format!(
                    "error: the {which} inventory ({label}) does not load: {n} error{}",
                    if n == 1 { "" } else { "s" }
                ));
                None
            }
        };
    let old_inv = side(old_loaded, "old", &old_label);
    let new_inv = side(new_loaded, "new", &new_label);
    let (Some(old_inv), Some(new_inv)) = (old_inv, new_inv) else {
        return Err(Failure::Inventory);
    };
    let diff = strata::diff(&old_inv, &new_inv);
    print(out, &diff, plan.format)?;
    out.flush()?;
    drop(export);
    if plan.exit_code && !diff.is_empty() {
        return Err(Failure::Differences);
    }
    Ok(())
}

/// Prints the difference in `format`.
fn print(out: &mut impl Write, diff: &InventoryDiff, format: DiffFormat) -> io::Result<()> {
    match format {
        DiffFormat::Human => human(out, diff),
        DiffFormat::Json => write_json(out, &DiffJson(diff)),
        DiffFormat::Markdown => markdown(out, diff),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `web1, web2, web3, web4, web5 and 995 more`, each name wrapped by `wrap`.
fn names(hosts: &[String], wrap: &str) -> String {
    let shown: Vec<String> = hosts
        .iter()
        .take(SHOWN)
        .map(|h| format!("{wrap}{h}{wrap}"))
        .collect();
    match hosts.len() {
        n if n > SHOWN => format!("{} and {} more", shown.join(", "), n - SHOWN),
        _ => shown.join(", "),
    }
}

fn value(v: Option<&strata::Value>) -> String {
    v.map_or_else(|| "(unset)".to_string(), inline_value)
}

/// One line summing up the difference.
fn summary(diff: &InventoryDiff) -> String {
    if diff.is_empty() {
        return "strata diff: no differences".into();
    }
    format!(
        "strata diff: {} added, {} removed, {} with changed members, {} on {}",
        plural(diff.hosts_added.len(), "host", "hosts"),
        diff.hosts_removed.len(),
        plural(diff.groups.len(), "group", "groups"),
        plural(diff.changes.len(), "change", "changes"),
        plural(diff.hosts_changed(), "host", "hosts"),
    )
}

fn human(out: &mut impl Write, diff: &InventoryDiff) -> io::Result<()> {
    for h in &diff.hosts_added {
        writeln!(out, "+ host {h}")?;
    }
    for h in &diff.hosts_removed {
        writeln!(out, "- host {h}")?;
    }
    for g in &diff.groups {
        let mut parts = Vec::new();
        if !g.added.is_empty() {
            parts.push(format!("+{}", names(&g.added, "")));
        }
        if !g.removed.is_empty() {
            parts.push(format!("-{}", names(&g.removed, "")));
        }
        writeln!(out, "~ group {}: {}", g.name, parts.join("; "))?;
    }
    let memberships =
        !(diff.hosts_added.is_empty() && diff.hosts_removed.is_empty() && diff.groups.is_empty());
    if memberships && !diff.changes.is_empty() {
        writeln!(out)?;
    }
    for c in &diff.changes {
        let what = match (&c.old, &c.new) {
            (None, _) => "added",
            (_, None) => "removed",
            _ => "changed",
        };
        writeln!(out, "{} {}: {what}", change_mark(c), c.key)?;
        if c.old.is_some() {
            writeln!(out, "    - {}", value(c.old.as_ref()))?;
        }
        if c.new.is_some() {
            writeln!(out, "    + {}", value(c.new.as_ref()))?;
        }
        let from = if c.new.is_some() { "from" } else { "was from" };
        writeln!(out, "    {from} {}", c.origin)?;
        if let Some(s) = &c.strategy {
            let at = s.at.as_ref().map(|a| format!(" ({a})")).unwrap_or_default();
            writeln!(
                out,
                "    merge strategy changed: {} -> {}{at}",
                s.old, s.new
            )?;
        }
        if !c.pieces.is_empty() {
            writeln!(out, "    contributions that changed:")?;
            for p in c.pieces.iter().take(SHOWN_PIECES) {
                writeln!(out, "      {}", piece(p))?;
            }
            more_pieces(out, c, "      ")?;
        }
        writeln!(
            out,
            "    on {}: {}",
            plural(c.hosts.len(), "host", "hosts"),
            names(&c.hosts, "")
        )?;
    }
    let contributions = diff.contributions();
    let strategies = diff.strategies();
    if !contributions.is_empty() || !strategies.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "merged values: what changed, with every host it reaches"
        )?;
    }
    for (key, st, hosts) in &strategies {
        let at = st
            .at
            .as_ref()
            .map(|a| format!(" ({a})"))
            .unwrap_or_default();
        writeln!(out, "  {key}: merge strategy {} -> {}{at}", st.old, st.new)?;
        let hosts: Vec<String> = hosts.iter().map(|h| h.to_string()).collect();
        writeln!(
            out,
            "      on {}: {}",
            plural(hosts.len(), "host", "hosts"),
            names(&hosts, "")
        )?;
    }
    for c in &contributions {
        let p = PieceChange {
            path: c.path.clone(),
            old: c.old.clone(),
            new: c.new.clone(),
            origin: c.origin.clone(),
        };
        writeln!(out, "  {}", piece(&p))?;
        writeln!(
            out,
            "      on {}: {}",
            plural(c.hosts.len(), "host", "hosts"),
            names(&c.hosts, "")
        )?;
    }
    writeln!(out, "{}", summary(diff))
}

/// How many changed pieces of one merged value are shown.
const SHOWN_PIECES: usize = 10;

/// `+ packages[3] = "git", from group_data/all.toml:1:28 (global file)`.
fn piece(p: &PieceChange) -> String {
    match (&p.old, &p.new) {
        (None, Some(n)) => format!("+ {} = {}, from {}", p.path, inline_value(n), p.origin),
        (Some(o), None) => format!("- {} = {}, was from {}", p.path, inline_value(o), p.origin),
        (o, n) => format!(
            "~ {}: {} -> {}, from {}",
            p.path,
            value(o.as_ref()),
            value(n.as_ref()),
            p.origin
        ),
    }
}

/// `and 3 more` when a change has more pieces than are shown (or than
/// the library lists).
fn more_pieces(out: &mut impl Write, c: &Change, indent: &str) -> io::Result<()> {
    let n = c.pieces.len();
    if n > SHOWN_PIECES {
        let capped = if n >= strata::MAX_PIECES {
            " or more"
        } else {
            ""
        };
        writeln!(out, "{indent}and {}{capped} more", n - SHOWN_PIECES)?;
    }
    Ok(())
}

fn change_mark(c: &Change) -> char {
    match (&c.old, &c.new) {
        (None, _) => '+',
        (_, None) => '-',
        _ => '~',
    }
}

/// A table cell: code, with `|` escaped and long values cut.
fn cell(text: &str) -> String {
    const MAX: usize = 80;
    let mut t: String = text.chars().take(MAX).collect();
    if text.chars().count() > MAX {
        t.push('…');
    }
    format!("`{}`", t.replace('|', "\\|").replace('`', "'"))
}

fn markdown(out: &mut impl Write, diff: &InventoryDiff) -> io::Result<()> {
    writeln!(out, "### strata diff")?;
    writeln!(out)?;
    if diff.is_empty() {
        writeln!(out, "No differences in the resolved inventory.")?;
        return writeln!(out);
    }
    writeln!(out, "| | |")?;
    writeln!(out, "|---|---:|")?;
    writeln!(out, "| hosts added | {} |", diff.hosts_added.len())?;
    writeln!(out, "| hosts removed | {} |", diff.hosts_removed.len())?;
    writeln!(
        out,
        "| groups with changed members | {} |",
        diff.groups.len()
    )?;
    writeln!(out, "| changed values | {} |", diff.changes.len())?;
    writeln!(
        out,
        "| hosts with changed values | {} |",
        diff.hosts_changed()
    )?;
    if !diff.hosts_added.is_empty() || !diff.hosts_removed.is_empty() || !diff.groups.is_empty() {
        writeln!(out)?;
        writeln!(out, "| hosts and groups | added | removed |")?;
        writeln!(out, "|---|---|---|")?;
        if !diff.hosts_added.is_empty() || !diff.hosts_removed.is_empty() {
            writeln!(
                out,
                "| hosts | {} | {} |",
                names(&diff.hosts_added, "`"),
                names(&diff.hosts_removed, "`")
            )?;
        }
        for g in &diff.groups {
            writeln!(
                out,
                "| group `{}` | {} | {} |",
                g.name.replace('|', "\\|"),
                names(&g.added, "`"),
                names(&g.removed, "`")
            )?;
        }
    }
    if !diff.changes.is_empty() {
        writeln!(out)?;
        writeln!(out, "| key | old | new | from | hosts |")?;
        writeln!(out, "|---|---|---|---|---|")?;
        for c in &diff.changes {
            let old = c
                .old
                .as_ref()
                .map_or_else(|| "—".to_string(), |v| cell(&inline_value(v)));
            let new = c
                .new
                .as_ref()
                .map_or_else(|| "—".to_string(), |v| cell(&inline_value(v)));
            writeln!(
                out,
                "| {} | {old} | {new} | {} | {}: {} |",
                cell(&c.key),
                cell(&c.origin.to_string()),
                c.hosts.len(),
                names(&c.hosts, "`").replace('|', "\\|")
            )?;
        }
    }
    let contributions = diff.contributions();
    let strategies = diff.strategies();
    if !contributions.is_empty() || !strategies.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "| merged key | what changed | old | new | where | hosts |"
        )?;
        writeln!(out, "|---|---|---|---|---|---|")?;
        let hosts = |h: &[String]| format!("{}: {}", h.len(), names(h, "`").replace('|', "\\|"));
        let v = |v: Option<&strata::Value>| {
            v.map_or_else(|| "—".to_string(), |v| cell(&inline_value(v)))
        };
        for (key, st, on) in &strategies {
            let on: Vec<String> = on.iter().map(|h| h.to_string()).collect();
            let at = st.at.as_deref().map_or_else(|| "—".to_string(), cell);
            writeln!(
                out,
                "| {} | merge strategy | {} | {} | {at} | {} |",
                cell(key),
                cell(&st.old),
                cell(&st.new),
                hosts(&on)
            )?;
        }
        for c in &contributions {
            writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                cell(&c.key),
                cell(&c.path),
                v(c.old.as_ref()),
                v(c.new.as_ref()),
                cell(&c.origin.to_string()),
                hosts(&c.hosts)
            )?;
        }
    }
    // A blank line ends the last table, so text appended after it
    // (the next inventory's heading) starts a new block.
    writeln!(out)
}

/// The JSON shape of docs/cli.md.
struct DiffJson<'a>(&'a InventoryDiff);

impl Serialize for DiffJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let d = self.0;
        let mut st = s.serialize_struct("Diff", 4)?;
        st.serialize_field("hosts_added", &d.hosts_added)?;
        st.serialize_field("hosts_removed", &d.hosts_removed)?;
        st.serialize_field("groups", &GroupsJson(d))?;
        st.serialize_field("changes", &ChangesJson(&d.changes))?;
        let contributions = d.contributions();
        if !contributions.is_empty() {
            let list: Vec<serde_json::Value> = contributions
                .iter()
                .map(|c| {
                    let mut m = serde_json::Map::new();
                    m.insert("key".into(), c.key.clone().into());
                    m.insert("path".into(), c.path.clone().into());
                    if let Some(v) = &c.old {
                        m.insert(
                            "old".into(),
                            serde_json::to_value(Json(v)).unwrap_or_default(),
                        );
                    }
                    if let Some(v) = &c.new {
                        m.insert(
                            "new".into(),
                            serde_json::to_value(Json(v)).unwrap_or_default(),
                        );
                    }
                    m.insert(
                        "origin".into(),
                        serde_json::json!({
                            "file": c.origin.file,
                            "line": c.origin.line,
                            "column": c.origin.column,
                        }),
                    );
                    m.insert("hosts".into(), c.hosts.clone().into());
                    serde_json::Value::Object(m)
                })
                .collect();
            st.serialize_field("contributions", &list)?;
        } else {
            st.skip_field("contributions")?;
        }
        st.end()
    }
}

struct GroupsJson<'a>(&'a InventoryDiff);

impl Serialize for GroupsJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.groups.len()))?;
        for g in &self.0.groups {
            m.serialize_entry(
                &g.name,
                &serde_json::json!({"added": g.added, "removed": g.removed}),
            )?;
        }
        m.end()
    }
}

struct ChangesJson<'a>(&'a [Change]);

impl Serialize for ChangesJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(ChangeJson))
    }
}

struct ChangeJson<'a>(&'a Change);

impl Serialize for ChangeJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let c = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("key", &c.key)?;
        old_new_origin(&mut m, &c.old, &c.new, &c.origin)?;
        m.serialize_entry("hosts", &c.hosts)?;
        if let Some(st) = &c.strategy {
            m.serialize_entry(
                "strategy",
                &serde_json::json!({"old": st.old, "new": st.new, "at": st.at}),
            )?;
        }
        if !c.pieces.is_empty() {
            m.serialize_entry("pieces", &PiecesJson(&c.pieces))?;
        }
        m.end()
    }
}

/// A change's or a piece's `old`, `new` (each when there is one) and
/// `origin`, in that order.
fn old_new_origin<M: SerializeMap>(
    m: &mut M,
    old: &Option<strata::Value>,
    new: &Option<strata::Value>,
    origin: &strata::ChangeOrigin,
) -> Result<(), M::Error> {
    if let Some(v) = old {
        m.serialize_entry("old", &Json(v))?;
    }
    if let Some(v) = new {
        m.serialize_entry("new", &Json(v))?;
    }
    m.serialize_entry(
        "origin",
        &serde_json::json!({
            "file": origin.file,
            "line": origin.line,
            "column": origin.column,
        }),
    )
}

struct PiecesJson<'a>(&'a [PieceChange]);

impl Serialize for PiecesJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(PieceJson))
    }
}

struct PieceJson<'a>(&'a PieceChange);

impl Serialize for PieceJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let p = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("path", &p.path)?;
        old_new_origin(&mut m, &p.old, &p.new, &p.origin)?;
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_lists_are_cut() {
        let hosts: Vec<String> = (1..=7).map(|i| format!("h{i}")).collect();
        let cases = [
            (&hosts[..1], "", "h1"),
            (&hosts[..2], "`", "`h1`, `h2`"),
            (&hosts[..], "", "h1, h2, h3, h4, h5 and 2 more"),
        ];
        for (list, wrap, want) in cases {
            assert_eq!(names(list, wrap), want);
        }
    }

    #[test]
    fn cells_escape_pipes_and_backticks() {
        assert_eq!(cell("\"a|b`c\""), "`\"a\\|b'c\"`");
        assert!(cell(&"x".repeat(200)).ends_with("…`"));
    }
}
