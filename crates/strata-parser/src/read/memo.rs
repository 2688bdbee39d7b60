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

    /// How many files are kept.
    pub fn len(&self) -> usize {
        let hosts = self.hosts.lock().map_or(0, |h| usize::from(h.is_some()));
        self.entries.lock().map_or(0, |e| e.len()) + hosts
    }

    /// True when no file is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
