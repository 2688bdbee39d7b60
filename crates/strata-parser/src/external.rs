//! External sources: their declarations (`sources/<name>.toml`) and the
//! JSON documents they answer with, in the Ansible dynamic-inventory
//! `--list` shape.
//!
//! This module parses texts and touches no file: a `file` source's JSON is
//! read by the directory reader (`read::external`, inside the root, under
//! the size limit); a `command` source's answer is fetched by
//! `strata-exec` and handed back as text to [`parse_source_document`].

use std::time::Duration;

use strata_diagnostics::{Code, Diagnostic, FileId, Files, Span};

use crate::ansible_marker::{self, marker_in};
use crate::json::{Json, JsonValue, parse_json};
use crate::model::{DataTable, Entry};
use crate::suggest::{did_you_mean, name_fix, sole_closest};
use crate::value::Value;

/// The directory of source declarations inside the inventory root.
pub const SOURCES_DIR: &str = "sources";

/// How long a command may run when its declaration gives no `timeout`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The longest `timeout` a declaration may give: 24 hours.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 3600);

/// The longest `cache` a declaration may give: 365 days.
pub const MAX_CACHE: Duration = Duration::from_secs(365 * 86_400);

/// One `sources/<name>.toml`.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceDecl {
    /// The source's name: the file name without `.toml` (`cmdb`).
    pub name: String,
    /// The declaration file.
    pub file: FileId,
    /// What it reads or runs.
    pub kind: SourceKind,
    /// Where `file = ...` or `command = ...` is written.
    pub span: Span,
    /// `cache = "5m"`: how long a command's last good answer is reused.
    pub cache: Option<Duration>,
    /// `timeout = "30s"`: how long the command may run ([`DEFAULT_TIMEOUT`]).
    pub timeout: Duration,
}

/// What a source is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceKind {
    /// `file = "exports/cmdb.json"`: a JSON document read from the root.
    File(String),
    /// `command = ["./scripts/cmdb.py", "--list"]`: a program run without a
    /// shell, from the inventory root.
    Command(Vec<String>),
}

/// A source's answer, read: its groups and host variables, with spans in
/// its document.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SourceDoc {
    /// The source's name.
    pub source: String,
    /// The document (a JSON file of the root, or a command's output).
    pub file: Option<FileId>,
    /// Groups in document order (`_meta` taken out; `all` and `ungrouped`
    /// included, as written).
    pub groups: Vec<SourceGroup>,
    /// `_meta.hostvars`, or `None` when the document has no `_meta` (then
    /// Ansible asks `--host NAME` for each host).
    pub hostvars: Option<Vec<SourceHostVars>>,
    /// False when the document could not be read, or breaks the contract
    /// (a diagnostic says why): it contributes nothing.
    pub ok: bool,
}

/// A group of a source document.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceGroup {
    /// Its name.
    pub name: String,
    /// Where its key is written.
    pub span: Span,
    /// `hosts`, in order, with where each is written.
    pub hosts: Vec<(String, Span)>,
    /// `vars`.
    pub vars: Option<DataTable>,
    /// `children`, in order.
    pub children: Vec<(String, Span)>,
}

/// One host's variables from a source (`_meta.hostvars.<host>`, or the
/// answer to `--host <host>`).
#[derive(Clone, Debug, PartialEq)]
pub struct SourceHostVars {
    /// The host.
    pub host: String,
    /// Where its key is written (the whole answer for `--host`).
    pub span: Span,
    /// The variables.
    pub vars: DataTable,
}

const KEYS: [&str; 4] = ["file", "command", "cache", "timeout"];

/// The declaration of source `name`, file `file` (text `text`) parsed as
/// `table`; `None` with diagnostics when it is not one.
pub(crate) fn declaration(
    name: &str,
    file: FileId,
    text: &str,
    table: &DataTable,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<SourceDecl> {
    let mut ok = true;
    let mut error = |span: Span, message: String, help: &str| {
        diagnostics.push(
            Diagnostic::error(Code::SourceDeclaration, span, message).with_help(help.to_string()),
        );
    };
    if let Some(problem) = name_problem(name) {
        error(
            Span::file_start(file),
            format!("source name `{name}` {problem}"),
            "a source is named by its file name, sources/<name>.toml: use letters, digits, `_`, `-` and `.`",
        );
        ok = false;
    }
    for (key, entry) in table.iter() {
        if !KEYS.contains(&key) {
            let help = did_you_mean(key, KEYS).unwrap_or_else(|| {
                "a source declares `file` or `command`, and for a command `cache` and `timeout`"
                    .into()
            });
            // The key meant, when it is the only one that close and not
            // written already.
            let fix = sole_closest(key, KEYS)
                .filter(|meant| table.get(meant).is_none())
                .and_then(|meant| {
                    name_fix(
                        entry.key_span,
                        text.get(entry.key_span.range())?,
                        key,
                        meant,
                    )
                });
            diagnostics.push(
                Diagnostic::error(
                    Code::SourceDeclaration,
                    entry.key_span,
                    format!("unknown key `{key}` in source `{name}`"),
                )
                .with_help(help)
                .with_fix_opt(fix),
            );
            ok = false;
        }
    }
    let duration = |key: &str, diagnostics: &mut Vec<Diagnostic>| -> Option<Option<Duration>> {
        let Some(e) = table.get(key) else {
            return Some(None);
        };
        let (max, max_text) = if key == "timeout" {
            (MAX_TIMEOUT, "24h")
        } else {
            (MAX_CACHE, "365d")
        };
        let (problem, label) = match e.value.as_str().map(parse_duration) {
            Some(Some(d)) if d > max => (
                format!("`{key}` of source `{name}` is over the maximum of {max_text}"),
                format!("expected at most {max_text}"),
            ),
            Some(Some(d)) if d.is_zero() && key == "timeout" => (
                format!("`timeout` of source `{name}` is zero: the command could never run"),
                "expected more than 0".to_string(),
            ),
            Some(Some(d)) => return Some(Some(d)),
            _ => {
                diagnostics.push(
                    Diagnostic::error(
                        Code::SourceDeclaration,
                        e.value_span,
                        format!("`{key}` of source `{name}` is not a duration"),
                    )
                    .with_label_text("expected a string such as \"30s\", \"5m\" or \"1h\"")
                    .with_help("a duration is a whole number followed by ms, s, m, h or d: \"500ms\", \"30s\", \"5m\", \"2h\", \"1d\""),
                );
                return None;
            }
        };
        diagnostics.push(
            Diagnostic::error(Code::SourceDeclaration, e.value_span, problem)
                .with_label_text(label)
                .with_help("a command runs for at most 24h (`timeout`, default 30s, more than 0) and its answer is reused for at most 365d (`cache`)"),
        );
        None
    };
    let cache = duration("cache", diagnostics);
    let timeout = duration("timeout", diagnostics);
    let (Some(cache), Some(timeout)) = (cache, timeout) else {
        return None;
    };
    let kind = match (table.get("file"), table.get("command")) {
        (Some(f), Some(c)) => {
            diagnostics.push(
                Diagnostic::error(
                    Code::SourceDeclaration,
                    c.key_span,
                    format!("source `{name}` declares both `file` and `command`"),
                )
                .with_label(f.key_span, "`file` is declared here")
                .with_help("a source is one or the other: split it into two files under sources/"),
            );
            return None;
        }
        (None, None) => {
            diagnostics.push(
                Diagnostic::error(
                    Code::SourceDeclaration,
                    Span::file_start(file),
                    format!("source `{name}` declares neither `file` nor `command`"),
                )
                .with_help("write `file = \"exports/cmdb.json\"` (a JSON document to read) or `command = [\"./scripts/cmdb.py\", \"--list\"]` (a program to run)"),
            );
            return None;
        }
        (Some(f), None) => {
            let Some(path) = f.value.as_str() else {
                diagnostics.push(
                    Diagnostic::error(
                        Code::SourceDeclaration,
                        f.value_span,
                        format!("`file` of source `{name}` must be a string"),
                    )
                    .with_help(
                        "a path relative to the inventory root: file = \"exports/cmdb.json\"",
                    ),
                );
                return None;
            };
            for (key, e) in [
                ("cache", table.get("cache")),
                ("timeout", table.get("timeout")),
            ] {
                if let Some(e) = e {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::SourceDeclaration,
                            e.key_span,
                            format!("`{key}` applies to command sources; source `{name}` is a file"),
                        )
                        .with_help("a file is read on every load, which costs what reading it costs: remove the key"),
                    );
                    ok = false;
                }
            }
            (SourceKind::File(path.to_string()), f.value_span)
        }
        (None, Some(c)) => {
            let argv: Option<Vec<String>> = c.value.as_array().and_then(|items| {
                items
                    .iter()
                    .map(|v| v.as_str().map(str::to_string))
                    .collect()
            });
            match argv {
                Some(argv) if !argv.is_empty() && !argv[0].is_empty() => {
                    (SourceKind::Command(argv), c.value_span)
                }
                _ => {
                    let help = if c.value.is_str() {
                        "no shell is used, so the command is an array of its arguments: command = [\"./scripts/cmdb.py\", \"--list\"]"
                    } else {
                        "the command is a non-empty array of strings, the program first: command = [\"./scripts/cmdb.py\", \"--list\"]"
                    };
                    diagnostics.push(
                        Diagnostic::error(
                            Code::SourceDeclaration,
                            c.value_span,
                            format!(
                                "`command` of source `{name}` must be a non-empty array of strings"
                            ),
                        )
                        .with_help(help),
                    );
                    return None;
                }
            }
        }
    };
    if !ok {
        return None;
    }
    Some(SourceDecl {
        name: name.to_string(),
        file,
        span: kind.1,
        kind: kind.0,
        cache,
        timeout: timeout.unwrap_or(DEFAULT_TIMEOUT),
    })
}

fn name_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("is empty")
    } else if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Some("holds whitespace or a control character")
    } else {
        None
    }
}

/// `"500ms"`, `"30s"`, `"5m"`, `"2h"`, `"1d"`; `None` when the text is not
/// one, or too large for a [`Duration`] (a declaration also refuses one
/// over [`MAX_TIMEOUT`] or [`MAX_CACHE`]).
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = text.split_at(split);
    let n: u64 = n.parse().ok()?;
    let secs = |k: u64| n.checked_mul(k).map(Duration::from_secs);
    match unit.trim() {
        "ms" => Some(Duration::from_millis(n)),
        "s" => secs(1),
        "m" => secs(60),
        "h" => secs(3600),
        "d" => secs(86_400),
        _ => None,
    }
}

/// Parses a source's `--list` answer (`text`, shown as `display`) into
/// `files`: groups with `hosts`, `vars` and `children`, and
/// `_meta.hostvars`, as Ansible's script plugin reads them.
///
/// ```
/// let mut files = strata_parser::Files::new();
/// let text = r#"{"web": {"hosts": ["w1"], "vars": {"port": 80}}, "_meta": {"hostvars": {}}}"#;
/// let (doc, problems) =
///     strata_parser::parse_source_document(&mut files, "cmdb", "exports/cmdb.json", text.into());
/// assert!(problems.is_empty() && doc.ok);
/// assert_eq!(doc.groups[0].hosts[0].0, "w1");
/// let port = doc.groups[0].vars.as_ref().unwrap().get("port").unwrap();
/// let at = files.location(port.key_span).unwrap();
/// assert_eq!((at.line, at.column), (1, 36));
/// ```
pub fn parse_source_document(
    files: &mut Files,
    source: &str,
    display: impl Into<String>,
    text: String,
) -> (SourceDoc, Vec<Diagnostic>) {
    let file = files.add(display, text);
    let text = files.get(file).text();
    let mut cx = JsonCx::new(file, source);
    let mut doc = SourceDoc {
        source: source.to_string(),
        file: Some(file),
        ..SourceDoc::default()
    };
    let json = match parse_json(text) {
        Ok(j) => j,
        Err(e) => {
            cx.diagnostics.push(json_error(file, source, &e, text));
            return (doc, cx.diagnostics);
        }
    };
    // The tree is consumed as it is converted, so that a large document's
    // tree and its data tables are not both whole in memory.
    let kind = json.kind();
    let JsonValue::Object(members) = json.value else {
        cx.shape(
            json.span,
            format!("the answer of source `{source}` is {kind}, not an object of groups"),
        );
        return (doc, cx.diagnostics);
    };
    for m in members {
        if m.key == "_meta" {
            doc.hostvars = cx.meta(m.value);
        } else if let Some(g) = cx.group(&m.key, m.key_span.clone(), m.value) {
            doc.groups.push(g);
        }
    }
    cx.report_nulls();
    doc.ok = !cx.diagnostics.iter().any(Diagnostic::is_error);
    (doc, cx.diagnostics)
}

/// Parses a source's answer to `--host NAME` (an object of variables).
pub fn parse_host_document(
    files: &mut Files,
    source: &str,
    host: &str,
    display: impl Into<String>,
    text: String,
) -> (Option<SourceHostVars>, Vec<Diagnostic>) {
    let file = files.add(display, text);
    let text = files.get(file).text();
    let mut cx = JsonCx::new(file, source);
    let vars = match parse_json(text) {
        Ok(json) => cx.vars(json, &format!("the answer to --host {host}")),
        Err(e) => {
            cx.diagnostics.push(json_error(file, source, &e, text));
            None
        }
    };
    cx.report_nulls();
    let out = vars.map(|vars| SourceHostVars {
        host: host.to_string(),
        span: Span::file_start(file),
        vars,
    });
    (out, cx.diagnostics)
}

/// A located "not JSON" error for a source's document.
fn json_error(file: FileId, source: &str, e: &crate::json::JsonError, text: &str) -> Diagnostic {
    let first_line = text.lines().next().unwrap_or("");
    let help = if e.span.start == 0 && !first_line.trim_start().starts_with(['{', '[']) {
        "the output starts with text that is not JSON: a debug print on stdout? Print diagnostics to stderr, and nothing but the JSON document to stdout"
    } else {
        "a source answers with one JSON document (the Ansible dynamic-inventory --list shape)"
    };
    Diagnostic::error(
        Code::SourceJson,
        Span::new(file, e.span.clone()),
        format!(
            "the answer of source `{source}` is not valid JSON: {}",
            e.message
        ),
    )
    .with_label_text(e.message.clone())
    .with_help(help)
}

struct JsonCx<'a> {
    file: FileId,
    source: &'a str,
    /// Variable names shared across the document: the same few recur for
    /// every host.
    keys: crate::convert::Keys,
    diagnostics: Vec<Diagnostic>,
    /// Where `null` values were dropped.
    nulls: Vec<std::ops::Range<usize>>,
}

impl<'a> JsonCx<'a> {
    fn new(file: FileId, source: &'a str) -> JsonCx<'a> {
        JsonCx {
            file,
            source,
            keys: Default::default(),
            diagnostics: Vec::new(),
            nulls: Vec::new(),
        }
    }
}

impl JsonCx<'_> {
    fn span(&self, r: std::ops::Range<usize>) -> Span {
        Span::new(self.file, r)
    }

    fn shape(&mut self, at: std::ops::Range<usize>, message: String) {
        let help = "a source answers in the Ansible dynamic-inventory shape: {\"group\": {\"hosts\": [...], \"vars\": {...}, \"children\": [...]}, \"_meta\": {\"hostvars\": {\"host\": {...}}}}";
        self.diagnostics
            .push(Diagnostic::error(Code::SourceShape, self.span(at), message).with_help(help));
    }

    fn ignored(&mut self, at: std::ops::Range<usize>, message: String) {
        self.diagnostics.push(
            Diagnostic::warning(Code::SourceShape, self.span(at), message).with_help(
                "Ansible ignores it too; only `hosts`, `vars` and `children` are read in a group",
            ),
        );
    }

    fn group(
        &mut self,
        name: &str,
        key: std::ops::Range<usize>,
        value: Json,
    ) -> Option<SourceGroup> {
        let mut g = SourceGroup {
            name: name.to_string(),
            span: self.span(key),
            hosts: Vec::new(),
            vars: None,
            children: Vec::new(),
        };
        // The short form: a group as a plain list of hosts.
        if let JsonValue::Array(_) = value.value {
            g.hosts = self.names(&value, &format!("group `{name}`"))?;
            return Some(g);
        }
        let kind = value.kind();
        let JsonValue::Object(members) = value.value else {
            self.shape(
                value.span,
                format!(
                    "group `{name}` of source `{}` is {kind}, not an object or an array of hosts",
                    self.source
                ),
            );
            return None;
        };
        for m in members {
            match m.key.as_str() {
                "hosts" => g.hosts = self.names(&m.value, &format!("`hosts` of group `{name}`"))?,
                "children" => {
                    g.children = self.names(&m.value, &format!("`children` of group `{name}`"))?
                }
                "vars" => g.vars = Some(self.vars(m.value, &format!("`vars` of group `{name}`"))?),
                other => {
                    let message = format!(
                        "key `{other}` of group `{name}` in source `{}` is not read",
                        self.source
                    );
                    self.ignored(m.key_span.clone(), message)
                }
            }
        }
        Some(g)
    }

    fn names(&mut self, value: &Json, what: &str) -> Option<Vec<(String, Span)>> {
        let JsonValue::Array(items) = &value.value else {
            self.shape(
                value.span.clone(),
                format!(
                    "{what} in source `{}` is {}, not an array of names",
                    self.source,
                    value.kind()
                ),
            );
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            match item.as_str() {
                Some(s) => out.push((s.to_string(), self.span(item.span.clone()))),
                None => {
                    self.shape(
                        item.span.clone(),
                        format!(
                            "{what} in source `{}` holds {}, not a name",
                            self.source,
                            item.kind()
                        ),
                    );
                    return None;
                }
            }
        }
        Some(out)
    }

    fn vars(&mut self, value: Json, what: &str) -> Option<DataTable> {
        let kind = value.kind();
        let JsonValue::Object(members) = value.value else {
            self.shape(
                value.span,
                format!(
                    "{what} in source `{}` is {kind}, not an object of variables",
                    self.source
                ),
            );
            return None;
        };
        let mut entries = Vec::with_capacity(members.len());
        for m in members {
            let key_span = self.span(m.key_span);
            let value_span = self.span(m.value.span.clone());
            if let Some(value) = self.value(m.value) {
                let entry = Entry {
                    value,
                    key_span,
                    value_span,
                };
                entries.push((self.keys.get(&m.key), entry));
            }
        }
        // A key written twice: the later value, in the earlier place.
        let out = DataTable::from_entries(entries);
        Some(out)
    }

    fn meta(&mut self, value: Json) -> Option<Vec<SourceHostVars>> {
        let kind = value.kind();
        let JsonValue::Object(members) = value.value else {
            self.shape(
                value.span,
                format!(
                    "`_meta` in source `{}` is {kind}, not an object",
                    self.source
                ),
            );
            return Some(Vec::new());
        };
        let mut out = Vec::new();
        for m in members {
            if m.key != "hostvars" {
                self.ignored(
                    m.key_span.clone(),
                    format!(
                        "key `{}` of `_meta` in source `{}` is not read",
                        m.key, self.source
                    ),
                );
                continue;
            }
            let kind = m.value.kind();
            let JsonValue::Object(hosts) = m.value.value else {
                self.shape(
                    m.value.span,
                    format!(
                        "`_meta.hostvars` in source `{}` is {kind}, not an object of hosts",
                        self.source
                    ),
                );
                continue;
            };
            for h in hosts {
                let span = self.span(h.key_span);
                let what = format!("`_meta.hostvars` of host `{}`", h.key);
                if let Some(vars) = self.vars(h.value, &what) {
                    out.push(SourceHostVars {
                        host: h.key,
                        span,
                        vars,
                    });
                }
            }
        }
        Some(out)
    }

    /// A JSON value as TOML; `null` has no TOML form: it is dropped (with
    /// one warning per document, see [`JsonCx::report_nulls`]).
    fn value(&mut self, json: Json) -> Option<Value> {
        Some(match json.value {
            JsonValue::Null => {
                self.nulls.push(json.span);
                return None;
            }
            JsonValue::Bool(b) => Value::Boolean(b),
            JsonValue::Integer(i) => Value::Integer(i),
            JsonValue::Float(f) => Value::Float(f),
            JsonValue::OutOfRange(text) => {
                let what = if text.contains(['.', 'e', 'E']) {
                    "is beyond the range of a 64-bit float"
                } else {
                    "does not fit in a 64-bit integer"
                };
                let d = Diagnostic::error(
                    Code::NumberOutOfRange,
                    self.span(json.span),
                    format!("number `{text}` in source `{}` {what}", self.source),
                )
                .with_label_text("strata cannot hold this number exactly")
                .with_help("strata's data, like TOML, holds integers from -2^63 to 2^63-1 and finite 64-bit floats; rather than round it, strata refuses it: have the source send it as a string");
                self.diagnostics.push(d);
                return None;
            }
            JsonValue::String(s) => Value::String(s.into()),
            JsonValue::Array(items) => {
                Value::Array(items.into_iter().filter_map(|i| self.value(i)).collect())
            }
            JsonValue::Object(members)
                if let Some(marker) = marker_in(members.iter().map(|m| m.key.as_str()))
                    && let Some(fault) = ansible_marker::fault(
                        marker,
                        members.len(),
                        members.iter().find(|m| m.key == marker).and_then(|m| {
                            match &m.value.value {
                                JsonValue::String(s) => Some(s.as_str()),
                                _ => None,
                            }
                        }),
                    ) =>
            {
                // Ansible's script plugin would keep only the marked value,
                // or fail on one that is not a string: never pass it on.
                self.shape(
                    json.span,
                    format!(
                        "`{marker}` {}: {}",
                        ansible_marker::meaning(marker),
                        ansible_marker::problem(fault, "object")
                    ),
                );
                return None;
            }
            JsonValue::Object(members) => Value::Table(
                members
                    .into_iter()
                    .filter_map(|m| Some((m.key.into(), self.value(m.value)?)))
                    .collect(),
            ),
        })
    }

    fn report_nulls(&mut self) {
        let Some(first) = self.nulls.first().cloned() else {
            return;
        };
        let n = self.nulls.len();
        let message = if n == 1 {
            format!("a `null` in source `{}` was dropped", self.source)
        } else {
            format!("{n} `null` values in source `{}` were dropped", self.source)
        };
        let mut d = Diagnostic::warning(Code::JsonNull, self.span(first), message)
            .with_label_text("dropped: TOML has no null")
            .with_help("a variable whose value is null is left out (an element of an array or table too), as if it were not written; give it a value, or leave it out of the answer");
        for r in self
            .nulls
            .iter()
            .skip(1)
            .take(2)
            .cloned()
            .collect::<Vec<_>>()
        {
            d = d.with_label(self.span(r), "dropped too");
        }
        self.diagnostics.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The declaration `text` of source `inv` fixed by its unknown key's
    /// fix (which then is gone), or `None` without a fix.
    fn fixed(text: &str) -> Option<String> {
        let declare = |text: &str| {
            let mut files = Files::new();
            let (table, syntax) =
                crate::convert::parse_data(&mut files, "sources/inv.toml", text.to_string());
            assert!(syntax.is_empty(), "{syntax:?}");
            let file = FileId::from_index(0);
            let mut diagnostics = Vec::new();
            declaration("inv", file, text, &table, &mut diagnostics);
            (file, diagnostics)
        };
        let (file, diagnostics) = declare(text);
        let d = diagnostics
            .iter()
            .find(|d| d.message.starts_with("unknown key"))
            .expect("an unknown key");
        let out = d.fix.as_ref()?.apply_to(file, text)?;
        let (_, again) = declare(&out);
        assert!(again.is_empty(), "{out}: {again:?}");
        Some(out)
    }

    #[test]
    fn a_misspelt_declaration_key_is_renamed() {
        assert_eq!(
            fixed("fiel = \"inv.json\"\n").as_deref(),
            Some("file = \"inv.json\"\n")
        );
        assert_eq!(
            fixed("command = [\"./inv\"]\n\"timout\" = \"10s\"\n").as_deref(),
            Some("command = [\"./inv\"]\n\"timeout\" = \"10s\"\n")
        );
        // `file` is there already; nothing close.
        assert_eq!(fixed("file = \"a.json\"\nfiel = \"b.json\"\n"), None);
        assert_eq!(fixed("file = \"a.json\"\nzzzz = 1\n"), None);
    }
}
