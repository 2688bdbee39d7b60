//! What a run knows of its surroundings: the environment variables and
//! terminals the binary reads ([`Env`]), and the rules for reading them.

use std::path::PathBuf;

/// What [`run`](crate::run) needs to know of its surroundings.
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
    /// The process ends when [`run`](crate::run) returns (the `strata` binary): the
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
