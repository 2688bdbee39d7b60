//! The benchmarks' generator, `../shared/bench/gen.py`, which lives beside
//! the repository.

use std::path::Path;

/// gen.py's inventory of `hosts` hosts in a new temporary directory (the
/// strata dialect in its `strata/`), or `None` (said on stderr) when the
/// generator is not there.
pub fn gen_py(hosts: usize) -> Option<tempfile::TempDir> {
    let gen_py = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/bench/gen.py");
    if !gen_py.is_file() {
        eprintln!("skipped: {} not found", gen_py.display());
        return None;
    }
    let out = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("python3")
        .arg(&gen_py)
        .arg(hosts.to_string())
        .arg(out.path())
        .status()
        .unwrap();
    assert!(status.success());
    Some(out)
}
