//! The repository's inventory generator, `bench/gen.py`.

use std::path::{Path, PathBuf};

/// Where the generator lives; the tests fail (never skip) without it.
pub fn gen_py_path() -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/gen.py");
    assert!(
        path.is_file(),
        "the inventory generator {} is missing: it is part of the repository",
        path.display()
    );
    path
}

/// gen.py's inventory of `hosts` hosts in a new temporary directory (the
/// strata dialect in its `strata/`).
pub fn gen_py(hosts: usize) -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("python3")
        .arg(gen_py_path())
        .arg(hosts.to_string())
        .arg(out.path())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .status()
        .unwrap();
    assert!(status.success());
    out
}
