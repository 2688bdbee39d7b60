//! strata's diagnostics as the protocol's: one list per file, the range of
//! the main label, the other labels as related information.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use lsp_types::{DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Url};
use strata::{Diagnostic, Files, Severity, Span};

use crate::text::file_range;

/// Every diagnostic of `diagnostics`, by the file it is about (a path
/// under `root`). A diagnostic about no file, or about data that is not in
/// a file, goes on `hosts.toml`, the inventory's first file.
pub fn by_file(
    root: &Path,
    files: &Files,
    diagnostics: &[Diagnostic],
) -> BTreeMap<PathBuf, Vec<lsp_types::Diagnostic>> {
    let mut out: BTreeMap<PathBuf, Vec<lsp_types::Diagnostic>> = BTreeMap::new();
    for d in diagnostics {
        let (path, diagnostic) = convert(root, files, d);
        out.entry(path).or_default().push(diagnostic);
    }
    out
}

/// One diagnostic as the protocol's, and the file it goes on (see
/// [`by_file`]).
pub fn convert(root: &Path, files: &Files, d: &Diagnostic) -> (PathBuf, lsp_types::Diagnostic) {
    let (path, range) = match d.span().and_then(|s| place(root, files, s)) {
        Some(place) => place,
        None => (root.join("hosts.toml"), lsp_types::Range::default()),
    };
    let related: Vec<DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .skip(1)
        .filter_map(|label| {
            let (path, range) = place(root, files, label.span)?;
            Some(DiagnosticRelatedInformation {
                location: Location::new(Url::from_file_path(&path).ok()?, range),
                message: label.text.clone().unwrap_or_else(|| "here".into()),
            })
        })
        .collect();
    let mut message = d.message.clone();
    if let Some(text) = d.labels.first().and_then(|l| l.text.as_deref()) {
        message.push_str(": ");
        message.push_str(text);
    }
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let diagnostic = lsp_types::Diagnostic {
        range,
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.as_str().to_string())),
        source: Some("strata".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..Default::default()
    };
    (path, diagnostic)
}

/// The file a span is in, and its range; `None` for data that is not in a
/// file of the inventory.
pub fn place(root: &Path, files: &Files, span: Span) -> Option<(PathBuf, lsp_types::Range)> {
    if span.file.index() >= files.len() {
        return None;
    }
    let file = files.get(span.file);
    if file.is_virtual() {
        return None;
    }
    Some((root.join(file.name()), file_range(file, span)))
}
