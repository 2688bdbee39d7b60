//! The data files of `group_data/` and `host_data/`: read and parsed in
//! parallel, then added to the file store in order.

use std::path::Path;

use rayon::prelude::*;
use strata_diagnostics::{Diagnostic, FileId, Files};

use super::disk::{self, Found};
use super::memo::{Parsed, Version};
use super::overlay::Overlay;
use super::problems::read_diagnostic;
use crate::convert::{Keys, parse_data_text};
use crate::model::{DataFile, DataTable};

/// Files larger than this (1 MiB) are parsed one at a time.
const BIG_FILE: usize = 1024 * 1024;
static BIG_FILES: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Files parsed at once by [`read_files`]: what the parse of a file leaves
/// (text, table, problems) is held until the file is added to the
/// store, and batches keep that small at 100,000 files.
const BATCH: usize = 4096;

/// Reads and parses `files` in parallel, a batch at a time; they are
/// added to `store` in order.
pub(super) fn read_files(
    root: &Path,
    store: &mut Files,
    diagnostics: &mut Vec<Diagnostic>,
    mut files: Vec<Found>,
    keys: &Keys,
    overlay: &Overlay,
) -> Vec<DataFile> {
    let mut out = Vec::with_capacity(files.len());
    store.reserve(files.len());
    let let_go = store.can_let_go();
    for batch in files.chunks_mut(BATCH) {
        let parsed = parse_files(root, store.len(), batch, keys, let_go, overlay);
        add_files(store, diagnostics, batch, parsed, &mut out);
    }
    out
}

/// Reads and parses `files` in parallel, as the files of the store
/// numbered from `base` on, which [`add_files`] then adds. With `let_go`,
/// the text of a file that parses without a problem is not kept (see
/// [`File`](strata_diagnostics::File)); an overlaid text is always kept
/// (reading it back from disk would give another).
pub(super) fn parse_files(
    root: &Path,
    base: usize,
    files: &[Found],
    keys: &Keys,
    let_go: bool,
    overlay: &Overlay,
) -> Vec<Parsed> {
    files
        .par_iter()
        .enumerate()
        .map(|(i, found)| {
            let file = FileId::from_index(base + i);
            let Some(memo) = overlay.memo() else {
                return parse_file(root, found, file, keys, let_go, overlay);
            };
            let version = Version::of(&found.path(root), found.kind, overlay.get(&found.display));
            // A parse kept without its text serves only a read that lets
            // texts go too.
            if let Some(v) = version
                && let Some(parsed) = memo.get(&found.display, file, v)
                && (let_go || parsed.stamp.is_none())
            {
                return parsed;
            }
            let parsed = parse_file(root, found, file, keys, let_go, overlay);
            if let Some(v) = version
                && parsed.problem.is_none()
                && !v.is_recent()
            {
                memo.keep(&found.display, file, v, &parsed);
            }
            parsed
        })
        .collect()
}

/// Reads and parses one file, as the file numbered `file`.
fn parse_file(
    root: &Path,
    found: &Found,
    file: FileId,
    keys: &Keys,
    let_go: bool,
    overlay: &Overlay,
) -> Parsed {
    match disk::read_text(root, &found.path(root), &found.display, found.kind, overlay) {
        Ok(mut text) => {
            // The TOML parser holds every token of a document while
            // parsing it (for a hostile file, many times its size):
            // big files take turns so that their peaks do not add up.
            let _turn = (text.len() > BIG_FILE).then(|| BIG_FILES.lock());
            let mut diagnostics = Vec::new();
            let (table, ok) = parse_data_text(file, &text, &mut diagnostics, keys);
            // A file whose name is not UTF-8 could not be found
            // again by its name: it keeps its text.
            let kept = overlay.get(&found.display).is_some() || !found.rebuilt();
            let stamp = (let_go && ok && diagnostics.is_empty() && !kept)
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
}

/// Adds the files [`parse_files`] read to `store`, in order, and their
/// data to `out`.
pub(super) fn add_files(
    store: &mut Files,
    diagnostics: &mut Vec<Diagnostic>,
    files: &mut [Found],
    parsed: Vec<Parsed>,
    out: &mut Vec<DataFile>,
) {
    for (found, p) in files.iter_mut().zip(parsed) {
        let name = found.name().into();
        let display = std::mem::take(&mut found.display);
        let file = match p.stamp {
            Some(stamp) => store.add_unkept(display, stamp),
            None => store.add(display, p.text),
        };
        if let Some((code, message)) = p.problem {
            diagnostics.push(read_diagnostic(file, store, code, message));
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
