//! `strata import` against the real `ansible-inventory` and pyinfra: each
//! inventory of `tests/import/cases/` imports with 0 differences, the
//! result passes `strata check --strict`, `--check` verifies it again, and
//! a change to the written inventory is caught with its origin.
//!
//! Finding Ansible: `$STRATA_ANSIBLE_INVENTORY` (the `ansible-inventory`
//! program), else `<workspace>/.venv/bin/ansible-inventory`. Without it the
//! tests print that they skipped, unless `$CI` is set: then they fail.
//! (The refusals are golden cases in `tests/cases/import-*`, on
//! `--from-json` fixtures, so they do not depend on Ansible's version.)

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// The program `$VAR` names, else `<workspace>/FALLBACK`; `None` (the
/// test skips) when it is missing, a panic under `$CI`.
fn tool(var: &str, fallback: &str, what: &str) -> Option<PathBuf> {
    let candidate = std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join(fallback));
    if candidate.is_file() {
        return Some(candidate);
    }
    let why = format!(
        "{} not found (set {var} or create .venv with {what})",
        candidate.display()
    );
    if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
        panic!("{what} is required in CI for the import tests: {why}");
    }
    eprintln!("skipped: {why}");
    None
}

fn ansible_inventory() -> Option<PathBuf> {
    tool(
        "STRATA_ANSIBLE_INVENTORY",
        ".venv/bin/ansible-inventory",
        "ansible-core",
    )
}

fn pyinfra_python() -> Option<PathBuf> {
    tool("STRATA_PYINFRA_PYTHON", ".venv/bin/python", "pyinfra")
}

fn strata(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(args)
        .current_dir(cwd)
        .env_remove("STRATA_INVENTORY")
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Imports `tests/import/cases/<case>` into a temporary folder; asserts 0
/// differences, `check --strict` and `--check`; returns the folder, the
/// import's stdout and stderr.
fn import(case: &str) -> Option<(tempfile::TempDir, String, String)> {
    let program = ansible_inventory()?;
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tmp.path().join("out");
    let source = workspace().join("tests/import/cases").join(case);
    let args = [
        "import",
        "ansible",
        "-i",
        source.to_str().unwrap(),
        "--ansible-inventory",
        program.to_str().unwrap(),
        "-o",
        out_dir.to_str().unwrap(),
    ];
    // From an empty folder: Ansible reads group_vars/ beside the playbook
    // directory (the current one) too.
    let out = strata(&args, tmp.path());
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{case}:\n{stdout}\n{stderr}");
    assert!(stdout.contains(" identical"), "{stdout}");
    assert!(
        stderr.starts_with("strata: running `"),
        "the run is announced first: {stderr}"
    );
    let check = strata(
        &["-i", out_dir.to_str().unwrap(), "check", "--strict"],
        tmp.path(),
    );
    assert_eq!(
        check.status.code(),
        Some(0),
        "{case}: check --strict:\n{}",
        text(&check.stderr)
    );
    // strata's host order is the order of Ansible's own walk of the tree
    // (`ansible-inventory --graph`: each host where it first appears).
    let graph = Command::new(&program)
        .args(["-i", source.to_str().unwrap(), "--graph"])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    let mut walk: Vec<String> = Vec::new();
    for line in text(&graph.stdout).lines() {
        let name = line.trim_start_matches([' ', '|', '-']);
        if !name.starts_with('@') && !walk.iter().any(|h| h == name) {
            walk.push(name.to_string());
        }
    }
    let hosts = strata(&["-i", out_dir.to_str().unwrap(), "hosts"], tmp.path());
    let order: Vec<String> = text(&hosts.stdout).lines().map(str::to_string).collect();
    assert_eq!(order, walk, "{case}: host order");
    let mut again: Vec<&str> = args.to_vec();
    again.push("--check");
    let verified = strata(&again, tmp.path());
    assert_eq!(
        verified.status.code(),
        Some(0),
        "{}",
        text(&verified.stderr)
    );
    assert_eq!(
        text(&verified.stdout),
        stdout,
        "--check says what import said"
    );
    Some((tmp, stdout, stderr))
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join("out").join(file)).unwrap()
}

/// The case: `[atlanta:vars]` and `group_vars/all.yml` both set
/// `ntp_server`; Ansible resolves the file's value, so atlanta's is dropped.
#[test]
fn ini_with_group_vars_all_over_an_inventory_group_var() {
    let Some((tmp, stdout, stderr)) = import("atlanta") else {
        return;
    };
    assert_eq!(
        stdout,
        "6 hosts, 4 groups, 62 values identical, 6 null values identical by the null rule \
         (strata has no such key)\n"
    );
    assert!(
        stderr.contains(
            "strata: dropped group `atlanta`'s `ntp_server`: Ansible resolves group `all`'s value \
             for 2 hosts over group `atlanta`'s"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("left out by the null rule"), "{stderr}");
    assert!(stderr.contains("`nothing`"), "{stderr}");
    let atlanta = read(tmp.path(), "group_data/atlanta.toml");
    assert!(!atlanta.contains("ntp_server"), "{atlanta}");
    let all = read(tmp.path(), "group_data/all.toml");
    for line in [
        "ver = \"1.10\"",
        "yes_text = \"true\"",
        "enabled = true",
        "whole = 2.0",
        "secret = { __ansible_vault = ",
    ] {
        assert!(all.contains(line), "{line} in {all}");
    }
    assert!(read(tmp.path(), "host_data/host1.toml").contains("n = \"05\""));
    let hosts = read(tmp.path(), "hosts.toml");
    assert!(hosts.contains("\"host[1:3]\""), "{hosts}");
    assert!(hosts.contains("\"web[01:03]\""), "{hosts}");
    let readme = read(tmp.path(), "README.md");
    assert!(readme.contains("ansible-inventory [core "), "{readme}");
    assert!(readme.contains("--check"), "{readme}");
}

#[test]
fn yaml_nested_three_deep_with_group_priority() {
    let Some((tmp, stdout, _)) = import("nested") else {
        return;
    };
    assert!(stdout.starts_with("4 hosts, 7 groups, "), "{stdout}");
    // depth, then ansible_group_priority, then name.
    let hosts = read(tmp.path(), "hosts.toml");
    let order: Vec<&str> = hosts
        .lines()
        .filter_map(|l| l.strip_prefix('[')?.strip_suffix(']'))
        .collect();
    assert_eq!(
        order,
        [
            "all",
            "site",
            "alpha",
            "zeta",
            "region_eu",
            "region_us",
            "rack_b",
            "rack_a"
        ]
    );
}

#[test]
fn host_vars_files_over_inline_host_vars() {
    let Some((tmp, _, stderr)) = import("host-vars") else {
        return;
    };
    assert!(
        read(tmp.path(), "host_data/app1.toml").contains("port = 9001"),
        "{stderr}"
    );
    assert!(read(tmp.path(), "host_data/db1.toml").contains("role = \"replica\""));
}

#[test]
fn ini_ranges_with_inline_host_vars() {
    let Some((tmp, stdout, _)) = import("ranges") else {
        return;
    };
    assert!(stdout.starts_with("20 hosts, 2 groups, "), "{stdout}");
    let hosts = read(tmp.path(), "hosts.toml");
    assert!(hosts.contains("\"web[01:13].example.com\""), "{hosts}");
    assert!(hosts.contains("\"db[8:11]\""), "{hosts}");
    assert!(hosts.contains("\"db-[a:c]\""), "{hosts}");
}

/// group_vars/ files beat inventory-file variables at any depth: what
/// no group can give is pinned, one host, with its reason.
#[test]
fn group_vars_files_over_deeper_inventory_vars_drop_and_pin() {
    let Some((tmp, stdout, stderr)) = import("pins") else {
        return;
    };
    assert_eq!(stdout, "2 hosts, 3 groups, 4 values identical\n");
    assert!(
        stderr.contains(
            "strata: dropped group `child`'s `x`: Ansible resolves group `parent`'s value for 2 \
             hosts over group `child`'s"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "strata: pinned in host_data/ for 1 host: `y`: Ansible resolves group `other`'s \
             value, where strata would give group `child`'s value"
        ),
        "{stderr}"
    );
    assert_eq!(read(tmp.path(), "host_data/c2.toml"), "y = \"otherfile\"\n");
    assert_eq!(read(tmp.path(), "group_data/parent.toml"), "x = 2\n");
    assert!(!tmp.path().join("out/host_data/c1.toml").exists());
}

/// Several `-i`, in Ansible's order, make one inventory; the same answer
/// read with `--from-json` writes the same files.
#[test]
fn several_ansible_inventories_and_the_same_answer_from_json() {
    let Some(program) = ansible_inventory() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let cases = workspace().join("tests/import/cases");
    let sources: Vec<String> = ["nested", "ranges", "host-vars"]
        .iter()
        .map(|c| cases.join(c).display().to_string())
        .collect();
    let mut args: Vec<&str> = vec!["import", "ansible"];
    for s in &sources {
        args.extend(["-i", s]);
    }
    let direct = tmp.path().join("direct");
    let mut run = args.clone();
    run.extend([
        "--ansible-inventory",
        program.to_str().unwrap(),
        "-o",
        direct.to_str().unwrap(),
    ]);
    let out = strata(&run, tmp.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "27 hosts, 10 groups, 145 values identical\n"
    );
    // The two answers, as `--from-json` takes them.
    let answer = |extra: &[&str]| -> serde_json::Value {
        let mut cmd = Command::new(&program);
        for s in &sources {
            cmd.args(["-i", s]);
        }
        let out = cmd
            .arg("--list")
            .args(extra)
            .current_dir(tmp.path())
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let file = tmp.path().join("answer.json");
    let both = serde_json::json!({"export": answer(&["--export"]), "list": answer(&[])});
    std::fs::write(&file, both.to_string()).unwrap();
    let from_json = tmp.path().join("from-json");
    let out = strata(
        &[
            "import",
            "ansible",
            "--from-json",
            file.to_str().unwrap(),
            "-o",
            from_json.to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        !text(&out.stderr).contains("running"),
        "--from-json runs nothing"
    );
    for file in ["hosts.toml", "group_data/all.toml", "host_data/app1.toml"] {
        assert_eq!(
            std::fs::read_to_string(direct.join(file)).unwrap(),
            std::fs::read_to_string(from_json.join(file)).unwrap(),
            "{file}"
        );
    }
}

/// A changed value in the written inventory is a difference, named with
/// the host, the key, both values and strata's origin; exit 1.
#[test]
fn check_finds_a_changed_value_and_names_its_origin() {
    let Some(program) = ansible_inventory() else {
        return;
    };
    let Some((tmp, _, _)) = import("atlanta") else {
        return;
    };
    let out_dir = tmp.path().join("out");
    std::fs::write(
        out_dir.join("group_data/atlanta.toml"),
        "ntp_server = \"changed\"\nempty = \"\"\n",
    )
    .unwrap();
    let source = workspace().join("tests/import/cases/atlanta");
    let out = strata(
        &[
            "import",
            "ansible",
            "-i",
            source.to_str().unwrap(),
            "--ansible-inventory",
            program.to_str().unwrap(),
            "-o",
            out_dir.to_str().unwrap(),
            "--check",
        ],
        tmp.path(),
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout
            .contains("host1: ntp_server: tool \"ntp.all.example.com\", strata \"changed\" (from "),
        "{stdout}"
    );
    assert!(stdout.contains("group_data/atlanta.toml:1:1"), "{stdout}");
    assert!(stdout.contains("2 differences ("), "{stdout}");
}

/// Killed while Ansible runs, import leaves no DIR.
#[cfg(unix)]
#[test]
fn a_killed_import_leaves_no_folder() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let slow = tmp.path().join("slow-ansible-inventory");
    std::fs::write(&slow, "#!/bin/sh\nexec sleep 5\n").unwrap();
    std::fs::set_permissions(&slow, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out_dir = tmp.path().join("out");
    let mut child = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args([
            "import",
            "ansible",
            "-i",
            "inventory.ini",
            "--ansible-inventory",
            slow.to_str().unwrap(),
            "-o",
            out_dir.to_str().unwrap(),
        ])
        .current_dir(tmp.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(700));
    assert!(
        child.try_wait().unwrap().is_none(),
        "import is still running"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!out_dir.exists());
    let left: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["slow-ansible-inventory"]);
}

/// `-i` is repeatable only for `import ansible`.
#[test]
fn several_inventories_are_for_import_only() {
    let out = strata(&["-i", "a", "-i", "b", "hosts"], &workspace());
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("more than once"));
    let out = strata(
        &["-i", "a", "import", "pyinfra", "inventory.py", "-o", "x"],
        &workspace(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("takes the inventory file as its argument, not -i"));
}

// -- Inventories nobody wrote for strata ------------------------------------
//
// The public Ansible inventories of `tests/import/public/` (each with its
// licence and its source), the adversarial one of `tests/import/traps/`,
// other forms `ansible-inventory -i` takes, and every pyinfra inventory of
// `tests/pyinfra/` plus `tests/import/pyinfra-forms/`. pyinfra's Python is
// `$STRATA_PYINFRA_PYTHON`, else `<workspace>/.venv/bin/python`; without it
// the pyinfra tests print that they skipped, unless `$CI` is set.

/// The arguments of `strata import ansible` for a corpus case (its `-i`
/// arguments listed in `inventories.txt`, relative to the case), then
/// `extra`.
fn corpus_args(case: &Path, program: &Path, out: &Path, extra: &[&str]) -> Vec<String> {
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
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

/// `strata import ansible` of a corpus case, run from an empty folder.
fn import_corpus(case: &Path, program: &Path, out: &Path, cwd: &Path, extra: &[&str]) -> Output {
    let args = corpus_args(case, program, out, extra);
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
    let Some(program) = ansible_inventory() else {
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
        let done = import_corpus(case, &program, &out, tmp.path(), &[]);
        assert_identical(name, &done, &out, tmp.path());
        // The proof again, on the written inventory, as in CI after a
        // migration: `--check` reads the tool again and writes nothing.
        let again = import_corpus(case, &program, &out, tmp.path(), &["--check"]);
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
    let Some(program) = ansible_inventory() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let case = workspace().join("tests/import/traps");
    let done = import_corpus(&case, &program, &out, tmp.path(), &[]);
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
    let Some(python) = pyinfra_python() else {
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
        let done = import_pyinfra(inventory, &python, &out, tmp.path());
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

/// `strata import pyinfra INVENTORY --python PYTHON -o OUT`, run from `cwd`.
fn import_pyinfra(inventory: &Path, python: &Path, out: &Path, cwd: &Path) -> Output {
    strata(
        &[
            "import",
            "pyinfra",
            inventory.to_str().unwrap(),
            "--python",
            python.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
        cwd,
    )
}

#[test]
fn python_values_without_a_toml_form_are_named_and_nothing_is_written() {
    let Some(python) = pyinfra_python() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let inventory = workspace().join("tests/import/pyinfra-refusals/inventory.py");
    let done = import_pyinfra(&inventory, &python, &out, tmp.path());
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
    let Some(program) = ansible_inventory() else {
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
