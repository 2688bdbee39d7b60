//! JSON Schemas for resolved data: `schema/all.json` for every host,
//! `schema/<group>.json` for the hosts of one group.
//!
//! A host's data is validated as the JSON `strata ansible --host` prints,
//! made by the same conversion ([`crate::json`]: keys sorted, TOML
//! datetimes as RFC 3339 strings). A violation points at
//! **where the offending value is defined** (the winning definition, as
//! `explain` shows it) and relates the schema keyword that failed. A
//! violation shared by many hosts from one definition is one diagnostic
//! with a host count and a few names.
//!
//! Schemas follow JSON Schema draft 2020-12, or the draft their `$schema`
//! names. They are compiled once each, and never reach the network or
//! another file: every `$ref` must point inside the schema itself.
//!
//! By concern: [`compile`] turns a schema (in code or a file) into a
//! validator, after [`cost`] bounded what validating with it may cost and
//! with [`retrieve`] refusing every reference outside it; [`validate`]
//! checks every host's data; [`wording`] says what went wrong.
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

mod compile;
mod cost;
mod retrieve;
mod validate;
mod wording;

use strata_parser::FileId;
use strata_parser::Span;
use strata_parser::json::Json;

/// A set of compiled schemas, each for `all` or one group.
#[derive(Default)]
pub struct Schemas {
    pub(super) items: Vec<Compiled>,
}

impl std::fmt::Debug for Schemas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.items.iter().map(|s| &s.display))
            .finish()
    }
}

pub(super) struct Compiled {
    /// `all` or a group's name.
    pub group: String,
    /// `schema/web.json`, or `schema web` for one given in code.
    pub display: String,
    /// The file and its parsed text, for labels; `None` for code.
    pub source: Option<(FileId, Json)>,
    pub validator: jsonschema::Validator,
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
}

/// One violation as found on one host, before grouping.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(super) struct Found {
    pub schema: usize,
    /// JSON pointer of the failing keyword in the schema.
    pub keyword_at: String,
    pub keyword: String,
    /// The top-level key whose definition holds the offending value.
    pub key: Option<String>,
    /// The instance path inside the host's data (`/db/port`).
    pub path: String,
    pub message: String,
    /// For `required`: the missing property.
    pub required: Option<String>,
}

/// The definition an offending value comes from: the address of its data
/// set (its identity) and where the value is written.
#[derive(Clone)]
pub(super) struct DefinedAt {
    pub set: usize,
    pub value: Span,
    /// For a value `strata.toml` merges: which contribution broke it.
    pub merged: Option<std::sync::Arc<MergedAt>>,
}

/// The offending value is (inside) a value `strata.toml` merges: `value`
/// of [`DefinedAt`] is the piece that gave it, or (with `contributions`)
/// the highest contribution to a merged value made of several.
pub(super) struct MergedAt {
    /// The `[merge]` rule of the key.
    pub rule: usize,
    /// `value` points at the nested value itself, not the whole key's.
    pub located: bool,
    /// The path inside the contribution's value of the key.
    pub from: Vec<String>,
    /// The other contributions to a merged value (lower layers, in
    /// precedence order); empty when one piece gave the value.
    pub contributions: Vec<Span>,
}

/// A grouped violation: the definition it comes from and its hosts.
pub(super) struct Group {
    pub found: Found,
    pub definition: Option<DefinedAt>,
    pub hosts: Vec<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Inventory;

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
