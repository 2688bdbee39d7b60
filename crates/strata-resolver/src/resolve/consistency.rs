//! The last stage, consistency (and the checks the other stages call):
//! problems that need the whole picture, each reported once per mistake.
//! A group with no hosts, data files that name no group or host, hosts
//! missing from `all` or listed twice, inline entries that disagree,
//! names that clash, an inventory with no hosts.

use strata_parser::{Code, DataTable, Diagnostic, FileId, RawGroup, Span};

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

    /// A group_data file that names no group, with a did-you-mean.
    pub(super) fn unknown_group_file(&mut self, name: &str, file: FileId) {
        let groups: Vec<&str> = self.groups.iter().map(|g| g.name.as_str()).collect();
        let help = data_file_help("group_data", "group", name, groups)
            .unwrap_or_else(|| "name a group of hosts.toml, or all.toml for global data".into());
        self.diagnostics.push(
            Diagnostic::warning(
                Code::UnknownGroupFile,
                Span::file_start(file),
                format!(
                    "group_data/{name}.toml names no group in hosts.toml; its data is not used"
                ),
            )
            .with_help(help),
        );
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

    pub(super) fn unknown_host_file(&mut self, name: &str, file: FileId) {
        let hosts: Vec<&str> = self.host_index.names().collect();
        let help = data_file_help("host_data", "host", name, hosts)
            .unwrap_or_else(|| "name a host of hosts.toml".into());
        self.diagnostics.push(
            Diagnostic::warning(
                Code::UnknownHostFile,
                Span::file_start(file),
                format!("host_data/{name}.toml names no host in hosts.toml; its data is not used"),
            )
            .with_help(help),
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
fn data_file_help(dir: &str, kind: &str, name: &str, candidates: Vec<&str>) -> Option<String> {
    let near = strata_parser::closest(name, candidates)?;
    let note = strata_parser::spelling_note(name, near)
        .map(|n| format!(" {n}"))
        .unwrap_or_default();
    Some(format!(
        "did you mean {dir}/{near}.toml ({kind} `{near}`)?{note}"
    ))
}
