//! Hostile input: malformed JSON-RPC, requests out of order, files outside
//! any inventory, a 50 MB buffer, a client that goes away mid-request.

mod common;

use common::{Client, frame, uri};
use serde_json::{Value, json};

fn error_code(answer: &Value) -> i64 {
    answer["error"]["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("an error: {answer}"))
}

#[test]
fn malformed_messages_are_answered_and_the_server_goes_on() {
    let mut client = Client::start();
    // Before initialize: refused, not fatal.
    let answer = client.request("textDocument/hover", json!({}));
    assert_eq!(error_code(&answer), -32002);
    let (_dir, root) = common::example("basic");
    let answer = client.request(
        "initialize",
        json!({"capabilities": {}, "rootUri": uri(&root)}),
    );
    assert!(answer["result"]["capabilities"].is_object(), "{answer}");
    client.notify("initialized", json!({}));

    // Not JSON: a parse error with a null id.
    client.write(&frame("{\"jsonrpc\": \"2.0\", \"id\": 1,"));
    let answer = client.next();
    assert_eq!(
        (answer["id"].clone(), error_code(&answer)),
        (Value::Null, -32700)
    );
    // JSON, but no JSON-RPC message.
    client.write(&frame("[1, 2]"));
    assert_eq!(error_code(&client.next()), -32600);
    client.write(&frame(r#"{"jsonrpc": "2.0", "id": 41, "params": {}}"#));
    let answer = client.next();
    assert_eq!(
        (answer["id"].clone(), error_code(&answer)),
        (json!(41), -32600)
    );
    // Unknown method, wrong parameters, initialize twice.
    assert_eq!(
        error_code(&client.request("strata/nothing", json!({}))),
        -32601
    );
    assert_eq!(
        error_code(&client.request("textDocument/hover", json!({"x": 1}))),
        -32602
    );
    assert_eq!(
        error_code(&client.request("textDocument/hover", json!("text"))),
        -32602
    );
    assert_eq!(
        error_code(&client.request("initialize", json!({"capabilities": {}}))),
        -32600
    );
    // Notifications with nonsense are dropped.
    client.notify("textDocument/didOpen", json!({"textDocument": 3}));
    client.notify("textDocument/didChange", json!(null));
    client.notify("$/unknown", json!({}));
    // Positions out of range, a URI that is no file.
    let web = root.join("group_data/webservers.toml");
    for (line, character) in [(u32::MAX, u32::MAX), (3, u32::MAX), (0, 10_000)] {
        let answer = client.at("textDocument/hover", &web, line, character);
        assert!(
            answer.is_null() || answer["contents"].is_object(),
            "{answer}"
        );
    }
    let answer = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": "untitled:Untitled-1"}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(answer["result"], Value::Null, "{answer}");
    // Still answering.
    let hover = client.at("textDocument/hover", &web, 2, 0);
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .starts_with("`app_port = 8000`")
    );
    // After shutdown, requests are refused; exit ends the server.
    assert_eq!(
        client.request("shutdown", Value::Null)["result"],
        Value::Null
    );
    let answer = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&web)}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(error_code(&answer), -32600);
    client.notify("exit", Value::Null);
    client.join();
}

#[test]
fn a_file_outside_any_inventory() {
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let mut client = Client::initialized(&root);
    let loose = root.join("notes.toml");
    std::fs::write(&loose, "a = 1\n").unwrap();
    client.open(&loose, "a = [\n");
    assert_eq!(client.at("textDocument/hover", &loose, 0, 0), Value::Null);
    assert_eq!(
        client.at("textDocument/definition", &loose, 0, 0),
        Value::Null
    );
    assert_eq!(
        client.at("textDocument/references", &loose, 0, 0),
        Value::Null
    );
    // Nothing was published about it (all messages before the shutdown's
    // answer are in `notifications`).
    assert_eq!(
        client.request("shutdown", Value::Null)["result"],
        Value::Null
    );
    assert!(
        client
            .notifications
            .iter()
            .all(|n| n["method"] != "textDocument/publishDiagnostics"),
        "{:?}",
        client.notifications
    );
    client.notify("exit", Value::Null);
    client.join();
}

/// A plugin configuration that is a FIFO, asked about without being
/// opened: answered (nothing), not waited on.
#[cfg(unix)]
#[test]
fn a_fifo_for_a_plugin_configuration_is_not_opened() {
    let (_dir, root) = common::example("basic");
    let workspace = root.parent().unwrap().to_path_buf();
    let fifo = workspace.join("inv.strata.yml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let mut client = Client::initialized(&workspace);
    assert_eq!(
        client.at("textDocument/completion", &fifo, 1, 7),
        Value::Null
    );
    client.shut_down();
}

#[test]
fn a_50_megabyte_buffer() {
    let (_dir, root) = common::example("basic");
    let mut client = Client::initialized(&root);
    let web = root.join("group_data/webservers.toml");
    // 50 MB of valid TOML: one long string.
    let big = format!(
        "app_env = \"{}\"\napp_port = 8000\n",
        "x".repeat(50 * 1024 * 1024)
    );
    client.open(&web, &big);
    let hover = client.at("textDocument/hover", &web, 1, 0);
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .starts_with("`app_port = 8000`")
    );
    let hover = client.at("textDocument/hover", &web, 0, 0);
    let value = hover["contents"]["value"].as_str().unwrap();
    assert!(
        value.starts_with("`app_env = \"xxx") && value.len() < 2000,
        "{}",
        &value[..200]
    );
    // 50 MB that is not TOML: a diagnostic, not a crash.
    client.change(&web, 2, &"[".repeat(50 * 1024 * 1024));
    let diagnostics = client.diagnostics(&web);
    assert!(!diagnostics.is_empty());
    client.change(&web, 3, "app_port = 8000\n");
    assert_eq!(client.diagnostics(&web), Vec::<Value>::new());
    client.shut_down();
}

#[test]
fn a_message_over_the_limit_is_refused_unread() {
    let mut client = Client::start();
    let length = strata_lsp::MAX_MESSAGE + 1;
    client.write(format!("Content-Length: {length}\r\n\r\n").as_bytes());
    let chunk = vec![b' '; 1024 * 1024];
    let mut left = length;
    while left > 0 {
        let n = left.min(chunk.len());
        client.write(&chunk[..n]);
        left -= n;
    }
    let answer = client.next();
    assert_eq!(
        (answer["id"].clone(), error_code(&answer)),
        (Value::Null, -32600)
    );
    let answer = client.request("initialize", json!({"capabilities": {}}));
    assert!(answer["result"].is_object(), "{answer}");
    client.shut_down();
}

#[test]
fn a_client_that_goes_away_mid_request_ends_the_server() {
    let (_dir, root) = common::example("basic");
    // Half a request, then the input closes.
    let mut client = Client::initialized(&root);
    let body = json!({"jsonrpc": "2.0", "id": 9, "method": "textDocument/hover", "params": {}})
        .to_string();
    let whole = frame(&body);
    client.write(&whole[..whole.len() / 2]);
    client.close_input();
    client.join();
    // A request sent whole, then gone before the answer.
    let mut client = Client::initialized(&root);
    client.write(&frame(&body));
    client.close_input();
    client.join();
    // Gone before initialize.
    let mut client = Client::start();
    client.close_input();
    client.join();
}

#[test]
fn exit_without_shutdown_ends_with_an_error() {
    let (_dir, root) = common::example("basic");
    // After initialize.
    let mut client = Client::initialized(&root);
    client.notify("exit", Value::Null);
    assert_eq!(client.join(), strata_lsp::Ending::ExitWithoutShutdown);
    // Before initialize.
    let mut client = Client::start();
    client.notify("exit", Value::Null);
    assert_eq!(client.join(), strata_lsp::Ending::ExitWithoutShutdown);
    // shutdown, then exit: clean (Client::shut_down asserts it), and the
    // input closing without exit too.
    Client::initialized(&root).shut_down();
    let mut client = Client::initialized(&root);
    client.close_input();
    assert_eq!(client.join(), strata_lsp::Ending::Clean);
}

#[test]
fn workspace_folders_added_and_removed() {
    let (_a, basic) = common::example("basic");
    // A second inventory whose data file names no group: a warning on it.
    let other = tempfile::tempdir().unwrap();
    let other_root = std::fs::canonicalize(other.path()).unwrap();
    std::fs::write(other_root.join("hosts.toml"), "web = [\"w1\"]\n").unwrap();
    std::fs::create_dir(other_root.join("group_data")).unwrap();
    let stray = other_root.join("group_data/wbe.toml");
    std::fs::write(&stray, "port = 1\n").unwrap();

    let mut client = Client::start();
    let answer = client.request(
        "initialize",
        json!({"capabilities": {}, "workspaceFolders": [{"uri": uri(&basic), "name": "basic"}]}),
    );
    assert_eq!(
        answer["result"]["capabilities"]["workspace"]["workspaceFolders"],
        json!({"supported": true, "changeNotifications": true}),
        "{answer}"
    );
    client.notify("initialized", json!({}));
    let folder = |path: &std::path::Path| json!({"uri": uri(path), "name": "x"});
    client.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({"event": {"added": [folder(&other_root)], "removed": []}}),
    );
    let published = client.diagnostics(&stray);
    assert_eq!(published.len(), 1, "{published:?}");
    // Removed: its diagnostics are cleared; the other folder's inventory
    // still answers.
    client.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({"event": {"added": [], "removed": [folder(&other_root)]}}),
    );
    assert_eq!(client.diagnostics(&stray), Vec::<Value>::new());
    let hover = client.at(
        "textDocument/hover",
        &basic.join("group_data/webservers.toml"),
        2,
        0,
    );
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .starts_with("`app_port")
    );
    // Removing a folder that holds no inventory, or one never added: nothing.
    client.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({"event": {"added": [], "removed": [folder(&other_root.join("nope"))]}}),
    );
    client.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({"event": "not an event"}),
    );
    let hover = client.at(
        "textDocument/hover",
        &basic.join("group_data/webservers.toml"),
        2,
        0,
    );
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .starts_with("`app_port")
    );
    client.notifications.clear();
    assert_eq!(
        client.request("shutdown", Value::Null)["result"],
        Value::Null
    );
    assert!(
        client
            .notifications
            .iter()
            .all(|n| n["params"]["uri"] != uri(&stray)),
        "{:?}",
        client.notifications
    );
    client.notify("exit", Value::Null);
    assert_eq!(client.join(), strata_lsp::Ending::Clean);
}
