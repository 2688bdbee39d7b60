//! `schemas/hosts.schema.json`, the JSON Schema editors (Taplo, Even Better
//! TOML) use for hosts.toml, agrees with strata: it accepts every example
//! and every fixture strata reads without a shape error, and rejects the
//! shape errors of `tests/check/`.

use std::path::{Path, PathBuf};

use strata::Code;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(workspace().join("schemas/hosts.schema.json")).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    // The schema must itself be valid, for the draft it names (draft 7,
    // which Taplo supports).
    jsonschema::draft7::meta::validate(&schema).unwrap();
    jsonschema::options().offline().build(&schema).unwrap()
}

/// TOML as editors see it: a JSON document (datetimes as strings).
fn to_json(v: &toml::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        toml::Value::String(s) => J::String(s.clone()),
        toml::Value::Integer(i) => J::from(*i),
        toml::Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        toml::Value::Boolean(b) => J::Bool(*b),
        toml::Value::Datetime(d) => J::String(d.to_string()),
        toml::Value::Array(a) => J::Array(a.iter().map(to_json).collect()),
        toml::Value::Table(t) => {
            J::Object(t.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
    }
}

/// The hosts.toml of `dir` as JSON, or `None` when it is not TOML at all.
fn document(dir: &Path) -> Option<serde_json::Value> {
    let text = std::fs::read_to_string(dir.join("hosts.toml")).ok()?;
    let table: toml::Table = text.parse().ok()?;
    Some(to_json(&toml::Value::Table(table)))
}

/// Codes of hosts.toml's shape: what the schema can see.
const SHAPE: &[Code] = &[
    Code::GroupShape,
    Code::UnknownGroupKey,
    Code::HostEntryShape,
    Code::DataShape,
    Code::InvalidGroupName,
    Code::InvalidHostName,
];

/// Every inventory directory of the repository that has a hosts.toml.
fn inventories() -> Vec<PathBuf> {
    let root = workspace();
    let mut out = Vec::new();
    let mut stack = vec![
        root.join("examples"),
        root.join("tests/fixtures"),
        root.join("crates/strata-cli/tests/check"),
    ];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if e.file_type().unwrap().is_dir() {
                stack.push(p);
            } else if p.file_name().unwrap() == "hosts.toml" {
                out.push(dir.clone());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn accepts_every_example() {
    let v = validator();
    let examples: Vec<PathBuf> = inventories()
        .into_iter()
        .filter(|d| d.starts_with(workspace().join("examples")))
        .collect();
    assert!(examples.len() >= 4, "{examples:?}");
    for dir in examples {
        let doc = document(&dir).unwrap();
        let errors: Vec<String> = v.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", dir.display());
    }
}

#[test]
fn rejects_the_shape_errors_of_the_check_cases() {
    let v = validator();
    let cases = workspace().join("crates/strata-cli/tests/check");
    // Each case, and the instance path of one error the schema must report.
    let rejected = [
        ("group_shape", "/ssh_user"),
        ("unknown_group_key", "/db"),
        ("host_entry_shape", "/web"),
        ("data_shape", "/web"),
        ("invalid_group_name", ""),
        ("invalid_host_name", "/web"),
    ];
    for (case, at) in rejected {
        let doc = document(&cases.join(case).join("inventory")).unwrap();
        let paths: Vec<String> = v
            .iter_errors(&doc)
            .map(|e| e.instance_path().as_str().to_string())
            .collect();
        assert!(paths.iter().any(|p| p == at), "{case}: {paths:?}");
    }
}

#[test]
fn agrees_with_strata_on_every_inventory_of_the_repository() {
    // The schema rejects a hosts.toml exactly when strata reports a shape
    // error in it (for files that are TOML at all).
    let v = validator();
    let (mut seen, mut rejected) = (0, 0);
    for dir in inventories() {
        let Some(doc) = document(&dir) else { continue };
        seen += 1;
        let report = strata::Loader::new(&dir).check();
        let strata_rejects = report
            .diagnostics()
            .iter()
            .any(|d| d.is_error() && SHAPE.contains(&d.code));
        let schema_rejects = !v.is_valid(&doc);
        rejected += usize::from(schema_rejects);
        assert_eq!(
            schema_rejects,
            strata_rejects,
            "{}: schema {:?}, strata {:?}",
            dir.display(),
            v.iter_errors(&doc)
                .map(|e| e.to_string())
                .collect::<Vec<_>>(),
            report
                .diagnostics()
                .iter()
                .map(|d| d.code)
                .collect::<Vec<_>>()
        );
    }
    assert!(seen >= 40, "{seen} inventories");
    assert!(rejected >= 6, "{rejected} rejected of {seen}");
}
