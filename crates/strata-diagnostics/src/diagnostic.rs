//! One problem as a value: how bad, what kind, where, and how to fix it
//! (in words, and, when the fix is certain, as edits a tool can apply).

use crate::code::Code;
use crate::files::{FileId, Files, Span};

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

/// One problem: a code, a message, labelled places, an optional help line
/// and an optional [`Fix`].
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
    /// The help as edits, when there is exactly one right fix (an editor
    /// offers it as a quick fix). Renderings do not show it: the help line
    /// says it in words. Boxed: most diagnostics have none, and they are
    /// moved around often.
    pub fix: Option<Box<Fix>>,
}

/// A fix a tool can apply without asking: a title and the edits that
/// make it.
///
/// A fix is attached only where it is unambiguous: a did-you-mean whose
/// suggestion is the only close name and whose result is known to be
/// right (`hots` → `hosts`), not a guess among several.
///
/// ```
/// use strata_diagnostics::{Edit, Files, Fix, Span};
///
/// let mut files = Files::new();
/// let hosts = files.add("hosts.toml", "[web]\nhots = [\"w1\"]\n".into());
/// let fix = Fix::new("Rename `hots` to `hosts`")
///     .with_edit(Edit::Replace { span: Span::new(hosts, 6..10), text: "hosts".into() });
/// assert_eq!(
///     fix.apply_to(hosts, files.get(hosts).text()).as_deref(),
///     Some("[web]\nhosts = [\"w1\"]\n")
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// What it does, as a command (`Rename group_data/webb.toml to
    /// group_data/web.toml`).
    pub title: String,
    /// The edits, all applied together. Replacements in one file do not
    /// overlap.
    pub edits: Vec<Edit>,
}

/// One change a [`Fix`] makes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Edit {
    /// Replace the bytes of `span` (a range of a file of the store, as
    /// labels use) with `text`. An empty span inserts.
    Replace {
        /// Where.
        span: Span,
        /// The new text.
        text: String,
    },
    /// Rename the file `file` to `to`, a path relative to the inventory's
    /// root, `/`-separated, as the store names files
    /// (`group_data/web.toml`). Made only when no file has that name.
    RenameFile {
        /// The file.
        file: FileId,
        /// Its new name.
        to: String,
    },
}

impl Fix {
    /// A fix with no edits yet.
    pub fn new(title: impl Into<String>) -> Fix {
        Fix {
            title: title.into(),
            edits: Vec::new(),
        }
    }

    /// Adds an edit.
    pub fn with_edit(mut self, edit: Edit) -> Fix {
        self.edits.push(edit);
        self
    }

    /// `text` (the text of `file`) with the fix's replacements in `file`
    /// made; `None` when a replacement falls outside the text, splits a
    /// character or overlaps another. Renames are not text edits and are
    /// left out.
    pub fn apply_to(&self, file: FileId, text: &str) -> Option<String> {
        let mut replacements: Vec<(std::ops::Range<usize>, &str)> = self
            .edits
            .iter()
            .filter_map(|e| match e {
                Edit::Replace { span, text } if span.file == file => {
                    Some((span.range(), text.as_str()))
                }
                _ => None,
            })
            .collect();
        replacements.sort_by_key(|(r, _)| (r.start, r.end));
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for (range, new) in replacements {
            if range.start < at || text.get(range.clone()).is_none() {
                return None;
            }
            out.push_str(&text[at..range.start]);
            out.push_str(new);
            at = range.end;
        }
        out.push_str(&text[at..]);
        Some(out)
    }
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
            fix: None,
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

    /// Attaches a fix (see [`Fix`]).
    pub fn with_fix(mut self, fix: Fix) -> Diagnostic {
        self.fix = Some(Box::new(fix));
        self
    }

    /// Attaches a fix if there is one.
    pub fn with_fix_opt(mut self, fix: Option<Fix>) -> Diagnostic {
        self.fix = fix.map(Box::new);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fix_applies_its_replacements_in_order_and_refuses_bad_ones() {
        let mut files = Files::new();
        let a = files.add("a.toml", "one two three".into());
        let b = files.add("b.toml", "x".into());
        let fix = Fix::new("two fixes")
            .with_edit(Edit::Replace {
                span: Span::new(a, 8..13),
                text: "3".into(),
            })
            .with_edit(Edit::Replace {
                span: Span::new(a, 0..3),
                text: "1".into(),
            })
            .with_edit(Edit::Replace {
                span: Span::new(b, 0..1),
                text: "elsewhere".into(),
            })
            .with_edit(Edit::RenameFile {
                file: a,
                to: "c.toml".into(),
            });
        assert_eq!(fix.apply_to(a, "one two three").as_deref(), Some("1 two 3"));
        assert_eq!(fix.apply_to(b, "x").as_deref(), Some("elsewhere"));
        // Past the end, and overlapping.
        assert_eq!(fix.apply_to(a, "one"), None);
        let overlapping = Fix::new("overlap")
            .with_edit(Edit::Replace {
                span: Span::new(a, 0..5),
                text: String::new(),
            })
            .with_edit(Edit::Replace {
                span: Span::new(a, 3..4),
                text: String::new(),
            });
        assert_eq!(overlapping.apply_to(a, "one two"), None);
        // Inside a character.
        let split = Fix::new("split").with_edit(Edit::Replace {
            span: Span::new(a, 1..2),
            text: String::new(),
        });
        assert_eq!(split.apply_to(a, "é"), None);
        let d =
            Diagnostic::warning(Code::DuplicateHost, Span::new(a, 0..3), "m").with_fix(fix.clone());
        assert_eq!(d.fix, Some(Box::new(fix)));
    }
}
