//! A fixed inventory; the input (split on NUL) is a `--limit` pattern, a
//! `--data` argument, a host name and a key for hosts, list, groups, graph,
//! ansible, host and explain.
#![no_main]

#[path = "../../crates/strata-cli/tests/support/fuzz_harness.rs"]
mod harness;

use std::path::PathBuf;
use std::sync::LazyLock;

static DIR: LazyLock<PathBuf> = LazyLock::new(|| {
    let dir = harness::process_dir("args").join("inventory");
    harness::write_args_inventory(&dir);
    dir
});

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    harness::run_args(&DIR, data);
});
