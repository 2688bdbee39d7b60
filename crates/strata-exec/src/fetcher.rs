//! Answering command sources: the consent rule, the cache, and running the
//! command (`--list`, then `--host NAME` per host when the answer has no
//! `_meta`).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use strata_resolver::fetch::{Answer, Failure, Fetch, Fetched, Request};

use crate::cache::{Entry, default_cache_dir};
use crate::process::{Command, RunError, run};

/// Answers command sources for the resolver's loader: strata's one
/// implementation of [`Fetch`].
///
/// The rule, in order:
///
/// 1. a cached answer younger than the source's `cache` is used, unless
///    `refresh` is asked (consent is not needed to read the cache);
/// 2. without consent (`allow_exec`), nothing runs: [`Failure::NotAllowed`];
/// 3. the command runs (no shell, from the inventory root, within its
///    `timeout`, all `--host` calls included); a good answer is cached;
/// 4. when it fails, the last good answer, however old, is used with the
///    failure as a warning; without one, the failure is an error.
///
/// `strata::Loader` is the resolver's loader with this fetcher; its
/// settings are the fetcher's ([`Fetcher::with_cache_dir`],
/// [`Fetcher::fetch_once`]), reached with `map_fetcher`.
#[derive(Clone, Debug)]
pub struct Fetcher {
    cache_dir: Option<PathBuf>,
    /// With [`Fetcher::fetch_once`]: the answers fetched so far, shared by
    /// the clones.
    fetched: Option<Memo>,
}

/// What identifies a command source's request: its root, name, command,
/// timeout and cache age.
type Key = (PathBuf, String, Vec<String>, Duration, Option<Duration>);

/// The answers fetched so far, by request.
type Memo = Arc<Mutex<Vec<(Key, Fetched)>>>;

impl Default for Fetcher {
    fn default() -> Fetcher {
        Fetcher::new()
    }
}

impl Fetcher {
    /// A fetcher caching in the user's cache folder ([`default_cache_dir`]).
    pub fn new() -> Fetcher {
        Fetcher::with_cache_dir(default_cache_dir())
    }

    /// A fetcher caching in `dir` (its `sources/` sub-folder), or nowhere
    /// (a failed command then has no answer to fall back on).
    pub fn with_cache_dir(dir: Option<PathBuf>) -> Fetcher {
        Fetcher {
            cache_dir: dir,
            fetched: None,
        }
    }

    /// Fetches each command source at most once for this fetcher and its
    /// clones: a later load reuses the first one's answer, or failure. For
    /// a program that loads twice in one run (the `strata` command loads
    /// again, reading everything, to report every problem of a failed
    /// load), so that a failing command does not run, and time out, twice.
    /// Call it before cloning.
    pub fn fetch_once(mut self) -> Fetcher {
        self.fetched = Some(Arc::default());
        self
    }
}

impl Fetch for Fetcher {
    fn fetch(&self, req: &Request<'_>) -> Fetched {
        let Some(fetched) = &self.fetched else {
            return self.fetch_now(req);
        };
        let key: Key = (
            req.root.to_path_buf(),
            req.name.to_string(),
            req.argv.to_vec(),
            req.timeout,
            req.cache,
        );
        // Held while fetching: a second request for the same source waits
        // for the first's answer rather than running the command again.
        let mut fetched = fetched.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, answer)) = fetched.iter().find(|(k, _)| *k == key) {
            return answer.clone();
        }
        let answer = self.fetch_now(req);
        fetched.push((key, answer.clone()));
        answer
    }
}

impl Fetcher {
    /// The rule above, without [`Fetcher::fetch_once`]'s memory.
    fn fetch_now(&self, req: &Request<'_>) -> Fetched {
        let entry = self
            .cache_dir
            .as_ref()
            .map(|d| Entry::new(d, req.root, req.name, req.argv));
        // A damaged entry is no entry, and a warning.
        let (cached, ignored_cache) = match entry.as_ref().map(Entry::read) {
            None | Some(Ok(None)) => (None, None),
            Some(Ok(Some(c))) => (Some(c), None),
            // Named within the cache folder: messages stay the same on
            // every machine (docs/sources.md says where the folder is).
            Some(Err(damaged)) => {
                let name = damaged
                    .path
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy();
                (None, Some(format!("{name} {}", damaged.reason)))
            }
        };
        let cached = cached.map(|c| Answer {
            list: c.list,
            hosts: c.hosts,
            age: Some(c.age),
        });
        let fresh = cached.as_ref().is_some_and(|c| {
            req.cache
                .is_some_and(|max| c.age.unwrap_or_default() <= max)
        });
        if fresh && !req.refresh {
            return Fetched {
                answer: cached,
                failure: None,
                ignored_cache,
            };
        }
        if !req.allow_exec {
            return Fetched {
                answer: None,
                failure: Some(Failure::NotAllowed),
                ignored_cache,
            };
        }
        match run_source(req) {
            Ok(answer) => {
                // A cache that cannot be written costs the next run a
                // fetch, nothing more.
                if let Some(e) = &entry {
                    let _ = e.write(&answer.list, &answer.hosts);
                }
                Fetched {
                    answer: Some(answer),
                    failure: None,
                    ignored_cache,
                }
            }
            Err(failure) => Fetched {
                answer: cached,
                failure: Some(failure),
                ignored_cache,
            },
        }
    }
}

/// Runs `--list`, then `--host NAME` for each host when the answer has no
/// `_meta`; the source's timeout bounds all of it.
fn run_source(req: &Request<'_>) -> Result<Answer, Failure> {
    // A timeout too long to add to the clock is no deadline (the
    // declaration refuses one over 24 h; a library caller may not).
    let deadline = Instant::now().checked_add(req.timeout);
    let (list, stderr) = run_one(req, req.argv, deadline, None)?;
    let Some(hosts) = (req.check_list)(&list) else {
        return Err(bad_answer(req.argv, "--list", None, list, &stderr));
    };
    let mut answers = Vec::with_capacity(hosts.len());
    for host in hosts {
        let argv = host_argv(req.argv, &host);
        let (text, stderr) = run_one(req, &argv, deadline, Some(&host))?;
        if !(req.check_host)(&text) {
            return Err(bad_answer(&argv, "--host", Some(host), text, &stderr));
        }
        answers.push((host, text));
    }
    Ok(Answer {
        list,
        hosts: answers,
        age: None,
    })
}

/// The argument vector for `--host NAME`: the last `--list` replaced by
/// `--host NAME`, or `--host NAME` appended when there is no `--list`.
fn host_argv(argv: &[String], host: &str) -> Vec<String> {
    let mut out = argv.to_vec();
    match out.iter().rposition(|a| a == "--list") {
        Some(i) => {
            out.splice(i..=i, ["--host".to_string(), host.to_string()]);
        }
        None => out.extend(["--host".to_string(), host.to_string()]),
    }
    out
}

fn bad_answer(
    argv: &[String],
    what: &str,
    host: Option<String>,
    text: String,
    stderr: &[u8],
) -> Failure {
    Failure::Failed {
        command: argv.join(" "),
        reason: format!("its {what} answer is not a valid dynamic-inventory document"),
        stderr: tail(stderr),
        output: Some((host, text)),
    }
}

/// Most of a command's stderr kept for a diagnostic: its end.
const STDERR_SHOWN: usize = 4096;

fn run_one(
    req: &Request<'_>,
    argv: &[String],
    deadline: Option<Instant>,
    host: Option<&str>,
) -> Result<(String, Vec<u8>), Failure> {
    let command = argv.join(" ");
    let fail = |reason: String, stderr: &[u8]| Failure::Failed {
        command: command.clone(),
        reason,
        stderr: tail(stderr),
        output: None,
    };
    let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
    if left.is_some_and(|l| l.is_zero()) {
        return Err(fail(
            format!(
                "the source's timeout of {} ran out before it could run",
                secs(req.timeout)
            ),
            b"",
        ));
    }
    let mut cmd = Command::new(argv.iter().cloned()).cwd(req.root);
    if let Some(left) = left {
        cmd = cmd.timeout(left);
    }
    let out = match run(&cmd) {
        Ok(out) => out,
        Err(RunError::Timeout { stderr, .. }) => {
            return Err(fail(
                format!(
                    "it was still running when the source's timeout of {} ran out, and was stopped",
                    secs(req.timeout)
                ),
                &stderr,
            ));
        }
        Err(e) => return Err(fail(e.to_string(), b"")),
    };
    if !out.success() {
        let reason = match out.status.code() {
            Some(c) => format!("it exited with status {c}"),
            None => "it was killed by a signal".to_string(),
        };
        return Err(fail(reason, &out.stderr));
    }
    match String::from_utf8(out.stdout) {
        Ok(text) => Ok((text, out.stderr)),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let what = host.map_or("--list".to_string(), |h| format!("--host {h}"));
            Err(fail(
                format!("its {what} answer is not UTF-8 (invalid byte at offset {at})"),
                &out.stderr,
            ))
        }
    }
}

fn secs(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}

fn tail(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let text = text.trim_end();
    if text.len() <= STDERR_SHOWN {
        return text.to_string();
    }
    let mut start = text.len() - STDERR_SHOWN;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    format!("[...]\n{}", &text[start..])
}

#[cfg(test)]
mod tests {
    use super::host_argv;

    #[test]
    fn host_argv_replaces_the_last_list() {
        let argv = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            host_argv(&argv(&["./inv.py", "--list"]), "w1"),
            ["./inv.py", "--host", "w1"]
        );
        assert_eq!(
            host_argv(&argv(&["inv", "--list", "x", "--list"]), "w1"),
            ["inv", "--list", "x", "--host", "w1"]
        );
        assert_eq!(host_argv(&argv(&["inv"]), "w1"), ["inv", "--host", "w1"]);
    }
}
