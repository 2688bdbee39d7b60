//! `strata`: query pyinfra-style TOML inventories.
//!
//! Data goes to stdout, diagnostics to stderr. Exit codes: 0 success, 1 the
//! inventory has errors, 2 usage error (bad arguments, a limit or host name
//! that matches nothing).

mod args;
mod commands;
mod discover;
mod output;
mod report;

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use clap::Parser;
use strata::{Inventory, Limit, Loader};

use args::{Cli, Command};

/// Why a run stopped early.
enum Failure {
    /// Bad arguments, or a name that matches nothing: exit 2.
    Usage(String),
    /// The inventory has errors (already printed): exit 1.
    Inventory,
    /// Writing the output failed.
    Io(io::Error),
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Failure {
        Failure::Io(e)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Inventory) => ExitCode::from(1),
        Err(Failure::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(Failure::Io(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> Result<(), Failure> {
    let cwd = std::env::current_dir()
        .map_err(|e| Failure::Usage(format!("cannot read the current directory: {e}")))?;
    let env = std::env::var("STRATA_INVENTORY").ok();
    let root = discover::find(cli.inventory.as_deref(), env.as_deref(), &cwd)
        .map_err(|e| Failure::Usage(e.to_string()))?;

    let mut overrides = toml::Table::new();
    for arg in &cli.data {
        let (key, value) =
            strata::parse_data_arg(arg).map_err(|e| Failure::Usage(e.to_string()))?;
        overrides.insert(key, value);
    }
    let limit = Limit::parse(&cli.limit).map_err(|e| Failure::Usage(e.to_string()))?;
    let loader = Loader::new(&root).overrides("<command line>", overrides);

    if let Command::Check { strict, format } = cli.command {
        let report = loader.check();
        let stdout = io::stdout();
        let mut out = BufWriter::new(stdout.lock());
        let passed = commands::check::run(&mut out, &report, format, strict, cli.color)?;
        out.flush()?;
        return if passed {
            Ok(())
        } else {
            Err(Failure::Inventory)
        };
    }

    // host_data/ is listed, not read: each command reads the host files it
    // needs (none for `hosts`, one for `host NAME`, the selection for `list`).
    // A command about every host reads every host file up front anyway.
    let every_host = cli.limit.is_empty()
        && matches!(
            cli.command,
            Command::List { .. }
                | Command::Ansible { list: true, .. }
                | Command::Graph { vars: true, .. }
        );
    let mut inventory = load(loader, !every_host, &cli)?;
    let selected: Vec<usize> = inventory
        .select_limit(&limit)
        .map_err(|e| Failure::Usage(e.to_string()))?
        .iter()
        .map(|h| h.index())
        .collect();
    let limited = !limit.is_empty();
    let needed: Vec<usize> = match &cli.command {
        Command::Hosts { .. } | Command::Groups { .. } | Command::Graph { vars: false, .. } => {
            Vec::new()
        }
        Command::Host { name, .. }
        | Command::Explain { name, .. }
        | Command::Ansible {
            host: Some(name), ..
        } => vec![find_host(&inventory, name)?.index()],
        _ => selected.clone(),
    };
    let problems = inventory.read_host_data(needed);
    report::print(&problems, inventory.sources(), cli.color, false);
    if problems.iter().any(strata::Diagnostic::is_error) {
        return Err(Failure::Inventory);
    }
    let inventory = inventory;
    let selected: Vec<strata::Host<'_>> = selected
        .into_iter()
        .filter_map(|i| inventory.host_at(i))
        .collect();

    let groups = || commands::groups_for(&inventory, &selected, limited);
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match cli.command {
        Command::Hosts { format } => commands::hosts::run(&mut out, &selected, format)?,
        Command::Groups { format } => commands::groups::run(&mut out, &groups(), format)?,
        Command::Host {
            name,
            format,
            show_origin,
        } => commands::host::run(&mut out, find_host(&inventory, &name)?, format, show_origin)?,
        Command::List { format, extra } => {
            commands::list::run(&mut out, &inventory, &selected, &groups(), format, extra)?
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
            commands::explain::run(&mut out, host, &explained, format)?
        }
        Command::Graph { group, vars } => {
            let root = match &group {
                None => commands::graph::Root::All,
                Some(g) => commands::graph::Root::Group(inventory.group(g).ok_or_else(|| {
                    let near = strata::closest_group(&inventory, g);
                    Failure::Usage(match near {
                        Some(n) => format!("no group `{g}` in the inventory; did you mean `{n}`?"),
                        None => format!("no group `{g}` in the inventory"),
                    })
                })?),
            };
            commands::graph::run(&mut out, &inventory, &selected, limited, root, vars)?
        }
        Command::Check { .. } => unreachable!("handled before loading"),
        Command::Ansible { list, host } => {
            let text = match (list, host) {
                (_, Some(name)) => commands::ansible::host(find_host(&inventory, &name)?),
                _ => commands::ansible::list(&selected, &groups()),
            };
            out.write_all(text.as_bytes())?
        }
    }
    out.flush()?;
    // The process ends here: freeing every host and value one by one would
    // only cost time.
    std::mem::forget(inventory);
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

/// Loads the inventory, with `host_data/` deferred when `defer`; prints
/// warnings (one line each). When loading fails, everything is read so that
/// every problem of every file is reported at once, then exit 1.
fn load(loader: Loader, defer: bool, cli: &Cli) -> Result<Inventory, Failure> {
    let first = if defer {
        loader.clone().defer_host_data()
    } else {
        loader.clone()
    };
    match first.load_all().inventory {
        Some(inv) => {
            report::print(inv.diagnostics(), inv.sources(), cli.color, false);
            Ok(inv)
        }
        None => {
            let loaded = loader.load_all();
            let sources = loaded.sources.unwrap_or_default();
            report::print(&loaded.diagnostics, &sources, cli.color, false);
            Err(Failure::Inventory)
        }
    }
}
