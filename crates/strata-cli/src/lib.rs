//! The `strata` command, as a library: [`run`] takes the arguments, the two
//! output streams and the environment, and returns the exit code. The
//! binary is a thin `main` over it; tests and fuzz targets call it directly,
//! so they exercise the very path users run.
//!
//! Data goes to stdout, diagnostics to stderr. Exit codes: 0 success, 1 the
//! inventory has errors, 2 usage error (bad arguments, a limit or host name
//! that matches nothing). When the reader of either stream goes away
//! (`strata check 2>&1 | head -2`), strata stops writing and exits quietly.

mod args;
mod commands;
mod discover;
mod front_end;
mod output;
mod pretty;
mod report;
mod term;

use std::ffi::OsString;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use clap::Parser;
use strata::{Inventory, Limit, Loader};

use args::{Cli, Command};
use term::Stderr;

/// What [`run`] needs to know of its surroundings.
#[derive(Debug, Clone, Default)]
pub struct Env {
    /// The working directory (inventory discovery, and the base that
    /// diagnostics' paths are shown relative to).
    pub cwd: Option<PathBuf>,
    /// `$STRATA_INVENTORY`.
    pub inventory: Option<String>,
    /// `$NO_COLOR` is set and not empty ([`no_color`]).
    pub no_color: bool,
    /// stdout is a terminal (JSON is then indented).
    pub stdout_is_terminal: bool,
    /// stderr is a terminal (`--color auto` then colours).
    pub stderr_is_terminal: bool,
    /// The process ends when [`run`] returns (the `strata` binary): the
    /// loaded inventory is then left to the operating system rather than
    /// freed value by value. Callers that go on running (tests, fuzz
    /// targets) leave it `false`, or each call would leak the inventory.
    pub process_exits: bool,
    /// `$STRATA_ALLOW_EXEC`, as set: `1`, `true`, `yes` or `on` (in any
    /// case) let command sources run, as `--allow-exec` does; `0`, `false`,
    /// `no`, `off` or empty do not; anything else is a usage error
    /// ([`parse_switch`]).
    pub allow_exec: Option<String>,
    /// Where command sources' answers are cached (`$XDG_CACHE_HOME/strata`,
    /// else `~/.cache/strata`); `None` caches nothing.
    pub cache_dir: Option<PathBuf>,
    /// `$STRATA_FRONT_END`: `cli` (unset), `ansible` or `python`, which
    /// words the fixes in diagnostics' help (see `front_end`).
    pub front_end: Option<String>,
    /// `$STRATA_DIAGNOSTICS`: `json` prints each diagnostic on stderr as
    /// one JSON object per line (the fields of `check --format json`), and a
    /// usage error as `{"severity": "error", "code": "usage", ...}`.
    pub diagnostics: Option<String>,
}

/// True when the value of `$NO_COLOR` asks for no colours: set and not
/// empty, as <https://no-color.org> says (`NO_COLOR=` leaves colours on).
pub fn no_color(value: Option<&std::ffi::OsStr>) -> bool {
    value.is_some_and(|v| !v.is_empty())
}

/// Why a run stopped early.
enum Failure {
    /// Bad arguments, or a name that matches nothing: exit 2.
    Usage(String),
    /// The inventory has errors (already printed): exit 1.
    Inventory,
    /// Writing the output failed.
    Io(io::Error),
    /// `diff --exit-code` found differences: exit 1, nothing more to say.
    Differences,
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Failure {
        Failure::Io(e)
    }
}

/// Runs `strata` with `args` (the first is the program name) and returns
/// the exit code. Never panics on any input: a panic is a bug.
pub fn run<I, T>(args: I, stdout: &mut dyn Write, stderr: &mut dyn Write, env: &Env) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are "errors" that print to stdout.
            let text = if env.stdout_is_terminal || env.stderr_is_terminal {
                e.render().ansi().to_string()
            } else {
                e.render().to_string()
            };
            if e.use_stderr() {
                Stderr::new(stderr, false).write(&text);
            } else if let Err(e) = stdout.write_all(text.as_bytes())
                && !term::reader_gone(&e)
            {
                return 1;
            }
            return e.exit_code().clamp(0, 255) as u8;
        }
    };
    let colored = match cli.color {
        args::Color::Always => true,
        args::Color::Never => false,
        args::Color::Auto => env.stderr_is_terminal && !env.no_color,
    };
    let pretty = cli.pretty || env.stdout_is_terminal;
    let mut err = Stderr::new(stderr, colored);
    err.json = match env.diagnostics.as_deref().map(str::trim) {
        None | Some("" | "human") => false,
        Some("json") => true,
        Some(other) => {
            err.line(&format!(
                "error: STRATA_DIAGNOSTICS is `{other}`; it must be `json` or `human`"
            ));
            return 2;
        }
    };
    err.front_end = match front_end::FrontEnd::from_env(env.front_end.as_deref()) {
        Ok(f) => f,
        Err(message) => {
            report::usage(&mut err, &message);
            return 2;
        }
    };
    // JSON is indented for people; text for people has its control
    // characters escaped; TOML and annotations go out as written.
    let result = match stdout_kind(&cli.command) {
        Stdout::Json if pretty => {
            let mut out = pretty::Pretty::new(BufWriter::new(stdout));
            run_cli(cli, &mut out, &mut err, env).and_then(|()| Ok(out.flush()?))
        }
        Stdout::Human => {
            let mut out = term::Escaped::new(BufWriter::new(stdout));
            run_cli(cli, &mut out, &mut err, env).and_then(|()| Ok(out.flush()?))
        }
        Stdout::Json | Stdout::Plain => {
            let mut out = BufWriter::new(stdout);
            run_cli(cli, &mut out, &mut err, env).and_then(|()| Ok(out.flush()?))
        }
    };
    match result {
        Ok(()) => 0,
        Err(Failure::Usage(message)) => {
            report::usage(&mut err, &message);
            2
        }
        Err(Failure::Inventory | Failure::Differences) => 1,
        Err(Failure::Io(e)) if term::reader_gone(&e) => 0,
        Err(Failure::Io(e)) => {
            err.line(&format!("error: {e}"));
            1
        }
    }
}

/// What a command writes on stdout.
enum Stdout {
    /// JSON: indented with `--pretty` or on a terminal.
    Json,
    /// Text for people: control characters escaped.
    Human,
    /// TOML, annotations, help: as written.
    Plain,
}

fn stdout_kind(command: &Command) -> Stdout {
    use args::{CheckFormat, DataFormat, DiffFormat, TextFormat};
    let text = |f: &TextFormat| match f {
        TextFormat::Text => Stdout::Human,
        TextFormat::Json => Stdout::Json,
    };
    let data = |f: &DataFormat| match f {
        DataFormat::Json => Stdout::Json,
        DataFormat::Toml => Stdout::Plain,
    };
    match command {
        Command::Hosts { format }
        | Command::Groups { format }
        | Command::Explain { format, .. } => text(format),
        Command::Host {
            show_origin: true, ..
        }
        | Command::Graph { .. } => Stdout::Human,
        Command::Host { format, .. } | Command::List { format, .. } => data(format),
        Command::Ansible { .. } => Stdout::Json,
        Command::Check { format, .. } => match format {
            CheckFormat::Json => Stdout::Json,
            CheckFormat::Human | CheckFormat::Github => Stdout::Plain,
        },
        Command::Diff { format, .. } => match format {
            DiffFormat::Json => Stdout::Json,
            DiffFormat::Human | DiffFormat::Markdown => Stdout::Human,
        },
        Command::Help { .. } | Command::Completions { .. } | Command::Man { .. } => Stdout::Plain,
    }
}

/// Reads an environment variable that says yes or no, the one rule of
/// strata's front ends (the CLI, the Python package, the Ansible plugin):
/// `1`, `true`, `yes`, `on` in any case are yes; `0`, `false`, `no`, `off`
/// and the empty string are no; anything else is an error naming the
/// variable and its value.
///
/// ```
/// assert_eq!(strata_cli::parse_switch("STRATA_ALLOW_EXEC", "True"), Ok(true));
/// assert_eq!(strata_cli::parse_switch("STRATA_ALLOW_EXEC", ""), Ok(false));
/// assert!(strata_cli::parse_switch("STRATA_ALLOW_EXEC", "2").is_err());
/// ```
pub fn parse_switch(name: &str, value: &str) -> Result<bool, String> {
    match value.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" | "" => Ok(false),
        _ => Err(format!(
            "{name}={value:?} is neither yes nor no: set it to 1, true, yes or on (in any case) for yes, to 0, false, no, off or nothing for no"
        )),
    }
}

fn run_cli(cli: Cli, out: &mut impl Write, err: &mut Stderr<'_>, env: &Env) -> Result<(), Failure> {
    match &cli.command {
        Command::Help { command } => {
            return Ok(out.write_all(
                args::help(command.as_deref())
                    .map_err(Failure::Usage)?
                    .as_bytes(),
            )?);
        }
        Command::Completions { shell } => return Ok(out.write_all(&args::completions(*shell))?),
        Command::Man { command } => {
            return Ok(out.write_all(&args::man(command.as_deref()).map_err(Failure::Usage)?)?);
        }
        _ => {}
    }
    let cwd = env
        .cwd
        .clone()
        .ok_or_else(|| Failure::Usage("cannot read the current directory".into()))?;
    let mut overrides = toml::Table::new();
    for arg in &cli.data {
        let (key, value) =
            strata::parse_data_arg(arg).map_err(|e| Failure::Usage(e.to_string()))?;
        overrides.insert(key, value);
    }
    let budget = strata::Budget {
        max_entries: cli.max_entries,
        max_hosts: cli.max_hosts,
        max_name_bytes: cli.max_name_bytes,
        max_host_keys: cli.max_host_keys,
    };
    let allow_exec = cli.allow_exec
        || match &env.allow_exec {
            Some(value) => parse_switch("STRATA_ALLOW_EXEC", value).map_err(Failure::Usage)?,
            None => false,
        };
    if cli.refresh && !allow_exec {
        return Err(Failure::Usage(err.front_end.refresh_needs_allow_exec()));
    }
    let loader_for = |root: &std::path::Path| {
        Loader::new(root)
            .overrides("<command line>", overrides.clone())
            .budget(budget)
            .display_base(discover::display_base(root, &cwd))
            .allow_exec(allow_exec)
            .refresh(cli.refresh)
            .cache_dir(env.cache_dir.clone())
    };
    if let Command::Diff { .. } = &cli.command {
        return run_diff(&cli, out, err, env, &cwd, &loader_for);
    }
    let found = discover::find(cli.inventory.as_deref(), env.inventory.as_deref(), &cwd)
        .map_err(|e| Failure::Usage(e.worded(err.front_end)))?;
    let root = found.root;

    let limit = Limit::parse(&cli.limit).map_err(|e| Failure::Usage(e.to_string()))?;
    // The process answers and exits: the texts of cleanly parsed files are
    // read again only if a diagnostic or origin needs them
    // (`Loader::keep_texts`); `diff` keeps them, as one side lives in a
    // temporary checkout.
    // A failed load is loaded again to report every problem: the command
    // sources' answers (and failures) of the first load are reused.
    let loader = loader_for(&root).keep_texts(false).fetch_once();

    if let Command::Check {
        strict,
        ansible,
        format,
    } = cli.command
    {
        if !cli.limit.is_empty() {
            return Err(Failure::Usage(
                "`check` reads and checks the whole inventory; --limit does not apply to it \
                 (to check that a limit matches, run `strata hosts --limit ...`)"
                    .into(),
            ));
        }
        let report = loader.for_ansible(ansible).check();
        let passed = commands::check::run(out, err, &report, format, strict)?;
        out.flush()?;
        // As below: the process ends, so the report is not freed value by value.
        if env.process_exits {
            std::mem::forget(report);
        }
        return if passed {
            Ok(())
        } else {
            Err(Failure::Inventory)
        };
    }

    // host_data/ is listed, not read: each command reads the host files it
    // needs (none for `hosts`, one for `host NAME`, the selection for `list`).
    // A command about every host reads every host file up front anyway.
    // `host NAME` does not even list it: it looks up NAME's file alone, and
    // says nothing of the other files there (docs/cli.md).
    let every_host = cli.limit.is_empty()
        && matches!(
            cli.command,
            Command::List { .. }
                | Command::Ansible { list: true, .. }
                | Command::Graph { vars: true, .. }
        );
    let first = match &cli.command {
        Command::Host { name, .. } => loader.clone().defer_host_data_for([name.as_str()]),
        _ if every_host => loader.clone(),
        _ => loader.clone().defer_host_data(),
    };
    let mut inventory = load(first, loader, err)?;
    let limited = !limit.is_empty();
    // `host NAME` shows no selection; a limit is still checked (a term
    // that matches nothing is an error), but without one there is nothing
    // to list, host by host.
    // Host numbers, not hosts, until the deferred files are read (which
    // needs the inventory mutable); `None` for every host, which takes no
    // list of numbers (0.8 MB at 100,000 hosts).
    let chosen: Option<Vec<usize>> = if matches!(cli.command, Command::Host { .. }) && !limited {
        Some(Vec::new())
    } else if !limited {
        None
    } else {
        Some(
            inventory
                .select_limit(&limit)
                .map_err(|e| Failure::Usage(e.to_string()))?
                .iter()
                .map(|h| h.index())
                .collect(),
        )
    };
    let problems = match &cli.command {
        Command::Hosts { .. } | Command::Groups { .. } | Command::Graph { vars: false, .. } => {
            Vec::new()
        }
        Command::Host { name, .. }
        | Command::Explain { name, .. }
        | Command::Ansible {
            host: Some(name), ..
        } => {
            let needed = find_host(&inventory, name)?.index();
            inventory.read_host_data([needed])
        }
        _ => match &chosen {
            Some(chosen) => inventory.read_host_data(chosen.iter().copied()),
            None => inventory.read_host_data(0..inventory.len()),
        },
    };
    report::print(err, &problems, inventory.sources(), false);
    if problems.iter().any(strata::Diagnostic::is_error) {
        return Err(Failure::Inventory);
    }
    let inventory = inventory;
    let selected: Vec<strata::Host<'_>> = match chosen {
        Some(chosen) => chosen
            .into_iter()
            .filter_map(|i| inventory.host_at(i))
            .collect(),
        None => inventory.hosts().collect(),
    };

    let groups = || commands::groups_for(&inventory, &selected, limited);
    match cli.command {
        Command::Hosts { format } => commands::hosts::run(out, &selected, format)?,
        Command::Groups { format } => commands::groups::run(out, &groups(), format)?,
        Command::Host {
            name,
            format,
            show_origin,
        } => commands::host::run(out, find_host(&inventory, &name)?, format, show_origin)?,
        Command::List { format, extra } => {
            commands::list::run(out, &inventory, &selected, &groups(), format, extra)?
        }
        Command::Explain { name, key, format } => {
            let host = find_host(&inventory, &name)?;
            let explained = commands::explain::explanations(host, key.as_deref());
            if let (Some(key), true) = (&key, explained.is_empty()) {
                let near = strata::closest_key(&host.data(), key);
                return Err(Failure::Usage(match near {
                    Some(n) => format!("host `{name}` has no data `{key}`; did you mean `{n}`?"),
                    None => format!("host `{name}` has no data `{key}`"),
                }));
            }
            commands::explain::run(out, host, &explained, format)?
        }
        Command::Graph { group, vars } => {
            let root = commands::graph::Root::named(&inventory, group.as_deref())
                .map_err(Failure::Usage)?;
            commands::graph::run(out, &inventory, &selected, limited, root, vars)?
        }
        Command::Check { .. }
        | Command::Help { .. }
        | Command::Diff { .. }
        | Command::Completions { .. }
        | Command::Man { .. } => {
            unreachable!("handled before loading")
        }
        Command::Ansible {
            list,
            host,
            meta,
            structured,
        } => match (list, host) {
            (_, Some(name)) => commands::ansible::host(out, find_host(&inventory, &name)?)?,
            _ => {
                let meta = meta.then(|| commands::ansible::Meta::of(&inventory, &cwd));
                if structured {
                    commands::ansible::list_structured(
                        out,
                        &inventory,
                        &selected,
                        &groups(),
                        meta.as_ref(),
                    )?
                } else {
                    commands::ansible::list(out, &selected, &groups(), meta.as_ref())?
                }
            }
        },
    }
    out.flush()?;
    // When the process ends here, freeing every host and value one by one
    // would only cost time.
    if env.process_exits {
        std::mem::forget(inventory);
    }
    Ok(())
}

/// `strata diff`: loads both sides (the old one from git with `--base`),
/// compares them and prints the difference.
fn run_diff(
    cli: &Cli,
    out: &mut impl Write,
    err: &mut Stderr<'_>,
    env: &Env,
    cwd: &std::path::Path,
    loader_for: &dyn Fn(&std::path::Path) -> Loader,
) -> Result<(), Failure> {
    let Command::Diff {
        old,
        new,
        base,
        format,
        exit_code,
    } = &cli.command
    else {
        unreachable!("called for diff only")
    };
    if !cli.limit.is_empty() {
        return Err(Failure::Usage(
            "`diff` compares the whole inventories; --limit does not apply to it".into(),
        ));
    }
    let usage = |e: discover::NotFound| Failure::Usage(e.to_string());
    // The export (a temporary directory) lives until the diff is printed.
    let shown = |root: &std::path::Path| {
        let base = discover::display_base(root, cwd);
        match base.trim_end_matches('/') {
            "" => ".".to_string(),
            b => b.to_string(),
        }
    };
    let (export, old_loader, old_label, new_root) = match (old, new, base) {
        (Some(old), Some(new), None) => {
            let old = discover::diff_side(old, "OLD").map_err(usage)?.root;
            let new = discover::diff_side(new, "NEW").map_err(usage)?.root;
            (None, loader_for(&old), shown(&old), new)
        }
        (None, None, Some(rev)) => {
            let new = discover::find(cli.inventory.as_deref(), env.inventory.as_deref(), cwd)
                .map_err(usage)?
                .root;
            let export = strata_sources::git::export_inventory(&new, rev).map_err(|e| {
                Failure::Usage(format!("cannot read the inventory at `{rev}`: {e}"))
            })?;
            // Old files are shown as `REV:path/in/repo/hosts.toml`, as git shows them.
            let loader = loader_for(export.inventory())
                .display_base(format!("{rev}:{}", export.path_in_repo()));
            let label = format!("{} at {rev}", shown(&new));
            (Some(export), loader, label, new)
        }
        (Some(_), None, None) => {
            return Err(Failure::Usage(
                "`diff` needs two inventories, OLD and NEW, or --base REV".into(),
            ));
        }
        _ => {
            return Err(Failure::Usage(
                "`diff` takes OLD and NEW, or --base REV (with -i for the inventory), not both"
                    .into(),
            ));
        }
    };
    let new_loader = loader_for(&new_root);
    // Both sides load at the same time (each also uses every core for its files).
    let (old_loaded, new_loaded) = std::thread::scope(|s| {
        let old = s.spawn(|| old_loader.load());
        let new = new_loader.load();
        (old.join(), new)
    });
    let old_loaded =
        old_loaded.map_err(|_| Failure::Usage("loading the old side failed".into()))?;
    let new_label = shown(&new_root);
    let mut side =
        |loaded: Result<Inventory, strata::LoadError>, which: &str, label: &str| match loaded {
            Ok(inv) => Some(inv),
            Err(problems) => {
                report::print(err, problems.diagnostics(), problems.sources(), false);
                let n = problems.errors().count();
                err.line(&format!(
                    "error: the {which} inventory ({label}) does not load: {n} error{}",
                    if n == 1 { "" } else { "s" }
                ));
                None
            }
        };
    let old_inv = side(old_loaded, "old", &old_label);
    let new_inv = side(new_loaded, "new", &new_label);
    let (Some(old_inv), Some(new_inv)) = (old_inv, new_inv) else {
        return Err(Failure::Inventory);
    };
    let diff = strata::diff(&old_inv, &new_inv);
    commands::diff::run(out, &diff, *format)?;
    out.flush()?;
    drop(export);
    if *exit_code && !diff.is_empty() {
        return Err(Failure::Differences);
    }
    Ok(())
}

/// The host called `name`, or a usage error with a did-you-mean.
fn find_host<'a>(inventory: &'a Inventory, name: &str) -> Result<strata::Host<'a>, Failure> {
    inventory.host(name).ok_or_else(|| {
        Failure::Usage(match strata::closest_host(inventory, name) {
            Some(n) => format!("no host `{name}` in the inventory; did you mean `{n}`?"),
            None => format!("no host `{name}` in the inventory"),
        })
    })
}

/// Loads the inventory with `first` (which may defer `host_data/`); prints
/// warnings (one line each). When loading fails, everything is read with
/// `full` so that every problem of every file is reported at once, then
/// exit 1.
fn load(first: Loader, full: Loader, err: &mut Stderr<'_>) -> Result<Inventory, Failure> {
    match first.load() {
        Ok(inv) => {
            report::print(err, inv.diagnostics(), inv.sources(), false);
            Ok(inv)
        }
        Err(_) => {
            match full.load() {
                Err(problems) => {
                    report::print(err, problems.diagnostics(), problems.sources(), false);
                }
                // The files changed in between: what is left are warnings.
                Ok(inv) => report::print(err, inv.diagnostics(), inv.sources(), false),
            }
            Err(Failure::Inventory)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_needs_a_value() {
        // no-color.org: set and not empty.
        assert!(!no_color(None));
        assert!(!no_color(Some("".as_ref())));
        assert!(no_color(Some("1".as_ref())));
        assert!(no_color(Some("0".as_ref())));
    }
}
