//! Golden-file tests of the `strata` command.
//!
//! Each directory under `tests/cases/` is one case:
//!
//! - `args`: the arguments, one per line, run from the workspace root;
//! - `cwd` (optional): a folder relative to the workspace root to run in;
//! - `env` (optional): `KEY=VALUE` lines added to the environment;
//! - `stdout`, `stderr`: the expected output;
//! - `status`: the expected exit code.
//!
//! Run with `SNAPSHOTS=overwrite` to write the current output as expected.

use std::path::{Path, PathBuf};

use snapbox::{Assert, Data};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn run_case(dir: &Path) {
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap_or_default();
    let args: Vec<String> = read("args").lines().map(str::to_string).collect();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_strata"));
    let cwd = match read("cwd").trim() {
        "" => workspace(),
        dir => workspace().join(dir),
    };
    cmd.args(&args)
        .current_dir(cwd)
        .env_remove("STRATA_INVENTORY")
        .env("NO_COLOR", "1");
    for line in read("env").lines().filter(|l| !l.is_empty()) {
        let (k, v) = line.split_once('=').expect("env lines are KEY=VALUE");
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let assert = Assert::new().action_env("SNAPSHOTS").normalize_paths(false);
    assert.eq(
        Data::from(String::from_utf8_lossy(&out.stdout).into_owned()),
        Data::read_from(&dir.join("stdout"), None),
    );
    assert.eq(
        Data::from(String::from_utf8_lossy(&out.stderr).into_owned()),
        Data::read_from(&dir.join("stderr"), None),
    );
    assert.eq(
        Data::from(format!("{}\n", out.status.code().unwrap_or(-1))),
        Data::read_from(&dir.join("status"), None),
    );
}

#[test]
fn golden_cases() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 10,
        "expected the golden cases in {}",
        root.display()
    );
    let mut failed = Vec::new();
    for case in &cases {
        if std::panic::catch_unwind(|| run_case(case)).is_err() {
            failed.push(case.file_name().unwrap().to_string_lossy().into_owned());
        }
    }
    assert!(
        failed.is_empty(),
        "golden cases failed: {failed:?} (SNAPSHOTS=overwrite to accept new output)"
    );
}
