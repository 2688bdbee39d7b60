//! Speed on bench/gen.py's 10,000-host inventory: an edit to a group data
//! file until its diagnostics are published, and a hover. The figures are
//! printed (`cargo test --release -p strata-lsp --test latency -- --nocapture`);
//! the bounds asserted are loose enough for a debug build on a busy machine.

mod common;
#[path = "../../strata-cli/tests/support/gen_py.rs"]
mod gen_py_support;

use std::time::{Duration, Instant};

use common::Client;

#[test]
fn edit_and_hover_at_10000_hosts() {
    let out = gen_py_support::gen_py(10_000);
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
    for round in 0..5 {
        // Give `tier` another type, then mend it: the whole check runs
        // (load, lint, schemas), diagnostics appear, then clear.
        let broken = text.replacen("tier = 0", "tier = \"zero\"", 1);
        let sent = Instant::now();
        client.change(&group, 2 * round + 2, &broken);
        let diagnostics = client.diagnostics(&group);
        edits.push(sent.elapsed());
        assert_eq!(
            diagnostics[0]["code"], "strata::type_conflict",
            "{diagnostics:?}"
        );
        let sent = Instant::now();
        client.change(&group, 2 * round + 3, &text);
        let diagnostics = client.diagnostics(&group);
        edits.push(sent.elapsed());
        assert!(diagnostics.is_empty(), "{diagnostics:?}");

        let sent = Instant::now();
        let hover = client.at("textDocument/hover", &group, 2, 1);
        hovers.push(sent.elapsed());
        let value = hover["contents"]["value"].as_str().unwrap();
        assert!(value.starts_with("`tier = 0`"), "{value}");
    }
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let (edit, hover) = (median(&mut edits), median(&mut hovers));
    println!(
        "10,000 hosts: edit to diagnostics published {edit:?} (median of 10), hover {hover:?} (median of 5)"
    );
    assert!(edit < Duration::from_secs(20), "{edit:?}");
    assert!(hover < Duration::from_secs(5), "{hover:?}");
    client.shut_down();
}
