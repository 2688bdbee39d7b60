//! External sources in the resolver, through a fake fetcher: the seam
//! (what the loader asks and how it reads the answer), group order and
//! `children` flattening, nulls, and the budget. No process is started
//! here; `crates/strata-cli/tests/sources.rs` runs real commands.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use strata_resolver::fetch::{Answer, Failure, Fetch, Fetched, Request};
use strata_resolver::{Budget, Code, Loader, Severity};

fn inventory(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

/// What the fake saw of one request.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    name: String,
    argv: Vec<String>,
    timeout: Duration,
    cache: Option<Duration>,
    allow_exec: bool,
    refresh: bool,
    /// What `check_list` said of the answer it was going to give.
    asks_hosts: Option<Vec<String>>,
}

#[derive(Debug)]
struct Fake {
    answer: Fetched,
    seen: Mutex<Vec<Seen>>,
}

impl Fake {
    fn new(answer: Fetched) -> Arc<Fake> {
        Arc::new(Fake {
            answer,
            seen: Mutex::new(Vec::new()),
        })
    }
}

impl Fetch for Fake {
    fn fetch(&self, r: &Request<'_>) -> Fetched {
        let asks_hosts = self
            .answer
            .answer
            .as_ref()
            .and_then(|a| (r.check_list)(&a.list));
        self.seen.lock().unwrap().push(Seen {
            name: r.name.to_string(),
            argv: r.argv.to_vec(),
            timeout: r.timeout,
            cache: r.cache,
            allow_exec: r.allow_exec,
            refresh: r.refresh,
            asks_hosts,
        });
        self.answer.clone()
    }
}

fn answer(list: &str) -> Fetched {
    Fetched {
        answer: Some(Answer {
            list: list.into(),
            hosts: Vec::new(),
            age: None,
        }),
        failure: None,
        ignored_cache: None,
    }
}

const DECL: &str = "command = [\"./inv.py\", \"--list\"]\ncache = \"5m\"\ntimeout = \"10s\"\n";

fn with_command(root: &Path) -> Loader {
    Loader::new(root)
}

#[test]
fn a_loader_without_fetcher_runs_nothing() {
    let dir = inventory(&[
        ("hosts.toml", "web = [\"w1\"]\n"),
        ("sources/cmdb.toml", DECL),
    ]);
    let err = Loader::new(dir.path()).allow_exec(true).load().unwrap_err();
    let d = &err.diagnostics()[0];
    assert_eq!((d.code, d.severity), (Code::SourceNotRun, Severity::Error));
    assert!(
        d.help.as_deref().unwrap().contains("strata::Loader"),
        "{d:?}"
    );
    // `check` reports it as a warning and checks the rest.
    let report = Loader::new(dir.path()).check();
    assert!(!report.has_errors(), "{:?}", report.diagnostics());
    assert_eq!(report.diagnostics()[0].code, Code::SourceNotRun);
}

#[test]
fn the_loader_asks_with_the_declaration_and_its_flags() {
    let dir = inventory(&[
        ("hosts.toml", "web = [\"w1\"]\n"),
        ("sources/cmdb.toml", DECL),
    ]);
    // (allow_exec, refresh)
    for (allow, refresh) in [(false, false), (true, false), (true, true)] {
        let fake = Fake::new(answer(r#"{"web": ["w2"], "db": ["d1"]}"#));
        let inv = with_command(dir.path())
            .allow_exec(allow)
            .refresh(refresh)
            .fetcher(fake.clone())
            .load()
            .unwrap();
        let seen = fake.seen.lock().unwrap().clone();
        assert_eq!(
            seen,
            [Seen {
                name: "cmdb".into(),
                argv: vec!["./inv.py".into(), "--list".into()],
                timeout: Duration::from_secs(10),
                cache: Some(Duration::from_secs(300)),
                allow_exec: allow,
                refresh,
                // No `_meta`: every host of the answer needs `--host`.
                asks_hosts: Some(vec!["w2".into(), "d1".into()]),
            }]
        );
        let names: Vec<_> = inv.hosts().map(|h| h.name()).collect();
        assert_eq!(names, ["w1", "w2", "d1"]);
    }
}

#[test]
fn an_ignored_cache_entry_is_a_warning_at_the_declaration() {
    let dir = inventory(&[
        ("hosts.toml", "web = [\"w1\"]\n"),
        ("sources/cmdb.toml", DECL),
    ]);
    let mut fetched = answer(r#"{"web": ["w2"], "_meta": {"hostvars": {}}}"#);
    fetched.ignored_cache = Some("/c/cmdb-1.answer is a symbolic link".into());
    let inv = Loader::new(dir.path())
        .fetcher(Fake::new(fetched))
        .load()
        .unwrap();
    let d = &inv.diagnostics()[0];
    assert_eq!((d.code, d.severity), (Code::SourceCache, Severity::Warning));
    assert_eq!(
        d.message,
        "the cached answer of command source `cmdb` was ignored: /c/cmdb-1.answer is a symbolic link"
    );
    let at = inv.files().location(d.span().unwrap()).unwrap();
    assert_eq!((at.line, at.column), (1, 11));
    let names: Vec<_> = inv.hosts().map(|h| h.name()).collect();
    assert_eq!(names, ["w1", "w2"]);
}

#[test]
fn a_failure_with_a_stale_answer_warns_and_uses_it() {
    let dir = inventory(&[
        ("hosts.toml", "web = [\"w1\"]\n"),
        ("sources/cmdb.toml", DECL),
    ]);
    let fake = Fake::new(Fetched {
        answer: Some(Answer {
            list: r#"{"web": {"hosts": ["w2"], "vars": {"v": "old"}}, "_meta": {"hostvars": {}}}"#
                .into(),
            hosts: Vec::new(),
            age: Some(Duration::from_secs(2 * 3600 + 5)),
        }),
        failure: Some(Failure::Failed {
            command: "./inv.py --list".into(),
            reason: "its --list answer is not a valid dynamic-inventory document".into(),
            stderr: "connecting...".into(),
            output: Some((None, "debug\n{}".into())),
        }),
        ignored_cache: None,
    });
    let inv = Loader::new(dir.path()).fetcher(fake).load().unwrap();
    let codes: Vec<_> = inv
        .diagnostics()
        .iter()
        .map(|d| (d.code, d.severity))
        .collect();
    assert_eq!(
        codes,
        [
            (Code::SourceFailed, Severity::Warning),
            (Code::SourceJson, Severity::Warning)
        ]
    );
    assert!(inv.diagnostics()[0].message.contains("cached and 2 h old"));
    let w2 = inv.host("w2").unwrap();
    assert_eq!(w2.data().get("v").unwrap().as_str(), Some("old"));
    assert_eq!(
        w2.data().origin("v").unwrap().to_string(),
        "sources/cmdb (cached output, 2 h old):1:36 (group web, source cmdb)"
    );
}

/// Loads `hosts.toml` and one file source `json`.
fn with_file(hosts: &str, json: &str) -> tempfile::TempDir {
    inventory(&[
        ("hosts.toml", hosts),
        ("sources/cmdb.toml", "file = \"cmdb.json\"\n"),
        ("cmdb.json", json),
    ])
}

/// Groups in order, each with its members.
type Groups<'a> = &'a [(&'a str, &'a [&'a str])];

#[test]
fn group_order_and_flattening() {
    // (document, groups in order, members of each group)
    let cases: &[(&str, Groups<'_>)] = &[
        // A parent written after its child still comes first.
        (
            r#"{"eu": ["h1"], "prod": {"children": ["eu"], "hosts": ["h2"]}}"#,
            &[("web", &["w1"]), ("prod", &["h1", "h2"]), ("eu", &["h1"])],
        ),
        // A diamond: both parents before the child, each has its hosts.
        (
            r#"{"leaf": ["h1"], "a": {"children": ["leaf"]}, "b": {"children": ["leaf"]}, "top": {"children": ["a", "b"]}}"#,
            &[
                ("web", &["w1"]),
                ("top", &["h1"]),
                ("a", &["h1"]),
                ("b", &["h1"]),
                ("leaf", &["h1"]),
            ],
        ),
        // A child named but not defined is created empty, as Ansible does.
        (
            r#"{"prod": {"children": ["later"], "hosts": ["h1"]}}"#,
            &[("web", &["w1"]), ("prod", &["h1"]), ("later", &[])],
        ),
        // A group of hosts.toml keeps its place and gets the union.
        (
            r#"{"db": ["d1"], "web": ["h1", "w1"]}"#,
            &[("web", &["w1", "h1"]), ("db", &["d1"])],
        ),
        // `all` and `ungrouped` hosts are in no group.
        (
            r#"{"all": {"hosts": ["h1"], "children": ["ungrouped"]}, "ungrouped": ["h2"]}"#,
            &[("web", &["w1"])],
        ),
        // The short form and a group named twice (the last one counts).
        (
            r#"{"g": ["h1"], "g": ["h2"]}"#,
            &[("web", &["w1"]), ("g", &["h2"])],
        ),
    ];
    for (json, want) in cases {
        let dir = with_file("web = [\"w1\"]\n", json);
        let inv = Loader::new(dir.path())
            .load()
            .unwrap_or_else(|e| panic!("{json}: {e}"));
        let got: Vec<(&str, Vec<&str>)> = inv
            .groups()
            .map(|g| (g.name(), g.hosts().map(|h| h.name()).collect()))
            .collect();
        let want: Vec<(&str, Vec<&str>)> = want.iter().map(|(g, h)| (*g, h.to_vec())).collect();
        assert_eq!(got, want, "{json}");
    }
}

#[test]
fn a_child_beats_its_parent_and_every_host_sees_the_same_order() {
    let dir = with_file(
        "web = [\"w1\"]\n",
        r#"{"prod": {"children": ["eu"], "vars": {"tier": "prod", "only_prod": 1}},
            "eu": {"hosts": ["w1", "h1"], "vars": {"tier": "eu"}}}"#,
    );
    let inv = Loader::new(dir.path()).load().unwrap();
    for host in ["w1", "h1"] {
        let data = inv.host(host).unwrap().data();
        assert_eq!(data.get("tier").unwrap().as_str(), Some("eu"), "{host}");
        assert_eq!(
            data.get("only_prod").unwrap().as_integer(),
            Some(1),
            "{host}"
        );
    }
}

#[test]
fn nulls_are_dropped_with_one_warning() {
    let dir = with_file(
        "web = [\"w1\"]\n",
        r#"{"web": {"vars": {"a": null, "b": [1, null, 2], "c": {"x": null, "y": 1}, "d": 4}}}"#,
    );
    let inv = Loader::new(dir.path()).load().unwrap();
    let data = inv.host("w1").unwrap().data().to_table();
    let want: toml::Table = toml::toml! { b = [1, 2] c = { y = 1 } d = 4 };
    assert_eq!(data, want);
    let nulls: Vec<_> = inv
        .diagnostics()
        .iter()
        .filter(|d| d.code == Code::JsonNull)
        .collect();
    assert_eq!(nulls.len(), 1);
    assert_eq!(
        nulls[0].message,
        "3 `null` values in source `cmdb` were dropped"
    );
    assert_eq!(nulls[0].labels.len(), 3);
}

#[test]
fn flattening_and_new_hosts_are_within_the_budget() {
    // 4 groups each listing 3 hosts, under a parent: a source's `children`
    // are nested groups, counted as hosts.toml's are (issue 22, item 4):
    // 1 + 12 direct memberships, and the 12 the parent's merge reads.
    let json = r#"{"top": {"children": ["a", "b", "c", "d"]},
        "a": ["h1", "h2", "h3"], "b": ["h1", "h2", "h3"], "c": ["h1", "h2", "h3"], "d": ["h1", "h2", "h3"]}"#;
    let dir = with_file("web = [\"w1\"]\n", json);
    let load = |entries, hosts| {
        Loader::new(dir.path())
            .budget(Budget {
                max_entries: entries,
                max_hosts: hosts,
                ..Budget::default()
            })
            .load()
    };
    assert!(load(25, 4).is_ok());
    for (entries, hosts) in [(24, 4), (14, 4), (25, 3)] {
        let err = load(entries, hosts).unwrap_err();
        assert_eq!(
            err.diagnostics()[0].code,
            Code::BudgetExceeded,
            "{entries} {hosts}"
        );
    }
}

#[test]
fn a_later_source_beats_an_earlier_one_at_the_same_rank() {
    let dir = inventory(&[
        ("hosts.toml", "web = [\"w1\"]\n"),
        ("sources/a.toml", "file = \"a.json\"\n"),
        ("sources/b.toml", "file = \"b.json\"\n"),
        (
            "a.json",
            r#"{"web": {"hosts": ["w1"], "vars": {"g": "a"}}, "_meta": {"hostvars": {"w1": {"h": "a"}}}}"#,
        ),
        (
            "b.json",
            r#"{"web": {"hosts": ["w1"], "vars": {"g": "b"}}, "_meta": {"hostvars": {"w1": {"h": "b"}}}}"#,
        ),
    ]);
    let inv = Loader::new(dir.path()).load().unwrap();
    let data = inv.host("w1").unwrap().data();
    // (key, winner, the reason it beats the other source)
    for key in ["g", "h"] {
        assert_eq!(data.get(key).unwrap().as_str(), Some("b"), "{key}");
        let e = data.explain(key).unwrap();
        assert_eq!(
            e.shadowed[0].1.to_string(),
            "source `b` comes after `a` (sources are read in name order), so it wins",
            "{key}"
        );
    }
}

#[test]
fn names_from_a_source_are_checked_where_they_are_written() {
    // (document, code, line:column of the label in cmdb.json)
    let cases = [
        (r#"{"web": ["bad host"]}"#, Code::InvalidHostName, (1, 10)),
        (r#"{"web": ["a/b"]}"#, Code::InvalidHostName, (1, 10)),
        (r#"{"bad/group": ["h1"]}"#, Code::InvalidGroupName, (1, 2)),
        (r#"{"@web": ["h1"]}"#, Code::InvalidGroupName, (1, 2)),
        (r#"{"web": {"hosts": [1]}}"#, Code::SourceShape, (1, 20)),
        (r#"{"web": {"vars": []}}"#, Code::SourceShape, (1, 18)),
        (r#"{"web": ["h1"],}"#, Code::SourceJson, (1, 15)),
    ];
    for (json, code, (line, column)) in cases {
        let dir = with_file("web = [\"w1\"]\n", json);
        let err = Loader::new(dir.path()).load().unwrap_err();
        let d = err
            .diagnostics()
            .iter()
            .find(|d| d.is_error())
            .unwrap_or_else(|| panic!("{json}"));
        let at = err.files().location(d.span().unwrap()).unwrap();
        assert_eq!(
            (d.code, at.inventory_path.as_str(), at.line, at.column),
            (code, "cmdb.json", line, column),
            "{json}: {d:?}"
        );
    }
}
