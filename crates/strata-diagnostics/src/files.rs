//! The store of files that diagnostics point into: spans, and line/column
//! lookup.
//!
//! The store does no I/O. A text that was let go after parsing is read
//! back, when a diagnostic or an origin points into it, by the
//! [`ReadBack`] its owner installed ([`Files::with_read_back`]).

use std::sync::{Arc, OnceLock};

/// Index of a file in [`Files`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(u32);

impl FileId {
    /// The index of this file in its [`Files`].
    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// The id of the file at `index` of its [`Files`], for a reader that
    /// numbers files before it adds them (files parsed in parallel, added
    /// in order).
    pub fn from_index(index: usize) -> FileId {
        FileId(index as u32)
    }
}

/// A byte range inside one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Span {
    /// The file the range belongs to.
    pub file: FileId,
    /// Byte offset of the first byte.
    pub start: u32,
    /// Byte offset one past the last byte.
    pub end: u32,
}

impl Span {
    /// A span covering `range` of `file`.
    pub fn new(file: FileId, range: std::ops::Range<usize>) -> Span {
        Span {
            file,
            start: range.start as u32,
            end: range.end.max(range.start) as u32,
        }
    }

    /// An empty span at the start of `file`: used when a problem concerns a
    /// whole file (unreadable, too large) rather than a place in it.
    pub fn file_start(file: FileId) -> Span {
        Span {
            file,
            start: 0,
            end: 0,
        }
    }

    /// The byte range of the span.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// A 1-based line and column (in characters) inside a named file.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Location {
    /// The file's path as shown to people, with `/` separators: relative to
    /// the inventory root, behind the display base of [`Files::set_base`]
    /// when one is set (`inventory/hosts.toml` when run from the folder
    /// above the inventory).
    pub path: String,
    /// The file's path relative to the inventory root (`hosts.toml`).
    pub inventory_path: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, counted in Unicode scalar values.
    pub column: u32,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.path, self.line, self.column)
    }
}

/// One file that was read (or that was meant to be read).
///
/// When its reader lets texts go (`strata_parser::read_inventory_letting_go`),
/// a file that parses without a problem does not keep its text: an inventory of
/// 100,000 host files would hold all of their bytes for the few that a
/// later diagnostic or origin points into. Its text is read again by the
/// store's [`ReadBack`], under the rules of the first read, on first use, and used only when it is
/// still what was parsed (same hash); a file changed since then shows as
/// empty, and [`File::is_changed`] says so.
#[derive(Debug)]
pub struct File {
    // Boxed, not `String`: one of these per file, 100,000 at 100,000 hosts.
    name: Box<str>,
    /// The text; empty when it was let go (`unkept`).
    text: Box<str>,
    /// Where a text that was let go is read back from, and its hash.
    unkept: Option<Unkept>,
    /// Made on first use: the text read back, and the line table.
    lazy: OnceLock<Box<Lazy>>,
    is_virtual: bool,
    missing: bool,
}

/// Reads back, by its name, the text of a file that was let go.
///
/// Installed by whoever fills the store from disk (the parser's reader,
/// which reads the name under the inventory root by the rules of its first
/// read): the store itself never touches the filesystem.
pub trait ReadBack: std::fmt::Debug + Send + Sync {
    /// The text of the file `name` (as it was added to the store), or
    /// `None` when it cannot be read any more.
    fn read_back(&self, name: &str) -> Option<String>;
}

/// How to read back a text that was let go.
#[derive(Debug)]
struct Unkept {
    /// What reads it back.
    reader: Arc<dyn ReadBack>,
    /// [`stamp`] of the text that was parsed.
    stamp: u64,
}

#[derive(Debug)]
struct Lazy {
    /// An unkept file's text, read back (`None`: not unkept, or no longer
    /// readable as it was).
    back: Option<Box<str>>,
    line_starts: OnceLock<Box<[u32]>>,
}

/// The hash a text that is let go is recognised by when read back.
pub fn stamp(text: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::quality::FixedState::with_seed(0x5752_4154_4131).hash_one(text)
}

impl File {
    /// Path relative to the inventory root, with `/` separators
    /// (`group_data/web.toml`), or the virtual name for in-memory data.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The file's text (empty when it could not be read, or when it was
    /// let go and has changed since: [`File::is_changed`]).
    pub fn text(&self) -> &str {
        match &self.unkept {
            None => &self.text,
            Some(_) => self.lazy().back.as_deref().unwrap_or(""),
        }
    }

    /// True for a file whose text was let go after parsing and that cannot
    /// be read back as it was (edited or removed since): its spans point
    /// nowhere any more.
    pub fn is_changed(&self) -> bool {
        self.unkept.is_some() && self.lazy().back.is_none()
    }

    fn lazy(&self) -> &Lazy {
        self.lazy.get_or_init(|| {
            let back = self.unkept.as_ref().and_then(|u| {
                let text = u.reader.read_back(&self.name)?;
                (stamp(&text) == u.stamp).then(|| text.into_boxed_str())
            });
            Box::new(Lazy {
                back,
                line_starts: OnceLock::new(),
            })
        })
    }

    /// True for data that did not come from a file (built in code, command line).
    pub fn is_virtual(&self) -> bool {
        self.is_virtual
    }

    /// True for a file that should exist but does not (a missing hosts.toml).
    pub fn is_missing(&self) -> bool {
        self.missing
    }

    /// Byte offsets where lines start. A line ends at `\n`, at `\r\n`, or
    /// at a lone `\r` (old Mac line endings, which TOML rejects but editors
    /// still show as lines: a report must point at the line people see).
    fn line_starts(&self) -> &[u32] {
        self.lazy().line_starts.get_or_init(|| {
            let bytes = self.text().as_bytes();
            std::iter::once(0)
                .chain(bytes.iter().enumerate().filter_map(|(i, &b)| {
                    let ends = b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
                    ends.then_some(i as u32 + 1)
                }))
                .collect()
        })
    }

    /// 0-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.text().len());
        self.line_starts()
            .partition_point(|&s| s as usize <= offset)
            - 1
    }

    /// The bytes of 0-based line `line`, without its line ending; `None`
    /// past the last line.
    pub fn line_range(&self, line: usize) -> Option<std::ops::Range<usize>> {
        let starts = self.line_starts();
        let start = *starts.get(line)? as usize;
        let mut end = starts
            .get(line + 1)
            .map_or(self.text().len(), |&s| s as usize);
        let bytes = self.text().as_bytes();
        if end > start && matches!(bytes[end - 1], b'\n' | b'\r') {
            end -= 1;
            if end > start && bytes[end] == b'\n' && bytes[end - 1] == b'\r' {
                end -= 1;
            }
        }
        Some(start..end)
    }

    /// Number of lines.
    pub fn line_count(&self) -> usize {
        self.line_starts().len()
    }

    /// 1-based line and column of a byte offset.
    pub fn line_column(&self, offset: usize) -> (u32, u32) {
        let text = self.text();
        let offset = offset.min(text.len());
        let line = self.line_of(offset);
        let start = self.line_starts()[line] as usize;
        let column = text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line as u32 + 1, column as u32 + 1)
    }
}

/// Every file of one inventory, addressed by [`FileId`].
#[derive(Debug, Default)]
pub struct Files {
    files: Vec<File>,
    base: String,
    /// What reads back the texts that were let go.
    reader: Option<Arc<dyn ReadBack>>,
}

impl Files {
    /// An empty store.
    pub fn new() -> Files {
        Files::default()
    }

    /// Sets the display base: a prefix (`inventory/`, ending in `/`, or
    /// empty) put before every file name shown to people, so that paths in
    /// reports are relative to where the command runs, as compilers print
    /// them. [`Location::inventory_path`] keeps the root-relative name.
    pub fn set_base(&mut self, base: impl Into<String>) {
        self.base = base.into();
    }

    /// The display base ([`Files::set_base`]).
    pub fn base(&self) -> &str {
        &self.base
    }

    /// A file's name as shown to people: the display base, then its path
    /// relative to the root; virtual files keep their name.
    pub fn display_name(&self, id: FileId) -> String {
        let file = self.get(id);
        if file.is_virtual {
            file.name.to_string()
        } else {
            format!("{}{}", self.base, file.name)
        }
    }

    /// Adds a file read from disk, named by its path relative to the root.
    pub fn add(&mut self, name: impl Into<String>, text: String) -> FileId {
        self.push(name.into(), text, false)
    }

    /// Adds a file that should exist but does not: problems name it, but
    /// there is no line to show.
    pub fn add_missing(&mut self, name: impl Into<String>) -> FileId {
        let id = self.push(name.into(), String::new(), false);
        self.files[id.index()].missing = true;
        id
    }

    /// Adds a virtual file: data that comes from code or the command line.
    pub fn add_virtual(&mut self, name: impl Into<String>) -> FileId {
        self.push(name.into(), String::new(), true)
    }

    /// Adds a file read from disk whose text was let go after parsing:
    /// it is read back by the store's [`ReadBack`] when asked for, and
    /// used if it still has this [`stamp`].
    pub fn add_unkept(&mut self, name: String, stamp: u64) -> FileId {
        let id = self.push(name, String::new(), false);
        // Texts are let go only when `can_let_go`: without a reader, the
        // file would show as empty.
        if let Some(reader) = self.reader.clone() {
            self.files[id.index()].unkept = Some(Unkept { reader, stamp });
        }
        id
    }

    /// Lets go of the text of `id`, a file read from disk, when texts may
    /// be let go ([`Files::can_let_go`]): it is read back when asked for
    /// (see [`File`]).
    pub fn let_go(&mut self, id: FileId) {
        let Some(reader) = self.reader.clone() else {
            return;
        };
        let file = &mut self.files[id.index()];
        if file.is_virtual || file.missing || file.unkept.is_some() {
            return;
        }
        let stamp = stamp(&std::mem::take(&mut file.text));
        file.unkept = Some(Unkept { reader, stamp });
        file.lazy = OnceLock::new();
    }

    /// An empty store whose texts may be let go: `reader` reads them back
    /// by name when they are needed.
    pub fn with_read_back(reader: Arc<dyn ReadBack>) -> Files {
        Files {
            reader: Some(reader),
            ..Files::default()
        }
    }

    /// True when texts can be let go and read back (the store was made by
    /// [`Files::with_read_back`]).
    pub fn can_let_go(&self) -> bool {
        self.reader.is_some()
    }

    fn push(&mut self, name: String, text: String, is_virtual: bool) -> FileId {
        let id = FileId(self.files.len() as u32);
        self.files.push(File {
            name: name.into_boxed_str(),
            text: text.into_boxed_str(),
            unkept: None,
            lazy: OnceLock::new(),
            is_virtual,
            missing: false,
        });
        id
    }

    /// The file with this id.
    pub fn get(&self, id: FileId) -> &File {
        &self.files[id.index()]
    }

    /// Looks a file up by its name relative to the root.
    pub fn find(&self, name: &str) -> Option<FileId> {
        self.files
            .iter()
            .position(|f| &*f.name == name)
            .map(|i| FileId(i as u32))
    }

    /// Where a span starts, or `None` for virtual files.
    ///
    /// Also `None` for a file whose text was let go and that changed
    /// since ([`File::is_changed`]): its lines are not known.
    pub fn location(&self, span: Span) -> Option<Location> {
        let file = self.get(span.file);
        if file.is_virtual || file.is_changed() {
            return None;
        }
        let (line, column) = file.line_column(span.start as usize);
        Some(Location {
            path: self.display_name(span.file),
            inventory_path: file.name.to_string(),
            line,
            column,
        })
    }

    /// All files in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &File)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Room for `n` more files, so that a large read does not grow the
    /// table by doubling.
    pub fn reserve(&mut self, n: usize) {
        // And a few more for what follows the data files (virtual files
        // of a build, schema files), which would otherwise copy the table.
        self.files.reserve_exact(n + 16);
    }

    /// True when no file was added.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_column_table() {
        let mut files = Files::new();
        let id = files.add("a.toml", "ab\ncdé\nx".into());
        let f = files.get(id);
        // (offset, line, column)
        let cases = [
            (0, 1, 1),
            (1, 1, 2),
            (2, 1, 3),
            (3, 2, 1),
            (5, 2, 3),
            (7, 2, 4),
            (8, 3, 1),
            (99, 3, 2),
        ];
        for (offset, line, column) in cases {
            assert_eq!(f.line_column(offset), (line, column), "offset {offset}");
        }
    }

    #[test]
    fn line_endings() {
        // (text, offset, line, column, range of the offset's line)
        let cases = [
            ("a\r\nbc\r\nd", 3, 2, 1, 3..5),
            ("a\rbc\rd", 2, 2, 1, 2..4),
            ("a\rbc\rd", 5, 3, 1, 5..6),
            ("a\n\nb", 2, 2, 1, 2..2),
            ("ab\n", 3, 2, 1, 3..3),
        ];
        for (text, offset, line, column, range) in cases {
            let mut files = Files::new();
            let id = files.add("a.toml", text.into());
            let f = files.get(id);
            assert_eq!(
                f.line_column(offset),
                (line, column),
                "{text:?} at {offset}"
            );
            assert_eq!(f.line_range(line as usize - 1), Some(range), "{text:?}");
        }
    }

    #[test]
    fn display_base() {
        let mut files = Files::new();
        let id = files.add("group_data/web.toml", "x = 1".into());
        files.set_base("infra/prod/");
        let at = files.location(Span::new(id, 4..5)).unwrap();
        assert_eq!(at.to_string(), "infra/prod/group_data/web.toml:1:5");
        assert_eq!(at.inventory_path, "group_data/web.toml");
    }

    #[test]
    fn virtual_files_have_no_location() {
        let mut files = Files::new();
        let id = files.add_virtual("<command line>");
        assert_eq!(files.location(Span::file_start(id)), None);
    }
}
