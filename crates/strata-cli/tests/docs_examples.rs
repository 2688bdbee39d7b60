//! Every `$ strata ...` example in README.md and docs/*.md, run from the
//! workspace root: the output shown is the output strata prints. A line
//! `...` stands for any number of lines.

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// (file, command, expected lines) for every example.
fn examples() -> Vec<(String, String, Vec<String>)> {
    let root = workspace();
    let mut files = vec![root.join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let name = file.strip_prefix(&root).unwrap().display().to_string();
        let mut in_block = false;
        let mut current: Option<(String, Vec<String>)> = None;
        for line in text.lines() {
            if line.starts_with("```") {
                in_block = !in_block;
                out.extend(current.take().map(|(c, l)| (name.clone(), c, l)));
                continue;
            }
            if !in_block {
                continue;
            }
            if let Some(cmd) = line.strip_prefix("$ strata ") {
                out.extend(current.take().map(|(c, l)| (name.clone(), c, l)));
                current = Some((cmd.to_string(), Vec::new()));
            } else if let Some((_, lines)) = current.as_mut() {
                if line.is_empty() && lines.last().is_some_and(|l: &String| l.is_empty()) {
                    continue;
                }
                lines.push(line.to_string());
            }
        }
    }
    out
}

/// Whether `got` matches `want`, where a `...` line matches any lines.
fn matches(want: &[String], got: &[&str]) -> bool {
    match want.split_first() {
        None => got.is_empty(),
        Some((w, rest)) if w == "..." => (0..=got.len()).any(|i| matches(rest, &got[i..])),
        Some((w, rest)) => got
            .split_first()
            .is_some_and(|(g, grest)| g.trim_end() == w.trim_end() && matches(rest, grest)),
    }
}

#[test]
fn documented_output_is_real() {
    let examples = examples();
    assert!(examples.len() >= 8, "examples not found: {examples:?}");
    let bin = Path::new(env!("CARGO_BIN_EXE_strata")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut failed = Vec::new();
    for (file, cmd, mut want) in examples {
        while want.last().is_some_and(|l| l.is_empty()) {
            want.pop();
        }
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!("strata {cmd} 2>&1"))
            .current_dir(workspace())
            .env("PATH", &path)
            .env("NO_COLOR", "1")
            .env_remove("STRATA_INVENTORY")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let got: Vec<&str> = text.lines().collect();
        if !matches(&want, &got) {
            failed.push(format!(
                "{file}: $ strata {cmd}\n--- documented\n{}\n--- printed\n{text}",
                want.join("\n")
            ));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
}
