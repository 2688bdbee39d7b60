//! When the reader of stdout or stderr goes away (`strata check 2>&1 |
//! head -2`), strata stops writing and exits quietly: no panic, no message.

use std::process::Command;

fn big_inventory() -> tempfile::TempDir {
    // 3,000 hosts each listed twice: 3,000 warnings, a long report.
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<String> = (0..3000).map(|i| format!("\"h{i}\"")).collect();
    let text = format!(
        "web = [{}]\ndb = [{}, {}]\n",
        names.join(", "),
        names.join(", "),
        names.join(", ")
    );
    std::fs::write(dir.path().join("hosts.toml"), text).unwrap();
    dir
}

/// Runs `strata ARGS` in a shell pipeline `... | head -2` and returns
/// (strata's exit status, what head printed).
fn piped(redirect: &str, args: &str) -> (i32, String) {
    let inv = big_inventory();
    let script = format!(
        "'{}' -i '{}' {args} {redirect} | head -2; exit ${{PIPESTATUS[0]}}",
        env!("CARGO_BIN_EXE_strata"),
        inv.path().display()
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn a_closed_pipe_ends_every_stream_quietly() {
    // (redirect, arguments, the exit codes strata may give)
    let cases: &[(&str, &str, &[i32])] = &[
        // the report on stderr, merged into the pipe
        ("2>&1", "check", &[0]),
        ("2>&1", "check --strict", &[1]),
        // warnings one a line on stderr, then data on stdout
        ("2>&1", "hosts", &[0]),
        ("2>&1", "list", &[0]),
        ("2>&1", "ansible --list", &[0]),
        // stdout alone
        ("2>/dev/null", "hosts", &[0]),
        ("2>/dev/null", "check --format json", &[0]),
    ];
    for (redirect, args, codes) in cases {
        let (code, text) = piped(redirect, args);
        assert!(!text.contains("panicked"), "{args} {redirect}: {text}");
        assert!(
            codes.contains(&code),
            "{args} {redirect}: exit {code}\n{text}"
        );
        assert!(text.lines().count() <= 2, "{args} {redirect}: {text}");
    }
}
