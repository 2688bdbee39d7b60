//! The diagnostics stream: writes that never panic, and that stop quietly
//! when the reader has gone away (`strata check 2>&1 | head -2`).

use std::io::{self, Write};

/// stderr for diagnostics. The first failed write (a closed pipe, say)
/// closes it: later writes are dropped, and long reports stop rendering.
pub struct Stderr<'a> {
    inner: &'a mut dyn Write,
    closed: bool,
    /// Whether colours may be used.
    pub colored: bool,
    /// Diagnostics as JSON lines (`$STRATA_DIAGNOSTICS=json`).
    pub json: bool,
    /// Who runs strata, for the wording of fixes (`$STRATA_FRONT_END`).
    pub front_end: crate::front_end::FrontEnd,
}

impl<'a> Stderr<'a> {
    /// Wraps the stream.
    pub fn new(inner: &'a mut dyn Write, colored: bool) -> Stderr<'a> {
        Stderr {
            inner,
            closed: false,
            colored,
            json: false,
            front_end: crate::front_end::FrontEnd::Cli,
        }
    }

    /// True once a write has failed: nobody reads any more.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Writes `text` as it is (a rendered report, whose inventory text is
    /// escaped already).
    pub fn write(&mut self, text: &str) {
        if self.closed {
            return;
        }
        if self
            .inner
            .write_all(text.as_bytes())
            .and_then(|()| self.inner.flush())
            .is_err()
        {
            self.closed = true;
        }
    }

    /// Writes `text` and a newline, control characters escaped
    /// ([`strata::escape_controls`]): a line is text, never a terminal
    /// sequence (rendered reports, which may be coloured, go through
    /// [`Stderr::write`] with their text already escaped).
    pub fn line(&mut self, text: &str) {
        let mut s = String::with_capacity(text.len() + 1);
        s.push_str(&strata::escape_controls(text));
        s.push('\n');
        self.write(&s);
    }
}

/// True when an output error only means that the reader went away.
pub fn reader_gone(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::BrokenPipe
}

/// A writer for human output on stdout (`hosts`, `groups`, `graph`,
/// `explain`, `diff`, `--show-origin`): control characters in the text are
/// escaped by [`strata::escape_controls`], the function every human output
/// uses, so inventory text never drives the terminal. A character split
/// across two writes waits for its end.
pub struct Escaped<W: Write> {
    inner: W,
    /// The start of a character whose end has not been written yet.
    partial: Vec<u8>,
}

impl<W: Write> Escaped<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> Escaped<W> {
        Escaped {
            inner,
            partial: Vec::new(),
        }
    }

    fn escape(&mut self, bytes: &[u8]) -> io::Result<()> {
        match std::str::from_utf8(bytes) {
            Ok(text) => self
                .inner
                .write_all(strata::escape_controls(text).as_bytes()),
            Err(e) => {
                let (valid, rest) = bytes.split_at(e.valid_up_to());
                // Checked by from_utf8 just now.
                let text = std::str::from_utf8(valid).unwrap_or_default();
                self.inner
                    .write_all(strata::escape_controls(text).as_bytes())?;
                match e.error_len() {
                    // A character cut at the end: wait for the rest.
                    None => {
                        self.partial.extend_from_slice(rest);
                        Ok(())
                    }
                    // Not UTF-8 (never written by strata): shown as U+FFFD.
                    Some(n) => {
                        self.inner.write_all("\u{fffd}".as_bytes())?;
                        self.escape(&rest[n..])
                    }
                }
            }
        }
    }
}

impl<W: Write> Write for Escaped<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.partial.is_empty() {
            self.escape(data)?;
        } else {
            let mut joined = std::mem::take(&mut self.partial);
            joined.extend_from_slice(data);
            self.escape(&joined)?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.partial.is_empty() {
            let rest = std::mem::take(&mut self.partial);
            self.inner
                .write_all(String::from_utf8_lossy(&rest).as_bytes())?;
        }
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_output_in_any_pieces() {
        let text = "web\u{1b}]0;title\u{7}: h1 é\u{9b}2J 日本\n";
        let want = "web\\u{1b}]0;title\\u{7}: h1 é\\u{9b}2J 日本\n";
        for size in 1..=text.len() {
            let mut out = Vec::new();
            {
                let mut w = Escaped::new(&mut out);
                for chunk in text.as_bytes().chunks(size) {
                    w.write_all(chunk).unwrap();
                }
                w.flush().unwrap();
            }
            assert_eq!(String::from_utf8(out).unwrap(), want, "chunks of {size}");
        }
    }
}
