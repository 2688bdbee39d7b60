//! The library as a deploy tool uses it, on the shipped example inventories.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use strata::{Connector, ConnectorHost, DataError, Inventory, Layer, Loader, RunState};

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name)
}

#[test]
fn basic_example_resolves_with_origins() {
    let inv = Inventory::load(example("basic")).unwrap();
    assert_eq!(inv.len(), 3);
    let names: Vec<_> = inv.hosts().map(|h| h.name()).collect();
    assert_eq!(
        names,
        ["web1.example.com", "web2.example.com", "db1.example.com"]
    );

    let web1 = inv.host("web1.example.com").unwrap();
    let groups: Vec<_> = web1.groups().map(|g| g.name()).collect();
    assert_eq!(groups, ["webservers", "monitoring"]);
    let data = web1.data();

    // (key, value as TOML text, layer, group, file:line:column)
    let cases: &[(&str, &str, Layer, Option<&str>, &str)] = &[
        (
            "app_port",
            "8001",
            Layer::HostFile,
            None,
            "host_data/web1.example.com.toml:1:1",
        ),
        (
            "log_level",
            "\"debug\"",
            Layer::GroupFile,
            Some("monitoring"),
            "group_data/monitoring.toml:3:1",
        ),
        (
            "app_env",
            "\"production\"",
            Layer::GroupFile,
            Some("webservers"),
            "group_data/webservers.toml:1:1",
        ),
        (
            "ssh_port",
            "2222",
            Layer::GlobalFile,
            None,
            "group_data/all.toml:4:1",
        ),
        (
            "ssh_user",
            "\"deploy\"",
            Layer::GlobalInline,
            None,
            "hosts.toml:24:10",
        ),
    ];
    for (key, value, layer, group, at) in cases {
        assert_eq!(data.get(key).unwrap().to_string(), *value, "{key}");
        let origin = data.origin(key).unwrap();
        assert_eq!((origin.layer, origin.group), (*layer, *group), "{key}");
        assert_eq!(origin.location.unwrap().to_string(), *at, "{key}");
    }

    // What the winner shadows, in precedence order.
    let defs = data.definitions("ssh_port");
    let layers: Vec<_> = defs.iter().map(|d| d.origin.layer).collect();
    assert_eq!(layers, [Layer::GlobalFile, Layer::GlobalInline]);
    assert_eq!(defs[1].value.as_integer(), Some(22));
    let defs = data.definitions("log_level");
    let groups: Vec<_> = defs.iter().map(|d| d.origin.group.unwrap()).collect();
    assert_eq!(groups, ["monitoring", "webservers"]);

    // An inline table entry in `all` wins over nothing here, but is host inline data.
    let web2 = inv.host("web2.example.com").unwrap().data();
    assert_eq!(web2.origin("app_port").unwrap().layer, Layer::HostInline);
    assert_eq!(
        web2.origin("app_port").unwrap().to_string(),
        "hosts.toml:21:43 (host inline, in all)"
    );
}

#[test]
fn typed_access() {
    #[derive(Deserialize, Debug)]
    struct App {
        app_port: u16,
        app_env: String,
        ntp_servers: Vec<String>,
    }
    let inv = Inventory::load(example("basic")).unwrap();
    let web1 = inv.host("web1.example.com").unwrap();
    let app: App = web1.data().deserialize().unwrap();
    assert_eq!(
        (app.app_port, app.app_env.as_str(), app.ntp_servers.len()),
        (8001, "production", 2)
    );
    let port: u16 = web1.data().get_as("app_port").unwrap();
    assert_eq!(port, 8001);
    assert_eq!(
        web1.data().get_as::<u16>("nope"),
        Err(DataError::Missing("nope".into()))
    );
    match web1.data().get_as::<u16>("app_env") {
        Err(DataError::Type { key, origin, .. }) => {
            assert_eq!(key, "app_env");
            assert_eq!(origin, "group_data/webservers.toml:1:1 (group webservers)");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn pyinfra_style_accessors() {
    let inv = Inventory::load(example("basic")).unwrap();
    assert_eq!(inv.data().get("ssh_port").unwrap().as_integer(), Some(2222));
    assert_eq!(
        inv.group_data("databases")
            .unwrap()
            .get("backup")
            .unwrap()
            .as_bool(),
        Some(false)
    );
    let own: Vec<_> = inv.host_data("web1.example.com").unwrap().keys().collect();
    assert_eq!(own, ["app_port", "app_workers"]);
    // Later group wins, as pyinfra's get_groups_data.
    let merged = inv.groups_data(&["webservers", "monitoring"]);
    assert_eq!(merged.get("log_level").unwrap().as_str(), Some("debug"));
    let merged = inv.groups_data(&["monitoring", "webservers"]);
    assert_eq!(merged.get("log_level").unwrap().as_str(), Some("info"));
    let members: Vec<_> = inv
        .group("monitoring")
        .unwrap()
        .hosts()
        .map(|h| h.name())
        .collect();
    assert_eq!(
        members,
        ["web1.example.com", "web2.example.com", "db1.example.com"]
    );
    assert!(inv.host("web1.example.com").unwrap().in_group("webservers"));
    assert!(inv.diagnostics().is_empty(), "{:?}", inv.diagnostics());
}

#[test]
fn overrides_and_defaults_bracket_the_files() {
    let inv = Loader::new(example("basic"))
        .override_data("app_port", 9000)
        .defaults(toml::toml! { app_port = 1 region = "eu" })
        .load()
        .unwrap();
    for host in inv.hosts() {
        let data = host.data();
        assert_eq!(
            data.get("app_port").unwrap().as_integer(),
            Some(9000),
            "{}",
            host.name()
        );
        assert_eq!(data.origin("app_port").unwrap().layer, Layer::Override);
        assert_eq!(data.origin("app_port").unwrap().location, None);
        assert_eq!(data.get("region").unwrap().as_str(), Some("eu"));
        assert_eq!(
            data.definitions("app_port").last().unwrap().origin.layer,
            Layer::Defaults
        );
    }
}

/// A connector that turns `@fleet/N` into N hosts, as a cloud inventory would.
struct Fleet;

impl Connector for Fleet {
    fn name(&self) -> &str {
        "fleet"
    }
    fn expand(&self, argument: Option<&str>) -> Result<Vec<ConnectorHost>, String> {
        let n: usize = argument
            .ok_or("how many?")?
            .parse()
            .map_err(|_| "not a number".to_string())?;
        Ok((1..=n)
            .map(|i| ConnectorHost {
                name: format!("fleet-{i}"),
                data: toml::toml! { zone = "z1" },
                groups: vec!["@fleet".into()],
            })
            .collect())
    }
}

#[test]
fn custom_connector_expands_into_many_hosts() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("hosts.toml"),
        "[workers]\nhosts = [{ name = \"@fleet/3\", data = { role = \"worker\" } }]\ndata = { zone = \"group\" }\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("host_data")).unwrap();
    std::fs::write(
        dir.path().join("host_data/fleet-2.toml"),
        "role = \"leader\"\n",
    )
    .unwrap();

    // Unknown without registration ...
    let err = Inventory::load(dir.path()).unwrap_err();
    assert_eq!(
        err.errors().next().unwrap().code,
        strata::Code::UnknownConnector
    );

    // ... three hosts with it, each with the entry's data, the connector's data and groups.
    let inv = Loader::new(dir.path()).connector(Fleet).load().unwrap();
    let names: Vec<_> = inv.hosts().map(|h| h.name()).collect();
    assert_eq!(names, ["fleet-1", "fleet-2", "fleet-3"]);
    for h in inv.hosts() {
        let groups: Vec<_> = h.groups().map(|g| g.name()).collect();
        assert_eq!(groups, ["workers", "@fleet"]);
        assert_eq!(h.connector(), Some("fleet"));
        // connector data (rank 5) beats group data (rank 6)
        assert_eq!(h.data().get("zone").unwrap().as_str(), Some("z1"));
        assert_eq!(h.data().origin("zone").unwrap().layer, Layer::Connector);
    }
    let role = |n: &str| {
        inv.host(n)
            .unwrap()
            .data()
            .get("role")
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        (role("fleet-1"), role("fleet-2")),
        ("worker".into(), "leader".into())
    );
    assert!(inv.group("@fleet").unwrap().is_implicit());
}

#[test]
fn run_state_tracks_hosts() {
    let inv = Inventory::load(example("multi-env/production")).unwrap();
    let mut run = RunState::new(&inv);
    run.activate(inv.select("web").unwrap());
    assert!(run.fail("web02.prod.example.com"));
    assert!(!run.fail("lb1.prod.example.com"), "not activated");
    assert_eq!(run.len_active(), 3);
    assert_eq!(
        run.failed().map(|h| h.name()).collect::<Vec<_>>(),
        ["web02.prod.example.com"]
    );
}

#[test]
fn every_example_loads_cleanly() {
    for name in [
        "basic",
        "multi-env/production",
        "multi-env/staging",
        "connectors",
    ] {
        let inv = Inventory::load(example(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            inv.diagnostics().is_empty(),
            "{name}: {:?}",
            inv.diagnostics()
        );
        assert!(!inv.is_empty());
    }
}

#[test]
fn inventories_are_shared_across_threads() {
    let inv = std::sync::Arc::new(Inventory::load(example("basic")).unwrap());
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let inv = inv.clone();
            std::thread::spawn(move || inv.hosts().map(|h| h.data().len()).sum::<usize>())
        })
        .collect();
    let sums: Vec<usize> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert!(sums.windows(2).all(|w| w[0] == w[1]));
}

fn write(dir: &Path, path: &str, text: &str) {
    let p = dir.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

#[test]
fn check_includes_schema_violations_at_the_defining_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "hosts.toml", "web = [\"w1\", \"w2\"]\ndb = [\"d1\"]\n");
    write(d, "group_data/web.toml", "# ports\napp_port = \"80\"\n");
    write(
        d,
        "schema/all.json",
        r#"{"properties": {"app_port": {"type": "integer"}}}"#,
    );
    write(d, "schema/db.json", r#"{"required": ["backup"]}"#);
    write(d, "schema/wbe.json", "{}");
    let report = Loader::new(d).check();
    // (code, file:line:column, start of the message)
    let got: Vec<(&str, String, &str)> = report
        .diagnostics()
        .iter()
        .map(|x| {
            let at = report.files().location(x.span().unwrap()).unwrap();
            (
                x.code.as_str(),
                at.to_string(),
                &x.message[..x.message.find(' ').unwrap()],
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "strata::schema",
                "group_data/web.toml:2:12".into(),
                "`app_port`:"
            ),
            ("strata::schema", "schema/db.json:1:15".into(), "`backup`"),
            (
                "strata::unknown_schema_group",
                "schema/wbe.json:1:1".into(),
                "schema/wbe.json"
            ),
        ]
    );
    assert!(
        report.diagnostics()[0]
            .message
            .ends_with("on 2 hosts: `w1`, `w2`)")
    );
    assert!(report.has_errors());
    // Loading alone does not read schemas: the inventory works.
    assert!(Loader::new(d).load().is_ok());
}

#[test]
fn schema_files_are_checked_when_the_inventory_does_not_load() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "hosts.toml", "web = [\"w[1:\"]\n");
    write(d, "schema/all.json", "{\"type\": \"objetc\"}");
    let report = Loader::new(d).check();
    let codes: Vec<&str> = report
        .diagnostics()
        .iter()
        .map(|x| x.code.as_str())
        .collect();
    assert_eq!(codes, ["strata::malformed_range", "strata::invalid_schema"]);
}

#[test]
fn validate_and_diff_inventories_made_in_code() {
    let old = Inventory::builder()
        .group_with_data("web", ["w1", "w2"], toml::toml! { port = 80 })
        .build()
        .unwrap();
    let new = Inventory::builder()
        .group_with_data("web", ["w1", "w2"], toml::toml! { port = 0 })
        .host_data("w2", toml::toml! { port = 8080 })
        .build()
        .unwrap();
    let mut schemas = strata::Schemas::new();
    schemas
        .add(
            "web",
            &serde_json::json!({"properties": {"port": {"minimum": 1}}}),
        )
        .unwrap();
    assert!(old.validate(&schemas).is_empty());
    let problems = new.validate(&schemas);
    assert_eq!(problems.len(), 1);
    assert_eq!(
        problems[0].message,
        "`port`: 0 is less than the minimum of 1 (schema web, on host `w1`); the value comes from <builder>"
    );
    let d = strata::diff(&old, &new);
    let changes: Vec<(String, Option<i64>, Vec<String>)> = d
        .changes
        .iter()
        .map(|c| {
            (
                c.new.as_ref().unwrap().to_string(),
                c.new.as_ref().unwrap().as_integer(),
                c.hosts.clone(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        [
            ("0".to_string(), Some(0), vec!["w1".to_string()]),
            ("8080".to_string(), Some(8080), vec!["w2".to_string()]),
        ]
    );
    assert_eq!(d.changes[1].origin.layer, Layer::HostFile);
    // Code has no file position.
    assert_eq!(d.changes[1].origin.line, None);
    assert!(strata::diff(&old, &old).is_empty());
}
