"""Every error path raises the documented exception, never a JSON traceback."""

from __future__ import annotations

import json
import os
import stat
import sysconfig
from pathlib import Path

import pytest
from conftest import EXAMPLES, FIXTURES, strata, strata_bin

import strata_inventory
from strata_inventory import (
    BinaryNotFoundError,
    Diagnostic,
    InventoryError,
    NoGroupError,
    NoHostError,
    StrataError,
    UsageError,
    load,
)


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_broken_inventory_carries_every_diagnostic_of_strata_check() -> None:
    root = FIXTURES / "errors"
    with pytest.raises(InventoryError) as caught:
        load(root)
    e = caught.value
    want = json.loads(strata("-i", str(root), "check", "--format", "json", check=False).stdout)
    assert e.diagnostics == [Diagnostic.from_json(d) for d in want]
    assert len(e.errors) == 4
    first = e.diagnostics[0]
    assert (first.severity, first.code, first.inventory_file, first.line, first.column) == (
        "error",
        "strata::malformed_range",
        "hosts.toml",
        1,
        28,
    )
    assert first.help and "web[1:3]" in first.help
    # The message names every error with its file, line and column.
    for d in e.errors:
        assert f"{d.file}:{d.line}:{d.column}" in str(e)
    assert "host_data/db1.toml:1:8" in str(e)
    assert e.path == str(root)


def test_diagnostics_carry_their_other_places(tmp_path: Path) -> None:
    """A problem labelled at two places keeps both: the second as
    ``related``, with its line, column and label."""
    root = write(tmp_path / "inv", {"hosts.toml": 'web = ["w1", "w2"]\n\n[all]\nhosts = ["w1"]\n'})
    with pytest.raises(InventoryError) as caught:
        load(root)
    (d,) = caught.value.errors
    assert (d.code, d.line, d.column) == ("strata::host_not_in_all", 1, 14)
    assert d.related == (
        strata_inventory.Related(
            file=str(root / "hosts.toml"),
            line=3,
            column=2,
            inventory_file="hosts.toml",
            label="`all` lists every host",
        ),
    )


def test_syntax_error_in_group_file(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {"hosts.toml": 'web = ["w1"]\n', "group_data/web.toml": 'port = 80\nname = "x\n'},
    )
    with pytest.raises(InventoryError) as caught:
        load(root)
    (d,) = caught.value.errors
    assert (d.code, d.inventory_file, d.line) == ("strata::toml_syntax", "group_data/web.toml", 2)
    assert Path(d.file).resolve() == (root / "group_data/web.toml").resolve()
    assert isinstance(d.column, int)


def test_broken_host_file_of_a_selected_host(tmp_path: Path) -> None:
    """A host file is read only when needed; when it is, its error is raised."""
    root = write(
        tmp_path,
        {"hosts.toml": 'web = ["w1", "w2"]\n', "host_data/w2.toml": "port = = 1\n"},
    )
    assert len(load(root, limit="w1")) == 1  # w2's file is not read
    with pytest.raises(InventoryError) as caught:
        load(root, limit="w2")
    assert [(d.inventory_file, d.line) for d in caught.value.errors] == [("host_data/w2.toml", 1)]


def test_override_data_error_is_not_a_crash(tmp_path: Path) -> None:
    """A key whose type differs between layers is a warning: loading goes on."""
    root = write(tmp_path, {"hosts.toml": 'web = { hosts = ["w1"], data = { port = 80 } }\n'})
    inv = load(root, data={"port": "eighty"})
    assert inv.get_host("w1").data["port"] == "eighty"


def test_warnings_are_kept(tmp_path: Path) -> None:
    root = FIXTURES / "warnings"
    inv = load(root)
    assert inv.warnings, "the warnings fixture produces warnings"
    assert all(w.startswith("warning[strata::") for w in inv.warnings)


def test_unknown_host_and_group() -> None:
    inv = load(EXAMPLES["basic"])
    with pytest.raises(NoHostError, match="did you mean 'web1.example.com'") as caught:
        inv.get_host("web1.example.co")
    assert isinstance(caught.value, KeyError) and isinstance(caught.value, StrataError)
    assert inv.get_host("nope", None) is None
    with pytest.raises(NoGroupError, match="did you mean 'webservers'"):
        inv.get_group("webserver")
    assert inv.get_group("nope", []) == []
    with pytest.raises(KeyError, match="did you mean 'app_port'"):
        inv.get_host("web1.example.com").origin("app_prt")


def test_limit_matching_nothing() -> None:
    with pytest.raises(UsageError, match="`nosuch` matches no group or host"):
        load(EXAMPLES["basic"], limit="nosuch")
    with pytest.raises(UsageError, match="`nosuch` matches no group or host"):
        load(EXAMPLES["basic"], limit=["web*", "nosuch"])


def test_bad_limit_syntax() -> None:
    with pytest.raises(UsageError):
        load(EXAMPLES["basic"], limit="~(")


def test_no_inventory_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STRATA_INVENTORY", raising=False)
    with pytest.raises(UsageError, match="no inventory found"):
        load(cwd=tmp_path)
    with pytest.raises(UsageError, match="does not exist"):
        load(tmp_path / "missing")


def test_directory_without_hosts_file(tmp_path: Path) -> None:
    with pytest.raises(InventoryError) as caught:
        load(tmp_path)
    assert caught.value.errors[0].code == "strata::missing_hosts_file"


def test_missing_binary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No strata anywhere: a clear BinaryNotFoundError listing where it looked."""
    monkeypatch.delenv("STRATA_BIN", raising=False)
    monkeypatch.setattr(sysconfig, "get_path", lambda name, scheme=None: str(tmp_path / "scripts"))
    monkeypatch.setattr(strata_inventory._binary, "__file__", str(tmp_path / "pkg" / "strata_inventory" / "x.py"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(BinaryNotFoundError) as caught:
        load(EXAMPLES["basic"])
    assert isinstance(caught.value, FileNotFoundError)
    message = str(caught.value)
    assert str(tmp_path / "scripts" / "strata") in message and "on $PATH" in message


def test_missing_binary_named_by_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRATA_BIN", str(tmp_path / "no-strata"))
    with pytest.raises(BinaryNotFoundError, match="STRATA_BIN"):
        load(EXAMPLES["basic"])


def fake_strata(tmp_path: Path, script: str) -> str:
    path = tmp_path / "strata"
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


def test_output_that_is_not_json_is_a_strata_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRATA_BIN", fake_strata(tmp_path, "echo 'not json'\n"))
    with pytest.raises(StrataError, match="not JSON"):
        load(EXAMPLES["basic"])


def test_crash_is_a_strata_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRATA_BIN", fake_strata(tmp_path, "echo boom >&2; exit 101\n"))
    with pytest.raises(StrataError, match="code 101: boom"):
        load(EXAMPLES["basic"])


def test_binary_found_in_scripts_dir_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The interpreter's scripts directory wins over $PATH."""
    real = strata_bin()
    monkeypatch.delenv("STRATA_BIN", raising=False)
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    os.symlink(real, scripts / "strata")
    monkeypatch.setattr(sysconfig, "get_path", lambda name, scheme=None: str(scripts))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert strata_inventory.find_strata_bin() == str(scripts / "strata")
    assert len(load(EXAMPLES["basic"])) == 3
