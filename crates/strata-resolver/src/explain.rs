//! Why one definition of a key wins over another: the precedence rule made
//! visible, for `strata explain` and for deploy tools that want to say it.

use strata_parser::Value;

use crate::data::{Data, Definition, Origin};
use crate::layer::Layer;
use crate::merge::Seg;

/// The rule by which a winning definition shadows another.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason<'a> {
    /// A higher layer beats a lower one.
    Layer {
        /// The winner's layer.
        winner: Layer,
        /// The shadowed definition's layer.
        loser: Layer,
    },
    /// Both come from groups: the winner's group comes later in the host's
    /// groups (definition order in hosts.toml; connector groups last).
    LaterGroup {
        /// The winner's group.
        winner: &'a str,
        /// The shadowed definition's group.
        loser: &'a str,
    },
    /// Same group: its `group_data/<g>.toml` beats its inline `data`.
    GroupFileOverInline {
        /// The group.
        group: &'a str,
    },
    /// Inline host data: the entry in `all` beats an entry in a group.
    AllEntry {
        /// The group of the shadowed entry.
        loser: &'a str,
    },
    /// Inline host data: an entry in a later group beats one in an earlier
    /// group (or, in one group, the later entry wins).
    LaterEntry {
        /// The winner's group.
        winner: &'a str,
        /// The shadowed entry's group.
        loser: &'a str,
    },
    /// `group_data/all.toml` beats `all.data`.
    GlobalFileOverInline,
    /// Same group: hosts.toml's inline `data` or the group's
    /// `group_data/<g>.toml` beats a source's `vars` for it.
    GroupOverSource {
        /// The group.
        group: &'a str,
        /// The shadowed source.
        source: &'a str,
    },
    /// Both come from groups of equal depth and one is a source's: the
    /// winner's group comes later (sources' groups after hosts.toml's,
    /// sources in name order, each source's groups in its order).
    LaterSourceGroup {
        /// The winner's group.
        winner: &'a str,
        /// The shadowed definition's group.
        loser: &'a str,
    },
    /// Both come from groups and the winner's is deeper (nested further
    /// through `children`): a deeper group wins over a shallower one,
    /// whatever their order.
    DeeperGroup {
        /// The winner's group.
        winner: &'a str,
        /// The shadowed definition's group.
        loser: &'a str,
        /// The winner's depth.
        winner_depth: u32,
        /// The shadowed group's depth.
        loser_depth: u32,
        /// The winner is a child of the shadowed group.
        child: bool,
    },
    /// Two sources define it at the same rank: the later source (in name
    /// order) wins.
    LaterSource {
        /// The winning source.
        winner: &'a str,
        /// The shadowed source.
        loser: &'a str,
    },
    /// `group_data/all.toml` or `all.data` beats a source's `all.vars`.
    GlobalOverSource {
        /// The shadowed source.
        source: &'a str,
    },
}

impl std::fmt::Display for Reason<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reason::Layer { winner, loser } => write!(
                f,
                "{winner} data (rank {}) beats {loser} data (rank {})",
                winner.rank(),
                loser.rank()
            ),
            Reason::LaterGroup { winner, loser } if winner.starts_with('@') => write!(
                f,
                "connector group `{winner}` comes after the explicit groups such as `{loser}`, so it wins"
            ),
            Reason::LaterGroup { winner, loser } => write!(
                f,
                "group `{winner}` is defined after `{loser}` in hosts.toml, so it wins"
            ),
            Reason::GroupFileOverInline { group } => write!(
                f,
                "group_data/{group}.toml beats the inline `data` of group `{group}`"
            ),
            Reason::AllEntry { loser } => write!(
                f,
                "the host's entry in `all` beats its entry in group `{loser}`"
            ),
            Reason::LaterEntry { winner, loser } if winner == loser => {
                write!(f, "the later entry in group `{winner}` wins")
            }
            Reason::LaterEntry { winner, loser } => write!(
                f,
                "the host's entry in group `{winner}` comes after its entry in `{loser}`, so it wins"
            ),
            Reason::GlobalFileOverInline => {
                f.write_str("group_data/all.toml beats `all.data` in hosts.toml")
            }
            Reason::GroupOverSource { group, source } => write!(
                f,
                "the inventory's own data for group `{group}` beats the `vars` source `{source}` gives it"
            ),
            Reason::LaterSourceGroup { winner, loser } => write!(
                f,
                "group `{winner}` comes after `{loser}` (sources' groups follow hosts.toml's, sources in name order, each source's in its order), so it wins"
            ),
            Reason::DeeperGroup {
                winner,
                loser,
                child: true,
                ..
            } => write!(f, "group `{winner}` is a child of `{loser}`, so it wins"),
            Reason::DeeperGroup {
                winner,
                loser,
                winner_depth,
                loser_depth,
                child: false,
            } => write!(
                f,
                "group `{winner}` (depth {winner_depth}) is deeper than `{loser}` (depth {loser_depth}), so it wins"
            ),
            Reason::LaterSource { winner, loser } => write!(
                f,
                "source `{winner}` comes after `{loser}` (sources are read in name order), so it wins"
            ),
            Reason::GlobalOverSource { source } => write!(
                f,
                "the inventory's global data beats the `all.vars` source `{source}` gives"
            ),
        }
    }
}

fn is_group(l: Layer) -> bool {
    matches!(
        l,
        Layer::GroupFile | Layer::GroupInline | Layer::SourceGroup
    )
}

/// The rule by which `winner` shadows `loser` (two definitions of one key
/// for one host, `winner` first in precedence).
pub fn reason<'a>(winner: &Definition<'a>, loser: &Definition<'a>) -> Reason<'a> {
    let (w, l) = (&winner.origin, &loser.origin);
    let source = |o: &crate::data::Origin<'a>| o.source_name.unwrap_or("?");
    match (w.layer, l.layer, w.group, l.group) {
        (wl, ll, _, _) if wl == ll && w.source_name != l.source_name && w.source_name.is_some() => {
            Reason::LaterSource {
                winner: source(w),
                loser: source(l),
            }
        }
        (wl, Layer::SourceGroup, Some(wg), Some(lg)) if wg == lg && is_group(wl) => {
            Reason::GroupOverSource {
                group: wg,
                source: source(l),
            }
        }
        (wl, ll, Some(wg), Some(lg))
            if is_group(wl)
                && is_group(ll)
                && (wl == Layer::SourceGroup || ll == Layer::SourceGroup) =>
        {
            Reason::LaterSourceGroup {
                winner: wg,
                loser: lg,
            }
        }
        (Layer::GlobalFile | Layer::GlobalInline, Layer::SourceGlobal, _, _) => {
            Reason::GlobalOverSource { source: source(l) }
        }
        (wl, ll, Some(wg), Some(lg)) if is_group(wl) && is_group(ll) => {
            if wg == lg {
                Reason::GroupFileOverInline { group: wg }
            } else {
                Reason::LaterGroup {
                    winner: wg,
                    loser: lg,
                }
            }
        }
        (Layer::HostInline, Layer::HostInline, None, Some(lg)) => Reason::AllEntry { loser: lg },
        (Layer::HostInline, Layer::HostInline, Some(wg), Some(lg)) => Reason::LaterEntry {
            winner: wg,
            loser: lg,
        },
        (Layer::GlobalFile, Layer::GlobalInline, _, _) => Reason::GlobalFileOverInline,
        (wl, ll, _, _) => Reason::Layer {
            winner: wl,
            loser: ll,
        },
    }
}

/// One key of one host, explained: the winner, and every shadowed
/// definition with the rule that shadows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Explanation<'a> {
    /// The key.
    pub key: String,
    /// The winning definition.
    pub winner: Definition<'a>,
    /// Shadowed definitions in precedence order, each with its reason
    /// (none for a merged value: [`Explanation::merged`] says what each
    /// layer gave and lost).
    pub shadowed: Vec<(Definition<'a>, Reason<'a>)>,
    /// For a value `strata.toml`'s `[merge]` merges: how.
    pub merged: Option<Merged<'a>>,
}

/// How a merged value was made: its strategy, each piece with the layer
/// that gave it, and what higher layers replaced or knocked out.
#[derive(Clone, Debug, PartialEq)]
pub struct Merged<'a> {
    /// The strategy (of the first nested rule, for a key whose strategies
    /// are on nested paths only: `"app.limits" = "hash"`).
    pub strategy: strata_parser::Strategy,
    /// The `[merge]` key that decided it (`packages`, `sysctl_*`,
    /// `app.limits`).
    pub pattern: &'a str,
    /// Where that key is written in strata.toml.
    pub rule: Option<strata_parser::Location>,
    /// The pieces of the value in its order (an array's elements, a
    /// table's keys, a deep merge's leaves), each with its origin.
    pub pieces: Vec<Piece<'a>>,
    /// What higher layers replaced or knocked out, highest layer first.
    pub dropped: Vec<DroppedPiece<'a>>,
}

/// One piece of a merged value.
#[derive(Clone, Debug, PartialEq)]
pub struct Piece<'a> {
    /// Its path inside the key's value (empty for the whole value).
    pub path: Vec<String>,
    /// Its value.
    pub value: &'a Value,
    /// Where it is written.
    pub origin: Origin<'a>,
}

/// A piece of a lower layer that did not make it into a merged value.
#[derive(Clone, Debug, PartialEq)]
pub struct DroppedPiece<'a> {
    /// Its path inside the lower layer's value of the key.
    pub path: Vec<String>,
    /// Its value.
    pub value: &'a Value,
    /// Where it is written.
    pub origin: Origin<'a>,
    /// The definition that replaced or knocked it out.
    pub by: Origin<'a>,
    /// True for a knockout (`"--x"`), false when a higher layer's value
    /// replaced it.
    pub knocked_out: bool,
}

impl<'a> Data<'a> {
    /// Explains `key`: the winner and what it shadows, and why.
    ///
    /// ```
    /// let inv = strata_resolver::Inventory::builder()
    ///     .group_with_data("alpha", ["h"], toml::toml! { tier = 1 })
    ///     .group_with_data("mid", ["h"], toml::toml! { tier = 2 })
    ///     .build()
    ///     .unwrap();
    /// let e = inv.host("h").unwrap().data().explain("tier").unwrap();
    /// assert_eq!(e.winner.value.as_integer(), Some(2));
    /// assert_eq!(
    ///     e.shadowed[0].1.to_string(),
    ///     "group `mid` is defined after `alpha` in hosts.toml, so it wins"
    /// );
    /// ```
    pub fn explain(&self, key: &str) -> Option<Explanation<'a>> {
        let mut defs = self.definitions(key).into_iter();
        let winner = defs.next()?;
        if let Some(merged) = self.explain_merged(key, winner.value) {
            return Some(Explanation {
                key: key.to_string(),
                winner,
                shadowed: Vec::new(),
                merged: Some(merged),
            });
        }
        let shadowed = defs
            .map(|d| {
                let r = self.deeper(reason(&winner, &d));
                (d, r)
            })
            .collect();
        Some(Explanation {
            key: key.to_string(),
            winner,
            shadowed,
            merged: None,
        })
    }

    /// The pieces of a merged winner and what it dropped.
    fn explain_merged(&self, key: &str, value: &'a Value) -> Option<Merged<'a>> {
        let m = self.merged(key)?;
        let inv = self.inventory();
        let strings = |p: &[Seg]| p.iter().map(Seg::as_string).collect::<Vec<_>>();
        // Leaves: pieces no other piece lies under.
        let pieces = m
            .pieces
            .iter()
            .enumerate()
            .filter(|(i, p)| {
                !m.pieces[i + 1..]
                    .iter()
                    .any(|q| q.path.len() > p.path.len() && q.path.starts_with(&p.path))
            })
            .filter_map(|(_, p)| {
                Some(Piece {
                    path: strings(&p.path),
                    value: at(value, &p.path)?,
                    origin: self.origin_at(p.set, key, &p.from),
                })
            })
            .collect();
        let dropped = m
            .dropped
            .iter()
            .filter_map(|d| {
                let lower = &inv.sets[d.set as usize].table.get(key)?.value;
                Some(DroppedPiece {
                    path: strings(&d.from),
                    value: at(lower, &d.from)?,
                    origin: self.origin_at(d.set, key, &d.from),
                    by: self.origin_at(d.by, key, &d.by_from),
                    knocked_out: d.knocked,
                })
            })
            .collect();
        let rule = inv.merging.as_deref()?.rules.rules.get(m.rule)?;
        Some(Merged {
            strategy: rule.strategy,
            pattern: &rule.pattern,
            rule: inv.files.location(rule.key_span),
            pieces,
            dropped,
        })
    }
}

impl<'a> Data<'a> {
    /// Every piece of `key`'s merged value with the layer that gave it, in
    /// the value's order, a table before what it holds (the whole value,
    /// whose origin is [`Data::origin`], left out): the origin of any path
    /// inside the value is that of its longest prefix here, as
    /// [`Data::origin_of_path`] answers. `None` when the value of `key` is
    /// not merged: no `[merge]` rule names it, merging changed nothing, or
    /// the override replaced it.
    ///
    /// ```
    /// let inv = strata_resolver::Inventory::builder()
    ///     .group_with_data("web", ["w1"], toml::toml! { sysctl = { "vm.swappiness" = 10 } })
    ///     .global_data(toml::toml! { sysctl = { "net.core.somaxconn" = 1024 } })
    ///     .merge("sysctl", "hash")
    ///     .build()
    ///     .unwrap();
    /// let data = inv.host("w1").unwrap().data();
    /// let pieces = data.pieces("sysctl").unwrap();
    /// assert_eq!(pieces[0].path, ["vm.swappiness"]);
    /// assert_eq!(pieces[0].origin.group, Some("web"));
    /// assert_eq!(pieces[1].path, ["net.core.somaxconn"]);
    /// assert_eq!(pieces[1].origin.layer, strata_resolver::Layer::GlobalInline);
    /// ```
    pub fn pieces(&self, key: &str) -> Option<Vec<Piece<'a>>> {
        let m = self.merged(key)?;
        let value = self.get(key)?;
        Some(
            m.pieces
                .iter()
                .filter(|p| !p.path.is_empty())
                .filter_map(|p| {
                    Some(Piece {
                        path: p.path.iter().map(Seg::as_string).collect(),
                        value: at(value, &p.path)?,
                        origin: self.origin_at(p.set, key, &p.from),
                    })
                })
                .collect(),
        )
    }
}

/// The value at `path` inside `value`.
fn at<'v>(mut value: &'v Value, path: &[Seg]) -> Option<&'v Value> {
    for seg in path {
        value = match (seg, value) {
            (Seg::Key(k), Value::Table(t)) => t.get(k)?,
            (Seg::Index(i), Value::Array(a)) => a.get(*i)?,
            _ => return None,
        };
    }
    Some(value)
}

impl<'a> Data<'a> {
    /// A group over another group: the deeper one wins before the later
    /// one, so when their depths differ, depth is the reason.
    fn deeper(&self, r: Reason<'a>) -> Reason<'a> {
        let (Reason::LaterGroup { winner, loser } | Reason::LaterSourceGroup { winner, loser }) = r
        else {
            return r;
        };
        let inv = self.inventory();
        let (Some(w), Some(l)) = (inv.group(winner), inv.group(loser)) else {
            return r;
        };
        if w.depth() <= l.depth() {
            return r;
        }
        Reason::DeeperGroup {
            winner,
            loser,
            winner_depth: w.depth(),
            loser_depth: l.depth(),
            child: l.children().any(|c| c.name() == winner),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Inventory;

    #[test]
    fn reasons_table() {
        let inv = Inventory::builder()
            .hosts([("h", toml::toml! { k = "all-entry" })])
            .global_data(toml::toml! { k = "global-inline" })
            .group_data("all", toml::toml! { k = "global-file" })
            .group_with_data(
                "a",
                [("h", toml::toml! { k = "entry-a" })],
                toml::toml! { k = "a-inline" },
            )
            .group_with_data(
                "b",
                [("h", toml::toml! { k = "entry-b" })],
                toml::toml! { k = "b-inline" },
            )
            .group_data("b", toml::toml! { k = "b-file" })
            .host_data("h", toml::toml! { k = "host-file" })
            .override_data(toml::toml! { k = "override" })
            .defaults(toml::toml! { k = "default" })
            .build()
            .unwrap();
        let e = inv.host("h").unwrap().data().explain("k").unwrap();
        assert_eq!(e.winner.value.as_str(), Some("override"));
        let got: Vec<(String, String)> = e
            .shadowed
            .iter()
            .map(|(d, r)| (d.value.as_str().unwrap().to_string(), r.to_string()))
            .collect();
        let want = [
            (
                "host-file",
                "override data (rank 1) beats host file data (rank 2)",
            ),
            (
                "all-entry",
                "override data (rank 1) beats host inline data (rank 3)",
            ),
            (
                "entry-b",
                "override data (rank 1) beats host inline data (rank 3)",
            ),
            (
                "entry-a",
                "override data (rank 1) beats host inline data (rank 3)",
            ),
            (
                "b-file",
                "override data (rank 1) beats group file data (rank 6)",
            ),
            (
                "b-inline",
                "override data (rank 1) beats group inline data (rank 6)",
            ),
            (
                "a-inline",
                "override data (rank 1) beats group inline data (rank 6)",
            ),
            (
                "global-file",
                "override data (rank 1) beats global file data (rank 7)",
            ),
            (
                "global-inline",
                "override data (rank 1) beats global inline data (rank 7)",
            ),
            (
                "default",
                "override data (rank 1) beats defaults data (rank 8)",
            ),
        ];
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        assert_eq!(got, want);

        // Pairwise rules, winner first.
        let defs = inv.host("h").unwrap().data().definitions("k");
        let by_value = |v: &str| {
            defs.iter()
                .find(|d| d.value.as_str() == Some(v))
                .unwrap()
                .clone()
        };
        let cases = [
            (
                "all-entry",
                "entry-b",
                "the host's entry in `all` beats its entry in group `b`",
            ),
            (
                "entry-b",
                "entry-a",
                "the host's entry in group `b` comes after its entry in `a`, so it wins",
            ),
            (
                "b-file",
                "b-inline",
                "group_data/b.toml beats the inline `data` of group `b`",
            ),
            (
                "b-inline",
                "a-inline",
                "group `b` is defined after `a` in hosts.toml, so it wins",
            ),
            (
                "b-file",
                "a-inline",
                "group `b` is defined after `a` in hosts.toml, so it wins",
            ),
            (
                "global-file",
                "global-inline",
                "group_data/all.toml beats `all.data` in hosts.toml",
            ),
            (
                "host-file",
                "all-entry",
                "host file data (rank 2) beats host inline data (rank 3)",
            ),
        ];
        for (w, l, want) in cases {
            assert_eq!(
                reason(&by_value(w), &by_value(l)).to_string(),
                want,
                "{w} over {l}"
            );
        }
    }
}
