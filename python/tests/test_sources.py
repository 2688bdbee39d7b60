"""load(allow_exec=, refresh=): command sources through the Python package
(docs/sources.md). The source's script counts its runs; each test caches in
its own $XDG_CACHE_HOME."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from conftest import FIXTURES

import strata_inventory
from strata_inventory import load

COUNTING = """#!/bin/sh
cd "$(dirname "$0")/.."
echo run >> runs
value=$(cat value 2>/dev/null || echo v1)
echo "{\\"web\\": {\\"hosts\\": [\\"w2\\"], \\"vars\\": {\\"value\\": \\"$value\\"}}, \\
\\"_meta\\": {\\"hostvars\\": {\\"w2\\": {\\"rack\\": \\"r7\\"}}}}"
"""


@pytest.fixture
def inventory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("STRATA_ALLOW_EXEC", raising=False)
    inv = tmp_path / "inv"
    (inv / "sources").mkdir(parents=True)
    (inv / "scripts").mkdir()
    (inv / "hosts.toml").write_text('web = ["w1"]\n')
    (inv / "sources" / "cmdb.toml").write_text('command = ["./scripts/cmdb.sh", "--list"]\ncache = "5m"\n')
    script = inv / "scripts" / "cmdb.sh"
    script.write_text(COUNTING)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return inv


def runs(inv: Path) -> int:
    path = inv / "runs"
    return len(path.read_text().splitlines()) if path.exists() else 0


def test_nothing_runs_without_allow_exec(inventory: Path) -> None:
    with pytest.raises(strata_inventory.InventoryError) as err:
        load(inventory)
    codes = [d.code for d in err.value.diagnostics]
    assert "strata::source_not_run" in codes
    assert runs(inventory) == 0


def test_allow_exec_runs_and_refresh_runs_again(inventory: Path) -> None:
    inv = load(inventory, allow_exec=True)
    assert [h.name for h in inv] == ["w1", "w2"]
    w2 = inv.get_host("w2")
    assert w2.data == {"rack": "r7", "value": "v1"}
    origin = w2.origin("rack")
    assert origin.source == "cmdb"
    assert origin.layer == "source host" and origin.rank == 4
    assert runs(inventory) == 1

    (inventory / "value").write_text("v2\n")
    # Fresh cache: the answer is reused, and no consent is needed to read it.
    assert load(inventory).get_host("w2").data["value"] == "v1"
    assert runs(inventory) == 1
    assert load(inventory, allow_exec=True, refresh=True).get_host("w2").data["value"] == "v2"
    assert runs(inventory) == 2


def test_the_example_file_source() -> None:
    inv = load(FIXTURES.parent.parent / "examples" / "cmdb-file")
    assert [h.name for h in inv] == ["web1.example.com", "web2.example.com", "db1.example.com"]
    web2 = inv.get_host("web2.example.com")
    # host_data/ corrects the CMDB; group_data/ beats the source's group vars.
    assert web2.data == {
        "ansible_host": "10.0.1.20",
        "custom_var": "value2",
        "http_port": 8080,
        "ssh_user": "deploy",
    }
    origin = web2.origin("custom_var")
    assert (origin.inventory_file, origin.line, origin.column, origin.source) == ("exports/cmdb.json", 22, 17, "cmdb")
