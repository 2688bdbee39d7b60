//! `strata diff --base REV` in a real, temporary git repository with two
//! commits. The test runs `git` itself to build the repository; strata runs
//! it only through `strata_exec`.

#[path = "support/ci_doc.rs"]
mod ci_doc;

use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn write(dir: &Path, path: &str, text: &str) {
    let p = dir.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn strata(cwd: &Path, args: &[&str]) -> (String, String, i32) {
    let cache = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(args)
        .current_dir(cwd)
        .env_remove("STRATA_INVENTORY")
        .env_remove("STRATA_ALLOW_EXEC")
        .env("XDG_CACHE_HOME", cache.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap_or(-1),
    )
}

/// A repository whose `infra/prod` inventory changes between two commits:
/// the first has web1..web3 with `ntp = "ntp1"`, the second adds web4 and
/// moves every host to `ntp2`.
fn repository() -> tempfile::TempDir {
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    git(dir, &["init", "-q", "-b", "main"]);
    write(dir, "README", "not an inventory\n");
    write(dir, "infra/prod/hosts.toml", "web = [\"web[1:3]\"]\n");
    write(dir, "infra/prod/group_data/all.toml", "ntp = \"ntp1\"\n");
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "first"]);
    write(dir, "infra/prod/hosts.toml", "web = [\"web[1:4]\"]\n");
    write(dir, "infra/prod/group_data/all.toml", "ntp = \"ntp2\"\n");
    git(dir, &["commit", "-q", "-am", "second"]);
    repo
}

#[test]
fn base_revision_against_the_working_tree() {
    let repo = repository();
    let dir = repo.path();
    // HEAD~1 against the working tree (= HEAD): the second commit's change.
    let (out, err, code) = strata(
        dir,
        &[
            "-i",
            "infra/prod",
            "diff",
            "--base",
            "HEAD~1",
            "--format",
            "json",
        ],
    );
    assert_eq!((err.as_str(), code), ("", 0));
    assert_eq!(
        out,
        r#"{"hosts_added":["web4"],"hosts_removed":[],"groups":{"web":{"added":["web4"],"removed":[]}},"changes":[{"key":"ntp","old":"ntp1","new":"ntp2","origin":{"file":"group_data/all.toml","line":1,"column":1},"hosts":["web1","web2","web3"]}]}
"#
    );

    // HEAD against the working tree: nothing, until the tree changes.
    let (out, _, code) = strata(
        &dir.join("infra/prod"),
        &["diff", "--base", "HEAD", "--exit-code"],
    );
    assert_eq!((out.as_str(), code), ("strata diff: no differences\n", 0));
    write(dir, "infra/prod/group_data/all.toml", "ntp = \"ntp3\"\n");
    let (out, _, code) = strata(
        &dir.join("infra/prod"),
        &["diff", "--base", "HEAD", "--exit-code"],
    );
    assert_eq!(code, 1);
    assert!(out.contains("    - \"ntp2\"\n    + \"ntp3\"\n"), "{out}");
}

#[test]
fn base_side_that_does_not_load_names_the_revision() {
    let repo = repository();
    let dir = repo.path();
    write(dir, "infra/prod/hosts.toml", "web = [\"web[1:\"]\n");
    git(dir, &["commit", "-q", "-am", "broken"]);
    write(dir, "infra/prod/hosts.toml", "web = [\"web1\"]\n");
    let (out, err, code) = strata(dir, &["-i", "infra/prod", "diff", "--base", "HEAD"]);
    assert_eq!((out.as_str(), code), ("", 1));
    // The old file is shown as git shows a file at a revision.
    assert!(err.contains("HEAD:infra/prod/hosts.toml:1:"), "{err}");
    assert!(
        err.ends_with("error: the old inventory (infra/prod at HEAD) does not load: 1 error\n"),
        "{err}"
    );
}

#[test]
fn git_failures_are_usage_errors() {
    let repo = repository();
    let dir = repo.path();
    let cases: &[(&[&str], &str)] = &[
        (
            &["-i", "infra/prod", "diff", "--base", "no-such-rev"],
            "error: cannot read the inventory at `no-such-rev`: git ls-tree no-such-rev failed: ",
        ),
        (
            &["-i", "infra/prod", "diff", "--base", "--output=x"],
            "error: unexpected argument",
        ),
        (
            &["-i", "infra/prod", "diff", "--base=-x"],
            "error: cannot read the inventory at `-x`: `-x` is not a git revision",
        ),
        (
            &["-i", "infra/prod", "diff", "--base", "HEAD", "a", "b"],
            "error: the argument '--base <REV>' cannot be used with",
        ),
    ];
    for (args, want) in cases {
        let (out, err, code) = strata(dir, args);
        assert_eq!((out.as_str(), code), ("", 2), "{args:?}: {err}");
        assert!(err.starts_with(want), "{args:?}: {err}");
    }
    // An inventory that is not there at the revision.
    write(dir, "infra/new/hosts.toml", "web = [\"w1\"]\n");
    let (out, err, code) = strata(dir, &["-i", "infra/new", "diff", "--base", "HEAD"]);
    assert_eq!((out.as_str(), code), ("", 2), "{err}");
    assert_eq!(
        err,
        "error: cannot read the inventory at `HEAD`: there is no infra/new/hosts.toml at `HEAD`: \
         the inventory is not there at that revision\n"
    );
    // The export read only the inventory's folder, at the revision.
    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "hosts.toml", "web = [\"w1\"]\n");
    let (_, err, code) = strata(outside.path(), &["diff", "--base", "HEAD"]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with(
            "error: cannot read the inventory at `HEAD`: git rev-parse --show-toplevel failed: "
        ),
        "{err}"
    );
}

#[test]
fn the_documented_pull_request_job_posts_the_difference() {
    // The `run:` script of the pull-request job in docs/ci.md, run as
    // Actions runs it: from the repository root, with the base branch as
    // `origin/main` and a step summary file.
    let script = ci_doc::run_script("      - name: strata check and diff\n");
    assert!(
        script.contains("diff --base \"$BASE\" --format markdown"),
        "{script}"
    );

    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    git(dir, &["init", "-q", "-b", "main"]);
    for env in ["production", "staging"] {
        write(
            dir,
            &format!("infra/{env}/hosts.toml"),
            "web = [\"web[1:3]\"]\n",
        );
        write(
            dir,
            &format!("infra/{env}/group_data/all.toml"),
            "ntp = \"ntp1\"\n",
        );
    }
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "base"]);
    git(dir, &["update-ref", "refs/remotes/origin/main", "HEAD"]);
    write(
        dir,
        "infra/production/group_data/all.toml",
        "ntp = \"ntp2\"\n",
    );
    git(dir, &["commit", "-q", "-am", "the pull request"]);

    let summary = dir.join("summary.md");
    let out = ci_doc::bash_with_strata(&script, dir)
        .env("BASE", "origin/main")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&summary).unwrap();
    assert_eq!(
        text,
        "#### infra/production
### strata diff

| | |
|---|---:|
| hosts added | 0 |
| hosts removed | 0 |
| groups with changed members | 0 |
| changed values | 1 |
| hosts with changed values | 3 |

| key | old | new | from | hosts |
|---|---|---|---|---|
| `ntp` | `\"ntp1\"` | `\"ntp2\"` | `group_data/all.toml:1:1 (global file)` | 3: `web1`, `web2`, `web3` |

#### infra/staging
### strata diff

No differences in the resolved inventory.

"
    );
}

/// `git`'s stdout, trimmed, with `stdin` fed to it.
fn git_out(dir: &Path, args: &[&str], stdin: &[u8]) -> String {
    use std::io::Write;
    let mut child = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "git {args:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// A tree object of `entries` (mode, name, object), written as given:
/// `git mktree --missing` keeps a name twice, or a link beside a folder of
/// the same name, which `git add` refuses and a clone delivers.
fn mktree(dir: &Path, entries: &[(&str, &str, &str)]) -> String {
    let text: String = entries
        .iter()
        .map(|(mode, name, oid)| {
            let kind = if *mode == "040000" { "tree" } else { "blob" };
            format!("{mode} {kind} {oid}\t{name}\n")
        })
        .collect();
    git_out(dir, &["mktree", "--missing"], text.as_bytes())
}

fn blob(dir: &Path, data: &str) -> String {
    git_out(dir, &["hash-object", "-w", "--stdin"], data.as_bytes())
}

/// Issue 19, item 1: an old revision whose tree holds a link to a file
/// outside and then a file of the same name, or a link and a file "under"
/// it, writes nothing outside the export; the export is refused.
#[test]
fn a_hostile_tree_writes_nothing_outside() {
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("victim.toml");
    std::fs::write(&victim, "untouched\n").unwrap();
    let repo = repository();
    let dir = repo.path();
    let hosts = blob(dir, "web = [\"web1\"]\n");
    let pwned = blob(dir, "pwned = true\n");
    let to_victim = blob(dir, victim.to_str().unwrap());
    let to_outside = blob(dir, outside.path().to_str().unwrap());
    let sub = mktree(dir, &[("100644", "pwned.toml", &pwned)]);
    let trees = [
        // `x` twice: a link to the victim, then a file.
        mktree(
            dir,
            &[
                ("100644", "hosts.toml", &hosts),
                ("120000", "x.toml", &to_victim),
                ("100644", "x.toml", &pwned),
            ],
        ),
        // `host_data` a link to the outside folder, and `host_data/pwned.toml`.
        mktree(
            dir,
            &[
                ("100644", "hosts.toml", &hosts),
                ("120000", "host_data", &to_outside),
                ("040000", "host_data", &sub),
            ],
        ),
        // `host_data/x.toml` twice, a link then a file, where strata reads.
        mktree(
            dir,
            &[
                ("100644", "hosts.toml", &hosts),
                (
                    "040000",
                    "host_data",
                    &mktree(
                        dir,
                        &[
                            ("120000", "x.toml", &to_victim),
                            ("100644", "x.toml", &pwned),
                        ],
                    ),
                ),
            ],
        ),
    ];
    for tree in trees {
        let top = mktree(dir, &[("040000", "prod", &tree)]);
        let top = mktree(dir, &[("040000", "infra", &top)]);
        let commit = git_out(dir, &["commit-tree", &top, "-m", "hostile"], b"");
        let (_, err, code) = strata(dir, &["-i", "infra/prod", "diff", "--base", &commit]);
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched\n");
        let names: Vec<_> = std::fs::read_dir(outside.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["victim.toml"], "{err}");
        // Refused where the export meets the duplicate; a link strata would
        // not read anyway is simply not exported.
        assert!(code == 2 || code == 0, "{code}: {err}");
        if code == 2 {
            assert!(err.contains("twice"), "{err}");
        }
    }
}

/// Issue 19, item 2: a file strata reads is refused by its size from git's
/// listing, before git or strata inflates it; a file strata never reads is
/// not fetched at all.
#[test]
fn big_files_are_refused_or_never_fetched() {
    let repo = repository();
    let dir = repo.path();
    let big = "0".repeat(65 * 1024 * 1024);
    write(dir, "infra/prod/exports/big.bin", &big);
    git(dir, &["add", "-A"]);
    git(
        dir,
        &["commit", "-q", "-m", "a big file strata never reads"],
    );
    let (out, err, code) = strata(dir, &["-i", "infra/prod", "diff", "--base", "HEAD"]);
    assert_eq!(
        (out.as_str(), err.as_str(), code),
        ("strata diff: no differences\n", "", 0)
    );
    write(dir, "infra/prod/host_data/web1.toml", &big);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "a big file strata reads"]);
    let (_, err, code) = strata(dir, &["-i", "infra/prod", "diff", "--base", "HEAD"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!(
            "infra/prod/host_data/web1.toml is {} bytes at `HEAD`, over the limit of 67108864 bytes (64 MiB)",
            big.len()
        )),
        "{err}"
    );
}

/// Issue 19, item 3: an old revision's command source runs as it ran then:
/// its script keeps its executable bit, and the files beside it (here the
/// value it prints) are exported with it.
#[cfg(unix)]
#[test]
fn an_old_command_source_runs_with_its_mode_and_folder() {
    use std::os::unix::fs::PermissionsExt;
    let repo = repository();
    let dir = repo.path();
    write(
        dir,
        "infra/prod/sources/cmdb.toml",
        "command = [\"./scripts/s.sh\", \"--list\"]\n",
    );
    write(
        dir,
        "infra/prod/scripts/s.sh",
        "#!/bin/sh\nprintf '{\"web\": {\"hosts\": [\"web1\"], \"vars\": {\"v\": \"%s\"}}}' \"$(cat scripts/value.txt)\"\n",
    );
    let script = dir.join("infra/prod/scripts/s.sh");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    write(dir, "infra/prod/scripts/value.txt", "one");
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "a command source"]);
    write(dir, "infra/prod/scripts/value.txt", "two");
    let (out, err, code) = strata(
        dir,
        &[
            "--allow-exec",
            "-i",
            "infra/prod",
            "diff",
            "--base",
            "HEAD",
            "--format",
            "json",
        ],
    );
    assert_eq!((err.as_str(), code), ("", 0), "{out}");
    assert!(
        out.contains(r#"{"key":"v","old":"one","new":"two","#),
        "{out}"
    );
}

#[test]
fn the_base_side_reads_strata_toml() {
    // Issue 24: merge strategies live in strata.toml; the revision's copy
    // is exported with the rest, so an unchanged inventory has no
    // difference (without it, the old side's `pkgs` would not merge).
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    git(dir, &["init", "-q", "-b", "main"]);
    write(dir, "inv/hosts.toml", "web = [\"w1\"]\n");
    write(dir, "inv/strata.toml", "[merge]\npkgs = \"unique\"\n");
    write(dir, "inv/group_data/all.toml", "pkgs = [\"a\"]\n");
    write(dir, "inv/group_data/web.toml", "pkgs = [\"b\"]\n");
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "first"]);
    let (out, err, code) = strata(dir, &["-i", "inv", "diff", "--base", "HEAD", "--exit-code"]);
    assert_eq!(
        (out.as_str(), err.as_str(), code),
        ("strata diff: no differences\n", "", 0)
    );
    write(dir, "inv/strata.toml", "[merge]\n");
    let (out, _, code) = strata(dir, &["-i", "inv", "diff", "--base", "HEAD", "--exit-code"]);
    assert_eq!(code, 1, "{out}");
}

#[test]
fn base_revision_reports_merged_contributions_and_strategy_changes() {
    // strata.toml travels with the old side: a merged value's change is
    // told by the contribution that changed, and a strategy edited in the
    // working tree by the hosts whose values it changes.
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    git(dir, &["init", "-q", "-b", "main"]);
    write(
        dir,
        "inv/hosts.toml",
        "web = [\"w1\", \"w2\"]\ndb = [\"d1\"]\n",
    );
    write(dir, "inv/strata.toml", "[merge]\npackages = \"unique\"\n");
    write(
        dir,
        "inv/group_data/all.toml",
        "packages = [\"htop\"]\nrules = [\"22\"]\n",
    );
    write(
        dir,
        "inv/group_data/web.toml",
        "packages = [\"nginx\"]\nrules = [\"80\"]\n",
    );
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "first"]);
    write(
        dir,
        "inv/group_data/all.toml",
        "packages = [\"htop\", \"git\"]\nrules = [\"22\"]\n",
    );
    write(
        dir,
        "inv/strata.toml",
        "[merge]\npackages = \"unique\"\nrules = \"unique\"\n",
    );
    let (out, err, code) = strata(dir, &["-i", "inv", "diff", "--base", "HEAD"]);
    assert_eq!((err.as_str(), code), ("", 0));
    let want = "
merged values: what changed, with every host it reaches
  rules: merge strategy first -> unique (strata.toml:3:9)
      on 2 hosts: w1, w2
  + packages[2] = \"git\", from group_data/all.toml:1:21 (global file)
      on 2 hosts: w1, w2
  + rules[1] = \"22\", from group_data/all.toml:2:10 (global file)
      on 2 hosts: w1, w2
strata diff: 0 hosts added, 0 removed, 0 groups with changed members, 3 changes on 3 hosts
";
    assert!(out.ends_with(want), "{out}");
    // d1 has no merged packages (one layer): a plain change, no pieces.
    assert!(
        out.contains("~ packages: changed\n    - [\"htop\"]\n    + [\"htop\", \"git\"]\n    from group_data/all.toml:1:1 (global file)\n    on 1 host: d1\n"),
        "{out}"
    );
}
