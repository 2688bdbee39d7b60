//! Turning resolved data into JSON and TOML, deterministically: keys sorted
//! at every level, TOML datetimes as RFC 3339 strings in JSON.

use std::io::{self, Write};

use serde_json::Value as Json;

/// A TOML value as JSON. Keys are sorted at every level; datetimes become
/// strings; NaN and infinities, which JSON cannot carry, become `null`.
pub fn to_json(v: &toml::Value) -> Json {
    match v {
        toml::Value::String(s) => Json::String(s.clone()),
        toml::Value::Integer(i) => Json::from(*i),
        toml::Value::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
        toml::Value::Boolean(b) => Json::Bool(*b),
        toml::Value::Datetime(d) => Json::String(d.to_string()),
        toml::Value::Array(a) => Json::Array(a.iter().map(to_json).collect()),
        toml::Value::Table(t) => {
            let mut keys: Vec<&String> = t.keys().collect();
            keys.sort();
            Json::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), to_json(&t[k])))
                    .collect(),
            )
        }
    }
}

/// A resolved data view as a JSON object, keys sorted.
pub fn data_json(data: &strata::Data<'_>) -> Json {
    Json::Object(
        data.iter()
            .map(|(k, v)| (k.to_string(), to_json(v)))
            .collect(),
    )
}

/// A TOML value with table keys sorted at every level.
pub fn sorted(v: &toml::Value) -> toml::Value {
    match v {
        toml::Value::Array(a) => toml::Value::Array(a.iter().map(sorted).collect()),
        toml::Value::Table(t) => toml::Value::Table(sorted_table(t)),
        other => other.clone(),
    }
}

/// A table with keys sorted at every level.
pub fn sorted_table(t: &toml::Table) -> toml::Table {
    let mut keys: Vec<&String> = t.keys().collect();
    keys.sort();
    keys.into_iter()
        .map(|k| (k.clone(), sorted(&t[k])))
        .collect()
}

/// Writes JSON followed by a newline.
pub fn write_json(out: &mut impl Write, v: &Json) -> io::Result<()> {
    serde_json::to_writer(&mut *out, v)?;
    out.write_all(b"\n")
}

/// Writes a table as a TOML document.
pub fn write_toml(out: &mut impl Write, t: &toml::Table) -> io::Result<()> {
    let text = toml::to_string(t).map_err(io::Error::other)?;
    out.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_conversion() {
        let doc: toml::Table = r#"
            z = 1
            a = { y = 2, b = [1.5, "s"] }
            when = 1979-05-27T07:32:00Z
            day = 1979-05-27
            nan = nan
        "#
        .parse()
        .unwrap();
        let json = to_json(&toml::Value::Table(doc));
        assert_eq!(
            serde_json::to_string(&json).unwrap(),
            r#"{"a":{"b":[1.5,"s"],"y":2},"day":"1979-05-27","nan":null,"when":"1979-05-27T07:32:00Z","z":1}"#
        );
    }
}
