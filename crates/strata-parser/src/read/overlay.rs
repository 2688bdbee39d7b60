//! Texts read instead of the files they stand for: an editor's unsaved
//! buffers, for the language server.
//!
//! The reader asks the overlay at the last moment: after a file was found
//! by the listing and passed the checks a file on disk passes (inside the
//! root, a regular file), and before it is opened. So an overlay changes
//! what a file says, never which files there are or whether one may be
//! read: a text for a file that does not exist on disk is not used.

use std::collections::HashMap;

/// Texts standing for files of one inventory, by path relative to its
/// root, with `/` separators (`group_data/web.toml`), as
/// [`File::name`](strata_diagnostics::File::name) names files.
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// # let dir = tempfile::tempdir()?;
/// std::fs::write(dir.path().join("hosts.toml"), "web = [\"w1\"]\n")?;
/// let mut overlay = strata_parser::Overlay::default();
/// overlay.insert("hosts.toml", "web = [\"w2\"]\n");
/// let raw = strata_parser::read_inventory_overlaid(dir.path(), &overlay);
/// let hosts = raw.hosts.unwrap();
/// assert_eq!(raw.files.get(hosts.file).text(), "web = [\"w2\"]\n");
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default)]
pub struct Overlay {
    texts: HashMap<String, String>,
}

impl Overlay {
    /// Reads `text` instead of the file `path` (relative to the root,
    /// `/`-separated).
    pub fn insert(&mut self, path: impl Into<String>, text: impl Into<String>) {
        self.texts.insert(path.into(), text.into());
    }

    /// The text standing for `path`, if any.
    pub fn get(&self, path: &str) -> Option<&str> {
        self.texts.get(path).map(String::as_str)
    }

    /// True when no file is overlaid.
    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }

    /// The overlay of nothing: every file is read from disk.
    pub(crate) fn none() -> &'static Overlay {
        static NONE: std::sync::OnceLock<Overlay> = std::sync::OnceLock::new();
        NONE.get_or_init(Overlay::default)
    }
}
