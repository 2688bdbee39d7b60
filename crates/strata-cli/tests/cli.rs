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

/// `--format toml` writes TOML 1.0, whatever TOML 1.1 the files use (times
/// without seconds, `\e`, line breaks in inline tables): Python's tomllib,
/// a TOML 1.0 reader, reads the output of every fixture that loads, and
/// JSON gives times with their seconds, as RFC 3339 wants.
#[test]
fn toml_output_is_read_by_tomllib() {
    let mut dirs = Vec::new();
    let roots = ["tests/fixtures", "examples"].map(|r| workspace().join(r));
    for entry in roots.iter().flat_map(|r| std::fs::read_dir(r).unwrap()) {
        let dir = entry.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        for sub in std::iter::once(dir.clone()).chain(
            std::fs::read_dir(&dir)
                .into_iter()
                .flatten()
                .map(|e| e.unwrap().path()),
        ) {
            if sub.join("hosts.toml").is_file() {
                dirs.push(sub);
            }
        }
    }
    dirs.sort();
    let mut read = Vec::new();
    for dir in &dirs {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_strata"))
            .arg("-i")
            .arg(dir)
            .args(["list", "--format", "toml", "--global-data"])
            .env_remove("STRATA_INVENTORY")
            .env_remove("STRATA_ALLOW_EXEC")
            .output()
            .unwrap();
        if !out.status.success() {
            continue; // a fixture of errors
        }
        let mut python = std::process::Command::new("python3")
            .args(["-c", "import sys, tomllib; tomllib.loads(sys.stdin.read())"])
            .stdin(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("python3 (3.11 or later, for tomllib)");
        use std::io::Write;
        python.stdin.take().unwrap().write_all(&out.stdout).unwrap();
        let done = python.wait_with_output().unwrap();
        assert!(
            done.status.success(),
            "tomllib rejects `strata -i {} list --format toml`: {}\n{}",
            dir.display(),
            String::from_utf8_lossy(&done.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        read.push(dir.file_name().unwrap().to_string_lossy().into_owned());
    }
    for needed in ["datetimes", "toml-1-1"] {
        assert!(
            read.iter().any(|r| r == needed),
            "{needed} not read: {read:?}"
        );
    }
    // JSON: times with seconds.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(["-i", "tests/fixtures/toml-1-1", "host", "w2"])
        .current_dir(workspace())
        .output()
        .unwrap();
    let data: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(data["window"], "22:00:00");
    assert_eq!(data["deployed"], "1979-05-27T07:32:00Z");
    assert_eq!(data["local"], "1979-05-27T07:32:00");
    assert_eq!(data["offset"], "1979-05-27T07:32:00-07:00");
    assert_eq!(data["schedule"][1]["at"], "1979-05-28T09:45:00");
    assert_eq!(data["precise"], "07:32:05.25");
}

/// `strata completions SHELL` and `strata man`: every subcommand is in
/// each, the bash script is valid bash, and the page is a roff man page.
#[test]
fn completions_and_man_page() {
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_strata"))
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let commands = [
        "check",
        "hosts",
        "groups",
        "host",
        "explain",
        "graph",
        "ansible",
        "diff",
        "list",
        "completions",
        "man",
        "help",
    ];
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = run(&["completions", shell]);
        for c in commands {
            assert!(script.contains(c), "{shell} lacks {c}");
        }
        assert!(script.contains("inventory"), "{shell}");
    }
    let bash = run(&["completions", "bash"]);
    let check = std::process::Command::new("bash")
        .args(["-n", "-c", &bash])
        .status()
        .expect("bash");
    assert!(check.success(), "bash -n rejects the completion script");
    let page = run(&["man"]);
    assert!(page.contains(".TH strata 1"), "{page}");
    for c in commands {
        assert!(
            page.contains(&format!("strata\\-{c}")) || page.contains(c),
            "man lacks {c}"
        );
    }
    assert!(page.contains("\\-\\-allow\\-exec"), "{page}");
    // Each page strata(1) refers to exists.
    for c in commands {
        let sub = run(&["man", c]);
        assert!(sub.contains(&format!(".TH strata-{c} 1")), "{c}: {sub}");
    }
}
