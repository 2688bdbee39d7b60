//! `strata explain NAME [KEY]`: each key's winner, what it shadows, and why.

use std::io::{self, Write};

use serde_json::{Value, json};
use strata::{Data, Explanation, Host, Merged, Origin, Piece};

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
                if let Some(m) = &e.merged {
                    print_merged(out, &e.key, m)?;
                    continue;
                }
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
                    let mut v = json!({
                        "key": e.key,
                        "value": Json(e.winner.value),
                        "origin": origin_json(&e.winner.origin),
                        "shadowed": e.shadowed.iter().map(|(d, r)| json!({
                            "value": Json(d.value),
                            "origin": origin_json(&d.origin),
                            "reason": r.to_string(),
                        })).collect::<Vec<_>>(),
                    });
                    if let (Some(m), Some(map)) = (&e.merged, v.as_object_mut()) {
                        map.insert("merged".into(), merged_json(m));
                    }
                    v
                })
                .collect();
            write_json(out, &json!({ "host": host.name(), "keys": keys }))
        }
    }
}

/// A merged value: its strategy and rule, each piece with its origin, in
/// the order they were merged, then what higher layers replaced or knocked
/// out.
fn print_merged(out: &mut impl Write, key: &str, m: &Merged<'_>) -> io::Result<()> {
    match &m.rule {
        Some(at) => writeln!(
            out,
            "  merged by `{}` (strata.toml's `{}`, {at})",
            m.strategy, m.pattern
        )?,
        None => writeln!(out, "  merged by `{}` (`{}`)", m.strategy, m.pattern)?,
    }
    for p in &m.pieces {
        writeln!(
            out,
            "  {} = {} from {}",
            shown_path(key, &p.path),
            inline_value(p.value),
            p.origin
        )?;
    }
    for d in &m.dropped {
        let verb = if d.knocked_out {
            "knocks out"
        } else {
            "replaces"
        };
        writeln!(
            out,
            "  {verb} {} = {} from {}",
            shown_path(key, &d.path),
            inline_value(d.value),
            d.origin
        )?;
        writeln!(out, "    by {}", d.by)?;
    }
    Ok(())
}

/// `sysctl."vm.swappiness"`, `packages[2]`.
pub fn shown_path(key: &str, path: &[String]) -> String {
    let mut s = inline_key(key);
    for seg in path {
        match seg.parse::<usize>() {
            Ok(i) if seg.bytes().all(|b| b.is_ascii_digit()) => s.push_str(&format!("[{i}]")),
            _ => {
                s.push('.');
                s.push_str(&inline_key(seg));
            }
        }
    }
    s
}

fn merged_json(m: &Merged<'_>) -> Value {
    json!({
        "strategy": m.strategy.as_str(),
        "rule": m.pattern,
        "pieces": m.pieces.iter().map(|p| json!({
            "path": p.path,
            "value": Json(p.value),
            "origin": origin_json(&p.origin),
        })).collect::<Vec<_>>(),
        "dropped": m.dropped.iter().map(|d| json!({
            "path": d.path,
            "value": Json(d.value),
            "origin": origin_json(&d.origin),
            "by": origin_json(&d.by),
            "knocked_out": d.knocked_out,
        })).collect::<Vec<_>>(),
    })
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

/// The origin of `key` as `list --origins` gives it: [`origin_json`] of
/// its winner (of the highest contribution, for a merged value) and, for a
/// value `strata.toml` merges, `"pieces"`: every piece's path and origin, a
/// table before what it holds (docs/cli.md).
pub fn key_origin_json(data: &Data<'_>, key: &str) -> Option<Value> {
    let mut v = origin_json(&data.origin(key)?);
    if let (Some(pieces), Some(value), Some(map)) =
        (data.pieces(key), data.get(key), v.as_object_mut())
    {
        let pieces = pieces
            .iter()
            .map(|p| json!({ "path": path_json(value, p), "origin": origin_json(&p.origin) }))
            .collect::<Vec<_>>();
        map.insert("pieces".into(), Value::Array(pieces));
    }
    Some(v)
}

/// A piece's path as `--datetime-paths` writes paths: table keys as
/// strings, array indices as integers (a table key may be `"0"`, so the
/// value says which).
fn path_json(value: &strata::Value, piece: &Piece<'_>) -> Value {
    let mut at = Some(value);
    Value::Array(
        piece
            .path
            .iter()
            .map(|seg| match at {
                Some(strata::Value::Array(items)) => {
                    let i = seg.parse::<usize>().ok();
                    at = i.and_then(|i| items.get(i));
                    i.map_or_else(|| Value::from(seg.as_str()), Value::from)
                }
                Some(strata::Value::Table(t)) => {
                    at = t.get(seg);
                    Value::from(seg.as_str())
                }
                _ => {
                    at = None;
                    Value::from(seg.as_str())
                }
            })
            .collect(),
    )
}
