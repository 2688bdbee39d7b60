//! `strata graph [GROUP] [--vars]`: a tree in the style of `ansible-inventory --graph`.

use std::io::{self, Write};

use strata::{Data, Group, Host, Inventory};

use crate::output::{inline_key, inline_value};

/// Where the tree starts.
pub enum Root<'a> {
    /// `@all`, with every group and `@ungrouped`.
    All,
    /// One group.
    Group(Group<'a>),
}

/// Prints the tree. With a limit (`limited`), only selected hosts appear and
/// groups the limit emptied are left out, as in `strata list`.
pub fn run(
    out: &mut impl Write,
    inv: &Inventory,
    selected: &[Host<'_>],
    limited: bool,
    root: Root<'_>,
    vars: bool,
) -> io::Result<()> {
    let mut chosen = vec![false; inv.len()];
    for h in selected {
        chosen[h.index()] = true;
    }
    match root {
        Root::All => {
            writeln!(out, "@all:")?;
            if vars {
                write_vars(out, "  |", &inv.data())?;
            }
            let ungrouped: Vec<Host<'_>> = inv
                .hosts()
                .filter(|h| chosen[h.index()] && h.groups().next().is_none())
                .collect();
            writeln!(out, "  |--@ungrouped:")?;
            write_hosts(out, "  |  |", ungrouped.into_iter(), vars)?;
            for g in inv.groups() {
                if limited && !g.hosts().any(|h| chosen[h.index()]) {
                    continue;
                }
                write_group(out, "  |", g, &chosen, vars)?;
            }
        }
        Root::Group(g) => write_group(out, "", g, &chosen, vars)?,
    }
    Ok(())
}

fn write_group(
    out: &mut impl Write,
    indent: &str,
    g: Group<'_>,
    chosen: &[bool],
    vars: bool,
) -> io::Result<()> {
    let branch = if indent.is_empty() {
        String::new()
    } else {
        format!("{indent}--")
    };
    writeln!(out, "{branch}@{}:", g.name())?;
    let inner = if indent.is_empty() {
        "  |".to_string()
    } else {
        format!("{indent}  |")
    };
    if vars {
        write_vars(out, &inner, &g.data())?;
    }
    write_hosts(out, &inner, g.hosts().filter(|h| chosen[h.index()]), vars)
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
