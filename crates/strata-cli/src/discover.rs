//! Finding the inventory: `-i`, `$STRATA_INVENTORY`, `./inventory/`, `./`.

use std::path::{Path, PathBuf};

const HOSTS_FILE: &str = "hosts.toml";

/// No inventory could be found; lists what was tried.
#[derive(Debug)]
pub struct NotFound {
    pub tried: Vec<String>,
}

impl std::fmt::Display for NotFound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "no inventory found; tried:")?;
        for t in &self.tried {
            writeln!(f, "  {t}")?;
        }
        write!(
            f,
            "point -i at an inventory directory (one holding hosts.toml), or set STRATA_INVENTORY"
        )
    }
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
            })
        }
    } else {
        Err(NotFound {
            tried: vec![format!("{what} (does not exist)")],
        })
    }
}

/// Resolves the inventory root. `explicit` is `-i`, `env` is `$STRATA_INVENTORY`.
pub fn find(explicit: Option<&Path>, env: Option<&str>, cwd: &Path) -> Result<PathBuf, NotFound> {
    if let Some(p) = explicit {
        return root_of(p, &format!("-i {}", p.display()));
    }
    if let Some(e) = env.filter(|e| !e.is_empty()) {
        return root_of(Path::new(e), &format!("STRATA_INVENTORY={e}"));
    }
    let mut tried = vec![
        "-i (not given)".to_string(),
        "STRATA_INVENTORY (not set)".to_string(),
    ];
    for dir in ["inventory", "."] {
        let candidate = cwd.join(dir);
        if candidate.join(HOSTS_FILE).is_file() {
            return Ok(if dir == "." {
                cwd.to_path_buf()
            } else {
                candidate
            });
        }
        tried.push(format!("./{dir}/{HOSTS_FILE} (not found)").replace("/./", "/"));
    }
    Err(NotFound { tried })
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
        assert_eq!(e.tried.len(), 4, "{e}");
        // ./hosts.toml
        std::fs::write(cwd.join("hosts.toml"), "").unwrap();
        assert_eq!(find(None, None, cwd).unwrap(), cwd);
        // ./inventory/ wins over ./
        std::fs::create_dir(cwd.join("inventory")).unwrap();
        std::fs::write(cwd.join("inventory/hosts.toml"), "").unwrap();
        assert_eq!(find(None, None, cwd).unwrap(), cwd.join("inventory"));
        // $STRATA_INVENTORY wins over both, -i over everything.
        let other = cwd.join("other");
        std::fs::create_dir(&other).unwrap();
        assert_eq!(
            find(None, Some(other.to_str().unwrap()), cwd).unwrap(),
            other
        );
        assert_eq!(
            find(Some(&cwd.join("inventory/hosts.toml")), Some("x"), cwd).unwrap(),
            cwd.join("inventory")
        );
        assert!(find(Some(&cwd.join("missing")), None, cwd).is_err());
        std::fs::write(cwd.join("inventory/prod.toml"), "").unwrap();
        assert!(find(Some(&cwd.join("inventory/prod.toml")), None, cwd).is_err());
    }
}
