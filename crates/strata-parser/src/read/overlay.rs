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
    memo: Option<std::sync::Arc<super::memo::ParseMemo>>,
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

    /// Reuses the parses `memo` kept from earlier reads of the same
    /// inventory, and keeps this read's in it ([`ParseMemo`](super::memo::ParseMemo)).
    pub fn with_memo(mut self, memo: std::sync::Arc<super::memo::ParseMemo>) -> Overlay {
        self.memo = Some(memo);
        self
    }

    /// The memo of parsed data files, if any.
    pub(crate) fn memo(&self) -> Option<&super::memo::ParseMemo> {
        self.memo.as_deref()
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::read::memo::ParseMemo;
    use crate::read::read_inventory_overlaid;

    fn value(raw: &crate::RawInventory, key: &str) -> String {
        let file = &raw.group_files[0];
        format!("{:?}", file.data.get(key).map(|e| &e.value))
    }

    #[test]
    fn unchanged_files_are_neither_read_nor_parsed_again() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("hosts.toml"), "web = [\"w1\"]\n").unwrap();
        std::fs::create_dir(dir.path().join("group_data")).unwrap();
        let web = dir.path().join("group_data/web.toml");
        std::fs::write(&web, "port = 80\n").unwrap();
        let memo = Arc::new(ParseMemo::default());
        let overlay = Overlay::default().with_memo(memo.clone());
        let first = read_inventory_overlaid(dir.path(), &overlay);
        assert_eq!(value(&first, "port"), "Some(Integer(80))");
        assert_eq!(memo.len(), 1);
        // Same size, same modification time: the kept parse is used, so the
        // new bytes are not seen (the file was not read).
        let modified = std::fs::metadata(&web).unwrap().modified().unwrap();
        std::fs::write(&web, "port = 81\n").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&web)
            .unwrap()
            .set_modified(modified)
            .unwrap();
        let second = read_inventory_overlaid(dir.path(), &overlay);
        assert_eq!(value(&second, "port"), "Some(Integer(80))");
        assert_eq!(
            second.files.get(second.group_files[0].file).text(),
            "port = 80\n"
        );
        // Another size: read and parsed again.
        std::fs::write(&web, "port = 8080\n").unwrap();
        let third = read_inventory_overlaid(dir.path(), &overlay);
        assert_eq!(value(&third, "port"), "Some(Integer(8080))");
        // An overlaid text is parsed when it changes, then kept.
        let mut buffers = Overlay::default().with_memo(memo.clone());
        buffers.insert("group_data/web.toml", "port = [\n");
        let broken = read_inventory_overlaid(dir.path(), &buffers);
        assert_eq!(
            broken.diagnostics[0].code,
            strata_diagnostics::Code::TomlSyntax
        );
        let again = read_inventory_overlaid(dir.path(), &buffers);
        assert_eq!(again.diagnostics, broken.diagnostics);
        // Without the overlay, the file on disk again.
        let back = read_inventory_overlaid(dir.path(), &overlay);
        assert_eq!(value(&back, "port"), "Some(Integer(8080))");
        assert!(back.diagnostics.is_empty());
    }
}
