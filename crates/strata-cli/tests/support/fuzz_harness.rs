//! The fuzz harness, shared by the cargo-fuzz targets in `fuzz/` and by
//! `tests/fuzz_regressions.rs`, which replays every file of
//! `fuzz/regressions/<target>/` through it. Both include this file with
//! `#[path]`, so a regression test runs exactly what the fuzzer ran.
//!
//! Each function runs `strata_cli::run` (the code path of the `strata`
//! binary) with in-memory writers and asserts what must hold whatever the
//! input: no panic, exit code 0, 1 or 2, and machine-readable output that
//! parses. A failed assertion is a panic, which the fuzzer reports as a crash.

#![allow(dead_code)]

use std::ffi::OsString;
use std::fs;
use std::os::unix::ffi::OsStringExt;
use std::path::{Path, PathBuf};

/// The byte that separates the parts of an input: NUL never appears in a
/// valid TOML file, so the seeds stay readable and the parts stay apart.
pub const SEPARATOR: u8 = 0;

/// A part that starts with this byte is written without it, after
/// [`WIDE`] spaces: every diagnostic on its first line then has a column
/// past 65,535 (which once panicked miette's renderer), beyond what a
/// fuzzer's few-kilobyte inputs reach by themselves.
pub const WIDEN: u8 = 1;
/// The indentation [`WIDEN`] adds.
pub const WIDE: usize = 70_000;

/// The name of the group_data file when hosts.toml names no usable group.
pub const FALLBACK_GROUP: &str = "web";
/// The name of the host_data file when hosts.toml names no usable host.
pub const FALLBACK_HOST: &str = "w1";

/// A fresh directory under `$TMPDIR/strata-fuzz/` for this process (the
/// fuzz targets reuse one for every input).
pub fn process_dir(target: &str) -> PathBuf {
    let dir = std::env::temp_dir()
        .join("strata-fuzz")
        .join(format!("{target}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("create the fuzz directory");
    dir
}

/// One run of `strata`.
pub struct Run {
    /// The arguments, without the program name (for messages).
    pub args: Vec<OsString>,
    /// The exit code.
    pub code: u8,
    /// What it wrote to stdout.
    pub stdout: Vec<u8>,
    /// What it wrote to stderr.
    pub stderr: Vec<u8>,
}

impl Run {
    fn fail(&self, what: &str) -> ! {
        panic!(
            "{what}\nargs: {:?}\nexit: {}\nstdout: {}\nstderr: {}",
            self.args,
            self.code,
            String::from_utf8_lossy(&self.stdout),
            String::from_utf8_lossy(&self.stderr)
        )
    }

    fn json(&self) -> serde_json::Value {
        match serde_json::from_slice(&self.stdout) {
            Ok(v) => v,
            Err(e) => self.fail(&format!("stdout is not JSON: {e}")),
        }
    }
}

/// Runs `strata ARGS` with `cwd` as the working directory.
pub fn strata(cwd: &Path, args: &[OsString]) -> Run {
    let env = strata_cli::Env {
        cwd: Some(cwd.to_path_buf()),
        inventory: None,
        no_color: true,
        stdout_is_terminal: false,
        stderr_is_terminal: false,
        process_exits: false,
        allow_exec: None,
        cache_dir: None,
        front_end: None,
        diagnostics: None,
    };
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let mut argv = vec![OsString::from("strata")];
    argv.extend(args.iter().cloned());
    let code = strata_cli::run(argv, &mut stdout, &mut stderr, &env);
    let run = Run {
        args: args.to_vec(),
        code,
        stdout,
        stderr,
    };
    if code > 2 {
        run.fail("exit code is not 0, 1 or 2");
    }
    run
}

fn os(parts: &[&str]) -> Vec<OsString> {
    parts.iter().map(OsString::from).collect()
}

// ---------------------------------------------------------------------------
// Target `inventory`: the input is an inventory.

/// Writes the inventory that `data` describes into `dir` (which holds
/// nothing else the harness does not rewrite): the bytes up to the first
/// NUL are hosts.toml, up to the second a group_data file, the rest a
/// host_data file. The data files are named after the first group and the
/// first host of hosts.toml when it parses and names them (so that they
/// usually match), else `web` and `w1`. A missing part means no such file;
/// a part that starts with [`WIDEN`] is indented by [`WIDE`] spaces.
pub fn write_inventory(dir: &Path, data: &[u8]) {
    let mut parts = data.splitn(3, |&b| b == SEPARATOR);
    let hosts = parts.next().unwrap_or_default();
    let group = parts.next();
    let host = parts.next();
    for sub in ["group_data", "host_data"] {
        let _ = fs::remove_dir_all(dir.join(sub));
    }
    write_file(&dir.join("hosts.toml"), hosts);
    let (group_name, host_name) = first_names(hosts.strip_prefix(&[WIDEN]).unwrap_or(hosts));
    if let Some(group) = group {
        let path = dir.join("group_data").join(format!("{group_name}.toml"));
        write_file(&path, group);
    }
    if let Some(host) = host {
        let path = dir.join("host_data").join(format!("{host_name}.toml"));
        write_file(&path, host);
    }
}

fn write_file(path: &Path, contents: &[u8]) {
    fs::create_dir_all(path.parent().expect("a parent")).expect("create a data directory");
    let contents = match contents.strip_prefix(&[WIDEN]) {
        Some(rest) => [&b" ".repeat(WIDE)[..], rest].concat(),
        None => contents.to_vec(),
    };
    fs::write(path, contents).expect("write a data file");
}

/// The first group key and the first host of hosts.toml, when they make
/// safe relative paths; else the fallbacks.
fn first_names(hosts: &[u8]) -> (String, String) {
    let mut group = FALLBACK_GROUP.to_string();
    let mut host = FALLBACK_HOST.to_string();
    let Some(table) = std::str::from_utf8(hosts)
        .ok()
        .filter(|s| s.len() <= 64 * 1024)
        .and_then(|s| s.parse::<toml::Table>().ok())
    else {
        return (group, host);
    };
    let Some((key, value)) = table.iter().next() else {
        return (group, host);
    };
    if safe_name(key) {
        group = key.clone();
    }
    let first = match value {
        toml::Value::Array(a) => a.first(),
        toml::Value::Table(t) => t.get("hosts").and_then(|h| h.as_array()?.first()),
        _ => None,
    };
    let name = match first {
        Some(toml::Value::String(s)) => Some(s.as_str()),
        Some(toml::Value::Table(t)) => t.get("name").and_then(toml::Value::as_str),
        _ => None,
    };
    if let Some(name) = name.filter(|n| safe_name(n)) {
        host = name.to_string();
    }
    (group, host)
}

/// A name that stays inside the inventory as a relative path: short, no
/// control characters or backslashes, and no empty, `.` or `..` component.
fn safe_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 100
        && !name.chars().any(|c| c.is_control() || c == '\\')
        && name
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

/// Loads the inventory of `data` (written into `dir`) with every command
/// that reads a whole inventory, in every format, and checks the outputs.
pub fn run_inventory(dir: &Path, data: &[u8]) {
    write_inventory(dir, data);
    let inv = dir.to_str().expect("a UTF-8 temporary directory");
    let cwd = dir.parent().expect("a parent");
    let run = |args: &[&str]| {
        let mut all = os(&["-i", inv]);
        all.extend(os(args));
        strata(cwd, &all)
    };

    // check: the three formats agree on the verdict and on the diagnostics.
    let human = run(&["check", "--format", "human"]);
    let json = run(&["check", "--format", "json"]);
    let github = run(&["check", "--format", "github"]);
    let color = run(&["--color", "always", "check"]);
    for r in [&human, &json, &github, &color] {
        if r.code == 2 {
            r.fail("check exits 2 (a usage error) on a well-formed command line");
        }
        if r.code != human.code {
            r.fail(&format!(
                "check's formats disagree: human exits {}",
                human.code
            ));
        }
    }
    if !human.stdout.is_empty() || !color.stdout.is_empty() {
        human.fail("check --format human writes to stdout");
    }
    let items = json.json();
    let Some(items) = items.as_array() else {
        json.fail("check --format json is not an array");
    };
    for item in items {
        let severity = item["severity"].as_str();
        if !matches!(severity, Some("error" | "warning")) || !item["code"].is_string() {
            json.fail("an item without severity or code");
        }
        for key in ["line", "column"] {
            if !(item[key].is_null() || item[key].as_u64().is_some_and(|n| n >= 1)) {
                json.fail(&format!("an item's {key} is not a positive number"));
            }
        }
    }
    let has_error = items.iter().any(|i| i["severity"] == "error");
    if has_error != (json.code == 1) {
        json.fail("the exit code does not follow the errors");
    }
    let github_text = String::from_utf8_lossy(&github.stdout);
    let lines: Vec<&str> = github_text.lines().collect();
    if lines.len() != items.len()
        || !lines
            .iter()
            .all(|l| l.starts_with("::error ") || l.starts_with("::warning "))
    {
        github.fail("github annotations: not one `::error`/`::warning` line per diagnostic");
    }

    // The commands that read every host. When check passes they succeed.
    let commands: [&[&str]; 6] = [
        &["list"],
        &["list", "--format", "toml"],
        &["ansible", "--list"],
        &["--pretty", "ansible", "--list"],
        &["graph", "--vars"],
        &["hosts"],
    ];
    let mut ansible = None;
    for args in commands {
        let r = run(args);
        if r.code == 2 {
            r.fail("exit 2 (a usage error) on a well-formed command line");
        }
        if human.code == 0 && r.code != 0 {
            r.fail("check passes, yet this command fails");
        }
        if r.code != 0 {
            continue;
        }
        match args {
            ["list"] => {
                r.json();
            }
            ["list", "--format", "toml"] => {
                let text = String::from_utf8_lossy(&r.stdout);
                if let Err(e) = text.parse::<toml::Table>() {
                    r.fail(&format!("list --format toml is not TOML: {e}"));
                }
            }
            ["ansible", "--list"] => ansible = Some(r.json()),
            ["--pretty", "ansible", "--list"] => {
                let compact = ansible.take().unwrap_or(serde_json::Value::Null);
                let expected = serde_json::to_string_pretty(&compact).expect("JSON") + "\n";
                if r.stdout != expected.as_bytes() {
                    r.fail("--pretty is not the compact output, indented");
                }
            }
            _ => {}
        }
    }
}

// ---------------------------------------------------------------------------
// Target `args`: a fixed inventory; the input is a limit, a --data argument,
// a host name and a key.

/// The fixed inventory of the `args` target: groups with ranges, inline
/// data, connector hosts, group and host data files.
pub const ARGS_INVENTORY: &[(&str, &str)] = &[
    (
        "hosts.toml",
        r#"web = ["web[1:3].example.com", { name = "@docker/app-1", data = { tier = "front" } }]
app = ["@docker/app-1", "@ssh/10.0.0.5", "@local", "web1.example.com"]
"prod-eu" = ["web2.example.com", "db1"]

[db]
hosts = [{ name = "db1", data = { role = "primary" } }, "db[01:02]"]
data = { port = 5432, tags = ["a", "b"] }
"#,
    ),
    (
        "group_data/all.toml",
        "ssh_user = \"deploy\"\nlimits = { cpu = 2, mem = \"4G\" }\n",
    ),
    (
        "group_data/web.toml",
        "port = 80\nnested = { a = { b = [1, 2.5, true] } }\n",
    ),
    ("group_data/@docker.toml", "docker_user = \"root\"\n"),
    (
        "host_data/web1.example.com.toml",
        "port = 8080\nwhen = 1979-05-27T07:32:00Z\n",
    ),
    ("host_data/@docker/app-1.toml", "image = \"nginx\"\n"),
];

/// Writes [`ARGS_INVENTORY`] into `dir`.
pub fn write_args_inventory(dir: &Path) {
    for (path, contents) in ARGS_INVENTORY {
        write_file(&dir.join(path), contents.as_bytes());
    }
}

/// Runs the commands that take a limit, data, a host name or a key on the
/// fixed inventory in `dir`. The input, split on NUL: a limit pattern, a
/// `--data` argument, a host name, a key. Arguments need not be UTF-8.
pub fn run_args(dir: &Path, data: &[u8]) {
    let mut parts = data.splitn(4, |&b| b == SEPARATOR);
    let limit = parts.next().unwrap_or_default();
    let data_arg = parts.next();
    let name = parts.next().unwrap_or(b"web1.example.com");
    let key = parts.next();
    let arg = |prefix: &str, value: &[u8]| {
        let mut bytes = prefix.as_bytes().to_vec();
        bytes.extend_from_slice(value);
        OsString::from_vec(bytes)
    };
    let inv = dir.to_str().expect("a UTF-8 temporary directory");
    let mut common = os(&["-i", inv, "--color", "always"]);
    if let Some(d) = data_arg {
        common.push(arg("--data=", d));
    }
    let cwd = dir.parent().expect("a parent");
    let with = |extra: &[OsString]| {
        let mut all = common.clone();
        all.extend(extra.iter().cloned());
        strata(cwd, &all)
    };
    let limit_arg = arg("--limit=", limit);

    // The limit: hosts, list and ansible agree on whether it is usable.
    let hosts = with(&[
        limit_arg.clone(),
        "hosts".into(),
        "--format".into(),
        "json".into(),
    ]);
    let everyone = with(&os(&["hosts", "--format", "json"]));
    let list = with(&[limit_arg.clone(), "list".into()]);
    let ansible = with(&[limit_arg.clone(), "ansible".into(), "--list".into()]);
    let groups = with(&[
        limit_arg.clone(),
        "groups".into(),
        "--format".into(),
        "json".into(),
    ]);
    let graph = with(&[limit_arg.clone(), "graph".into(), "--vars".into()]);
    for r in [&hosts, &list, &ansible, &groups, &graph] {
        if r.code == 1 {
            r.fail("exit 1 (inventory errors) on a valid inventory");
        }
        if r.code != hosts.code {
            r.fail(&format!(
                "commands disagree about the limit: hosts exits {}",
                hosts.code
            ));
        }
    }
    if hosts.code == 0 {
        let selected = hosts.json();
        let all = everyone.json();
        let (Some(selected), Some(all)) = (selected.as_array(), all.as_array()) else {
            hosts.fail("hosts --format json is not an array");
        };
        // Selected hosts are some of the hosts, in inventory order.
        let mut rest = all.iter();
        if !selected.iter().all(|h| rest.any(|a| a == h)) {
            hosts.fail("the selection is not a subsequence of every host");
        }
        list.json();
        ansible.json();
        groups.json();
    }

    // One host: host, explain, ansible --host.
    let name = OsString::from_vec(name.to_vec());
    let mut explain: Vec<OsString> = vec!["explain".into(), "--".into(), name.clone()];
    if let Some(key) = key {
        explain.push(OsString::from_vec(key.to_vec()));
    }
    let runs = [
        with(&["host".into(), "--".into(), name.clone()]),
        with(&[
            "host".into(),
            "--show-origin".into(),
            "--".into(),
            name.clone(),
        ]),
        with(&[
            "host".into(),
            "--format".into(),
            "toml".into(),
            "--".into(),
            name.clone(),
        ]),
        with(&explain),
        with(&["ansible".into(), arg("--host=", name.as_encoded_bytes())]),
    ];
    for r in &runs {
        if r.code == 1 {
            r.fail("exit 1 (inventory errors) on a valid inventory");
        }
    }
    for i in [0, 4] {
        if runs[i].code == 0 {
            runs[i].json();
        }
    }
    if runs[2].code == 0 {
        let text = String::from_utf8_lossy(&runs[2].stdout);
        if let Err(e) = text.parse::<toml::Table>() {
            runs[2].fail(&format!("host --format toml is not TOML: {e}"));
        }
    }
}
