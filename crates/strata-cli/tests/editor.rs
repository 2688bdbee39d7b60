//! A real editor against `strata lsp`: Neovim, headless, with its built-in
//! LSP client, runs tests/editor/nvim-lsp.lua on a copy of examples/basic
//! (open a data file, hover, definition, references, completion, break a
//! value, read the published diagnostics, fix it, stop the server); what it
//! saw must equal tests/editor/nvim-lsp.expected. `SNAPSHOTS=overwrite`
//! accepts new output.
//!
//! Finding Neovim: `$STRATA_NVIM`, else `nvim` on `PATH` (Debian's package:
//! `apt-get install neovim`; .ci/run installs it). Without it the test
//! prints that it skipped, unless `$CI` is set: then it fails.

#[path = "support/copy_tree.rs"]
mod copy_tree_support;
use copy_tree_support::copy_tree;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use snapbox::{Assert, Data};

/// The whole run (a dozen requests and four rounds of diagnostics) takes a
/// few seconds; past this the editor or the server hangs.
const TIMEOUT: Duration = Duration::from_secs(180);

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn nvim() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("STRATA_NVIM") {
        return Some(PathBuf::from(path));
    }
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("nvim"))
            .find(|candidate| candidate.is_file())
    });
    if found.is_none() {
        let why = "nvim not found on PATH (set STRATA_NVIM or `apt-get install neovim`)";
        if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
            panic!("Neovim is required in CI for the editor test: {why}");
        }
        eprintln!("skipped: {why}");
    }
    found
}

#[test]
fn neovim_builtin_client_hovers_jumps_and_reads_diagnostics() {
    let Some(nvim) = nvim() else { return };
    let tmp = tempfile::tempdir().unwrap();
    // The canonical path: the server names files by it, and the script
    // strips it from what it prints.
    let inventory = tmp.path().canonicalize().unwrap().join("basic");
    copy_tree(&workspace().join("examples/basic"), &inventory);
    let seen = tmp.path().join("seen.txt");
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let script = workspace().join("tests/editor/nvim-lsp.lua");
    let stderr_path = tmp.path().join("stderr.txt");

    let mut child = Command::new(&nvim)
        .args(["--headless", "--clean", "-u", "NONE", "-c"])
        .arg(format!("luafile {}", script.display()))
        .current_dir(&inventory)
        // Nothing of the user's: no config, no state, no log in their home.
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("STRATA_BIN", env!("CARGO_BIN_EXE_strata"))
        .env("STRATA_NVIM_INVENTORY", &inventory)
        .env("STRATA_NVIM_OUT", &seen)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&stderr_path).unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", nvim.display()));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > TIMEOUT {
            child.kill().unwrap();
            child.wait().unwrap();
            let so_far = std::fs::read_to_string(&seen).unwrap_or_default();
            panic!("nvim did not finish within {TIMEOUT:?}; it had written:\n{so_far}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
    let text = std::fs::read_to_string(&seen)
        .unwrap_or_else(|e| panic!("nvim wrote nothing ({e}); its stderr:\n{stderr}"));
    assert!(
        status.success(),
        "nvim failed ({status}); it saw:\n{text}\nits stderr:\n{stderr}"
    );
    Assert::new()
        .action_env("SNAPSHOTS")
        .normalize_paths(false)
        .eq(
            Data::from(text),
            Data::read_from(&workspace().join("tests/editor/nvim-lsp.expected"), None),
        );
}
