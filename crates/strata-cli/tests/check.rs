//! Golden files for `strata check`, one case directory per diagnostic code.
//!
//! `tests/check/<code>/inventory/` holds the inventory; `human` is the
//! expected stderr of `strata check --color never`, `json` the expected
//! stdout of `strata check --format json`, `status` the exit code. Cases
//! that need what git cannot store (a huge file, a dangling or outward
//! symbolic link, bytes that are not UTF-8, a FIFO) are set up at run time
//! in a copy of the inventory. `SNAPSHOTS=overwrite` accepts new output.

#[path = "support/ci_doc.rs"]
mod ci_doc;
#[path = "support/copy_tree.rs"]
mod copy_tree_support;
use copy_tree_support::copy_tree;

use std::path::{Path, PathBuf};
use std::process::Command;

use snapbox::{Assert, Data};

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/check")
}

/// What the case needs beyond its committed files; `work` holds `inventory/`.
fn setup(code: &str, work: &Path) {
    let inv = work.join("inventory");
    let mkdir = |d: &str| std::fs::create_dir_all(inv.join(d)).unwrap();
    match code {
        "file_too_large" => {
            mkdir("host_data");
            // Sparse: refused by its size, never read.
            let f = std::fs::File::create(inv.join("host_data/w1.toml")).unwrap();
            f.set_len(strata::MAX_FILE_SIZE + 1).unwrap();
        }
        "not_utf8" => {
            mkdir("host_data");
            std::fs::write(
                inv.join("host_data/w1.toml"),
                b"port = 80\nname = \"caf\xe9\"\n",
            )
            .unwrap();
        }
        "symlink_outside_root" => {
            mkdir("group_data");
            std::fs::write(work.join("secrets.toml"), "password = \"hunter2\"\n").unwrap();
            symlink(&work.join("secrets.toml"), &inv.join("group_data/web.toml"));
        }
        "unreadable_file" => {
            mkdir("group_data");
            symlink(
                &inv.join("group_data/missing.toml"),
                &inv.join("group_data/web.toml"),
            );
        }
        "source_cache" => {
            // The entry strata reads for sources/cmdb.toml, damaged: a
            // length that once made strata panic.
            let argv = ["./scripts/cmdb.sh".to_string(), "--list".to_string()];
            let root = inv.canonicalize().unwrap();
            let entry =
                strata_exec::CacheEntry::new(&work.join("cache/strata"), &root, "cmdb", &argv);
            std::fs::create_dir_all(entry.path().parent().unwrap()).unwrap();
            std::fs::write(entry.path(), "18446744073709551615\nx\n").unwrap();
        }
        _ => {}
    }
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

fn strata(work: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_strata"))
        .current_dir(work)
        .args(["-i", "inventory", "check"])
        .args(args)
        .env_remove("STRATA_INVENTORY")
        .env_remove("STRATA_ALLOW_EXEC")
        .env("XDG_CACHE_HOME", work.join("cache"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// Arguments a case needs beyond `check` (kept in step with
/// scripts/diagnostics-examples.py): a failing command must be allowed to run.
fn case_args(code: &str) -> &'static [&'static str] {
    match code {
        "source_failed" => &["--allow-exec"],
        "ansible_name" | "reserved_host_name" => &["--ansible"],
        _ => &[],
    }
}

fn run_case(dir: &Path) {
    let code = dir.file_name().unwrap().to_str().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&dir.join("inventory"), &tmp.path().join("inventory"));
    setup(code, tmp.path());

    let extra = case_args(code);
    let human = strata(tmp.path(), &[extra, &["--color", "never"]].concat());
    let json = strata(tmp.path(), &[extra, &["--format", "json"]].concat());
    let assert = Assert::new().action_env("SNAPSHOTS").normalize_paths(false);
    assert.eq(
        Data::from(String::from_utf8_lossy(&human.stderr).into_owned()),
        Data::read_from(&dir.join("human"), None),
    );
    assert.eq(
        Data::from(String::from_utf8_lossy(&json.stdout).into_owned()),
        Data::read_from(&dir.join("json"), None),
    );
    assert.eq(
        Data::from(format!("{}\n", json.status.code().unwrap_or(-1))),
        Data::read_from(&dir.join("status"), None),
    );
    assert_eq!(
        human.status.code(),
        json.status.code(),
        "{code}: the format does not change the verdict"
    );

    // The case shows its own code, and every diagnostic names a file.
    let items: Vec<serde_json::Value> = serde_json::from_slice(&json.stdout).unwrap();
    let want = format!("strata::{code}");
    assert!(
        items.iter().any(|i| i["code"] == want.as_str()),
        "{code}: no {want} in {items:?}"
    );
    for i in &items {
        assert!(
            i["file"].is_string()
                && i["line"].as_u64() >= Some(1)
                && i["column"].as_u64() >= Some(1),
            "{code}: {i}"
        );
    }
    // The human report names the file and shows the labelled line.
    let stderr = String::from_utf8_lossy(&human.stderr);
    let first = items.iter().find(|i| i["code"] == want.as_str()).unwrap();
    let place = format!(
        "{}:{}:{}",
        first["file"].as_str().unwrap(),
        first["line"],
        first["column"]
    );
    if code == "missing_hosts_file" {
        // A file that does not exist has no line: the message names it.
        assert!(stderr.contains("no hosts.toml in inventory"), "{stderr}");
        assert!(
            !stderr.contains(&place),
            "a line of a missing file: {stderr}"
        );
    } else {
        assert!(stderr.contains(&place), "{code}: {place} not in\n{stderr}");
    }
}

#[test]
fn one_golden_case_per_code() {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let names: Vec<String> = dirs
        .iter()
        .map(|d| d.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for code in strata::Code::ALL {
        let name = code.as_str().trim_start_matches("strata::");
        assert!(
            names.iter().any(|n| n == name),
            "no golden case tests/check/{name}/"
        );
    }
    let mut failed = Vec::new();
    for dir in &dirs {
        if std::panic::catch_unwind(|| run_case(dir)).is_err() {
            failed.push(dir.file_name().unwrap().to_string_lossy().into_owned());
        }
    }
    assert!(
        failed.is_empty(),
        "check cases failed: {failed:?} (SNAPSHOTS=overwrite to accept new output)"
    );
}

#[test]
fn strict_fails_on_warnings_and_github_annotates() {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(
        &cases_dir().join("empty_group/inventory"),
        &tmp.path().join("inventory"),
    );
    assert_eq!(strata(tmp.path(), &[]).status.code(), Some(0));
    assert_eq!(strata(tmp.path(), &["--strict"]).status.code(), Some(1));
    let gh = strata(tmp.path(), &["--format", "github"]);
    let text = String::from_utf8_lossy(&gh.stdout);
    assert!(
        text.lines().any(|l| l.starts_with("::warning file=inventory/hosts.toml,line=2,col=1,title=strata%3A%3Aempty_group::group `staging` has no hosts")),
        "{text}"
    );
}

#[test]
fn a_symlink_to_a_fifo_outside_is_rejected_without_reading_it() {
    // Opening a FIFO for reading blocks until a writer comes: if strata
    // followed the link, this test would hang instead of finishing.
    let tmp = tempfile::tempdir().unwrap();
    let inv = tmp.path().join("inventory");
    std::fs::create_dir_all(inv.join("group_data")).unwrap();
    std::fs::create_dir_all(inv.join("host_data")).unwrap();
    std::fs::write(inv.join("hosts.toml"), "web = [\"w1\"]\n").unwrap();
    let fifo = tmp.path().join("outside.fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    symlink(&fifo, &inv.join("group_data/web.toml"));
    // A FIFO inside the root is not opened either.
    assert!(
        Command::new("mkfifo")
            .arg(inv.join("host_data/w1.toml"))
            .status()
            .unwrap()
            .success()
    );
    let out = strata(tmp.path(), &["--format", "json"]);
    let items: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = items.iter().map(|i| i["code"].as_str().unwrap()).collect();
    assert_eq!(
        codes,
        ["strata::symlink_outside_root", "strata::unreadable_file"],
        "{items:?}"
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_missing_hosts_file_in_a_named_directory_is_a_diagnostic() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("inventory")).unwrap();
    let out = strata(tmp.path(), &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let items: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(items[0]["code"], "strata::missing_hosts_file");
    assert_eq!(items[0]["file"], "inventory/hosts.toml");
    assert_eq!(items[0]["inventory_file"], "hosts.toml");
}

#[test]
fn documented_examples_are_the_golden_output() {
    // docs/diagnostics.md shows each case's output; the script that writes
    // those examples finds no difference.
    let status = Command::new("python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/diagnostics-examples.py"))
        .arg("--check")
        .env("STRATA_BIN", env!("CARGO_BIN_EXE_strata"))
        .status()
        .unwrap();
    assert!(
        status.success(),
        "docs/diagnostics.md differs from the golden output: run scripts/diagnostics-examples.py"
    );
}

#[test]
fn every_code_is_documented() {
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/diagnostics.md"),
    )
    .unwrap();
    for code in strata::Code::ALL {
        assert!(
            doc.contains(&format!("### {}", code.as_str())),
            "docs/diagnostics.md lacks a section for {code}"
        );
    }
}

#[test]
fn the_documented_github_recipe_annotates_files_from_the_repository_root() {
    // The `run:` script of docs/ci.md, run as Actions runs it: from the
    // repository root, with two inventories that each have a warning.
    let script = ci_doc::run_script("        run: |\n");
    assert!(script.contains("--format github"), "{script}");

    let repo = tempfile::tempdir().unwrap();
    for (env, group) in [("production", "web"), ("staging", "db")] {
        let inv = repo.path().join("infra").join(env);
        std::fs::create_dir_all(inv.join("group_data")).unwrap();
        std::fs::write(inv.join("hosts.toml"), format!("{group} = [\"h1\"]\n")).unwrap();
        // A misnamed group file: its data would silently not apply.
        std::fs::write(inv.join("group_data/webb.toml"), "app_workers = 4\n").unwrap();
    }
    let out = ci_doc::bash_with_strata(&script, repo.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "--strict fails on the warnings");
    let text = String::from_utf8_lossy(&out.stdout);
    for env in ["production", "staging"] {
        let want = format!(
            "::warning file=infra/{env}/group_data/webb.toml,line=1,col=1,title=strata%3A%3Aunknown_group_file::"
        );
        assert!(
            text.lines().any(|l| l.starts_with(&want)),
            "{want} not in\n{text}"
        );
    }
}

/// docs/ci.md recommends `check --strict`: every shipped example passes it,
/// the pyinfra-only ones (connectors) included, since Ansible's rules apply
/// only with `--ansible`.
#[test]
fn every_example_passes_a_strict_check() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut roots = Vec::new();
    let mut stack = vec![examples];
    while let Some(dir) = stack.pop() {
        if dir.join("hosts.toml").is_file() {
            roots.push(dir);
            continue;
        }
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            }
        }
    }
    assert!(roots.len() >= 5, "examples found: {roots:?}");
    for root in roots {
        let out = Command::new(env!("CARGO_BIN_EXE_strata"))
            .args(["-i", root.to_str().unwrap(), "check", "--strict"])
            .env("NO_COLOR", "1")
            .env_remove("STRATA_ALLOW_EXEC")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}: {}",
            root.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
