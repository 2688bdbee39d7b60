//! The wording of schema problems: a schema that does not compile or costs
//! too much, a schema for no group, a violation with where the offending
//! value is defined, and what a validator error says, cut to a readable
//! length.

use jsonschema::error::ValidationErrorKind;
use strata_parser::json::{Json, JsonValue};
use strata_parser::{Code, Diagnostic, FileId, Label, Span};

use super::retrieve::remote_ref;
use super::{Compiled, DefinedAt, Found, Group, MergedAt, Schemas, cost};
use crate::inventory::Inventory;

/// Longest message taken from the validator before it is cut (a value in
/// a message can be a whole table).
const MAX_MESSAGE: usize = 200;

/// A schema that does not compile, located at the offending part.
pub(super) fn invalid(
    display: &str,
    file: FileId,
    doc: &Json,
    e: &jsonschema::ValidationError<'_>,
) -> Diagnostic {
    let (span, message, help) = match e.kind() {
        ValidationErrorKind::Referencing(_) => {
            let target = remote_ref(doc);
            let message = match target.and_then(Json::as_str) {
                Some(uri) => format!(
                    "{display} refers to `{uri}`, outside the file; strata fetches no schema"
                ),
                None => format!(
                    "{display} is not a valid JSON Schema: {}",
                    cut(&e.to_string())
                ),
            };
            (
                target.map(|j| j.span.clone()),
                message,
                "strata reads nothing outside the inventory and fetches nothing: write the referenced schema under `$defs` and point `$ref` at it (`#/$defs/name`)",
            )
        }
        _ => {
            let at = e.instance_path().as_str();
            let place = if at.is_empty() {
                String::new()
            } else {
                format!(" at `{}`", pretty_path(at))
            };
            // The meta-schema's own wording for a bad `type` is an
            // `anyOf` failure; say what is meant.
            let what = match (at.rsplit('/').next(), e.kind()) {
                (Some("type"), ValidationErrorKind::AnyOf { .. }) => format!(
                    "{} is not a JSON Schema type (array, boolean, integer, null, number, object, string)",
                    cut(&e.instance().to_string())
                ),
                _ => cut(&e.to_string()),
            };
            (
                doc.pointer(at).map(|j| j.span.clone()),
                format!("{display} is not a valid JSON Schema{place}: {what}"),
                "see https://json-schema.org/draft/2020-12/json-schema-validation for the keywords and their values",
            )
        }
    };
    let span = span.unwrap_or(doc.span.start..doc.span.start);
    Diagnostic::error(Code::InvalidSchema, Span::new(file, span), message).with_help(help)
}

/// A schema refused for what validating with it would cost, located at the
/// subschema (or `$ref`) where the count crosses the limit.
pub(super) fn costly(display: &str, file: FileId, doc: &Json, c: &cost::Costly) -> Diagnostic {
    let span = doc
        .pointer(c.at())
        .map_or(doc.span.start..doc.span.start, |j| j.span.clone());
    Diagnostic::error(
        Code::InvalidSchema,
        Span::new(file, span),
        c.message(display),
    )
    .with_label_text(c.label())
    .with_help(c.help())
}

pub(super) fn cut(message: &str) -> String {
    if message.chars().count() <= MAX_MESSAGE {
        return message.to_string();
    }
    let mut s: String = message.chars().take(MAX_MESSAGE).collect();
    s.push('…');
    s
}

impl Inventory {
    pub(super) fn unknown_group(&self, s: &Compiled) -> Diagnostic {
        let near = strata_parser::closest(&s.group, self.groups().map(|g| g.name()));
        let help = match (near, &s.source) {
            (Some(n), Some(_)) => {
                let note = strata_parser::spelling_note(&s.group, n)
                    .map(|n| format!(" {n}"))
                    .unwrap_or_default();
                format!("did you mean schema/{n}.json (group `{n}`)?{note}")
            }
            (Some(n), None) => format!("did you mean group `{n}`?"),
            (None, _) => "name a group of hosts.toml, or use schema/all.json for every host".into(),
        };
        let message = format!(
            "{} names no group of the inventory; it is not applied",
            s.display
        );
        match &s.source {
            Some((file, _)) => {
                Diagnostic::warning(Code::UnknownSchemaGroup, Span::file_start(*file), message)
            }
            None => unlabelled(
                Code::UnknownSchemaGroup,
                message,
                strata_parser::Severity::Warning,
            ),
        }
        .with_help(help)
    }

    pub(super) fn violation(&self, schemas: &Schemas, g: Group) -> Diagnostic {
        let schema = &schemas.items[g.found.schema];
        let f = &g.found;
        let hosts = self.sample(&g.hosts);
        // The failing keyword in the schema file: for `required`, the
        // missing name inside the list.
        let keyword_span = schema.source.as_ref().and_then(|(file, doc)| {
            let at = doc.pointer(&f.keyword_at)?;
            let span = match (&f.required, &at.value) {
                (Some(name), JsonValue::Array(items)) => items
                    .iter()
                    .find(|i| i.as_str() == Some(name))
                    .map_or(at.span.clone(), |i| i.span.clone()),
                _ => at.span.clone(),
            };
            Some(Span::new(*file, span))
        });
        let what = match &f.required {
            Some(name) if f.path.is_empty() => {
                format!("`{name}` is required by {} but missing", schema.display)
            }
            Some(name) => format!(
                "`{name}` is required in `{}` by {} but missing",
                pretty_path(&f.path),
                schema.display
            ),
            None if f.path.is_empty() || f.message.starts_with('`') => {
                format!("{} ({})", f.message, schema.display)
            }
            None => format!(
                "`{}`: {} ({})",
                pretty_path(&f.path),
                f.message,
                schema.display
            ),
        };
        let message = match &f.required {
            Some(_) => format!("{what} on {hosts}"),
            None if what.ends_with(')') => format!("{}, on {hosts})", &what[..what.len() - 1]),
            None => format!("{what} on {hosts}"),
        };
        let keyword_text = format!("the `{}` keyword of {}", f.keyword, schema.display);
        // A value from no file (`--data`, code): say where it comes from,
        // and label the schema instead.
        let (definition, message) = match g.definition {
            Some(d) if self.files.get(d.value.file).is_virtual() => (
                None,
                format!(
                    "{message}; the value comes from {}",
                    self.files.get(d.value.file).name()
                ),
            ),
            other => (other, message),
        };
        let mut d = match (definition, keyword_span) {
            (
                Some(DefinedAt {
                    value,
                    merged: Some(m),
                    ..
                }),
                keyword,
            ) => self.merged_violation(g.hosts[0], f, value, &m, message, keyword, keyword_text),
            (Some(DefinedAt { value, .. }), keyword) => {
                let key = f.key.as_deref().unwrap_or_default();
                // A nested value (`/tls/min_version`): point at it when the
                // file can be re-read, else at the top-level value holding it.
                let inner: Vec<String> = f
                    .path
                    .trim_start_matches('/')
                    .split('/')
                    .skip(1)
                    .map(|s| s.replace("~1", "/").replace("~0", "~"))
                    .collect();
                let nested = (!inner.is_empty())
                    .then(|| {
                        let path: Vec<&str> = inner.iter().map(String::as_str).collect();
                        let text = self.files.get(value.file).text();
                        strata_parser::locate_nested(text, value.range(), &path)
                    })
                    .flatten();
                let (value, text) = match nested {
                    Some(r) => (
                        Span::new(value.file, r),
                        format!("`{}` is defined here", pretty_path(&f.path)),
                    ),
                    None if !inner.is_empty() => (
                        value,
                        format!("`{key}`, which holds the value, is defined here"),
                    ),
                    None => (value, format!("`{key}` is defined here")),
                };
                let mut d = Diagnostic::error(Code::Schema, value, message).with_label_text(text);
                if let Some(k) = keyword {
                    d = d.with_label(k, keyword_text);
                }
                let first = self.host_index.name(g.hosts[0] as usize);
                d.with_help(format!(
                    "fix the value where it is defined, or override it for these hosts; `strata explain {first} {key}` shows every layer that defines it"
                ))
            }
            (None, Some(keyword)) => {
                let text = if f.required.is_some() {
                    "required here".to_string()
                } else {
                    keyword_text
                };
                Diagnostic::error(Code::Schema, keyword, message)
                    .with_label_text(text)
                    .with_help(match &f.required {
                        Some(name) => format!("define `{name}` for these hosts (in group_data/, host_data/ or hosts.toml)"),
                        None => "change the hosts' data, or the schema".to_string(),
                    })
            }
            (None, None) => {
                // A schema given in code: label where the first host is named.
                match self.hosts[g.hosts[0] as usize].span {
                    Some(span) => Diagnostic::error(Code::Schema, span, message)
                        .with_label_text("this host's data does not match"),
                    None => unlabelled(Code::Schema, message, strata_parser::Severity::Error),
                }
            }
        };
        if d.labels
            .first()
            .is_some_and(|l| self.files.get(l.span.file).is_virtual())
            && d.labels.len() == 1
        {
            // Nothing to show in a virtual source: keep the message alone.
            d.labels.clear();
        }
        d
    }

    /// A violation of a value `strata.toml` merges: labelled at the
    /// contribution that gave the offending piece, or, when the offending
    /// value is the merge of several contributions, at each of them.
    #[allow(clippy::too_many_arguments)]
    fn merged_violation(
        &self,
        first_host: u32,
        f: &Found,
        value: Span,
        m: &MergedAt,
        message: String,
        keyword: Option<Span>,
        keyword_text: String,
    ) -> Diagnostic {
        let key = f.key.as_deref().unwrap_or_default();
        let shown = if f.path.is_empty() {
            key.to_string()
        } else {
            pretty_path(&f.path)
        };
        let rule = self
            .merging
            .as_deref()
            .and_then(|mg| mg.rules.rules.get(m.rule));
        let strategy = rule.map_or_else(String::new, |r| format!(" (`{}`)", r.strategy));
        let first = self.host_index.name(first_host as usize);
        let mut d = if m.contributions.is_empty() {
            let mut within = key.to_string();
            for s in &m.from {
                within.push_str(&match s.parse::<usize>() {
                    Ok(i) => format!("[{i}]"),
                    Err(_) => format!(".{s}"),
                });
            }
            let text = if m.located && within != shown {
                format!("`{shown}` of the merged value comes from here (`{within}` in this file)")
            } else if m.located {
                format!("`{shown}` of the merged value comes from here")
            } else {
                format!("`{shown}` of the merged value comes from this definition")
            };
            Diagnostic::error(Code::Schema, value, message)
                .with_label_text(text)
                .with_help(format!(
                    "fix the contribution labelled, or override it for these hosts; `strata explain {first} {key}` shows every piece of the merged value"
                ))
        } else {
            let n = m.contributions.len() + 1;
            let message = format!(
                "{message}; `{shown}` is a merged value{strategy}, made of {n} definitions"
            );
            let mut d = Diagnostic::error(Code::Schema, value, message).with_label_text(format!(
                "the merged `{shown}`: its highest contribution is here"
            ));
            for &c in &m.contributions {
                d = d.with_label(c, "merged with this one");
            }
            if let Some(r) = rule {
                d = d.with_label(
                    r.value_span,
                    format!("`{}` is merged by `{}`", r.pattern, r.strategy),
                );
            }
            d.with_help(format!(
                "the schema checks the merged value: change one of its contributions, or the schema; `strata explain {first} {key}` shows every piece of the merged value"
            ))
        };
        if let Some(k) = keyword {
            d = d.with_label(k, keyword_text);
        }
        d
    }

    /// "`w1`" or "3 hosts: `w1`, `w2`, `w3`" or "1000 hosts: `h1`, `h2`, `h3` and 997 more".
    fn sample(&self, hosts: &[u32]) -> String {
        let names: Vec<String> = hosts
            .iter()
            .take(3)
            .map(|&h| format!("`{}`", self.host_index.name(h as usize)))
            .collect();
        match hosts.len() {
            1 => format!("host {}", names[0]),
            n if n > 3 => format!("{n} hosts: {} and {} more", names.join(", "), n - 3),
            n => format!("{n} hosts: {}", names.join(", ")),
        }
    }
}

pub(super) fn unlabelled(
    code: Code,
    message: String,
    severity: strata_parser::Severity,
) -> Diagnostic {
    Diagnostic {
        severity,
        code,
        message,
        labels: Vec::<Label>::new(),
        help: None,
        fix: None,
    }
}

/// `/db/replicas/0` as `db.replicas[0]`.
pub(super) fn pretty_path(pointer: &str) -> String {
    let mut out = String::new();
    for (i, seg) in pointer.trim_start_matches('/').split('/').enumerate() {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        if i > 0 && seg.parse::<usize>().is_ok() {
            out.push_str(&format!("[{seg}]"));
        } else {
            if i > 0 {
                out.push('.');
            }
            out.push_str(&seg);
        }
    }
    out
}

/// What one validator error says, as one or more [`Found`] (an
/// `additionalProperties` error at the top names each unexpected key,
/// each defined in its own place).
pub(super) fn describe(schema: usize, e: &jsonschema::ValidationError<'_>) -> Vec<Found> {
    let path = e.instance_path().as_str().to_string();
    let top_key = path
        .trim_start_matches('/')
        .split('/')
        .next()
        .filter(|k| !k.is_empty())
        .map(|k| k.replace("~1", "/").replace("~0", "~"));
    let keyword = e.kind().keyword().to_string();
    let base = Found {
        schema,
        keyword_at: e.schema_path().as_str().to_string(),
        keyword: keyword.clone(),
        key: top_key.clone(),
        path: path.clone(),
        message: String::new(),
        required: None,
    };
    match e.kind() {
        ValidationErrorKind::Required { property } => vec![Found {
            required: Some(
                property
                    .as_str()
                    .map_or_else(|| property.to_string(), str::to_string),
            ),
            message: cut(&e.to_string()),
            ..base
        }],
        ValidationErrorKind::AdditionalProperties { unexpected }
        | ValidationErrorKind::UnevaluatedProperties { unexpected }
            if path.is_empty() =>
        {
            unexpected
                .iter()
                .map(|k| Found {
                    key: Some(k.clone()),
                    path: format!("/{}", k.replace('~', "~0").replace('/', "~1")),
                    message: format!("`{k}` is not allowed by `{keyword}`"),
                    ..base.clone()
                })
                .collect()
        }
        // At the top, the instance is the host's whole data: never put it
        // in the message (it differs from host to host and can be long).
        _ if path.is_empty() => vec![Found {
            message: format!("the host's data fails the `{keyword}` keyword"),
            ..base
        }],
        _ => vec![Found {
            message: cut(&e.to_string()),
            ..base
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_read_like_data() {
        let cases = [("/a", "a"), ("/a/b/0", "a.b[0]"), ("/a~1b/c~0d", "a/b.c~d")];
        for (pointer, want) in cases {
            assert_eq!(pretty_path(pointer), want);
        }
    }
}
