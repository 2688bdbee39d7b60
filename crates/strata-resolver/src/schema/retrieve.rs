//! Retrieving what a schema refers to: nothing outside the schema itself.
//! Every `$ref` must point inside the document; a remote or relative one
//! (and an unknown `$schema`) is refused, never fetched.

use strata_parser::json::{Json, JsonValue};

/// Refuses every schema that is not already in the document: a remote or
/// relative `$ref` (and an unknown `$schema`) is an error, never a fetch.
pub(super) struct Refuse;

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

/// The first `$ref` (or `$schema`) that does not point inside the document.
pub(super) fn remote_ref(doc: &Json) -> Option<&Json> {
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
