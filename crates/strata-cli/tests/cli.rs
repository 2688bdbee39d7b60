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

/// Terminal escapes in what git would rather not store: a folder name with
/// ESC and an OSC title sequence, shown in every path of every human output
/// (diagnostics in full and as one line, origins, explain). The golden
/// cases `escapes-*` cover keys, values, names and file contents.
#[test]
fn escapes_in_paths_never_reach_the_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let inv = tmp.path().join("inv\u{1b}]0;pwned\u{7}\u{1b}[2J");
    std::fs::create_dir_all(inv.join("host_data")).unwrap();
    std::fs::create_dir_all(inv.join("group_data")).unwrap();
    std::fs::write(inv.join("hosts.toml"), "web = [\"w1\"]\n").unwrap();
    std::fs::write(inv.join("group_data/web.toml"), "port = 1\n").unwrap();
    std::fs::write(inv.join("host_data/nohost.toml"), "x = 1\n").unwrap();
    // A side of a diff that does not load: its label is a path too.
    let broken = tmp.path().join("broken\u{1b}]0;pwned\u{7}");
    std::fs::create_dir_all(&broken).unwrap();
    std::fs::write(broken.join("hosts.toml"), "web = [\n").unwrap();
    let commands: [&[&str]; 6] = [
        &["check"],
        &["hosts"],
        &["graph", "--vars"],
        &["explain", "w1"],
        &["host", "w1", "--show-origin"],
        &[
            "diff",
            "inv\u{1b}]0;pwned\u{7}\u{1b}[2J",
            "broken\u{1b}]0;pwned\u{7}",
        ],
    ];
    let name = inv.file_name().unwrap();
    for args in commands {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_strata"))
            .arg("-i")
            .arg(name)
            .args(args)
            .current_dir(tmp.path())
            .env_remove("STRATA_INVENTORY")
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            let text = String::from_utf8_lossy(bytes);
            assert!(
                !text.chars().any(|c| c.is_control() && c != '\n'),
                "{args:?} {stream}: {text:?}"
            );
        }
        // The paths are shown, escaped, where the command shows them.
        let all = String::from_utf8_lossy(&out.stderr).into_owned()
            + &String::from_utf8_lossy(&out.stdout);
        if args[0] != "hosts" {
            assert!(all.contains("\\u{1b}]0;pwned\\u{7}"), "{args:?}: {all}");
        }
    }
}
