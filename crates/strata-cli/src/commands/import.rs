//! `strata import ansible|pyinfra`: read what the tool resolves, place and
//! write it as a strata inventory, and prove it (or, with `--check`, only
//! prove an existing one). The work is strata-import's; this module says
//! what runs, prints the report and picks the exit code.

use std::io::Write;
use std::path::{Path, PathBuf};

use strata_import::{Imported, Problem, Provenance, ansible};

use crate::failure::Failure;
use crate::plan::{Import, ImportFrom};
use crate::term::Stderr;

/// Runs `strata import`.
pub fn run(plan: &Import, out: &mut impl Write, err: &mut Stderr<'_>) -> Result<(), Failure> {
    if plan.check {
        if !plan.output.join("hosts.toml").is_file() {
            err.line(&format!(
                "error: `{}` holds no hosts.toml: --check compares an inventory written by \
                 `strata import` before",
                plan.output.display()
            ));
            return Err(Failure::Inventory);
        }
    } else {
        let inputs: Vec<PathBuf> = match &plan.from {
            ImportFrom::Ansible {
                inventories,
                from_json,
                ..
            } => inventories.iter().chain(from_json).cloned().collect(),
            ImportFrom::Pyinfra {
                inventory,
                group_data,
                ..
            } => [Some(inventory.clone()), group_data.clone()]
                .into_iter()
                .flatten()
                .collect(),
        };
        let refused = strata_import::check_target(&plan.output, plan.force)
            .and_then(|()| strata_import::check_not_inputs(&plan.output, &inputs));
        if let Err(e) = refused {
            err.line(&format!("error: {e}"));
            return Err(Failure::Inventory);
        }
    }
    let (imported, provenance) = match &plan.from {
        ImportFrom::Ansible {
            inventories,
            program,
            from_json,
        } => read_ansible(inventories, program, from_json.as_deref(), plan, err)?,
        ImportFrom::Pyinfra {
            inventory,
            group_data,
            python,
        } => read_pyinfra(python, inventory, group_data.as_deref(), plan, err)?,
    };
    if !plan.check {
        let placed = match strata_import::place(&imported) {
            Ok(placed) => placed,
            Err(problems) => return refuse(&problems, err),
        };
        report_placement(&placed.report, err);
        if let Err(e) = strata_import::write(&placed, &plan.output, plan.force, &provenance) {
            err.line(&format!("error: {e}"));
            return Err(Failure::Inventory);
        }
        err.line(&format!("strata: wrote {}", plan.output.display()));
    }
    let proof = match strata_import::prove(&plan.output, &imported) {
        Ok(proof) => proof,
        Err(problems) => {
            crate::report::print(err, problems.diagnostics(), problems.files(), false);
            err.line(&format!(
                "error: strata cannot load `{}`, so nothing could be compared",
                plan.output.display()
            ));
            return Err(Failure::Inventory);
        }
    };
    for d in &proof.differences {
        writeln!(out, "{d}")?;
    }
    if proof.holds() {
        writeln!(out, "{}", proof.summary())?;
        Ok(())
    } else {
        writeln!(
            out,
            "{} difference{} ({})",
            proof.differences.len(),
            if proof.differences.len() == 1 {
                ""
            } else {
                "s"
            },
            proof.summary()
        )?;
        Err(Failure::Differences)
    }
}

/// Prints every problem and refuses: nothing is written, exit 1.
fn refuse<T>(problems: &[Problem], err: &mut Stderr<'_>) -> Result<T, Failure> {
    for p in problems {
        err.line(&format!("error: {p}"));
    }
    err.line(&format!(
        "strata: nothing written: {} problem{} (docs/import.md says what each means)",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    ));
    Err(Failure::Inventory)
}

/// What placement changed, on stderr.
fn report_placement(report: &strata_import::place::Report, err: &mut Stderr<'_>) {
    for (subject, key, why) in &report.dropped {
        err.line(&format!("strata: dropped {subject}'s `{key}`: {why}"));
    }
    if report.unused > 0 {
        err.line(&format!(
            "strata: left out {} group definition{} no host gets (a deeper group or the \
             host's own value always wins)",
            report.unused,
            if report.unused == 1 { "" } else { "s" }
        ));
    }
    for (why, hosts) in &report.pins {
        err.line(&format!(
            "strata: pinned in host_data/ for {hosts} host{}: {why}",
            if *hosts == 1 { "" } else { "s" }
        ));
    }
    if !report.nulls.is_empty() {
        let total: usize = report.nulls.values().sum();
        let keys: Vec<String> = report.nulls.keys().map(|k| format!("`{k}`")).collect();
        err.line(&format!(
            "strata: {total} null value{} left out by the null rule (strata has no null; \
             nothing else gives those hosts the key): {}",
            if total == 1 { "" } else { "s" },
            keys.join(", ")
        ));
    }
    if !report.empty_groups.is_empty() {
        err.line(&format!(
            "strata: left out {} group{} without hosts: {}",
            report.empty_groups.len(),
            if report.empty_groups.len() == 1 {
                ""
            } else {
                "s"
            },
            report.empty_groups.join(", ")
        ));
    }
}

/// A path as a shell word, for the commands README.md and stderr show.
fn word(path: &Path) -> String {
    let s = path.to_string_lossy();
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-+=:@,".contains(&b))
    {
        s.into_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

fn read_ansible(
    inventories: &[PathBuf],
    program: &Path,
    from_json: Option<&Path>,
    plan: &Import,
    err: &mut Stderr<'_>,
) -> Result<(Imported, Provenance), Failure> {
    let sources: Vec<String> = inventories
        .iter()
        .map(|i| format!("-i {}", word(i)))
        .collect();
    let sources = sources.join(" ");
    let (output, tool, read) = match from_json {
        Some(file) => {
            let text = std::fs::read(file).map_err(|e| {
                Failure::Usage(format!("cannot read --from-json `{}`: {e}", file.display()))
            })?;
            match ansible::from_json(&text, &format!("`{}`", file.display())) {
                Ok(output) => (
                    output,
                    "ansible-inventory (its output, read from a file)".to_string(),
                    format!("--from-json {}", word(file)),
                ),
                Err(problems) => return refuse(&problems, err),
            }
        }
        None => {
            let [export, list] = ansible::commands(program, inventories);
            let show = |argv: &[String]| {
                argv.iter()
                    .map(|a| word(Path::new(a)))
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            err.line(&format!(
                "strata: running `{}`, `{}` and `{} --version` (import runs it because you \
                 asked for an import)",
                show(&export),
                show(&list),
                word(program)
            ));
            match ansible::run(program, inventories) {
                Ok(output) => {
                    let tool = match &output.version {
                        Some(v) => v.clone(),
                        None => "ansible-inventory".into(),
                    };
                    (output, tool, format!("{}\n{}", show(&export), show(&list)))
                }
                Err(problems) => return refuse(&problems, err),
            }
        }
    };
    let imported = match ansible::read(&output) {
        Ok(imported) => imported,
        Err(problems) => return refuse(&problems, err),
    };
    let mut verify = format!("strata import ansible {sources}");
    if let Some(file) = from_json {
        verify.push_str(&format!(" --from-json {}", word(file)));
    } else if program != Path::new("ansible-inventory") {
        verify.push_str(&format!(" --ansible-inventory {}", word(program)));
    }
    verify.push_str(&format!(" -o {} --check", word(&plan.output)));
    let verify = verify.replace("  ", " ");
    Ok((
        imported,
        Provenance {
            tool,
            read: read.trim().to_string(),
            verify,
        },
    ))
}

/// `import pyinfra`: pyinfra's own loader reads the inventory through
/// `python` (strata-import's pyinfra reader).
fn read_pyinfra(
    python: &Path,
    inventory: &Path,
    group_data: Option<&Path>,
    plan: &Import,
    err: &mut Stderr<'_>,
) -> Result<(Imported, Provenance), Failure> {
    err.line(&format!(
        "strata: running `{}` with pyinfra's inventory loader, which executes {} and its \
         group_data/*.py (import runs it because you asked for an import)",
        word(python),
        word(inventory)
    ));
    let imported = match strata_import::pyinfra::read(python, inventory, group_data) {
        Ok(imported) => imported,
        Err(problems) => return refuse(&problems, err),
    };
    let mut read = format!("pyinfra inventory {}", word(inventory));
    let mut verify = format!("strata import pyinfra {}", word(inventory));
    if let Some(dir) = group_data {
        read.push_str(&format!(" with group data {}", word(dir)));
        verify.push_str(&format!(" --group-data {}", word(dir)));
    }
    if python != strata_import::pyinfra::default_python() {
        verify.push_str(&format!(" --python {}", word(python)));
    }
    verify.push_str(&format!(" -o {} --check", word(&plan.output)));
    Ok((
        imported,
        Provenance {
            tool: "pyinfra".into(),
            read,
            verify,
        },
    ))
}
