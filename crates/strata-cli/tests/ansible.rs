//! The Ansible bridge against the real `ansible-inventory`.
//!
//! Each inventory is served to Ansible through the two-line wrapper script
//! of docs/ansible.md; what Ansible reports (groups, members, hostvars, and
//! `--host`) must equal strata's own resolution (`strata list`).
//!
//! Finding Ansible: `$STRATA_ANSIBLE_INVENTORY` (the `ansible-inventory`
//! program), else `<workspace>/.venv/bin/ansible-inventory`. Without it the
//! tests print that they skipped, unless `$CI` is set: then they fail.

#[path = "support/gen_py.rs"]
mod gen_py_support;
use gen_py_support::gen_py;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Map, Value};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn ansible_inventory() -> Option<PathBuf> {
    let candidate = std::env::var_os("STRATA_ANSIBLE_INVENTORY")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join(".venv/bin/ansible-inventory"));
    if candidate.is_file() {
        return Some(candidate);
    }
    let why = format!(
        "{} not found (set STRATA_ANSIBLE_INVENTORY or create .venv with ansible-core)",
        candidate.display()
    );
    if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
        panic!("ansible-core is required in CI for the Ansible bridge test: {why}");
    }
    eprintln!("skipped: {why}");
    None
}

/// The wrapper script of docs/ansible.md, for `inventory`.
fn wrapper(dir: &Path, inventory: &Path) -> PathBuf {
    let path = dir.join("strata-inventory.sh");
    let script = format!(
        "#!/bin/sh\nexec '{}' -i '{}' ansible \"$@\"\n",
        env!("CARGO_BIN_EXE_strata"),
        inventory.display()
    );
    std::fs::write(&path, script).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    path
}

/// Runs `ansible-inventory ARGS` with a private home and no colours.
fn run_ansible(program: &Path, home: &Path, args: &[&str]) -> std::process::Output {
    Command::new(program)
        .args(args)
        .env("HOME", home)
        .env("ANSIBLE_LOCAL_TEMP", home.join("tmp"))
        .env("ANSIBLE_NOCOLOR", "1")
        .env("ANSIBLE_INVENTORY_UNPARSED_FAILED", "true")
        .output()
        .unwrap()
}

fn ansible(program: &Path, home: &Path, args: &[&str]) -> (Value, String) {
    let out = run_ansible(program, home, args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "ansible-inventory {args:?} failed:\n{stderr}"
    );
    (serde_json::from_slice(&out.stdout).unwrap(), stderr)
}

fn strata_list(inventory: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args([
            "-i",
            inventory.to_str().unwrap(),
            "list",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Compares what Ansible saw with strata's resolution; returns the mismatches.
fn compare(program: &Path, inventory: &Path) -> Vec<String> {
    let tmp = tempfile::tempdir().unwrap();
    let script = wrapper(tmp.path(), inventory);
    let (seen, _) = ansible(
        program,
        tmp.path(),
        &["-i", script.to_str().unwrap(), "--list"],
    );
    let ours = strata_list(inventory);
    let mut problems = Vec::new();
    let empty = Map::new();
    let hostvars = seen["_meta"]["hostvars"].as_object().unwrap_or(&empty);
    let hosts = ours["hosts"].as_array().unwrap();
    for h in hosts {
        let name = h["name"].as_str().unwrap();
        // Ansible leaves hosts without variables out of _meta.
        let theirs = hostvars
            .get(name)
            .cloned()
            .unwrap_or(Value::Object(Map::new()));
        if theirs != h["data"] {
            problems.push(format!(
                "host {name}: ansible sees {theirs}, strata resolves {}",
                h["data"]
            ));
        }
    }
    if hostvars.len() > hosts.len() {
        problems.push(format!(
            "ansible has {} hostvars for {} hosts",
            hostvars.len(),
            hosts.len()
        ));
    }
    // Groups nest: a group is reachable from `all` through `children`, and
    // its members are its hosts and its descendants' (compared as sets;
    // strata's order is checked by the tests of `list`).
    let tree = members_of(&seen);
    let reachable = depths(seen.as_object().unwrap());
    for g in ours["groups"].as_array().unwrap() {
        let name = g["name"].as_str().unwrap();
        if !reachable.contains_key(name) {
            problems.push(format!("group {name} is not reachable from all"));
        }
        let members = tree
            .get(name)
            .map(|(hosts, _)| hosts.clone())
            .unwrap_or_default();
        let want: BTreeSet<String> = g["hosts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h.as_str().unwrap().to_string())
            .collect();
        if members != want {
            problems.push(format!(
                "group {name}: ansible sees {members:?}, strata has {want:?}"
            ));
        }
    }
    let ungrouped: Vec<&Value> = hosts
        .iter()
        .filter(|h| h["groups"].as_array().unwrap().is_empty())
        .map(|h| &h["name"])
        .collect();
    let theirs = seen
        .get("ungrouped")
        .map(|v| v["hosts"].clone())
        .unwrap_or(Value::Array(Vec::new()));
    if theirs != Value::Array(ungrouped.iter().map(|v| (*v).clone()).collect()) {
        problems.push(format!(
            "ungrouped: ansible sees {theirs}, strata has {ungrouped:?}"
        ));
    }
    // `--host` answers from _meta for every host: spot-check the first and last.
    for h in [hosts.first(), hosts.last()].into_iter().flatten() {
        let name = h["name"].as_str().unwrap();
        let (one, _) = ansible(
            program,
            tmp.path(),
            &["-i", script.to_str().unwrap(), "--host", name],
        );
        if one != h["data"] {
            problems.push(format!(
                "--host {name}: ansible sees {one}, strata resolves {}",
                h["data"]
            ));
        }
    }
    problems
}

fn check(inventory: &Path) {
    let Some(program) = ansible_inventory() else {
        return;
    };
    let problems = compare(&program, inventory);
    assert!(
        problems.is_empty(),
        "{}:\n{}",
        inventory.display(),
        problems.join("\n")
    );
}

#[test]
fn examples_through_ansible() {
    for name in [
        "basic",
        "multi-env/production",
        "multi-env/staging",
        "connectors",
        "nested",
    ] {
        check(&workspace().join("examples").join(name));
    }
}

#[test]
fn group_order_conflicts_through_ansible() {
    // Later groups win in strata; Ansible must see strata's answer, not apply its own rules.
    for case in ["ordering", "precedence", "inline-merge", "values"] {
        check(&workspace().join("tests/pyinfra").join(case).join("strata"));
    }
}

#[test]
fn datetimes_reach_ansible_as_strings() {
    let inv = workspace().join("tests/fixtures/datetimes");
    check(&inv);
    let ours = strata_list(&inv);
    let w2 = &ours["hosts"][1]["data"];
    assert_eq!(w2["deployed_at"], "1979-05-27T07:32:00Z");
    assert_eq!(w2["maintenance"], "2026-12-24T22:00:00+01:00");
    assert_eq!(w2["release_day"], "1979-05-27");
    assert_eq!(w2["backup_time"], "03:30:00");
    assert_eq!(w2["window"]["end"], "1979-05-28");
}

#[test]
fn generated_inventory_through_ansible() {
    let out = gen_py(400);
    check(&out.path().join("strata"));
}

#[test]
fn a_broken_inventory_gives_ansible_nothing() {
    let bad = workspace().join("tests/fixtures/errors");
    for args in [
        &["ansible", "--list"][..],
        &["ansible", "--host", "web1"][..],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_strata"))
            .arg("-i")
            .arg(&bad)
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(
            out.stdout.is_empty(),
            "stdout must be empty: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("hosts.toml:1:28"), "{stderr}");
        assert!(stderr.contains("host_data/db1.toml:1:8"), "{stderr}");
    }
    // And Ansible itself refuses it, quoting strata's diagnostics.
    let Some(program) = ansible_inventory() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let script = wrapper(tmp.path(), &bad);
    let out = Command::new(&program)
        .args(["-i", script.to_str().unwrap(), "--list"])
        .env("HOME", tmp.path())
        .env("ANSIBLE_NOCOLOR", "1")
        .env("ANSIBLE_INVENTORY_UNPARSED_FAILED", "true")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("hosts.toml:1:28"), "{stderr}");
}

#[test]
fn limits_and_data_apply_to_the_bridge() {
    let basic = workspace().join("examples/basic");
    let out = Command::new(env!("CARGO_BIN_EXE_strata"))
        .arg("-i")
        .arg(&basic)
        .args([
            "--limit",
            "databases",
            "--data",
            "app_port=9000",
            "ansible",
            "--list",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let hostvars = v["_meta"]["hostvars"].as_object().unwrap();
    assert_eq!(hostvars.keys().collect::<Vec<_>>(), ["db1.example.com"]);
    assert_eq!(hostvars["db1.example.com"]["app_port"], 9000);
    assert!(
        v.get("webservers").is_none(),
        "groups emptied by the limit are left out"
    );
}

/// The names in `strata check`'s `ansible_name` and `reserved_host_name`
/// warnings, by kind: ("group", name), ("clash", name), ("reserved", name).
fn check_ansible_names(inventory: &Path) -> std::collections::BTreeSet<(String, String)> {
    let out = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args([
            "-i",
            inventory.to_str().unwrap(),
            "check",
            "--ansible",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let items: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let quoted = |m: &str| m.split('`').nth(1).unwrap_or_default().to_string();
    items
        .iter()
        .filter(|i| {
            i["code"] == "strata::ansible_name" || i["code"] == "strata::reserved_host_name"
        })
        .filter_map(|i| {
            let m = i["message"].as_str().unwrap();
            let kind = if i["code"] == "strata::reserved_host_name" {
                // A host named like an implicit group: Ansible's "Found
                // both group and host with same name".
                "clash"
            } else if m.starts_with("Ansible warns about the group name") {
                "group"
            } else if m.contains("is both a group and a host") {
                "clash"
            } else if m.contains("uses a reserved name") {
                "reserved"
            } else {
                return None;
            };
            Some((kind.to_string(), quoted(m)))
        })
        .collect()
}

#[test]
fn ansible_warnings_match_check() {
    // What ansible-inventory warns about, from its own output, must be what
    // `strata check` reports as `strata::ansible_name`: no more, no less.
    compare_warnings("tests/fixtures/ansible-names", 8);
}

#[test]
fn ansible_warns_about_hosts_named_like_implicit_groups() {
    // Hosts `all` and `ungrouped`: "Found both group and host with same
    // name", which `strata check` reports as `strata::reserved_host_name`.
    compare_warnings("tests/fixtures/ansible-reserved-hosts", 2);
}

/// Runs ansible-inventory over the fixture and compares the warnings it
/// prints (at least `least` of them) with those of `strata check`.
fn compare_warnings(fixture: &str, least: usize) {
    let Some(program) = ansible_inventory() else {
        return;
    };
    let inventory = workspace().join(fixture);
    let home = tempfile::tempdir().unwrap();
    let script = wrapper(home.path(), &inventory);
    let out = run_ansible(
        &program,
        home.path(),
        &["-vvvv", "-i", script.to_str().unwrap(), "--list"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut ansible = std::collections::BTreeSet::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("Not replacing invalid character(s) ") {
            let name = rest.rsplit_once("in group name (").unwrap().1;
            ansible.insert(("group".to_string(), name.trim_end_matches(')').to_string()));
        } else if let Some(name) = line
            .split("Found both group and host with same name: ")
            .nth(1)
        {
            ansible.insert(("clash".to_string(), name.trim().to_string()));
        } else if let Some(name) = line.split("Found variable using reserved name '").nth(1) {
            ansible.insert((
                "reserved".to_string(),
                name.split('\'').next().unwrap().to_string(),
            ));
        }
    }
    assert!(
        ansible.len() >= least,
        "Ansible's warnings were not found in:\n{text}"
    );
    assert_eq!(
        check_ansible_names(&inventory),
        ansible,
        "Ansible said:\n{text}"
    );
}

#[test]
fn ansible_reads_a_mixed_static_and_source_inventory_as_the_precedence_table_says() {
    let Some(program) = ansible_inventory() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let inv = tmp.path().join("inv");
    let write = |path: &str, text: &str| {
        let p = inv.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
    };
    write(
        "hosts.toml",
        "web = [\"w1\", { name = \"w2\", data = { http_port = 9002 } }]\n\n[all]\ndata = { ssh_user = \"deploy\" }\n",
    );
    write("group_data/web.toml", "http_port = 81\n");
    write("host_data/w3.toml", "rack = \"r3-moved\"\n");
    // A file source: the CMDB export.
    write("sources/cmdb.toml", "file = \"exports/cmdb.json\"\n");
    write(
        "exports/cmdb.json",
        r#"{
  "web": {"hosts": ["w2", "w3"], "vars": {"http_port": 80, "tier": "web"}},
  "prod": {"children": ["eu"], "vars": {"tier": "prod", "env": "production"}},
  "eu": {"hosts": ["d1"], "vars": {"tier": "eu"}},
  "all": {"vars": {"ssh_user": "cmdb", "dns": "10.0.0.1"}},
  "_meta": {"hostvars": {"w2": {"http_port": 8080}, "w3": {"http_port": 8083, "rack": "r3"}}}
}"#,
    );
    // A command source without `_meta`: asked `--host` per host.
    write(
        "sources/zz-facts.toml",
        "command = [\"./scripts/facts.sh\", \"--list\"]\n",
    );
    write(
        "scripts/facts.sh",
        "#!/bin/sh\nif [ \"$1\" = \"--host\" ]; then echo \"{\\\"facts_for\\\": \\\"$2\\\"}\"; exit 0; fi\necho '{\"db\": [\"d1\", \"d2\"]}'\n",
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let p = inv.join("scripts/facts.sh");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    // The wrapper of docs/ansible.md, with consent and a private cache.
    let script = tmp.path().join("strata-inventory.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nSTRATA_ALLOW_EXEC=1 XDG_CACHE_HOME='{}' exec '{}' -i '{}' ansible \"$@\"\n",
            tmp.path().join("cache").display(),
            env!("CARGO_BIN_EXE_strata"),
            inv.display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let (seen, _) = ansible(
        &program,
        tmp.path(),
        &["-i", script.to_str().unwrap(), "--list"],
    );
    let hostvars = &seen["_meta"]["hostvars"];
    // Each value as docs/precedence.md promises, written out by hand.
    let want = serde_json::json!({
        // group_data/web.toml (81) beats the source's `web` vars (80).
        "w1": {"dns": "10.0.0.1", "http_port": 81, "ssh_user": "deploy", "tier": "web"},
        // inline host data (9002) beats the source's hostvars (8080).
        "w2": {"dns": "10.0.0.1", "http_port": 9002, "ssh_user": "deploy", "tier": "web"},
        // the source's hostvars (8083) beat group_data/web.toml (81);
        // host_data/ beats the source's hostvars (rack).
        "w3": {"dns": "10.0.0.1", "http_port": 8083, "rack": "r3-moved", "ssh_user": "deploy", "tier": "web"},
        // the child `eu` beats its parent `prod`; the inventory's global
        // data beats the source's `all.vars`; `--host` facts are host data.
        "d1": {"dns": "10.0.0.1", "env": "production", "facts_for": "d1", "ssh_user": "deploy", "tier": "eu"},
        "d2": {"dns": "10.0.0.1", "facts_for": "d2", "ssh_user": "deploy"},
    });
    assert_eq!(hostvars, &want);
    let members = |g: &str| seen[g]["hosts"].clone();
    assert_eq!(members("web"), serde_json::json!(["w1", "w2", "w3"]));
    // The source's `children` reach Ansible as children (issue 22, item 4):
    // `prod` holds no host of its own.
    assert_eq!(members("prod"), Value::Null);
    assert_eq!(seen["prod"]["children"], serde_json::json!(["eu"]));
    assert_eq!(members("db"), serde_json::json!(["d1", "d2"]));
    // `--host` gives the same, from the cached answers.
    let (one, _) = ansible(
        &program,
        tmp.path(),
        &["-i", script.to_str().unwrap(), "--host", "d1"],
    );
    assert_eq!(one, want["d1"]);
}

/// Runs the strata binary; its stdout as JSON.
fn strata_json(args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "strata {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A group of `--structured`: its priority, its variables, its hosts.
/// A group as the structured answer serves it: its sort key in Ansible's
/// precedence (depth, priority, name), its vars, and its hosts with its
/// descendants'.
type Served<'a> = (
    (usize, i64, &'a str),
    Option<&'a Map<String, Value>>,
    BTreeSet<String>,
);

/// Every group's depth as Ansible counts it: the longest path from `all`
/// through `children` (a top-level group is 1).
fn depths(doc: &Map<String, Value>) -> BTreeMap<String, usize> {
    fn walk(doc: &Map<String, Value>, g: &str, d: usize, out: &mut BTreeMap<String, usize>) {
        if out.get(g).is_some_and(|&seen| seen >= d) {
            return;
        }
        out.insert(g.to_string(), d);
        let children = doc.get(g).and_then(|v| v["children"].as_array());
        for c in children.into_iter().flatten() {
            walk(doc, c.as_str().unwrap(), d + 1, out);
        }
    }
    let mut out = BTreeMap::new();
    walk(doc, "all", 0, &mut out);
    // A group no group names as a child is a child of `all` (Ansible's
    // JSON reader adds it there).
    let named: BTreeSet<&str> = doc
        .values()
        .filter_map(|v| v.get("children").and_then(Value::as_array))
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    for g in doc.keys().filter(|g| !g.starts_with('_') && *g != "all") {
        if !named.contains(g.as_str()) {
            walk(doc, g, 1, &mut out);
        }
    }
    out
}

/// Issue 21: `ansible --list --structured`, with Ansible's group precedence
/// applied (`all`, then the host's groups by priority, the later winning,
/// then its own variables; top-level keys replaced whole), gives every host
/// exactly its flattened data, the data of `--list` and `--host`. Checked
/// here without Ansible; python/tests/test_ansible_plugin.py checks it with
/// the real ansible-core.
#[test]
fn structured_list_gives_every_host_its_resolved_data_by_ansible_rules() {
    let ws = workspace();
    let generated = gen_py(600);
    let mut inventories: Vec<PathBuf> = [
        "examples/basic",
        "examples/connectors",
        "examples/cmdb-file",
        "examples/multi-env/production",
        "examples/multi-env/staging",
        "examples/nested",
        "tests/fixtures/ansible-names",
        "tests/fixtures/datetimes",
        "tests/fixtures/multiline",
        "tests/fixtures/ungrouped",
        "tests/fixtures/warnings",
        "tests/fixtures/misnamed",
        "tests/fixtures/merge",
    ]
    .iter()
    .map(|p| ws.join(p))
    .collect();
    inventories.push(generated.path().join("strata"));
    for inv in &inventories {
        let inv = inv.to_str().unwrap();
        for extra in [
            &[][..],
            &["--data", "log_level=override", "--data", "port=1"][..],
        ] {
            let args = |tail: &[&str]| -> Vec<String> {
                let mut v: Vec<String> = vec!["-i".into(), inv.into()];
                v.extend(extra.iter().map(|s| s.to_string()));
                v.extend(tail.iter().map(|s| s.to_string()));
                v
            };
            let flat = strata_json(
                &args(&["ansible", "--list"])
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>(),
            );
            let doc = strata_json(
                &args(&["ansible", "--list", "--structured"])
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>(),
            );
            let doc = doc.as_object().unwrap();
            let all_vars = doc["all"]["vars"].as_object().unwrap();
            let depth = depths(doc);
            let mut members = members_of(&Value::Object(doc.clone()));
            let mut groups: Vec<Served<'_>> = doc
                .iter()
                .filter(|(name, _)| !matches!(name.as_str(), "all" | "_meta"))
                .map(|(name, g)| {
                    (
                        (
                            depth[name],
                            g.get("priority").and_then(Value::as_i64).unwrap_or(1),
                            name.as_str(),
                        ),
                        g.get("vars").and_then(Value::as_object),
                        members.remove(name).unwrap().0,
                    )
                })
                .collect();
            groups.sort_by_key(|(order, _, _)| *order);
            assert!(
                doc["ungrouped"]
                    .get("vars")
                    .is_none_or(|v| v.as_object().unwrap().is_empty())
            );
            let own = doc["_meta"]["hostvars"].as_object().unwrap();
            let want = flat["_meta"]["hostvars"].as_object().unwrap();
            assert_eq!(own.len(), want.len(), "{inv}");
            let mut own_keys = 0;
            for (host, data) in want {
                let mut seen = all_vars.clone();
                for (_, vars, hosts) in &groups {
                    if let Some(vars) = vars
                        && hosts.contains(host)
                    {
                        seen.extend(vars.iter().map(|(k, v)| (k.clone(), v.clone())));
                    }
                }
                let mine = own[host].as_object().unwrap();
                own_keys += mine.len();
                seen.extend(mine.iter().map(|(k, v)| (k.clone(), v.clone())));
                assert_eq!(&Value::Object(seen), data, "{inv} {extra:?}: host {host}");
            }
            let flat_keys: usize = want.values().map(|v| v.as_object().unwrap().len()).sum();
            assert!(own_keys <= flat_keys, "{inv}");
        }
    }
}

/// Every group's members as Ansible sees them in an `--list` answer: its
/// hosts and its descendants' (through `children`), by name; and each
/// group's children.
type Tree = std::collections::BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)>;

fn members_of(list: &Value) -> Tree {
    let groups = list.as_object().unwrap();
    let direct = |g: &str| -> (Vec<String>, Vec<String>) {
        let names = |key: &str| -> Vec<String> {
            groups
                .get(g)
                .and_then(|v| v[key].as_array())
                .map_or_else(Vec::new, |a| {
                    a.iter().map(|v| v.as_str().unwrap().to_string()).collect()
                })
        };
        (names("hosts"), names("children"))
    };
    let mut out = Tree::new();
    for name in groups.keys().filter(|k| !k.starts_with('_')) {
        let mut hosts = BTreeSet::new();
        let mut todo = vec![name.clone()];
        let mut seen = BTreeSet::new();
        while let Some(g) = todo.pop() {
            if !seen.insert(g.clone()) {
                continue;
            }
            let (h, c) = direct(&g);
            hosts.extend(h);
            todo.extend(c);
        }
        let kids = direct(name).1.into_iter().collect();
        out.insert(name.clone(), (hosts, kids));
    }
    out
}

use std::collections::{BTreeMap, BTreeSet};

/// Issue 22's proof: an Ansible YAML inventory with nested groups (three
/// levels, a host in two branches, group vars at every level, conflicts
/// at equal depth written so that Ansible's name order and hosts.toml's
/// order agree) and its hand-written strata equivalent give the same
/// hostvars, the same members of every group and the same tree, through
/// `strata ansible --list` read by the real `ansible-inventory`.
#[test]
fn nested_groups_resolve_as_ansible_resolves_them() {
    let Some(program) = ansible_inventory() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let yaml = tmp.path().join("inventory.yml");
    std::fs::write(
        &yaml,
        r#"all:
  vars:
    ntp: pool
  children:
    monitoring:
      vars: { log_level: debug, env: monitored }
      hosts:
        web1:
        ops1:
    site:
      vars: { env: site, region: eu, tier: 0, owner: site }
      hosts:
        ops1:
      children:
        prod:
          vars: { env: production, tier: 1 }
          children:
            prod_db:
              vars: { role: db, owner: dba }
              hosts:
                db1:
                web1:
            prod_web:
              vars: { role: web, tier: 2 }
              hosts:
                web1: { port: 8080 }
                web2:
"#,
    )
    .unwrap();
    let inv = tmp.path().join("strata");
    std::fs::create_dir(&inv).unwrap();
    std::fs::write(
        inv.join("hosts.toml"),
        r#"[all]
data = { ntp = "pool" }

[monitoring]
hosts = ["web1", "ops1"]
data = { log_level = "debug", env = "monitored" }

[site]
hosts = ["ops1"]
children = ["prod"]
data = { env = "site", region = "eu", tier = 0, owner = "site" }

[prod]
children = ["prod_db", "prod_web"]
data = { env = "production", tier = 1 }

[prod_db]
hosts = ["db1", "web1"]
data = { role = "db", owner = "dba" }

[prod_web]
hosts = [{ name = "web1", data = { port = 8080 } }, "web2"]
data = { role = "web", tier = 2 }
"#,
    )
    .unwrap();
    let script = wrapper(tmp.path(), &inv);
    let home = tmp.path();
    let (theirs, _) = ansible(&program, home, &["-i", yaml.to_str().unwrap(), "--list"]);
    let (ours, _) = ansible(&program, home, &["-i", script.to_str().unwrap(), "--list"]);
    assert_eq!(ours["_meta"]["hostvars"], theirs["_meta"]["hostvars"]);
    assert_eq!(members_of(&ours), members_of(&theirs));
    // The rule at work: web1 gets `tier` from prod_web (depth 3), `env`
    // from prod (depth 2, over site and monitoring), `role` from prod_web
    // (depth 3, after prod_db), `owner` from prod_db (deeper than site).
    let web1 = &ours["_meta"]["hostvars"]["web1"];
    assert_eq!(web1["tier"], 2);
    assert_eq!(web1["env"], "production");
    assert_eq!(web1["role"], "web");
    assert_eq!(web1["owner"], "dba");
    // And strata's own resolution is the same.
    let list = strata_list(&inv);
    for h in list["hosts"].as_array().unwrap() {
        let name = h["name"].as_str().unwrap();
        assert_eq!(h["data"], theirs["_meta"]["hostvars"][name], "{name}");
    }
}

/// Issue 22, item 4: a source's `children` are nested groups, so strata
/// resolves the source's nested groups as Ansible does. The real
/// `ansible-inventory` reads the source's JSON (through its script plugin)
/// together with the Ansible form of hosts.toml, and strata's `ansible
/// --list` of the inventory that uses the source: the hostvars and the
/// members of every group are the same. Depth decides a conflict that
/// position would have decided the other way: `prod_web` (a child in the
/// source, depth 3) is written in hosts.toml before `late` (depth 1), and
/// the source's `prod` and `site` come after both, as does the source's
/// own top-level `extra`.
#[test]
fn a_sources_nested_groups_resolve_as_ansible_resolves_them() {
    let Some(program) = ansible_inventory() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path();
    let json = r#"{
  "site": {"children": ["prod"], "vars": {"tier": "site", "owner": "site", "region": "eu"}},
  "prod": {"hosts": ["db1"], "children": ["prod_web"], "vars": {"tier": "prod", "env": "production", "owner": "prod"}},
  "prod_web": {"hosts": ["web1", "web2"], "vars": {"tier": "web", "http_port": 80}},
  "extra": {"hosts": ["web1"], "vars": {"tier": "extra", "rack": "r1"}},
  "_meta": {"hostvars": {"web2": {"http_port": 8080}}}
}"#;
    let inv = home.join("strata");
    let write = |path: &str, text: &str| {
        let p = inv.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
    };
    write(
        "hosts.toml",
        r#"[all]
data = { ntp = "pool" }

[prod_web]
hosts = ["web3"]

[late]
hosts = ["web1", "web2", "web3", "db1"]
data = { tier = "late", env = "late", zone = "z1" }
"#,
    );
    write("sources/cmdb.toml", "file = \"exports/cmdb.json\"\n");
    write("exports/cmdb.json", json);
    // The same inventory as Ansible reads it: the source's JSON through a
    // script, then hosts.toml's YAML form.
    let script = home.join("cmdb.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\ncat '{}'\n",
            inv.join("exports/cmdb.json").display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let yaml = home.join("hosts.yml");
    std::fs::write(
        &yaml,
        r#"all:
  vars:
    ntp: pool
  children:
    prod_web:
      hosts:
        web3:
    late:
      vars: { tier: late, env: late, zone: z1 }
      hosts:
        web1:
        web2:
        web3:
        db1:
"#,
    )
    .unwrap();
    let (theirs, _) = ansible(
        &program,
        home,
        &[
            "-i",
            script.to_str().unwrap(),
            "-i",
            yaml.to_str().unwrap(),
            "--list",
        ],
    );
    let wrapper = wrapper(home, &inv);
    let (ours, _) = ansible(&program, home, &["-i", wrapper.to_str().unwrap(), "--list"]);
    assert_eq!(ours["_meta"]["hostvars"], theirs["_meta"]["hostvars"]);
    // Every group's hosts (its own and its descendants') and children;
    // `all`'s children aside (Ansible keeps `prod_web` under `all` too, as
    // the YAML names it there).
    let (mut a, mut b) = (members_of(&ours), members_of(&theirs));
    for t in [&mut a, &mut b] {
        if let Some((_, kids)) = t.get_mut("all") {
            kids.clear();
        }
    }
    assert_eq!(a, b);
    // Depth at work: the source's child `prod_web` (depth 3) beats
    // hosts.toml's later `late` and the source's later `prod`, `site` and
    // `extra`;
    // at equal depth (`late`, `prod`'s parent `site`: depth 1), the later
    // written wins, as Ansible's name order does here.
    let hv = &ours["_meta"]["hostvars"];
    assert_eq!(hv["web1"]["tier"], "web");
    assert_eq!(hv["web3"]["tier"], "web");
    assert_eq!(hv["web2"]["http_port"], 8080);
    assert_eq!(hv["web1"]["env"], "production");
    assert_eq!(hv["db1"]["tier"], "prod");
    assert_eq!(hv["db1"]["owner"], "prod");
    // strata's own resolution is the same.
    let list = strata_list(&inv);
    for h in list["hosts"].as_array().unwrap() {
        let name = h["name"].as_str().unwrap();
        assert_eq!(h["data"], theirs["_meta"]["hostvars"][name], "{name}");
    }
}

/// Issue 23 item 3: tests/fixtures/ansible-vault (ciphertexts made with
/// `ansible-vault encrypt_string`, password `strata-fixture`) through the
/// wrapper script: `ansible -m debug` decrypts with the password and only
/// with it (strata handed the ciphertext on), and an unsafe string stays
/// literal.
#[test]
fn vault_values_reach_ansible_encrypted() {
    let Some(program) = ansible_inventory() else {
        return;
    };
    let ansible_bin = program.with_file_name("ansible");
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let password = tmp.path().join("vault-password");
    std::fs::write(&password, "strata-fixture\n").unwrap();
    let script = wrapper(
        tmp.path(),
        &workspace().join("tests/fixtures/ansible-vault"),
    );
    let debug = |var: &str, with_password: bool| {
        let mut cmd = Command::new(&ansible_bin);
        cmd.args(["all", "-i"])
            .arg(&script)
            .args(["-c", "local", "-m", "ansible.builtin.debug", "-a"])
            .arg(format!("var={var}"))
            .env("HOME", &home)
            .env("ANSIBLE_LOCAL_TEMP", home.join("tmp"))
            .env("ANSIBLE_NOCOLOR", "1")
            .env("ANSIBLE_INVENTORY_UNPARSED_FAILED", "true");
        if with_password {
            cmd.arg("--vault-password-file").arg(&password);
        }
        let out = cmd.output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (ok, out) = debug("db_password", true);
    assert!(ok, "{out}");
    for (host, plaintext) in [("w1", "group-secret"), ("w2", "host-secret")] {
        let want = format!("{host} | SUCCESS => {{\n    \"db_password\": \"{plaintext}\"\n}}");
        assert!(out.contains(&want), "{want} not in\n{out}");
    }
    let (ok, out) = debug("db_password", false);
    assert!(!ok && out.contains("no vault secrets"), "{out}");
    assert!(
        !out.contains("group-secret") && !out.contains("host-secret"),
        "{out}"
    );
    let (ok, out) = debug("motd", false);
    assert!(ok, "{out}");
    assert!(
        out.contains(r#""motd": "{{ lookup('env', 'HOME') }}""#),
        "{out}"
    );
    let listed = strata_on_vault_fixture(&["ansible", "--list"]);
    assert!(!listed.contains("group-secret") && listed.contains("$ANSIBLE_VAULT;1.1;AES256"));
}

fn strata_on_vault_fixture(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_strata"))
        .arg("-i")
        .arg(workspace().join("tests/fixtures/ansible-vault"))
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn merged_values_reach_ansible() {
    // strata.toml's [merge] (issue 24): Ansible reads every strategy's
    // merged value, as strata resolves it, without `hash_behaviour`.
    let inventory = workspace().join("tests/fixtures/merge");
    check(&inventory);
    let Some(program) = ansible_inventory() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let script = wrapper(tmp.path(), &inventory);
    let (w1, _) = ansible(
        &program,
        tmp.path(),
        &["-i", script.to_str().unwrap(), "--host", "w1"],
    );
    let want = serde_json::json!({
        "packages": ["nginx", "curl", "htop"],
        "sysctl": { "net.core.somaxconn": 1024, "vm.swappiness": 10 },
        "features": {
            "log": { "format": "json", "level": "info" },
            "tls": { "ciphers": ["a", "b"], "min": "1.3" }
        },
        "fw_rules": ["80", "443", "22"],
        "app": { "name": "web", "limits": { "cpu": 4, "mem": 2 } }
    });
    for (key, value) in want.as_object().unwrap() {
        assert_eq!(&w1[key], value, "{key} as Ansible sees it");
    }
}
