//! External sources (docs/sources.md) through the `strata` binary: file
//! sources and the merge rules, command sources with and without consent,
//! the cache and `--refresh`, failures, and the scripts of the
//! dynamic-inventory article run unchanged.
//!
//! Every run gets its own `XDG_CACHE_HOME`, so no test reads or writes the
//! user's cache, and tests do not share answers.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// An inventory in a temporary folder, and a cache folder beside it.
struct Inv {
    dir: tempfile::TempDir,
}

impl Inv {
    fn new(files: &[(&str, &str)]) -> Inv {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("inv")).unwrap();
        let inv = Inv { dir };
        for (path, text) in files {
            inv.write(path, text);
        }
        inv
    }

    fn root(&self) -> PathBuf {
        self.dir.path().join("inv")
    }

    fn cache(&self) -> PathBuf {
        self.dir.path().join("cache")
    }

    fn write(&self, path: &str, text: &str) {
        let p = self.root().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        if path.ends_with(".sh") || path.ends_with(".py") {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
            }
        }
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_env(args, &[])
    }

    fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_strata"));
        cmd.current_dir(self.dir.path())
            .args(["-i", "inv"])
            .args(args)
            .env_remove("STRATA_INVENTORY")
            .env_remove("STRATA_ALLOW_EXEC")
            .env("XDG_CACHE_HOME", self.cache())
            .env("NO_COLOR", "1");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        Run {
            status: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// How many times the counting script ran.
    fn runs(&self) -> usize {
        std::fs::read_to_string(self.root().join("runs"))
            .map(|s| s.lines().count())
            .unwrap_or(0)
    }
}

#[derive(Debug)]
struct Run {
    status: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        assert_eq!(self.status, 0, "{self:?}");
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {self:?}"))
    }
}

/// `list --format json` as `{host: {"groups": [...], "data": {...}}}` and the groups.
fn listed(run: &Run) -> (Vec<String>, Value, Value) {
    let v = run.json();
    let mut hosts = serde_json::Map::new();
    let mut order = Vec::new();
    for h in v["hosts"].as_array().unwrap() {
        let name = h["name"].as_str().unwrap().to_string();
        order.push(name.clone());
        hosts.insert(name, json!({"groups": h["groups"], "data": h["data"]}));
    }
    let mut groups = serde_json::Map::new();
    for g in v["groups"].as_array().unwrap() {
        groups.insert(g["name"].as_str().unwrap().into(), g["hosts"].clone());
    }
    (order, Value::Object(hosts), Value::Object(groups))
}

const MIXED_HOSTS: &str = r#"web = ["w1", { name = "w2", data = { port = 9002 } }, "@ssh/10.0.0.5"]

[all]
hosts = ["w1", "w2", "@ssh/10.0.0.5"]
data = { ssh_user = "deploy" }
"#;

const MIXED_JSON: &str = r#"{
  "web": {"hosts": ["w2", "w3", "@ssh/10.0.0.5"], "vars": {"port": 80, "tier": "web"}},
  "prod": {"hosts": ["w3"], "children": ["eu"], "vars": {"tier": "prod", "env": "production"}},
  "eu": {"hosts": ["d1"], "vars": {"tier": "eu"}},
  "all": {"vars": {"ssh_user": "cmdb", "dns": "10.0.0.1"}},
  "_meta": {"hostvars": {
    "w2": {"port": 8080},
    "w3": {"port": 8083, "rack": "r3"},
    "d1": {"role": "primary"},
    "@ssh/10.0.0.5": {"ssh_hostname": "bastion.example.com"}
  }}
}
"#;

fn mixed() -> Inv {
    Inv::new(&[
        ("hosts.toml", MIXED_HOSTS),
        ("group_data/web.toml", "port = 81\n"),
        ("host_data/w3.toml", "rack = \"r3-moved\"\n"),
        ("sources/cmdb.toml", "file = \"exports/cmdb.json\"\n"),
        ("exports/cmdb.json", MIXED_JSON),
    ])
}

#[test]
fn a_file_source_merges_by_the_precedence_table() {
    let inv = mixed();
    let (order, hosts, groups) = listed(&inv.run(&["list", "--format", "json"]));
    // hosts.toml's hosts first, then the source's new hosts in its order
    // (w3 and d1 are not in `[all]`, and need not be).
    assert_eq!(order, ["w1", "w2", "@ssh/10.0.0.5", "w3", "d1"]);
    // Groups: hosts.toml's, then the source's, a parent before its child;
    // `web` is the union; `prod` has its own hosts and its child's (the
    // source's `children` are nested groups).
    assert_eq!(
        groups,
        json!({
            "web": ["w1", "w2", "@ssh/10.0.0.5", "w3"],
            "prod": ["w3", "d1"],
            "eu": ["d1"],
        })
    );
    let expected = json!({
        // port: group_data/web.toml (81) beats the source's `web` vars (80).
        "w1": {"groups": ["web"], "data": {"dns": "10.0.0.1", "port": 81, "ssh_user": "deploy", "tier": "web"}},
        // port: inline host data (9002) beats the source's hostvars (8080).
        "w2": {"groups": ["web"], "data": {"dns": "10.0.0.1", "port": 9002, "ssh_user": "deploy", "tier": "web"}},
        // ssh_hostname: the source's hostvars beat the connector's.
        "@ssh/10.0.0.5": {"groups": ["web"], "data": {"dns": "10.0.0.1", "port": 81, "ssh_hostname": "bastion.example.com", "ssh_user": "deploy", "tier": "web"}},
        // port: the source's hostvars (8083) beat group_data/web.toml (81);
        // rack: host_data/ beats the source's hostvars; tier: `prod` comes
        // after hosts.toml's `web`, so it wins.
        "w3": {"groups": ["web", "prod"], "data": {"dns": "10.0.0.1", "env": "production", "port": 8083, "rack": "r3-moved", "ssh_user": "deploy", "tier": "prod"}},
        // tier: the child `eu` beats its parent `prod`; ssh_user: the
        // inventory's global data beats the source's `all.vars`.
        "d1": {"groups": ["prod", "eu"], "data": {"dns": "10.0.0.1", "env": "production", "role": "primary", "ssh_user": "deploy", "tier": "eu"}},
    });
    assert_eq!(hosts, expected);

    // Origins name the source and the place in the JSON file.
    let explain = inv.run(&["explain", "d1", "tier"]);
    assert_eq!(explain.status, 0, "{explain:?}");
    assert_eq!(
        explain.stdout,
        "tier = \"eu\"\n  from inv/exports/cmdb.json:4:36 (group eu, source cmdb)\n  shadows \"prod\" from inv/exports/cmdb.json:3:58 (group prod, source cmdb)\n    because group `eu` is a child of `prod`, so it wins\n"
    );
    let shown = inv.run(&["host", "w3", "--show-origin"]);
    assert!(
        shown
            .stdout
            .contains("port = 8083  # inv/exports/cmdb.json:8:12 (source cmdb)"),
        "{shown:?}"
    );
    // Limits see source hosts and groups.
    let limited = inv.run(&["hosts", "--limit", "prod,!eu"]);
    assert_eq!(limited.stdout, "w3\n", "{limited:?}");
    // Ansible's view includes them too.
    let ansible = inv.run(&["ansible", "--list"]).json();
    // `prod` lists its own host; `eu`'s reaches it as a child, as in the
    // source.
    assert_eq!(ansible["prod"]["hosts"], json!(["w3"]));
    assert_eq!(ansible["prod"]["children"], json!(["eu"]));
    assert_eq!(ansible["_meta"]["hostvars"]["d1"]["tier"], "eu");
    // `graph` draws the source's tree.
    let graph = inv.run(&["graph"]);
    assert!(
        graph
            .stdout
            .contains("  |--@prod:\n  |  |--@eu:\n  |  |  |--d1\n  |  |--w3\n"),
        "{graph:?}"
    );
}

#[test]
fn a_file_outside_the_root_is_refused() {
    let inv = Inv::new(&[
        ("hosts.toml", "web = [\"w1\"]\n"),
        ("sources/cmdb.toml", "file = \"../secret.json\"\n"),
    ]);
    std::fs::write(inv.dir.path().join("secret.json"), "{}").unwrap();
    let run = inv.run(&["hosts"]);
    assert_eq!(run.status, 1, "{run:?}");
    assert!(run.stderr.contains("strata::source_declaration"), "{run:?}");
    assert!(run.stderr.contains("outside the inventory root"), "{run:?}");
    assert_eq!(run.stdout, "");
}

#[test]
fn type_drift_between_a_source_and_a_file_is_located_in_the_json() {
    let inv = Inv::new(&[
        ("hosts.toml", "web = [\"w1\"]\n"),
        ("group_data/web.toml", "port = \"80\"\n"),
        ("sources/cmdb.toml", "file = \"cmdb.json\"\n"),
        (
            "cmdb.json",
            "{\"web\": [\"w1\"],\n \"_meta\": {\"hostvars\": {\"w1\": {\"port\": 8080}}}}\n",
        ),
    ]);
    let run = inv.run(&["check", "--format", "json"]);
    let items: Vec<Value> = serde_json::from_str(&run.stdout).unwrap();
    let drift = items
        .iter()
        .find(|i| i["code"] == "strata::type_conflict")
        .unwrap_or_else(|| panic!("{run:?}"));
    assert_eq!(
        (&drift["file"], &drift["line"], &drift["column"]),
        (&json!("inv/cmdb.json"), &json!(2), &json!(40)),
        "{drift}"
    );
}

/// A script that counts its runs and leaves a marker; `mode` picks what it
/// answers: `ok`, `fail` (exit 2 with a message on stderr), `debug` (a
/// stray print before the JSON), `nometa` (no `_meta`: `--host` is asked),
/// `sleep` (runs past any short timeout), `background` (answers, leaving a
/// `sleep` running that holds stdout; its pid in `pid`), `hang` (waits on
/// a `sleep` whose pid is in `pid`), `escape` (answers, leaving a `sleep` in
/// a session of its own that holds stdout).
const COUNTING: &str = r#"#!/bin/sh
cd "$(dirname "$0")/.."
echo "$*" >> runs
touch ran-marker
mode=$(cat mode 2>/dev/null || echo ok)
value=$(cat value 2>/dev/null || echo v1)
case "$mode" in
  fail) echo "cmdb.example.com: connection refused" >&2; exit 2 ;;
  debug) echo "connecting to the CMDB"; echo '{"web": ["w2"], "_meta": {"hostvars": {}}}' ;;
  sleep) sleep 10 ;;
  background) sleep 30 & echo $! > pid; echo '{"web": ["w2"], "_meta": {"hostvars": {}}}' ;;
  hang) sleep 30 & echo $! > pid; wait ;;
  escape)
    rm -f escaped
    setsid sh -c 'echo $$ > escaped-pid; touch escaped; exec sleep 6' &
    while [ ! -e escaped ]; do sleep 0.01; done
    echo '{"web": ["w2"], "_meta": {"hostvars": {}}}' ;;
  nometa)
    if [ "$1" = "--host" ]; then echo "{\"asked_for\": \"$2\"}"; exit 0; fi
    echo '{"web": {"hosts": ["w2", "w3"]}, "db": ["d1"]}' ;;
  *) echo "{\"web\": {\"hosts\": [\"w2\"], \"vars\": {\"value\": \"$value\"}}, \"_meta\": {\"hostvars\": {}}}" ;;
esac
"#;

fn commanded(decl: &str) -> Inv {
    Inv::new(&[
        ("hosts.toml", "web = [\"w1\"]\n"),
        ("sources/cmdb.toml", decl),
        ("scripts/cmdb.sh", COUNTING),
    ])
}

const DECL: &str = "command = [\"./scripts/cmdb.sh\", \"--list\"]\n";

#[test]
fn nothing_runs_without_consent() {
    let inv = commanded(DECL);
    let marker = inv.root().join("ran-marker");
    for args in [
        &["hosts"][..],
        &["list"],
        &["ansible", "--list"],
        &["host", "w1"],
    ] {
        let run = inv.run(args);
        assert_eq!(run.status, 1, "{args:?}: {run:?}");
        assert_eq!(run.stdout, "", "{args:?}");
        assert!(run.stderr.contains("strata::source_not_run"), "{run:?}");
        assert!(run.stderr.contains("--allow-exec"), "{run:?}");
    }
    // `check` validates the declaration and says what it did not run.
    let check = inv.run(&["check"]);
    assert_eq!(check.status, 0, "{check:?}");
    assert!(
        check.stderr.contains("command source `cmdb` was not run"),
        "{check:?}"
    );
    assert_eq!(inv.run(&["check", "--strict"]).status, 1);
    // `--refresh` alone is a usage error, not consent.
    assert_eq!(inv.run(&["--refresh", "hosts"]).status, 2);
    assert!(!marker.exists(), "the command ran without consent");

    // With consent, through the flag or the environment.
    let run = inv.run(&["--allow-exec", "hosts"]);
    assert_eq!(
        (run.status, run.stdout.as_str()),
        (0, "w1\nw2\n"),
        "{run:?}"
    );
    assert!(marker.exists());
    std::fs::remove_file(&marker).unwrap();
    let run = inv.run_env(&["hosts"], &[("STRATA_ALLOW_EXEC", "1")]);
    assert_eq!(run.stdout, "w1\nw2\n", "{run:?}");
    assert!(marker.exists());
    assert_eq!(inv.runs(), 2);
}

#[test]
fn an_inventory_without_command_sources_runs_nothing_even_with_consent() {
    let inv = Inv::new(&[
        ("hosts.toml", "web = [\"w1\"]\n"),
        // A script lying around is not a source.
        ("scripts/cmdb.sh", COUNTING),
    ]);
    let run = inv.run(&["--allow-exec", "list"]);
    assert_eq!(run.status, 0, "{run:?}");
    assert_eq!(inv.runs(), 0);
    assert!(!inv.cache().exists(), "nothing to cache");
}

#[test]
fn the_cache_answers_within_its_age_and_refresh_runs_again() {
    let inv = commanded(&format!("{DECL}cache = \"5m\"\n"));
    let value = |run: &Run| listed(run).1["w2"]["data"]["value"].clone();
    let first = inv.run(&["--allow-exec", "list", "--format", "json"]);
    assert_eq!(value(&first), "v1");
    assert_eq!(inv.runs(), 1);
    inv.write("value", "v2\n");
    // Fresh: the cached answer, with or without consent.
    let again = inv.run(&["--allow-exec", "list", "--format", "json"]);
    assert_eq!(value(&again), "v1");
    let without = inv.run(&["list", "--format", "json"]);
    assert_eq!(value(&without), "v1");
    assert_eq!(inv.runs(), 1);
    // The origin says it is cached, and how old.
    let explain = inv.run(&["explain", "w2", "value"]);
    assert!(
        explain.stdout.contains(
            "from inv/sources/cmdb (cached output, less than a minute old):1:36 (group web, source cmdb)"
        ),
        "{explain:?}"
    );
    // --refresh runs it regardless of age.
    let refreshed = inv.run(&["--allow-exec", "--refresh", "list", "--format", "json"]);
    assert_eq!(value(&refreshed), "v2");
    assert_eq!(inv.runs(), 2);
    // The cache lives in $XDG_CACHE_HOME/strata/sources, one file.
    let files: Vec<_> = std::fs::read_dir(inv.cache().join("strata/sources"))
        .unwrap()
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    // Without `cache`, the command runs every time.
    let every = commanded(DECL);
    every.run(&["--allow-exec", "hosts"]);
    every.run(&["--allow-exec", "hosts"]);
    assert_eq!(every.runs(), 2);
}

#[test]
fn a_failure_falls_back_to_the_last_good_answer_with_a_warning() {
    let inv = commanded(DECL);
    let ok = inv.run(&["--allow-exec", "list", "--format", "json"]);
    assert_eq!(listed(&ok).1["w2"]["data"]["value"], "v1");
    inv.write("mode", "fail\n");
    inv.write("value", "v2\n");
    let stale = inv.run(&["--allow-exec", "list", "--format", "json"]);
    assert_eq!(stale.status, 0, "{stale:?}");
    assert_eq!(listed(&stale).1["w2"]["data"]["value"], "v1", "stale data");
    assert!(
        stale.stderr.contains("warning[strata::source_failed]"),
        "{stale:?}"
    );
    assert!(
        stale.stderr.contains(
            "it exited with status 2; using its last good answer, cached and less than a minute old"
        ),
        "{stale:?}"
    );
    assert!(stale.stderr.contains("connection refused"), "{stale:?}");

    // Without a cached answer: an error, and nothing on stdout.
    let fresh = commanded(DECL);
    fresh.write("mode", "fail\n");
    for args in [&["list"][..], &["ansible", "--list"]] {
        let run = fresh.run(&[&["--allow-exec"][..], args].concat());
        assert_eq!(run.status, 1, "{run:?}");
        assert_eq!(run.stdout, "");
        assert!(run.stderr.contains("strata::source_failed"), "{run:?}");
        assert!(
            run.stderr.contains("cmdb.example.com: connection refused"),
            "{run:?}"
        );
    }
}

#[test]
fn invalid_json_is_located_in_the_output_with_the_stderr() {
    let inv = commanded(DECL);
    inv.write("mode", "debug\n");
    let run = inv.run(&["--allow-exec", "--color", "never", "list"]);
    assert_eq!(run.status, 1, "{run:?}");
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("strata::source_json"), "{run:?}");
    assert!(
        run.stderr
            .contains("[inv/sources/cmdb (command output):1:1]"),
        "{run:?}"
    );
    assert!(run.stderr.contains("connecting to the CMDB"), "{run:?}");
    assert!(run.stderr.contains("debug print on stdout"), "{run:?}");
    // Nothing bad was cached: a later good run is needed for a fallback.
    inv.write("mode", "fail\n");
    assert_eq!(inv.run(&["--allow-exec", "list"]).status, 1);
}

#[test]
fn a_timeout_stops_the_command() {
    let inv = commanded(&format!("{DECL}timeout = \"300ms\"\n"));
    inv.write("mode", "sleep\n");
    let start = std::time::Instant::now();
    let run = inv.run(&["--allow-exec", "list"]);
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(run.status, 1, "{run:?}");
    assert!(
        run.stderr
            .contains("timeout of 300 ms ran out, and was stopped"),
        "{run:?}"
    );
}

/// Process `pid` is gone (or a zombie left for init to reap) within 5 s.
#[cfg(target_os = "linux")]
fn gone(pid: &str) -> bool {
    for _ in 0..500 {
        match std::fs::read_to_string(format!("/proc/{}/stat", pid.trim())) {
            Err(_) => return true,
            Ok(stat)
                if stat
                    .rsplit(')')
                    .next()
                    .unwrap_or("")
                    .trim_start()
                    .starts_with('Z') =>
            {
                return true;
            }
            Ok(_) => std::thread::sleep(std::time::Duration::from_millis(10)),
        }
    }
    false
}

#[cfg(target_os = "linux")]
#[test]
fn what_a_command_leaves_running_does_not_hold_strata() {
    // It answers and exits 0, leaving a `sleep 30` that holds its stdout.
    let inv = commanded(&format!("{DECL}timeout = \"5s\"\n"));
    inv.write("mode", "background\n");
    let start = std::time::Instant::now();
    let run = inv.run(&["--allow-exec", "hosts"]);
    assert!(
        start.elapsed() < std::time::Duration::from_secs(4),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(
        (run.status, run.stdout.as_str()),
        (0, "w1\nw2\n"),
        "{run:?}"
    );
    let pid = std::fs::read_to_string(inv.root().join("pid")).unwrap();
    assert!(gone(&pid), "the command's `sleep` outlived strata");
}

/// A process that left the command's group (a session of its own, with
/// `setsid`) and holds stdout after the command answered and exited.
#[cfg(target_os = "linux")]
#[test]
fn a_child_in_a_session_of_its_own_is_stopped_with_the_command() {
    // On Linux strata adopts it (a child subreaper) and stops it once the
    // command has exited, like the rest of the command's group: the answer
    // comes at once, and nothing outlives strata.
    let inv = commanded(&format!("{DECL}timeout = \"5s\"\n"));
    inv.write("mode", "escape\n");
    let start = std::time::Instant::now();
    let run = inv.run(&["--allow-exec", "hosts"]);
    let took = start.elapsed();
    assert_eq!(
        (run.status, run.stdout.as_str()),
        (0, "w1\nw2\n"),
        "{run:?}"
    );
    assert!(took < std::time::Duration::from_millis(2500), "{took:?}");
    assert_eq!(inv.runs(), 1);
    let pid = std::fs::read_to_string(inv.root().join("escaped-pid")).unwrap();
    assert!(gone(&pid), "the setsid child {pid} outlived strata");
}

#[cfg(not(target_os = "linux"))]
#[test]
fn the_timeout_bounds_a_run_whose_output_stays_open() {
    // Without a child subreaper, the process that left the group holds
    // stdout: the run ends at the timeout, and the command runs once (the
    // second load, which reports every problem, reuses the failure).
    let inv = commanded(&format!("{DECL}timeout = \"2s\"\n"));
    inv.write("mode", "escape\n");
    let start = std::time::Instant::now();
    let run = inv.run(&["--allow-exec", "hosts"]);
    let took = start.elapsed();
    assert_eq!(run.status, 1, "{run:?}");
    assert!(run.stderr.contains("timeout of 2 s ran out"), "{run:?}");
    assert!(took < std::time::Duration::from_millis(3500), "{took:?}");
    assert_eq!(inv.runs(), 1);
}

#[test]
fn a_failing_command_runs_once_per_strata_run() {
    let inv = commanded(DECL);
    inv.write("mode", "fail\n");
    for args in [&["hosts"][..], &["list"], &["host", "w1"], &["check"]] {
        let before = inv.runs();
        let run = inv.run(&[&["--allow-exec"][..], args].concat());
        assert_eq!(run.status, 1, "{args:?}: {run:?}");
        assert_eq!(inv.runs(), before + 1, "{args:?}");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_signal_to_strata_stops_the_command_then_strata() {
    use std::os::unix::process::ExitStatusExt;
    for (signal, number) in [("INT", 2), ("TERM", 15), ("HUP", 1)] {
        let inv = commanded(DECL);
        inv.write("mode", "hang\n");
        let mut child = Command::new(env!("CARGO_BIN_EXE_strata"))
            .current_dir(inv.dir.path())
            .args(["-i", "inv", "--allow-exec", "hosts"])
            .env_remove("STRATA_ALLOW_EXEC")
            .env("XDG_CACHE_HOME", inv.cache())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let pid_file = inv.root().join("pid");
        for _ in 0..500 {
            if std::fs::read_to_string(&pid_file).is_ok_and(|p| p.ends_with('\n')) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let pid = std::fs::read_to_string(&pid_file).unwrap();
        let sent = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(child.id().to_string())
            .status()
            .unwrap();
        assert!(sent.success());
        let status = child.wait().unwrap();
        // Ended by the signal, as a shell sees it (130, 143, 129).
        assert_eq!(status.signal(), Some(number), "{signal}: {status:?}");
        assert!(
            gone(&pid),
            "{signal}: the command's `sleep` outlived strata"
        );
    }
}

#[test]
fn a_damaged_cache_entry_is_a_warning_and_a_miss() {
    let inv = commanded(&format!("{DECL}cache = \"5m\"\n"));
    assert_eq!(inv.run(&["--allow-exec", "hosts"]).status, 0);
    let dir = inv.cache().join("strata/sources");
    let entry = std::fs::read_dir(&dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    // A length that made strata panic (exit 101) without --allow-exec.
    std::fs::write(&entry, "18446744073709551615\nx\n").unwrap();
    let run = inv.run(&["hosts"]);
    assert_eq!(run.status, 1, "{run:?}");
    assert!(
        run.stderr.contains("warning[strata::source_cache]")
            && run
                .stderr
                .contains("the cached answer of command source `cmdb` was ignored: ")
            && run.stderr.contains("is not a strata cache entry"),
        "{run:?}"
    );
    assert!(run.stderr.contains("strata::source_not_run"), "{run:?}");
    // `check` says so too, as a warning at the declaration.
    let check = inv.run(&["check", "--format", "json"]);
    let items: Vec<Value> = serde_json::from_str(&check.stdout).unwrap();
    let cache = items
        .iter()
        .find(|i| i["code"] == "strata::source_cache")
        .unwrap();
    assert_eq!(
        (
            &cache["severity"],
            &cache["file"],
            &cache["line"],
            &cache["column"]
        ),
        (
            &json!("warning"),
            &json!("inv/sources/cmdb.toml"),
            &json!(1),
            &json!(11)
        ),
    );
    // Consent runs the command, and its answer replaces the entry.
    let run = inv.run(&["--allow-exec", "hosts"]);
    assert_eq!(
        (run.status, run.stdout.as_str()),
        (0, "w1\nw2\n"),
        "{run:?}"
    );
    let run = inv.run(&["hosts"]);
    assert_eq!((run.status, run.stderr.as_str()), (0, ""), "{run:?}");
    assert_eq!(inv.runs(), 2);
}

#[test]
fn absurd_durations_are_refused_at_their_place() {
    for (decl, at, message) in [
        (
            "timeout = \"18446744073709551615s\"\n",
            (2, 11),
            "`timeout` of source `cmdb` is over the maximum of 24h",
        ),
        (
            "timeout = \"25h\"\n",
            (2, 11),
            "`timeout` of source `cmdb` is over the maximum of 24h",
        ),
        (
            "timeout = \"0ms\"\n",
            (2, 11),
            "`timeout` of source `cmdb` is zero: the command could never run",
        ),
        (
            "cache = \"366d\"\n",
            (2, 9),
            "`cache` of source `cmdb` is over the maximum of 365d",
        ),
    ] {
        let inv = commanded(&format!("{DECL}{decl}"));
        let check = inv.run(&["check", "--format", "json"]);
        assert_eq!(check.status, 1, "{decl}: {check:?}");
        let items: Vec<Value> = serde_json::from_str(&check.stdout).unwrap();
        let d = &items[0];
        assert_eq!(d["code"], "strata::source_declaration", "{decl}: {items:?}");
        assert_eq!(d["message"], message, "{decl}");
        assert_eq!(
            (d["line"].as_u64(), d["column"].as_u64()),
            (Some(at.0), Some(at.1)),
            "{decl}"
        );
        // Refused before anything runs: no panic with consent.
        let run = inv.run(&["--allow-exec", "hosts"]);
        assert_eq!(run.status, 1, "{decl}: {run:?}");
        assert_eq!(inv.runs(), 0);
    }
    // The maximums themselves are fine.
    let inv = commanded(&format!("{DECL}timeout = \"24h\"\ncache = \"365d\"\n"));
    assert_eq!(inv.run(&["--allow-exec", "hosts"]).status, 0);
}

#[test]
fn strata_allow_exec_reads_yes_and_no_in_every_spelling() {
    let inv = commanded(DECL);
    let mut runs = 0;
    for yes in ["1", "true", "TRUE", "True", "yes", "Yes", "on", "ON"] {
        let run = inv.run_env(&["hosts"], &[("STRATA_ALLOW_EXEC", yes)]);
        assert_eq!(
            (run.status, run.stdout.as_str()),
            (0, "w1\nw2\n"),
            "{yes}: {run:?}"
        );
        runs += 1;
        assert_eq!(inv.runs(), runs, "{yes}");
    }
    for no in ["0", "false", "False", "no", "NO", "off", "Off", ""] {
        let run = inv.run_env(&["hosts"], &[("STRATA_ALLOW_EXEC", no)]);
        assert_eq!(run.status, 1, "{no:?}: {run:?}");
        assert!(
            run.stderr.contains("strata::source_not_run"),
            "{no:?}: {run:?}"
        );
        // The flag still allows.
        let run = inv.run_env(&["--allow-exec", "hosts"], &[("STRATA_ALLOW_EXEC", no)]);
        assert_eq!(run.status, 0, "{no:?}: {run:?}");
        runs += 1;
    }
    assert_eq!(inv.runs(), runs);
    for bad in ["2", "y", "enable", " 1", "true "] {
        let run = inv.run_env(&["hosts"], &[("STRATA_ALLOW_EXEC", bad)]);
        assert_eq!(run.status, 2, "{bad:?}: {run:?}");
        assert_eq!(run.stdout, "");
        assert!(
            run.stderr.starts_with(&format!(
                "error: STRATA_ALLOW_EXEC={bad:?} is neither yes nor no"
            )),
            "{bad:?}: {run:?}"
        );
    }
    assert_eq!(inv.runs(), runs, "a usage error runs nothing");
}

#[test]
fn a_file_source_that_is_a_folder_is_reported_at_its_declaration() {
    for path in [".", "./", "exports", "exports/"] {
        let inv = Inv::new(&[
            ("hosts.toml", "web = [\"w1\"]\n"),
            ("exports/cmdb.json", "{}"),
            ("sources/cmdb.toml", &format!("file = \"{path}\"\n")),
        ]);
        let check = inv.run(&["check", "--format", "json"]);
        assert_eq!(check.status, 1, "{path}: {check:?}");
        let items: Vec<Value> = serde_json::from_str(&check.stdout).unwrap();
        assert_eq!(items.len(), 1, "{path}: {items:?}");
        let d = &items[0];
        assert_eq!(d["code"], "strata::source_declaration", "{path}: {d}");
        assert_eq!(
            d["message"],
            format!("the file of source `cmdb`, `{path}`, is a folder; it was not read"),
        );
        assert_eq!(d["file"], "inv/sources/cmdb.toml", "{path}: {d}");
        assert_eq!(
            (d["line"].as_u64(), d["column"].as_u64()),
            (Some(1), Some(8)),
            "{path}"
        );
    }
}

#[test]
fn a_script_without_meta_is_asked_host_by_host() {
    let inv = commanded(DECL);
    inv.write("mode", "nometa\n");
    let (order, hosts, _) = listed(&inv.run(&["--allow-exec", "list", "--format", "json"]));
    assert_eq!(order, ["w1", "w2", "w3", "d1"]);
    assert_eq!(hosts["w3"]["data"], json!({"asked_for": "w3"}));
    assert_eq!(hosts["d1"]["data"], json!({"asked_for": "d1"}));
    assert_eq!(hosts["w1"]["data"], json!({}), "w1 is not the source's");
    let calls = std::fs::read_to_string(inv.root().join("runs")).unwrap();
    assert_eq!(calls, "--list\n--host w2\n--host w3\n--host d1\n");
}

#[test]
fn children_loops_are_a_located_error_not_a_hang() {
    let inv = Inv::new(&[
        ("hosts.toml", "web = [\"w1\"]\n"),
        ("sources/cmdb.toml", "file = \"cmdb.json\"\n"),
        (
            "cmdb.json",
            r#"{"a": {"children": ["b"]}, "b": {"children": ["c"]}, "c": {"children": ["a"], "hosts": ["x"]}}"#,
        ),
    ]);
    let run = inv.run(&["hosts"]);
    assert_eq!(run.status, 1, "{run:?}");
    assert!(
        run.stderr
            .contains("the groups of source `cmdb` contain each other: a → b → c → a"),
        "{run:?}"
    );
}

// The article's scripts, unchanged (tests/fixtures/sources/article/).

fn article(script: &str) -> Inv {
    let inv = Inv::new(&[("hosts.toml", "[all]\ndata = { ssh_user = \"deploy\" }\n")]);
    let from = workspace()
        .join("tests/fixtures/sources/article")
        .join(script);
    inv.write(
        &format!("scripts/{script}"),
        &std::fs::read_to_string(from).unwrap(),
    );
    inv.write(
        "sources/article.toml",
        &format!("command = [\"./scripts/{script}\", \"--list\"]\n"),
    );
    inv
}

#[test]
fn the_articles_minimal_script() {
    let inv = article("minimal.py");
    let (order, hosts, groups) = listed(&inv.run(&["--allow-exec", "list", "--format", "json"]));
    assert_eq!(
        order,
        ["web1.example.com", "web2.example.com", "db1.example.com"]
    );
    assert_eq!(
        groups,
        json!({"webservers": ["web1.example.com", "web2.example.com"], "databases": ["db1.example.com"]})
    );
    assert_eq!(
        hosts["web2.example.com"]["data"],
        json!({"ansible_host": "10.0.1.11", "ansible_user": "deploy", "http_port": 80, "ssh_user": "deploy"})
    );
    assert_eq!(
        hosts["db1.example.com"]["data"],
        json!({"ansible_host": "10.0.2.10", "ansible_user": "dbadmin", "ssh_user": "deploy"})
    );
}

#[test]
fn the_articles_caching_script() {
    // The script keeps its own cache in /tmp (as written); strata's cache
    // and consent rule apply on top.
    let inv = article("caching.py");
    let run = inv.run(&["--allow-exec", "list", "--format", "json"]);
    let (order, hosts, _) = listed(&run);
    assert_eq!(order, ["web1.example.com", "web2.example.com"]);
    assert_eq!(
        hosts["web1.example.com"]["data"]["ansible_host"],
        "10.0.1.10"
    );
}

/// A CMDB over HTTP on 127.0.0.1 that answers `GET /api/v1/servers?status=active`
/// to the bearer token `t0ken`; returns its base URL and the requests it saw.
fn cmdb_server() -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/api/v1", listener.local_addr().unwrap());
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            reader.read_line(&mut request).unwrap_or(0);
            let mut authorized = false;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                authorized |= line
                    .trim()
                    .eq_ignore_ascii_case("authorization: bearer t0ken");
            }
            log.lock().unwrap().push(request.trim().to_string());
            let (status, body) = if !authorized {
                ("401 Unauthorized", "{}".to_string())
            } else if request.starts_with("GET /api/v1/servers?status=active ") {
                ("200 OK", json!([
                    {"fqdn": "app1.example.com", "role": "app", "environment": "prod", "ip_address": "10.1.0.11", "datacenter": "fra1", "cpu_cores": 8},
                    {"fqdn": "app2.example.com", "role": "app", "environment": "staging", "ip_address": "10.1.0.12", "ssh_port": 2222},
                    {"fqdn": "db1.example.com", "role": "db", "environment": "prod", "ram_gb": 64}
                ]).to_string())
            } else {
                ("404 Not Found", "{}".to_string())
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (url, seen)
}

#[test]
fn the_articles_cmdb_script_against_a_local_http_server() {
    let (url, seen) = cmdb_server();
    let inv = article("cmdb.py");
    inv.write("hosts.toml", "app = [\"app1.example.com\"]\n");
    inv.write("group_data/role_app.toml", "deploy_user = \"app\"\n");
    let env = [("CMDB_URL", url.as_str()), ("CMDB_TOKEN", "t0ken")];
    let run = inv.run_env(&["--allow-exec", "list", "--format", "json"], &env);
    let (order, hosts, groups) = listed(&run);
    assert_eq!(
        order,
        ["app1.example.com", "app2.example.com", "db1.example.com"]
    );
    assert_eq!(
        groups,
        json!({
            "app": ["app1.example.com"],
            "role_app": ["app1.example.com", "app2.example.com"],
            "env_prod": ["app1.example.com", "db1.example.com"],
            "env_staging": ["app2.example.com"],
            "role_db": ["db1.example.com"],
        })
    );
    assert_eq!(
        hosts["app2.example.com"]["data"],
        json!({
            "ansible_host": "10.1.0.12", "ansible_port": 2222, "ansible_user": "admin",
            "cpu_cores": 0, "datacenter": "unknown", "deploy_user": "app", "os_version": "unknown",
            "ram_gb": 0, "server_env": "staging", "server_role": "app"
        })
    );
    assert_eq!(
        seen.lock().unwrap().as_slice(),
        ["GET /api/v1/servers?status=active HTTP/1.1"]
    );
    // Without its token, the script refuses (exit 1, message on stderr).
    let run = inv.run_env(
        &["--allow-exec", "--refresh", "list"],
        &[("CMDB_URL", url.as_str())],
    );
    assert_eq!(run.status, 0, "the last good answer is used: {run:?}");
    assert!(
        run.stderr
            .contains("Error: CMDB_TOKEN environment variable is required"),
        "{run:?}"
    );
}

#[test]
fn check_without_consent_does_not_call_a_sources_hosts_unknown() {
    let inv = commanded(DECL);
    // w2 comes from the source, which `check` did not run: its host file
    // is not "a file that names no host".
    inv.write("host_data/w2.toml", "rack = \"r1\"\n");
    inv.write("group_data/web.toml", "app_port = 80\n");
    let run = inv.run(&["check", "--format", "json"]);
    assert_eq!(run.status, 0, "{run:?}");
    let items: Vec<Value> = serde_json::from_str(&run.stdout).unwrap();
    let codes: Vec<&str> = items.iter().map(|i| i["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["strata::source_not_run"], "{run:?}");
    // With consent the host is there, and the check is clean.
    let run = inv.run(&["--allow-exec", "check", "--strict"]);
    assert_eq!(run.status, 0, "{run:?}");
}

/// `ansible --list --meta` (the inventory plugin's cache key, issue 19
/// items 13 and 14): every file read, a file source's export included, as
/// absolute paths, and whether a command source answered, from a run or
/// from strata's own cache.
#[test]
fn ansible_meta_lists_the_files_read_and_command_sources() {
    let inv = Inv::new(&[
        ("hosts.toml", "web = [\"w1\"]\n"),
        ("group_data/web.toml", "colour = \"blue\"\n"),
        ("sources/cmdb.toml", "file = \"exports/cmdb.json\"\n"),
        ("exports/cmdb.json", r#"{"web": ["w2"]}"#),
        ("notes/unread.toml", "x = 1\n"),
    ]);
    let v = inv.run(&["ansible", "--list", "--meta"]).json();
    let root = inv.dir.path().join("inv");
    let want: Vec<String> = [
        "exports/cmdb.json",
        "group_data/web.toml",
        "hosts.toml",
        "sources/cmdb.toml",
    ]
    .iter()
    .map(|f| root.join(f).to_string_lossy().into_owned())
    .collect();
    assert_eq!(v["_meta"]["strata"]["files"], serde_json::json!(want));
    assert_eq!(v["_meta"]["strata"]["command_sources"], false);
    // Without --meta the contract is unchanged.
    let plain = inv.run(&["ansible", "--list"]).json();
    assert!(plain["_meta"].get("strata").is_none());
    assert_eq!(plain["_meta"]["hostvars"], v["_meta"]["hostvars"]);
    // --meta needs --list.
    assert_eq!(inv.run(&["ansible", "--host", "w1", "--meta"]).status, 2);

    let inv = commanded("command = [\"./scripts/cmdb.sh\", \"--list\"]\ncache = \"5m\"\n");
    for _ in 0..2 {
        let v = inv
            .run(&["--allow-exec", "ansible", "--list", "--meta"])
            .json();
        assert_eq!(v["_meta"]["strata"]["command_sources"], true);
        let files = v["_meta"]["strata"]["files"].as_array().unwrap();
        assert!(
            files.iter().all(|f| !f.as_str().unwrap().contains(" (")),
            "{files:?}"
        );
    }
    assert_eq!(inv.runs(), 1, "the second answer came from strata's cache");
}

/// Issue 19 item 28: a source's `{"__ansible_unsafe": "..."}` reaches
/// `strata ansible --list` as Ansible's own JSON form, so that Ansible's
/// script plugin and the inventory plugin keep it from templating.
#[test]
fn ansible_unsafe_values_are_carried_through() {
    let inv = Inv::new(&[
        ("hosts.toml", "web = [\"w1\"]\n"),
        ("sources/cmdb.toml", "file = \"exports/cmdb.json\"\n"),
        (
            "exports/cmdb.json",
            r#"{"web": ["w1"], "_meta": {"hostvars": {"w1": {"u": {"__ansible_unsafe": "{{ lookup('pipe', 'id') }}"}, "l": [{"__ansible_unsafe": "{{ x }}"}]}}}}"#,
        ),
    ]);
    let v = inv.run(&["ansible", "--list"]).json();
    let w1 = &v["_meta"]["hostvars"]["w1"];
    assert_eq!(
        w1["u"],
        serde_json::json!({"__ansible_unsafe": "{{ lookup('pipe', 'id') }}"})
    );
    assert_eq!(
        w1["l"],
        serde_json::json!([{"__ansible_unsafe": "{{ x }}"}])
    );
    let host = inv.run(&["ansible", "--host", "w1"]).json();
    assert_eq!(&host, w1);
}

/// An `__ansible_unsafe` object with other keys, or a value that is not a
/// string, is refused with its place: Ansible would drop the other keys or
/// fail.
#[test]
fn a_malformed_ansible_unsafe_value_is_refused() {
    for bad in [
        r#"{"__ansible_unsafe": "a", "b": 1}"#,
        r#"{"__ansible_unsafe": 1}"#,
        r#"[{"__ansible_unsafe": ["x"]}]"#,
    ] {
        let doc =
            format!(r#"{{"web": ["w1"], "_meta": {{"hostvars": {{"w1": {{"k": {bad}}}}}}}}}"#);
        let inv = Inv::new(&[
            ("hosts.toml", "web = [\"w1\"]\n"),
            ("sources/cmdb.toml", "file = \"exports/cmdb.json\"\n"),
            ("exports/cmdb.json", &doc),
        ]);
        let run = inv.run(&["ansible", "--list"]);
        assert_eq!(run.status, 1, "{bad}: {run:?}");
        assert_eq!(run.stdout, "");
        assert!(run.stderr.contains("strata::source_shape"), "{run:?}");
        assert!(run.stderr.contains("exports/cmdb.json:1:"), "{run:?}");
        assert!(
            run.stderr.contains("`__ansible_unsafe` marks a string"),
            "{run:?}"
        );
    }
}

/// Issue 23 item 3: a source's `{"__ansible_vault": "$ANSIBLE_VAULT;..."}`
/// (what a dynamic inventory script prints for a vault-encrypted value) is
/// kept encrypted and reaches `strata ansible` unchanged; one that Ansible
/// would not recognise is refused with its place.
#[test]
fn ansible_vault_values_are_carried_through_or_refused() {
    let sealed = r#"{"__ansible_vault": "$ANSIBLE_VAULT;1.1;AES256\n6162\n"}"#;
    let doc = format!(r#"{{"web": {{"hosts": ["w1"], "vars": {{"s": {sealed}}}}}}}"#);
    let inv = Inv::new(&[
        ("hosts.toml", "web = [\"w1\"]\n"),
        ("sources/cmdb.toml", "file = \"exports/cmdb.json\"\n"),
        ("exports/cmdb.json", &doc),
    ]);
    let v = inv.run(&["ansible", "--list"]).json();
    let want: serde_json::Value = serde_json::from_str(sealed).unwrap();
    assert_eq!(v["_meta"]["hostvars"]["w1"]["s"], want);
    assert_eq!(inv.run(&["ansible", "--host", "w1"]).json()["s"], want);

    for (bad, why) in [
        (
            r#"{"__ansible_vault": "$ANSIBLE_VAULT;1.1;AES256\n6162", "b": 1}"#,
            "the only key",
        ),
        (r#"{"__ansible_vault": 1}"#, "must be a string"),
        (r#"[{"__ansible_vault": "hunter2"}]"#, "`$ANSIBLE_VAULT;`"),
    ] {
        let doc =
            format!(r#"{{"web": ["w1"], "_meta": {{"hostvars": {{"w1": {{"k": {bad}}}}}}}}}"#);
        let inv = Inv::new(&[
            ("hosts.toml", "web = [\"w1\"]\n"),
            ("sources/cmdb.toml", "file = \"exports/cmdb.json\"\n"),
            ("exports/cmdb.json", &doc),
        ]);
        let run = inv.run(&["ansible", "--list"]);
        assert_eq!(run.status, 1, "{bad}: {run:?}");
        assert_eq!(run.stdout, "");
        assert!(run.stderr.contains("strata::source_shape"), "{run:?}");
        assert!(run.stderr.contains("exports/cmdb.json:1:"), "{run:?}");
        assert!(
            run.stderr
                .contains("`__ansible_vault` marks a value encrypted")
                && run.stderr.contains(why),
            "{run:?}"
        );
    }
}
