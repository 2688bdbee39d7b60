//! `strata`: query pyinfra-style TOML inventories. Everything is in the
//! library ([`strata_cli::run`]), so tests and fuzz targets run the very
//! code path the command runs.

use std::io::IsTerminal;
use std::process::ExitCode;

fn main() -> ExitCode {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let env = strata_cli::Env {
        cwd: std::env::current_dir().ok(),
        inventory: std::env::var("STRATA_INVENTORY").ok(),
        no_color: strata_cli::no_color(std::env::var_os("NO_COLOR").as_deref()),
        stdout_is_terminal: stdout.is_terminal(),
        stderr_is_terminal: stderr.is_terminal(),
        process_exits: true,
        allow_exec: std::env::var_os("STRATA_ALLOW_EXEC").is_some_and(|v| v == "1"),
        cache_dir: strata::default_cache_dir(),
        front_end: std::env::var("STRATA_FRONT_END").ok(),
        diagnostics: std::env::var("STRATA_DIAGNOSTICS").ok(),
    };
    let code = strata_cli::run(
        std::env::args_os(),
        &mut stdout.lock(),
        &mut stderr.lock(),
        &env,
    );
    ExitCode::from(code)
}
