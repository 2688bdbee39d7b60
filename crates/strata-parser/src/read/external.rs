//! The `sources/` folder of an inventory: each declaration read and checked,
//! and the JSON document of each `file` source read (inside the root, under
//! the size limit) and parsed. A `command` source's answer is fetched later,
//! by `strata-exec`; nothing here runs anything.

use std::path::{Component, Path};

use strata_diagnostics::{Code, Diagnostic, FileId, Files};

use super::disk;
use super::memo::ParseMemo;
use super::overlay::Overlay;
use super::problems::{report_walk, unreadable};
use crate::convert::parse_data;
use crate::external::{
    SOURCES_DIR, SourceDecl, SourceDoc, SourceKind, declaration, parse_source_document,
};

/// Reads `sources/*.toml` and the JSON documents of `file` sources.
pub(crate) fn read_sources(
    root: &Path,
    files: &mut Files,
    diagnostics: &mut Vec<Diagnostic>,
    overlay: &Overlay,
) -> (Vec<SourceDecl>, Vec<SourceDoc>) {
    // Other files in sources/ (a JSON export, a script) are ignored.
    let mut walk = disk::walk(root, SOURCES_DIR, 1);
    walk.add_unsaved(root, SOURCES_DIR, 1, ".toml", overlay);
    report_walk(files, diagnostics, walk.strays, walk.problems, None);
    let (mut decls, mut docs) = (Vec::new(), Vec::new());
    for found in walk.files {
        // Read again only when the declaration or its document changed,
        // for a process that reads the inventory again and again (the
        // language server).
        let (decl, doc) = ParseMemo::read_kept(
            &found.display,
            root,
            files,
            diagnostics,
            overlay,
            |files, ds| read_source(root, files, ds, &found, overlay),
        );
        docs.extend(doc);
        decls.extend(decl);
    }
    (decls, docs)
}

/// Reads one declaration of `sources/` and, for a `file` source, its
/// document.
fn read_source(
    root: &Path,
    files: &mut Files,
    diagnostics: &mut Vec<Diagnostic>,
    found: &disk::Found,
    overlay: &Overlay,
) -> (Option<SourceDecl>, Option<SourceDoc>) {
    let name = found.name().to_string();
    let text = match disk::read_text(root, &found.path(root), &found.display, found.kind, overlay) {
        Ok(text) => text,
        Err(p) => {
            diagnostics.push(unreadable(files, found.display.clone(), p).1);
            return (None, None);
        }
    };
    let (decl_table, syntax) = parse_data(files, &found.display, text);
    let file = FileId::from_index(files.len() - 1);
    let broken = syntax.iter().any(Diagnostic::is_error);
    diagnostics.extend(syntax);
    if broken {
        return (None, None);
    }
    let text = files.get(file).text();
    let Some(decl) = declaration(&name, file, text, &decl_table, diagnostics) else {
        return (None, None);
    };
    let doc = match &decl.kind {
        SourceKind::File(path) => Some(read_file_source(
            root,
            files,
            diagnostics,
            &decl,
            path,
            overlay,
        )),
        _ => None,
    };
    (Some(decl), doc)
}

/// Reads a `file` source's JSON document, refusing a path outside the root.
fn read_file_source(
    root: &Path,
    files: &mut Files,
    diagnostics: &mut Vec<Diagnostic>,
    decl: &SourceDecl,
    path: &str,
    overlay: &Overlay,
) -> SourceDoc {
    let failed = SourceDoc {
        source: decl.name.clone(),
        ..SourceDoc::default()
    };
    let mut refuse = |message: String, code: Code, help: &str| {
        diagnostics.push(Diagnostic::error(code, decl.span, message).with_help(help.to_string()));
    };
    let rel = Path::new(path);
    let escapes = rel.is_absolute()
        || rel
            .components()
            .any(|c| matches!(c, Component::ParentDir | Component::Prefix(_)));
    if path.is_empty() || escapes {
        refuse(
            format!(
                "the file of source `{}`, `{path}`, is outside the inventory root; it was not read",
                decl.name
            ),
            Code::SourceDeclaration,
            "a source file is a path relative to the inventory root, without `..`: nothing outside the root is read",
        );
        return failed;
    }
    let full = root.join(rel);
    let display = disk::slash_path(
        &rel.components()
            .filter(|c| !matches!(c, Component::CurDir))
            .collect::<std::path::PathBuf>(),
    );
    let meta = match std::fs::symlink_metadata(&full) {
        Ok(m) => m,
        Err(e) => {
            refuse(
                format!(
                    "the file of source `{}`, {display}, cannot be read: {e}",
                    decl.name
                ),
                Code::SourceDeclaration,
                "the path is relative to the inventory root",
            );
            return failed;
        }
    };
    // Every component must stay inside the root (a linked directory too).
    if let Ok(real) = std::fs::canonicalize(&full)
        && !real.starts_with(root)
    {
        refuse(
            format!(
                "{display}, the file of source `{}`, leads outside the inventory root; it was not read",
                decl.name
            ),
            Code::SymlinkOutsideRoot,
            "nothing outside the inventory root is read: copy the export into the inventory",
        );
        return failed;
    }
    // A folder (`file = "."`, `file = "exports/"`) or another file that
    // is not a regular one is a mistake of the declaration: said there.
    if let Ok(target) = std::fs::metadata(&full)
        && !target.is_file()
    {
        let what = if target.is_dir() {
            "a folder"
        } else {
            "not a regular file (a FIFO, a socket or a device)"
        };
        refuse(
            format!(
                "the file of source `{}`, `{path}`, is {what}; it was not read",
                decl.name
            ),
            Code::SourceDeclaration,
            "`file` names a JSON document, relative to the inventory root: file = \"exports/cmdb.json\"",
        );
        return failed;
    }
    match disk::read_text(
        root,
        &full,
        &display,
        disk::Kind::of(meta.file_type()),
        overlay,
    ) {
        Ok(text) => {
            let (doc, ds) = parse_source_document(files, &decl.name, display, text);
            diagnostics.extend(ds);
            doc
        }
        // Bytes that are not UTF-8 are located in the file itself.
        Err(p) if p.code == Code::NotUtf8 => {
            diagnostics.push(unreadable(files, display, p).1);
            failed
        }
        // Anything else (too large, unreadable) at the declaration.
        Err(p) => {
            let code = p.code;
            refuse(
                format!("the file of source `{}`: {}", decl.name, p.message),
                code,
                "the path is relative to the inventory root",
            );
            failed
        }
    }
}
