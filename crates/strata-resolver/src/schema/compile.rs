//! Compiling schemas, given in code or read from `schema/*.json`: the cost
//! of validating with one is bounded first ([`cost`](super::cost)), then
//! the validator is built with linear-time patterns and no retrieval
//! ([`retrieve`](super::retrieve)).

use std::path::Path;

use strata_parser::json::{Json, JsonValue};
use strata_parser::{Diagnostic, Files, SchemaFile};

use super::cost;
use super::retrieve::Refuse;
use super::wording::{costly, cut, invalid};
use super::{Compiled, SchemaError, Schemas};

/// Compiled size limit of one `pattern` (the `regex` crate's default).
const MAX_REGEX_SIZE: usize = 10 * 1024 * 1024;

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
    // then takes minutes per value ([`cost`](super::cost)). A reference the count
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
    pub fn read(root: &Path, store: &mut Files) -> (Schemas, Vec<Diagnostic>) {
        Schemas::read_overlaid(root, store, &strata_parser::Overlay::default())
    }

    /// [`Schemas::read`], with the texts of `overlay` read instead of the
    /// files they stand for (an editor's unsaved buffers).
    pub fn read_overlaid(
        root: &Path,
        store: &mut Files,
        overlay: &strata_parser::Overlay,
    ) -> (Schemas, Vec<Diagnostic>) {
        let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        let (files, mut diagnostics) = strata_parser::read_schemas_overlaid(&root, store, overlay);
        let mut schemas = Schemas::new();
        for SchemaFile { name, file, doc } in files {
            let Some(doc) = doc else { continue };
            let display = store.get(file).name().to_string();
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

/// A parsed JSON document as a `serde_json` value (the last of duplicate keys wins).
fn to_serde(doc: &Json) -> serde_json::Value {
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
