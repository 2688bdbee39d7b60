//! The two one-key tables in which Ansible keeps what plain data cannot
//! say, and which strata carries unchanged to `strata ansible`:
//!
//! - `{ __ansible_vault = "$ANSIBLE_VAULT;1.1;AES256\n..." }`: a value
//!   encrypted with `ansible-vault`, kept encrypted (strata never needs the
//!   password); this is what `ansible-inventory --list` prints for a
//!   `!vault` value;
//! - `{ __ansible_unsafe = "..." }`: a string Ansible never renders as a
//!   template (`!unsafe`).
//!
//! Ansible recognises such a table only when the marker is its one key and
//! its value a string; any other table holding a marker would reach Ansible
//! as a plain table (or fail there), so it is refused where it is written:
//! `strata::ansible_value_shape` in a TOML file, `strata::source_shape` in
//! a source's answer.

use crate::value::Value;

/// Ansible's JSON form of a string that is never a template,
/// `{"__ansible_unsafe": "..."}`.
pub const ANSIBLE_UNSAFE: &str = "__ansible_unsafe";

/// Ansible's JSON form of a vault-encrypted value,
/// `{"__ansible_vault": "$ANSIBLE_VAULT;..."}`.
pub const ANSIBLE_VAULT: &str = "__ansible_vault";

/// How every `ansible-vault` ciphertext starts (then the format version,
/// the cipher and, optionally, the vault id).
pub const VAULT_HEADER: &str = "$ANSIBLE_VAULT;";

/// True for what Ansible takes for a string: a string, or a one-key table
/// of either marker with a string value (an encrypted value decrypts to a
/// string). A key that is a plain string in one layer and encrypted in
/// another (a default in `all`, the production secret in a group) has one
/// type for Ansible.
pub fn is_ansible_string(value: &Value) -> bool {
    match value {
        Value::String(_) => true,
        Value::Table(t) if t.len() == 1 => t
            .iter()
            .next()
            .is_some_and(|(k, v)| (k == ANSIBLE_VAULT || k == ANSIBLE_UNSAFE) && v.is_str()),
        _ => false,
    }
}

/// The first marker table in `value` (at any depth) that Ansible would not
/// recognise, as a message ("`__ansible_vault` marks ...: it must be ..."),
/// for values that have no place in a file to point at (`--data`).
pub fn malformed_marker(value: &Value) -> Option<String> {
    match value {
        Value::Array(items) => items.iter().find_map(malformed_marker),
        Value::Table(t) => {
            if let Some(marker) = marker_in(t.keys()) {
                let text = match t.get(marker) {
                    Some(Value::String(s)) => Some(&**s),
                    _ => None,
                };
                if let Some(f) = fault(marker, t.len(), text) {
                    return Some(format!(
                        "`{marker}` {}: {}",
                        meaning(marker),
                        problem(f, "table")
                    ));
                }
            }
            t.iter().find_map(|(_, v)| malformed_marker(v))
        }
        _ => None,
    }
}

/// What is wrong with a table that holds a marker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fault {
    /// The marker is not the table's only key.
    OtherKeys,
    /// Its value is not a string.
    WrongType,
    /// An `__ansible_vault` string that is not an `ansible-vault` ciphertext.
    NoVaultHeader,
}

/// The marker among a table's keys, if any (the first, if both are there).
pub(crate) fn marker_in<'k>(mut keys: impl Iterator<Item = &'k str>) -> Option<&'static str> {
    keys.find_map(|k| match k {
        ANSIBLE_UNSAFE => Some(ANSIBLE_UNSAFE),
        ANSIBLE_VAULT => Some(ANSIBLE_VAULT),
        _ => None,
    })
}

/// What is wrong with a table of `len` keys holding `marker` whose value is
/// `text` (`None`: not a string), if anything.
pub(crate) fn fault(marker: &str, len: usize, text: Option<&str>) -> Option<Fault> {
    if len != 1 {
        return Some(Fault::OtherKeys);
    }
    match text {
        None => Some(Fault::WrongType),
        Some(t) if marker == ANSIBLE_VAULT && !t.starts_with(VAULT_HEADER) => {
            Some(Fault::NoVaultHeader)
        }
        Some(_) => None,
    }
}

/// What `marker` means, for a message.
pub(crate) fn meaning(marker: &str) -> &'static str {
    if marker == ANSIBLE_VAULT {
        "marks a value encrypted with ansible-vault"
    } else {
        "marks a string Ansible never renders as a template"
    }
}

/// The problem, as the sentence after "`marker` <meaning>: "; `table` is
/// what the text calls a table (TOML's "table", JSON's "object").
pub(crate) fn problem(fault: Fault, table: &str) -> String {
    match fault {
        Fault::OtherKeys => format!("it must be the only key of its {table}"),
        Fault::WrongType => "its value must be a string".to_string(),
        Fault::NoVaultHeader => {
            "its value must be an ansible-vault ciphertext, starting with `$ANSIBLE_VAULT;`"
                .to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults() {
        let vault = "$ANSIBLE_VAULT;1.1;AES256\n6162\n";
        assert_eq!(fault(ANSIBLE_VAULT, 1, Some(vault)), None);
        assert_eq!(fault(ANSIBLE_UNSAFE, 1, Some("{{ x }}")), None);
        assert_eq!(fault(ANSIBLE_UNSAFE, 1, Some("")), None);
        assert_eq!(fault(ANSIBLE_VAULT, 2, Some(vault)), Some(Fault::OtherKeys));
        assert_eq!(fault(ANSIBLE_UNSAFE, 1, None), Some(Fault::WrongType));
        assert_eq!(
            fault(ANSIBLE_VAULT, 1, Some("secret")),
            Some(Fault::NoVaultHeader)
        );
        assert_eq!(
            fault(ANSIBLE_VAULT, 1, Some("$ANSIBLE_VAULT")),
            Some(Fault::NoVaultHeader)
        );
        assert_eq!(
            marker_in(["a", ANSIBLE_VAULT].into_iter()),
            Some(ANSIBLE_VAULT)
        );
        assert_eq!(marker_in(["a", "__ansible_other"].into_iter()), None);
        let t = |text: &str| -> Value {
            let doc: toml::Table = format!("v = {text}").parse().unwrap();
            Value::from(doc["v"].clone())
        };
        assert!(is_ansible_string(&t(r#""plain""#)));
        assert!(is_ansible_string(&t(
            r#"{ __ansible_vault = "$ANSIBLE_VAULT;1.1;AES256" }"#
        )));
        assert!(is_ansible_string(&t(r#"{ __ansible_unsafe = "{{ x }}" }"#)));
        assert!(!is_ansible_string(&t(r#"{ __ansible_unsafe = 1 }"#)));
        assert!(!is_ansible_string(&t(r#"{ other = "x" }"#)));
        assert!(!is_ansible_string(&t("1")));
        assert_eq!(
            malformed_marker(&t(r#"[{ a = { __ansible_unsafe = "x" } }]"#)),
            None
        );
        assert!(
            malformed_marker(&t(r#"[{ a = { __ansible_vault = "x" } }]"#))
                .is_some_and(|m| m.contains("`$ANSIBLE_VAULT;`"))
        );
    }
}
