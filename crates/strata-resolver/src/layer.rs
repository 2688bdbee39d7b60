//! The waterfall: which layer wins, and one layer's data as an inventory
//! keeps it ([`DataSet`]).

use strata_parser::FileId;

/// Where a definition comes from. The derived `Ord` follows the ranks of
/// the table below: an earlier variant's rank wins. Inside rank 6 the
/// group's place decides first (a deeper group, nested through
/// `children`, wins; at equal depth the later group wins: the order
/// `resolve/nesting.rs` gives each host's groups), and only within
/// one group does the group file beat the inline `data`; so a later group's
/// `GroupInline` beats an earlier group's `GroupFile` (see
/// [`Data::definitions`](crate::Data::definitions)).
///
/// | rank | layer | source |
/// |---|---|---|
/// | 1 | [`Override`](Layer::Override) | `--data key=value`; `override_data` in the library |
/// | (1) | [`Merged`](Layer::Merged) | values `strata.toml`'s `[merge]` merged from the layers below (an origin is never this layer: it is a merged piece's own) |
/// | 2 | [`HostFile`](Layer::HostFile) | `host_data/<host>.toml` |
/// | 3 | [`HostInline`](Layer::HostInline) | `{ name, data }` entries in hosts.toml (the `all` entry over group entries, later group over earlier) |
/// | 4 | [`SourceHost`](Layer::SourceHost) | a source's host variables (`_meta.hostvars`, `--host`), a later source over an earlier one |
/// | 5 | [`Connector`](Layer::Connector) | what a connector adds (`ssh_hostname`, `docker_identifier`, ...) |
/// | 6 | [`GroupFile`](Layer::GroupFile), [`GroupInline`](Layer::GroupInline), [`SourceGroup`](Layer::SourceGroup) | the host's groups, the deeper group wins, then the later one (sources' groups after hosts.toml's); in one group the file over inline `data` over sources' `vars` |
/// | 7 | [`GlobalFile`](Layer::GlobalFile), [`GlobalInline`](Layer::GlobalInline), [`SourceGlobal`](Layer::SourceGlobal) | `group_data/all.toml` over `all.data` over sources' `all.vars` |
/// | 8 | [`Defaults`](Layer::Defaults) | data a deploy tool supplies as the lowest layer |
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Layer {
    /// `--data` on the command line, `override_data` in the library.
    Override,
    /// The values `strata.toml`'s `[merge]` merges from the layers below
    /// (docs/precedence.md, "Merge strategies"). No origin says it: a
    /// merged value's origin is that of its highest contribution
    /// ([`Data::origin_of_path`](crate::Data::origin_of_path) gives each
    /// piece's).
    Merged,
    /// `host_data/<host>.toml`.
    HostFile,
    /// A `{ name, data }` entry in hosts.toml.
    HostInline,
    /// A source's variables for one host (`_meta.hostvars`, `--host NAME`).
    SourceHost,
    /// Data a connector adds to its hosts.
    Connector,
    /// `group_data/<group>.toml`.
    GroupFile,
    /// A group's inline `data` in hosts.toml.
    GroupInline,
    /// A source's `vars` for a group.
    SourceGroup,
    /// `group_data/all.toml`.
    GlobalFile,
    /// `all.data` in hosts.toml.
    GlobalInline,
    /// A source's `vars` for `all`.
    SourceGlobal,
    /// Defaults supplied by a library caller.
    Defaults,
}

impl Layer {
    /// The rank in the precedence table of docs/precedence.md (1 wins).
    pub fn rank(self) -> u8 {
        match self {
            Layer::Override => 1,
            // Between the override and the host's file, never shown.
            Layer::Merged => 1,
            Layer::HostFile => 2,
            Layer::HostInline => 3,
            Layer::SourceHost => 4,
            Layer::Connector => 5,
            Layer::GroupFile | Layer::GroupInline | Layer::SourceGroup => 6,
            Layer::GlobalFile | Layer::GlobalInline | Layer::SourceGlobal => 7,
            Layer::Defaults => 8,
        }
    }

    /// A short name: `override`, `host file`, `host inline`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::Override => "override",
            Layer::Merged => "merged",
            Layer::HostFile => "host file",
            Layer::HostInline => "host inline",
            Layer::SourceHost => "source host",
            Layer::Connector => "connector",
            Layer::GroupFile => "group file",
            Layer::GroupInline => "group inline",
            Layer::SourceGroup => "source group",
            Layer::GlobalFile => "global file",
            Layer::GlobalInline => "global inline",
            Layer::SourceGlobal => "source global",
            Layer::Defaults => "defaults",
        }
    }
}

impl std::fmt::Display for Layer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One layer of data: a data file, an inline table, a connector's data, ...
#[derive(Debug)]
pub(crate) struct DataSet {
    pub layer: Layer,
    /// The group this data belongs to (group layers, and host inline data
    /// written inside a group's host list).
    pub group: Option<u32>,
    /// The file (or virtual source) it was read from.
    pub file: FileId,
    pub table: strata_parser::DataTable,
}
