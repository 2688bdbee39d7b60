//! `strata groups`: groups in order, with their hosts.

use std::io::{self, Write};

use serde_json::json;

use crate::args::TextFormat;
use crate::output::write_json;

pub fn run(
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
