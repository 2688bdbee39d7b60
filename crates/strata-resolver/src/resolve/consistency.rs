//! The last stage, consistency (and the checks the other stages call):
//! problems that need the whole picture, each reported once per mistake.
//! A group with no hosts, data files that name no group or host, hosts
//! missing from `all` or listed twice, inline entries that disagree,
//! names that clash, an inventory with no hosts.

use std::collections::HashMap;

use strata_parser::{Code, DataTable, DeferredFile, Diagnostic, Edit, FileId, Fix, RawGroup, Span};

use super::{Builder, Expanded};

impl Builder<'_> {
    /// A group with no hosts (not one whose entries all had errors).
    pub(super) fn empty_group(&mut self, group: &RawGroup, entries: &super::expand::Entries) {
        if entries.written == 0
            && entries.hosts.is_empty()
            && group.children.is_empty()
            && !group.broken
        {
            self.diagnostics.push(
                Diagnostic::warning(
                    Code::EmptyGroup,
                    group.name_span,
                    format!("group `{}` has no hosts", group.name),
                )
                .with_help("list its hosts, or remove the group"),
            );
        }
    }

    /// A group_data file that names no group, with a did-you-mean, and a
    /// rename when the group meant is the only one that close and has no
    /// file yet.
    pub(super) fn unknown_group_file(&mut self, name: &str, file: FileId, has_global_file: bool) {
        let groups: Vec<&str> = self.groups.iter().map(|g| g.name.as_str()).collect();
        let near = strata_parser::closest_and_sole(name, groups);
        let help = data_file_help("group_data", "group", name, near.map(|(n, _)| n))
            .unwrap_or_else(|| "name a group of hosts.toml, or all.toml for global data".into());
        let fix = near
            .and_then(|(near, sole)| sole.then_some(near))
            .filter(|near| !self.group_has_file(near, has_global_file))
            .and_then(|near| self.data_file_rename(file, name, near));
        self.diagnostics.push(
            Diagnostic::warning(
                Code::UnknownGroupFile,
                Span::file_start(file),
                format!(
                    "group_data/{name}.toml names no group in hosts.toml; its data is not used"
                ),
            )
            .with_help(help)
            .with_fix_opt(fix),
        );
    }

    /// Renaming data file `file`, the file of `name`, to the file of
    /// `near`: its name in the store with `{name}.toml` at the end
    /// replaced by `{near}.toml`.
    fn data_file_rename(&self, file: FileId, name: &str, near: &str) -> Option<Fix> {
        let stored = self.files.get(file).name();
        let dir = stored.strip_suffix(&format!("{name}.toml"))?;
        if !(dir.is_empty() || dir.ends_with('/')) {
            return None;
        }
        let to = format!("{dir}{near}.toml");
        Some(Fix::new(format!("Rename {stored} to {to}")).with_edit(Edit::RenameFile { file, to }))
    }

    /// An inventory with no hosts, unless errors already explain it.
    pub(super) fn no_hosts(
        &mut self,
        hosts_file: Option<FileId>,
        hosts_ok: bool,
        any_broken: bool,
    ) {
        if let Some(file) = hosts_file
            && self.hosts.is_empty()
            && hosts_ok
            && !any_broken
            && !self.diagnostics.iter().any(Diagnostic::is_error)
        {
            self.diagnostics.push(
                Diagnostic::warning(Code::NoHosts, Span::file_start(file), "the inventory has no hosts")
                    .with_help("list hosts in hosts.toml as groups (`web = [\"web1\", \"web2\"]`); an empty hosts.toml is usually a mistake, such as a file emptied by a failed write"),
            );
        }
    }

    /// A group data file shaped like hosts.toml (`hosts = [...]`, or
    /// `[web] hosts = [...]`) is taken as data, silently: say so.
    pub(super) fn hosts_in_data(&mut self, group: &str, data: &DataTable) {
        let file = format!("group_data/{group}.toml");
        for (key, entry) in data.iter() {
            let (message, help) = if key == "hosts" {
                (
                    format!(
                        "{file} has a `hosts` key: hosts are declared in hosts.toml, so here it is only data called `hosts`"
                    ),
                    format!(
                        "to put hosts in group `{group}`, list them in hosts.toml (`{group} = [...]`); rename the key if it is meant as data"
                    ),
                )
            } else if let strata_parser::Value::Table(t) = &entry.value
                && t.contains_key("hosts")
            {
                (
                    format!(
                        "{file} has a table `{key}` with `hosts`, shaped like hosts.toml: here it is only data called `{key}`"
                    ),
                    format!(
                        "groups and their hosts are declared in hosts.toml; move `[{key}]` there, and keep only data in {file}"
                    ),
                )
            } else {
                continue;
            };
            self.diagnostics.push(
                Diagnostic::warning(Code::HostsInData, entry.key_span, message)
                    .with_label_text("hosts are not declared here")
                    .with_help(help),
            );
        }
    }

    /// A host_data file that names no host, with a did-you-mean, and a
    /// rename when the host meant is the only one that close and has no
    /// file yet.
    pub(super) fn unknown_host_file(
        &mut self,
        name: &str,
        file: FileId,
        deferred: &HashMap<u32, DeferredFile>,
    ) {
        let hosts: Vec<&str> = self.host_index.names().collect();
        let near = strata_parser::closest_and_sole(name, hosts);
        let help = data_file_help("host_data", "host", name, near.map(|(n, _)| n))
            .unwrap_or_else(|| "name a host of hosts.toml".into());
        let fix = near
            .and_then(|(near, sole)| sole.then_some(near))
            .filter(|near| !self.host_has_file(near, deferred))
            .and_then(|near| self.data_file_rename(file, name, near));
        self.diagnostics.push(
            Diagnostic::warning(
                Code::UnknownHostFile,
                Span::file_start(file),
                format!("host_data/{name}.toml names no host in hosts.toml; its data is not used"),
            )
            .with_help(help)
            .with_fix_opt(fix),
        );
    }

    /// Hosts of one entry missing from `all`: one error for the entry.
    pub(super) fn not_in_all(&mut self, run: &[&Expanded], group: &str, all: Option<&RawGroup>) {
        let e = run[0];
        let (message, help) = if run.len() == 1 {
            (
                format!("host `{}` is in group `{group}` but not in `all`", e.name),
                format!(
                    "add \"{}\" to the hosts of `all`, or remove it from `{group}` (pyinfra would drop it silently)",
                    e.name
                ),
            )
        } else {
            (
                format!(
                    "{} hosts of one entry are in group `{group}` but not in `all`: {}",
                    run.len(),
                    sample(run)
                ),
                format!(
                    "add them to the hosts of `all`, or remove the entry from `{group}` (pyinfra would drop them silently)"
                ),
            )
        };
        let mut d = Diagnostic::error(Code::HostNotInAll, e.span, message)
            .with_label_text("not listed in `all`")
            .with_help(help);
        if let Some(all) = all {
            d = d.with_label(all.name_span, "`all` lists every host");
        }
        self.diagnostics.push(d);
    }

    /// Hosts of one entry already listed in `place`: one warning for the entry.
    pub(super) fn listed_twice(&mut self, run: &[&Expanded], place: &str) {
        let e = run[0];
        let message = if run.len() == 1 {
            format!("host `{}` is listed twice in {place}", e.name)
        } else {
            format!(
                "{} hosts of one entry are listed twice in {place}: {}",
                run.len(),
                sample(run)
            )
        };
        self.diagnostics.push(
            Diagnostic::warning(Code::DuplicateHost, e.span, message)
                .with_label_text("listed again here")
                .with_help("remove one of the entries"),
        );
    }

    /// Two inline entries giving one host different values for a key.
    pub(super) fn conflicting_inline(&mut self, hid: usize) {
        let Some(sets) = self.inline.get(hid) else {
            return;
        };
        if sets.len() < 2 {
            return;
        }
        for (i, &a) in sets.iter().enumerate() {
            for &b in &sets[i + 1..] {
                for (key, later) in self.sets[b as usize].table.iter() {
                    if let Some(earlier) = self.sets[a as usize].table.get(key)
                        && earlier.value != later.value
                    {
                        {
                            let name = self.host_index.name(hid);
                            self.diagnostics.push(
                                Diagnostic::warning(
                                    Code::ConflictingInlineData,
                                    later.value_span,
                                    format!(
                                        "host `{name}` gets two different inline values for `{key}`"
                                    ),
                                )
                                .with_label_text("this one wins")
                                .with_label(earlier.value_span, "over this one")
                                .with_help("keep one definition, or move the value to host_data/"),
                            );
                        }
                    }
                }
            }
        }
    }

    pub(super) fn name_clashes(&mut self) {
        for g in &self.groups {
            if let Some(&hid) = self.host_index.get(&g.name)
                && let Some(span) = g.span
            {
                {
                    let mut d = Diagnostic::warning(
                        Code::HostGroupNameClash,
                        span,
                        format!(
                            "`{}` is both a group and a host; a limit of `{}` selects the group",
                            g.name, g.name
                        ),
                    )
                    .with_help("rename the group or the host");
                    if let Some(hs) = self.hosts[hid as usize].span {
                        d = d.with_label(hs, "the host");
                    }
                    self.diagnostics.push(d);
                }
            }
        }
    }
}

/// `a`, `b`, `c` and 997 more.
fn sample(run: &[&Expanded]) -> String {
    let names: Vec<String> = run
        .iter()
        .take(3)
        .map(|e| format!("`{}`", e.name))
        .collect();
    match run.len() {
        n if n > 3 => format!("{} and {} more", names.join(", "), n - 3),
        _ => names.join(", "),
    }
}

/// "did you mean host_data/web1.toml (host `web1`)?", with what sets the
/// two names apart when they look the same (case, Unicode normalization).
fn data_file_help(dir: &str, kind: &str, name: &str, near: Option<&str>) -> Option<String> {
    let near = near?;
    let note = strata_parser::spelling_note(name, near)
        .map(|n| format!(" {n}"))
        .unwrap_or_default();
    Some(format!(
        "did you mean {dir}/{near}.toml ({kind} `{near}`)?{note}"
    ))
}

#[cfg(test)]
mod tests {
    use strata_parser::{Code, Edit, Fix};

    fn inventory(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        dir
    }

    /// The fixes of `code`'s diagnostics, as (file name, fix).
    fn fixes(dir: &std::path::Path, code: Code) -> Vec<(String, Option<Fix>)> {
        let problems = crate::Loader::new(dir).check();
        problems
            .diagnostics()
            .iter()
            .filter(|d| d.code == code)
            .map(|d| {
                let file = d.span().unwrap().file;
                (
                    problems.files().get(file).name().to_string(),
                    d.fix.clone().map(|f| *f),
                )
            })
            .collect()
    }

    /// Applies a fix's renames on disk, as an editor would.
    fn apply_renames(dir: &std::path::Path, fix: &Fix) {
        let problems = crate::Loader::new(dir).check();
        for edit in &fix.edits {
            let Edit::RenameFile { file, to } = edit else {
                panic!("not a rename: {edit:?}");
            };
            let from = problems.files().get(*file).name();
            std::fs::rename(dir.join(from), dir.join(to)).unwrap();
        }
    }

    #[test]
    fn a_misnamed_group_file_is_renamed_to_the_group() {
        let dir = inventory(&[
            ("hosts.toml", "web = [\"w1\"]\ndb = [\"d1\"]\n"),
            ("group_data/webb.toml", "port = 80\n"),
        ]);
        let found = fixes(dir.path(), Code::UnknownGroupFile);
        let [(name, Some(fix))] = &found[..] else {
            panic!("{found:?}");
        };
        assert_eq!(name, "group_data/webb.toml");
        assert_eq!(
            fix.title,
            "Rename group_data/webb.toml to group_data/web.toml"
        );
        assert!(
            matches!(&fix.edits[..], [Edit::RenameFile { to, .. }] if to == "group_data/web.toml")
        );
        apply_renames(dir.path(), fix);
        assert!(fixes(dir.path(), Code::UnknownGroupFile).is_empty());
        let inv = crate::Loader::new(dir.path()).load().unwrap();
        assert!(inv.host("w1").unwrap().data().contains_key("port"));
    }

    #[test]
    fn a_misnamed_host_file_is_renamed_to_the_host() {
        let dir = inventory(&[
            ("hosts.toml", "web = [\"web1.example.com\", \"db1\"]\n"),
            ("host_data/web1.toml", "port = 80\n"),
        ]);
        let found = fixes(dir.path(), Code::UnknownHostFile);
        let [(_, Some(fix))] = &found[..] else {
            panic!("{found:?}");
        };
        assert!(
            matches!(&fix.edits[..], [Edit::RenameFile { to, .. }] if to == "host_data/web1.example.com.toml")
        );
        apply_renames(dir.path(), fix);
        assert!(fixes(dir.path(), Code::UnknownHostFile).is_empty());
    }

    #[test]
    fn no_rename_onto_a_file_that_exists_or_to_one_of_several_names() {
        let dir = inventory(&[
            (
                "hosts.toml",
                "web = [\"w1\"]\nwebs = [\"w2\"]\nall = [\"w1\", \"w2\"]\ndb = [\"d1\"]\n",
            ),
            // `web` and `webs` are both one edit away.
            ("group_data/webb.toml", "a = 1\n"),
            // `db` has its file already.
            ("group_data/dbb.toml", "a = 1\n"),
            ("group_data/db.toml", "a = 1\n"),
            // so has `all`.
            ("group_data/alll.toml", "a = 1\n"),
            ("group_data/all.toml", "a = 1\n"),
            // and host `w1`.
            ("host_data/w1.toml", "a = 1\n"),
            ("host_data/W1.toml", "a = 1\n"),
        ]);
        let mut found = fixes(dir.path(), Code::UnknownGroupFile);
        found.extend(fixes(dir.path(), Code::UnknownHostFile));
        assert_eq!(found.len(), 4, "{found:?}");
        assert!(found.iter().all(|(_, fix)| fix.is_none()), "{found:?}");
    }
}
