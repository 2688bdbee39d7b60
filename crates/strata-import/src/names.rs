//! Host and group names strata refuses, found before anything is
//! written: never renamed silently (docs/format.md).

use crate::model::{Imported, Problem};

/// Names strata refuses, as problems: a host or group name that is
/// empty, holds whitespace, a control character, `/` or `..`, starts with
/// `@` (connectors), or holds `[` / `]` (ranges). pyinfra's connector hosts
/// (`@docker/app`) and their implicit groups (`@docker`) are strata's too:
/// the pyinfra reader checked them against strata's connectors.
pub fn problems(imported: &Imported) -> Vec<Problem> {
    let mut problems = Vec::new();
    let connectors = imported.tool == crate::Tool::Pyinfra;
    let why = |name: &str| -> Option<&'static str> {
        if connectors && name.starts_with('@') {
            // Checked by the reader (strata's connector grammar); only the
            // range brackets strata would expand remain to refuse.
            return (name.contains('[') || name.contains(']'))
                .then_some("strata reads `[...]` as a host range");
        }
        if name.is_empty() {
            Some("it is empty")
        } else if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
            Some("it holds whitespace or a control character")
        } else if name.contains('/') {
            Some("it holds `/`")
        } else if name.contains("..") {
            Some("it holds `..`")
        } else if name.starts_with('@') {
            Some("a name starting with `@` is a connector in strata")
        } else if name.contains('[') || name.contains(']') {
            Some("strata reads `[...]` as a host range")
        } else if name.starts_with('.') || name.ends_with('~') {
            Some("strata skips a data file named `.x` or `x~`")
        } else {
            None
        }
    };
    for h in &imported.hosts {
        if let Some(w) = why(h) {
            problems.push(Problem {
                subject: format!("host `{h}`"),
                key: None,
                message: format!("strata cannot take this host name: {w}"),
            });
        }
    }
    for g in &imported.groups {
        if let Some(w) = why(&g.name) {
            problems.push(Problem {
                subject: format!("group `{}`", g.name),
                key: None,
                message: format!("strata cannot take this group name: {w}"),
            });
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn names_strata_refuses_are_problems() {
        let imported = crate::Imported {
            tool: crate::Tool::Ansible,
            hosts: names(&["ok", "a b", "x/y", "@local", "w[1]", "..", ""]),
            groups: vec![crate::ImportedGroup {
                name: "bad group".into(),
                hosts: vec![],
                children: vec![],
                vars: Default::default(),
            }],
            global: Default::default(),
            host_vars: Default::default(),
            resolved: Default::default(),
        };
        let subjects: Vec<String> = problems(&imported).into_iter().map(|p| p.subject).collect();
        assert_eq!(subjects.len(), 7, "{subjects:?}");
        assert!(!subjects.contains(&"host `ok`".to_string()));
    }
}
