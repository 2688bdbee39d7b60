"""Shared helpers for the strata_inventory tests.

The tests run against the installed package (scripts/test.sh builds the
wheel with maturin and installs it into .venv-python) and compare it with the
`strata` command it ships. A missing tool (pyinfra, nornir, the strata binary,
gen.py) skips a test on a developer's machine and FAILS it when $CI is set.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import tomllib

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = {
    "basic": REPO / "examples" / "basic",
    "connectors": REPO / "examples" / "connectors",
    "production": REPO / "examples" / "multi-env" / "production",
    "staging": REPO / "examples" / "multi-env" / "staging",
    "nested": REPO / "examples" / "nested",
}
FIXTURES = REPO / "tests" / "fixtures"
PYINFRA_CASES = REPO / "tests" / "pyinfra"
GEN_PY = REPO / "bench" / "gen.py"
IN_CI = bool(os.environ.get("CI"))
# Lines a test wants read even when pytest captures its output (measured figures): written at the
# end of the terminal report.
SUMMARY = pytest.StashKey[list[str]]()


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    for line in config.stash.get(SUMMARY, []):
        terminalreporter.write_line(line)


def missing(what: str) -> None:
    """Skip on a developer's machine, fail in CI: a CI run must test everything."""
    if IN_CI:
        pytest.fail(f"{what} is required when CI is set", pytrace=False)
    pytest.skip(f"{what} is not available")


def need_module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        missing(f"the Python package {name}")


def strata_bin() -> str:
    import strata_inventory

    try:
        return strata_inventory.find_strata_bin()
    except strata_inventory.BinaryNotFoundError:
        missing("the strata binary")
        raise


def strata(*args: str, check: bool = True, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the strata binary the package uses (the oracle of these tests)."""
    done = subprocess.run(
        [strata_bin(), "--color", "never", *args], capture_output=True, text=True, cwd=cwd, check=False
    )
    if check and done.returncode != 0:
        raise AssertionError(f"strata {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return done


def strata_json(*args: str) -> Any:
    return json.loads(strata(*args).stdout)


def strata_toml(*args: str) -> Any:
    return tomllib.loads(strata(*args).stdout)


def venv_tool(name: str) -> str:
    """A console script of the running interpreter's environment (pyinfra)."""
    path = Path(sys.executable).parent / name
    if not path.exists():
        missing(f"the {name} command")
    return str(path)


@pytest.fixture(scope="session")
def gen_inventories(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """gen.py's inventories (strata/, pyinfra/ dialects) at 300 and 10,000 hosts."""
    if not GEN_PY.exists():
        pytest.fail(f"{GEN_PY} is missing: the generator is part of the repository", pytrace=False)
    out = {}
    for n in (300, 10_000):
        target = tmp_path_factory.mktemp(f"gen{n}")
        subprocess.run([sys.executable, str(GEN_PY), str(n), str(target)], check=True, capture_output=True)
        out[n] = target
    return out


def dedupe(items: list[str]) -> list[str]:
    seen: set[str] = set()
    return [x for x in items if not (x in seen or seen.add(x))]


@pytest.fixture
def basic_copy(tmp_path: Path) -> Path:
    """A private copy of examples/basic, for tests that edit it (its resolved path)."""
    root = tmp_path / "basic"
    shutil.copytree(EXAMPLES["basic"], root)
    return root.resolve()


@pytest.fixture
def pygls_client() -> None:
    """pygls, the LSP client of test_lsp*.py: a skip without it, a failure in CI."""
    need_module("pygls.lsp.client")
