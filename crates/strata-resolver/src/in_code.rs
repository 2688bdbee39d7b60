//! Building an [`Inventory`] in code, as pyinfra's
//! `Inventory((names, data), **groups)`: [`InventoryBuilder`] makes the raw
//! model a directory would give and runs the same resolve stages, so the
//! same ranges, connectors, waterfall and checks apply.

use std::path::PathBuf;

use strata_parser::{
    DataTable, Files, GroupShape, HostsFile, RawGroup, RawHost, RawInventory, Span,
};

use crate::connector::Connector;
use crate::inventory::Inventory;
use crate::problems::LoadError;
use crate::resolve::{self, Extras};

impl Inventory {
    /// An inventory made in code, as pyinfra's `Inventory((names, data), **groups)`.
    pub fn builder() -> InventoryBuilder {
        InventoryBuilder::default()
    }
}

/// A group for [`InventoryBuilder`].
#[derive(Debug, Clone)]
struct GroupSpec {
    name: String,
    hosts: Vec<HostSpec>,
    data: Option<toml::Table>,
    children: Vec<String>,
}

/// A host for [`InventoryBuilder`]: a name, or a name and inline data.
#[derive(Debug, Clone)]
pub struct HostSpec {
    name: String,
    data: Option<toml::Table>,
}

impl From<&str> for HostSpec {
    fn from(name: &str) -> HostSpec {
        HostSpec {
            name: name.into(),
            data: None,
        }
    }
}

impl From<String> for HostSpec {
    fn from(name: String) -> HostSpec {
        HostSpec { name, data: None }
    }
}

impl<S: Into<String>> From<(S, toml::Table)> for HostSpec {
    fn from((name, data): (S, toml::Table)) -> HostSpec {
        HostSpec {
            name: name.into(),
            data: Some(data),
        }
    }
}

/// Builds an [`Inventory`] in code, with the same semantics as files: the
/// same ranges, connectors, waterfall and checks.
///
/// ```
/// use strata_resolver::Inventory;
/// let inv = Inventory::builder()
///     .hosts(["web1", "web2", "db1"])
///     .global_data(toml::toml! { ssh_user = "deploy" })
///     .group_with_data("web", ["web1", "web2"], toml::toml! { app_env = "production" })
///     .group("db", [("db1", toml::toml! { role = "primary" })])
///     .build()
///     .unwrap();
/// let db1 = inv.host("db1").unwrap();
/// assert_eq!(db1.data().get("role").unwrap().as_str(), Some("primary"));
/// assert_eq!(db1.data().get("ssh_user").unwrap().as_str(), Some("deploy"));
/// ```
#[derive(Debug, Default, Clone)]
pub struct InventoryBuilder {
    all_hosts: Option<Vec<HostSpec>>,
    global: Option<toml::Table>,
    groups: Vec<GroupSpec>,
    group_files: Vec<(String, toml::Table)>,
    host_files: Vec<(String, toml::Table)>,
    merge: Vec<(String, String)>,
    extras: Extras,
}

impl InventoryBuilder {
    /// Every host, in order (the `all` list). Optional: without it, hosts
    /// come in order of first appearance in the groups.
    pub fn hosts<H: Into<HostSpec>>(mut self, hosts: impl IntoIterator<Item = H>) -> Self {
        self.all_hosts
            .get_or_insert_with(Vec::new)
            .extend(hosts.into_iter().map(Into::into));
        self
    }

    /// Global data (the `all` group's data).
    pub fn global_data(mut self, data: toml::Table) -> Self {
        self.global = Some(data);
        self
    }

    /// A group and its hosts.
    pub fn group<H: Into<HostSpec>>(
        mut self,
        name: impl Into<String>,
        hosts: impl IntoIterator<Item = H>,
    ) -> Self {
        self.groups.push(GroupSpec {
            name: name.into(),
            hosts: hosts.into_iter().map(Into::into).collect(),
            data: None,
            children: Vec::new(),
        });
        self
    }

    /// A group with inline data.
    pub fn group_with_data<H: Into<HostSpec>>(
        mut self,
        name: impl Into<String>,
        hosts: impl IntoIterator<Item = H>,
        data: toml::Table,
    ) -> Self {
        self.groups.push(GroupSpec {
            name: name.into(),
            hosts: hosts.into_iter().map(Into::into).collect(),
            data: Some(data),
            children: Vec::new(),
        });
        self
    }

    /// Makes `children` child groups of `parent` (as `children = [...]` in
    /// hosts.toml), adding `parent` without hosts when it is not there yet.
    pub fn children<S: Into<String>>(
        mut self,
        parent: impl Into<String>,
        children: impl IntoIterator<Item = S>,
    ) -> Self {
        let parent = parent.into();
        let children = children.into_iter().map(Into::into);
        match self.groups.iter_mut().find(|g| g.name == parent) {
            Some(g) => g.children.extend(children),
            None => self.groups.push(GroupSpec {
                name: parent,
                hosts: Vec::new(),
                data: None,
                children: children.collect(),
            }),
        }
        self
    }

    /// Data at the group-file layer, as `group_data/<name>.toml` would give
    /// (`all` for the global file layer). A name that is no group gives the
    /// same warning as such a file.
    pub fn group_data(mut self, name: impl Into<String>, data: toml::Table) -> Self {
        self.group_files.push((name.into(), data));
        self
    }

    /// Data at the host-file layer (as `host_data/<name>.toml` would give).
    pub fn host_data(mut self, name: impl Into<String>, data: toml::Table) -> Self {
        self.host_files.push((name.into(), data));
        self
    }

    /// Override data (rank 1).
    pub fn override_data(mut self, data: toml::Table) -> Self {
        self.extras.overrides = Some(("<override data>".into(), data));
        self
    }

    /// Defaults (rank 8).
    pub fn defaults(mut self, data: toml::Table) -> Self {
        self.extras.defaults = Some(("<defaults>".into(), data));
        self
    }

    /// A merge strategy for a key, as a line of `strata.toml`'s `[merge]`
    /// would give it: `pattern` a key, a dotted path (`app.limits`) or a
    /// glob (`sysctl_*`), `strategy` one of `first`, `unique`, `hash`,
    /// `deep` (docs/precedence.md, "Merge strategies").
    ///
    /// ```
    /// let inv = strata_resolver::Inventory::builder()
    ///     .group_with_data("web", ["w1"], toml::toml! { packages = ["nginx"] })
    ///     .global_data(toml::toml! { packages = ["curl", "nginx"] })
    ///     .merge("packages", "unique")
    ///     .build()
    ///     .unwrap();
    /// let packages = inv.host("w1").unwrap().data().get("packages").unwrap().to_toml();
    /// assert_eq!(packages, toml::Value::from(vec!["nginx", "curl"]));
    /// ```
    pub fn merge(mut self, pattern: impl Into<String>, strategy: impl Into<String>) -> Self {
        self.merge.push((pattern.into(), strategy.into()));
        self
    }

    /// Registers a connector.
    pub fn connector(mut self, connector: impl Connector + 'static) -> Self {
        self.extras.connectors.register(connector);
        self
    }

    /// Resolves the inventory.
    pub fn build(self) -> Result<Inventory, LoadError> {
        let mut files = Files::new();
        let file = files.add_virtual("<builder>");
        let span = Span::file_start(file);
        let table = |t: toml::Table| DataTable::from_table(t, span);
        let hosts = |hs: Vec<HostSpec>| {
            hs.into_iter()
                .map(|h| RawHost {
                    name: h.name.into(),
                    span,
                    data: h.data.map(|t| Box::new(table(t))),
                })
                .collect()
        };
        let data_file = |(name, t): (String, toml::Table)| strata_parser::DataFile {
            name: name.into(),
            file,
            data: table(t),
            ok: true,
        };
        let mut groups: Vec<RawGroup> = self
            .groups
            .into_iter()
            .map(|g| RawGroup {
                name: g.name,
                name_span: span,
                shape: GroupShape::Table,
                hosts: hosts(g.hosts),
                has_hosts: true,
                data: g.data.map(table),
                children: g.children.into_iter().map(|c| (c, span)).collect(),
                broken: false,
                broken_hosts: Vec::new(),
                hosts_unread: false,
            })
            .collect();
        if self.all_hosts.is_some() || self.global.is_some() {
            groups.push(RawGroup {
                name: "all".into(),
                name_span: span,
                shape: GroupShape::Table,
                has_hosts: self.all_hosts.is_some(),
                hosts: hosts(self.all_hosts.unwrap_or_default()),
                data: self.global.map(table),
                children: Vec::new(),
                broken: false,
                broken_hosts: Vec::new(),
                hosts_unread: false,
            });
        }
        // `[merge]` as strata.toml would say it, so that the same problems
        // are found.
        let mut diagnostics = Vec::new();
        let settings = if self.merge.is_empty() {
            strata_parser::Settings::default()
        } else {
            let merge: toml::Table = self
                .merge
                .into_iter()
                .map(|(p, s)| (p, toml::Value::String(s)))
                .collect();
            let mut doc = toml::Table::new();
            doc.insert("merge".into(), toml::Value::Table(merge));
            let text = toml::to_string(&doc).unwrap_or_default();
            let settings_file = files.add("<builder strata.toml>", text);
            let text = files.get(settings_file).text().to_string();
            strata_parser::parse_settings(settings_file, &text, &mut diagnostics)
        };
        let raw = RawInventory {
            root: PathBuf::new(),
            files,
            hosts: Some(HostsFile { file, groups }),
            hosts_ok: true,
            group_files: self.group_files.into_iter().map(data_file).collect(),
            host_files: self.host_files.into_iter().map(data_file).collect(),
            deferred_host_files: Vec::new(),
            source_decls: Vec::new(),
            source_docs: Vec::new(),
            settings,
            diagnostics,
        };
        let mut r = resolve::run(raw, &self.extras, false);
        if let Ok(inv) = &mut r {
            inv.root = None;
        }
        r
    }
}
