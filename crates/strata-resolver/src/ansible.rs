//! What Ansible warns about when it reads an inventory through
//! `strata ansible`, with the rules taken from ansible-core's own code
//! (2.19), so that `strata check` reports exactly what Ansible would print
//! on every run:
//!
//! - group names: `ansible.constants.INVALID_VARIABLE_NAMES`,
//!   `^[\d\W]|[^\w]` (Unicode-aware, so `données` is fine and `web-1`,
//!   `100%` and the connector groups `@docker`, `@local` are not);
//!   "Invalid characters were found in group names";
//! - a host and a group of the same name ("Found both group and host with
//!   same name", which `@local` always is);
//! - host variables with a reserved name
//!   (`ansible.vars.reserved.get_reserved_names()`: play, role, block and
//!   task keywords and the template engine's globals): "Found variable
//!   using reserved name";
//! - a group called `ungrouped`, Ansible's implicit group of the hosts in
//!   no other group.
//!
//! The test `crates/strata-cli/tests/ansible.rs` checks these rules against
//! the warnings of the real `ansible-inventory`.

use std::collections::HashSet;
use std::sync::LazyLock;

use strata_parser::{Code, Diagnostic};

use crate::inventory::Inventory;

/// `ansible.vars.reserved.get_reserved_names()` of ansible-core 2.19, sorted
/// (looked up by binary search: every key of every data file is).
pub const RESERVED_NAMES: &[&str] = &[
    "action",
    "always",
    "any_errors_fatal",
    "args",
    "async",
    "async_val",
    "become",
    "become_exe",
    "become_flags",
    "become_method",
    "become_user",
    "block",
    "changed_when",
    "check_mode",
    "collections",
    "connection",
    "cycler",
    "debugger",
    "delay",
    "delegate_facts",
    "delegate_to",
    "dict",
    "diff",
    "environment",
    "fact_path",
    "failed_when",
    "force_handlers",
    "gather_facts",
    "gather_timeout",
    "handlers",
    "hosts",
    "ignore_errors",
    "ignore_unreachable",
    "joiner",
    "lipsum",
    "local_action",
    "lookup",
    "loop",
    "loop_control",
    "loop_with",
    "max_fail_percentage",
    "module_defaults",
    "name",
    "namespace",
    "no_log",
    "notify",
    "now",
    "omit",
    "order",
    "poll",
    "port",
    "post_tasks",
    "pre_tasks",
    "q",
    "query",
    "range",
    "register",
    "remote_user",
    "rescue",
    "retries",
    "roles",
    "run_once",
    "serial",
    "strategy",
    "tags",
    "tasks",
    "throttle",
    "timeout",
    "undef",
    "until",
    "vars",
    "vars_files",
    "vars_prompt",
    "when",
    "with_",
];

/// Ansible's implicit group of the hosts that are in no other group.
pub const UNGROUPED: &str = "ungrouped";

static INVALID: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r"^[\d\W]|[^\w]").expect("a valid expression"));

/// True when Ansible accepts `name` as a group name without a warning.
pub fn is_valid_group_name(name: &str) -> bool {
    !name.is_empty() && !INVALID.is_match(name)
}

/// A name Ansible accepts, for a help line: every invalid character
/// becomes `_`, and a leading digit gets a `_` before it (`100%` gives
/// `_100_`, where Ansible's own replacement would drop the digit).
pub fn valid_group_name(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if INVALID.is_match(c.encode_utf8(&mut [0; 4])) && !c.is_numeric() {
                '_'
            } else {
                c
            }
        })
        .collect();
    if out.is_empty() || !is_valid_group_name(&out) {
        out.insert(0, '_');
    }
    out
}

impl Inventory {
    /// What Ansible would warn about when it reads this inventory through
    /// `strata ansible` (see the [module](self) for the rules).
    pub fn ansible_names(&self) -> Vec<Diagnostic> {
        let mut out: Vec<Diagnostic> = self.reserved_host(UNGROUPED).into_iter().collect();
        for g in &self.groups {
            // Where to point: the group's name, or for a connector group
            // the first of its hosts.
            let span = g
                .span
                .or_else(|| g.hosts.first().and_then(|&h| self.hosts[h as usize].span));
            let Some(span) = span else { continue };
            if !is_valid_group_name(&g.name) {
                let d = Diagnostic::warning(
                    Code::AnsibleName,
                    span,
                    format!(
                        "Ansible warns about the group name `{}`: it is not a valid identifier",
                        g.name
                    ),
                )
                .with_label_text("Ansible: \"Invalid characters were found in group names\"");
                out.push(if g.implicit {
                    d.with_help(format!(
                        "`{}` is a connector group (pyinfra's name); Ansible keeps it and warns on every run; \
                         select it there with `-l '{}'`",
                        g.name, g.name
                    ))
                } else {
                    d.with_help(format!(
                        "if this inventory is used from Ansible, prefer `{}`; strata never renames groups itself",
                        valid_group_name(&g.name)
                    ))
                });
            }
            if g.implicit && self.host_index.contains_key(&g.name) {
                out.push(
                    Diagnostic::warning(
                        Code::AnsibleName,
                        span,
                        format!("Ansible warns that `{}` is both a group and a host", g.name),
                    )
                    .with_label_text("Ansible: \"Found both group and host with same name\"")
                    .with_help(format!(
                        "the connector gives the host `{}` a group of the same name, as pyinfra does; \
                         in Ansible, `-l '{}'` selects the group, which holds just that host",
                        g.name, g.name
                    )),
                );
            }
            if g.name == UNGROUPED && !g.implicit {
                out.push(
                    Diagnostic::warning(
                        Code::AnsibleName,
                        span,
                        "group `ungrouped` is Ansible's implicit group of the hosts in no other group",
                    )
                    .with_label_text("Ansible's own group name")
                    .with_help(
                        "through `strata ansible`, `ungrouped` holds this group's hosts and then the hosts in no group; \
                         rename the group to keep them apart",
                    ),
                );
            }
        }
        // Reserved variable names: one warning per name, at its first
        // place, with the number of places (a key in every host file must
        // not give 100,000 warnings).
        let mut reserved: Vec<(&str, strata_parser::Span, usize)> = Vec::new();
        let mut seen = HashSet::new();
        for set in &self.sets {
            if self.files.get(set.file).is_virtual() {
                continue;
            }
            for (key, entry) in set.table.iter() {
                // `hosts` in a group file is already `strata::hosts_in_data`.
                let reported = key == "hosts" && set.layer == crate::layer::Layer::GroupFile;
                if RESERVED_NAMES.binary_search(&key).is_err()
                    || reported
                    || !seen.insert(entry.key_span)
                {
                    continue;
                }
                match reserved.iter_mut().find(|(k, _, _)| *k == key) {
                    Some(r) => r.2 += 1,
                    None => reserved.push((key, entry.key_span, 1)),
                }
            }
        }
        for (key, span, places) in reserved {
            let more = if places > 1 {
                format!(" (written in {places} places; this is the first)")
            } else {
                String::new()
            };
            out.push(
                Diagnostic::warning(
                    Code::AnsibleName,
                    span,
                    format!("Ansible warns that the variable `{key}` uses a reserved name{more}"),
                )
                .with_label_text(format!("Ansible: \"Found variable using reserved name '{key}'\""))
                .with_help(format!(
                    "`{key}` is an Ansible keyword; if this inventory is used from Ansible, rename it (for example `app_{key}`)"
                )),
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_names_are_sorted() {
        assert!(RESERVED_NAMES.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn group_names() {
        // (name, valid, suggestion)
        let cases = [
            ("web", true, "web"),
            ("web_1", true, "web_1"),
            ("_x", true, "_x"),
            ("données", true, "données"),
            ("web-1", false, "web_1"),
            ("1web", false, "_1web"),
            ("100%", false, "_100_"),
            ("eu.west", false, "eu_west"),
            ("@docker", false, "_docker"),
            ("", false, "_"),
        ];
        for (name, valid, suggestion) in cases {
            assert_eq!(is_valid_group_name(name), valid, "{name}");
            assert_eq!(valid_group_name(name), suggestion, "{name}");
            assert!(is_valid_group_name(&valid_group_name(name)), "{name}");
        }
    }
}
