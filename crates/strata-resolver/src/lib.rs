//! Resolves a raw strata inventory into hosts, groups and each host's data
//! through pyinfra's waterfall, keeping the origin of every value.
//!
//! The parser (`strata-parser`) knows files and spans; this crate knows
//! what they mean: groups and their order, `all`, host ranges, connector
//! hosts, the precedence of layers, limits. It knows nothing of terminals
//! or output formats.
//!
//! # The waterfall
//!
//! Each host's value for a key is the first definition found, from the top
//! (see [`Layer`]):
//!
//! | rank | layer | where it comes from |
//! |---|---|---|
//! | 1 | override | `--data key=value`; [`Loader::override_data`] |
//! | 2 | host file | `host_data/<host>.toml` |
//! | 3 | host inline | `{ name, data }` entries: the `all` entry over group entries, a later group over an earlier one |
//! | 4 | source host | a source's variables for the host (`_meta.hostvars`), a later source over an earlier one |
//! | 5 | connector | what a connector adds (`ssh_hostname`, ...) |
//! | 6 | groups | the host's groups, the *later* group wins (sources' groups after hosts.toml's); `group_data/<g>.toml` over the group's inline `data` over a source's `vars` |
//! | 7 | global | `group_data/all.toml` over `all.data` over a source's `all.vars` |
//! | 8 | defaults | [`Loader::defaults`] |
//!
//! Merging is by top-level key: a table or array from a higher layer
//! replaces the lower one whole.
//!
//! ```
//! use strata_resolver::{Inventory, Layer};
//!
//! let inv = Inventory::builder()
//!     .group_with_data("web", ["w1"], toml::toml! { tier = 1 })
//!     .group_with_data("prod", ["w1"], toml::toml! { tier = 2 })
//!     .build()
//!     .unwrap();
//! let data = inv.host("w1").unwrap().data();
//! // `prod` is defined after `web`, so it wins ...
//! assert_eq!(data.get("tier").unwrap().as_integer(), Some(2));
//! // ... and the value knows where it comes from, and what it shadows.
//! let defs = data.definitions("tier");
//! assert_eq!(defs[0].origin.group, Some("prod"));
//! assert_eq!(defs[1].origin.group, Some("web"));
//! assert_eq!(defs[0].origin.layer, Layer::GroupInline);
//! ```
//!
//! # Limits
//!
//! [`Inventory::select`] takes `web,&prod,!web3*`-style patterns; a term
//! that matches nothing is an error with a did-you-mean. Selecting never
//! changes data.

pub mod ansible;
mod connector;
mod data;
mod declared;
mod diff;
mod explain;
mod host_name;
mod in_code;
mod inventory;
pub mod json;
mod key_order;
mod layer;
mod limit;
mod lint;
mod loader;
mod merge;
mod problems;
mod range;
mod reach;
mod resolve;
mod schema;

pub use connector::{Connector, ConnectorHost, Connectors};
pub use data::{Data, DataError, Definition, Origin};
pub use declared::HostEntry;
pub use diff::{
    Change, ChangeOrigin, ContributionChange, GroupDiff, InventoryDiff, MAX_PIECES, PieceChange,
    StrategyChange, diff,
};
pub use explain::{DroppedPiece, Explanation, Merged, Piece, Reason, reason};
pub use in_code::{HostSpec, InventoryBuilder};
pub use inventory::{Group, Host, Inventory};
pub use layer::Layer;
pub use limit::{Limit, LimitError};
pub use loader::{Checked, Loader, LoaderWith};
pub use merge::KNOCKOUT_PREFIX;
pub use problems::{LoadError, Problems};
pub use range::{MAX_EXPANSION, RangeError, count as range_count, expand as expand_ranges};
pub use reach::{KeyUse, Reach, Written};
pub use resolve::budget::Budget;
pub use resolve::external::fetch;
pub use schema::{SchemaError, Schemas};
pub use strata_parser::{
    Code, Datetime, Diagnostic, Edit, Files, Fix, Label, Location, Severity, Span, Table, Text,
    Value,
};
