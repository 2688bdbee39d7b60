//! Stage 4b: nested groups (`children = [...]` in a group table of
//! hosts.toml, and the `children` of external sources' groups).
//!
//! Runs once every group is known (hosts.toml's, sources', connectors')
//! and every direct membership is placed. It
//!
//! - resolves each child name to a group, reporting unknown names (with a
//!   did-you-mean), `all` as a child, a child named twice, and every cycle
//!   once, with the whole cycle;
//! - gives each group its depth: 1 without parents, else one more than its
//!   deepest parent's;
//! - makes each group's hosts its own and its descendants', each once, in
//!   inventory order: computed once per group, children before parents,
//!   so a diamond lattice costs its edges, not its paths. What the merges
//!   would cost is counted against the host-entry budget before each is
//!   made: a chain of groups over many hosts is refused, not expanded;
//! - puts each host's groups in precedence order, (depth, position): a
//!   deeper group wins, at equal depth the later one. Without `children`
//!   every depth is 1 and the order is the position, as before: the
//!   stage then does nothing at all.

use std::collections::HashSet;

use strata_parser::{Code, Diagnostic, Span};

use super::Builder;

/// How many unknown children get a did-you-mean (each looks at every
/// group name): enough for any real typo, bounded for a hostile file.
const SUGGESTIONS: usize = 16;

/// Marks an edge dropped because it closed a cycle.
const DROPPED: u32 = u32::MAX;

impl Builder<'_> {
    /// Nested groups: see the module documentation.
    pub(super) fn nest(&mut self) {
        let raw = std::mem::take(&mut self.nesting);
        if raw.is_empty() {
            return;
        }
        let n = self.groups.len();
        let mut children: Vec<Vec<(u32, Span)>> = vec![Vec::new(); n];
        let mut suggested = 0;
        // Every edge placed, so a source's edge that repeats one is one edge.
        let mut edges: HashSet<(u32, u32)> = HashSet::new();
        for (parent, names, from_source) in raw {
            let mut seen = HashSet::with_capacity(names.len());
            let parent_name = self.groups[parent as usize].name.clone();
            for (name, span) in names {
                if from_source {
                    // Checked by the source's plan: every child is a group
                    // (made if named nowhere else), each once. The same
                    // edge from hosts.toml or another source is one edge.
                    if let Some(&child) = self.group_index.get(&name)
                        && edges.insert((parent, child))
                    {
                        children[parent as usize].push((child, span));
                    }
                    continue;
                }
                if name == "all" {
                    self.diagnostics.push(
                        Diagnostic::error(
                            Code::InvalidChild,
                            span,
                            format!("`all` cannot be a child of group `{parent_name}`"),
                        )
                        .with_label_text("every group is inside `all`")
                        .with_help("`all` holds every host already; remove it from `children`"),
                    );
                    continue;
                }
                let Some(&child) = self.group_index.get(&name) else {
                    let mut d = Diagnostic::error(
                        Code::UnknownChild,
                        span,
                        format!("group `{parent_name}` names `{name}` as a child, but no group has that name"),
                    )
                    .with_label_text("no such group");
                    let near = (suggested < SUGGESTIONS)
                        .then(|| {
                            suggested += 1;
                            strata_parser::closest_and_sole(
                                &name,
                                self.groups
                                    .iter()
                                    .map(|g| g.name.as_str())
                                    .filter(|g| *g != parent_name),
                            )
                        })
                        .flatten();
                    // The group meant written instead, when it is the only
                    // one that close and the name is a plain string.
                    let fix = near.filter(|(_, sole)| *sole).and_then(|(meant, _)| {
                        let file = self.files.get(span.file);
                        let source = file.text().get(span.range())?;
                        strata_parser::name_fix(span, source, &name, meant)
                    });
                    d = d.with_fix_opt(fix);
                    let help = near
                        .map(|(meant, _)| strata_parser::suggestion(meant))
                        .unwrap_or_else(|| {
                            "a child is a group of the inventory (of hosts.toml or of a source); define it, or remove it from `children`".into()
                        });
                    d = d.with_help(help);
                    self.diagnostics.push(d);
                    continue;
                };
                if !seen.insert(child) {
                    self.diagnostics.push(
                        Diagnostic::warning(
                            Code::DuplicateChild,
                            span,
                            format!("group `{parent_name}` names `{name}` as a child twice"),
                        )
                        .with_label_text("named again here")
                        .with_help("remove the repeated name"),
                    );
                    continue;
                }
                edges.insert((parent, child));
                children[parent as usize].push((child, span));
            }
        }
        drop(edges);
        let post = self.acyclic(&mut children);
        let depth = depths(&post, &children);
        if !self.flatten(&post, &children) {
            return;
        }
        for (g, c) in children.into_iter().enumerate() {
            let rec = &mut self.groups[g];
            rec.depth = depth[g];
            rec.children = c
                .into_iter()
                .filter(|&(c, _)| c != DROPPED)
                .map(|(c, _)| c)
                .collect();
        }
        // Each host's groups in precedence order: (depth, position).
        let mut order: Vec<u32> = (0..n as u32).collect();
        order.sort_by_key(|&g| (depth[g as usize], g));
        for groups in &mut self.member_of {
            groups.clear();
        }
        for g in order {
            for &h in &self.groups[g as usize].hosts {
                self.member_of[h as usize].push(g);
            }
        }
    }

    /// Reports every cycle once (with the whole cycle) and drops the edge
    /// that closes it; gives the groups in post-order (children before
    /// parents). Iterative: a chain of 10,000 groups does not recurse.
    fn acyclic(&mut self, children: &mut [Vec<(u32, Span)>]) -> Vec<u32> {
        const WHITE: u8 = 0;
        const GRAY: u8 = 1;
        const BLACK: u8 = 2;
        let n = children.len();
        let mut color = vec![WHITE; n];
        let mut post = Vec::with_capacity(n);
        let mut stack: Vec<(u32, usize)> = Vec::new();
        for root in 0..n as u32 {
            if color[root as usize] != WHITE {
                continue;
            }
            color[root as usize] = GRAY;
            stack.push((root, 0));
            while let Some(&mut (g, ref mut next)) = stack.last_mut() {
                let edges = &mut children[g as usize];
                if *next == edges.len() {
                    color[g as usize] = BLACK;
                    post.push(g);
                    stack.pop();
                    continue;
                }
                let i = *next;
                *next += 1;
                let (c, span) = edges[i];
                match color[c as usize] {
                    WHITE => {
                        color[c as usize] = GRAY;
                        stack.push((c, 0));
                    }
                    GRAY => {
                        edges[i].0 = DROPPED;
                        let from = stack.iter().position(|&(s, _)| s == c).unwrap_or(0);
                        let names: Vec<String> = stack[from..]
                            .iter()
                            .map(|&(s, _)| format!("`{}`", self.groups[s as usize].name))
                            .chain([format!("`{}`", self.groups[c as usize].name)])
                            .collect();
                        let (parent, child) =
                            (&self.groups[g as usize].name, &self.groups[c as usize].name);
                        let message = if g == c {
                            format!("group `{child}` names itself as a child")
                        } else {
                            format!("groups form a cycle: {}", names.join(" → "))
                        };
                        self.diagnostics.push(
                            Diagnostic::error(Code::GroupCycle, span, message)
                                .with_label_text("this closes the cycle")
                                .with_help(format!(
                                    "a group cannot be its own ancestor: remove `{child}` from the `children` of `{parent}`"
                                )),
                        );
                    }
                    _ => {}
                }
            }
        }
        post
    }

    /// Each group's hosts become its own and its descendants', in
    /// inventory order; the direct ones are kept apart. Children come
    /// first (`post`), so each group is merged once. False, with a
    /// budget error, when the merges would cost more than the host-entry
    /// budget, or the keys of the groups' data would reach more host keys
    /// through nesting than the host-key budget allows (counted on their
    /// own: the hosts each group gains times its keys).
    fn flatten(&mut self, post: &[u32], children: &[Vec<(u32, Span)>]) -> bool {
        let direct: u64 = self.member_of.iter().map(|g| g.len() as u64).sum();
        let mut work = direct;
        let mut host_keys = 0u64;
        let mut stamp = vec![u32::MAX; self.hosts.len()];
        for &g in post {
            let kids: Vec<u32> = children[g as usize]
                .iter()
                .map(|&(c, _)| c)
                .filter(|&c| c != DROPPED)
                .collect();
            if kids.is_empty() {
                continue;
            }
            // Counted before merging: what this group's merge reads.
            let rec = &self.groups[g as usize];
            work += kids
                .iter()
                .map(|&c| self.groups[c as usize].hosts.len() as u64)
                .sum::<u64>();
            if work > self.budget.max_entries {
                let span = rec.span.unwrap_or(children[g as usize][0].1);
                let message = format!(
                    "the nested groups under `{}` bring the inventory over {} host entries (a host counts once for each group it is in, through `children` too)",
                    rec.name, self.budget.max_entries
                );
                self.diagnostics
                    .push(over_budget(span, message, "--max-entries"));
                return false;
            }
            let mut hosts = rec.hosts.clone();
            for &h in &hosts {
                stamp[h as usize] = g;
            }
            for &c in &kids {
                for &h in &self.groups[c as usize].hosts {
                    if std::mem::replace(&mut stamp[h as usize], g) != g {
                        hosts.push(h);
                    }
                }
            }
            hosts.sort_unstable();
            hosts.shrink_to_fit();
            // The group's keys now reach the hosts it gained: counted as
            // the budget counts a group's keys on its entries, before any
            // host's data is resolved.
            let keys: u64 = rec
                .sets
                .iter()
                .map(|&s| self.sets[s as usize].table.len() as u64)
                .sum();
            let gained = (hosts.len() - rec.hosts.len()) as u64;
            host_keys = host_keys.saturating_add(gained.saturating_mul(keys));
            if host_keys > self.budget.max_host_keys {
                let span = rec.span.unwrap_or(children[g as usize][0].1);
                let message = format!(
                    "the data of group `{}` reaches so many hosts through `children` that nested groups bring the inventory over {} host keys",
                    rec.name, self.budget.max_host_keys
                );
                self.diagnostics
                    .push(over_budget(span, message, "--max-host-keys"));
                return false;
            }
            let rec = &mut self.groups[g as usize];
            let own = std::mem::replace(&mut rec.hosts, hosts);
            rec.direct = Some(own);
        }
        true
    }
}

/// Each group's depth: 1 without parents, else one more than its deepest
/// parent's. `post` has children before parents, so its reverse has
/// parents first.
fn depths(post: &[u32], children: &[Vec<(u32, Span)>]) -> Vec<u32> {
    let mut depth = vec![1u32; children.len()];
    for &g in post.iter().rev() {
        let d = depth[g as usize] + 1;
        for &(c, _) in &children[g as usize] {
            if c != DROPPED && depth[c as usize] < d {
                depth[c as usize] = d;
            }
        }
    }
    depth
}

/// Nesting over a budget: an error at the parent, naming the flag that
/// raises it.
fn over_budget(span: Span, message: String, flag: &str) -> Diagnostic {
    Diagnostic::error(Code::BudgetExceeded, span, message).with_help(format!(
        "raise the budget with {flag} (Loader::budget in the library) if the inventory is this big"
    ))
}

#[cfg(test)]
mod tests {
    use strata_parser::Code;

    /// hosts.toml `text` fixed by its `unknown_child` error's fix (which
    /// then is gone), or `None` without a fix.
    fn fixed(text: &str) -> Option<String> {
        crate::resolve::hosts_fixed(text, Code::UnknownChild)
    }

    #[test]
    fn an_unknown_child_close_to_one_group_is_renamed() {
        let base = "web = [\"w1\"]\nwebs = [\"w2\"]\ndb = [\"d1\"]\n";
        assert_eq!(
            fixed(&format!("{base}[prod]\nchildren = [\"dbb\"]\n")),
            Some(format!("{base}[prod]\nchildren = [\"db\"]\n"))
        );
        // `web` and `webs` are as close to `webb`; nothing is close to `zzz`.
        assert_eq!(
            fixed(&format!("{base}[prod]\nchildren = [\"webb\"]\n")),
            None
        );
        assert_eq!(
            fixed(&format!("{base}[prod]\nchildren = [\"zzz\"]\n")),
            None
        );
    }
}
