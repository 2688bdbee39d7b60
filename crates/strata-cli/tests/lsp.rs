//! `strata lsp`, the real binary over stdio (crates/strata-lsp/tests has
//! the features; this is the command's wiring: stdin, stdout, exit).

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

fn frame(body: &Value) -> Vec<u8> {
    let body = body.to_string();
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

fn read(out: &mut BufReader<ChildStdout>) -> Value {
    let mut length = 0;
    loop {
        let mut line = String::new();
        assert!(
            out.read_line(&mut line).unwrap() > 0,
            "the server closed its output"
        );
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length: ") {
            length = n.parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    out.read_exact(&mut body).unwrap();
    serde_json::from_slice(&body).unwrap()
}

fn start() -> (Child, BufReader<ChildStdout>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_strata"))
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let out = BufReader::new(child.stdout.take().unwrap());
    (child, out)
}

/// Waits for the process to end; its exit status.
fn wait(child: &mut Child) -> std::process::ExitStatus {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "strata lsp did not end"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn strata_lsp_answers_over_stdio_and_exits() {
    let root = std::fs::canonicalize(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/basic"))
        .unwrap();
    let (mut child, mut out) = start();
    let stdin = child.stdin.as_mut().unwrap();
    let uri = format!("file://{}", root.display());
    stdin.write_all(&frame(&json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}, "rootUri": uri}}))).unwrap();
    stdin.flush().unwrap();
    let answer = read(&mut out);
    assert_eq!(answer["result"]["serverInfo"]["name"], "strata", "{answer}");
    let web = format!("{uri}/group_data/webservers.toml");
    stdin.write_all(&frame(&json!({"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": {"textDocument": {"uri": web}, "position": {"line": 2, "character": 0}}}))).unwrap();
    stdin
        .write_all(&frame(
            &json!({"jsonrpc": "2.0", "id": 3, "method": "shutdown"}),
        ))
        .unwrap();
    stdin
        .write_all(&frame(&json!({"jsonrpc": "2.0", "method": "exit"})))
        .unwrap();
    stdin.flush().unwrap();
    let hover = read(&mut out);
    assert_eq!(hover["id"], 2);
    let text = hover["result"]["contents"]["value"].as_str().unwrap();
    assert!(
        text.starts_with("`app_port = 8000`\n\ngroup_data/webservers.toml:3:1"),
        "{text}"
    );
    assert_eq!(read(&mut out)["id"], 3);
    assert_eq!(wait(&mut child).code(), Some(0));
}

#[test]
fn strata_lsp_exit_without_shutdown_ends_with_1() {
    let (mut child, mut out) = start();
    let stdin = child.stdin.as_mut().unwrap();
    stdin.write_all(&frame(&json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}))).unwrap();
    stdin.flush().unwrap();
    assert_eq!(read(&mut out)["id"], 1);
    let stdin = child.stdin.as_mut().unwrap();
    stdin
        .write_all(&frame(&json!({"jsonrpc": "2.0", "method": "exit"})))
        .unwrap();
    stdin.flush().unwrap();
    assert_eq!(wait(&mut child).code(), Some(1));
    // Nothing said on stdout after the answer to initialize.
    let mut rest = Vec::new();
    out.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty(), "{}", String::from_utf8_lossy(&rest));
}

#[test]
fn strata_lsp_ends_when_stdin_closes_mid_request() {
    let (mut child, _out) = start();
    let whole = frame(
        &json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}),
    );
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&whole[..whole.len() / 2]).unwrap();
    drop(stdin);
    assert!(wait(&mut child).success());
}
