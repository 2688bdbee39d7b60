//! The diff-archive unpacker's fuzz harness (docs/fuzzing.md), shared by the
//! cargo-fuzz target `fuzz/fuzz_targets/diff_archive.rs` and the replay test
//! `crates/strata-exec/tests/archive_fuzz_regressions.rs`.
//!
//! The input describes a tar archive, as `git archive` of a hostile tree
//! could hold it. Its first byte chooses how:
//!
//! - `0`: the rest is a tar stream, gzipped here as is;
//! - anything else: records `KIND NAME \0 PAYLOAD \0`, where KIND % 4 is a
//!   file (0), an executable file (1), a symbolic link to PAYLOAD (2) or a
//!   folder (3), and NAME is written raw into the header (so `..`, `/abs`,
//!   a name twice, a link and then a path through it all reach the
//!   unpacker).
//!
//! The archive is unpacked into `out/` of a sandbox that also holds
//! `victim/file`; names containing `skip` are filtered out. Besides "no
//! panic", the harness asserts that nothing outside `out/` appeared or
//! changed, that every regular file under `out/` is a kept entry's, with its
//! data, within the limits, and, when the unpacker succeeds, that every kept
//! file entry is there with its executable bit.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use strata_exec::git::{Limits, unpack};

pub const LIMITS: Limits = Limits {
    file: 4096,
    total: 16 * 1024,
    archive: 1024 * 1024,
};

const VICTIM: &[u8] = b"victim: must never change\n";

/// One entry of a structured input.
#[derive(Debug)]
pub struct Entry {
    pub kind: u8,
    pub name: Vec<u8>,
    pub payload: Vec<u8>,
}

/// The records of a structured input (without its first byte).
pub fn records(mut data: &[u8]) -> Vec<Entry> {
    let mut out = Vec::new();
    while let Some((&kind, rest)) = data.split_first() {
        let (name, rest) = split_nul(rest);
        let (payload, rest) = split_nul(rest);
        out.push(Entry {
            kind: kind % 4,
            // The header's name field holds 100 bytes.
            name: name[..name.len().min(100)].to_vec(),
            payload: payload.to_vec(),
        });
        data = rest;
        if out.len() >= 64 {
            break;
        }
    }
    out
}

fn split_nul(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[]),
    }
}

/// A tar stream of `entries`, names and link targets written raw.
pub fn tar_of(entries: &[Entry]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for e in entries {
        let mut h = tar::Header::new_gnu();
        let data: &[u8] = if e.kind <= 1 { &e.payload } else { &[] };
        h.set_size(data.len() as u64);
        h.set_mode(if e.kind == 1 { 0o775 } else { 0o664 });
        h.set_entry_type(match e.kind {
            0 | 1 => tar::EntryType::Regular,
            2 => tar::EntryType::Symlink,
            _ => tar::EntryType::Directory,
        });
        let old = h.as_old_mut();
        let n = e.name.len().min(old.name.len());
        old.name[..n].copy_from_slice(&e.name[..n]);
        if e.kind == 2 {
            let n = e.payload.len().min(old.linkname.len());
            old.linkname[..n].copy_from_slice(&e.payload[..n]);
        }
        h.set_cksum();
        b.append(&h, data).expect("append to a Vec");
    }
    b.into_inner().expect("finish a Vec")
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(data).expect("gzip to a Vec");
    gz.finish().expect("gzip to a Vec")
}

fn keep(name: &str) -> bool {
    !name.contains("skip")
}

/// `name` as the unpacker reads it: a relative path of normal components.
fn normal(name: &[u8]) -> Option<PathBuf> {
    let name = std::str::from_utf8(name).ok()?;
    if name.starts_with('/') {
        return None;
    }
    let mut out = PathBuf::new();
    for c in Path::new(name).components() {
        match c {
            Component::Normal(p) => out.push(p),
            Component::CurDir => {}
            _ => return None,
        }
    }
    (!out.as_os_str().is_empty()).then_some(out)
}

/// Every path under `dir`, links not followed, relative to it.
fn walk(dir: &Path, rel: &Path, out: &mut Vec<(PathBuf, std::fs::Metadata)>) {
    let Ok(entries) = std::fs::read_dir(dir.join(rel)) else {
        return;
    };
    for e in entries {
        let e = e.expect("read a folder entry");
        let rel = rel.join(e.file_name());
        let meta = std::fs::symlink_metadata(dir.join(&rel)).expect("lstat");
        if meta.is_dir() {
            walk(dir, &rel, out);
        }
        out.push((rel, meta));
    }
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("list the sandbox")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Runs one input in `sandbox` (an empty folder, emptied again afterwards).
pub fn run(sandbox: &Path, data: &[u8]) {
    let (tar, entries) = match data.split_first() {
        Some((0, rest)) => (rest.to_vec(), None),
        Some((_, rest)) => {
            let entries = records(rest);
            (tar_of(&entries), Some(entries))
        }
        None => (Vec::new(), None),
    };
    let victim_dir = sandbox.join("victim");
    let victim = victim_dir.join("file");
    let out = sandbox.join("out");
    std::fs::create_dir_all(&victim_dir).expect("make the victim folder");
    std::fs::write(&victim, VICTIM).expect("write the victim");
    std::fs::create_dir(&out).expect("make out/");

    let result = unpack(&gzip(&tar), &out, &keep, LIMITS);

    // Nothing outside out/ appeared or changed.
    assert_eq!(names(sandbox), ["out", "victim"], "{result:?}");
    assert_eq!(names(&victim_dir), ["file"], "{result:?}");
    let meta = std::fs::symlink_metadata(&victim).expect("lstat the victim");
    assert!(meta.is_file(), "the victim was replaced: {result:?}");
    assert_eq!(std::fs::read(&victim).expect("read the victim"), VICTIM);

    let mut found = Vec::new();
    walk(&out, Path::new(""), &mut found);
    if let Some(entries) = &entries {
        // What each kept name may hold.
        let mut wanted: HashMap<PathBuf, Vec<&Entry>> = HashMap::new();
        for e in entries.iter().filter(|e| e.kind <= 2) {
            if let Some(p) = normal(&e.name)
                && keep(std::str::from_utf8(&e.name).unwrap_or(""))
            {
                wanted.entry(p).or_default().push(e);
            }
        }
        let mut total = 0;
        for (rel, meta) in &found {
            if meta.is_dir() {
                continue;
            }
            let candidates = wanted.get(rel).unwrap_or_else(|| {
                panic!("{} was written, and no kept entry names it", rel.display())
            });
            if meta.is_file() {
                let bytes = std::fs::read(out.join(rel)).expect("read a written file");
                assert!(bytes.len() as u64 <= LIMITS.file);
                total += bytes.len() as u64;
                assert!(
                    candidates.iter().any(|e| e.kind <= 1 && e.payload == bytes),
                    "{} holds bytes no entry of that name has",
                    rel.display()
                );
            } else {
                assert!(meta.file_type().is_symlink(), "{}: {meta:?}", rel.display());
                assert!(candidates.iter().any(|e| e.kind == 2));
            }
        }
        assert!(total <= LIMITS.total);
        if result.is_ok() {
            for (rel, es) in &wanted {
                let e = es.last().expect("an entry");
                if e.kind > 1 || e.payload.len() as u64 > LIMITS.file {
                    continue;
                }
                let meta = std::fs::symlink_metadata(out.join(rel))
                    .unwrap_or_else(|_| panic!("{} is missing", rel.display()));
                assert!(meta.is_file(), "{}", rel.display());
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    let x = meta.permissions().mode() & 0o111 != 0;
                    assert_eq!(x, e.kind == 1, "{}: executable bit", rel.display());
                }
            }
        }
    }
    // Empty the sandbox for the next input (links are removed, not followed).
    std::fs::remove_dir_all(&out).expect("remove out/");
}

/// A sandbox folder for this process, under `$TMPDIR/strata-fuzz/`.
pub fn sandbox(name: &str) -> PathBuf {
    let dir = std::env::temp_dir()
        .join("strata-fuzz")
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("make the sandbox");
    dir
}
