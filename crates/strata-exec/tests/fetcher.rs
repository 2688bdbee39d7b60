//! The consent and cache rule of [`strata_exec::Fetcher`], case by case,
//! with a tiny script that counts its runs.

#![cfg(unix)]

use std::path::Path;
use std::time::{Duration, SystemTime};

use strata_exec::{CacheEntry, Fetcher};
use strata_resolver::fetch::{Failure, Fetch, Request};

const GOOD: &str = "{\"web\": [\"w1\"], \"_meta\": {\"hostvars\": {}}}";

fn script(dir: &Path, body: &str) -> Vec<String> {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("inv.sh");
    std::fs::write(&path, format!("#!/bin/sh\necho run >> runs\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    vec!["./inv.sh".into(), "--list".into()]
}

fn runs(dir: &Path) -> usize {
    std::fs::read_to_string(dir.join("runs"))
        .map(|s| s.lines().count())
        .unwrap_or(0)
}

/// A cached answer `age` old, or none.
fn cached(cache: &Path, root: &Path, argv: &[String], age: Option<Duration>) {
    let Some(age) = age else { return };
    let e = CacheEntry::new(cache, root, "cmdb", argv);
    e.write("{\"web\": [\"cached\"]}", &[]).unwrap();
    let f = std::fs::File::options().write(true).open(e.path()).unwrap();
    f.set_modified(SystemTime::now() - age).unwrap();
}

/// One case: the cached answer's age, `cache`, allow_exec, refresh,
/// whether the command works; then whether it ran, the answer used
/// (`cached` or `w1`) and the failure.
type Case = (
    Option<Duration>,
    Option<Duration>,
    bool,
    bool,
    bool,
    bool,
    Option<&'static str>,
    Option<&'static str>,
);

#[test]
fn consent_and_cache_rule() {
    let min = |m: u64| Some(Duration::from_secs(60 * m));
    // (cached answer's age, `cache`, allow_exec, refresh, command works,
    //  ran?, answer used, failure)
    #[rustfmt::skip]
    let cases: &[Case] = &[
        // Fresh cache: used, consent or not, nothing runs.
        (min(1), min(5), false, false, true, false, Some("cached"), None),
        (min(1), min(5), true, false, true, false, Some("cached"), None),
        // --refresh runs it when allowed; it is refused otherwise.
        (min(1), min(5), true, true, true, true, Some("w1"), None),
        (min(1), min(5), false, true, true, false, None, Some("not allowed")),
        // Stale cache, or none, or no `cache`: consent is needed.
        (min(10), min(5), false, false, true, false, None, Some("not allowed")),
        (None, min(5), false, false, true, false, None, Some("not allowed")),
        (min(1), None, false, false, true, false, None, Some("not allowed")),
        (min(10), min(5), true, false, true, true, Some("w1"), None),
        (min(1), None, true, false, true, true, Some("w1"), None),
        // A failure: the last good answer, however old, with the failure.
        (min(600), min(5), true, false, false, true, Some("cached"), Some("exited with status 3")),
        (None, min(5), true, false, false, true, None, Some("exited with status 3")),
    ];
    for (i, &(age, cache, allow, refresh, works, ran, used, failure)) in cases.iter().enumerate() {
        let root = tempfile::tempdir().unwrap();
        let store = tempfile::tempdir().unwrap();
        let body = if works {
            format!("echo '{GOOD}'")
        } else {
            "echo down >&2; exit 3".to_string()
        };
        let argv = script(root.path(), &body);
        cached(store.path(), root.path(), &argv, age);
        let check_list = |t: &str| t.starts_with('{').then(Vec::new);
        let check_host = |_: &str| true;
        let fetched = Fetcher::with_cache_dir(Some(store.path().to_path_buf())).fetch(&Request {
            root: root.path(),
            name: "cmdb",
            argv: &argv,
            timeout: Duration::from_secs(10),
            cache,
            allow_exec: allow,
            refresh,
            check_list: &check_list,
            check_host: &check_host,
        });
        assert_eq!(runs(root.path()), usize::from(ran), "case {i}");
        let got = fetched.answer.as_ref().map(|a| {
            if a.list.contains("cached") {
                "cached"
            } else {
                "w1"
            }
        });
        assert_eq!(got, used, "case {i}");
        let why = match &fetched.failure {
            None => None,
            Some(Failure::NotAllowed) => Some("not allowed".to_string()),
            Some(Failure::CannotRun) => unreachable!("strata-exec runs commands"),
            Some(Failure::Failed { reason, stderr, .. }) => {
                assert_eq!(stderr, "down", "case {i}");
                Some(reason.clone())
            }
        };
        assert_eq!(
            why.as_deref()
                .map(|w| failure.is_some_and(|f| w.contains(f))),
            failure.map(|_| true),
            "case {i}: {why:?}"
        );
        // A good run is cached for next time.
        if ran && works {
            let e = CacheEntry::new(store.path(), root.path(), "cmdb", &argv);
            assert_eq!(e.read().unwrap().unwrap().list.trim(), GOOD, "case {i}");
        }
    }
}

#[test]
fn a_bad_answer_is_neither_used_nor_cached() {
    let root = tempfile::tempdir().unwrap();
    let store = tempfile::tempdir().unwrap();
    let argv = script(root.path(), "echo 'debug'; echo '{}'");
    let check_list = |t: &str| t.starts_with('{').then(Vec::new);
    let check_host = |_: &str| true;
    let fetched = Fetcher::with_cache_dir(Some(store.path().to_path_buf())).fetch(&Request {
        root: root.path(),
        name: "cmdb",
        argv: &argv,
        timeout: Duration::from_secs(10),
        cache: None,
        allow_exec: true,
        refresh: false,
        check_list: &check_list,
        check_host: &check_host,
    });
    assert!(fetched.answer.is_none());
    let Some(Failure::Failed { output, .. }) = fetched.failure else {
        panic!("{fetched:?}")
    };
    assert_eq!(output, Some((None, "debug\n{}\n".to_string())));
    let e = CacheEntry::new(store.path(), root.path(), "cmdb", &argv);
    assert_eq!(e.read(), Ok(None));
}

#[test]
fn a_damaged_entry_is_a_warning_and_a_miss_then_replaced() {
    let root = tempfile::tempdir().unwrap();
    let store = tempfile::tempdir().unwrap();
    let argv = script(root.path(), &format!("echo '{GOOD}'"));
    let e = CacheEntry::new(store.path(), root.path(), "cmdb", &argv);
    std::fs::create_dir_all(e.path().parent().unwrap()).unwrap();
    // The length that made the reader's bound check wrap and panic.
    std::fs::write(e.path(), "18446744073709551615\nx\n").unwrap();
    let check_list = |t: &str| t.starts_with('{').then(Vec::new);
    let check_host = |_: &str| true;
    let fetch = |allow_exec: bool| {
        Fetcher::with_cache_dir(Some(store.path().to_path_buf())).fetch(&Request {
            root: root.path(),
            name: "cmdb",
            argv: &argv,
            timeout: Duration::from_secs(10),
            cache: Some(Duration::from_secs(300)),
            allow_exec,
            refresh: false,
            check_list: &check_list,
            check_host: &check_host,
        })
    };
    // Without consent: no answer, the failure, and the warning.
    let fetched = fetch(false);
    assert!(fetched.answer.is_none());
    assert!(matches!(fetched.failure, Some(Failure::NotAllowed)));
    let why = fetched.ignored_cache.unwrap();
    assert!(
        why == format!(
            "{} is not a strata cache entry",
            e.path().file_name().unwrap().to_string_lossy()
        ),
        "{why}"
    );
    // With consent it runs, and its answer replaces the damaged entry.
    let fetched = fetch(true);
    assert_eq!(runs(root.path()), 1);
    assert!(fetched.ignored_cache.is_some() && fetched.failure.is_none());
    let fetched = fetch(false);
    assert_eq!(fetched.answer.unwrap().list.trim(), GOOD);
    assert!(fetched.ignored_cache.is_none());
}

#[test]
fn a_timeout_too_long_for_the_clock_is_no_deadline() {
    // The declaration refuses a timeout over 24 h; a library caller may
    // still ask for one the clock cannot add.
    let root = tempfile::tempdir().unwrap();
    let argv = script(root.path(), &format!("echo '{GOOD}'"));
    let check_list = |t: &str| t.starts_with('{').then(Vec::new);
    let check_host = |_: &str| true;
    let fetched = Fetcher::with_cache_dir(None).fetch(&Request {
        root: root.path(),
        name: "cmdb",
        argv: &argv,
        timeout: Duration::MAX,
        cache: Some(Duration::MAX),
        allow_exec: true,
        refresh: false,
        check_list: &check_list,
        check_host: &check_host,
    });
    assert!(fetched.failure.is_none(), "{fetched:?}");
    assert_eq!(fetched.answer.unwrap().list.trim(), GOOD);
}
