//! Property tests: no input makes the parser panic, and every problem comes
//! back as a diagnostic that points into a file the parser knows.

use std::fs;
use std::path::Path;

use proptest::prelude::*;
use strata_parser::{Files, RawInventory, Severity, read_inventory};

// ---------------------------------------------------------------------------
// Checks shared by every property
// ---------------------------------------------------------------------------

/// Every diagnostic is well formed: it has a primary label, every label
/// points into a file of `sources` within its text and on character
/// boundaries, the primary file is one of `known`, and rendering it (one
/// line, or a full report with source excerpts) does not panic.
fn check_diagnostics(
    diagnostics: &[strata_parser::Diagnostic],
    files: &Files,
    known: &[&str],
) -> Result<(), TestCaseError> {
    for d in diagnostics {
        prop_assert!(!d.labels.is_empty(), "no label: {:?}", d);
        for label in &d.labels {
            let span = label.span;
            prop_assert!(span.file.index() < files.len(), "bad file id in {:?}", d);
            let file = files.get(span.file);
            let text = file.text();
            prop_assert!(
                span.start <= span.end && span.end as usize <= text.len(),
                "span {:?} out of bounds (len {}) in {:?}",
                span,
                text.len(),
                d
            );
            prop_assert!(
                text.is_char_boundary(span.start as usize)
                    && text.is_char_boundary(span.end as usize),
                "span {:?} not on char boundaries in {:?}",
                span,
                d
            );
        }
        let primary = d.span().unwrap();
        let at = files.location(primary);
        prop_assert!(at.is_some(), "primary label has no location: {:?}", d);
        let at = at.unwrap();
        prop_assert!(
            known.contains(&at.path.as_str()),
            "diagnostic in unknown file {:?}: {:?}",
            at.path,
            d
        );
        prop_assert!(at.line >= 1 && at.column >= 1);
        let _ = d.one_line(files);
        let report = d.to_report(files);
        let mut out = String::new();
        miette::NarratableReportHandler::new()
            .render_report(&mut out, report.as_ref())
            .map_err(|e| TestCaseError::fail(format!("render failed: {e}")))?;
        // The renderer the CLI uses: it panicked on columns past 65,535.
        let mut out = String::new();
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode())
            .with_width(100)
            .render_report(&mut out, report.as_ref())
            .map_err(|e| TestCaseError::fail(format!("render failed: {e}")))?;
    }
    Ok(())
}

/// What a read must satisfy whatever the input.
fn check_read(raw: &RawInventory, known: &[&str]) -> Result<(), TestCaseError> {
    check_diagnostics(&raw.diagnostics, &raw.files, known)?;
    let errors: Vec<_> = raw.diagnostics.iter().filter(|d| d.is_error()).collect();
    // A clean result: hosts.toml was read and parsed.
    if raw.diagnostics.is_empty() {
        prop_assert!(raw.hosts_ok && raw.hosts.is_some());
    }
    // hosts.toml unusable => an error says so, in hosts.toml.
    if !raw.hosts_ok {
        prop_assert!(
            errors.iter().any(|d| raw
                .files
                .location(d.span().unwrap())
                .is_some_and(|l| l.path == "hosts.toml")),
            "hosts.toml not ok but no error in it: {:?}",
            raw.diagnostics
        );
    }
    // A data file that failed has an error in that file.
    for f in raw.group_files.iter().chain(&raw.host_files) {
        if !f.ok {
            prop_assert!(
                errors.iter().any(|d| d.span().unwrap().file == f.file),
                "data file {} not ok but no error in it",
                raw.files.get(f.file).name()
            );
            prop_assert!(f.data.is_empty());
        }
        // Every entry's spans are inside its file.
        let len = raw.files.get(f.file).text().len();
        for (_, e) in f.data.iter() {
            prop_assert!(e.key_span.file == f.file && e.value_span.file == f.file);
            prop_assert!(e.key_span.end as usize <= len && e.value_span.end as usize <= len);
        }
    }
    Ok(())
}

fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, bytes).unwrap();
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------
// (a) Arbitrary input
// ---------------------------------------------------------------------------

/// A run long enough to push columns past 65,535 (tools that write TOML
/// often put a whole array on one line): miette's renderer panicked there.
fn wide() -> String {
    "x".repeat(66_000)
}

/// Text made mostly of characters that mean something in TOML.
fn tomlish() -> impl Strategy<Value = String> {
    const CHARS: &[&str] = &[
        "a", "b", "z", "0", "1", "9", "_", "@", "/", ".", ":", "-", "[", "]", "{", "}", "=", "\"",
        "'", ",", "\n", "#", " ", "\\", "\t", "\r", "é", "\u{0}", "hosts", "data", "name", "all",
    ];
    let piece = prop_oneof![
        150 => prop::sample::select(CHARS).prop_map(str::to_string),
        1 => Just(wide()),
    ];
    prop::collection::vec(piece, 0..160).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn arbitrary_bytes_as_hosts_toml(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "hosts.toml", &bytes);
        let raw = read_inventory(dir.path());
        check_read(&raw, &["hosts.toml"])?;
    }

    #[test]
    fn arbitrary_bytes_as_a_group_data_file(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "hosts.toml", b"web = [\"w1\"]\n");
        write(dir.path(), "group_data/web.toml", &bytes);
        let raw = read_inventory(dir.path());
        check_read(&raw, &["hosts.toml", "group_data/web.toml"])?;
        prop_assert!(raw.hosts_ok);
    }

    #[test]
    fn tomlish_text_in_every_file(
        hosts in tomlish(),
        group in tomlish(),
        host in tomlish(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "hosts.toml", hosts.as_bytes());
        write(dir.path(), "group_data/web.toml", group.as_bytes());
        write(dir.path(), "host_data/@ssh/w1.toml", host.as_bytes());
        let raw = read_inventory(dir.path());
        check_read(&raw, &["hosts.toml", "group_data/web.toml", "host_data/@ssh/w1.toml"])?;
    }
}

proptest! {
    // In memory: no files, so more cases are cheap.
    #![proptest_config(config(1024))]

    #[test]
    fn parse_hosts_and_parse_data_in_memory(text in tomlish()) {
        let mut files = Files::new();
        let (_, diagnostics) = strata_parser::parse_hosts(&mut files, "hosts.toml", text.clone());
        check_diagnostics(&diagnostics, &files, &["hosts.toml"])?;
        let (_, diagnostics) = strata_parser::parse_data(&mut files, "data.toml", text);
        check_diagnostics(&diagnostics, &files, &["data.toml"])?;
    }
}

proptest! {
    #![proptest_config(config(32))]

    /// One long line of hosts with problems far to the right: a duplicate,
    /// a wrong type, a bad range, wide columns for every label.
    #[test]
    fn wide_lines_render(
        n in 4_000usize..6_000,
        tail in prop::sample::select(&["\"h0\"", "5", "\"w[3:]\"", "{ name = 1 }", "\"@docker\""][..]),
        pad in 0usize..70_000,
    ) {
        let names: Vec<String> = (0..n).map(|i| format!("\"h{i}\"")).collect();
        let text = format!("web = [{}, \"{}\", {tail}]\n", names.join(", "), "p".repeat(pad));
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "hosts.toml", text.as_bytes());
        let raw = read_inventory(dir.path());
        check_read(&raw, &["hosts.toml"])?;
    }
}

// ---------------------------------------------------------------------------
// (b) Mutations of a valid inventory
// ---------------------------------------------------------------------------

const HOSTS: &str = r#"webservers = ["web1.example.com", "web2.example.com"]
monitoring = ["db1.example.com", "web[1:2].example.com"]

[databases]
hosts = [{ name = "db1.example.com", data = { db_role = "primary" } }]
data = { db_type = "postgresql", ports = [5432, 5433], nested = { a = { b = 1 } } }

[containers]
hosts = ["@docker/abc", "@ssh/10.0.0.5", "@local"]

[all]
hosts = ["web1.example.com", { name = "web2.example.com", data = { app_port = 8002 } }, "db1.example.com", "@docker/abc", "@ssh/10.0.0.5", "@local"]
data = { ssh_user = "deploy", ssh_port = 22 }
"#;

const GROUP: &str = r#"# web servers
app_port = 8000
env = { LANG = "C", list = ['a', "b"] }
"quoted" = -1_000
hex = 0xff

[tls]
enabled = true
ciphers = """multi
line"""
when = 1979-05-27T07:32:00Z
ratio = 1.5e3
"#;

const HOST: &str = "app_port = 8001\nssh_user = 'root'\n";

/// (relative path, text) of the base inventory; the order gives file indices.
const FILES: [(&str, &str); 3] = [
    ("hosts.toml", HOSTS),
    ("group_data/webservers.toml", GROUP),
    ("host_data/@ssh/10.0.0.5.toml", HOST),
];

/// Snippets that matter to TOML, for insertions and replacements.
const ALPHABET: &[&str] = &[
    "[",
    "]",
    "{",
    "}",
    "=",
    "\"",
    ",",
    ".",
    "\n",
    "#",
    "'",
    " ",
    "\\",
    "[[",
    "]]",
    "'''",
    "\"\"\"",
    "\r",
    "\t",
    "\u{0}",
    "é",
    "1",
    "a",
    "@",
    "/",
    ":",
    "-",
    "0x",
    "1e",
    "T",
    "99999999999999999999",
    "[all]",
    "data",
    "hosts",
    "name",
];

#[derive(Clone, Debug)]
enum Edit {
    Delete,
    Insert(Vec<u8>),
    Replace(Vec<u8>),
}

#[derive(Clone, Debug)]
struct Mutation {
    file: usize,
    /// Position, taken modulo the text's length.
    at: usize,
    /// Snap the position to a character boundary (keeps valid UTF-8 valid
    /// as long as the inserted bytes are).
    chars: bool,
    edit: Edit,
}

fn snippet() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        6 => prop::sample::select(ALPHABET).prop_map(|s| s.as_bytes().to_vec()),
        1 => any::<u8>().prop_map(|b| vec![b]),
        1 => any::<char>().prop_map(|c| c.to_string().into_bytes()),
        1 => Just(wide().into_bytes()),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let edit = prop_oneof![
        Just(Edit::Delete),
        snippet().prop_map(Edit::Insert),
        snippet().prop_map(Edit::Replace),
    ];
    (0..FILES.len(), any::<usize>(), any::<bool>(), edit).prop_map(|(file, at, chars, edit)| {
        Mutation {
            file,
            at,
            chars,
            edit,
        }
    })
}

/// Applies `m` to `bytes`.
fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let mut at = if bytes.is_empty() {
        0
    } else {
        m.at % (bytes.len() + 1)
    };
    // The length of the unit to delete or replace at `at`.
    let mut unit = 1;
    if let (true, Ok(text)) = (m.chars, std::str::from_utf8(bytes)) {
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        unit = text[at..].chars().next().map_or(0, char::len_utf8);
    }
    let end = (at + unit).min(bytes.len());
    match &m.edit {
        Edit::Delete => {
            bytes.drain(at..end);
        }
        Edit::Insert(s) => {
            bytes.splice(at..at, s.iter().copied());
        }
        Edit::Replace(s) => {
            bytes.splice(at..end, s.iter().copied());
        }
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn mutated_inventories_never_panic(mutations in prop::collection::vec(mutation(), 1..8)) {
        let mut files: Vec<Vec<u8>> = FILES.iter().map(|(_, t)| t.as_bytes().to_vec()).collect();
        for m in &mutations {
            apply(&mut files[m.file], m);
        }
        let dir = tempfile::tempdir().unwrap();
        for ((rel, _), bytes) in FILES.iter().zip(&files) {
            write(dir.path(), rel, bytes);
        }
        let raw = read_inventory(dir.path());
        let known: Vec<&str> = FILES.iter().map(|(rel, _)| *rel).collect();
        check_read(&raw, &known)?;
        // Either no error, or at least one error that names a file.
        let errors: Vec<_> = raw.diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
        if !errors.is_empty() {
            prop_assert!(errors.iter().any(|d| raw.files.location(d.span().unwrap()).is_some()));
        }
        // A file left unchanged parses cleanly.
        for (i, (rel, text)) in FILES.iter().enumerate() {
            if files[i] == text.as_bytes() {
                prop_assert!(
                    !errors.iter().any(|d| raw.files.location(d.span().unwrap()).is_some_and(|l| l.path == *rel)),
                    "unchanged {} has errors: {:?}", rel, errors
                );
            }
        }
    }
}

#[test]
fn the_base_inventory_is_clean() {
    let dir = tempfile::tempdir().unwrap();
    for (rel, text) in FILES {
        write(dir.path(), rel, text.as_bytes());
    }
    let raw = read_inventory(dir.path());
    assert!(raw.diagnostics.is_empty(), "{:?}", raw.diagnostics);
    assert!(raw.hosts_ok);
    assert_eq!(raw.group_files.len(), 1);
    assert_eq!(raw.host_files[0].name, "@ssh/10.0.0.5");
}

#[test]
fn many_syntax_errors_stay_bounded() {
    // 100,000 lines of errors: the report stays short and the read is quick.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "hosts.toml", "= x\n".repeat(100_000).as_bytes());
    write(
        dir.path(),
        "group_data/web.toml",
        "]]\n".repeat(100_000).as_bytes(),
    );
    let started = std::time::Instant::now();
    let raw = read_inventory(dir.path());
    let took = started.elapsed();
    check_read(&raw, &["hosts.toml", "group_data/web.toml"]).unwrap();
    let in_file = |name: &str| {
        raw.diagnostics
            .iter()
            .filter(|d| raw.files.get(d.span().unwrap().file).name() == name)
            .count()
    };
    for name in ["hosts.toml", "group_data/web.toml"] {
        let n = in_file(name);
        assert!((1..=100).contains(&n), "{n} diagnostics for {name}");
    }
    assert!(took.as_secs() < 30, "reading took {took:?}");
}
