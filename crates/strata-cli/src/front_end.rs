//! Who is asking: `$STRATA_FRONT_END` (`cli`, the default; `ansible`;
//! `python`) words the fix in a diagnostic's help in the terms of the front
//! end the user actually typed into. Inside Ansible the fix for
//! `strata::source_not_run` is the plugin option `allow_exec: true`, in
//! Python the keyword argument `allow_exec=True`, on the command line the
//! flag `--allow-exec`.
//!
//! The loader's diagnostics are written in the command line's terms; this
//! module rewrites the help of those whose fix names a flag, by code, just
//! before they are printed, and words the CLI's own usage messages.

use strata::{Code, Diagnostic};

/// The front end that runs `strata`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FrontEnd {
    /// The `strata` command itself: flags (`--allow-exec`, `-i`).
    #[default]
    Cli,
    /// The Ansible inventory plugin `strata.strata.inventory`: options of
    /// the `*.strata.yml` file (`allow_exec: true`, `path:`).
    Ansible,
    /// The Python package `strata_inventory`: keyword arguments of `load()`
    /// (`allow_exec=True`, `path=`).
    Python,
}

impl FrontEnd {
    /// Reads `$STRATA_FRONT_END`: unset or empty is [`FrontEnd::Cli`];
    /// anything but the three names is a usage error.
    pub fn from_env(value: Option<&str>) -> Result<FrontEnd, String> {
        match value.map(str::trim) {
            None | Some("") => Ok(FrontEnd::Cli),
            Some(v) if v.eq_ignore_ascii_case("cli") => Ok(FrontEnd::Cli),
            Some(v) if v.eq_ignore_ascii_case("ansible") => Ok(FrontEnd::Ansible),
            Some(v) if v.eq_ignore_ascii_case("python") => Ok(FrontEnd::Python),
            Some(v) => Err(format!(
                "STRATA_FRONT_END is `{v}`; it must be `cli`, `ansible` or `python`"
            )),
        }
    }

    /// How to give consent to run command sources.
    pub fn allow_exec(self) -> &'static str {
        match self {
            FrontEnd::Cli => "pass --allow-exec (or set STRATA_ALLOW_EXEC=1)",
            FrontEnd::Ansible => "set `allow_exec: true` in the *.strata.yml file",
            FrontEnd::Python => "pass `allow_exec=True` to load()",
        }
    }

    /// How to run command sources again although their cache is fresh.
    pub fn refresh(self) -> &'static str {
        match self {
            FrontEnd::Cli => "--refresh",
            FrontEnd::Ansible => "`refresh: true` (or ansible-inventory --flush-cache)",
            FrontEnd::Python => "`refresh=True`",
        }
    }

    /// How to name the inventory.
    pub fn inventory(self) -> &'static str {
        match self {
            FrontEnd::Cli => {
                "point -i at an inventory directory (one holding hosts.toml), or set STRATA_INVENTORY"
            }
            FrontEnd::Ansible => {
                "set `path:` in the *.strata.yml file to an inventory directory (one holding hosts.toml) \
                 or its hosts.toml; a relative path is taken from the file's own folder"
            }
            FrontEnd::Python => {
                "pass `path=` an inventory directory (one holding hosts.toml) or its hosts.toml"
            }
        }
    }

    /// How the inventory's path was given, before the path: `-i `, `path: `.
    pub fn path_option(self) -> &'static str {
        match self {
            FrontEnd::Cli => "-i ",
            FrontEnd::Ansible => "path: ",
            FrontEnd::Python => "path=",
        }
    }

    /// `--refresh` without consent: the usage error.
    pub fn refresh_needs_allow_exec(self) -> String {
        format!(
            "{} runs command sources, which needs consent: {}",
            self.refresh(),
            self.allow_exec()
        )
    }

    /// `d` with its help worded for this front end. The command line's own
    /// wording is left as the loader wrote it.
    pub fn reword(self, d: &Diagnostic) -> Option<Diagnostic> {
        if self == FrontEnd::Cli {
            return None;
        }
        let help = match d.code {
            Code::SourceNotRun => {
                let name = source_name(d)?;
                format!(
                    "read what sources/{name}.toml runs, then {}; a fresh cached answer is used without it",
                    self.allow_exec()
                )
            }
            Code::MissingHostsFile if d.help.as_deref().is_some_and(|h| h.contains("-i ")) => {
                format!(
                    "an inventory is a directory with a hosts.toml; create one, or {}",
                    {
                        let s = self.inventory();
                        s.split_once(" (").map_or(s, |(head, _)| head)
                    }
                )
            }
            _ => return None,
        };
        let mut d = d.clone();
        d.help = Some(help);
        Some(d)
    }
}

/// The source's name in `command source `NAME` was not run...`.
fn source_name(d: &Diagnostic) -> Option<&str> {
    let rest = d.message.strip_prefix("command source `")?;
    Some(&rest[..rest.find('`')?])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_environment() {
        assert_eq!(FrontEnd::from_env(None), Ok(FrontEnd::Cli));
        assert_eq!(FrontEnd::from_env(Some("")), Ok(FrontEnd::Cli));
        assert_eq!(FrontEnd::from_env(Some("CLI")), Ok(FrontEnd::Cli));
        assert_eq!(FrontEnd::from_env(Some("ansible")), Ok(FrontEnd::Ansible));
        assert_eq!(FrontEnd::from_env(Some("Python")), Ok(FrontEnd::Python));
        let e = FrontEnd::from_env(Some("perl")).unwrap_err();
        assert!(e.contains("`perl`") && e.contains("`ansible`"), "{e}");
    }

    #[test]
    fn rewords_source_not_run() {
        let mut sources = strata::Files::new();
        let span = strata::Span::file_start(sources.add_virtual("x"));
        let d = Diagnostic::error(
            Code::SourceNotRun,
            span,
            "command source `cmdb` was not run: strata runs a command only with consent",
        )
        .with_help("... pass --allow-exec ...");
        assert!(FrontEnd::Cli.reword(&d).is_none());
        let a = FrontEnd::Ansible.reword(&d).unwrap();
        let help = a.help.unwrap();
        assert!(help.contains("sources/cmdb.toml") && help.contains("`allow_exec: true`"));
        assert!(!help.contains("--allow-exec"), "{help}");
        let p = FrontEnd::Python.reword(&d).unwrap().help.unwrap();
        assert!(p.contains("`allow_exec=True`") && !p.contains("--"), "{p}");
        assert_eq!(a.message, d.message);
    }
}
