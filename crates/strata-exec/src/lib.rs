//! The only strata crate that starts a process (docs/architecture.md).
//!
//! The parser and the resolver read files and never run anything. What must
//! run a program (an Ansible dynamic-inventory script declared as a command
//! source, `git` for `strata diff --base`) goes through [`run`] here, so
//! that one folder holds every place strata executes something, and one
//! function decides how: without a shell, from a given directory, with a
//! timeout, and with bounded output.
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
