//! Speed on bench/gen.py's 10,000-host inventory: an edit to a group data
//! file until its diagnostics are published, and a hover. The figures are
//! printed (`cargo test --release -p strata-lsp --test latency -- --nocapture`);
//! the bounds asserted are loose enough for a debug build on a busy machine.
//! `STRATA_LSP_HOSTS=100000` measures another size.

mod common;
#[path = "../../strata-cli/tests/support/gen_py.rs"]
mod gen_py_support;

use std::time::{Duration, Instant};

use common::Client;
use serde_json::Value;

#[test]
fn edit_and_hover_at_scale() {
    let hosts: usize = std::env::var("STRATA_LSP_HOSTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let out = gen_py_support::gen_py(hosts);
    let root = std::fs::canonicalize(out.path().join("strata")).unwrap();
    let started = Instant::now();
    let mut client = Client::initialized(&root);
    let group = root.join("group_data/g0003.toml");
    let text = std::fs::read_to_string(&group).unwrap();
    client.open(&group, &text);
    // The first answer waits for the first load.
    let hover = client.at("textDocument/hover", &group, 0, 1);
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .starts_with("`app_env = ")
    );
    println!("first load and hover: {:?}", started.elapsed());

    let mut edits = Vec::new();
    let mut hovers = Vec::new();
    let codes = |publications: &[Value]| -> Vec<String> {
        let mut codes: Vec<String> = publications
            .iter()
            .filter(|m| m["method"] == "textDocument/publishDiagnostics")
            .flat_map(|m| m["params"]["diagnostics"].as_array().unwrap().clone())
            .map(|d| d["code"].as_str().unwrap().to_string())
            .collect();
        codes.dedup();
        codes
    };
    for round in 0..5 {
        // Give `tier` another type, then mend it: the whole check runs
        // (load, lint, schemas), diagnostics appear, then clear. Timed: the
        // change until the first publication (a reload publishes all of
        // them at once).
        let broken = text.replacen("tier = 0", "tier = \"zero\"", 1);
        client.notifications.clear();
        let sent = Instant::now();
        client.change(&group, 2 * round + 2, &broken);
        let first = client.next_publication();
        edits.push(sent.elapsed());
        // A request answered after every publication of that reload.
        let hover = client.at("textDocument/hover", &group, 2, 1);
        assert!(
            hover["contents"]["value"]
                .as_str()
                .unwrap()
                .starts_with("`tier = \"zero\"`")
        );
        let mut published = vec![first];
        published.append(&mut client.notifications);
        assert_eq!(codes(&published), ["strata::type_conflict"]);

        let sent = Instant::now();
        client.change(&group, 2 * round + 3, &text);
        let first = client.next_publication();
        edits.push(sent.elapsed());
        let sent = Instant::now();
        let hover = client.at("textDocument/hover", &group, 2, 1);
        hovers.push(sent.elapsed());
        let value = hover["contents"]["value"].as_str().unwrap();
        assert!(value.starts_with("`tier = 0`"), "{value}");
        // Host files shadow it on dozens of hosts, each its own
        // definition: eight are shown, the rest counted, so the hover
        // stays short whatever the inventory's size.
        assert!(value.contains(" other definitions\n"), "{value}");
        assert!(value.len() < 4096, "{} bytes: {value}", value.len());
        let mut published = vec![first];
        published.append(&mut client.notifications);
        assert_eq!(codes(&published), Vec::<String>::new());
    }
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    // Code lenses of the group file: a reach per definition of the file.
    let mut lenses = Vec::new();
    let mut count = 0;
    for _ in 0..5 {
        let sent = Instant::now();
        let answer = client.request(
            "textDocument/codeLens",
            serde_json::json!({"textDocument": {"uri": common::uri(&group)}}),
        );
        lenses.push(sent.elapsed());
        let found = answer["result"].as_array().expect("lenses");
        assert!(
            found[0]["command"]["title"]
                .as_str()
                .unwrap()
                .starts_with("wins on "),
            "{answer}"
        );
        count = found.len();
    }
    // References on a host of the file's group: hosts.toml read again.
    let mut references = Vec::new();
    for _ in 0..5 {
        let hosts_file = root.join("hosts.toml");
        let sent = Instant::now();
        let found = client.at("textDocument/references", &hosts_file, 1, 12);
        references.push(sent.elapsed());
        assert!(found.as_array().is_some_and(|a| !a.is_empty()), "{found}");
    }
    let (edit, hover) = (median(&mut edits), median(&mut hovers));
    let (lens, reference) = (median(&mut lenses), median(&mut references));
    println!(
        "{hosts} hosts: edit to diagnostics published {edit:?} (median of 10), hover {hover:?} (median of 5), \
         {count} code lenses {lens:?}, references on a host {reference:?} (medians of 5)"
    );
    assert!(lens < Duration::from_secs(5), "{lens:?}");
    assert!(edit < Duration::from_secs(20), "{edit:?}");
    assert!(hover < Duration::from_secs(5), "{hover:?}");
    client.shut_down();
}
