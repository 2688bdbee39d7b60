//! Replays every input of `fuzz/regressions/diff_archive/` and every
//! committed seed (`fuzz/corpus/diff_archive/seed-*`) through the
//! diff-archive harness, the code the `diff_archive` cargo-fuzz target runs
//! (docs/fuzzing.md), so that the plain test suite catches a regression.

#[path = "support/archive_harness.rs"]
mod harness;
#[path = "../../strata-cli/tests/support/fuzz_inputs.rs"]
mod inputs;

use inputs::fuzz_inputs;

#[test]
fn diff_archive_inputs() {
    let files = fuzz_inputs("diff_archive");
    assert!(files.len() >= 5, "too few inputs: {files:?}");
    let work = tempfile::tempdir().unwrap();
    for file in files {
        eprintln!("replaying {}", file.display());
        harness::run(work.path(), &std::fs::read(&file).unwrap());
    }
}
