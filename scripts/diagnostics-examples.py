#!/usr/bin/env python3
"""Rewrites the example of each code in docs/diagnostics.md from its golden
case (crates/strata-cli/tests/check/<code>/inventory), running
`strata -i inventory check` beside it, as the golden test does, so the docs
never drift from what strata prints. Cases set up at run time (a huge or non-UTF-8 file, links)
keep their hand-written example.

    cargo build -p strata-cli && scripts/diagnostics-examples.py
    scripts/diagnostics-examples.py --check   # exit 1 if the docs drifted
"""

import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STRATA = os.environ.get("STRATA_BIN") or os.path.join(ROOT, "target/debug/strata")
CASES = os.path.join(ROOT, "crates/strata-cli/tests/check")
RUNTIME = {"file_too_large", "not_utf8", "symlink_outside_root", "unreadable_file", "source_cache"}
# Arguments a case needs beyond `check` (as in crates/strata-cli/tests/check.rs).
EXTRA = {"source_failed": ["--allow-exec"], "ansible_name": ["--ansible"], "reserved_host_name": ["--ansible"]}
LANG = {".toml": "toml", ".json": "json", ".sh": "sh", ".py": "python"}


def example(code):
    inv = os.path.join(CASES, code, "inventory")
    parts = []
    for dirpath, dirs, files in os.walk(inv):
        dirs.sort()
        for f in sorted(files):
            p = os.path.join(dirpath, f)
            text = open(p, encoding="utf-8").read().rstrip()
            lang = LANG.get(os.path.splitext(f)[1], "text")
            parts.append(f"`inventory/{os.path.relpath(p, inv)}`:\n\n```{lang}\n{text}\n```\n")
    env = dict(os.environ, NO_COLOR="1")
    env.pop("STRATA_INVENTORY", None)
    env.pop("STRATA_ALLOW_EXEC", None)
    extra = EXTRA.get(code, [])
    with tempfile.TemporaryDirectory() as cache:
        env["XDG_CACHE_HOME"] = cache
        out = subprocess.run(
            [STRATA, "-i", "inventory", "check", *extra, "--color", "never"],
            cwd=os.path.dirname(inv),
            capture_output=True,
            text=True,
            env=env,
        ).stderr.rstrip()
    shown = " ".join(["strata -i inventory check", *extra])
    parts.append(f"`{shown}`:\n\n```\n{out}\n```\n")
    return "\n".join(parts)


def main():
    path = os.path.join(ROOT, "docs/diagnostics.md")
    doc = open(path, encoding="utf-8").read()
    sections = re.split(r"(?m)^(?=### strata::)", doc)
    out = []
    for s in sections:
        m = re.match(r"### strata::(\w+)\n", s)
        if m and m.group(1) not in RUNTIME and os.path.isdir(os.path.join(CASES, m.group(1))):
            head = s[: s.index("**Fix:**")]
            fix = s[s.index("**Fix:**") :].split("\n\n", 1)[0]
            s = f"{head}{fix}\n\n{example(m.group(1))}\n"
        out.append(s)
    new = "".join(out).rstrip() + "\n"
    if "--check" in sys.argv:
        sys.exit(0 if new == doc else 1)
    open(path, "w", encoding="utf-8").write(new)


main()
