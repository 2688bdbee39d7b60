//! Command-line arguments.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Fast, safe, explainable pyinfra-style inventories in TOML.
#[derive(Debug, Parser)]
#[command(
    name = "strata",
    version,
    about,
    long_about = None,
    propagate_version = true,
    disable_help_subcommand = true,
    // One width whatever the terminal (and whatever clap features another
    // crate of the workspace turns on): help reads the same everywhere.
    term_width = 100
)]
pub struct Cli {
    /// The inventory: a directory holding hosts.toml, or the hosts.toml itself.
    /// Default: $STRATA_INVENTORY, else ./inventory/, else ./
    #[arg(short = 'i', long, global = true, value_name = "PATH", action = clap::ArgAction::Append)]
    pub inventory: Vec<PathBuf>,

    /// Override data for every host, as KEY=VALUE; VALUE is read as TOML
    /// (9000, true, "text", [1, 2]) or else taken as a plain string. Repeatable.
    #[arg(long = "data", global = true, value_name = "KEY=VALUE", value_parser = data_arg)]
    pub data: Vec<DataArg>,

    /// Select hosts: group or host names, globs (web*), ~regex, &intersect,
    /// !exclude, comma-separated. Repeatable (the selections are united).
    #[arg(short = 'l', long, global = true, value_name = "PATTERN")]
    pub limit: Vec<String>,

    /// The budget: most host entries the inventory may expand to (a range
    /// counts its size, a host once per group), checked before expanding.
    #[arg(long, global = true, value_name = "N", default_value_t = strata::Budget::default().max_entries)]
    pub max_entries: u64,

    /// The budget: most hosts the inventory may have, checked before expanding.
    #[arg(long, global = true, value_name = "N", default_value_t = strata::Budget::default().max_hosts)]
    pub max_hosts: u64,

    /// The budget: most bytes the host names may add up to (each name of a
    /// range counted, once per group), checked before expanding.
    #[arg(long, global = true, value_name = "N", default_value_t = strata::Budget::default().max_name_bytes)]
    pub max_name_bytes: u64,

    /// The budget: most host keys the inventory's data may stand for (each
    /// host of an entry times the keys of its group, global and inline
    /// data), checked before expanding.
    #[arg(long, global = true, value_name = "N", default_value_t = strata::Budget::default().max_host_keys)]
    pub max_host_keys: u64,

    /// Run command sources (sources/<name>.toml with `command = [...]`):
    /// strata runs nothing without it. Also $STRATA_ALLOW_EXEC=1.
    #[arg(long, global = true)]
    pub allow_exec: bool,

    /// Run command sources even when their cached answer is still fresh
    /// (needs --allow-exec).
    #[arg(long, global = true)]
    pub refresh: bool,

    /// Indent JSON output (the default when stdout is a terminal).
    #[arg(long, global = true)]
    pub pretty: bool,

    /// When to use colours in diagnostics.
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    pub color: Color,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read everything and report every problem at once (for CI).
    /// Exit 0 when clean (warnings allowed), 1 on errors, or on warnings with --strict.
    Check {
        /// Fail on warnings too.
        #[arg(long)]
        strict: bool,
        /// The inventory is read by Ansible (through `strata ansible` or the
        /// inventory plugin): also report what Ansible would warn about
        /// (group names that are not identifiers, reserved variable names).
        #[arg(long)]
        ansible: bool,
        /// human: labelled reports on stderr; json: an array on stdout;
        /// github: workflow annotations on stdout.
        #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
        format: CheckFormat,
    },
    /// Print the selected host names, one a line, in inventory order.
    Hosts {
        /// Output format.
        #[arg(long, value_enum, default_value_t = TextFormat::Text)]
        format: TextFormat,
    },
    /// Print the groups in order, with their hosts.
    Groups {
        /// Output format.
        #[arg(long, value_enum, default_value_t = TextFormat::Text)]
        format: TextFormat,
    },
    /// Print one host's resolved data.
    Host {
        /// The host's name.
        name: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = DataFormat::Json)]
        format: DataFormat,
        /// Print TOML with each key's origin as a comment:
        /// `key = value  # group_data/web.toml:3:1 (group web)`; a merged
        /// value's pieces follow, one comment line each.
        #[arg(long, conflicts_with = "format")]
        show_origin: bool,
    },
    /// For each key of a host (or the one given): the winning value and its
    /// origin, then every shadowed definition and the rule that shadows it.
    Explain {
        /// The host's name.
        name: String,
        /// Only this key.
        key: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = TextFormat::Text)]
        format: TextFormat,
    },
    /// Print groups and hosts as a tree, in the style of `ansible-inventory --graph`.
    Graph {
        /// Start from this group instead of `all`.
        group: Option<String>,
        /// Show data: global data under @all, each group's own data, each host's own data.
        #[arg(long)]
        vars: bool,
    },
    /// The Ansible dynamic-inventory contract: `--list` or `--host NAME`.
    #[command(group = clap::ArgGroup::new("mode").required(true).args(["list", "host"]))]
    Ansible {
        /// Every group, `ungrouped`, and `_meta.hostvars` with each host's resolved data.
        #[arg(long)]
        list: bool,
        /// One host's resolved data.
        #[arg(long, value_name = "NAME")]
        host: Option<String>,
        /// With --list: also `_meta.strata`, `{"files": [...], "command_sources": bool}`,
        /// the absolute paths of the files read and whether a command source answered
        /// (the inventory plugin's cache is keyed on them).
        #[arg(long, conflicts_with = "host")]
        meta: bool,
        /// With --list: the structure the inventory plugin hands Ansible, not the flattening:
        /// `all.vars`, each group's `vars` and `priority`, and in `_meta.hostvars` only the
        /// keys Ansible's group precedence would not give a host as strata resolves them.
        #[arg(long, conflicts_with = "host")]
        structured: bool,
    },
    /// What a change does to the resolved inventory: hosts added and removed,
    /// group memberships, and every changed value with its hosts and origin.
    /// Identical changes are grouped across hosts.
    ///
    /// `strata diff OLD NEW` compares two inventory directories;
    /// `strata diff --base REV` compares the inventory (-i, else the usual
    /// discovery) at git revision REV with the working tree.
    #[command(
        after_help = "Exit 0, or with --exit-code 1 when there are differences; 2 on usage errors (and when git fails); 1 when either side does not load."
    )]
    Diff {
        /// The old inventory: a directory, or its hosts.toml.
        #[arg(value_name = "OLD", conflicts_with = "base", requires = "new")]
        old: Option<PathBuf>,
        /// The new inventory: a directory, or its hosts.toml.
        #[arg(value_name = "NEW")]
        new: Option<PathBuf>,
        /// Take the old side from git at REV (a branch, tag or commit,
        /// exported with `git archive`) and the new side from the working tree.
        #[arg(long, value_name = "REV")]
        base: Option<String>,
        /// human: a readable summary; json: the shape of docs/cli.md;
        /// markdown: tables for a pull request or $GITHUB_STEP_SUMMARY.
        #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
        format: DiffFormat,
        /// Exit 1 when there are differences, as `git diff --exit-code`.
        #[arg(long)]
        exit_code: bool,
    },
    /// Write a strata inventory from what Ansible or pyinfra resolves, and
    /// prove it: every host's groups and values compared with the tool's.
    #[command(
        after_help = "Exit 0 when every host is identical; 1 on a difference or a refusal (a value strata cannot hold, a non-empty DIR); 2 on usage errors."
    )]
    Import {
        /// The tool whose inventory is imported.
        #[command(subcommand)]
        tool: ImportTool,
    },
    /// Print this help, or the help of the given command.
    #[command(display_order = 1000)]
    Help {
        /// The command to describe.
        command: Option<String>,
    },
    /// Print the whole resolved inventory: hosts with groups and data, groups with hosts.
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Json)]
        format: ListFormat,
        /// What to add for programs that rebuild the inventory (the Python package).
        #[command(flatten)]
        extra: ListExtra,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    ///
    /// For example `strata completions bash >
    /// ~/.local/share/bash-completion/completions/strata`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Run the language server (LSP over stdin and stdout), for editors.
    ///
    /// It finds every inventory of the editor's workspace (each folder
    /// holding hosts.toml), publishes `strata check`'s diagnostics as you
    /// type (unsaved buffers included), and answers hover, go to
    /// definition and find references. It never runs a command source (as
    /// without --allow-exec: cached answers only). docs/editors.md says how
    /// to set up an editor.
    #[command(
        after_help = "Started by an editor, not by hand: it reads LSP messages on stdin until the editor says exit or closes it. -i, --limit and --data do not apply."
    )]
    Lsp,
    /// Print the manual page (roff), or the page of the given command.
    ///
    /// For example `strata man > ~/.local/share/man/man1/strata.1` and
    /// `strata man check > ~/.local/share/man/man1/strata-check.1`.
    Man {
        /// The command to describe (its page is `strata-COMMAND(1)`).
        command: Option<String>,
    },
}

/// `strata import ansible` and `strata import pyinfra`.
#[derive(Debug, Subcommand)]
pub enum ImportTool {
    /// Import Ansible inventories: `strata import ansible -i SRC [-i SRC...] -o DIR`.
    ///
    /// `-i SRC` is an Ansible inventory, anything `ansible-inventory -i`
    /// takes (INI, YAML, a folder with group_vars/ and host_vars/, a plugin
    /// configuration); repeatable, in Ansible's order. strata runs the real
    /// `ansible-inventory --list --export` and `--list` on them (it says so
    /// on stderr first), places every value where strata's precedence gives
    /// Ansible's resolved value, writes DIR and proves it.
    #[command(
        after_help = "Exit 0 when every host is identical; 1 on a difference or a refusal (a value strata cannot hold, a non-empty DIR); 2 on usage errors. docs/import.md has the whole migration."
    )]
    Ansible {
        /// The strata inventory to write (a new or empty folder).
        #[arg(short = 'o', long = "output", value_name = "DIR")]
        output: PathBuf,
        /// Replace DIR even when it is not empty (still never half-written).
        #[arg(long)]
        force: bool,
        /// The `ansible-inventory` program to run. Default: `ansible-inventory` on PATH.
        #[arg(long, value_name = "PATH", conflicts_with = "from_json")]
        ansible_inventory: Option<PathBuf>,
        /// Run nothing: read `{"export": <ansible-inventory --list --export>, "list":
        /// <ansible-inventory --list>}` from FILE, produced elsewhere.
        #[arg(long, value_name = "FILE")]
        from_json: Option<PathBuf>,
        /// Write nothing: compare the existing DIR with what Ansible resolves now.
        #[arg(long)]
        check: bool,
    },
    /// Import a pyinfra inventory: `strata import pyinfra INVENTORY.py -o DIR`.
    ///
    /// pyinfra's own loader reads the inventory (through Python, which runs
    /// pyinfra); the result is placed, written to DIR and proved.
    #[command(
        after_help = "Exit 0 when every host is identical; 1 on a difference or a refusal; 2 on usage errors. docs/import.md has the whole migration."
    )]
    Pyinfra {
        /// The pyinfra inventory file. (Not named `inventory`: that is the
        /// id of the global `-i`, which clap would fill with it.)
        #[arg(value_name = "INVENTORY.py")]
        inventory_py: PathBuf,
        /// The inventory's group_data folder. Default: pyinfra's own rule.
        #[arg(long, value_name = "DIR")]
        group_data: Option<PathBuf>,
        /// The strata inventory to write (a new or empty folder).
        #[arg(short = 'o', long = "output", value_name = "DIR")]
        output: PathBuf,
        /// Replace DIR even when it is not empty (still never half-written).
        #[arg(long)]
        force: bool,
        /// The Python that has pyinfra installed. Default: $STRATA_PYTHON, else
        /// `python3` on PATH.
        #[arg(long, value_name = "PATH")]
        python: Option<PathBuf>,
        /// Write nothing: compare the existing DIR with what pyinfra resolves now.
        #[arg(long)]
        check: bool,
    },
}

/// What `strata list` adds on request, for programs that rebuild the whole
/// inventory from one run (the Python package `strata_inventory`).
#[derive(Debug, Clone, Copy, Default, clap::Args)]
pub struct ListExtra {
    /// Add each host's `origins`: for every key, where its winning value
    /// comes from (`{layer, rank, group, file, line, column}`, as `explain`),
    /// and for a merged value its `pieces`, each with its own origin.
    #[arg(long)]
    pub origins: bool,
    /// Add the global data (`group_data/all.toml` over `all.data`) as a
    /// top-level `data`.
    #[arg(long)]
    pub global_data: bool,
    /// Add `datetimes` beside each `data`: the paths (keys and array
    /// indices) of the values that are TOML datetimes, which JSON prints as
    /// strings.
    #[arg(long)]
    pub datetime_paths: bool,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    /// Colours when stderr is a terminal and NO_COLOR is unset or empty.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Formats for `strata check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// miette reports with the file, line, column and labelled source.
    Human,
    /// `[{"severity", "code", "message", "file", "line", "column", "help"}]`.
    Json,
    /// `::error file=...,line=...,col=...::message` lines for GitHub Actions.
    Github,
}

/// Formats for `strata diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// Lines for people, one block per grouped change.
    Human,
    /// `{"hosts_added", "hosts_removed", "groups", "changes"}`.
    Json,
    /// Markdown tables, for a pull request comment or $GITHUB_STEP_SUMMARY.
    Markdown,
}

/// Formats for name lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TextFormat {
    /// Plain text.
    Text,
    /// JSON.
    Json,
}

/// Formats for `strata list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// JSON, keys sorted.
    Json,
    /// JSON Lines: one line a host (the objects of `--format json`'s
    /// `hosts`), then one line with the rest of the document.
    JsonLines,
    /// TOML, keys sorted.
    Toml,
}

/// Formats for data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DataFormat {
    /// JSON, keys sorted.
    Json,
    /// TOML, keys sorted.
    Toml,
}

/// One `--data KEY=VALUE`, read by clap: the key and value, or why it is
/// not `KEY=VALUE`. The refusal waits for the plan (`plan.rs`), which words
/// it as the other usage errors, after the checks of the environment and
/// never for `help`, `man` or `completions`.
#[derive(Debug, Clone, PartialEq)]
pub struct DataArg(pub Result<(String, toml::Value), String>);

/// clap's value parser for `--data`: never fails (see [`DataArg`]).
fn data_arg(arg: &str) -> Result<DataArg, std::convert::Infallible> {
    Ok(DataArg(data(arg)))
}

/// Reads `KEY=VALUE`. The value is read as a TOML value (`9000`, `true`,
/// `1.5`, `"text"`, `[1, 2]`, `{ a = 1 }`); anything that is not a TOML value
/// is taken as a plain string (`web1`, `a,b`, the empty string). The key
/// may not be empty.
fn data(arg: &str) -> Result<(String, toml::Value), String> {
    let refused = |reason: &str| format!("--data `{arg}`: {reason}");
    let Some((key, value)) = arg.split_once('=') else {
        return Err(refused("expected KEY=VALUE"));
    };
    let key = key.trim();
    if key.is_empty() {
        return Err(refused("the key is empty"));
    }
    Ok((key.to_string(), data_value(value)))
}

/// A TOML value if `text` is one, else `text` as a string. `true` and
/// `false` in any case (`False`, `TRUE`) are booleans, as pyinfra's
/// `--data` reads them: `use_sudo=False` must not become the string
/// `"False"`, which deploy code would take as true.
fn data_value(text: &str) -> toml::Value {
    if text.eq_ignore_ascii_case("true") {
        return toml::Value::Boolean(true);
    }
    if text.eq_ignore_ascii_case("false") {
        return toml::Value::Boolean(false);
    }
    // Parse as the right-hand side of an assignment: the TOML grammar for values.
    let doc = format!("v = {text}\n");
    if !text.contains('\n')
        && let Ok(mut t) = doc.parse::<toml::Table>()
        && t.len() == 1
        && let Some(v) = t.remove("v")
    {
        return v;
    }
    toml::Value::String(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_values() {
        let table = |s: &str| toml::Value::Table(s.parse::<toml::Table>().unwrap());
        let cases: Vec<(&str, toml::Value)> = vec![
            ("9000", toml::Value::Integer(9000)),
            ("-3", toml::Value::Integer(-3)),
            ("true", toml::Value::Boolean(true)),
            ("false", toml::Value::Boolean(false)),
            ("1.5", toml::Value::Float(1.5)),
            ("\"text\"", toml::Value::from("text")),
            ("'lit'", toml::Value::from("lit")),
            ("[1, 2]", toml::Value::Array(vec![1.into(), 2.into()])),
            (
                "{ a = 1 }",
                table("a = 1").get("a").map(|_| table("a = 1")).unwrap(),
            ),
            ("web1", toml::Value::from("web1")),
            ("a,b", toml::Value::from("a,b")),
            ("", toml::Value::from("")),
            ("True", toml::Value::Boolean(true)),
            ("False", toml::Value::Boolean(false)),
            ("FALSE", toml::Value::Boolean(false)),
            ("tRuE", toml::Value::Boolean(true)),
            ("\"False\"", toml::Value::from("False")),
            ("Falsey", toml::Value::from("Falsey")),
            ("1 2", toml::Value::from("1 2")),
            ("x\nw = 1", toml::Value::from("x\nw = 1")),
            ("1\nw = 2", toml::Value::from("1\nw = 2")),
        ];
        for (text, want) in cases {
            assert_eq!(data_value(text), want, "{text:?}");
        }
    }

    #[test]
    fn data_args() {
        assert_eq!(
            data("a=b=c").unwrap(),
            ("a".into(), toml::Value::from("b=c"))
        );
        assert_eq!(data("a=").unwrap(), ("a".into(), toml::Value::from("")));
        assert!(data("=1").is_err());
        assert!(data("a").is_err());
    }
}
