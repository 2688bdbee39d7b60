//! Texts read instead of the files they stand for: an editor's unsaved
//! buffers, for the language server.
//!
//! The reader asks the overlay at the last moment: after a file was found
//! by the listing and passed the checks a file on disk passes (inside the
//! root, a regular file), and before it is opened. So an overlay changes
//! what a file says, never whether a file may be read. One more file may
//! appear: a buffer for a `group_data/` or `host_data/` file that does not
//! exist on disk at all (a file being created, not yet saved) is listed
//! as if it were there, when its name is one the walk could list.

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

    /// The paths overlaid, in no particular order.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.texts.keys().map(String::as_str)
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

    fn set_modified(path: &std::path::Path, at: std::time::SystemTime) {
        std::fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(at)
            .unwrap();
    }

    /// Letting texts go, a kept parse is reused too, and a file's text is
    /// read back from disk when asked for; an overlaid text (hosts.toml
    /// included) is kept, not read back.
    #[test]
    fn letting_go_reuses_parses_and_keeps_overlaid_texts() {
        let dir = tempfile::tempdir().unwrap();
        let hosts = dir.path().join("hosts.toml");
        std::fs::write(&hosts, "web = [\"w1\"]\n").unwrap();
        std::fs::create_dir(dir.path().join("group_data")).unwrap();
        let web = dir.path().join("group_data/web.toml");
        std::fs::write(&web, "port = 80\n").unwrap();
        let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        set_modified(&web, hour_ago);
        let memo = Arc::new(ParseMemo::default());
        let mut overlay = Overlay::default().with_memo(memo.clone());
        overlay.insert("hosts.toml", "web = [\"w2\"]\n");
        for _ in 0..2 {
            let raw = crate::read_inventory_overlaid_letting_go(dir.path(), &overlay);
            assert_eq!(value(&raw, "port"), "Some(Integer(80))");
            // group_data/web.toml and hosts.toml.
            assert_eq!(memo.len(), 2);
            let file = raw.files.get(raw.group_files[0].file);
            assert_eq!(file.text(), "port = 80\n");
            let hosts_file = raw.files.get(raw.hosts.as_ref().unwrap().file);
            assert_eq!(hosts_file.text(), "web = [\"w2\"]\n");
            assert!(!hosts_file.is_changed());
        }
        // A parse kept without its text does not serve a read that keeps
        // texts: that read reads the file.
        let kept = read_inventory_overlaid(dir.path(), &overlay);
        assert_eq!(
            kept.files.get(kept.group_files[0].file).text(),
            "port = 80\n"
        );
    }

    /// hosts.toml, unchanged, is neither read nor parsed again; changed
    /// (or overlaid with another text), it is.
    #[test]
    fn an_unchanged_hosts_file_is_not_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hosts.toml");
        std::fs::write(&path, "web = [\"w1\"]\n").unwrap();
        let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        set_modified(&path, hour_ago);
        let memo = Arc::new(ParseMemo::default());
        let overlay = Overlay::default().with_memo(memo.clone());
        let hosts = |raw: &crate::RawInventory| {
            let h = raw.hosts.as_ref().unwrap();
            format!("{:?}", h.groups[0].hosts[0].name)
        };
        let first = crate::read_inventory_overlaid_letting_go(dir.path(), &overlay);
        assert_eq!(hosts(&first), "\"w1\"");
        assert_eq!(memo.len(), 1);
        // Same size and time: the kept parse, not the new bytes; its text
        // is read back when asked for, and then shows as changed.
        std::fs::write(&path, "web = [\"w9\"]\n").unwrap();
        set_modified(&path, hour_ago);
        let second = crate::read_inventory_overlaid_letting_go(dir.path(), &overlay);
        assert_eq!(hosts(&second), "\"w1\"");
        assert!(
            second
                .files
                .get(second.hosts.as_ref().unwrap().file)
                .is_changed()
        );
        // Overlaid: parsed once per text, its text kept.
        let mut buffers = Overlay::default().with_memo(memo.clone());
        buffers.insert("hosts.toml", "web = [\"w2\"]\n");
        for _ in 0..2 {
            let raw = crate::read_inventory_overlaid_letting_go(dir.path(), &buffers);
            assert_eq!(hosts(&raw), "\"w2\"");
            let file = raw.files.get(raw.hosts.as_ref().unwrap().file);
            assert_eq!(file.text(), "web = [\"w2\"]\n");
        }
        // A read that keeps texts reads the file, since its parse was kept
        // without it.
        let kept = read_inventory_overlaid(dir.path(), &overlay);
        assert_eq!(hosts(&kept), "\"w9\"");
        // Another size: read and parsed again.
        std::fs::write(&path, "web = [\"w10\"]\n").unwrap();
        let third = crate::read_inventory_overlaid_letting_go(dir.path(), &overlay);
        assert_eq!(hosts(&third), "\"w10\"");
    }

    /// strata.toml, a source's declaration and document, and a schema,
    /// unchanged, are neither read nor parsed again (a same-size rewrite
    /// keeping the time is not seen); changed, they are.
    #[test]
    fn unchanged_small_files_are_not_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        let write = |name: &str, text: &str| {
            let path = root.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, text).unwrap();
            set_modified(&path, hour_ago);
        };
        let doc =
            |port: u8| format!(r#"{{"web": {{"hosts": ["w1"], "vars": {{"port": {port}}}}}}}"#);
        write("hosts.toml", "web = [\"w1\"]\n");
        write("strata.toml", "[merge]\npackages = \"unique\"\n");
        write("sources/cmdb.toml", "file = \"cmdb.json\"\n");
        write("cmdb.json", &doc(1));
        write("schema/all.json", r#"{"maxProperties": 5}"#);
        let memo = Arc::new(ParseMemo::default());
        let overlay = Overlay::default().with_memo(memo.clone());
        let read = || {
            let mut raw = crate::read_inventory_overlaid_letting_go(&root, &overlay);
            let (schemas, _) = crate::read_schemas_overlaid(&root, &mut raw.files, &overlay);
            let port = format!(
                "{:?}",
                raw.source_docs[0].groups[0]
                    .vars
                    .as_ref()
                    .and_then(|v| v.get("port"))
                    .map(|e| &e.value)
            );
            let merge = format!("{:?}", raw.settings.merge[0].strategy);
            let schema = format!(
                "{:?}",
                schemas[0]
                    .doc
                    .as_ref()
                    .unwrap()
                    .get("maxProperties")
                    .is_some()
            );
            (merge, port, schema, raw.diagnostics.len())
        };
        let first = read();
        assert_eq!(
            first,
            ("Unique".into(), "Some(Integer(1))".into(), "true".into(), 0)
        );
        // hosts.toml, strata.toml, the source, the schema.
        assert_eq!(memo.len(), 4);
        // Same sizes, same times: the kept results.
        write("strata.toml", "[merge]\npackages = \"append\"\n");
        write("cmdb.json", &doc(2));
        write("schema/all.json", r#"{"minProperties": 5}"#);
        assert_eq!(read(), first);
        // Changed (other sizes): read again.
        write("strata.toml", "[merge]\npackages = \"deep\"\n");
        write("cmdb.json", &doc(33));
        write("schema/all.json", r#"{"minProperties": 55}"#);
        assert_eq!(
            read(),
            ("Deep".into(), "Some(Integer(33))".into(), "false".into(), 0)
        );
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
        // Just written: a rewrite of the same size in the same tick could
        // keep its time, so the parse is not kept yet.
        let first = read_inventory_overlaid(dir.path(), &overlay);
        assert_eq!(value(&first, "port"), "Some(Integer(80))");
        assert_eq!(memo.len(), 0);
        std::fs::write(&web, "port = 79\n").unwrap();
        let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        set_modified(&web, hour_ago);
        let first = read_inventory_overlaid(dir.path(), &overlay);
        assert_eq!(value(&first, "port"), "Some(Integer(79))");
        assert_eq!(memo.len(), 1);
        // Same size, same modification time: the kept parse is used, so the
        // new bytes are not seen (the file was not read).
        let modified = std::fs::metadata(&web).unwrap().modified().unwrap();
        std::fs::write(&web, "port = 81\n").unwrap();
        set_modified(&web, modified);
        let second = read_inventory_overlaid(dir.path(), &overlay);
        assert_eq!(value(&second, "port"), "Some(Integer(79))");
        assert_eq!(
            second.files.get(second.group_files[0].file).text(),
            "port = 79\n"
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

#[cfg(test)]
mod unsaved {
    use super::*;

    /// Buffers of `sources/` and `schema/` stand for their files, and join
    /// the listing when the file is not on disk yet.
    #[test]
    fn unsaved_sources_and_schemas_join() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::write(root.join("hosts.toml"), "web = [\"w1\"]\n").unwrap();
        std::fs::create_dir(root.join("schema")).unwrap();
        std::fs::write(root.join("schema/all.json"), "{}").unwrap();
        std::fs::write(
            root.join("cmdb.json"),
            r#"{"web": {"hosts": ["w1"]}, "_meta": {"hostvars": {"w1": {"rack": 1}}}}"#,
        )
        .unwrap();
        let mut overlay = Overlay::default();
        overlay.insert("sources/cmdb.toml", "file = \"cmdb.json\"\n");
        overlay.insert("schema/all.json", r#"{"required": ["rack"]}"#);
        overlay.insert("schema/web.json", "{\"type\": }");
        overlay.insert("schema/.web.json", "{}");
        let raw = crate::read_inventory_overlaid(&root, &overlay);
        assert!(raw.diagnostics.is_empty(), "{:?}", raw.diagnostics);
        assert_eq!(raw.source_decls.len(), 1);
        assert_eq!(raw.source_docs.len(), 1);
        let mut files = strata_diagnostics::Files::new();
        let (schemas, problems) = crate::read_schemas_overlaid(&root, &mut files, &overlay);
        let names: Vec<&str> = schemas.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["all", "web"]);
        let all = schemas[0].doc.as_ref().unwrap();
        assert!(all.get("required").is_some());
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].code, strata_diagnostics::Code::InvalidSchema);
        // Without the overlay, the files on disk only.
        let (schemas, _) = crate::read_schemas(&root, &mut files);
        assert_eq!(schemas.len(), 1);
        assert!(schemas[0].doc.as_ref().unwrap().get("required").is_none());
    }

    /// A buffer for a data file not yet on disk joins the inventory; one
    /// whose name the walk could never list, or that stands where the walk
    /// refused something, does not.
    #[test]
    fn unsaved_data_files_join_the_listing() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("hosts.toml"), "web = [\"w1\"]\n").unwrap();
        std::fs::create_dir(root.join("group_data")).unwrap();
        std::fs::create_dir(root.join("group_data/sub.toml")).unwrap();
        let mut overlay = Overlay::default();
        overlay.insert("group_data/web.toml", "port = 80\n");
        overlay.insert("host_data/w1.toml", "port = 81\n");
        overlay.insert("group_data/.web.toml", "port = 1\n");
        overlay.insert("group_data/../x.toml", "port = 1\n");
        overlay.insert("group_data/sub.toml", "port = 1\n");
        overlay.insert("group_data/web.yml", "port: 1\n");
        let raw = crate::read_inventory_overlaid(root, &overlay);
        let names: Vec<&str> = (0..raw.files.len())
            .map(|i| {
                raw.files
                    .get(strata_diagnostics::FileId::from_index(i))
                    .name()
            })
            .collect();
        assert!(names.contains(&"group_data/web.toml"), "{names:?}");
        assert!(names.contains(&"host_data/w1.toml"), "{names:?}");
        for refused in [
            "group_data/.web.toml",
            "group_data/../x.toml",
            "x.toml",
            "group_data/web.yml",
            "group_data/sub.toml",
        ] {
            assert!(!names.contains(&refused), "{refused} in {names:?}");
        }
        let web = raw
            .group_files
            .iter()
            .find(|g| g.name.as_str() == "web")
            .unwrap();
        assert_eq!(raw.files.get(web.file).text(), "port = 80\n");
        // The directory stays what the walk says it is: a stray.
        let codes: Vec<_> = raw.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            [strata_diagnostics::Code::NonTomlFile],
            "{:?}",
            raw.diagnostics
        );
    }
}
