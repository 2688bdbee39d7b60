//! Exporting an inventory as it was at a git revision, for
//! `strata diff --base REV`.
//!
//! Every `git` run goes through [`run`](crate::run()) like every process
//! strata starts, from the repository's root:
//!
//! 1. `git rev-parse --show-toplevel`, from the inventory directory: the
//!    repository's root, and so the inventory's path inside it;
//! 2. `git ls-tree -r -z -l REV -- <path>/hosts.toml <path>/group_data
//!    <path>/host_data <path>/sources <path>/schema`: the names, modes and
//!    sizes of the files strata reads ([`read_by_strata`]), before any
//!    content is fetched, so a file over [`MAX_FILE_SIZE`] or an export over
//!    [`MAX_EXPORT`] is refused without git or strata inflating it;
//! 3. `git archive --format=tar.gz REV -- <pathspecs of those files>`,
//!    unpacked by [`unpack`] into a temporary directory that is removed when
//!    the [`Export`] is dropped;
//! 4. when the exported `sources/*.toml` name files of the inventory (a
//!    file source's `file`, a command's program or arguments), `git ls-tree`
//!    of each named file's folder and `git archive` of the named files and
//!    the other files of their folders (a script's helpers and settings),
//!    under the same limits.
//!
//! Nothing else is fetched: a file strata never reads is never inflated.
//! The working tree and the index are never touched, and nothing but `git`
//! runs. The unpacker writes only the files it was asked for, never through
//! a symbolic link (links are made last, and an entry whose parent is not a
//! folder it made is refused), and keeps the executable bit git records.

use std::collections::{BTreeSet, HashSet};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use strata_parser::MAX_FILE_SIZE;

use crate::process::{Command, RunError, run};

/// How long one `git` run may take.
pub const GIT_TIMEOUT: Duration = Duration::from_secs(120);

/// The files of one export together may hold at most this many bytes
/// (1 GiB); each one at most [`MAX_FILE_SIZE`] (64 MiB), the limit strata
/// applies when it reads an inventory file.
pub const MAX_EXPORT: u64 = 1024 * 1024 * 1024;

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
    /// The export was refused: a file or the whole over its limit, or an
    /// archive entry that would be written through a link, twice, or
    /// outside the temporary directory.
    Refused(String),
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
            GitError::Refused(why) => f.write_str(why),
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

/// The limits [`unpack`] applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of one file.
    pub file: u64,
    /// Bytes of every file written, together.
    pub total: u64,
    /// Bytes of the decompressed archive (tar headers and skipped entries
    /// included): what inflating may cost, whatever the archive holds.
    pub archive: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            file: MAX_FILE_SIZE,
            total: MAX_EXPORT,
            archive: 2 * MAX_EXPORT,
        }
    }
}

/// True for a path (relative to the inventory root, `/`-separated) that
/// strata reads when it loads an inventory: `hosts.toml`, `strata.toml`,
/// `group_data/*.toml`, `host_data/**/*.toml` (16 levels), `sources/*.toml`
/// and `schema/*.json`, without hidden names (`.x`) or backups (`x~`), as
/// the parser walks them. (The files that sources name are found in the
/// sources themselves.)
pub fn read_by_strata(rel: &str) -> bool {
    if rel == strata_parser::HOSTS_FILE || rel == strata_parser::SETTINGS_FILE {
        return true;
    }
    let mut parts = rel.split('/');
    let Some(dir) = parts.next() else {
        return false;
    };
    let rest: Vec<&str> = parts.collect();
    let (depth, ext) = match dir {
        strata_parser::GROUP_DATA_DIR | strata_parser::SOURCES_DIR => (1, ".toml"),
        strata_parser::HOST_DATA_DIR => (strata_parser::HOST_DATA_DEPTH, ".toml"),
        strata_parser::SCHEMA_DIR => (1, ".json"),
        _ => return false,
    };
    !rest.is_empty()
        && rest.len() <= depth
        && rest
            .iter()
            .all(|p| !p.is_empty() && !p.starts_with('.') && !p.ends_with('~'))
        && rest.last().is_some_and(|name| name.ends_with(ext))
}

/// One entry of `git ls-tree -l`: a file or a symbolic link.
#[derive(Debug)]
struct Listed {
    /// The path from the repository's root.
    path: String,
    size: u64,
}

/// Files and symbolic links of `git ls-tree -z -l` output (trees and
/// submodules carry no file).
fn parse_listing(out: &[u8]) -> Vec<Listed> {
    out.split(|&b| b == 0)
        .filter_map(|line| {
            let line = std::str::from_utf8(line).ok()?;
            let (meta, path) = line.split_once('\t')?;
            let mut meta = meta.split_whitespace();
            let mode = meta.next()?;
            let size = meta.nth(2)?;
            if !matches!(mode, "100644" | "100755" | "120000") {
                return None;
            }
            Some(Listed {
                path: path.to_string(),
                size: size.parse().ok()?,
            })
        })
        .collect()
}

/// A path given to git as itself, not as a pattern.
fn literal(path: &str) -> String {
    format!(":(literal){path}")
}

/// A path given to git inside a `:(glob)` pattern.
fn glob_escaped(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The files chosen for an export, with their sizes checked.
struct Chosen {
    paths: HashSet<String>,
    total: u64,
}

impl Chosen {
    fn add(&mut self, entry: &Listed, rev: &str) -> Result<(), GitError> {
        if !self.paths.insert(entry.path.clone()) {
            return Ok(());
        }
        if entry.size > MAX_FILE_SIZE {
            return Err(GitError::Refused(format!(
                "{} is {} bytes at `{rev}`, over the limit of {MAX_FILE_SIZE} bytes (64 MiB) for a file strata reads; it was not exported",
                entry.path, entry.size
            )));
        }
        self.total = self.total.saturating_add(entry.size);
        if self.total > MAX_EXPORT {
            return Err(GitError::Refused(format!(
                "the files strata reads at `{rev}` come to more than {MAX_EXPORT} bytes (1 GiB), the limit of one export; nothing was exported"
            )));
        }
        Ok(())
    }
}

/// Exports the inventory directory `inventory` (in a git working tree) as
/// it is at revision `rev`: the files strata reads ([`read_by_strata`]) and
/// the files its sources name, with the folders of those.
///
/// ```no_run
/// let export = strata_exec::git::export_inventory("infra/prod".as_ref(), "origin/main")?;
/// let old = export.inventory(); // load it like any inventory directory
/// # Ok::<(), strata_exec::git::GitError>(())
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
    // The inventory's path in the repository, with a trailing `/`.
    let prefix = if rel.is_empty() {
        String::new()
    } else {
        format!("{rel}/")
    };

    // The files strata reads, listed (names, sizes) before any is fetched.
    let dirs = [
        strata_parser::GROUP_DATA_DIR,
        strata_parser::HOST_DATA_DIR,
        strata_parser::SOURCES_DIR,
        strata_parser::SCHEMA_DIR,
    ];
    let mut args = ["ls-tree", "-r", "-z", "-l", rev, "--"].map_str();
    args.push(literal(&format!("{prefix}{}", strata_parser::HOSTS_FILE)));
    args.push(literal(&format!(
        "{prefix}{}",
        strata_parser::SETTINGS_FILE
    )));
    args.extend(dirs.iter().map(|d| literal(&format!("{prefix}{d}"))));
    let what = format!("git ls-tree {rev}");
    let listing = parse_listing(&git(&str_args(&args), &top, &what)?);
    let mut chosen = Chosen {
        paths: HashSet::new(),
        total: 0,
    };
    for entry in &listing {
        if let Some(r) = entry.path.strip_prefix(&prefix)
            && read_by_strata(r)
        {
            chosen.add(entry, rev)?;
        }
    }

    let hosts = format!("{prefix}{}", strata_parser::HOSTS_FILE);
    if !chosen.paths.contains(&hosts) {
        return Err(GitError::Refused(format!(
            "there is no {hosts} at `{rev}`: the inventory is not there at that revision"
        )));
    }

    let dir = tempfile::Builder::new()
        .prefix("strata-diff-")
        .tempdir()
        .map_err(GitError::Io)?;
    let inventory = if rel.is_empty() {
        dir.path().to_path_buf()
    } else {
        dir.path().join(&rel)
    };
    std::fs::create_dir_all(&inventory).map_err(GitError::Io)?;
    if !chosen.paths.is_empty() {
        // One pattern per place strata reads, for the places that hold a
        // file: git fails on a pattern that matches nothing.
        let esc = glob_escaped(&prefix);
        let mut specs = Vec::new();
        let mut has = |spec: String, under: &dyn Fn(&str) -> bool| {
            if chosen
                .paths
                .iter()
                .any(|p| p.strip_prefix(&prefix).is_some_and(under))
            {
                specs.push(spec);
            }
        };
        has(
            literal(&format!("{prefix}{}", strata_parser::HOSTS_FILE)),
            &|r| r == strata_parser::HOSTS_FILE,
        );
        has(
            literal(&format!("{prefix}{}", strata_parser::SETTINGS_FILE)),
            &|r| r == strata_parser::SETTINGS_FILE,
        );
        for (d, pattern) in dirs.iter().zip(["*.toml", "**/*.toml", "*.toml", "*.json"]) {
            has(format!(":(glob){esc}{d}/{pattern}"), &|r| {
                r.strip_prefix(d).is_some_and(|r| r.starts_with('/'))
            });
        }
        // Hidden names are not read; do not let git compress them either.
        specs.push(format!(":(exclude,glob){esc}**/.*"));
        specs.push(format!(":(exclude,glob){esc}**/.*/**"));
        archive(&top, rev, &specs, dir.path(), &chosen.paths)?;
    }

    // The files the sources name, and the other files of their folders.
    let folders = named_folders(&inventory, &chosen.paths, &prefix);
    if !folders.is_empty() {
        let mut args = ["ls-tree", "-z", "-l", rev, "--"].map_str();
        args.extend(folders.iter().map(|f| literal(&format!("{prefix}{f}"))));
        let listing = parse_listing(&git(&str_args(&args), &top, &what)?);
        let mut named = Chosen {
            paths: HashSet::new(),
            total: chosen.total,
        };
        for entry in listing.iter().filter(|e| !chosen.paths.contains(&e.path)) {
            named.add(entry, rev)?;
        }
        if !named.paths.is_empty() {
            let mut specs: Vec<String> = named.paths.iter().map(|p| literal(p)).collect();
            specs.sort();
            archive(&top, rev, &specs, dir.path(), &named.paths)?;
        }
    }
    Ok(Export {
        dir,
        inventory,
        path_in_repo: prefix,
    })
}

trait MapStr {
    fn map_str(self) -> Vec<String>;
}

impl<const N: usize> MapStr for [&str; N] {
    fn map_str(self) -> Vec<String> {
        self.iter().map(|s| (*s).to_string()).collect()
    }
}

fn str_args(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

/// `git archive` of `specs` at `rev`, unpacked under `dest`, keeping `paths` only.
fn archive(
    top: &Path,
    rev: &str,
    specs: &[String],
    dest: &Path,
    paths: &HashSet<String>,
) -> Result<(), GitError> {
    let mut args = ["archive", "--format=tar.gz", rev, "--"].map_str();
    args.extend(specs.iter().cloned());
    let tgz = git(&str_args(&args), top, &format!("git archive {rev}"))?;
    unpack(&tgz, dest, &|p| paths.contains(p), Limits::default())
}

/// The folders (relative to the inventory root, `/`-terminated, empty for
/// the root) of the files that the exported sources name: a file source's
/// `file`, and each element of a command that reads as a relative path (the
/// program `./scripts/cmdb.py`, an argument `scripts/cmdb.py`). Whether a
/// file is there is git's to say (`git ls-tree` of the folder).
fn named_folders(inventory: &Path, chosen: &HashSet<String>, prefix: &str) -> BTreeSet<String> {
    let mut folders = BTreeSet::new();
    let sources = format!("{prefix}{}/", strata_parser::SOURCES_DIR);
    let mut declarations: Vec<&String> = chosen
        .iter()
        .filter(|p| p.strip_prefix(&sources).is_some_and(|r| !r.contains('/')))
        .collect();
    declarations.sort();
    for decl in declarations {
        let path = inventory.join(&decl[prefix.len()..]);
        // Only a regular file the unpacker wrote is read (a link is not
        // followed), and no more of it than strata would read.
        let regular = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file());
        let mut text = String::new();
        if !regular
            || std::fs::File::open(&path)
                .and_then(|f| f.take(MAX_FILE_SIZE).read_to_string(&mut text))
                .is_err()
        {
            continue;
        }
        let Ok(table) = text.parse::<toml::Table>() else {
            continue;
        };
        let mut named: Vec<&str> = Vec::new();
        if let Some(toml::Value::String(f)) = table.get("file") {
            named.push(f);
        }
        if let Some(toml::Value::Array(argv)) = table.get("command") {
            named.extend(argv.iter().filter_map(toml::Value::as_str));
        }
        for name in named {
            if let Some(folder) = folder_of(name) {
                folders.insert(folder);
            }
        }
    }
    folders
}

/// The folder of `name` read as a path relative to the inventory root
/// (`./scripts/cmdb.py` → `scripts/`, `cmdb.py` → the root, ``), or `None`
/// for what cannot name a file of the root (absolute, `..`, empty).
fn folder_of(name: &str) -> Option<String> {
    if name.is_empty() || name.starts_with('/') || name.contains('\0') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in name.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            p => parts.push(p),
        }
    }
    parts.pop()?;
    Some(parts.iter().map(|p| format!("{p}/")).collect())
}

/// A reader that fails once more than `left` bytes have come through.
struct Bounded<R> {
    inner: R,
    left: u64,
    limit: u64,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.left = self.left.checked_sub(n as u64).ok_or_else(|| {
            io::Error::other(format!(
                "the archive from git decompresses to more than {} bytes",
                self.limit
            ))
        })?;
        Ok(n)
    }
}

fn refused(message: String) -> GitError {
    GitError::Refused(message)
}

/// Writes the files of a `.tar.gz` (from `git archive`) whose paths `keep`
/// accepts under `dest`, within `limits`.
///
/// Nothing is ever written through a symbolic link: regular files are
/// created new (an entry whose name is already taken, a tree holding a name
/// twice, is refused), each folder on the way is made here or checked to be
/// a folder and not a link (an entry whose parent is a link or a file is
/// refused), and symbolic links are made last, when nothing more is
/// written. A path that is absolute or holds `..` is refused. A file keeps
/// the executable bit of its mode (git records 100755 or 100644). Folder
/// entries are not needed (the folders of the files are made), and other
/// entries (pax headers, hard links, devices) carry no file and are skipped,
/// as are paths `keep` refuses and names that are not UTF-8. Every byte
/// inflated counts against `limits.archive`, written or skipped.
pub fn unpack(
    tgz: &[u8],
    dest: &Path,
    keep: &dyn Fn(&str) -> bool,
    limits: Limits,
) -> Result<(), GitError> {
    let io = GitError::Io;
    let stream = Bounded {
        inner: flate2::read::GzDecoder::new(tgz),
        left: limits.archive,
        limit: limits.archive,
    };
    let mut archive = tar::Archive::new(stream);
    let mut dirs = Dirs {
        dest,
        made: HashSet::new(),
    };
    let mut written: u64 = 0;
    let mut links: Vec<(PathBuf, PathBuf, String)> = Vec::new();
    for entry in archive.entries().map_err(io)? {
        let mut entry = entry.map_err(io)?;
        let kind = entry.header().entry_type();
        if !(kind.is_file() || kind.is_symlink()) {
            continue;
        }
        let raw = entry.path_bytes();
        let Ok(name) = std::str::from_utf8(&raw) else {
            continue;
        };
        let name = name.to_string();
        if !keep(&name) {
            continue;
        }
        let rel = relative(&name)?;
        if kind.is_symlink() {
            let target = entry.link_name().map_err(io)?;
            if let Some(target) = target {
                links.push((rel, target.into_owned(), name));
            }
            continue;
        }
        let size = entry.size();
        if size > limits.file {
            return Err(refused(format!(
                "{name} is {size} bytes, over the limit of {} bytes for one file",
                limits.file
            )));
        }
        if written.saturating_add(size) > limits.total {
            return Err(refused(format!(
                "the files of the archive come to more than {} bytes",
                limits.total
            )));
        }
        let executable = entry.header().mode().is_ok_and(|m| m & 0o111 != 0);
        let mut file = dirs.create_file(&rel, executable, &name)?;
        let n = io::copy(&mut (&mut entry).take(size), &mut file).map_err(io)?;
        written += n;
    }
    for (rel, target, name) in links {
        dirs.create_link(&rel, &target, &name)?;
    }
    Ok(())
}

/// `name` as a relative path of normal components, or refused.
fn relative(name: &str) -> Result<PathBuf, GitError> {
    let path = Path::new(name);
    let normal = path.components().all(|c| {
        matches!(
            c,
            std::path::Component::Normal(_) | std::path::Component::CurDir
        )
    });
    if !normal || name.starts_with('/') || path.file_name().is_none() {
        return Err(refused(format!(
            "the archive holds a path outside its folder: {name}"
        )));
    }
    Ok(path.to_path_buf())
}

/// The folders made under `dest`, so each is checked once.
struct Dirs<'a> {
    dest: &'a Path,
    made: HashSet<PathBuf>,
}

impl Dirs<'_> {
    /// Makes the folders of `rel`'s parent, one by one; a component that
    /// is already there must be a folder, not a link or a file.
    fn parent_of(&mut self, rel: &Path, name: &str) -> Result<PathBuf, GitError> {
        let mut path = self.dest.to_path_buf();
        let Some(parent) = rel.parent() else {
            return Ok(path);
        };
        for part in parent.components() {
            if let std::path::Component::CurDir = part {
                continue;
            }
            path.push(part);
            if self.made.contains(&path) {
                continue;
            }
            match std::fs::symlink_metadata(&path) {
                Ok(m) if m.is_dir() => {}
                Ok(_) => {
                    return Err(refused(format!(
                        "{name}: a folder on its way is a symbolic link or a file in the archive; nothing is written through it"
                    )));
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    std::fs::create_dir(&path).map_err(GitError::Io)?;
                }
                Err(e) => return Err(GitError::Io(e)),
            }
            self.made.insert(path.clone());
        }
        Ok(path)
    }

    fn taken(name: &str) -> GitError {
        refused(format!(
            "the archive holds {name} twice (or as a folder and a file); nothing is written over it"
        ))
    }

    fn create_file(
        &mut self,
        rel: &Path,
        executable: bool,
        name: &str,
    ) -> Result<std::fs::File, GitError> {
        let path = self
            .parent_of(rel, name)?
            .join(rel.file_name().unwrap_or_default());
        let mut options = std::fs::OpenOptions::new();
        // `create_new`: never opens what is there, a link included.
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(if executable { 0o755 } else { 0o644 });
        }
        #[cfg(not(unix))]
        let _ = executable;
        options.open(&path).map_err(|e| match e.kind() {
            io::ErrorKind::AlreadyExists => Self::taken(name),
            _ => GitError::Io(e),
        })
    }

    fn create_link(&mut self, rel: &Path, target: &Path, name: &str) -> Result<(), GitError> {
        let path = self
            .parent_of(rel, name)?
            .join(rel.file_name().unwrap_or_default());
        if self.made.contains(&path) {
            return Err(Self::taken(name));
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink(target, &path).map_err(|e| match e.kind() {
            io::ErrorKind::AlreadyExists => Self::taken(name),
            _ => GitError::Io(e),
        })?;
        #[cfg(not(unix))]
        let _ = (target, path);
        Ok(())
    }
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

    /// An entry of a test archive: a regular file (with its mode), or a
    /// symbolic link to a target.
    enum E<'a> {
        F(&'a str, &'a [u8]),
        X(&'a str, &'a [u8]),
        L(&'a str, &'a str),
    }

    fn tgz(entries: &[E<'_>]) -> Vec<u8> {
        let mut b = tar::Builder::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::fast(),
        ));
        for e in entries {
            let mut h = tar::Header::new_gnu();
            let (path, data): (&str, &[u8]) = match e {
                E::F(p, d) | E::X(p, d) => (p, d),
                E::L(p, _) => (p, b""),
            };
            h.set_size(data.len() as u64);
            h.set_mode(if matches!(e, E::X(..)) { 0o775 } else { 0o664 });
            match e {
                E::L(_, target) => {
                    h.set_entry_type(tar::EntryType::Symlink);
                    h.set_link_name(target).unwrap();
                }
                _ => h.set_entry_type(tar::EntryType::Regular),
            }
            // `append_data` refuses `..`; write the name raw to test ours.
            h.as_old_mut().name[..path.len()].copy_from_slice(path.as_bytes());
            h.set_cksum();
            b.append(&h, data).unwrap();
        }
        b.into_inner().unwrap().finish().unwrap()
    }

    fn all(_: &str) -> bool {
        true
    }

    fn unpack_all(entries: &[E<'_>], dest: &Path) -> Result<(), GitError> {
        unpack(&tgz(entries), dest, &all, Limits::default())
    }

    #[test]
    fn unpacks_files_and_refuses_paths_that_leave_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        unpack_all(
            &[
                E::F("inv/hosts.toml", b"web = []\n"),
                E::F("inv/group_data/a.toml", b"x = 1\n"),
            ],
            dir.path(),
        )
        .unwrap();
        assert_eq!(
            std::fs::read(dir.path().join("inv/group_data/a.toml")).unwrap(),
            b"x = 1\n"
        );
        for bad in ["../escape.toml", "/abs.toml", "inv/../../x.toml"] {
            let err = unpack_all(&[E::F(bad, b"x")], dir.path()).unwrap_err();
            assert!(
                err.to_string().contains("outside its folder"),
                "{bad}: {err}"
            );
        }
        assert!(!dir.path().parent().unwrap().join("escape.toml").exists());
    }

    /// The two writes of issue 19, item 1: a name held twice (a link to an
    /// outside file, then a file), and a file under a link.
    #[test]
    fn nothing_is_written_through_a_link() {
        let outside = tempfile::tempdir().unwrap();
        let victim = outside.path().join("victim.toml");
        std::fs::write(&victim, "untouched\n").unwrap();
        let victim_s = victim.to_str().unwrap();
        let out_s = outside.path().to_str().unwrap();
        let cases: &[(&[E<'_>], &str)] = &[
            (
                &[E::L("inv/x", victim_s), E::F("inv/x", b"pwned\n")],
                "holds inv/x twice",
            ),
            (
                &[E::F("inv/x", b"first\n"), E::L("inv/x", victim_s)],
                "holds inv/x twice",
            ),
            (
                &[
                    E::L("inv/link", out_s),
                    E::F("inv/link/pwned.toml", b"pwned\n"),
                ],
                "holds inv/link twice",
            ),
            (
                &[E::L("inv", out_s), E::L("inv/pwned.toml", victim_s)],
                "nothing is written through it",
            ),
            (
                &[E::F("inv/d/f", b"x"), E::L("inv/d", out_s)],
                "holds inv/d twice",
            ),
        ];
        for (entries, want) in cases {
            let dir = tempfile::tempdir().unwrap();
            let err = unpack_all(entries, dir.path()).unwrap_err();
            assert!(err.to_string().contains(want), "{want}: {err}");
            assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched\n");
            let names: Vec<_> = std::fs::read_dir(outside.path())
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect();
            assert_eq!(names, ["victim.toml"], "{want}");
        }
        // A link made by an earlier archive (the export's second `git
        // archive` unpacks into the same folder) is never a way through.
        let dir = tempfile::tempdir().unwrap();
        unpack_all(&[E::L("inv/link", out_s)], dir.path()).unwrap();
        for entry in [
            E::F("inv/link/pwned.toml", b"pwned\n"),
            E::F("inv/link", b"x"),
        ] {
            let err = unpack_all(&[entry], dir.path()).unwrap_err().to_string();
            assert!(
                err.contains("nothing is written through it")
                    || err.contains("holds inv/link twice"),
                "{err}"
            );
        }
        assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 1);
        // A link alone is made, last, as a link; its target is not touched.
        let dir = tempfile::tempdir().unwrap();
        unpack_all(
            &[E::L("inv/a.toml", "b.toml"), E::F("inv/b.toml", b"x = 1\n")],
            dir.path(),
        )
        .unwrap();
        let a = dir.path().join("inv/a.toml");
        assert!(std::fs::symlink_metadata(&a).unwrap().is_symlink());
        assert_eq!(std::fs::read(&a).unwrap(), b"x = 1\n");
    }

    #[cfg(unix)]
    #[test]
    fn the_executable_bit_is_kept() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        unpack_all(
            &[E::X("inv/s.sh", b"#!/bin/sh\n"), E::F("inv/d.json", b"{}")],
            dir.path(),
        )
        .unwrap();
        let mode = |p: &str| {
            std::fs::metadata(dir.path().join(p))
                .unwrap()
                .permissions()
                .mode()
                & 0o111
        };
        assert_ne!(mode("inv/s.sh"), 0);
        assert_eq!(mode("inv/d.json"), 0);
    }

    #[test]
    fn limits_and_the_filter_apply() {
        let big = vec![b'a'; 1000];
        let archive = tgz(&[
            E::F("inv/skipped.bin", &big),
            E::F("inv/a.toml", &big[..600]),
            E::F("inv/b.toml", &big[..600]),
        ]);
        let only_toml = |p: &str| p.ends_with(".toml");
        let limits = |file, total, archive| Limits {
            file,
            total,
            archive,
        };
        let dir = tempfile::tempdir().unwrap();
        unpack(&archive, dir.path(), &only_toml, limits(600, 1200, 10_000)).unwrap();
        assert!(!dir.path().join("inv/skipped.bin").exists());
        assert!(dir.path().join("inv/b.toml").exists());
        for (l, want) in [
            (limits(599, 1200, 10_000), "over the limit of 599 bytes"),
            (limits(600, 1199, 10_000), "more than 1199 bytes"),
            (
                limits(600, 1200, 2000),
                "decompresses to more than 2000 bytes",
            ),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let err = unpack(&archive, dir.path(), &only_toml, l).unwrap_err();
            assert!(err.to_string().contains(want), "{want}: {err}");
        }
    }

    #[test]
    fn what_strata_reads() {
        for yes in [
            "hosts.toml",
            "strata.toml",
            "group_data/all.toml",
            "host_data/@ssh/10.0.0.5.toml",
            "sources/cmdb.toml",
            "schema/all.json",
        ] {
            assert!(read_by_strata(yes), "{yes}");
        }
        let deep = format!("host_data/{}h.toml", "d/".repeat(16));
        for no in [
            "README.md",
            "sub/hosts.toml",
            "sub/strata.toml",
            "group_data/notes.md",
            "group_data/sub/a.toml",
            "group_data/.hidden.toml",
            "host_data/.git/x.toml",
            "host_data/w1.toml~",
            "sources/x.json",
            "schema/all.toml",
            "exports/cmdb.json",
            "group_data",
            &deep,
        ] {
            assert!(!read_by_strata(no), "{no}");
        }
    }

    #[test]
    fn folders_of_named_files() {
        let cases = [
            ("./scripts/cmdb.py", Some("scripts/")),
            ("exports/cmdb.json", Some("exports/")),
            ("cmdb.py", Some("")),
            ("a/./b//c", Some("a/b/")),
            ("../x", None),
            ("a/../../x", None),
            ("/usr/bin/python3", None),
            ("", None),
        ];
        for (name, want) in cases {
            assert_eq!(folder_of(name).as_deref(), want, "{name}");
        }
    }

    #[test]
    fn listings_keep_files_and_links() {
        let out = b"100644 blob 1111111111111111111111111111111111111111       9\tinv/hosts.toml\0\
120000 blob 2222222222222222222222222222222222222222       4\tinv/l\0\
040000 tree 3333333333333333333333333333333333333333       -\tinv/d\0\
160000 commit 4444444444444444444444444444444444444444       -\tinv/sub\0\
100755 blob 5555555555555555555555555555555555555555 2147483648\tinv/tab\there\0";
        let listing = parse_listing(out);
        let listed: Vec<(&str, u64)> = listing.iter().map(|l| (l.path.as_str(), l.size)).collect();
        assert_eq!(
            listed,
            [
                ("inv/hosts.toml", 9),
                ("inv/l", 4),
                ("inv/tab\there", 2147483648)
            ]
        );
    }
}
