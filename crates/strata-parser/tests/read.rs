//! Reading inventory directories from disk: every problem comes back as a
//! diagnostic with the right code, file, line and column.
//!
//! Each test writes a small inventory into a temporary directory and reads
//! it with [`strata_parser::read_inventory`]. Only the public API is used.

use std::fs;
use std::path::{Path, PathBuf};

use strata_parser::{Code, Diagnostic, RawInventory, Severity, read_inventory};

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// Writes `files` (path relative to the root, content) under a new temporary
/// directory and returns it.
fn inventory(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), files);
    dir
}

fn write_files(root: &Path, files: &[(&str, &[u8])]) {
    for (rel, content) in files {
        let path = root.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(&path, content).unwrap();
    }
}

/// A diagnostic reduced to what a user sees: code, file, line, column of the
/// primary label.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Seen {
    code: Code,
    severity: Severity,
    file: String,
    line: u32,
    column: u32,
}

fn seen(raw: &RawInventory, d: &Diagnostic) -> Seen {
    let span = d.span().expect("every diagnostic has a primary label");
    let at = raw
        .files
        .location(span)
        .unwrap_or_else(|| panic!("diagnostic {d:?} has no location"));
    Seen {
        code: d.code,
        severity: d.severity,
        file: at.path,
        line: at.line,
        column: at.column,
    }
}

fn all_seen(raw: &RawInventory) -> Vec<Seen> {
    raw.diagnostics.iter().map(|d| seen(raw, d)).collect()
}

/// Renders every diagnostic on one line each, for failure messages.
fn dump(raw: &RawInventory) -> String {
    raw.diagnostics
        .iter()
        .map(|d| format!("  {}  help: {:?}", d.one_line(&raw.files), d.help))
        .collect::<Vec<_>>()
        .join("\n")
}

fn find(raw: &RawInventory, code: Code) -> Vec<&Diagnostic> {
    raw.diagnostics.iter().filter(|d| d.code == code).collect()
}

// ---------------------------------------------------------------------------
// Table-driven cases: files in, expected diagnostics out
// ---------------------------------------------------------------------------

/// One expected diagnostic: code, file, 1-based line and column.
type Expect = (Code, &'static str, u32, u32);

struct Case {
    name: &'static str,
    files: &'static [(&'static str, &'static str)],
    /// Diagnostics that must be present (primary label position).
    expect: &'static [Expect],
    /// When true, no other diagnostic may be present.
    exact: bool,
}

const CASES: &[Case] = &[
    Case {
        name: "group is a string",
        files: &[("hosts.toml", "db = [\"d1\"]\nweb = \"w1\"\n")],
        expect: &[(Code::GroupShape, "hosts.toml", 2, 7)],
        exact: true,
    },
    Case {
        name: "group is an integer",
        files: &[("hosts.toml", "web = 42\n")],
        expect: &[(Code::GroupShape, "hosts.toml", 1, 7)],
        exact: true,
    },
    Case {
        name: "group is a boolean inside other groups",
        files: &[(
            "hosts.toml",
            "a = [\"x\"]\nflag = true\n[b]\nhosts = [\"y\"]\n",
        )],
        expect: &[(Code::GroupShape, "hosts.toml", 2, 8)],
        exact: true,
    },
    Case {
        name: "unknown key `vars` in a group table",
        files: &[("hosts.toml", "[web]\nhosts = [\"w1\"]\nvars = { a = 1 }\n")],
        expect: &[(Code::UnknownGroupKey, "hosts.toml", 3, 1)],
        exact: true,
    },
    Case {
        name: "`children` in a group table is read",
        files: &[(
            "hosts.toml",
            "[web]\nhosts = [\"w1\"]\nchildren = [\"db\"]\n",
        )],
        expect: &[],
        exact: true,
    },
    Case {
        name: "`children` is a string",
        files: &[("hosts.toml", "[web]\nchildren = \"db\"\n")],
        expect: &[(Code::DataShape, "hosts.toml", 2, 12)],
        exact: true,
    },
    Case {
        name: "a child is not a name",
        files: &[("hosts.toml", "[web]\nchildren = [\"db\", 7]\n")],
        expect: &[(Code::DataShape, "hosts.toml", 2, 19)],
        exact: true,
    },
    Case {
        name: "typo `hsots` in a group table",
        files: &[("hosts.toml", "[web]\nhsots = [\"w1\"]\n")],
        expect: &[(Code::UnknownGroupKey, "hosts.toml", 2, 1)],
        exact: true,
    },
    Case {
        name: "host entry is an integer",
        files: &[("hosts.toml", "web = [\"w1\", 42]\n")],
        expect: &[(Code::HostEntryShape, "hosts.toml", 1, 14)],
        exact: true,
    },
    Case {
        name: "host entry is an array, in a group table",
        files: &[("hosts.toml", "[web]\nhosts = [\"w1\",\n  [\"w2\"]]\n")],
        expect: &[(Code::HostEntryShape, "hosts.toml", 3, 3)],
        exact: true,
    },
    Case {
        name: "host `name` is not a string",
        files: &[("hosts.toml", "web = [{ name = 7 }]\n")],
        expect: &[(Code::HostEntryShape, "hosts.toml", 1, 17)],
        exact: true,
    },
    Case {
        name: "unknown key in a host entry",
        files: &[("hosts.toml", "web = [{ name = \"w1\", dta = {} }]\n")],
        expect: &[(Code::HostEntryShape, "hosts.toml", 1, 23)],
        exact: true,
    },
    Case {
        name: "group `data` is a string",
        files: &[("hosts.toml", "[web]\nhosts = [\"w1\"]\ndata = \"x\"\n")],
        expect: &[(Code::DataShape, "hosts.toml", 3, 8)],
        exact: true,
    },
    Case {
        name: "host `data` is an integer",
        files: &[("hosts.toml", "web = [{ name = \"w1\", data = 5 }]\n")],
        expect: &[(Code::DataShape, "hosts.toml", 1, 30)],
        exact: true,
    },
    Case {
        name: "group `hosts` is a string",
        files: &[("hosts.toml", "[web]\nhosts = \"w1\"\n")],
        expect: &[(Code::DataShape, "hosts.toml", 2, 9)],
        exact: true,
    },
    Case {
        name: "host entry table without `name`",
        files: &[("hosts.toml", "web = [{ data = { a = 1 } }]\n")],
        expect: &[(Code::HostEntryShape, "hosts.toml", 1, 8)],
        exact: true,
    },
    Case {
        name: "empty host entry table",
        files: &[("hosts.toml", "web = [\"w1\",\n  {}]\n")],
        expect: &[(Code::HostEntryShape, "hosts.toml", 2, 3)],
        exact: true,
    },
    Case {
        name: "integer out of 64-bit range in a group_data file",
        files: &[
            ("hosts.toml", "web = [\"w1\"]\n"),
            ("group_data/web.toml", "a = 1\nbig = 9223372036854775808\n"),
        ],
        expect: &[(Code::NumberOutOfRange, "group_data/web.toml", 2, 7)],
        exact: true,
    },
    Case {
        name: "float beyond the float range, in a group file and inline; inf itself is a value",
        files: &[
            (
                "hosts.toml",
                "web = [{ name = \"w1\", data = { x = -1e400, y = -inf } }]\n",
            ),
            ("group_data/web.toml", "a = inf\nbig = 1.5e309\n"),
        ],
        expect: &[
            (Code::NumberOutOfRange, "hosts.toml", 1, 36),
            (Code::NumberOutOfRange, "group_data/web.toml", 2, 7),
        ],
        exact: true,
    },
    Case {
        name: "hex integer out of 64-bit range in host inline data",
        files: &[(
            "hosts.toml",
            "web = [{ name = \"w1\", data = { x = 0xffffffffffffffff } }]\n",
        )],
        expect: &[(Code::NumberOutOfRange, "hosts.toml", 1, 36)],
        exact: true,
    },
    Case {
        name: "negative integer out of range, nested in an array",
        files: &[
            ("hosts.toml", "web = [\"w1\"]\n"),
            (
                "host_data/w1.toml",
                "ok = 1\nxs = [1,\n  -9223372036854775809]\n",
            ),
        ],
        expect: &[(Code::NumberOutOfRange, "host_data/w1.toml", 3, 3)],
        exact: true,
    },
    Case {
        name: "the extreme 64-bit integers are fine",
        files: &[
            ("hosts.toml", "web = [\"w1\"]\n"),
            (
                "group_data/web.toml",
                "min = -9223372036854775808\nmax = 9223372036854775807\nhex = 0x7fffffffffffffff\nu = 1_000\n",
            ),
        ],
        expect: &[],
        exact: true,
    },
    Case {
        name: "a key after a table header is not a group",
        files: &[("hosts.toml", "[web]\nhosts = [\"w1\"]\ndb = [\"d1\"]\n")],
        expect: &[(Code::UnknownGroupKey, "hosts.toml", 3, 1)],
        exact: true,
    },
    Case {
        name: "non-.toml file in group_data is a warning",
        files: &[
            ("hosts.toml", "web = [\"w1\"]\n"),
            ("group_data/web.toml", "a = 1\n"),
            ("group_data/notes.txt", "not data\n"),
        ],
        expect: &[(Code::NonTomlFile, "group_data/notes.txt", 1, 1)],
        exact: true,
    },
    Case {
        name: "non-.toml file in host_data sub-directory is a warning",
        files: &[
            ("hosts.toml", "web = [\"@ssh/10.0.0.5\"]\n"),
            ("host_data/@ssh/README.md", "# notes\n"),
        ],
        expect: &[(Code::NonTomlFile, "host_data/@ssh/README.md", 1, 1)],
        exact: true,
    },
    Case {
        name: "hidden files and editor backups are skipped silently",
        files: &[
            ("hosts.toml", "web = [\"w1\"]\n"),
            ("group_data/web.toml", "a = 1\n"),
            ("group_data/.web.toml.swp", "\u{0}binary junk"),
            ("group_data/.hidden.toml", "this is = = not toml"),
            ("group_data/web.toml~", "= broken backup"),
            ("group_data/#web.toml#~", "= emacs autosave"),
            ("host_data/.git/config", "[core]"),
            ("host_data/w1.toml~", "= backup"),
            ("host_data/.DS_Store", "\u{0}\u{1}"),
        ],
        expect: &[],
        exact: true,
    },
    Case {
        name: "missing hosts.toml",
        files: &[("group_data/web.toml", "a = 1\n")],
        expect: &[(Code::MissingHostsFile, "hosts.toml", 1, 1)],
        exact: true,
    },
];

#[test]
fn table_of_cases() {
    let mut failures = Vec::new();
    for case in CASES {
        let files: Vec<(&str, &[u8])> =
            case.files.iter().map(|(p, c)| (*p, c.as_bytes())).collect();
        let dir = inventory(&files);
        let raw = read_inventory(dir.path());
        let got = all_seen(&raw);
        for &(code, file, line, column) in case.expect {
            if !got
                .iter()
                .any(|s| s.code == code && s.file == file && s.line == line && s.column == column)
            {
                failures.push(format!(
                    "[{}] expected {code} at {file}:{line}:{column}; got:\n{}",
                    case.name,
                    dump(&raw)
                ));
            }
        }
        if case.exact && got.len() != case.expect.len() {
            failures.push(format!(
                "[{}] expected exactly {} diagnostic(s); got:\n{}",
                case.name,
                case.expect.len(),
                dump(&raw)
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

// ---------------------------------------------------------------------------
// Syntax errors: every file reports, in one run
// ---------------------------------------------------------------------------

#[test]
fn syntax_errors_in_three_files_are_all_reported_in_one_run() {
    let dir = inventory(&[
        ("hosts.toml", b"web = [\"w1\"]\ndb = = [\"d1\"]\n"),
        (
            "group_data/web.toml",
            b"port = 80\nuser = \"deploy\nx = 1\n",
        ),
        ("group_data/db.toml", b"fine = true\n"),
        ("host_data/w1.toml", b"a = 1\n\n[b\nc = 2\n"),
        ("host_data/d1.toml", b"also_fine = 1\n"),
    ]);
    let raw = read_inventory(dir.path());
    let got = all_seen(&raw);
    let syntax: Vec<&Seen> = got.iter().filter(|s| s.code == Code::TomlSyntax).collect();
    for s in &syntax {
        assert_eq!(s.severity, Severity::Error);
    }
    let at = |file: &str| -> Vec<(u32, u32)> {
        syntax
            .iter()
            .filter(|s| s.file == file)
            .map(|s| (s.line, s.column))
            .collect()
    };
    // The stray `=` in hosts.toml is on line 2, column 6.
    assert!(at("hosts.toml").contains(&(2, 6)), "{}", dump(&raw));
    // The unterminated string starts on line 2 of the group file.
    let g = at("group_data/web.toml");
    assert!(
        !g.is_empty() && g.iter().all(|&(l, _)| l == 2),
        "{}",
        dump(&raw)
    );
    // The unclosed header is on line 3 of the host file.
    let h = at("host_data/w1.toml");
    assert!(
        !h.is_empty() && h.iter().all(|&(l, _)| l == 3),
        "{}",
        dump(&raw)
    );
    // Nothing else is reported, and the good files were read.
    assert_eq!(syntax.len(), got.len(), "{}", dump(&raw));
    assert!(!raw.hosts_ok);
    let ok: Vec<(&str, bool)> = raw
        .group_files
        .iter()
        .chain(&raw.host_files)
        .map(|f| (f.name.as_str(), f.ok))
        .collect();
    assert_eq!(
        ok,
        [("db", true), ("web", false), ("d1", true), ("w1", false)]
    );
    assert_eq!(
        raw.group_files[0].data.get("fine").unwrap().value,
        toml::Value::Boolean(true)
    );
}

#[test]
fn a_syntax_error_does_not_hide_shape_errors_elsewhere_nor_set_hosts_ok() {
    // hosts.toml is fine but has a shape error; a data file has a syntax error.
    let dir = inventory(&[
        ("hosts.toml", b"web = 1\ndb = [\"d1\"]\n"),
        ("group_data/db.toml", b"x = [1, 2\n"),
    ]);
    let raw = read_inventory(dir.path());
    let got = all_seen(&raw);
    assert!(
        got.iter().any(|s| s.code == Code::GroupShape
            && (s.file.as_str(), s.line, s.column) == ("hosts.toml", 1, 7)),
        "{}",
        dump(&raw)
    );
    assert!(
        got.iter()
            .any(|s| s.code == Code::TomlSyntax && s.file == "group_data/db.toml"),
        "{}",
        dump(&raw)
    );
    // Syntax is fine, so hosts_ok stays true: shape errors are separate.
    assert!(raw.hosts_ok);
    // The misshapen group is kept, marked broken, so that what follows from
    // it (its group_data file, "empty group") is not reported again.
    let groups: Vec<(&str, bool)> = raw
        .hosts
        .as_ref()
        .unwrap()
        .groups
        .iter()
        .map(|g| (g.name.as_str(), g.broken))
        .collect();
    assert_eq!(groups, [("web", true), ("db", false)]);
}

#[test]
fn vars_help_names_data() {
    let dir = inventory(&[("hosts.toml", b"[web]\nhosts = [\"w1\"]\nvars = { a = 1 }\n")]);
    let raw = read_inventory(dir.path());
    let d = find(&raw, Code::UnknownGroupKey);
    assert_eq!(d.len(), 1, "{}", dump(&raw));
    let help = d[0].help.as_deref().unwrap_or_default();
    assert!(help.contains("data"), "help: {help:?}");
    assert!(d[0].message.contains("vars"), "{}", d[0].message);
    // The group is still read, with its hosts.
    let web = &raw.hosts.as_ref().unwrap().groups[0];
    assert_eq!(&*web.hosts[0].name, "w1");
}

#[test]
fn children_are_read_with_their_spans_in_order() {
    let text =
        "[prod]\nchildren = [\"prod_web\", \"prod_db\", \"nowhere\"]\ndata = { env = \"p\" }\n";
    let dir = inventory(&[("hosts.toml", text.as_bytes())]);
    let raw = read_inventory(dir.path());
    assert!(raw.diagnostics.is_empty(), "{}", dump(&raw));
    let prod = &raw.hosts.as_ref().unwrap().groups[0];
    assert!(!prod.has_hosts && prod.hosts.is_empty());
    let names: Vec<&str> = prod.children.iter().map(|(n, _)| n.as_str()).collect();
    // The parser keeps every name as written: an unknown one is the
    // resolver's to report.
    assert_eq!(names, ["prod_web", "prod_db", "nowhere"]);
    let (_, span) = &prod.children[1];
    assert_eq!(&text[span.start as usize..span.end as usize], "\"prod_db\"");
}

#[test]
fn typo_help_suggests_the_near_key() {
    let dir = inventory(&[("hosts.toml", b"[web]\nhsots = [\"w1\"]\ndtaa = {}\n")]);
    let raw = read_inventory(dir.path());
    let d = find(&raw, Code::UnknownGroupKey);
    assert_eq!(d.len(), 2, "{}", dump(&raw));
    assert!(
        d[0].help.as_deref().unwrap_or_default().contains("hosts"),
        "{d:?}"
    );
    assert!(
        d[1].help.as_deref().unwrap_or_default().contains("data"),
        "{d:?}"
    );
}

// ---------------------------------------------------------------------------
// Files that cannot be read
// ---------------------------------------------------------------------------

#[test]
fn missing_inventory_directory() {
    let dir = tempfile::tempdir().unwrap();
    let raw = read_inventory(dir.path().join("does-not-exist"));
    let got = all_seen(&raw);
    assert_eq!(got.len(), 1, "{}", dump(&raw));
    assert_eq!(got[0].code, Code::MissingHostsFile);
    assert_eq!(
        (got[0].file.as_str(), got[0].line, got[0].column),
        ("hosts.toml", 1, 1)
    );
    assert!(raw.hosts.is_none());
    assert!(!raw.hosts_ok);
}

#[test]
fn not_utf8_points_at_the_bad_byte() {
    let dir = inventory(&[
        ("hosts.toml", b"web = [\"w1\"]\nx = \"ab\xffcd\"\n"),
        ("group_data/web.toml", b"a = 1\nb = 2\n# caf\xe9\n"),
        ("host_data/w1.toml", b"\xfe\xff"),
    ]);
    let raw = read_inventory(dir.path());
    let got = all_seen(&raw);
    let want = [
        ("hosts.toml", 2, 8),
        ("group_data/web.toml", 3, 6),
        ("host_data/w1.toml", 1, 1),
    ];
    for (file, line, column) in want {
        assert!(
            got.iter().any(|s| s.code == Code::NotUtf8
                && s.severity == Severity::Error
                && (s.file.as_str(), s.line, s.column) == (file, line, column)),
            "want not_utf8 at {file}:{line}:{column}\n{}",
            dump(&raw)
        );
    }
    assert_eq!(got.len(), 3, "{}", dump(&raw));
    assert!(raw.hosts.is_none());
    assert!(!raw.hosts_ok);
}

#[test]
fn not_utf8_column_counts_characters_before_the_bad_byte() {
    // Two multi-byte characters precede the bad byte on line 1.
    let dir = inventory(&[(
        "hosts.toml",
        "x = \"éé"
            .bytes()
            .chain([0x80])
            .collect::<Vec<_>>()
            .as_slice(),
    )]);
    let raw = read_inventory(dir.path());
    let got = all_seen(&raw);
    assert_eq!(got.len(), 1, "{}", dump(&raw));
    assert_eq!(got[0].code, Code::NotUtf8);
    assert_eq!((got[0].line, got[0].column), (1, 8));
}

#[test]
fn oversized_files_are_refused_by_size() {
    let dir = inventory(&[("hosts.toml", b"web = [\"w1\"]\n")]);
    let big = |rel: &str| {
        let path = dir.path().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        let f = fs::File::create(&path).unwrap();
        // Sparse: takes no disk space.
        f.set_len(strata_parser::MAX_FILE_SIZE + 1).unwrap();
    };
    big("group_data/web.toml");
    big("host_data/w1.toml");
    let raw = read_inventory(dir.path());
    let got = all_seen(&raw);
    for file in ["group_data/web.toml", "host_data/w1.toml"] {
        assert!(
            got.iter().any(|s| s.code == Code::FileTooLarge
                && (s.file.as_str(), s.line, s.column) == (file, 1, 1)),
            "{file}\n{}",
            dump(&raw)
        );
    }
    assert_eq!(got.len(), 2, "{}", dump(&raw));
    for d in find(&raw, Code::FileTooLarge) {
        // The size comes from the metadata: a file that was read would be
        // reported as having grown past the limit "while being read".
        assert!(
            d.message
                .contains(&(strata_parser::MAX_FILE_SIZE + 1).to_string()),
            "{}",
            d.message
        );
        assert!(!d.message.contains("while being read"), "{}", d.message);
        assert_eq!(raw.files.get(d.span().unwrap().file).text(), "");
    }
    assert!(raw.group_files.iter().all(|f| !f.ok && f.data.is_empty()));
}

#[test]
fn oversized_hosts_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let f = fs::File::create(dir.path().join("hosts.toml")).unwrap();
    f.set_len(strata_parser::MAX_FILE_SIZE + 1).unwrap();
    let raw = read_inventory(dir.path());
    let got = all_seen(&raw);
    assert_eq!(got.len(), 1, "{}", dump(&raw));
    assert_eq!(got[0].code, Code::FileTooLarge);
    assert_eq!(
        (got[0].file.as_str(), got[0].line, got[0].column),
        ("hosts.toml", 1, 1)
    );
    assert!(raw.hosts.is_none());
    assert!(!raw.hosts_ok);
}

#[test]
fn a_file_of_exactly_the_limit_is_not_refused_by_size() {
    // A file of exactly MAX_FILE_SIZE bytes is read. Its first byte is not
    // UTF-8, so the problem reported is the encoding (found at once, without
    // parsing 64 MiB of TOML), not the size.
    let dir = inventory(&[("hosts.toml", b"web = [\"w1\"]\n")]);
    let path = dir.path().join("group_data/web.toml");
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, b"\xff").unwrap();
    fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(strata_parser::MAX_FILE_SIZE)
        .unwrap();
    let raw = read_inventory(dir.path());
    let got = all_seen(&raw);
    assert_eq!(got.len(), 1, "{}", dump(&raw));
    assert_eq!(got[0].code, Code::NotUtf8);
    assert_eq!(
        (got[0].file.as_str(), got[0].line, got[0].column),
        ("group_data/web.toml", 1, 1)
    );
}

#[test]
fn a_directory_named_like_a_data_file_is_not_a_regular_file() {
    let dir = inventory(&[("hosts.toml", b"web = [\"w1\"]\n")]);
    fs::create_dir_all(dir.path().join("group_data/web.toml")).unwrap();
    let raw = read_inventory(dir.path());
    // Either reported as unreadable or as a stray; never read, never a panic.
    assert!(
        !raw.diagnostics.is_empty()
            && raw
                .diagnostics
                .iter()
                .all(|d| matches!(d.code, Code::UnreadableFile | Code::NonTomlFile)),
        "{}",
        dump(&raw)
    );
}

// ---------------------------------------------------------------------------
// Symbolic links
// ---------------------------------------------------------------------------

#[cfg(unix)]
mod symlinks {
    use super::*;
    use std::os::unix::fs::symlink;
    use std::process::Command;

    /// A parent directory holding `root/` (the inventory) and `outside/`.
    fn layout() -> (tempfile::TempDir, PathBuf, PathBuf) {
        let parent = tempfile::tempdir().unwrap();
        let root = parent.path().join("root");
        let outside = parent.path().join("outside");
        fs::create_dir_all(root.join("group_data")).unwrap();
        fs::create_dir_all(&outside).unwrap();
        fs::write(root.join("hosts.toml"), "web = [\"w1\"]\ndb = [\"d1\"]\n").unwrap();
        (parent, root, outside)
    }

    fn mkfifo(path: &Path) {
        let status = Command::new("mkfifo")
            .arg(path)
            .status()
            .expect("mkfifo runs");
        assert!(status.success(), "mkfifo failed");
    }

    #[test]
    fn symlink_to_a_fifo_outside_the_root_is_refused_without_reading() {
        let (_parent, root, outside) = layout();
        let fifo = outside.join("secret.toml");
        mkfifo(&fifo);
        symlink(&fifo, root.join("group_data/web.toml")).unwrap();
        // Reading (even opening) a FIFO with no writer blocks forever: this
        // test finishing proves the target was never opened. Run it in a
        // thread so that a regression fails by timeout rather than hanging.
        let (tx, rx) = std::sync::mpsc::channel();
        let r = root.clone();
        std::thread::spawn(move || {
            let raw = read_inventory(&r);
            let got = all_seen(&raw);
            let text = dump(&raw);
            tx.send((got, text)).ok();
        });
        let (got, text) = rx
            .recv_timeout(std::time::Duration::from_secs(20))
            .expect("read_inventory blocked: it opened the FIFO behind the symlink");
        assert_eq!(got.len(), 1, "{text}");
        assert_eq!(got[0].code, Code::SymlinkOutsideRoot);
        assert_eq!(got[0].severity, Severity::Error);
        assert_eq!(
            (got[0].file.as_str(), got[0].line, got[0].column),
            ("group_data/web.toml", 1, 1)
        );
    }

    #[test]
    fn symlink_to_a_file_outside_the_root_stores_none_of_its_text() {
        let (_parent, root, outside) = layout();
        let secret = outside.join("secret.toml");
        fs::write(&secret, "password = \"hunter2-SECRET\"\n").unwrap();
        symlink(&secret, root.join("group_data/db.toml")).unwrap();
        // A relative link that climbs out of the root.
        fs::create_dir_all(root.join("host_data")).unwrap();
        symlink("../../outside/secret.toml", root.join("host_data/d1.toml")).unwrap();
        let raw = read_inventory(&root);
        let got = all_seen(&raw);
        for file in ["group_data/db.toml", "host_data/d1.toml"] {
            assert!(
                got.iter()
                    .any(|s| s.code == Code::SymlinkOutsideRoot && s.file == file),
                "{file}\n{}",
                dump(&raw)
            );
        }
        assert_eq!(got.len(), 2, "{}", dump(&raw));
        for (_, f) in raw.files.iter() {
            assert!(
                !f.text().contains("SECRET"),
                "{} holds the secret",
                f.name()
            );
        }
        assert!(
            raw.group_files
                .iter()
                .all(|f| f.data.get("password").is_none())
        );
        assert!(
            raw.host_files
                .iter()
                .all(|f| f.data.get("password").is_none())
        );
    }

    #[test]
    fn hosts_toml_symlinked_outside_the_root_is_refused() {
        let (_parent, root, outside) = layout();
        fs::remove_file(root.join("hosts.toml")).unwrap();
        fs::write(outside.join("hosts.toml"), "leak = [\"SECRET\"]\n").unwrap();
        symlink(outside.join("hosts.toml"), root.join("hosts.toml")).unwrap();
        let raw = read_inventory(&root);
        let got = all_seen(&raw);
        assert_eq!(got.len(), 1, "{}", dump(&raw));
        assert_eq!(got[0].code, Code::SymlinkOutsideRoot);
        assert_eq!(got[0].file, "hosts.toml");
        assert!(raw.hosts.is_none());
        for (_, f) in raw.files.iter() {
            assert!(!f.text().contains("SECRET"));
        }
    }

    #[test]
    fn symlink_inside_the_root_is_read_normally() {
        let (_parent, root, _outside) = layout();
        fs::create_dir_all(root.join("common")).unwrap();
        fs::write(root.join("common/common.toml"), "\nport = 8080\n").unwrap();
        symlink("../common/common.toml", root.join("group_data/web.toml")).unwrap();
        symlink(
            root.join("common/common.toml"),
            root.join("group_data/db.toml"),
        )
        .unwrap();
        let raw = read_inventory(&root);
        assert!(raw.diagnostics.is_empty(), "{}", dump(&raw));
        let names: Vec<&str> = raw.group_files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["db", "web"]);
        for f in &raw.group_files {
            assert!(f.ok);
            let port = f.data.get("port").unwrap();
            assert_eq!(port.value.as_integer(), Some(8080));
            // Spans refer to the link's name, with the target's text.
            let at = raw.files.location(port.key_span).unwrap();
            assert_eq!(at.path, format!("group_data/{}.toml", f.name));
            assert_eq!((at.line, at.column), (2, 1));
        }
    }

    #[test]
    fn symlinked_group_data_directory_outside_the_root_is_refused() {
        let (_parent, root, outside) = layout();
        fs::remove_dir(root.join("group_data")).unwrap();
        let gd = outside.join("gd");
        fs::create_dir_all(&gd).unwrap();
        fs::write(gd.join("web.toml"), "leak = \"SECRET\"\n").unwrap();
        mkfifo(&gd.join("db.toml"));
        symlink(&gd, root.join("group_data")).unwrap();
        let raw = read_inventory(&root);
        let got = all_seen(&raw);
        assert_eq!(got.len(), 1, "{}", dump(&raw));
        assert_eq!(got[0].code, Code::SymlinkOutsideRoot);
        assert_eq!(
            (got[0].file.as_str(), got[0].line, got[0].column),
            ("group_data", 1, 1)
        );
        assert!(raw.group_files.is_empty());
        for (_, f) in raw.files.iter() {
            assert!(!f.text().contains("SECRET"));
        }
    }

    #[test]
    fn symlinked_host_data_directory_inside_the_root_is_walked() {
        let (_parent, root, _outside) = layout();
        fs::create_dir_all(root.join("real_hd")).unwrap();
        fs::write(root.join("real_hd/w1.toml"), "x = 1\n").unwrap();
        symlink("real_hd", root.join("host_data")).unwrap();
        let raw = read_inventory(&root);
        assert!(raw.diagnostics.is_empty(), "{}", dump(&raw));
        assert_eq!(raw.host_files.len(), 1);
        assert_eq!(raw.host_files[0].name, "w1");
        let e = raw.host_files[0].data.get("x").unwrap();
        assert_eq!(
            raw.files.location(e.key_span).unwrap().path,
            "host_data/w1.toml"
        );
    }

    #[test]
    fn symlinked_sub_directory_in_host_data_pointing_outside_is_refused() {
        let (_parent, root, outside) = layout();
        fs::create_dir_all(root.join("host_data")).unwrap();
        let ssh = outside.join("ssh");
        fs::create_dir_all(&ssh).unwrap();
        fs::write(ssh.join("10.0.0.5.toml"), "leak = \"SECRET\"\n").unwrap();
        symlink(&ssh, root.join("host_data/@ssh")).unwrap();
        let raw = read_inventory(&root);
        let got = all_seen(&raw);
        assert_eq!(got.len(), 1, "{}", dump(&raw));
        assert_eq!(got[0].code, Code::SymlinkOutsideRoot);
        assert_eq!(got[0].file, "host_data/@ssh");
        assert!(raw.host_files.is_empty());
        for (_, f) in raw.files.iter() {
            assert!(!f.text().contains("SECRET"));
        }
    }

    #[test]
    fn a_fifo_inside_the_root_is_not_read() {
        let (_parent, root, _outside) = layout();
        mkfifo(&root.join("group_data/web.toml"));
        let (tx, rx) = std::sync::mpsc::channel();
        let r = root.clone();
        std::thread::spawn(move || {
            let raw = read_inventory(&r);
            tx.send((all_seen(&raw), dump(&raw))).ok();
        });
        let (got, text) = rx
            .recv_timeout(std::time::Duration::from_secs(20))
            .expect("read_inventory blocked on a FIFO");
        assert_eq!(got.len(), 1, "{text}");
        assert_eq!(got[0].code, Code::UnreadableFile);
        assert_eq!(got[0].file, "group_data/web.toml");
    }

    #[test]
    fn dangling_symlink_is_reported_not_a_panic() {
        let (_parent, root, _outside) = layout();
        symlink("nowhere.toml", root.join("group_data/web.toml")).unwrap();
        let raw = read_inventory(&root);
        let got = all_seen(&raw);
        assert_eq!(got.len(), 1, "{}", dump(&raw));
        assert_eq!(got[0].severity, Severity::Error);
        assert_eq!(got[0].file, "group_data/web.toml");
    }
}

/// `read_inventory_for_hosts` looks one host's file up directly; it must
/// find what the listing finds for that name, and report what the listing
/// reports about `host_data/`, the directories on the way and the file:
/// nothing about other entries.
#[cfg(unix)]
mod lookup {
    use super::*;
    use std::os::unix::fs::symlink;
    use strata_parser::{HostData, read_inventory_for_hosts, read_inventory_with};

    /// What one host's lookup gives: its deferred files (name, path), then
    /// the diagnostics (code, file, message), then what reading the files
    /// gives (file, data keys, diagnostics).
    type Outcome = (
        Vec<(String, String)>,
        Vec<(Code, String, String)>,
        Vec<(String, Vec<String>, Vec<String>)>,
    );

    /// Whether the entry `path` (a file or directory, as the listing names
    /// it in a diagnostic) is `display` or a directory on its way.
    fn on_the_way(path: &str, display: &str) -> bool {
        let path = path
            .strip_suffix(" (a symbolic link to a directory, not followed)")
            .unwrap_or(path)
            .trim_end_matches('/');
        display == path
            || display
                .strip_prefix(path)
                .is_some_and(|rest| rest.starts_with('/'))
    }

    fn outcome(mut raw: RawInventory, name: &str, filter: bool) -> Outcome {
        let display = format!("host_data/{name}.toml");
        let diagnostics = raw
            .diagnostics
            .iter()
            .map(|d| {
                let file = raw.files.get(d.span().unwrap().file).name().to_string();
                (d.code, file, d.message.clone())
            })
            .filter(|(_, file, _)| !filter || on_the_way(file, &display))
            .collect();
        let files: Vec<_> = std::mem::take(&mut raw.deferred_host_files)
            .into_iter()
            .filter(|f| !filter || f.name() == name)
            .collect();
        let listed = files
            .iter()
            .map(|f| (f.name().to_string(), f.display().to_string()))
            .collect();
        let (read, problems) = strata_parser::read_deferred(&raw.root, &mut raw.files, files);
        let problems: Vec<String> = problems.iter().map(|d| d.message.clone()).collect();
        let read = read
            .iter()
            .map(|f| {
                (
                    raw.files.get(f.file).name().to_string(),
                    f.data.keys().map(str::to_string).collect(),
                    problems.clone(),
                )
            })
            .collect();
        (listed, diagnostics, read)
    }

    fn assert_same_as_listing(root: &Path, names: &[&str]) {
        for name in names {
            let listed = outcome(read_inventory_with(root, HostData::Defer), name, true);
            let direct = outcome(read_inventory_for_hosts(root, &[*name]), name, false);
            assert_eq!(direct, listed, "host {name:?} in {}", root.display());
        }
    }

    fn file(path: &Path, text: &str) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    /// A parent holding `root/` (the inventory) and `outside/`.
    fn layout() -> (tempfile::TempDir, PathBuf, PathBuf) {
        let parent = tempfile::tempdir().unwrap();
        let root = parent.path().join("root");
        let outside = parent.path().join("outside");
        file(&root.join("hosts.toml"), "web = [\"w1\"]\n");
        file(&outside.join("secret.toml"), "secret = 1\n");
        file(&outside.join("ssh/10.0.0.9.toml"), "secret = 1\n");
        file(&root.join("common/x.toml"), "shared = 1\n");
        (parent, root, outside)
    }

    const NAMES: &[&str] = &[
        "plain",
        "@ssh/10.0.0.5",
        "@ssh/deep/a/b",
        "@ssh/missing",
        ".hidden",
        "back~/x",
        "dir",
        "dir.toml/inner",
        "link_in",
        "link_out",
        "link_dir",
        "dangling",
        "@lnk/x",
        "@out/10.0.0.9",
        "@file/x",
        "fifo",
        "missing",
        "",
        "../common/x",
        "a//b",
        "a/./b",
        "1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16",
        "1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17",
        "f/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17",
        "@file/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17",
    ];

    #[test]
    fn every_kind_of_entry_as_the_listing_sees_it() {
        let (_parent, root, outside) = layout();
        let hd = root.join("host_data");
        file(&hd.join("plain.toml"), "a = 1\n");
        file(&hd.join("@ssh/10.0.0.5.toml"), "a = 1\n");
        file(&hd.join("@ssh/deep/a/b.toml"), "a = 1\n");
        file(&hd.join(".hidden.toml"), "a = 1\n");
        file(&hd.join("back~/x.toml"), "a = 1\n");
        file(&hd.join("dir.toml/inner.toml"), "a = 1\n");
        symlink("../common/x.toml", hd.join("link_in.toml")).unwrap();
        symlink(outside.join("secret.toml"), hd.join("link_out.toml")).unwrap();
        symlink("../common", hd.join("link_dir.toml")).unwrap();
        symlink("nowhere.toml", hd.join("dangling.toml")).unwrap();
        symlink("../common", hd.join("@lnk")).unwrap();
        symlink(outside.join("ssh"), hd.join("@out")).unwrap();
        file(&hd.join("@file"), "not a directory\n");
        let status = std::process::Command::new("mkfifo")
            .arg(hd.join("fifo.toml"))
            .status()
            .unwrap();
        assert!(status.success());
        file(
            &hd.join("1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16.toml"),
            "a = 1\n",
        );
        file(
            &hd.join("1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17.toml"),
            "a = 1\n",
        );
        // Entries no lookup concerns: never reported by one.
        file(&hd.join("notes.txt"), "stray\n");
        file(&hd.join("other.toml"), "a = 1\n");
        symlink(outside.join("secret.toml"), hd.join("other_out.toml")).unwrap();
        assert_same_as_listing(&root, NAMES);

        // Nothing about the other entries, which the listing reports.
        let raw = read_inventory_for_hosts(&root, &["plain"]);
        assert!(raw.diagnostics.is_empty(), "{}", dump(&raw));
        let raw = read_inventory_with(&root, HostData::Defer);
        assert!(
            ["host_data/notes.txt", "host_data/other_out.toml"]
                .iter()
                .all(|f| all_seen(&raw).iter().any(|s| s.file == *f)),
            "{}",
            dump(&raw)
        );
    }

    #[test]
    fn host_data_itself_as_the_listing_sees_it() {
        // Each: what host_data/ is.
        let cases: &[&str] = &["link inside", "link outside", "dangling", "file", "absent"];
        for case in cases {
            let (_parent, root, outside) = layout();
            file(&root.join("real_hd/plain.toml"), "a = 1\n");
            file(&root.join("real_hd/@ssh/10.0.0.5.toml"), "a = 1\n");
            file(&outside.join("plain.toml"), "secret = 1\n");
            let hd = root.join("host_data");
            match *case {
                "link inside" => symlink("real_hd", &hd).unwrap(),
                "link outside" => symlink(&outside, &hd).unwrap(),
                "dangling" => symlink("nowhere", &hd).unwrap(),
                "file" => file(&hd, "not a directory\n"),
                _ => {}
            }
            assert_same_as_listing(&root, &["plain", "@ssh/10.0.0.5", "missing"]);
            let raw = read_inventory_for_hosts(&root, &["plain"]);
            for (_, f) in raw.files.iter() {
                assert!(!f.text().contains("secret"), "{case}: {}", f.name());
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Directory layout
// ---------------------------------------------------------------------------

#[test]
fn host_data_sub_directories_for_connector_hosts() {
    let dir = inventory(&[
        (
            "hosts.toml",
            b"web = [\"@ssh/10.0.0.5\", \"@docker/abc\", \"plain\"]\n",
        ),
        ("host_data/@ssh/10.0.0.5.toml", b"role = \"ssh\"\n"),
        ("host_data/@docker/abc.toml", b"role = \"docker\"\n"),
        ("host_data/plain.toml", b"role = \"plain\"\n"),
    ]);
    let raw = read_inventory(dir.path());
    assert!(raw.diagnostics.is_empty(), "{}", dump(&raw));
    let got: Vec<(&str, &str, Option<&str>)> = raw
        .host_files
        .iter()
        .map(|f| {
            (
                f.name.as_str(),
                raw.files.get(f.file).name(),
                f.data.get("role").and_then(|e| e.value.as_str()),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("@docker/abc", "host_data/@docker/abc.toml", Some("docker")),
            ("@ssh/10.0.0.5", "host_data/@ssh/10.0.0.5.toml", Some("ssh")),
            ("plain", "host_data/plain.toml", Some("plain")),
        ]
    );
}

#[test]
fn group_data_is_not_walked_recursively() {
    let dir = inventory(&[
        ("hosts.toml", b"web = [\"w1\"]\n"),
        ("group_data/web.toml", b"a = 1\n"),
        ("group_data/sub/web.toml", b"a = 2\n"),
    ]);
    let raw = read_inventory(dir.path());
    let names: Vec<&str> = raw.group_files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["web"], "{}", dump(&raw));
    // A sub-directory of group_data/ may be reported as a stray; it is never read.
    assert!(
        raw.diagnostics
            .iter()
            .all(|d| d.code == Code::NonTomlFile && d.severity == Severity::Warning),
        "{}",
        dump(&raw)
    );
}

#[test]
fn group_order_is_file_order_not_alphabetical() {
    let hosts = "\
zeta = [\"z1\"]
alpha = [\"a1\"]
mid.hosts = [\"m1\"]

[all]
hosts = [\"z1\", \"a1\", \"m1\", \"b1\", \"c1\"]

[beta]
hosts = [\"b1\"]

[charlie]
hosts = [\"c1\"]
data = { x = 1 }
";
    let dir = inventory(&[("hosts.toml", hosts.as_bytes())]);
    let raw = read_inventory(dir.path());
    assert!(raw.diagnostics.is_empty(), "{}", dump(&raw));
    let names: Vec<&str> = raw
        .hosts
        .as_ref()
        .unwrap()
        .groups
        .iter()
        .map(|g| g.name.as_str())
        .collect();
    assert_eq!(names, ["zeta", "alpha", "mid", "all", "beta", "charlie"]);
    let hosts_of_all: Vec<&str> = raw.hosts.as_ref().unwrap().groups[3]
        .hosts
        .iter()
        .map(|h| &*h.name)
        .collect();
    assert_eq!(hosts_of_all, ["z1", "a1", "m1", "b1", "c1"]);
}

#[test]
fn data_files_are_sorted_by_name_and_keep_key_order() {
    let dir = inventory(&[
        ("hosts.toml", b"b = [\"h\"]\na = [\"h\"]\n"),
        ("group_data/b.toml", b"zz = 1\naa = 2\nmm = 3\n"),
        ("group_data/a.toml", b"k = 1\n"),
        ("group_data/all.toml", b"g = 1\n"),
    ]);
    let raw = read_inventory(dir.path());
    assert!(raw.diagnostics.is_empty(), "{}", dump(&raw));
    let names: Vec<&str> = raw.group_files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["a", "all", "b"]);
    let keys: Vec<&str> = raw.group_files[2].data.keys().collect();
    assert_eq!(keys, ["zz", "aa", "mm"]);
}

// ---------------------------------------------------------------------------
// Spans
// ---------------------------------------------------------------------------

#[test]
fn key_and_value_spans_in_data_files() {
    let text = "\
# a comment
port = 8080
  user   =   \"deploy\"
\"quoted key\" = true
\"ключ\" = \"значение\"
list = [
  1,
  2,
]
dotted.inner = 1

[section]
a = 1
";
    let dir = inventory(&[
        ("hosts.toml", b"web = [\"w1\"]\n"),
        ("group_data/web.toml", text.as_bytes()),
    ]);
    let raw = read_inventory(dir.path());
    assert!(raw.diagnostics.is_empty(), "{}", dump(&raw));
    let data = &raw.group_files[0].data;
    let keys: Vec<&str> = data.keys().collect();
    assert_eq!(
        keys,
        [
            "port",
            "user",
            "quoted key",
            "ключ",
            "list",
            "dotted",
            "section"
        ]
    );
    let at = |span| {
        let l = raw.files.location(span).unwrap();
        assert_eq!(l.path, "group_data/web.toml");
        (l.line, l.column)
    };
    // (key, key line:col, value line:col)
    let want = [
        ("port", (2, 1), (2, 8)),
        ("user", (3, 3), (3, 14)),
        ("quoted key", (4, 1), (4, 16)),
        // Columns count characters, not bytes.
        ("ключ", (5, 1), (5, 10)),
        ("list", (6, 1), (6, 8)),
        ("dotted", (10, 1), (10, 1)),
        ("section", (12, 2), (12, 1)),
    ];
    let mut failures = Vec::new();
    for (key, k, v) in want {
        let e = data.get(key).unwrap();
        let got = (at(e.key_span), at(e.value_span));
        if key == "dotted" || key == "section" {
            // Where an implicit table's value starts is the parser's choice;
            // only the key position is checked.
            if got.0 != k {
                failures.push(format!("{key}: key at {:?}, want {k:?}", got.0));
            }
        } else if got != (k, v) {
            failures.push(format!("{key}: got {got:?}, want {:?}", (k, v)));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    // Values are converted.
    assert_eq!(
        data.get("list").unwrap().value,
        toml::Value::Array(vec![1.into(), 2.into()])
    );
    assert_eq!(
        data.get("dotted").unwrap().value.get("inner"),
        Some(&strata_parser::Value::Integer(1))
    );
    // A value span covers the whole value.
    let list = data.get("list").unwrap().value_span;
    assert_eq!(&text[list.range()], "[\n  1,\n  2,\n]");
    let user = data.get("user").unwrap().value_span;
    assert_eq!(&text[user.range()], "\"deploy\"");
}

#[test]
fn spans_of_hosts_and_inline_data_in_hosts_toml() {
    let text = "\
web = [\"w1\",
       { name = \"w2\", data = { port = 8002 } }]

[db]
hosts = [ \"d1\" ]
data = { engine = \"pg\" }
";
    let dir = inventory(&[("hosts.toml", text.as_bytes())]);
    let raw = read_inventory(dir.path());
    assert!(raw.diagnostics.is_empty(), "{}", dump(&raw));
    let groups = &raw.hosts.as_ref().unwrap().groups;
    let loc = |span| {
        let l = raw.files.location(span).unwrap();
        (l.path, l.line, l.column)
    };
    let h = |line, column| ("hosts.toml".to_string(), line, column);
    assert_eq!(loc(groups[0].name_span), h(1, 1));
    assert_eq!(loc(groups[0].hosts[0].span), h(1, 8));
    assert_eq!(loc(groups[0].hosts[1].span), h(2, 17));
    let port = groups[0].hosts[1]
        .data
        .as_ref()
        .unwrap()
        .get("port")
        .unwrap();
    assert_eq!(loc(port.key_span), h(2, 32));
    assert_eq!(loc(port.value_span), h(2, 39));
    assert_eq!(loc(groups[1].name_span), h(4, 2));
    assert_eq!(loc(groups[1].hosts[0].span), h(5, 11));
    let engine = groups[1].data.as_ref().unwrap().get("engine").unwrap();
    assert_eq!(loc(engine.key_span), h(6, 10));
    assert_eq!(loc(engine.value_span), h(6, 19));
}

// ---------------------------------------------------------------------------
// Deep nesting: a diagnostic, never a stack overflow
// ---------------------------------------------------------------------------

/// Runs `f` on a thread with the default stack size for spawned threads
/// (2 MiB unless RUST_MIN_STACK says otherwise), which is smaller than the
/// main thread's: this is where a recursive parser would overflow.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(f)
        .unwrap()
        .join()
        .expect("the thread panicked (or overflowed its stack)")
}

fn nested(open: &str, inner: &str, close: &str, depth: usize) -> String {
    let mut s = String::with_capacity(depth * (open.len() + close.len()) + inner.len());
    for _ in 0..depth {
        s.push_str(open);
    }
    s.push_str(inner);
    for _ in 0..depth {
        s.push_str(close);
    }
    s
}

#[test]
fn deep_nesting_gives_a_diagnostic_not_a_stack_overflow() {
    const DEPTH: usize = 10_000;
    let arrays = format!("x = {}\n", nested("[", "1", "]", DEPTH));
    let tables = format!("x = {}\n", nested("{ a = ", "1", " }", DEPTH));
    let dotted = format!("{} = 1\n", vec!["a"; DEPTH].join("."));
    let header = format!("[{}]\nb = 1\n", vec!["a"; DEPTH].join("."));
    let hosts = format!(
        "web = [{{ name = \"w1\", data = {{ x = {} }} }}]\n",
        nested("[", "", "]", DEPTH)
    );
    let files: Vec<(String, String)> = vec![
        ("hosts.toml".into(), hosts),
        ("group_data/web.toml".into(), arrays),
        ("group_data/db.toml".into(), tables),
        ("host_data/w1.toml".into(), dotted),
        ("host_data/w2.toml".into(), header),
    ];
    let got = on_small_stack(move || {
        let dir = tempfile::tempdir().unwrap();
        for (rel, text) in &files {
            write_files(dir.path(), &[(rel.as_str(), text.as_bytes())]);
        }
        let raw = read_inventory(dir.path());
        let text = dump(&raw);
        (all_seen(&raw), text)
    });
    let (got, text) = got;
    for file in [
        "hosts.toml",
        "group_data/web.toml",
        "group_data/db.toml",
        "host_data/w1.toml",
        "host_data/w2.toml",
    ] {
        assert!(
            got.iter().any(|s| s.file == file
                && s.severity == Severity::Error
                && matches!(s.code, Code::TomlSyntax | Code::TooDeep)),
            "no nesting error for {file}\n{text}"
        );
    }
}

#[test]
fn nesting_just_past_the_limit_is_too_deep() {
    // Deeper than MAX_DEPTH, but shallow enough for the TOML parser to accept.
    let depth = strata_parser::MAX_DEPTH + 2;
    let arrays = format!("ok = 1\nx = {}\n", nested("[", "1", "]", depth));
    let tables = format!("x = {}\n", nested("{ a = ", "1", " }", depth));
    let hosts = format!(
        "web = [{{ name = \"w1\", data = {{ x = {} }} }}]\n",
        nested("[", "", "]", depth)
    );
    let dir = inventory(&[
        ("hosts.toml", hosts.as_bytes()),
        ("group_data/web.toml", arrays.as_bytes()),
        ("host_data/w1.toml", tables.as_bytes()),
    ]);
    let raw = on_small_stack(move || {
        let raw = read_inventory(dir.path());
        (
            all_seen(&raw),
            dump(&raw),
            raw.group_files[0].data.get("ok").is_some(),
            raw.group_files[0].data.get("x").is_some(),
        )
    });
    let (got, text, ok_kept, x_kept) = raw;
    for (file, line) in [
        ("hosts.toml", 1),
        ("group_data/web.toml", 2),
        ("host_data/w1.toml", 1),
    ] {
        assert!(
            got.iter()
                .any(|s| s.code == Code::TooDeep && s.file == file && s.line == line),
            "no too_deep for {file}\n{text}"
        );
    }
    // The too-deep key is dropped; its siblings are kept.
    assert!(ok_kept);
    assert!(!x_kept);
}

#[test]
fn nesting_at_the_limit_is_accepted() {
    // The top-level value is level 1, and a scalar counts as a level: a
    // scalar inside MAX_DEPTH - 1 arrays, or MAX_DEPTH empty arrays, is
    // exactly at the limit; one more level is too deep.
    let depth = strata_parser::MAX_DEPTH;
    let at_limit = format!(
        "x = {}\ny = {}\n",
        nested("[", "1", "]", depth - 1),
        nested("[", "", "]", depth)
    );
    let over = format!("z = {}\n", nested("[", "1", "]", depth));
    let dir = inventory(&[
        ("hosts.toml", b"web = [\"w1\"]\n"),
        ("group_data/web.toml", at_limit.as_bytes()),
        ("group_data/db.toml", over.as_bytes()),
    ]);
    let raw = read_inventory(dir.path());
    let got = all_seen(&raw);
    assert_eq!(got.len(), 1, "{}", dump(&raw));
    assert_eq!(got[0].code, Code::TooDeep);
    assert_eq!(got[0].file, "group_data/db.toml");
    let web = raw.group_files.iter().find(|f| f.name == "web").unwrap();
    assert!(web.data.get("x").is_some() && web.data.get("y").is_some());
}
