//! A test client: the server ([`strata_lsp::run`], the code `strata lsp`
//! runs) on a thread, talking LSP frames over OS pipes, as over stdio.

#![allow(dead_code)] // Each test file uses part of it.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How long any answer may take before the test says the server hung.
pub const PATIENCE: Duration = Duration::from_secs(120);

pub struct Client {
    to_server: Option<std::io::PipeWriter>,
    from_server: mpsc::Receiver<Value>,
    /// Notifications received while waiting for something else.
    pub notifications: Vec<Value>,
    server: Option<JoinHandle<std::io::Result<strata_lsp::Ending>>>,
    next_id: i64,
}

/// Reads frames until the end of input; each body parsed as JSON.
fn read_frames(from: impl Read, to: mpsc::Sender<Value>) {
    let mut input = BufReader::new(from);
    loop {
        let mut length = None;
        loop {
            let mut line = String::new();
            if input.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(v) = line.strip_prefix("Content-Length: ") {
                length = v.parse::<usize>().ok();
            }
        }
        let mut body = vec![0; length.expect("a Content-Length header")];
        if input.read_exact(&mut body).is_err() {
            return;
        }
        let value = serde_json::from_slice(&body).expect("the server writes JSON");
        if to.send(value).is_err() {
            return;
        }
    }
}

pub fn frame(body: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

pub fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

impl Client {
    /// A server, not initialized yet.
    pub fn start() -> Client {
        let (server_in, to_server) = std::io::pipe().unwrap();
        let (from_server, server_out) = std::io::pipe().unwrap();
        let server = std::thread::spawn(move || strata_lsp::run(server_in, server_out));
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || read_frames(from_server, tx));
        Client {
            to_server: Some(to_server),
            from_server: rx,
            notifications: Vec::new(),
            server: Some(server),
            next_id: 0,
        }
    }

    /// A server initialized with `root` as its workspace folder.
    pub fn initialized(root: &Path) -> Client {
        Client::initialized_with(root, json!({}))
    }

    /// A server initialized with `root` as its workspace folder, for a
    /// client with `capabilities`.
    pub fn initialized_with(root: &Path, capabilities: Value) -> Client {
        let mut client = Client::start();
        let answer = client.request(
            "initialize",
            json!({"capabilities": capabilities, "workspaceFolders": [{"uri": uri(root), "name": "w"}]}),
        );
        assert!(
            answer["result"]["capabilities"]["hoverProvider"] == json!(true),
            "{answer}"
        );
        client.notify("initialized", json!({}));
        client
    }

    pub fn write(&mut self, bytes: &[u8]) {
        let pipe = self.to_server.as_mut().expect("input open");
        pipe.write_all(bytes).unwrap();
        pipe.flush().unwrap();
    }

    pub fn send(&mut self, message: Value) {
        self.write(&frame(&message.to_string()));
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The next message from the server.
    pub fn next(&mut self) -> Value {
        self.from_server
            .recv_timeout(PATIENCE)
            .expect("the server answers in time")
    }

    /// Sends a request and waits for its response (keeping notifications).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.response(json!(id))
    }

    /// Waits for the response with `id`.
    pub fn response(&mut self, id: Value) -> Value {
        loop {
            let message = self.next();
            if message.get("method").is_some() {
                self.notifications.push(message);
            } else if message["id"] == id {
                return message;
            }
        }
    }

    /// Waits for diagnostics published for `path` (taking earlier ones
    /// received first).
    pub fn diagnostics(&mut self, path: &Path) -> Vec<Value> {
        let uri = uri(path);
        let is_it = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        };
        if let Some(i) = self.notifications.iter().position(is_it) {
            let m = self.notifications.remove(i);
            return m["params"]["diagnostics"].as_array().unwrap().clone();
        }
        loop {
            let m = self.next();
            if is_it(&m) {
                return m["params"]["diagnostics"].as_array().unwrap().clone();
            }
            self.notifications.push(m);
        }
    }

    /// Waits for the next publication of diagnostics, whatever its file.
    pub fn next_publication(&mut self) -> Value {
        loop {
            let m = self.next();
            if m["method"] == "textDocument/publishDiagnostics" {
                return m;
            }
            self.notifications.push(m);
        }
    }

    /// Opens (or replaces) a document's text.
    pub fn open(&mut self, path: &Path, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri(path), "languageId": "toml", "version": 1, "text": text}}),
        );
    }

    pub fn change(&mut self, path: &Path, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri(path), "version": version}, "contentChanges": [{"text": text}]}),
        );
    }

    /// A request about a position.
    pub fn at(&mut self, method: &str, path: &Path, line: u32, character: u32) -> Value {
        let mut params = json!({"textDocument": {"uri": uri(path)}, "position": {"line": line, "character": character}});
        if method == "textDocument/references" {
            params["context"] = json!({"includeDeclaration": true});
        }
        self.request(method, params)["result"].clone()
    }

    /// Closes the input; the server must end.
    pub fn close_input(&mut self) {
        self.to_server = None;
    }

    /// Waits for the server to end (its input closed or `exit` sent); how
    /// it ended.
    pub fn join(&mut self) -> strata_lsp::Ending {
        let started = Instant::now();
        let server = self.server.take().expect("running");
        while !server.is_finished() {
            assert!(started.elapsed() < PATIENCE, "the server did not end");
            std::thread::sleep(Duration::from_millis(10));
        }
        server.join().expect("no panic").expect("no error")
    }

    /// shutdown, then exit; the server ends.
    pub fn shut_down(mut self) {
        let answer = self.request("shutdown", Value::Null);
        assert_eq!(answer["result"], Value::Null, "{answer}");
        self.notify("exit", Value::Null);
        assert_eq!(self.join(), strata_lsp::Ending::Clean);
    }
}

/// A copy of examples/<name> in a temporary folder (canonical path).
pub fn example(name: &str) -> (tempfile::TempDir, PathBuf) {
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name);
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap().join(name);
    copy(&from, &root);
    (dir, root)
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
