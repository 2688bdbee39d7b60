//! The only strata crate that starts a process (docs/architecture.md):
//! command sources, `git` for `strata diff --base`, and the cache of command
//! sources' answers.
//!
//! The parser and the resolver read files and never run anything. What must
//! run a program (an Ansible dynamic-inventory script declared as a command
//! source, `git` for `strata diff --base`) goes through [`run`] here, so
//! that one folder holds every place strata executes something, and one
//! function decides how: without a shell, from a given directory, with a
//! timeout, and with bounded output.
//!
//! - [`Fetcher`] answers command sources for the resolver's loader (it
//!   implements `strata_resolver::fetch::Fetch`, the one seam between the
//!   two crates): the consent rule, the `--list`/`--host` calls, the
//!   [`cache`] of last good answers. `strata::Loader` is the resolver's
//!   loader with this fetcher installed.
//! - [`git`] exports an inventory as it was at a revision.
//! - [`run`] and [`Command`] run one program; [`stop_children_on_signals`]
//!   makes a program's children die with it.
//!
//! ```
//! # #[cfg(unix)] {
//! use std::time::Duration;
//! use strata_exec::{run, Command};
//!
//! let out = run(&Command::new(["echo", "hello"]).timeout(Duration::from_secs(5))).unwrap();
//! assert!(out.success());
//! assert_eq!(out.stdout, b"hello\n");
//! # }
//! ```

pub mod cache;
mod fetcher;
pub mod git;
mod process;

pub use cache::{Cached, Entry as CacheEntry, default_cache_dir};
pub use fetcher::Fetcher;
pub use process::{Command, MAX_OUTPUT, Output, RunError, run, stop_children_on_signals};
