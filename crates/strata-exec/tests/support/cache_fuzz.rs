//! The harness of the `cache_entry` fuzz target (docs/fuzzing.md), shared
//! by `fuzz/fuzz_targets/cache_entry.rs` and the replay test
//! `crates/strata-exec/tests/cache_fuzz.rs`.
//!
//! The input is a cache entry's bytes: as they are when the first byte is
//! even, else (the rest) after a good header (the magic and this entry's
//! key), so that mutations reach the answer's fields. Besides "no panic":
//! decoding the bytes and reading them from the entry's file agree; what
//! decodes encodes and decodes back to the same answer; and any answer
//! (the input split on NUL: the list, then host and text pairs) survives
//! encoding and decoding.

#![allow(dead_code)]

use std::path::Path;

use strata_exec::CacheEntry;

/// The entry every input is read as, in the cache folder `dir`.
pub fn entry(dir: &Path) -> CacheEntry {
    let argv = ["./inv.py".to_string(), "--list".to_string()];
    CacheEntry::new(dir, Path::new("/inv/a"), "cmdb", &argv)
}

/// The magic and the key of [`entry`]: what a good entry starts with.
pub fn header(e: &CacheEntry) -> Vec<u8> {
    let mut bytes = e.encode("", &[]);
    // Without the empty list's field, `0\n\n`.
    bytes.truncate(bytes.len() - 3);
    bytes
}

/// One input, with `dir` as the cache folder.
pub fn run(dir: &Path, data: &[u8]) {
    let e = entry(dir);
    let bytes = match data.split_first() {
        Some((mode, rest)) if mode % 2 == 1 => [header(&e).as_slice(), rest].concat(),
        Some((_, rest)) => rest.to_vec(),
        None => Vec::new(),
    };
    let decoded = e.decode(&bytes);
    if let Ok(Some(c)) = &decoded {
        round_trip(&e, &c.list, &c.hosts);
    }
    // The same bytes through the file: the reader agrees with the decoder.
    std::fs::create_dir_all(e.path().parent().unwrap()).unwrap();
    std::fs::write(e.path(), &bytes).unwrap();
    let read = e.read();
    match (&decoded, &read) {
        (Ok(None), Ok(None)) => {}
        (Ok(Some(a)), Ok(Some(b))) => {
            assert_eq!(
                (&a.list, &a.hosts),
                (&b.list, &b.hosts),
                "read and decode differ"
            );
        }
        (Err(a), Err(b)) => assert_eq!(a, b, "read and decode differ"),
        _ => panic!("read {read:?}, decoded {decoded:?}"),
    }
    // Any answer survives the cache.
    let mut parts = data
        .split(|&b| b == 0)
        .map(|p| String::from_utf8_lossy(p).into_owned());
    let list = parts.next().unwrap_or_default();
    let rest: Vec<String> = parts.collect();
    let hosts: Vec<(String, String)> = rest
        .chunks_exact(2)
        .map(|p| (p[0].clone(), p[1].clone()))
        .collect();
    round_trip(&e, &list, &hosts);
}

fn round_trip(e: &CacheEntry, list: &str, hosts: &[(String, String)]) {
    let bytes = e.encode(list, hosts);
    match e.decode(&bytes) {
        Ok(Some(c)) => assert_eq!((c.list.as_str(), c.hosts.as_slice()), (list, hosts)),
        other => panic!("an encoded answer decodes as {other:?}"),
    }
}
