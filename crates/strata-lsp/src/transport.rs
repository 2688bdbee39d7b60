//! The server's end of stdio: LSP base-protocol frames (`Content-Length`
//! headers, then a JSON body) read from any reader and written to any
//! writer, on two threads.
//!
//! lsp-server's own stdio transport ends at the first malformed message
//! and trusts `Content-Length` for an allocation; this one answers a
//! body that is not JSON (`-32700`) or not a JSON-RPC message (`-32600`)
//! and reads on, refuses a body over [`MAX_MESSAGE`] without holding it,
//! and ends when the client goes away (end of input, a broken header, a
//! write that fails).

use std::io::{self, BufRead, Read, Write};
use std::thread;

use crossbeam_channel::{Receiver, Sender};
use lsp_server::{ErrorCode, Message, RequestId};

/// The largest message body read (160 MiB): a 50 MB buffer, escaped as
/// JSON, fits; a longer one is skipped and answered with an error.
pub const MAX_MESSAGE: usize = 160 * 1024 * 1024;

/// The longest header line taken (the protocol's are a few dozen bytes).
const MAX_HEADER_LINE: u64 = 1024;

/// The writing thread of a connection (the reading thread is not waited
/// for: it may be blocked reading from a client that neither writes nor
/// closes, and it ends with its input or at its next message).
pub struct Threads {
    writer: thread::JoinHandle<()>,
}

impl Threads {
    /// Waits until every message sent is written (or the client is gone);
    /// call it after dropping the connection's sender.
    pub fn join(self) {
        // A thread that panicked has already printed why; nothing is left
        // to do with its payload.
        let _ = self.writer.join();
    }
}

/// A connection over `input` and `output`: messages read arrive on the
/// receiver, messages sent are written in order.
pub fn connect(
    input: impl Read + Send + 'static,
    output: impl Write + Send + 'static,
) -> io::Result<(Sender<Message>, Receiver<Message>, Threads)> {
    let (to_client, outgoing) = crossbeam_channel::bounded::<Message>(64);
    let (answers, refusals) = crossbeam_channel::bounded::<Refusal>(16);
    let (incoming, from_client) = crossbeam_channel::bounded::<Message>(16);
    let writer = thread::Builder::new()
        .name("strata-lsp-writer".into())
        .spawn(move || write_all(outgoing, refusals, output))?;
    thread::Builder::new()
        .name("strata-lsp-reader".into())
        .spawn(move || read_all(io::BufReader::new(input), incoming, answers))?;
    Ok((to_client, from_client, Threads { writer }))
}

/// An error answer to a message the server never sees: JSON-RPC's
/// `{"id": ..., "error": ...}`, whose id may be null, which
/// [`lsp_server::Response`] cannot hold.
#[derive(Debug)]
struct Refusal {
    id: Option<RequestId>,
    code: ErrorCode,
    message: String,
}

impl Refusal {
    fn new(id: Option<RequestId>, code: ErrorCode, message: String) -> Refusal {
        Refusal { id, code, message }
    }

    fn write(&self, output: &mut impl Write) -> io::Result<()> {
        let body = serde_json::json!({
            "jsonrpc": "2.0",
            "id": self.id,
            "error": {"code": self.code as i32, "message": self.message},
        })
        .to_string();
        write!(output, "Content-Length: {}\r\n\r\n{body}", body.len())?;
        output.flush()
    }
}

/// Writes the server's messages and the reader's refusals until the server
/// lets go of its sender or the client stops reading.
fn write_all(outgoing: Receiver<Message>, refusals: Receiver<Refusal>, mut output: impl Write) {
    let mut refusals = Some(refusals);
    loop {
        let written = match &refusals {
            Some(r) => crossbeam_channel::select! {
                recv(outgoing) -> m => match m {
                    Ok(m) => m.write(&mut output),
                    Err(_) => return,
                },
                recv(r) -> refusal => match refusal {
                    Ok(refusal) => refusal.write(&mut output),
                    Err(_) => {
                        refusals = None;
                        Ok(())
                    }
                },
            },
            None => match outgoing.recv() {
                Ok(m) => m.write(&mut output),
                Err(_) => return,
            },
        };
        if written.is_err() {
            // The client is gone: dropping the receivers makes every later
            // send fail, which ends the server.
            return;
        }
    }
}

fn read_all(mut input: impl BufRead, incoming: Sender<Message>, answers: Sender<Refusal>) {
    loop {
        let message = match read_frame(&mut input) {
            Frame::Body(body) => parse(&body),
            Frame::TooLong(length) => Err(Refusal::new(
                None,
                ErrorCode::InvalidRequest,
                format!("message of {length} bytes refused: the limit is {MAX_MESSAGE} bytes"),
            )),
            Frame::End => return,
        };
        let sent = match message {
            Ok(message) => {
                let exit = matches!(&message, Message::Notification(n) if n.method == "exit");
                incoming.send(message).is_ok() && !exit
            }
            Err(answer) => answers.send(answer).is_ok(),
        };
        if !sent {
            return;
        }
    }
}

/// What one frame of input held.
#[derive(Debug, PartialEq)]
enum Frame {
    Body(Vec<u8>),
    /// A body over [`MAX_MESSAGE`], skipped.
    TooLong(usize),
    /// End of input, a read error or headers that cannot be framed: there
    /// is no way to find the next message.
    End,
}

fn read_frame(input: &mut impl BufRead) -> Frame {
    let mut length = None;
    let mut line = Vec::new();
    loop {
        line.clear();
        match input
            .by_ref()
            .take(MAX_HEADER_LINE)
            .read_until(b'\n', &mut line)
        {
            Ok(0) | Err(_) => return Frame::End,
            Ok(_) => {}
        }
        let Some(header) = line
            .strip_suffix(b"\r\n")
            .or_else(|| line.strip_suffix(b"\n"))
        else {
            return Frame::End;
        };
        if header.is_empty() {
            if length.is_some() {
                break;
            }
            // Blank lines before the headers are tolerated.
            continue;
        }
        let Ok(header) = std::str::from_utf8(header) else {
            return Frame::End;
        };
        let Some((name, value)) = header.split_once(':') else {
            return Frame::End;
        };
        if name.trim().eq_ignore_ascii_case("content-length") {
            match value.trim().parse::<usize>() {
                Ok(n) => length = Some(n),
                Err(_) => return Frame::End,
            }
        }
    }
    let Some(length) = length else {
        return Frame::End;
    };
    if length > MAX_MESSAGE {
        let skipped = io::copy(&mut input.by_ref().take(length as u64), &mut io::sink());
        return match skipped {
            Ok(n) if n == length as u64 => Frame::TooLong(length),
            _ => Frame::End,
        };
    }
    let mut body = Vec::new();
    match input.by_ref().take(length as u64).read_to_end(&mut body) {
        Ok(n) if n == length => Frame::Body(body),
        _ => Frame::End,
    }
}

/// The message in `body`, or the error answer it deserves.
fn parse(body: &[u8]) -> Result<Message, Refusal> {
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| Refusal::new(None, ErrorCode::ParseError, format!("not JSON: {e}")))?;
    let id = value
        .get("id")
        .and_then(|id| serde_json::from_value::<RequestId>(id.clone()).ok());
    serde_json::from_value::<Message>(value).map_err(|e| {
        Refusal::new(
            id,
            ErrorCode::InvalidRequest,
            format!("not a JSON-RPC request, response or notification: {e}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn frames() {
        let text = format!("{}{}", frame("{}"), frame("[1]"));
        let mut input = io::Cursor::new(text.into_bytes());
        assert_eq!(read_frame(&mut input), Frame::Body(b"{}".to_vec()));
        assert_eq!(read_frame(&mut input), Frame::Body(b"[1]".to_vec()));
        assert_eq!(read_frame(&mut input), Frame::End);
    }

    #[test]
    fn broken_frames_end_the_input() {
        for text in [
            "Content-Length: x\r\n\r\n{}",
            "Content-Length: 10\r\n\r\n{}",
            "no header\r\n\r\n",
            "\r\n\r\n{}",
        ] {
            let mut input = io::Cursor::new(text.as_bytes().to_vec());
            assert_eq!(read_frame(&mut input), Frame::End, "{text:?}");
        }
        let long = format!("X-Long: {}\r\n", "a".repeat(2000));
        assert_eq!(
            read_frame(&mut io::Cursor::new(long.into_bytes())),
            Frame::End
        );
    }

    #[test]
    fn a_body_over_the_limit_is_skipped() {
        let text = format!("Content-Length: {}\r\n\r\n", MAX_MESSAGE + 1);
        let mut bytes = text.into_bytes();
        bytes.resize(bytes.len() + MAX_MESSAGE + 1, b' ');
        bytes.extend(frame("{}").into_bytes());
        let mut input = io::Cursor::new(bytes);
        assert_eq!(read_frame(&mut input), Frame::TooLong(MAX_MESSAGE + 1));
        assert_eq!(read_frame(&mut input), Frame::Body(b"{}".to_vec()));
    }

    #[test]
    fn bad_bodies_get_errors() {
        let refused = parse(b"{not json").unwrap_err();
        assert_eq!((refused.id, refused.code as i32), (None, -32700));
        let mut out = Vec::new();
        parse(b"[1]").unwrap_err().write(&mut out).unwrap();
        let out = String::from_utf8(out).unwrap();
        let body = out.split_once("\r\n\r\n").unwrap().1;
        let json: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(json["id"], serde_json::Value::Null);
        assert_eq!(json["error"]["code"], -32600);
        let refused = parse(br#"{"id": 7, "nothing": true}"#).unwrap_err();
        assert_eq!(
            (refused.id, refused.code as i32),
            (Some(RequestId::from(7)), -32600)
        );
        assert!(parse(br#"{"jsonrpc":"2.0","method":"exit"}"#).is_ok());
    }
}
