//! `strata hosts`: the selected host names.

use std::io::{self, Write};

use strata::Host;

use crate::args::TextFormat;
use crate::failure::Failure;
use crate::load;
use crate::output::write_json;
use crate::plan;
use crate::term::Stderr;

/// Loads the inventory and prints the selected hosts' names.
pub fn run(plan: &plan::Hosts, out: &mut impl Write, err: &mut Stderr<'_>) -> Result<(), Failure> {
    let opened = load::open(&plan.query, err)?;
    print(out, &opened.selected(), plan.format)?;
    opened.finish(out)
}

fn print(out: &mut impl Write, selected: &[Host<'_>], format: TextFormat) -> io::Result<()> {
    match format {
        TextFormat::Text => {
            for h in selected {
                writeln!(out, "{}", h.name())?;
            }
            Ok(())
        }
        TextFormat::Json => write_json(
            out,
            &serde_json::Value::from(selected.iter().map(|h| h.name()).collect::<Vec<_>>()),
        ),
    }
}
