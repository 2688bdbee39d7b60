//! Nested groups (`children`, issue 22): membership, the precedence rule
//! (deeper wins, then later), the errors, and the budget against deep,
//! wide and diamond-shaped nesting.

use std::time::{Duration, Instant};

use proptest::prelude::*;
use strata_resolver::{Budget, Code, Inventory, LoadError, Loader};

fn load(hosts_toml: &str) -> Result<Inventory, LoadError> {
    load_with(hosts_toml, Budget::default())
}

fn load_with(hosts_toml: &str, budget: Budget) -> Result<Inventory, LoadError> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("hosts.toml"), hosts_toml).unwrap();
    Loader::new(dir.path()).budget(budget).load()
}

fn names<'a>(it: impl Iterator<Item = strata_resolver::Host<'a>>) -> Vec<&'a str> {
    it.map(|h| h.name()).collect()
}

fn groups_of<'a>(inv: &'a Inventory, host: &str) -> Vec<&'a str> {
    inv.host(host).unwrap().groups().map(|g| g.name()).collect()
}

fn errors(e: &LoadError) -> Vec<(Code, String)> {
    e.diagnostics()
        .iter()
        .map(|d| {
            (
                d.code,
                format!("{} | {}", d.message, d.help.as_deref().unwrap_or("")),
            )
        })
        .collect()
}

const PROD: &str = r#"
all_web = ["web1", "web2"]
prod_web = ["web1"]
prod_db = ["db1", "web1"]

[prod]
children = ["prod_web", "prod_db"]
data = { env = "production", role = "prod", tier = 1 }

[site]
children = ["prod"]
hosts = ["ops1"]
data = { env = "site", site = "x", tier = 0 }
"#;

#[test]
fn a_parent_has_its_descendants_hosts_once_in_inventory_order() {
    let inv = load(PROD).unwrap();
    let g = |n| inv.group(n).unwrap();
    assert_eq!(names(g("prod").hosts()), ["web1", "db1"]);
    assert_eq!(names(g("prod").direct_hosts()), Vec::<&str>::new());
    assert_eq!(names(g("site").hosts()), ["web1", "db1", "ops1"]);
    assert_eq!(names(g("site").direct_hosts()), ["ops1"]);
    let kids: Vec<&str> = g("prod").children().map(|c| c.name()).collect();
    assert_eq!(kids, ["prod_web", "prod_db"]);
    let parents: Vec<&str> = g("prod_db").parents().map(|c| c.name()).collect();
    assert_eq!(parents, ["prod"]);
    assert_eq!(
        [
            g("site").depth(),
            g("prod").depth(),
            g("prod_web").depth(),
            g("all_web").depth()
        ],
        [1, 2, 3, 1]
    );
    // A limit on a parent selects its descendants' hosts.
    let sel: Vec<&str> = inv
        .select("prod")
        .unwrap()
        .iter()
        .map(|h| h.name())
        .collect();
    assert_eq!(sel, ["web1", "db1"]);
}

#[test]
fn a_deeper_group_wins_then_the_later_one() {
    let inv = load(PROD).unwrap();
    // Depth 1: all_web, site; 2: prod; 3: prod_web, prod_db (as written).
    assert_eq!(
        groups_of(&inv, "web1"),
        ["all_web", "site", "prod", "prod_web", "prod_db"]
    );
    let d = inv.host("web1").unwrap().data();
    // `prod` (depth 2) beats `site` (depth 1), though written before it.
    assert_eq!(d.get("env").unwrap().as_str(), Some("production"));
    assert_eq!(d.get("tier").unwrap().as_integer(), Some(1));
    assert_eq!(d.get("site").unwrap().as_str(), Some("x"));
    let e = d.explain("env").unwrap();
    assert_eq!(
        e.shadowed[0].1.to_string(),
        "group `prod` is a child of `site`, so it wins"
    );
    assert_eq!(groups_of(&inv, "ops1"), ["site"]);
}

#[test]
fn the_explanation_names_depth_when_not_a_direct_child() {
    let text = "[a]\nchildren = [\"b\"]\ndata = { k = \"a\" }\n[b]\nchildren = [\"c\"]\n[c]\nhosts = [\"h\"]\ndata = { k = \"c\" }\n";
    let inv = load(text).unwrap();
    let e = inv.host("h").unwrap().data().explain("k").unwrap();
    assert_eq!(e.winner.value.as_str(), Some("c"));
    assert_eq!(
        e.shadowed[0].1.to_string(),
        "group `c` (depth 3) is deeper than `a` (depth 1), so it wins"
    );
}

#[test]
fn a_child_may_be_declared_after_its_parent_or_be_a_source_group() {
    let inv = load("[p]\nchildren = [\"later\"]\n[later]\nhosts = [\"h1\"]\n").unwrap();
    assert_eq!(names(inv.group("p").unwrap().hosts()), ["h1"]);
    assert!(inv.diagnostics().is_empty(), "{:?}", inv.diagnostics());

    // A group only a file source names.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(
        p.join("hosts.toml"),
        "web = [\"w1\"]\n[prod]\nchildren = [\"web\", \"role_app\"]\ndata = { k = \"prod\" }\n",
    )
    .unwrap();
    std::fs::create_dir(p.join("sources")).unwrap();
    std::fs::write(p.join("sources/cmdb.toml"), "file = \"cmdb.json\"\n").unwrap();
    std::fs::write(
        p.join("cmdb.json"),
        r#"{"role_app": {"hosts": ["app1"], "vars": {"k": "role_app"}}}"#,
    )
    .unwrap();
    let inv = Loader::new(p).load().unwrap();
    assert_eq!(names(inv.group("prod").unwrap().hosts()), ["w1", "app1"]);
    assert_eq!(inv.group("role_app").unwrap().depth(), 2);
    // The source group is a child of prod: its vars win over prod's data.
    let d = inv.host("app1").unwrap().data();
    assert_eq!(d.get("k").unwrap().as_str(), Some("role_app"));
}

#[test]
fn errors_are_located_and_reported_once() {
    let text = "web = [\"w1\"]\n[p]\nchildren = [\"wbe\", \"all\", \"web\", \"web\"]\n[x]\nchildren = [\"y\"]\n[y]\nchildren = [\"z\"]\n[z]\nchildren = [\"x\"]\n[self]\nchildren = [\"self\"]\n";
    let e = load(text).unwrap_err();
    let got = errors(&e);
    let codes: Vec<Code> = got.iter().map(|(c, _)| *c).collect();
    assert_eq!(
        codes,
        [
            Code::UnknownChild,
            Code::InvalidChild,
            Code::DuplicateChild,
            Code::GroupCycle,
            Code::GroupCycle
        ],
        "{got:#?}"
    );
    assert!(got[0].1.contains("did you mean `web`?"), "{got:?}");
    assert!(got[3].1.contains("`x` → `y` → `z` → `x`"), "{got:?}");
    assert!(got[4].1.contains("`self` names itself"), "{got:?}");
}

#[test]
fn all_cannot_have_children_nor_a_connector_group() {
    let e = load("web = [\"w1\"]\n[all]\nchildren = [\"web\"]\n").unwrap_err();
    assert_eq!(errors(&e)[0].0, Code::InvalidChild);
    let e = load("web = [\"w1\"]\n[\"@docker\"]\nchildren = [\"web\"]\n").unwrap_err();
    let codes: Vec<Code> = errors(&e).iter().map(|(c, _)| *c).collect();
    assert!(codes.contains(&Code::InvalidChild), "{:?}", errors(&e));
}

/// `levels` levels of two groups, each naming both groups of the next
/// level: 2^levels paths from the top to the one host at the bottom.
fn diamond(levels: usize) -> String {
    let mut s = String::from("bottom = [\"h\"]\n");
    for l in 0..levels {
        let next = if l + 1 == levels {
            "\"bottom\"".to_string()
        } else {
            format!("\"l{}a\", \"l{}b\"", l + 1, l + 1)
        };
        for side in ["a", "b"] {
            s.push_str(&format!("[l{l}{side}]\nchildren = [{next}]\n"));
        }
    }
    s
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let t = Instant::now();
    let out = f();
    (out, t.elapsed())
}

#[test]
fn a_diamond_lattice_of_2_to_the_20_paths_costs_its_edges() {
    let (inv, took) = timed(|| load(&diamond(20)).unwrap());
    assert_eq!(inv.host("h").unwrap().groups().count(), 41);
    assert_eq!(inv.group("l0a").unwrap().depth(), 1);
    assert_eq!(inv.group("bottom").unwrap().depth(), 21);
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[test]
fn a_chain_of_10000_groups_loads_or_is_refused_by_the_budget() {
    let mut chain = String::from("g0 = [\"h[0:99]\"]\n");
    for i in 1..10_000 {
        chain.push_str(&format!("[g{i}]\nchildren = [\"g{}\"]\n", i - 1));
    }
    // 100 hosts in each of 10,000 groups: a million memberships, within
    // the default budget.
    let (inv, took) = timed(|| load(&chain).unwrap());
    assert_eq!(inv.group("g9999").unwrap().hosts().len(), 100);
    assert_eq!(inv.group("g0").unwrap().depth(), 10_000);
    assert!(took < Duration::from_secs(20), "{took:?}");
    // With a tighter budget it is refused before the merges are made.
    let budget = Budget {
        max_entries: 50_000,
        ..Budget::default()
    };
    let (e, took) = timed(|| load_with(&chain, budget).unwrap_err());
    let got = errors(&e);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, Code::BudgetExceeded);
    assert!(got[0].1.contains("nested groups"), "{got:?}");
    assert!(took < Duration::from_secs(20), "{took:?}");
}

#[test]
fn a_group_with_10000_children_loads() {
    let mut s = String::new();
    for i in 0..10_000 {
        s.push_str(&format!("c{i} = [\"h{i}\"]\n"));
    }
    let kids: Vec<String> = (0..10_000).map(|i| format!("\"c{i}\"")).collect();
    s.push_str(&format!("[top]\nchildren = [{}]\n", kids.join(", ")));
    let (inv, took) = timed(|| load(&s).unwrap());
    assert_eq!(inv.group("top").unwrap().hosts().len(), 10_000);
    assert_eq!(groups_of(&inv, "h5"), ["top", "c5"]);
    assert!(took < Duration::from_secs(20), "{took:?}");
}

/// Inventories without `children`: every group has depth 1, its hosts are
/// its direct hosts, and each host's groups are in group order (the order
/// before nesting existed), so precedence is unchanged.
fn flat_inventory() -> impl Strategy<Value = Vec<Vec<u8>>> {
    prop::collection::vec(prop::collection::vec(0u8..12, 0..6), 1..8)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn without_children_nothing_changes(groups in flat_inventory()) {
        let mut text = String::new();
        for (i, hosts) in groups.iter().enumerate() {
            let hosts: Vec<String> = hosts.iter().map(|h| format!("\"h{h}\"")).collect();
            text.push_str(&format!("g{i} = [{}]\n", hosts.join(", ")));
        }
        let mut b = Inventory::builder();
        for (i, hosts) in groups.iter().enumerate() {
            let mut seen = Vec::new();
            for h in hosts {
                if !seen.contains(h) {
                    seen.push(*h);
                }
            }
            b = b.group_with_data(
                format!("g{i}"),
                seen.iter().map(|h| format!("h{h}")),
                toml::toml! { k = (i as i64) },
            );
        }
        let built = b.build();
        let Ok(inv) = load(&text) else { return Ok(()); };
        let order: Vec<&str> = inv.groups().map(|g| g.name()).collect();
        for g in inv.groups() {
            prop_assert_eq!(g.depth(), 1);
            prop_assert_eq!(g.children().len(), 0);
            prop_assert_eq!(names(g.hosts()), names(g.direct_hosts()));
        }
        for h in inv.hosts() {
            let pos: Vec<usize> = h
                .groups()
                .map(|g| order.iter().position(|n| *n == g.name()).unwrap())
                .collect();
            prop_assert!(pos.windows(2).all(|w| w[0] < w[1]), "{:?}", pos);
        }
        // The same content built in code: the last group written wins.
        if let Ok(built) = built {
            for h in built.hosts() {
                let last = h.groups().last().map(|g| g.name().trim_start_matches('g').parse::<i64>().unwrap());
                prop_assert_eq!(h.data().get("k").and_then(|v| v.as_integer()), last);
            }
        }
    }
}

#[test]
fn a_schema_for_a_parent_checks_its_descendants_hosts() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("hosts.toml"),
        "web = [\"w1\"]\nother = [\"o1\"]\n[prod]\nchildren = [\"web\"]\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("schema")).unwrap();
    std::fs::write(
        dir.path().join("schema/prod.json"),
        r#"{ "required": ["owner"] }"#,
    )
    .unwrap();
    let report = Loader::new(dir.path()).check();
    let schema: Vec<String> = report
        .diagnostics()
        .iter()
        .filter(|d| d.code == Code::Schema)
        .map(|d| d.message.clone())
        .collect();
    assert_eq!(schema.len(), 1, "{schema:?}");
    assert!(schema[0].contains("w1"), "{schema:?}");
    assert!(!schema[0].contains("o1"), "{schema:?}");
}

#[test]
fn a_parent_s_keys_reaching_many_hosts_count_against_the_host_key_budget() {
    let text = "leaf = [\"h[0:999]\"]\n[mid]\nchildren = [\"leaf\"]\ndata = { a = 1, b = 2 }\n[top]\nchildren = [\"mid\"]\ndata = { c = 3 }\n";
    // 1,000 hosts gain mid's 2 keys and top's 1: 3,000 host keys.
    let budget = |n| Budget {
        max_host_keys: n,
        ..Budget::default()
    };
    assert!(load_with(text, budget(3_000)).is_ok());
    let e = load_with(text, budget(2_999)).unwrap_err();
    let got = errors(&e);
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].1.contains("host keys"), "{got:?}");
}

/// An inventory of hosts.toml, group_data/ files and a file source
/// `cmdb.json`.
fn load_files(files: &[(&str, &str)]) -> Result<Inventory, LoadError> {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    Loader::new(dir.path()).load()
}

/// Issue 22, item 4: a source's `children` are nested groups, in the same
/// model as hosts.toml's.
#[test]
fn a_sources_children_are_nested_groups() {
    let inv = load_files(&[
        (
            "hosts.toml",
            "[app]\nhosts = [\"a3\"]\n[late]\nhosts = [\"a1\", \"a2\", \"a3\"]\ndata = { k = \"late\" }\n",
        ),
        ("sources/cmdb.toml", "file = \"cmdb.json\"\n"),
        (
            "cmdb.json",
            r#"{"site": {"children": ["prod"], "vars": {"k": "site"}},
                "prod": {"hosts": ["p1"], "children": ["app", "app", "all", "empty"], "vars": {"k": "prod"}},
                "app": {"hosts": ["a1", "a2"], "vars": {"k": "app"}}}"#,
        ),
    ])
    .unwrap();
    let g = |n: &str| inv.group(n).unwrap();
    assert_eq!(
        (g("site").depth(), g("prod").depth(), g("app").depth()),
        (1, 2, 3)
    );
    // Membership: own and descendants', once, in inventory order.
    assert_eq!(names(g("prod").hosts()), ["a3", "a1", "a2", "p1"]);
    assert_eq!(names(g("prod").direct_hosts()), ["p1"]);
    assert_eq!(names(g("site").hosts()), ["a3", "a1", "a2", "p1"]);
    let kids: Vec<&str> = g("prod").children().map(|c| c.name()).collect();
    assert_eq!(kids, ["app", "empty"]);
    // hosts.toml's `app` is written before `late`; the source makes it a
    // child of `prod`: depth wins (Ansible's rule), where position used to.
    for h in ["a1", "a2", "a3"] {
        let d = inv.host(h).unwrap().data();
        assert_eq!(d.get("k").unwrap().as_str(), Some("app"), "{h}");
    }
    assert_eq!(groups_of(&inv, "a3"), ["late", "site", "prod", "app"]);
    // A repeated child is one edge, quietly (Ansible's too).
    assert!(inv.diagnostics().is_empty(), "{:?}", inv.diagnostics());
}

#[test]
fn a_loop_through_hosts_toml_and_a_source_is_a_cycle() {
    let err = load_files(&[
        ("hosts.toml", "[a]\nhosts = [\"h\"]\nchildren = [\"b\"]\n"),
        ("sources/cmdb.toml", "file = \"cmdb.json\"\n"),
        ("cmdb.json", r#"{"b": {"children": ["a"]}}"#),
    ])
    .unwrap_err();
    let e = errors(&err);
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].0, Code::GroupCycle);
    // Within one source: its own error, as before.
    let err = load_files(&[
        ("hosts.toml", "web = [\"h\"]\n"),
        ("sources/cmdb.toml", "file = \"cmdb.json\"\n"),
        (
            "cmdb.json",
            r#"{"b": {"children": ["c"]}, "c": {"children": ["b"]}}"#,
        ),
    ])
    .unwrap_err();
    assert_eq!(errors(&err)[0].0, Code::SourceShape);
}

fn shadowed(inv: &Inventory) -> Vec<String> {
    inv.lint()
        .into_iter()
        .filter(|d| d.code == Code::ShadowedParentData)
        .map(|d| d.message)
        .collect()
}

#[test]
fn a_parent_key_every_host_gets_elsewhere_is_linted() {
    let inv = load_files(&[
        (
            "hosts.toml",
            r#"[prod]
children = ["web", "db"]
data = { env = "prod", tier = "prod", port = 1, zone = "z" }

[web]
hosts = [{ name = "w1", data = { port = 81 } }, "w2"]
data = { tier = "web" }

[db]
hosts = [{ name = "d1", data = { port = 5432 } }]
data = { tier = "db", zone = "dz" }

[solo]
hosts = ["w1"]
data = { tier = "solo" }
"#,
        ),
        (
            "group_data/prod.toml",
            "owner = \"ops\"\nenv = \"production\"\n",
        ),
        ("group_data/db.toml", "owner = \"dba\"\n"),
    ])
    .unwrap();
    let got = shadowed(&inv);
    // `tier`: every host from a child (w1 from `web`, deeper than `solo`);
    // `env`, `owner` reach some host; `zone` reaches w1 and w2; `port`
    // reaches w2.
    assert_eq!(
        got,
        [
            "`tier` of group `prod` reaches none of its 3 hosts: each gets it from group `web` or group `db`"
        ],
    );
    let d = inv
        .lint()
        .into_iter()
        .find(|d| d.code == Code::ShadowedParentData)
        .unwrap();
    assert_eq!(d.severity, strata_resolver::Severity::Warning);

    // Host data and a file key; groups without children are not linted.
    let inv = load_files(&[
        (
            "hosts.toml",
            "[prod]\nchildren = [\"web\"]\n[web]\nhosts = [{ name = \"w1\", data = { port = 81 } }]\n[other]\nhosts = [\"w1\"]\ndata = { x = 1 }\n",
        ),
        ("group_data/prod.toml", "port = 80\n"),
        ("host_data/w1.toml", "x = 2\n"),
    ])
    .unwrap();
    assert_eq!(
        shadowed(&inv),
        ["`port` of group `prod` never reaches its host: it gets it from its own data"],
    );
    let d = inv
        .lint()
        .into_iter()
        .find(|d| d.code == Code::ShadowedParentData)
        .unwrap();
    let at = inv.files().location(d.span().unwrap()).unwrap();
    assert!(at.to_string().ends_with("group_data/prod.toml:1:1"), "{at}");
}

#[test]
fn a_source_listing_a_host_in_a_group_and_its_child_is_not_linted() {
    let inv = load_files(&[
        ("hosts.toml", "web = [\"w1\"]\n"),
        ("sources/cmdb.toml", "file = \"cmdb.json\"\n"),
        (
            "cmdb.json",
            r#"{"prod": {"hosts": ["a1"], "children": ["app"]}, "app": {"hosts": ["a1"]}}"#,
        ),
    ])
    .unwrap();
    assert!(inv.lint().is_empty(), "{:?}", inv.lint());
}

#[test]
fn a_sources_child_beats_a_later_top_level_group_of_the_same_source() {
    let inv = load_files(&[
        ("hosts.toml", "web = [\"w1\"]\n"),
        ("sources/cmdb.toml", "file = \"cmdb.json\"\n"),
        (
            "cmdb.json",
            r#"{"a": {"children": ["c"]}, "c": {"hosts": ["h"], "vars": {"k": "c"}}, "b": {"hosts": ["h"], "vars": {"k": "b"}}}"#,
        ),
    ])
    .unwrap();
    // Flattened, `b` (placed last) won; `c` is deeper, as in Ansible.
    assert_eq!(groups_of(&inv, "h"), ["a", "b", "c"]);
    let d = inv.host("h").unwrap().data();
    assert_eq!(d.get("k").unwrap().as_str(), Some("c"));
}
