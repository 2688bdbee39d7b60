//! From the raw model to an [`Inventory`]: hosts, groups, layers, checks.

use std::collections::HashMap;

use strata_parser::{
    Code, DataTable, Diagnostic, FileId, RawGroup, RawHost, RawInventory, Sources, Span,
    did_you_mean,
};

use crate::connector::{self, ConnectorHost, Connectors};
use crate::data::DataSet;
use crate::inventory::{GroupRec, HostRec, Inventory, SetId};
use crate::layer::Layer;
use crate::range;

/// What a caller adds to the files: override data, defaults, connectors.
#[derive(Clone, Debug, Default)]
pub(crate) struct Extras {
    pub overrides: Option<(String, toml::Table)>,
    pub defaults: Option<(String, toml::Table)>,
    pub connectors: Connectors,
    pub budget: crate::Budget,
}

/// One host an entry stands for, after ranges and connectors. Kept small:
/// there is one per host entry of hosts.toml.
struct Expanded {
    name: String,
    span: Span,
    /// Index of the entry in its group's host list (where its inline data is).
    entry: u32,
    connector: Option<Box<(String, ConnectorHost)>>,
}

struct Builder<'c> {
    sources: Sources,
    diagnostics: Vec<Diagnostic>,
    hosts: Vec<HostRec>,
    host_index: HashMap<String, u32>,
    groups: Vec<GroupRec>,
    group_index: HashMap<String, u32>,
    sets: Vec<DataSet>,
    connectors: &'c Connectors,
    budget: crate::Budget,
    /// Per host: inline sets in the order they were written.
    inline: Vec<Vec<SetId>>,
    /// Per host: the connector's data set.
    connector_set: Vec<Option<SetId>>,
    /// Per host: implicit groups from its connector.
    implicit: Vec<Vec<String>>,
    /// One virtual source per connector, shared by its hosts.
    connector_sources: HashMap<String, FileId>,
}

pub(crate) fn build(raw: RawInventory, extras: &Extras) -> (Inventory, Vec<Diagnostic>) {
    let RawInventory {
        root,
        sources,
        hosts,
        hosts_ok,
        group_files,
        host_files,
        deferred_host_files,
        diagnostics,
    } = raw;
    let mut b = Builder {
        sources,
        diagnostics,
        hosts: Vec::new(),
        host_index: HashMap::new(),
        groups: Vec::new(),
        group_index: HashMap::new(),
        sets: Vec::new(),
        connectors: &extras.connectors,
        budget: extras.budget,
        inline: Vec::new(),
        connector_set: Vec::new(),
        implicit: Vec::new(),
        connector_sources: HashMap::new(),
    };
    let (hosts_file, mut raw_groups) = match hosts {
        Some(h) => (Some(h.file), h.groups),
        None => (None, Vec::new()),
    };
    // Counted before anything is expanded: over budget, nothing is.
    if let Some(d) = crate::budget::check(&raw_groups, extras.budget) {
        b.diagnostics.push(d);
        raw_groups.clear();
    }
    // Hosts whose entries were dropped for an error: their data files are
    // not "files that name no host" (that would be a second diagnostic for
    // one mistake).
    let broken_hosts: std::collections::HashSet<String> = raw_groups
        .iter_mut()
        .flat_map(|g| std::mem::take(&mut g.broken_hosts))
        .collect();
    let any_broken = raw_groups.iter().any(|g| g.broken);
    let all_pos = raw_groups.iter().position(|g| g.name == "all");
    let mut all = all_pos.map(|i| raw_groups.remove(i));

    // Ranges and connectors, entry by entry.
    let expanded: Vec<Vec<Expanded>> = raw_groups
        .iter_mut()
        .map(|g| b.expand_group(&mut g.hosts))
        .collect();
    // `[all]` with only `data` carries global data; it fixes the host list
    // only when it has `hosts`.
    let all_expanded = all
        .as_mut()
        .filter(|all| all.has_hosts)
        .map(|all| b.expand_group(&mut all.hosts));

    // Host order: `all` when present, else first appearance across groups.
    // Reserve exactly: entries over-count hosts that are in several groups
    // (2.5 times in a typical inventory), and at 100,000 hosts reserving for
    // the entries cost some 50 MB of peak memory.
    let host_count = match &all_expanded {
        Some(entries) => entries.len(),
        None => {
            let names: std::collections::HashSet<&str> =
                expanded.iter().flatten().map(|e| e.name.as_str()).collect();
            names.len()
        }
    };
    b.reserve_hosts(host_count);
    match &all_expanded {
        Some(entries) => entries.iter().for_each(|e| b.add_host(e)),
        None => expanded.iter().flatten().for_each(|e| b.add_host(e)),
    }

    // Explicit groups, in file order, with memberships and inline host data.
    for (group, entries) in raw_groups.into_iter().zip(expanded) {
        b.check_group_name(&group);
        let gid = b.add_group(&group.name, Some(group.name_span), false);
        if group.hosts.is_empty() && entries.is_empty() && !group.broken {
            b.diagnostics.push(
                Diagnostic::warning(
                    Code::EmptyGroup,
                    group.name_span,
                    format!("group `{}` has no hosts", group.name),
                )
                .with_help("list its hosts, or remove the group"),
            );
        }
        if let Some(data) = group.data {
            let set = b.add_set(
                Layer::GroupInline,
                Some(gid),
                hosts_file.unwrap_or(group.name_span.file),
                data,
            );
            b.groups[gid as usize].sets.push(set);
        }
        // Problems are reported once per entry: `w[0:999]` missing from
        // `all` is one error, not a thousand.
        let (mut missing, mut twice) = (Vec::new(), Vec::new());
        for e in &entries {
            let Some(&hid) = b.host_index.get(&e.name) else {
                missing.push(e);
                continue;
            };
            let data = group.hosts[e.entry as usize].data.as_ref();
            if !b.add_member(gid, hid, e, data) {
                twice.push(e);
            }
        }
        for run in missing.chunk_by(|x, y| x.entry == y.entry) {
            b.not_in_all(run, &group.name, all.as_ref());
        }
        for run in twice.chunk_by(|x, y| x.entry == y.entry) {
            b.listed_twice(run, &format!("group `{}`", group.name));
        }
    }
    // The `all` entries' inline data ranks above every group entry.
    let mut global_inline = None;
    if let (Some(all), Some(entries)) = (&all, all_expanded) {
        let mut seen = vec![false; b.hosts.len()];
        let mut twice = Vec::new();
        for e in &entries {
            let hid = b.host_index[&e.name];
            if std::mem::replace(&mut seen[hid as usize], true) {
                twice.push(e);
            }
            if let Some(data) = &all.hosts[e.entry as usize].data {
                let set = b.add_set(Layer::HostInline, None, e.span.file, data.clone());
                b.inline[hid as usize].push(set);
            }
        }
        for run in twice.chunk_by(|x, y| x.entry == y.entry) {
            b.listed_twice(run, "`all`");
        }
    }
    if let Some(all) = all
        && let Some(data) = all.data
    {
        global_inline = Some(b.add_set(
            Layer::GlobalInline,
            None,
            hosts_file.unwrap_or(all.name_span.file),
            data,
        ));
    }

    // Implicit connector groups come after every explicit group.
    for hid in 0..b.hosts.len() {
        for name in std::mem::take(&mut b.implicit[hid]) {
            let gid = match b.group_index.get(&name) {
                Some(&g) => g,
                None => b.add_group(&name, None, true),
            };
            let host = &mut b.hosts[hid];
            if !host.groups.contains(&gid) {
                host.groups.push(gid);
                b.groups[gid as usize].hosts.push(hid as u32);
            }
        }
    }

    // group_data/ and host_data/ files.
    let mut global_file = None;
    for f in &group_files {
        b.hosts_in_data(&f.name, &f.data);
    }
    for f in group_files {
        if f.name == "all" {
            global_file = Some(b.add_set(Layer::GlobalFile, None, f.file, f.data));
        } else if let Some(&gid) = b.group_index.get(&f.name) {
            let set = b.add_set(Layer::GroupFile, Some(gid), f.file, f.data);
            b.groups[gid as usize].sets.insert(0, set);
        } else if hosts_ok {
            let help = did_you_mean(&f.name, b.groups.iter().map(|g| g.name.as_str()))
                .map(|_| {
                    let near =
                        strata_parser::closest(&f.name, b.groups.iter().map(|g| g.name.as_str()))
                            .unwrap_or_default();
                    let note = strata_parser::spelling_note(&f.name, near)
                        .map(|n| format!(" {n}"))
                        .unwrap_or_default();
                    format!("did you mean group_data/{near}.toml (group `{near}`)?{note}")
                })
                .unwrap_or_else(|| {
                    "name a group of hosts.toml, or all.toml for global data".into()
                });
            b.diagnostics.push(
                Diagnostic::warning(
                    Code::UnknownGroupFile,
                    Span::file_start(f.file),
                    format!(
                        "group_data/{}.toml names no group in hosts.toml; its data is not used",
                        f.name
                    ),
                )
                .with_help(help),
            );
        }
    }
    let mut host_file_set = vec![None; b.hosts.len()];
    for f in host_files {
        if let Some(&hid) = b.host_index.get(&f.name) {
            host_file_set[hid as usize] = Some(b.add_set(Layer::HostFile, None, f.file, f.data));
        } else if hosts_ok && !broken_hosts.contains(&f.name) {
            b.unknown_host_file(&f.name, f.file);
        }
    }
    let mut deferred = HashMap::new();
    for f in deferred_host_files {
        if let Some(&hid) = b.host_index.get(f.name()) {
            deferred.insert(hid, f);
        } else if hosts_ok && !broken_hosts.contains(f.name()) {
            let file = b.sources.add(f.display(), String::new());
            b.unknown_host_file(f.name(), file);
        }
    }

    // Each host's own layers, highest first.
    for (hid, file_set) in host_file_set.into_iter().enumerate() {
        let mut own: Vec<SetId> = file_set.into_iter().collect();
        own.extend(b.inline[hid].iter().rev());
        own.extend(b.connector_set[hid]);
        b.hosts[hid].own = own;
        b.conflicting_inline(hid);
    }
    for g in &mut b.groups {
        g.hosts.sort_unstable();
    }
    b.hosts.shrink_to_fit();
    b.name_clashes();
    if let Some(file) = hosts_file
        && b.hosts.is_empty()
        && hosts_ok
        && !any_broken
        && !b.diagnostics.iter().any(Diagnostic::is_error)
    {
        b.diagnostics.push(
            Diagnostic::warning(Code::NoHosts, Span::file_start(file), "the inventory has no hosts")
                .with_help("list hosts in hosts.toml as groups (`web = [\"web1\", \"web2\"]`); an empty hosts.toml is usually a mistake, such as a file emptied by a failed write"),
        );
    }

    let overrides = extras
        .overrides
        .as_ref()
        .map(|(name, t)| b.add_table(Layer::Override, name, t));
    let defaults = extras
        .defaults
        .as_ref()
        .map(|(name, t)| b.add_table(Layer::Defaults, name, t));
    let inv = Inventory {
        root: Some(root),
        sources: b.sources,
        hosts: b.hosts,
        host_index: b.host_index,
        groups: b.groups,
        group_index: b.group_index,
        sets: b.sets,
        global: global_file.into_iter().chain(global_inline).collect(),
        overrides,
        defaults,
        deferred,
        diagnostics: Vec::new(),
    };
    (inv, b.diagnostics)
}

impl Builder<'_> {
    fn add_set(
        &mut self,
        layer: Layer,
        group: Option<u32>,
        file: FileId,
        table: DataTable,
    ) -> SetId {
        self.sets.push(DataSet {
            layer,
            group,
            file,
            table,
        });
        (self.sets.len() - 1) as SetId
    }

    /// A layer from a plain table (command line, code), in a virtual source.
    fn add_table(&mut self, layer: Layer, source: &str, table: &toml::Table) -> SetId {
        let file = self.sources.add_virtual(source);
        let table = DataTable::from_table(table.clone(), Span::file_start(file));
        self.add_set(layer, None, file, table)
    }

    /// A group data file shaped like hosts.toml (`hosts = [...]`, or
    /// `[web] hosts = [...]`) is taken as data, silently: say so.
    fn hosts_in_data(&mut self, group: &str, data: &DataTable) {
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
            } else if let toml::Value::Table(t) = &entry.value
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

    fn unknown_host_file(&mut self, name: &str, file: FileId) {
        let help = strata_parser::closest(name, self.hosts.iter().map(|h| h.name.as_str()))
            .map(|near| {
                let note = strata_parser::spelling_note(name, near)
                    .map(|n| format!(" {n}"))
                    .unwrap_or_default();
                format!("did you mean host_data/{near}.toml (host `{near}`)?{note}")
            })
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

    /// Room for `n` hosts, so the per-host vectors do not grow by doubling.
    fn reserve_hosts(&mut self, n: usize) {
        self.hosts.reserve_exact(n);
        self.host_index.reserve(n);
        self.inline.reserve_exact(n);
        self.connector_set.reserve_exact(n);
        self.implicit.reserve_exact(n);
    }

    fn add_group(&mut self, name: &str, span: Option<Span>, implicit: bool) -> u32 {
        let gid = self.groups.len() as u32;
        self.groups.push(GroupRec {
            name: name.to_string(),
            span,
            hosts: Vec::new(),
            implicit,
            sets: Vec::new(),
        });
        self.group_index.insert(name.to_string(), gid);
        gid
    }

    fn add_host(&mut self, e: &Expanded) {
        if self.host_index.contains_key(&e.name) {
            return;
        }
        let hid = self.hosts.len() as u32;
        let (connector, set, implicit) = match e.connector.as_deref() {
            Some((conn, made)) => {
                let file = match self.connector_sources.get(conn) {
                    Some(&f) => f,
                    None => {
                        let f = self.sources.add_virtual(format!("<connector {conn}>"));
                        self.connector_sources.insert(conn.clone(), f);
                        f
                    }
                };
                let table = DataTable::from_table(made.data.clone(), Span::file_start(file));
                let set = self.add_set(Layer::Connector, None, file, table);
                (Some(conn.clone()), Some(set), made.groups.clone())
            }
            None => (None, None, Vec::new()),
        };
        self.hosts.push(HostRec {
            name: e.name.clone(),
            span: Some(e.span),
            groups: Vec::new(),
            own: Vec::new(),
            connector,
        });
        self.host_index.insert(e.name.clone(), hid);
        self.inline.push(Vec::new());
        self.connector_set.push(set);
        self.implicit.push(implicit);
    }

    /// Makes `hid` a member of `gid` with the entry's inline data; false
    /// when it already was (listed twice).
    fn add_member(&mut self, gid: u32, hid: u32, e: &Expanded, data: Option<&DataTable>) -> bool {
        let host = &mut self.hosts[hid as usize];
        let new = !host.groups.contains(&gid);
        if new {
            host.groups.push(gid);
            self.groups[gid as usize].hosts.push(hid);
        }
        if let Some(data) = data {
            let set = self.add_set(Layer::HostInline, Some(gid), e.span.file, data.clone());
            self.inline[hid as usize].push(set);
        }
        new
    }

    /// Hosts of one entry missing from `all`: one error for the entry.
    fn not_in_all(&mut self, run: &[&Expanded], group: &str, all: Option<&RawGroup>) {
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
    fn listed_twice(&mut self, run: &[&Expanded], place: &str) {
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

    /// Expands ranges and connectors of a group's entries; each entry's
    /// data goes with every host it makes.
    fn expand_group(&mut self, hosts: &mut [RawHost]) -> Vec<Expanded> {
        let mut out = Vec::with_capacity(hosts.len());
        for (i, h) in hosts.iter_mut().enumerate() {
            self.expand_entry(h, i as u32, &mut out);
        }
        out
    }

    fn expand_entry(&mut self, h: &mut RawHost, entry: u32, out: &mut Vec<Expanded>) {
        let names = if h.name.contains('[') {
            // The budget was checked before expanding: it is the limit.
            match range::expand_at_most(&h.name, self.budget.max_entries) {
                Ok(n) => n,
                Err(e) => {
                    let span = self.inner_span(h.span, e.at);
                    self.diagnostics.push(
                        Diagnostic::error(
                            Code::MalformedRange,
                            span,
                            format!("malformed range in `{}`: {}", h.name, e.message),
                        )
                        .with_help(
                            "ranges are written `web[1:3]`, `web[01:10]`, `db-[a:c]` or `n[0:10:2]`",
                        ),
                    );
                    return;
                }
            }
        } else {
            // The common case: the name is the host; no copy needed.
            vec![std::mem::take(&mut h.name)]
        };
        for name in names {
            match connector::split(&name) {
                None => {
                    if self.check_host_name(&name, h.span, false) {
                        out.push(Expanded {
                            name,
                            span: h.span,
                            entry,
                            connector: None,
                        });
                    }
                }
                Some((conn, arg)) => {
                    let Some(c) = self.connectors.get(conn) else {
                        let help =
                            did_you_mean(conn, self.connectors.names()).unwrap_or_else(|| {
                                format!(
                                    "known connectors: {}",
                                    self.connectors
                                        .names()
                                        .map(|n| format!("@{n}"))
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                )
                            });
                        self.diagnostics.push(
                            Diagnostic::error(
                                Code::UnknownConnector,
                                h.span,
                                format!("unknown connector `@{conn}` in host `{name}`"),
                            )
                            .with_label_text("no such connector")
                            .with_help(help),
                        );
                        continue;
                    };
                    match c.expand(arg) {
                        Ok(made) => {
                            for m in made {
                                if self.check_host_name(&m.name, h.span, true) {
                                    out.push(Expanded {
                                        name: m.name.clone(),
                                        span: h.span,
                                        entry,
                                        connector: Some(Box::new((conn.to_string(), m))),
                                    });
                                }
                            }
                        }
                        Err(message) => self.diagnostics.push(
                            Diagnostic::error(
                                Code::ConnectorArgument,
                                h.span,
                                format!("host `{name}`: {message}"),
                            )
                            .with_label_text(format!("bad `@{conn}` host")),
                        ),
                    }
                }
            }
        }
    }

    /// The span of bytes `at` inside the string literal at `span`.
    fn inner_span(&self, span: Span, at: std::ops::Range<usize>) -> Span {
        let text = self.sources.get(span.file).text();
        let quoted = matches!(text.as_bytes().get(span.start as usize), Some(b'"' | b'\''));
        let body = &text.get(span.range()).unwrap_or("");
        // Only plain literals map byte for byte; anything with escapes keeps the whole span.
        if quoted && !body.contains('\\') {
            let start = span.start as usize + 1;
            Span::new(
                span.file,
                start + at.start..(start + at.end).min(span.end as usize),
            )
        } else {
            span
        }
    }

    fn check_host_name(&mut self, name: &str, span: Span, connector: bool) -> bool {
        let problem = if let Some(p) = blank_or_spaced("host", name) {
            Some(p)
        } else if name.split('/').any(|seg| seg == ".." || seg == ".") || name.contains("..") {
            Some(format!("host name `{name}` holds `..`"))
        } else if name.contains('/') && !connector {
            Some(format!(
                "host name `{name}` holds `/`, which only connector hosts (`@ssh/...`) may"
            ))
        } else if connector && name.split('/').any(str::is_empty) {
            Some(format!("host name `{name}` has an empty path segment"))
        } else {
            None
        };
        match problem {
            Some(message) => {
                self.diagnostics.push(
                    Diagnostic::error(Code::InvalidHostName, span, message)
                        .with_label_text("invalid host name")
                        .with_help("host names are also file names under host_data/: no whitespace, control characters, `..`, or `/` outside `@connector/argument`"),
                );
                false
            }
            None => true,
        }
    }

    fn check_group_name(&mut self, g: &RawGroup) {
        let name = &g.name;
        let problem = if let Some(p) = blank_or_spaced("group", name) {
            Some(p)
        } else if name.contains('/') {
            Some(format!("group name `{name}` holds `/`"))
        } else if name.starts_with('@') {
            Some(format!(
                "group name `{name}` starts with `@`, which is kept for connector groups"
            ))
        } else {
            None
        };
        if let Some(message) = problem {
            self.diagnostics.push(
                Diagnostic::error(Code::InvalidGroupName, g.name_span, message)
                    .with_label_text("invalid group name")
                    .with_help("group names are also file names under group_data/: use letters, digits, `_`, `-` and `.`"),
            );
        }
    }

    /// Two inline entries giving one host different values for a key.
    fn conflicting_inline(&mut self, hid: usize) {
        let sets = &self.inline[hid];
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
                            let name = &self.hosts[hid].name;
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

    fn name_clashes(&mut self) {
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

/// What host and group names share: not empty, no whitespace or control
/// characters. `kind` is `host` or `group`.
fn blank_or_spaced(kind: &str, name: &str) -> Option<String> {
    if name.is_empty() {
        return Some(format!("a {kind} name cannot be empty"));
    }
    let c = name.chars().find(|c| c.is_whitespace() || c.is_control())?;
    Some(format!(
        "{kind} name `{}` holds {}",
        name.escape_debug(),
        describe_char(c)
    ))
}

fn describe_char(c: char) -> String {
    if c == ' ' {
        "a space".into()
    } else if c.is_whitespace() {
        format!("whitespace ({})", c.escape_debug())
    } else {
        format!("a control character ({})", c.escape_debug())
    }
}
