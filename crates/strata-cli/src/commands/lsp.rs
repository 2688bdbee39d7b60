//! `strata lsp`: the language server (crates/strata-lsp) on stdin and
//! stdout, until the editor says exit or goes away.

use crate::failure::Failure;

/// Runs the server; no inventory is named: the editor's workspace says
/// where they are.
pub fn run() -> Result<(), Failure> {
    Ok(strata_lsp::run_stdio()?)
}
