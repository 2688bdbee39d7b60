//! `strata`: query pyinfra-style TOML inventories. Everything is in the
//! library ([`strata_cli::run`]), so tests and fuzz targets run the very
//! code path the command runs.

use std::io::IsTerminal;
use std::process::ExitCode;

fn main() -> ExitCode {
    // Ctrl-C (or SIGTERM, SIGHUP) stops the command sources and `git` runs
    // still going, which live in process groups of their own, then ends
    // strata as the signal would have.
    strata_exec::stop_children_on_signals();
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let env = strata_cli::Env {
        cwd: std::env::current_dir().ok(),
        inventory: std::env::var("STRATA_INVENTORY").ok(),
        no_color: strata_cli::no_color(std::env::var_os("NO_COLOR").as_deref()),
        stdout_is_terminal: stdout.is_terminal(),
        stderr_is_terminal: stderr.is_terminal(),
        process_exits: true,
        // Read as text (a value that is not UTF-8 is shown lossily and
        // refused): `strata_cli::parse_switch` decides.
        allow_exec: std::env::var_os("STRATA_ALLOW_EXEC").map(|v| v.to_string_lossy().into_owned()),
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
