//! Why a run stopped early, and the exit code it ends with.

use std::io;

use crate::report;
use crate::term::{self, Stderr};

/// Why a run stopped early.
pub enum Failure {
    /// Bad arguments, or a name that matches nothing: exit 2.
    Usage(String),
    /// The inventory has errors (already printed): exit 1.
    Inventory,
    /// Writing the output failed.
    Io(io::Error),
    /// `diff --exit-code` found differences: exit 1, nothing more to say.
    Differences,
    /// `strata lsp` was told `exit` without `shutdown` first: exit 1, as
    /// the Language Server Protocol says, nothing more to say.
    ExitWithoutShutdown,
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Failure {
        Failure::Io(e)
    }
}

/// The exit code of a run that ended with `result`, after saying why on
/// `err` when there is something left to say: 0 success (and a reader of
/// stdout that went away), 1 the inventory has errors or differs, 2 usage.
pub fn exit_code(result: Result<(), Failure>, err: &mut Stderr<'_>) -> u8 {
    match result {
        Ok(()) => 0,
        Err(Failure::Usage(message)) => {
            report::usage(err, &message);
            2
        }
        Err(Failure::Inventory | Failure::Differences | Failure::ExitWithoutShutdown) => 1,
        Err(Failure::Io(e)) if term::reader_gone(&e) => 0,
        Err(Failure::Io(e)) => {
            err.line(&format!("error: {e}"));
            1
        }
    }
}
