//! strata: pyinfra-style inventories in TOML, loaded fast, checked
//! thoroughly, and explained: every value knows where it comes from.
//!
//! This is the crate deploy tools depend on. It re-exports the resolver's
//! [`Inventory`] and friends; the parser and resolver crates are
//! implementation layers.
//!
//! # An inventory directory
//!
//! ```text
//! inventory/
//!   hosts.toml                 hosts and groups
//!   group_data/all.toml        global data
//!   group_data/<group>.toml    one group's data
//!   host_data/<host>.toml      one host's data
//! ```
//!
//! ```toml
//! # hosts.toml
//! webservers = ["web1.example.com", "web2.example.com"]
//!
//! [databases]
//! hosts = [{ name = "db1.example.com", data = { db_role = "primary" } }]
//! data = { db_type = "postgresql" }
//! ```
//!
//! # Loading and reading data
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let dir = tempfile::tempdir()?;
//! # std::fs::write(dir.path().join("hosts.toml"), "webservers = [\"web1.example.com\", \"web2.example.com\"]\n")?;
//! # std::fs::create_dir(dir.path().join("group_data"))?;
//! # std::fs::write(dir.path().join("group_data/webservers.toml"), "app_port = 8080\napp_env = \"production\"\n")?;
//! use serde::Deserialize;
//!
//! #[derive(Deserialize)]
//! struct AppConfig {
//!     app_port: u16,
//!     app_env: String,
//! }
//!
//! let inventory = strata::Inventory::load(dir.path())?;
//! let web1 = inventory.host("web1.example.com").unwrap();
//! let port: u16 = web1.data().get_as("app_port")?;
//! let app: AppConfig = web1.data().deserialize()?;
//! assert_eq!((port, app.app_port, app.app_env.as_str()), (8080, 8080, "production"));
//!
//! // Where does the value come from?
//! let origin = web1.data().origin("app_port").unwrap();
//! assert_eq!(origin.to_string(), "group_data/webservers.toml:1:1 (group webservers)");
//!
//! // Choose hosts as `--limit` does.
//! for host in inventory.select("webservers,!web2*")? {
//!     assert_eq!(host.name(), "web1.example.com");
//! }
//! # Ok(()) }
//! ```
//!
//! # Override data, defaults, connectors
//!
//! [`Loader`] adds what a deploy tool brings: override data (wins over
//! everything), defaults (lose to everything) and its own [`Connector`]s.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let dir = tempfile::tempdir()?;
//! # std::fs::write(dir.path().join("hosts.toml"), "web = [\"w1\"]\n")?;
//! let inventory = strata::Loader::new(dir.path())
//!     .override_data("ssh_user", "root")
//!     .defaults(toml::toml! { ssh_port = 22 })
//!     .load()?;
//! let data = inventory.host("w1").unwrap().data();
//! assert_eq!(data.get("ssh_user").unwrap().as_str(), Some("root"));
//! assert_eq!(data.get("ssh_port").unwrap().as_integer(), Some(22));
//! # Ok(()) }
//! ```
//!
//! # External sources
//!
//! `sources/<name>.toml` merges a CMDB export (`file = "exports/cmdb.json"`)
//! or any Ansible dynamic-inventory script (`command = [...]`) into the
//! inventory (docs/sources.md). [`Loader`] reads file sources like any
//! file; it runs a command source only after [`Loader::allow_exec`], through
//! `strata-exec` (the one crate that starts processes), and caches its
//! last good answer in the user's cache folder. An inventory without command
//! sources runs nothing.
//!
//! # Errors
//!
//! Loading reports every problem, not just the first: a [`LoadError`] (a
//! [`Problems`], as [`Loader::check`] returns) holds all [`Diagnostic`]s
//! with their files and spans, and counts the errors; warnings of a
//! successful load are in [`Inventory::diagnostics`].
//!
//! ```
//! # fn main() -> std::io::Result<()> {
//! # let dir = tempfile::tempdir()?;
//! std::fs::write(dir.path().join("hosts.toml"), "web = [\"w[1:\"]\ndb = 3\n")?;
//! let err = strata::Inventory::load(dir.path()).unwrap_err();
//! let codes: Vec<_> = err.errors().map(|d| d.code.as_str()).collect();
//! // In file order: the range on line 1, then the group on line 2.
//! assert_eq!(codes, ["strata::malformed_range", "strata::group_shape"]);
//! # Ok(()) }
//! ```

mod state;

/// Loads an inventory directory, external sources included
/// (docs/sources.md).
///
/// This is the resolver's loader ([`LoaderWith`]) with strata-exec's
/// [`Fetcher`] installed: `file` sources are read like any file; `command`
/// sources run only after [`allow_exec`](LoaderWith::allow_exec), and their
/// last good answer is cached in the user's cache folder
/// (`$XDG_CACHE_HOME/strata`; [`Fetcher::with_cache_dir`] and
/// [`map_fetcher`](LoaderWith::map_fetcher) choose another).
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let dir = tempfile::tempdir()?;
/// std::fs::write(dir.path().join("hosts.toml"), "web = [\"w1\"]\n")?;
/// std::fs::create_dir(dir.path().join("sources"))?;
/// std::fs::write(dir.path().join("sources/cmdb.toml"), "file = \"cmdb.json\"\n")?;
/// std::fs::write(
///     dir.path().join("cmdb.json"),
///     r#"{"web": {"hosts": ["w2"]}, "_meta": {"hostvars": {"w2": {"rack": "r7"}}}}"#,
/// )?;
/// let inventory = strata::Loader::new(dir.path()).load()?;
/// let names: Vec<_> = inventory.group("web").unwrap().hosts().map(|h| h.name()).collect();
/// assert_eq!(names, ["w1", "w2"]);
/// let origin = inventory.host("w2").unwrap().data().origin("rack").unwrap();
/// assert_eq!(origin.to_string(), "cmdb.json:1:58 (source cmdb)");
/// # Ok(()) }
/// ```
pub type Loader = LoaderWith<Fetcher>;

pub use strata_exec::{Fetcher, default_cache_dir};

pub use state::RunState;
pub use strata_resolver::{ansible, fetch, json};

/// The host name nearest to `name`, for did-you-mean messages.
pub fn closest_host<'a>(inventory: &'a Inventory, name: &str) -> Option<&'a str> {
    strata_parser::closest(name, inventory.hosts().map(|h| h.name()))
}

/// The group name nearest to `name`, for did-you-mean messages.
pub fn closest_group<'a>(inventory: &'a Inventory, name: &str) -> Option<&'a str> {
    strata_parser::closest(name, inventory.groups().map(|g| g.name()))
}

/// The data key nearest to `key`, for did-you-mean messages.
pub fn closest_key<'a>(data: &Data<'a>, key: &str) -> Option<&'a str> {
    let keys: Vec<&'a str> = data.keys().collect();
    strata_parser::closest(key, keys)
}
pub use strata_parser::{
    Code, Datetime, Diagnostic, Edit, File, FileId, Files, Fix, Label, Location, MAX_DEPTH,
    MAX_FILE_SIZE, Overlay, ParseMemo, SETTINGS_FILE, Severity, Span, Strategy, Table, Text, Value,
    closest, did_you_mean, escape_controls, needs_escape,
};
pub use strata_resolver::{
    Budget, Change, ChangeOrigin, Checked, Connector, ConnectorHost, Connectors,
    ContributionChange, Data, DataError, Definition, DroppedPiece, Explanation, Group, GroupDiff,
    Host, HostEntry, HostSpec, Inventory, InventoryBuilder, InventoryDiff, KNOCKOUT_PREFIX, KeyUse,
    Layer, Limit, LimitError, LoadError, LoaderWith, MAX_PIECES, Merged, Origin, Piece,
    PieceChange, Problems, Reach, Reason, SchemaError, Schemas, StrategyChange, Written, diff,
    reason,
};
