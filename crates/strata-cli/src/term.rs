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

    /// Writes `text` as it is.
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

    /// Writes `text` and a newline.
    pub fn line(&mut self, text: &str) {
        let mut s = String::with_capacity(text.len() + 1);
        s.push_str(text);
        s.push('\n');
        self.write(&s);
    }
}

/// True when an output error only means that the reader went away.
pub fn reader_gone(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::BrokenPipe
}
