#!/usr/bin/env python3
"""Re-run the real ansible-inventory on every inventory of the import corpus and
compare what it prints with the saved oracles (expected/list.json and
expected/export.json), so that a change of Ansible version, or of a case, shows.

A case is a folder holding `inventories.txt` (the `-i` arguments, one path a
line, relative to the folder, in order) and `expected/`. The cases are every
folder of tests/import/public/ that has an `inventories.txt`, and
tests/import/traps/.

    check_oracle.py [--update] [--ansible-inventory PATH] [CASE_DIR ...]

ansible-inventory is PATH, else $STRATA_ANSIBLE_BIN_DIR/ansible-inventory, else
<repo>/.venv/bin/ansible-inventory. It runs with no user or system
configuration (an empty ANSIBLE_CONFIG, a HOME of its own, no ANSIBLE_*
variable from the caller), and every inventory must parse
(ANSIBLE_INVENTORY_UNPARSED_FAILED). The comparison is of the text, byte for
byte: the tool prints JSON with sorted keys and a fixed indent, so any
difference is a difference of meaning or of Ansible's output format, and both
are worth knowing. The JSON paths that differ are listed (at most 20 a file).

--update rewrites expected/ (list.json, export.json and ansible-version.txt)
from this run instead of comparing. Exit status: 0 when every output is
identical (or was written), 1 when one differs or the tool fails, 2 for a bad
command line.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
TRAPS = HERE.parent / "traps"
MODES = {"list.json": ["--list"], "export.json": ["--list", "--export"]}
VERSION_FILE = "ansible-version.txt"
TIMEOUT_SECONDS = 300
MAX_PATHS = 20


def default_cases() -> list[Path]:
    cases = sorted(p.parent for p in HERE.glob("*/inventories.txt"))
    if (TRAPS / "inventories.txt").is_file():
        cases.append(TRAPS)
    return cases


def find_ansible_inventory(given: str | None = None) -> Path:
    if given:
        return Path(given)
    folder = os.environ.get("STRATA_ANSIBLE_BIN_DIR")
    return Path(folder or REPO / ".venv" / "bin") / "ansible-inventory"


def inventories(case: Path) -> list[Path]:
    lines = (case / "inventories.txt").read_text(encoding="utf-8").splitlines()
    paths = [case / line.strip() for line in lines if line.strip() and not line.startswith("#")]
    if not paths:
        raise ValueError(f"{case / 'inventories.txt'} names no inventory")
    for path in paths:
        if not path.exists():
            raise ValueError(f"{case / 'inventories.txt'} names {path}, which does not exist")
    return paths


def clean_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    config = home / "ansible.cfg"
    config.write_text("", encoding="utf-8")
    env.update(
        HOME=str(home),
        ANSIBLE_CONFIG=str(config),
        ANSIBLE_LOCAL_TEMP=str(home / "tmp"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_INVENTORY_UNPARSED_FAILED="1",
    )
    return env


class ToolFailed(Exception):
    pass


def run(tool: Path, args: list[str], home: Path) -> tuple[str, str]:
    """stdout and stderr of one ansible-inventory run; ToolFailed if it fails."""
    try:
        done = subprocess.run(
            [str(tool), *args],
            cwd=home,
            env=clean_env(home),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        raise ToolFailed(f"{tool} {' '.join(args)}: {err}") from err
    if done.returncode != 0:
        raise ToolFailed(f"{tool} {' '.join(args)} exited {done.returncode}:\n{done.stderr.strip()}")
    return done.stdout, done.stderr


def tool_version(tool: Path, home: Path) -> str:
    return run(tool, ["--version"], home)[0].splitlines()[0].strip() + "\n"


def json_paths(old: Any, new: Any, path: str = "$") -> list[str]:
    """The paths where two JSON values differ (a key's presence, a value, a type, an order)."""
    if type(old) is not type(new):
        return [f"{path}: {json.dumps(old)[:80]} -> {json.dumps(new)[:80]}"]
    if isinstance(old, dict):
        out: list[str] = []
        for key in sorted(set(old) | set(new)):
            if key not in new:
                out.append(f"{path}.{key}: removed")
            elif key not in old:
                out.append(f"{path}.{key}: added")
            else:
                out += json_paths(old[key], new[key], f"{path}.{key}")
        if not out and list(old) != list(new):
            out.append(f"{path}: same keys in another order")
        return out
    if isinstance(old, list):
        if len(old) != len(new) or sorted(map(json.dumps, old)) != sorted(map(json.dumps, new)):
            if len(old) == len(new):
                return [p for i, (a, b) in enumerate(zip(old, new)) for p in json_paths(a, b, f"{path}[{i}]")]
            return [f"{path}: {len(old)} items -> {len(new)} items"]
        return [] if old == new else [f"{path}: same items in another order"]
    return [] if old == new else [f"{path}: {json.dumps(old)[:80]} -> {json.dumps(new)[:80]}"]


def describe(name: str, expected: str, got: str) -> str:
    try:
        paths = json_paths(json.loads(expected), json.loads(got))
    except json.JSONDecodeError:
        paths = []
    if not paths:  # same meaning: show the text
        paths = list(difflib.unified_diff(expected.splitlines(), got.splitlines(), "expected", "now", n=1, lineterm=""))
    shown = "\n    ".join(paths[:MAX_PATHS])
    more = f"\n    ... and {len(paths) - MAX_PATHS} more" if len(paths) > MAX_PATHS else ""
    return f"{name} differs:\n    {shown}{more}"


def check_case(case: Path, tool: Path, update: bool = False) -> list[str]:
    """The problems of one case (empty when every output is identical)."""
    problems: list[str] = []
    try:
        sources = inventories(case)
    except (OSError, ValueError) as err:
        return [str(err)]
    expected_dir = case / "expected"
    with tempfile.TemporaryDirectory(prefix="corpus-home-") as tmp:
        home = Path(tmp)
        try:
            version = tool_version(tool, home)
        except ToolFailed as err:
            return [str(err)]
        args = [arg for path in sources for arg in ("-i", str(path))]
        outputs: dict[str, str] = {}
        for name, mode in MODES.items():
            try:
                outputs[name] = run(tool, [*args, *mode], home)[0]
            except ToolFailed as err:
                problems.append(str(err))
    if problems:
        return problems
    if update:
        expected_dir.mkdir(exist_ok=True)
        for name, text in outputs.items():
            (expected_dir / name).write_text(text, encoding="utf-8")
        (expected_dir / VERSION_FILE).write_text(version, encoding="utf-8")
        return []
    for name, text in outputs.items():
        try:
            saved = (expected_dir / name).read_text(encoding="utf-8")
        except OSError as err:
            problems.append(f"{name}: {err}")
            continue
        if saved != text:
            problems.append(describe(name, saved, text))
    if problems:
        try:
            saved_version = (expected_dir / VERSION_FILE).read_text(encoding="utf-8")
        except OSError:
            saved_version = "an unknown version\n"
        if saved_version != version:
            problems.append(f"the expectations were made by {saved_version.strip()!r}, this run is {version.strip()!r}")
    return problems


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--update", action="store_true", help="rewrite expected/ instead of comparing")
    parser.add_argument("--ansible-inventory", metavar="PATH", help="the ansible-inventory to run")
    parser.add_argument("cases", nargs="*", type=Path, metavar="CASE_DIR")
    options = parser.parse_args(argv)
    tool = find_ansible_inventory(options.ansible_inventory)
    if not tool.is_file():
        print(f"check_oracle: no ansible-inventory at {tool} (set STRATA_ANSIBLE_BIN_DIR)", file=sys.stderr)
        return 2
    cases = [case.resolve() for case in options.cases] or default_cases()
    failed = 0
    for case in cases:
        problems = check_case(case, tool, update=options.update)
        name = case.relative_to(REPO) if case.is_relative_to(REPO) else case
        if problems:
            failed += 1
            print(f"FAIL {name}")
            for problem in problems:
                print("  " + problem.replace("\n", "\n  "))
        else:
            print(f"{'wrote' if options.update else 'ok'} {name}")
    print(f"{len(cases)} cases, {len(cases) - failed} identical, {failed} different")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
