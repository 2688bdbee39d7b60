//! Merge strategies (`strata.toml`'s `[merge]`, issue 24): for random
//! layers, strategies and knockouts, the merged value equals a small model
//! written here (a fold from the lowest layer up, as Hiera describes its
//! merges), and the origin of every piece is the layer the model says
//! supplied it. Also: an inventory without `[merge]` resolves as before,
//! the override replaces a merged value whole, deferred host files merge.

use proptest::prelude::*;
use strata_resolver::{Code, Inventory, Layer, Loader};
use toml::Value as T;

/// A layer of the model: who it is, as an origin says it.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    Host,
    Group(usize),
    Global,
    Defaults,
}

fn who(o: &strata_resolver::Origin<'_>) -> Who {
    match (o.layer, o.group) {
        (Layer::HostFile, _) => Who::Host,
        (Layer::GroupFile, Some(g)) => Who::Group(g[1..].parse().unwrap()),
        (Layer::GlobalInline, _) => Who::Global,
        (Layer::Defaults, _) => Who::Defaults,
        other => panic!("unexpected origin {other:?}"),
    }
}

/// A model value: the value, its origin, and (tables) its keys in order.
#[derive(Clone, Debug)]
enum M {
    Leaf(T, Who),
    Table(Vec<(String, M)>, Who),
}

impl M {
    fn to_toml(&self) -> T {
        match self {
            M::Leaf(v, _) => v.clone(),
            M::Table(t, _) => T::Table(t.iter().map(|(k, v)| (k.clone(), v.to_toml())).collect()),
        }
    }

    /// Every node's path (below the key) and origin.
    fn origins(&self, path: &mut Vec<String>, out: &mut Vec<(Vec<String>, Who)>) {
        match self {
            M::Leaf(_, w) => out.push((path.clone(), *w)),
            M::Table(t, w) => {
                out.push((path.clone(), *w));
                for (k, v) in t {
                    path.push(k.clone());
                    v.origins(path, out);
                    path.pop();
                }
            }
        }
    }
}

fn knock(s: &str) -> Option<&str> {
    s.strip_prefix("--")
}

/// A table without its knockout keys, all the way down (what deep gives
/// for a table nothing lies under).
fn clean(v: &T, w: Who) -> M {
    match v {
        T::Table(t) => M::Table(
            t.iter()
                .filter(|(k, _)| knock(k).is_none())
                .map(|(k, v)| (k.clone(), clean(v, w)))
                .collect(),
            w,
        ),
        v => M::Leaf(v.clone(), w),
    }
}

/// `unique`, folded from the lowest layer up: the layer's elements, then
/// what is left below, less what it knocks out; each element once.
fn model_unique(layers: &[(Who, T)]) -> Vec<(T, Who)> {
    let mut acc: Vec<(T, Who)> = Vec::new();
    for (w, v) in layers.iter().rev() {
        let items = v.as_array().unwrap();
        let knocks: Vec<&str> = items
            .iter()
            .filter_map(|i| i.as_str().and_then(knock))
            .collect();
        let mut next: Vec<(T, Who)> = Vec::new();
        let mine = items
            .iter()
            .filter(|i| i.as_str().and_then(knock).is_none())
            .map(|i| (i.clone(), *w));
        let below = acc
            .into_iter()
            .filter(|(i, _)| !i.as_str().is_some_and(|s| knocks.contains(&s)));
        for (i, w) in mine.chain(below) {
            if !next.iter().any(|(j, _)| *j == i) {
                next.push((i, w));
            }
        }
        acc = next;
    }
    acc
}

/// `hash` and `deep`, folded from the lowest layer up.
fn model_tables(layers: &[(Who, T)], deep: bool) -> M {
    let mut acc: Option<M> = None;
    for (w, v) in layers.iter().rev() {
        acc = Some(match acc {
            None if deep => clean(v, *w),
            None => over(v, M::Table(Vec::new(), *w), *w, false),
            Some(low) => over(v, low, *w, deep),
        });
    }
    acc.unwrap()
}

/// `high` (a layer's value) over `low` (what the layers below merged to).
fn over(high: &T, low: M, w: Who, deep: bool) -> M {
    let (T::Table(h), M::Table(mut l, _)) = (high, low) else {
        return if deep {
            clean(high, w)
        } else {
            M::Leaf(high.clone(), w)
        };
    };
    for k in h.keys().filter_map(|k| knock(k)) {
        l.retain(|(x, _)| x != k);
    }
    let mut out: Vec<(String, M)> = Vec::new();
    for (k, v) in h.iter().filter(|(k, _)| knock(k).is_none()) {
        let below = l.iter().position(|(x, _)| x == k).map(|i| l.remove(i).1);
        let m = match below {
            Some(b) if deep => over(v, b, w, true),
            _ if deep => clean(v, w),
            _ => M::Leaf(v.clone(), w),
        };
        out.push((k.clone(), m));
    }
    out.extend(l);
    M::Table(out, w)
}

fn array() -> impl Strategy<Value = T> {
    let item = prop::sample::select(vec!["a", "b", "c", "d", "--a", "--b", "--c", "--z"]);
    prop::collection::vec(
        prop_oneof![
            4 => item.prop_map(|s| T::String(s.into())),
            1 => (0i64..3).prop_map(T::Integer),
        ],
        0..5,
    )
    .prop_map(T::Array)
}

fn table(depth: u32) -> BoxedStrategy<T> {
    let key = prop::sample::select(vec!["x", "y", "z", "--x", "--y", "--w"]);
    let leaf = prop_oneof![
        (0i64..4).prop_map(T::Integer),
        prop::sample::select(vec!["p", "q"]).prop_map(|s| T::String(s.into())),
        array(),
    ];
    let value = if depth == 0 {
        leaf.boxed()
    } else {
        prop_oneof![2 => leaf, 2 => table(depth - 1)].boxed()
    };
    prop::collection::vec((key, value), 0..4)
        .prop_map(|kv| T::Table(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect()))
        .boxed()
}

#[derive(Clone, Copy, Debug)]
enum S {
    Unique,
    Hash,
    Deep,
}

/// (strategy, host layer, group layers, global layer, defaults layer).
type Case = (S, Option<T>, Vec<Option<T>>, Option<T>, Option<T>);

fn case() -> impl Strategy<Value = Case> {
    prop_oneof![Just(S::Unique), Just(S::Hash), Just(S::Deep)].prop_flat_map(|s| {
        let v = match s {
            S::Unique => array().boxed(),
            S::Hash | S::Deep => table(2),
        };
        (
            Just(s),
            prop::option::of(v.clone()),
            prop::collection::vec(prop::option::of(v.clone()), 0..4),
            prop::option::of(v.clone()),
            prop::option::of(v),
        )
    })
}

fn one(k: &T) -> toml::Table {
    let mut t = toml::Table::new();
    t.insert("k".into(), k.clone());
    t
}

fn build(c: &Case) -> Inventory {
    let (s, host, groups, global, defaults) = c;
    let mut b = Inventory::builder().hosts(["h", "h2"]);
    for (i, g) in groups.iter().enumerate() {
        b = b.group(format!("g{i}"), ["h", "h2"]);
        if let Some(v) = g {
            b = b.group_data(format!("g{i}"), one(v));
        }
    }
    if let Some(v) = host {
        b = b.host_data("h", one(v));
    }
    if let Some(v) = global {
        b = b.global_data(one(v));
    }
    if let Some(v) = defaults {
        b = b.defaults(one(v));
    }
    let name = match s {
        S::Unique => "unique",
        S::Hash => "hash",
        S::Deep => "deep",
    };
    b.merge("k", name).build().unwrap()
}

/// The layers of host `h` (with its file) or `h2`, highest first.
fn layers(c: &Case, with_host: bool) -> Vec<(Who, T)> {
    let (_, host, groups, global, defaults) = c;
    let mut out = Vec::new();
    if with_host && let Some(v) = host {
        out.push((Who::Host, v.clone()));
    }
    for (i, g) in groups.iter().enumerate().rev() {
        if let Some(v) = g {
            out.push((Who::Group(i), v.clone()));
        }
    }
    if let Some(v) = global {
        out.push((Who::Global, v.clone()));
    }
    if let Some(v) = defaults {
        out.push((Who::Defaults, v.clone()));
    }
    out
}

fn check(inv: &Inventory, c: &Case, host: &str) {
    let layers = layers(c, host == "h");
    let data = inv.host(host).unwrap().data();
    if layers.is_empty() {
        assert!(data.get("k").is_none());
        return;
    }
    let got = data.get("k").unwrap();
    match c.0 {
        S::Unique => {
            let want = model_unique(&layers);
            let values: Vec<T> = want.iter().map(|(v, _)| v.clone()).collect();
            assert_eq!(*got, T::Array(values), "{host}: {layers:?}");
            for (i, (_, w)) in want.iter().enumerate() {
                let i = i.to_string();
                let o = data.origin_of_path(&["k", &i]).unwrap();
                assert_eq!(who(&o), *w, "{host}: element {i} of {layers:?}");
            }
        }
        S::Hash | S::Deep => {
            let want = model_tables(&layers, matches!(c.0, S::Deep));
            assert_eq!(*got, want.to_toml(), "{host}: {layers:?}");
            let mut origins = Vec::new();
            want.origins(&mut Vec::new(), &mut origins);
            for (path, w) in origins {
                if path.is_empty() {
                    continue;
                }
                let mut p = vec!["k"];
                p.extend(path.iter().map(String::as_str));
                let o = data.origin_of_path(&p).unwrap();
                assert_eq!(who(&o), w, "{host}: {p:?} of {layers:?}");
            }
        }
    }
    // The key's origin is its highest contribution's.
    assert_eq!(who(&data.origin("k").unwrap()), layers[0].0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    #[test]
    fn merged_values_and_origins_follow_the_model(c in case()) {
        let inv = build(&c);
        check(&inv, &c, "h");
        check(&inv, &c, "h2");
    }
}

#[test]
fn without_merge_nothing_changes_and_first_is_the_waterfall() {
    let make = |merge: Option<&str>| {
        let mut b = Inventory::builder()
            .group_with_data("web", ["w1"], toml::toml! { k = ["a"] t = { x = 1 } })
            .global_data(toml::toml! { k = ["b"] t = { y = 2 } });
        if let Some(s) = merge {
            b = b.merge("k", s).merge("t", s);
        }
        b.build().unwrap()
    };
    for inv in [make(None), make(Some("first"))] {
        let d = inv.host("w1").unwrap().data();
        assert_eq!(*d.get("k").unwrap(), T::Array(vec![T::String("a".into())]));
        assert_eq!(d.definitions("k").len(), 2);
        assert!(
            inv.host("w1")
                .unwrap()
                .data()
                .explain("k")
                .unwrap()
                .merged
                .is_none()
        );
    }
}

#[test]
fn the_override_replaces_a_merged_value_whole() {
    let inv = Inventory::builder()
        .group_with_data("web", ["w1"], toml::toml! { k = ["a"] })
        .global_data(toml::toml! { k = ["b"] })
        .override_data(toml::toml! { k = ["z"] })
        .merge("k", "unique")
        .build()
        .unwrap();
    let d = inv.host("w1").unwrap().data();
    assert_eq!(*d.get("k").unwrap(), T::Array(vec![T::String("z".into())]));
    assert_eq!(d.origin("k").unwrap().layer, Layer::Override);
    // Its own data does not hold the merged set.
    assert!(inv.host("w1").unwrap().own_data().get("k").is_none());
}

#[test]
fn paths_globs_and_nested_rules() {
    let inv = Inventory::builder()
        .group_with_data(
            "web",
            ["w1"],
            toml::toml! {
                app = { name = "web", limits = { cpu = 4 } }
                sysctl_net = { a = 1 }
                fw_rules = ["80"]
            },
        )
        .global_data(toml::toml! {
            app = { name = "base", limits = { cpu = 1, mem = 2 }, other = 1 }
            sysctl_net = { b = 2 }
            fw_rules = ["22"]
        })
        .merge("app.limits", "hash")
        .merge("sysctl_*", "hash")
        .merge("*_rules", "unique")
        .build()
        .unwrap();
    let d = inv.host("w1").unwrap().data();
    assert_eq!(
        d.get("app").unwrap().to_toml(),
        T::Table(toml::toml! { name = "web"
        limits = { cpu = 4, mem = 2 } })
    );
    assert_eq!(
        d.get("sysctl_net").unwrap().to_toml(),
        T::Table(toml::toml! { a = 1
        b = 2 })
    );
    assert_eq!(d.get("fw_rules").unwrap().as_array().unwrap().len(), 2);
    assert_eq!(
        d.origin_of_path(&["app", "limits", "mem"]).unwrap().layer,
        Layer::GlobalInline
    );
    assert_eq!(
        d.origin_of_path(&["app", "name"]).unwrap().layer,
        Layer::GroupInline
    );
    assert!(d.origin_of_path(&["app", "nope"]).is_none());
}

/// A key whose own name has a dot is named in double quotes, as Hiera's
/// `lookup` reads a quoted segment; without them the dot makes a path.
#[test]
fn a_quoted_segment_names_a_key_with_a_dot() {
    let inv = Inventory::builder()
        .group_with_data(
            "web",
            ["w1"],
            toml::toml! {
                "net.core" = { a = 1 }
                app = { "x.y" = { a = 1 }, x = { y = { a = 1 } } }
            },
        )
        .global_data(toml::toml! {
            "net.core" = { b = 2 }
            app = { "x.y" = { b = 2 }, x = { y = { b = 2 } } }
        })
        .merge("\"net.core\"", "hash")
        .merge("app.\"x.y\"", "hash")
        .build()
        .unwrap();
    let d = inv.host("w1").unwrap().data();
    assert_eq!(
        d.get("net.core").unwrap().to_toml(),
        T::Table(toml::toml! { a = 1
        b = 2 })
    );
    let app = d.get("app").unwrap().to_toml();
    // `"x.y"` merged, `x.y` (a path the rule does not name) is the group's.
    assert_eq!(
        app,
        T::Table(toml::toml! { "x.y" = { a = 1, b = 2 }
        x = { y = { a = 1 } } })
    );
    assert_eq!(
        d.origin_of_path(&["net.core", "b"]).unwrap().layer,
        Layer::GlobalInline
    );
    // An unclosed quote names nothing, and says so where it is written.
    let err = Inventory::builder()
        .global_data(toml::toml! { k = 1 })
        .merge("\"net.core", "hash")
        .build()
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("names no data key"), "{text}");
}

#[test]
fn problems_are_located_and_said_once() {
    let err = Inventory::builder()
        .group_with_data("web", ["w1", "w2"], toml::toml! { k = "x" fw_x = [1] })
        .global_data(toml::toml! { k = ["b"] fw_x = [2] })
        .merge("k", "unique")
        .merge("fw*", "unique")
        .merge("*_x", "hash")
        .build()
        .unwrap_err();
    let codes: Vec<Code> = err.diagnostics().iter().map(|d| d.code).collect();
    assert_eq!(
        codes.iter().filter(|&&c| c == Code::MergeType).count(),
        1,
        "{codes:?}"
    );
    assert!(codes.contains(&Code::AmbiguousMerge), "{codes:?}");
    let err = Inventory::builder()
        .group("web", ["w1"])
        .merge("k", "uniq")
        .build()
        .unwrap_err();
    assert_eq!(err.diagnostics()[0].code, Code::UnknownMergeStrategy);
    let inv = Inventory::builder()
        .group_with_data("web", ["w1"], toml::toml! { k = ["--a", "b"] })
        .merge("k", "unique")
        .build()
        .unwrap();
    assert_eq!(inv.diagnostics().len(), 1);
    assert_eq!(inv.diagnostics()[0].code, Code::EmptyKnockout);
}

#[test]
fn a_deferred_host_file_merges_when_read() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(p.join("hosts.toml"), "web = [\"w1\", \"w2\"]\n").unwrap();
    std::fs::write(p.join("strata.toml"), "[merge]\nk = \"unique\"\n").unwrap();
    std::fs::create_dir(p.join("group_data")).unwrap();
    std::fs::write(p.join("group_data/web.toml"), "k = [\"a\", \"b\"]\n").unwrap();
    std::fs::create_dir(p.join("host_data")).unwrap();
    std::fs::write(p.join("host_data/w1.toml"), "k = [\"c\", \"--a\"]\n").unwrap();
    let full = Loader::new(p).load().unwrap();
    let want = full.host("w1").unwrap().data().get("k").unwrap().clone();
    assert_eq!(want.to_toml(), T::Array(vec!["c".into(), "b".into()]));
    let mut inv = Loader::new(p).defer_host_data().load().unwrap();
    let w1 = inv.host("w1").unwrap().index();
    assert_eq!(
        inv.host("w1")
            .unwrap()
            .data()
            .get("k")
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert!(inv.read_host_data([w1]).is_empty());
    assert_eq!(*inv.host("w1").unwrap().data().get("k").unwrap(), want);
    assert_eq!(
        inv.host("w1")
            .unwrap()
            .data()
            .origin_of_path(&["k", "0"])
            .unwrap()
            .layer,
        Layer::HostFile
    );
    // w2 still has the group's.
    assert_eq!(
        inv.host("w2").unwrap().data().get("k").unwrap().to_toml(),
        T::Array(vec!["a".into(), "b".into()])
    );
}

#[test]
fn a_merged_key_of_a_parent_group_is_not_shadowed() {
    // The child's `pkgs` wins over the parent's for every host: shadowed
    // by the waterfall, but merged with `unique`, so the parent's counts.
    let make = |merge: bool| {
        let mut b = Inventory::builder()
            .group_with_data("prod", Vec::<&str>::new(), toml::toml! { pkgs = ["a"] })
            .group_with_data("web", ["w1"], toml::toml! { pkgs = ["b"] })
            .children("prod", ["web"]);
        if merge {
            b = b.merge("pkgs", "unique");
        }
        b.build().unwrap()
    };
    let codes = |inv: &Inventory| -> Vec<Code> { inv.lint().iter().map(|d| d.code).collect() };
    assert!(codes(&make(false)).contains(&Code::ShadowedParentData));
    let merged = make(true);
    assert!(!codes(&merged).contains(&Code::ShadowedParentData));
    assert_eq!(
        merged
            .host("w1")
            .unwrap()
            .data()
            .get("pkgs")
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn knockouts_warn_only_when_nothing_below_them_is_removed() {
    // `web` and `all.data` both knock out `a`, which `all.toml` (below
    // both) gives: neither warns. `--b` has nothing below: a warning.
    let inv = Inventory::builder()
        .group_with_data(
            "web",
            ["w1"],
            toml::toml! { k = ["--a", "--b", "x"] t = { "--a" = 1 } },
        )
        .global_data(toml::toml! { k = ["--a"] t = { "--a" = 1 } })
        .group_data("all", toml::toml! { k = ["a"] t = { a = 1 } })
        .merge("k", "unique")
        .merge("t", "hash")
        .build()
        .unwrap();
    let d = inv.host("w1").unwrap().data();
    assert_eq!(d.get("k").unwrap().to_toml(), T::Array(vec!["x".into()]));
    assert_eq!(d.get("t").unwrap().to_toml(), T::Table(toml::Table::new()));
    let warnings: Vec<&str> = inv
        .diagnostics()
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("the element `b`"), "{warnings:?}");
}

#[test]
fn the_budget_bounds_what_merging_visits() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let big: Vec<String> = (0..5000).map(|i| format!("\"e{i}\"")).collect();
    std::fs::write(p.join("hosts.toml"), "web = [\"w1\"]\n").unwrap();
    std::fs::write(p.join("strata.toml"), "[merge]\nk = \"unique\"\n").unwrap();
    std::fs::create_dir(p.join("group_data")).unwrap();
    std::fs::write(
        p.join("group_data/web.toml"),
        format!("k = [{}]\n", big.join(", ")),
    )
    .unwrap();
    std::fs::write(
        p.join("group_data/all.toml"),
        format!("k = [{}]\n", big.join(", ")),
    )
    .unwrap();
    let budget = strata_resolver::Budget {
        max_host_keys: 4000,
        ..Default::default()
    };
    let err = Loader::new(p).budget(budget).load().unwrap_err();
    let codes: Vec<Code> = err.diagnostics().iter().map(|d| d.code).collect();
    assert_eq!(codes, [Code::BudgetExceeded]);
    assert!(err.diagnostics()[0].message.contains("merging"));
    // Within the default budget it loads, each element once.
    let inv = Loader::new(p).load().unwrap();
    assert_eq!(
        inv.host("w1")
            .unwrap()
            .data()
            .get("k")
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        5000
    );
}

#[test]
fn a_deep_merge_of_large_tables_is_linear() {
    // Three layers (host file, group file, global file), each a `deep`
    // table of 10,000 keys holding a small table: 60,000 values to merge.
    // A merge that compared every key with every other would visit 10^8;
    // a linear one visits each value a bounded number of times, so it
    // loads within a budget of three visits per value, and fast.
    const N: usize = 10_000;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let table = |layer: &str| {
        let mut s = String::from("[features]\n");
        for i in 0..N {
            s.push_str(&format!("k{i} = {{ {layer} = {i} }}\n"));
        }
        s
    };
    std::fs::write(p.join("hosts.toml"), "web = [\"w1\"]\n").unwrap();
    std::fs::write(p.join("strata.toml"), "[merge]\nfeatures = \"deep\"\n").unwrap();
    std::fs::create_dir(p.join("group_data")).unwrap();
    std::fs::create_dir(p.join("host_data")).unwrap();
    std::fs::write(p.join("host_data/w1.toml"), table("host")).unwrap();
    std::fs::write(p.join("group_data/web.toml"), table("web")).unwrap();
    std::fs::write(p.join("group_data/all.toml"), table("all")).unwrap();
    let values = (3 * N * 2) as u64;
    let budget = strata_resolver::Budget {
        max_host_keys: 3 * values,
        ..Default::default()
    };
    let start = std::time::Instant::now();
    let inv = Loader::new(p).budget(budget).load().unwrap();
    let data = inv.host("w1").unwrap().data();
    let merged = data.get("features").unwrap().as_table().unwrap();
    assert_eq!(merged.len(), N);
    let last = merged
        .get(&format!("k{}", N - 1))
        .unwrap()
        .as_table()
        .unwrap();
    assert_eq!(last.len(), 3, "each key deep-merged from three layers");
    // The provenance of one piece is made again on demand: linear too.
    let o = data
        .origin_of_path(&["features", &format!("k{}", N - 1), "all"])
        .unwrap();
    assert_eq!(o.layer, Layer::GlobalFile);
    let took = start.elapsed();
    // Generous for a debug build on a loaded machine; a quadratic merge
    // takes minutes.
    assert!(took < std::time::Duration::from_secs(30), "{took:?}");
    // And a budget below one visit per value stops it, located.
    let budget = strata_resolver::Budget {
        max_host_keys: values / 2,
        ..Default::default()
    };
    let err = Loader::new(p).budget(budget).load().unwrap_err();
    let codes: Vec<Code> = err.diagnostics().iter().map(|d| d.code).collect();
    assert_eq!(codes, [Code::BudgetExceeded]);
    assert!(err.diagnostics()[0].message.contains("merging"));
}

#[test]
fn schemas_label_the_contribution_that_broke_a_merged_value() {
    let root =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/merge-schema");
    let mut inv = Loader::new(&root).load().unwrap();
    let (schemas, problems) = inv.read_schemas();
    assert!(problems.is_empty(), "{problems:?}");
    let found = inv.validate(&schemas);
    // (message start, primary label at, every label's file:line)
    let at = |s: strata_resolver::Span| {
        let l = inv.files().location(s).unwrap();
        format!("{}:{}:{}", l.inventory_path, l.line, l.column)
    };
    let got: Vec<(String, Vec<String>)> = found
        .iter()
        .filter(|d| d.message.contains("w1"))
        .map(|d| {
            let head = d.message.split(" (").next().unwrap().to_string();
            (head, d.labels.iter().map(|l| at(l.span)).collect())
        })
        .collect();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let want = [
        // A piece from a lower layer: its own line and column.
        (
            "`sysctl.net.core.somaxconn`: \"lots\" is not of type \"integer\"",
            s(&["group_data/all.toml:2:57", "schema/all.json:7:41"]),
        ),
        (
            "`features.tls.min`: \"1.0\" is not one of \"1.2\" or \"1.3\"",
            s(&["group_data/all.toml:3:28", "schema/all.json:10:65"]),
        ),
        // The merged value as a whole: every contribution and the rule.
        (
            "`packages`: [\"nginx\",\"tmux\",\"htop\",22] has more than 3 items",
            s(&[
                "group_data/web.toml:1:1",
                "group_data/all.toml:1:1",
                "strata.toml:2:12",
                "schema/all.json:3:79",
            ]),
        ),
        // An element of a `unique` array: where it is in its own file.
        (
            "`packages[3]`: 22 is not of type \"string\"",
            s(&["group_data/all.toml:1:21", "schema/all.json:3:55"]),
        ),
        (
            "`kernel.pid_max` is required in `sysctl` by schema/all.json but missing on 2 hosts: `w1`, `w2`; `sysctl` is a merged value",
            s(&[
                "group_data/web.toml:2:1",
                "group_data/all.toml:2:1",
                "strata.toml:3:10",
                "schema/all.json:6:20",
            ]),
        ),
    ];
    let want: Vec<(String, Vec<String>)> =
        want.into_iter().map(|(m, l)| (m.to_string(), l)).collect();
    assert_eq!(got.len(), want.len(), "{got:#?}");
    for w in &want {
        let g = got
            .iter()
            .find(|g| g.0.starts_with(&w.0))
            .unwrap_or_else(|| panic!("no `{}` in {got:#?}", w.0));
        assert_eq!(g.1, w.1, "{}", g.0);
    }
}
