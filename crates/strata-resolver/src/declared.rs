//! Where hosts.toml names a host or a group: every entry of a group's
//! list that gives a host (a plain name, a range such as
//! `web[1:3].example.com`, a connector entry), every `children` list that
//! names a group, and the hosts one entry expands to. The language
//! server's references and its hover on a range pattern are made of these.
//!
//! The inventory keeps only where a host is first named, so these read
//! hosts.toml's kept text again (the same parser, so the same spans): a
//! request costs one parse of hosts.toml, not a load.

use strata_parser::{Files, HostsFile, RawHost, Span};

use crate::connector::{self, Connectors};
use crate::inventory::{Host, Inventory};
use crate::range;

/// The file whose entries these functions read.
const HOSTS_FILE: &str = "hosts.toml";

/// One entry of a group's host list in hosts.toml and the hosts it makes.
#[derive(Clone, Debug, PartialEq)]
pub struct HostEntry<'a> {
    /// The name as written (`web[1:2].example.com`, `@docker/web`).
    pub written: String,
    /// The group whose list holds it (`all` included).
    pub group: String,
    /// Where the name is written in hosts.toml.
    pub span: Span,
    /// The inventory's hosts it makes, in the order the entry makes them
    /// (a range's order; one host for a plain name).
    pub hosts: Vec<Host<'a>>,
}

impl Inventory {
    /// hosts.toml parsed again from its kept text, with spans in the
    /// inventory's own file; `None` when the inventory has no hosts.toml
    /// text (built in code, or its text let go).
    fn hosts_file(&self) -> Option<(HostsFile, strata_parser::FileId)> {
        let id = self.files.find(HOSTS_FILE)?;
        let file = self.files.get(id);
        if file.is_missing() || file.is_virtual() {
            return None;
        }
        let mut scratch = Files::new();
        let (parsed, _) = strata_parser::parse_hosts(&mut scratch, HOSTS_FILE, file.text().into());
        Some((parsed, id))
    }

    /// The hosts an entry as written makes: its range expanded, and each
    /// name the host of that name, or a built-in connector's hosts
    /// (`@docker/web`); names that are no host of the inventory (an entry
    /// in error) are left out.
    fn entry_hosts(&self, entry: &RawHost) -> Vec<Host<'_>> {
        let names = if entry.name.contains('[') {
            range::expand_at_most(&entry.name, range::MAX_EXPANSION as u64).unwrap_or_default()
        } else {
            vec![entry.name.to_string()]
        };
        let mut out = Vec::new();
        for name in names {
            if let Some(host) = self.host(&name) {
                out.push(host);
            } else if let Some((conn, arg)) = connector::split(&name)
                && let Some(made) = Connectors::builtin()
                    .get(conn)
                    .and_then(|c| c.expand(arg).ok())
            {
                out.extend(made.iter().filter_map(|m| self.host(m.name.as_str())));
            }
        }
        out
    }

    /// Every entry of hosts.toml's group lists, in file order, with the
    /// hosts each makes (see [`HostEntry`]).
    fn entries(&self) -> Vec<HostEntry<'_>> {
        let Some((parsed, id)) = self.hosts_file() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for group in &parsed.groups {
            for entry in &group.hosts {
                out.push(HostEntry {
                    written: entry.name.to_string(),
                    group: group.name.clone(),
                    span: Span::new(id, entry.span.range()),
                    hosts: self.entry_hosts(entry),
                });
            }
        }
        out
    }

    /// The entry of a group's host list in hosts.toml whose name covers
    /// byte `offset` of hosts.toml (its quotes included), with the hosts it
    /// makes: on `"web[1:2].example.com"`, `web1.example.com` and
    /// `web2.example.com`.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// std::fs::write(dir.path().join("hosts.toml"), "web = [\"w[1:3]\"]\n")?;
    /// let inv = strata_resolver::Inventory::load(dir.path())?;
    /// let entry = inv.entry_at(9).unwrap();
    /// assert_eq!(entry.written, "w[1:3]");
    /// assert_eq!(entry.hosts.iter().map(|h| h.name()).collect::<Vec<_>>(), ["w1", "w2", "w3"]);
    /// # Ok(()) }
    /// ```
    pub fn entry_at(&self, offset: usize) -> Option<HostEntry<'_>> {
        let (parsed, id) = self.hosts_file()?;
        parsed.groups.iter().find_map(|group| {
            let entry = group.hosts.iter().find(|e| {
                let r = e.span.range();
                (r.start..=r.end).contains(&offset)
            })?;
            Some(HostEntry {
                written: entry.name.to_string(),
                group: group.name.clone(),
                span: Span::new(id, entry.span.range()),
                hosts: self.entry_hosts(entry),
            })
        })
    }

    /// Every entry of hosts.toml's group lists that makes the host called
    /// `name` (a plain name, a range or a connector entry), in file order.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// std::fs::write(dir.path().join("hosts.toml"), "web = [\"w[1:3]\"]\ndb = [\"w2\"]\n")?;
    /// let inv = strata_resolver::Inventory::load(dir.path())?;
    /// let places: Vec<(String, String)> = inv
    ///     .host_entries("w2")
    ///     .into_iter()
    ///     .map(|e| (e.group, e.written))
    ///     .collect();
    /// assert_eq!(places, [("web".into(), "w[1:3]".into()), ("db".into(), "w2".into())]);
    /// # Ok(()) }
    /// ```
    pub fn host_entries(&self, name: &str) -> Vec<HostEntry<'_>> {
        let Some(host) = self.host(name) else {
            return Vec::new();
        };
        self.entries()
            .into_iter()
            .filter(|e| e.hosts.contains(&host))
            .collect()
    }

    /// Where hosts.toml names the group called `name` as a child: each
    /// name of a `children` list, in file order.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// let text = "web = [\"w1\"]\n[prod]\nchildren = [\"web\"]\n";
    /// std::fs::write(dir.path().join("hosts.toml"), text)?;
    /// let inv = strata_resolver::Inventory::load(dir.path())?;
    /// let spans = inv.child_mentions("web");
    /// assert_eq!(spans.len(), 1);
    /// assert_eq!(&text[spans[0].range()], "\"web\"");
    /// # Ok(()) }
    /// ```
    pub fn child_mentions(&self, name: &str) -> Vec<Span> {
        let Some((parsed, id)) = self.hosts_file() else {
            return Vec::new();
        };
        parsed
            .groups
            .iter()
            .flat_map(|g| g.children.iter())
            .filter(|(child, _)| child == name)
            .map(|(_, span)| Span::new(id, span.range()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::Inventory;

    fn load(text: &str) -> (tempfile::TempDir, Inventory) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("hosts.toml"), text).unwrap();
        let inv = Inventory::load(dir.path()).unwrap();
        (dir, inv)
    }

    fn names(entry: &super::HostEntry<'_>) -> Vec<String> {
        entry.hosts.iter().map(|h| h.name().to_string()).collect()
    }

    #[test]
    fn an_entry_covers_its_quotes_and_makes_its_hosts() {
        let text = "web = [\"w[01:03]\", \"db\"]\n[all]\nhosts = [\"w01\", { name = \"w02\", data = { a = 1 } }, \"w03\", \"db\", \"@docker/c1\"]\n";
        let (_dir, inv) = load(text);
        let at = |needle: &str| text.find(needle).unwrap();
        let range = inv.entry_at(at("w[01")).unwrap();
        assert_eq!(range.group, "web");
        assert_eq!(names(&range), ["w01", "w02", "w03"]);
        assert_eq!(&text[range.span.range()], "\"w[01:03]\"");
        assert_eq!(inv.entry_at(at("\"w[01")), Some(range.clone()));
        assert_eq!(names(&inv.entry_at(at("db")).unwrap()), ["db"]);
        let docker = inv.entry_at(at("@docker")).unwrap();
        assert_eq!(docker.hosts.len(), 1, "{docker:?}");
        assert_eq!(docker.group, "all");
        // `web = ` and a table header are no entry; past the end neither.
        assert_eq!(inv.entry_at(1), None);
        assert_eq!(inv.entry_at(at("[all]")), None);
        assert_eq!(inv.entry_at(text.len() + 10), None);
    }

    #[test]
    fn every_entry_that_makes_a_host() {
        let text = "web = [\"w[1:2]\"]\nmon = [\"w2\", \"w1\"]\n[all]\nhosts = [\"w1\", { name = \"w2\" }]\n";
        let (_dir, inv) = load(text);
        let places: Vec<(String, String)> = inv
            .host_entries("w2")
            .into_iter()
            .map(|e| (e.group, e.written))
            .collect();
        let want = [("web", "w[1:2]"), ("mon", "w2"), ("all", "w2")];
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(g, w)| (g.to_string(), w.to_string()))
            .collect();
        assert_eq!(places, want);
        assert!(inv.host_entries("nope").is_empty());
    }

    #[test]
    fn children_mentions() {
        let text =
            "a = [\"h\"]\nb = [\"i\"]\n[p]\nchildren = [\"a\", \"b\"]\n[q]\nchildren = [\"a\"]\n";
        let (_dir, inv) = load(text);
        let spans = inv.child_mentions("a");
        assert_eq!(spans.len(), 2);
        assert!(spans.iter().all(|s| &text[s.range()] == "\"a\""));
        assert_eq!(inv.child_mentions("b").len(), 1);
        assert!(inv.child_mentions("p").is_empty());
    }

    #[test]
    fn an_inventory_built_in_code_has_no_entries() {
        let inv = Inventory::builder().group("web", ["w1"]).build().unwrap();
        assert_eq!(inv.entry_at(0), None);
        assert!(inv.host_entries("w1").is_empty());
        assert!(inv.child_mentions("web").is_empty());
    }
}
