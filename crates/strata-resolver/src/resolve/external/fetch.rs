//! The seam between loading and running: a command source's answer comes
//! through a [`Fetch`] implementation (`strata-exec`, wired in by the
//! `strata` crate), never from this crate, which runs nothing.
//!
//! The loader asks once per command source, with the consent and cache
//! settings; the fetcher decides whether to run the command, reuse its
//! cache, or neither (the consent rule lives there, next to the code that
//! runs), and hands back text. The loader then reads that text like any
//! other file, with positions, and reports every problem.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use strata_parser::{
    Code, Diagnostic, Files, RawInventory, SourceDecl, SourceDoc, SourceKind, parse_host_document,
    parse_source_document,
};

/// Fetches the answers of command sources.
pub trait Fetch: Send + Sync + std::fmt::Debug {
    /// Answers one command source.
    fn fetch(&self, request: &Request<'_>) -> Fetched;
}

impl<T: Fetch + ?Sized> Fetch for Arc<T> {
    fn fetch(&self, request: &Request<'_>) -> Fetched {
        (**self).fetch(request)
    }
}

/// The fetcher of a loader that runs nothing (`strata_resolver::Loader`):
/// every command source is [`Failure::CannotRun`], and its cache is not
/// read.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoFetch;

impl Fetch for NoFetch {
    fn fetch(&self, _: &Request<'_>) -> Fetched {
        Fetched {
            answer: None,
            failure: Some(Failure::CannotRun),
            ignored_cache: None,
        }
    }
}

/// One command source to answer.
pub struct Request<'a> {
    /// The canonical inventory root: the command runs from here, and the
    /// cache is keyed by it.
    pub root: &'a Path,
    /// The source's name (`cmdb` for `sources/cmdb.toml`).
    pub name: &'a str,
    /// The command, program first.
    pub argv: &'a [String],
    /// How long it may run.
    pub timeout: Duration,
    /// How long its last good answer stays fresh (`cache = "5m"`).
    pub cache: Option<Duration>,
    /// Commands may be run (`--allow-exec`).
    pub allow_exec: bool,
    /// Run it even when the cache is fresh (`--refresh`).
    pub refresh: bool,
    /// Reads a `--list` answer: `None` when it is not a good answer (not
    /// JSON, or not the contract: it is neither cached nor used), else the
    /// hosts that need a `--host NAME` call (none when it has `_meta`).
    pub check_list: &'a (dyn Fn(&str) -> Option<Vec<String>> + Sync),
    /// Reads a `--host NAME` answer: false when it is not a good answer.
    pub check_host: &'a (dyn Fn(&str) -> bool + Sync),
}

impl std::fmt::Debug for Request<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("root", &self.root)
            .field("name", &self.name)
            .field("argv", &self.argv)
            .field("timeout", &self.timeout)
            .field("cache", &self.cache)
            .field("allow_exec", &self.allow_exec)
            .field("refresh", &self.refresh)
            .finish_non_exhaustive()
    }
}

/// What a fetcher gives back: an answer, a failure, or both (a failed run
/// answered from a stale cache).
#[derive(Clone, Debug, Default)]
pub struct Fetched {
    /// The answer to use.
    pub answer: Option<Answer>,
    /// What went wrong, if anything.
    pub failure: Option<Failure>,
    /// A cache entry that is there but cannot be used, and why
    /// (`cmdb-<hash>.answer is a symbolic link`): it was ignored, and is
    /// reported as a warning.
    pub ignored_cache: Option<String>,
}

/// A source's answer.
#[derive(Clone, Debug, Default)]
pub struct Answer {
    /// The `--list` document.
    pub list: String,
    /// `--host NAME` documents, when the list has no `_meta`.
    pub hosts: Vec<(String, String)>,
    /// When it comes from the cache: how old it is.
    pub age: Option<Duration>,
}

/// Why a command source gave no fresh answer.
#[derive(Clone, Debug)]
pub enum Failure {
    /// Running commands was not allowed, and no fresh cached answer exists.
    NotAllowed,
    /// The fetcher runs no commands at all ([`NoFetch`]).
    CannotRun,
    /// The command ran and failed.
    Failed {
        /// The command as shown to people.
        command: String,
        /// What went wrong: `it exited with status 1`, `it was still running
        /// after 30 s and was stopped`, `its output is not valid JSON`.
        reason: String,
        /// Its stderr (the end of it when long).
        stderr: String,
        /// The output that is not a good answer, to locate the problem in
        /// it: the host for a `--host` answer, and the text.
        output: Option<(Option<String>, String)>,
    },
}

/// The loader's settings for command sources.
#[derive(Clone, Debug, Default)]
pub(crate) struct SourceOptions {
    pub allow_exec: bool,
    pub refresh: bool,
}

/// `3 min old`: coarse, so that messages stay stable while a test runs.
pub fn human_age(age: Duration) -> String {
    let s = age.as_secs();
    match s {
        0..60 => "less than a minute old".into(),
        60..3600 => format!("{} min old", s / 60),
        3600..86_400 => format!("{} h old", s / 3600),
        _ => format!("{} days old", s / 86_400),
    }
}

/// Fetches every command source of `raw` and adds its documents to
/// `raw.source_docs` (sorted by source name). `check` is true for `strata
/// check`: a source not run for want of consent is then a warning, not an
/// error. Returns true when some source gave no answer, so that checks that
/// need every host ("this file names no host") stay quiet.
pub(crate) fn fetch_commands(
    raw: &mut RawInventory,
    fetcher: &dyn Fetch,
    options: &SourceOptions,
    check: bool,
) -> bool {
    let mut incomplete = false;
    let decls = std::mem::take(&mut raw.source_decls);
    for decl in &decls {
        let SourceKind::Command(argv) = &decl.kind else {
            continue;
        };
        let answered = fetch_one(raw, fetcher, options, check, decl, argv);
        incomplete |= !answered;
    }
    raw.source_decls = decls;
    raw.source_docs.sort_by(|a, b| a.source.cmp(&b.source));
    incomplete
}

fn fetch_one(
    raw: &mut RawInventory,
    fetcher: &dyn Fetch,
    options: &SourceOptions,
    check: bool,
    decl: &SourceDecl,
    argv: &[String],
) -> bool {
    let name = decl.name.as_str();
    let check_list = |text: &str| {
        let mut scratch = Files::new();
        let (doc, _) = parse_source_document(&mut scratch, name, "", text.to_string());
        if !doc.ok {
            return None;
        }
        Some(match doc.hostvars {
            Some(_) => Vec::new(),
            None => source_hosts(&doc),
        })
    };
    let check_host = |text: &str| {
        let mut scratch = Files::new();
        let (vars, ds) = parse_host_document(&mut scratch, name, "", "", text.to_string());
        vars.is_some() && !ds.iter().any(Diagnostic::is_error)
    };
    let request = Request {
        root: &raw.root,
        name,
        argv,
        timeout: decl.timeout,
        cache: decl.cache,
        allow_exec: options.allow_exec,
        refresh: options.refresh,
        check_list: &check_list,
        check_host: &check_host,
    };
    let fetched = fetcher.fetch(&request);
    if let Some(why) = &fetched.ignored_cache {
        raw.diagnostics.push(
            Diagnostic::warning(
                Code::SourceCache,
                decl.span,
                format!("the cached answer of command source `{name}` was ignored: {why}"),
            )
            .with_label_text("this command's cache")
            .with_help(
                "it counts as no cached answer: with --allow-exec the command runs and its answer replaces the file, which is in strata's cache folder ($XDG_CACHE_HOME/strata/sources/, else ~/.cache/strata/sources/); deleting it silences this too",
            ),
        );
    }
    let stale = fetched.answer.as_ref().and_then(|a| a.age);
    match fetched.failure {
        None => {}
        Some(failure @ (Failure::NotAllowed | Failure::CannotRun)) => {
            let what = format!(
                "command source `{name}` was not run: strata runs a command only with consent"
            );
            let help = if let Failure::CannotRun = failure {
                format!(
                    "this loader cannot run commands: load with `strata::Loader` (which runs them through strata-exec) and `allow_exec(true)`, after reading what sources/{name}.toml runs"
                )
            } else {
                format!(
                    "read what sources/{name}.toml runs, then pass --allow-exec (or set STRATA_ALLOW_EXEC=1; `Loader::allow_exec(true)` in the library); a fresh cached answer is used without it"
                )
            };
            let d = if check {
                Diagnostic::warning(
                    Code::SourceNotRun,
                    decl.span,
                    format!("{what}; its hosts were not checked"),
                )
            } else {
                Diagnostic::error(Code::SourceNotRun, decl.span, what)
            };
            raw.diagnostics
                .push(d.with_label_text("not run").with_help(help));
        }
        Some(Failure::Failed {
            command,
            reason,
            stderr,
            output,
        }) => {
            let warn = fetched.answer.is_some();
            let message = match stale {
                Some(age) => format!(
                    "command source `{name}` failed: `{command}`: {reason}; using its last good answer, cached and {}",
                    human_age(age)
                ),
                None => format!("command source `{name}` failed: `{command}`: {reason}"),
            };
            let stderr = stderr.trim_end();
            let help = if stderr.is_empty() {
                "it wrote nothing to stderr".to_string()
            } else {
                format!("its stderr:\n{stderr}")
            };
            let d = if warn {
                Diagnostic::warning(Code::SourceFailed, decl.span, message)
            } else {
                Diagnostic::error(Code::SourceFailed, decl.span, message)
            };
            raw.diagnostics
                .push(d.with_label_text("this command").with_help(help));
            if let Some((host, text)) = output {
                // Locate the problem in the output, as in any file.
                let display = match &host {
                    Some(h) => format!("sources/{name} (--host {h} output)"),
                    None => format!("sources/{name} (command output)"),
                };
                let ds = match &host {
                    Some(h) => parse_host_document(&mut raw.files, name, h, display, text).1,
                    None => parse_source_document(&mut raw.files, name, display, text).1,
                };
                raw.diagnostics.extend(ds.into_iter().map(|mut d| {
                    if warn {
                        d.severity = strata_parser::Severity::Warning;
                    }
                    d
                }));
            }
        }
    }
    let Some(answer) = fetched.answer else {
        return false;
    };
    let how = match answer.age {
        Some(age) => format!("cached output, {}", human_age(age)),
        None => "command output".to_string(),
    };
    let (mut doc, ds) = parse_source_document(
        &mut raw.files,
        name,
        format!("sources/{name} ({how})"),
        answer.list,
    );
    raw.diagnostics.extend(ds);
    if doc.ok && doc.hostvars.is_none() {
        let mut vars = Vec::new();
        for (host, text) in answer.hosts {
            let display = format!("sources/{name} (--host {host} {how})");
            let (v, ds) = parse_host_document(&mut raw.files, name, &host, display, text);
            if ds.iter().any(Diagnostic::is_error) {
                doc.ok = false;
            }
            raw.diagnostics.extend(ds);
            vars.extend(v);
        }
        doc.hostvars = Some(vars);
    }
    raw.source_docs.push(doc);
    true
}

/// The hosts of a source document, in order of first appearance.
fn source_hosts(doc: &SourceDoc) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    doc.groups
        .iter()
        .flat_map(|g| g.hosts.iter())
        .filter(|(h, _)| seen.insert(h.clone()))
        .map(|(h, _)| h.clone())
        .collect()
}
