//! Checks that go beyond loading: problems that do not stop an inventory
//! from working but that a review should catch. `strata check` runs them;
//! plain loading does not pay for them.

use std::collections::HashMap;

use strata_parser::{Code, Diagnostic, is_ansible_string};

use crate::ansible::UNGROUPED;
use crate::inventory::Inventory;

impl Inventory {
    /// Every extra check that holds whoever reads the inventory:
    /// [`Inventory::type_conflicts`] and [`Inventory::reserved_host_names`].
    /// What only Ansible minds is [`Inventory::ansible_names`] (in
    /// `ansible.rs`), which [`Loader::check`](crate::Loader::check) adds for
    /// an inventory [for Ansible](crate::Loader::for_ansible).
    pub fn lint(&self) -> Vec<Diagnostic> {
        let mut out = self.type_conflicts();
        out.extend(self.reserved_host_names());
        out.extend(self.redundant_members());
        out.extend(self.shadowed_parent_data());
        out.extend(self.unused_merge_rules());
        out
    }

    /// A `[merge]` rule whose key, path or glob no data of the inventory
    /// defines (in any layer, sources and the override included): a typo,
    /// or a key renamed since, and the strategy silently applies to
    /// nothing. Reported at the rule.
    pub fn unused_merge_rules(&self) -> Vec<Diagnostic> {
        let Some(m) = self.merging.as_deref() else {
            return Vec::new();
        };
        // The sets defining each top-level key, made once: a rule is then
        // looked up, not compared with every set (strata.toml may hold as
        // many rules as the inventory has sets).
        let mut by_key: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, s) in self.sets.iter().enumerate() {
            for (k, _) in s.table.iter() {
                by_key.entry(k).or_default().push(i);
            }
        }
        let unused: Vec<_> = m
            .rules
            .rules
            .iter()
            .filter(|r| {
                let used = if r.glob {
                    by_key.keys().any(|k| r.matches(k))
                } else {
                    r.path
                        .first()
                        .and_then(|k| by_key.get(k.as_str()))
                        .is_some_and(|sets| sets.iter().any(|&i| defines(&self.sets[i].table, r)))
                };
                !used
            })
            .collect();
        if unused.is_empty() {
            return Vec::new();
        }
        // The top-level keys the inventory defines, for a did-you-mean.
        let mut keys: Vec<&str> = by_key.keys().copied().collect();
        keys.sort_unstable();
        unused
            .into_iter()
            .map(|r| {
                let what = if r.glob {
                    "no data key matches"
                } else if r.path.len() > 1 {
                    "no data defines the path"
                } else {
                    "no data defines the key"
                };
                let d = Diagnostic::warning(
                    Code::UnusedMergeRule,
                    r.key_span,
                    format!("`{}` = \"{}\" merges nothing: {what}", r.pattern, r.strategy),
                )
                .with_label_text("names nothing");
                let near = r
                    .path
                    .first()
                    .filter(|k| !r.glob && keys.binary_search(&k.as_str()).is_err())
                    .and_then(|k| strata_parser::closest_and_sole(k, keys.iter().copied()));
                let known = near.map(|(meant, _)| strata_parser::suggestion(meant));
                // The rule's key written as the key meant: a one-segment
                // rule, when no rule names that key already.
                let fix = near
                    .filter(|(meant, sole)| {
                        *sole
                            && r.path.len() == 1
                            && !m.rules.rules.iter().any(|o| o.path.len() == 1 && o.path[0] == *meant)
                    })
                    .and_then(|(meant, _)| {
                        let source = self.files.get(r.key_span.file).text().get(r.key_span.range())?;
                        strata_parser::name_fix(r.key_span, source, &r.path[0], meant)
                    });
                let d = d.with_fix_opt(fix);
                d.with_help(match known {
                    Some(h) => format!("{h} (or remove the rule)"),
                    None => "check the name against the data files (`strata explain HOST KEY` shows a key's layers), or remove the rule; a key whose own name has a dot is named in double quotes (`'\"net.core\"'`)".to_string(),
                })
            })
            .collect()
    }

    /// A key of a parent group's data (its group_data file or its inline
    /// `data`) that no host of the group resolves from it: every host gets
    /// it from a deeper group (or another that wins over the parent) or
    /// from its own data, so the parent's value is dead. Only for groups
    /// with children, where a child overriding every key is the usual
    /// cause. Reported at the key, naming what wins. `--data` overrides
    /// are left out: they shadow everything for one run. A host's
    /// `host_data/` file not read yet (deferred) is not looked at.
    pub fn shadowed_parent_data(&self) -> Vec<Diagnostic> {
        use crate::layer::Layer;
        /// What wins over the parent's value for one host.
        #[derive(Clone, Copy, PartialEq)]
        enum Winner {
            Host,
            Group(u32),
        }
        let mut out = Vec::new();
        for (g, rec) in self.groups.iter().enumerate() {
            if rec.children.is_empty() || rec.hosts.is_empty() {
                continue;
            }
            // Each key once, at the set the group gives it from (file over
            // inline over a source's `vars`): reported when that is the
            // file or the inline `data`, which a person can change.
            let mut seen = std::collections::HashSet::new();
            let mut keys: Vec<(&str, &strata_parser::Entry, Layer)> = Vec::new();
            for &s in &rec.sets {
                let set = &self.sets[s as usize];
                for (k, e) in set.table.iter() {
                    if seen.insert(k) {
                        keys.push((k, e, set.layer));
                    }
                }
            }
            keys.retain(|&(_, _, l)| matches!(l, Layer::GroupFile | Layer::GroupInline));
            // A key strata.toml merges takes every layer's definition: no
            // group's is shadowed.
            if let Some(m) = &self.merging {
                keys.retain(|&(k, _, _)| !m.keys.contains_key(k));
            }
            if keys.is_empty() {
                continue;
            }
            let defines = |sets: &[u32], key: &str| {
                sets.iter()
                    .any(|&s| self.sets[s as usize].table.get(key).is_some())
            };
            // Per key, what wins over the parent, in the order met; `None`
            // once some host gets the key from the parent.
            let mut winners: Vec<Option<Vec<Winner>>> = vec![Some(Vec::new()); keys.len()];
            for &h in &rec.hosts {
                let groups = &self.host_groups[h as usize];
                let Some(at) = groups.iter().position(|&x| x as usize == g) else {
                    continue;
                };
                // The host's groups that win over the parent, winner first.
                let above = &groups[at + 1..];
                let own = &self.hosts[h as usize].own;
                for (i, &(key, _, _)) in keys.iter().enumerate() {
                    let Some(w) = &mut winners[i] else { continue };
                    let win = if defines(own, key) {
                        Winner::Host
                    } else if let Some(&x) = above
                        .iter()
                        .rev()
                        .find(|&&x| defines(&self.groups[x as usize].sets, key))
                    {
                        Winner::Group(x)
                    } else {
                        winners[i] = None;
                        continue;
                    };
                    if !w.contains(&win) {
                        w.push(win);
                    }
                }
                if winners.iter().all(Option::is_none) {
                    break;
                }
            }
            for ((key, entry, _), w) in keys.into_iter().zip(winners) {
                let Some(w) = w else { continue };
                // "group `a`, group `b` or its own data".
                let groups: Vec<String> = w
                    .iter()
                    .filter_map(|x| match *x {
                        Winner::Group(x) => {
                            Some(format!("group `{}`", self.groups[x as usize].name))
                        }
                        Winner::Host => None,
                    })
                    .collect();
                let mut from: Vec<String> = groups.iter().take(3).cloned().collect();
                if groups.len() > 3 {
                    from.push(format!("{} more groups", groups.len() - 3));
                }
                if w.contains(&Winner::Host) {
                    from.push("its own data".to_string());
                }
                let from = match from.split_last() {
                    Some((last, [])) => last.clone(),
                    Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
                    None => unreachable!("a shadowed key has a winner"),
                };
                let hosts = match rec.hosts.len() {
                    1 => "never reaches its host: it gets it".to_string(),
                    n => format!("reaches none of its {n} hosts: each gets it"),
                };
                out.push(
                    Diagnostic::warning(
                        Code::ShadowedParentData,
                        entry.key_span,
                        format!(
                            "`{key}` of group `{}` {hosts} from {from}",
                            rec.name
                        ),
                    )
                    .with_label_text(format!("shadowed for every host of `{}`", rec.name))
                    .with_help(format!(
                        "remove `{key}` from `{}`, or from what shadows it if `{}`'s value is meant to apply",
                        rec.name, rec.name
                    )),
                );
            }
        }
        out
    }

    /// A group that lists hosts it holds already through its children
    /// (`prod` lists `web1`, and so does its child `prod_web`): harmless,
    /// but two lists to keep in step. Reported once per group, with the
    /// first few names and the count; costs the children's hosts once per
    /// parent (what loading spent already). Not for a group a source
    /// defines (its answer lists hosts as its generator does).
    pub fn redundant_members(&self) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let mut stamp = vec![u32::MAX; self.hosts.len()];
        for (g, rec) in self.groups.iter().enumerate() {
            let (Some(direct), Some(span)) = (&rec.direct, rec.span) else {
                continue;
            };
            // Not for a group a source defines: dynamic inventories often
            // list a host in a group and in its child, Ansible accepts it,
            // and the answer is not the user's to edit (before sources'
            // `children` nested, issue 22 item 4, this never fired there).
            if self.source_files.contains_key(&span.file) {
                continue;
            }
            for &c in &rec.children {
                for &h in &self.groups[c as usize].hosts {
                    stamp[h as usize] = g as u32;
                }
            }
            let twice: Vec<&str> = direct
                .iter()
                .filter(|&&h| stamp[h as usize] == g as u32)
                .map(|&h| self.host_index.name(h as usize))
                .collect();
            if twice.is_empty() {
                continue;
            }
            let shown: Vec<String> = twice.iter().take(3).map(|h| format!("`{h}`")).collect();
            let more = match twice.len() - shown.len() {
                0 => String::new(),
                n => format!(" and {n} more"),
            };
            out.push(
                Diagnostic::warning(
                    Code::RedundantMember,
                    span,
                    format!(
                        "group `{}` lists {}{more}, which it holds already through its children",
                        rec.name,
                        shown.join(", ")
                    ),
                )
                .with_label_text("listed here and in a descendant")
                .with_help(format!(
                    "list each host in one place: `{}`'s hosts include its children's",
                    rec.name
                )),
            );
        }
        out
    }

    /// A host named `all`, the name of the group of every host: a limit of
    /// `all` selects every host, never that host alone (and Ansible warns
    /// "Found both group and host with same name"). A host named
    /// `ungrouped` matters to Ansible only: [`Inventory::ansible_names`]
    /// reports it.
    pub fn reserved_host_names(&self) -> Vec<Diagnostic> {
        self.reserved_host("all").into_iter().collect()
    }

    /// The warning for a host named like an implicit group (`all`,
    /// `ungrouped`), if there is one. A host `ungrouped` beside a group
    /// `ungrouped` is already `strata::host_group_name_clash`.
    pub(crate) fn reserved_host(&self, name: &str) -> Option<Diagnostic> {
        let &hid = self.host_index.get(name)?;
        let span = self.hosts[hid as usize].span?;
        if name == UNGROUPED && self.group_index.contains_key(name) {
            return None;
        }
        let (message, help) = if name == "all" {
            (
                "host `all` has the name of the group of every host; a limit of `all` never selects it alone",
                "rename the host; Ansible also warns about it on every run",
            )
        } else {
            (
                "host `ungrouped` has the name of Ansible's implicit group of the hosts in no other group",
                "if this inventory is used from Ansible, rename the host: there `-l ungrouped` selects the group, and Ansible warns on every run",
            )
        };
        Some(
            Diagnostic::warning(Code::ReservedHostName, span, message)
                .with_label_text("Ansible: \"Found both group and host with same name\"")
                .with_help(help),
        )
    }

    /// A key whose type differs between the layers of one host (an integer
    /// in a group, a string in host data): the winner's type silently
    /// changes what a deploy gets. Reported once per pair of definitions,
    /// with the number of hosts affected.
    ///
    /// Hosts with the same layers (the same groups, no data of their own)
    /// have the same conflicts: each distinct chain of layers is looked at
    /// once and counts its hosts, so a million hosts in ten groups cost
    /// what their few distinct chains cost, not hosts × keys.
    pub fn type_conflicts(&self) -> Vec<Diagnostic> {
        // Hosts without layers of their own (a host file, inline data, a
        // connector) that share a chain of layers, counted first; each
        // chain is then looked at once, at its first host, with its count.
        let mut shared: HashMap<Vec<crate::inventory::SetId>, usize, foldhash::fast::RandomState> =
            HashMap::default();
        for host in self.hosts() {
            if self.hosts[host.index()].own.is_empty() {
                let data = host.data();
                match shared.get_mut(data.chain()) {
                    Some(n) => *n += 1,
                    None => {
                        shared.insert(data.chain().to_vec(), 1);
                    }
                }
            }
        }
        // (winner file, winner offset, loser file, loser offset) -> index in `found`
        let mut seen: HashMap<(u32, u32, u32, u32), usize> = HashMap::new();
        let mut found: Vec<(Diagnostic, usize)> = Vec::new();
        for host in self.hosts() {
            let data = host.data();
            let hosts = if self.hosts[host.index()].own.is_empty() {
                // 0 once its chain was looked at.
                match shared.get_mut(data.chain()) {
                    Some(n) if *n > 0 => std::mem::take(n),
                    _ => continue,
                }
            } else {
                1
            };
            let layered = data.layered();
            // Each run of one key: the winner first, then what it shadows.
            for run in layered.chunk_by(|a, b| crate::data::same_key(a.key, b.key)) {
                let (first, shadowed) = run.split_first().expect("chunks are not empty");
                let (key, wset, winner) = (first.key, first.set, first.entry);
                if shadowed.is_empty() || self.files.get(wset.file).is_virtual() {
                    continue;
                }
                for d in shadowed {
                    let (lset, loser) = (d.set, d.entry);
                    // Ansible takes a vault value or an unsafe string for
                    // a string: not a conflict with one.
                    if self.files.get(lset.file).is_virtual()
                        || winner.value.same_type(&loser.value)
                        || (is_ansible_string(&winner.value) && is_ansible_string(&loser.value))
                    {
                        continue;
                    }
                    let id = (
                        wset.file.index() as u32,
                        winner.value_span.start,
                        lset.file.index() as u32,
                        loser.value_span.start,
                    );
                    if let Some(&i) = seen.get(&id) {
                        found[i].1 += hosts;
                    } else {
                        seen.insert(id, found.len());
                        let (w, l) = (
                            self.origin_of(wset, Some(winner.key_span)),
                            self.origin_of(lset, Some(loser.key_span)),
                        );
                        let d = Diagnostic::warning(
                            Code::TypeConflict,
                            winner.value_span,
                            format!(
                                "`{key}` is {} in {} but {} in {}",
                                article(winner.value.type_str()),
                                w.source,
                                article(loser.value.type_str()),
                                l.source
                            ),
                        )
                        .with_label_text(format!("{} here wins", winner.value.type_str()))
                        .with_label(
                            loser.value_span,
                            format!("over {} here", article(loser.value.type_str())),
                        )
                        .with_help(format!(
                            "give `{key}` one type in every layer, or rename one of them"
                        ));
                        found.push((d, hosts));
                    }
                }
            }
        }
        found
            .into_iter()
            .map(|(mut d, hosts)| {
                if hosts > 1 {
                    d.message.push_str(&format!(" (for {hosts} hosts)"));
                }
                d
            })
            .collect()
    }
}

fn article(type_name: &str) -> String {
    match type_name {
        "integer" | "array" => format!("an {type_name}"),
        other => format!("a {other}"),
    }
}

/// Whether `table` defines what the `[merge]` rule `r` names: a key its
/// glob matches, its key, or every table along its path.
fn defines(table: &strata_parser::DataTable, r: &strata_parser::MergeRule) -> bool {
    if r.glob {
        return table.iter().any(|(k, _)| r.matches(k));
    }
    let Some((first, rest)) = r.path.split_first() else {
        return false;
    };
    let Some(entry) = table.get(first) else {
        return false;
    };
    let mut value = &entry.value;
    for seg in rest {
        match value {
            strata_parser::Value::Table(t) => match t.get(seg) {
                Some(v) => value = v,
                None => return false,
            },
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use strata_parser::Code;

    /// strata.toml `settings` fixed by its `unused_merge_rule` warning's
    /// fix (which then is gone), or `None` without a fix.
    fn fixed(settings: &str) -> Option<String> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("hosts.toml"), "web = [\"w1\"]\n").unwrap();
        std::fs::create_dir(dir.path().join("group_data")).unwrap();
        let data = "packages = [\"a\"]\nport_a = 1\nport_b = 2\nlimits = { a = 1 }\n";
        std::fs::write(dir.path().join("group_data/web.toml"), data).unwrap();
        std::fs::write(dir.path().join("strata.toml"), settings).unwrap();
        let inventory = crate::Loader::new(dir.path())
            .keep_texts(true)
            .load()
            .unwrap();
        let found = inventory.unused_merge_rules();
        let d = found
            .iter()
            .find(|d| d.code == Code::UnusedMergeRule)
            .expect("an unused rule");
        let file = d.span().unwrap().file;
        let out = d.fix.as_ref()?.apply_to(file, settings)?;
        std::fs::write(dir.path().join("strata.toml"), &out).unwrap();
        let again = crate::Loader::new(dir.path()).load().unwrap();
        assert!(again.unused_merge_rules().is_empty(), "{out}");
        Some(out)
    }

    #[test]
    fn a_rule_for_a_misspelt_key_is_renamed() {
        assert_eq!(
            fixed("[merge]\npakages = \"unique\"\n").as_deref(),
            Some("[merge]\npackages = \"unique\"\n")
        );
        assert_eq!(
            fixed("[merge]\n'limitz' = \"hash\"\n").as_deref(),
            Some("[merge]\n\"limits\" = \"hash\"\n")
        );
        // `port_a` and `port_b` are as close to `port_c`; a rule for
        // `packages` exists already; a dotted path.
        assert_eq!(fixed("[merge]\nport_c = \"first\"\n"), None);
        assert_eq!(
            fixed("[merge]\npackages = \"unique\"\npakages = \"unique\"\n"),
            None
        );
        assert_eq!(fixed("[merge]\n\"limitz.a\" = \"hash\"\n"), None);
    }
}
