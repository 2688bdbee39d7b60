//! `strata graph [GROUP] [--vars]`: a tree in the style of `ansible-inventory --graph`.

use std::io::{self, Write};

use strata::ansible::UNGROUPED;
use strata::{Data, Group, Host, Inventory};

use crate::failure::Failure;
use crate::load;
use crate::output::{inline_key, inline_value};
use crate::plan;
use crate::term::Stderr;

/// Loads the inventory and prints the tree; a group that is not there is
/// a usage error with a did-you-mean.
pub fn run(plan: &plan::Graph, out: &mut impl Write, err: &mut Stderr<'_>) -> Result<(), Failure> {
    let opened = load::open(&plan.query, err)?;
    {
        let inventory = opened.inventory();
        let selected = opened.selected();
        let root = Root::named(inventory, plan.group.as_deref()).map_err(Failure::Usage)?;
        print(out, inventory, &selected, opened.limited(), root, plan.vars)?;
    }
    opened.finish(out)
}

/// Where the tree starts.
enum Root<'a> {
    /// `@all`, with every group and `@ungrouped`.
    All,
    /// `@ungrouped`: the hosts in no group (and those of a group that the
    /// inventory itself calls `ungrouped`).
    Ungrouped,
    /// One group.
    Group(Group<'a>),
}

impl<'a> Root<'a> {
    /// The root for `strata graph [GROUP]`: `all` and `ungrouped` are the
    /// tree's own nodes, as in `ansible-inventory --graph`.
    fn named(inv: &'a Inventory, name: Option<&str>) -> Result<Root<'a>, String> {
        match name {
            None | Some("all") => Ok(Root::All),
            Some(UNGROUPED) => Ok(Root::Ungrouped),
            Some(g) => inv.group(g).map(Root::Group).ok_or_else(|| {
                match strata::closest(g, inv.groups().map(|g| g.name()).chain(["all", UNGROUPED])) {
                    Some(n) => format!("no group `{g}` in the inventory; did you mean `{n}`?"),
                    None => format!("no group `{g}` in the inventory"),
                }
            }),
        }
    }
}

/// Prints the tree. With a limit (`limited`), only selected hosts appear and
/// groups the limit emptied are left out, as in `strata list`.
fn print(
    out: &mut impl Write,
    inv: &Inventory,
    selected: &[Host<'_>],
    limited: bool,
    root: Root<'_>,
    vars: bool,
) -> io::Result<()> {
    let mut drawn = vec![false; inv.groups().len()];
    let mut chosen = vec![false; inv.len()];
    for h in selected {
        chosen[h.index()] = true;
    }
    // The hosts in no group, after those of a group called `ungrouped`:
    // one node, as in `strata ansible --list`.
    let ungrouped = || {
        inv.group(UNGROUPED)
            .into_iter()
            .flat_map(|g| g.hosts())
            .chain(inv.hosts().filter(|h| h.groups().next().is_none()))
            .filter(|h| chosen[h.index()])
    };
    match root {
        Root::All => {
            writeln!(out, "@all:")?;
            if vars {
                write_vars(out, "  |", &inv.data())?;
            }
            writeln!(out, "  |--@ungrouped:")?;
            write_hosts(out, "  |  |", ungrouped(), vars)?;
            // Groups without a parent, each with its tree (`all`'s
            // children, as in Ansible).
            for g in inv
                .groups()
                .filter(|g| g.name() != UNGROUPED && g.depth() == 1)
            {
                if limited && !g.hosts().any(|h| chosen[h.index()]) {
                    continue;
                }
                write_group(out, "  |", g, &chosen, vars, &mut drawn)?;
            }
        }
        Root::Ungrouped => {
            writeln!(out, "@ungrouped:")?;
            write_hosts(out, "  |", ungrouped(), vars)?;
        }
        Root::Group(g) => write_group(out, "", g, &chosen, vars, &mut drawn)?,
    }
    Ok(())
}

/// Draws `g` and, below it, its child groups (in `children` order) and
/// then its own hosts, as `ansible-inventory --graph` does. A group drawn
/// already (a child of two parents) is drawn again as one line, `(shown
/// above)`: the tree then costs its groups, edges and memberships, never
/// its paths (a lattice of 2^20 paths is 80 edges). Iterative, so that a
/// chain of 10,000 groups does not recurse.
fn write_group(
    out: &mut impl Write,
    indent: &str,
    g: Group<'_>,
    chosen: &[bool],
    vars: bool,
    drawn: &mut [bool],
) -> io::Result<()> {
    // Each item keeps its level, not its indentation: a chain of 10,000
    // groups holds 10,000 numbers, not 10,000 strings of up to 30 KB.
    enum Item<'a> {
        Group(Group<'a>, usize),
        Hosts(Group<'a>, usize),
    }
    let at = |level: usize| format!("{indent}{}", "  |".repeat(level));
    let mut stack = vec![Item::Group(g, 0)];
    let limited = chosen.iter().any(|c| !c);
    while let Some(item) = stack.pop() {
        match item {
            Item::Group(g, level) => {
                let here = at(level);
                let branch = if here.is_empty() {
                    String::new()
                } else {
                    format!("{here}--")
                };
                if std::mem::replace(&mut drawn[g.index()], true) {
                    writeln!(out, "{branch}@{}: (shown above)", g.name())?;
                    continue;
                }
                writeln!(out, "{branch}@{}:", g.name())?;
                if vars {
                    write_vars(out, &at(level + 1), &g.data())?;
                }
                stack.push(Item::Hosts(g, level + 1));
                let kids: Vec<Group<'_>> = g
                    .children()
                    .filter(|c| !limited || c.hosts().any(|h| chosen[h.index()]))
                    .collect();
                for c in kids.into_iter().rev() {
                    stack.push(Item::Group(c, level + 1));
                }
            }
            Item::Hosts(g, level) => write_hosts(
                out,
                &at(level),
                g.direct_hosts().filter(|h| chosen[h.index()]),
                vars,
            )?,
        }
    }
    Ok(())
}

fn write_hosts<'a>(
    out: &mut impl Write,
    indent: &str,
    hosts: impl Iterator<Item = Host<'a>>,
    vars: bool,
) -> io::Result<()> {
    for h in hosts {
        writeln!(out, "{indent}--{}", h.name())?;
        if vars {
            write_vars(out, &format!("{indent}  |"), &h.own_data())?;
        }
    }
    Ok(())
}

fn write_vars(out: &mut impl Write, indent: &str, data: &Data<'_>) -> io::Result<()> {
    for (k, v) in data.iter() {
        writeln!(out, "{indent}--{{{} = {}}}", inline_key(k), inline_value(v))?;
    }
    Ok(())
}
