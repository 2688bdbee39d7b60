//! A source document's groups as a plan: their order (a parent before its
//! children, otherwise as written), each group's own members and its
//! children, and the source's hosts in order. Pure graph work on one
//! document; [`layers`](super::super::layers) places the result, and its
//! `children` become nested groups (as hosts.toml's do) in
//! [`nesting`](super::super::nesting).

use std::collections::{BTreeSet, HashMap, HashSet};

use strata_parser::{Code, Diagnostic, SourceDoc, Span};

/// Groups that stand for "every host" in the dynamic-inventory contract.
pub(crate) fn is_special(name: &str) -> bool {
    name == "all" || name == "ungrouped"
}

/// One group to place.
pub(crate) struct Node {
    /// Its name.
    pub name: String,
    /// Where it is written (its key, or the `children` entry that names it).
    pub span: Span,
    /// Index in the document's groups; `None` for a group named only as
    /// someone's child (Ansible creates it, empty).
    pub group: Option<usize>,
    /// Its own hosts (not its children's), as indices into [`Plan::hosts`].
    pub members: Vec<u32>,
    /// Its children, each once, with the `children` entry that names it
    /// (`all` and `ungrouped` left out).
    pub children: Vec<(String, Span)>,
}

/// What one source document adds.
pub(crate) struct Plan {
    /// The source's hosts in order of first appearance.
    pub hosts: Vec<(String, Span)>,
    /// Groups in placement order: parents first, else document order.
    pub nodes: Vec<Node>,
}

/// Orders `doc`'s groups and refuses loops. `max_members` bounds the
/// memberships the hierarchy stands for once each group holds its
/// descendants' hosts (the budget's host entries): a deep hierarchy over
/// many hosts is refused before anything is placed.
pub(crate) fn plan(doc: &SourceDoc, max_members: u64) -> Result<Plan, Diagnostic> {
    // Hosts, in order of first appearance.
    let mut host_ids: HashMap<&str, u32> = HashMap::new();
    let mut hosts = Vec::new();
    for g in &doc.groups {
        for (h, span) in &g.hosts {
            if !host_ids.contains_key(h.as_str()) {
                host_ids.insert(h, hosts.len() as u32);
                hosts.push((h.clone(), *span));
            }
        }
    }
    // Nodes: the groups as written (the last one of a name, as JSON
    // readers take it), then children named nowhere else.
    let mut last: HashMap<&str, usize> = HashMap::new();
    for (i, g) in doc.groups.iter().enumerate() {
        last.insert(&g.name, i);
    }
    let mut nodes: Vec<Node> = Vec::new();
    let mut node_of: HashMap<&str, usize> = HashMap::new();
    for (i, g) in doc.groups.iter().enumerate() {
        if last[g.name.as_str()] == i && !is_special(&g.name) {
            node_of.insert(&g.name, nodes.len());
            nodes.push(Node {
                name: g.name.clone(),
                span: g.span,
                group: Some(i),
                members: Vec::new(),
                children: Vec::new(),
            });
        }
    }
    let mut edges: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    for parent in 0..nodes.len() {
        let Some(gi) = nodes[parent].group else {
            continue;
        };
        for (child, span) in &doc.groups[gi].children {
            if is_special(child) {
                continue;
            }
            let c = match node_of.get(child.as_str()) {
                Some(&c) => c,
                None => {
                    node_of.insert(child, nodes.len());
                    nodes.push(Node {
                        name: child.clone(),
                        span: *span,
                        group: None,
                        members: Vec::new(),
                        children: Vec::new(),
                    });
                    edges.push(Vec::new());
                    nodes.len() - 1
                }
            };
            if !edges[parent].contains(&c) {
                edges[parent].push(c);
                nodes[parent].children.push((child.clone(), *span));
            }
        }
    }
    // Topological order, document order among the ready (Kahn).
    let mut indegree = vec![0usize; nodes.len()];
    for e in &edges {
        for &c in e {
            indegree[c] += 1;
        }
    }
    let mut ready: BTreeSet<usize> = (0..nodes.len()).filter(|&v| indegree[v] == 0).collect();
    let mut order = Vec::with_capacity(nodes.len());
    while let Some(v) = ready.pop_first() {
        order.push(v);
        for &c in &edges[v] {
            indegree[c] -= 1;
            if indegree[c] == 0 {
                ready.insert(c);
            }
        }
    }
    if order.len() < nodes.len() {
        return Err(cycle(doc, &nodes, &edges, &indegree));
    }
    // Members with descendants', children first (reverse order), counted
    // against the budget; each group keeps only its own.
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); nodes.len()];
    let mut own: Vec<Vec<u32>> = vec![Vec::new(); nodes.len()];
    let mut total: u64 = 0;
    for &v in order.iter().rev() {
        own[v] = nodes[v]
            .group
            .map(|gi| {
                let mut set: Vec<u32> = doc.groups[gi]
                    .hosts
                    .iter()
                    .map(|(h, _)| host_ids[h.as_str()])
                    .collect();
                set.sort_unstable();
                set.dedup();
                set
            })
            .unwrap_or_default();
        let mut set = own[v].clone();
        for &c in &edges[v] {
            set.extend_from_slice(&members[c]);
        }
        set.sort_unstable();
        set.dedup();
        total = total.saturating_add(set.len() as u64);
        if total > max_members {
            return Err(Diagnostic::error(
                Code::BudgetExceeded,
                nodes[v].span,
                format!(
                    "source `{}` expands to more than {max_members} group memberships once each group holds its `children`' hosts",
                    doc.source
                ),
            )
            .with_help("raise the budget with --max-entries (Loader::budget in the library) if this hierarchy is real"));
        }
        members[v] = set;
    }
    drop(members);
    let mut placed = Vec::with_capacity(nodes.len());
    let mut nodes: Vec<Option<Node>> = nodes.into_iter().map(Some).collect();
    for v in order {
        let mut n = nodes[v].take().expect("each node is placed once");
        n.members = std::mem::take(&mut own[v]);
        placed.push(n);
    }
    Ok(Plan {
        hosts,
        nodes: placed,
    })
}

/// A located error for a `children` loop: one cycle, written out.
fn cycle(doc: &SourceDoc, nodes: &[Node], edges: &[Vec<usize>], indegree: &[usize]) -> Diagnostic {
    // Walk from a node left in the loop until a node repeats.
    let in_loop: HashSet<usize> = (0..nodes.len()).filter(|&v| indegree[v] > 0).collect();
    let start = *in_loop.iter().min().expect("a cycle has nodes");
    let mut path = vec![start];
    let mut seen = HashSet::from([start]);
    let mut at = start;
    loop {
        let next = edges[at]
            .iter()
            .copied()
            .find(|c| in_loop.contains(c))
            .expect("a node in a loop has a successor in it");
        if !seen.insert(next) {
            let from = path.iter().position(|&p| p == next).unwrap_or(0);
            path.drain(..from);
            path.push(next);
            break;
        }
        path.push(next);
        at = next;
    }
    let names: Vec<&str> = path.iter().map(|&v| nodes[v].name.as_str()).collect();
    // Label the `children` entry that closes the loop.
    let (parent, child) = (path[path.len() - 2], path[path.len() - 1]);
    let span = nodes[parent]
        .group
        .and_then(|gi| {
            doc.groups[gi]
                .children
                .iter()
                .find(|(c, _)| *c == nodes[child].name)
                .map(|(_, s)| *s)
        })
        .unwrap_or(nodes[child].span);
    Diagnostic::error(
        Code::SourceShape,
        span,
        format!(
            "the groups of source `{}` contain each other: {}",
            doc.source,
            names.join(" → ")
        ),
    )
    .with_label_text("this child closes the loop")
    .with_help("a group cannot be its own descendant (Ansible refuses it too): remove one `children` entry")
}
