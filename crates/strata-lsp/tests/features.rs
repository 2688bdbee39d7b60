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
    // Typing a new group's host list before the tables: hosts.toml does
    // not load while the line is unfinished; the last inventory that
    // loaded answers, with host names only (no group).
    let at = text.find("\n[databases]").unwrap() + 1;
    let typing = format!("{}extra = [\"we\n{}", &text[..at], &text[at..]);
    client.change(&hosts, 2, &typing);
    let line = text[..at].lines().count() as u32;
    let list = client.at("textDocument/completion", &hosts, line, 12);
    assert_eq!(
        labels(&list),
        [
            (
                "web1.example.com".to_string(),
                "host in webservers, monitoring".to_string()
            ),
            (
                "web2.example.com".into(),
                "host in webservers, monitoring".into()
            ),
        ]
    );
    assert_eq!(list["isIncomplete"], false);
    // With nothing typed: the 7 connector prefixes and the 3 hosts.
    let list = client.at("textDocument/completion", &hosts, line, 9);
    let offered = labels(&list);
    assert_eq!(offered.len(), 7 + 3, "{list}");
    assert!(
        offered
            .iter()
            .all(|(l, _)| l != "webservers" && l != "databases")
    );
    assert!(offered.iter().any(|(l, _)| l == "@docker/"));
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

/// `(file relative to root, line, character)` of each location of an answer.
fn places(root: &std::path::Path, answer: &Value) -> Vec<(String, u64, u64)> {
    let prefix = format!("{}/", uri(root));
    answer
        .as_array()
        .unwrap_or_else(|| panic!("an array: {answer}"))
        .iter()
        .map(|l| {
            (
                l["uri"]
                    .as_str()
                    .unwrap()
                    .strip_prefix(&prefix)
                    .unwrap()
                    .to_string(),
                l["range"]["start"]["line"].as_u64().unwrap(),
                l["range"]["start"]["character"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn lens_titles(client: &mut Client, path: &std::path::Path) -> Vec<(u64, String)> {
    let answer = client.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": uri(path)}}),
    );
    answer["result"]
        .as_array()
        .unwrap_or_else(|| panic!("lenses: {answer}"))
        .iter()
        .map(|l| {
            assert_eq!(l["command"]["command"], "strata.reach", "{l}");
            (
                l["range"]["start"]["line"].as_u64().unwrap(),
                l["command"]["title"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn code_lenses_say_where_each_definition_wins() {
    let (_dir, root) = common::example("basic");
    let mut client = Client::initialized(&root);
    let owned = |v: &[(u64, &str)]| -> Vec<(u64, String)> {
        v.iter().map(|(l, t)| (*l, t.to_string())).collect()
    };
    assert_eq!(
        lens_titles(&mut client, &root.join("group_data/webservers.toml")),
        owned(&[
            (
                0,
                "wins on 2 hosts (web1.example.com, web2.example.com) · shadowed on 0"
            ),
            (1, "wins on 1 host (web2.example.com) · shadowed on 1"),
            (2, "wins on 0 hosts · shadowed on 2"),
            (3, "wins on 0 hosts · shadowed on 2"),
        ])
    );
    assert_eq!(
        lens_titles(&mut client, &root.join("group_data/monitoring.toml")),
        owned(&[
            (
                2,
                "wins on 3 hosts (web1.example.com, web2.example.com, db1.example.com) · shadowed on 0"
            ),
            (
                3,
                "wins on 3 hosts (web1.example.com, web2.example.com, db1.example.com) · shadowed on 0"
            ),
        ])
    );
    // Inline data of hosts.toml: a host entry's, a group's, `all`'s.
    assert_eq!(
        lens_titles(&mut client, &root.join("hosts.toml")),
        owned(&[
            (13, "wins on 1 host (db1.example.com) · shadowed on 0"),
            (14, "wins on 1 host (db1.example.com) · shadowed on 0"),
            (14, "wins on 0 hosts · shadowed on 1"),
            (20, "wins on 1 host (web2.example.com) · shadowed on 0"),
            (
                23,
                "wins on 3 hosts (web1.example.com, web2.example.com, db1.example.com) · shadowed on 0"
            ),
            (23, "wins on 0 hosts · shadowed on 3"),
        ])
    );
    // A file outside the inventory: no lens.
    let answer = client.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": uri(&root.join("../elsewhere.toml"))}}),
    );
    assert_eq!(answer["result"], Value::Null, "{answer}");
    client.shut_down();
}

#[test]
fn references_on_a_host_and_a_group() {
    let (_dir, root) = common::example("basic");
    let mut client = Client::initialized(&root);
    let hosts = root.join("hosts.toml");
    // `"web1.example.com"` in `webservers = [...]`: the entries naming
    // it (the range of monitoring included), its file, what wins on it.
    let found = client.at("textDocument/references", &hosts, 5, 20);
    let s = |f: &str, l: u64, c: u64| (f.to_string(), l, c);
    assert_eq!(
        places(&root, &found),
        [
            s("hosts.toml", 5, 14),
            s("hosts.toml", 10, 14),
            s("hosts.toml", 19, 4),
            s("host_data/web1.example.com.toml", 0, 0),
            s("group_data/webservers.toml", 0, 0),
            s("host_data/web1.example.com.toml", 1, 0),
            s("group_data/monitoring.toml", 3, 0),
            s("group_data/monitoring.toml", 2, 0),
            s("group_data/all.toml", 2, 0),
            s("group_data/all.toml", 3, 0),
            s("hosts.toml", 23, 9),
            s("group_data/all.toml", 4, 0),
        ]
    );
    client.shut_down();

    let (_dir, root) = common::example("nested");
    std::fs::create_dir(root.join("schema")).unwrap();
    std::fs::write(root.join("schema/prod_web.json"), "{}").unwrap();
    let mut client = Client::initialized(&root);
    let hosts = root.join("hosts.toml");
    // `prod_web` in `prod_web = [...]`: its declaration, the `children`
    // naming it, its data file, its schema.
    let found = client.at("textDocument/references", &hosts, 8, 2);
    assert_eq!(
        places(&root, &found),
        [
            s("hosts.toml", 8, 0),
            s("hosts.toml", 21, 12),
            s("group_data/prod_web.toml", 0, 0),
            s("schema/prod_web.json", 0, 0),
        ]
    );
    // The same from the `children` list.
    assert_eq!(client.at("textDocument/references", &hosts, 21, 14), found);
    client.shut_down();
}

#[test]
fn hover_and_definition_on_a_range_pattern() {
    let (_dir, root) = common::example("nested");
    let mut client = Client::initialized(&root);
    let hosts = root.join("hosts.toml");
    // Inside `"web[1:2].prod.example.com"` of `web = [...]`.
    for character in [8, 12, 20] {
        assert_eq!(
            markdown(&client.at("textDocument/hover", &hosts, 15, character)),
            "**entry** `web[1:2].prod.example.com` in group `web`: 2 hosts

expands to `web1.prod.example.com`, `web2.prod.example.com`
",
            "at {character}"
        );
    }
    let s = |f: &str, l: u64, c: u64| (f.to_string(), l, c);
    assert_eq!(
        places(&root, &client.at("textDocument/definition", &hosts, 15, 12)),
        [
            s("host_data/web1.prod.example.com.toml", 0, 0),
            s("hosts.toml", 8, 12),
        ]
    );
    // A plain name beside it is its host.
    let host = markdown(&client.at("textDocument/hover", &hosts, 15, 45)).to_string();
    assert!(
        host.starts_with("**host** `web1.stage.example.com`"),
        "{host}"
    );
    client.shut_down();
}

#[test]
fn completion_knows_its_place_in_hosts_toml() {
    let (_dir, root) = common::example("nested");
    let mut client = Client::initialized(&root);
    let hosts = root.join("hosts.toml");
    let text = std::fs::read_to_string(&hosts).unwrap();
    let labels = |client: &mut Client, line: u32, character: u32| -> Vec<String> {
        let list = client.at("textDocument/completion", &hosts, line, character);
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["label"].as_str().unwrap().to_string())
            .collect()
    };
    let groups = [
        "prod_web",
        "prod_db",
        "stage_web",
        "stage_db",
        "web",
        "site",
        "prod",
        "staging",
    ];
    // In `children = ["prod", ...]`, right after the quote: groups, no host.
    let in_children = labels(&mut client, 18, 13);
    assert_eq!(in_children, groups);
    // In `web = [...]`, right after the quote: hosts and connectors, no group.
    let in_list = labels(&mut client, 15, 8);
    assert!(
        in_list.iter().all(|l| !groups.contains(&l.as_str())),
        "{in_list:?}"
    );
    assert!(in_list.contains(&"db1.prod.example.com".to_string()));
    assert!(in_list.contains(&"@ssh/".to_string()));
    assert!(in_children.iter().all(|l| !l.contains(".example.com")));
    // A new table header: groups.
    let typing = format!("{text}\n[st");
    client.open(&hosts, &typing);
    let line = typing.lines().count() as u32 - 1;
    assert_eq!(
        labels(&mut client, line, 3),
        ["stage_web", "stage_db", "staging"]
    );
    // A table group's own keys below it.
    let typing = format!("{text}\nch");
    client.change(&hosts, 2, &typing);
    assert_eq!(labels(&mut client, line, 2), ["children"]);
    // A top-level key (before the first table): groups.
    let typing = format!("pro\n{text}");
    client.change(&hosts, 3, &typing);
    assert_eq!(labels(&mut client, 0, 3), ["prod_web", "prod_db", "prod"]);
    client.shut_down();
}

#[test]
fn completion_of_the_limit_of_an_ansible_plugin_configuration() {
    let (_dir, root) = common::example("basic");
    let folder = root.parent().unwrap().to_path_buf();
    let config = folder.join("basic.strata.yml");
    let example = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/basic.strata.yml"),
    )
    .unwrap();
    std::fs::write(&config, &example).unwrap();
    let mut client = Client::initialized(&folder);
    let labels = |answer: &Value| -> Vec<String> {
        answer["items"]
            .as_array()
            .unwrap_or_else(|| panic!("a list: {answer}"))
            .iter()
            .map(|i| i["label"].as_str().unwrap().to_string())
            .collect()
    };
    // `limit: "webservers,!w`: groups and hosts of basic/, no connector.
    let text = format!("{example}limit: \"webservers,!w");
    client.open(&config, &text);
    let line = text.lines().count() as u32 - 1;
    assert_eq!(
        labels(&client.at("textDocument/completion", &config, line, 22)),
        ["webservers", "web1.example.com", "web2.example.com"]
    );
    // A block list under `limit:`.
    let text = format!("{example}limit:\n  - d");
    client.change(&config, 2, &text);
    let line = text.lines().count() as u32 - 1;
    assert_eq!(
        labels(&client.at("textDocument/completion", &config, line, 5)),
        ["databases", "db1.example.com"]
    );
    // Elsewhere in the file: nothing.
    assert_eq!(
        client.at("textDocument/completion", &config, 6, 8),
        Value::Null
    );
    // A configuration naming no inventory: nothing.
    let text = example.replace("path: basic", "path: nowhere") + "limit: w";
    client.change(&config, 3, &text);
    let line = text.lines().count() as u32 - 1;
    assert_eq!(
        client.at("textDocument/completion", &config, line, 8),
        Value::Null
    );
    client.shut_down();
}
