//! `strata import` on inventories nobody wrote for strata: the public
//! Ansible inventories of `tests/import/public/` (each with its licence and
//! its source), the adversarial one of `tests/import/traps/`, and every
//! pyinfra inventory of `tests/pyinfra/` plus `tests/import/pyinfra-forms/`.
//! Each public inventory imports with 0 differences against the real
//! `ansible-inventory` and passes `strata check --strict`, `--check`
//! verifies it again; each pyinfra inventory imports with 0 differences
//! against pyinfra 3.10; what strata cannot hold is refused with nothing
//! written.
//!
//! The tools: `$STRATA_ANSIBLE_INVENTORY` (else
//! `<workspace>/.venv/bin/ansible-inventory`) and `$STRATA_PYINFRA_PYTHON`
//! (else `<workspace>/.venv/bin/python`). Without them the tests print that
//! they skipped, unless `$CI` is set: then they fail.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn tool(var: &str, fallback: &str, what: &str) -> Option<PathBuf> {
    let candidate = std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join(fallback));
    if candidate.is_file() {
        return Some(candidate);
    }
    let why = format!("{} not found (set {var})", candidate.display());
    if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
        panic!("{what} is required in CI for the import tests: {why}");
    }
    eprintln!("skipped: {why}");
    None
}

fn strata(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(args)
        .current_dir(cwd)
        .env_remove("STRATA_INVENTORY")
        .env_remove("STRATA_PYTHON")
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `strata import ansible` of a corpus case (its `-i` arguments listed in
/// `inventories.txt`, relative to the case), run from an empty folder.
fn import_ansible(case: &Path, program: &Path, out: &Path, cwd: &Path) -> Output {
    let listed = std::fs::read_to_string(case.join("inventories.txt")).unwrap();
    let mut args: Vec<String> = vec!["import".into(), "ansible".into()];
    for line in listed.lines().map(str::trim).filter(|l| !l.is_empty()) {
        args.push("-i".into());
        args.push(case.join(line).to_str().unwrap().into());
    }
    args.extend([
        "--ansible-inventory".into(),
        program.to_str().unwrap().into(),
        "-o".into(),
        out.to_str().unwrap().into(),
    ]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    strata(&args, cwd)
}

/// The import said it found no difference, and the written inventory is
/// clean for `check --strict`.
fn assert_identical(what: &str, done: &Output, out: &Path, cwd: &Path) {
    let (stdout, stderr) = (text(&done.stdout), text(&done.stderr));
    assert_eq!(done.status.code(), Some(0), "{what}:\n{stdout}\n{stderr}");
    assert!(
        stdout.contains(" identical") && !stdout.contains("difference"),
        "{what}: {stdout}"
    );
    let check = strata(&["-i", out.to_str().unwrap(), "check", "--strict"], cwd);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{what}: check --strict:\n{}",
        text(&check.stderr)
    );
}

#[test]
fn every_public_ansible_inventory_imports_with_no_difference() {
    let Some(program) = tool(
        "STRATA_ANSIBLE_INVENTORY",
        ".venv/bin/ansible-inventory",
        "ansible-core",
    ) else {
        return;
    };
    let public = workspace().join("tests/import/public");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&public)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("inventories.txt").is_file())
        .collect();
    cases.sort();
    assert!(cases.len() >= 3, "{cases:?}");
    for case in &cases {
        let name = case.file_name().unwrap().to_str().unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let done = import_ansible(case, &program, &out, tmp.path());
        assert_identical(name, &done, &out, tmp.path());
        // The proof again, on the written inventory, as in CI after a
        // migration: `--check` reads the tool again and writes nothing.
        let listed = std::fs::read_to_string(case.join("inventories.txt")).unwrap();
        let mut args: Vec<String> = vec!["import".into(), "ansible".into()];
        for line in listed.lines().map(str::trim).filter(|l| !l.is_empty()) {
            args.push("-i".into());
            args.push(case.join(line).to_str().unwrap().into());
        }
        args.extend([
            "--ansible-inventory".into(),
            program.to_str().unwrap().into(),
            "-o".into(),
            out.to_str().unwrap().into(),
            "--check".into(),
        ]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let again = strata(&args, tmp.path());
        assert_eq!(
            again.status.code(),
            Some(0),
            "{name} --check:\n{}{}",
            text(&again.stdout),
            text(&again.stderr)
        );
    }
}

#[test]
fn the_traps_are_refused_with_every_problem_and_nothing_written() {
    let Some(program) = tool(
        "STRATA_ANSIBLE_INVENTORY",
        ".venv/bin/ansible-inventory",
        "ansible-core",
    ) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let case = workspace().join("tests/import/traps");
    let done = import_ansible(&case, &program, &out, tmp.path());
    let stderr = text(&done.stderr);
    assert_eq!(done.status.code(), Some(1), "{stderr}");
    // The null that would let a lower value win, on each host it reaches,
    // and the integers TOML cannot hold: all in one run.
    for want in [
        "host `a1`, key `proxy`: Ansible resolves it to null",
        "host `db1`, key `proxy`: Ansible resolves it to null",
        "key `big_int`: the integer 9223372036854775808 is outside TOML's integers",
        "key `small_int`: the integer -9223372036854775809 is outside TOML's integers",
        "nothing written: 4 problems",
    ] {
        assert!(stderr.contains(want), "missing `{want}` in:\n{stderr}");
    }
    assert!(!out.exists(), "a refused import wrote {}", out.display());
}

/// Every pyinfra inventory of the differential tests, and the value forms
/// of `tests/import/pyinfra-forms` (tuples, NaN and infinities, connector
/// hosts), import with 0 differences against pyinfra's own loader.
#[test]
fn every_pyinfra_inventory_imports_with_no_difference() {
    let Some(python) = tool("STRATA_PYINFRA_PYTHON", ".venv/bin/python", "pyinfra") else {
        return;
    };
    let ws = workspace();
    let mut inventories: Vec<PathBuf> = std::fs::read_dir(ws.join("tests/pyinfra"))
        .unwrap()
        .map(|e| e.unwrap().path().join("pyinfra/inventory.py"))
        .filter(|p| p.is_file())
        .collect();
    inventories.sort();
    assert!(inventories.len() >= 6, "{inventories:?}");
    inventories.push(ws.join("tests/import/pyinfra-forms/inventory.py"));
    for inventory in &inventories {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let done = strata(
            &[
                "import",
                "pyinfra",
                inventory.to_str().unwrap(),
                "--python",
                python.to_str().unwrap(),
                "-o",
                out.to_str().unwrap(),
            ],
            tmp.path(),
        );
        let what = inventory.display().to_string();
        let (stdout, stderr) = (text(&done.stdout), text(&done.stderr));
        assert_eq!(done.status.code(), Some(0), "{what}:\n{stdout}\n{stderr}");
        assert!(
            stdout.contains(" identical") && !stdout.contains("difference"),
            "{what}: {stdout}"
        );
        assert!(
            stderr.starts_with("strata: running `") && stderr.contains("which executes"),
            "the run of the user's Python files is announced first: {stderr}"
        );
        // strata itself loads what it wrote (warnings such as a type
        // conflict the pyinfra fixtures hold on purpose are allowed here).
        let check = strata(&["-i", out.to_str().unwrap(), "check"], tmp.path());
        assert_eq!(
            check.status.code(),
            Some(0),
            "{what}: {}",
            text(&check.stderr)
        );
    }
}

#[test]
fn python_values_without_a_toml_form_are_named_and_nothing_is_written() {
    let Some(python) = tool("STRATA_PYINFRA_PYTHON", ".venv/bin/python", "pyinfra") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let inventory = workspace().join("tests/import/pyinfra-refusals/inventory.py");
    let done = strata(
        &[
            "import",
            "pyinfra",
            inventory.to_str().unwrap(),
            "--python",
            python.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
        tmp.path(),
    );
    let stderr = text(&done.stderr);
    assert_eq!(done.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("nothing written"), "{stderr}");
    for word in ["None", "set", "key `"] {
        assert!(stderr.contains(word), "missing `{word}` in:\n{stderr}");
    }
    assert!(!out.exists());
}

/// What `ansible-inventory -i` accepts besides INI, YAML and folders: a
/// TOML inventory (Ansible's `toml` plugin) and an inventory plugin's
/// configuration (`ansible.builtin.generator`, which makes its hosts from
/// templates), alone and together.
#[test]
fn a_toml_inventory_and_a_plugin_configuration_import_too() {
    let Some(program) = tool(
        "STRATA_ANSIBLE_INVENTORY",
        ".venv/bin/ansible-inventory",
        "ansible-core",
    ) else {
        return;
    };
    let case = workspace().join("tests/import/cases/other-forms");
    let toml = case.join("inventory.toml");
    let generator = case.join("generator.yml");
    for (sources, hosts) in [
        (vec![&toml], 5),
        (vec![&generator], 4),
        (vec![&toml, &generator], 9),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let mut args: Vec<&str> = vec!["import", "ansible"];
        for s in &sources {
            args.extend(["-i", s.to_str().unwrap()]);
        }
        args.extend([
            "--ansible-inventory",
            program.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ]);
        let done = strata(&args, tmp.path());
        let what = format!("{sources:?}");
        assert_identical(&what, &done, &out, tmp.path());
        assert!(
            text(&done.stdout).starts_with(&format!("{hosts} hosts, ")),
            "{what}: {}",
            text(&done.stdout)
        );
    }
}
