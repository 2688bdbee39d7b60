//! Data values, stored compactly.
//!
//! Every definition of a large inventory holds one value, so their size is
//! most of the memory a load takes: 100,000 host files of five keys are half
//! a million values. [`Value`] is 24 bytes (a `toml::Value` with ordered
//! tables is 80); strings of up to 24 bytes are stored inline, without an
//! allocation; arrays and tables are exact-size boxed slices.
//!
//! Values come from TOML (`toml::Value` converts with [`From`]) and from
//! JSON sources, and go back to TOML with [`Value::to_toml`].

use std::fmt;

use compact_str::CompactString;
pub use toml::value::Datetime;

/// A data value: what TOML can write.
///
/// ```
/// use strata_parser::Value;
///
/// let v = Value::from(toml::toml! {
///     port = 8080
///     tags = ["a", "b"]
/// });
/// let t = v.as_table().unwrap();
/// assert_eq!(t.get("port").and_then(Value::as_integer), Some(8080));
/// assert_eq!(t.get("tags").unwrap().as_array().unwrap().len(), 2);
/// assert_eq!(v.to_toml()["tags"][1].as_str(), Some("b"));
/// ```
#[derive(Clone, Debug)]
pub enum Value {
    /// A string.
    String(Text),
    /// A 64-bit signed integer.
    Integer(i64),
    /// A 64-bit float.
    Float(f64),
    /// A boolean.
    Boolean(bool),
    /// An offset or local date-time, date or time.
    Datetime(Box<Datetime>),
    /// An array.
    Array(Box<[Value]>),
    /// A table, its keys in the order they are written.
    Table(Table),
}

// Half a million of these at 100,000 hosts: keep them at three words.
const _: () = assert!(std::mem::size_of::<Value>() == 24);

/// An immutable string that keeps up to 24 bytes inline.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Text(CompactString);

impl Text {
    /// The string.
    #[inline]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    #[inline]
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Text {
    #[inline]
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Text {
    #[inline]
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self)
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text(CompactString::from(s))
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        // Short strings move inline and free their allocation.
        Text(CompactString::from(s))
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// A table: keys in the order they are written, looked up by hash (a
/// table from a JSON source may have many keys). Tables are equal when they
/// hold the same keys with equal values, in any order, as TOML sees them.
#[derive(Clone, Default, PartialEq)]
pub struct Table(Box<indexmap::IndexMap<Text, Value>>);

impl Table {
    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key)
    }

    /// True when the table has `key`.
    pub fn contains_key(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }

    /// Keys and values in the order they are written.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &Value)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Keys in the order they are written.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &str> {
        self.0.keys().map(Text::as_str)
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when the table has no key.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The table as a `toml::Table`.
    pub fn to_toml(&self) -> toml::Table {
        self.0
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_toml()))
            .collect()
    }
}

impl fmt::Debug for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl FromIterator<(Text, Value)> for Table {
    /// Later keys replace earlier equal ones, in the earlier one's place.
    fn from_iter<I: IntoIterator<Item = (Text, Value)>>(iter: I) -> Table {
        let mut map: indexmap::IndexMap<Text, Value> = iter.into_iter().collect();
        map.shrink_to_fit();
        Table(Box::new(map))
    }
}

impl Value {
    /// The string, for a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The integer, for an integer.
    pub fn as_integer(&self) -> Option<i64> {
        match self {
            Value::Integer(i) => Some(*i),
            _ => None,
        }
    }

    /// The float, for a float.
    pub fn as_float(&self) -> Option<f64> {
        match self {
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// The boolean, for a boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Boolean(b) => Some(*b),
            _ => None,
        }
    }

    /// The datetime, for a datetime.
    pub fn as_datetime(&self) -> Option<&Datetime> {
        match self {
            Value::Datetime(d) => Some(d),
            _ => None,
        }
    }

    /// The items, for an array.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The table, for a table.
    pub fn as_table(&self) -> Option<&Table> {
        match self {
            Value::Table(t) => Some(t),
            _ => None,
        }
    }

    /// The value of `key`, for a table that has it.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_table()?.get(key)
    }

    /// True when both values have the same type.
    pub fn same_type(&self, other: &Value) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }

    /// True for a string.
    pub fn is_str(&self) -> bool {
        matches!(self, Value::String(_))
    }

    /// True for an array.
    pub fn is_array(&self) -> bool {
        matches!(self, Value::Array(_))
    }

    /// True for a table.
    pub fn is_table(&self) -> bool {
        matches!(self, Value::Table(_))
    }

    /// The type's name as TOML says it: `string`, `integer`, `float`,
    /// `boolean`, `datetime`, `array` or `table`.
    pub fn type_str(&self) -> &'static str {
        match self {
            Value::String(_) => "string",
            Value::Integer(_) => "integer",
            Value::Float(_) => "float",
            Value::Boolean(_) => "boolean",
            Value::Datetime(_) => "datetime",
            Value::Array(_) => "array",
            Value::Table(_) => "table",
        }
    }

    /// The value as a `toml::Value` (a copy).
    pub fn to_toml(&self) -> toml::Value {
        match self {
            Value::String(s) => toml::Value::String(s.to_string()),
            Value::Integer(i) => toml::Value::Integer(*i),
            Value::Float(f) => toml::Value::Float(*f),
            Value::Boolean(b) => toml::Value::Boolean(*b),
            Value::Datetime(d) => toml::Value::Datetime(**d),
            Value::Array(a) => toml::Value::Array(a.iter().map(Value::to_toml).collect()),
            Value::Table(t) => toml::Value::Table(t.to_toml()),
        }
    }
}

/// Equal as TOML values are: floats by `==` (so NaN is not equal to
/// itself), tables in any key order.
impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Integer(a), Value::Integer(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a == b,
            (Value::Boolean(a), Value::Boolean(b)) => a == b,
            (Value::Datetime(a), Value::Datetime(b)) => a == b,
            (Value::Array(a), Value::Array(b)) => a == b,
            (Value::Table(a), Value::Table(b)) => a == b,
            _ => false,
        }
    }
}

/// A value equals a `toml::Value` that holds the same data.
impl PartialEq<toml::Value> for Value {
    fn eq(&self, other: &toml::Value) -> bool {
        match (self, other) {
            (Value::String(a), toml::Value::String(b)) => a.as_str() == b,
            (Value::Integer(a), toml::Value::Integer(b)) => a == b,
            (Value::Float(a), toml::Value::Float(b)) => a == b,
            (Value::Boolean(a), toml::Value::Boolean(b)) => a == b,
            (Value::Datetime(a), toml::Value::Datetime(b)) => **a == *b,
            (Value::Array(a), toml::Value::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
            }
            (Value::Table(a), toml::Value::Table(b)) => {
                a.len() == b.len() && b.iter().all(|(k, v)| a.get(k).is_some_and(|x| x == v))
            }
            _ => false,
        }
    }
}

impl PartialEq<Value> for toml::Value {
    fn eq(&self, other: &Value) -> bool {
        other == self
    }
}

/// TOML's inline form: `"a"`, `[1, 2]`, `{ k = true }`.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.to_toml(), f)
    }
}

/// `d` with its seconds written out: TOML 1.1's `07:32` (alone or in a
/// date-time) is `07:32:00`, the RFC 3339 form JSON output promises and
/// the only one TOML 1.0 readers (Python's `tomllib`) accept. Every
/// datetime strata reads goes through here, so every output agrees.
pub fn with_seconds(mut d: Datetime) -> Datetime {
    if let Some(t) = d.time.as_mut()
        && t.second.is_none()
    {
        t.second = Some(0);
        t.nanosecond = None;
    }
    d
}

impl From<toml::Value> for Value {
    fn from(v: toml::Value) -> Value {
        match v {
            toml::Value::String(s) => Value::String(s.into()),
            toml::Value::Integer(i) => Value::Integer(i),
            toml::Value::Float(f) => Value::Float(f),
            toml::Value::Boolean(b) => Value::Boolean(b),
            toml::Value::Datetime(d) => Value::Datetime(Box::new(with_seconds(d))),
            toml::Value::Array(a) => Value::Array(a.into_iter().map(Value::from).collect()),
            toml::Value::Table(t) => Value::Table(t.into()),
        }
    }
}

impl From<toml::Table> for Table {
    fn from(t: toml::Table) -> Table {
        t.into_iter()
            .map(|(k, v)| (Text::from(k), Value::from(v)))
            .collect()
    }
}

impl From<toml::Table> for Value {
    fn from(t: toml::Table) -> Value {
        Value::Table(t.into())
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.into())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s.into())
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Integer(i)
    }
}

impl From<i32> for Value {
    fn from(i: i32) -> Value {
        Value::Integer(i.into())
    }
}

impl From<u32> for Value {
    fn from(i: u32) -> Value {
        Value::Integer(i.into())
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Value {
        Value::Float(f)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Boolean(b)
    }
}

impl From<Vec<Value>> for Value {
    fn from(items: Vec<Value>) -> Value {
        Value::Array(items.into_boxed_slice())
    }
}

impl From<Table> for Value {
    fn from(t: Table) -> Value {
        Value::Table(t)
    }
}

/// Serializes as JSON would write it: a datetime as its TOML text, tables
/// in the order they are written.
impl serde::Serialize for Value {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::String(v) => s.serialize_str(v),
            Value::Integer(i) => s.serialize_i64(*i),
            Value::Float(f) => s.serialize_f64(*f),
            Value::Boolean(b) => s.serialize_bool(*b),
            Value::Datetime(d) => s.collect_str(d),
            Value::Array(a) => s.collect_seq(a.iter()),
            Value::Table(t) => s.collect_map(t.iter()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_get_their_seconds() {
        // (TOML 1.1, what strata keeps)
        let cases = [
            ("07:32", "07:32:00"),
            ("1979-05-27T07:32Z", "1979-05-27T07:32:00Z"),
            ("1979-05-27T07:32", "1979-05-27T07:32:00"),
            ("1979-05-27 07:32-07:00", "1979-05-27T07:32:00-07:00"),
            ("07:32:05.25", "07:32:05.25"),
            ("1979-05-27", "1979-05-27"),
        ];
        for (text, want) in cases {
            let doc: toml::Table = format!("v = {text}").parse().unwrap();
            let v = Value::from(doc["v"].clone());
            assert_eq!(v.to_string(), want, "{text}");
            // What TOML 1.0 reads back, the same value.
            let back: toml::Table = format!("v = {v}").parse().unwrap();
            assert_eq!(Value::from(back["v"].clone()), v, "{text}");
        }
    }

    #[test]
    fn round_trips_through_toml() {
        let doc: toml::Table = r#"
            s = "a string longer than twenty-four bytes, so on the heap"
            short = "r0"
            i = -3
            f = 1.5
            b = true
            d = 1979-05-27T07:32:00Z
            a = [1, "x", [2]]
            t = { z = 1, a = { b = [] } }
        "#
        .parse()
        .unwrap();
        let v = Value::from(doc.clone());
        assert_eq!(v.to_toml(), toml::Value::Table(doc));
    }

    #[test]
    fn tables_compare_in_any_order() {
        let a: toml::Table = "x = 1\ny = 2".parse().unwrap();
        let b: toml::Table = "y = 2\nx = 1".parse().unwrap();
        let c: toml::Table = "y = 2\nx = 3".parse().unwrap();
        assert_eq!(Value::from(a.clone()), Value::from(b));
        assert_ne!(Value::from(a), Value::from(c));
    }

    #[test]
    fn later_keys_replace_earlier_ones_in_place() {
        let t: Table = [("a", 1), ("b", 2), ("a", 3)]
            .into_iter()
            .map(|(k, v)| (Text::from(k), Value::Integer(v)))
            .collect();
        assert_eq!(t.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(t.get("a"), Some(&Value::Integer(3)));
    }

    #[test]
    fn type_names_are_toml_s() {
        let doc: toml::Table = "s = \"\"\ni = 1\nf = 1.0\nb = true\nd = 1979-05-27\na = []\nt = {}"
            .parse()
            .unwrap();
        for (k, v) in doc {
            assert_eq!(Value::from(v.clone()).type_str(), v.type_str(), "{k}");
        }
    }
}
