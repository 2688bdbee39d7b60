//! `strata groups`: groups in order, with their hosts.

use std::io::{self, Write};

use serde_json::json;

use crate::args::TextFormat;
use crate::failure::Failure;
use crate::load;
use crate::output::write_json;
use crate::plan;
use crate::term::Stderr;

/// Loads the inventory and prints its groups with their selected hosts.
pub fn run(plan: &plan::Groups, out: &mut impl Write, err: &mut Stderr<'_>) -> Result<(), Failure> {
    let opened = load::open(&plan.query, err)?;
    {
        let selected = opened.selected();
        let groups = super::groups_for(opened.inventory(), &selected, opened.limited());
        print(out, &groups, plan.format)?;
    }
    opened.finish(out)
}

fn print(
    out: &mut impl Write,
    groups: &[(&str, super::Members<'_>)],
    format: TextFormat,
) -> io::Result<()> {
    match format {
        TextFormat::Text => {
            for (name, hosts) in groups {
                if hosts.is_empty() {
                    writeln!(out, "{name}:")?;
                } else {
                    writeln!(
                        out,
                        "{name}: {}",
                        hosts.iter().collect::<Vec<_>>().join(" ")
                    )?;
                }
            }
            Ok(())
        }
        TextFormat::Json => write_json(
            out,
            &serde_json::Value::Array(
                groups
                    .iter()
                    .map(|(name, hosts)| json!({ "name": name, "hosts": hosts }))
                    .collect(),
            ),
        ),
    }
}
