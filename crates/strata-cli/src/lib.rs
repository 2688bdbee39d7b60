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
mod env;
mod failure;
mod front_end;
mod load;
mod output;
mod plan;
mod pretty;
mod report;
mod term;

use std::ffi::OsString;
use std::io::{BufWriter, Write};

use clap::Parser;

use args::Cli;
use failure::Failure;
use plan::{Plan, Stdout, Task};
use term::Stderr;

pub use env::{Env, no_color, parse_switch};

/// Runs `strata` with `args` (the first is the program name) and returns
/// the exit code. Never panics on any input: a panic is a bug.
///
/// The arguments are parsed (`args.rs`), made a plan once (`plan.rs`),
/// and the plan's command runs (`commands/`).
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
    let mut err = Stderr::new(stderr, plan::colored(cli.color, env));
    err.json = match plan::json_diagnostics(env) {
        Ok(json) => json,
        Err(message) => {
            err.line(&format!("error: {message}"));
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
    let plan = match Plan::new(cli, env, err.front_end) {
        Ok(plan) => plan,
        Err(message) => {
            report::usage(&mut err, &message);
            return 2;
        }
    };
    let result = match plan.stdout {
        Stdout::IndentedJson => {
            let mut out = pretty::Pretty::new(BufWriter::new(stdout));
            run_task(&plan.task, &mut out, &mut err).and_then(|()| Ok(out.flush()?))
        }
        Stdout::Human => {
            let mut out = term::Escaped::new(BufWriter::new(stdout));
            run_task(&plan.task, &mut out, &mut err).and_then(|()| Ok(out.flush()?))
        }
        Stdout::Json | Stdout::Plain => {
            let mut out = BufWriter::new(stdout);
            run_task(&plan.task, &mut out, &mut err).and_then(|()| Ok(out.flush()?))
        }
    };
    failure::exit_code(result, &mut err)
}

/// Runs the planned command.
fn run_task(task: &Task, out: &mut impl Write, err: &mut Stderr<'_>) -> Result<(), Failure> {
    match task {
        Task::Help(command) => commands::help::help(command.as_deref(), out),
        Task::Completions(shell) => commands::help::completions(*shell, out),
        Task::Man(command) => commands::help::man(command.as_deref(), out),
        Task::Lsp => commands::lsp::run(),
        Task::Check(plan) => commands::check::run(plan, out, err),
        Task::Diff(plan) => commands::diff::run(plan, out, err),
        Task::Hosts(plan) => commands::hosts::run(plan, out, err),
        Task::Groups(plan) => commands::groups::run(plan, out, err),
        Task::Host(plan) => commands::host::run(plan, out, err),
        Task::Explain(plan) => commands::explain::run(plan, out, err),
        Task::Graph(plan) => commands::graph::run(plan, out, err),
        Task::List(plan) => commands::list::run(plan, out, err),
        Task::Ansible(plan) => commands::ansible::run(plan, out, err),
        Task::Import(plan) => commands::import::run(plan, out, err),
    }
}
