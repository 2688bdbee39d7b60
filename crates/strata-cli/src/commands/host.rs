//! `strata host NAME`: one host's resolved data.

use std::io::{self, Write};

use strata::Host;

use crate::args::DataFormat;
use crate::commands::explain::shown_path;
use crate::failure::Failure;
use crate::load;
use crate::output::{DataJson, inline_key, inline_value, sorted_table, write_json, write_toml};
use crate::plan;
use crate::term::Stderr;

/// Loads the inventory (and the host's own file) and prints the host's data.
pub fn run(plan: &plan::Host, out: &mut impl Write, err: &mut Stderr<'_>) -> Result<(), Failure> {
    let opened = load::open(&plan.query, err)?;
    print(out, opened.host(&plan.name)?, plan.format, plan.show_origin)?;
    opened.finish(out)
}

fn print(
    out: &mut impl Write,
    host: Host<'_>,
    format: DataFormat,
    show_origin: bool,
) -> io::Result<()> {
    let data = host.data();
    if show_origin {
        // One line per key, still valid TOML: the origin is a comment; a
        // merged value's pieces follow as comments, as `explain` shows them.
        for (key, value) in data.iter() {
            let origin = data.origin(key).map(|o| o.to_string()).unwrap_or_default();
            writeln!(
                out,
                "{} = {}  # {origin}",
                inline_key(key),
                inline_value(value)
            )?;
            let merged = data.explain(key).and_then(|e| e.merged);
            for p in merged.iter().flat_map(|m| &m.pieces) {
                writeln!(
                    out,
                    "#   {} = {}  # {}",
                    shown_path(key, &p.path),
                    inline_value(p.value),
                    p.origin
                )?;
            }
        }
        return Ok(());
    }
    match format {
        DataFormat::Json => write_json(out, &DataJson(&data)),
        DataFormat::Toml => write_toml(out, &sorted_table(&data.to_table())),
    }
}
