//! Code actions: check's fixes as quick fixes, applied as an editor would.

mod common;

use std::path::Path;

use common::{Client, uri};
use serde_json::{Value, json};

/// A client that can rename files through a workspace edit.
fn renaming() -> Value {
    json!({"workspace": {"workspaceEdit": {"documentChanges": true, "resourceOperations": ["create", "rename", "delete"]}}})
}

fn inventory(files: &[(&str, &str)]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    for (path, text) in files {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    (dir, root)
}

fn range(a: u32, b: u32, c: u32, d: u32) -> Value {
    json!({"start": {"line": a, "character": b}, "end": {"line": c, "character": d}})
}

/// The code actions for `range` of `path`, no diagnostics named.
fn actions(client: &mut Client, path: &Path, range: Value) -> Value {
    let answer = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri(path)}, "range": range, "context": {"diagnostics": []}}),
    );
    assert!(answer["error"].is_null(), "{answer}");
    answer["result"].clone()
}

fn codes(diagnostics: &[Value]) -> Vec<&str> {
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect()
}

#[test]
fn a_misnamed_data_file_is_renamed_by_its_quick_fix() {
    let (_dir, root) = inventory(&[
        ("hosts.toml", "web = [\"w1\"]\ndb = [\"d1\"]\n"),
        ("group_data/webb.toml", "port = 80\n"),
    ]);
    let webb = root.join("group_data/webb.toml");
    let mut client = Client::initialized_with(&root, renaming());
    let published = client.diagnostics(&webb);
    assert_eq!(codes(&published), ["strata::unknown_group_file"]);
    let found = actions(&mut client, &webb, range(0, 0, 0, 0));
    assert_eq!(
        found,
        json!([{
            "title": "Rename group_data/webb.toml to group_data/web.toml",
            "kind": "quickfix",
            "diagnostics": [published[0]],
            "isPreferred": true,
            "edit": {"documentChanges": [{
                "kind": "rename",
                "oldUri": uri(&webb),
                "newUri": uri(&root.join("group_data/web.toml")),
                "options": {"overwrite": false, "ignoreIfExists": false},
            }]},
        }])
    );
    // Elsewhere in the file, but naming the diagnostic: the same action.
    let answer = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri(&webb)}, "range": range(0, 5, 0, 9), "context": {"diagnostics": [published[0]]}}),
    );
    assert_eq!(answer["result"], found);
    // Applied as an editor would: the file renamed, the server told.
    std::fs::rename(&webb, root.join("group_data/web.toml")).unwrap();
    client.notifications.clear();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&webb), "type": 3}, {"uri": uri(&root.join("group_data/web.toml")), "type": 1}]}),
    );
    assert_eq!(client.diagnostics(&webb), Vec::<Value>::new());
    assert_eq!(actions(&mut client, &webb, range(0, 0, 0, 0)), json!([]));
    client.shut_down();
}

#[test]
fn no_rename_for_a_client_that_cannot_rename_files() {
    let (_dir, root) = inventory(&[
        ("hosts.toml", "web = [\"w1\"]\n"),
        ("group_data/webb.toml", "port = 80\n"),
    ]);
    let webb = root.join("group_data/webb.toml");
    let without_rename = json!({"workspace": {"workspaceEdit": {"documentChanges": true, "resourceOperations": ["create"]}}});
    for capabilities in [json!({}), without_rename] {
        let mut client = Client::initialized_with(&root, capabilities);
        assert_eq!(
            codes(&client.diagnostics(&webb)),
            ["strata::unknown_group_file"]
        );
        assert_eq!(actions(&mut client, &webb, range(0, 0, 0, 0)), json!([]));
        client.shut_down();
    }
}

/// Applies the text edits of a `changes` workspace edit to `text`, last
/// first.
fn apply(text: &str, edits: &[Value]) -> String {
    let offset = |p: &Value| {
        let line = p["line"].as_u64().unwrap() as usize;
        let character = p["character"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        // ASCII texts: characters are bytes.
        start + character
    };
    let mut edits: Vec<&Value> = edits.iter().collect();
    edits.sort_by_key(|e| std::cmp::Reverse(offset(&e["range"]["start"])));
    let mut out = text.to_string();
    for e in edits {
        let (a, b) = (offset(&e["range"]["start"]), offset(&e["range"]["end"]));
        out.replace_range(a..b, e["newText"].as_str().unwrap());
    }
    out
}

#[test]
fn the_host_entry_rewrite_applied_to_the_buffer_clears_the_diagnostic() {
    let text =
        "all = [\"w0\", \"w1\"]\n[web]\nhosts = [\n  \"w0\",\n  { name = \"w1\", port = 1 },\n]\n";
    let (_dir, root) = inventory(&[("hosts.toml", text)]);
    let hosts = root.join("hosts.toml");
    let mut client = Client::initialized(&root);
    client.open(&hosts, text);
    let published = client.diagnostics(&hosts);
    assert_eq!(codes(&published), ["strata::host_entry_shape"]);
    // Asked with the cursor in `port`: the diagnostic's range.
    assert_eq!(published[0]["range"], range(4, 17, 4, 21));
    let found = actions(&mut client, &hosts, range(4, 19, 4, 19));
    let [action] = found.as_array().unwrap().as_slice() else {
        panic!("{found}");
    };
    assert_eq!(action["title"], "Move the data into `data`");
    assert_eq!(action["kind"], "quickfix");
    assert_eq!(action["isPreferred"], true);
    assert_eq!(action["diagnostics"], json!([published[0]]));
    let changes = &action["edit"]["changes"];
    assert_eq!(changes.as_object().unwrap().len(), 1, "{changes}");
    let edits = changes[uri(&hosts)].as_array().unwrap();
    assert_eq!(
        edits,
        &[
            json!({"range": range(4, 2, 4, 27), "newText": "{ name = \"w1\", data = { port = 1 } }"})
        ]
    );
    let fixed = apply(text, edits);
    // What was published before the answer is old.
    client.notifications.clear();
    client.change(&hosts, 2, &fixed);
    assert_eq!(client.diagnostics(&hosts), Vec::<Value>::new());
    client.shut_down();
}

#[test]
fn a_range_without_a_fix_has_no_actions_and_bad_params_are_refused() {
    let text = "web = [\"w1\"]\n[db]\nhosts = [{ name = \"d1\", port = 1 }]\nempty = []\n";
    let (_dir, root) = inventory(&[("hosts.toml", text)]);
    let hosts = root.join("hosts.toml");
    let mut client = Client::initialized(&root);
    assert!(!client.diagnostics(&hosts).is_empty());
    // Line 0 has no diagnostic with a fix.
    assert_eq!(actions(&mut client, &hosts, range(0, 0, 0, 3)), json!([]));
    // A file outside any inventory, and a position far past the end.
    let outside = tempfile::tempdir().unwrap();
    assert_eq!(
        actions(
            &mut client,
            &outside.path().join("x.toml"),
            range(0, 0, 0, 0)
        ),
        json!([])
    );
    assert_eq!(
        actions(&mut client, &hosts, range(u32::MAX, 0, u32::MAX, 9)),
        json!([])
    );
    for params in [
        json!({"textDocument": {"uri": uri(&hosts)}}),
        json!({"textDocument": {"uri": uri(&hosts)}, "range": "all", "context": {"diagnostics": []}}),
        json!(null),
    ] {
        let answer = client.request("textDocument/codeAction", params);
        assert_eq!(answer["error"]["code"], -32602, "{answer}");
    }
    // Still answering.
    let found = actions(&mut client, &hosts, range(2, 0, 2, 40));
    assert_eq!(found.as_array().unwrap().len(), 1, "{found}");
    client.shut_down();
}

#[test]
fn code_actions_are_advertised_as_quick_fixes() {
    let (_dir, root) = inventory(&[("hosts.toml", "web = [\"w1\"]\n")]);
    let mut client = Client::start();
    let answer = client.request(
        "initialize",
        json!({"capabilities": {}, "workspaceFolders": [{"uri": uri(&root), "name": "w"}]}),
    );
    assert_eq!(
        answer["result"]["capabilities"]["codeActionProvider"],
        json!({"codeActionKinds": ["quickfix"]})
    );
    client.notify("initialized", json!({}));
    client.shut_down();
}
