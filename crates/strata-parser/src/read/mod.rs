//! Reading an inventory directory: `hosts.toml`, `group_data/`,
//! `host_data/`, `sources/`, `schema/` and `strata.toml`, into a
//! [`RawInventory`].
//!
//! This is the only part of the crate that touches the filesystem, and it
//! reads only inside the inventory root ([`disk`] says how). It never
//! fails: every problem becomes a diagnostic. What a file says is left to
//! the parsers (`hosts`, `convert`, `external`, `json`).

mod data;
mod disk;
mod external;
mod memo;
mod overlay;
mod problems;
mod schema;
mod settings;

use std::path::{Path, PathBuf};

use strata_diagnostics::{Code, Diagnostic, Files, Span};

pub use disk::MAX_FILE_SIZE;
pub use memo::ParseMemo;
pub use overlay::Overlay;
pub use schema::{SCHEMA_DIR, SchemaFile, read_schemas, read_schemas_overlaid};

use crate::convert::Keys;
use crate::external::{SourceDecl, SourceDoc};
use crate::model::{DataFile, HostsFile};
use problems::{NOT_TOML, report_walk};

/// The name of the hosts file inside the inventory root.
pub const HOSTS_FILE: &str = "hosts.toml";
/// The directory of group data files.
pub const GROUP_DATA_DIR: &str = "group_data";
/// The directory of host data files.
pub const HOST_DATA_DIR: &str = "host_data";

/// How deep `host_data/` is walked (connector hosts use sub-directories).
pub const HOST_DATA_DEPTH: usize = 16;

/// Everything read from one inventory directory.
#[derive(Debug)]
pub struct RawInventory {
    /// The inventory root, canonicalized.
    pub root: PathBuf,
    /// Every file read, for spans and diagnostics.
    pub files: Files,
    /// `hosts.toml`, when it exists. When it had syntax errors, the groups
    /// are what could be recovered and `hosts_ok` is false.
    pub hosts: Option<HostsFile>,
    /// False when `hosts.toml` is missing, unreadable or has syntax errors.
    pub hosts_ok: bool,
    /// Files of `group_data/`, sorted by name.
    pub group_files: Vec<DataFile>,
    /// Files of `host_data/`, sorted by name (empty when deferred).
    pub host_files: Vec<DataFile>,
    /// Files of `host_data/` listed but not read, with
    /// [`HostData::Defer`].
    pub deferred_host_files: Vec<DeferredFile>,
    /// `sources/*.toml`, sorted by name (those with errors left out).
    pub source_decls: Vec<SourceDecl>,
    /// The documents of `file` sources, read and parsed, in name order
    /// (command sources are fetched later, by the loader).
    pub source_docs: Vec<SourceDoc>,
    /// `strata.toml`: the inventory's settings (empty without the file).
    pub settings: crate::settings::Settings,
    /// Every problem found while reading, in file order.
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads the inventory directory at `root`: `hosts.toml`, every
/// `group_data/*.toml` and every `host_data/**/*.toml`.
///
/// This never fails: every problem becomes a [`Diagnostic`] in
/// [`RawInventory::diagnostics`]. Data files are read and parsed in
/// parallel.
pub fn read_inventory(root: impl AsRef<Path>) -> RawInventory {
    read_inventory_with(root, HostData::Read)
}

/// [`read_inventory`], choosing whether `host_data/` is read now or deferred.
pub fn read_inventory_with(root: impl AsRef<Path>, host_data: HostData) -> RawInventory {
    read_inventory_as(
        root.as_ref(),
        Listing::from(host_data),
        true,
        Overlay::none(),
    )
}

/// [`read_inventory`], with the texts of `overlay` read instead of the
/// files they stand for ([`Overlay`] says when): what the language server
/// reads, with the editor's unsaved buffers.
pub fn read_inventory_overlaid(root: impl AsRef<Path>, overlay: &Overlay) -> RawInventory {
    read_inventory_as(root.as_ref(), Listing::Read, true, overlay)
}

/// [`read_inventory_overlaid`], letting go of the texts of files read from
/// disk that parse without a problem, as [`read_inventory_letting_go`]
/// does (the overlaid texts are kept: reading them back from disk would
/// give another text). A process that keeps what it read while the
/// editor's buffers change (the language server) holds the inventory
/// once, not its texts beside it.
pub fn read_inventory_overlaid_letting_go(
    root: impl AsRef<Path>,
    overlay: &Overlay,
) -> RawInventory {
    read_inventory_as(root.as_ref(), Listing::Read, false, overlay)
}

/// [`read_inventory_with`], except that the texts of files that parse
/// without a problem are let go: they are read again from disk only when
/// a diagnostic or an origin points into them (see
/// [`File`](strata_diagnostics::File)).
///
/// That saves memory the size of the inventory (13 MB at 100,000 hosts),
/// for a process that reads an inventory, answers and exits, as the
/// `strata` command does. If files change or go away in between, what
/// points into them loses its lines
/// ([`File::is_changed`](strata_diagnostics::File::is_changed)).
pub fn read_inventory_letting_go(root: impl AsRef<Path>, host_data: HostData) -> RawInventory {
    read_inventory_as(
        root.as_ref(),
        Listing::from(host_data),
        false,
        Overlay::none(),
    )
}

impl From<HostData> for Listing<'_> {
    fn from(host_data: HostData) -> Self {
        match host_data {
            HostData::Read => Listing::Read,
            HostData::Defer => Listing::Defer,
        }
    }
}

/// [`read_inventory_with`] with [`HostData::Defer`], except that `host_data/`
/// is not listed at all: only the files of the hosts `names` are looked up
/// (`host_data/<name>.toml`, `host_data/@ssh/10.0.0.5.toml`), under the
/// rules the listing applies to them (inside the root, hidden names
/// skipped, symbolic links leading outside refused), and deferred.
///
/// A command about one host of a large inventory then pays a few `lstat`
/// calls instead of listing a file per host. Other entries of `host_data/`
/// are not seen, so nothing is reported about them (files that name no
/// host, files not ending in `.toml`, symbolic links leading outside the
/// root); problems about `host_data/` itself and the directories on the way
/// to a looked-up file are.
pub fn read_inventory_for_hosts<S: AsRef<str>>(
    root: impl AsRef<Path>,
    names: &[S],
) -> RawInventory {
    let mut names: Vec<&str> = names.iter().map(AsRef::as_ref).collect();
    names.sort_unstable();
    names.dedup();
    read_inventory_as(root.as_ref(), Listing::Only(&names), true, Overlay::none())
}

/// What is done with `host_data/`.
enum Listing<'a> {
    Read,
    Defer,
    /// Look up these hosts' files only, and defer them.
    Only(&'a [&'a str]),
}

fn read_inventory_as(
    given: &Path,
    host_data: Listing<'_>,
    keep_texts: bool,
    overlay: &Overlay,
) -> RawInventory {
    let root = std::fs::canonicalize(given).unwrap_or_else(|_| given.to_path_buf());
    let mut raw = RawInventory {
        root: root.clone(),
        files: if keep_texts {
            Files::new()
        } else {
            Files::with_read_back(disk::ReadBackUnder::new(&root))
        },
        hosts: None,
        hosts_ok: false,
        group_files: Vec::new(),
        host_files: Vec::new(),
        deferred_host_files: Vec::new(),
        source_decls: Vec::new(),
        source_docs: Vec::new(),
        settings: Default::default(),
        diagnostics: Vec::new(),
    };
    let keys = Keys::default();
    // Parsing hosts.toml (one big file) is serial: list host_data/, and
    // read and parse group_data/, at the same time, in the thread pool.
    // hosts.toml is parsed on this thread, whose allocator arena the
    // resolver then builds in. It is the first source, whatever becomes of
    // it: the group files' numbers follow.
    let mut other = None;
    rayon::in_place_scope(|scope| {
        scope.spawn(|_| {
            let mut walk = disk::walk(&root, GROUP_DATA_DIR, 1);
            walk.add_unsaved(&root, GROUP_DATA_DIR, 1, ".toml", overlay);
            let base = 1 + walk.strays.len() + walk.problems.len();
            let parsed = data::parse_files(&root, base, &walk.files, &keys, !keep_texts, overlay);
            let hosts = match &host_data {
                Listing::Only(names) => {
                    let mut found = disk::Walk::default();
                    for name in names.iter() {
                        let one = disk::lookup(&root, HOST_DATA_DIR, HOST_DATA_DEPTH, name);
                        found.files.extend(one.files);
                        found.strays.extend(one.strays);
                        found.problems.extend(one.problems);
                    }
                    found.sort();
                    found
                }
                Listing::Read | Listing::Defer => {
                    let mut walk = disk::walk(&root, HOST_DATA_DIR, HOST_DATA_DEPTH);
                    walk.add_unsaved(&root, HOST_DATA_DIR, HOST_DATA_DEPTH, ".toml", overlay);
                    walk
                }
            };
            other = Some(((walk, base, parsed), hosts));
        });
        read_hosts_file(&mut raw, given, &keys, overlay);
    });
    let Some((groups, hosts)) = other else {
        unreachable!("the scope waits for its task")
    };
    let (mut walk, base, parsed) = groups;
    report_walk(
        &mut raw.files,
        &mut raw.diagnostics,
        walk.strays,
        walk.problems,
        Some(&NOT_TOML),
    );
    let parsed = if raw.files.len() == base {
        parsed
    } else {
        // Not what was counted on: number them again.
        data::parse_files(
            &raw.root,
            raw.files.len(),
            &walk.files,
            &keys,
            !keep_texts,
            overlay,
        )
    };
    data::add_files(
        &mut raw.files,
        &mut raw.diagnostics,
        &mut walk.files,
        parsed,
        &mut raw.group_files,
    );
    let (decls, docs) =
        external::read_sources(&raw.root, &mut raw.files, &mut raw.diagnostics, overlay);
    raw.source_decls = decls;
    raw.source_docs = docs;
    report_walk(
        &mut raw.files,
        &mut raw.diagnostics,
        hosts.strays,
        hosts.problems,
        Some(&NOT_TOML),
    );
    match host_data {
        Listing::Read => {
            raw.host_files = data::read_files(
                &raw.root,
                &mut raw.files,
                &mut raw.diagnostics,
                hosts.files,
                &keys,
                overlay,
            );
        }
        Listing::Defer | Listing::Only(_) => {
            raw.deferred_host_files = hosts.files.into_iter().map(DeferredFile).collect();
        }
    }
    // Last, so that every other file keeps its number.
    raw.settings =
        settings::read_settings(&raw.root, &mut raw.files, &mut raw.diagnostics, overlay);
    raw
}

/// Whether [`read_inventory_with`] reads `host_data/` now or only lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum HostData {
    /// Read and parse every host file (what [`read_inventory`] does).
    #[default]
    Read,
    /// Only list them (their names are known, for warnings about files that
    /// name no host); [`read_deferred`] reads the ones needed later. A
    /// command about one host then reads one host file, not all of them.
    Defer,
}

/// A `host_data/` file that was listed but not read yet.
#[derive(Debug)]
pub struct DeferredFile(disk::Found);

impl DeferredFile {
    /// The host it names (`web1`, `@ssh/10.0.0.5`).
    pub fn name(&self) -> &str {
        self.0.name()
    }

    /// Its path relative to the inventory root.
    pub fn display(&self) -> &str {
        &self.0.display
    }
}

/// Reads deferred host files (in parallel), adding them to `files`.
/// `root` is the canonical inventory root ([`RawInventory::root`]).
pub fn read_deferred(
    root: &Path,
    files: &mut Files,
    deferred: Vec<DeferredFile>,
) -> (Vec<DataFile>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let found = deferred.into_iter().map(|d| d.0).collect();
    let out = data::read_files(
        root,
        files,
        &mut diagnostics,
        found,
        &Keys::default(),
        Overlay::none(),
    );
    (out, diagnostics)
}

fn read_hosts_file(raw: &mut RawInventory, given: &Path, keys: &Keys, overlay: &Overlay) {
    let path = raw.root.join(HOSTS_FILE);
    let Ok(meta) = std::fs::symlink_metadata(&path) else {
        let file = raw.files.add_missing(HOSTS_FILE);
        let pyinfra = pyinfra_inventory(&raw.root);
        let what = if !raw.root.is_dir() {
            format!("the inventory directory {} does not exist", given.display())
        } else if let Some(py) = &pyinfra {
            format!(
                "no {HOSTS_FILE} in {}, but {py} there looks like a pyinfra inventory",
                given.display()
            )
        } else {
            format!("no {HOSTS_FILE} in {}", given.display())
        };
        let help = if pyinfra.is_some() {
            "strata reads inventories written in TOML (hosts.toml, group_data/, host_data/), never Python files; docs/format.md describes the format and, under \"Coming from pyinfra\", how to write an inventory.py as hosts.toml"
        } else {
            "an inventory is a directory with a hosts.toml; create one, or point -i at the right directory"
        };
        raw.diagnostics.push(
            Diagnostic::error(Code::MissingHostsFile, Span::file_start(file), what).with_help(help),
        );
        return;
    };
    let kind = disk::Kind::of(meta.file_type());
    let overlaid = overlay.get(HOSTS_FILE);
    // A process that reads the inventory again and again (the language
    // server) parses hosts.toml again only when it changed.
    let memo = overlay
        .memo()
        .and_then(|memo| Some((memo, memo::Version::of(&path, kind, overlaid)?)));
    if let Some((memo, version)) = memo
        && raw.files.is_empty()
        && let Some(kept) = memo.hosts(version)
    {
        let file = match overlaid {
            Some(text) => raw.files.add(HOSTS_FILE, text.to_string()),
            None if raw.files.can_let_go() => raw.files.add_unkept(HOSTS_FILE.into(), kept.stamp),
            // Its text is needed, and not kept: read and parse it.
            None => return read_hosts_text(raw, &path, kind, keys, overlay, None),
        };
        debug_assert_eq!(file, kept.hosts.file);
        raw.diagnostics.extend(kept.diagnostics);
        raw.hosts = Some(kept.hosts);
        raw.hosts_ok = kept.ok;
        return;
    }
    let keep = memo.filter(|(_, version)| !version.is_recent() && raw.files.is_empty());
    read_hosts_text(raw, &path, kind, keys, overlay, keep);
}

/// Reads and parses hosts.toml (of kind `kind`), keeping the parse in the
/// memo of `keep`, at its version, when it could be read.
fn read_hosts_text(
    raw: &mut RawInventory,
    path: &Path,
    kind: disk::Kind,
    keys: &Keys,
    overlay: &Overlay,
    keep: Option<(&ParseMemo, memo::Version)>,
) {
    match disk::read_text(&raw.root, path, HOSTS_FILE, kind, overlay) {
        Ok(text) => {
            let stamp = keep.map(|_| strata_diagnostics::stamp(&text));
            let file = raw.files.add(HOSTS_FILE, text);
            let before = raw.diagnostics.len();
            let (hosts, ok) =
                crate::hosts::parse(file, raw.files.get(file).text(), &mut raw.diagnostics, keys);
            if let (Some((memo, version)), Some(stamp)) = (keep, stamp) {
                let parsed = memo::ParsedHosts {
                    stamp,
                    hosts: hosts.clone(),
                    ok,
                    diagnostics: raw.diagnostics[before..].to_vec(),
                };
                memo.keep_hosts(version, parsed);
            }
            // What the groups need of the text is copied out: a clean
            // file's text (6 MB at 100,000 hosts) is read back only if a
            // diagnostic or origin points into it (see `File`).
            // An overlaid text is kept: reading it back from disk would
            // give another.
            if ok && raw.diagnostics.len() == before && overlay.get(HOSTS_FILE).is_none() {
                raw.files.let_go(file);
            }
            raw.hosts = Some(hosts);
            raw.hosts_ok = ok;
        }
        Err(problem) => {
            let file = raw.files.add(HOSTS_FILE, problem.partial);
            raw.diagnostics.push(problems::read_diagnostic(
                file,
                &raw.files,
                problem.code,
                problem.message,
            ));
        }
    }
}

/// A Python file in `root` that a pyinfra user would have pointed `-i` at
/// (`inventory.py` first): listed, never read or run.
fn pyinfra_inventory(root: &Path) -> Option<String> {
    if root.join("inventory.py").is_file() {
        return Some("inventory.py".into());
    }
    let mut found: Vec<String> = std::fs::read_dir(root)
        .ok()?
        .flatten()
        .take(1000)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".py"))
        .collect();
    found.sort();
    found.into_iter().next()
}
