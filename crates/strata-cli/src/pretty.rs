//! `--pretty`: indents compact JSON as it streams past, so every JSON output
//! (including the ones written piece by piece, like `list`) can be indented
//! without building it in memory. The result is byte-for-byte what
//! `serde_json::to_string_pretty` gives.

use std::io::{self, Write};

/// A writer that indents the compact JSON written to it by two spaces.
pub struct Pretty<W: Write> {
    inner: W,
    depth: usize,
    in_string: bool,
    escaped: bool,
    /// An opening bracket whose newline waits for the next byte (an empty
    /// `{}` or `[]` stays on one line).
    pending_open: bool,
    buf: Vec<u8>,
}

impl<W: Write> Pretty<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> Pretty<W> {
        Pretty {
            inner,
            depth: 0,
            in_string: false,
            escaped: false,
            pending_open: false,
            buf: Vec::new(),
        }
    }

    fn newline(&mut self) {
        self.buf.push(b'\n');
        for _ in 0..self.depth {
            self.buf.extend_from_slice(b"  ");
        }
    }

    fn push(&mut self, b: u8) {
        if self.in_string {
            self.buf.push(b);
            if self.escaped {
                self.escaped = false;
            } else if b == b'\\' {
                self.escaped = true;
            } else if b == b'"' {
                self.in_string = false;
            }
            return;
        }
        if self.pending_open {
            self.pending_open = false;
            if b == b'}' || b == b']' {
                self.depth -= 1;
                self.buf.push(b);
                return;
            }
            self.newline();
        }
        match b {
            b'{' | b'[' => {
                self.buf.push(b);
                self.depth += 1;
                self.pending_open = true;
            }
            b'}' | b']' => {
                self.depth = self.depth.saturating_sub(1);
                self.newline();
                self.buf.push(b);
            }
            b',' => {
                self.buf.push(b);
                self.newline();
            }
            b':' => self.buf.extend_from_slice(b": "),
            b'"' => {
                self.in_string = true;
                self.buf.push(b);
            }
            _ => self.buf.push(b),
        }
    }
}

impl<W: Write> Write for Pretty<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        for &b in data {
            self.push(b);
        }
        if self.buf.len() >= 64 * 1024 {
            self.inner.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.write_all(&self.buf)?;
        self.buf.clear();
        self.inner.flush()
    }
}

impl<W: Write> Drop for Pretty<W> {
    fn drop(&mut self) {
        let _ = self.inner.write_all(&self.buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_as_serde_pretty() {
        let docs = [
            r#"{"a":1,"b":[1,2,{"c":"x,y:{z}"}],"e":{},"f":[],"g":"q\"uo\\te\"","h":null}"#,
            r#"[]"#,
            r#"{}"#,
            r#"[[],[[]],{"a":{"b":{}}}]"#,
            r#""just a string, with: punctuation""#,
            r#"{"k\\":"\\","l":[true,false,1.5e10]}"#,
        ];
        for doc in docs {
            let value: serde_json::Value = serde_json::from_str(doc).unwrap();
            let compact = serde_json::to_string(&value).unwrap();
            let mut out = Vec::new();
            {
                let mut p = Pretty::new(&mut out);
                // Written in odd pieces, as streaming writers do.
                for chunk in compact.as_bytes().chunks(3) {
                    p.write_all(chunk).unwrap();
                }
                p.flush().unwrap();
            }
            assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string_pretty(&value).unwrap(),
                "{doc}"
            );
        }
    }
}
