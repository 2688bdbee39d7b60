//! The one conversion of resolved data to JSON: what `strata list`,
//! `strata host`, `strata ansible` and `strata explain` print, and what
//! schemas validate (`schema/`), so a schema checks the very JSON users
//! see.
//!
//! Keys are sorted at every level, TOML datetimes become RFC 3339 strings,
//! and NaN and infinities (which JSON cannot carry) become `null`.
//!
//! ```
//! use strata_resolver::json::Json;
//!
//! let doc: toml::Table = "b = 1\na = { d = 1979-05-27, c = nan }".parse().unwrap();
//! let value = strata_resolver::Value::from(toml::Value::Table(doc));
//! assert_eq!(
//!     serde_json::to_string(&Json(&value)).unwrap(),
//!     r#"{"a":{"c":null,"d":"1979-05-27"},"b":1}"#
//! );
//! ```

use serde::{Serialize, Serializer};
use strata_parser::Value;

use crate::data::Data;

/// A TOML value serialized as JSON: keys sorted at every level, datetimes
/// as RFC 3339 strings, NaN and infinities as `null`. Serialized directly,
/// without building a JSON tree ([`to_value`] builds one).
pub struct Json<'a>(pub &'a Value);

impl Serialize for Json<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::String(v) => s.serialize_str(v),
            Value::Integer(i) => s.serialize_i64(*i),
            Value::Float(f) if f.is_finite() => s.serialize_f64(*f),
            Value::Float(_) => s.serialize_unit(),
            Value::Boolean(b) => s.serialize_bool(*b),
            Value::Datetime(d) => s.collect_str(d),
            Value::Array(a) => s.collect_seq(a.iter().map(Json)),
            Value::Table(t) => {
                let mut entries: Vec<(&str, &Value)> = t.iter().collect();
                entries.sort_unstable_by_key(|(k, _)| *k);
                s.collect_map(entries.into_iter().map(|(k, v)| (k, Json(v))))
            }
        }
    }
}

/// A host's (or a group's) resolved data as a JSON object, keys sorted
/// ([`Data::iter`] yields them sorted).
pub struct DataJson<'a>(pub &'a Data<'a>);

impl Serialize for DataJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, Json(v))))
    }
}

/// Keys with their values, keys sorted (as [`Data::iter`] yields them),
/// as a JSON object: what [`DataJson`] writes, from pairs collected once.
pub struct PairsJson<'p, 'a>(pub &'p [(&'a str, &'a Value)]);

impl Serialize for PairsJson<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|&(k, v)| (k, Json(v))))
    }
}

/// A value as a JSON tree, as [`Json`] writes it.
pub fn to_value(value: &Value) -> serde_json::Value {
    tree(&Json(value))
}

/// Data as a JSON tree, as [`DataJson`] writes it: what schemas validate.
pub(crate) fn data_to_value(pairs: &[(&str, &Value)]) -> serde_json::Value {
    tree(&PairsJson(pairs))
}

fn tree(v: &impl Serialize) -> serde_json::Value {
    // Writing to a JSON tree fails only for map keys that are not strings,
    // and these keys are TOML keys: strings.
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Any TOML value, floats and datetimes included.
    fn value() -> impl Strategy<Value = toml::Value> {
        let datetimes = prop_oneof![
            Just("1979-05-27T07:32:00Z"),
            Just("1979-05-27T00:32:00.999999-07:00"),
            Just("1979-05-27T07:32:00"),
            Just("1979-05-27"),
            Just("07:32:00.5"),
        ]
        .prop_map(|d| toml::Value::Datetime(d.parse().unwrap()));
        let leaf = prop_oneof![
            any::<String>().prop_map(toml::Value::String),
            any::<i64>().prop_map(toml::Value::Integer),
            any::<f64>().prop_map(toml::Value::Float),
            prop_oneof![
                Just(f64::NAN),
                Just(f64::INFINITY),
                Just(f64::NEG_INFINITY),
                Just(-0.0)
            ]
            .prop_map(toml::Value::Float),
            any::<bool>().prop_map(toml::Value::Boolean),
            datetimes,
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(toml::Value::Array),
                prop::collection::vec((any::<String>(), inner), 0..6)
                    .prop_map(|kv| toml::Value::Table(kv.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// What schemas validate is what output writes, read back.
        #[test]
        fn schemas_see_what_output_writes(v in value()) {
            let v = Value::from(v);
            let written = serde_json::to_vec(&Json(&v)).unwrap();
            let read: serde_json::Value = serde_json::from_slice(&written).unwrap();
            prop_assert_eq!(&read, &to_value(&v));
            // And the tree writes the same bytes.
            prop_assert_eq!(serde_json::to_vec(&to_value(&v)).unwrap(), written);
        }
    }

    #[test]
    fn host_data_as_schemas_see_it_is_what_output_writes() {
        let inv = crate::Inventory::builder()
            .group_with_data(
                "web",
                ["w1"],
                "z = 1\na = { y = 2.5, b = [1, \"s\"] }\nwhen = 1979-05-27T07:32:00Z"
                    .parse()
                    .unwrap(),
            )
            .host_data("w1", "m = \"x\"\nnan = nan".parse().unwrap())
            .build()
            .unwrap();
        let data = inv.host("w1").unwrap().data();
        let written = serde_json::to_vec(&DataJson(&data)).unwrap();
        assert_eq!(
            String::from_utf8(written.clone()).unwrap(),
            r#"{"a":{"b":[1,"s"],"y":2.5},"m":"x","nan":null,"when":"1979-05-27T07:32:00Z","z":1}"#
        );
        let pairs: Vec<(&str, &Value)> = data.iter().collect();
        let read: serde_json::Value = serde_json::from_slice(&written).unwrap();
        assert_eq!(read, data_to_value(&pairs));
    }
}
