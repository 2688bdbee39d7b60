//! Replays every input of `fuzz/regressions/diff_archive/` and every
//! committed seed (`fuzz/corpus/diff_archive/seed-*`) through the
//! diff-archive harness, the code the `diff_archive` cargo-fuzz target runs
//! (docs/fuzzing.md), so that the plain test suite catches a regression.

#[path = "support/archive_harness.rs"]
mod harness;

use std::path::Path;

#[test]
fn diff_archive_inputs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut files = Vec::new();
    for dir in ["regressions", "corpus"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join("diff_archive")) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let seed = path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("seed-"));
            if path.is_file() && (dir == "regressions" || seed) {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 5, "too few inputs: {files:?}");
    let work = tempfile::tempdir().unwrap();
    for file in files {
        eprintln!("replaying {}", file.display());
        harness::run(work.path(), &std::fs::read(&file).unwrap());
    }
}
