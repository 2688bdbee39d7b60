//! Code actions: the fixes `strata check` attaches to its diagnostics
//! ([`strata::Fix`]) as the protocol's quick fixes.
//!
//! One action per diagnostic that has a fix, in the range asked about (or
//! among the diagnostics the client names); its edit replaces text
//! ([`strata::Edit::Replace`]) or renames a file
//! ([`strata::Edit::RenameFile`], only for a client that can rename
//! files through a workspace edit). Nothing outside the inventory's root
//! is ever edited, and a rename never replaces a file.

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

use lsp_types::{
    CodeAction, CodeActionContext, CodeActionKind, CodeActionOrCommand, DocumentChangeOperation,
    DocumentChanges, OneOf, OptionalVersionedTextDocumentIdentifier, Range, RenameFile,
    RenameFileOptions, ResourceOp, TextDocumentEdit, TextEdit, Url, WorkspaceEdit,
};
use strata::{Diagnostic, Edit, Files, Fix};

use crate::text::file_range;

/// What the client can apply, from its `initialize` capabilities.
#[derive(Clone, Copy, Debug, Default)]
pub struct ClientEdits {
    /// `workspace.workspaceEdit.documentChanges`, with `rename` among its
    /// `resourceOperations`: a file can be renamed.
    pub rename_files: bool,
}

impl ClientEdits {
    /// Reads the capabilities a client sent.
    pub fn of(capabilities: &lsp_types::ClientCapabilities) -> ClientEdits {
        let edit = capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.workspace_edit.as_ref());
        let rename_files = edit.is_some_and(|e| {
            e.document_changes == Some(true)
                && e.resource_operations
                    .as_ref()
                    .is_some_and(|ops| ops.contains(&lsp_types::ResourceOperationKind::Rename))
        });
        ClientEdits { rename_files }
    }
}

/// The inventory a request is answered from, and how the client names
/// its files.
pub struct Scope<'a> {
    /// The inventory's root (canonical).
    pub root: &'a Path,
    /// The files of its last load.
    pub files: &'a Files,
    /// That load's diagnostics.
    pub diagnostics: &'a [Diagnostic],
    /// The URI the client knows a file by.
    pub uri_of: &'a dyn Fn(&Path) -> Option<Url>,
}

/// The quick fixes for the diagnostics on `path` whose range meets
/// `range`, or that `context` names.
pub fn code_actions(
    scope: &Scope<'_>,
    path: &Path,
    range: Range,
    context: &CodeActionContext,
    client: ClientEdits,
) -> Vec<CodeActionOrCommand> {
    // The diagnostics the client names, looked up (not compared with each
    // of ours: a client may name many).
    let named: HashSet<(Range, &str)> = context
        .diagnostics
        .iter()
        .map(|c| (c.range, c.message.as_str()))
        .collect();
    let mut out = Vec::new();
    for d in scope.diagnostics {
        let Some(fix) = &d.fix else {
            continue;
        };
        let (on, published) = crate::diagnostics::convert(scope.root, scope.files, d);
        if on != path {
            continue;
        }
        let is_named = named.contains(&(published.range, published.message.as_str()));
        if !is_named && !meets(published.range, range) {
            continue;
        }
        let Some(edit) = workspace_edit(scope, fix, client) else {
            continue;
        };
        out.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: fix.title.clone(),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![published]),
            edit: Some(edit),
            is_preferred: Some(true),
            ..Default::default()
        }));
    }
    out
}

/// Whether two ranges share a position (an empty range meets the ranges
/// it touches).
fn meets(a: Range, b: Range) -> bool {
    a.start <= b.end && b.start <= a.end
}

/// `fix` as a workspace edit; `None` when an edit is outside the
/// inventory, on a file that is not on disk, a rename onto a file that
/// exists, or a rename the client cannot make.
fn workspace_edit(scope: &Scope<'_>, fix: &Fix, client: ClientEdits) -> Option<WorkspaceEdit> {
    let mut texts: Vec<(Url, Vec<TextEdit>)> = Vec::new();
    let mut renames = Vec::new();
    for edit in &fix.edits {
        match edit {
            Edit::Replace { span, text } => {
                let file = stored(scope.files, span.file)?;
                // The span is in the text the client has (a text let go is
                // not).
                file.text().get(span.range())?;
                let uri = (scope.uri_of)(&inside(scope.root, file.name())?)?;
                let edit = TextEdit::new(file_range(file, *span), text.clone());
                match texts.iter_mut().find(|(u, _)| *u == uri) {
                    Some((_, edits)) => edits.push(edit),
                    None => texts.push((uri, vec![edit])),
                }
            }
            Edit::RenameFile { file, to } => {
                if !client.rename_files {
                    return None;
                }
                let from = inside(scope.root, stored(scope.files, *file)?.name())?;
                let to = inside(scope.root, to)?;
                if std::fs::symlink_metadata(&to).is_ok() {
                    return None;
                }
                renames.push(ResourceOp::Rename(RenameFile {
                    old_uri: (scope.uri_of)(&from)?,
                    new_uri: Url::from_file_path(&to).ok()?,
                    options: Some(RenameFileOptions {
                        overwrite: Some(false),
                        ignore_if_exists: Some(false),
                    }),
                    annotation_id: None,
                }));
            }
        }
    }
    if renames.is_empty() {
        return Some(WorkspaceEdit {
            changes: Some(texts.into_iter().collect::<HashMap<_, _>>()),
            ..Default::default()
        });
    }
    // Text edits first: they name files by their names before the renames.
    let mut operations: Vec<DocumentChangeOperation> = texts
        .into_iter()
        .map(|(uri, edits)| {
            DocumentChangeOperation::Edit(TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier { uri, version: None },
                edits: edits.into_iter().map(OneOf::Left).collect(),
            })
        })
        .collect();
    operations.extend(renames.into_iter().map(DocumentChangeOperation::Op));
    Some(WorkspaceEdit {
        document_changes: Some(DocumentChanges::Operations(operations)),
        ..Default::default()
    })
}

/// A file of the store that is a file of the inventory (not virtual).
fn stored(files: &Files, id: strata::FileId) -> Option<&strata::File> {
    if id.index() >= files.len() {
        return None;
    }
    let file = files.get(id);
    (!file.is_virtual()).then_some(file)
}

/// `root` joined with `name`, a `/`-separated path relative to it, when
/// it stays inside: no root, `..` or `.` parts, nothing empty.
fn inside(root: &Path, name: &str) -> Option<PathBuf> {
    let relative = Path::new(name);
    let plain = !name.is_empty()
        && relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
    plain.then(|| root.join(relative))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_relative_names_stay_inside() {
        let root = Path::new("/inv");
        assert_eq!(
            inside(root, "group_data/web.toml"),
            Some(PathBuf::from("/inv/group_data/web.toml"))
        );
        for outside in ["", "/etc/passwd", "../x.toml", "group_data/../../x", "./a"] {
            assert_eq!(inside(root, outside), None, "{outside}");
        }
    }

    #[test]
    fn ranges_meet_when_they_share_a_position() {
        let r = |a, b, c, d| {
            Range::new(
                lsp_types::Position::new(a, b),
                lsp_types::Position::new(c, d),
            )
        };
        assert!(meets(r(0, 0, 0, 0), r(0, 0, 3, 0)));
        assert!(meets(r(2, 4, 2, 9), r(2, 9, 2, 9)));
        assert!(!meets(r(2, 4, 2, 9), r(3, 0, 3, 1)));
        assert!(!meets(r(0, 0, 0, 0), r(1, 0, 1, 0)));
    }

    #[test]
    fn a_rename_needs_the_client_s_say_so() {
        let mut caps = lsp_types::ClientCapabilities::default();
        assert!(!ClientEdits::of(&caps).rename_files);
        caps.workspace = Some(lsp_types::WorkspaceClientCapabilities {
            workspace_edit: Some(lsp_types::WorkspaceEditClientCapabilities {
                document_changes: Some(true),
                resource_operations: Some(vec![lsp_types::ResourceOperationKind::Create]),
                ..Default::default()
            }),
            ..Default::default()
        });
        assert!(!ClientEdits::of(&caps).rename_files);
        if let Some(edit) = caps
            .workspace
            .as_mut()
            .and_then(|w| w.workspace_edit.as_mut())
        {
            edit.resource_operations = Some(vec![lsp_types::ResourceOperationKind::Rename]);
        }
        assert!(ClientEdits::of(&caps).rename_files);
    }
}
