//! Finding the inventory: `-i`, `$STRATA_INVENTORY`, then `./inventory/`
//! or `./` in the working directory or the nearest parent folder that has
//! one (as git finds its repository, so `strata` works from inside
//! `group_data/`).

use std::path::{Path, PathBuf};

const HOSTS_FILE: &str = "hosts.toml";

/// No inventory could be found; lists what was tried.
#[derive(Debug)]
pub struct NotFound {
    pub tried: Vec<String>,
    /// How to point strata at an inventory, in the terms of the arguments
    /// that were tried.
    pub hint: &'static str,
}

/// The hint for `-i` and `$STRATA_INVENTORY` (on the command line; the
/// plugin and the Python package word it in their own terms, see `worded`).
const HINT_INVENTORY: &str =
    "point -i at an inventory directory (one holding hosts.toml), or set STRATA_INVENTORY";
/// The hint for `diff`'s OLD and NEW.
const HINT_DIFF: &str = "`strata diff OLD NEW` takes two inventory directories (each holding \
     hosts.toml) or their hosts.toml files; `strata diff --base REV` compares the inventory \
     (-i, STRATA_INVENTORY or the working directory's) with itself at a git revision";

impl NotFound {
    /// The message, its fix worded for `front_end` (`path:` in the
    /// plugin, `path=` in Python, `-i` on the command line).
    pub fn worded(&self, front_end: crate::front_end::FrontEnd) -> String {
        let mut s = String::from("no inventory found; tried:\n");
        for t in &self.tried {
            s.push_str("  ");
            // `-i PATH` is what the plugin or the package passed for `path`.
            match t.strip_prefix("-i ") {
                Some(rest) if !rest.starts_with('(') => {
                    s.push_str(front_end.path_option());
                    s.push_str(rest);
                }
                // `-i (not given)`: `path (not given)` in the plugin and
                // in Python, whose option has no `-i`.
                Some(rest) => {
                    s.push_str(front_end.path_option().trim_end_matches([' ', ':', '=']));
                    s.push(' ');
                    s.push_str(rest);
                }
                None => s.push_str(t),
            }
            s.push('\n');
        }
        if self.hint == HINT_INVENTORY {
            s.push_str(front_end.inventory());
        } else {
            s.push_str(self.hint);
        }
        s
    }
}

impl std::fmt::Display for NotFound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.worded(crate::front_end::FrontEnd::Cli))
    }
}

/// Where the inventory is.
#[derive(Debug)]
pub struct Found {
    /// The inventory root directory.
    pub root: PathBuf,
}

/// The display base for file names in reports: the inventory's path
/// relative to `cwd` when it is under it (`inventory/`, empty for the
/// working directory itself), else the path as given; with `/` separators
/// and a trailing `/`.
pub fn display_base(root: &Path, cwd: &Path) -> String {
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let (root_c, cwd_c) = (canonical(root), canonical(cwd));
    let shown = match root_c.strip_prefix(&cwd_c) {
        Ok(rel) => rel.to_path_buf(),
        Err(_) => root.to_path_buf(),
    };
    let mut base = shown.to_string_lossy().replace('\\', "/");
    if !base.is_empty() && !base.ends_with('/') {
        base.push('/');
    }
    base
}

/// The inventory root for an explicit path: the directory itself, or the
/// directory of a named hosts.toml. Any other file is refused: reading the
/// hosts.toml beside it instead would be a silent surprise.
fn root_of(path: &Path, what: &str) -> Result<PathBuf, NotFound> {
    if path.is_dir() {
        Ok(path.to_path_buf())
    } else if path.is_file() {
        if path.file_name().is_some_and(|n| n == HOSTS_FILE) {
            Ok(path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
                .to_path_buf())
        } else {
            Err(NotFound {
                tried: vec![format!(
                    "{what} (a file that is not {HOSTS_FILE}: name the inventory directory or its {HOSTS_FILE})"
                )],
                hint: HINT_INVENTORY,
            })
        }
    } else {
        let text = path.to_string_lossy();
        let why = if text.contains(',') {
            "does not exist; strata takes an inventory directory or its hosts.toml, not a list \
             of hosts as Ansible's `-i host1,host2` does: select hosts with `--limit host1,host2`"
        } else {
            "does not exist"
        };
        Err(NotFound {
            tried: vec![format!("{what} ({why})")],
            hint: HINT_INVENTORY,
        })
    }
}

/// Resolves the inventory root. `explicit` is `-i`, `env` is `$STRATA_INVENTORY`.
pub fn find(explicit: Option<&Path>, env: Option<&str>, cwd: &Path) -> Result<Found, NotFound> {
    if let Some(p) = explicit {
        return root_of(p, &format!("-i {}", p.display())).map(|root| Found { root });
    }
    if let Some(e) = env.filter(|e| !e.is_empty()) {
        return root_of(Path::new(e), &format!("STRATA_INVENTORY={e}")).map(|root| Found { root });
    }
    let mut tried = vec![
        "-i (not given)".to_string(),
        "STRATA_INVENTORY (not set)".to_string(),
    ];
    // The working directory, then each parent up to the file system's root.
    for (level, dir) in cwd.ancestors().enumerate() {
        for sub in ["inventory", "."] {
            let candidate = if sub == "." {
                dir.to_path_buf()
            } else {
                dir.join(sub)
            };
            if candidate.join(HOSTS_FILE).is_file() {
                return Ok(Found { root: candidate });
            }
            if level == 0 {
                tried.push(format!("./{sub}/{HOSTS_FILE} (not found)").replace("/./", "/"));
            }
        }
    }
    tried.push(format!(
        "inventory/{HOSTS_FILE} and {HOSTS_FILE} in every parent folder (not found)"
    ));
    Err(NotFound {
        tried,
        hint: HINT_INVENTORY,
    })
}

/// The inventory root of `diff`'s OLD or NEW argument (`which`), found as
/// `-i` finds one, with a hint about OLD and NEW rather than `-i`.
pub fn diff_side(path: &Path, which: &str) -> Result<Found, NotFound> {
    root_of(path, &format!("{which} {}", path.display()))
        .map(|root| Found { root })
        .map_err(|e| NotFound {
            hint: HINT_DIFF,
            ..e
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovery_order() {
        let dir = tempfile::tempdir().unwrap();
        let cwd = dir.path();
        // Nothing there: every place is listed.
        let e = find(None, None, cwd).unwrap_err();
        assert_eq!(e.tried.len(), 5, "{e}");
        // ./hosts.toml
        std::fs::write(cwd.join("hosts.toml"), "").unwrap();
        assert_eq!(find(None, None, cwd).unwrap().root, cwd);
        // from inside group_data/, the parent folder's
        std::fs::create_dir(cwd.join("group_data")).unwrap();
        assert_eq!(find(None, None, &cwd.join("group_data")).unwrap().root, cwd);
        // ./inventory/ wins over ./
        std::fs::create_dir(cwd.join("inventory")).unwrap();
        std::fs::write(cwd.join("inventory/hosts.toml"), "").unwrap();
        assert_eq!(find(None, None, cwd).unwrap().root, cwd.join("inventory"));
        // $STRATA_INVENTORY wins over both, -i over everything.
        let other = cwd.join("other");
        std::fs::create_dir(&other).unwrap();
        assert_eq!(
            find(None, Some(other.to_str().unwrap()), cwd).unwrap().root,
            other
        );
        assert_eq!(
            find(Some(&cwd.join("inventory/hosts.toml")), Some("x"), cwd)
                .unwrap()
                .root,
            cwd.join("inventory")
        );
        let listed = find(Some(Path::new("web1,web2")), None, cwd).unwrap_err();
        assert!(
            listed.to_string().contains("--limit host1,host2"),
            "{listed}"
        );
        assert!(find(Some(&cwd.join("missing")), None, cwd).is_err());
        std::fs::write(cwd.join("inventory/prod.toml"), "").unwrap();
        assert!(find(Some(&cwd.join("inventory/prod.toml")), None, cwd).is_err());
    }

    #[test]
    fn display_bases() {
        let dir = tempfile::tempdir().unwrap();
        let cwd = dir.path();
        std::fs::create_dir_all(cwd.join("infra/prod")).unwrap();
        // (root, base)
        let cases = [
            (cwd.join("infra/prod"), "infra/prod/".to_string()),
            (cwd.to_path_buf(), String::new()),
            (PathBuf::from("infra/prod"), "infra/prod/".to_string()),
        ];
        for (root, want) in cases {
            let root = if root.is_relative() {
                cwd.join(root)
            } else {
                root
            };
            assert_eq!(display_base(&root, cwd), want, "{}", root.display());
        }
        // Outside the working directory: the path as given.
        let outside = display_base(Path::new("/"), &cwd.join("infra"));
        assert_eq!(outside, "/");
        let up = display_base(Path::new("../elsewhere"), cwd);
        assert_eq!(up, "../elsewhere/");
    }
}
