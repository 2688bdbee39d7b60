//! The inventories of the workspace: finding them (every folder holding
//! `hosts.toml`), the inventory a document belongs to, and loading one as
//! `strata check` does without `--allow-exec`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use strata::{Checked, Diagnostic, Files, Inventory};

/// `path` relative to `root`, `/`-separated, as the inventory names its
/// files; `None` outside `root` or for a name that is not UTF-8.
pub fn relative(root: &Path, path: &Path) -> Option<String> {
    let rest = path.strip_prefix(root).ok()?;
    let parts: Option<Vec<&str>> = rest.components().map(|c| c.as_os_str().to_str()).collect();
    Some(parts?.join("/"))
}

/// The file that makes a folder an inventory.
pub const HOSTS_FILE: &str = "hosts.toml";

/// How deep [`discover`] looks under a workspace folder.
const DISCOVERY_DEPTH: usize = 8;
/// How many directories [`discover`] opens at most, under all folders.
const DISCOVERY_DIRECTORIES: usize = 20_000;

/// Every folder holding `hosts.toml` under `folders` (themselves included),
/// down to a few levels. Hidden folders, `target` and `node_modules` are
/// not entered, nor an inventory's own data folders.
pub fn discover(folders: &[PathBuf]) -> Vec<PathBuf> {
    let mut found = BTreeSet::new();
    let mut budget = DISCOVERY_DIRECTORIES;
    for folder in folders {
        let mut stack = vec![(folder.clone(), 0usize)];
        while let Some((dir, depth)) = stack.pop() {
            if budget == 0 {
                break;
            }
            budget -= 1;
            let is_inventory = dir.join(HOSTS_FILE).is_file();
            if is_inventory {
                found.insert(canonical(&dir));
            }
            if depth >= DISCOVERY_DEPTH {
                continue;
            }
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let Ok(kind) = entry.file_type() else {
                    continue;
                };
                let name = entry.file_name();
                let name = name.to_string_lossy();
                let skipped = name.starts_with('.')
                    || name == "target"
                    || name == "node_modules"
                    || (is_inventory && matches!(&*name, "group_data" | "host_data" | "schema"));
                if kind.is_dir() && !skipped {
                    stack.push((entry.path(), depth + 1));
                }
            }
        }
    }
    found.into_iter().collect()
}

/// `path` with symbolic links resolved when it exists; else as given.
pub fn canonical(path: &Path) -> PathBuf {
    if let Ok(p) = std::fs::canonicalize(path) {
        return p;
    }
    // A file that does not exist (yet): its folder may.
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) => match std::fs::canonicalize(parent) {
            Ok(p) => p.join(name),
            Err(_) => path.to_path_buf(),
        },
        _ => path.to_path_buf(),
    }
}

/// The inventory a file belongs to: the nearest folder above it holding
/// `hosts.toml` (canonical).
pub fn inventory_of(path: &Path) -> Option<PathBuf> {
    path.ancestors()
        .skip(1)
        .find(|dir| dir.join(HOSTS_FILE).is_file())
        .map(Path::to_path_buf)
}

/// One load of an inventory: what `check` reports, and the inventory
/// when it loaded.
#[derive(Debug)]
pub enum Snapshot {
    /// It loaded: the inventory and check's warnings.
    Loaded {
        /// The inventory, its files' texts kept.
        inventory: Box<Inventory>,
        /// What check reports.
        diagnostics: Vec<Diagnostic>,
    },
    /// It did not load: every problem.
    Failed(strata::Problems),
}

impl Snapshot {
    /// Loads the inventory at `root` as `strata check` does without
    /// `--allow-exec`, with the texts of `buffers` read instead of the
    /// files they stand for.
    pub fn load(root: &Path, buffers: strata::Overlay) -> Snapshot {
        // strata's loader with strata-exec's fetcher: without allow_exec, a
        // command source's fresh cached answer is used and nothing runs.
        // Texts read from disk are let go once parsed, and read back when
        // a diagnostic, a hover or a jump needs them (the buffers' texts
        // are kept): the server holds the inventory, not its texts twice.
        let loader = strata::Loader::new(root)
            .allow_exec(false)
            .keep_texts(false)
            .overlay(buffers.into());
        match loader.check_keeping() {
            Checked::Loaded {
                inventory,
                diagnostics,
            } => Snapshot::Loaded {
                inventory,
                diagnostics,
            },
            Checked::Failed(problems) => Snapshot::Failed(problems),
        }
    }

    /// The files the diagnostics point into.
    pub fn files(&self) -> &Files {
        match self {
            Snapshot::Loaded { inventory, .. } => inventory.files(),
            Snapshot::Failed(problems) => problems.files(),
        }
    }

    /// What check reports.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            Snapshot::Loaded { diagnostics, .. } => diagnostics,
            Snapshot::Failed(problems) => problems.diagnostics(),
        }
    }

    /// The inventory, when it loaded.
    pub fn inventory(&self) -> Option<&Inventory> {
        match self {
            Snapshot::Loaded { inventory, .. } => Some(inventory),
            Snapshot::Failed(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_inventories_and_the_nearest_one() {
        let dir = tempfile::tempdir().unwrap();
        let root = canonical(dir.path());
        for inv in ["a", "b/c", "b/c/nested", ".hidden/x"] {
            std::fs::create_dir_all(root.join(inv)).unwrap();
            std::fs::write(root.join(inv).join(HOSTS_FILE), "").unwrap();
        }
        std::fs::create_dir_all(root.join("a/group_data")).unwrap();
        let found = discover(std::slice::from_ref(&root));
        let want: Vec<PathBuf> = ["a", "b/c", "b/c/nested"]
            .iter()
            .map(|p| root.join(p))
            .collect();
        assert_eq!(found, want);
        assert_eq!(
            inventory_of(&root.join("a/group_data/web.toml")),
            Some(root.join("a"))
        );
        assert_eq!(
            inventory_of(&root.join("b/c/nested/hosts.toml")),
            Some(root.join("b/c/nested"))
        );
        assert_eq!(inventory_of(&root.join("b/other.toml")), None);
    }
}
