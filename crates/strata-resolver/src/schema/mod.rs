//! JSON Schemas for resolved data: `schema/all.json` for every host,
//! `schema/<group>.json` for the hosts of one group.
//!
//! A host's data is validated as the JSON `strata ansible --host` prints
//! (keys sorted, TOML datetimes as RFC 3339 strings). A violation points at
//! **where the offending value is defined** (the winning definition, as
//! `explain` shows it) and relates the schema keyword that failed. A
//! violation shared by many hosts from one definition is one diagnostic
//! with a host count and a few names.
//!
//! Schemas follow JSON Schema draft 2020-12, or the draft their `$schema`
//! names. They are compiled once each, and never reach the network or
//! another file: every `$ref` must point inside the schema itself.
//!
//! ```
//! use strata_resolver::{Code, Inventory, Schemas};
//!
//! let inv = Inventory::builder()
//!     .group_with_data("web", ["w1", "w2"], toml::toml! { app_port = "80" })
//!     .build()
//!     .unwrap();
//! let mut schemas = Schemas::new();
//! schemas
//!     .add("web", &serde_json::json!({
//!         "properties": { "app_port": { "type": "integer" } },
//!         "required": ["app_port"]
//!     }))
//!     .unwrap();
//! let problems = inv.validate(&schemas);
//! assert_eq!(problems.len(), 1); // one definition, two hosts: one diagnostic
//! assert_eq!(problems[0].code, Code::Schema);
//! assert_eq!(
//!     problems[0].message,
//!     "`app_port`: \"80\" is not of type \"integer\" (schema web, on 2 hosts: `w1`, `w2`); \
//!      the value comes from <builder>"
//! );
//! ```

use std::collections::HashMap;
use std::path::Path;

use jsonschema::error::ValidationErrorKind;
use strata_parser::json::{Json, JsonValue};
use strata_parser::{Code, Diagnostic, FileId, Label, SchemaFile, Sources, Span, Value};

mod cost;

use crate::data::DataSet;
use crate::inventory::Inventory;

/// Longest message taken from the validator before it is cut (a value in
/// a message can be a whole table).
const MAX_MESSAGE: usize = 200;

/// Compiled size limit of one `pattern` (the `regex` crate's default).
const MAX_REGEX_SIZE: usize = 10 * 1024 * 1024;

/// A set of compiled schemas, each for `all` or one group.
#[derive(Default)]
pub struct Schemas {
    items: Vec<Compiled>,
}

impl std::fmt::Debug for Schemas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.items.iter().map(|s| &s.display))
            .finish()
    }
}

struct Compiled {
    /// `all` or a group's name.
    group: String,
    /// `schema/web.json`, or `schema web` for one given in code.
    display: String,
    /// The file and its parsed text, for labels; `None` for code.
    source: Option<(FileId, Json)>,
    validator: jsonschema::Validator,
}

/// A schema given in code could not be compiled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("schema {group} is not a valid JSON Schema: {message}")]
pub struct SchemaError {
    /// The group it was meant for.
    pub group: String,
    /// What the compiler said.
    pub message: String,
}

/// Refuses every schema that is not already in the document: a remote or
/// relative `$ref` (and an unknown `$schema`) is an error, never a fetch.
struct Refuse;

impl jsonschema::Retrieve for Refuse {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<serde_json::Value, Box<dyn std::error::Error + Send + Sync>> {
        Err(format!(
            "strata does not fetch schemas ({uri}); every `$ref` must point inside the schema file"
        )
        .into())
    }
}

/// Why a schema did not compile.
enum CompileError {
    /// The crate refused it.
    Invalid(jsonschema::ValidationError<'static>),
    /// Validating with it would cost too much (checked first).
    Costly(cost::Costly),
}

fn compile(schema: &serde_json::Value) -> Result<jsonschema::Validator, CompileError> {
    // What one value costs to check is bounded before compiling: the crate
    // follows `$ref`s lazily, so an exponential schema compiles at once and
    // then takes minutes per value (schema_cost.rs). A reference the count
    // could not follow is left to the compiler to explain.
    let cost = cost::check(schema, Refuse);
    if let Err(e) = &cost
        && !matches!(e, cost::Costly::Unresolved { .. })
    {
        return Err(CompileError::Costly(e.clone()));
    }
    // Patterns run on Rust's `regex` engine: linear time whatever the
    // pattern and the value, so an untrusted schema cannot make a check
    // slow (no look-around or backreferences; such a pattern does not
    // compile, and says so).
    let validator = jsonschema::options()
        .with_retriever(Refuse)
        .with_pattern_options(jsonschema::PatternOptions::regex().size_limit(MAX_REGEX_SIZE))
        .build(schema)
        .map_err(CompileError::Invalid)?;
    // Compiled, yet a reference was not followed: its cost is unknown.
    cost.map_err(CompileError::Costly)?;
    Ok(validator)
}

impl Schemas {
    /// No schemas.
    pub fn new() -> Schemas {
        Schemas::default()
    }

    /// Number of schemas.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when there is none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Adds a schema given in code for `group` (`all` for every host).
    pub fn add(
        &mut self,
        group: impl Into<String>,
        schema: &serde_json::Value,
    ) -> Result<(), SchemaError> {
        let group = group.into();
        let validator = compile(schema).map_err(|e| SchemaError {
            group: group.clone(),
            message: match e {
                CompileError::Invalid(e) => cut(&e.to_string()),
                CompileError::Costly(c) => c.message(&format!("schema {group}")),
            },
        })?;
        self.items.push(Compiled {
            display: format!("schema {group}"),
            group,
            source: None,
            validator,
        });
        Ok(())
    }

    /// Reads and compiles `schema/*.json` of the inventory at `root` into
    /// `sources`. Files that are not JSON or not valid schemas are
    /// diagnostics (located in the file) and are left out.
    pub fn read(root: &Path, sources: &mut Sources) -> (Schemas, Vec<Diagnostic>) {
        let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        let (files, mut diagnostics) = strata_parser::read_schemas(&root, sources);
        let mut schemas = Schemas::new();
        for SchemaFile { name, file, doc } in files {
            let Some(doc) = doc else { continue };
            let display = sources.get(file).name().to_string();
            let value = to_serde(&doc);
            match compile(&value) {
                Ok(validator) => schemas.items.push(Compiled {
                    group: name,
                    display,
                    source: Some((file, doc)),
                    validator,
                }),
                Err(CompileError::Invalid(e)) => {
                    diagnostics.push(invalid(&display, file, &doc, &e));
                }
                Err(CompileError::Costly(c)) => diagnostics.push(costly(&display, file, &doc, &c)),
            }
        }
        (schemas, diagnostics)
    }
}

/// A schema that does not compile, located at the offending part.
fn invalid(
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
fn costly(display: &str, file: FileId, doc: &Json, c: &cost::Costly) -> Diagnostic {
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

/// The first `$ref` (or `$schema`) that does not point inside the document.
fn remote_ref(doc: &Json) -> Option<&Json> {
    match &doc.value {
        JsonValue::Object(members) => members.iter().find_map(|m| {
            let outward = (m.key == "$ref" || m.key == "$dynamicRef" || m.key == "$schema")
                && m.value.as_str().is_some_and(|r| !r.starts_with('#'))
                && !(m.key == "$schema" && known_draft(m.value.as_str().unwrap_or_default()));
            if outward {
                Some(&m.value)
            } else {
                remote_ref(&m.value)
            }
        }),
        JsonValue::Array(items) => items.iter().find_map(remote_ref),
        _ => None,
    }
}

fn known_draft(uri: &str) -> bool {
    uri.trim_end_matches('#')
        .starts_with("http://json-schema.org/")
        || uri.starts_with("https://json-schema.org/")
}

/// A parsed JSON document as a `serde_json` value (the last of duplicate keys wins).
pub(crate) fn to_serde(doc: &Json) -> serde_json::Value {
    use serde_json::Value as V;
    match &doc.value {
        JsonValue::Null => V::Null,
        JsonValue::Bool(b) => V::Bool(*b),
        JsonValue::Integer(i) => V::from(*i),
        JsonValue::Float(f) => serde_json::Number::from_f64(*f).map_or(V::Null, V::Number),
        // A schema's bound beyond i64 (`"maximum": 18446744073709551615`)
        // is read as serde_json reads it: a u64, else the nearest float;
        // beyond the float range it is null, which the schema check refuses.
        JsonValue::OutOfRange(text) => match text.parse::<u64>() {
            Ok(u) => V::from(u),
            Err(_) => text
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map_or(V::Null, V::Number),
        },
        JsonValue::String(s) => V::String(s.clone()),
        JsonValue::Array(items) => V::Array(items.iter().map(to_serde).collect()),
        JsonValue::Object(members) => {
            let mut m = serde_json::Map::new();
            for member in members {
                m.insert(member.key.clone(), to_serde(&member.value));
            }
            V::Object(m)
        }
    }
}

/// A TOML value as the JSON `strata ansible --host` prints: datetimes as
/// RFC 3339 strings, NaN and infinities as `null`.
fn toml_to_json(v: &Value) -> serde_json::Value {
    use serde_json::Value as V;
    match v {
        Value::String(s) => V::String(s.to_string()),
        Value::Integer(i) => V::from(*i),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(V::Null, V::Number),
        Value::Boolean(b) => V::Bool(*b),
        Value::Datetime(d) => V::String(d.to_string()),
        Value::Array(a) => V::Array(a.iter().map(toml_to_json).collect()),
        Value::Table(t) => {
            let mut pairs: Vec<(&str, &Value)> = t.iter().collect();
            pairs.sort_unstable_by_key(|(k, _)| *k);
            V::Object(
                pairs
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), toml_to_json(v)))
                    .collect(),
            )
        }
    }
}

fn cut(message: &str) -> String {
    if message.chars().count() <= MAX_MESSAGE {
        return message.to_string();
    }
    let mut s: String = message.chars().take(MAX_MESSAGE).collect();
    s.push('…');
    s
}

/// One violation as found on one host, before grouping.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Found {
    schema: usize,
    /// JSON pointer of the failing keyword in the schema.
    keyword_at: String,
    keyword: String,
    /// The top-level key whose definition holds the offending value.
    key: Option<String>,
    /// The instance path inside the host's data (`/db/port`).
    path: String,
    message: String,
    /// For `required`: the missing property.
    required: Option<String>,
}

/// The definition an offending value comes from: the address of its data
/// set (its identity) and where the value is written.
#[derive(Clone, Copy)]
struct DefinedAt {
    set: usize,
    value: Span,
}

/// What one host's data breaks: each violation with its definition.
type Violations = std::sync::Arc<Vec<(Found, Option<DefinedAt>)>>;

/// Violations found on data made of given definitions, for given schemas.
type Memo = HashMap<(Vec<usize>, Vec<usize>), Violations>;

/// A host (by index) and what its data breaks.
type HostViolations = (u32, Violations);

/// A grouped violation: the definition it comes from and its hosts.
struct Group {
    found: Found,
    definition: Option<DefinedAt>,
    hosts: Vec<u32>,
}

impl Inventory {
    /// Reads and compiles the `schema/` folder of the inventory's root
    /// (nothing for an inventory built in code). The schema files join
    /// [`Inventory::sources`], so diagnostics can label them.
    pub fn read_schemas(&mut self) -> (Schemas, Vec<Diagnostic>) {
        match self.root.clone() {
            Some(root) => Schemas::read(&root, &mut self.sources),
            None => (Schemas::new(), Vec::new()),
        }
    }

    /// Validates every host's resolved data against `schemas`: `all` for
    /// every host, a group's schema for that group's hosts. Returns one
    /// [`Code::Schema`] error per distinct violation (a violation shared by
    /// many hosts from one definition is one diagnostic), and a
    /// [`Code::UnknownSchemaGroup`] warning for a schema whose group does
    /// not exist.
    ///
    /// Each schema is compiled once; hosts whose data comes from the same
    /// definitions are validated once.
    pub fn validate(&self, schemas: &Schemas) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        // Schemas per group id; `all` applies to everyone.
        let mut for_group: HashMap<u32, Vec<usize>> = HashMap::new();
        let mut for_all = Vec::new();
        for (i, s) in schemas.items.iter().enumerate() {
            if s.group == "all" {
                for_all.push(i);
            } else if let Some(&g) = self.group_index.get(&s.group) {
                for_group.entry(g).or_default().push(i);
            } else if self.groups_complete {
                out.push(self.unknown_group(s));
            }
        }
        if for_all.is_empty() && for_group.is_empty() {
            return out;
        }

        // Hosts are validated in parallel, in contiguous runs; grouping then
        // goes through the results in host order.
        let found = |range: std::ops::Range<usize>| {
            self.violations_of(schemas, &for_all, &for_group, range)
        };
        let n = self.hosts.len();
        let threads = std::thread::available_parallelism()
            .map_or(1, |t| t.get())
            .min(8);
        let results: Vec<HostViolations> = if threads == 1 || n < 2048 {
            found(0..n)
        } else {
            let per = n.div_ceil(threads);
            std::thread::scope(|scope| {
                let handles: Vec<_> = (0..threads)
                    .map(|t| {
                        let range = (t * per).min(n)..((t + 1) * per).min(n);
                        scope.spawn(move || found(range))
                    })
                    .collect();
                handles
                    .into_iter()
                    .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                    .collect()
            })
        };
        let mut groups: Vec<Group> = Vec::new();
        let mut index: HashMap<(Found, Option<usize>), usize> = HashMap::new();
        for (host, list) in results {
            for (f, definition) in list.iter() {
                let id = (f.clone(), definition.map(|d| d.set));
                let i = *index.entry(id).or_insert_with(|| {
                    groups.push(Group {
                        found: f.clone(),
                        definition: *definition,
                        hosts: Vec::new(),
                    });
                    groups.len() - 1
                });
                groups[i].hosts.push(host);
            }
        }
        out.extend(groups.into_iter().map(|g| self.violation(schemas, g)));
        out
    }

    /// The violations of the hosts in `range` (by index), for the hosts
    /// that have any. Hosts whose data comes from the same definitions
    /// share one validation (and one list).
    fn violations_of(
        &self,
        schemas: &Schemas,
        for_all: &[usize],
        for_group: &HashMap<u32, Vec<usize>>,
        range: std::ops::Range<usize>,
    ) -> Vec<HostViolations> {
        let mut memo: Memo = HashMap::new();
        let mut out = Vec::new();
        for i in range {
            let host = self.host_by_id(i as u32);
            let mut applicable = for_all.to_vec();
            for &g in &self.host_groups[i] {
                if let Some(s) = for_group.get(&g) {
                    applicable.extend(s);
                }
            }
            if applicable.is_empty() {
                continue;
            }
            let data = host.data();
            let pairs: Vec<(&str, &Value)> = data.iter().collect();
            let fingerprint: Vec<usize> = pairs
                .iter()
                .map(|(_, v)| *v as *const Value as usize)
                .collect();
            let key = (fingerprint, applicable);
            let list = match memo.get(&key) {
                Some(list) => list.clone(),
                None => {
                    let instance = serde_json::Value::Object(
                        pairs
                            .iter()
                            .map(|(k, v)| (k.to_string(), toml_to_json(v)))
                            .collect(),
                    );
                    let mut found = Vec::new();
                    for &s in &key.1 {
                        // Most hosts pass: the quick yes/no first, the errors
                        // (with their paths and messages) only for those that fail.
                        let validator = &schemas.items[s].validator;
                        if validator.is_valid(&instance) {
                            continue;
                        }
                        for e in validator.iter_errors(&instance) {
                            for f in describe(s, &e) {
                                let definition = f.key.as_deref().and_then(|k| {
                                    data.sets_defining(k).next().map(|(set, entry)| DefinedAt {
                                        set: set as *const DataSet as usize,
                                        value: entry.value_span,
                                    })
                                });
                                found.push((f, definition));
                            }
                        }
                    }
                    let list = std::sync::Arc::new(found);
                    // A host with layers of its own (a host file, inline
                    // data, a connector) rarely shares its data with
                    // another: remembering it would only cost memory.
                    if self.hosts[i].own.is_empty() {
                        memo.insert(key, list.clone());
                    }
                    list
                }
            };
            if !list.is_empty() {
                out.push((i as u32, list));
            }
        }
        out
    }

    fn unknown_group(&self, s: &Compiled) -> Diagnostic {
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

    fn violation(&self, schemas: &Schemas, g: Group) -> Diagnostic {
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
            Some(d) if self.sources.get(d.value.file).is_virtual() => (
                None,
                format!(
                    "{message}; the value comes from {}",
                    self.sources.get(d.value.file).name()
                ),
            ),
            other => (other, message),
        };
        let mut d = match (definition, keyword_span) {
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
                        let text = self.sources.get(value.file).text();
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
            .is_some_and(|l| self.sources.get(l.span.file).is_virtual())
            && d.labels.len() == 1
        {
            // Nothing to show in a virtual source: keep the message alone.
            d.labels.clear();
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

fn unlabelled(code: Code, message: String, severity: strata_parser::Severity) -> Diagnostic {
    Diagnostic {
        severity,
        code,
        message,
        labels: Vec::<Label>::new(),
        help: None,
    }
}

/// `/db/replicas/0` as `db.replicas[0]`.
fn pretty_path(pointer: &str) -> String {
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
fn describe(schema: usize, e: &jsonschema::ValidationError<'_>) -> Vec<Found> {
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

    #[test]
    fn remote_references_are_refused_without_a_fetch() {
        // (schema, what the error says)
        let cases = [
            (
                serde_json::json!({"$ref": "https://example.com/s.json"}),
                "strata does not fetch schemas",
            ),
            (
                serde_json::json!({"$ref": "file:///etc/passwd"}),
                "strata does not fetch schemas",
            ),
            (
                serde_json::json!({"$schema": "https://example.com/meta", "type": "object"}),
                "Unknown meta-schema",
            ),
            // No base URI to resolve against: refused before any retrieval.
            (
                serde_json::json!({"properties": {"a": {"$ref": "other.json"}}}),
                "other.json",
            ),
        ];
        for (schema, want) in cases {
            let err = Schemas::new().add("all", &schema).unwrap_err();
            assert!(err.message.contains(want), "{schema}: {err}");
        }
        // A reference inside the document is fine.
        let local = serde_json::json!({"$defs": {"p": {"type": "integer"}}, "properties": {"a": {"$ref": "#/$defs/p"}}});
        Schemas::new().add("all", &local).unwrap();
    }

    #[test]
    fn patterns_run_in_linear_time() {
        // A classic catastrophic-backtracking pattern: linear with `regex`.
        let mut s = Schemas::new();
        s.add(
            "all",
            &serde_json::json!({"properties": {"v": {"pattern": "^(a+)+$"}}}),
        )
        .unwrap();
        let long = format!("{}!", "a".repeat(10_000));
        let inv = Inventory::builder()
            .group_with_data("g", ["h"], toml::toml! { v = long })
            .build()
            .unwrap();
        assert_eq!(inv.validate(&s).len(), 1);
        // Backreferences need backtracking: refused at compile time.
        let err = Schemas::new()
            .add(
                "all",
                &serde_json::json!({"properties": {"v": {"pattern": "(a)\\1"}}}),
            )
            .unwrap_err();
        assert!(err.message.contains("is not a \"regex\""), "{err}");
    }

    #[test]
    fn drafts_named_by_schema_are_honoured() {
        // Draft 4: exclusiveMaximum is a boolean beside maximum.
        let d4 = serde_json::json!({
            "$schema": "http://json-schema.org/draft-04/schema#",
            "properties": {"n": {"maximum": 5, "exclusiveMaximum": true}}
        });
        let inv = Inventory::builder()
            .group_with_data("g", ["h"], toml::toml! { n = 5 })
            .build()
            .unwrap();
        let mut s = Schemas::new();
        s.add("all", &d4).unwrap();
        let d = inv.validate(&s);
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(
            d[0].message
                .contains("greater than or equal to the maximum of 5"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn identical_data_is_validated_once_per_definition() {
        let inv = Inventory::builder()
            .group_with_data("web", ["w[1:500]"], toml::toml! { port = "80" })
            .host_data("w7", toml::toml! { port = "81" })
            .build()
            .unwrap();
        let mut s = Schemas::new();
        s.add("all", &serde_json::json!({"properties": {"port": {"type": "integer"}}, "required": ["owner"]}))
            .unwrap();
        let d = inv.validate(&s);
        let messages: Vec<&str> = d.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "`owner` is required by schema all but missing on 500 hosts: `w1`, `w2`, `w3` and 497 more",
                "`port`: \"80\" is not of type \"integer\" (schema all, on 499 hosts: `w1`, `w2`, `w3` and 496 more); the value comes from <builder>",
                "`port`: \"81\" is not of type \"integer\" (schema all, on host `w7`); the value comes from <builder>",
            ]
        );
    }
}
