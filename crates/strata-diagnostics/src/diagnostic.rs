//! One problem as a value: how bad, what kind, where, and how to fix it.

use crate::code::Code;
use crate::files::{Files, Span};

/// How bad a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The inventory works, but probably not as its author meant.
    Warning,
    /// The inventory cannot be used.
    Error,
}

impl Severity {
    /// `"error"` or `"warning"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A labelled place in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What is there, if more needs saying than the message.
    pub text: Option<String>,
}

/// One problem: a code, a message, labelled places and an optional help line.
///
/// The first label is the primary place; a problem that involves two files
/// labels the first and keeps the second as a further label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Stable kind of problem.
    pub code: Code,
    /// One sentence saying what is wrong.
    pub message: String,
    /// Places in files, the primary one first.
    pub labels: Vec<Label>,
    /// How to fix it (often a did-you-mean).
    pub help: Option<String>,
}

impl Diagnostic {
    /// A new error with a primary label at `span`.
    pub fn error(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Error, code, span, message)
    }

    /// A new warning with a primary label at `span`.
    pub fn warning(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Warning, code, span, message)
    }

    fn new(severity: Severity, code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity,
            code,
            message: message.into(),
            labels: vec![Label { span, text: None }],
            help: None,
        }
    }

    /// Sets the text of the primary label.
    pub fn with_label_text(mut self, text: impl Into<String>) -> Diagnostic {
        if let Some(first) = self.labels.first_mut() {
            first.text = Some(text.into());
        }
        self
    }

    /// Adds a further label (for instance in a second file).
    pub fn with_label(mut self, span: Span, text: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            text: Some(text.into()),
        });
        self
    }

    /// Sets the help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Sets the help line if there is one.
    pub fn with_help_opt(mut self, help: Option<String>) -> Diagnostic {
        self.help = help;
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The primary span.
    pub fn span(&self) -> Option<Span> {
        self.labels.first().map(|l| l.span)
    }

    /// A one-line rendering:
    /// `error[strata::toml_syntax] hosts.toml:3:7: message (help: ...)`,
    /// control characters escaped ([`crate::escape_controls`]): it is meant
    /// for a terminal.
    pub fn one_line(&self, files: &Files) -> String {
        let place = self
            .span()
            .and_then(|s| files.location(s))
            .map(|l| format!(" {l}:"))
            .unwrap_or_default();
        let help = self
            .help
            .as_ref()
            .map(|h| format!(" (help: {h})"))
            .unwrap_or_default();
        let line = format!(
            "{}[{}]{} {}{help}",
            self.severity.as_str(),
            self.code,
            place,
            self.message
        );
        crate::escape::escape_controls(&line).into_owned()
    }
}
