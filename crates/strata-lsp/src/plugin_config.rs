//! Configurations of strata's Ansible inventory plugin (`*.strata.yml`,
//! docs/ansible.md): the inventory one names (its `path` option) and
//! whether a place is on its `limit` option's value, read from the text as
//! typed. Only the few top-level lines the plugin's options are written on
//! are read: this is no YAML parser, and what it does not recognise gives
//! no answer.

use std::path::{Path, PathBuf};

/// The endings of a configuration's name the plugin accepts.
const SUFFIXES: [&str; 2] = [".strata.yml", ".strata.yaml"];

/// True for a file the plugin reads as its configuration.
pub fn is_plugin_config(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| SUFFIXES.iter().any(|s| n.ends_with(s) && n.len() > s.len()))
}

/// The value of a top-level `key:` written on one line: plain, or quoted
/// with `"` or `'`, a trailing comment left out.
fn scalar<'t>(text: &'t str, key: &str) -> Option<&'t str> {
    text.lines().find_map(|line| {
        let rest = line.strip_prefix(key)?.strip_prefix(':')?;
        let rest = rest.trim_start();
        let value = match rest.chars().next()? {
            q @ ('"' | '\'') => {
                let inner = &rest[1..];
                &inner[..inner.find(q)?]
            }
            _ => rest.split(" #").next()?.trim_end(),
        };
        (!value.is_empty()).then_some(value)
    })
}

/// The inventory a configuration at `config` whose text is `text` names:
/// its `path` option from the configuration's folder (`~/` from the home
/// folder), the inventory folder or its `hosts.toml`, as the plugin reads
/// it; `None` without a `path`, or when no `hosts.toml` is there.
pub fn inventory_root(config: &Path, text: &str) -> Option<PathBuf> {
    let written = scalar(text, "path")?;
    let path = match written.strip_prefix("~/") {
        Some(rest) => PathBuf::from(std::env::var_os("HOME")?).join(rest),
        None => config.parent()?.join(written),
    };
    let root = if path
        .file_name()
        .is_some_and(|n| n == crate::workspace::HOSTS_FILE)
    {
        path.parent()?.to_path_buf()
    } else {
        path
    };
    root.join(crate::workspace::HOSTS_FILE)
        .is_file()
        .then(|| crate::workspace::canonical(&root))
}

/// True when byte `offset` of `text` is on the value of the top-level
/// `limit:` option: after the colon on its line, or on an item (`- web*`)
/// of the block list below it.
pub fn on_limit(text: &str, offset: usize) -> bool {
    let Some(before) = text.get(..offset) else {
        return false;
    };
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = &before[line_start..];
    if line.starts_with("limit:") {
        return true;
    }
    // An item of a block list: every line up to the option is an item, a
    // continuation or blank, and the option's line has no value.
    if !line.trim_start().starts_with('-') {
        return false;
    }
    for above in before[..line_start].lines().rev() {
        if above.trim().is_empty() || above.starts_with([' ', '-', '\t']) {
            continue;
        }
        return above
            .strip_prefix("limit:")
            .is_some_and(|rest| rest.split('#').next().unwrap_or("").trim().is_empty());
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configuration_names() {
        assert!(is_plugin_config(Path::new("/x/basic.strata.yml")));
        assert!(is_plugin_config(Path::new("prod.strata.yaml")));
        assert!(!is_plugin_config(Path::new("/x/.strata.yml")));
        assert!(!is_plugin_config(Path::new("/x/basic.yml")));
        assert!(!is_plugin_config(Path::new("/x/hosts.toml")));
    }

    #[test]
    fn the_path_option() {
        let dir = tempfile::tempdir().unwrap();
        let base = crate::workspace::canonical(dir.path());
        std::fs::create_dir(base.join("basic")).unwrap();
        std::fs::write(base.join("basic/hosts.toml"), "").unwrap();
        let config = base.join("basic.strata.yml");
        let root = Some(base.join("basic"));
        for text in [
            "plugin: strata.strata.inventory\npath: basic   # relative\n",
            "path: \"basic\"\n",
            "path: 'basic/hosts.toml'\n",
        ] {
            assert_eq!(inventory_root(&config, text), root, "{text:?}");
        }
        for text in [
            "path: elsewhere\n",
            "plugin: x\n",
            "path:\n",
            "  path: basic\n",
        ] {
            assert_eq!(inventory_root(&config, text), None, "{text:?}");
        }
    }

    #[test]
    fn the_limit_option() {
        let text = "path: basic\nlimit: \"web*,!db\"\ndata: {}\nlimit:\n  - web\n  - db1  # x\n\ncompose: {}\n";
        let at = |needle: &str| text.find(needle).unwrap() + needle.len();
        assert!(on_limit(text, at("limit: \"we")));
        assert!(on_limit(text, at("  - we")));
        assert!(on_limit(text, at("  - db")));
        assert!(!on_limit(text, at("path: ba")));
        assert!(!on_limit(text, at("data: {")));
        assert!(!on_limit(text, at("compose: {")));
        assert!(!on_limit("keyed_groups:\n  - key", 20));
        assert!(!on_limit(text, text.len() + 1));
    }
}
