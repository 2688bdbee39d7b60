//! Diagnostics, hover, definition and references on examples/basic, with
//! exact answers.

mod common;

use common::{Client, uri};
use serde_json::{Value, json};

fn markdown(hover: &Value) -> &str {
    assert_eq!(hover["contents"]["kind"], "markdown", "{hover}");
    hover["contents"]["value"].as_str().unwrap()
}

fn location(path: &std::path::Path, line: u32, character: u32) -> Value {
    let at = json!({"line": line, "character": character});
    json!({"uri": uri(path), "range": {"start": at, "end": at}})
}

#[test]
fn hover_on_a_key_says_where_it_wins_and_what_shadows_it() {
    let (_dir, root) = common::example("basic");
    let mut client = Client::initialized(&root);
    let web = root.join("group_data/webservers.toml");
    // On `app_port = 8000`, the key and the value alike.
    let hover = client.at("textDocument/hover", &web, 2, 2);
    assert_eq!(
        markdown(&hover),
        "`app_port = 8000`

group_data/webservers.toml:3:1 (group webservers)

wins on 0 hosts, shadowed on 2 hosts

**shadowed** on `web1.example.com` by `8001` from host_data/web1.example.com.toml:1:1 (host file)
  because host file data (rank 2) beats group file data (rank 6)

**shadowed** on `web2.example.com` by `8002` from hosts.toml:21:43 (host inline, in all)
  because host inline data (rank 3) beats group file data (rank 6)
"
    );
    assert_eq!(client.at("textDocument/hover", &web, 2, 13), hover);
    let monitoring = root.join("group_data/monitoring.toml");
    assert_eq!(
        markdown(&client.at("textDocument/hover", &monitoring, 2, 0)),
        "`log_level = \"debug\"`

group_data/monitoring.toml:3:1 (group monitoring)

wins on 3 hosts, shadowed on 0 hosts

**wins on** `web1.example.com`, `web2.example.com`, `db1.example.com`
"
    );
    // A comment line is no key, and names no host: the file's group.
    let group = markdown(&client.at("textDocument/hover", &monitoring, 0, 3)).to_string();
    assert!(
        group.starts_with("**group** `monitoring`: 3 hosts"),
        "{group}"
    );
    client.shut_down();
}

#[test]
fn hover_on_hosts_and_groups() {
    let (_dir, root) = common::example("basic");
    let mut client = Client::initialized(&root);
    let hosts = root.join("hosts.toml");
    // `"web1.example.com"` in `webservers = [...]`.
    assert_eq!(
        markdown(&client.at("textDocument/hover", &hosts, 5, 20)),
        "**host** `web1.example.com`

groups: `webservers`, `monitoring`

| key | value | from |
|---|---|---|
| `app_env` | `\"production\"` | group_data/webservers.toml:1:1 (group webservers) |
| `app_port` | `8001` | host_data/web1.example.com.toml:1:1 (host file) |
| `app_workers` | `8` | host_data/web1.example.com.toml:2:1 (host file) |
| `exporter_port` | `9100` | group_data/monitoring.toml:4:1 (group monitoring) |
| `log_level` | `\"debug\"` | group_data/monitoring.toml:3:1 (group monitoring) |
| `ntp_servers` | `[\"0.pool.ntp.org\", \"1.pool.ntp.org\"]` | group_data/all.toml:3:1 (global file) |
| `ssh_port` | `2222` | group_data/all.toml:4:1 (global file) |
| `ssh_user` | `\"deploy\"` | hosts.toml:24:10 (global inline) |
| `timezone` | `\"UTC\"` | group_data/all.toml:5:1 (global file) |
"
    );
    assert_eq!(
        markdown(&client.at("textDocument/hover", &hosts, 5, 2)),
        "**group** `webservers`: 2 hosts

precedence: group 1 of 3 in hosts.toml order, depth 1 (a deeper group wins, then a later one)

data file: group_data/webservers.toml

declared at hosts.toml:6:1
"
    );
    // `[databases]`.
    let databases = markdown(&client.at("textDocument/hover", &hosts, 12, 3)).to_string();
    assert!(
        databases.starts_with("**group** `databases`: 1 host\n"),
        "{databases}"
    );
    // Inside the host file, away from a key: the host.
    let host_file = root.join("host_data/web1.example.com.toml");
    std::fs::write(&host_file, "app_port = 8001\napp_workers = 8\n\n").unwrap();
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri(&host_file)}}),
    );
    let hover = client.at("textDocument/hover", &host_file, 2, 0);
    assert!(
        markdown(&hover).starts_with("**host** `web1.example.com`"),
        "{hover}"
    );
    // Nothing there: a blank line of hosts.toml, a line past the end.
    assert_eq!(client.at("textDocument/hover", &hosts, 4, 0), Value::Null);
    assert_eq!(client.at("textDocument/hover", &hosts, 999, 0), Value::Null);
    client.shut_down();
}

#[test]
fn definition_and_references() {
    let (_dir, root) = common::example("basic");
    let mut client = Client::initialized(&root);
    let web = root.join("group_data/webservers.toml");
    let hosts = root.join("hosts.toml");
    let web1 = root.join("host_data/web1.example.com.toml");
    // app_port in webservers.toml wins nowhere: what wins instead.
    assert_eq!(
        client.at("textDocument/definition", &web, 2, 2),
        json!([location(&web1, 0, 0), location(&hosts, 20, 42)])
    );
    // Every definition of app_port, highest layer first.
    assert_eq!(
        client.at("textDocument/references", &web, 2, 2),
        json!([
            location(&web1, 0, 0),
            location(&hosts, 20, 42),
            location(&web, 2, 0)
        ])
    );
    // A host: its data file and where it is first named.
    assert_eq!(
        client.at("textDocument/definition", &hosts, 5, 20),
        json!([location(&web1, 0, 0), location(&hosts, 19, 4)])
    );
    // A group: its data file and its declaration.
    assert_eq!(
        client.at("textDocument/definition", &hosts, 5, 2),
        json!([location(&web, 0, 0), location(&hosts, 5, 0)])
    );
    client.shut_down();
}

#[test]
fn diagnostics_appear_as_you_type_and_clear_when_fixed() {
    let (_dir, root) = common::example("basic");
    let mut client = Client::initialized(&root);
    let web = root.join("group_data/webservers.toml");
    let text = std::fs::read_to_string(&web).unwrap();
    client.open(&web, &text);
    // A syntax error in the unsaved buffer (the file on disk is fine).
    client.change(&web, 2, "app_env = \"production\"\napp_port = [\n");
    let diagnostics = client.diagnostics(&web);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(diagnostics[0]["code"], "strata::toml_syntax");
    assert_eq!(diagnostics[0]["source"], "strata");
    assert_eq!(diagnostics[0]["severity"], 1);
    assert_eq!(diagnostics[0]["range"]["start"]["line"], 1);
    // A type that drifts across layers: check puts the warning on the
    // winning definition (hosts.toml, the host file), the string here as
    // related information; the syntax error here is cleared.
    client.change(
        &web,
        3,
        &text.replace("app_port = 8000", "app_port = \"8000\""),
    );
    assert_eq!(client.diagnostics(&web), Vec::<Value>::new());
    let hosts = root.join("hosts.toml");
    let diagnostics = client.diagnostics(&hosts);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let d = &diagnostics[0];
    assert_eq!(d["code"], "strata::type_conflict", "{d}");
    assert_eq!(d["severity"], 2);
    assert_eq!(
        d["range"],
        json!({"start": {"line": 20, "character": 53}, "end": {"line": 20, "character": 57}})
    );
    assert_eq!(
        d["relatedInformation"],
        json!([{
            "location": {"uri": uri(&web), "range": {"start": {"line": 2, "character": 11}, "end": {"line": 2, "character": 17}}},
            "message": "over a string here",
        }])
    );
    let web1 = root.join("host_data/web1.example.com.toml");
    assert_eq!(client.diagnostics(&web1).len(), 1);
    // Fixed: empty lists clear them.
    client.change(&web, 4, &text);
    assert_eq!(client.diagnostics(&hosts), Vec::<Value>::new());
    assert_eq!(client.diagnostics(&web1), Vec::<Value>::new());
    // Closing the document goes back to the file on disk.
    client.change(&web, 5, "app_port = [\n");
    assert_eq!(client.diagnostics(&web).len(), 1);
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri(&web)}}),
    );
    assert_eq!(client.diagnostics(&web), Vec::<Value>::new());
    client.shut_down();
}

#[test]
fn schema_diagnostics_are_published_too() {
    let (_dir, root) = common::example("basic");
    std::fs::create_dir(root.join("schema")).unwrap();
    std::fs::write(
        root.join("schema/all.json"),
        r#"{"properties": {"ssh_port": {"maximum": 1024}}}"#,
    )
    .unwrap();
    let mut client = Client::initialized(&root);
    let all = root.join("group_data/all.toml");
    let diagnostics = client.diagnostics(&all);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(diagnostics[0]["code"], "strata::schema");
    assert_eq!(
        diagnostics[0]["range"]["start"],
        json!({"line": 3, "character": 11})
    );
    client.shut_down();
}

/// A schema being typed applies as typed, before it is saved (a new
/// file too), and a source declaration not yet saved joins the inventory.
#[test]
fn unsaved_schemas_and_sources_apply_as_typed() {
    let (_dir, root) = common::example("basic");
    let mut client = Client::initialized(&root);
    let all = root.join("group_data/all.toml");
    std::fs::create_dir(root.join("schema")).unwrap();
    let schema = root.join("schema/all.json");
    client.open(
        &schema,
        r#"{"properties": {"ssh_port": {"maximum": 1024}}}"#,
    );
    let diagnostics = client.diagnostics(&all);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(diagnostics[0]["code"], "strata::schema");
    // Mended in the buffer only: cleared.
    client.change(
        &schema,
        2,
        r#"{"properties": {"ssh_port": {"maximum": 65535}}}"#,
    );
    assert_eq!(client.diagnostics(&all), Vec::<Value>::new());
    // A source declaration typed but not saved: its file is read.
    std::fs::write(
        root.join("extra.json"),
        r#"{"ungrouped": {"hosts": ["web1.example.com"]}, "_meta": {"hostvars": {"web1.example.com": {"rack": "r1"}}}}"#,
    )
    .unwrap();
    let source = root.join("sources/extra.toml");
    client.open(&source, "file = \"extra.json\"\n");
    let hosts = root.join("hosts.toml");
    let hover = client.at("textDocument/hover", &hosts, 5, 20);
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(text.contains("| `rack` | `\"r1\"` | extra.json"), "{text}");
    client.shut_down();
}

#[test]
fn completion_offers_names_and_keys_while_a_document_is_broken() {
    let (_dir, root) = common::example("basic");
    let mut client = Client::initialized(&root);
    let labels = |list: &Value| -> Vec<(String, String)> {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["label"].as_str().unwrap().into(),
                    i["detail"].as_str().unwrap().into(),
                )
            })
            .collect()
    };
    let hosts = root.join("hosts.toml");
    let text = std::fs::read_to_string(&hosts).unwrap();
    client.open(&hosts, &text);
    // Typing a new group: hosts.toml does not load while the line is
    // unfinished; the last inventory that loaded answers.
    let typing = format!("{text}extra = [\"we");
    client.change(&hosts, 2, &typing);
    let line = typing.lines().count() as u32 - 1;
    let list = client.at("textDocument/completion", &hosts, line, 12);
    assert_eq!(
        labels(&list),
        [
            ("webservers".to_string(), "group, 2 hosts".to_string()),
            (
                "web1.example.com".into(),
                "host in webservers, monitoring".into()
            ),
            (
                "web2.example.com".into(),
                "host in webservers, monitoring".into()
            ),
        ]
    );
    assert_eq!(list["isIncomplete"], false);
    let list = client.at("textDocument/completion", &hosts, line, 9);
    assert_eq!(labels(&list).len(), 3 + 7 + 3, "{list}");
    // Keys in a data file, with their types.
    let db = root.join("group_data/databases.toml");
    client.open(&db, "db_port = 5432\nbackup = false\nssh\n");
    let list = client.at("textDocument/completion", &db, 2, 3);
    assert_eq!(
        labels(&list),
        [
            (
                "ssh_port".to_string(),
                "integer, written in 2 layers".to_string()
            ),
            ("ssh_user".into(), "string, written in 1 layer".into()),
        ]
    );
    client.shut_down();
}
