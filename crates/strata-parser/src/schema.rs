//! The `schema/` folder of an inventory: JSON Schemas for resolved data
//! (`schema/all.json` for every host, `schema/<group>.json` for a group's
//! hosts), read with the position of every value so that a violation can
//! point at the keyword that failed. This module only reads and parses;
//! the resolver compiles and applies them.

use std::path::Path;

use crate::json::{Json, parse_json};
use crate::read;
use strata_diagnostics::{Code, Diagnostic};
use strata_diagnostics::{FileId, Files, Span};

/// The folder of schema files inside the inventory root.
pub const SCHEMA_DIR: &str = "schema";

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
/// [`RawInventory::root`](crate::RawInventory::root)) into `sources`,
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
/// let mut sources = strata_parser::Files::new();
/// let (schemas, diagnostics) = strata_parser::read_schemas(&root, &mut sources);
/// assert_eq!(schemas.len(), 2);
/// assert!(schemas[0].doc.as_ref().unwrap().get("required").is_some());
/// assert!(schemas[1].doc.is_none());
/// let at = sources.location(diagnostics[0].span().unwrap()).unwrap();
/// assert_eq!((at.path.as_str(), at.line, at.column), ("schema/web.json", 1, 10));
/// # Ok(()) }
/// ```
pub fn read_schemas(root: &Path, sources: &mut Files) -> (Vec<SchemaFile>, Vec<Diagnostic>) {
    let walk = read::walk_ext(root, SCHEMA_DIR, 1, ".json");
    let mut diagnostics = Vec::new();
    for stray in walk.strays {
        let file = sources.add(stray.clone(), String::new());
        diagnostics.push(
            Diagnostic::warning(
                Code::InvalidSchema,
                Span::file_start(file),
                format!("{stray} is not a .json file; it is not used as a schema"),
            )
            .with_help("schemas are schema/all.json (every host) and schema/<group>.json (a group's hosts)"),
        );
    }
    for (display, problem) in walk.problems {
        let file = sources.add(display, String::new());
        diagnostics.push(Diagnostic::error(
            problem.code,
            Span::file_start(file),
            problem.message,
        ));
    }
    let mut out = Vec::new();
    for found in walk.files {
        let name = found.name().to_string();
        let text = read::read_text(root, &found.path(root), &found.display, found.kind);
        let (file, doc) = match text {
            Ok(text) => {
                let file = sources.add(found.display.clone(), text);
                match parse_json(sources.get(file).text()) {
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
                let (file, d) = crate::unreadable(sources, found.display.clone(), problem);
                diagnostics.push(d);
                (file, None)
            }
        };
        out.push(SchemaFile { name, file, doc });
    }
    (out, diagnostics)
}
