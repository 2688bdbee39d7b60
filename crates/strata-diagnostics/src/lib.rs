//! strata's problems as values, and the files they point into.
//!
//! Every layer of strata (reading an inventory, its budget, building it,
//! schemas, external sources) reports what it finds wrong as a
//! [`Diagnostic`]: a stable [`Code`], a [`Severity`], a message, labelled
//! places ([`Label`], each a [`Span`] in a [`File`] of a [`Files`] store)
//! and a help line, and, when the help names exactly one right change, a
//! [`Fix`]: the same change as [`Edit`]s a tool (the language server's
//! quick fixes) can apply. This crate holds those values, the store, and their
//! rendering as [miette](https://docs.rs/miette) reports; it knows nothing
//! of TOML, inventories or precedence.
//!
//! # Example
//!
//! ```
//! use strata_diagnostics::{Code, Diagnostic, Files, Span};
//!
//! let mut files = Files::new();
//! let hosts = files.add("hosts.toml", "web = [\"w1\", \"w1\"]\n".into());
//! let d = Diagnostic::warning(Code::DuplicateHost, Span::new(hosts, 13..17), "w1 is listed twice in web");
//! assert_eq!(
//!     d.one_line(&files),
//!     "warning[strata::duplicate_host] hosts.toml:1:14: w1 is listed twice in web"
//! );
//! ```
//!
//! # Invariants
//!
//! - **No I/O.** Nothing here touches the filesystem, the network or a
//!   process. A file's text is what its reader added; a text that was let
//!   go is read back only through the [`ReadBack`] its reader installed
//!   ([`Files::with_read_back`]).
//! - **Nothing reaches a terminal unescaped.** Messages, labels, help
//!   lines, file names and the lines a report shows pass through
//!   [`escape_controls`].
//! - **Codes are stable.** A [`Code`] is named `strata::<name>` and is
//!   part of the user interface (documented in docs/diagnostics.md).

mod code;
mod diagnostic;
mod escape;
mod files;
mod render;

pub use code::Code;
pub use diagnostic::{Diagnostic, Edit, Fix, Label, Severity};
pub use escape::{escape_controls, needs_escape};
pub use files::{File, FileId, Files, Location, ReadBack, Span, stamp};
