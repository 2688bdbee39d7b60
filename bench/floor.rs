//! The floor of docs/benchmarks.md as a whole process: walk an inventory directory,
//! read every file and `toml::from_str::<toml::Table>` it on all cores, then
//! exit. No strata code runs; `bench/compare.sh` times it beside `strata
//! list`, `strata check` and `strata ansible --list` on the same inventory.
//!
//! ```sh
//! cargo build --release -p strata --example floor
//! target/release/examples/floor path/to/inventory
//! ```
//!
//! It prints the number of files and bytes it parsed (to stderr, so that the
//! timed command can send stdout to /dev/null like the others) and exits 1
//! if any file is not readable TOML, so a broken benchmark cannot look fast.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

fn main() {
    let Some(root) = std::env::args_os().nth(1) else {
        eprintln!("usage: floor INVENTORY_DIR");
        std::process::exit(2);
    };
    let mut files = Vec::new();
    walk(Path::new(&root), &mut files);
    let parsed: Vec<Result<(String, toml::Table), String>> = files
        .par_iter()
        .map(|path| {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let table = toml::from_str::<toml::Table>(&text)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            Ok((text, table))
        })
        .collect();
    let mut bytes = 0;
    for result in &parsed {
        match result {
            Ok((text, _)) => bytes += text.len(),
            Err(e) => {
                eprintln!("floor: {e}");
                std::process::exit(1);
            }
        }
    }
    eprintln!("floor: {} files, {bytes} bytes", parsed.len());
    // Like strata, exit without freeing what was parsed.
    std::mem::forget(parsed);
}

/// Every `.toml` file below `dir`, as strata reads them (hidden entries
/// skipped).
fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => walk(&path, files),
            Ok(t) if t.is_file() && path.extension().is_some_and(|e| e == "toml") => {
                files.push(path)
            }
            _ => {}
        }
    }
}
