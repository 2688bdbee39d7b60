//! Property tests: no inventory makes loading panic, and every diagnostic
//! points at a real place (a file location) or at a virtual source.

use std::fs;
use std::path::Path;

use proptest::prelude::*;
use strata_resolver::{Diagnostic, Files, Inventory, Loader};
use toml::{Table, Value};

// ---------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------

/// Every label of every diagnostic maps to a location in a file, or to a
/// virtual source (builder, command line, connector); spans stay inside
/// their text; rendering does not panic.
fn check_diagnostics(diagnostics: &[Diagnostic], files: &Files) -> Result<(), TestCaseError> {
    for d in diagnostics {
        prop_assert!(!d.labels.is_empty(), "no label: {:?}", d);
        for label in &d.labels {
            let span = label.span;
            prop_assert!(span.file.index() < files.len(), "bad file id in {:?}", d);
            let file = files.get(span.file);
            if file.is_virtual() {
                prop_assert!(files.location(span).is_none());
                continue;
            }
            let text = file.text();
            prop_assert!(
                span.start <= span.end && span.end as usize <= text.len(),
                "span {:?} out of bounds (len {}) in {:?}",
                span,
                text.len(),
                d
            );
            prop_assert!(
                text.is_char_boundary(span.start as usize)
                    && text.is_char_boundary(span.end as usize),
                "span {:?} not on char boundaries in {:?}",
                span,
                d
            );
            let at = files.location(span);
            prop_assert!(at.is_some(), "no location for a file label: {:?}", d);
        }
        let _ = d.one_line(files);
        let report = d.to_report(files);
        let mut out = String::new();
        miette::NarratableReportHandler::new()
            .render_report(&mut out, report.as_ref())
            .map_err(|e| TestCaseError::fail(format!("render failed: {e}")))?;
    }
    Ok(())
}

/// Uses every read-only part of a resolved inventory.
fn exercise(inv: &Inventory) -> Result<(), TestCaseError> {
    prop_assert!(inv.diagnostics().iter().all(|d| !d.is_error()));
    check_diagnostics(inv.diagnostics(), inv.files())?;
    for host in inv.hosts() {
        prop_assert_eq!(inv.host(host.name()), Some(host));
        let _ = host.location();
        let groups: Vec<&str> = host.groups().map(|g| g.name()).collect();
        prop_assert!(!groups.contains(&"all"));
        let data = host.data();
        let table = data.to_table();
        for (k, v) in &table {
            let defs = data.definitions(k);
            prop_assert!(!defs.is_empty());
            prop_assert_eq!(defs[0].value, v);
            for def in &defs {
                let _ = def.origin.to_string();
            }
        }
        let _ = host.own_data().to_table();
        let _: Result<Table, _> = data.deserialize();
    }
    for group in inv.groups() {
        prop_assert_eq!(
            inv.group(group.name()).map(|g| g.name()),
            Some(group.name())
        );
        let _ = group.data().to_table();
        for h in group.hosts() {
            prop_assert!(h.in_group(group.name()));
        }
        let _ = inv.select(group.name());
    }
    let _ = inv.data().to_table();
    // The extra checks of `strata check`.
    check_diagnostics(&inv.lint(), inv.files())?;
    let all = inv.select("all");
    if inv.is_empty() {
        // An empty selection of an empty inventory may be an error; never a panic.
        let _ = all;
    } else {
        prop_assert_eq!(all.map(|s| s.len()).ok(), Some(inv.len()));
    }
    Ok(())
}

fn defaults_table() -> Table {
    let mut defaults = Table::new();
    defaults.insert("app_port".into(), Value::Integer(1));
    defaults
}

/// Loads `root` and checks whatever comes back.
fn load_and_check(root: &Path) -> Result<(), TestCaseError> {
    let result = Loader::new(root)
        .override_data("ssh_user", "root")
        .defaults(defaults_table())
        .load();
    match &result {
        Ok(inv) => {
            prop_assert!(inv.diagnostics().iter().all(|d| !d.is_error()));
            check_diagnostics(inv.diagnostics(), inv.files())?;
            exercise(inv)?;
        }
        Err(e) => {
            prop_assert!(e.has_errors(), "no inventory but no error");
            prop_assert!(e.errors().count() > 0);
            check_diagnostics(e.diagnostics(), e.files())?;
            let _ = e.to_string();
        }
    }
    // What `strata check` runs: loading plus the extra checks.
    let report = Loader::new(root).check();
    check_diagnostics(report.diagnostics(), report.files())?;
    prop_assert_eq!(report.has_errors(), result.is_err());
    // Deferring host_data/ and reading it afterwards gives the same data.
    if let Ok(eager) = &result {
        let mut lazy = Loader::new(root)
            .override_data("ssh_user", "root")
            .defaults(defaults_table())
            .defer_host_data()
            .load()
            .map_err(|e| {
                TestCaseError::fail(format!("deferred load failed where eager did not: {e}"))
            })?;
        let problems = lazy.read_all_host_data();
        prop_assert!(problems.iter().all(|d| !d.is_error()), "{:?}", problems);
        check_diagnostics(&problems, lazy.files())?;
        prop_assert_eq!(eager.len(), lazy.len());
        for (a, b) in eager.hosts().zip(lazy.hosts()) {
            prop_assert_eq!(a.name(), b.name());
            prop_assert_eq!(
                a.data().to_table(),
                b.data().to_table(),
                "data of {}",
                a.name()
            );
        }
    }
    Ok(())
}

fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, bytes).unwrap();
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------
// Mutations of a valid inventory
// ---------------------------------------------------------------------------

const HOSTS: &str = r#"webservers = ["web1.example.com", "web2.example.com"]
monitoring = ["db1.example.com", "web[1:2].example.com", "n[0:10:5]"]

[databases]
hosts = [{ name = "db1.example.com", data = { db_role = "primary" } }]
data = { db_type = "postgresql", ports = [5432, 5433], nested = { a = { b = 1 } } }

[containers]
hosts = ["@docker/abc", "@ssh/10.0.0.5", "@local", "@chroot/srv/root", { name = "@podman/p[1:2]", data = { x = 1 } }]

[all]
hosts = ["web1.example.com", { name = "web2.example.com", data = { app_port = 8002 } }, "db1.example.com", "n0", "n5", "n10", "@docker/abc", "@ssh/10.0.0.5", "@local", "@chroot/srv/root", "@podman/p1", "@podman/p2"]
data = { ssh_user = "deploy", ssh_port = 22 }
"#;

const GROUP: &str = r#"# web servers
app_port = 8000
env = { LANG = "C", list = ['a', "b"] }
"quoted" = -1_000

[tls]
enabled = true
when = 1979-05-27T07:32:00Z
"#;

const ALL: &str = "ntp = \"pool.ntp.org\"\nssh_port = \"22\"\n";

const HOST: &str = "app_port = 8001\nssh_user = 'root'\n";

const FILES: [(&str, &str); 4] = [
    ("hosts.toml", HOSTS),
    ("group_data/webservers.toml", GROUP),
    ("group_data/all.toml", ALL),
    ("host_data/@ssh/10.0.0.5.toml", HOST),
];

const ALPHABET: &[&str] = &[
    "[",
    "]",
    "{",
    "}",
    "=",
    "\"",
    ",",
    ".",
    "\n",
    "#",
    "'",
    " ",
    "\\",
    "[[",
    "]]",
    ":",
    "@",
    "/",
    "..",
    "-",
    "\t",
    "\u{0}",
    "é",
    "1",
    "9",
    "a",
    "~",
    "*",
    "0x",
    "99999999999999999999",
    "[0:99]",
    "[0:9999999]",
    "[a:z]",
    "[1:3:0]",
    "all",
    "data",
    "hosts",
    "name",
    "@ssh/",
    "@nope/",
];

#[derive(Clone, Debug)]
enum Edit {
    Delete,
    Insert(Vec<u8>),
    Replace(Vec<u8>),
}

#[derive(Clone, Debug)]
struct Mutation {
    file: usize,
    at: usize,
    chars: bool,
    edit: Edit,
}

fn snippet() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        6 => prop::sample::select(ALPHABET).prop_map(|s| s.as_bytes().to_vec()),
        1 => any::<u8>().prop_map(|b| vec![b]),
        1 => any::<char>().prop_map(|c| c.to_string().into_bytes()),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let edit = prop_oneof![
        Just(Edit::Delete),
        snippet().prop_map(Edit::Insert),
        snippet().prop_map(Edit::Replace),
    ];
    // hosts.toml is where the resolver's logic lives: mutate it most.
    let file = prop_oneof![4 => Just(0usize), 1 => 1..FILES.len()];
    (file, any::<usize>(), any::<bool>(), edit).prop_map(|(file, at, chars, edit)| Mutation {
        file,
        at,
        chars,
        edit,
    })
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let mut at = if bytes.is_empty() {
        0
    } else {
        m.at % (bytes.len() + 1)
    };
    let mut unit = 1;
    if let (true, Ok(text)) = (m.chars, std::str::from_utf8(bytes)) {
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        unit = text[at..].chars().next().map_or(0, char::len_utf8);
    }
    let end = (at + unit).min(bytes.len());
    match &m.edit {
        Edit::Delete => {
            bytes.drain(at..end);
        }
        Edit::Insert(s) => {
            bytes.splice(at..at, s.iter().copied());
        }
        Edit::Replace(s) => {
            bytes.splice(at..end, s.iter().copied());
        }
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn mutated_inventories_load_without_panic(mutations in prop::collection::vec(mutation(), 1..5)) {
        let mut files: Vec<Vec<u8>> = FILES.iter().map(|(_, t)| t.as_bytes().to_vec()).collect();
        for m in &mutations {
            apply(&mut files[m.file], m);
        }
        let dir = tempfile::tempdir().unwrap();
        for ((rel, _), bytes) in FILES.iter().zip(&files) {
            write(dir.path(), rel, bytes);
        }
        load_and_check(dir.path())?;
    }
}

// ---------------------------------------------------------------------------
// Structured random hosts.toml: valid TOML, hostile names
// ---------------------------------------------------------------------------

/// Mostly valid host names (so that many inventories load and the
/// waterfall runs), sometimes hostile ones.
fn host_name() -> impl Strategy<Value = String> {
    const VALID: &[&str] = &[
        "web1",
        "web2",
        "db1",
        "db[1:3]",
        "n[01:03]",
        "x[a:c]",
        "@ssh/10.0.0.1",
        "@docker/abc",
        "@podman/p[1:2]",
        "@local",
        "@chroot/srv/root",
        "@dockerssh/h1:img",
    ];
    prop_oneof![
        4 => prop::sample::select(VALID).prop_map(str::to_string),
        1 => name(),
    ]
}

/// Mostly valid group names, sometimes hostile ones.
fn group_name() -> impl Strategy<Value = String> {
    const VALID: &[&str] = &["web", "db", "app", "cache", "all", "web-prod", "w.x"];
    prop_oneof![
        4 => prop::sample::select(VALID).prop_map(str::to_string),
        1 => name(),
    ]
}

/// Names built from pieces that ranges, connectors and name checks care about.
fn name() -> impl Strategy<Value = String> {
    const PIECES: &[&str] = &[
        "web",
        "db",
        "1",
        "01",
        "a",
        "-",
        "_",
        ".",
        "..",
        "/",
        "@",
        "@ssh",
        "@docker",
        "@local",
        "@nope",
        "@chroot",
        "@dockerssh",
        "[1:3]",
        "[01:10]",
        "[a:c]",
        "[0:10:5]",
        "[3:1]",
        "[1:]",
        "[",
        "]",
        ":",
        " ",
        "\t",
        "\u{7}",
        "é",
        "*",
        "all",
        "~",
    ];
    prop::collection::vec(prop::sample::select(PIECES), 0..5).prop_map(|v| v.concat())
}

fn small_table() -> impl Strategy<Value = Table> {
    prop::collection::btree_map(
        prop::sample::select(&["a", "b", "ssh_hostname", "app_port"][..]),
        prop_oneof![
            (0i64..4).prop_map(Value::Integer),
            "[xy]{0,2}".prop_map(Value::String),
            Just(Value::Array(vec![1.into()])),
        ],
        0..3,
    )
    .prop_map(|m| m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

fn entry() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => host_name().prop_map(Value::String),
        1 => (host_name(), small_table()).prop_map(|(n, d)| {
            let mut t = Table::new();
            t.insert("name".into(), Value::String(n));
            t.insert("data".into(), Value::Table(d));
            Value::Table(t)
        }),
    ]
}

fn group() -> impl Strategy<Value = Value> {
    let hosts = || prop::collection::vec(entry(), 0..5).prop_map(Value::Array);
    prop_oneof![
        2 => hosts(),
        1 => (hosts(), prop::option::of(small_table())).prop_map(|(h, d)| {
            let mut t = Table::new();
            t.insert("hosts".into(), h);
            if let Some(d) = d {
                t.insert("data".into(), Value::Table(d));
            }
            Value::Table(t)
        }),
    ]
}

fn hosts_toml() -> impl Strategy<Value = String> {
    prop::collection::vec((group_name(), group()), 0..5).prop_map(|groups| {
        let mut t = Table::new();
        for (n, g) in groups {
            t.insert(n, g);
        }
        toml::to_string(&t).unwrap_or_default()
    })
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn structured_hosts_toml_loads_without_panic(
        hosts in hosts_toml(),
        files in prop::collection::vec((prop_oneof![group_name(), host_name()], small_table()), 0..3),
    ) {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "hosts.toml", hosts.as_bytes());
        for (i, (n, t)) in files.iter().enumerate() {
            // Data files named after random (possibly hostile) names: only
            // names that are safe relative paths are written.
            let safe = !n.is_empty()
                && !n.split('/').any(|s| s.is_empty() || s == "." || s == "..")
                && !n.contains(['\0', '\\']);
            if safe {
                let dir_name = if i % 2 == 0 { "group_data" } else { "host_data" };
                write(dir.path(), &format!("{dir_name}/{n}.toml"), toml::to_string(t).unwrap().as_bytes());
            }
        }
        load_and_check(dir.path())?;
    }
}

// ---------------------------------------------------------------------------
// Limits: any pattern, no panic
// ---------------------------------------------------------------------------

fn pattern() -> impl Strategy<Value = String> {
    const PIECES: &[&str] = &[
        "web",
        "db1",
        "web1.example.com",
        "webservers",
        "monitoring",
        "all",
        "*",
        "?",
        ",",
        "&",
        "!",
        "~",
        "^",
        "$",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        "\\",
        ".",
        "+",
        "@ssh*",
        "@docker",
        "a{1,99999}",
        "(a*)*",
        "é",
        " ",
        "",
    ];
    prop::collection::vec(prop::sample::select(PIECES), 0..8).prop_map(|v| v.concat())
}

/// The base inventory, loaded once.
fn base_inventory() -> &'static Inventory {
    static INV: std::sync::OnceLock<Inventory> = std::sync::OnceLock::new();
    INV.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        for (rel, text) in FILES {
            write(dir.path(), rel, text.as_bytes());
        }
        Loader::new(dir.path()).load().unwrap()
    })
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn any_limit_pattern_selects_without_panic(patterns in prop::collection::vec(pattern(), 1..3)) {
        let inv = base_inventory();
        for p in &patterns {
            if let Ok(selected) = inv.select(p) {
                let idx: Vec<usize> = selected.iter().map(|h| h.index()).collect();
                let mut sorted = idx.clone();
                sorted.sort_unstable();
                sorted.dedup();
                prop_assert_eq!(idx, sorted);
            }
        }
        if let Ok(limit) = strata_resolver::Limit::parse(&patterns) {
            let _ = inv.select_limit(&limit);
        }
    }
}

#[test]
fn the_base_inventory_loads_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    for (rel, text) in FILES {
        write(dir.path(), rel, text.as_bytes());
    }
    let inv = match Loader::new(dir.path()).load() {
        Ok(inv) => inv,
        Err(e) => {
            let errors: Vec<String> = e.errors().map(|d| format!("{d:?}")).collect();
            panic!("{errors:#?}");
        }
    };
    assert_eq!(inv.len(), 12);
    assert!(inv.host("@podman/p2").is_some());
}

// ---------------------------------------------------------------------------
// Hostile input: one entry must not flood the report
// ---------------------------------------------------------------------------

/// The largest number of diagnostics with the same code at the same place.
fn worst_repeat(diagnostics: &[Diagnostic]) -> usize {
    let mut counts = std::collections::HashMap::new();
    for d in diagnostics {
        *counts.entry((d.code, d.span())).or_insert(0usize) += 1;
    }
    counts.into_values().max().unwrap_or(0)
}

#[test]
fn a_range_missing_from_all_is_reported_once_not_per_host() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "hosts.toml",
        b"web = [\"w[0:9999]\"]\n\n[all]\nhosts = [\"x\"]\n",
    );
    let problems = Loader::new(dir.path()).load().unwrap_err();
    let n = worst_repeat(problems.diagnostics());
    assert!(n <= 1, "{n} identical diagnostics at one place");
}

#[test]
fn a_duplicated_range_is_reported_once_not_per_host() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "hosts.toml",
        b"web = [\"w[0:9999]\", \"w[0:9999]\"]\n",
    );
    let diagnostics = match Loader::new(dir.path()).load() {
        Ok(inv) => inv.diagnostics().to_vec(),
        Err(e) => e.diagnostics().to_vec(),
    };
    let n = worst_repeat(&diagnostics);
    assert!(n <= 1, "{n} identical diagnostics at one place");
}
