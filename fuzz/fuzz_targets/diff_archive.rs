//! The unpacker of `strata diff --base` (`strata_exec::git::unpack`): the
//! input describes a tar archive, as `git archive` of a hostile tree could
//! hold it (names twice, links and paths through them, `..`, sizes over the
//! limits), which is unpacked into a sandbox; nothing outside its folder may
//! appear or change. The harness is
//! crates/strata-exec/tests/support/archive_harness.rs.
#![no_main]

#[path = "../../crates/strata-exec/tests/support/archive_harness.rs"]
mod harness;

use std::path::PathBuf;
use std::sync::LazyLock;

static SANDBOX: LazyLock<PathBuf> = LazyLock::new(|| harness::sandbox("diff_archive"));

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    harness::run(&SANDBOX, data);
});
