//! From the parsed arguments to the plan of a run, made once (ripgrep's
//! `LowArgs` → `HiArgs`): `args.rs` is what clap parsed; a [`Plan`] is what
//! the run will do. Every refusal of a bad combination of arguments and
//! environment is made here, before anything is loaded: `--limit` for
//! `check` and `diff`, `--refresh` without `--allow-exec`, `diff`'s OLD and
//! NEW against `--base`, a `--data` that is not `KEY=VALUE`. What needs the
//! inventory to be refused (a host, key or group that is not there, a limit
//! that matches nothing) is left to the command.
//!
//! This module reads no file of the inventory: it finds its root
//! (`discover.rs`) and builds the loaders the commands will run.

use std::path::{Path, PathBuf};

use strata::{Budget, Limit, Loader};

use crate::args::{
    self, CheckFormat, Cli, Color, DataArg, DataFormat, DiffFormat, ListExtra, ListFormat,
    TextFormat,
};
use crate::discover;
use crate::env::{Env, parse_switch};
use crate::front_end::FrontEnd;

/// What a run does, decided from the arguments and the environment.
pub struct Plan {
    /// How stdout is written.
    pub stdout: Stdout,
    /// The command and everything it needs.
    pub task: Task,
}

/// What a command writes on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stdout {
    /// JSON, indented for people (`--pretty`, or stdout is a terminal).
    IndentedJson,
    /// JSON on one line.
    Json,
    /// Text for people: control characters escaped.
    Human,
    /// TOML, annotations, help: as written.
    Plain,
}

/// The command, with its own part of the plan.
pub enum Task {
    /// `strata help [COMMAND]`.
    Help(Option<String>),
    /// `strata completions SHELL`.
    Completions(clap_complete::Shell),
    /// `strata man [COMMAND]`.
    Man(Option<String>),
    /// `strata lsp`.
    Lsp,
    /// `strata check`.
    Check(Check),
    /// `strata diff`.
    Diff(Diff),
    /// `strata hosts`.
    Hosts(Hosts),
    /// `strata groups`.
    Groups(Groups),
    /// `strata host NAME`.
    Host(Host),
    /// `strata explain NAME [KEY]`.
    Explain(Explain),
    /// `strata graph [GROUP]`.
    Graph(Graph),
    /// `strata list`.
    List(List),
    /// `strata ansible`.
    Ansible(Ansible),
    /// `strata import ansible|pyinfra`.
    Import(Import),
}

/// The settings every loader of a run shares (`--data`, the budget,
/// consent to run command sources, the cache), for any inventory root.
pub struct Loaders {
    overrides: toml::Table,
    budget: Budget,
    allow_exec: bool,
    refresh: bool,
    cache_dir: Option<PathBuf>,
    /// The working directory: file names in diagnostics are shown relative
    /// to it.
    pub cwd: PathBuf,
}

impl Loaders {
    /// The loader of the inventory at `root`.
    pub fn for_root(&self, root: &Path) -> Loader {
        Loader::new(root)
            .overrides("<command line>", self.overrides.clone())
            .budget(self.budget)
            .display_base(discover::display_base(root, &self.cwd))
            .allow_exec(self.allow_exec)
            .refresh(self.refresh)
            .fetcher(strata::Fetcher::with_cache_dir(self.cache_dir.clone()))
    }
}

/// How a command that reads one inventory loads it, which hosts it
/// selects and which host files it reads.
pub struct Query {
    /// The first load. `host_data/` is listed, not read, unless the
    /// command is about every host; `host NAME` does not even list it.
    pub first: Loader,
    /// The load when the first fails: everything is read, so that every
    /// problem of every file is reported at once. It shares the first's
    /// command sources' answers (and failures).
    pub full: Loader,
    /// The hosts the command shows.
    pub selection: Selection,
    /// The host files read after loading.
    pub host_files: HostFiles,
    /// The process ends when the command returns: the inventory is then
    /// left to the operating system rather than freed value by value.
    pub process_exits: bool,
}

/// The hosts a command shows.
pub enum Selection {
    /// Every host (no `--limit`).
    Every,
    /// Those the limit selects: a term that matches nothing is an error.
    Limit(Limit),
    /// None: `host NAME` without a limit has nothing to list.
    Nothing,
}

/// The files of `host_data/` a command reads once the inventory is loaded.
pub enum HostFiles {
    /// None (`hosts`, `groups`, `graph` without `--vars`).
    None,
    /// The named host's alone (`host`, `explain`, `ansible --host`); a
    /// name that is not a host is an error, with a did-you-mean.
    Of(String),
    /// The selected hosts'.
    Selected,
}

/// `strata check`.
pub struct Check {
    /// The loader: every file read, Ansible's checks too with `--ansible`.
    pub loader: Loader,
    /// How the report is printed.
    pub format: CheckFormat,
    /// Warnings fail the check too.
    pub strict: bool,
    /// As [`Query::process_exits`].
    pub process_exits: bool,
}

/// `strata diff`.
pub struct Diff {
    /// The loaders of both sides.
    pub loaders: Loaders,
    /// The old side.
    pub old: OldSide,
    /// The new side's inventory root.
    pub new: PathBuf,
    /// How the difference is printed.
    pub format: DiffFormat,
    /// Differences exit 1 (`--exit-code`).
    pub exit_code: bool,
}

/// Where `diff` finds the old inventory.
pub enum OldSide {
    /// A directory (`strata diff OLD NEW`): its inventory root.
    Root(PathBuf),
    /// The new side's inventory at a git revision (`--base REV`).
    Git(String),
}

/// `strata hosts`.
pub struct Hosts {
    pub query: Query,
    pub format: TextFormat,
}

/// `strata groups`.
pub struct Groups {
    pub query: Query,
    pub format: TextFormat,
}

/// `strata host NAME`.
pub struct Host {
    pub query: Query,
    pub name: String,
    pub format: DataFormat,
    pub show_origin: bool,
}

/// `strata explain NAME [KEY]`.
pub struct Explain {
    pub query: Query,
    pub name: String,
    pub key: Option<String>,
    pub format: TextFormat,
}

/// `strata graph [GROUP] [--vars]`.
pub struct Graph {
    pub query: Query,
    pub group: Option<String>,
    pub vars: bool,
}

/// `strata list`.
pub struct List {
    pub query: Query,
    pub format: ListFormat,
    pub extra: ListExtra,
}

/// `strata ansible`.
pub struct Ansible {
    pub query: Query,
    pub mode: AnsibleMode,
    /// The working directory, which makes `--meta`'s paths absolute.
    pub cwd: PathBuf,
}

/// `ansible --list` or `ansible --host NAME`.
pub enum AnsibleMode {
    /// `--list`, with `--meta` and `--structured`.
    List { meta: bool, structured: bool },
    /// `--host NAME`.
    Host(String),
}

/// `strata import`.
pub struct Import {
    /// The tool and how to reach it.
    pub from: ImportFrom,
    /// The strata inventory written (or compared, with `--check`).
    pub output: PathBuf,
    /// Replace a non-empty DIR.
    pub force: bool,
    /// Only compare the existing DIR.
    pub check: bool,
}

/// Where `strata import` reads the tool's answer.
pub enum ImportFrom {
    /// `import ansible`.
    Ansible {
        /// The `-i` Ansible inventories, in order.
        inventories: Vec<PathBuf>,
        /// The `ansible-inventory` to run (`--ansible-inventory`).
        program: PathBuf,
        /// `--from-json FILE`: run nothing, read its answer from FILE.
        from_json: Option<PathBuf>,
    },
    /// `import pyinfra`.
    Pyinfra {
        /// The pyinfra inventory file.
        inventory: PathBuf,
        /// `--group-data DIR`.
        group_data: Option<PathBuf>,
        /// The Python with pyinfra: `--python`, else `$STRATA_PYTHON`, else
        /// `python3` on PATH (`strata_import::pyinfra::default_python`).
        python: PathBuf,
    },
}

/// Whether diagnostics on stderr are coloured (`--color`, `$NO_COLOR`).
pub fn colored(color: Color, env: &Env) -> bool {
    match color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => env.stderr_is_terminal && !env.no_color,
    }
}

/// Whether diagnostics are JSON lines (`$STRATA_DIAGNOSTICS`).
pub fn json_diagnostics(env: &Env) -> Result<bool, String> {
    match env.diagnostics.as_deref().map(str::trim) {
        None | Some("" | "human") => Ok(false),
        Some("json") => Ok(true),
        Some(other) => Err(format!(
            "STRATA_DIAGNOSTICS is `{other}`; it must be `json` or `human`"
        )),
    }
}

impl Plan {
    /// The plan of `cli` in `env`, or the usage error that refuses it.
    /// `front_end` words the refusals whose fix names a flag.
    pub fn new(cli: Cli, env: &Env, front_end: FrontEnd) -> Result<Plan, String> {
        let stdout = stdout(&cli, env);
        let task = task(cli, env, front_end)?;
        Ok(Plan { stdout, task })
    }
}

/// JSON is indented for people; text for people has its control
/// characters escaped; TOML and annotations go out as written.
fn stdout(cli: &Cli, env: &Env) -> Stdout {
    use args::Command;
    let pretty = cli.pretty || env.stdout_is_terminal;
    let json = if pretty {
        Stdout::IndentedJson
    } else {
        Stdout::Json
    };
    let text = |f: &TextFormat| match f {
        TextFormat::Text => Stdout::Human,
        TextFormat::Json => json,
    };
    let data = |f: &DataFormat| match f {
        DataFormat::Json => json,
        DataFormat::Toml => Stdout::Plain,
    };
    match &cli.command {
        Command::Hosts { format }
        | Command::Groups { format }
        | Command::Explain { format, .. } => text(format),
        Command::Host {
            show_origin: true, ..
        }
        | Command::Graph { .. } => Stdout::Human,
        Command::Host { format, .. } => data(format),
        Command::List { format, .. } => match format {
            ListFormat::Json => json,
            // One object a line, never indented, even on a terminal.
            ListFormat::JsonLines | ListFormat::Toml => Stdout::Plain,
        },
        Command::Ansible { .. } => json,
        Command::Check { format, .. } => match format {
            CheckFormat::Json => json,
            CheckFormat::Human | CheckFormat::Github => Stdout::Plain,
        },
        Command::Diff { format, .. } => match format {
            DiffFormat::Json => json,
            DiffFormat::Human | DiffFormat::Markdown => Stdout::Human,
        },
        Command::Import { .. } => Stdout::Human,
        Command::Help { .. } | Command::Completions { .. } | Command::Man { .. } | Command::Lsp => {
            Stdout::Plain
        }
    }
}

fn task(cli: Cli, env: &Env, front_end: FrontEnd) -> Result<Task, String> {
    use args::Command;
    match cli.command {
        Command::Help { command } => return Ok(Task::Help(command)),
        Command::Completions { shell } => return Ok(Task::Completions(shell)),
        Command::Man { command } => return Ok(Task::Man(command)),
        Command::Lsp => return Ok(Task::Lsp),
        _ => {}
    }
    if let Command::Import { tool } = cli.command {
        return import(tool, cli.inventory, &cli.limit, !cli.data.is_empty());
    }
    if cli.inventory.len() > 1 {
        return Err(
            "-i/--inventory names one inventory; it was given more than once \
             (several `-i` are for `strata import ansible`)"
                .into(),
        );
    }
    let inventory = cli.inventory.into_iter().next();
    let cwd = env
        .cwd
        .clone()
        .ok_or_else(|| "cannot read the current directory".to_string())?;
    let mut overrides = toml::Table::new();
    for DataArg(arg) in cli.data {
        let (key, value) = arg?;
        overrides.insert(key, value);
    }
    let budget = Budget {
        max_entries: cli.max_entries,
        max_hosts: cli.max_hosts,
        max_name_bytes: cli.max_name_bytes,
        max_host_keys: cli.max_host_keys,
    };
    let allow_exec = cli.allow_exec
        || match &env.allow_exec {
            Some(value) => parse_switch("STRATA_ALLOW_EXEC", value)?,
            None => false,
        };
    if cli.refresh && !allow_exec {
        return Err(front_end.refresh_needs_allow_exec());
    }
    let loaders = Loaders {
        overrides,
        budget,
        allow_exec,
        refresh: cli.refresh,
        cache_dir: env.cache_dir.clone(),
        cwd,
    };
    if let Command::Diff {
        old,
        new,
        base,
        format,
        exit_code,
    } = cli.command
    {
        if !cli.limit.is_empty() {
            return Err(
                "`diff` compares the whole inventories; --limit does not apply to it".into(),
            );
        }
        let (old, new) = diff_sides(old, new, base, inventory.as_deref(), env, &loaders.cwd)?;
        return Ok(Task::Diff(Diff {
            loaders,
            old,
            new,
            format,
            exit_code,
        }));
    }
    let root = discover::find(inventory.as_deref(), env.inventory.as_deref(), &loaders.cwd)
        .map_err(|e| e.worded(front_end))?
        .root;
    let limit = Limit::parse(&cli.limit).map_err(|e| e.to_string())?;
    // The process answers and exits: the texts of cleanly parsed files are
    // read again only if a diagnostic or origin needs them
    // (`Loader::keep_texts`); `diff` keeps them, as one side lives in a
    // temporary checkout.
    // A failed load is loaded again to report every problem: the command
    // sources' answers (and failures) of the first load are reused.
    let loader = loaders
        .for_root(&root)
        .keep_texts(false)
        .map_fetcher(strata::Fetcher::fetch_once);
    let process_exits = env.process_exits;

    if let Command::Check {
        strict,
        ansible,
        format,
    } = cli.command
    {
        if !cli.limit.is_empty() {
            return Err(
                "`check` reads and checks the whole inventory; --limit does not apply to it \
                 (to check that a limit matches, run `strata hosts --limit ...`)"
                    .into(),
            );
        }
        return Ok(Task::Check(Check {
            loader: loader.for_ansible(ansible),
            format,
            strict,
            process_exits,
        }));
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
    // `host NAME` shows no selection; a limit is still checked (a term
    // that matches nothing is an error), but without one there is nothing
    // to list, host by host.
    let selection = if !limit.is_empty() {
        Selection::Limit(limit)
    } else if matches!(cli.command, Command::Host { .. }) {
        Selection::Nothing
    } else {
        Selection::Every
    };
    let host_files = match &cli.command {
        Command::Hosts { .. } | Command::Groups { .. } | Command::Graph { vars: false, .. } => {
            HostFiles::None
        }
        Command::Host { name, .. }
        | Command::Explain { name, .. }
        | Command::Ansible {
            host: Some(name), ..
        } => HostFiles::Of(name.clone()),
        _ => HostFiles::Selected,
    };
    let query = Query {
        first,
        full: loader,
        selection,
        host_files,
        process_exits,
    };
    Ok(match cli.command {
        Command::Hosts { format } => Task::Hosts(Hosts { query, format }),
        Command::Groups { format } => Task::Groups(Groups { query, format }),
        Command::Host {
            name,
            format,
            show_origin,
        } => Task::Host(Host {
            query,
            name,
            format,
            show_origin,
        }),
        Command::Explain { name, key, format } => Task::Explain(Explain {
            query,
            name,
            key,
            format,
        }),
        Command::Graph { group, vars } => Task::Graph(Graph { query, group, vars }),
        Command::List { format, extra } => Task::List(List {
            query,
            format,
            extra,
        }),
        Command::Ansible {
            list: _,
            host,
            meta,
            structured,
        } => Task::Ansible(Ansible {
            query,
            mode: match host {
                Some(name) => AnsibleMode::Host(name),
                None => AnsibleMode::List { meta, structured },
            },
            cwd: loaders.cwd,
        }),
        Command::Check { .. }
        | Command::Diff { .. }
        | Command::Import { .. }
        | Command::Help { .. }
        | Command::Completions { .. }
        | Command::Man { .. }
        | Command::Lsp => unreachable!("planned above"),
    })
}

/// `strata import`'s plan: `-i` are Ansible inventories here, and the
/// flags about loading an inventory do not apply.
fn import(
    tool: args::ImportTool,
    inventories: Vec<PathBuf>,
    limit: &[String],
    data: bool,
) -> Result<Task, String> {
    if !limit.is_empty() {
        return Err("`import` reads the whole inventory; --limit does not apply to it".into());
    }
    if data {
        return Err("`import` writes what the tool resolves; --data does not apply to it".into());
    }
    Ok(Task::Import(match tool {
        args::ImportTool::Ansible {
            output,
            force,
            ansible_inventory,
            from_json,
            check,
        } => {
            if inventories.is_empty() && from_json.is_none() {
                return Err(
                    "`import ansible` needs the Ansible inventories to read: -i SRC (repeatable), \
                     or --from-json FILE"
                        .into(),
                );
            }
            Import {
                from: ImportFrom::Ansible {
                    inventories,
                    program: ansible_inventory.unwrap_or_else(|| "ansible-inventory".into()),
                    from_json,
                },
                output,
                force,
                check,
            }
        }
        args::ImportTool::Pyinfra {
            inventory_py: inventory,
            group_data,
            output,
            force,
            python,
            check,
        } => {
            if !inventories.is_empty() {
                return Err(
                    "`import pyinfra` takes the inventory file as its argument, not -i".into(),
                );
            }
            Import {
                from: ImportFrom::Pyinfra {
                    inventory,
                    group_data,
                    python: python.unwrap_or_else(strata_import::pyinfra::default_python),
                },
                output,
                force,
                check,
            }
        }
    }))
}

/// `diff`'s two sides: OLD and NEW, or the inventory (`-i`, else the usual
/// discovery) at `--base REV` and in the working tree.
fn diff_sides(
    old: Option<PathBuf>,
    new: Option<PathBuf>,
    base: Option<String>,
    inventory: Option<&Path>,
    env: &Env,
    cwd: &Path,
) -> Result<(OldSide, PathBuf), String> {
    match (old, new, base) {
        (Some(old), Some(new), None) => {
            let old = discover::diff_side(&old, "OLD")
                .map_err(|e| e.to_string())?
                .root;
            let new = discover::diff_side(&new, "NEW")
                .map_err(|e| e.to_string())?
                .root;
            Ok((OldSide::Root(old), new))
        }
        (None, None, Some(rev)) => {
            let new = discover::find(inventory, env.inventory.as_deref(), cwd)
                .map_err(|e| e.to_string())?
                .root;
            Ok((OldSide::Git(rev), new))
        }
        (Some(_), None, None) => {
            Err("`diff` needs two inventories, OLD and NEW, or --base REV".into())
        }
        _ => Err(
            "`diff` takes OLD and NEW, or --base REV (with -i for the inventory), not both".into(),
        ),
    }
}
