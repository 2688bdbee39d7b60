//! Positions: byte offsets in a text and LSP's line and character, which
//! counts UTF-16 code units (the protocol's default encoding).

use lsp_types::Position;

/// The position of byte `offset` in `text` (clamped to the text, and back
/// to a character boundary).
#[allow(dead_code)] // Used by hover and definition, next.
pub fn position(text: &str, offset: usize) -> Position {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.bytes().filter(|&b| b == b'\n').count();
    Position::new(
        u32::try_from(line).unwrap_or(u32::MAX),
        utf16_len(&before[line_start..]),
    )
}

/// The byte offset of `position` in `text`; `None` past the last line. A
/// character past the end of its line is the line's end.
#[allow(dead_code)] // Used by hover and definition, next.
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
    fn round_trips() {
        let text = "a = 1\nkey = \"é𝄞x\"\n";
        for offset in [0, 4, 6, 13, 15, 19, 20, text.len()] {
            let p = position(text, offset);
            assert_eq!(super::offset(text, p), Some(offset), "{offset} {p:?}");
        }
        assert_eq!(position(text, 19), Position::new(1, 10));
        // Inside a character: back to its start.
        assert_eq!(position(text, 14), Position::new(1, 7));
        assert_eq!(position(text, 999), Position::new(2, 0));
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
