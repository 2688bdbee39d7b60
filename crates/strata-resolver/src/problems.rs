//! What loading and checking found, as one type: every diagnostic, the
//! files to render them with, and their count.

use strata_parser::{Diagnostic, Files};

/// Every problem found, errors and warnings, file by file (hosts.toml
/// first) and top to bottom, with the files they point into so they can be
/// rendered.
///
/// [`Loader::check`](crate::Loader::check) returns one;
/// [`Loader::load`](crate::Loader::load) fails with one (named
/// [`LoadError`] there), which then has at least one error.
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// # let dir = tempfile::tempdir()?;
/// std::fs::write(dir.path().join("hosts.toml"), "web = [\"w[1:2\"]\n")?;
/// let problems = strata_resolver::Loader::new(dir.path()).check();
/// assert!(problems.has_errors());
/// assert_eq!(problems.counts(), (1, 0));
/// let d = &problems.diagnostics()[0];
/// let at = problems.files().location(d.span().unwrap()).unwrap();
/// assert_eq!(at.to_string(), "hosts.toml:1:10");
/// # Ok(()) }
/// ```
#[derive(Debug, Default)]
pub struct Problems {
    diagnostics: Vec<Diagnostic>,
    files: Files,
}

/// The [`Problems`] of a load that failed: at least one is an error.
pub type LoadError = Problems;

impl Problems {
    pub(crate) fn new(diagnostics: Vec<Diagnostic>, sources: Files) -> Problems {
        Problems {
            diagnostics,
            files: sources,
        }
    }

    /// Every problem, errors and warnings.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The files, for rendering the diagnostics.
    pub fn files(&self) -> &Files {
        &self.files
    }

    /// The errors only.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.is_error())
    }

    /// True when some diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// Number of errors and of warnings.
    pub fn counts(&self) -> (usize, usize) {
        let errors = self.errors().count();
        (errors, self.diagnostics.len() - errors)
    }

    /// The diagnostics and the files, taken apart.
    pub fn into_parts(self) -> (Vec<Diagnostic>, Files) {
        (self.diagnostics, self.files)
    }
}

/// "the inventory has 2 errors", then each error on a line of its own.
impl std::fmt::Display for Problems {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.errors().count();
        write!(
            f,
            "the inventory has {n} error{}",
            if n == 1 { "" } else { "s" }
        )?;
        for d in self.errors() {
            write!(f, "\n  {}", d.one_line(&self.files))?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}
