//! Printing diagnostics on stderr.

use miette::{GraphicalReportHandler, GraphicalTheme};
use strata::{Diagnostic, Severity, Sources};

use crate::term::Stderr;

/// Prints diagnostics: errors as full reports with the labelled lines,
/// warnings too when `full_warnings`, else as one line each. Stops as soon
/// as nobody reads stderr any more.
pub fn print(
    err: &mut Stderr<'_>,
    diagnostics: &[Diagnostic],
    sources: &Sources,
    full_warnings: bool,
) {
    let theme = if err.colored {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    for d in diagnostics {
        if err.is_closed() {
            return;
        }
        if d.severity == Severity::Warning && !full_warnings {
            err.line(&d.one_line(sources));
            continue;
        }
        let report = d.to_report(sources);
        let mut text = String::new();
        if handler.render_report(&mut text, report.as_ref()).is_ok() {
            err.write(&text);
        } else {
            err.line(&d.one_line(sources));
        }
    }
}
