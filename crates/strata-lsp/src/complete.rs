//! Completion: in `hosts.toml`, what the place allows (group names in a
//! `children` list, on a table header or a top-level key; host names and
//! connector prefixes in a group's host list; a table group's own keys;
//! data keys in an inline `data` table); in a data file, the keys the
//! inventory already writes, with their types.

use lsp_types::{CompletionItem, CompletionItemKind, CompletionList};
use strata::Inventory;

/// Items offered at most; the list says it is incomplete beyond.
const MAX_ITEMS: usize = 500;

/// The keys a table group of hosts.toml may have.
const GROUP_KEYS: &[(&str, &str)] = &[
    ("hosts", "the group's hosts"),
    ("children", "the group's child groups"),
    ("data", "the group's inline data"),
];

/// The completions at byte `offset` of the file `name`, whose text is
/// `text`.
pub fn complete(inventory: &Inventory, name: &str, text: &str, offset: usize) -> CompletionList {
    let context = if name == "hosts.toml" {
        hosts_context(text, offset)
    } else {
        Context::Keys
    };
    offered(inventory, context, prefix_at(text, offset))
}

/// The completions on the `limit` value of an Ansible plugin
/// configuration (`text`, byte `offset`): the inventory's group and host
/// names (a limit's terms are names, or patterns of them).
pub fn complete_limit(inventory: &Inventory, text: &str, offset: usize) -> CompletionList {
    offered(inventory, Context::Names, prefix_at(text, offset))
}

/// What `context` offers that starts with `prefix`.
fn offered(inventory: &Inventory, context: Context, prefix: &str) -> CompletionList {
    let mut items = Vec::new();
    let mut more = false;
    let mut offer = |label: &str, kind: CompletionItemKind, detail: String| {
        if !label.starts_with(prefix) {
            return;
        }
        if items.len() == MAX_ITEMS {
            more = true;
            return;
        }
        items.push(CompletionItem {
            label: label.to_string(),
            kind: Some(kind),
            detail: Some(detail),
            ..Default::default()
        });
    };
    if matches!(context, Context::Groups | Context::Names) {
        for group in inventory.groups().filter(|g| !g.is_implicit()) {
            let detail = format!("group, {} hosts", group.hosts().len());
            offer(group.name(), CompletionItemKind::MODULE, detail);
        }
    }
    match context {
        Context::Groups => {}
        Context::Hosts | Context::Names => {
            if context == Context::Hosts {
                for connector in strata::Connectors::builtin().names() {
                    offer(
                        &format!("@{connector}/"),
                        CompletionItemKind::KEYWORD,
                        "connector".into(),
                    );
                }
            }
            for host in inventory.hosts() {
                let groups: Vec<&str> = host.groups().map(|g| g.name()).collect();
                let detail = format!("host in {}", groups.join(", "));
                offer(host.name(), CompletionItemKind::VALUE, detail);
            }
        }
        Context::GroupKeys => {
            for (key, what) in GROUP_KEYS {
                offer(key, CompletionItemKind::PROPERTY, (*what).into());
            }
        }
        Context::Keys => {
            for key in inventory.keys_written() {
                let layers = if key.layers == 1 { "layer" } else { "layers" };
                let detail = format!(
                    "{}, written in {} {layers}",
                    key.types.join(" or "),
                    key.layers
                );
                offer(key.key, CompletionItemKind::PROPERTY, detail);
            }
        }
        Context::Nothing => {}
    }
    CompletionList {
        is_incomplete: more,
        items,
    }
}

/// What a place of hosts.toml may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Context {
    /// Group names: a `children` list, a table header, a top-level key.
    Groups,
    /// Host names and connector prefixes: a group's host list, or the
    /// `name` of a `{ name, data }` entry.
    Hosts,
    /// A table group's own keys (`hosts`, `children`, `data`).
    GroupKeys,
    /// Data keys: an inline `data` table.
    Keys,
    /// Group and host names: a limit.
    Names,
    /// Nothing offered: a comment, a value of another kind.
    Nothing,
}

/// An open `[` or `{` of hosts.toml and the key it is the value of.
struct Open {
    table: bool,
    key: Option<String>,
}

/// Where the string opened at `start` of `text` by `quote` (`"` or `'`,
/// tripled or not) ends: the byte after its closing quote, and its
/// content's range; `None` when it runs to the end of `text`.
fn string_end(text: &str, start: usize) -> Option<(usize, std::ops::Range<usize>)> {
    let bytes = text.as_bytes();
    let quote = bytes[start];
    let fence = if quote == b'"' { "\"\"\"" } else { "'''" };
    let triple = text[start..].starts_with(fence);
    let from = start + if triple { 3 } else { 1 };
    let mut j = from;
    while j < bytes.len() {
        if bytes[j] == b'\\' && quote == b'"' {
            j += 2;
            continue;
        }
        if triple {
            if text[j..].starts_with(fence) {
                return Some((j + 3, from..j));
            }
        } else if bytes[j] == quote || bytes[j] == b'\n' {
            return Some((j + 1, from..j));
        }
        j += 1;
    }
    None
}

/// What the place at byte `offset` of hosts.toml's `text` may hold, from
/// its syntax alone (the text need not parse: it is being typed): the
/// arrays and inline tables open there and the keys they belong to. One
/// pass over the text before `offset`.
fn hosts_context(text: &str, offset: usize) -> Context {
    let Some(before) = text.get(..offset) else {
        return Context::Nothing;
    };
    let bytes = before.as_bytes();
    let mut open: Vec<Open> = Vec::new();
    // The current `[table]` header, when one was met.
    let mut header = false;
    // The last key or string met, and the key of the value being written.
    let mut token: Option<&str> = None;
    let mut key: Option<&str> = None;
    // Nothing but spaces and a key since the start of the line, at the
    // top level.
    let mut at_key = true;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => match before[i..].find('\n') {
                Some(n) => i += n,
                None => return Context::Nothing,
            },
            b'"' | b'\'' => {
                // Inside an unclosed string, its container decides.
                let Some((end, inside)) = string_end(before, i) else {
                    break;
                };
                token = Some(&before[inside]);
                i = end;
                continue;
            }
            b'[' if open.is_empty() && at_key && token.is_none() => {
                // A table header, to the end of its line.
                let rest = &before[i..];
                let line = rest.find('\n').map_or(rest, |n| &rest[..n]);
                let Some(close) = line.find(']') else {
                    return Context::Groups;
                };
                header = true;
                at_key = false;
                i += close + 1;
                continue;
            }
            b'[' | b'{' => {
                open.push(Open {
                    table: bytes[i] == b'{',
                    key: key.take().map(str::to_string),
                });
                token = None;
            }
            b']' | b'}' => {
                open.pop();
                token = None;
                key = None;
            }
            b'=' => {
                key = token.take();
                at_key = false;
            }
            b',' => {
                token = None;
                if open.last().is_some_and(|o| o.table) {
                    key = None;
                }
            }
            b'\n' => {
                if open.is_empty() {
                    at_key = true;
                    token = None;
                    key = None;
                }
            }
            c if c.is_ascii_whitespace() => {}
            _ => {
                let rest = &before[i..];
                let n = rest
                    .find(|c: char| !(c.is_alphanumeric() || "_-.@/".contains(c)))
                    .unwrap_or(rest.len())
                    .max(rest.chars().next().map_or(1, char::len_utf8));
                token = Some(&rest[..n]);
                i += n;
                continue;
            }
        }
        i += 1;
    }
    // A group's host list: a top-level array before any table header, or
    // a table group's `hosts`.
    let is_host_list = |frame: &Open, depth: usize| {
        !frame.table && depth == 0 && (frame.key.as_deref() == Some("hosts") || !header)
    };
    let Some(depth) = open.len().checked_sub(1) else {
        return match (at_key && key.is_none(), header) {
            (true, false) => Context::Groups,
            (true, true) => Context::GroupKeys,
            (false, _) => Context::Nothing,
        };
    };
    let top = &open[depth];
    if !top.table {
        if depth == 0 && header && top.key.as_deref() == Some("children") {
            Context::Groups
        } else if is_host_list(top, depth) {
            Context::Hosts
        } else {
            Context::Nothing
        }
    } else if depth >= 1 && is_host_list(&open[depth - 1], depth - 1) && key == Some("name") {
        Context::Hosts
    } else if top.key.as_deref() == Some("data") && key.is_none() {
        Context::Keys
    } else {
        Context::Nothing
    }
}

/// The part of a name written before `offset` on its line.
fn prefix_at(text: &str, offset: usize) -> &str {
    let Some(before) = text.get(..offset) else {
        return "";
    };
    let start = before
        .char_indices()
        .rev()
        .take_while(|&(_, c)| c.is_alphanumeric() || "_-.@/".contains(c))
        .last()
        .map_or(before.len(), |(i, _)| i);
    &before[start..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        assert_eq!(prefix_at("web = [\"we", 10), "we");
        assert_eq!(prefix_at("ap", 2), "ap");
        assert_eq!(prefix_at("a = 1\n", 6), "");
        assert_eq!(prefix_at("é", 1), "");
        assert_eq!(prefix_at("x", 9), "");
    }

    /// The context where `|` stands in `text`.
    fn context(text: &str) -> Context {
        let at = text.find('|').unwrap();
        hosts_context(&text.replace('|', ""), at)
    }

    #[test]
    fn contexts_of_hosts_toml() {
        use Context::*;
        let cases: &[(&str, Context)] = &[
            ("|", Groups),
            ("we|", Groups),
            ("web = [\"w1\"]\nmo|", Groups),
            ("web = [\"w|", Hosts),
            ("web = [\"w1\", |", Hosts),
            ("web = [\n  \"w1\",\n  \"|\"\n]", Hosts),
            ("web = |", Nothing),
            ("web = [\"w1\"] # a comment |", Nothing),
            ("[|", Groups),
            ("[data|", Groups),
            ("[prod]\nchildren = [\"|", Groups),
            ("[prod]\nchildren = [\"web\", \"d|\"]", Groups),
            ("[prod]\nhosts = [\"|", Hosts),
            ("[prod]\nhosts = [{ name = \"w|", Hosts),
            ("[prod]\nhosts = [{ name = \"w1\", data = { |", Keys),
            ("[prod]\nhosts = [{ name = \"w1\", |", Nothing),
            ("[prod]\nch|", GroupKeys),
            ("[prod]\nhosts = [\"w1\"]\n|", GroupKeys),
            ("[prod]\ndata = { a = [\"|", Nothing),
            ("[prod]\ndata = { |", Keys),
            ("[prod]\ndata = { a = 1, |", Keys),
            ("web = [\"w[1:2]\", \"|", Hosts),
            ("x = '''\n[not a header]\n'''\n|", Groups),
            ("web = [\"unterminated\n|", Hosts),
            ("web = [\"é\", \"|", Hosts),
        ];
        for (text, want) in cases {
            assert_eq!(context(text), *want, "{text:?}");
        }
        assert_eq!(hosts_context("abc", 99), Nothing);
        assert_eq!(hosts_context("é", 1), Nothing);
    }
}
