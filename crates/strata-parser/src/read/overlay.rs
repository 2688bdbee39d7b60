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
    memo: Option<std::sync::Arc<ParseMemo>>,
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
    /// inventory, and keeps this read's in it ([`ParseMemo`]).
    pub fn with_memo(mut self, memo: std::sync::Arc<ParseMemo>) -> Overlay {
        self.memo = Some(memo);
        self
    }

    /// The memo of parsed data files, if any.
    pub(crate) fn memo(&self) -> Option<&ParseMemo> {
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

/// Data files (`group_data/`, `host_data/`) parsed by earlier reads of one
/// inventory, reused while they are unchanged: a process that reads the
/// same inventory again and again (the language server, after each edit)
/// then re-reads and re-parses only the files that changed.
///
/// A file is unchanged when it keeps its number in the file store, and
/// either its overlaid text is the same, or, read from disk as a regular
/// file (not through a symbolic link), its size and modification time are
/// (one `lstat`, no read). Files that could not be read are never kept.
/// Give the same memo only to reads of the same inventory root.
#[derive(Debug, Default)]
pub struct ParseMemo {
    entries: std::sync::Mutex<HashMap<String, Kept>>,
}

/// What identifies a file's content without reading it again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Version {
    /// An overlaid text, by its hash.
    Text(u64),
    /// A file on disk, by size and modification time.
    Disk(u64, std::time::SystemTime),
}

#[derive(Debug)]
struct Kept {
    file: strata_diagnostics::FileId,
    version: Version,
    parsed: super::data::Parsed,
}

impl ParseMemo {
    /// The file `display`'s parse, when it was kept with this number and
    /// version.
    pub(crate) fn get(
        &self,
        display: &str,
        file: strata_diagnostics::FileId,
        version: Version,
    ) -> Option<super::data::Parsed> {
        let entries = self.entries.lock().ok()?;
        let kept = entries.get(display)?;
        (kept.file == file && kept.version == version).then(|| kept.parsed.clone())
    }

    /// Keeps a parse of the file `display`.
    pub(crate) fn keep(
        &self,
        display: &str,
        file: strata_diagnostics::FileId,
        version: Version,
        parsed: &super::data::Parsed,
    ) {
        if let Ok(mut entries) = self.entries.lock() {
            let kept = Kept {
                file,
                version,
                parsed: parsed.clone(),
            };
            entries.insert(display.to_string(), kept);
        }
    }

    /// How many files are kept.
    pub fn len(&self) -> usize {
        self.entries.lock().map_or(0, |e| e.len())
    }

    /// True when no file is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
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
