//! `strata help`, `strata man` and `strata completions`: the command's own
//! documentation, made from its arguments (`args.rs`); no inventory is read.

use std::io::Write;

use crate::args::Cli;
use crate::failure::Failure;

/// Prints `strata help [COMMAND]`.
pub fn help(command: Option<&str>, out: &mut impl Write) -> Result<(), Failure> {
    Ok(out.write_all(help_text(command).map_err(Failure::Usage)?.as_bytes())?)
}

/// Prints `strata man [COMMAND]`.
pub fn man(command: Option<&str>, out: &mut impl Write) -> Result<(), Failure> {
    Ok(out.write_all(&man_page(command).map_err(Failure::Usage)?)?)
}

/// Prints `strata completions SHELL`.
pub fn completions(shell: clap_complete::Shell, out: &mut impl Write) -> Result<(), Failure> {
    Ok(out.write_all(&completion_script(shell))?)
}

/// `strata completions SHELL`: the completion script for `shell`.
fn completion_script(shell: clap_complete::Shell) -> Vec<u8> {
    use clap::CommandFactory;
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "strata", &mut out);
    out
}

/// `strata man [COMMAND]`: the manual page, in roff: `strata(1)`, or
/// `strata-COMMAND(1)`, which `strata(1)` refers to.
fn man_page(command: Option<&str>) -> Result<Vec<u8>, String> {
    use clap::CommandFactory;
    let mut cli = Cli::command();
    cli.build();
    let page = match command {
        None => cli,
        Some(name) => match cli.find_subcommand(name) {
            Some(sub) => sub.clone(),
            None => return Err(unknown_command(&cli, name)),
        },
    };
    let mut out = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut out)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

/// "no command `x`", with a did-you-mean.
fn unknown_command(cli: &clap::Command, name: &str) -> String {
    let names: Vec<String> = cli
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect();
    match strata::closest(name, names.iter().map(String::as_str)) {
        Some(n) => format!("no command `{name}`; did you mean `{n}`?"),
        None => format!("no command `{name}`; `strata help` lists them"),
    }
}

/// The text of `strata help [COMMAND]`: the same as `strata [COMMAND] --help`.
fn help_text(command: Option<&str>) -> Result<String, String> {
    use clap::CommandFactory;
    let mut cli = Cli::command();
    cli.build();
    match command {
        None => Ok(cli.render_long_help().to_string()),
        Some(name) => match cli.find_subcommand_mut(name) {
            Some(sub) => Ok(sub.render_long_help().to_string()),
            None => Err(unknown_command(&cli, name)),
        },
    }
}
