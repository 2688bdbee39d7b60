//! Replays every input of `fuzz/regressions/<target>/` (crashes the fuzzer
//! found, kept after the fix) and every committed seed
//! (`fuzz/corpus/<target>/seed-*`) through the fuzz harness, the very code the
//! cargo-fuzz targets run. See docs/fuzzing.md.

#[path = "support/fuzz_harness.rs"]
mod harness;

use std::path::{Path, PathBuf};

fn inputs(target: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut files = Vec::new();
    for dir in ["regressions", "corpus"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            // Of the corpus, only the committed seeds: the rest is what a
            // campaign added (and may be rewriting right now).
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
    files
}

fn replay(target: &str, run: fn(&Path, &[u8])) {
    let files = inputs(target);
    assert!(!files.is_empty(), "no inputs for the `{target}` target");
    for file in files {
        let work = tempfile::tempdir().unwrap();
        let dir = work.path().join("inventory");
        std::fs::create_dir(&dir).unwrap();
        let data = std::fs::read(&file).unwrap();
        eprintln!("replaying {}", file.display());
        if target == "args" {
            harness::write_args_inventory(&dir);
        }
        run(&dir, &data);
    }
}

#[test]
fn inventory_inputs() {
    replay("inventory", harness::run_inventory);
}

#[test]
fn args_inputs() {
    replay("args", harness::run_args);
}
