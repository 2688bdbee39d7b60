//! Replays every input of `fuzz/regressions/<target>/` (crashes the fuzzer
//! found, kept after the fix) and every committed seed
//! (`fuzz/corpus/<target>/seed-*`) through the fuzz harness, the very code the
//! cargo-fuzz targets run. See docs/fuzzing.md.

#[path = "support/fuzz_harness.rs"]
mod harness;
#[path = "support/fuzz_inputs.rs"]
mod inputs;

use std::path::Path;

use inputs::fuzz_inputs as inputs;

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
