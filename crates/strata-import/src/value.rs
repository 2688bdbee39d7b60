//! A tool's JSON value as a TOML value, without changing it: every JSON
//! string stays a string (`"05"`, `"1.10"`, `"true"`), an integer stays an
//! integer, a float a float, a table a table (vault and unsafe one-key
//! tables included, unchanged). What has no TOML form (a `null` inside an
//! array or table, an integer outside i64) is a [`Problem`].

use serde_json::Value;

use crate::model::Problem;

/// The marker a reader rewrites an integer outside i64 into before
/// serde_json parses it (which would make it a float): a one-key table
/// `{"__strata_import_big_integer": "<digits>"}`, reported here.
pub const BIG_INTEGER: &str = "__strata_import_big_integer";

/// `value` as TOML, or the problems of the parts that have no TOML form
/// (`subject` and `key` name where it is defined).
pub fn to_toml(value: &Value, subject: &str, key: &str) -> Result<toml::Value, Vec<Problem>> {
    let mut problems = Vec::new();
    let converted = convert(value, subject, key, 1, &mut problems);
    match converted {
        Some(v) if problems.is_empty() => Ok(v),
        _ => Err(problems),
    }
}

/// The float a `{"__float": "nan" | "-nan" | "inf" | "-inf"}` table
/// stands for (JSON has no NaN or infinity; TOML has them:
/// [`FLOAT_KEY`](crate::model::FLOAT_KEY)).
pub fn special_float(value: &Value) -> Option<f64> {
    let Value::Object(map) = value else {
        return None;
    };
    if map.len() != 1 {
        return None;
    }
    match map.get(crate::model::FLOAT_KEY)?.as_str()? {
        "nan" => Some(f64::NAN),
        "-nan" => Some(-f64::NAN),
        "inf" => Some(f64::INFINITY),
        "-inf" => Some(f64::NEG_INFINITY),
        _ => None,
    }
}

/// Whether `value` is, or holds, an integer outside i64.
pub fn big_integer(value: &Value) -> Option<&str> {
    let Value::Object(map) = value else {
        return None;
    };
    match (map.len(), map.get(BIG_INTEGER)) {
        (1, Some(Value::String(digits))) => Some(digits),
        _ => None,
    }
}

fn convert(
    value: &Value,
    subject: &str,
    path: &str,
    depth: usize,
    problems: &mut Vec<Problem>,
) -> Option<toml::Value> {
    let problem = |message: String| Problem {
        subject: subject.to_string(),
        key: Some(path.to_string()),
        message,
    };
    if depth > strata::MAX_DEPTH {
        problems.push(problem(format!(
            "values nested more than {} levels deep are refused by strata",
            strata::MAX_DEPTH
        )));
        return None;
    }
    Some(match value {
        Value::Null => {
            problems.push(problem(
                "a null inside an array or table has no TOML form (strata has no null)".into(),
            ));
            return None;
        }
        Value::Bool(b) => toml::Value::Boolean(*b),
        Value::String(s) => toml::Value::String(s.clone()),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                toml::Value::Integer(i)
            } else if n.is_u64() {
                problems.push(problem(format!(
                    "the integer {n} is outside TOML's integers (64-bit signed)"
                )));
                return None;
            } else {
                match n.as_f64() {
                    Some(f) => toml::Value::Float(f),
                    None => {
                        problems.push(problem(format!("the number {n} has no TOML form")));
                        return None;
                    }
                }
            }
        }
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                if let Some(v) =
                    convert(item, subject, &format!("{path}[{i}]"), depth + 1, problems)
                {
                    out.push(v);
                }
            }
            toml::Value::Array(out)
        }
        Value::Object(map) => {
            if let Some(f) = special_float(value) {
                return Some(toml::Value::Float(f));
            }
            if let Some(digits) = big_integer(value) {
                problems.push(problem(format!(
                    "the integer {digits} is outside TOML's integers (64-bit signed)"
                )));
                return None;
            }
            let mut out = toml::Table::new();
            for (k, v) in map {
                if let Some(v) = convert(
                    v,
                    subject,
                    &format!("{path}.{}", dotted(k)),
                    depth + 1,
                    problems,
                ) {
                    out.insert(k.clone(), v);
                }
            }
            toml::Value::Table(out)
        }
    })
}

/// A key in a dotted path, quoted when it is not a bare word.
fn dotted(key: &str) -> String {
    if !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        key.to_string()
    } else {
        format!("{key:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Every value written as TOML and read back is the value it was.
    #[test]
    fn values_round_trip_through_toml_text() {
        let values = json!({
            "zero_five": "05", "version": "1.10", "yes": true, "yes_text": "true",
            "int": 9223372036854775807i64, "neg": -9223372036854775807i64 - 1, "float": 1.5, "whole_float": 2.0,
            "nested": {"a": {"b": {"c": [1, "2", {"d": []}]}}},
            "empty_table": {}, "empty_array": [], "mixed": [1, "a", true, 1.5, {"x": 1}],
            "vault": {"__ansible_vault": "$ANSIBLE_VAULT;1.1;AES256\n3435\n"},
            "unsafe": {"__ansible_unsafe": "{{ not templated }}"},
            "multi": "line1\nline2\t\"quoted\" \\ \u{1b}", "dotted.key": 1, "": "empty key",
            "date_like": "1979-05-27T07:32:00Z", "jinja": "{{ x }}"
        });
        let mut table = toml::Table::new();
        for (k, v) in values.as_object().unwrap() {
            table.insert(k.clone(), to_toml(v, "t", k).unwrap());
        }
        let text = toml::to_string(&table).unwrap();
        let back: toml::Table = text.parse().unwrap();
        assert_eq!(back, table, "{text}");
        for (k, v) in values.as_object().unwrap() {
            let json = serde_json::to_value(&back[k]).unwrap();
            assert_eq!(&json, v, "{k}");
        }
        assert!(matches!(back["zero_five"], toml::Value::String(_)));
        assert!(matches!(back["whole_float"], toml::Value::Float(_)));
        assert!(matches!(back["int"], toml::Value::Integer(_)));
    }

    /// strata refuses values nested deeper than `MAX_DEPTH`: so does
    /// import, before writing; the deepest value strata takes loads.
    #[test]
    fn nesting_strata_refuses_is_a_problem() {
        let nest = |n: usize| {
            let mut v = json!(1);
            for _ in 1..n {
                v = json!([v]);
            }
            v
        };
        assert!(to_toml(&nest(strata::MAX_DEPTH + 1), "s", "k").is_err());
        let deepest = to_toml(&nest(strata::MAX_DEPTH), "s", "k").unwrap();
        let mut table = toml::Table::new();
        table.insert("k".into(), deepest);
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("hosts.toml"), "web = [\"w1\"]\n").unwrap();
        std::fs::create_dir(dir.path().join("group_data")).unwrap();
        std::fs::write(
            dir.path().join("group_data/all.toml"),
            toml::to_string(&table).unwrap(),
        )
        .unwrap();
        let inventory = strata::Inventory::load(dir.path()).unwrap();
        assert!(inventory.host("w1").unwrap().data().get("k").is_some());
    }

    #[test]
    fn what_toml_cannot_hold_is_a_problem_at_its_path() {
        let bad = json!({"a": [1, null], "b": {"c": {BIG_INTEGER: "99999999999999999999"}}});
        let problems = to_toml(&bad, "group `web`", "k").unwrap_err();
        let keys: Vec<_> = problems.iter().map(|p| p.key.clone().unwrap()).collect();
        assert_eq!(keys, ["k.a[1]", "k.b.c"]);
        assert!(problems[1].message.contains("99999999999999999999"));
        let u64_only = json!(18446744073709551615u64);
        assert!(to_toml(&u64_only, "s", "k").is_err());
    }
}
