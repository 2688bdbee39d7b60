//! Replays every input of `fuzz/regressions/cache_entry/` and every
//! committed seed (`fuzz/corpus/cache_entry/seed-*`) through the harness of
//! the `cache_entry` fuzz target, so the plain test suite catches a
//! regression without cargo-fuzz. See docs/fuzzing.md.

#[path = "support/cache_fuzz.rs"]
mod harness;
#[path = "../../strata-cli/tests/support/fuzz_inputs.rs"]
mod inputs;

use std::path::Path;

use inputs::fuzz_inputs;

#[test]
fn cache_entry_inputs() {
    let files = fuzz_inputs("cache_entry");
    assert!(files.len() >= 5, "no seeds for the `cache_entry` target");
    for file in files {
        eprintln!("replaying {}", file.display());
        let cache = tempfile::tempdir().unwrap();
        harness::run(cache.path(), &std::fs::read(&file).unwrap());
    }
}

#[test]
fn the_seeds_are_what_their_names_say() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/cache_entry");
    let cache = tempfile::tempdir().unwrap();
    let e = harness::entry(cache.path());
    let decode = |name: &str| {
        let data = std::fs::read(corpus.join(name)).unwrap();
        let (mode, rest) = data.split_first().unwrap();
        let bytes = match mode % 2 {
            1 => [harness::header(&e).as_slice(), rest].concat(),
            _ => rest.to_vec(),
        };
        e.decode(&bytes)
    };
    let good = decode("seed-good").unwrap().unwrap();
    assert_eq!((good.list.as_str(), good.hosts.len()), ("{}", 0));
    let hosts = decode("seed-host-answers").unwrap().unwrap();
    assert_eq!(
        hosts.hosts,
        [("w1".to_string(), "{\"port\": 80}".to_string())]
    );
    assert_eq!(decode("seed-after-header").unwrap().unwrap().hosts.len(), 1);
    assert_eq!(decode("seed-other-key"), Ok(None));
    for damaged in [
        "seed-wrapping-length",
        "seed-wrapping-length-after-header",
        "seed-cut-short",
    ] {
        assert!(decode(damaged).is_err(), "{damaged}");
    }
}

#[test]
fn the_seed_that_once_panicked_is_damage() {
    let cache = tempfile::tempdir().unwrap();
    let e = harness::entry(cache.path());
    let mut bytes = harness::header(&e);
    bytes.extend_from_slice(b"18446744073709551615\nx\n");
    assert!(e.decode(&bytes).is_err());
    assert!(e.decode(b"18446744073709551615\nx\n").is_err());
}
