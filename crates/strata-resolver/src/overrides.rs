//! `--data KEY=VALUE`: override data from the command line.

/// A `--data` argument without `=`, or with an empty key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--data `{arg}`: {reason}")]
pub struct DataArgError {
    /// The argument as given.
    pub arg: String,
    /// What is wrong.
    pub reason: &'static str,
}

/// Parses `KEY=VALUE`. The value is read as a TOML value (`9000`, `true`,
/// `1.5`, `"text"`, `[1, 2]`, `{ a = 1 }`); anything that is not a TOML value
/// is taken as a plain string (`web1`, `a,b`, the empty string).
///
/// ```
/// use strata_resolver::parse_data_arg;
/// assert_eq!(parse_data_arg("port=9000").unwrap(), ("port".into(), toml::Value::Integer(9000)));
/// assert_eq!(parse_data_arg("user=root").unwrap(), ("user".into(), toml::Value::from("root")));
/// assert!(parse_data_arg("nokey").is_err());
/// ```
pub fn parse_data_arg(arg: &str) -> Result<(String, toml::Value), DataArgError> {
    let Some((key, value)) = arg.split_once('=') else {
        return Err(DataArgError {
            arg: arg.to_string(),
            reason: "expected KEY=VALUE",
        });
    };
    let key = key.trim();
    if key.is_empty() {
        return Err(DataArgError {
            arg: arg.to_string(),
            reason: "the key is empty",
        });
    }
    Ok((key.to_string(), parse_value(value)))
}

/// A TOML value if `text` is one, else `text` as a string. `true` and
/// `false` in any case (`False`, `TRUE`) are booleans, as pyinfra's
/// `--data` reads them: `use_sudo=False` must not become the string
/// `"False"`, which deploy code would take as true.
///
/// ```
/// use strata_resolver::parse_value;
/// assert_eq!(parse_value("False"), toml::Value::Boolean(false));
/// assert_eq!(parse_value("\"False\""), toml::Value::from("False"));
/// ```
pub fn parse_value(text: &str) -> toml::Value {
    if text.eq_ignore_ascii_case("true") {
        return toml::Value::Boolean(true);
    }
    if text.eq_ignore_ascii_case("false") {
        return toml::Value::Boolean(false);
    }
    // Parse as the right-hand side of an assignment: the TOML grammar for values.
    let doc = format!("v = {text}\n");
    if !text.contains('\n')
        && let Ok(mut t) = doc.parse::<toml::Table>()
        && t.len() == 1
        && let Some(v) = t.remove("v")
    {
        return v;
    }
    toml::Value::String(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values() {
        let table = |s: &str| toml::Value::Table(s.parse::<toml::Table>().unwrap());
        let cases: Vec<(&str, toml::Value)> = vec![
            ("9000", toml::Value::Integer(9000)),
            ("-3", toml::Value::Integer(-3)),
            ("true", toml::Value::Boolean(true)),
            ("false", toml::Value::Boolean(false)),
            ("1.5", toml::Value::Float(1.5)),
            ("\"text\"", toml::Value::from("text")),
            ("'lit'", toml::Value::from("lit")),
            ("[1, 2]", toml::Value::Array(vec![1.into(), 2.into()])),
            (
                "{ a = 1 }",
                table("a = 1").get("a").map(|_| table("a = 1")).unwrap(),
            ),
            ("web1", toml::Value::from("web1")),
            ("a,b", toml::Value::from("a,b")),
            ("", toml::Value::from("")),
            ("True", toml::Value::Boolean(true)),
            ("False", toml::Value::Boolean(false)),
            ("FALSE", toml::Value::Boolean(false)),
            ("tRuE", toml::Value::Boolean(true)),
            ("\"False\"", toml::Value::from("False")),
            ("Falsey", toml::Value::from("Falsey")),
            ("1 2", toml::Value::from("1 2")),
            ("x\nw = 1", toml::Value::from("x\nw = 1")),
            ("1\nw = 2", toml::Value::from("1\nw = 2")),
        ];
        for (text, want) in cases {
            assert_eq!(parse_value(text), want, "{text:?}");
        }
    }

    #[test]
    fn args() {
        assert_eq!(
            parse_data_arg("a=b=c").unwrap(),
            ("a".into(), toml::Value::from("b=c"))
        );
        assert_eq!(
            parse_data_arg("a=").unwrap(),
            ("a".into(), toml::Value::from(""))
        );
        assert!(parse_data_arg("=1").is_err());
        assert!(parse_data_arg("a").is_err());
    }
}
