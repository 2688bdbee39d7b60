//! strata's language server: the resolved inventory inside the editor.
//!
//! `strata lsp` runs [`run_stdio`]: a Language Server Protocol server over
//! stdin and stdout. It finds the inventories of the workspace (every
//! folder holding `hosts.toml`), loads each as `strata check` does without
//! `--allow-exec` (a command source is never run: its cached answer is
//! used, or `strata::source_not_run` is reported), with the editor's
//! unsaved buffers read instead of the files they show, and publishes
//! every diagnostic of `check` on the file it names, after each change,
//! with the fixes check knows as quick fixes (code actions).
//!
//! This crate does the protocol and the presentation; what a key's value
//! is, who wins and where a name is defined come from the library
//! (`strata`'s [`Inventory`](strata::Inventory), [`Data`](strata::Data),
//! explanations and origins).
//!
//! Modules: `transport` reads and writes the protocol's frames (malformed
//! ones are answered, never fatal), `server` is the message loop and the
//! documents, `workspace` finds inventories and loads them, `diagnostics`
//! turns strata's diagnostics into the protocol's, `actions` their fixes
//! ([`strata::Fix`]) into quick fixes, `locate` says what the cursor is
//! on, `hover`, `navigate` (definition, references), `lens` (code lenses)
//! and `complete` answer, `plugin_config` reads an Ansible plugin
//! configuration's `path` and `limit`, `text` converts positions.

mod actions;
mod complete;
mod diagnostics;
mod hover;
mod lens;
mod locate;
mod navigate;
mod plugin_config;
mod server;
mod text;
mod transport;
mod workspace;

use std::io::{self, Read, Write};

pub use server::Ending;
pub use transport::MAX_MESSAGE;

/// Runs the server on stdin and stdout until the client says `exit` or
/// goes away; how it ended ([`Ending`]: `strata lsp` exits with 1 after an
/// `exit` that no `shutdown` came before).
///
/// # Errors
///
/// When the threads that read and write cannot be started.
pub fn run_stdio() -> io::Result<Ending> {
    run(io::stdin(), stdout()?)
}

/// Standard output as a file of its own: the caller (the `strata` command)
/// may hold `io::stdout()`'s lock for its whole run, and the writing thread
/// must not wait for it. Nothing else writes to it while the server runs.
fn stdout() -> io::Result<std::fs::File> {
    #[cfg(unix)]
    let handle = std::os::fd::AsFd::as_fd(&io::stdout()).try_clone_to_owned()?;
    #[cfg(windows)]
    let handle = std::os::windows::io::AsHandle::as_handle(&io::stdout()).try_clone_to_owned()?;
    Ok(std::fs::File::from(handle))
}

/// Runs the server on `input` and `output` (what [`run_stdio`] does with
/// stdin and stdout), until the client says `exit`, the input ends or the
/// output cannot be written; how it ended.
///
/// # Errors
///
/// When the threads that read and write cannot be started.
pub fn run(
    input: impl Read + Send + 'static,
    output: impl Write + Send + 'static,
) -> io::Result<Ending> {
    let (sender, receiver, threads) = transport::connect(input, output)?;
    let ending = server::serve(&sender, &receiver);
    drop(sender);
    drop(receiver);
    threads.join();
    Ok(ending)
}
