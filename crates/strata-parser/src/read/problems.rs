//! What reading turned up wrong, as diagnostics: a file that could not be
//! read, and the problems and strays of a directory walk, reported the same
//! way for every directory of an inventory.

use strata_diagnostics::{Code, Diagnostic, FileId, Files, Span};

use super::disk::ReadProblem;

/// What is said about a stray: a file a walk found that is not of the kind
/// its directory holds.
pub(crate) struct Stray {
    /// The warning's code.
    pub code: Code,
    /// What comes after the stray's name in the message.
    pub is: &'static str,
    /// The help line.
    pub help: &'static str,
}

/// Strays of a data directory (`group_data/`, `host_data/`).
pub(crate) const NOT_TOML: Stray = Stray {
    code: Code::NonTomlFile,
    is: "is not a .toml file; it was ignored",
    help: "data files end in .toml; hidden files and backups ending in ~ are skipped silently",
};

/// Reports what a walk of a directory turned up besides its files: each
/// stray as a warning said as `say` says (nothing when `say` is `None`: that
/// directory may hold other files), then each problem as an error, each at
/// the start of a file added to `files` under the name the walk gave it.
pub(crate) fn report_walk(
    files: &mut Files,
    diagnostics: &mut Vec<Diagnostic>,
    strays: Vec<String>,
    problems: Vec<(String, ReadProblem)>,
    say: Option<&Stray>,
) {
    if let Some(stray) = say {
        for name in strays {
            let file = files.add(name.clone(), String::new());
            diagnostics.push(
                Diagnostic::warning(
                    stray.code,
                    Span::file_start(file),
                    format!("{name} {}", stray.is),
                )
                .with_help(stray.help),
            );
        }
    }
    for (display, problem) in problems {
        let file = files.add(display, String::new());
        diagnostics.push(Diagnostic::error(
            problem.code,
            Span::file_start(file),
            problem.message,
        ));
    }
}

/// A file that could not be read: its readable prefix joins `files`
/// (so the report can show it) and the error says why.
pub(crate) fn unreadable(
    files: &mut Files,
    display: impl Into<String>,
    problem: ReadProblem,
) -> (FileId, Diagnostic) {
    let file = files.add(display, problem.partial);
    (
        file,
        read_diagnostic(file, files, problem.code, problem.message),
    )
}

/// The error for a file that could not be read, at the end of what could
/// be (for a file that is not UTF-8, its valid prefix: the bad byte).
pub(crate) fn read_diagnostic(
    file: FileId,
    files: &Files,
    code: Code,
    message: String,
) -> Diagnostic {
    let at = files.get(file).text().len();
    Diagnostic::error(code, Span::new(file, at..at), message)
}
