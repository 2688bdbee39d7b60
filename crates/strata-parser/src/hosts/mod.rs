//! `hosts.toml`, read by one of three strategies that give the same
//! groups, spans and diagnostics; which one is chosen here, and only here.
//!
//! - [`fast`]: a scan of the commonest document (top-level arrays of plain
//!   host names, as a large generated inventory is written), which gives
//!   up at the first byte outside that subset;
//! - [`pieces`]: a large document cut where top-level items start and
//!   parsed on all cores, when every piece parses on its own;
//! - [`full`]: the whole document through the TOML parser, with every
//!   shape check; it decides whatever the other two give up on, errors
//!   included, and the other two hand their pieces to it.

mod fast;
mod full;
mod pieces;

use strata_diagnostics::{Diagnostic, FileId, Files};

use crate::convert::Keys;
use crate::model::HostsFile;

/// Parses `hosts.toml` from text, as [`read_inventory`] does, into `files`.
///
/// Useful for tools that hold the text in memory (an editor, a test).
///
/// [`read_inventory`]: crate::read_inventory
pub fn parse_hosts(files: &mut Files, name: &str, text: String) -> (HostsFile, Vec<Diagnostic>) {
    let file = files.add(name, text);
    let mut diagnostics = Vec::new();
    let (hosts, _) = parse(
        file,
        files.get(file).text(),
        &mut diagnostics,
        &Keys::default(),
    );
    (hosts, diagnostics)
}

/// The groups of `text` (file `file`), by the first strategy that takes
/// it; the flag is false when the document has syntax errors (its groups
/// are then what could be recovered).
pub(crate) fn parse(
    file: FileId,
    text: &str,
    diagnostics: &mut Vec<Diagnostic>,
    keys: &Keys,
) -> (HostsFile, bool) {
    // Arrays of plain names (a large generated inventory) are read by a
    // scan; anything else by the full parser, which reports every problem.
    if let Some(groups) = fast::plain_arrays(file, text) {
        return (HostsFile { file, groups }, true);
    }
    if let Some(groups) = pieces::in_pieces(file, text, diagnostics, keys) {
        return (HostsFile { file, groups }, true);
    }
    let (groups, ok) = full::parse(file, text, diagnostics, keys);
    (HostsFile { file, groups }, ok)
}
