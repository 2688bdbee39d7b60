//! `read_inventory_letting_go`: the texts of files that parse without a
//! problem are not kept; they are read again, under the rules of the first
//! read, when a diagnostic or an origin needs them, and only if they are
//! still what was parsed.

use std::fs;
use std::path::Path;

use strata_parser::{HostData, RawInventory, read_inventory_letting_go, read_inventory_with};

fn write(root: &Path, files: &[(&str, &str)]) {
    for (rel, content) in files {
        let path = root.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, content).unwrap();
    }
}

const FILES: &[(&str, &str)] = &[
    ("hosts.toml", "web = [\"w1\", \"w2\"]\n"),
    ("group_data/web.toml", "port = 80\n"),
    ("host_data/w1.toml", "\nrack = \"r1\"\n"),
    // A syntax error: this file keeps its text.
    ("host_data/w2.toml", "rack = \n"),
];

/// The sources' texts by name.
fn texts(raw: &RawInventory) -> Vec<(String, String)> {
    raw.files
        .iter()
        .map(|(_, f)| (f.name().to_string(), f.text().to_string()))
        .collect()
}

fn id(raw: &RawInventory, name: &str) -> strata_parser::FileId {
    raw.files.find(name).unwrap()
}

#[test]
fn texts_let_go_read_back_as_they_were() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), FILES);
    let kept = read_inventory_with(dir.path(), HostData::Read);
    let lean = read_inventory_letting_go(dir.path(), HostData::Read);
    // Same diagnostics, same texts (read back on demand), same locations.
    assert_eq!(kept.diagnostics, lean.diagnostics);
    assert_eq!(kept.diagnostics.len(), 1, "{:?}", kept.diagnostics);
    assert_eq!(texts(&kept), texts(&lean));
    let rack = lean.host_files[0].data.get("rack").unwrap();
    assert_eq!(
        lean.files.location(rack.key_span).unwrap().to_string(),
        "host_data/w1.toml:2:1"
    );
    for (_, f) in lean.files.iter() {
        assert!(!f.is_changed(), "{}", f.name());
    }
}

#[test]
fn a_file_changed_after_reading_shows_without_lines() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), FILES);
    let lean = read_inventory_letting_go(dir.path(), HostData::Read);
    let rack = lean.host_files[0].data.get("rack").unwrap().key_span;
    write(dir.path(), &[("host_data/w1.toml", "rack = \"r9\"\n\n")]);
    fs::remove_file(dir.path().join("hosts.toml")).unwrap();
    let w1 = lean.files.get(id(&lean, "host_data/w1.toml"));
    assert!(w1.is_changed());
    assert_eq!(w1.text(), "");
    assert_eq!(lean.files.location(rack), None);
    assert!(lean.files.get(id(&lean, "hosts.toml")).is_changed());
    // A file with a problem kept its text: its report still has its lines.
    let w2 = id(&lean, "host_data/w2.toml");
    fs::remove_file(dir.path().join("host_data/w2.toml")).unwrap();
    assert_eq!(lean.files.get(w2).text(), "rack = \n");
    assert!(!lean.files.get(w2).is_changed());
}

#[test]
fn texts_that_are_kept_outlive_their_files() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), FILES);
    let kept = read_inventory_with(dir.path(), HostData::Read);
    drop(dir);
    let w1 = kept.files.get(id(&kept, "host_data/w1.toml"));
    assert_eq!(w1.text(), "\nrack = \"r1\"\n");
    assert!(!w1.is_changed());
}

#[cfg(unix)]
#[test]
fn reading_back_follows_the_rules_of_the_first_read() {
    // Replaced by a symbolic link to a file outside the root with the very
    // same bytes: the first read would have refused it, so the read back
    // does too.
    let outside = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), FILES);
    let lean = read_inventory_letting_go(dir.path(), HostData::Read);
    write(outside.path(), &[("w1.toml", "\nrack = \"r1\"\n")]);
    let path = dir.path().join("host_data/w1.toml");
    fs::remove_file(&path).unwrap();
    std::os::unix::fs::symlink(outside.path().join("w1.toml"), &path).unwrap();
    let w1 = lean.files.get(id(&lean, "host_data/w1.toml"));
    assert!(w1.is_changed());
    assert_eq!(w1.text(), "");
}
