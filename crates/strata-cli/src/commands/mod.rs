//! One module per subcommand.

pub mod ansible;
pub mod check;
pub mod diff;
pub mod explain;
pub mod graph;
pub mod groups;
pub mod host;
pub mod hosts;
pub mod list;

use strata::{Host, Inventory};

/// The groups to show for a selection: every group when nothing was
/// limited; otherwise each group with only its selected hosts, dropping
/// groups the limit emptied.
pub fn groups_for<'a>(
    inv: &'a Inventory,
    selected: &[Host<'a>],
    limited: bool,
) -> Vec<(&'a str, Vec<&'a str>)> {
    let mut chosen = vec![!limited; inv.len()];
    for h in selected {
        chosen[h.index()] = true;
    }
    inv.groups()
        .filter_map(|g| {
            let members: Vec<&str> = g
                .hosts()
                .filter(|h| chosen[h.index()])
                .map(|h| h.name())
                .collect();
            (!limited || !members.is_empty()).then_some((g.name(), members))
        })
        .collect()
}
