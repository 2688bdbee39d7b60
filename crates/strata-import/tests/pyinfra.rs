//! The pyinfra reader against real pyinfra 3.10.0.
//!
//! For every case under `tests/pyinfra/` (and bench/gen.py's inventory),
//! `strata_import::pyinfra::read` must give, as `resolved`, exactly what
//! `tests/pyinfra/pyinfra_dump.py` (pyinfra's own CLI code) reports: the
//! hosts in order, each host's groups in order and its data key by key, and
//! each group's members. And the rest of the `Imported` must say the same:
//! resolving its groups, global and host variables with strata's rule
//! (global, then the host's groups in the `Imported`'s order, later wins,
//! then connector data, then the host's own) must give `resolved`, which is
//! what makes the group order right.
//!
//! `tests/import/pyinfra-refusals` holds every kind of value strata cannot
//! take, and the reader must name each; `tests/import/pyinfra-forms` the
//! forms it carries over (tuples, NaN, the file group's data, a neighbour
//! import, `--group-data`).
//!
//! Python is `$STRATA_PYINFRA_PYTHON`, else `<workspace>/.venv/bin/python`.
//! Without it the tests skip, unless `$CI` is set: then they fail.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;
use strata_import::{Imported, Problem, Vars, pyinfra};

/// The pyinfra version the fixtures were checked against.
const PYINFRA_VERSION: &str = "3.10.0";

fn workspace() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    dir.canonicalize().unwrap_or(dir)
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
            "{} (from {from}) has pyinfra {version}, these tests need {PYINFRA_VERSION}",
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
            "pyinfra {PYINFRA_VERSION} is required in CI for the pyinfra reader's tests: {why}\n\
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

fn read_ok(python: &Path, inventory: &Path, group_data: Option<&Path>) -> Imported {
    pyinfra::read(python, inventory, group_data).unwrap_or_else(|problems| {
        panic!(
            "reading {} failed:\n{}",
            inventory.display(),
            show_problems(&problems)
        )
    })
}

fn show_problems(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| {
            format!(
                "{} | {} | {}\n",
                p.subject,
                p.key.as_deref().unwrap_or("-"),
                p.message
            )
        })
        .collect()
}

/// pyinfra_dump.py's answer for one inventory, without --data or --limit.
fn pyinfra_dump(python: &Path, inventory: &Path) -> Value {
    let output = Command::new(python)
        .arg(workspace().join("tests/pyinfra/pyinfra_dump.py"))
        .arg(inventory)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    assert!(
        output.status.success(),
        "pyinfra_dump.py failed on {}:\n{}",
        inventory.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("pyinfra_dump.py prints JSON")
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|s| s.as_str().expect("a string").to_string())
        .collect()
}

/// Differences between the `Imported`'s oracle and pyinfra_dump.py's answer.
fn against_pyinfra_dump(imported: &Imported, dump: &Value, out: &mut Vec<String>) {
    let hosts = dump["hosts"].as_array().expect("hosts");
    let names: Vec<String> = hosts
        .iter()
        .map(|h| h["name"].as_str().unwrap().to_string())
        .collect();
    if names != imported.hosts {
        out.push(format!(
            "hosts: reader {:?}, pyinfra {names:?}",
            imported.hosts
        ));
    }
    let resolved: Vec<&String> = imported.resolved.keys().collect();
    if resolved != names.iter().collect::<Vec<_>>() {
        out.push(format!(
            "resolved hosts: reader {resolved:?}, pyinfra {names:?}"
        ));
    }
    for host in hosts {
        let name = host["name"].as_str().unwrap();
        let Some(mine) = imported.resolved.get(name) else {
            continue;
        };
        let groups = strings(&host["groups"]);
        if mine.groups != groups {
            out.push(format!(
                "host {name}: groups: reader {:?}, pyinfra {groups:?}",
                mine.groups
            ));
        }
        let data = host["data"].as_object().expect("data");
        if &mine.vars != data {
            out.push(format!(
                "host {name}: data: reader {}, pyinfra {}",
                Value::Object(mine.vars.clone()),
                Value::Object(data.clone())
            ));
        }
    }
    // Members of every group that has hosts (pyinfra lists no other).
    let theirs: BTreeMap<String, Vec<String>> = dump["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| {
            (
                g["name"].as_str().unwrap().to_string(),
                strings(&g["hosts"]),
            )
        })
        .collect();
    let ours: BTreeMap<String, Vec<String>> = imported
        .groups
        .iter()
        .filter(|g| !g.hosts.is_empty())
        .map(|g| (g.name.clone(), g.hosts.clone()))
        .collect();
    if ours != theirs {
        out.push(format!("groups: reader {ours:?}, pyinfra {theirs:?}"));
    }
}

/// What a connector host gets from strata's own connector.
fn connector_data(host: &str) -> Vars {
    let Some(rest) = host.strip_prefix('@') else {
        return Vars::new();
    };
    let (name, argument) = match rest.split_once('/') {
        Some((n, a)) => (n, Some(a)),
        None => (rest, None),
    };
    let connectors = strata::Connectors::builtin();
    let made = connectors
        .get(name)
        .unwrap_or_else(|| panic!("strata has no connector {name}"))
        .expand(argument)
        .unwrap_or_else(|e| panic!("strata refuses {host}: {e}"));
    made[0]
        .data
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.as_str().unwrap().to_string())))
        .collect()
}

/// Differences between `resolved` and what strata's rule makes of the
/// `Imported`'s layers: global, then the host's groups in the `Imported`'s
/// order (later wins), then its connector's data, then its own data.
fn against_strata_rule(imported: &Imported, out: &mut Vec<String>) {
    for host in &imported.hosts {
        let Some(answer) = imported.resolved.get(host) else {
            out.push(format!("host {host}: not resolved"));
            continue;
        };
        let mut vars = imported.global.clone();
        let mut groups = Vec::new();
        for group in imported.groups.iter().filter(|g| g.hosts.contains(host)) {
            groups.push(group.name.clone());
            vars.extend(group.vars.clone());
        }
        vars.extend(connector_data(host));
        if let Some(own) = imported.host_vars.get(host) {
            vars.extend(own.clone());
        }
        if groups != answer.groups {
            out.push(format!(
                "host {host}: groups by the Imported's order {groups:?}, resolved {:?}",
                answer.groups
            ));
        }
        for key in vars.keys().chain(answer.vars.keys()) {
            if vars.get(key) != answer.vars.get(key) {
                out.push(format!(
                    "host {host}: key {key}: strata's rule gives {:?}, pyinfra resolves {:?}",
                    vars.get(key),
                    answer.vars.get(key)
                ));
            }
        }
    }
}

/// Reads one pyinfra inventory and checks it both ways; the report of
/// every difference, empty when none.
fn check_inventory(python: &Path, inventory: &Path) -> String {
    let imported = read_ok(python, inventory, None);
    let mut out = Vec::new();
    against_pyinfra_dump(&imported, &pyinfra_dump(python, inventory), &mut out);
    against_strata_rule(&imported, &mut out);
    let mut report = String::new();
    if !out.is_empty() {
        let _ = writeln!(report, "{}:", inventory.display());
        for line in out {
            let _ = writeln!(report, "    {line}");
        }
    }
    report
}

#[test]
fn every_tests_pyinfra_case_reads_as_pyinfra_resolves_it() {
    let Some(python) = python() else {
        return;
    };
    let mut cases: Vec<PathBuf> = std::fs::read_dir(workspace().join("tests/pyinfra"))
        .expect("tests/pyinfra exists")
        .filter_map(Result::ok)
        .map(|e| e.path().join("pyinfra/inventory.py"))
        .filter(|p| p.is_file())
        .collect();
    cases.sort();
    // The six cases of tests/pyinfra/README.md at least.
    assert!(cases.len() >= 6, "only {} cases found", cases.len());
    let report: String = cases.iter().map(|c| check_inventory(python, c)).collect();
    assert!(report.is_empty(), "{report}");
}

/// A medium inventory written by bench/gen.py at test time.
#[test]
fn gen_py_inventory_reads_as_pyinfra_resolves_it() {
    let Some(python) = python() else {
        return;
    };
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pyinfra_reader_gen_300");
    let _ = std::fs::remove_dir_all(&dir);
    let status = Command::new(python)
        .arg(workspace().join("bench/gen.py"))
        .arg("300")
        .arg(&dir)
        .args(["--seed", "7"])
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .status()
        .expect("gen.py runs");
    assert!(status.success(), "gen.py failed");
    let report = check_inventory(python, &dir.join("pyinfra/inventory.py"));
    assert!(report.is_empty(), "{report}");
}

#[test]
fn every_value_strata_cannot_take_is_named_in_one_run() {
    let Some(python) = python() else {
        return;
    };
    let inventory = workspace().join("tests/import/pyinfra-refusals/inventory.py");
    let problems = pyinfra::read(python, &inventory, None).expect_err("refused");
    let none = "None has no TOML form (strata has no null); remove the key or give it a value";
    let not_data = "is not data; pyinfra keeps every module-level name of a group_data file as data: \
                    move it out, or list the data names in `__all__`";
    let plain = "write a plain dict, list, str, int, float or bool";
    let expected = [
        ("group `web`", "owner", none.to_string()),
        ("group `web`", "pair[1]", none.to_string()),
        ("group `web`", "Endpoint", format!("a class {not_data}")),
        (
            "group `web`",
            "endpoint",
            format!("an object of class `Endpoint` has no TOML form; {plain}"),
        ),
        (
            "group `web`",
            "ordered",
            format!(
                "a `collections.OrderedDict` (a subclass of dict) has no TOML form as it is; {plain}"
            ),
        ),
        (
            "group `web`",
            "frozen",
            "a frozenset has no TOML form; write a list".into(),
        ),
        (
            "group `web`",
            "huge",
            "18446744073709551616 does not fit TOML's 64-bit integers".into(),
        ),
        ("group `web`", "helper", format!("a `function` {not_data}")),
        (
            "host `web2`",
            "tags",
            "a set has no TOML form; write a list".into(),
        ),
        ("host `web2`", "inner.x[1].y", none.to_string()),
        (
            "host `db1`",
            "1",
            "the key 1 (of type `int`) is not a string: TOML keys are strings".into(),
        ),
        (
            "host `db1`",
            "blob",
            "`bytes` has no TOML form; write a string".into(),
        ),
        ("all", "maybe", none.to_string()),
        ("all", "deep.a.b[0]", none.to_string()),
        (
            "all",
            "special.__float",
            "a table whose only key is `__float` is how strata encodes a special value; \
             rename the key or add another one"
                .into(),
        ),
    ];
    let got: Vec<(String, String, String)> = problems
        .iter()
        .map(|p| {
            (
                p.subject.clone(),
                p.key.clone().unwrap_or_default(),
                p.message.clone(),
            )
        })
        .collect();
    let expected: Vec<(String, String, String)> = expected
        .into_iter()
        .map(|(s, k, m)| (s.to_string(), k.to_string(), m))
        .collect();
    assert_eq!(got, expected, "\n{}", show_problems(&problems));
}

#[test]
fn tuples_nan_the_file_group_and_extra_group_data_carry_over() {
    let Some(python) = python() else {
        return;
    };
    let dir = workspace().join("tests/import/pyinfra-forms");
    let imported = read_ok(
        python,
        &dir.join("inventory.py"),
        Some(&dir.join("extra_group_data")),
    );
    let mut out = Vec::new();
    against_strata_rule(&imported, &mut out);
    assert!(out.is_empty(), "{out:#?}");
    assert_eq!(imported.hosts, ["web1", "web2", "db1"]);
    let names: Vec<&str> = imported.groups.iter().map(|g| g.name.as_str()).collect();
    // `_private` is no group to pyinfra; `webb.py` names no group; the file
    // group `inventory` has data, so it stays, after the file's groups.
    assert_eq!(names, ["web", "db", "inventory"]);
    assert_eq!(imported.groups[2].hosts, ["web1", "web2", "db1"]);
    let web = &imported.groups[0].vars;
    assert_eq!(web["ratio"], serde_json::json!({"__float": "nan"}));
    assert_eq!(web["ceiling"], serde_json::json!({"__float": "inf"}));
    assert_eq!(web["floor"], serde_json::json!({"__float": "-inf"}));
    assert_eq!(web["nested"], serde_json::json!([[1, 2], [3]]));
    assert_eq!(
        Value::Object(imported.host_vars["web1"].clone()),
        serde_json::json!({"pair": [1, "two"], "port": 8080})
    );
    // Floats come back exactly, the sign of -0.0 included.
    let floats: Vec<u64> = imported.global["floats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_f64().unwrap().to_bits())
        .collect();
    let expected: Vec<u64> = [
        1e23,
        0.300_000_000_000_000_04,
        5e-324,
        2.225_073_858_507_201_4e-308,
        1.797_693_134_862_315_7e308,
        -0.0,
    ]
    .iter()
    .map(|f: &f64| f.to_bits())
    .collect();
    assert_eq!(floats, expected);
    // --group-data wins over the inventory's group_data/.
    assert_eq!(imported.global["site"], "extra");
    assert_eq!(imported.global["color"], "group_data");
    assert_eq!(imported.resolved["db1"].vars["color"], "file-group");
    assert_eq!(imported.resolved["db1"].groups, ["db", "inventory"]);
    assert_eq!(
        imported.groups[1].vars["meta"],
        serde_json::json!({"__meta": 1})
    );

    // Without --group-data, the inventory's own group_data/ only.
    let plain = read_ok(python, &dir.join("inventory.py"), None);
    assert_eq!(plain.global["site"], "group_data");
}

/// Writes `files` into a fresh folder and reads its inventory.py.
fn read_files(python: &Path, name: &str, files: &[(&str, &str)]) -> Result<Imported, Vec<Problem>> {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("pyinfra_reader")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    pyinfra::read(python, &dir.join("inventory.py"), None)
}

fn one_problem(result: Result<Imported, Vec<Problem>>) -> Problem {
    let problems = result.expect_err("a problem");
    assert_eq!(problems.len(), 1, "{}", show_problems(&problems));
    problems.into_iter().next().unwrap()
}

#[test]
fn pyinfra_errors_are_problems_with_the_file_and_line() {
    let Some(python) = python() else {
        return;
    };
    let syntax = one_problem(read_files(
        python,
        "syntax",
        &[("inventory.py", "web = ['a']\ndb = ['b' 'c' ]]\n")],
    ));
    assert!(
        syntax.subject.ends_with("syntax/inventory.py:2"),
        "{syntax:?}"
    );
    assert!(
        syntax
            .message
            .starts_with("pyinfra could not load it: SyntaxError"),
        "{syntax:?}"
    );

    let name_error = one_problem(read_files(
        python,
        "name-error",
        &[
            ("inventory.py", "web = ['a']\n"),
            ("group_data/web.py", "port = 80\nother = undefined_name\n"),
        ],
    ));
    assert!(
        name_error
            .subject
            .ends_with("name-error/group_data/web.py:2"),
        "{name_error:?}"
    );
    assert!(name_error.message.contains("NameError"), "{name_error:?}");

    let exit = one_problem(read_files(
        python,
        "exit",
        &[("inventory.py", "import sys\nsys.exit(4)\n")],
    ));
    assert!(exit.message.contains("sys.exit(4)"), "{exit:?}");

    let unknown = one_problem(read_files(
        python,
        "unknown-connector",
        &[("inventory.py", "web = ['@nosuch/x']\n")],
    ));
    assert!(
        unknown.subject.ends_with("unknown-connector/inventory.py"),
        "{unknown:?}"
    );
    assert!(
        unknown.message.contains("Invalid connector: nosuch"),
        "{unknown:?}"
    );

    let fake = one_problem(read_files(
        python,
        "fake-connector",
        &[("inventory.py", "web = ['@fake/x', 'b']\n")],
    ));
    assert_eq!(fake.subject, "host `@fake/x`");
    assert!(fake.message.contains("no strata equivalent"), "{fake:?}");

    // What UTF-8 cannot hold is named, spelled out.
    let odd = read_files(
        python,
        "lone-surrogates",
        &[(
            "inventory.py",
            "web = [('w\\udc80', {'k\\ud800': 1, 'ok': 's\\udfff'})]\n",
        )],
    )
    .expect_err("refused");
    assert_eq!(
        show_problems(&odd),
        "host `w\\udc80` | - | the host name holds a lone surrogate and cannot be written as UTF-8\n\
         host `w\\udc80` | \"k\\ud800\" | the key holds a lone surrogate and cannot be written as UTF-8\n\
         host `w\\udc80` | ok | the string holds a lone surrogate and cannot be written as UTF-8\n"
    );

    // Noise on stdout and an empty inventory are fine.
    let quiet = read_files(
        python,
        "noisy-empty",
        &[(
            "inventory.py",
            "import os\nprint('{not json')\nos.write(1, b'raw')\n",
        )],
    )
    .expect("an empty inventory");
    assert!(quiet.hosts.is_empty() && quiet.groups.is_empty());
}

#[cfg(unix)]
#[test]
fn a_python_without_pyinfra_is_named() {
    use std::os::unix::fs::PermissionsExt as _;
    let Some(python) = python() else {
        return;
    };
    // The same interpreter without its site-packages (-S): no pyinfra.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pyinfra_reader_no_site");
    std::fs::create_dir_all(&dir).unwrap();
    let wrapper = dir.join("python");
    std::fs::write(
        &wrapper,
        format!("#!/bin/sh\nexec '{}' -S \"$@\"\n", python.display()),
    )
    .unwrap();
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let inventory = workspace().join("tests/pyinfra/limits/pyinfra/inventory.py");
    let problem = one_problem(pyinfra::read(&wrapper, &inventory, None));
    assert!(
        problem.message.contains("cannot import pyinfra"),
        "{problem:?}"
    );
    assert!(problem.message.contains("--python"), "{problem:?}");
}
