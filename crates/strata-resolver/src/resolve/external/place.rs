//! Stage 1, second half: each external source's answer placed in the
//! builder — its hosts after hosts.toml's, its groups (the plan of
//! [`merge`](super::merge)) after hosts.toml's groups with their children
//! handed to the nesting stage, its `vars` and host variables as layers.

use std::collections::HashMap;

use strata_parser::{FileId, Span};

use crate::inventory::SetId;
use crate::layer::Layer;
use crate::resolve::{Builder, Expanded};

/// External sources (docs/sources.md), in name order. Their rules, all
/// here:
///
/// - hosts new to the inventory come after hosts.toml's, in each source's
///   order, and need not be in `[all]`;
/// - a source's groups come after hosts.toml's groups, parents before
///   children; a group named in both has the union of their hosts; a
///   source's `children` are nested groups as hosts.toml's are (stage
///   [`nesting`](super::nesting)): a child is deeper than its parents, so
///   its `vars` win over theirs and over every shallower group, as in
///   Ansible;
/// - within one group, the source's `vars` rank below `group_data/<g>.toml`
///   and hosts.toml's inline `data` (the group's sets: file, inline, then
///   sources' vars, the later source first);
/// - a source's host variables are a layer of the host's own, below inline
///   data and above connector data (see `own_layers`);
/// - `all.vars` ranks below the inventory's global data.
impl Builder<'_> {
    /// Places every source document; returns their global sets (`all.vars`),
    /// highest first.
    pub(in crate::resolve) fn place_sources(
        &mut self,
        docs: Vec<strata_parser::SourceDoc>,
    ) -> Vec<SetId> {
        let mut global = Vec::new();
        for doc in docs {
            if !doc.ok {
                continue;
            }
            let Some(file) = doc.file else { continue };
            self.source_files.insert(file, doc.source.as_str().into());
            match super::merge::plan(&doc, self.budget.max_entries) {
                Ok(plan) => global.extend(self.place_source(doc, file, plan)),
                Err(d) => self.diagnostics.push(d),
            }
        }
        // A later source wins.
        global.reverse();
        global
    }

    fn place_source(
        &mut self,
        doc: strata_parser::SourceDoc,
        file: FileId,
        plan: super::merge::Plan,
    ) -> Option<SetId> {
        use strata_parser::{Code, Diagnostic};
        let new = plan
            .hosts
            .iter()
            .filter(|(h, _)| !self.host_index.contains_key(h))
            .count();
        if (self.hosts.len() + new) as u64 > self.budget.max_hosts {
            let span = plan.hosts.first().map_or(Span::file_start(file), |h| h.1);
            self.diagnostics.push(
                Diagnostic::error(
                    Code::BudgetExceeded,
                    span,
                    format!(
                        "source `{}` brings the inventory over {} hosts",
                        doc.source, self.budget.max_hosts
                    ),
                )
                .with_help("raise the budget with --max-hosts (Loader::budget in the library) if the fleet is this big"),
            );
            return None;
        }
        // Hosts, in the source's order, after those already there.
        self.reserve_hosts(new);
        let mut hids = Vec::with_capacity(plan.hosts.len());
        for (name, span) in &plan.hosts {
            // A host the inventory has (a connector host too) is taken as
            // it is; a new one must be a plain, valid host name.
            let ok = self.host_index.contains_key(name) || self.check_host_name(name, *span, false);
            let e = Expanded {
                hash: self.host_index.hash_of(name),
                name: name.as_str().into(),
                span: *span,
                entry: 0,
                connector: None,
            };
            if ok {
                self.add_host(&e);
            }
            hids.push(self.host_index.get(name).copied());
        }
        // Groups, parents first, each with its own hosts; its children
        // are nested by `nest`.
        for node in plan.nodes {
            if let Some(message) = crate::resolve::expand::group_name_problem(&node.name) {
                self.diagnostics.push(
                    Diagnostic::error(Code::InvalidGroupName, node.span, message)
                        .with_label_text("invalid group name")
                        .with_help("group names are also file names under group_data/: use letters, digits, `_`, `-` and `.`"),
                );
                continue;
            }
            let gid = match self.group_index.get(&node.name) {
                Some(&g) => g,
                None => self.add_group(&node.name, Some(node.span), false),
            };
            // A child with an invalid name is reported as a group of its own.
            let children: Vec<(String, Span)> = node
                .children
                .into_iter()
                .filter(|(c, _)| crate::resolve::expand::group_name_problem(c).is_none())
                .collect();
            if !children.is_empty() {
                self.nesting.push((gid, children, true));
            }
            if let Some(vars) = node.group.and_then(|gi| doc.groups[gi].vars.clone()) {
                let set = self.add_set(Layer::SourceGroup, Some(gid), file, vars);
                // Below the group's file and inline data; a later source
                // above an earlier one.
                let sets = &mut self.groups[gid as usize].sets;
                let at = sets
                    .iter()
                    .position(|&s| self.sets[s as usize].layer == Layer::SourceGroup)
                    .unwrap_or(sets.len());
                sets.insert(at, set);
            }
            for m in node.members {
                let Some(hid) = hids[m as usize] else {
                    continue;
                };
                // A host's groups stay in group order (hosts.toml's, then
                // sources' parents first), whatever order it joined them
                // in: the later group wins for every host alike.
                let groups = &mut self.member_of[hid as usize];
                if let Err(at) = groups.binary_search(&gid) {
                    groups.insert(at, gid);
                }
            }
        }
        // `all` and `ungrouped`: hosts in no group; `all.vars` is global.
        let mut global = None;
        for g in doc
            .groups
            .iter()
            .filter(|g| super::merge::is_special(&g.name))
        {
            let Some(vars) = &g.vars else { continue };
            if g.name == "all" {
                global = Some(self.add_set(Layer::SourceGlobal, None, file, vars.clone()));
            } else {
                self.diagnostics.push(
                    Diagnostic::warning(
                        Code::SourceShape,
                        g.span,
                        format!("the `vars` of `ungrouped` in source `{}` are not used", doc.source),
                    )
                    .with_help("`ungrouped` is not a group one can give data to; use `all.vars`, or a group of its own"),
                );
            }
        }
        // Host variables: `_meta.hostvars`, or the `--host` answers.
        let mine: HashMap<&str, usize> = plan
            .hosts
            .iter()
            .enumerate()
            .map(|(i, (h, _))| (h.as_str(), i))
            .collect();
        for hv in doc.hostvars.unwrap_or_default() {
            let hid = mine.get(hv.host.as_str()).and_then(|&i| hids[i]);
            let Some(hid) = hid else {
                if !mine.contains_key(hv.host.as_str()) {
                    self.diagnostics.push(
                        Diagnostic::warning(
                            Code::SourceShape,
                            hv.span,
                            format!(
                                "`_meta.hostvars` of source `{}` names `{}`, which none of its groups lists; its variables are not used",
                                doc.source, hv.host
                            ),
                        )
                        .with_help("Ansible ignores them too: list the host in a group of the answer (`ungrouped` will do)"),
                    );
                }
                continue;
            };
            self.source_files
                .entry(hv.span.file)
                .or_insert_with(|| doc.source.as_str().into());
            let set = self.add_set(Layer::SourceHost, None, hv.span.file, hv.vars);
            self.source_sets.entry(hid).or_default().push(set);
        }
        global
    }
}
