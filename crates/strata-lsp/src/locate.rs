//! What the cursor is on: a definition of a key (the library's
//! [`Inventory::written_at`]), else a host or group name written there (a
//! string or a bare key of `hosts.toml`), else an entry of a group's list
//! in `hosts.toml` that makes hosts (a range pattern such as
//! `web[1:2].example.com`: the library's [`Inventory::entry_at`]), else the
//! host or group whose data file it is.

use strata::{Group, Host, HostEntry, Inventory, Written};

/// The thing a request is about.
pub enum Target<'a> {
    /// A definition of a key.
    Key(Written<'a>),
    /// A host.
    Host(Host<'a>),
    /// A group.
    Group(Group<'a>),
    /// An entry of hosts.toml that makes several hosts, or none (a range
    /// pattern, a connector entry).
    Entry(HostEntry<'a>),
}

/// What is at byte `offset` of the file `name` (relative to the root),
/// whose text is `text`.
pub fn target_at<'a>(
    inventory: &'a Inventory,
    name: &str,
    text: &str,
    offset: usize,
) -> Option<Target<'a>> {
    if let Some(written) = inventory.written_at(name, offset) {
        return Some(Target::Key(written));
    }
    if let Some(word) = word_at(text, offset) {
        if let Some(host) = inventory.host(word) {
            return Some(Target::Host(host));
        }
        if let Some(group) = inventory.group(word) {
            return Some(Target::Group(group));
        }
    }
    if name == "hosts.toml"
        && let Some(entry) = inventory.entry_at(offset)
    {
        return Some(match entry.hosts.as_slice() {
            [host] => Target::Host(*host),
            _ => Target::Entry(entry),
        });
    }
    let stem = |dir: &str| name.strip_prefix(dir)?.strip_suffix(".toml");
    if let Some(host) = stem("host_data/").and_then(|n| inventory.host(n)) {
        return Some(Target::Host(host));
    }
    stem("group_data/")
        .and_then(|n| inventory.group(n))
        .map(Target::Group)
}

/// The name written at `offset`: the inside of the quoted string on its
/// line that holds it, else the bare word (letters, digits, `_-.@/`).
pub fn word_at(text: &str, offset: usize) -> Option<&str> {
    if offset > text.len() || !text.is_char_boundary(offset) {
        return None;
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line = &text[line_start..line_end];
    let at = offset - line_start;
    // Quoted strings of the line, left to right.
    let mut i = 0;
    let bytes = line.as_bytes();
    while i < bytes.len() {
        let quote = bytes[i];
        if quote == b'#' {
            break;
        }
        if quote == b'"' || quote == b'\'' {
            let mut j = i + 1;
            while j < bytes.len() && bytes[j] != quote {
                j += if bytes[j] == b'\\' && quote == b'"' {
                    2
                } else {
                    1
                };
            }
            if (i..=j.min(bytes.len())).contains(&at) {
                return line.get(i + 1..j.min(bytes.len()));
            }
            i = j + 1;
            continue;
        }
        i += 1;
    }
    let is_word = |c: char| c.is_alphanumeric() || "_-.@/".contains(c);
    let start = line[..at]
        .char_indices()
        .rev()
        .take_while(|&(_, c)| is_word(c))
        .last()
        .map_or(at, |(i, _)| i);
    let end = line[at..]
        .char_indices()
        .find(|&(_, c)| !is_word(c))
        .map_or(line.len(), |(i, _)| at + i);
    (start < end).then(|| &line[start..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words() {
        let text = "web = [\"w1.example.com\", 'w2']\n[databases]\nx = \"a\\\"b\"";
        assert_eq!(word_at(text, 10), Some("w1.example.com"));
        assert_eq!(word_at(text, 7), Some("w1.example.com"));
        assert_eq!(word_at(text, 27), Some("w2"));
        assert_eq!(word_at(text, 1), Some("web"));
        assert_eq!(word_at(text, 35), Some("databases"));
        assert_eq!(word_at(text, 4), None);
        assert_eq!(word_at(text, text.len() - 2), Some("a\\\"b"));
        assert_eq!(word_at(text, text.len() + 1), None);
        assert_eq!(word_at("", 0), None);
        assert_eq!(word_at("é", 1), None);
    }
}
