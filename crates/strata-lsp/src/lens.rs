//! Code lenses: above every key definition of a data file (or inline data
//! of hosts.toml), on how many hosts it wins and is shadowed, in the words
//! of the hover ([`Inventory::reach`]).

use std::path::Path;

use lsp_types::{CodeLens, Command};
use strata::{Inventory, Reach};

use crate::navigate::location;

/// Host names a lens's title shows before `…`.
const NAMED_HOSTS: usize = 3;
/// Definitions of one file given a lens, at most (each costs a pass over
/// the hosts it may reach).
pub const MAX_LENSES: usize = 200;
/// The command of every lens: it runs nothing (the title is the answer);
/// clients show a lens only when it has a command with a title.
pub const LENS_COMMAND: &str = "strata.reach";

/// The lenses of the file `name` (relative to the root): one per
/// definition written there, in file order, the first [`MAX_LENSES`].
pub fn lenses(root: &Path, inventory: &Inventory, name: &str) -> Vec<CodeLens> {
    inventory
        .written_in(name)
        .iter()
        .take(MAX_LENSES)
        .filter_map(|written| {
            let at = location(root, inventory.files(), written.origin.location.as_ref()?)?;
            Some(CodeLens {
                range: at.range,
                command: Some(Command {
                    title: title(&inventory.reach(written)),
                    command: LENS_COMMAND.into(),
                    arguments: None,
                }),
                data: None,
            })
        })
        .collect()
}

/// `wins on 3 hosts (web1, web2, web3) · shadowed on 2`.
pub fn title(reach: &Reach<'_>) -> String {
    let wins = reach.wins.len();
    let mut out = format!("wins on {wins} host{}", if wins == 1 { "" } else { "s" });
    if wins > 0 {
        let mut named: Vec<&str> = reach
            .wins
            .iter()
            .take(NAMED_HOSTS)
            .map(|h| h.name())
            .collect();
        if wins > NAMED_HOSTS {
            named.push("…");
        }
        out.push_str(&format!(" ({})", named.join(", ")));
    }
    out.push_str(&format!(" · shadowed on {}", reach.shadowed.len()));
    if !reach.merged.is_empty() {
        out.push_str(&format!(" · merged on {}", reach.merged.len()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(hosts: &str, groups: &[(&str, &str)]) -> (tempfile::TempDir, Inventory) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("hosts.toml"), hosts).unwrap();
        std::fs::create_dir(dir.path().join("group_data")).unwrap();
        for (group, text) in groups {
            let path = dir.path().join(format!("group_data/{group}.toml"));
            std::fs::write(path, text).unwrap();
        }
        let inv = Inventory::load(dir.path()).unwrap();
        (dir, inv)
    }

    #[test]
    fn titles_name_a_few_hosts() {
        let (dir, inv) = load(
            "web = [\"a\", \"b\", \"c\", \"d\"]\none = [\"d\"]\n",
            &[("web", "port = 1\nuser = \"x\"\n"), ("one", "port = 2\n")],
        );
        let titles = |name: &str| -> Vec<(u32, String)> {
            lenses(dir.path(), &inv, name)
                .into_iter()
                .map(|l| (l.range.start.line, l.command.unwrap().title))
                .collect()
        };
        assert_eq!(
            titles("group_data/web.toml"),
            [
                (0, "wins on 3 hosts (a, b, c) · shadowed on 1".to_string()),
                (
                    1,
                    "wins on 4 hosts (a, b, c, …) · shadowed on 0".to_string()
                ),
            ]
        );
        assert_eq!(
            titles("group_data/one.toml"),
            [(0, "wins on 1 host (d) · shadowed on 0".to_string())]
        );
        assert!(titles("hosts.toml").is_empty());
        assert!(titles("group_data/none.toml").is_empty());
    }
}
