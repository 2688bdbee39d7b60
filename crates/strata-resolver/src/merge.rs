//! Merge strategies (`strata.toml`'s `[merge]`): the rules compiled once,
//! and one host's contributing layers merged into a [`Layer::Merged`]
//! set, with the provenance of every piece (docs/precedence.md, "Merge
//! strategies").
//!
//! The stage that runs this for every host is `resolve/merge.rs`;
//! [`Inventory::read_host_data`](crate::Inventory::read_host_data) runs it
//! again for a host whose file was deferred. A merge is linear in the size
//! of the values merged; the work of a whole load is bounded by
//! [`MergeBudget`].

use std::collections::HashMap;

use strata_parser::{
    Code, DataTable, Diagnostic, Entry, FileId, Files, MergeRule, Span, Strategy, Table, Text,
    Value,
};

use crate::layer::{DataSet, Layer};

/// A set's number in the inventory's sets (`inventory::SetId`).
type SetId = u32;

/// The prefix that makes an array element or a table key a knockout:
/// `"--x"` removes `x` inherited from lower layers.
pub const KNOCKOUT_PREFIX: &str = "--";

/// One step of a path into a value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Seg {
    Key(Text),
    Index(usize),
}

impl Seg {
    pub fn as_string(&self) -> String {
        match self {
            Seg::Key(k) => k.to_string(),
            Seg::Index(i) => i.to_string(),
        }
    }

    pub(crate) fn is(&self, s: &str) -> bool {
        match self {
            Seg::Key(k) => k.as_str() == s,
            Seg::Index(i) => s.parse::<usize>().ok() == Some(*i),
        }
    }
}

/// Where one piece of a merged value comes from: `path` in the merged
/// value came from `from` in set `set`'s value of the key.
#[derive(Clone, Debug)]
pub(crate) struct Piece {
    pub path: Vec<Seg>,
    pub set: SetId,
    pub from: Vec<Seg>,
}

/// A piece of a lower layer a higher one replaced (`knocked: false`) or
/// knocked out (`knocked: true`): `from` in set `set`'s value, and the set
/// that did it.
#[derive(Clone, Debug)]
pub(crate) struct Dropped {
    pub set: SetId,
    pub from: Vec<Seg>,
    pub by: SetId,
    /// Where in `by`'s value: the replacing value, or the knockout.
    pub by_from: Vec<Seg>,
    pub knocked: bool,
}

/// The provenance of one merged key.
#[derive(Clone, Debug)]
pub(crate) struct MergedKey {
    /// The `[merge]` rule that decided the strategy (an index in
    /// [`Rules::rules`]).
    pub rule: usize,
    /// Every piece in the merged value's order (a table before what it
    /// holds); a path's origin is that of its longest recorded prefix.
    pub pieces: Vec<Piece>,
    pub dropped: Vec<Dropped>,
    /// `pieces` by path, made on the first question: a report asks about
    /// every violation of a value with as many pieces, and a scan per
    /// question would be quadratic.
    index: std::sync::OnceLock<PieceIndex>,
}

/// The pieces of a merged value by path, each path written as its
/// segments' strings (`Seg::as_string`).
#[derive(Clone, Debug, Default)]
struct PieceIndex {
    /// A piece's path → the piece (the last of equal paths, as a scan
    /// keeping the longest would).
    at: HashMap<Vec<String>, usize>,
    /// Every prefix of a piece's path (the path itself included) → the
    /// distinct sets of the pieces at or below it, in piece order.
    sets_below: HashMap<Vec<String>, Vec<SetId>>,
}

impl MergedKey {
    fn index(&self) -> &PieceIndex {
        self.index.get_or_init(|| {
            let mut index = PieceIndex::default();
            for (i, p) in self.pieces.iter().enumerate() {
                let path: Vec<String> = p.path.iter().map(Seg::as_string).collect();
                for n in 0..=path.len() {
                    let sets = index.sets_below.entry(path[..n].to_vec()).or_default();
                    if !sets.contains(&p.set) {
                        sets.push(p.set);
                    }
                }
                index.at.insert(path, i);
            }
            index
        })
    }

    /// The piece that gave `path` (inside the key's value): the longest
    /// recorded prefix, and how many segments of `path` it covers.
    pub fn piece_of(&self, path: &[&str]) -> Option<(&Piece, usize)> {
        if !path.iter().all(|w| canonical(w)) {
            return self
                .pieces
                .iter()
                .filter(|p| p.path.len() <= path.len() && is_prefix(&p.path, path))
                .max_by_key(|p| p.path.len())
                .map(|p| (p, p.path.len()));
        }
        let index = self.index();
        let path: Vec<String> = path.iter().map(|w| w.to_string()).collect();
        (0..=path.len())
            .rev()
            .find_map(|n| index.at.get(&path[..n]).map(|&i| (&self.pieces[i], n)))
    }

    /// The distinct sets of the pieces at `path` or inside it, in the
    /// merged value's order.
    pub fn sets_below(&self, path: &[&str]) -> Vec<SetId> {
        if !path.iter().all(|w| canonical(w)) {
            let mut sets = Vec::new();
            for p in &self.pieces {
                if p.path.len() >= path.len()
                    && is_prefix(&p.path[..path.len()], path)
                    && !sets.contains(&p.set)
                {
                    sets.push(p.set);
                }
            }
            return sets;
        }
        let path: Vec<String> = path.iter().map(|w| w.to_string()).collect();
        self.index()
            .sets_below
            .get(&path[..])
            .cloned()
            .unwrap_or_default()
    }
}

/// Whether `segs` name the first `segs.len()` steps of `path`.
fn is_prefix(segs: &[Seg], path: &[&str]) -> bool {
    segs.len() <= path.len() && segs.iter().zip(path).all(|(s, w)| s.is(w))
}

/// Whether `w`, if it is a number, is written as `Seg::as_string` writes
/// an index (`7`, not `07`): only then can the index answer for it.
fn canonical(w: &str) -> bool {
    w.parse::<usize>().map_or(true, |i| i.to_string() == w)
}

/// A strategy for one value and, below it, for named nested keys.
#[derive(Clone, Debug, Default)]
pub(crate) struct Node {
    /// The strategy and its rule; `None`: the highest layer's value wins
    /// (`first`), apart from the children.
    pub strategy: Option<(Strategy, usize)>,
    pub children: Vec<(String, Node)>,
}

impl Node {
    /// True when nothing below merges: the waterfall as without `[merge]`.
    fn is_plain(&self) -> bool {
        matches!(self.strategy, None | Some((Strategy::First, _)))
            && self.children.iter().all(|(_, c)| c.is_plain())
    }

    fn child(&self, key: &str) -> Option<&Node> {
        self.children.iter().find(|(k, _)| k == key).map(|(_, n)| n)
    }

    fn insert(&mut self, path: &[String], strategy: Strategy, rule: usize) {
        match path.split_first() {
            None => self.strategy = Some((strategy, rule)),
            Some((head, rest)) => {
                let i = match self.children.iter().position(|(k, _)| k == head) {
                    Some(i) => i,
                    None => {
                        self.children.push((head.clone(), Node::default()));
                        self.children.len() - 1
                    }
                };
                self.children[i].1.insert(rest, strategy, rule);
            }
        }
    }
}

/// `[merge]` compiled: names and paths in a tree, globs in a list.
#[derive(Debug, Default)]
pub(crate) struct Rules {
    pub rules: Vec<MergeRule>,
    /// The settings file (for locating rules).
    exact: HashMap<String, Node>,
    globs: Vec<usize>,
}

/// What decides a top-level key's strategy.
pub(crate) enum Decided {
    /// Not merged (no rule, or only `first`).
    Plain,
    Merged(Node),
    /// Two equally specific globs give different strategies.
    Ambiguous(usize, usize),
}

impl Rules {
    pub fn new(rules: Vec<MergeRule>) -> Rules {
        let mut exact: HashMap<String, Node> = HashMap::new();
        let mut globs = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            if r.glob {
                globs.push(i);
            } else {
                exact
                    .entry(r.path[0].clone())
                    .or_default()
                    .insert(&r.path[1..], r.strategy, i);
            }
        }
        Rules {
            rules,
            exact,
            globs,
        }
    }

    /// The strategy of the top-level key `key`: a name or path written for
    /// it first, then the most specific glob (the most characters other
    /// than `*`).
    pub fn decide(&self, key: &str) -> Decided {
        let exact = self.exact.get(key);
        if let Some(n) = exact
            && n.strategy.is_some()
        {
            return if n.is_plain() {
                Decided::Plain
            } else {
                Decided::Merged(n.clone())
            };
        }
        let mut best: Option<(usize, usize)> = None;
        let mut tie: Option<usize> = None;
        for &g in &self.globs {
            let r = &self.rules[g];
            if !r.matches(key) {
                continue;
            }
            let len = r.literal_len();
            match best {
                Some((_, b)) if len < b => {}
                Some((bi, b)) if len == b => {
                    if self.rules[bi].strategy != r.strategy && tie.is_none() {
                        tie = Some(g);
                    }
                }
                _ => {
                    best = Some((g, len));
                    tie = None;
                }
            }
        }
        if let (Some((b, _)), Some(t)) = (best, tie) {
            return Decided::Ambiguous(b, t);
        }
        let mut node = exact.cloned().unwrap_or_default();
        if let Some((g, _)) = best {
            node.strategy = Some((self.rules[g].strategy, g));
        }
        if node.is_plain() {
            Decided::Plain
        } else {
            Decided::Merged(node)
        }
    }
}

/// How much merging a load may do: values visited, added up over every
/// merge (the same budget as the host keys, 100,000,000 by default).
#[derive(Clone, Copy, Debug)]
pub(crate) struct MergeBudget {
    pub left: u64,
}

/// What merging one host's layers found wrong, and the budget left.
pub(crate) struct Found<'f> {
    pub files: &'f Files,
    pub rules: &'f Rules,
    pub diagnostics: Vec<Diagnostic>,
    pub budget: MergeBudget,
    pub over_budget: bool,
    /// The host the merge is for, named in warnings.
    pub host: &'f str,
}

/// Merges `key` over `contributions` (the sets defining it, highest
/// first; no override, no merged set) by `node`: the value, and (with
/// `record`) the provenance of every piece.
pub(crate) fn merge_key(
    sets: &[DataSet],
    key: &str,
    node: &Node,
    contributions: &[SetId],
    found: &mut Found<'_>,
    record: bool,
) -> (Value, MergedKey) {
    let vals: Vec<(SetId, &Value)> = contributions
        .iter()
        .map(|&id| {
            let e = sets[id as usize]
                .table
                .get(key)
                .expect("a contribution defines the key");
            (id, &e.value)
        })
        .collect();
    let mut m = Merge {
        sets,
        key,
        pieces: Vec::new(),
        dropped: Vec::new(),
        record,
        found,
    };
    let value = m.node(node, &vals, &mut Vec::new());
    let mut pieces = Vec::new();
    if record {
        pieces.push(Piece {
            path: Vec::new(),
            set: contributions[0],
            from: Vec::new(),
        });
        pieces.extend(m.pieces);
    }
    let merged = MergedKey {
        rule: first_rule(node).unwrap_or(0),
        pieces,
        dropped: m.dropped,
        index: std::sync::OnceLock::new(),
    };
    (value, merged)
}

/// The provenance of `key` merged over `contributions`, made again when
/// asked (a load keeps only merged values: provenance for 100,000 hosts
/// would cost more than their data).
pub(crate) fn provenance(
    sets: &[DataSet],
    files: &Files,
    m: &Merging,
    key: &str,
    contributions: &[SetId],
) -> Option<MergedKey> {
    let node = m.keys.get(key)?;
    if contributions.is_empty() {
        return None;
    }
    let mut found = Found {
        files,
        rules: &m.rules,
        diagnostics: Vec::new(),
        budget: MergeBudget { left: u64::MAX },
        over_budget: false,
        host: "",
    };
    Some(merge_key(sets, key, node, contributions, &mut found, true).1)
}

/// How `key` merges, as a reader of `[merge]` says it: `unique`, or
/// `first, limits: hash` for a key with a rule on a nested path; and where
/// the (first) rule deciding it is written. `first` and no place for a
/// key no rule merges.
pub(crate) fn strategy_text(m: Option<&Merging>, key: &str) -> (String, Option<Span>) {
    let Some(m) = m else {
        return ("first".into(), None);
    };
    let Decided::Merged(node) = m.rules.decide(key) else {
        return ("first".into(), None);
    };
    fn walk(node: &Node, path: &mut Vec<String>, out: &mut Vec<String>) {
        for (k, child) in &node.children {
            path.push(k.clone());
            if let Some((s, _)) = child.strategy {
                out.push(format!("{}: {s}", path.join(".")));
            }
            walk(child, path, out);
            path.pop();
        }
    }
    let mut parts = vec![
        node.strategy
            .map_or_else(|| "first".to_string(), |(s, _)| s.to_string()),
    ];
    walk(&node, &mut Vec::new(), &mut parts);
    let at = first_rule(&node)
        .and_then(|r| m.rules.rules.get(r))
        .map(|r| r.value_span);
    (parts.join(", "), at)
}

/// The first rule of a tree (a key whose strategy is only on nested paths).
fn first_rule(node: &Node) -> Option<usize> {
    node.strategy
        .map(|(_, r)| r)
        .or_else(|| node.children.iter().find_map(|(_, c)| first_rule(c)))
}

struct Merge<'a, 'f, 'g> {
    sets: &'a [DataSet],
    key: &'a str,
    pieces: Vec<Piece>,
    dropped: Vec<Dropped>,
    /// Keep `pieces` and `dropped` (for explain, not for a load).
    record: bool,
    found: &'f mut Found<'g>,
}

fn knockout(s: &str) -> Option<&str> {
    s.strip_prefix(KNOCKOUT_PREFIX)
}

fn pushed(path: &[Seg], seg: Seg) -> Vec<Seg> {
    let mut p = path.to_vec();
    p.push(seg);
    p
}

impl Merge<'_, '_, '_> {
    fn piece(&mut self, p: Piece) {
        if self.record {
            self.pieces.push(p);
        }
    }

    fn drop(&mut self, d: Dropped) {
        if self.record {
            self.dropped.push(d);
        }
    }

    /// Counts `n` values visited; false once the budget is spent.
    fn spend(&mut self, n: usize) -> bool {
        let n = n as u64;
        if self.found.budget.left < n {
            self.found.over_budget = true;
            self.found.budget.left = 0;
            return false;
        }
        self.found.budget.left -= n;
        true
    }

    fn entry(&self, set: SetId) -> &Entry {
        self.sets[set as usize]
            .table
            .get(self.key)
            .expect("a contributing set defines the key")
    }

    /// The highest value whole; the others replaced.
    fn first(&mut self, vals: &[(SetId, &Value)], path: &[Seg]) -> Value {
        let (top, v) = vals[0];
        self.piece(Piece {
            path: path.to_vec(),
            set: top,
            from: path.to_vec(),
        });
        for &(set, _) in &vals[1..] {
            self.drop(Dropped {
                set,
                from: path.to_vec(),
                by: top,
                by_from: path.to_vec(),
                knocked: false,
            });
        }
        v.clone()
    }

    fn node(&mut self, node: &Node, vals: &[(SetId, &Value)], path: &mut Vec<Seg>) -> Value {
        let strategy = node.strategy.map(|(s, _)| s);
        let needs = match strategy {
            Some(Strategy::Unique) => Some("array"),
            Some(Strategy::Hash | Strategy::Deep) => Some("table"),
            _ => None,
        };
        if let (Some(needs), Some((_, rule))) = (needs, node.strategy)
            && !self.types_fit(vals, needs, rule, path)
        {
            return self.first(vals, path);
        }
        if !self.spend(vals.len()) {
            return self.first(vals, path);
        }
        match strategy {
            Some(Strategy::Unique) => self.unique(vals, path),
            Some(Strategy::Hash) => self.tables(node, false, vals, path),
            Some(Strategy::Deep) => self.deep(node, vals, path),
            None | Some(Strategy::First) if !node.children.is_empty() => {
                // The highest value, with its named nested keys merged.
                match vals[0].1 {
                    Value::Table(_) => self.tables(node, true, vals, path),
                    _ => self.first(vals, path),
                }
            }
            None | Some(Strategy::First) => self.first(vals, path),
        }
    }

    /// Every value is of the type the strategy merges; else an error at
    /// each that is not, naming one that is (or the rule).
    fn types_fit(
        &mut self,
        vals: &[(SetId, &Value)],
        needs: &str,
        rule: usize,
        path: &[Seg],
    ) -> bool {
        let fits = |v: &Value| match needs {
            "array" => v.is_array(),
            _ => v.is_table(),
        };
        if vals.iter().all(|(_, v)| fits(v)) {
            return true;
        }
        let good = vals.iter().find(|(_, v)| fits(v)).map(|(s, _)| *s);
        let r = &self.found.rules.rules[rule];
        let shown = shown_path(self.key, path);
        for &(set, v) in vals.iter().filter(|(_, v)| !fits(v)) {
            let span = self.entry(set).key_span;
            let mut d = Diagnostic::error(
                Code::MergeType,
                span,
                format!(
                    "`{shown}` is {} here, but its strategy `{}` merges {needs}s",
                    article(v.type_str()),
                    r.strategy
                ),
            )
            .with_label_text(format!("{} here", article(v.type_str())));
            d = match good {
                Some(g) => d.with_label(self.entry(g).key_span, format!("{} here", article(needs))),
                None => d,
            };
            d = d
                .with_label(r.value_span, format!("`{}` is merged by `{}`", r.pattern, r.strategy))
                .with_help(format!(
                    "give `{shown}` {} in every layer, or remove its line from strata.toml's [merge]",
                    article(needs)
                ));
            self.found.diagnostics.push(d);
        }
        false
    }

    /// Arrays: the union, highest first, each element once; `"--x"`
    /// removes `x` from the layers below.
    fn unique(&mut self, vals: &[(SetId, &Value)], path: &[Seg]) -> Value {
        let mut out: Vec<Value> = Vec::new();
        let mut index: HashMap<u64, Vec<usize>> = HashMap::new();
        // Knocked-out strings: the knockouts of each (indices in
        // `knocks`, the highest first).
        let mut knocked: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut knocks: Vec<(SetId, usize, &str, bool)> = Vec::new();
        for &(set, v) in vals {
            let items = v.as_array().unwrap_or_default();
            if !self.spend(items.len()) {
                break;
            }
            let mut pending = Vec::new();
            for (j, item) in items.iter().enumerate() {
                if let Some(x) = item.as_str().and_then(knockout) {
                    pending.push((j, x));
                    continue;
                }
                if let Some(s) = item.as_str()
                    && let Some(by) = knocked.get(s)
                {
                    // Every knockout of it above removes something.
                    for &k in by {
                        knocks[k].3 = true;
                    }
                    let (by, at) = (knocks[by[0]].0, knocks[by[0]].1);
                    self.drop(Dropped {
                        set,
                        from: pushed(path, Seg::Index(j)),
                        by,
                        by_from: pushed(path, Seg::Index(at)),
                        knocked: true,
                    });
                    continue;
                }
                let h = hash_value(item);
                let bucket = index.entry(h).or_default();
                if bucket.iter().any(|&i| out[i] == *item) {
                    continue;
                }
                bucket.push(out.len());
                self.piece(Piece {
                    path: pushed(path, Seg::Index(out.len())),
                    set,
                    from: pushed(path, Seg::Index(j)),
                });
                out.push(item.clone());
            }
            for (j, x) in pending {
                knocked.entry(x).or_default().push(knocks.len());
                knocks.push((set, j, x, false));
            }
        }
        for (set, j, x, removed) in knocks {
            if !removed {
                self.empty_knockout(
                    set,
                    pushed(path, Seg::Index(j)),
                    &format!("the element `{x}`"),
                );
            }
        }
        Value::Array(out.into_boxed_slice())
    }

    /// Tables, by key: `"--k"` removes `k` from the layers below. `first`:
    /// only the named nested keys merge, the highest table wins the rest.
    /// Otherwise each key by its nested rule, or (hash) the highest value
    /// whole, or (deep) merged further.
    fn tables(
        &mut self,
        node: &Node,
        first: bool,
        vals: &[(SetId, &Value)],
        path: &mut Vec<Seg>,
    ) -> Value {
        let deep = node.strategy.map(|(s, _)| s) == Some(Strategy::Deep);
        // With `first`, or deep, only the tables from the top down merge:
        // the first value that is not a table replaces everything below it.
        let run = vals.iter().take_while(|(_, v)| v.is_table()).count().max(1);
        let (tables, below) = vals.split_at(run);
        let top = tables[0].0;
        for &(set, _) in below {
            self.drop(Dropped {
                set,
                from: path.clone(),
                by: top,
                by_from: path.clone(),
                knocked: false,
            });
        }
        let mut order: Vec<&str> = Vec::new();
        let mut per_key: HashMap<&str, Vec<(SetId, &Value)>> = HashMap::new();
        let mut knocked: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut knocks: Vec<(SetId, &str, bool)> = Vec::new();
        for (i, &(set, v)) in tables.iter().enumerate() {
            let t: &Table = v.as_table().expect("a run of tables");
            if !self.spend(t.len()) {
                break;
            }
            let mut pending = Vec::new();
            for (k, v) in t.iter() {
                if let Some(x) = knockout(k).filter(|_| !first) {
                    pending.push(x);
                    continue;
                }
                if first && i > 0 && node.child(k).is_none() {
                    // The highest table wins what no nested rule names.
                    let at = pushed(path, Seg::Key(Text::from(k)));
                    let has = tables[0].1.get(k).is_some();
                    self.drop(Dropped {
                        set,
                        from: at.clone(),
                        by: top,
                        by_from: if has { at } else { path.clone() },
                        knocked: false,
                    });
                    continue;
                }
                if let Some(by) = knocked.get(k) {
                    for &i in by {
                        knocks[i].2 = true;
                    }
                    let by = knocks[by[0]].0;
                    let written = format!("{KNOCKOUT_PREFIX}{k}");
                    self.drop(Dropped {
                        set,
                        from: pushed(path, Seg::Key(Text::from(k))),
                        by,
                        by_from: pushed(path, Seg::Key(Text::from(written.as_str()))),
                        knocked: true,
                    });
                    continue;
                }
                let list = per_key.entry(k).or_insert_with(|| {
                    order.push(k);
                    Vec::new()
                });
                list.push((set, v));
            }
            for x in pending {
                knocked.entry(x).or_default().push(knocks.len());
                knocks.push((set, x, false));
            }
        }
        self.piece(Piece {
            path: path.clone(),
            set: top,
            from: path.clone(),
        });
        let mut out: Vec<(Text, Value)> = Vec::with_capacity(order.len());
        for k in order {
            let list = &per_key[k];
            path.push(Seg::Key(Text::from(k)));
            let v = match node.child(k) {
                // Under deep, a path named for a deeper rule merges deep.
                Some(child) if deep && child.strategy.is_none() => self.deep(child, list, path),
                Some(child) => self.node(child, list, path),
                None if deep => self.deep(&Node::default(), list, path),
                None => self.first(list, path),
            };
            path.pop();
            out.push((Text::from(k), v));
        }
        for (set, x, removed) in knocks {
            if !removed {
                let k = format!("{KNOCKOUT_PREFIX}{x}");
                self.empty_knockout(
                    set,
                    pushed(path, Seg::Key(Text::from(k.as_str()))),
                    &format!("the key `{x}`"),
                );
            }
        }
        Value::Table(out.into_iter().collect())
    }

    /// Deep: tables merged key by key, all the way down; anything else
    /// (an array too) is the highest value's.
    fn deep(&mut self, node: &Node, vals: &[(SetId, &Value)], path: &mut Vec<Seg>) -> Value {
        if !vals[0].1.is_table() {
            return self.first(vals, path);
        }
        let node = Node {
            strategy: Some((Strategy::Deep, node.strategy.map_or(0, |(_, r)| r))),
            children: node.children.clone(),
        };
        self.tables(&node, false, vals, path)
    }

    fn empty_knockout(&mut self, set: SetId, from: Vec<Seg>, what: &str) {
        let entry = self.entry(set);
        let file = self.sets[set as usize].file;
        let span = locate(self.found.files, file, entry, &from).unwrap_or(entry.key_span);
        let shown = shown_path(self.key, &from[..from.len() - 1]);
        self.found.diagnostics.push(
            Diagnostic::warning(
                Code::EmptyKnockout,
                span,
                format!(
                    "this knockout removes nothing: no lower layer of host `{}` gives `{shown}` {what}",
                    self.found.host
                ),
            )
            .with_label_text("knocks out nothing")
            .with_help(format!(
                "remove it, or check the name: a knockout (`{KNOCKOUT_PREFIX}name`) removes what a lower layer gives"
            )),
        );
    }
}

/// The span of `from` inside an entry's value, when its file can be read.
pub(crate) fn locate(files: &Files, file: FileId, entry: &Entry, from: &[Seg]) -> Option<Span> {
    if from.is_empty() {
        return None;
    }
    let f = files.get(file);
    if f.is_virtual() {
        return None;
    }
    let path: Vec<String> = from.iter().map(Seg::as_string).collect();
    let path: Vec<&str> = path.iter().map(String::as_str).collect();
    let r = strata_parser::locate_nested(f.text(), entry.value_span.range(), &path)?;
    Some(Span::new(file, r))
}

/// `sysctl."vm.swappiness"`, `packages[2]`.
pub(crate) fn shown_path(key: &str, path: &[Seg]) -> String {
    let mut s = quoted(key);
    for seg in path {
        match seg {
            Seg::Key(k) => {
                s.push('.');
                s.push_str(&quoted(k));
            }
            Seg::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

fn quoted(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_string()
    } else {
        format!("{k:?}")
    }
}

fn article(t: &str) -> String {
    match t.as_bytes().first() {
        Some(b'a' | b'e' | b'i' | b'o' | b'u') => format!("an {t}"),
        _ => format!("a {t}"),
    }
}

/// A hash agreeing with `Value`'s equality: floats by value (`0.0` and
/// `-0.0` alike), tables in any key order.
fn hash_value(v: &Value) -> u64 {
    use std::hash::{BuildHasher, Hash, Hasher};
    let state = foldhash::quality::FixedState::with_seed(0x006d_6572_6765);
    let mut h = state.build_hasher();
    match v {
        Value::String(s) => (0u8, s.as_str()).hash(&mut h),
        Value::Integer(i) => (1u8, i).hash(&mut h),
        Value::Float(f) => (2u8, if *f == 0.0 { 0 } else { f.to_bits() }).hash(&mut h),
        Value::Boolean(b) => (3u8, b).hash(&mut h),
        Value::Datetime(d) => (4u8, d.to_string()).hash(&mut h),
        Value::Array(a) => {
            5u8.hash(&mut h);
            for x in a.iter() {
                hash_value(x).hash(&mut h);
            }
        }
        Value::Table(t) => {
            let mut sum = 0u64;
            for (k, x) in t.iter() {
                sum = sum.wrapping_add(state.hash_one((k, hash_value(x))));
            }
            (6u8, sum).hash(&mut h);
        }
    }
    h.finish()
}

/// A merged set: one per distinct list of contributing layers.
pub(crate) fn merged_set(file: FileId, table: DataTable) -> DataSet {
    DataSet {
        layer: Layer::Merged,
        group: None,
        file,
        table,
    }
}

/// Everything merging keeps in an inventory that has `[merge]`.
#[derive(Debug, Default)]
pub(crate) struct Merging {
    pub rules: Rules,
    /// Each merged top-level key's strategy tree.
    pub keys: HashMap<Text, Node>,
    /// The virtual file of merged sets.
    pub file: Option<FileId>,
    /// The merged set of each key and list of contributions (highest
    /// first), `None` when merging changes nothing (one layer, no
    /// knockout): hosts with the same contributions share it.
    pub by_key: HashMap<(Text, Vec<SetId>), Option<SetId>>,
    /// The merge budget (values visited, all merges together) and what is
    /// left of it.
    pub budget: u64,
    pub budget_left: u64,
    pub over_budget: bool,
    /// Problems already reported (a problem of layers many hosts share is
    /// said once).
    pub reported: std::collections::HashSet<(Code, Option<Span>)>,
    /// The provenance of merged sets already asked about, by merged set:
    /// a set is made for one key and one list of contributions, so every
    /// host sharing it shares its provenance (`list --origins` asks once
    /// per host). At most [`PROVENANCE_KEPT`] are kept: a value merged per
    /// host (a host file contributes) is rarely asked about twice.
    pub provenance: std::sync::Mutex<HashMap<SetId, std::sync::Arc<MergedKey>>>,
}

/// How many merged sets' provenance [`Merging::provenance`] keeps.
pub(crate) const PROVENANCE_KEPT: usize = 4096;

/// The sets of `chain` (a host's layers, highest first) that take part in
/// merging `key`: those defining it, without the override and merged sets.
pub(crate) fn contributions(sets: &[DataSet], chain: &[SetId], key: &str) -> Vec<SetId> {
    chain
        .iter()
        .copied()
        .filter(|&id| {
            let s = &sets[id as usize];
            !matches!(s.layer, Layer::Override | Layer::Merged) && s.table.get(key).is_some()
        })
        .collect()
}

/// Merges host `host`'s layers (`chain`, its data's layers highest
/// first) for every merged key they define: the merged sets to put first
/// in its own layers, one per key whose merge changes something (shared by
/// every host with the same contributions to that key); and what merging
/// found wrong (each problem once per inventory).
pub(crate) fn merge_host(
    sets: &mut Vec<DataSet>,
    files: &Files,
    m: &mut Merging,
    chain: &[SetId],
    host: &str,
) -> (Vec<SetId>, Vec<Diagnostic>) {
    let mut out = Vec::new();
    let mut diagnostics = Vec::new();
    let mut seen: Vec<Text> = Vec::new();
    for &id in chain {
        let s = &sets[id as usize];
        if matches!(s.layer, Layer::Override | Layer::Merged) {
            continue;
        }
        for k in s.table.keys() {
            if m.keys.contains_key(k) && !seen.iter().any(|x| x.as_str() == k) {
                seen.push(Text::from(k));
            }
        }
    }
    for key in seen {
        let contributing = contributions(sets, chain, &key);
        let cache = (key, contributing);
        if let Some(&merged) = m.by_key.get(&cache) {
            out.extend(merged);
            continue;
        }
        let (key, contributing) = &cache;
        let mut found = Found {
            files,
            rules: &m.rules,
            diagnostics: Vec::new(),
            budget: MergeBudget {
                left: m.budget_left,
            },
            over_budget: false,
            host,
        };
        let node = &m.keys[key];
        let (value, _) = merge_key(sets, key, node, contributing, &mut found, false);
        let Found {
            diagnostics: found,
            budget,
            over_budget,
            ..
        } = found;
        diagnostics.extend(found);
        m.budget_left = budget.left;
        if over_budget && !m.over_budget {
            m.over_budget = true;
            let at = m
                .rules
                .rules
                .first()
                .map(|r| r.key_span)
                .unwrap_or_else(|| Span::file_start(m.file.unwrap_or(FileId::from_index(0))));
            diagnostics.push(
                Diagnostic::error(
                    Code::BudgetExceeded,
                    at,
                    format!("merging the strategies of strata.toml would visit more than {} values", m.budget),
                )
                .with_help("the merge budget is the host-key budget (`--max-host-keys`); merged values this large are likely a mistake"),
            );
        }
        let top = sets[contributing[0] as usize]
            .table
            .get(key)
            .expect("a contribution defines the key");
        // One layer, and merging changed nothing: the waterfall finds it.
        let merged = if contributing.len() == 1 && value == top.value {
            None
        } else {
            let mut table = DataTable::default();
            table.insert(
                key,
                Entry {
                    value,
                    key_span: top.key_span,
                    value_span: top.value_span,
                },
            );
            let file = m.file.expect("a merging inventory has its virtual file");
            sets.push(merged_set(file, table));
            Some((sets.len() - 1) as SetId)
        };
        out.extend(merged);
        m.by_key.insert(cache, merged);
    }
    diagnostics.retain(|d| m.reported.insert((d.code, d.span())));
    (out, diagnostics)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> Seg {
        Seg::Key(k.into())
    }

    fn piece(path: Vec<Seg>, set: SetId) -> Piece {
        Piece {
            path,
            set,
            from: Vec::new(),
        }
    }

    fn merged(pieces: Vec<Piece>) -> MergedKey {
        MergedKey {
            rule: 0,
            pieces,
            dropped: Vec::new(),
            index: std::sync::OnceLock::new(),
        }
    }

    /// The index answers as a scan of every piece does, for paths written
    /// canonically and not (`07` for index 7, a table key `07`).
    #[test]
    fn the_piece_index_answers_as_a_scan() {
        let m = merged(vec![
            piece(vec![], 1),
            piece(vec![key("a")], 2),
            piece(vec![key("a"), key("b")], 3),
            piece(vec![key("list"), Seg::Index(7)], 4),
            piece(vec![key("list"), Seg::Index(7), key("x")], 2),
            piece(vec![key("07")], 5),
        ]);
        let scan = |path: &[&str]| {
            m.pieces
                .iter()
                .filter(|p| is_prefix(&p.path, path))
                .max_by_key(|p| p.path.len())
                .map(|p| (p.set, p.path.len()))
        };
        // (path, its piece's set and length, the sets at or below it)
        type Case<'c> = (&'c [&'c str], Option<(SetId, usize)>, &'c [SetId]);
        let cases: &[Case] = &[
            (&[], Some((1, 0)), &[1, 2, 3, 4, 5]),
            (&["a"], Some((2, 1)), &[2, 3]),
            (&["a", "b", "c"], Some((3, 2)), &[]),
            (&["a", "z"], Some((2, 1)), &[]),
            (&["list", "7"], Some((4, 2)), &[4, 2]),
            (&["list", "07"], Some((4, 2)), &[4, 2]),
            (&["list", "07", "x"], Some((2, 3)), &[2]),
            (&["07"], Some((5, 1)), &[5]),
            (&["nothing"], Some((1, 0)), &[]),
        ];
        for (path, piece, below) in cases {
            let got = m.piece_of(path).map(|(p, n)| (p.set, n));
            assert_eq!(got, *piece, "piece_of {path:?}");
            assert_eq!(got, scan(path), "scan {path:?}");
            assert_eq!(m.sets_below(path), below.to_vec(), "sets_below {path:?}");
        }
        assert_eq!(
            merged(Vec::new()).piece_of(&["a"]).map(|(p, _)| p.set),
            None
        );
    }
}
