//! `strata check`: every problem at once, for people and for CI.

use std::io::{self, Write};

use strata::{Diagnostic, Files, Problems, Severity};

use crate::args::CheckFormat;
use crate::failure::Failure;
use crate::output::write_json;
use crate::plan;
use crate::term::Stderr;

/// Reads and checks the whole inventory and prints the report; exit 1
/// when the check fails.
pub fn run(plan: &plan::Check, out: &mut impl Write, err: &mut Stderr<'_>) -> Result<(), Failure> {
    let report = plan.loader.check();
    let passed = print(out, err, &report, plan.format, plan.strict)?;
    out.flush()?;
    // The process ends: the report is not freed value by value.
    if plan.process_exits {
        std::mem::forget(report);
    }
    if passed {
        Ok(())
    } else {
        Err(Failure::Inventory)
    }
}

/// Prints the report; returns whether the check passed.
fn print(
    out: &mut impl Write,
    err: &mut Stderr<'_>,
    report: &Problems,
    format: CheckFormat,
    strict: bool,
) -> io::Result<bool> {
    let (errors, warnings) = report.counts();
    match format {
        CheckFormat::Human => {
            crate::report::print(err, report.diagnostics(), report.files(), true);
            let files = report
                .files()
                .iter()
                .filter(|(_, f)| !f.is_virtual() && !f.is_missing())
                .count();
            err.line(&summary(errors, warnings, files));
        }
        CheckFormat::Json => {
            let items: Vec<serde_json::Value> = report
                .diagnostics()
                .iter()
                .map(|d| {
                    crate::report::item(
                        err.front_end.reword(d).as_ref().unwrap_or(d),
                        report.files(),
                    )
                })
                .collect();
            write_json(out, &items)?;
        }
        CheckFormat::Github => {
            for d in report.diagnostics() {
                let reworded = err.front_end.reword(d);
                let d = reworded.as_ref().unwrap_or(d);
                writeln!(out, "{}", annotation(d, report.files()))?;
            }
        }
    }
    Ok(errors == 0 && (!strict || warnings == 0))
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

fn summary(errors: usize, warnings: usize, files: usize) -> String {
    if errors + warnings == 0 {
        format!("strata check: no problems in {}", plural(files, "file"))
    } else {
        format!(
            "strata check: {}, {} in {}",
            plural(errors, "error"),
            plural(warnings, "warning"),
            plural(files, "file")
        )
    }
}

/// A GitHub Actions workflow command, escaped as the runner expects.
fn annotation(d: &Diagnostic, files: &Files) -> String {
    let kind = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut props = Vec::new();
    if let Some(l) = d.span().and_then(|s| files.location(s)) {
        props.push(format!("file={}", escape_property(&l.path)));
        props.push(format!("line={}", l.line));
        props.push(format!("col={}", l.column));
    }
    props.push(format!("title={}", escape_property(d.code.as_str())));
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    format!("::{kind} {}::{}", props.join(","), escape_data(&message))
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape_data("50% a\nb\r"), "50%25 a%0Ab%0D");
        assert_eq!(escape_property("strata::x,y"), "strata%3A%3Ax%2Cy");
    }

    #[test]
    fn summaries() {
        assert_eq!(summary(0, 0, 1), "strata check: no problems in 1 file");
        assert_eq!(
            summary(1, 2, 3),
            "strata check: 1 error, 2 warnings in 3 files"
        );
    }
}
