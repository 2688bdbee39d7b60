//! Host ranges: `web[1:3]`, `web[01:10]`, `[a:c]`, `[0:10:2]`.

/// Why a range could not be expanded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RangeError {
    /// What is wrong.
    pub message: String,
    /// Byte range of the offending `[...]` in the name.
    pub at: std::ops::Range<usize>,
}

/// Hosts a single name may expand to, at most (a typo such as `[1:99999999]`
/// must not exhaust memory).
pub const MAX_EXPANSION: usize = 1_000_000;

/// One `[start:end:step]` of a name, parsed.
#[derive(Clone, Copy, Debug)]
enum Spec {
    /// Numbers from `a` to `b`, zero-padded to `width`.
    Num { a: u64, b: u64, width: usize },
    /// Letters from `a` to `b`.
    Letter { a: u8, b: u8 },
}

/// A name cut at its ranges: literal text, then a range, and so on.
struct Parts<'a> {
    /// (literal before the range, the range, its step, its byte range in the name)
    ranges: Vec<(&'a str, Spec, usize, std::ops::Range<usize>)>,
    /// The literal text after the last range.
    tail: &'a str,
}

fn parts(name: &str) -> Result<Parts<'_>, RangeError> {
    let mut ranges = Vec::new();
    let mut from = 0;
    while let Some(rel) = name[from..].find('[') {
        let open = from + rel;
        let Some(close_rel) = name[open..].find(']') else {
            return Err(RangeError {
                message: "`[` without a closing `]`".into(),
                at: open..name.len(),
            });
        };
        let close = open + close_rel;
        let at = open..close + 1;
        let (spec, step) = parse(&name[open + 1..close]).map_err(|message| RangeError {
            message,
            at: at.clone(),
        })?;
        ranges.push((&name[from..open], spec, step, at));
        from = close + 1;
    }
    Ok(Parts {
        ranges,
        tail: &name[from..],
    })
}

impl Spec {
    fn count(self, step: usize) -> u64 {
        let span = match self {
            Spec::Num { a, b, .. } => b - a,
            Spec::Letter { a, b } => u64::from(b - a),
        };
        (span / step as u64).saturating_add(1)
    }

    /// The lengths of the range's items, added up.
    fn item_bytes(self, step: usize) -> u128 {
        match self {
            Spec::Letter { .. } => u128::from(self.count(step)),
            Spec::Num { a, b, width } => {
                let step = step as u128;
                let (a, last) = (
                    u128::from(a),
                    u128::from(a) + (u128::from(b - a) / step) * step,
                );
                let mut total = 0u128;
                // Items of d digits: those between 10^(d-1) and 10^d - 1.
                let mut low = 0u128;
                for d in 1..=20u32 {
                    let high = 10u128.pow(d) - 1;
                    let (lo, hi) = (low.max(a), high.min(last));
                    if lo <= hi {
                        let first = (lo - a).div_ceil(step);
                        let end = (hi - a) / step;
                        if end >= first {
                            total += (end - first + 1) * u128::from(d.max(width as u32));
                        }
                    }
                    low = high + 1;
                }
                total
            }
        }
    }

    fn item(self, i: u64, step: usize) -> String {
        match self {
            Spec::Num { a, width, .. } => format!("{:0width$}", a + i * step as u64),
            Spec::Letter { a, .. } => ((a + (i * step as u64) as u8) as char).to_string(),
        }
    }
}

/// How many host names `name` stands for, from its ranges' bounds alone
/// (nothing is expanded): the product of the ranges' sizes, saturating; 1
/// for a name without ranges. This is what an inventory's budget counts.
pub fn count(name: &str) -> Result<u64, RangeError> {
    if !crate::host_name::has_byte(name, b'[') {
        return Ok(1);
    }
    let p = parts(name)?;
    Ok(p.ranges.iter().fold(1u64, |n, (_, spec, step, _)| {
        n.saturating_mul(spec.count(*step))
    }))
}

/// How many bytes the host names `name` stands for add up to, from its
/// ranges' bounds alone (nothing is expanded): each name's length, summed
/// over the names, saturating. What an inventory's name budget counts.
pub fn name_bytes(name: &str) -> Result<u64, RangeError> {
    if !crate::host_name::has_byte(name, b'[') {
        return Ok(name.len() as u64);
    }
    let p = parts(name)?;
    let literal: u64 =
        p.ranges.iter().map(|(l, ..)| l.len() as u64).sum::<u64>() + p.tail.len() as u64;
    let count = p.ranges.iter().fold(1u128, |n, (_, spec, step, _)| {
        n.saturating_mul(u128::from(spec.count(*step)))
    });
    // Every name has the literal text; each range adds its items' lengths,
    // each item appearing once per name of the other ranges.
    let mut total = count.saturating_mul(u128::from(literal));
    for (_, spec, step, _) in &p.ranges {
        let n = u128::from(spec.count(*step));
        total = total.saturating_add((count / n).saturating_mul(spec.item_bytes(*step)));
    }
    Ok(u64::try_from(total).unwrap_or(u64::MAX))
}

/// Expands every `[start:end]` or `[start:end:step]` in `name`, left to right
/// (several ranges give their product), up to [`MAX_EXPANSION`] names. A
/// name without `[` comes back as is.
pub fn expand(name: &str) -> Result<Vec<String>, RangeError> {
    expand_at_most(name, MAX_EXPANSION as u64)
}

/// [`expand`] with another limit (an inventory's budget).
pub fn expand_at_most(name: &str, limit: u64) -> Result<Vec<String>, RangeError> {
    let p = parts(name)?;
    let mut total: u64 = 1;
    for (_, spec, step, at) in &p.ranges {
        total = total.saturating_mul(spec.count(*step));
        if total > limit {
            return Err(RangeError {
                message: format!("expands to more than {limit} hosts"),
                at: at.clone(),
            });
        }
    }
    // Built left to right: each range multiplies the names so far.
    let mut out = vec![String::new()];
    for (literal, spec, step, _) in &p.ranges {
        let n = spec.count(*step);
        let mut next = Vec::with_capacity(out.len() * n as usize);
        for head in &out {
            for i in 0..n {
                next.push(format!("{head}{literal}{}", spec.item(i, *step)));
            }
        }
        out = next;
    }
    for name in &mut out {
        name.push_str(p.tail);
    }
    Ok(out)
}

/// Parses the inside of `[...]`: the range and its step.
fn parse(inner: &str) -> Result<(Spec, usize), String> {
    let parts: Vec<&str> = inner.split(':').collect();
    let (start, end, step) = match parts.as_slice() {
        [s, e] => (*s, *e, None),
        [s, e, st] => (*s, *e, Some(*st)),
        _ => {
            return Err(format!(
                "`[{inner}]` is not a range: write `[start:end]` or `[start:end:step]`"
            ));
        }
    };
    if start.is_empty() || end.is_empty() {
        return Err(format!("`[{inner}]` needs both a start and an end"));
    }
    let step = match step {
        None => 1,
        Some(s) => match s.parse::<usize>() {
            Ok(0) => return Err("a range step must be at least 1".into()),
            Ok(n) => n,
            Err(_) => return Err(format!("the step `{s}` is not a positive number")),
        },
    };
    let is_num = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let is_letter = |s: &str| s.len() == 1 && s.bytes().all(|b| b.is_ascii_alphabetic());
    if is_num(start) && is_num(end) {
        let (a, b) = match (start.parse::<u64>(), end.parse::<u64>()) {
            (Ok(a), Ok(b)) => (a, b),
            _ => return Err(format!("`[{inner}]` has a number that is too large")),
        };
        if a > b {
            return Err(format!("the range `[{inner}]` runs backwards"));
        }
        // `[01:10]` keeps the width of the start (as Ansible does).
        let width = if start.len() > 1 && start.starts_with('0') {
            start.len()
        } else {
            0
        };
        Ok((Spec::Num { a, b, width }, step))
    } else if is_letter(start) && is_letter(end) {
        let (a, b) = (start.as_bytes()[0], end.as_bytes()[0]);
        if a.is_ascii_lowercase() != b.is_ascii_lowercase() {
            return Err(format!("`[{inner}]` mixes upper and lower case"));
        }
        if a > b {
            return Err(format!("the range `[{inner}]` runs backwards"));
        }
        Ok((Spec::Letter { a, b }, step))
    } else {
        Err(format!(
            "`[{inner}]` must run between two numbers or two letters"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expansions() {
        let cases: &[(&str, &[&str])] = &[
            ("web1", &["web1"]),
            ("web[1:3]", &["web1", "web2", "web3"]),
            (
                "web[1:3].example.com",
                &["web1.example.com", "web2.example.com", "web3.example.com"],
            ),
            ("web[01:03]", &["web01", "web02", "web03"]),
            ("web[08:10]", &["web08", "web09", "web10"]),
            ("db-[a:c]", &["db-a", "db-b", "db-c"]),
            ("n[0:10:5]", &["n0", "n5", "n10"]),
            ("r[1:2]-[a:b]", &["r1-a", "r1-b", "r2-a", "r2-b"]),
            ("x[5:5]", &["x5"]),
        ];
        for (name, want) in cases {
            assert_eq!(expand(name).unwrap(), *want, "{name}");
            assert_eq!(count(name).unwrap(), want.len() as u64, "{name}");
        }
    }

    #[test]
    fn counts_without_expanding() {
        // (name, count)
        let cases = [
            ("h[0:999999]", 1_000_000),
            ("h[0:9999999999]", 10_000_000_000),
            ("h[0:99:10]", 10),
            ("r[1:1000][1:1000][1:1000]", 1_000_000_000),
            ("x[0:18446744073709551615][0:9]", u64::MAX),
            ("[a:z]", 26),
        ];
        for (name, want) in cases {
            assert_eq!(count(name).unwrap(), want, "{name}");
        }
        // Many ranges in one name: no recursion, no product overflow.
        let many = "a[1:2]".repeat(100_000);
        assert_eq!(count(&many).unwrap(), u64::MAX);
        assert!(expand(&many).is_err());
    }

    #[test]
    fn name_bytes_without_expanding() {
        let cases = [
            "web1",
            "web[1:3]",
            "web[08:10]",
            "n[0:10:5]",
            "r[1:2]-[a:b].x",
            "h[0:12345]",
            "h[95:1005:7]",
            "p[0001:1200]",
            "[a:z][0:99]",
        ];
        for name in cases {
            let want: u64 = expand(name).unwrap().iter().map(|n| n.len() as u64).sum();
            assert_eq!(name_bytes(name).unwrap(), want, "{name}");
        }
        let long = format!("{}[0:999999]", "a".repeat(1000));
        assert_eq!(name_bytes(&long).unwrap(), 1_000_000 * 1000 + 5_888_890);
        assert_eq!(
            name_bytes("x[0:18446744073709551615][0:9]").unwrap(),
            u64::MAX
        );
    }

    #[test]
    fn malformed() {
        let cases: &[(&str, &str)] = &[
            ("web[1:", "without a closing"),
            ("web[1:]", "both a start and an end"),
            ("web[:3]", "both a start and an end"),
            ("web[3:1]", "backwards"),
            ("web[1:3:0]", "at least 1"),
            ("web[1:3:x]", "not a positive number"),
            ("web[1]", "not a range"),
            ("web[1:c]", "two numbers or two letters"),
            ("web[a:C]", "mixes upper and lower"),
            ("web[1:99999999]", "more than"),
            ("w[1:2]x[1:", "without a closing"),
        ];
        for (name, want) in cases {
            let e = expand(name).unwrap_err();
            assert!(e.message.contains(want), "{name}: {}", e.message);
            assert!(
                name[e.at.clone()].starts_with('['),
                "{name}: span {:?}",
                e.at
            );
        }
    }
}
