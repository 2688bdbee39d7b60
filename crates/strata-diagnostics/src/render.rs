//! Bridges [`Diagnostic`] values to miette reports.
//!
//! miette is handed an [`Excerpt`], never a whole file: only the labelled
//! lines and one line of context around each, with every line longer than
//! [`MAX_LINE`] cut to windows around its labels. So a report costs what
//! its labels cost, not what the file weighs, and no column reaches miette
//! that its renderer cannot format (past 65,535 it panics): tools that write
//! TOML often put a whole array of thousands of hosts on one line. Line and
//! column numbers still refer to the original file.
//!
//! Everything handed to miette is inventory text on its way to a terminal:
//! messages, help, labels, file names and the lines shown pass through
//! [`escape_controls`], so an ESC in a file shows as `\u{1b}` and never
//! drives the terminal. Columns still count the file's characters.

use std::fmt;
use std::ops::Range;

use miette::{LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

use crate::diagnostic::{Diagnostic, Severity};
use crate::escape::{escape_controls, needs_escape, push_escaped};
use crate::files::{File, Files};

/// Lines longer than this (in bytes) are shown as windows around labels.
const MAX_LINE: usize = 160;
/// Characters shown before and after a label's start on a cut line.
const BEFORE: usize = 40;
const AFTER: usize = 80;
/// A multi-line label shows at most this many lines; longer ones are cut
/// to their first line.
const MAX_LABEL_LINES: usize = 8;
/// Windows per cut line.
const MAX_WINDOWS: usize = 4;

/// A diagnostic with its file's text, ready for miette's handlers.
#[derive(Debug)]
struct Rendered {
    code: &'static str,
    message: String,
    severity: miette::Severity,
    help: Option<String>,
    source: Option<Excerpt>,
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

impl Diagnostic {
    /// Turns this diagnostic into a [`miette::Report`] over its source text,
    /// so that it can be printed with labels and the file name.
    pub fn to_report(&self, files: &Files) -> miette::Report {
        miette::Report::new(render(self, files))
    }
}

/// Labels in the primary label's file go on the main report; labels in other
/// files become related reports, each with its own file.
fn render(d: &Diagnostic, files: &Files) -> Rendered {
    let severity = match d.severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
    };
    let primary_file = d.span().map(|s| s.file);
    let mut main: Vec<(Range<usize>, Option<String>, bool)> = Vec::new();
    let mut related = Vec::new();
    for (i, label) in d.labels.iter().enumerate() {
        let file = files.get(label.span.file);
        if file.is_virtual() {
            continue;
        }
        if Some(label.span.file) == primary_file {
            // The primary label decides the file:line:column miette shows.
            main.push((
                label.span.range(),
                label
                    .text
                    .as_deref()
                    .map(|t| escape_controls(t).into_owned()),
                i == 0,
            ));
        } else {
            let excerpt = Excerpt::new(
                files.display_name(label.span.file),
                file,
                &[label.span.range()],
            );
            let span = excerpt.map_span(&label.span.range());
            related.push(Rendered {
                code: d.code.as_str(),
                message: label
                    .text
                    .as_deref()
                    .map_or_else(|| "related".into(), |t| escape_controls(t).into_owned()),
                severity: miette::Severity::Advice,
                help: None,
                source: Some(excerpt),
                labels: vec![LabeledSpan::new_with_span(None, span)],
                related: Vec::new(),
            });
        }
    }
    // A problem with a whole file that has no text (missing, unreadable,
    // empty) has no line to show: the file is named instead.
    let mut message = d.message.clone();
    let primary_file = match primary_file {
        Some(f) if !files.get(f).is_virtual() && files.get(f).text().is_empty() => {
            if let Some(at) = d
                .span()
                .filter(|_| !files.get(f).is_missing())
                .and_then(|s| files.location(s))
            {
                message.push_str(&format!("\n  at {at}"));
            } else if files.get(f).is_changed() {
                message.push_str(&format!(
                    "\n  in {}, which changed after it was read (its lines are not shown)",
                    files.display_name(f)
                ));
            }
            None
        }
        other => other,
    };
    let source = primary_file
        .filter(|&f| !files.get(f).is_virtual())
        .map(|f| {
            let ranges: Vec<Range<usize>> = main.iter().map(|(r, _, _)| r.clone()).collect();
            Excerpt::new(files.display_name(f), files.get(f), &ranges)
        });
    let labels = match &source {
        Some(excerpt) => main
            .into_iter()
            .map(|(range, text, primary)| {
                let span = excerpt.map_span(&range);
                if primary {
                    LabeledSpan::new_primary_with_span(text, span)
                } else {
                    LabeledSpan::new_with_span(text, span)
                }
            })
            .collect(),
        None => Vec::new(),
    };
    Rendered {
        code: d.code.as_str(),
        message: escape_controls(&message).into_owned(),
        severity,
        help: d.help.as_deref().map(|h| escape_controls(h).into_owned()),
        source,
        labels,
        related,
    }
}

/// Part of one original line, copied into the excerpt.
#[derive(Debug, Clone)]
struct Piece {
    /// Where it starts in the excerpt.
    ex_start: usize,
    /// Its bytes in the original file.
    orig: Range<usize>,
    /// The 0-based column (in characters) of `orig.start` in its line.
    orig_col: usize,
    /// Its length in the excerpt: `orig.len()`, except for a piece that is
    /// one escaped character (`\u{1b}` for one byte).
    ex_len: usize,
    /// True for a piece that is one escaped character.
    escaped: bool,
}

/// One original line in the excerpt.
#[derive(Debug)]
struct XLine {
    /// Where the line starts in the original file.
    orig_start: usize,
    /// Where it starts in the excerpt.
    ex_start: usize,
    pieces: Vec<Piece>,
}

/// The lines of a file that a report shows, with long lines cut to windows
/// around the labels; lines in between are left empty, so line numbers are
/// kept. Spans given to miette are mapped into it with [`Excerpt::map_span`].
#[derive(Debug)]
struct Excerpt {
    name: String,
    /// Line number (0-based) of the excerpt's first line in the file.
    first_line: usize,
    text: String,
    lines: Vec<XLine>,
}

impl Excerpt {
    fn new(name: String, file: &File, labels: &[Range<usize>]) -> Excerpt {
        let name = escape_controls(&name).into_owned();
        let src = file.text();
        // Which lines to show, and the label starts on each.
        let mut wanted: Vec<(usize, Option<usize>)> = Vec::new();
        // The empty "line" after a final newline is no line to show.
        let last_line = match file.line_count().checked_sub(1) {
            Some(l) if l > 0 && file.line_range(l).is_some_and(|r| r.is_empty()) => l - 1,
            l => l.unwrap_or(0),
        };
        for range in labels {
            let start_line = file.line_of(range.start);
            let mut end_line = file.line_of(range.end.saturating_sub(1).max(range.start));
            if end_line - start_line >= MAX_LABEL_LINES {
                end_line = start_line;
            }
            wanted.push((start_line, Some(range.start)));
            wanted.push((start_line.saturating_sub(1), None));
            for l in start_line + 1..=(end_line + 1).min(last_line) {
                wanted.push((l, None));
            }
            if end_line > start_line {
                wanted.push((end_line, Some(range.end)));
            }
        }
        wanted.sort_unstable();
        let first_line = wanted.first().map_or(0, |w| w.0);
        let mut text = String::new();
        let mut lines: Vec<XLine> = Vec::new();
        let mut at_line = first_line;
        let mut i = 0;
        while i < wanted.len() {
            let line = wanted[i].0;
            let mut points = Vec::new();
            while i < wanted.len() && wanted[i].0 == line {
                points.extend(wanted[i].1);
                i += 1;
            }
            let Some(range) = file.line_range(line) else {
                continue;
            };
            // Lines not shown stay as empty lines: the numbering holds.
            for _ in at_line..line {
                text.push('\n');
            }
            at_line = line + 1;
            let ex_start = text.len();
            let pieces = cut(src, range.clone(), &points, &mut text);
            text.push('\n');
            lines.push(XLine {
                orig_start: range.start,
                ex_start,
                pieces,
            });
        }
        Excerpt {
            name,
            first_line,
            text,
            lines,
        }
    }

    /// The excerpt's range for an original range: each end goes to the same
    /// character, or to the nearest shown one when its text was cut.
    fn map_span(&self, range: &Range<usize>) -> SourceSpan {
        let start = self.map_offset(range.start, false);
        let end = self.map_offset(range.end, true).max(start);
        SourceSpan::from(start..end)
    }

    fn map_offset(&self, offset: usize, is_end: bool) -> usize {
        // The last line starting at or before the offset.
        let i = self.lines.partition_point(|l| l.orig_start <= offset);
        let Some(line) = i.checked_sub(1).map(|i| &self.lines[i]) else {
            return 0;
        };
        for (k, p) in line.pieces.iter().enumerate() {
            if offset < p.orig.start {
                // In a cut gap: a start snaps forward, an end back.
                return match (is_end, k.checked_sub(1)) {
                    (true, Some(prev)) => {
                        let q = &line.pieces[prev];
                        q.ex_start + q.ex_len
                    }
                    _ => p.ex_start,
                };
            }
            if offset == p.orig.end {
                return p.ex_start + p.ex_len;
            }
            if offset < p.orig.end {
                // Inside an escaped character (never a label's end): its start.
                return p.ex_start + if p.escaped { 0 } else { offset - p.orig.start };
            }
        }
        // Past the last piece (the line ending, or a cut tail).
        line.pieces
            .last()
            .map_or(line.ex_start, |p| p.ex_start + p.ex_len)
    }

    /// The original 0-based column of an excerpt offset.
    fn column(&self, offset: usize) -> usize {
        let i = self.lines.partition_point(|l| l.ex_start <= offset);
        let Some(line) = i.checked_sub(1).map(|i| &self.lines[i]) else {
            return 0;
        };
        let k = line.pieces.partition_point(|p| p.ex_start <= offset);
        match k.checked_sub(1).map(|k| &line.pieces[k]) {
            // An escaped character is one column, however long its escape.
            Some(p) if p.escaped => p.orig_col + usize::from(offset > p.ex_start),
            Some(p) => {
                let end = offset.min(p.ex_start + p.ex_len);
                p.orig_col
                    + self
                        .text
                        .get(p.ex_start..end)
                        .map_or(0, |s| s.chars().count())
            }
            None => 0,
        }
    }
}

/// Copies line `range` of `src` into `out`, whole when it is short, else as
/// windows around `points` (byte offsets of label ends) with `…` between.
fn cut(src: &str, range: Range<usize>, points: &[usize], out: &mut String) -> Vec<Piece> {
    let line = &src[range.clone()];
    if line.len() <= MAX_LINE {
        let mut pieces = Vec::new();
        push_line(out, line, range.start, 0, &mut pieces);
        return pieces;
    }
    // Windows in characters around each point, merged, in order.
    let mut windows: Vec<(usize, usize)> = Vec::new();
    let mut points: Vec<usize> = points
        .iter()
        .filter(|&&p| p >= range.start && p <= range.end)
        .map(|&p| src[range.start..p].chars().count())
        .collect();
    if points.is_empty() {
        points.push(0);
    }
    points.sort_unstable();
    for p in points {
        let (a, b) = (p.saturating_sub(BEFORE), p + AFTER);
        let full = windows.len() == MAX_WINDOWS;
        match windows.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ if full => break,
            _ => windows.push((a, b)),
        }
    }
    // Character columns to byte offsets, in one pass over the line.
    let mut byte_at: Vec<(usize, usize)> = Vec::new();
    let wanted: Vec<usize> = windows.iter().flat_map(|&(a, b)| [a, b]).collect();
    let mut w = 0;
    for (col, (byte, _)) in line.char_indices().chain([(line.len(), ' ')]).enumerate() {
        while w < wanted.len() && wanted[w] <= col {
            byte_at.push((wanted[w], byte));
            w += 1;
        }
    }
    while w < wanted.len() {
        byte_at.push((wanted[w], line.len()));
        w += 1;
    }
    let mut pieces = Vec::new();
    for (k, &(a_col, _)) in windows.iter().enumerate() {
        let a = byte_at[2 * k].1;
        let b = byte_at[2 * k + 1].1;
        if a > 0 || k > 0 {
            out.push_str(if k == 0 { "…" } else { " … " });
        }
        push_line(out, &line[a..b], range.start + a, a_col, &mut pieces);
        if k + 1 == windows.len() && b < line.len() {
            out.push('…');
        }
    }
    pieces
}

/// Copies line text that starts at byte `orig_start` and character column
/// `orig_col` of the file, adding its pieces: runs of text copied as they
/// are, and each control character escaped as a piece of its own. A stray
/// `\r` (a line ending miette and strata would disagree on) becomes a space.
fn push_line(
    out: &mut String,
    text: &str,
    orig_start: usize,
    orig_col: usize,
    pieces: &mut Vec<Piece>,
) {
    let mut run: Option<Piece> = None;
    for (col, (at, c)) in text.char_indices().enumerate() {
        let orig = orig_start + at..orig_start + at + c.len_utf8();
        if c == '\r' || !needs_escape(c) {
            let p = run.get_or_insert(Piece {
                ex_start: out.len(),
                orig: orig.start..orig.start,
                orig_col: orig_col + col,
                ex_len: 0,
                escaped: false,
            });
            p.orig.end = orig.end;
            p.ex_len += c.len_utf8();
            out.push(if c == '\r' { ' ' } else { c });
            continue;
        }
        pieces.extend(run.take());
        let ex_start = out.len();
        push_escaped(out, c);
        pieces.push(Piece {
            ex_start,
            orig,
            orig_col: orig_col + col,
            ex_len: out.len() - ex_start,
            escaped: true,
        });
    }
    match run {
        Some(p) => pieces.push(p),
        // An empty line or window still has its place.
        None if text.is_empty() => pieces.push(Piece {
            ex_start: out.len(),
            orig: orig_start..orig_start,
            orig_col,
            ex_len: 0,
            escaped: false,
        }),
        None => {}
    }
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        let start = inner.span().offset();
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line,
            self.column(start),
            inner.line_count(),
        )))
    }
}

#[cfg(test)]
#[allow(clippy::single_range_in_vec_init)]
mod tests {
    use super::*;
    use crate::code::Code;
    use crate::files::Span;

    fn rendered(text: &str, spans: &[Range<usize>]) -> String {
        let mut files = Files::new();
        let file = files.add("hosts.toml", text.to_string());
        let mut d = Diagnostic::error(Code::DuplicateHost, Span::new(file, spans[0].clone()), "m")
            .with_label_text("first");
        for s in &spans[1..] {
            d = d.with_label(Span::new(file, s.clone()), "again");
        }
        let handler =
            miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
                .with_width(100);
        let mut out = String::new();
        handler
            .render_report(&mut out, d.to_report(&files).as_ref())
            .unwrap();
        out
    }

    #[test]
    fn wide_columns_are_windowed() {
        // A label at column 70,001 of a single line: miette would panic on
        // the width; the excerpt shows a window and the true column.
        let text = format!("web = [\"{}\", 5]\n", "x".repeat(70_000));
        let at = text.find(", 5").unwrap() + 2;
        let out = rendered(&text, &[at..at + 1]);
        assert!(out.contains("[hosts.toml:1:70012]"), "{out}");
        assert!(out.contains("…xxxx"), "{out}");
        assert!(out.lines().all(|l| l.chars().count() < 200), "{out}");
    }

    #[test]
    fn two_far_labels_on_one_line() {
        let names: Vec<String> = (0..5000).map(|i| format!("\"h{i}\"")).collect();
        let text = format!("web = [{}, \"h0\"]\n", names.join(", "));
        let first = text.find("\"h0\"").unwrap();
        let second = text.rfind("\"h0\"").unwrap();
        let out = rendered(&text, &[second..second + 4, first..first + 4]);
        assert!(out.contains(" … "), "{out}");
        assert!(out.contains("first") && out.contains("again"), "{out}");
    }

    #[test]
    fn line_numbers_are_kept() {
        let text = "a = 1\nb = 2\nc = 3\nd = 4\ne = 5\n";
        let out = rendered(text, &[18..19, 0..1]);
        assert!(out.contains("[hosts.toml:4:1]"), "{out}");
        assert!(out.contains(" 4 │ d = 4"), "{out}");
        assert!(out.contains(" 1 │ a = 1"), "{out}");
    }

    #[test]
    fn control_characters_are_escaped_with_true_columns() {
        // ESC ] 0 ; title BEL, then ESC [ 2 J, then the label on `x`.
        let text = "a = 1\nb = \u{1b}]0;t\u{7}\u{1b}[2J\u{9b}x\n";
        let at = text.find('x').unwrap();
        let out = rendered(text, &[at..at + 1]);
        assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "{out}");
        assert!(out.contains("[hosts.toml:2:16]"), "{out}");
        assert!(
            out.contains(" 2 │ b = \\u{1b}]0;t\\u{7}\\u{1b}[2J\\u{9b}x"),
            "{out}"
        );
        // The label sits under `x`, past the escapes.
        let line = out
            .lines()
            .find(|l| l.contains('▲') || l.contains('┬'))
            .unwrap();
        let code = out.lines().find(|l| l.starts_with(" 2 │")).unwrap();
        let col = |s: &str, c: char| s.chars().position(|x| x == c).unwrap();
        assert_eq!(
            col(line, if line.contains('▲') { '▲' } else { '┬' }),
            col(code, 'x'),
            "{out}"
        );
        // On a line long enough to be cut, too.
        let long = format!("b = \"{}\u{1b}[2J\", x\n", "y".repeat(300));
        let at = long.find('x').unwrap();
        let out = rendered(&long, &[at..at + 1]);
        assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "{out}");
        assert!(out.contains("[hosts.toml:1:313]"), "{out}");
        assert!(out.contains("\\u{1b}[2J\", x"), "{out}");
    }

    #[test]
    fn lone_carriage_returns_are_lines() {
        let text = "a = 1\rb = \rc = 3\r";
        let out = rendered(text, &[10..11]);
        assert!(out.contains("[hosts.toml:2:5]"), "{out}");
        assert!(out.contains(" 2 │ b = "), "{out}");
        assert!(!out.contains(" 0 │"), "{out}");
    }
}
