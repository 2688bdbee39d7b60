//! The memo of parsed data files that a process reading the same
//! inventory again and again keeps ([`ParseMemo`]), and what it keeps.

use std::collections::HashMap;

use strata_diagnostics::{Code, Diagnostic};

use super::disk::Kind;
use crate::model::{DataTable, HostsFile};

/// One data file as `data::parse_files` left it, for `data::add_files`
/// (and for the memo).
#[derive(Clone, Debug)]
pub(crate) struct Parsed {
    /// Empty when it was let go (`stamp`).
    pub(crate) text: String,
    /// The text's [`strata_diagnostics::stamp`], when the text was let go.
    pub(crate) stamp: Option<u64>,
    pub(crate) table: DataTable,
    pub(crate) ok: bool,
    pub(crate) problem: Option<(Code, String)>,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

/// Data files (`group_data/`, `host_data/`) parsed by earlier reads of one
/// inventory, reused while they are unchanged: a process that reads the
/// same inventory again and again (the language server, after each edit)
/// then re-reads and re-parses only the files that changed.
///
/// A file is unchanged when it keeps its number in the file store, and
/// either its overlaid text is the same, or, read from disk as a regular
/// file (not through a symbolic link), its size and modification time are
/// (one `lstat`, no read). Files that could not be read are never kept,
/// nor files modified in the last two seconds (a rewrite of the same size
/// within one tick of the filesystem's clock would keep its time).
/// Give the same memo only to reads of the same inventory root.
#[derive(Debug, Default)]
pub struct ParseMemo {
    entries: std::sync::Mutex<HashMap<String, Kept>>,
    hosts: std::sync::Mutex<Option<(Version, ParsedHosts)>>,
    reads: std::sync::Mutex<HashMap<String, KeptRead>>,
}

/// What one read of a small file added (strata.toml, a source declaration
/// with its document, a schema): the files, by name, version and text
/// stamp, from the store's number `first` on, its diagnostics and its
/// result. No text is kept: on reuse, a file's text is the overlay's (the
/// version then says it is the same) or is let go.
struct KeptRead {
    first: strata_diagnostics::FileId,
    files: Vec<(String, Version, u64)>,
    diagnostics: Vec<Diagnostic>,
    value: std::sync::Arc<dyn std::any::Any + Send + Sync>,
}

impl std::fmt::Debug for KeptRead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeptRead")
            .field("first", &self.first)
            .field("files", &self.files)
            .finish_non_exhaustive()
    }
}

/// `hosts.toml` as parsed, without its text: on reuse, the text is the
/// overlay's (the version then says it is the same) or is let go.
#[derive(Clone, Debug)]
pub(crate) struct ParsedHosts {
    /// The text's [`strata_diagnostics::stamp`].
    pub(crate) stamp: u64,
    pub(crate) hosts: HostsFile,
    pub(crate) ok: bool,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

/// What identifies a file's content without reading it again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Version {
    /// An overlaid text, by its hash.
    Text(u64),
    /// A file on disk, by size and modification time.
    Disk(u64, std::time::SystemTime),
}

/// How old a file's modification time must be for its size and time to
/// stand for its content: a file rewritten with the same size within one
/// tick of a coarse clock (a second on some filesystems) keeps its time, so
/// a parse is kept only for a file last modified longer ago than that
/// (what git calls "racily clean"); a newer one is read again next time.
const SETTLED: std::time::Duration = std::time::Duration::from_secs(2);

impl Version {
    /// The version of the file at `path`, of kind `kind`, when it can be
    /// kept: an overlaid text (`overlaid`) by its hash; a regular file on
    /// disk by its size and modification time (one `lstat`, no read);
    /// nothing else (a symbolic link is checked again each time).
    pub(crate) fn of(
        path: &std::path::Path,
        kind: Kind,
        overlaid: Option<&str>,
    ) -> Option<Version> {
        if !matches!(kind, Kind::File | Kind::Unsaved) {
            return None;
        }
        match overlaid {
            Some(text) => Some(Version::Text(strata_diagnostics::stamp(text))),
            None => std::fs::symlink_metadata(path)
                .ok()
                .filter(|m| m.is_file())
                .and_then(|m| Some(Version::Disk(m.len(), m.modified().ok()?))),
        }
    }

    /// True for a file on disk modified less than [`SETTLED`] ago (or in
    /// the future): its size and time do not yet say it is unchanged.
    pub(crate) fn is_recent(&self) -> bool {
        match self {
            Version::Text(_) => false,
            Version::Disk(_, modified) => !modified.elapsed().is_ok_and(|age| age >= SETTLED),
        }
    }
}

#[derive(Debug)]
struct Kept {
    file: strata_diagnostics::FileId,
    version: Version,
    parsed: Parsed,
}

impl ParseMemo {
    /// The file `display`'s parse, when it was kept with this number and
    /// version.
    pub(crate) fn get(
        &self,
        display: &str,
        file: strata_diagnostics::FileId,
        version: Version,
    ) -> Option<Parsed> {
        let entries = self.entries.lock().ok()?;
        let kept = entries.get(display)?;
        (kept.file == file && kept.version == version).then(|| kept.parsed.clone())
    }

    /// Keeps a parse of the file `display`.
    pub(crate) fn keep(
        &self,
        display: &str,
        file: strata_diagnostics::FileId,
        version: Version,
        parsed: &Parsed,
    ) {
        if let Ok(mut entries) = self.entries.lock() {
            let kept = Kept {
                file,
                version,
                parsed: parsed.clone(),
            };
            entries.insert(display.to_string(), kept);
        }
    }

    /// `hosts.toml`'s parse, when it was kept at this version.
    pub(crate) fn hosts(&self, version: Version) -> Option<ParsedHosts> {
        let kept = self.hosts.lock().ok()?;
        let (v, parsed) = kept.as_ref()?;
        (*v == version).then(|| parsed.clone())
    }

    /// Keeps `hosts.toml`'s parse (in place of the one kept before).
    pub(crate) fn keep_hosts(&self, version: Version, parsed: ParsedHosts) {
        if let Ok(mut kept) = self.hosts.lock() {
            *kept = Some((version, parsed));
        }
    }

    /// What the read called `name` gave last time, when the files it added
    /// are unchanged and the store has as many files as then: the files
    /// are added to `files` again (their texts from `overlay`, or let go)
    /// and its result and diagnostics returned. `None` otherwise: read
    /// again.
    fn replay<T: Clone + 'static>(
        &self,
        name: &str,
        root: &std::path::Path,
        files: &mut strata_diagnostics::Files,
        overlay: &super::overlay::Overlay,
    ) -> Option<(T, Vec<Diagnostic>)> {
        let reads = self.reads.lock().ok()?;
        let kept = reads.get(name)?;
        if kept.first.index() != files.len() {
            return None;
        }
        for (file, version, _) in &kept.files {
            let overlaid = overlay.get(file);
            if overlaid.is_none() && !files.can_let_go() {
                return None;
            }
            if version_of(root, file, overlaid) != Some(*version) {
                return None;
            }
        }
        let value = kept.value.downcast_ref::<T>()?.clone();
        for (file, _, stamp) in &kept.files {
            match overlay.get(file) {
                Some(text) => files.add(file.clone(), text.to_string()),
                None => files.add_unkept(file.clone(), *stamp),
            };
        }
        Some((value, kept.diagnostics.clone()))
    }

    /// Keeps what the read called `name` gave: the files it added to
    /// `files` from number `first` on, and its result, `value` and
    /// `diagnostics`; unless
    /// one of the files cannot be kept (a symbolic link, a file modified
    /// too recently, not a regular file) or the read found an error (a
    /// missing file it looked for would not show as changed).
    fn record<T: Clone + Send + Sync + 'static>(
        &self,
        name: &str,
        root: &std::path::Path,
        files: &strata_diagnostics::Files,
        first: usize,
        overlay: &super::overlay::Overlay,
        (value, diagnostics): (&T, &[Diagnostic]),
    ) {
        if diagnostics.iter().any(Diagnostic::is_error) {
            self.forget(name);
            return;
        }
        let mut kept = Vec::new();
        for index in first..files.len() {
            let file = files.get(strata_diagnostics::FileId::from_index(index));
            let version = version_of(root, file.name(), overlay.get(file.name()));
            match version {
                Some(v) if !v.is_recent() && !file.is_virtual() => {
                    kept.push((
                        file.name().to_string(),
                        v,
                        strata_diagnostics::stamp(file.text()),
                    ));
                }
                _ => {
                    self.forget(name);
                    return;
                }
            }
        }
        if let Ok(mut reads) = self.reads.lock() {
            let read = KeptRead {
                first: strata_diagnostics::FileId::from_index(first),
                files: kept,
                diagnostics: diagnostics.to_vec(),
                value: std::sync::Arc::new(value.clone()),
            };
            reads.insert(name.to_string(), read);
        }
    }

    /// Reads the file `name` with `read` (which adds what it reads to
    /// `files` and its problems to `diagnostics`), or, with a memo in
    /// `overlay`, gives what the last read of it gave while the files that
    /// read added are unchanged ([`ParseMemo::replay`]), and keeps what a
    /// new read gives ([`ParseMemo::record`]).
    pub(crate) fn read_kept<T: Clone + Send + Sync + 'static>(
        name: &str,
        root: &std::path::Path,
        files: &mut strata_diagnostics::Files,
        diagnostics: &mut Vec<Diagnostic>,
        overlay: &super::overlay::Overlay,
        read: impl FnOnce(&mut strata_diagnostics::Files, &mut Vec<Diagnostic>) -> T,
    ) -> T {
        let memo = overlay.memo();
        if let Some((value, kept)) = memo.and_then(|m| m.replay(name, root, files, overlay)) {
            diagnostics.extend(kept);
            return value;
        }
        let (first, before) = (files.len(), diagnostics.len());
        let value = read(files, diagnostics);
        if let Some(memo) = memo {
            let found = (&value, &diagnostics[before..]);
            memo.record(name, root, files, first, overlay, found);
        }
        value
    }

    fn forget(&self, name: &str) {
        if let Ok(mut reads) = self.reads.lock() {
            reads.remove(name);
        }
    }

    /// How many files are kept.
    pub fn len(&self) -> usize {
        let hosts = self.hosts.lock().map_or(0, |h| usize::from(h.is_some()));
        let reads = self.reads.lock().map_or(0, |r| r.len());
        self.entries.lock().map_or(0, |e| e.len()) + hosts + reads
    }

    /// True when no file is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The version of the file `name` (relative to `root`) as
/// [`Version::of`] says, looked up on disk (one `lstat`).
fn version_of(root: &std::path::Path, name: &str, overlaid: Option<&str>) -> Option<Version> {
    let path = root.join(name);
    let kind = match std::fs::symlink_metadata(&path) {
        Ok(meta) => Kind::of(meta.file_type()),
        Err(_) if overlaid.is_some() => Kind::Unsaved,
        Err(_) => return None,
    };
    Version::of(&path, kind, overlaid)
}
