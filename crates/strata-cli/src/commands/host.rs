//! `strata host NAME`: one host's resolved data.

use std::io::{self, Write};

use strata::Host;

use crate::args::DataFormat;
use crate::output::{DataJson, sorted_table, write_json, write_toml};

pub fn run(out: &mut impl Write, host: Host<'_>, format: DataFormat) -> io::Result<()> {
    let data = host.data();
    match format {
        DataFormat::Json => write_json(out, &DataJson(&data)),
        DataFormat::Toml => write_toml(out, &sorted_table(&data.to_table())),
    }
}
