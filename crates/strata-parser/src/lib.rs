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
//!   strata.toml              the inventory's settings (merge strategies)
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
//! let at = raw.files.location(port.value_span).unwrap();
//! assert_eq!((at.path.as_str(), at.line, at.column), ("hosts.toml", 1, 45));
//! # Ok(()) }
//! ```
//!
//! # Code map
//!
//! - `read/`: the directory reading, the only part that touches the
//!   filesystem (inside the root only); it hands texts to the parsers
//!   below and collects what they find in a [`RawInventory`].
//! - `hosts/`: `hosts.toml`, by one of three strategies (a fast scan, a
//!   parse in pieces, the full parse) chosen in one place.
//! - `convert.rs`, `toml11.rs`: a TOML document into the raw model
//!   (`model.rs`, `value.rs`), and the TOML 1.1 warnings.
//! - `external.rs`, `json.rs`: external sources' declarations and answers.
//! - `locate.rs`, `suggest.rs`: finding a nested value's span; did-you-mean.
//!
//! Problems, the file store and their rendering are
//! [`strata_diagnostics`]'s, re-exported here.
//!
//! # Safety
//!
//! Nothing is executed. A symbolic link whose target lies outside the
//! inventory root is reported and not read; files over [`MAX_FILE_SIZE`]
//! are not read; values nested deeper than [`MAX_DEPTH`] are refused.

mod ansible_marker;
mod convert;
mod external;
mod hosts;
pub mod json;
mod locate;
mod model;
mod read;
mod settings;
mod suggest;
mod toml11;
mod value;

pub use ansible_marker::{
    ANSIBLE_UNSAFE, ANSIBLE_VAULT, VAULT_HEADER, is_ansible_string, malformed_marker,
};
pub use convert::{MAX_DEPTH, parse_data};
pub use external::{
    DEFAULT_TIMEOUT, MAX_CACHE, MAX_TIMEOUT, SOURCES_DIR, SourceDecl, SourceDoc, SourceGroup,
    SourceHostVars, SourceKind, parse_duration, parse_host_document, parse_source_document,
};
pub use hosts::parse_hosts;
pub use locate::{MAX_LOCATE_SIZE, locate_nested};
pub use model::{DataFile, DataTable, Entry, GroupShape, HostsFile, RawGroup, RawHost};
pub use read::{
    DeferredFile, GROUP_DATA_DIR, HOST_DATA_DEPTH, HOST_DATA_DIR, HOSTS_FILE, HostData,
    MAX_FILE_SIZE, Overlay, ParseMemo, RawInventory, SCHEMA_DIR, SchemaFile, read_deferred,
    read_inventory, read_inventory_for_hosts, read_inventory_letting_go, read_inventory_overlaid,
    read_inventory_overlaid_letting_go, read_inventory_with, read_schemas, read_schemas_overlaid,
};
pub use settings::{MergeRule, SETTINGS_FILE, Settings, Strategy, parse_settings};
pub use strata_diagnostics::{
    Code, Diagnostic, Edit, File, FileId, Files, Fix, Label, Location, Severity, Span,
    escape_controls, needs_escape,
};
pub use suggest::{
    closest, closest_and_sole, did_you_mean, name_fix, sole_closest, spelling_note, suggestion,
};
pub use value::{Datetime, Table, Text, Value};
