//! Exporting an inventory as it was at a git revision, for
//! `strata diff --base REV`.
//!
//! Two `git` runs, through [`run`](crate::run()) like every process strata
//! starts:
//!
//! 1. `git rev-parse --show-toplevel`, from the inventory directory: the
//!    repository's root, and so the inventory's path inside it;
//! 2. `git archive --format=tar.gz REV -- <path>`, from that root: the
//!    inventory's files at REV, compressed (a 100,000-host inventory is a
//!    tar of about 100 MB but a few MB compressed), unpacked here into a
//!    temporary directory that is removed when the [`Export`] is dropped.
//!
//! Only files under the inventory's path are exported; the working tree
//! and the index are never touched, and nothing but `git` runs.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::process::{Command, RunError, run};

/// How long one `git` run may take.
pub const GIT_TIMEOUT: Duration = Duration::from_secs(120);

/// An inventory exported from git into a temporary directory.
#[derive(Debug)]
pub struct Export {
    dir: tempfile::TempDir,
    inventory: PathBuf,
    path_in_repo: String,
}

impl Export {
    /// The exported inventory directory (inside the temporary directory).
    pub fn inventory(&self) -> &Path {
        &self.inventory
    }

    /// The inventory's path inside the repository, `/`-separated, with a
    /// trailing `/` (empty when the inventory is the repository's root).
    pub fn path_in_repo(&self) -> &str {
        &self.path_in_repo
    }

    /// The temporary directory that holds the export.
    pub fn temp_dir(&self) -> &Path {
        self.dir.path()
    }
}

/// Why an inventory could not be exported from git.
#[derive(Debug)]
pub enum GitError {
    /// The revision is not one git could read as a revision (it starts
    /// with `-`, so git would read it as an option).
    BadRevision(String),
    /// `git` could not be run to its end.
    Run(RunError),
    /// `git` ran and failed; its stderr says why.
    Failed {
        /// What was being done (`git archive`).
        what: String,
        /// git's stderr, trimmed.
        stderr: String,
    },
    /// The inventory directory is not inside the repository git named.
    OutsideRepository(PathBuf),
    /// Reading the archive or writing the temporary directory failed.
    Io(std::io::Error),
}

impl std::fmt::Display for GitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GitError::BadRevision(rev) => write!(f, "`{rev}` is not a git revision"),
            GitError::Run(e) => write!(f, "could not run git: {e}"),
            GitError::Failed { what, stderr } => write!(f, "{what} failed: {stderr}"),
            GitError::OutsideRepository(p) => write!(
                f,
                "{} is not inside the git repository that contains it",
                p.display()
            ),
            GitError::Io(e) => write!(f, "could not unpack the archive from git: {e}"),
        }
    }
}

impl std::error::Error for GitError {}

fn git(args: &[&str], cwd: &Path, what: &str) -> Result<Vec<u8>, GitError> {
    let argv = std::iter::once("git").chain(args.iter().copied());
    let out = run(&Command::new(argv).cwd(cwd).timeout(GIT_TIMEOUT)).map_err(GitError::Run)?;
    if !out.success() {
        return Err(GitError::Failed {
            what: what.to_string(),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    Ok(out.stdout)
}

/// Exports the inventory directory `inventory` (in a git working tree) as
/// it is at revision `rev`.
///
/// ```no_run
/// let export = strata_sources::git::export_inventory("infra/prod".as_ref(), "origin/main")?;
/// let old = export.inventory(); // load it like any inventory directory
/// # Ok::<(), strata_sources::git::GitError>(())
/// ```
pub fn export_inventory(inventory: &Path, rev: &str) -> Result<Export, GitError> {
    if rev.is_empty() || rev.starts_with('-') {
        return Err(GitError::BadRevision(rev.to_string()));
    }
    let top = git(
        &["rev-parse", "--show-toplevel"],
        inventory,
        "git rev-parse --show-toplevel",
    )?;
    let top = PathBuf::from(String::from_utf8_lossy(&top).trim_end_matches(['\n', '\r']));
    let canonical = |p: &Path| std::fs::canonicalize(p).map_err(GitError::Io);
    let (top, inv) = (canonical(&top)?, canonical(inventory)?);
    let rel = inv
        .strip_prefix(&top)
        .map_err(|_| GitError::OutsideRepository(inventory.to_path_buf()))?;
    let rel: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let rel = rel.join("/");
    let pathspec = if rel.is_empty() { "." } else { rel.as_str() };
    let what = format!("git archive {rev} -- {pathspec}");
    let tgz = git(
        &["archive", "--format=tar.gz", rev, "--", pathspec],
        &top,
        &what,
    )?;
    let dir = tempfile::Builder::new()
        .prefix("strata-diff-")
        .tempdir()
        .map_err(GitError::Io)?;
    unpack(&tgz, dir.path())?;
    let inventory = if rel.is_empty() {
        dir.path().to_path_buf()
    } else {
        dir.path().join(&rel)
    };
    Ok(Export {
        dir,
        inventory,
        path_in_repo: if rel.is_empty() {
            String::new()
        } else {
            format!("{rel}/")
        },
    })
}

/// Writes the regular files and directories of a `.tar.gz` under `dest`.
///
/// `tar`'s own `unpack` checks every entry's parent directory with a
/// `canonicalize` (several system calls per file, seconds for 100,000
/// files); an archive from `git archive` needs less care: paths are
/// relative and `/`-separated, and anything else (an absolute path, `..`)
/// is refused here. Symbolic links are recreated as links (on Unix), and
/// the parser refuses any that leads outside the inventory, as for any
/// inventory; other entry types (pax headers) carry no file.
fn unpack(tgz: &[u8], dest: &Path) -> Result<(), GitError> {
    use std::collections::HashSet;
    use std::io::Read;
    use std::path::Component;

    let io = GitError::Io;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(tgz));
    let mut made: HashSet<PathBuf> = HashSet::new();
    let mut buf = Vec::new();
    for entry in archive.entries().map_err(io)? {
        let mut entry = entry.map_err(io)?;
        let path = entry.path().map_err(io)?.into_owned();
        if path
            .components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
        {
            return Err(GitError::Io(std::io::Error::other(format!(
                "the archive holds a path outside its folder: {}",
                path.display()
            ))));
        }
        let target = dest.join(&path);
        let kind = entry.header().entry_type();
        if kind.is_dir() {
            if made.insert(target.clone()) {
                std::fs::create_dir_all(&target).map_err(io)?;
            }
            continue;
        }
        if !(kind.is_file() || kind.is_symlink()) {
            continue;
        }
        if let Some(parent) = target.parent()
            && !made.contains(parent)
        {
            std::fs::create_dir_all(parent).map_err(io)?;
            made.insert(parent.to_path_buf());
        }
        if kind.is_symlink() {
            #[cfg(unix)]
            if let Some(link) = entry.link_name().map_err(io)? {
                std::os::unix::fs::symlink(link, &target).map_err(io)?;
            }
            continue;
        }
        buf.clear();
        entry.read_to_end(&mut buf).map_err(io)?;
        std::fs::write(&target, &buf).map_err(io)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revisions_that_read_as_options_are_refused() {
        for rev in ["", "-o", "--output=/tmp/x"] {
            let err = export_inventory(Path::new("."), rev).unwrap_err();
            assert!(matches!(err, GitError::BadRevision(_)), "{rev}: {err}");
        }
    }

    fn tgz(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::fast(),
        ));
        for (path, data) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_entry_type(tar::EntryType::Regular);
            // `append_data` refuses `..`; write the name raw to test ours.
            h.as_old_mut().name[..path.len()].copy_from_slice(path.as_bytes());
            h.set_cksum();
            b.append(&h, *data).unwrap();
        }
        b.into_inner().unwrap().finish().unwrap()
    }

    #[test]
    fn unpacks_files_and_refuses_paths_that_leave_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        unpack(
            &tgz(&[
                ("inv/hosts.toml", b"web = []\n"),
                ("inv/group_data/a.toml", b"x = 1\n"),
            ]),
            dir.path(),
        )
        .unwrap();
        assert_eq!(
            std::fs::read(dir.path().join("inv/group_data/a.toml")).unwrap(),
            b"x = 1\n"
        );
        for bad in ["../escape.toml", "/abs.toml", "inv/../../x.toml"] {
            let err = unpack(&tgz(&[(bad, b"x")]), dir.path()).unwrap_err();
            assert!(
                err.to_string().contains("outside its folder"),
                "{bad}: {err}"
            );
        }
        assert!(!dir.path().parent().unwrap().join("escape.toml").exists());
    }
}
