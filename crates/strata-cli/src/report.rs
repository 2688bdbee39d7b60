//! Printing diagnostics on stderr.

use std::io::{IsTerminal, Write};

use miette::{GraphicalReportHandler, GraphicalTheme};
use strata::{Diagnostic, Severity, Sources};

use crate::args::Color;

/// Prints diagnostics: errors as full reports with the labelled lines,
/// warnings too when `full_warnings`, else as one line each.
pub fn print(diagnostics: &[Diagnostic], sources: &Sources, color: Color, full_warnings: bool) {
    let colored = match color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let theme = if colored {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut err = std::io::stderr().lock();
    for d in diagnostics {
        if d.severity == Severity::Warning && !full_warnings {
            let _ = writeln!(err, "{}", d.one_line(sources));
            continue;
        }
        let report = d.to_report(sources);
        let mut text = String::new();
        if handler.render_report(&mut text, report.as_ref()).is_ok() {
            let _ = write!(err, "{text}");
        } else {
            let _ = writeln!(err, "{}", d.one_line(sources));
        }
    }
}
