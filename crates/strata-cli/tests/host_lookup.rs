//! `strata host NAME` looks NAME's host file up directly instead of listing
//! `host_data/` (docs/cli.md, "What is read"). Its answer must be exactly
//! that host's entry in `strata list --format json`, for every host of
//! every inventory at hand, and the direct lookup must keep the listing's
//! rules: connector hosts' sub-directories, and symbolic links leading out
//! of the inventory refused.

#[path = "support/gen_py.rs"]
mod gen_py_support;
use gen_py_support::gen_py;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Runs `strata ARGS` in process: (exit code, stdout, stderr).
fn strata(args: &[&str]) -> (u8, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let env = strata_cli::Env {
        cwd: Some(workspace()),
        ..Default::default()
    };
    let argv = std::iter::once("strata").chain(args.iter().copied());
    let code = strata_cli::run(argv, &mut out, &mut err, &env);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

/// For every host of the inventory at `inv` (which must load), `host NAME
/// --format json` is its `data` in `list --format json`, and warns of
/// nothing `list` does not. With `sample`, the first hosts and one in ten
/// after them. Returns the number of hosts checked.
fn host_equals_list_entry(inv: &Path, sample: bool) -> usize {
    let inv = inv.to_str().unwrap();
    let (code, list, list_err) = strata(&["-i", inv, "list", "--format", "json"]);
    assert_eq!(code, 0, "{inv}: list failed: {list_err}");
    let list: Value = serde_json::from_str(&list).unwrap();
    let hosts = list["hosts"].as_array().unwrap();
    let mut checked = 0;
    for (i, entry) in hosts.iter().enumerate() {
        if sample && i >= 100 && i % 10 != 0 {
            continue;
        }
        checked += 1;
        let name = entry["name"].as_str().unwrap();
        let (code, data, err) = strata(&["-i", inv, "host", name, "--format", "json"]);
        assert_eq!(code, 0, "{inv}: host {name}: {err}");
        let data: Value = serde_json::from_str(&data).unwrap();
        assert_eq!(data, entry["data"], "{inv}: host {name}");
        for line in err.lines() {
            assert!(
                list_err.lines().any(|l| l == line),
                "{inv}: host {name} warns of what list does not: {line}"
            );
        }
    }
    checked
}

/// Every inventory of examples/ and every fixture that loads (the two of
/// over a thousand hosts sampled).
#[test]
fn host_is_its_list_entry_in_every_example_and_fixture() {
    let mut roots = Vec::new();
    for dir in ["examples", "tests/fixtures"] {
        for entry in fs::read_dir(workspace().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.join("hosts.toml").is_file() {
                roots.push(path);
            } else if path.is_dir() {
                // examples/multi-env/{production,staging}
                for sub in fs::read_dir(&path).unwrap() {
                    let sub = sub.unwrap().path();
                    if sub.join("hosts.toml").is_file() {
                        roots.push(sub);
                    }
                }
            }
        }
    }
    roots.sort();
    let mut checked = Vec::new();
    for root in &roots {
        let inv = root.to_str().unwrap();
        if strata(&["-i", inv, "list", "--format", "json"]).0 != 0 {
            continue; // a fixture of errors
        }
        let n = host_equals_list_entry(root, true);
        checked.push(format!("{} ({n} hosts)", root.display()));
    }
    for example in [
        "basic",
        "cmdb-file",
        "connectors",
        "multi-env/production",
        "multi-env/staging",
    ] {
        assert!(
            checked
                .iter()
                .any(|c| c.contains(&format!("examples/{example} "))),
            "examples/{example} was not checked: {checked:?}"
        );
    }
    assert!(checked.len() >= 10, "{checked:?}");
}

/// A generated inventory of gen.py's shape (`bench/gen.py`):
/// `n` hosts, `n / 100` (at least 10) groups written as arrays, each host
/// in 2 or 3 groups, group files of 8 keys, host files of 4 or 5 keys.
fn generate(n: usize, out: &Path) {
    let groups = (n / 100).max(10);
    let mut seed: u64 = 1;
    let mut next = |below: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) as usize) % below
    };
    let mut members: Vec<Vec<String>> = vec![Vec::new(); groups];
    fs::create_dir_all(out.join("host_data")).unwrap();
    fs::create_dir_all(out.join("group_data")).unwrap();
    for h in 0..n {
        let name = format!("h{h:07}.example.com");
        let k = 2 + next(2);
        let mut mine: Vec<usize> = Vec::new();
        while mine.len() < k {
            let g = next(groups);
            if !mine.contains(&g) {
                mine.push(g);
            }
        }
        for g in mine {
            members[g].push(format!("\"{name}\""));
        }
        let tier = if h % 5 == 0 { "tier = 9\n" } else { "" };
        fs::write(
            out.join("host_data").join(format!("{name}.toml")),
            format!(
                "app_port = {}\nip = \"10.0.{}.{}\"\nrack = \"r{}\"\n{tier}tags = [\"a\", \"t{}\"]\n",
                8000 + h % 1000,
                h >> 8 & 255,
                h & 255,
                h % 40,
                h % 3
            ),
        )
        .unwrap();
    }
    let mut hosts = String::from("# generated: every top-level array is a group\n");
    for (g, m) in members.iter().enumerate() {
        hosts.push_str(&format!("g{g:04} = [{}]\n", m.join(", ")));
        fs::write(
            out.join("group_data").join(format!("g{g:04}.toml")),
            format!(
                "app_env = \"{}\"\napp_workers = {}\ntier = {}\ndb_host = \"db{}.internal\"\ndb_port = 5432\nonly_g{g:04} = true\nlimits = {{ cpu = {}, mem = \"{}G\" }}\nratio = {:?}\n",
                if g % 2 == 1 { "production" } else { "staging" },
                g % 16 + 1,
                g % 3,
                g % 7,
                g % 8,
                g % 32,
                g as f64 / 10.0
            ),
        )
        .unwrap();
    }
    fs::write(out.join("hosts.toml"), hosts).unwrap();
    fs::write(
        out.join("group_data/all.toml"),
        "ssh_user = \"deploy\"\nssh_port = 22\nenv = \"prod\"\nntp = [\"a.ntp\", \"b.ntp\"]\ntier = 0\n",
    )
    .unwrap();
}

#[test]
fn host_is_its_list_entry_in_a_generated_inventory() {
    let dir = tempfile::tempdir().unwrap();
    generate(300, dir.path());
    assert_eq!(host_equals_list_entry(dir.path(), false), 300);
}

/// The benchmarks' own generator's content (`bench/gen.py`).
#[test]
fn host_is_its_list_entry_in_a_gen_py_inventory() {
    let out = gen_py(300);
    assert_eq!(
        host_equals_list_entry(&out.path().join("strata"), false),
        300
    );
}

#[cfg(unix)]
#[test]
fn the_lookup_keeps_the_listing_rules() {
    use std::os::unix::fs::symlink;
    let parent = tempfile::tempdir().unwrap();
    let root = parent.path().join("inv");
    let outside = parent.path().join("outside");
    fs::create_dir_all(root.join("host_data/@ssh")).unwrap();
    fs::create_dir_all(root.join("common")).unwrap();
    fs::create_dir_all(&outside).unwrap();
    fs::write(
        root.join("hosts.toml"),
        "web = [\"w1\", \"w2\", \"w3\", \"@ssh/10.0.0.5\"]\n",
    )
    .unwrap();
    fs::write(root.join("host_data/w1.toml"), "port = 8001\n").unwrap();
    fs::write(outside.join("secret.toml"), "secret = \"SECRET\"\n").unwrap();
    symlink(outside.join("secret.toml"), root.join("host_data/w2.toml")).unwrap();
    fs::write(root.join("common/w3.toml"), "port = 8003\n").unwrap();
    symlink("../common/w3.toml", root.join("host_data/w3.toml")).unwrap();
    fs::write(root.join("host_data/@ssh/10.0.0.5.toml"), "port = 22\n").unwrap();
    let inv = root.to_str().unwrap();

    // A connector host's file is in a sub-directory.
    let (code, out, err) = strata(&["-i", inv, "host", "@ssh/10.0.0.5"]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap()["port"], 22);

    // A link inside the inventory is read.
    let (code, out, err) = strata(&["-i", inv, "host", "w3"]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap()["port"], 8003);

    // A link leading outside is refused, as by `list`, and none of its text
    // is printed.
    for args in [&["host", "w2"][..], &["list"][..]] {
        let mut argv = vec!["-i", inv];
        argv.extend(args);
        let (code, out, err) = strata(&argv);
        assert_eq!(code, 1, "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}: {out}");
        assert!(
            err.contains("strata::symlink_outside_root") && err.contains("host_data/w2.toml"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("SECRET"), "{args:?}: {err}");
    }

    // Another host's link is not `host w1`'s concern.
    let (code, out, err) = strata(&["-i", inv, "host", "w1"]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap()["port"], 8001);

    // Nor when host_data/@ssh is itself a link leading outside: `host w1`
    // does not go there, `host @ssh/10.0.0.5` does.
    fs::remove_dir_all(root.join("host_data/@ssh")).unwrap();
    fs::remove_file(root.join("host_data/w2.toml")).unwrap();
    fs::create_dir_all(outside.join("ssh")).unwrap();
    fs::write(outside.join("ssh/10.0.0.5.toml"), "secret = \"SECRET\"\n").unwrap();
    symlink(outside.join("ssh"), root.join("host_data/@ssh")).unwrap();
    let (code, _, err) = strata(&["-i", inv, "host", "w1"]);
    assert_eq!((code, err.as_str()), (0, ""));
    let (code, out, err) = strata(&["-i", inv, "host", "@ssh/10.0.0.5"]);
    assert_eq!(code, 1, "{err}");
    assert!(out.is_empty());
    assert!(
        err.contains("strata::symlink_outside_root") && err.contains("host_data/@ssh"),
        "{err}"
    );
    assert!(!err.contains("SECRET"), "{err}");
}
