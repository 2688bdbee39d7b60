//! The `schema/` folder of an inventory: JSON Schemas for resolved data
//! (`schema/all.json` for every host, `schema/<group>.json` for a group's
//! hosts), read with the position of every value so that a violation can
//! point at the keyword that failed. This module only reads and parses;
//! the resolver compiles and applies them.

use std::path::Path;

use strata_diagnostics::{Code, Diagnostic, FileId, Files, Span};

use super::disk;
use super::memo::ParseMemo;
use super::overlay::Overlay;
use super::problems::{Stray, report_walk, unreadable};
use crate::json::{Json, parse_json};

/// The folder of schema files inside the inventory root.
pub const SCHEMA_DIR: &str = "schema";

/// Strays of `schema/`.
const NOT_JSON: Stray = Stray {
    code: Code::InvalidSchema,
    is: "is not a .json file; it is not used as a schema",
    help: "schemas are schema/all.json (every host) and schema/<group>.json (a group's hosts)",
};

/// One `schema/<name>.json` file.
#[derive(Clone, Debug, PartialEq)]
pub struct SchemaFile {
    /// The group it applies to (`all` for every host): the file name without `.json`.
    pub name: String,
    /// The file, in the [`Files`] it was read into.
    pub file: FileId,
    /// The parsed document; `None` when the file could not be read or is
    /// not JSON (a diagnostic says why).
    pub doc: Option<Json>,
}

/// Reads every `schema/*.json` of the inventory at `root` (canonical, as
/// [`RawInventory::root`](super::RawInventory::root)) into `files`,
/// sorted by name. Nothing outside the root is read: a symbolic link that
/// leads out is reported, as for data files. A folder without `schema/`
/// gives nothing.
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// let dir = tempfile::tempdir()?;
/// std::fs::create_dir(dir.path().join("schema"))?;
/// std::fs::write(dir.path().join("schema/all.json"), r#"{"required": ["ssh_user"]}"#)?;
/// std::fs::write(dir.path().join("schema/web.json"), "{\"type\": }")?;
/// let root = std::fs::canonicalize(dir.path())?;
/// let mut files = strata_parser::Files::new();
/// let (schemas, diagnostics) = strata_parser::read_schemas(&root, &mut files);
/// assert_eq!(schemas.len(), 2);
/// assert!(schemas[0].doc.as_ref().unwrap().get("required").is_some());
/// assert!(schemas[1].doc.is_none());
/// let at = files.location(diagnostics[0].span().unwrap()).unwrap();
/// assert_eq!((at.path.as_str(), at.line, at.column), ("schema/web.json", 1, 10));
/// # Ok(()) }
/// ```
pub fn read_schemas(root: &Path, files: &mut Files) -> (Vec<SchemaFile>, Vec<Diagnostic>) {
    read_schemas_overlaid(root, files, Overlay::none())
}

/// [`read_schemas`], with the texts of `overlay` read instead of the
/// schema files they stand for, and its buffers for `schema/*.json` files
/// not yet on disk listed as files ([`Overlay`] says when).
pub fn read_schemas_overlaid(
    root: &Path,
    files: &mut Files,
    overlay: &Overlay,
) -> (Vec<SchemaFile>, Vec<Diagnostic>) {
    let mut walk = disk::walk_ext(root, SCHEMA_DIR, 1, ".json");
    walk.add_unsaved(root, SCHEMA_DIR, 1, ".json", overlay);
    let mut diagnostics = Vec::new();
    report_walk(
        files,
        &mut diagnostics,
        walk.strays,
        walk.problems,
        Some(&NOT_JSON),
    );
    let mut out = Vec::new();
    for found in walk.files {
        // Read again only when it changed, for a process that reads the
        // inventory again and again (the language server). A kept schema
        // keeps its file's number: it is replayed only at that number.
        let read = |files: &mut Files, ds: &mut Vec<Diagnostic>| {
            read_schema(root, files, ds, &found, overlay)
        };
        let schema =
            ParseMemo::read_kept(&found.display, root, files, &mut diagnostics, overlay, read);
        out.push(schema);
    }
    (out, diagnostics)
}

/// Reads and parses one schema file.
fn read_schema(
    root: &Path,
    files: &mut Files,
    diagnostics: &mut Vec<Diagnostic>,
    found: &disk::Found,
    overlay: &Overlay,
) -> SchemaFile {
    let name = found.name().to_string();
    let text = disk::read_text(root, &found.path(root), &found.display, found.kind, overlay);
    let (file, doc) = match text {
        Ok(text) => {
            let file = files.add(found.display.clone(), text);
            match parse_json(files.get(file).text()) {
                Ok(doc) => (file, Some(doc)),
                Err(e) => {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::InvalidSchema,
                            Span::new(file, e.span.clone()),
                            format!("{} is not valid JSON: {}", found.display, e.message),
                        )
                        .with_help("a schema file holds one JSON Schema object, in strict JSON (no comments, no trailing commas)"),
                    );
                    (file, None)
                }
            }
        }
        Err(problem) => {
            let (file, d) = unreadable(files, found.display.clone(), problem);
            diagnostics.push(d);
            (file, None)
        }
    };
    SchemaFile { name, file, doc }
}
