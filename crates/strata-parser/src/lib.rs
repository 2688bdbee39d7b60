//! Reads a strata inventory directory into a raw model that remembers where
//! every key and value is written.
//!
//! This crate knows files, TOML syntax and the shapes of `hosts.toml`; it
//! knows nothing of precedence, ranges or connectors (that is
//! `strata-resolver`). Everything it finds wrong comes back as
//! [`Diagnostic`] values carrying the file and span, all of them in one run:
//! a syntax error in one file does not hide problems in another.
//!
//! # Layout
//!
//! ```text
//! inventory/
//!   hosts.toml               groups and hosts (required)
//!   group_data/<group>.toml  one group's data (all.toml: global data)
//!   host_data/<host>.toml    one host's data (host_data/@ssh/10.0.0.5.toml)
//!   sources/<name>.toml      an external source: a JSON file or a command
//! ```
//!
//! # Example
//!
//! ```
//! # fn main() -> std::io::Result<()> {
//! let dir = tempfile::tempdir()?;
//! std::fs::write(dir.path().join("hosts.toml"), "web = [\"w1\", { name = \"w2\", data = { port = 8002 } }]\n")?;
//! let raw = strata_parser::read_inventory(dir.path());
//! assert!(raw.diagnostics.is_empty());
//! let hosts = raw.hosts.as_ref().unwrap();
//! let web = &hosts.groups[0];
//! assert_eq!(web.name, "web");
//! assert_eq!(&*web.hosts[1].name, "w2");
//! let port = web.hosts[1].data.as_ref().unwrap().get("port").unwrap();
//! assert_eq!(port.value.as_integer(), Some(8002));
//! // Every value knows where it is written.
//! let at = raw.sources.location(port.value_span).unwrap();
//! assert_eq!((at.path.as_str(), at.line, at.column), ("hosts.toml", 1, 45));
//! # Ok(()) }
//! ```
//!
//! # Safety
//!
//! Nothing is executed. A symbolic link whose target lies outside the
//! inventory root is reported and not read; files over [`MAX_FILE_SIZE`]
//! are not read; values nested deeper than [`MAX_DEPTH`] are refused.

mod convert;
mod external;
mod hosts;
mod hosts_fast;
pub mod json;
mod locate;
mod model;
mod read;
mod schema;
mod split;
mod suggest;
mod toml11;
mod value;

use std::path::Path;

use rayon::prelude::*;

pub use convert::MAX_DEPTH;
pub use external::{
    DEFAULT_TIMEOUT, MAX_CACHE, MAX_TIMEOUT, SOURCES_DIR, SourceDecl, SourceDoc, SourceGroup,
    SourceHostVars, SourceKind, parse_duration, parse_host_document, parse_source_document,
};
pub use locate::{MAX_LOCATE_SIZE, locate_nested};
pub use model::{
    DataFile, DataTable, Entry, GroupShape, HostsFile, RawGroup, RawHost, RawInventory,
};
pub use read::MAX_FILE_SIZE;
pub use schema::{SCHEMA_DIR, SchemaFile, read_schemas};
pub use strata_diagnostics::{
    Code, Diagnostic, File, FileId, Files, Label, Location, Severity, Span, escape_controls,
    needs_escape,
};
/// The old names of [`Files`] and [`File`], kept while the crates that use
/// them move to the new ones.
pub use strata_diagnostics::{File as SourceFile, Files as Sources};
pub use suggest::{closest, did_you_mean, spelling_note};
pub use value::{Datetime, Table, Text, Value};

use convert::{Ctx, Keys};

/// The name of the hosts file inside the inventory root.
pub const HOSTS_FILE: &str = "hosts.toml";
/// The directory of group data files.
pub const GROUP_DATA_DIR: &str = "group_data";
/// The directory of host data files.
pub const HOST_DATA_DIR: &str = "host_data";

/// Files larger than this (1 MiB) are parsed one at a time.
const BIG_FILE: usize = 1024 * 1024;
static BIG_FILES: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// How deep `host_data/` is walked (connector hosts use sub-directories).
pub const HOST_DATA_DEPTH: usize = 16;

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
    read_inventory_as(root.as_ref(), Listing::from(host_data), true)
}

/// [`read_inventory_with`], except that the texts of files that parse
/// without a problem are let go: they are read again from disk only when
/// a diagnostic or an origin points into them (see [`File`]).
///
/// That saves memory the size of the inventory (13 MB at 100,000 hosts),
/// for a process that reads an inventory, answers and exits, as the
/// `strata` command does. If files change or go away in between, what
/// points into them loses its lines ([`File::is_changed`]).
pub fn read_inventory_letting_go(root: impl AsRef<Path>, host_data: HostData) -> RawInventory {
    read_inventory_as(root.as_ref(), Listing::from(host_data), false)
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
    read_inventory_as(root.as_ref(), Listing::Only(&names), true)
}

/// What is done with `host_data/`.
enum Listing<'a> {
    Read,
    Defer,
    /// Look up these hosts' files only, and defer them.
    Only(&'a [&'a str]),
}

fn read_inventory_as(given: &Path, host_data: Listing<'_>, keep_texts: bool) -> RawInventory {
    let root = std::fs::canonicalize(given).unwrap_or_else(|_| given.to_path_buf());
    let mut raw = RawInventory {
        root: root.clone(),
        sources: if keep_texts {
            Files::new()
        } else {
            Files::with_read_back(read::ReadBackUnder::new(&root))
        },
        hosts: None,
        hosts_ok: false,
        group_files: Vec::new(),
        host_files: Vec::new(),
        deferred_host_files: Vec::new(),
        source_decls: Vec::new(),
        source_docs: Vec::new(),
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
            let walk = read::walk(&root, GROUP_DATA_DIR, 1);
            let base = 1 + walk.strays.len() + walk.problems.len();
            let parsed = parse_files(&root, base, &walk.files, &keys, !keep_texts);
            let hosts = match &host_data {
                Listing::Only(names) => {
                    let mut found = read::Walk::default();
                    for name in names.iter() {
                        let one = read::lookup(&root, HOST_DATA_DIR, HOST_DATA_DEPTH, name);
                        found.files.extend(one.files);
                        found.strays.extend(one.strays);
                        found.problems.extend(one.problems);
                    }
                    found.sort();
                    found
                }
                Listing::Read | Listing::Defer => read::walk(&root, HOST_DATA_DIR, HOST_DATA_DEPTH),
            };
            other = Some(((walk, base, parsed), hosts));
        });
        read_hosts_file(&mut raw, given, &keys);
    });
    let Some((groups, hosts)) = other else {
        unreachable!("the scope waits for its task")
    };
    let (mut walk, base, parsed) = groups;
    report_walk_problems(&mut raw, walk.strays, walk.problems);
    let parsed = if raw.sources.len() == base {
        parsed
    } else {
        // Not what was counted on: number them again.
        parse_files(
            &raw.root,
            raw.sources.len(),
            &walk.files,
            &keys,
            !keep_texts,
        )
    };
    add_files(
        &mut raw.sources,
        &mut raw.diagnostics,
        &mut walk.files,
        parsed,
        &mut raw.group_files,
    );
    let (decls, docs) = external::read_sources(&raw.root, &mut raw.sources, &mut raw.diagnostics);
    raw.source_decls = decls;
    raw.source_docs = docs;
    match host_data {
        Listing::Read => raw.host_files = read_data_files(&mut raw, hosts, &keys),
        Listing::Defer | Listing::Only(_) => {
            report_walk_problems(&mut raw, hosts.strays, hosts.problems);
            raw.deferred_host_files = hosts.files.into_iter().map(DeferredFile).collect();
        }
    }
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
pub struct DeferredFile(read::Found);

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

/// Reads deferred host files (in parallel), adding them to `sources`.
/// `root` is the canonical inventory root ([`RawInventory::root`]).
pub fn read_deferred(
    root: &Path,
    sources: &mut Files,
    files: Vec<DeferredFile>,
) -> (Vec<DataFile>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let files = files.into_iter().map(|d| d.0).collect();
    let out = read_files(root, sources, &mut diagnostics, files, &Keys::default());
    (out, diagnostics)
}

/// Parses `hosts.toml` from text, as [`read_inventory`] does, into `sources`.
///
/// Useful for tools that hold the text in memory (an editor, a test).
pub fn parse_hosts(sources: &mut Files, name: &str, text: String) -> (HostsFile, Vec<Diagnostic>) {
    let file = sources.add(name, text);
    let mut diagnostics = Vec::new();
    let (hosts, _) = parse_hosts_text(
        file,
        sources.get(file).text(),
        &mut diagnostics,
        &Keys::default(),
    );
    (hosts, diagnostics)
}

/// Parses a data file from text into `sources`.
pub fn parse_data(sources: &mut Files, name: &str, text: String) -> (DataTable, Vec<Diagnostic>) {
    let file = sources.add(name, text);
    let mut diagnostics = Vec::new();
    let (table, _) = parse_data_text(
        file,
        sources.get(file).text(),
        &mut diagnostics,
        &Keys::default(),
    );
    (table, diagnostics)
}

fn parse_hosts_text(
    file: FileId,
    text: &str,
    diagnostics: &mut Vec<Diagnostic>,
    keys: &Keys,
) -> (HostsFile, bool) {
    // Arrays of plain names (a large generated inventory) are read by a
    // scan; anything else by the full parser, which reports every problem.
    if let Some(groups) = hosts_fast::groups(file, text) {
        return (HostsFile { file, groups }, true);
    }
    if let Some(groups) = split::parse_hosts_in_pieces(file, text, diagnostics, keys) {
        diagnostics.extend(toml11::warnings(file, text));
        return (HostsFile { file, groups }, true);
    }
    let (groups, ok) = parse_file(file, text, diagnostics, keys, hosts::groups);
    (HostsFile { file, groups }, ok)
}

fn parse_data_text(
    file: FileId,
    text: &str,
    diagnostics: &mut Vec<Diagnostic>,
    keys: &Keys,
) -> (DataTable, bool) {
    parse_file(file, text, diagnostics, keys, convert::data_table)
}

/// Parses `text` (file `file`): syntax errors become diagnostics and give
/// `T::default()`; a valid document is read by `read`. The flag says which.
fn parse_file<T: Default>(
    file: FileId,
    text: &str,
    diagnostics: &mut Vec<Diagnostic>,
    keys: &Keys,
    read: impl FnOnce(&toml::de::DeTable<'_>, &mut Ctx<'_>) -> T,
) -> (T, bool) {
    let mut cx = Ctx {
        file,
        text,
        offset: 0,
        diagnostics,
        keys,
    };
    let (table, errors) = convert::parse_document(text);
    if errors.is_empty() {
        let out = read(table.get_ref(), &mut cx);
        cx.diagnostics.extend(toml11::warnings(file, text));
        (out, true)
    } else {
        convert::syntax_errors(errors, &mut cx, text);
        (T::default(), false)
    }
}

fn read_hosts_file(raw: &mut RawInventory, given: &Path, keys: &Keys) {
    let path = raw.root.join(HOSTS_FILE);
    let Ok(meta) = std::fs::symlink_metadata(&path) else {
        let file = raw.sources.add_missing(HOSTS_FILE);
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
    match read::read_text(
        &raw.root,
        &path,
        HOSTS_FILE,
        read::Kind::of(meta.file_type()),
    ) {
        Ok(text) => {
            let file = raw.sources.add(HOSTS_FILE, text);
            let before = raw.diagnostics.len();
            let (hosts, ok) = parse_hosts_text(
                file,
                raw.sources.get(file).text(),
                &mut raw.diagnostics,
                keys,
            );
            // What the groups need of the text is copied out: a clean
            // file's text (6 MB at 100,000 hosts) is read back only if a
            // diagnostic or origin points into it (see `SourceFile`).
            if ok && raw.diagnostics.len() == before {
                raw.sources.let_go(file);
            }
            raw.hosts = Some(hosts);
            raw.hosts_ok = ok;
        }
        Err(problem) => {
            let file = raw.sources.add(HOSTS_FILE, problem.partial);
            raw.diagnostics.push(read_diagnostic(
                file,
                &raw.sources,
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

fn read_diagnostic(file: FileId, sources: &Files, code: Code, message: String) -> Diagnostic {
    // For non-UTF-8 files the source holds the valid prefix: point at its end.
    let at = sources.get(file).text().len();
    Diagnostic::error(code, Span::new(file, at..at), message)
}

/// A file that could not be read: its readable prefix joins `sources`
/// (so the report can show it) and the error says why.
pub(crate) fn unreadable(
    sources: &mut Files,
    display: impl Into<String>,
    problem: read::ReadProblem,
) -> (FileId, Diagnostic) {
    let file = sources.add(display, problem.partial);
    (
        file,
        read_diagnostic(file, sources, problem.code, problem.message),
    )
}

struct Parsed {
    /// Empty when it was let go (`stamp`).
    text: String,
    /// The text's [`strata_diagnostics::stamp`], when the text was let go.
    stamp: Option<u64>,
    table: DataTable,
    ok: bool,
    problem: Option<(Code, String)>,
    diagnostics: Vec<Diagnostic>,
}

/// Files parsed at once by [`read_files`]: what the parse of a file leaves
/// (text, table, problems) is held until the file is added to the
/// sources, and batches keep that small at 100,000 files.
const BATCH: usize = 4096;

fn read_data_files(raw: &mut RawInventory, walk: read::Walk, keys: &Keys) -> Vec<DataFile> {
    report_walk_problems(raw, walk.strays, walk.problems);
    read_files(
        &raw.root,
        &mut raw.sources,
        &mut raw.diagnostics,
        walk.files,
        keys,
    )
}

fn report_walk_problems(
    raw: &mut RawInventory,
    strays: Vec<String>,
    problems: Vec<(String, read::ReadProblem)>,
) {
    for stray in strays {
        let file = raw.sources.add(stray.clone(), String::new());
        raw.diagnostics.push(
            Diagnostic::warning(Code::NonTomlFile, Span::file_start(file), format!("{stray} is not a .toml file; it was ignored"))
                .with_help("data files end in .toml; hidden files and backups ending in ~ are skipped silently"),
        );
    }
    for (display, problem) in problems {
        let file = raw.sources.add(display.clone(), String::new());
        raw.diagnostics.push(Diagnostic::error(
            problem.code,
            Span::file_start(file),
            problem.message,
        ));
    }
}

/// Reads and parses `files` in parallel, a batch at a time; their sources
/// are added in order.
fn read_files(
    root: &Path,
    sources: &mut Files,
    diagnostics: &mut Vec<Diagnostic>,
    mut files: Vec<read::Found>,
    keys: &Keys,
) -> Vec<DataFile> {
    let mut out = Vec::with_capacity(files.len());
    sources.reserve(files.len());
    let let_go = sources.can_let_go();
    for batch in files.chunks_mut(BATCH) {
        let parsed = parse_files(root, sources.len(), batch, keys, let_go);
        add_files(sources, diagnostics, batch, parsed, &mut out);
    }
    out
}

/// Reads and parses `files` in parallel, as the sources numbered from
/// `base` on, which [`add_files`] then adds. With `let_go`, the text of a
/// file that parses without a problem is not kept (see [`File`]).
fn parse_files(
    root: &Path,
    base: usize,
    files: &[read::Found],
    keys: &Keys,
    let_go: bool,
) -> Vec<Parsed> {
    files
        .par_iter()
        .enumerate()
        .map(|(i, found)| {
            let file = FileId::from_index(base + i);
            match read::read_text(root, &found.path(root), &found.display, found.kind) {
                Ok(mut text) => {
                    // The TOML parser holds every token of a document while
                    // parsing it (for a hostile file, many times its size):
                    // big files take turns so that their peaks do not add up.
                    let _turn = (text.len() > BIG_FILE).then(|| BIG_FILES.lock());
                    let mut diagnostics = Vec::new();
                    let (table, ok) = parse_data_text(file, &text, &mut diagnostics, keys);
                    // A file whose name is not UTF-8 could not be found
                    // again by its name: it keeps its text.
                    let stamp = (let_go && ok && diagnostics.is_empty() && found.rebuilt())
                        .then(|| strata_diagnostics::stamp(&std::mem::take(&mut text)));
                    Parsed {
                        text,
                        stamp,
                        table,
                        ok,
                        problem: None,
                        diagnostics,
                    }
                }
                Err(p) => Parsed {
                    text: p.partial,
                    stamp: None,
                    table: DataTable::default(),
                    ok: false,
                    problem: Some((p.code, p.message)),
                    diagnostics: Vec::new(),
                },
            }
        })
        .collect()
}

/// Adds the files [`parse_files`] read to `sources`, in order, and their
/// data to `out`.
fn add_files(
    sources: &mut Files,
    diagnostics: &mut Vec<Diagnostic>,
    files: &mut [read::Found],
    parsed: Vec<Parsed>,
    out: &mut Vec<DataFile>,
) {
    for (found, p) in files.iter_mut().zip(parsed) {
        let name = found.name().into();
        let display = std::mem::take(&mut found.display);
        let file = match p.stamp {
            Some(stamp) => sources.add_unkept(display, stamp),
            None => sources.add(display, p.text),
        };
        if let Some((code, message)) = p.problem {
            diagnostics.push(read_diagnostic(file, sources, code, message));
        }
        diagnostics.extend(p.diagnostics);
        out.push(DataFile {
            name,
            file,
            data: p.table,
            ok: p.ok,
        });
    }
}
