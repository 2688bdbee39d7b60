//! Stage 1: entries to hosts. The budget is checked before anything is
//! expanded; then ranges and connectors are expanded entry by entry, names
//! are checked, and the hosts are fixed in their order (`all`'s when it
//! lists hosts, else first appearance across the groups).

use std::collections::HashSet;

use strata_parser::{Code, DataTable, Diagnostic, RawGroup, RawHost, Span, Text, did_you_mean};

use super::{Builder, Expanded};
use crate::connector;
use crate::inventory::HostRec;
use crate::layer::Layer;
use crate::range;

/// What expanding hosts.toml gives the next stages.
pub(super) struct Expansion {
    /// The explicit groups (`all` taken out), in file order, not expanded
    /// yet.
    pub groups: Vec<RawGroup>,
    /// `all`, if hosts.toml has it.
    pub all: Option<RawGroup>,
    /// `all`'s entries, expanded, when it lists hosts.
    pub all_entries: Option<Entries>,
    /// Some group had an error.
    pub any_broken: bool,
}

/// Hosts that hosts.toml names but that were not expanded: entries with an
/// error (a backwards range, an unknown connector, a bad name), groups
/// whose hosts could not be read, every entry when the budget is exceeded.
/// A check that needs every host ("names no host", "not in `all`") says
/// nothing of a name that may be one of them: that would be a false
/// diagnostic on top of the real one.
#[derive(Debug, Default)]
pub(crate) struct Unexpanded {
    /// Any name may be one.
    any: bool,
    /// Names that are.
    names: HashSet<String>,
    /// Ranges not expanded, as the text around their brackets: `web[3:1].x`
    /// may stand for any `web….x`.
    patterns: Vec<Vec<String>>,
}

/// More distinct patterns than this, and any name may be one.
const MAX_PATTERNS: usize = 1000;

impl Unexpanded {
    /// Any host may be one of those not expanded.
    pub fn everything(&mut self) {
        self.any = true;
        self.names = HashSet::new();
        self.patterns = Vec::new();
    }

    /// The host `name` was not expanded.
    pub fn name(&mut self, name: &str) {
        if !self.any {
            self.names.insert(name.to_string());
        }
    }

    /// The range entry `entry` was not expanded.
    pub fn range(&mut self, entry: &str) {
        if self.any {
            return;
        }
        let pieces = range_pieces(entry);
        if !self.patterns.contains(&pieces) {
            self.patterns.push(pieces);
        }
        if self.patterns.len() > MAX_PATTERNS {
            self.everything();
        }
    }

    /// True when `name` may be a host that was not expanded.
    pub fn may_name(&self, name: &str) -> bool {
        self.any
            || self.names.contains(name)
            || self.patterns.iter().any(|p| matches_pieces(p, name))
    }
}

/// The text outside the brackets of a range entry, in order: `a[1:2]b[x]c`
/// gives `["a", "b", "c"]`, `web[1:3` gives `["web", ""]`.
fn range_pieces(entry: &str) -> Vec<String> {
    let mut pieces = vec![String::new()];
    let mut depth = 0usize;
    for c in entry.chars() {
        match c {
            '[' => {
                if depth == 0 {
                    pieces.push(String::new());
                }
                depth += 1;
            }
            ']' if depth > 0 => depth -= 1,
            c if depth == 0 => pieces.last_mut().expect("never empty").push(c),
            _ => {}
        }
    }
    pieces
}

/// True when `name` is the pieces with anything between them.
fn matches_pieces(pieces: &[String], name: &str) -> bool {
    let (Some(first), Some(last)) = (pieces.first(), pieces.last()) else {
        return false;
    };
    if pieces.len() == 1 {
        return name == first;
    }
    let Some(rest) = name.strip_prefix(first.as_str()) else {
        return false;
    };
    let Some(mut middle) = rest.strip_suffix(last.as_str()) else {
        return false;
    };
    for p in &pieces[1..pieces.len() - 1] {
        match middle.find(p.as_str()) {
            Some(at) => middle = &middle[at + p.len()..],
            None => return false,
        }
    }
    true
}

/// One group's entries, expanded. The group's `RawHost` list is emptied
/// once expanded (at 100,000 hosts it is 250,000 records); what later
/// stages need of it is kept here.
pub(super) struct Entries {
    /// The hosts the entries make, in order.
    pub hosts: Vec<Expanded>,
    /// Each entry's inline data, by entry index; empty when no entry has any.
    pub data: Vec<Option<Box<DataTable>>>,
    /// How many entries the group wrote (before errors dropped any).
    pub written: usize,
}

impl Entries {
    /// The inline data of entry `i`.
    pub fn data(&self, i: u32) -> Option<&DataTable> {
        Entries::data_of(&self.data, i)
    }

    /// The inline data of entry `i` in `data` (an `Entries`' `data`).
    pub fn data_of(data: &[Option<Box<DataTable>>], i: u32) -> Option<&DataTable> {
        data.get(i as usize).and_then(Option::as_deref)
    }
}

impl Builder<'_> {
    /// Expands hosts.toml's groups and adds the hosts, in order.
    /// `file_keys`: the number of keys of a group's group_data file, for
    /// the budget's host keys.
    pub(super) fn expand(
        &mut self,
        mut raw_groups: Vec<RawGroup>,
        file_keys: &(dyn Fn(&str) -> u64 + Sync),
    ) -> Expansion {
        // Counted before anything is expanded: over budget, nothing is.
        // The groups stay (their files name them), without hosts: any host
        // may be one of those not expanded.
        if let Some(d) = super::budget::check(&raw_groups, file_keys, self.budget) {
            self.diagnostics.push(d);
            self.unexpanded.everything();
            self.all_unexpanded.everything();
            for g in &mut raw_groups {
                g.hosts = Vec::new();
                g.broken = true;
            }
        }
        // Entries dropped for an error, and groups whose hosts could not
        // be read: their hosts are not known.
        for g in &mut raw_groups {
            let all = g.name == "all";
            for name in std::mem::take(&mut g.broken_hosts) {
                if all {
                    self.all_unexpanded.name(&name);
                }
                self.unexpanded.name(&name);
            }
            if g.hosts_unread {
                if all {
                    self.all_unexpanded.everything();
                }
                self.unexpanded.everything();
            }
        }
        let any_broken = raw_groups.iter().any(|g| g.broken);
        let all_pos = raw_groups.iter().position(|g| g.name == "all");
        let mut all = all_pos.map(|i| raw_groups.remove(i));

        // `[all]` with only `data` carries global data; it fixes the host
        // list only when it has `hosts`. The groups' entries are expanded
        // one group at a time as they are placed (`place_groups`), so that
        // only one group's expansion is held at once.
        self.expanding_all = true;
        let all_entries = all
            .as_mut()
            .filter(|all| all.has_hosts)
            .map(|all| self.expand_group(&mut all.hosts));
        self.expanding_all = false;

        // Host order: `all` when present, else first appearance across
        // groups. Without `all`, the hosts are not counted (that took a
        // hash of every entry): the records are reserved for the entries,
        // which over-count hosts in several groups (2.5 times in a typical
        // inventory), but only the part used is ever touched, so resident
        // memory is that of the hosts; the name index grows as needed, and
        // the records are trimmed once placed.
        match &all_entries {
            Some(entries) => self.reserve_hosts(entries.hosts.len()),
            None => {
                let entries: usize = raw_groups.iter().map(|g| g.hosts.len()).sum();
                let entries = entries.min(self.budget.max_hosts as usize);
                self.reserve_records(entries);
                // The index (5 bytes a slot) is reserved for half as many:
                // no rehash while hosts are in two groups on average (2.5
                // in gen.py's inventories), at most one otherwise.
                self.host_index.reserve(entries / 2);
            }
        }
        if let Some(all) = &all_entries {
            all.hosts.iter().for_each(|e| self.add_host(e));
        }
        Expansion {
            groups: raw_groups,
            all,
            all_entries,
            any_broken,
        }
    }

    /// Room for `n` hosts, so the per-host vectors do not grow by doubling.
    pub(super) fn reserve_hosts(&mut self, n: usize) {
        self.host_index.reserve(n);
        self.reserve_records(n);
    }

    /// Room for `n` hosts' records, but not in the name index.
    fn reserve_records(&mut self, n: usize) {
        self.hosts.reserve_exact(n);
        self.member_of.reserve_exact(n);
    }

    pub(super) fn add_host(&mut self, e: &Expanded) {
        if self.host_index.get_hashed(e.hash, &e.name).is_some() {
            return;
        }
        self.new_host(e);
    }

    /// Adds the host `e` names, known to be new; returns its number. The
    /// name is copied into the host index (inline when short).
    pub(super) fn new_host(&mut self, e: &Expanded) -> u32 {
        let hid = self.hosts.len() as u32;
        let (connector, set, implicit) = match e.connector.as_deref() {
            Some((conn, made)) => {
                let file = match self.connector_sources.get(conn) {
                    Some(&f) => f,
                    None => {
                        let f = self.files.add_virtual(format!("<connector {conn}>"));
                        self.connector_sources.insert(conn.clone(), f);
                        f
                    }
                };
                let table = DataTable::from_table(made.data.clone(), Span::file_start(file));
                let set = self.add_set(Layer::Connector, None, file, table);
                (Some(conn.as_str().into()), Some(set), made.groups.clone())
            }
            None => (None, None, Vec::new()),
        };
        self.host_index.insert_hashed(&e.name, hid, e.hash);
        self.hosts.push(HostRec {
            span: Some(e.span),
            own: Default::default(),
            connector,
        });
        self.member_of.push(smallvec::SmallVec::new());
        if set.is_some() {
            *self.connector_set.get_mut(hid as usize) = set;
        }
        if !implicit.is_empty() {
            *self.implicit.get_mut(hid as usize) = implicit;
        }
        hid
    }

    /// Expands ranges and connectors of a group's entries; each entry's
    /// data goes with every host it makes.
    pub(super) fn expand_group(&mut self, hosts: &mut Vec<RawHost>) -> Entries {
        let mut out = Vec::with_capacity(hosts.len());
        for (i, h) in hosts.iter_mut().enumerate() {
            self.expand_entry(h, i as u32, &mut out);
        }
        let data = if hosts.iter().any(|h| h.data.is_some()) {
            hosts.iter_mut().map(|h| h.data.take()).collect()
        } else {
            Vec::new()
        };
        let written = hosts.len();
        *hosts = Vec::new();
        Entries {
            hosts: out,
            data,
            written,
        }
    }

    /// Expands `group`'s entries: `ready` when they were expanded ahead
    /// ([`plain_entries`]), else here.
    pub(super) fn entries_of(&mut self, group: &mut RawGroup, ready: Option<Entries>) -> Entries {
        ready.unwrap_or_else(|| self.expand_group(&mut group.hosts))
    }

    pub(super) fn expand_entry(&mut self, h: &mut RawHost, entry: u32, out: &mut Vec<Expanded>) {
        if !crate::host_name::has_byte(&h.name, b'[') {
            // The common case: the name is the host; no copy needed.
            let name = std::mem::take(&mut h.name);
            self.expand_name(name, h.span, entry, out);
            return;
        }
        let names = {
            // The budget was checked before expanding: it is the limit.
            match range::expand_at_most(&h.name, self.budget.max_entries) {
                Ok(n) => n,
                Err(e) => {
                    self.not_expanded(|u| u.range(&h.name));
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
        };
        for name in names {
            self.expand_name(name.into(), h.span, entry, out);
        }
    }

    /// The fix for unknown connector `conn` in the entry at `span`: the
    /// connector meant written instead, when it is the only one that close
    /// and the entry is a plain string starting `"@conn/`.
    fn connector_fix(&self, span: Span, conn: &str) -> Option<strata_parser::Fix> {
        let meant = strata_parser::sole_closest(conn, self.connectors.names())?;
        let text = self.files.get(span.file).text().get(span.range())?;
        let rest = text.strip_prefix('"').or_else(|| text.strip_prefix('\''))?;
        rest.strip_prefix('@')?
            .strip_prefix(conn)?
            .strip_prefix('/')?;
        let start = span.range().start + 2;
        let at = Span::new(span.file, start..start + conn.len());
        strata_parser::name_fix(at, conn, conn, meant)
    }

    /// One name of an entry (`span`, number `entry` in its group): a host,
    /// or a connector's hosts.
    fn expand_name(&mut self, name: Text, span: Span, entry: u32, out: &mut Vec<Expanded>) {
        {
            match connector::split(&name) {
                None => {
                    if self.check_host_name(&name, span, false) {
                        out.push(Expanded {
                            hash: self.host_index.hash_of(&name),
                            name,
                            span,
                            entry,
                            connector: None,
                        });
                    } else {
                        self.not_expanded(|u| u.name(&name));
                    }
                }
                Some((conn, arg)) => {
                    let Some(c) = self.connectors.get(conn) else {
                        self.not_expanded(|u| u.name(&name));
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
                                span,
                                format!("unknown connector `@{conn}` in host `{name}`"),
                            )
                            .with_label_text("no such connector")
                            .with_help(help)
                            .with_fix_opt(self.connector_fix(span, conn)),
                        );
                        return;
                    };
                    match c.expand(arg) {
                        Ok(made) => {
                            for m in made {
                                if self.check_host_name(&m.name, span, true) {
                                    out.push(Expanded {
                                        hash: self.host_index.hash_of(&m.name),
                                        name: m.name.as_str().into(),
                                        span,
                                        entry,
                                        connector: Some(Box::new((conn.to_string(), m))),
                                    });
                                }
                            }
                        }
                        Err(message) => {
                            self.not_expanded(|u| u.name(&name));
                            self.diagnostics.push(
                                Diagnostic::error(
                                    Code::ConnectorArgument,
                                    span,
                                    format!("host `{name}`: {message}"),
                                )
                                .with_label_text(format!("bad `@{conn}` host")),
                            );
                        }
                    }
                }
            }
        }
    }

    /// Notes an entry that was not expanded, in `all`'s record too while
    /// `all`'s entries are expanded.
    fn not_expanded(&mut self, note: impl Fn(&mut Unexpanded)) {
        if self.expanding_all {
            note(&mut self.all_unexpanded);
        }
        note(&mut self.unexpanded);
    }

    /// The span of bytes `at` inside the string literal at `span`.
    pub(super) fn inner_span(&self, span: Span, at: std::ops::Range<usize>) -> Span {
        let text = self.files.get(span.file).text();
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

    pub(super) fn check_host_name(&mut self, name: &str, span: Span, connector: bool) -> bool {
        // The common case, a byte at a time: printable ASCII without `/`,
        // not `.`, no `..`. Anything else takes the full check below.
        if !connector && crate::host_name::plain_host_name(name) {
            return true;
        }
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

    pub(super) fn check_group_name(&mut self, g: &RawGroup) {
        if let Some(message) = group_name_problem(&g.name) {
            self.diagnostics.push(
                Diagnostic::error(Code::InvalidGroupName, g.name_span, message)
                    .with_label_text("invalid group name")
                    .with_help("group names are also file names under group_data/: use letters, digits, `_`, `-` and `.`"),
            );
        }
    }
}

/// What [`Builder::expand_group`] gives for `hosts` when every entry is a
/// plain host name (no range, no connector, nothing to report): that needs
/// nothing of the builder, so it can be done on another thread while the
/// builder places the group before. `None`, with `hosts` untouched, when
/// some entry is anything else.
pub(super) fn plain_entries(
    hosts: &mut Vec<RawHost>,
    hasher: &foldhash::fast::RandomState,
) -> Option<Entries> {
    use std::hash::BuildHasher;
    let plain = |name: &str| {
        !name.starts_with('@')
            && !crate::host_name::has_byte(name, b'[')
            && crate::host_name::plain_host_name(name)
    };
    if !hosts.iter().all(|h| plain(&h.name)) {
        return None;
    }
    let out = hosts
        .iter_mut()
        .enumerate()
        .map(|(i, h)| Expanded {
            hash: hasher.hash_one(h.name.as_bytes()),
            name: std::mem::take(&mut h.name),
            span: h.span,
            entry: i as u32,
            connector: None,
        })
        .collect();
    let data = if hosts.iter().any(|h| h.data.is_some()) {
        hosts.iter_mut().map(|h| h.data.take()).collect()
    } else {
        Vec::new()
    };
    let written = hosts.len();
    *hosts = Vec::new();
    Some(Entries {
        hosts: out,
        data,
        written,
    })
}

/// What is wrong with a group name, if anything.
pub(super) fn group_name_problem(name: &str) -> Option<String> {
    if let Some(p) = blank_or_spaced("group", name) {
        Some(p)
    } else if name.contains('/') {
        Some(format!("group name `{name}` holds `/`"))
    } else if name.starts_with('@') {
        Some(format!(
            "group name `{name}` starts with `@`, which is kept for connector groups"
        ))
    } else {
        None
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

#[cfg(test)]
mod tests {
    /// The byte-at-a-time fast path of `check_host_name` must accept and
    /// refuse exactly what the full check does.
    #[test]
    fn host_names_accepted_and_refused() {
        let table = [
            ("web1.example.com", true),
            ("a.b", true),
            ("-x_y~z!", true),
            ("é", true),
            ("caf\u{e9}.example", true),
            (".hidden", true),
            ("", false),
            (".", false),
            ("..", false),
            ("a..b", false),
            ("a/b", false),
            ("web 1", false),
            ("tab\t", false),
            ("del\u{7f}", false),
            ("nbsp\u{a0}", false),
        ];
        for (name, ok) in table {
            let built = crate::Inventory::builder().group("web", [name]).build();
            assert_eq!(
                built.is_ok(),
                ok,
                "{name:?}: {:?}",
                built.err().map(|e| e.diagnostics().to_vec())
            );
        }
    }

    /// hosts.toml `text` fixed by its `unknown_connector` error's fix
    /// (which then is gone), or `None` without a fix.
    fn connector_fixed(text: &str) -> Option<String> {
        crate::resolve::hosts_fixed(text, strata_parser::Code::UnknownConnector)
    }

    #[test]
    fn a_misspelt_connector_is_replaced() {
        assert_eq!(
            connector_fixed("web = [\"@sssh/10.0.0.5\"]\n").as_deref(),
            Some("web = [\"@ssh/10.0.0.5\"]\n")
        );
        assert_eq!(
            connector_fixed("web = [{ name = '@dokcer/app', data = { a = 1 } }]\n").as_deref(),
            Some("web = [{ name = '@docker/app', data = { a = 1 } }]\n")
        );
        // Nothing close; an escape in the entry.
        assert_eq!(connector_fixed("web = [\"@zzzzzz/x\"]\n"), None);
        assert_eq!(connector_fixed("web = [\"\\u0040sssh/x\"]\n"), None);
    }
}

#[cfg(test)]
mod unexpanded_tests {
    use super::*;

    #[test]
    fn ranges_stand_for_names_around_their_brackets() {
        // (entry, names it may stand for, names it may not)
        let cases: &[(&str, &[&str], &[&str])] = &[
            ("web[3:1]", &["web1", "web3", "web10"], &["db1", "xweb1"]),
            (
                "web[3:1].example.com",
                &["web2.example.com"],
                &["web2.example.org"],
            ),
            ("web[1:3", &["web1", "web"], &["db"]),
            ("a[1:2]b[x:z]c", &["a1bxc", "a2b-c"], &["a1c", "abx"]),
        ];
        for (entry, yes, no) in cases {
            let mut u = Unexpanded::default();
            u.range(entry);
            for n in *yes {
                assert!(u.may_name(n), "{entry} {n}");
            }
            for n in *no {
                assert!(!u.may_name(n), "{entry} {n}");
            }
        }
        let mut u = Unexpanded::default();
        u.name("@nope/x");
        assert!(u.may_name("@nope/x") && !u.may_name("@nope/y"));
        u.everything();
        assert!(u.may_name("anything"));
    }
}
