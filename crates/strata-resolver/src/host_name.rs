//! Quick tests on host names: does a name hold a byte (`[` for a range),
//! is it a plain host name with nothing to check further. A 100,000-host
//! inventory has 250,000 entries whose names are each looked at several
//! times; a byte at a time, that was a tenth of building the inventory.
//!
//! # The trick: eight bytes at a time
//!
//! The tests read a name eight bytes at a time as one `u64` (SWAR, "SIMD
//! within a register") and test all eight bytes with a few arithmetic
//! operations, without a branch per byte:
//!
//! - [`zero_bytes`] sets the high bit (`0x80`) of every byte that is zero:
//!   adding `0x7f` to a byte's low seven bits carries into its high bit
//!   unless they are all zero; or-ing the byte itself back in also marks a
//!   byte whose own high bit was set; what is left unmarked is zero.
//! - [`eq_bytes`] finds the bytes equal to `b` by xor-ing with `b` repeated
//!   in every byte (`LO * b`): equal bytes become zero.
//! - [`word_ok`] tests ranges of bytes in the same way (under `0x21`,
//!   `0x7f`, `/`, high bit set) and returns where the dots are, so that `..`
//!   is found within a word and across two.
//!
//! Names shorter than eight bytes are tested byte by byte; for longer ones
//! the last word overlaps the one before: the bytes read twice are tested
//! twice, which changes no answer, and none is missed. The tests compare each function
//! with its byte-by-byte meaning on any input (proptest).

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// `0x80` in each byte of `x` that is zero, `0` in the others.
#[inline]
fn zero_bytes(x: u64) -> u64 {
    !(((x & !HI) + !HI) | x) & HI
}

/// `0x80` in each byte of `x` equal to `b`.
#[inline]
fn eq_bytes(x: u64, b: u8) -> u64 {
    zero_bytes(x ^ (LO * u64::from(b)))
}

/// The eight bytes of `b` from `at` (which has them).
#[inline]
fn word(b: &[u8], at: usize) -> u64 {
    let mut w = [0; 8];
    w.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(w)
}

/// Whether `name` holds the byte `byte`.
#[inline]
pub(crate) fn has_byte(name: &str, byte: u8) -> bool {
    let b = name.as_bytes();
    let n = b.len();
    if n < 8 {
        return b.contains(&byte);
    }
    let mut at = 0;
    while at + 8 <= n {
        if eq_bytes(word(b, at), byte) != 0 {
            return true;
        }
        at += 8;
    }
    // The last eight bytes, overlapping the word before.
    at < n && eq_bytes(word(b, n - 8), byte) != 0
}

/// Printable ASCII (`!` to `~`) without `/`, not empty, not `.`, no `..`:
/// a host name with nothing to check further.
#[inline]
pub(crate) fn plain_host_name(name: &str) -> bool {
    let b = name.as_bytes();
    let n = b.len();
    if n < 8 {
        return n > 0
            && b != b"."
            && b.iter().all(|&c| c.is_ascii_graphic() && c != b'/')
            && !b.windows(2).any(|w| w == b"..");
    }
    // Word by word; a dot ending one word and one starting the next is
    // `..` too.
    let mut dot_before = 0;
    let mut at = 0;
    while at + 8 <= n {
        let dots = match word_ok(word(b, at)) {
            Some(dots) => dots,
            None => return false,
        };
        if dots & dot_before != 0 {
            return false;
        }
        dot_before = (dots >> 63) << 7;
        at += 8;
    }
    // The last eight bytes, overlapping the word before: they hold both
    // bytes of any pair across that boundary.
    at == n || word_ok(word(b, n - 8)).is_some()
}

/// For a word of a plain host name: where its dots are (`0x80` in their
/// bytes), or `None` if a byte is not printable ASCII, is `/`, or two
/// dots are side by side.
#[inline]
fn word_ok(x: u64) -> Option<u64> {
    // Bytes of 0x80 and more; under 0x21 (their low seven bits plus 0x5f
    // stay under 0x80); 0x7f; `/`.
    let lt_21 = !((x & !HI) + LO * 0x5f) & HI;
    if (x & HI) | lt_21 | eq_bytes(x, 0x7f) | eq_bytes(x, b'/') != 0 {
        return None;
    }
    let dots = eq_bytes(x, b'.');
    (dots & (dots >> 8) == 0).then_some(dots)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn plain_bytewise(name: &str) -> bool {
        !name.is_empty()
            && name != "."
            && name.bytes().all(|b| b.is_ascii_graphic() && b != b'/')
            && !name.contains("..")
    }

    #[test]
    fn words_and_edges() {
        for (name, plain) in [
            ("", false),
            (".", false),
            ("..", false),
            ("a", true),
            ("web1.example.com", true),
            ("h0000217.example.com", true),
            ("abcdefg.", true),
            ("abcdefg..", false),
            ("abcdefg.h.", true),
            ("abcdefgh.........", false),
            ("abcdefg.hijklmn.", true),
            ("abcdefghijklmno..", false),
            ("abcdefghijklmnop..", false),
            ("abcdefg.\u{7f}bcdefg", false),
            ("abcdefghij klm", false),
            ("abcdefghij/klm", false),
            ("abcdefghij\u{e9}klm", false),
            ("abcdefghij~klm!", true),
            ("abcd.fg.ijkl", true),
            ("abcdefg.ijkl.", true),
            ("abcdefg..jkl", false),
            ("abcdefgh.jk..", false),
        ] {
            assert_eq!(plain_host_name(name), plain, "{name:?}");
            assert_eq!(plain_bytewise(name), plain, "{name:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5000))]
        #[test]
        fn same_as_a_byte_at_a_time(name in "[a-c./ \\[~\u{7f}\u{e9}\t]{0,40}") {
            prop_assert_eq!(plain_host_name(&name), plain_bytewise(&name));
            prop_assert_eq!(has_byte(&name, b'['), name.contains('['));
            prop_assert_eq!(has_byte(&name, b'.'), name.contains('.'));
        }

        #[test]
        fn any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..40)) {
            let name = String::from_utf8_lossy(&bytes);
            prop_assert_eq!(plain_host_name(&name), plain_bytewise(&name));
            prop_assert_eq!(has_byte(&name, b'['), name.contains('['));
        }
    }
}
