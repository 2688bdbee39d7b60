//! Printing diagnostics on stderr.

use miette::{GraphicalReportHandler, GraphicalTheme};
use serde_json::json;
use strata::{Diagnostic, Files, Severity};

use crate::term::Stderr;

/// Prints diagnostics: errors as full reports with the labelled lines,
/// warnings too when `full_warnings`, else as one line each. Stops as soon
/// as nobody reads stderr any more.
pub fn print(err: &mut Stderr<'_>, diagnostics: &[Diagnostic], files: &Files, full_warnings: bool) {
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
        let reworded = err.front_end.reword(d);
        let d = reworded.as_ref().unwrap_or(d);
        if err.json {
            let item = item(d, files);
            err.line(&item.to_string());
            continue;
        }
        if d.severity == Severity::Warning && !full_warnings {
            err.line(&d.one_line(files));
            continue;
        }
        let report = d.to_report(files);
        let mut text = String::new();
        if handler.render_report(&mut text, report.as_ref()).is_ok() {
            err.write(&text);
        } else {
            err.line(&d.one_line(files));
        }
    }
}

/// One JSON item: `{severity, code, message, file, line, column, help,
/// inventory_file, related}`: `file` as people see it (relative to the
/// working directory when the inventory is under it), `inventory_file`
/// relative to the inventory root; line and column 1-based. `related`:
/// the diagnostic's other labelled places, in order, each `{file, line,
/// column, inventory_file, label}` (the places a report draws beside the
/// main one: the other contributions to a merged value, the definition a
/// clash is with).
pub fn item(d: &Diagnostic, files: &Files) -> serde_json::Value {
    let location = d.span().and_then(|s| files.location(s));
    let related: Vec<serde_json::Value> = d
        .labels
        .iter()
        .skip(1)
        .filter_map(|l| {
            let at = files.location(l.span)?;
            Some(json!({
                "file": at.path,
                "line": at.line,
                "column": at.column,
                "inventory_file": at.inventory_path,
                "label": l.text,
            }))
        })
        .collect();
    json!({
        "severity": d.severity.as_str(),
        "code": d.code.as_str(),
        "message": d.message,
        "file": location.as_ref().map(|l| l.path.as_str()),
        "line": location.as_ref().map(|l| l.line),
        "column": location.as_ref().map(|l| l.column),
        "help": d.help,
        "inventory_file": location.as_ref().map(|l| l.inventory_path.as_str()),
        "related": related,
    })
}

/// Prints a usage error: `error: MESSAGE`, or a JSON line with the code
/// `usage` under `$STRATA_DIAGNOSTICS=json`.
pub fn usage(err: &mut Stderr<'_>, message: &str) {
    if err.json {
        let item = serde_json::json!({
            "severity": "error",
            "code": "usage",
            "message": message,
            "file": null,
            "line": null,
            "column": null,
            "help": null,
            "inventory_file": null,
            "related": [],
        });
        err.line(&item.to_string());
    } else {
        err.line(&format!("error: {message}"));
    }
}
