//! Reading files safely: inside the root, under a size limit, as UTF-8.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use strata_diagnostics::{Code, ReadBack};

use super::overlay::Overlay;

/// Files larger than this (64 MiB) are refused with [`Code::FileTooLarge`].
pub const MAX_FILE_SIZE: u64 = 64 * 1024 * 1024;

/// Why a file could not be turned into text.
#[derive(Debug)]
pub(crate) struct ReadProblem {
    pub code: Code,
    pub message: String,
    /// Text that could be read (the valid UTF-8 prefix), so a label can point at the bad byte.
    pub partial: String,
}

impl ReadProblem {
    fn new(code: Code, message: String) -> ReadProblem {
        ReadProblem {
            code,
            message,
            partial: String::new(),
        }
    }
}

/// What a directory listing says a path is, before anything is opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A regular file: open it.
    File,
    /// A symbolic link: resolve it and check where it leads first.
    Symlink,
    /// A FIFO, socket or device: never opened (opening a FIFO blocks).
    Other,
    /// No file at all: an editor's buffer for a file not yet saved
    /// ([`Overlay`]), whose text is read from the overlay.
    Unsaved,
}

impl Kind {
    pub fn of(ft: fs::FileType) -> Kind {
        if ft.is_symlink() {
            Kind::Symlink
        } else if ft.is_file() {
            Kind::File
        } else {
            Kind::Other
        }
    }
}

fn unreadable(display: &str, e: std::io::Error) -> ReadProblem {
    ReadProblem::new(Code::UnreadableFile, format!("cannot read {display}: {e}"))
}

/// The text of the file `name` (relative to `root`, `/`-separated) read
/// again, under the rules of [`read_text`]; `None` when it cannot be.
fn read_back(root: &Path, name: &str) -> Option<String> {
    let path = root.join(name);
    let kind = Kind::of(fs::symlink_metadata(&path).ok()?.file_type());
    read_text(root, &path, name, kind, Overlay::none()).ok()
}

/// Reads back the texts a [`Files`](strata_diagnostics::Files) store let go, under the inventory root
/// and by the rules of the first read ([`read_text`]): the reader a store
/// of files read from disk is made with.
#[derive(Debug)]
pub(crate) struct ReadBackUnder {
    /// The canonical inventory root the files' names are relative to.
    root: Arc<Path>,
}

impl ReadBackUnder {
    pub(crate) fn new(root: &Path) -> Arc<ReadBackUnder> {
        Arc::new(ReadBackUnder {
            root: Arc::from(root),
        })
    }
}

impl ReadBack for ReadBackUnder {
    fn read_back(&self, name: &str) -> Option<String> {
        read_back(&self.root, name)
    }
}

/// Reads `path` (which lies under `root`, itself canonical) as UTF-8 text.
///
/// A symbolic link is resolved first, and refused without being read when
/// its target lies outside `root`. Only regular files are opened; their size
/// is checked on the open file before reading. A file that passes these
/// checks and that `overlay` has a text for (by its name `display`) is not
/// opened: that text is the file's, under the same size limit.
pub(crate) fn read_text(
    root: &Path,
    path: &Path,
    display: &str,
    kind: Kind,
    overlay: &Overlay,
) -> Result<String, ReadProblem> {
    let kind = match kind {
        Kind::Symlink => {
            let target = fs::canonicalize(path).map_err(|e| {
                ReadProblem::new(
                    Code::UnreadableFile,
                    format!("cannot follow the symbolic link {display}: {e}"),
                )
            })?;
            if !target.starts_with(root) {
                return Err(ReadProblem::new(
                    Code::SymlinkOutsideRoot,
                    format!(
                        "{display} is a symbolic link to a file outside the inventory root; it was not read"
                    ),
                ));
            }
            Kind::of(
                fs::metadata(&target)
                    .map_err(|e| unreadable(display, e))?
                    .file_type(),
            )
        }
        k => k,
    };
    if kind == Kind::Unsaved {
        let text = overlay
            .get(display)
            .ok_or_else(|| ReadProblem::new(Code::UnreadableFile, format!("{display} is gone")))?;
        return within_limit(display, text);
    }
    if kind != Kind::File {
        return Err(ReadProblem::new(
            Code::UnreadableFile,
            format!("{display} is not a regular file"),
        ));
    }
    if let Some(text) = overlay.get(display) {
        return within_limit(display, text);
    }
    let file = fs::File::open(path).map_err(|e| unreadable(display, e))?;
    let len = file.metadata().map_err(|e| unreadable(display, e))?.len();
    if len > MAX_FILE_SIZE {
        return Err(ReadProblem::new(
            Code::FileTooLarge,
            format!(
                "{display} is {len} bytes, over the limit of {MAX_FILE_SIZE} bytes (64 MiB); it was not read"
            ),
        ));
    }
    let mut bytes = Vec::with_capacity(len as usize + 1);
    file.take(MAX_FILE_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| unreadable(display, e))?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(ReadProblem::new(
            Code::FileTooLarge,
            format!(
                "{display} grew past the limit of {MAX_FILE_SIZE} bytes (64 MiB) while being read"
            ),
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let mut bytes = e.into_bytes();
        bytes.truncate(valid);
        ReadProblem {
            code: Code::NotUtf8,
            message: format!("{display} is not UTF-8 text (invalid byte at offset {valid})"),
            partial: String::from_utf8(bytes).unwrap_or_default(),
        }
    })
}

/// A file found in a data directory.
#[derive(Debug)]
pub(crate) struct Found {
    /// Relative to the root, `/`-separated.
    pub display: String,
    /// Where the name starts in `display` (after `host_data/`).
    name_start: u32,
    pub kind: Kind,
    /// The full path, only when `root.join(display)` would not rebuild it
    /// (a file name that is not UTF-8). Kept small: a deferred listing holds
    /// one of these per host.
    path: Option<PathBuf>,
}

impl Found {
    /// The group or host name it stands for: `display` without the data
    /// directory and `.toml`.
    pub fn name(&self) -> &str {
        &self.display[self.name_start as usize..self.display.len() - ".toml".len()]
    }

    /// True when `root.join(display)` is where it is on disk (its name is
    /// UTF-8), so that it can be found again by its name.
    pub fn rebuilt(&self) -> bool {
        self.path.is_none()
    }

    /// Where it is on disk.
    pub fn path(&self, root: &Path) -> PathBuf {
        self.path
            .clone()
            .unwrap_or_else(|| root.join(&self.display))
    }
}

/// What a walk of a data directory turned up.
#[derive(Debug, Default)]
pub(crate) struct Walk {
    pub files: Vec<Found>,
    /// Files that are not `.toml` (warnings).
    pub strays: Vec<String>,
    /// Problems with entries (symlinks outside the root, unreadable directories).
    pub problems: Vec<(String, ReadProblem)>,
}

/// Whether a walk could list a file whose path below its directory has
/// these segments: none empty, `.` or `..`, hidden, a backup, or with NUL.
fn listable(parts: &[&str]) -> bool {
    !parts
        .iter()
        .any(|p| p.is_empty() || *p == "." || *p == ".." || skipped(p) || p.contains('\0'))
}

fn skipped(name: &str) -> bool {
    name.starts_with('.') || name.ends_with('~')
}

/// An overlaid text as a file's, under the size limit files are read under.
fn within_limit(display: &str, text: &str) -> Result<String, ReadProblem> {
    if text.len() as u64 > MAX_FILE_SIZE {
        return Err(ReadProblem::new(
            Code::FileTooLarge,
            format!(
                "{display} is {} bytes, over the limit of {MAX_FILE_SIZE} bytes (64 MiB); it was not read",
                text.len()
            ),
        ));
    }
    Ok(text.to_string())
}

impl Walk {
    /// Adds the buffers of `overlay` for `.toml` files under `dir_name`
    /// (down to `max_depth` levels) that do not exist on disk: a file an
    /// editor holds but has not saved yet is part of the inventory as
    /// typed. Only names the walk itself could list are taken (no empty,
    /// `.`, `..`, hidden or backup segment), and only where nothing at all
    /// is on disk, so an overlay never turns a path the walk refused (a
    /// link outside the root, a directory) into a file.
    pub(crate) fn add_unsaved(
        &mut self,
        root: &Path,
        dir_name: &str,
        max_depth: usize,
        ext: &str,
        overlay: &Overlay,
    ) {
        let before = self.files.len();
        for name in overlay.names() {
            let Some(rel) = name
                .strip_prefix(dir_name)
                .and_then(|r| r.strip_prefix('/'))
            else {
                continue;
            };
            let parts: Vec<&str> = rel.split('/').collect();
            if !name.ends_with(ext)
                || parts.len() > max_depth
                || !listable(&parts)
                || self.files.iter().any(|f| f.display == name)
                || fs::symlink_metadata(root.join(name)).is_ok()
            {
                continue;
            }
            self.files.push(Found {
                name_start: (dir_name.len() + 1) as u32,
                display: name.to_string(),
                kind: Kind::Unsaved,
                path: None,
            });
        }
        if self.files.len() > before {
            self.sort();
        }
    }
}

/// Lists the `.toml` files of `dir` (relative name `dir_name`), down to
/// `max_depth` levels; hidden files and editor backups are skipped.
pub(crate) fn walk(root: &Path, dir_name: &str, max_depth: usize) -> Walk {
    walk_ext(root, dir_name, max_depth, ".toml")
}

/// [`walk`] for files ending in `ext`, which must be five bytes long as
/// `.toml` is (`.json`), so that [`Found::name`] strips it.
pub(crate) fn walk_ext(root: &Path, dir_name: &str, max_depth: usize, ext: &str) -> Walk {
    debug_assert_eq!(ext.len(), ".toml".len());
    let dir = root.join(dir_name);
    let mut walk = Walk::default();
    match fs::symlink_metadata(&dir) {
        Err(_) => return walk,
        Ok(m) if m.file_type().is_symlink() => {
            if let Ok(target) = fs::canonicalize(&dir)
                && !target.starts_with(root)
            {
                walk.problems.push((
                    dir_name.to_string(),
                    ReadProblem::new(
                        Code::SymlinkOutsideRoot,
                        format!("{dir_name}/ is a symbolic link to a directory outside the inventory root; it was not read"),
                    ),
                ));
                return walk;
            }
        }
        Ok(_) => {}
    }
    let iter = walkdir::WalkDir::new(&dir)
        .follow_root_links(true)
        .follow_links(false)
        .min_depth(1)
        .max_depth(max_depth)
        .into_iter()
        .filter_entry(|e| !skipped(&e.file_name().to_string_lossy()));
    for entry in iter {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let display = e
                    .path()
                    .and_then(|p| p.strip_prefix(root).ok())
                    .map_or_else(|| dir_name.to_string(), slash_path);
                walk.problems.push((
                    display.clone(),
                    ReadProblem::new(Code::UnreadableFile, format!("cannot read {display}: {e}")),
                ));
                continue;
            }
        };
        let (display, exact) = relative(root, entry.path());
        let ft = entry.file_type();
        if ft.is_dir() {
            if entry.depth() >= max_depth {
                walk.strays.push(format!("{display}/"));
            }
            continue;
        }
        if ft.is_symlink() && !link_is_kept(root, entry.path(), &display, &mut walk) {
            continue;
        }
        if !display.ends_with(ext) {
            walk.strays.push(display);
            continue;
        }
        walk.files.push(Found {
            name_start: (dir_name.len() + 1) as u32,
            display,
            kind: Kind::of(ft),
            path: (!exact).then(|| entry.into_path()),
        });
    }
    // One sort at the end by relative path (cheap string comparisons),
    // rather than walkdir's per-directory sort, whose comparator rebuilds
    // each file name from its path: it was the walk's main cost.
    walk.sort();
    walk
}

/// The rule [`walk`] and [`lookup`] apply to a symbolic link `display` at
/// `path`: one leading outside the root is a problem, one to a directory a
/// stray (not followed); either way it is not kept (false). Anything else,
/// a broken link included, is kept and judged when read.
fn link_is_kept(root: &Path, path: &Path, display: &str, walk: &mut Walk) -> bool {
    match fs::canonicalize(path) {
        Ok(target) if !target.starts_with(root) => {
            walk.problems.push((
                display.to_string(),
                ReadProblem::new(
                    Code::SymlinkOutsideRoot,
                    format!("{display} is a symbolic link to a path outside the inventory root; it was not read"),
                ),
            ));
            false
        }
        Ok(target) if target.is_dir() => {
            walk.strays.push(format!(
                "{display}/ (a symbolic link to a directory, not followed)"
            ));
            false
        }
        _ => true,
    }
}

impl Walk {
    /// Files, strays and problems each by relative path.
    pub(crate) fn sort(&mut self) {
        self.files
            .sort_unstable_by(|a, b| a.display.cmp(&b.display));
        self.strays.sort_unstable();
        self.problems.sort_by(|a, b| a.0.cmp(&b.0));
    }
}

/// What [`walk`] of `dir_name` (down to `max_depth` levels) would report
/// about the file of one name, `<dir_name>/<name>.toml`, without listing the
/// directory: the file itself (when the walk would list it), and the
/// problems and strays the walk would report about `dir_name` itself or the
/// entries on the way to the file. Entries elsewhere in the directory are
/// not looked at.
///
/// The common cases cost a few `lstat` calls; unusual ones on the way (a
/// symbolic link or a special file where a sub-directory should be, an
/// entry that cannot be examined) run the walk and keep only what concerns
/// this file, so the rules are the walk's by construction.
pub(crate) fn lookup(root: &Path, dir_name: &str, max_depth: usize, name: &str) -> Walk {
    const EXT: &str = ".toml";
    let display = format!("{dir_name}/{name}{EXT}");
    let rel = &display[dir_name.len() + 1..];
    let parts: Vec<&str> = rel.split('/').collect();
    // Names the walk can never list: empty, `.` or `..` segments, hidden or
    // backup segments (skipped with all beneath them). On a platform whose
    // separator is not `/`, a name could mean another path.
    if std::path::MAIN_SEPARATOR != '/' || !listable(&parts) {
        return Walk::default();
    }
    let walked = || filtered(walk_ext(root, dir_name, max_depth, EXT), &display, name);
    let dir = root.join(dir_name);
    match fs::symlink_metadata(&dir) {
        Err(_) => return Walk::default(),
        Ok(m) if m.is_dir() => {}
        Ok(m) if m.file_type().is_symlink() => match fs::canonicalize(&dir) {
            Ok(target) if target.starts_with(root) && target.is_dir() => {}
            // Outside the root (refused), dangling or not a directory: the
            // walk reports it, and lists nothing behind it, so it is cheap.
            _ => return walked(),
        },
        // A file where the directory should be: the walk lists nothing.
        Ok(_) => return walked(),
    }
    // The directories on the way: the walk descends into real ones only.
    let mut path = dir;
    for (i, part) in parts.iter().enumerate() {
        path.push(part);
        let last = i + 1 == parts.len();
        let meta = match fs::symlink_metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Walk::default(),
            Err(_) => return walked(),
        };
        if i + 1 == max_depth && !last {
            // The file is too deep to be listed, but the walk reports what
            // it finds at its limit, which is on the way.
            return walked();
        }
        let ft = meta.file_type();
        if !last {
            if ft.is_dir() {
                continue;
            }
            return walked();
        }
        if ft.is_dir() {
            // Not a file; what the walk finds inside has other names.
            return walked();
        }
        let mut walk = Walk::default();
        if ft.is_symlink() && !link_is_kept(root, &path, &display, &mut walk) {
            return walk;
        }
        walk.files.push(Found {
            name_start: (dir_name.len() + 1) as u32,
            display,
            kind: Kind::of(ft),
            path: None,
        });
        return walk;
    }
    Walk::default()
}

/// Keeps, of a whole walk, what [`lookup`] reports for the file `display`
/// (of host or group `name`): that file, and strays and problems about it or
/// the directories on its way.
fn filtered(walk: Walk, display: &str, name: &str) -> Walk {
    let on_the_way = |entry: &str| {
        let path = entry
            .strip_suffix(" (a symbolic link to a directory, not followed)")
            .unwrap_or(entry)
            .trim_end_matches('/');
        display == path
            || display
                .strip_prefix(path)
                .is_some_and(|rest| rest.starts_with('/'))
    };
    Walk {
        files: walk
            .files
            .into_iter()
            .filter(|f| f.name() == name)
            .collect(),
        strays: walk.strays.into_iter().filter(|s| on_the_way(s)).collect(),
        problems: walk
            .problems
            .into_iter()
            .filter(|(p, _)| on_the_way(p))
            .collect(),
    }
}

/// `path` relative to `root`, `/`-separated. On Unix, where paths under the
/// root start with its bytes, this is a slice, not a walk over components.
///
/// The flag says whether `root.join(display)` gives `path` back exactly (it
/// does not for a name that is not UTF-8, which `display` shows lossily).
fn relative(root: &Path, path: &Path) -> (String, bool) {
    if std::path::MAIN_SEPARATOR == '/'
        && let (Some(r), Some(p)) = (root.to_str(), path.to_str())
        && let Some(rest) = p.strip_prefix(r)
    {
        return (rest.trim_start_matches('/').to_string(), true);
    }
    let display = slash_path(path.strip_prefix(root).unwrap_or(path));
    let exact = root.join(&display).as_os_str() == path.as_os_str();
    (display, exact)
}

/// `a/b/c` whatever the platform's separator.
pub(crate) fn slash_path(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
