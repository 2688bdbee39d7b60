//! The pyinfra reader: pyinfra's own loader reads `inventory.py` and its
//! `group_data/*.py`, and says what the inventory is as an [`Imported`].
//!
//! strata never runs Python to load an inventory; `strata import pyinfra`
//! does, once, because the user asked for it: an `inventory.py` is a Python
//! program, and only pyinfra knows what it means. [`read`] runs a script
//! shipped inside the binary (`pyinfra_read.py`, given with `python -B -c`)
//! through [`strata_exec::run`] (no shell, [`TIMEOUT`], output bounded by
//! [`strata_exec::MAX_OUTPUT`], its process group killed when it ends). The
//! script calls `pyinfra_cli.inventory.make_inventory_from_files`, what
//! `pyinfra INVENTORY.py ...` runs for an inventory file, imports nothing
//! else, and prints one JSON document; nothing the inventory prints reaches
//! it (the script's stdout is moved to stderr first).
//!
//! # Which Python
//!
//! The interpreter must have pyinfra 3 installed (`python -c "import
//! pyinfra_cli"` works). The CLI takes `--python PATH`; without it,
//! [`default_python`]: `$STRATA_PYTHON` when set and not empty, else
//! `python3` on `PATH` (`python` on Windows), which is the virtualenv's own
//! interpreter when one is active. A path with a `/` is taken relative to
//! the current directory.
//!
//! # What pyinfra reads
//!
//! The script runs in the inventory's folder, as `pyinfra` run from there:
//! that folder is at the end of `sys.path` (so `inventory.py` may import its
//! neighbours), and group data comes from `<inventory's folder>/group_data`
//! and then from the `--group-data` folder (or file) if given, whose values
//! win, as with pyinfra's `--group-data`. Unlike pyinfra run from elsewhere,
//! `./group_data` of the current directory is not read: pass it with
//! `--group-data`. No `config.py` and no `--data` are read: they are not
//! inventory.
//!
//! # What the [`Imported`] holds
//!
//! - `hosts`: pyinfra's host order (`all`'s list, or first appearance).
//! - `groups`: pyinfra's precedence order, lowest first: the groups of
//!   `inventory.py` as written, then the implicit connector groups
//!   (`@docker`, `@local`, ...), which a strata inventory never declares in
//!   hosts.toml (strata makes them from the host names) but which carry
//!   `group_data/@docker.*` data. Each group's `vars` are its inline data
//!   updated with its `group_data` file (pyinfra merges them so: the file
//!   wins). Members come in inventory order, as pyinfra lists them.
//! - `global`: `all`'s inline data updated with `group_data/all.py`.
//! - `host_vars`: each host's own data (its inline entries, merged by pyinfra
//!   group by group and then `all`'s), without what its connector adds
//!   (`docker_identifier` of `@docker/abc`): strata adds that itself, and
//!   [`read`] checks that strata's connector gives the value pyinfra does.
//! - `resolved`: `Host.data.dict()` and each host's groups.
//!
//! What pyinfra adds and strata has no use for (tests/pyinfra/README.md):
//! the group named after the inventory file (`inventory`, holding every
//! host) is dropped unless `group_data/inventory.py` gives it data, then it
//! is kept as a group of every host, in its place; a group repeated in a
//! host's groups is kept once, where it last applies; a `group_data` file
//! that names no group and no connector group reaches no host and is left
//! out. Nothing is dropped from the data.
//!
//! # Values
//!
//! `dict`, `list`, `tuple` (an array), `str`, `int` (64-bit), `float` and
//! `bool` only, of exactly these types. Everything else is a [`Problem`]
//! naming its group or host and key (a dotted path, `[i]` for an array
//! index), all in one run: `None`, sets, bytes, objects (also subclasses such
//! as `OrderedDict`), functions and modules in a `group_data` file, keys that
//! are not strings, integers beyond 64 bits, nesting deeper than 64 levels.
//! NaN and infinities, which JSON cannot carry, come as `{"__float": "nan"}`
//! (`"-nan"`, `"inf"`, `"-inf"`); a dict written with only such a key is a
//! problem.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;
use strata_exec::{Command, RunError, run};

use crate::model::{FLOAT_KEY, Imported, Problem, Tool, Vars};

/// The script pyinfra's loader runs in (see the module documentation).
const SCRIPT: &str = include_str!("pyinfra_read.py");

/// The script's exit status when it prints `{"problems": [...]}`.
const EXIT_PROBLEMS: i32 = 3;

/// How long pyinfra may take to load the inventory before it is stopped.
pub const TIMEOUT: Duration = Duration::from_secs(120);

/// The environment variable naming the interpreter when `--python` is not given.
pub const PYTHON_ENV: &str = "STRATA_PYTHON";

/// Values nested deeper than this are refused (strata's own limit:
/// `strata_parser::MAX_DEPTH`; a key's value is at depth 1).
const MAX_DEPTH: usize = strata::MAX_DEPTH;

/// The model's other one-key forms (Ansible's), which pyinfra never gives.
const RESERVED_KEYS: [&str; 2] = ["__ansible_vault", "__ansible_unsafe"];

/// What the script's stderr may add to a message, at most.
const MAX_STDERR_SHOWN: usize = 2000;

/// The interpreter to use when `--python` is not given: `$STRATA_PYTHON`,
/// else `python3` (`python` on Windows), looked up on `PATH`.
pub fn default_python() -> PathBuf {
    python_from(std::env::var_os(PYTHON_ENV))
}

fn python_from(env: Option<std::ffi::OsString>) -> PathBuf {
    match env {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ if cfg!(windows) => PathBuf::from("python"),
        _ => PathBuf::from("python3"),
    }
}

/// Reads the pyinfra inventory `inventory` (an `inventory.py`) with
/// pyinfra's loader run by `python`; `group_data` is an extra group data
/// folder, as pyinfra's `--group-data`. Every value strata cannot take, or
/// why pyinfra could not load the inventory, comes back as [`Problem`]s.
pub fn read(
    python: &Path,
    inventory: &Path,
    group_data: Option<&Path>,
) -> Result<Imported, Vec<Problem>> {
    read_within(python, inventory, group_data, TIMEOUT)
}

fn read_within(
    python: &Path,
    inventory: &Path,
    group_data: Option<&Path>,
    timeout: Duration,
) -> Result<Imported, Vec<Problem>> {
    let command = command(python, inventory, group_data)?.timeout(timeout);
    let output = run(&command).map_err(|e| vec![run_failed(python, &e)])?;
    decode(output.status.code(), &output.stdout, &output.stderr)
}

fn problem(subject: impl Into<String>, key: Option<String>, message: impl Into<String>) -> Problem {
    Problem {
        subject: subject.into(),
        key,
        message: message.into(),
    }
}

/// The command that runs the script, or why there is none.
fn command(
    python: &Path,
    inventory: &Path,
    group_data: Option<&Path>,
) -> Result<Command, Vec<Problem>> {
    let mut problems = Vec::new();
    let shown = |p: &Path| p.display().to_string();
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let utf8 = |p: PathBuf, problems: &mut Vec<Problem>| match p.into_os_string().into_string() {
        Ok(s) => Some(s),
        Err(p) => {
            problems.push(problem(
                PathBuf::from(p).display().to_string(),
                None,
                "the path is not UTF-8, which the pyinfra reader cannot pass on",
            ));
            None
        }
    };
    if !inventory.is_file() {
        problems.push(problem(
            shown(inventory),
            None,
            "no such file: give the path of a pyinfra inventory.py",
        ));
    }
    if let Some(dir) = group_data
        && !dir.exists()
    {
        problems.push(problem(shown(dir), None, "no such group data folder"));
    }
    let inventory = absolute(inventory);
    let folder = inventory
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    // The script runs in the inventory's folder: a program path with a `/`
    // would be taken relative to it, so it is made absolute here ("python3"
    // alone is looked up on PATH).
    let python = if python.components().count() > 1 {
        absolute(python)
    } else {
        python.to_path_buf()
    };
    let mut argv = vec![
        utf8(python, &mut problems),
        Some("-B".to_string()),
        Some("-c".to_string()),
        Some(SCRIPT.to_string()),
        utf8(inventory, &mut problems),
    ];
    if let Some(dir) = group_data {
        argv.push(utf8(absolute(dir), &mut problems));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Command::new(argv.into_iter().flatten())
        .cwd(folder)
        .env("PYTHONDONTWRITEBYTECODE", "1"))
}

fn run_failed(python: &Path, error: &RunError) -> Problem {
    let shown = python.display().to_string();
    match error {
        RunError::Spawn(e) if e.kind() == std::io::ErrorKind::NotFound => problem(
            shown,
            None,
            format!(
                "no such program: install pyinfra 3 in a Python and name that interpreter with \
                 --python PATH or ${PYTHON_ENV}"
            ),
        ),
        RunError::Timeout { after, stderr } => problem(
            shown,
            None,
            format!(
                "pyinfra was still loading the inventory after {} s and was stopped{}",
                after.as_secs_f64(),
                stderr_tail(stderr)
            ),
        ),
        other => problem(shown, None, format!("running pyinfra failed: {other}")),
    }
}

/// The end of the script's stderr, for a message: at most
/// [`MAX_STDERR_SHOWN`] bytes, whole characters.
fn stderr_tail(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let text = text.trim();
    if text.is_empty() {
        return String::new();
    }
    let mut start = text.len().saturating_sub(MAX_STDERR_SHOWN);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    let cut = if start > 0 { "..." } else { "" };
    format!("; its stderr ends:\n{cut}{}", &text[start..])
}

/// The script's answer when it refuses: every problem it found.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Refusal {
    problems: Vec<Problem>,
}

/// Turns the script's exit status and output into the answer; the output
/// is checked as hostile input (shape, names, values).
fn decode(status: Option<i32>, stdout: &[u8], stderr: &[u8]) -> Result<Imported, Vec<Problem>> {
    let garbled = |why: String| {
        vec![problem(
            "the pyinfra reader",
            None,
            format!(
                "its output is not what strata expects ({why}){}",
                stderr_tail(stderr)
            ),
        )]
    };
    match status {
        Some(0) => {
            let imported: Imported =
                serde_json::from_slice(stdout).map_err(|e| garbled(e.to_string()))?;
            let problems = check(&imported);
            if problems.is_empty() {
                Ok(imported)
            } else {
                Err(problems)
            }
        }
        Some(EXIT_PROBLEMS) => {
            let refusal: Refusal =
                serde_json::from_slice(stdout).map_err(|e| garbled(e.to_string()))?;
            if refusal.problems.is_empty() {
                Err(garbled("it failed without saying why".into()))
            } else {
                Err(refusal.problems)
            }
        }
        other => {
            let how = other.map_or_else(
                || "was killed by a signal".to_string(),
                |c| format!("exited with status {c}"),
            );
            Err(vec![problem(
                "the pyinfra reader",
                None,
                format!("Python {how}{}", stderr_tail(stderr)),
            )])
        }
    }
}

/// Everything in the script's answer that strata cannot take or that does
/// not hold together.
fn check(imported: &Imported) -> Vec<Problem> {
    let mut problems = Vec::new();
    let reader = "the pyinfra reader";
    if imported.tool != Tool::Pyinfra {
        problems.push(problem(
            reader,
            None,
            "it says the inventory was read by another tool",
        ));
    }
    let mut hosts = std::collections::HashSet::new();
    for host in &imported.hosts {
        if host.is_empty() {
            problems.push(problem(reader, None, "it names a host with an empty name"));
        } else if !hosts.insert(host.as_str()) {
            problems.push(problem(
                format!("host `{host}`"),
                None,
                "it is listed twice",
            ));
        }
    }
    let mut groups = std::collections::HashMap::new();
    for group in &imported.groups {
        let subject = format!("group `{}`", group.name);
        if group.name.is_empty() || group.name == "all" {
            problems.push(problem(
                subject.clone(),
                None,
                "not a group name the reader may give",
            ));
        }
        if groups.insert(group.name.as_str(), group).is_some() {
            problems.push(problem(subject.clone(), None, "it is listed twice"));
        }
        if !group.children.is_empty() {
            problems.push(problem(
                subject.clone(),
                None,
                "pyinfra groups have no children",
            ));
        }
        let mut members = std::collections::HashSet::new();
        for host in &group.hosts {
            if !hosts.contains(host.as_str()) {
                problems.push(problem(
                    subject.clone(),
                    None,
                    format!("its host `{host}` is not in the inventory"),
                ));
            } else if !members.insert(host.as_str()) {
                problems.push(problem(
                    subject.clone(),
                    None,
                    format!("it lists `{host}` twice"),
                ));
            }
        }
        values(&group.vars, &subject, &mut problems);
    }
    values(&imported.global, "all", &mut problems);
    for (host, vars) in &imported.host_vars {
        let subject = format!("host `{host}`");
        if !hosts.contains(host.as_str()) {
            problems.push(problem(
                subject.clone(),
                None,
                "it has data but is not in the inventory",
            ));
        }
        values(vars, &subject, &mut problems);
    }
    let connectors = strata::Connectors::builtin();
    // The groups that list each host (one pass: linear in the memberships).
    let mut listed_in: std::collections::HashMap<&str, Vec<&str>> =
        std::collections::HashMap::new();
    for group in &imported.groups {
        for host in &group.hosts {
            listed_in
                .entry(host.as_str())
                .or_default()
                .push(group.name.as_str());
        }
    }
    let resolved: Vec<&String> = imported.resolved.keys().collect();
    if resolved != imported.hosts.iter().collect::<Vec<_>>() {
        problems.push(problem(
            reader,
            None,
            "its resolved hosts are not the inventory's hosts, in order",
        ));
    }
    for (host, answer) in &imported.resolved {
        let subject = format!("host `{host}`");
        values(&answer.vars, &subject, &mut problems);
        // A host's groups are exactly the groups that list it.
        let mut mine = listed_in.remove(host.as_str()).unwrap_or_default();
        let mut said: Vec<&str> = answer.groups.iter().map(String::as_str).collect();
        mine.sort_unstable();
        mine.dedup(); // a host listed twice in a group (reported above)
        said.sort_unstable();
        if mine != said {
            problems.push(problem(
                subject.clone(),
                None,
                format!("its groups {said:?} are not the groups that list it {mine:?}"),
            ));
        }
        if host.starts_with('@') {
            connector(
                &connectors,
                host,
                answer,
                imported.host_vars.get(host),
                &subject,
                &mut problems,
            );
        }
    }
    problems
}

/// The one host strata's connector makes of a connector host's name
/// (`@docker/abc`), or why it makes none (also used by placement, for the
/// data the connector gives).
pub(crate) fn connector_host(
    connectors: &strata::Connectors,
    host: &str,
) -> Result<strata::ConnectorHost, String> {
    let rest = host.strip_prefix('@').unwrap_or(host);
    let (name, argument) = match rest.split_once('/') {
        Some((n, a)) => (n, Some(a)),
        None => (rest, None),
    };
    let connector = connectors
        .get(name)
        .ok_or_else(|| format!("strata has no `@{name}` connector"))?;
    let made = connector
        .expand(argument)
        .map_err(|why| format!("strata refuses this connector host: {why}"))?;
    match <[_; 1]>::try_from(made) {
        Ok([made]) => Ok(made),
        Err(_) => Err("strata's connector makes several hosts of it".into()),
    }
}

/// A connector host: strata must know its connector, make the same host
/// with the same implicit groups, and give the connector data pyinfra
/// resolves (where the host's own data does not set the key).
fn connector(
    connectors: &strata::Connectors,
    host: &str,
    answer: &crate::model::Resolved,
    own: Option<&Vars>,
    subject: &str,
    problems: &mut Vec<Problem>,
) {
    let made = match connector_host(connectors, host) {
        Ok(made) => made,
        Err(why) => {
            problems.push(problem(subject, None, why));
            return;
        }
    };
    let made = &made;
    if made.name != host {
        problems.push(problem(
            subject,
            None,
            format!("strata's connector names it `{}`", made.name),
        ));
    }
    let mut implicit: Vec<&str> = answer
        .groups
        .iter()
        .map(String::as_str)
        .filter(|g| g.starts_with('@'))
        .collect();
    let mut strata_groups: Vec<&str> = made.groups.iter().map(String::as_str).collect();
    implicit.sort_unstable();
    strata_groups.sort_unstable();
    if implicit != strata_groups {
        problems.push(problem(
            subject,
            None,
            format!(
                "pyinfra puts it in the connector groups {implicit:?}, strata in {strata_groups:?}"
            ),
        ));
    }
    for (key, value) in &made.data {
        if own.is_some_and(|o| o.contains_key(key)) {
            continue;
        }
        let strata_value = value.as_str().map(|s| Value::String(s.to_string()));
        if answer.vars.get(key) != strata_value.as_ref() {
            problems.push(problem(
                subject,
                Some(key.clone()),
                format!(
                    "strata's connector gives {value}, pyinfra resolves {}",
                    answer
                        .vars
                        .get(key)
                        .map_or_else(|| "nothing".to_string(), Value::to_string)
                ),
            ));
        }
    }
}

/// Every value of `vars` that strata cannot take.
fn values(vars: &Vars, subject: &str, problems: &mut Vec<Problem>) {
    for (key, value) in vars {
        walk(value, subject, &key_path(None, key), 1, problems);
    }
}

fn key_path(path: Option<&str>, key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    let part = if bare {
        key.to_string()
    } else {
        Value::String(key.to_string()).to_string()
    };
    match path {
        Some(p) => format!("{p}.{part}"),
        None => part,
    }
}

fn walk(value: &Value, subject: &str, path: &str, depth: usize, problems: &mut Vec<Problem>) {
    let mut refuse =
        |message: &str| problems.push(problem(subject, Some(path.to_string()), message));
    if depth > MAX_DEPTH {
        refuse(&format!(
            "values are nested more than {MAX_DEPTH} levels deep (strata's limit)"
        ));
        return;
    }
    match value {
        Value::Null => refuse("null has no TOML form (strata has no null)"),
        Value::Number(n)
            if n.as_i64().is_none() && n.as_f64().is_none_or(|f| !f.is_finite() || n.is_u64()) =>
        {
            refuse(&format!("{n} does not fit TOML's 64-bit integers"));
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, subject, &format!("{path}[{i}]"), depth + 1, problems);
            }
        }
        Value::Object(table) => {
            // The model's one-key forms: only `{"__float": "nan"}` and
            // its kin come from pyinfra.
            if let Some((only, inner)) = table.iter().next().filter(|_| table.len() == 1)
                && (only == FLOAT_KEY || RESERVED_KEYS.contains(&only.as_str()))
            {
                let float_form = only == FLOAT_KEY
                    && matches!(inner.as_str(), Some("nan" | "-nan" | "inf" | "-inf"));
                if !float_form {
                    refuse(&format!(
                        "`{{{only}: ...}}` is no value the pyinfra reader gives"
                    ));
                }
                return;
            }
            for (key, item) in table {
                walk(
                    item,
                    subject,
                    &key_path(Some(path), key),
                    depth + 1,
                    problems,
                );
            }
        }
        Value::Bool(_) | Value::Number(_) | Value::String(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok_json() -> serde_json::Value {
        serde_json::json!({
            "tool": "pyinfra",
            "hosts": ["web1", "@docker/abc"],
            "groups": [
                {"name": "web", "hosts": ["web1", "@docker/abc"], "children": [], "vars": {"port": 80}},
                {"name": "@docker", "hosts": ["@docker/abc"], "children": [], "vars": {}}
            ],
            "global": {"user": "deploy", "ratio": {"__float": "nan"}},
            "host_vars": {"web1": {"role": "a"}},
            "resolved": {
                "web1": {"groups": ["web"], "vars": {"user": "deploy", "port": 80, "role": "a"}},
                "@docker/abc": {"groups": ["web", "@docker"],
                                "vars": {"user": "deploy", "port": 80, "docker_identifier": "abc"}}
            }
        })
    }

    fn decode_json(status: i32, v: &serde_json::Value) -> Result<Imported, Vec<Problem>> {
        decode(Some(status), v.to_string().as_bytes(), b"")
    }

    fn messages(r: Result<Imported, Vec<Problem>>) -> Vec<String> {
        r.expect_err("problems")
            .into_iter()
            .map(|p| {
                format!(
                    "{} / {} / {}",
                    p.subject,
                    p.key.unwrap_or_default(),
                    p.message
                )
            })
            .collect()
    }

    #[test]
    fn a_good_answer_is_taken() {
        let imported = decode_json(0, &ok_json()).unwrap();
        assert_eq!(imported.hosts, ["web1", "@docker/abc"]);
        assert_eq!(imported.global["ratio"]["__float"], "nan");
    }

    #[test]
    fn truncated_json_is_an_error_that_says_so() {
        let text = ok_json().to_string();
        let got = messages(decode(
            Some(0),
            &text.as_bytes()[..text.len() / 2],
            b"Traceback\nBoom",
        ));
        assert_eq!(got.len(), 1);
        assert!(got[0].contains("not what strata expects"), "{got:?}");
        assert!(
            got[0].ends_with("its stderr ends:\nTraceback\nBoom"),
            "{got:?}"
        );
        assert!(messages(decode(Some(0), b"", b"")).len() == 1);
        assert!(messages(decode(Some(0), b"\xff\xfe", b"")).len() == 1);
    }

    #[test]
    fn extra_or_missing_fields_are_errors() {
        let mut extra = ok_json();
        extra["oops"] = serde_json::json!(1);
        assert!(messages(decode_json(0, &extra))[0].contains("unknown field"));
        let mut inner = ok_json();
        inner["groups"][0]["priority"] = serde_json::json!(1);
        assert!(messages(decode_json(0, &inner))[0].contains("unknown field"));
        let mut missing = ok_json();
        missing.as_object_mut().unwrap().remove("resolved");
        assert!(messages(decode_json(0, &missing))[0].contains("missing field"));
        let mut problem_extra = serde_json::json!({"problems": [{"subject": "a", "key": null, "message": "m", "x": 1}]});
        assert!(messages(decode_json(3, &problem_extra))[0].contains("unknown field"));
        problem_extra = serde_json::json!({"problems": []});
        assert!(messages(decode_json(3, &problem_extra))[0].contains("without saying why"));
    }

    #[test]
    fn a_problem_list_comes_back_whole() {
        let refusal = serde_json::json!({"problems": [
            {"subject": "group `web`", "key": "a.b", "message": "None has no TOML form"},
            {"subject": "host `db1`", "key": null, "message": "a set has no TOML form"}
        ]});
        let problems = decode_json(3, &refusal).unwrap_err();
        assert_eq!(problems.len(), 2);
        assert_eq!(problems[0].key.as_deref(), Some("a.b"));
        assert_eq!(problems[1].subject, "host `db1`");
        // The same list with another status is not trusted.
        let got = messages(decode_json(0, &refusal));
        assert!(got[0].contains("not what strata expects"), "{got:?}");
    }

    #[test]
    fn other_exits_are_reported_with_stderr() {
        let got = messages(decode(
            Some(1),
            b"",
            b"Traceback (most recent call last):\nKeyError: 'x'\n",
        ));
        assert_eq!(got.len(), 1);
        assert!(got[0].contains("exited with status 1"), "{got:?}");
        assert!(got[0].ends_with("KeyError: 'x'"), "{got:?}");
        assert!(messages(decode(None, b"{}", b""))[0].contains("killed by a signal"));
        // A long stderr is cut at a character boundary, from the end.
        let long = "é".repeat(5000);
        let got = messages(decode(Some(2), b"", long.as_bytes()));
        assert!(got[0].len() < MAX_STDERR_SHOWN + 200, "{}", got[0].len());
    }

    #[test]
    fn hostile_values_and_structure_are_named() {
        let mut v = ok_json();
        v["global"]["n"] = serde_json::json!(null);
        v["groups"][0]["vars"]["big"] = serde_json::json!(u64::MAX);
        v["host_vars"]["web1"]["deep"] = serde_json::json!({"x": [1, {"y": null}]});
        v["host_vars"]["web1"]["vault"] = serde_json::json!({"__ansible_vault": "$ANSIBLE"});
        v["host_vars"]["web1"]["f"] = serde_json::json!({"__float": "1.5"});
        v["host_vars"]["web1"]["meta"] = serde_json::json!({"__meta": 1});
        v["host_vars"]["ghost"] = serde_json::json!({});
        v["groups"][0]["hosts"] = serde_json::json!(["web1", "web1", "nobody", "@docker/abc"]);
        v["groups"][1]["children"] = serde_json::json!(["web"]);
        v["hosts"] = serde_json::json!(["web1", "@docker/abc", "web1"]);
        let got = messages(decode_json(0, &v));
        let expect = [
            "host `web1` /  / it is listed twice",
            "group `web` /  / it lists `web1` twice",
            "group `web` /  / its host `nobody` is not in the inventory",
            "group `web` / big / 18446744073709551615 does not fit TOML's 64-bit integers",
            "group `@docker` /  / pyinfra groups have no children",
            "all / n / null has no TOML form (strata has no null)",
            "host `web1` / deep.x[1].y / null has no TOML form (strata has no null)",
            "host `web1` / vault / `{__ansible_vault: ...}` is no value the pyinfra reader gives",
            "host `web1` / f / `{__float: ...}` is no value the pyinfra reader gives",
            "host `ghost` /  / it has data but is not in the inventory",
            "the pyinfra reader /  / its resolved hosts are not the inventory's hosts, in order",
        ];
        assert_eq!(got, expect);
    }

    #[test]
    fn too_deep_values_are_refused() {
        let mut deep = serde_json::json!(1);
        for _ in 0..MAX_DEPTH {
            deep = serde_json::json!([deep]);
        }
        let mut v = ok_json();
        v["global"]["deep"] = deep;
        let got = messages(decode_json(0, &v));
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(got[0].contains("nested more than 64"), "{got:?}");
        // One level less is fine.
        v["global"]["deep"] = v["global"]["deep"][0].clone();
        decode_json(0, &v).unwrap();
    }

    #[test]
    fn connector_hosts_must_resolve_as_strata_makes_them() {
        let mut v = ok_json();
        v["resolved"]["@docker/abc"]["vars"]["docker_identifier"] = serde_json::json!("other");
        v["resolved"]["@docker/abc"]["groups"] = serde_json::json!(["web", "@podman"]);
        v["groups"][1]["name"] = serde_json::json!("@podman");
        let got = messages(decode_json(0, &v));
        assert_eq!(
            got,
            [
                "host `@docker/abc` /  / pyinfra puts it in the connector groups [\"@podman\"], strata in [\"@docker\"]",
                "host `@docker/abc` / docker_identifier / strata's connector gives \"abc\", pyinfra resolves \"other\"",
            ]
        );
        // The host's own data may set the key.
        let mut own = ok_json();
        own["resolved"]["@docker/abc"]["vars"]["docker_identifier"] = serde_json::json!("mine");
        own["host_vars"]["@docker/abc"] = serde_json::json!({"docker_identifier": "mine"});
        decode_json(0, &own).unwrap();
        // A connector strata does not have.
        let mut unknown = ok_json();
        unknown["hosts"][1] = serde_json::json!("@vagrant/x");
        let host = unknown["resolved"]
            .as_object_mut()
            .unwrap()
            .shift_remove("@docker/abc")
            .unwrap();
        unknown["resolved"]["@vagrant/x"] = host;
        unknown["groups"][0]["hosts"][1] = serde_json::json!("@vagrant/x");
        unknown["groups"][1]["hosts"][0] = serde_json::json!("@vagrant/x");
        let got = messages(decode_json(0, &unknown));
        assert_eq!(
            got,
            ["host `@vagrant/x` /  / strata has no `@vagrant` connector"]
        );
    }

    #[test]
    fn a_host_s_groups_are_the_groups_that_list_it() {
        let mut v = ok_json();
        v["resolved"]["web1"]["groups"] = serde_json::json!(["web", "db"]);
        let got = messages(decode_json(0, &v));
        assert_eq!(
            got,
            [
                "host `web1` /  / its groups [\"db\", \"web\"] are not the groups that list it [\"web\"]"
            ]
        );
    }

    #[test]
    fn the_interpreter_comes_from_the_environment_or_python3() {
        assert_eq!(
            python_from(Some("/opt/py/bin/python".into())),
            PathBuf::from("/opt/py/bin/python")
        );
        let fallback = if cfg!(windows) { "python" } else { "python3" };
        assert_eq!(python_from(Some("".into())), PathBuf::from(fallback));
        assert_eq!(python_from(None), PathBuf::from(fallback));
    }

    #[test]
    fn missing_files_and_programs_are_problems_not_panics() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.py");
        let got = messages(read(
            Path::new("python3"),
            &missing,
            Some(&dir.path().join("gd")),
        ));
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got[0].contains("no such file"), "{got:?}");
        assert!(got[1].contains("no such group data folder"), "{got:?}");
        let inventory = dir.path().join("inventory.py");
        std::fs::write(&inventory, "web = ['a']\n").unwrap();
        let got = messages(read(&dir.path().join("no-python"), &inventory, None));
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(got[0].contains("no such program"), "{got:?}");
    }

    #[cfg(unix)]
    #[test]
    fn a_python_that_never_ends_is_stopped_at_the_timeout() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let inventory = dir.path().join("inventory.py");
        std::fs::write(&inventory, "web = ['a']\n").unwrap();
        // Stands in for an inventory.py that hangs: prints, then sleeps.
        let python = dir.path().join("python");
        std::fs::write(&python, "#!/bin/sh\necho loading >&2\nexec sleep 30\n").unwrap();
        std::fs::set_permissions(&python, std::fs::Permissions::from_mode(0o755)).unwrap();
        let start = std::time::Instant::now();
        let got = messages(read_within(
            &python,
            &inventory,
            None,
            Duration::from_millis(500),
        ));
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{:?}",
            start.elapsed()
        );
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(
            got[0].contains("after 0.5 s and was stopped; its stderr ends:\nloading"),
            "{got:?}"
        );
    }

    #[test]
    fn the_script_fits_in_one_argument() {
        // Linux caps one argument at 128 KiB (MAX_ARG_STRLEN), Windows a
        // whole command line at 32767 characters: room is left for the paths.
        assert!(SCRIPT.len() < 28_000, "{}", SCRIPT.len());
        assert!(!SCRIPT.contains('\0'));
    }
}
