//! What validating with a schema costs, bounded before it is compiled.
//!
//! A `$ref` stands for its whole target, every time it is used: a chain of
//! definitions that each use the next twice (`allOf` of two `$ref`s) is
//! 2 KB of text and 2^30 subschemas to check against one value. The
//! jsonschema crate follows references lazily, as it validates, so such a
//! schema compiles at once and then takes minutes per value (and with
//! `unevaluatedProperties` the compile itself never ends).
//!
//! So before a schema is compiled, its reference graph is walked with the
//! same resolver the crate uses (`referencing`) and the work of one value
//! is counted: the subschemas applied **to one value**, each `$ref`
//! counted every time it is used (with memoisation, saturating). A value
//! `k` levels inside the data is reached through keywords that descend
//! (`properties`, `items`, ...); the count takes, for each level, the
//! worst path (one property, or one item, and whichever of an object or
//! an array costs more), so what applies to sibling values is not added
//! up: the subschemas that several `allOf` branches give one property
//! name add up, those of different names do not. A schema whose count for one value, at any depth up to the data's
//! nesting limit, exceeds [`MIN_LIMIT`] (or the number of subschemas in
//! the schema, when it has more) is refused; validation then costs at most
//! that many checks per value, linear in schema × data.
//!
//! Recursion: a cycle of references that goes through a keyword that
//! descends into the data (a tree: `"children": {"items": {"$ref": "#"}}`)
//! is fine: it is unrolled one data level at a time, up to
//! [`strata_parser::MAX_DEPTH`] + 1 levels (no data is deeper), and the
//! count of a tree schema stays flat from level to level. A cycle that
//! never descends (`a` is `allOf: [{"$ref": "#/$defs/a"}]`) would check the
//! same value forever: it is refused at the `$ref` that closes it.
//! `$dynamicRef` and `$recursiveRef` depend on the path taken at run time:
//! each resolves to one anchor of its name, so it counts the costliest of
//! them (and of its static target); a cycle through any of them is one.

use std::collections::HashMap;

use referencing::{Draft, Registry, Resolver};
use serde_json::Value;

/// Subschemas one value may be checked against, at least (a schema with
/// more subschemas than this may apply each of them once).
pub const MIN_LIMIT: u64 = 10_000;

/// Data levels unrolled: no value is nested deeper.
const LEVELS: usize = strata_parser::MAX_DEPTH + 1;

/// Why a schema is refused before it is compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Costly {
    /// Checking one value would apply more than `limit` subschemas.
    TooMany {
        /// JSON pointer of the subschema where the count crosses the limit.
        at: String,
        /// Its count (saturating).
        count: u64,
        /// The limit for this schema.
        limit: u64,
        /// How many data levels below the value it is applied to.
        depth: usize,
    },
    /// A reference leads back to a schema it is part of without descending.
    Cycle {
        /// JSON pointer of the `$ref` that closes the cycle.
        at: String,
    },
    /// A reference strata could not follow (jsonschema may still refuse it).
    Unresolved {
        /// JSON pointer of the reference.
        at: String,
    },
}

impl Costly {
    /// The JSON pointer of the offending place in the schema.
    pub(crate) fn at(&self) -> &str {
        match self {
            Costly::TooMany { at, .. } | Costly::Cycle { at } | Costly::Unresolved { at } => at,
        }
    }

    /// What is wrong, for `display` (`schema/all.json`).
    pub(crate) fn message(&self, display: &str) -> String {
        match self {
            Costly::TooMany {
                at,
                count,
                limit,
                depth,
            } => {
                let count = if *count == u64::MAX {
                    "more than 18,446,744,073,709,551,614".to_string()
                } else {
                    crate::resolve::budget::thousands(*count)
                };
                let place = match depth {
                    0 => String::new(),
                    1 => " (to a value one level inside it)".to_string(),
                    d => format!(" (to a value {d} levels inside it)"),
                };
                format!(
                    "{display} costs too much to validate: `#{at}` applies {count} subschemas to one value{place}, over the limit of {}",
                    crate::resolve::budget::thousands(*limit)
                )
            }
            Costly::Cycle { at } => format!(
                "{display} cannot be validated: the reference at `#{at}` leads back to a schema it is part of without descending into the data, so checking a value would never end"
            ),
            Costly::Unresolved { at } => format!(
                "{display}: strata cannot follow the reference at `#{at}` to bound what validating costs"
            ),
        }
    }

    /// How to fix it.
    pub(crate) fn help(&self) -> &'static str {
        match self {
            Costly::TooMany { .. } => {
                "every `$ref` counts its target each time it is used, so definitions that each use the next twice double at every step; use a definition once per value (merge the branches), or check less at once"
            }
            Costly::Cycle { .. } => {
                "a recursive schema must descend into the value between two uses of the same definition (`\"properties\": {\"child\": {\"$ref\": \"#\"}}`); remove the reference, or move it under `properties` or `items`"
            }
            Costly::Unresolved { .. } => {
                "point `$ref` at a place inside the schema (`#/$defs/name`)"
            }
        }
    }

    /// The label's text.
    pub(crate) fn label(&self) -> String {
        match self {
            Costly::TooMany { .. } => "applies too many subschemas to one value".into(),
            Costly::Cycle { .. } => "leads back to itself".into(),
            Costly::Unresolved { .. } => "not followed".into(),
        }
    }
}

/// One subschema and what it applies.
struct Node<'v> {
    value: &'v Value,
    /// Applied to the same value: (subschema, the value naming it).
    inplace: Vec<(u32, &'v Value)>,
    /// Applied to the same value, one of each list (a `$dynamicRef` or
    /// `$recursiveRef` resolves to one of its candidates at run time), with
    /// the reference.
    choices: Vec<(Vec<u32>, &'v Value)>,
    /// Applied to one property's value (the worst of them).
    obj_max: Vec<(&'v str, u32)>,
    /// Applied to any property's value (together).
    obj_sum: Vec<u32>,
    /// Applied to one item (the worst of them).
    arr_max: Vec<(usize, u32)>,
    /// Applied to any item (together).
    arr_sum: Vec<u32>,
}

struct Walk<'v, 'r> {
    nodes: Vec<Node<'v>>,
    ids: HashMap<*const Value, u32>,
    todo: Vec<(u32, Resolver<'r>)>,
    /// `$dynamicAnchor` names and `$recursiveAnchor: true` resources, with
    /// the resolver in effect there.
    dynamic: Vec<(&'v str, &'v Value, Resolver<'r>)>,
    recursive: Vec<(&'v Value, Resolver<'r>)>,
    unresolved: Option<&'v Value>,
}

impl<'v, 'r> Walk<'v, 'r>
where
    'r: 'v,
{
    fn intern(&mut self, value: &'v Value, resolver: &Resolver<'r>) -> u32 {
        let key = std::ptr::from_ref(value);
        if let Some(&id) = self.ids.get(&key) {
            return id;
        }
        let id = self.nodes.len() as u32;
        self.ids.insert(key, id);
        self.nodes.push(Node {
            value,
            inplace: Vec::new(),
            choices: Vec::new(),
            obj_max: Vec::new(),
            obj_sum: Vec::new(),
            arr_max: Vec::new(),
            arr_sum: Vec::new(),
        });
        self.todo.push((id, resolver.clone()));
        id
    }

    /// Resolves `reference` (`via`: the keyword's value).
    fn resolve(&mut self, reference: &str, via: &'v Value, resolver: &Resolver<'r>) -> Option<u32> {
        match resolver.lookup(reference) {
            Ok(resolved) => {
                let (contents, r, _) = resolved.into_inner();
                Some(self.intern(contents, &r))
            }
            Err(_) => {
                self.unresolved.get_or_insert(via);
                None
            }
        }
    }

    fn visit(&mut self, id: u32, resolver: Resolver<'r>, draft: Draft) {
        let value = self.nodes[id as usize].value;
        let Value::Object(map) = value else { return };
        let draft = draft.detect(value);
        let resolver = resolver
            .in_subresource(draft.create_resource_ref(value))
            .unwrap_or(resolver);
        for (key, child) in map {
            let schemas: Vec<&'v Value> = match child {
                Value::Array(items) => items.iter().collect(),
                Value::Object(m)
                    if matches!(
                        key.as_str(),
                        "properties" | "patternProperties" | "dependentSchemas" | "dependencies"
                    ) =>
                {
                    m.values().collect()
                }
                other => vec![other],
            };
            match key.as_str() {
                "allOf" | "anyOf" | "oneOf" | "not" | "if" | "then" | "else"
                | "dependentSchemas" | "dependencies" => {
                    for s in schemas {
                        if s.is_object() || s.is_boolean() {
                            let c = self.intern(s, &resolver);
                            self.nodes[id as usize].inplace.push((c, s));
                        }
                    }
                }
                "$ref" => {
                    if let Some(r) = child.as_str()
                        && let Some(target) = self.resolve(r, child, &resolver)
                    {
                        self.nodes[id as usize].inplace.push((target, child));
                    }
                }
                // Resolved at run time to one anchor of the name in the
                // dynamic scope: any of them, or the static target.
                "$dynamicRef" | "$recursiveRef" => {
                    let reference = if key == "$recursiveRef" {
                        Some("#")
                    } else {
                        child.as_str()
                    };
                    if let Some(r) = reference {
                        let mut candidates: Vec<u32> =
                            self.resolve(r, child, &resolver).into_iter().collect();
                        let anchors: Vec<_> = if key == "$recursiveRef" {
                            self.recursive.clone()
                        } else {
                            let name = r.rsplit_once('#').map_or("", |(_, f)| f);
                            self.dynamic
                                .iter()
                                .filter(|(n, _, _)| *n == name)
                                .map(|(_, v, r)| (*v, r.clone()))
                                .collect()
                        };
                        for (v, r) in anchors {
                            candidates.push(self.intern(v, &r));
                        }
                        self.nodes[id as usize].choices.push((candidates, child));
                    }
                }
                "properties" => {
                    if let Value::Object(m) = child {
                        for (name, s) in m {
                            let c = self.intern(s, &resolver);
                            self.nodes[id as usize].obj_max.push((name.as_str(), c));
                        }
                    }
                }
                "prefixItems" | "items" if child.is_array() => {
                    for (at, s) in schemas.into_iter().enumerate() {
                        let c = self.intern(s, &resolver);
                        self.nodes[id as usize].arr_max.push((at, c));
                    }
                }
                "patternProperties"
                | "additionalProperties"
                | "unevaluatedProperties"
                | "propertyNames" => {
                    for s in schemas {
                        let c = self.intern(s, &resolver);
                        self.nodes[id as usize].obj_sum.push(c);
                    }
                }
                "items" | "additionalItems" | "contains" | "unevaluatedItems" => {
                    for s in schemas {
                        let c = self.intern(s, &resolver);
                        self.nodes[id as usize].arr_sum.push(c);
                    }
                }
                "contentSchema" => {
                    let c = self.intern(child, &resolver);
                    let node = &mut self.nodes[id as usize];
                    node.obj_sum.push(c);
                    node.arr_sum.push(c);
                }
                _ => {}
            }
        }
    }

    /// Every `$dynamicAnchor` and `$recursiveAnchor` of the document, with
    /// the resolver of the resource holding it.
    fn anchors(&mut self, root: &'v Value, resolver: &Resolver<'r>, draft: Draft) {
        let mut stack = vec![(root, resolver.clone())];
        while let Some((value, resolver)) = stack.pop() {
            match value {
                Value::Object(map) => {
                    let resolver = resolver
                        .in_subresource(draft.detect(value).create_resource_ref(value))
                        .unwrap_or(resolver);
                    if let Some(name) = map.get("$dynamicAnchor").and_then(Value::as_str) {
                        self.dynamic.push((name, value, resolver.clone()));
                    }
                    if map.get("$recursiveAnchor").and_then(Value::as_bool) == Some(true) {
                        self.recursive.push((value, resolver.clone()));
                    }
                    stack.extend(map.values().map(|v| (v, resolver.clone())));
                }
                Value::Array(items) => stack.extend(items.iter().map(|v| (v, resolver.clone()))),
                _ => {}
            }
        }
    }
}

/// Checks what validating with `schema` costs (see the module's text).
/// `retriever` answers for anything outside the document (strata's
/// refuses everything).
pub(crate) fn check(
    schema: &Value,
    retriever: impl referencing::Retrieve + 'static,
) -> Result<(), Costly> {
    let draft = Draft::default().detect(schema);
    let resource = draft.create_resource_ref(schema);
    let base = resource.id().unwrap_or("json-schema:///");
    // What jsonschema does too: if it fails here, the compile fails and says why.
    let Ok(base) = referencing::uri::from_str(base) else {
        return Ok(());
    };
    let registry = Registry::new()
        .retriever(retriever)
        .draft(draft)
        .add(base.as_str(), resource)
        .and_then(referencing::RegistryBuilder::prepare);
    let Ok(registry) = registry else {
        return Ok(());
    };
    let base = if registry.contains_resource(base.as_str()) {
        base
    } else {
        let mut b = base.clone();
        b.set_fragment(None);
        b
    };
    let resolver = registry.resolver(base);

    let mut walk = Walk {
        nodes: Vec::new(),
        ids: HashMap::new(),
        todo: Vec::new(),
        dynamic: Vec::new(),
        recursive: Vec::new(),
        unresolved: None,
    };
    walk.anchors(schema, &resolver, draft);
    walk.intern(schema, &resolver);
    while let Some((id, r)) = walk.todo.pop() {
        walk.visit(id, r, draft);
    }
    if let Some(via) = walk.unresolved {
        return Err(Costly::Unresolved {
            at: pointer_to(schema, via),
        });
    }
    let order = match in_place_order(&walk.nodes) {
        Ok(order) => order,
        Err(via) => {
            return Err(Costly::Cycle {
                at: pointer_to(schema, via),
            });
        }
    };
    let nodes = &walk.nodes;
    let limit = MIN_LIMIT.max(nodes.len() as u64);
    // prev: the count at the level above. Below the value, it is an
    // object or an array, the same for every subschema applied to it:
    // each level is counted both ways and the worse kept.
    let mut prev = vec![0u64; nodes.len()];
    let mut cur = vec![0u64; nodes.len()];
    let mut as_obj = vec![0u64; nodes.len()];
    let mut as_arr = vec![0u64; nodes.len()];
    let mut by_obj: Vec<ByKey<&str>> = (0..nodes.len()).map(|_| ByKey::default()).collect();
    let mut by_arr: Vec<ByKey<usize>> = (0..nodes.len()).map(|_| ByKey::default()).collect();
    for depth in 0..=LEVELS {
        for &i in &order {
            let node = &nodes[i as usize];
            let i = i as usize;
            if depth == 0 {
                let chosen = node.choices.iter().fold(0u64, |n, (cs, _)| {
                    n.saturating_add(cs.iter().map(|&c| cur[c as usize]).max().unwrap_or(0))
                });
                cur[i] = node
                    .inplace
                    .iter()
                    .fold(1u64, |n, &(c, _)| n.saturating_add(cur[c as usize]))
                    .saturating_add(chosen);
                continue;
            }
            // One property (or item) of the value below: the keyword of
            // each name adds up across the subschemas applied here (in
            // place), the costliest name counts.
            let mut obj = ByKey::default();
            for &(name, c) in &node.obj_max {
                obj.add_key(name, prev[c as usize]);
            }
            obj.any = node
                .obj_sum
                .iter()
                .fold(0, |n, &c| n.saturating_add(prev[c as usize]));
            let mut arr = ByKey::default();
            for &(at, c) in &node.arr_max {
                arr.add_key(at, prev[c as usize]);
            }
            arr.any = node
                .arr_sum
                .iter()
                .fold(0, |n, &c| n.saturating_add(prev[c as usize]));
            for &(c, _) in &node.inplace {
                obj.merge(&by_obj[c as usize]);
                arr.merge(&by_arr[c as usize]);
            }
            for (cs, _) in &node.choices {
                obj.merge(&ByKey::most(cs.iter().map(|&c| &by_obj[c as usize])));
                arr.merge(&ByKey::most(cs.iter().map(|&c| &by_arr[c as usize])));
            }
            let (o, a) = (obj.worst(), arr.worst());
            by_obj[i] = obj;
            by_arr[i] = arr;
            let (obj, arr) = (o, a);
            (as_obj[i], as_arr[i]) = (obj, arr);
            cur[i] = obj.max(arr);
        }
        // Every subschema is reachable from the root, so each is applied to
        // some value of some data: any of them over the limit is refused,
        // at the smallest count over it (where the limit is crossed).
        let over = cur
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > limit)
            .min_by_key(|(_, c)| **c);
        if let Some((i, &count)) = over {
            return Err(Costly::TooMany {
                at: pointer_to(schema, nodes[i].value),
                count,
                limit,
                depth,
            });
        }
        if depth > 0 && cur == prev {
            // Every deeper level counts the same.
            break;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    Ok(())
}

/// Names kept apart before they are merged into one count.
const MAX_KEYS: usize = 4096;

/// What the subschemas applied to a value apply to one of its properties
/// (or items), by name: `any` applies whatever the name
/// (`additionalProperties`, `patternProperties`, ...), `keys` to one name.
/// A value has each name once, so the costliest name counts, not their
/// sum. Past [`MAX_KEYS`] names the largest is folded into `any` (still an
/// upper bound: every name's count is at most the largest).
struct ByKey<K> {
    keys: HashMap<K, u64>,
    any: u64,
}

impl<K> Default for ByKey<K> {
    fn default() -> Self {
        ByKey {
            keys: HashMap::new(),
            any: 0,
        }
    }
}

impl<K: std::hash::Hash + Eq + Copy> ByKey<K> {
    fn add_key(&mut self, k: K, n: u64) {
        if n > 0 {
            let e = self.keys.entry(k).or_insert(0);
            *e = e.saturating_add(n);
        }
    }

    fn merge(&mut self, other: &ByKey<K>) {
        self.any = self.any.saturating_add(other.any);
        for (&k, &n) in &other.keys {
            self.add_key(k, n);
        }
        if self.keys.len() > MAX_KEYS {
            let largest = self.keys.values().copied().max().unwrap_or(0);
            self.any = self.any.saturating_add(largest);
            self.keys.clear();
        }
    }

    /// One of `candidates` applies: for each name, the largest of theirs.
    fn most<'a>(candidates: impl Iterator<Item = &'a ByKey<K>>) -> ByKey<K>
    where
        K: 'a,
    {
        let mut out = ByKey::default();
        for c in candidates {
            out.any = out.any.max(c.any);
            for (&k, &n) in &c.keys {
                let e = out.keys.entry(k).or_insert(0);
                *e = (*e).max(n);
            }
        }
        out
    }

    /// The count for the costliest name.
    fn worst(&self) -> u64 {
        self.any
            .saturating_add(self.keys.values().copied().max().unwrap_or(0))
    }
}

/// The subschemas in an order where what a subschema applies in place
/// comes before it; `Err` with the reference closing a cycle.
fn in_place_order<'v>(nodes: &[Node<'v>]) -> Result<Vec<u32>, &'v Value> {
    // 0: not seen, 1: on the path, 2: done.
    let mut state = vec![0u8; nodes.len()];
    let mut order = Vec::with_capacity(nodes.len());
    let mut stack: Vec<(u32, usize)> = Vec::new();
    for start in 0..nodes.len() as u32 {
        if state[start as usize] != 0 {
            continue;
        }
        state[start as usize] = 1;
        stack.push((start, 0));
        while let Some((n, next)) = stack.last_mut() {
            let node = &nodes[*n as usize];
            let edge = node.inplace.get(*next).copied().or_else(|| {
                node.choices
                    .iter()
                    .flat_map(|(cs, via)| cs.iter().map(move |&c| (c, *via)))
                    .nth(*next - node.inplace.len())
            });
            if let Some((c, via)) = edge {
                *next += 1;
                match state[c as usize] {
                    0 => {
                        state[c as usize] = 1;
                        stack.push((c, 0));
                    }
                    1 => return Err(via),
                    _ => {}
                }
            } else {
                state[*n as usize] = 2;
                order.push(*n);
                stack.pop();
            }
        }
    }
    Ok(order)
}

/// The JSON pointer of `target` inside `root` (by address); empty for the
/// root, or when it is not inside (a meta-schema).
fn pointer_to(root: &Value, target: &Value) -> String {
    let mut stack: Vec<(&Value, String)> = vec![(root, String::new())];
    while let Some((v, path)) = stack.pop() {
        if std::ptr::eq(v, target) {
            return path;
        }
        let esc = |k: &str| k.replace('~', "~0").replace('/', "~1");
        match v {
            Value::Object(m) => {
                stack.extend(m.iter().map(|(k, c)| (c, format!("{path}/{}", esc(k)))));
            }
            Value::Array(items) => {
                stack.extend(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, c)| (c, format!("{path}/{i}"))),
                );
            }
            _ => {}
        }
    }
    String::new()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct NoFetch;
    impl referencing::Retrieve for NoFetch {
        fn retrieve(
            &self,
            uri: &referencing::Uri<String>,
        ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
            Err(format!("no fetch: {uri}").into())
        }
    }

    /// `levels` definitions, each using the next `times` times in `allOf`.
    fn chain(levels: usize, times: usize) -> Value {
        let mut defs = serde_json::Map::new();
        for i in 0..levels {
            let refs: Vec<Value> = (0..times)
                .map(|_| json!({"$ref": format!("#/$defs/d{}", i + 1)}))
                .collect();
            defs.insert(format!("d{i}"), json!({"allOf": refs}));
        }
        defs.insert(format!("d{levels}"), json!({"type": "integer"}));
        json!({"$defs": defs, "properties": {"x": {"$ref": "#/$defs/d0"}}})
    }

    #[test]
    fn doubling_chains_are_refused_where_they_cross() {
        let e = check(&chain(30, 2), NoFetch).unwrap_err();
        let Costly::TooMany {
            at, count, depth, ..
        } = &e
        else {
            panic!("{e:?}")
        };
        // d18 has 12 levels of doubling under it: 16,381 subschemas, the
        // first definition over 10,000 from the bottom.
        assert_eq!(at, "/$defs/d18", "{e:?}");
        assert!(*count > MIN_LIMIT && *count < 4 * MIN_LIMIT, "{e:?}");
        assert_eq!(*depth, 0);
        // Used once each: linear, fine at any length.
        check(&chain(3000, 1), NoFetch).unwrap();
        // Twelve levels of doubling: 4,096 leaves, within the limit.
        check(&chain(11, 2), NoFetch).unwrap();
    }

    #[test]
    fn recursion_through_the_data_is_fine_in_place_is_not() {
        // A tree, and the JSON-value schema (object or array of itself).
        let tree = json!({"$defs": {"node": {"properties": {"name": {"type": "string"}, "children": {"items": {"$ref": "#/$defs/node"}}}}}, "$ref": "#/$defs/node"});
        check(&tree, NoFetch).unwrap();
        let value = json!({"anyOf": [{"type": "string"}, {"type": "array", "items": {"$ref": "#"}}, {"type": "object", "additionalProperties": {"$ref": "#"}}]});
        check(&value, NoFetch).unwrap();
        // Doubling at each data level: 2^65 at the deepest.
        let doubling = json!({"$defs": {"n": {"allOf": [{"properties": {"c": {"$ref": "#/$defs/n"}}}, {"properties": {"c": {"$ref": "#/$defs/n"}}}]}}, "$ref": "#/$defs/n"});
        let e = check(&doubling, NoFetch).unwrap_err();
        assert!(
            matches!(e, Costly::TooMany { depth, .. } if depth > 5),
            "{e:?}"
        );
        // A cycle that never descends.
        let cycle =
            json!({"$defs": {"a": {"allOf": [{"$ref": "#/$defs/a"}]}}, "$ref": "#/$defs/a"});
        assert_eq!(
            check(&cycle, NoFetch).unwrap_err(),
            Costly::Cycle {
                at: "/$defs/a/allOf/0/$ref".into()
            }
        );
    }

    #[test]
    fn references_resolve_as_jsonschema_resolves_them() {
        // `$id`-based references and anchors are followed: doubling through
        // them is counted too.
        let mut defs = serde_json::Map::new();
        for i in 0..30 {
            defs.insert(
                format!("d{i}"),
                json!({"$anchor": format!("a{i}"), "allOf": [{"$ref": format!("urn:s#a{}", i + 1)}, {"$ref": format!("#a{}", i + 1)}]}),
            );
        }
        defs.insert("d30".into(), json!({"$anchor": "a30", "type": "integer"}));
        let s = json!({"$id": "urn:s", "$defs": defs, "$ref": "#a0"});
        assert!(matches!(
            check(&s, NoFetch).unwrap_err(),
            Costly::TooMany { .. }
        ));
        // The drafts' own meta-schemas (`$dynamicRef` in 2020-12,
        // `$recursiveRef` in 2019-09): each reference resolves to one
        // anchor, so the count stays flat level after level.
        for meta in [
            "https://json-schema.org/draft/2020-12/schema",
            "https://json-schema.org/draft/2019-09/schema",
            "http://json-schema.org/draft-07/schema#",
            "http://json-schema.org/draft-04/schema#",
        ] {
            let s = json!({"$schema": meta, "properties": {"s": {"$ref": meta}}});
            check(&s, NoFetch).unwrap_or_else(|e| panic!("{meta}: {e:?}"));
        }
        // A `$dynamicRef` that leads back to its own anchor, in place.
        let dynamic = json!({"$dynamicAnchor": "n", "allOf": [{"$dynamicRef": "#n"}]});
        assert!(matches!(
            check(&dynamic, NoFetch).unwrap_err(),
            Costly::Cycle { .. }
        ));
    }
}
