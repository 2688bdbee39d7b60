//! Positions: byte offsets in a text and LSP's line and character, which
//! counts UTF-16 code units (the protocol's default encoding).

use lsp_types::Position;

/// The byte offset of `position` in `text`; `None` past the last line. A
/// character past the end of its line is the line's end.
pub fn offset(text: &str, position: Position) -> Option<usize> {
    let mut start = 0;
    for _ in 0..position.line {
        start += text[start..].find('\n')? + 1;
    }
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let mut units = 0u32;
    for (i, c) in text[start..line_end].char_indices() {
        if units >= position.character {
            return Some(start + i);
        }
        units = units.saturating_add(c.len_utf16() as u32);
    }
    Some(line_end)
}

fn utf16_len(s: &str) -> u32 {
    u32::try_from(s.encode_utf16().count()).unwrap_or(u32::MAX)
}

/// The position of byte `offset` of a file of the inventory, through its
/// line index (a file of 100,000 lines is not scanned per position).
pub fn file_position(file: &strata::File, offset: usize) -> Position {
    let text = file.text();
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let line = file.line_of(offset);
    let start = file.line_range(line).map_or(0, |r| r.start).min(offset);
    Position::new(
        u32::try_from(line).unwrap_or(u32::MAX),
        utf16_len(&text[start..offset]),
    )
}

/// The range of `span` in `file`.
pub fn file_range(file: &strata::File, span: strata::Span) -> lsp_types::Range {
    let range = span.range();
    lsp_types::Range::new(
        file_position(file, range.start),
        file_position(file, range.end.max(range.start)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_count_utf16_units() {
        let text = "a = 1\nkey = \"é𝄞x\"\n";
        assert_eq!(offset(text, Position::new(0, 0)), Some(0));
        assert_eq!(offset(text, Position::new(1, 0)), Some(6));
        // `é` is one unit, `𝄞` two.
        assert_eq!(offset(text, Position::new(1, 8)), Some(15));
        assert_eq!(offset(text, Position::new(1, 10)), Some(19));
        // Inside `𝄞`'s pair: the character after it.
        assert_eq!(offset(text, Position::new(1, 9)), Some(19));
    }

    #[test]
    fn out_of_range() {
        let text = "a\nbc";
        assert_eq!(offset(text, Position::new(1, 99)), Some(4));
        assert_eq!(offset(text, Position::new(2, 0)), None);
        assert_eq!(offset(text, Position::new(u32::MAX, u32::MAX)), None);
        assert_eq!(offset("", Position::new(0, 5)), Some(0));
    }
}
