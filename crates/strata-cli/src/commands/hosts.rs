//! `strata hosts`: the selected host names.

use std::io::{self, Write};

use strata::Host;

use crate::args::TextFormat;
use crate::output::write_json;

pub fn run(out: &mut impl Write, selected: &[Host<'_>], format: TextFormat) -> io::Result<()> {
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
