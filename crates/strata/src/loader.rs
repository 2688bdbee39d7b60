//! [`Loader`]: the resolver's loader with strata-sources wired in, so that
//! command sources can run (with consent) and be cached.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use std::time::Duration;

use strata_resolver::fetch::{Fetch, Fetched, Request};
use strata_resolver::{Budget, Connector, Connectors, Inventory, LoadError, Problems};

/// Loads an inventory directory, external sources included
/// (docs/sources.md).
///
/// This is [`strata_resolver::Loader`] with strata-sources as its fetcher:
/// `file` sources are read like any file; `command` sources run only after
/// [`Loader::allow_exec`], and their last good answer is cached in the
/// user's cache folder (`$XDG_CACHE_HOME/strata`).
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
#[derive(Debug, Clone)]
pub struct Loader {
    inner: strata_resolver::Loader,
    allow_exec: bool,
    refresh: bool,
    cache_dir: Option<Option<PathBuf>>,
    /// With [`Loader::fetch_once`]: the answers fetched so far, shared by
    /// the clones.
    fetched: Option<Memo>,
}

/// What identifies a command source's request: its root, name, command,
/// timeout and cache age.
type Key = (PathBuf, String, Vec<String>, Duration, Option<Duration>);

/// The answers fetched so far, by request.
type Memo = Arc<Mutex<Vec<(Key, Fetched)>>>;

/// A fetcher that answers each command source once and remembers it.
#[derive(Debug)]
struct FetchOnce {
    inner: strata_sources::Fetcher,
    fetched: Memo,
}

impl Fetch for FetchOnce {
    fn fetch(&self, req: &Request<'_>) -> Fetched {
        let key: Key = (
            req.root.to_path_buf(),
            req.name.to_string(),
            req.argv.to_vec(),
            req.timeout,
            req.cache,
        );
        // Held while fetching: a second request for the same source waits
        // for the first's answer rather than running the command again.
        let mut fetched = self.fetched.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, answer)) = fetched.iter().find(|(k, _)| *k == key) {
            return answer.clone();
        }
        let answer = self.inner.fetch(req);
        fetched.push((key, answer.clone()));
        answer
    }
}

impl Loader {
    /// A loader for the inventory directory `root`.
    pub fn new(root: impl AsRef<Path>) -> Loader {
        Loader {
            inner: strata_resolver::Loader::new(root),
            allow_exec: false,
            refresh: false,
            cache_dir: None,
            fetched: None,
        }
    }

    fn map(mut self, f: impl FnOnce(strata_resolver::Loader) -> strata_resolver::Loader) -> Loader {
        self.inner = f(self.inner);
        self
    }

    /// Adds one override value (rank 1: wins over everything).
    pub fn override_data(self, key: impl Into<String>, value: impl Into<toml::Value>) -> Loader {
        self.map(|l| l.override_data(key, value))
    }

    /// Adds override values, naming where they come from (`<command line>`).
    pub fn overrides(self, source: impl Into<String>, table: toml::Table) -> Loader {
        self.map(|l| l.overrides(source, table))
    }

    /// Sets the defaults layer (rank 8: loses to everything).
    pub fn defaults(self, table: toml::Table) -> Loader {
        self.map(|l| l.defaults(table))
    }

    /// Registers a connector beside the built-in ones.
    pub fn connector(self, connector: impl Connector + 'static) -> Loader {
        self.map(|l| l.connector(connector))
    }

    /// Replaces the set of connectors.
    pub fn connectors(self, connectors: Connectors) -> Loader {
        self.map(|l| l.connectors(connectors))
    }

    /// Lists `host_data/` without reading it (see
    /// [`strata_resolver::Loader::defer_host_data`]).
    pub fn defer_host_data(self) -> Loader {
        self.map(|l| l.defer_host_data())
    }

    /// Looks up and defers only these hosts' `host_data/` files (see
    /// [`strata_resolver::Loader::defer_host_data_for`]).
    pub fn defer_host_data_for<S: Into<String>>(
        self,
        names: impl IntoIterator<Item = S>,
    ) -> Loader {
        self.map(|l| l.defer_host_data_for(names))
    }

    /// Keeps the texts of cleanly parsed files, or lets them go (see
    /// [`strata_resolver::Loader::keep_texts`]).
    pub fn keep_texts(self, keep: bool) -> Loader {
        self.map(|l| l.keep_texts(keep))
    }

    /// Sets the budget (see [`strata_resolver::Loader::budget`]).
    pub fn budget(self, budget: Budget) -> Loader {
        self.map(|l| l.budget(budget))
    }

    /// Shows file names behind `base` in diagnostics and origins.
    pub fn display_base(self, base: impl Into<String>) -> Loader {
        self.map(|l| l.display_base(base))
    }

    /// Says that Ansible reads this inventory: [`Loader::check`] also
    /// reports what Ansible would warn about (see
    /// [`strata_resolver::Loader::for_ansible`]).
    pub fn for_ansible(self, yes: bool) -> Loader {
        self.map(|l| l.for_ansible(yes))
    }

    /// Allows running command sources (`--allow-exec`). Without it a
    /// command source's fresh cached answer is used, and otherwise the load
    /// fails with `strata::source_not_run`.
    pub fn allow_exec(mut self, allow: bool) -> Loader {
        self.allow_exec = allow;
        self
    }

    /// Runs command sources even when their cache is fresh (`--refresh`).
    pub fn refresh(mut self, refresh: bool) -> Loader {
        self.refresh = refresh;
        self
    }

    /// Caches answers in `dir` instead of the user's cache folder; `None`
    /// caches nothing (a failed command then has no answer to fall back on).
    pub fn cache_dir(mut self, dir: Option<PathBuf>) -> Loader {
        self.cache_dir = Some(dir);
        self
    }

    /// Fetches each command source at most once for this loader and its
    /// clones: a later load reuses the first one's answer, or failure. For
    /// a program that loads twice in one run (the `strata` command loads
    /// again, reading everything, to report every problem of a failed
    /// load), so that a failing command does not run, and time out, twice.
    /// Call it before cloning.
    pub fn fetch_once(mut self) -> Loader {
        self.fetched = Some(Arc::default());
        self
    }

    fn resolver(&self) -> strata_resolver::Loader {
        let fetcher = match &self.cache_dir {
            Some(dir) => strata_sources::Fetcher::with_cache_dir(dir.clone()),
            None => strata_sources::Fetcher::new(),
        };
        let fetcher: Arc<dyn Fetch> = match &self.fetched {
            Some(fetched) => Arc::new(FetchOnce {
                inner: fetcher,
                fetched: fetched.clone(),
            }),
            None => Arc::new(fetcher),
        };
        self.inner
            .clone()
            .allow_exec(self.allow_exec)
            .refresh(self.refresh)
            .fetcher(fetcher)
    }

    /// Reads everything and reports every problem, as `strata check`.
    /// Command sources that were not run are a warning here, not an error.
    pub fn check(&self) -> Problems {
        self.resolver().check()
    }

    /// Reads and resolves the inventory; when it fails, every problem found
    /// is in the error.
    pub fn load(&self) -> Result<Inventory, LoadError> {
        self.resolver().load()
    }
}
