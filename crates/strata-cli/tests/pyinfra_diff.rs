//! Differential test: strata against real pyinfra 3.10.0.
//!
//! Every case under `tests/pyinfra/<case>/` holds the same inventory twice,
//! in strata's dialect (`strata/`) and in pyinfra's (`pyinfra/inventory.py` +
//! `group_data/*.py`), and a `runs.json` listing invocations
//! (`{"data": ["k=v", ...], "limit": ["pattern", ...]}`). For each run this
//! test resolves both sides and compares:
//!
//! * hosts: the same names in the same order; per host the same groups (in
//!   order) and the same data (as `serde_json::Value`, key by key);
//! * groups: the same groups with the same member lists (in order);
//! * the selected hosts for the limits (in inventory order).
//!
//! The pyinfra side is `tests/pyinfra/pyinfra_dump.py`, which goes through
//! pyinfra's own CLI code (`make_inventory`, `_set_override_data`,
//! `_get_inventory_pattern_matches`, `Host.data.dict()`) and normalises the
//! few deliberate differences (see its comments and tests/pyinfra/README.md).
//!
//! Python is `$STRATA_PYINFRA_PYTHON`, else `<workspace>/.venv/bin/python`
//! (`.ci/run` creates it with `pip install pyinfra==3.10.0`). Without it the
//! tests skip, unless `$CI` is set: then they fail.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

/// The pyinfra version the fixtures and the normalisations were checked against.
const PYINFRA_VERSION: &str = "3.10.0";

/// Every case directory under tests/pyinfra; `every_case_has_a_test` keeps
/// this list and the test functions below in step with the directories.
const CASES: &[&str] = &[
    "connectors",
    "inline-merge",
    "limits",
    "ordering",
    "precedence",
    "values",
];

/// Mismatch lines shown per run before the rest are only counted.
const MAX_LINES_PER_RUN: usize = 60;

fn workspace() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    dir.canonicalize().unwrap_or(dir)
}

fn fixtures() -> PathBuf {
    workspace().join("tests/pyinfra")
}

fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty())
}

/// The Python interpreter that has pyinfra 3.10.0, or why there is none.
fn find_python() -> Result<PathBuf, String> {
    let (python, from) = match std::env::var_os("STRATA_PYINFRA_PYTHON") {
        Some(p) if !p.is_empty() => (PathBuf::from(p), "$STRATA_PYINFRA_PYTHON"),
        _ => {
            let venv = workspace().join(".venv");
            let python = if cfg!(windows) {
                venv.join("Scripts/python.exe")
            } else {
                venv.join("bin/python")
            };
            (python, "<workspace>/.venv")
        }
    };
    let output = Command::new(&python)
        .args([
            "-c",
            "import importlib.metadata as m, pyinfra_cli; print(m.version('pyinfra'))",
        ])
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .map_err(|e| format!("cannot run {} (from {from}): {e}", python.display()))?;
    if !output.status.success() {
        return Err(format!(
            "{} (from {from}) cannot import pyinfra: {}",
            python.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let version = String::from_utf8_lossy(&output.stdout).trim().to_string();
    if version != PYINFRA_VERSION {
        return Err(format!(
            "{} (from {from}) has pyinfra {version}, the differential test needs {PYINFRA_VERSION}",
            python.display()
        ));
    }
    Ok(python)
}

/// `Some(python)`, or `None` after printing why the test is skipped.
/// Panics when `$CI` is set: CI must fail, not skip.
fn python() -> Option<&'static Path> {
    static PYTHON: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match PYTHON.get_or_init(find_python) {
        Ok(p) => Some(p.as_path()),
        Err(why) if in_ci() => panic!(
            "pyinfra {PYINFRA_VERSION} is required in CI for the differential test: {why}\n\
             (set STRATA_PYINFRA_PYTHON or create .venv with `pip install pyinfra=={PYINFRA_VERSION}`)"
        ),
        Err(why) => {
            eprintln!(
                "skipped: pyinfra not found (set STRATA_PYINFRA_PYTHON or create .venv): {why}"
            );
            None
        }
    }
}

/// One invocation to compare.
#[derive(Debug, Clone)]
struct Run {
    data: Vec<String>,
    limit: Vec<String>,
}

impl Run {
    fn describe(&self, index: usize) -> String {
        format!(
            "run #{index} (data {:?}, limit {:?})",
            self.data, self.limit
        )
    }

    fn to_json(&self) -> Value {
        serde_json::json!({ "data": self.data, "limit": self.limit })
    }
}

fn string_list(v: Option<&Value>, what: &str) -> Vec<String> {
    match v {
        None => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .unwrap_or_else(|| panic!("{what}: expected strings, got {i}"))
                    .to_string()
            })
            .collect(),
        Some(other) => panic!("{what}: expected an array, got {other}"),
    }
}

fn read_runs(path: &Path) -> Vec<Run> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let value: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
    let Value::Array(runs) = value else {
        panic!("{} must hold a JSON array of runs", path.display())
    };
    runs.iter()
        .map(|r| Run {
            data: string_list(r.get("data"), "runs.json data"),
            limit: string_list(r.get("limit"), "runs.json limit"),
        })
        .collect()
}

/// The resolved inventory of one run, from either side.
#[derive(Debug, Default)]
struct Resolved {
    /// Hosts in inventory order: (name, groups, data).
    hosts: Vec<(String, Vec<String>, BTreeMap<String, Value>)>,
    /// Groups by name, with their members in order. Group order is not
    /// compared: pyinfra's is an accident of iteration.
    groups: BTreeMap<String, Vec<String>>,
}

/// A host or group name: a string, or an object with a "name".
fn name_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o.get("name").and_then(Value::as_str).map(str::to_string),
        _ => None,
    }
}

/// Reads the `{"hosts": [...], "groups": [...]}` shape shared by
/// `strata list --format json` and `pyinfra_dump.py`.
fn parse_resolved(v: &Value, side: &str) -> Result<Resolved, String> {
    let mut out = Resolved::default();
    let hosts = v
        .get("hosts")
        .and_then(Value::as_array)
        .ok_or_else(|| format!("{side}: no \"hosts\" array in {}", short(v)))?;
    for h in hosts {
        let name = h
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("{side}: host without a name: {}", short(h)))?;
        let groups = match h.get("groups") {
            Some(Value::Array(gs)) => gs.iter().filter_map(name_of).collect(),
            None => Vec::new(),
            Some(other) => return Err(format!("{side}: host {name}: groups is {}", short(other))),
        };
        let data = match h.get("data") {
            Some(Value::Object(d)) => d.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            None => BTreeMap::new(),
            Some(other) => return Err(format!("{side}: host {name}: data is {}", short(other))),
        };
        out.hosts.push((name.to_string(), groups, data));
    }
    match v.get("groups") {
        Some(Value::Array(gs)) => {
            for g in gs {
                let name = name_of(g)
                    .ok_or_else(|| format!("{side}: group without a name: {}", short(g)))?;
                let members = g
                    .get("hosts")
                    .and_then(Value::as_array)
                    .map(|m| m.iter().filter_map(name_of).collect())
                    .unwrap_or_default();
                out.groups.insert(name, members);
            }
        }
        // Also accept a map of group name -> members (or -> {"hosts": [...]}).
        Some(Value::Object(gs)) => {
            for (name, g) in gs {
                let members = g
                    .as_array()
                    .or_else(|| g.get("hosts").and_then(Value::as_array))
                    .map(|m| m.iter().filter_map(name_of).collect())
                    .unwrap_or_default();
                out.groups.insert(name.clone(), members);
            }
        }
        None => {}
        Some(other) => return Err(format!("{side}: groups is {}", short(other))),
    }
    // Neither side's `all` is a group to compare: pyinfra has none, and
    // strata never lists `all` among a host's groups (docs/format.md). A group without
    // hosts exists only in strata (pyinfra's inventory.groups holds groups
    // that have hosts); strata warns about it, there is nothing to compare.
    out.groups.remove("all");
    out.groups.retain(|_, members| !members.is_empty());
    Ok(out)
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 300 {
        let mut end = 300;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}...", &s[..end])
    } else {
        s
    }
}

fn show(v: Option<&Value>) -> String {
    v.map_or_else(|| "(absent)".to_string(), short)
}

/// Runs the strata binary; Ok(stdout) or Err(a description of the failure).
fn strata(
    inventory: &Path,
    run: &Run,
    with_limits: bool,
    command: &[&str],
) -> Result<String, String> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_strata"));
    cmd.arg("-i").arg(inventory);
    for d in &run.data {
        cmd.arg("--data").arg(d);
    }
    if with_limits {
        for l in &run.limit {
            cmd.arg("--limit").arg(l);
        }
    }
    cmd.args(command);
    cmd.env_remove("STRATA_INVENTORY").env("NO_COLOR", "1");
    let shown = format!("{cmd:?}");
    let output = cmd
        .output()
        .map_err(|e| format!("cannot run strata: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "`{shown}` exited with {}:\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim_end()
        ));
    }
    String::from_utf8(output.stdout).map_err(|e| format!("`{shown}` printed non-UTF-8: {e}"))
}

/// Runs `pyinfra_dump.py` once for all runs of a case.
fn pyinfra(python: &Path, inventory_py: &Path, runs: &[Run], scratch: &Path) -> Vec<Value> {
    let runs_file = scratch.join("runs.effective.json");
    let runs_json = Value::Array(runs.iter().map(Run::to_json).collect());
    std::fs::write(&runs_file, runs_json.to_string())
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", runs_file.display()));
    let output = Command::new(python)
        .arg(fixtures().join("pyinfra_dump.py"))
        .arg(inventory_py)
        .arg("--runs")
        .arg(&runs_file)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    assert!(
        output.status.success(),
        "pyinfra_dump.py failed on {}:\n{}",
        inventory_py.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let out: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("pyinfra_dump.py printed no JSON: {e}"));
    let Value::Array(results) = out else {
        panic!("pyinfra_dump.py --runs must print an array")
    };
    assert_eq!(
        results.len(),
        runs.len(),
        "pyinfra_dump.py: one result per run"
    );
    results
}

/// Compares two resolutions; pushes one line per difference.
fn diff_resolved(strata: &Resolved, py: &Resolved, out: &mut Vec<String>) {
    let s_names: Vec<&str> = strata.hosts.iter().map(|h| h.0.as_str()).collect();
    let p_names: Vec<&str> = py.hosts.iter().map(|h| h.0.as_str()).collect();
    if s_names != p_names {
        let s_set: BTreeSet<&str> = s_names.iter().copied().collect();
        let p_set: BTreeSet<&str> = p_names.iter().copied().collect();
        let only_s: Vec<_> = s_set.difference(&p_set).collect();
        let only_p: Vec<_> = p_set.difference(&s_set).collect();
        if only_s.is_empty() && only_p.is_empty() {
            out.push(format!(
                "host order differs:\n      strata:  {s_names:?}\n      pyinfra: {p_names:?}"
            ));
        } else {
            out.push(format!(
                "host names differ: only in strata {only_s:?}, only in pyinfra {only_p:?}"
            ));
        }
    }

    let p_hosts: BTreeMap<&str, _> = py.hosts.iter().map(|h| (h.0.as_str(), h)).collect();
    for (name, s_groups, s_data) in &strata.hosts {
        let Some((_, p_groups, p_data)) = p_hosts.get(name.as_str()) else {
            continue;
        };
        if s_groups != p_groups {
            out.push(format!(
                "host {name}: groups: strata {s_groups:?}, pyinfra {p_groups:?}"
            ));
        }
        let keys: BTreeSet<&String> = s_data.keys().chain(p_data.keys()).collect();
        for key in keys {
            let (s, p) = (s_data.get(key), p_data.get(key));
            if s != p {
                out.push(format!(
                    "host {name}: key {key:?}: strata {}, pyinfra {}",
                    show(s),
                    show(p)
                ));
            }
        }
    }

    let names: BTreeSet<&String> = strata.groups.keys().chain(py.groups.keys()).collect();
    for name in names {
        match (strata.groups.get(name), py.groups.get(name)) {
            (Some(s), Some(p)) if s != p => {
                let note = if s.iter().collect::<BTreeSet<_>>() == p.iter().collect() {
                    " (same members, other order; pyinfra lists members in inventory order)"
                } else {
                    ""
                };
                out.push(format!(
                    "group {name}: members: strata {s:?}, pyinfra {p:?}{note}"
                ));
            }
            (Some(s), None) => out.push(format!("group {name}: only in strata, members {s:?}")),
            (None, Some(p)) => out.push(format!("group {name}: only in pyinfra, members {p:?}")),
            _ => {}
        }
    }
}

/// Checks one run; returns the difference lines (empty when equal).
fn check_run(inventory: &Path, run: &Run, py: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let py_resolved = match parse_resolved(py, "pyinfra") {
        Ok(r) => r,
        Err(e) => return vec![e],
    };
    let py_selected = string_list(py.get("selected"), "pyinfra selected");

    // 1. The whole inventory with --data (no limit: `list` is the whole
    //    inventory whatever the limit, or the selection; 3. covers that).
    let full = strata(inventory, run, false, &["list", "--format", "json"]).and_then(|s| {
        let v: Value = serde_json::from_str(&s)
            .map_err(|e| format!("strata list printed no JSON: {e}\n{s}"))?;
        parse_resolved(&v, "strata")
    });
    let full = match full {
        Ok(r) => {
            diff_resolved(&r, &py_resolved, &mut out);
            Some(r)
        }
        Err(e) => {
            out.push(e);
            None
        }
    };

    // 2. The selected hosts: `strata [--limit]... hosts`, one name a line.
    match strata(inventory, run, true, &["hosts"]) {
        Ok(text) => {
            let selected: Vec<String> = text
                .lines()
                .map(str::trim_end)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect();
            if selected != py_selected {
                out.push(format!(
                    "selected hosts differ:\n      strata:  {selected:?}\n      pyinfra: {py_selected:?}"
                ));
            }
        }
        Err(e) => out.push(e),
    }

    // 3. strata's own consistency (a limit selects hosts and never changes
    //    any host's data): `list` with the limits shows every host or the
    //    selected ones, with the data of the unlimited `list`.
    if !run.limit.is_empty()
        && let Some(full) = &full
    {
        let limited = strata(inventory, run, true, &["list", "--format", "json"]).and_then(|s| {
            let v: Value = serde_json::from_str(&s)
                .map_err(|e| format!("strata list --limit printed no JSON: {e}\n{s}"))?;
            parse_resolved(&v, "strata (limited)")
        });
        match limited {
            Ok(limited) => {
                let names: Vec<&str> = limited.hosts.iter().map(|h| h.0.as_str()).collect();
                let all: Vec<&str> = full.hosts.iter().map(|h| h.0.as_str()).collect();
                let sel: Vec<&str> = py_selected.iter().map(String::as_str).collect();
                if names != all && names != sel {
                    out.push(format!(
                        "strata list with limits shows {names:?}: neither every host nor the selection {sel:?}"
                    ));
                }
                let by_name: BTreeMap<&str, _> =
                    full.hosts.iter().map(|h| (h.0.as_str(), h)).collect();
                for (name, groups, data) in &limited.hosts {
                    if let Some((_, g, d)) = by_name.get(name.as_str())
                        && (g != groups || d != data)
                    {
                        out.push(format!(
                            "strata list with limits changes host {name}'s groups or data (a limit must not)"
                        ));
                    }
                }
            }
            Err(e) => out.push(e),
        }
    }
    out
}

/// Compares every run of one case directory (holding strata/ and pyinfra/).
/// Returns a report of all differences, empty when everything matches.
fn check_case_dir(label: &str, dir: &Path, runs: &[Run], scratch: &Path) -> String {
    let Some(python) = python() else {
        return String::new();
    };
    let inventory = dir.join("strata");
    let results = pyinfra(python, &dir.join("pyinfra/inventory.py"), runs, scratch);
    let mut report = String::new();
    let mut seen: BTreeMap<Vec<String>, usize> = BTreeMap::new();
    for (i, (run, py)) in runs.iter().zip(&results).enumerate() {
        let lines = check_run(&inventory, run, py);
        if lines.is_empty() {
            continue;
        }
        let _ = writeln!(report, "case {label}, {}:", run.describe(i));
        if let Some(first) = seen.get(&lines) {
            let _ = writeln!(report, "    the same differences as run #{first}");
            continue;
        }
        seen.insert(lines.clone(), i);
        for line in lines.iter().take(MAX_LINES_PER_RUN) {
            let _ = writeln!(report, "    {line}");
        }
        if lines.len() > MAX_LINES_PER_RUN {
            let _ = writeln!(
                report,
                "    ... and {} more differences in this run",
                lines.len() - MAX_LINES_PER_RUN
            );
        }
    }
    report
}

fn scratch_dir(label: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("pyinfra_diff")
        .join(label);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    dir
}

fn check_case(case: &str) {
    if python().is_none() {
        return;
    }
    let dir = fixtures().join(case);
    let runs = read_runs(&dir.join("runs.json"));
    let report = check_case_dir(case, &dir, &runs, &scratch_dir(case));
    assert!(
        report.is_empty(),
        "strata and pyinfra {PYINFRA_VERSION} differ (see tests/pyinfra/README.md):\n{report}"
    );
}

#[test]
fn precedence() {
    check_case("precedence");
}

#[test]
fn connectors() {
    check_case("connectors");
}

#[test]
fn ordering() {
    check_case("ordering");
}

#[test]
fn values() {
    check_case("values");
}

#[test]
fn limits() {
    check_case("limits");
}

#[test]
fn inline_merge() {
    check_case("inline-merge");
}

/// A medium inventory written by the repository's `bench/gen.py` in both
/// dialects at test time.
#[test]
fn generated_300() {
    let Some(python) = python() else {
        return;
    };
    let gen_py = workspace().join("bench/gen.py");
    assert!(
        gen_py.is_file(),
        "{} is missing: it is part of the repository",
        gen_py.display()
    );
    let dir = scratch_dir("generated_300");
    let status = Command::new(python)
        .arg(&gen_py)
        .arg("300")
        .arg(&dir)
        .args(["--seed", "7"])
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .status()
        .unwrap_or_else(|e| panic!("cannot run gen.py: {e}"));
    assert!(status.success(), "gen.py failed");
    let run = |data: &[&str], limit: &[&str]| Run {
        data: data.iter().map(ToString::to_string).collect(),
        limit: limit.iter().map(ToString::to_string).collect(),
    };
    let runs = [
        run(&[], &[]),
        run(&["tier=5", "env=web1", "limits=[]", "ratio=0.5"], &[]),
        run(&[], &["g0003"]),
        run(&[], &["g0001", "g0008"]),
        run(&[], &["h000001*"]),
        run(&[], &["h00000[1-3]?.example.com", "g0007"]),
    ];
    let report = check_case_dir("generated_300", &dir, &runs, &dir);
    assert!(
        report.is_empty(),
        "strata and pyinfra {PYINFRA_VERSION} differ on gen.py's inventory:\n{report}"
    );
}

/// Every directory of tests/pyinfra with a runs.json has a test above.
#[test]
fn every_case_has_a_test() {
    let mut found: Vec<String> = std::fs::read_dir(fixtures())
        .expect("tests/pyinfra exists")
        .filter_map(Result::ok)
        .filter(|e| e.path().join("runs.json").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    found.sort();
    assert_eq!(
        found, CASES,
        "tests/pyinfra cases and the CASES list / test functions disagree"
    );
}
