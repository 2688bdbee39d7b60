//! `strata.toml` at the inventory root: read here (one `lstat` when the
//! file is absent), parsed by `settings.rs`.

use std::path::Path;

use strata_diagnostics::{Diagnostic, Files};

use super::disk;
use super::memo::ParseMemo;
use super::overlay::Overlay;
use super::problems::unreadable;
use crate::settings::{SETTINGS_FILE, Settings, parse_settings};

/// Reads `root/strata.toml` (root canonical) into `files`; no file gives
/// the empty settings. It is added to `files` after every other file, so
/// that the numbers the others were given stay as they are.
pub(crate) fn read_settings(
    root: &Path,
    files: &mut Files,
    diagnostics: &mut Vec<Diagnostic>,
    overlay: &Overlay,
) -> Settings {
    let path = root.join(SETTINGS_FILE);
    let Ok(meta) = std::fs::symlink_metadata(&path) else {
        return Settings::default();
    };
    // Read again only when it changed, for a process that reads the
    // inventory again and again (the language server).
    ParseMemo::read_kept(
        SETTINGS_FILE,
        root,
        files,
        diagnostics,
        overlay,
        |files, ds| read_text(root, &path, meta, files, ds, overlay),
    )
}

fn read_text(
    root: &Path,
    path: &Path,
    meta: std::fs::Metadata,
    files: &mut Files,
    diagnostics: &mut Vec<Diagnostic>,
    overlay: &Overlay,
) -> Settings {
    match disk::read_text(
        root,
        path,
        SETTINGS_FILE,
        disk::Kind::of(meta.file_type()),
        overlay,
    ) {
        Ok(text) => {
            let file = files.add(SETTINGS_FILE, text);
            parse_settings(file, files.get(file).text(), diagnostics)
        }
        Err(problem) => {
            let (file, d) = unreadable(files, SETTINGS_FILE, problem);
            diagnostics.push(d);
            Settings {
                file: Some(file),
                merge: Vec::new(),
            }
        }
    }
}
