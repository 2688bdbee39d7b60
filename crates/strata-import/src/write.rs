//! Step 3: a [`Placed`] inventory on disk, all at once or not at all.
//!
//! Everything is written into a temporary folder beside DIR (same parent,
//! a dot-name), which is then renamed to DIR: a crash or a kill leaves DIR
//! as it was, never half-written. DIR must not exist or be empty, unless
//! `force` (then it is replaced, the same way).
//!
//! Layout: hosts.toml (`[all]` with every host in the tool's order, then
//! each group as a table with `hosts` and `children`, in placed order),
//! `group_data/all.toml` (global), `group_data/<group>.toml`,
//! `host_data/<host>.toml`, README.md. Values go through the `toml`
//! crate's serializer, so every value and key is written in a form that
//! reads back as itself.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::place::Placed;

/// What README.md says of where the inventory came from.
#[derive(Clone, Debug)]
pub struct Provenance {
    /// The tool and its version: "ansible-inventory [core 2.19.14]".
    pub tool: String,
    /// How it was read, as a command line.
    pub read: String,
    /// The command that verifies the inventory again.
    pub verify: String,
}

/// Why DIR was not written.
#[derive(Debug)]
pub enum WriteError {
    /// DIR holds something and `force` was not given.
    NotEmpty(PathBuf),
    /// DIR is not a folder.
    NotAFolder(PathBuf),
    /// DIR is, or holds, an inventory being imported.
    HoldsInput(PathBuf, PathBuf),
    /// A file operation failed (what, and the error).
    Io(String, io::Error),
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::NotEmpty(d) => write!(
                f,
                "`{}` exists and is not empty; import writes only into a new or empty folder \
                 (--force replaces it)",
                d.display()
            ),
            WriteError::NotAFolder(d) => write!(f, "`{}` exists and is not a folder", d.display()),
            WriteError::HoldsInput(d, i) => write!(
                f,
                "`{}` holds `{}`, an inventory being imported; write the strata inventory \
                 elsewhere",
                d.display(),
                i.display()
            ),
            WriteError::Io(what, e) => write!(f, "{what}: {e}"),
        }
    }
}

/// Refuses a DIR that exists and is not an empty folder, unless `force`
/// (and then still refuses a DIR that is not a folder). Run before the
/// tool, so a refusal costs nothing.
pub fn check_target(dir: &Path, force: bool) -> Result<(), WriteError> {
    match fs::symlink_metadata(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(WriteError::Io(format!("reading `{}`", dir.display()), e)),
        Ok(m) if !m.is_dir() => Err(WriteError::NotAFolder(dir.to_path_buf())),
        Ok(_) if force => Ok(()),
        Ok(_) => {
            let mut entries = fs::read_dir(dir)
                .map_err(|e| WriteError::Io(format!("reading `{}`", dir.display()), e))?;
            match entries.next() {
                None => Ok(()),
                Some(_) => Err(WriteError::NotEmpty(dir.to_path_buf())),
            }
        }
    }
}

/// Refuses a DIR that is, or holds, one of the tool's inventories
/// (`-o inventory --force` with `-i inventory` would replace it).
pub fn check_not_inputs(dir: &Path, inputs: &[PathBuf]) -> Result<(), WriteError> {
    let Ok(dir) = dir.canonicalize() else {
        return Ok(());
    };
    for input in inputs {
        if let Ok(input) = input.canonicalize()
            && input.starts_with(&dir)
        {
            return Err(WriteError::HoldsInput(dir.clone(), input));
        }
    }
    Ok(())
}

/// `names` with runs of consecutive names written as ranges (`web01`,
/// `web02`, `web03` → `web[01:03]`; `db-a`, `db-b`, `db-c` → `db-[a:c]`),
/// where strata's range gives back exactly those names in that order; at
/// least three names a run. Any run of digits, or any one letter, may be
/// the part that counts; the longest run wins.
pub fn compress(names: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < names.len() {
        let mut best: Option<(usize, String)> = None;
        for (prefix, first, suffix) in counters(&names[i]) {
            let mut j = i + 1;
            let mut last = first.to_string();
            while j < names.len() {
                let Some(next) = successor(&last) else { break };
                let rest = names[j]
                    .strip_prefix(prefix)
                    .and_then(|r| r.strip_suffix(suffix));
                if rest != Some(next.as_str()) {
                    break;
                }
                last = next;
                j += 1;
            }
            if j - i >= 3 && best.as_ref().is_none_or(|(n, _)| j - i > *n) {
                let range = format!("{prefix}[{first}:{last}]{suffix}");
                if strata_resolver::expand_ranges(&range).ok().as_deref() == Some(&names[i..j]) {
                    best = Some((j - i, range));
                }
            }
        }
        match best {
            Some((n, range)) => {
                out.push(range);
                i += n;
            }
            None => {
                out.push(names[i].clone());
                i += 1;
            }
        }
    }
    out
}

/// Every way to cut `name` around a part that could count: each maximal
/// run of digits, and each ASCII letter.
fn counters(name: &str) -> Vec<(&str, &str, &str)> {
    let mut out = Vec::new();
    if name.contains('[') || name.contains(']') {
        return out;
    }
    let bytes = name.as_bytes();
    let mut k = 0;
    while k < bytes.len() {
        if bytes[k].is_ascii_digit() {
            let start = k;
            while k < bytes.len() && bytes[k].is_ascii_digit() {
                k += 1;
            }
            out.push((&name[..start], &name[start..k], &name[k..]));
        } else {
            if bytes[k].is_ascii_alphabetic() {
                out.push((&name[..k], &name[k..k + 1], &name[k + 1..]));
            }
            k += 1;
        }
    }
    out
}

/// The next counter after `part`: a number plus one, keeping its zero
/// padding (strata pads to the start's width), or the next letter.
fn successor(part: &str) -> Option<String> {
    let bytes = part.as_bytes();
    if bytes.len() == 1 && bytes[0].is_ascii_alphabetic() {
        let next = bytes[0] + 1;
        return (next.is_ascii_alphabetic()
            && next.is_ascii_lowercase() == bytes[0].is_ascii_lowercase())
        .then(|| (next as char).to_string());
    }
    let n: u64 = part.parse().ok()?;
    let width = part.len();
    Some(format!("{:0width$}", n.checked_add(1)?))
}

/// hosts.toml's text.
pub fn hosts_toml(placed: &Placed) -> String {
    let mut doc = toml::Table::new();
    let mut all = toml::Table::new();
    all.insert("hosts".into(), strings(&compress(&placed.hosts)));
    doc.insert("all".into(), toml::Value::Table(all));
    for g in &placed.groups {
        if g.name.starts_with('@') {
            // An implicit connector group (pyinfra's `@docker`): strata
            // makes it from the hosts' names; only its data is written.
            continue;
        }
        let mut t = toml::Table::new();
        if !g.hosts.is_empty() {
            t.insert("hosts".into(), strings(&compress(&g.hosts)));
        }
        if !g.children.is_empty() {
            t.insert("children".into(), strings(&g.children));
        }
        doc.insert(g.name.clone(), toml::Value::Table(t));
    }
    let body = toml::to_string_pretty(&doc).unwrap_or_default();
    format!(
        "# Written by `strata import`: the groups in the tool's precedence order,\n\
         # lowest first; `all` lists every host in the tool's host order.\n\n{body}"
    )
}

fn strings(items: &[String]) -> toml::Value {
    toml::Value::Array(items.iter().cloned().map(toml::Value::String).collect())
}

/// A data file's text. A vault or unsafe value (`{__ansible_vault = "..."}`,
/// `{__ansible_unsafe = "..."}`) is written as that one-key inline table,
/// beside the plain values; other tables as `[key]` sections after them.
pub fn data_file(table: &toml::Table) -> String {
    let mut plain = toml::Table::new();
    let mut inline = Vec::new();
    let mut tables = toml::Table::new();
    for (k, v) in table {
        match v {
            toml::Value::Table(t) if ansible_tagged(t) => inline.push((k, v)),
            toml::Value::Table(_) => {
                tables.insert(k.clone(), v.clone());
            }
            _ => {
                plain.insert(k.clone(), v.clone());
            }
        }
    }
    let mut text = toml::to_string_pretty(&plain).unwrap_or_default();
    for (k, v) in inline {
        // A one-key table of one string: its inline form is one line.
        let mut one = toml::Table::new();
        one.insert(k.clone(), toml::Value::Integer(0));
        let key_line = toml::to_string(&one).unwrap_or_default();
        let key = key_line
            .trim_end()
            .trim_end_matches('0')
            .trim_end_matches(' ');
        text.push_str(&format!("{key} {v}\n"));
    }
    if !tables.is_empty() {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&toml::to_string_pretty(&tables).unwrap_or_default());
    }
    text
}

/// `{__ansible_vault = "..."}` or `{__ansible_unsafe = "..."}`.
fn ansible_tagged(t: &toml::Table) -> bool {
    t.len() == 1
        && t.iter()
            .all(|(k, v)| (k == "__ansible_vault" || k == "__ansible_unsafe") && v.is_str())
}

/// README.md's text.
pub fn readme(placed: &Placed, provenance: &Provenance, date: &str) -> String {
    format!(
        "# Imported inventory\n\n\
         Written by `strata import` on {date} from what {tool} resolves:\n\n\
         ```\n{read}\n```\n\n\
         {hosts} hosts, {groups} groups. hosts.toml holds the hosts and groups (in the tool's \
         precedence order), `group_data/all.toml` the global data, `group_data/<group>.toml` each \
         group's and `host_data/<host>.toml` each host's. Values placed per host because no \
         placement in groups gives the tool's answer are in `host_data/` too.\n\n\
         Verify that strata still resolves what the tool resolves (every host's groups and \
         every value), for example in CI until the old inventory is deleted:\n\n\
         ```\n{verify}\n```\n\n\
         See docs/import.md in strata for the rules.\n",
        tool = provenance.tool,
        read = provenance.read,
        verify = provenance.verify,
        hosts = placed.hosts.len(),
        groups = placed.groups.len(),
    )
}

/// Today's date in UTC, `YYYY-MM-DD`.
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Writes `placed` as the inventory DIR, through a temporary folder
/// renamed into place. DIR is checked again ([`check_target`]).
pub fn write(
    placed: &Placed,
    dir: &Path,
    force: bool,
    provenance: &Provenance,
) -> Result<(), WriteError> {
    check_target(dir, force)?;
    // `.`, `..` and `/` name no folder that could be renamed into place.
    let Some(name) = dir.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return Err(WriteError::Io(
            format!("writing `{}`", dir.display()),
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "name the folder to write (not `.`, `..` or `/`)",
            ),
        ));
    };
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let pid = std::process::id();
    let temp = parent.join(format!(".{name}.strata-import.{pid}"));
    let io = |what: String| move |e: io::Error| WriteError::Io(what, e);
    if temp.exists() {
        fs::remove_dir_all(&temp).map_err(io(format!("removing `{}`", temp.display())))?;
    }
    let result = fill(&temp, placed, provenance);
    if let Err(e) = result {
        let _ = fs::remove_dir_all(&temp);
        return Err(e);
    }
    let old = parent.join(format!(".{name}.strata-import-old.{pid}"));
    let existed = dir.exists();
    if existed {
        fs::rename(dir, &old).map_err(io(format!("moving `{}` aside", dir.display())))?;
    }
    if let Err(e) = fs::rename(&temp, dir) {
        if existed {
            let _ = fs::rename(&old, dir);
        }
        let _ = fs::remove_dir_all(&temp);
        return Err(WriteError::Io(
            format!("renaming into `{}`", dir.display()),
            e,
        ));
    }
    if existed {
        fs::remove_dir_all(&old).map_err(io(format!("removing `{}`", old.display())))?;
    }
    Ok(())
}

fn fill(temp: &Path, placed: &Placed, provenance: &Provenance) -> Result<(), WriteError> {
    let put = |path: PathBuf, text: String| {
        fs::write(&path, text)
            .map_err(|e| WriteError::Io(format!("writing `{}`", path.display()), e))
    };
    let mkdir = |path: PathBuf| {
        fs::create_dir(&path)
            .map_err(|e| WriteError::Io(format!("creating `{}`", path.display()), e))
    };
    mkdir(temp.to_path_buf())?;
    put(temp.join("hosts.toml"), hosts_toml(placed))?;
    put(temp.join("README.md"), readme(placed, provenance, &today()))?;
    let groups_with_data = placed.groups.iter().any(|g| !g.vars.is_empty());
    if !placed.global.is_empty() || groups_with_data {
        mkdir(temp.join("group_data"))?;
    }
    if !placed.global.is_empty() {
        put(temp.join("group_data/all.toml"), data_file(&placed.global))?;
    }
    for g in &placed.groups {
        if !g.vars.is_empty() {
            put(
                temp.join(format!("group_data/{}.toml", g.name)),
                data_file(&g.vars),
            )?;
        }
    }
    if !placed.host_vars.is_empty() {
        mkdir(temp.join("host_data"))?;
    }
    for (h, vars) in &placed.host_vars {
        let path = temp.join(format!("host_data/{h}.toml"));
        // A connector host's file is in a folder of its connector
        // (`host_data/@docker/app.toml`).
        if let Some(parent) = path.parent()
            && !parent.is_dir()
        {
            fs::create_dir_all(parent)
                .map_err(|e| WriteError::Io(format!("creating `{}`", parent.display()), e))?;
        }
        put(path, data_file(vars))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn ranges_are_compressed_only_where_they_give_the_same_names_in_order() {
        let cases: &[(&[&str], &[&str])] = &[
            (&["web01", "web02", "web03"], &["web[01:03]"]),
            (&["web08", "web09", "web10", "db"], &["web[08:10]", "db"]),
            (&["w8", "w9", "w10", "w11"], &["w[8:11]"]),
            (&["w1", "w2"], &["w1", "w2"]),
            (&["w3", "w2", "w1"], &["w3", "w2", "w1"]),
            (&["w1", "w02", "w03"], &["w1", "w02", "w03"]),
            (
                &["n1.example.com", "n2.example.com", "n3.example.com"],
                &["n[1:3].example.com"],
            ),
            (&["r1a", "r2a", "r3b"], &["r1a", "r2a", "r3b"]),
            (&["x", "a0", "a1", "a2", "a3", "b5"], &["x", "a[0:3]", "b5"]),
            (&["h099", "h100", "h101"], &["h[099:101]"]),
            (&["h99", "h100", "h101"], &["h[99:101]"]),
            (&["a1b2", "a1b3", "a1b4"], &["a1b[2:4]"]),
            (&["db-a", "db-b", "db-c", "db-d"], &["db-[a:d]"]),
            (&["r1.dc2", "r2.dc2", "r3.dc2"], &["r[1:3].dc2"]),
            (&["x-Y", "x-Z", "x-a"], &["x-Y", "x-Z", "x-a"]),
            (&["a9", "a10", "a11"], &["a[9:11]"]),
            (&["a09", "a010", "a011"], &["a09", "a010", "a011"]),
        ];
        for (input, want) in cases {
            let got = compress(&names(input));
            assert_eq!(got, names(want), "{input:?}");
            let mut back = Vec::new();
            for g in &got {
                back.extend(strata_resolver::expand_ranges(g).unwrap());
            }
            assert_eq!(back, names(input));
        }
    }

    #[test]
    fn a_non_empty_folder_is_refused_unless_forced() {
        let dir = tempfile::tempdir().unwrap();
        assert!(check_target(&dir.path().join("new"), false).is_ok());
        assert!(check_target(dir.path(), false).is_ok());
        fs::write(dir.path().join("f"), "x").unwrap();
        assert!(matches!(
            check_target(dir.path(), false),
            Err(WriteError::NotEmpty(_))
        ));
        assert!(check_target(dir.path(), true).is_ok());
        assert!(matches!(
            check_target(&dir.path().join("f"), true),
            Err(WriteError::NotAFolder(_))
        ));
        let inputs = [dir.path().join("f")];
        assert!(matches!(
            check_not_inputs(dir.path(), &inputs),
            Err(WriteError::HoldsInput(..))
        ));
        assert!(check_not_inputs(&dir.path().join("new"), &inputs).is_ok());
    }

    #[test]
    fn vault_and_unsafe_values_are_inline_tables_that_read_back_unchanged() {
        let mut t = toml::Table::new();
        let vault = "$ANSIBLE_VAULT;1.1;AES256\n3435\n3637\n";
        let tagged = |k: &str, v: &str| {
            let mut one = toml::Table::new();
            one.insert(k.into(), toml::Value::String(v.into()));
            toml::Value::Table(one)
        };
        t.insert("a.b".into(), tagged("__ansible_vault", vault));
        t.insert("plain".into(), toml::Value::String("05".into()));
        t.insert("u".into(), tagged("__ansible_unsafe", "{{ x }}\"'"));
        let mut nested = toml::Table::new();
        nested.insert("k".into(), toml::Value::Integer(1));
        t.insert("nested".into(), toml::Value::Table(nested));
        let text = data_file(&t);
        assert!(text.contains("\"a.b\" = { __ansible_vault = "), "{text}");
        assert!(text.contains("u = { __ansible_unsafe = "), "{text}");
        let back: toml::Table = text.parse().unwrap();
        assert_eq!(back, t, "{text}");
    }

    /// What write puts on disk loads in strata as the same hosts, groups
    /// and values: names that TOML must quote, every value form.
    #[test]
    fn a_written_inventory_loads_back_in_strata() {
        let table = |text: &str| text.parse::<toml::Table>().unwrap();
        let placed = Placed {
            hosts: names(&["web01", "web02", "web03", "db.x:5432", "solo"]),
            groups: vec![
                crate::place::PlacedGroup {
                    name: "web.prod".into(),
                    hosts: names(&["web01", "web02", "web03"]),
                    children: vec![],
                    vars: table("port = 80\n\"a key\" = \"05\""),
                },
                crate::place::PlacedGroup {
                    name: "all_db-1".into(),
                    hosts: names(&["db.x:5432"]),
                    children: names(&["web.prod"]),
                    vars: table(
                        "v = { __ansible_vault = \"$ANSIBLE_VAULT;1.1;AES256\\n3435\\n\" }\nt = { a = [] , b = {} }",
                    ),
                },
            ],
            global: table("ver = \"1.10\"\nflag = \"true\"\nf = 2.0"),
            host_vars: [("db.x:5432".to_string(), table("port = 5432"))]
                .into_iter()
                .collect(),
            report: Default::default(),
        };
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("inv");
        let provenance = Provenance {
            tool: "t".into(),
            read: "r".into(),
            verify: "v".into(),
        };
        write(&placed, &out, false, &provenance).unwrap();
        let inv = strata::Inventory::load(&out).unwrap();
        assert!(inv.diagnostics().is_empty(), "{:?}", inv.diagnostics());
        let hosts: Vec<&str> = inv.hosts().map(|h| h.name()).collect();
        assert_eq!(hosts, ["web01", "web02", "web03", "db.x:5432", "solo"]);
        let web = inv.host("web02").unwrap();
        let groups: Vec<&str> = web.groups().map(|g| g.name()).collect();
        assert_eq!(groups, ["all_db-1", "web.prod"]);
        let json =
            |h: &str, k: &str| strata::json::to_value(inv.host(h).unwrap().data().get(k).unwrap());
        assert_eq!(json("web02", "a key"), serde_json::json!("05"));
        assert_eq!(json("solo", "ver"), serde_json::json!("1.10"));
        assert_eq!(json("solo", "flag"), serde_json::json!("true"));
        assert_eq!(json("solo", "f"), serde_json::json!(2.0));
        assert_eq!(json("db.x:5432", "port"), serde_json::json!(5432));
        assert_eq!(
            json("web01", "v"),
            serde_json::json!({"__ansible_vault": "$ANSIBLE_VAULT;1.1;AES256\n3435\n"})
        );
        assert_eq!(json("web01", "t"), serde_json::json!({"a": [], "b": {}}));
        assert!(write(&placed, &out.join(".."), true, &provenance).is_err());
        // Forced over an existing DIR: replaced whole, nothing left aside.
        write(&placed, &out, true, &provenance).unwrap();
        let left: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1);
        assert!(matches!(
            write(&placed, &out, false, &provenance),
            Err(WriteError::NotEmpty(_))
        ));
    }

    #[test]
    fn the_date_is_a_calendar_date() {
        let d = today();
        assert_eq!(d.len(), 10);
        assert!(d.starts_with("20"));
    }
}
