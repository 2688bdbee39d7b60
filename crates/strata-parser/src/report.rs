//! Bridges [`Diagnostic`] values to miette reports.

use std::fmt;

use miette::{LabeledSpan, NamedSource, SourceSpan};

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Sources;

/// A diagnostic with its file's text, ready for miette's handlers.
#[derive(Debug)]
struct Rendered {
    code: &'static str,
    message: String,
    severity: miette::Severity,
    help: Option<String>,
    source: Option<NamedSource<String>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Rendered>,
}

impl fmt::Display for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Rendered {}

impl miette::Diagnostic for Rendered {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(
                self.related.iter().map(|r| r as &dyn miette::Diagnostic),
            ))
        }
    }
}

pub(crate) fn report(diagnostic: &Diagnostic, sources: &Sources) -> miette::Report {
    miette::Report::new(render(diagnostic, sources))
}

/// Labels in the primary label's file go on the main report; labels in other
/// files become related reports, each with its own file.
fn render(d: &Diagnostic, sources: &Sources) -> Rendered {
    let severity = match d.severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
    };
    let primary_file = d.span().map(|s| s.file);
    let mut labels = Vec::new();
    let mut related = Vec::new();
    for (i, label) in d.labels.iter().enumerate() {
        let span = SourceSpan::from(label.span.range());
        let file = sources.get(label.span.file);
        if Some(label.span.file) == primary_file {
            if !file.is_virtual() {
                // The primary label decides the file:line:column miette shows.
                labels.push(if i == 0 {
                    LabeledSpan::new_primary_with_span(label.text.clone(), span)
                } else {
                    LabeledSpan::new_with_span(label.text.clone(), span)
                });
            }
        } else if !file.is_virtual() {
            related.push(Rendered {
                code: d.code.as_str(),
                message: label.text.clone().unwrap_or_else(|| "related".into()),
                severity: miette::Severity::Advice,
                help: None,
                source: Some(NamedSource::new(file.name(), file.text().to_owned())),
                labels: vec![LabeledSpan::new_with_span(None, span)],
                related: Vec::new(),
            });
        }
    }
    let source = primary_file
        .map(|f| sources.get(f))
        .filter(|f| !f.is_virtual())
        .map(|f| NamedSource::new(f.name(), f.text().to_owned()));
    Rendered {
        code: d.code.as_str(),
        message: d.message.clone(),
        severity,
        help: d.help.clone(),
        source,
        labels,
        related,
    }
}
