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

/// Expands every `[start:end]` or `[start:end:step]` in `name`, left to right
/// (several ranges give their product). A name without `[` comes back as is.
pub fn expand(name: &str) -> Result<Vec<String>, RangeError> {
    let Some(open) = name.find('[') else {
        return Ok(vec![name.to_string()]);
    };
    let Some(close_rel) = name[open..].find(']') else {
        return Err(RangeError {
            message: "`[` without a closing `]`".into(),
            at: open..name.len(),
        });
    };
    let close = open + close_rel;
    let at = open..close + 1;
    let items = range_items(&name[open + 1..close]).map_err(|message| RangeError {
        message,
        at: at.clone(),
    })?;
    let prefix = &name[..open];
    let rest = expand(&name[close + 1..]).map_err(|e| RangeError {
        message: e.message,
        at: e.at.start + close + 1..e.at.end + close + 1,
    })?;
    if items.len().saturating_mul(rest.len()) > MAX_EXPANSION {
        return Err(RangeError {
            message: format!("expands to more than {MAX_EXPANSION} hosts"),
            at,
        });
    }
    let mut out = Vec::with_capacity(items.len() * rest.len());
    for item in &items {
        for tail in &rest {
            out.push(format!("{prefix}{item}{tail}"));
        }
    }
    Ok(out)
}

fn range_items(inner: &str) -> Result<Vec<String>, String> {
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
        if (b - a) / step as u64 >= MAX_EXPANSION as u64 {
            return Err(format!("expands to more than {MAX_EXPANSION} hosts"));
        }
        // `[01:10]` keeps the width of the start (as Ansible does).
        let width = if start.len() > 1 && start.starts_with('0') {
            start.len()
        } else {
            0
        };
        Ok((a..=b)
            .step_by(step)
            .map(|n| format!("{n:0width$}"))
            .collect())
    } else if is_letter(start) && is_letter(end) {
        let (a, b) = (start.as_bytes()[0], end.as_bytes()[0]);
        if a.is_ascii_lowercase() != b.is_ascii_lowercase() {
            return Err(format!("`[{inner}]` mixes upper and lower case"));
        }
        if a > b {
            return Err(format!("the range `[{inner}]` runs backwards"));
        }
        Ok((a..=b)
            .step_by(step)
            .map(|c| (c as char).to_string())
            .collect())
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
        }
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
