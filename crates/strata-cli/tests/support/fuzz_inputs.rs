//! The inputs a fuzz target's replay test runs: every file of
//! `fuzz/regressions/<target>/` (crashes the fuzzer found, kept after the
//! fix) and the committed seeds of `fuzz/corpus/<target>/` (`seed-*`; the
//! rest is what a campaign added, and may be rewriting right now), sorted.
//! Shared by the replay tests of strata-cli and strata-exec.

use std::path::{Path, PathBuf};

/// The replay inputs of `target`.
pub fn fuzz_inputs(target: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut files = Vec::new();
    for dir in ["regressions", "corpus"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else {
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
    files
}
