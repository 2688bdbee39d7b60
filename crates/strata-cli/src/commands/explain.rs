//! `strata explain NAME [KEY]`: each key's winner, what it shadows, and why.

use std::io::{self, Write};

use serde_json::{Value, json};
use strata::{Explanation, Host, Origin};

use crate::args::TextFormat;
use crate::failure::Failure;
use crate::load;
use crate::output::{Json, inline_key, inline_value, write_json};
use crate::plan;
use crate::term::Stderr;

/// Loads the inventory (and the host's own file) and explains the host's
/// keys; a key the host does not have is a usage error with a did-you-mean.
pub fn run(
    plan: &plan::Explain,
    out: &mut impl Write,
    err: &mut Stderr<'_>,
) -> Result<(), Failure> {
    let opened = load::open(&plan.query, err)?;
    {
        let (name, key) = (&plan.name, plan.key.as_ref());
        let host = opened.host(name)?;
        let explained = explanations(host, key.map(String::as_str));
        if let (Some(key), true) = (key, explained.is_empty()) {
            let near = strata::closest_key(&host.data(), key);
            return Err(Failure::Usage(match near {
                Some(n) => format!("host `{name}` has no data `{key}`; did you mean `{n}`?"),
                None => format!("host `{name}` has no data `{key}`"),
            }));
        }
        print(out, host, &explained, plan.format)?;
    }
    opened.finish(out)
}

/// The explanations of one host's keys (all, or the one asked for).
fn explanations<'a>(host: Host<'a>, key: Option<&str>) -> Vec<Explanation<'a>> {
    let data = host.data();
    match key {
        Some(k) => data.explain(k).into_iter().collect(),
        None => data.keys().filter_map(|k| data.explain(k)).collect(),
    }
}

fn print(
    out: &mut impl Write,
    host: Host<'_>,
    explained: &[Explanation<'_>],
    format: TextFormat,
) -> io::Result<()> {
    match format {
        TextFormat::Text => {
            for (i, e) in explained.iter().enumerate() {
                if i > 0 {
                    writeln!(out)?;
                }
                writeln!(
                    out,
                    "{} = {}",
                    inline_key(&e.key),
                    inline_value(e.winner.value)
                )?;
                writeln!(out, "  from {}", e.winner.origin)?;
                for (d, reason) in &e.shadowed {
                    writeln!(out, "  shadows {} from {}", inline_value(d.value), d.origin)?;
                    writeln!(out, "    because {reason}")?;
                }
            }
            Ok(())
        }
        TextFormat::Json => {
            let keys: Vec<Value> = explained
                .iter()
                .map(|e| {
                    json!({
                        "key": e.key,
                        "value": Json(e.winner.value),
                        "origin": origin_json(&e.winner.origin),
                        "shadowed": e.shadowed.iter().map(|(d, r)| json!({
                            "value": Json(d.value),
                            "origin": origin_json(&d.origin),
                            "reason": r.to_string(),
                        })).collect::<Vec<_>>(),
                    })
                })
                .collect();
            write_json(out, &json!({ "host": host.name(), "keys": keys }))
        }
    }
}

/// `{"layer", "rank", "group", "file", "line", "column"}` (also used by
/// `list --origins`), and `"source"` for a value from an external source.
pub fn origin_json(o: &Origin<'_>) -> Value {
    let mut v = json!({
        "layer": o.layer.as_str(),
        "rank": o.layer.rank(),
        "group": o.group,
        "file": o.location.as_ref().map_or(o.source, |l| l.path.as_str()),
        "line": o.location.as_ref().map(|l| l.line),
        "column": o.location.as_ref().map(|l| l.column),
        "inventory_file": o.location.as_ref().map(|l| l.inventory_path.as_str()),
    });
    if let (Some(name), Some(map)) = (o.source_name, v.as_object_mut()) {
        map.insert("source".into(), name.into());
    }
    v
}
