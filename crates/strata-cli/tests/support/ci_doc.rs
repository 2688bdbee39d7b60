//! The recipes of docs/ci.md, run as GitHub Actions runs them: a `run: |`
//! block taken out of the document, run by `bash -e` from a repository
//! root, with the `strata` under test first on `PATH`.

use std::path::Path;
use std::process::Command;

/// The `run: |` script of the first step at or after `marker` in
/// docs/ci.md, unindented.
pub fn run_script(marker: &str) -> String {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/ci.md"))
            .unwrap();
    let at = doc
        .find(marker)
        .unwrap_or_else(|| panic!("docs/ci.md has no {marker:?}"));
    let start = at + doc[at..].find("        run: |\n").expect("a run: block") + 15;
    doc[start..]
        .lines()
        .take_while(|l| l.starts_with("          "))
        .map(|l| format!("{}\n", &l[10..]))
        .collect()
}

/// `bash -e -c script` from `dir`, finding this build's `strata` first and
/// no inventory from the environment.
pub fn bash_with_strata(script: &str, dir: &Path) -> Command {
    let bin = Path::new(env!("CARGO_BIN_EXE_strata")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new("bash");
    cmd.arg("-e")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .env("PATH", path)
        .env_remove("STRATA_INVENTORY");
    cmd
}
