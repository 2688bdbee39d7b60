//! An inventory built from the input (hosts.toml, a group_data file and a
//! host_data file, separated by NUL), loaded by every command that reads a
//! whole inventory, every diagnostic rendered in every format.
#![no_main]

#[path = "../../crates/strata-cli/tests/support/fuzz_harness.rs"]
mod harness;

use std::path::PathBuf;
use std::sync::LazyLock;

static DIR: LazyLock<PathBuf> = LazyLock::new(|| {
    let dir = harness::process_dir("inventory").join("inventory");
    std::fs::create_dir_all(&dir).expect("create the inventory directory");
    dir
});

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    harness::run_inventory(&DIR, data);
});
