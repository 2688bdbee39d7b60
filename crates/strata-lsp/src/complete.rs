//! Completion: in `hosts.toml`, group names, host names and connector
//! prefixes; in a data file, the keys the inventory already writes, with
//! their types.

use lsp_types::{CompletionItem, CompletionItemKind, CompletionList};
use strata::Inventory;

/// Items offered at most; the list says it is incomplete beyond.
const MAX_ITEMS: usize = 500;

/// The completions at byte `offset` of the file `name`, whose text is
/// `text`.
pub fn complete(inventory: &Inventory, name: &str, text: &str, offset: usize) -> CompletionList {
    let prefix = prefix_at(text, offset);
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
    if name == "hosts.toml" {
        for group in inventory.groups().filter(|g| !g.is_implicit()) {
            let detail = format!("group, {} hosts", group.hosts().len());
            offer(group.name(), CompletionItemKind::MODULE, detail);
        }
        for connector in strata::Connectors::builtin().names() {
            offer(
                &format!("@{connector}/"),
                CompletionItemKind::KEYWORD,
                "connector".into(),
            );
        }
        for host in inventory.hosts() {
            let groups: Vec<&str> = host.groups().map(|g| g.name()).collect();
            let detail = format!("host in {}", groups.join(", "));
            offer(host.name(), CompletionItemKind::VALUE, detail);
        }
    } else {
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
    CompletionList {
        is_incomplete: more,
        items,
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
}
