//! Loading an inventory directory: [`Loader`] reads it (strata-parser),
//! asks for the answers of external sources and runs the resolve stages
//! ([`crate::resolve`]). An inventory built in code goes through the same
//! stages from [`InventoryBuilder`](crate::InventoryBuilder).

use std::path::{Path, PathBuf};

use crate::connector::{Connector, Connectors};
use crate::inventory::Inventory;
use crate::problems::{LoadError, Problems};
use crate::resolve::external::fetch::{Fetch, NoFetch, SourceOptions};
use crate::resolve::{self, Extras};

/// A [`LoaderWith`] that runs nothing: command sources are
/// `strata::source_not_run` ([`NoFetch`]). `strata::Loader` is the same
/// loader with strata-exec's fetcher.
pub type Loader = LoaderWith<NoFetch>;

/// Loads an inventory directory; `F` answers its command sources
/// (docs/sources.md), as this crate runs nothing itself.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let dir = tempfile::tempdir()?;
/// # std::fs::write(dir.path().join("hosts.toml"), "web = [\"w1\"]\n")?;
/// use strata_resolver::Loader;
/// let inv = Loader::new(dir.path())
///     .override_data("ssh_user", "root")
///     .load()?;
/// assert_eq!(inv.host("w1").unwrap().data().get("ssh_user").unwrap().as_str(), Some("root"));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct LoaderWith<F> {
    root: PathBuf,
    extras: Extras,
    host_data: HostData,
    base: String,
    sources: SourceOptions,
    fetcher: F,
    keep_texts: bool,
    for_ansible: bool,
    overlay: Option<std::sync::Arc<strata_parser::Overlay>>,
}

impl<F: Fetch + Default> LoaderWith<F> {
    /// A loader for the inventory directory `root`, with `F`'s default
    /// fetcher.
    pub fn new(root: impl AsRef<Path>) -> Self {
        LoaderWith {
            root: root.as_ref().to_path_buf(),
            extras: Extras::default(),
            host_data: HostData::Read,
            base: String::new(),
            sources: SourceOptions::default(),
            fetcher: F::default(),
            keep_texts: true,
            for_ansible: false,
            overlay: None,
        }
    }
}

impl<F: Fetch> LoaderWith<F> {
    /// Whether the texts of files that parse without a problem are kept
    /// (the default), or let go once parsed and read again from disk when
    /// a diagnostic or an origin points into them
    /// ([`strata_parser::read_inventory_letting_go`]).
    ///
    /// Letting go saves memory the size of the inventory, for a process
    /// that loads it, answers and exits, as the `strata` command does. A
    /// file that changes or goes away in between then shows without its
    /// lines: keep the texts when the inventory outlives its files.
    ///
    /// ```
    /// # fn main() -> std::io::Result<()> {
    /// # let dir = tempfile::tempdir()?;
    /// std::fs::write(dir.path().join("hosts.toml"), "web = [\"w1\"]\n")?;
    /// std::fs::create_dir(dir.path().join("host_data"))?;
    /// std::fs::write(dir.path().join("host_data/w1.toml"), "\nport = 8001\n")?;
    /// let inv = strata_resolver::Loader::new(dir.path()).keep_texts(false).load().unwrap();
    /// let origin = inv.host("w1").unwrap().data().origin("port").unwrap();
    /// // Read again from disk for the line and column.
    /// assert_eq!(origin.location.unwrap().to_string(), "host_data/w1.toml:2:1");
    /// # Ok(()) }
    /// ```
    pub fn keep_texts(mut self, keep: bool) -> Self {
        self.keep_texts = keep;
        self
    }

    /// Reads the texts of `overlay` instead of the files they stand for
    /// (an editor's unsaved buffers: [`Overlay`](strata_parser::Overlay)
    /// says when a text is used). Every host file is then read (the
    /// overlaid texts are kept whatever [`Loader::keep_texts`] says), and
    /// the settings of [`Loader::defer_host_data`] and
    /// [`Loader::defer_host_data_for`] do not apply.
    ///
    /// ```
    /// # fn main() -> std::io::Result<()> {
    /// # let dir = tempfile::tempdir()?;
    /// std::fs::write(dir.path().join("hosts.toml"), "web = [\"w1\"]\n")?;
    /// let mut buffers = strata_parser::Overlay::default();
    /// buffers.insert("hosts.toml", "web = [\"w[1:\"]\n");
    /// let problems = strata_resolver::Loader::new(dir.path()).overlay(buffers.into()).check();
    /// assert_eq!(problems.diagnostics()[0].code, strata_resolver::Code::MalformedRange);
    /// # Ok(()) }
    /// ```
    pub fn overlay(mut self, overlay: std::sync::Arc<strata_parser::Overlay>) -> Self {
        self.overlay = Some(overlay);
        self
    }

    /// Says that Ansible reads this inventory (through `strata ansible` or
    /// the inventory plugin): [`Loader::check`] then also reports what
    /// Ansible would warn about ([`Inventory::ansible_names`]: group names
    /// that are not identifiers, reserved variable names...). A pyinfra-only
    /// inventory is not held to Ansible's rules, so these checks are off by
    /// default (`strata check --ansible` turns them on).
    pub fn for_ansible(mut self, yes: bool) -> Self {
        self.for_ansible = yes;
        self
    }

    /// Allows running command sources (`sources/<name>.toml` with
    /// `command = [...]`), as `--allow-exec` does. Without it, a command
    /// source's fresh cached answer is used, and otherwise loading fails
    /// with `strata::source_not_run`. An inventory without command sources
    /// runs nothing either way. Commands run through the fetcher
    /// ([`LoaderWith::fetcher`]); `strata::Loader` has strata-exec's.
    pub fn allow_exec(mut self, allow: bool) -> Self {
        self.sources.allow_exec = allow;
        self
    }

    /// Runs command sources even when their cached answer is fresh, as
    /// `--refresh` does (it needs [`Loader::allow_exec`]).
    pub fn refresh(mut self, refresh: bool) -> Self {
        self.sources.refresh = refresh;
        self
    }

    /// Sets what answers command sources (docs/sources.md): this crate
    /// runs nothing itself.
    pub fn fetcher<G: Fetch>(self, fetcher: G) -> LoaderWith<G> {
        self.map_fetcher(|_| fetcher)
    }

    /// Changes the fetcher (`strata::Fetcher::fetch_once`).
    pub fn map_fetcher<G: Fetch>(self, f: impl FnOnce(F) -> G) -> LoaderWith<G> {
        LoaderWith {
            root: self.root,
            extras: self.extras,
            host_data: self.host_data,
            base: self.base,
            sources: self.sources,
            fetcher: f(self.fetcher),
            keep_texts: self.keep_texts,
            for_ansible: self.for_ansible,
            overlay: self.overlay,
        }
    }

    /// Adds one override value (rank 1: wins over everything).
    pub fn override_data(mut self, key: impl Into<String>, value: impl Into<toml::Value>) -> Self {
        self.extras
            .overrides
            .get_or_insert_with(|| ("<override data>".into(), toml::Table::new()))
            .1
            .insert(key.into(), value.into());
        self
    }

    /// Adds override values, naming where they come from (`<command line>`).
    pub fn overrides(mut self, source: impl Into<String>, table: toml::Table) -> Self {
        let entry = self
            .extras
            .overrides
            .get_or_insert_with(|| (String::new(), toml::Table::new()));
        entry.0 = source.into();
        entry.1.extend(table);
        self
    }

    /// Sets the defaults layer (rank 8: loses to everything).
    pub fn defaults(mut self, table: toml::Table) -> Self {
        self.extras.defaults = Some(("<defaults>".into(), table));
        self
    }

    /// Registers a connector beside the built-in ones.
    pub fn connector(mut self, connector: impl Connector + 'static) -> Self {
        self.extras.connectors.register(connector);
        self
    }

    /// Replaces the set of connectors.
    pub fn connectors(mut self, connectors: Connectors) -> Self {
        self.extras.connectors = connectors;
        self
    }

    /// Lists `host_data/` without reading it: each host's file is read only
    /// when asked for with [`Inventory::read_host_data`], so a command about
    /// one host or a few reads only their files. Until then a host's data
    /// lacks its host file ([`Host::has_deferred_data`](crate::Host::has_deferred_data)),
    /// and problems inside unread files are not reported.
    pub fn defer_host_data(mut self) -> Self {
        self.host_data = HostData::Defer;
        self
    }

    /// [`Loader::defer_host_data`] for a command about a few hosts known
    /// before loading (`strata host NAME`): `host_data/` is not even
    /// listed, only the files of the hosts `names` are looked up
    /// (`host_data/<name>.toml`, under the same rules as the listing),
    /// deferred until [`Inventory::read_host_data`].
    ///
    /// Other hosts' files are not seen at all: their data lacks that layer
    /// for good ([`Host::has_deferred_data`](crate::Host::has_deferred_data)
    /// is false for them), and nothing is reported about other entries of
    /// `host_data/` (files that name no host, files not ending in `.toml`,
    /// symbolic links leading outside the root). A name that is no host is
    /// looked up all the same; if it has a file, that file is reported as
    /// naming no host.
    ///
    /// ```
    /// # fn main() -> std::io::Result<()> {
    /// # let dir = tempfile::tempdir()?;
    /// # std::fs::write(dir.path().join("hosts.toml"), "web = [\"w1\", \"w2\"]\n")?;
    /// # std::fs::create_dir(dir.path().join("host_data"))?;
    /// # std::fs::write(dir.path().join("host_data/w1.toml"), "port = 8001\n")?;
    /// # std::fs::write(dir.path().join("host_data/w2.toml"), "port = 8002\n")?;
    /// # std::fs::write(dir.path().join("host_data/old.toml"), "port = 1\n")?;
    /// let mut inv = strata_resolver::Loader::new(dir.path())
    ///     .defer_host_data_for(["w1"])
    ///     .load()
    ///     .unwrap();
    /// // host_data/old.toml names no host, but it was not looked at.
    /// assert!(inv.diagnostics().is_empty());
    /// assert!(!inv.host("w2").unwrap().has_deferred_data());
    /// let w1 = inv.host("w1").unwrap().index();
    /// assert!(inv.read_host_data([w1]).is_empty());
    /// assert_eq!(inv.host("w1").unwrap().data().get("port").unwrap().as_integer(), Some(8001));
    /// # Ok(()) }
    /// ```
    pub fn defer_host_data_for<S: Into<String>>(
        mut self,
        names: impl IntoIterator<Item = S>,
    ) -> Self {
        self.host_data = HostData::Only(names.into_iter().map(Into::into).collect());
        self
    }

    /// Sets the budget: how many host entries and hosts the inventory may
    /// expand to, checked from the ranges' bounds before anything is
    /// expanded ([`Budget`](crate::Budget) has the defaults).
    ///
    /// ```
    /// # fn main() -> std::io::Result<()> {
    /// # let dir = tempfile::tempdir()?;
    /// std::fs::write(dir.path().join("hosts.toml"), "web = [\"w[1:100]\"]\n")?;
    /// let small = strata_resolver::Budget { max_entries: 50, max_hosts: 50, ..Default::default() };
    /// let err = strata_resolver::Loader::new(dir.path()).budget(small).load().unwrap_err();
    /// assert_eq!(err.diagnostics()[0].code, strata_resolver::Code::BudgetExceeded);
    /// # Ok(()) }
    /// ```
    pub fn budget(mut self, budget: crate::resolve::budget::Budget) -> Self {
        self.extras.budget = budget;
        self
    }

    /// Shows file names behind `base` (`infra/prod/`) in diagnostics and
    /// origins, as [`Files::set_base`](strata_parser::Files::set_base) explains; the CLI passes the
    /// inventory's path relative to the working directory.
    pub fn display_base(mut self, base: impl Into<String>) -> Self {
        self.base = base.into();
        self
    }

    /// The editor's buffers, or none.
    fn buffers(&self) -> &strata_parser::Overlay {
        static NONE: std::sync::OnceLock<strata_parser::Overlay> = std::sync::OnceLock::new();
        self.overlay
            .as_deref()
            .unwrap_or_else(|| NONE.get_or_init(strata_parser::Overlay::default))
    }

    fn load_as(&self, check: bool) -> Result<Inventory, Problems> {
        let read = |host_data| match self.keep_texts {
            true => strata_parser::read_inventory_with(&self.root, host_data),
            false => strata_parser::read_inventory_letting_go(&self.root, host_data),
        };
        let mut raw = match (&self.overlay, &self.host_data) {
            (Some(overlay), _) if self.keep_texts => {
                strata_parser::read_inventory_overlaid(&self.root, overlay)
            }
            (Some(overlay), _) => {
                strata_parser::read_inventory_overlaid_letting_go(&self.root, overlay)
            }
            (None, HostData::Read) => read(strata_parser::HostData::Read),
            (None, HostData::Defer) => read(strata_parser::HostData::Defer),
            (None, HostData::Only(names)) => {
                strata_parser::read_inventory_for_hosts(&self.root, names)
            }
        };
        raw.files.set_base(self.base.clone());
        let incomplete = crate::resolve::external::fetch::fetch_commands(
            &mut raw,
            &self.fetcher,
            &self.sources,
            check,
        );
        resolve::run(raw, &self.extras, incomplete)
    }

    /// Reads everything and reports every problem: what loading finds, and,
    /// when the inventory loads, the extra checks of [`Inventory::lint`]
    /// (type conflicts between layers), the names Ansible warns about when
    /// the inventory is [for Ansible](Loader::for_ansible), and the
    /// schemas of `schema/` ([`Inventory::validate`]).
    ///
    /// ```
    /// # fn main() -> std::io::Result<()> {
    /// # let dir = tempfile::tempdir()?;
    /// std::fs::write(dir.path().join("hosts.toml"), "web-servers = [\"w1\"]\n")?;
    /// // pyinfra takes any group name...
    /// assert!(strata_resolver::Loader::new(dir.path()).check().diagnostics().is_empty());
    /// // ...Ansible warns about a dash.
    /// let problems = strata_resolver::Loader::new(dir.path()).for_ansible(true).check();
    /// assert!(!problems.has_errors());
    /// assert_eq!(problems.diagnostics()[0].code, strata_resolver::Code::AnsibleName);
    /// # Ok(()) }
    /// ```
    pub fn check(&self) -> Problems {
        match self.check_keeping() {
            Checked::Loaded {
                mut inventory,
                diagnostics,
            } => Problems::new(diagnostics, std::mem::take(&mut inventory.files)),
            Checked::Failed(problems) => problems,
        }
    }

    /// [`Loader::check`], keeping the inventory when it loads: what a
    /// process that answers questions about the inventory after checking it
    /// (the language server) needs, for one read of the files.
    ///
    /// ```
    /// # fn main() -> std::io::Result<()> {
    /// # let dir = tempfile::tempdir()?;
    /// std::fs::write(dir.path().join("hosts.toml"), "web = [\"w1\"]\n")?;
    /// match strata_resolver::Loader::new(dir.path()).check_keeping() {
    ///     strata_resolver::Checked::Loaded { inventory, diagnostics } => {
    ///         assert!(diagnostics.is_empty());
    ///         assert_eq!(inventory.len(), 1);
    ///     }
    ///     strata_resolver::Checked::Failed(problems) => panic!("{problems:?}"),
    /// }
    /// # Ok(()) }
    /// ```
    pub fn check_keeping(&self) -> Checked {
        match self.load_as(true) {
            Ok(mut inventory) => {
                let mut diagnostics = inventory.diagnostics().to_vec();
                diagnostics.extend(inventory.lint());
                if self.for_ansible {
                    diagnostics.extend(inventory.ansible_names());
                }
                let (schemas, problems) = inventory.read_schemas_overlaid(self.buffers());
                diagnostics.extend(problems);
                diagnostics.extend(inventory.validate(&schemas));
                resolve::sort(&mut diagnostics);
                Checked::Loaded {
                    inventory: Box::new(inventory),
                    diagnostics,
                }
            }
            Err(problems) => {
                // The schema files are still read, so that their own
                // problems show in the same run.
                let (mut diagnostics, mut sources) = problems.into_parts();
                diagnostics.extend(
                    crate::schema::Schemas::read_overlaid(&self.root, &mut sources, self.buffers())
                        .1,
                );
                resolve::sort(&mut diagnostics);
                Checked::Failed(Problems::new(diagnostics, sources))
            }
        }
    }

    /// Reads and resolves the inventory. Errors fail the load, with every
    /// problem found, not just the first; warnings stay available through
    /// [`Inventory::diagnostics`].
    pub fn load(&self) -> Result<Inventory, LoadError> {
        self.load_as(false)
    }
}

/// What [`Loader::check_keeping`] found.
#[derive(Debug)]
pub enum Checked {
    /// The inventory loaded; `diagnostics` are every warning of
    /// [`Loader::check`] (the inventory's files hold their texts).
    Loaded {
        /// The inventory (boxed: it is large beside a [`Problems`]).
        inventory: Box<Inventory>,
        /// What [`Loader::check`] reports, sorted as it sorts them.
        diagnostics: Vec<strata_parser::Diagnostic>,
    },
    /// The inventory did not load: every problem, as [`Loader::check`]
    /// reports them.
    Failed(Problems),
}

/// What a [`Loader`] does with `host_data/`.
#[derive(Debug, Clone)]
enum HostData {
    /// Read every file.
    Read,
    /// List every file, read them on demand.
    Defer,
    /// Look up these hosts' files only, read them on demand.
    Only(Vec<String>),
}

impl Inventory {
    /// Loads the inventory directory at `root` with the built-in connectors,
    /// no override data and no defaults. See [`Loader`] for more.
    pub fn load(root: impl AsRef<Path>) -> Result<Inventory, LoadError> {
        Loader::new(root).load()
    }
}
