//! `strata lsp`: the language server (crates/strata-lsp) on stdin and
//! stdout, until the editor says exit or goes away.

use crate::failure::Failure;

/// Runs the server; no inventory is named: the editor's workspace says
/// where they are. Exit code 0 after `shutdown` then `exit` (or when the
/// editor goes away), 1 after an `exit` without `shutdown`, as the
/// protocol says.
pub fn run() -> Result<(), Failure> {
    match strata_lsp::run_stdio()? {
        strata_lsp::Ending::Clean => Ok(()),
        strata_lsp::Ending::ExitWithoutShutdown => Err(Failure::ExitWithoutShutdown),
    }
}
