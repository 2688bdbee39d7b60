//! The budget counts what expansion would make, without expanding.

use proptest::prelude::*;
use strata_resolver::{Budget, Code, Loader, expand_ranges, range_count};

/// Names made of literal text and small ranges (numbers, letters, steps).
fn name() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-z]{0,3}",
        (0u64..20, 0u64..20, 1usize..4).prop_map(|(a, n, s)| format!("[{a}:{}:{s}]", a + n)),
        (0u64..9, 0u64..30).prop_map(|(a, n)| format!("[0{a}:{}]", a + n)),
        (0u8..26, 0u8..26).prop_map(|(a, n)| {
            let a = b'a' + a;
            let b = (a + n).min(b'z');
            format!("[{}:{}]", a as char, b as char)
        }),
    ];
    prop::collection::vec(piece, 0..4).prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn count_is_the_size_of_the_expansion(name in name()) {
        let expanded = expand_ranges(&name).unwrap();
        prop_assert_eq!(range_count(&name).unwrap(), expanded.len() as u64);
    }

    #[test]
    fn an_inventory_within_its_budget_loads_and_one_over_fails(
        names in prop::collection::vec(name(), 1..5),
        slack in 0u64..3,
    ) {
        let dir = tempfile::tempdir().unwrap();
        // Distinct group per name; hosts made distinct per group by a prefix.
        let text: String = names
            .iter()
            .enumerate()
            .map(|(i, n)| format!("g{i} = [\"x{i}-{n}\"]\n"))
            .collect();
        std::fs::write(dir.path().join("hosts.toml"), &text).unwrap();
        let entries: u64 = names.iter().map(|n| range_count(n).unwrap()).sum();
        // Adjacent ranges can make one name twice (`[1:11][0:10]` gives
        // `110` as 1-10 and 11-0): the host is one, the entries two.
        let distinct: std::collections::HashSet<String> = names
            .iter()
            .enumerate()
            .flat_map(|(i, n)| expand_ranges(&format!("x{i}-{n}")).unwrap())
            .collect();
        let fits = Budget { max_entries: entries + slack, max_hosts: entries + slack, ..Budget::default() };
        let inv = Loader::new(dir.path()).budget(fits).load().unwrap();
        prop_assert_eq!(inv.len(), distinct.len());
        let tight = Budget { max_entries: entries - 1, max_hosts: u64::MAX, ..Budget::default() };
        let err = Loader::new(dir.path()).budget(tight).load().unwrap_err();
        prop_assert_eq!(err.diagnostics()[0].code, Code::BudgetExceeded);
        let tight = Budget { max_entries: u64::MAX, max_hosts: entries - 1, ..Budget::default() };
        let err = Loader::new(dir.path()).budget(tight).load().unwrap_err();
        prop_assert_eq!(err.diagnostics()[0].code, Code::BudgetExceeded);
    }
}

/// Hosts listed in several groups count once against the hosts budget,
/// while every listing counts against the entries budget: three groups
/// that list the same 5 hosts are 15 entries and 5 hosts.
#[test]
fn a_host_in_many_groups_counts_once_against_the_hosts_budget() {
    let dir = tempfile::tempdir().unwrap();
    let text = "a = [\"x\", \"y\", \"w[1:3]\"]\nb = [\"w[1:3]\", \"y\", \"x\"]\nc = [\"y\", \"x\", \"w[1:3]\"]\n";
    std::fs::write(dir.path().join("hosts.toml"), text).unwrap();
    let load = |max_entries, max_hosts| {
        Loader::new(dir.path())
            .budget(Budget {
                max_entries,
                max_hosts,
                ..Budget::default()
            })
            .load()
    };
    for (max_entries, max_hosts) in [(15, 5), (15, 14)] {
        assert_eq!(load(max_entries, max_hosts).unwrap().len(), 5);
    }
    // One host short: the error is at the range in `a` that makes the
    // fifth host, not at a later listing. One entry short: at the last.
    for (max_entries, max_hosts, line) in [(15, 4, 0), (14, 100, 2)] {
        let err = load(max_entries, max_hosts).unwrap_err();
        let d = &err.diagnostics()[0];
        assert_eq!(d.code, Code::BudgetExceeded, "{max_entries} {max_hosts}");
        let span = d.span().expect("located");
        let (start, end) = (span.start as usize, span.end as usize);
        assert_eq!(&text[start..end], "\"w[1:3]\"", "{d:?}");
        assert_eq!(text[..start].matches('\n').count(), line, "{d:?}");
    }
}

/// Writes `files` (path, text) into a fresh inventory directory.
fn inventory(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

/// The name bytes budget is the sum of the names' lengths, exactly: that
/// many loads, one byte less is refused at the entry that crosses it.
#[test]
fn name_bytes_are_the_lengths_of_the_names() {
    let hosts = "web = [\"web[1:120].example.com\", \"lb\"]\ndb = [\"db[08:11]\", \"web[1:3].example.com\"]\n";
    let dir = inventory(&[("hosts.toml", hosts)]);
    let names = [
        "web[1:120].example.com",
        "lb",
        "db[08:11]",
        "web[1:3].example.com",
    ];
    let bytes: u64 = names
        .iter()
        .flat_map(|n| expand_ranges(n).unwrap())
        .map(|n| n.len() as u64)
        .sum();
    let load = |max_name_bytes| {
        Loader::new(dir.path())
            .budget(Budget {
                max_name_bytes,
                ..Budget::default()
            })
            .load()
    };
    assert!(load(bytes).is_ok());
    let err = load(bytes - 1).unwrap_err();
    let d = &err.diagnostics()[0];
    assert_eq!(d.code, Code::BudgetExceeded);
    assert!(
        d.message.contains("`web[1:3].example.com` brings them to"),
        "{}",
        d.message
    );
}

/// Host keys: each entry's hosts times the keys of its group's file and
/// inline data, its own inline data, and global data.
#[test]
fn host_keys_count_every_layer_an_entry_gets() {
    let dir = inventory(&[
        (
            "hosts.toml",
            "web = [\"w[1:10]\"]\n[db]\nhosts = [{ name = \"d[1:2]\", data = { role = \"r\" } }]\ndata = { engine = \"pg\", size = 3 }\n",
        ),
        ("group_data/web.toml", "a = 1\nb = 2\nc = 3\n"),
        ("group_data/all.toml", "x = 1\ny = 2\n"),
    ]);
    // web: 10 × (3 + 2 global); db: 2 × (2 inline group + 1 own + 2 global).
    let keys = 10 * 5 + 2 * 5;
    let load = |max_host_keys| {
        Loader::new(dir.path())
            .budget(Budget {
                max_host_keys,
                ..Budget::default()
            })
            .load()
    };
    assert!(load(keys).is_ok());
    let err = load(keys - 1).unwrap_err();
    let d = &err.diagnostics()[0];
    assert_eq!(d.code, Code::BudgetExceeded);
    assert!(
        d.message
            .contains("`d[1:2]` in group `db` brings the count to 60"),
        "{}",
        d.message
    );
    assert_eq!(d.labels[0].text.as_deref(), Some("2 hosts × 5 keys"));
}

/// Type conflicts are looked for once per distinct chain of layers, and
/// still count every host they affect (hosts with data of their own
/// included).
#[test]
fn type_conflicts_count_hosts_across_chains() {
    let dir = inventory(&[
        (
            "hosts.toml",
            "a = [\"h[1:5]\", \"x\"]\nb = [\"h[1:5]\", \"y\"]\n",
        ),
        ("group_data/a.toml", "k = 1\n"),
        ("group_data/b.toml", "k = \"s\"\n"),
        ("host_data/h1.toml", "z = 1\n"),
    ]);
    let inv = Loader::new(dir.path()).load().unwrap();
    let found = inv.type_conflicts();
    let messages: Vec<&str> = found.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].ends_with("(for 5 hosts)"), "{messages:?}");
}
