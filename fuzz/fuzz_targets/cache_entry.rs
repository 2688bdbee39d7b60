//! A command source's cache entry, as bytes or after a good header: the
//! decoder and the file reader (docs/fuzzing.md).
#![no_main]

#[path = "../../crates/strata-exec/tests/support/cache_fuzz.rs"]
mod harness;

use std::path::PathBuf;
use std::sync::LazyLock;

/// A cache folder of this fuzzing process's own.
static DIR: LazyLock<PathBuf> = LazyLock::new(|| {
    let dir = std::env::temp_dir()
        .join("strata-fuzz")
        .join(format!("cache_entry-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
});

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    harness::run(&DIR, data);
});
