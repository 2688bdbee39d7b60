//! The waterfall (docs/precedence.md), checked against an independent model.
//!
//! The property tests build random inventories through the public builder
//! and compare every host's resolved data, and every definition's origin,
//! with a deliberately simple model written here: for each host, list the
//! layers in precedence order and let the first definition of a key win.
//! The table-driven tests at the end load the format's examples from files.

use std::collections::BTreeMap;

use proptest::prelude::*;
use strata_resolver::Value;
use strata_resolver::{HostSpec, Inventory, Layer, Loader};
use toml::{Table, Value as TomlValue};

// ---------------------------------------------------------------------------
// A random inventory
// ---------------------------------------------------------------------------

/// Keys come from a small alphabet so that layers conflict often.
const KEYS: &[&str] = &["a", "b", "c", "d"];

/// Group names in a non-alphabetical pool: definition order is what counts.
const GROUP_NAMES: &[&str] = &["zeta", "alpha", "mid", "beta", "omega"];

/// The shape of a value; the value itself is made unique per definition
/// (see [`Spec::number`]), so that the winner of every key is unambiguous.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Int,
    Str,
    Array,
    Table,
}

type TableSpec = BTreeMap<&'static str, Kind>;

#[derive(Clone, Debug)]
struct GroupSpec {
    name: &'static str,
    /// Members as (host index, inline entry data), in listing order.
    members: Vec<(usize, Option<Table>)>,
    inline: Option<Table>,
    file: Option<Table>,
}

#[derive(Clone, Debug)]
struct Spec {
    hosts: Vec<String>,
    groups: Vec<GroupSpec>,
    /// The `all` list (every host, in this order), when present.
    all: Option<Vec<(usize, Option<Table>)>>,
    global: Option<Table>,
    host_files: Vec<(usize, Table)>,
    overrides: Option<Table>,
    defaults: Option<Table>,
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        3 => Just(Kind::Int),
        3 => Just(Kind::Str),
        1 => Just(Kind::Array),
        1 => Just(Kind::Table),
    ]
}

fn table_spec() -> impl Strategy<Value = TableSpec> {
    prop::collection::btree_map(prop::sample::select(KEYS), kind(), 0..=3)
}

fn opt_table_spec() -> impl Strategy<Value = Option<TableSpec>> {
    prop::option::weighted(0.6, table_spec())
}

/// The raw shape of a spec before values are numbered.
/// A group before numbering: members with their inline data, the group's
/// inline data, its group_data file.
type RawGroup = (
    Vec<(usize, Option<TableSpec>)>,
    Option<TableSpec>,
    Option<TableSpec>,
);

#[derive(Clone, Debug)]
struct RawSpec {
    n_hosts: usize,
    groups: Vec<RawGroup>,
    group_names: Vec<&'static str>,
    all: Option<Vec<(usize, Option<TableSpec>)>>,
    global: Option<TableSpec>,
    host_files: Vec<Option<TableSpec>>,
    overrides: Option<TableSpec>,
    defaults: Option<TableSpec>,
}

fn members(n_hosts: usize) -> impl Strategy<Value = Vec<(usize, Option<TableSpec>)>> {
    prop::sample::subsequence((0..n_hosts).collect::<Vec<_>>(), 0..=n_hosts)
        .prop_shuffle()
        .prop_flat_map(|hs| {
            let n = hs.len();
            (
                Just(hs),
                prop::collection::vec(prop::option::weighted(0.4, table_spec()), n),
            )
        })
        .prop_map(|(hs, data)| hs.into_iter().zip(data).collect())
}

fn raw_spec() -> impl Strategy<Value = RawSpec> {
    (1usize..=6, 2usize..=5)
        .prop_flat_map(|(n_hosts, n_groups)| {
            let group = (members(n_hosts), opt_table_spec(), opt_table_spec());
            let all = prop::option::weighted(
                0.5,
                Just((0..n_hosts).collect::<Vec<_>>())
                    .prop_shuffle()
                    .prop_flat_map(move |order| {
                        (
                            Just(order),
                            prop::collection::vec(
                                prop::option::weighted(0.4, table_spec()),
                                n_hosts,
                            ),
                        )
                    })
                    .prop_map(|(order, data)| order.into_iter().zip(data).collect::<Vec<_>>()),
            );
            (
                Just(n_hosts),
                prop::collection::vec(group, n_groups),
                Just(GROUP_NAMES.to_vec()).prop_shuffle(),
                all,
                opt_table_spec(),
                prop::collection::vec(prop::option::weighted(0.4, table_spec()), n_hosts),
                opt_table_spec(),
                opt_table_spec(),
            )
        })
        .prop_map(
            |(n_hosts, groups, group_names, all, global, host_files, overrides, defaults)| {
                RawSpec {
                    n_hosts,
                    group_names: group_names[..groups.len()].to_vec(),
                    groups,
                    // Global data lives on `all`; without `all`, none.
                    global: if all.is_some() { global } else { None },
                    all,
                    host_files,
                    overrides,
                    defaults,
                }
            },
        )
}

impl Spec {
    /// Gives every definition a value of its kind that no other definition has.
    fn number(raw: RawSpec) -> Spec {
        let mut counter = 0i64;
        let mut make = |t: TableSpec| -> Table {
            t.into_iter()
                .map(|(k, kind)| {
                    counter += 1;
                    let n = counter;
                    let v = match kind {
                        Kind::Int => TomlValue::Integer(n),
                        Kind::Str => TomlValue::String(format!("v{n}")),
                        Kind::Array => {
                            TomlValue::Array(vec![TomlValue::Integer(n), TomlValue::from("x")])
                        }
                        Kind::Table => {
                            let mut t = Table::new();
                            t.insert("id".into(), TomlValue::Integer(n));
                            TomlValue::Table(t)
                        }
                    };
                    (k.to_string(), v)
                })
                .collect()
        };
        let mut opt = |t: Option<TableSpec>| t.map(&mut make);
        let groups = raw
            .groups
            .into_iter()
            .zip(&raw.group_names)
            .map(|((members, inline, file), &name)| GroupSpec {
                name,
                members: members.into_iter().map(|(h, d)| (h, opt(d))).collect(),
                inline: opt(inline),
                file: opt(file),
            })
            .collect();
        let all = raw
            .all
            .map(|entries| entries.into_iter().map(|(h, d)| (h, opt(d))).collect());
        let global = opt(raw.global);
        let host_files = raw
            .host_files
            .into_iter()
            .enumerate()
            .filter_map(|(h, t)| opt(t).map(|t| (h, t)))
            .collect();
        let overrides = opt(raw.overrides);
        let defaults = opt(raw.defaults);
        Spec {
            hosts: (0..raw.n_hosts).map(|i| format!("h{i}")).collect(),
            groups,
            all,
            global,
            host_files,
            overrides,
            defaults,
        }
    }

    fn spec(&self, h: usize, data: &Option<Table>) -> HostSpec {
        match data {
            Some(t) => HostSpec::from((self.hosts[h].clone(), t.clone())),
            None => HostSpec::from(self.hosts[h].as_str()),
        }
    }

    fn build(&self) -> Inventory {
        let mut b = Inventory::builder();
        if let Some(all) = &self.all {
            b = b.hosts(
                all.iter()
                    .map(|(h, d)| self.spec(*h, d))
                    .collect::<Vec<_>>(),
            );
            if let Some(g) = &self.global {
                b = b.global_data(g.clone());
            }
        }
        for g in &self.groups {
            let hosts: Vec<HostSpec> = g.members.iter().map(|(h, d)| self.spec(*h, d)).collect();
            b = match &g.inline {
                Some(t) => b.group_with_data(g.name, hosts, t.clone()),
                None => b.group(g.name, hosts),
            };
            if let Some(f) = &g.file {
                b = b.group_data(g.name, f.clone());
            }
        }
        for (h, t) in &self.host_files {
            b = b.host_data(self.hosts[*h].clone(), t.clone());
        }
        if let Some(o) = &self.overrides {
            b = b.override_data(o.clone());
        }
        if let Some(d) = &self.defaults {
            b = b.defaults(d.clone());
        }
        match b.build() {
            Ok(inv) => inv,
            Err(e) => panic!("build failed: {e}\nspec: {self:#?}"),
        }
    }
}

// ---------------------------------------------------------------------------
// The model: docs/precedence.md, written as plainly as possible
// ---------------------------------------------------------------------------

/// One layer that applies to a host: its layer, its group (if any) and its table.
#[derive(Clone, Debug)]
struct ModelLayer<'s> {
    layer: Layer,
    group: Option<&'static str>,
    table: &'s Table,
}

impl Spec {
    /// Hosts in inventory order: `all`'s order, else first appearance
    /// across the groups in definition order.
    fn host_order(&self) -> Vec<usize> {
        match &self.all {
            Some(all) => all.iter().map(|(h, _)| *h).collect(),
            None => {
                let mut out = Vec::new();
                for g in &self.groups {
                    for (h, _) in &g.members {
                        if !out.contains(h) {
                            out.push(*h);
                        }
                    }
                }
                out
            }
        }
    }

    /// The host's groups, in definition order (never `all`).
    fn groups_of(&self, h: usize) -> Vec<&GroupSpec> {
        self.groups
            .iter()
            .filter(|g| g.members.iter().any(|(m, _)| *m == h))
            .collect()
    }

    /// Every layer of host `h`, from the top (rank 1) down.
    fn layers(&self, h: usize) -> Vec<ModelLayer<'_>> {
        let mut out: Vec<ModelLayer<'_>> = Vec::new();
        fn add<'s>(
            out: &mut Vec<ModelLayer<'s>>,
            layer: Layer,
            group: Option<&'static str>,
            table: Option<&'s Table>,
        ) {
            if let Some(table) = table {
                out.push(ModelLayer {
                    layer,
                    group,
                    table,
                });
            }
        }
        // 1. override
        add(&mut out, Layer::Override, None, self.overrides.as_ref());
        // 2. host file
        for (fh, t) in &self.host_files {
            if *fh == h {
                add(&mut out, Layer::HostFile, None, Some(t));
            }
        }
        // 3. host inline: entries in group order, later wins, then `all`'s entry wins.
        let mut inline: Vec<(Option<&'static str>, &Table)> = Vec::new();
        for g in &self.groups {
            for (m, d) in &g.members {
                if let (true, Some(t)) = (*m == h, d) {
                    inline.push((Some(g.name), t));
                }
            }
        }
        if let Some(all) = &self.all {
            for (m, d) in all {
                if let (true, Some(t)) = (*m == h, d) {
                    inline.push((None, t));
                }
            }
        }
        for (group, t) in inline.into_iter().rev() {
            add(&mut out, Layer::HostInline, group, Some(t));
        }
        // 4. connector: none here (plain host names).
        // 5. groups: the later group wins; in a group, the file over inline data.
        for g in self.groups_of(h).into_iter().rev() {
            add(&mut out, Layer::GroupFile, Some(g.name), g.file.as_ref());
            add(
                &mut out,
                Layer::GroupInline,
                Some(g.name),
                g.inline.as_ref(),
            );
        }
        // 6. global (the builder has no group_data/all.toml)
        add(&mut out, Layer::GlobalInline, None, self.global.as_ref());
        // 7. defaults
        add(&mut out, Layer::Defaults, None, self.defaults.as_ref());
        out
    }

    /// The resolved data of host `h`: first definition wins.
    fn resolved(&self, h: usize) -> Table {
        let mut out = BTreeMap::new();
        for l in self.layers(h) {
            for (k, v) in l.table {
                out.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        out.into_iter().collect()
    }

    /// Every definition of `key` for host `h`, winner first.
    fn definitions(&self, h: usize, key: &str) -> Vec<(Layer, Option<&'static str>, Value)> {
        self.layers(h)
            .into_iter()
            .filter_map(|l| {
                l.table
                    .get(key)
                    .map(|v| (l.layer, l.group, Value::from(v.clone())))
            })
            .collect()
    }

    fn index_of(&self, name: &str) -> usize {
        self.hosts.iter().position(|n| n == name).unwrap()
    }
}

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

fn spec() -> impl Strategy<Value = Spec> {
    raw_spec().prop_map(Spec::number)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Hosts, their order, their groups and their data match the model.
    #[test]
    fn resolved_data_matches_the_model(spec in spec()) {
        let inv = spec.build();
        let names: Vec<&str> = inv.hosts().map(|h| h.name()).collect();
        let want: Vec<&str> = spec.host_order().into_iter().map(|h| spec.hosts[h].as_str()).collect();
        prop_assert_eq!(names, want);
        for host in inv.hosts() {
            let h = spec.index_of(host.name());
            let groups: Vec<&str> = host.groups().map(|g| g.name()).collect();
            let want: Vec<&str> = spec.groups_of(h).iter().map(|g| g.name).collect();
            prop_assert_eq!(&groups, &want, "groups of {}", host.name());
            prop_assert!(!groups.contains(&"all"));
            prop_assert_eq!(host.data().to_table(), spec.resolved(h), "data of {}", host.name());
        }
    }

    /// `definitions` lists every definition in precedence order, the winner
    /// first, with the right layer and group.
    #[test]
    fn definitions_follow_precedence(spec in spec()) {
        let inv = spec.build();
        for host in inv.hosts() {
            let h = spec.index_of(host.name());
            let data = host.data();
            for key in KEYS {
                let defs = data.definitions(key);
                let got: Vec<(Layer, Option<&str>, Value)> = defs
                    .iter()
                    .map(|d| (d.origin.layer, d.origin.group, d.value.clone()))
                    .collect();
                let want = spec.definitions(h, key);
                prop_assert_eq!(&got, &want, "definitions of {} for {}", key, host.name());
                // Ranks never go up the table. (The Layer order itself is
                // not monotonic inside rank 5: group order comes first, so a
                // later group's inline data precedes an earlier group's file.)
                for w in defs.windows(2) {
                    prop_assert!(w[0].origin.layer.rank() <= w[1].origin.layer.rank(), "{:?}", got);
                }
                // The first definition is the value.
                prop_assert_eq!(defs.first().map(|d| d.value), data.get(key));
                prop_assert_eq!(defs.first().map(|d| d.origin.clone()), data.origin(key));
                prop_assert_eq!(data.contains_key(key), !defs.is_empty());
            }
            // Keys are sorted and match the table.
            let keys: Vec<&str> = data.keys().collect();
            let mut sorted = keys.clone();
            sorted.sort_unstable();
            prop_assert_eq!(&keys, &sorted);
            prop_assert_eq!(data.len(), keys.len());
            prop_assert_eq!(data.is_empty(), keys.is_empty());
        }
    }

    /// Override data always wins.
    #[test]
    fn override_always_wins(spec in spec()) {
        let inv = spec.build();
        if let Some(o) = &spec.overrides {
            for host in inv.hosts() {
                let data = host.data();
                for (k, v) in o {
                    prop_assert_eq!(data.get(k), Some(&Value::from(v.clone())));
                    prop_assert_eq!(data.origin(k).map(|o| o.layer), Some(Layer::Override));
                }
            }
            let od = inv.override_data().to_table();
            prop_assert_eq!(&od, &o.iter().map(|(k, v)| (k.clone(), v.clone())).collect::<BTreeMap<_, _>>().into_iter().collect::<Table>());
        }
    }

    /// Defaults never change a key that another layer defines, and fill in
    /// the others.
    #[test]
    fn defaults_only_fill_gaps(spec in spec(), extra in table_spec()) {
        let mut without = spec.clone();
        without.defaults = None;
        let mut with = spec.clone();
        // Fresh numbers, distinct from every other value.
        let mut n = 1_000_000;
        let defaults: Table = extra
            .into_keys()
            .map(|k| {
                n += 1;
                (k.to_string(), TomlValue::Integer(n))
            })
            .collect();
        with.defaults = Some(defaults.clone());
        let (a, b) = (without.build(), with.build());
        for (ha, hb) in a.hosts().zip(b.hosts()) {
            prop_assert_eq!(ha.name(), hb.name());
            let (da, db) = (ha.data().to_table(), hb.data().to_table());
            for (k, v) in &da {
                prop_assert_eq!(db.get(k), Some(v), "defaults changed {} of {}", k, ha.name());
            }
            for (k, v) in &db {
                if !da.contains_key(k) {
                    prop_assert_eq!(defaults.get(k), Some(v));
                    prop_assert_eq!(hb.data().origin(k).map(|o| o.layer), Some(Layer::Defaults));
                }
            }
            for k in defaults.keys() {
                prop_assert!(db.contains_key(k));
            }
        }
        prop_assert_eq!(b.defaults().to_table(), defaults);
    }

    /// Selecting hosts never changes any host's data, and returns hosts in
    /// inventory order.
    #[test]
    fn a_limit_never_changes_data(spec in spec(), pick in any::<prop::sample::Index>(), negate in any::<bool>()) {
        let inv = spec.build();
        let before: Vec<(String, Table)> = inv
            .hosts()
            .map(|h| (h.name().to_string(), h.data().to_table()))
            .collect();
        let mut terms: Vec<String> = vec!["all".into(), "*".into(), "h*".into(), "~h[0-2]".into()];
        terms.extend(inv.groups().map(|g| g.name().to_string()));
        terms.extend(inv.hosts().map(|h| h.name().to_string()));
        let term = pick.get(&terms).clone();
        let pattern = if negate { format!("all,!{term}") } else { term };
        if let Ok(selected) = inv.select(&pattern) {
            let idx: Vec<usize> = selected.iter().map(|h| h.index()).collect();
            let mut sorted = idx.clone();
            sorted.sort_unstable();
            sorted.dedup();
            prop_assert_eq!(&idx, &sorted, "not in inventory order");
            for host in &selected {
                let h = spec.index_of(host.name());
                prop_assert_eq!(host.data().to_table(), spec.resolved(h));
            }
        }
        let after: Vec<(String, Table)> = inv
            .hosts()
            .map(|h| (h.name().to_string(), h.data().to_table()))
            .collect();
        prop_assert_eq!(before, after);
    }

    /// The partial views pyinfra offers: global data, one group's data, a
    /// host's own data, several groups' data merged.
    #[test]
    fn partial_views_match_the_model(spec in spec()) {
        let inv = spec.build();
        let global = spec.global.clone().unwrap_or_default();
        prop_assert_eq!(inv.data().to_table(), sorted(&global));
        for g in &spec.groups {
            let mut want = g.inline.clone().unwrap_or_default();
            want.extend(g.file.clone().unwrap_or_default());
            prop_assert_eq!(inv.group_data(g.name).unwrap().to_table(), sorted(&want), "group {}", g.name);
        }
        for host in inv.hosts() {
            let h = spec.index_of(host.name());
            // Own data: the host file and inline entries only.
            let mut want = BTreeMap::new();
            for l in spec.layers(h) {
                if matches!(l.layer, Layer::HostFile | Layer::HostInline) {
                    for (k, v) in l.table {
                        want.entry(k.clone()).or_insert_with(|| v.clone());
                    }
                }
            }
            prop_assert_eq!(inv.host_data(host.name()).unwrap().to_table(), want.into_iter().collect::<Table>());
        }
        let names: Vec<&str> = spec.groups.iter().map(|g| g.name).collect();
        let mut want = Table::new();
        for g in &spec.groups {
            want.extend(g.inline.clone().unwrap_or_default());
            want.extend(g.file.clone().unwrap_or_default());
        }
        prop_assert_eq!(inv.groups_data(&names).to_table(), sorted(&want));
    }
}

fn sorted(t: &Table) -> Table {
    t.iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect::<BTreeMap<_, _>>()
        .into_iter()
        .collect()
}

// ---------------------------------------------------------------------------
// Table-driven: the format's examples, from files
// ---------------------------------------------------------------------------

fn write(root: &std::path::Path, files: &[(&str, &str)]) {
    for (rel, text) in files {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

fn load(files: &[(&str, &str)]) -> Inventory {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), files);
    match Loader::new(dir.path()).load() {
        Ok(inv) => inv,
        Err(e) => panic!("{e}"),
    }
}

/// `(layer, group, "file:line:column" or virtual source, value)` of every
/// definition of `key` for `host`.
fn defs(inv: &Inventory, host: &str, key: &str) -> Vec<(Layer, Option<String>, String, Value)> {
    inv.host(host)
        .unwrap()
        .data()
        .definitions(key)
        .into_iter()
        .map(|d| {
            let at = d
                .origin
                .location
                .as_ref()
                .map_or_else(|| d.origin.source.to_string(), ToString::to_string);
            (
                d.origin.layer,
                d.origin.group.map(str::to_string),
                at,
                d.value.clone(),
            )
        })
        .collect()
}

fn d(
    layer: Layer,
    group: Option<&str>,
    at: &str,
    value: impl Into<Value>,
) -> (Layer, Option<String>, String, Value) {
    (
        layer,
        group.map(str::to_string),
        at.to_string(),
        value.into(),
    )
}

/// The hosts.toml example the format was specified with, verbatim.
const SPEC_HOSTS: &str = r#"# A group is a top-level key. Its value is an array of hosts ...
webservers = ["web1.example.com", "web2.example.com"]
monitoring = ["db1.example.com", "web[1:2].example.com"]   # ranges expand

# ... or a table with `hosts` and the group's inline `data`.
[databases]
hosts = [{ name = "db1.example.com", data = { db_role = "primary" } }]
data = { db_type = "postgresql" }

# `all` is optional. When present it lists every host, fixes host order and
# carries the global inline data.
[all]
hosts = ["web1.example.com", { name = "web2.example.com", data = { app_port = 8002 } }, "db1.example.com"]
data = { ssh_user = "deploy", ssh_port = 22 }
"#;

#[test]
fn design_example_from_files() {
    let inv = load(&[
        ("hosts.toml", SPEC_HOSTS),
        (
            "group_data/all.toml",
            "ssh_user = \"admin\"\nntp = \"pool.ntp.org\"\n",
        ),
        (
            "group_data/webservers.toml",
            "app_port = 8000\nrole = \"web\"\n",
        ),
        ("group_data/databases.toml", "\ndb_type = \"mysql\"\n"),
        ("host_data/web1.example.com.toml", "app_port = 8001\n"),
    ]);
    let names: Vec<&str> = inv.hosts().map(|h| h.name()).collect();
    assert_eq!(
        names,
        ["web1.example.com", "web2.example.com", "db1.example.com"]
    );
    let groups =
        |h: &str| -> Vec<&str> { inv.host(h).unwrap().groups().map(|g| g.name()).collect() };
    assert_eq!(groups("web1.example.com"), ["webservers", "monitoring"]);
    assert_eq!(groups("db1.example.com"), ["monitoring", "databases"]);

    // Host file over group file.
    assert_eq!(
        defs(&inv, "web1.example.com", "app_port"),
        [
            d(
                Layer::HostFile,
                None,
                "host_data/web1.example.com.toml:1:1",
                8001
            ),
            d(
                Layer::GroupFile,
                Some("webservers"),
                "group_data/webservers.toml:1:1",
                8000
            ),
        ]
    );
    // The `all` entry's inline data over the group file.
    assert_eq!(
        defs(&inv, "web2.example.com", "app_port"),
        [
            d(Layer::HostInline, None, "hosts.toml:13:68", 8002),
            d(
                Layer::GroupFile,
                Some("webservers"),
                "group_data/webservers.toml:1:1",
                8000
            ),
        ]
    );
    // group_data/all.toml over all.data.
    assert_eq!(
        defs(&inv, "db1.example.com", "ssh_user"),
        [
            d(Layer::GlobalFile, None, "group_data/all.toml:1:1", "admin"),
            d(Layer::GlobalInline, None, "hosts.toml:14:10", "deploy"),
        ]
    );
    // Host inline (written in a group) over that group's data; the group
    // file over the group's inline data.
    assert_eq!(
        defs(&inv, "db1.example.com", "db_role"),
        [d(
            Layer::HostInline,
            Some("databases"),
            "hosts.toml:7:47",
            "primary"
        )]
    );
    assert_eq!(
        defs(&inv, "db1.example.com", "db_type"),
        [
            d(
                Layer::GroupFile,
                Some("databases"),
                "group_data/databases.toml:2:1",
                "mysql"
            ),
            d(
                Layer::GroupInline,
                Some("databases"),
                "hosts.toml:8:10",
                "postgresql"
            ),
        ]
    );
    let db1 = inv.host("db1.example.com").unwrap().data();
    assert_eq!(db1.get("ssh_port"), Some(&Value::Integer(22)));
    assert_eq!(db1.get("ntp").and_then(Value::as_str), Some("pool.ntp.org"));
    assert_eq!(db1.get("role"), None);
    // The origin's Display is what `strata host --show-origin` prints.
    assert_eq!(
        inv.host("web1.example.com")
            .unwrap()
            .data()
            .origin("role")
            .unwrap()
            .to_string(),
        "group_data/webservers.toml:2:1 (group webservers)"
    );
}

#[test]
fn override_and_defaults_from_the_loader() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("hosts.toml", SPEC_HOSTS),
            ("host_data/web1.example.com.toml", "app_port = 8001\n"),
        ],
    );
    let mut defaults = Table::new();
    defaults.insert("app_port".into(), TomlValue::Integer(1));
    defaults.insert("timeout".into(), TomlValue::Integer(30));
    let inv = Loader::new(dir.path())
        .override_data("app_port", 9000)
        .defaults(defaults)
        .load()
        .unwrap();
    for host in inv.hosts() {
        let data = host.data();
        assert_eq!(
            data.get("app_port"),
            Some(&Value::Integer(9000)),
            "{}",
            host.name()
        );
        assert_eq!(data.origin("app_port").unwrap().layer, Layer::Override);
        assert_eq!(data.get("timeout"), Some(&Value::Integer(30)));
        assert_eq!(data.origin("timeout").unwrap().layer, Layer::Defaults);
        // Defaults are the last definition of every key they define.
        assert_eq!(
            data.definitions("app_port").last().unwrap().origin.layer,
            Layer::Defaults
        );
    }
    let web1 = defs(&inv, "web1.example.com", "app_port");
    assert_eq!(
        web1.iter().map(|d| d.0).collect::<Vec<_>>(),
        [Layer::Override, Layer::HostFile, Layer::Defaults]
    );
}

#[test]
fn the_later_group_wins_even_over_an_earlier_groups_file() {
    let inv = load(&[
        (
            "hosts.toml",
            "[zz]\nhosts = [\"h\"]\ndata = { k = \"zz-inline\", j = \"zz-inline\" }\n\n[aa]\nhosts = [\"h\"]\ndata = { k = \"aa-inline\" }\n",
        ),
        ("group_data/zz.toml", "k = \"zz-file\"\nj = \"zz-file\"\n"),
    ]);
    let data = inv.host("h").unwrap().data();
    // `aa` comes after `zz` in the file: it wins, whatever the alphabet says.
    assert_eq!(data.get("k").and_then(Value::as_str), Some("aa-inline"));
    assert_eq!(data.get("j").and_then(Value::as_str), Some("zz-file"));
    assert_eq!(
        defs(&inv, "h", "k"),
        [
            d(
                Layer::GroupInline,
                Some("aa"),
                "hosts.toml:7:10",
                "aa-inline"
            ),
            d(
                Layer::GroupFile,
                Some("zz"),
                "group_data/zz.toml:1:1",
                "zz-file"
            ),
            d(
                Layer::GroupInline,
                Some("zz"),
                "hosts.toml:3:10",
                "zz-inline"
            ),
        ]
    );
}

#[test]
fn a_table_from_a_higher_layer_replaces_the_lower_one_whole() {
    let inv = load(&[
        (
            "hosts.toml",
            "[web]\nhosts = [\"w1\"]\ndata = { db = { host = \"a\", port = 1 }, xs = [1, 2, 3] }\n",
        ),
        ("host_data/w1.toml", "db = { host = \"b\" }\nxs = [9]\n"),
    ]);
    let data = inv.host("w1").unwrap().data();
    let db = data.get("db").unwrap().as_table().unwrap();
    assert_eq!(db.len(), 1);
    assert_eq!(db.get("host").and_then(Value::as_str), Some("b"));
    assert_eq!(data.get("xs"), Some(&Value::from(vec![Value::Integer(9)])));
}

#[test]
fn host_inline_data_later_group_wins_then_all() {
    let inv = load(&[(
        "hosts.toml",
        r#"g1 = [{ name = "h", data = { x = "g1", y = "g1", z = "g1" } }]
g2 = [{ name = "h", data = { x = "g2", y = "g2" } }]

[all]
hosts = [{ name = "h", data = { x = "all" } }]
"#,
    )]);
    let data = inv.host("h").unwrap().data();
    assert_eq!(data.get("x").and_then(Value::as_str), Some("all"));
    assert_eq!(data.get("y").and_then(Value::as_str), Some("g2"));
    assert_eq!(data.get("z").and_then(Value::as_str), Some("g1"));
    assert_eq!(
        defs(&inv, "h", "x")
            .into_iter()
            .map(|d| (d.0, d.1, d.3))
            .collect::<Vec<_>>(),
        [
            (Layer::HostInline, None, Value::from("all")),
            (Layer::HostInline, Some("g2".into()), Value::from("g2")),
            (Layer::HostInline, Some("g1".into()), Value::from("g1")),
        ]
    );
    // The conflicting inline values are warned about, not errors.
    assert!(
        inv.diagnostics()
            .iter()
            .any(|d| d.code == strata_resolver::Code::ConflictingInlineData && !d.is_error())
    );
}

#[test]
fn connector_data_ranks_between_host_and_group_data() {
    let inv = load(&[
        (
            "hosts.toml",
            r#"[web]
hosts = ["@ssh/10.0.0.5", { name = "@ssh/10.0.0.6", data = { ssh_hostname = "inline" } }, "@docker/abc"]
data = { ssh_hostname = "from-group", docker_identifier = "from-group" }
"#,
        ),
        (
            "host_data/@docker/abc.toml",
            "docker_identifier = \"from-file\"\n",
        ),
    ]);
    let get = |h: &str, k: &str| {
        inv.host(h)
            .unwrap()
            .data()
            .get(k)
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    assert_eq!(
        get("@ssh/10.0.0.5", "ssh_hostname").as_deref(),
        Some("10.0.0.5")
    );
    assert_eq!(
        inv.host("@ssh/10.0.0.5")
            .unwrap()
            .data()
            .origin("ssh_hostname")
            .unwrap()
            .layer,
        Layer::Connector
    );
    assert_eq!(
        get("@ssh/10.0.0.6", "ssh_hostname").as_deref(),
        Some("inline")
    );
    assert_eq!(
        get("@docker/abc", "docker_identifier").as_deref(),
        Some("from-file")
    );
    // The implicit connector group comes after the explicit ones; @ssh has none.
    let groups = |h: &str| -> Vec<String> {
        inv.host(h)
            .unwrap()
            .groups()
            .map(|g| g.name().to_string())
            .collect()
    };
    assert_eq!(groups("@docker/abc"), ["web", "@docker"]);
    assert_eq!(groups("@ssh/10.0.0.5"), ["web"]);
}

#[test]
fn no_all_means_first_appearance_order_and_no_global_data() {
    let inv = load(&[(
        "hosts.toml",
        "b = [\"h3\", \"h1\"]\na = [\"h2\", \"h1\", \"h3\"]\n",
    )]);
    let names: Vec<&str> = inv.hosts().map(|h| h.name()).collect();
    assert_eq!(names, ["h3", "h1", "h2"]);
    assert!(inv.data().is_empty());
}

#[test]
fn builder_matches_the_doc_example() {
    // pyinfra's `Inventory((names, data), **groups)`, through the builder.
    let mut db1 = Table::new();
    db1.insert("role".into(), "primary".into());
    let mut global = Table::new();
    global.insert("ssh_user".into(), "deploy".into());
    let mut web = Table::new();
    web.insert("app_env".into(), "production".into());
    let inv = Inventory::builder()
        .hosts(["web1", "web2", "db1"])
        .global_data(global)
        .group_with_data("web", ["web1", "web2"], web)
        .group("db", [("db1", db1)])
        .build()
        .unwrap();
    let d = inv.host("db1").unwrap().data();
    assert_eq!(d.get("role").and_then(Value::as_str), Some("primary"));
    assert_eq!(d.get("ssh_user").and_then(Value::as_str), Some("deploy"));
    assert_eq!(d.origin("role").unwrap().group, Some("db"));
    assert_eq!(d.origin("ssh_user").unwrap().layer, Layer::GlobalInline);
    assert_eq!(
        inv.host("web2")
            .unwrap()
            .data()
            .get("app_env")
            .and_then(Value::as_str),
        Some("production")
    );
}

#[test]
fn builder_global_data_without_a_host_list() {
    // `hosts` is documented as optional ("without it, hosts come in order of
    // first appearance in the groups"); giving global data must not make
    // every grouped host "missing from all".
    let mut global = Table::new();
    global.insert("ssh_user".into(), "deploy".into());
    let inv = Inventory::builder()
        .group("web", ["w1", "w2"])
        .global_data(global)
        .build();
    let inv = match inv {
        Ok(inv) => inv,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(inv.len(), 2);
    assert_eq!(
        inv.host("w2")
            .unwrap()
            .data()
            .get("ssh_user")
            .and_then(Value::as_str),
        Some("deploy")
    );
}

#[test]
fn all_with_data_but_no_hosts_list_in_hosts_toml() {
    // `[all]` carrying only global data: the hosts come from the groups.
    let inv = load(&[(
        "hosts.toml",
        "web = [\"w1\", \"w2\"]\n\n[all]\ndata = { ssh_user = \"deploy\" }\n",
    )]);
    assert_eq!(inv.len(), 2);
    assert_eq!(
        inv.host("w1")
            .unwrap()
            .data()
            .get("ssh_user")
            .and_then(Value::as_str),
        Some("deploy")
    );
}
