"""What load() passes to strata and how it fails (issue 19): no key, value,
limit or path can become a flag; STRATA_ALLOW_EXEC is read by one rule and an
explicit allow_exec wins over it; a relative STRATA_BIN is resolved once;
--data never turns a value into a string; every failure is a StrataError;
timeout and output are bounded."""

from __future__ import annotations

import json
import os
import stat
import sys
import time as clock
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES, strata_bin

import strata_inventory
from strata_inventory import ArgumentError, LoadTimeoutError, OutputTooLargeError, StrataError, UsageError, load

BASIC = EXAMPLES["basic"]


def fake_strata(tmp_path: Path, body: str) -> Path:
    """A stand-in strata: a Python script (body) run with this interpreter."""
    script = tmp_path / "fake-strata"
    script.write_text(f"#!{sys.executable}\nimport json, os, sys, time\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def json_lines(document: Any) -> str:
    """``document`` (the shape of ``strata list --format json``) as ``strata
    list --format json-lines`` prints it: one line a host, then the rest."""
    if not isinstance(document, dict) or not isinstance(document.get("hosts"), list):
        return json.dumps(document) + "\n"
    names = [h.get("name") if isinstance(h, dict) else None for h in document["hosts"]]
    rest = {"names": names, **{k: v for k, v in document.items() if k != "hosts"}}
    return "".join(json.dumps(h, separators=(",", ":")) + "\n" for h in document["hosts"]) + json.dumps(rest) + "\n"


def recording_strata(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A strata that records its argv, cwd and environment, then prints an empty inventory."""
    record = tmp_path / "record.json"
    script = fake_strata(
        tmp_path,
        "seen = {'argv': sys.argv[1:], 'cwd': os.getcwd(), 'env': dict(os.environ)}\n"
        f"json.dump(seen, open({str(record)!r}, 'w'))\n"
        "print(json.dumps({'names': [], 'groups': [], 'data': {}}))",
    )
    monkeypatch.setenv("STRATA_BIN", str(script))
    return record


# -- item 27: arguments never become flags ------------------------------------


@pytest.mark.parametrize("key", ["--allow-exec", "-x", "--", "-", "--refresh"])
def test_data_keys_beginning_with_dash_are_keys(key: str) -> None:
    host = load(BASIC, data={key: 1}).get_host("web1.example.com")
    assert host.data[key] == 1


@pytest.mark.parametrize("value", ["--allow-exec", "-1x", "--", "-"])
def test_data_values_beginning_with_dash_are_values(value: str) -> None:
    assert load(BASIC, data={"k": value}).get_host("web1.example.com").data["k"] == value


def test_negative_numbers_stay_numbers() -> None:
    data = load(BASIC, data={"n": -5, "f": -0.5}).get_host("web1.example.com").data
    assert (data["n"], data["f"]) == (-5, -0.5)


def test_a_limit_beginning_with_dash_is_a_limit(tmp_path: Path) -> None:
    inv = tmp_path / "inv"
    inv.mkdir()
    (inv / "hosts.toml").write_text('"-web" = ["-w1", "w2"]\n')
    assert [h.name for h in load(inv, limit="-web")] == ["-w1", "w2"]
    assert [h.name for h in load(inv, limit="-w1")] == ["-w1"]
    # A limit that is a flag's name is a term, not the flag.
    with pytest.raises(UsageError, match="--allow-exec"):
        load(inv, limit="--allow-exec")


def test_a_path_beginning_with_dash_is_a_path(tmp_path: Path) -> None:
    inv = tmp_path / "-inv"
    inv.mkdir()
    (inv / "hosts.toml").write_text('web = ["w1"]\n')
    assert [h.name for h in load("-inv", cwd=tmp_path)] == ["w1"]


def test_every_value_is_inside_its_option(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    record = recording_strata(tmp_path, monkeypatch)
    load("-i", data={"--allow-exec": "-x"}, limit=["-l", "--refresh"])
    argv = json.loads(record.read_text())["argv"]
    assert "--allow-exec" not in argv and "--refresh" not in argv
    assert argv[:4] == ["--color=never", "--inventory=-i", '--data=--allow-exec="-x"', "--limit=-l"]
    assert argv[4] == "--limit=--refresh"


# -- items 15 and 30: STRATA_ALLOW_EXEC --------------------------------------


COUNTING = """#!/bin/sh
cd "$(dirname "$0")/.."
echo run >> runs
echo '{"web": {"hosts": ["w2"]}}'
"""


@pytest.fixture
def command_inventory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    inv = tmp_path / "inv"
    (inv / "sources").mkdir(parents=True)
    (inv / "scripts").mkdir()
    (inv / "hosts.toml").write_text('web = ["w1"]\n')
    (inv / "sources" / "cmdb.toml").write_text('command = ["./scripts/cmdb.sh"]\n')
    script = inv / "scripts" / "cmdb.sh"
    script.write_text(COUNTING)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return inv


def runs(inv: Path) -> int:
    path = inv / "runs"
    return len(path.read_text().splitlines()) if path.exists() else 0


@pytest.mark.parametrize("word", ["1", "true", "TRUE", "Yes", "on", "ON"])
def test_allow_exec_false_wins_over_the_environment(
    word: str, command_inventory: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STRATA_ALLOW_EXEC", word)
    with pytest.raises(strata_inventory.InventoryError) as err:
        load(command_inventory, allow_exec=False)
    assert "strata::source_not_run" in [d.code for d in err.value.diagnostics]
    assert runs(command_inventory) == 0
    # Without allow_exec=..., the variable says yes.
    assert [h.name for h in load(command_inventory)] == ["w1", "w2"]
    assert runs(command_inventory) >= 1


@pytest.mark.parametrize("word", ["0", "false", "False", "NO", "off", ""])
def test_environment_words_for_no(word: str, command_inventory: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRATA_ALLOW_EXEC", word)
    with pytest.raises(strata_inventory.InventoryError):
        load(command_inventory)
    assert runs(command_inventory) == 0
    assert [h.name for h in load(command_inventory, allow_exec=True)] == ["w1", "w2"]


@pytest.mark.parametrize("word", ["2", "y", "enable", "truee"])
def test_other_environment_words_are_a_usage_error(
    word: str, command_inventory: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STRATA_ALLOW_EXEC", word)
    with pytest.raises(UsageError, match="STRATA_ALLOW_EXEC") as err:
        load(command_inventory)
    assert "allow_exec=True" in str(err.value)
    assert runs(command_inventory) == 0
    # An explicit answer needs no variable.
    assert len(load(command_inventory, allow_exec=True)) == 2


def test_strata_sees_no_allow_exec_variable_and_the_front_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    record = recording_strata(tmp_path, monkeypatch)
    monkeypatch.setenv("STRATA_ALLOW_EXEC", "1")
    load(allow_exec=False)
    seen = json.loads(record.read_text())
    assert "STRATA_ALLOW_EXEC" not in seen["env"] and "--allow-exec" not in seen["argv"]
    assert seen["env"]["STRATA_FRONT_END"] == "python"
    load()
    assert "--allow-exec" in json.loads(record.read_text())["argv"]


# -- item 16: hints in load()'s terms ------------------------------------------


def test_no_inventory_found_speaks_of_load_arguments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STRATA_INVENTORY", raising=False)
    with pytest.raises(UsageError) as err:
        load(cwd=tmp_path)
    message = str(err.value)
    assert "-i (not given)" not in message and "point -i" not in message, message
    assert "path=" in message, message


# -- item 31: a relative STRATA_BIN ---------------------------------------------


def test_relative_strata_bin_is_the_file_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    here, there = tmp_path / "here", tmp_path / "there"
    (here / "bin").mkdir(parents=True)
    (there / "bin").mkdir(parents=True)
    real = Path(strata_bin())
    (here / "bin" / "strata").symlink_to(real)
    # In the folder strata runs from, a different "strata" that must not run.
    impostor = there / "bin" / "strata"
    impostor.write_text(f"#!/bin/sh\ntouch {tmp_path / 'impostor-ran'}\nexit 3\n")
    impostor.chmod(0o755)
    (there / "hosts.toml").write_text('web = ["w1"]\n')
    monkeypatch.chdir(here)
    monkeypatch.setenv("STRATA_BIN", "bin/strata")
    assert strata_inventory.find_strata_bin() == str(here / "bin" / "strata")
    assert [h.name for h in load(cwd=there)] == ["w1"]
    assert not (tmp_path / "impostor-ran").exists()


# -- item 32: no silent string --------------------------------------------------


class Float64(float):
    def __repr__(self) -> str:
        return f"np.float64({float(self)!r})"


class Int(int):
    def __repr__(self) -> str:
        return "Color.RED"

    __str__ = __repr__


def nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


def test_subclasses_keep_their_base_type() -> None:
    data = load(BASIC, data={"f": Float64(1.5), "i": Int(3)}).get_host("web1.example.com").data
    assert data["f"] == 1.5 and type(data["f"]) is float
    assert data["i"] == 3 and type(data["i"]) is int


@pytest.mark.parametrize(
    "value",
    [
        datetime(2024, 1, 1, tzinfo=timezone(timedelta(hours=5, minutes=30, seconds=15))),
        datetime(2024, 1, 1, tzinfo=timezone(timedelta(minutes=1, microseconds=1))),
        nested(65),
        nested(81),
        {"a": nested(70)},
    ],
)
def test_values_strata_would_read_as_strings_are_refused(value: Any) -> None:
    with pytest.raises(ArgumentError) as err:
        load(BASIC, data={"k": value})
    assert isinstance(err.value, ValueError) and isinstance(err.value, TypeError)
    assert "load(data=...)['k']" in str(err.value)


def test_deepest_nesting_that_strata_reads_is_kept() -> None:
    data = load(BASIC, data={"k": nested(64)}).get_host("web1.example.com").data
    assert data["k"] == nested(64)


def test_a_datetime_with_a_minute_offset_is_kept() -> None:
    when = datetime(2024, 1, 1, 12, tzinfo=timezone(timedelta(hours=-3, minutes=-30)))
    assert load(BASIC, data={"k": when}).get_host("web1.example.com").data["k"] == when


# -- item 33: every failure is a StrataError ------------------------------------


def recursive_list() -> list[Any]:
    loop: list[Any] = []
    loop.append(loop)
    return loop


def recursive_dict() -> dict[str, Any]:
    loop: dict[str, Any] = {}
    loop["a"] = loop
    return loop


@pytest.mark.parametrize(
    "kwargs",
    [
        {"data": {"k": recursive_list()}},
        {"data": {"k": recursive_dict()}},
        {"data": {"a\0b": 1}},
        {"data": {"a\ud800": 1}},
        {"data": {"k": "a\ud800"}},
        {"data": {"k": {"a\ud800": 1}}},
        {"data": {"k": None}},
        {"data": {1: 1}},
        {"data": [("k", 1)]},
        {"limit": "web\0"},
        {"limit": "web\ud800"},
        {"limit": ["web", 3]},
        {"limit": 3},
        {"path": "inv\0"},
        {"path": "inv\ud800"},
        {"path": 3},
        {"cwd": "dir\0"},
    ],
)
def test_bad_arguments_are_argument_errors(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ArgumentError) as err:
        load(**{"path": BASIC, **kwargs})
    assert isinstance(err.value, StrataError)


def test_a_working_directory_that_does_not_exist_is_a_strata_error(tmp_path: Path) -> None:
    with pytest.raises(StrataError, match="nosuch"):
        load(BASIC.resolve(), cwd=tmp_path / "nosuch")


def test_a_nul_in_a_string_value_is_escaped_not_refused() -> None:
    assert load(BASIC, data={"k": "a\0b"}).get_host("web1.example.com").data["k"] == "a\0b"


@pytest.mark.parametrize(
    "document",
    [
        {},
        {"hosts": 3},
        {"hosts": [{"name": "h"}], "groups": []},
        {"hosts": [], "groups": [{"hosts": []}]},
        {"hosts": [{"name": "h", "groups": [], "data": {"d": "x"}, "datetimes": [["d"]]}], "groups": []},
        {"hosts": [{"name": "h", "groups": [], "data": {}, "datetimes": [["missing", 0]]}], "groups": []},
        {"hosts": [], "groups": [{"name": "g", "hosts": ["nosuch"]}]},
        {"hosts": [{"name": "h", "groups": [], "data": {}}], "groups": [], "data": {}, "datetimes": 3},
        [1, 2],
        "text",
    ],
)
def test_output_of_an_unexpected_shape_is_a_strata_error(
    document: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether at load() (the document's frame) or when a host's line is
    first read (its groups and data), never a wrong value."""
    script = fake_strata(tmp_path, f"sys.stdout.write({json_lines(document)!r})")
    monkeypatch.setenv("STRATA_BIN", str(script))
    with pytest.raises(StrataError, match="unexpected shape"):
        for host in load():
            assert host.groups is not None and host.data is not None


@pytest.mark.parametrize(
    "lines",
    [
        '{"groups":[]}\n{"names":[],"groups":[]}\n',  # a line no name stands for
        '{"name":"h","groups":[],"data":{}}\n{"name":"h","groups":[],"data":{}}\n{"names":["h","h"],"groups":[]}\n',
        '{"name":"h","groups":[],"data":{}\n{"names":["h"],"groups":[]}\n',  # a cut line
        '{"name":"h","groups":[],"data":[]}\n{"names":["h"],"groups":[]}\n',
        '{"name":"h","groups":{},"data":{}}\n{"names":["h"],"groups":[]}\n',
        '{"name":"h","groups":[],"data":{}}\n{"names":["g"],"groups":[]}\n',  # a line under another name
        '{"name":"h","groups":[],"data":{}}\n{"names":"h","groups":[]}\n',
        '{"name":"h","groups":[],"data":{}}\n{"groups":[]}\n',  # no names
    ],
)
def test_host_lines_of_an_unexpected_shape_are_a_strata_error(
    lines: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = fake_strata(tmp_path, f"sys.stdout.write({lines!r})")
    monkeypatch.setenv("STRATA_BIN", str(script))
    with pytest.raises(StrataError, match="unexpected shape|not JSON"):
        for host in load():
            assert host.groups is not None and host.data is not None


def test_deeply_nested_output_is_a_strata_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script = fake_strata(tmp_path, "sys.stdout.write('[' * 200000 + ']' * 200000)")
    monkeypatch.setenv("STRATA_BIN", str(script))
    with pytest.raises(StrataError):
        load()


def test_timeout_kills_the_process_group(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pid_file = tmp_path / "child.pid"
    script = fake_strata(
        tmp_path,
        "import subprocess\n"
        f"child = subprocess.Popen(['sleep', '60'])\nopen({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        "time.sleep(60)",
    )
    monkeypatch.setenv("STRATA_BIN", str(script))
    start = clock.monotonic()
    with pytest.raises(LoadTimeoutError) as err:
        load(timeout=1)
    assert isinstance(err.value, TimeoutError)
    assert clock.monotonic() - start < 10
    assert_gone(int(pid_file.read_text()))


def test_a_child_left_behind_is_killed_and_does_not_hold_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """strata exits, something it started keeps stdout open: load() returns
    at once and the leftover goes with strata's process group."""
    pid_file = tmp_path / "child.pid"
    script = fake_strata(
        tmp_path,
        "import subprocess\n"
        f"child = subprocess.Popen(['sleep', '60'])\nopen({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        "print(json.dumps({'names': [], 'groups': [], 'data': {}}), flush=True)",
    )
    monkeypatch.setenv("STRATA_BIN", str(script))
    start = clock.monotonic()
    assert len(load()) == 0
    assert clock.monotonic() - start < 10
    assert_gone(int(pid_file.read_text()))


def test_a_child_in_another_session_does_not_hold_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Something strata started outside its process group keeps stdout open:
    load() still returns soon after strata exits, with strata's output."""
    pid_file = tmp_path / "child.pid"
    script = fake_strata(
        tmp_path,
        "import subprocess\n"
        "child = subprocess.Popen(['sleep', '60'], start_new_session=True)\n"
        f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        f"sys.stdout.write({json_lines({'hosts': [{'name': 'h', 'groups': [], 'data': {}}], 'groups': []})!r})\n"
        "sys.stdout.flush()",
    )
    monkeypatch.setenv("STRATA_BIN", str(script))
    start = clock.monotonic()
    try:
        assert [h.name for h in load()] == ["h"]
        assert clock.monotonic() - start < 10
    finally:
        os.kill(int(pid_file.read_text()), 9)


def assert_gone(pid: int) -> None:
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        # A zombie of an exited child of the fake strata, reparented: check its state.
        try:
            if Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("Z"):
                return
        except (OSError, IndexError):
            return
        clock.sleep(0.05)
    raise AssertionError(f"process {pid} outlived strata")


def test_output_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script = fake_strata(tmp_path, "chunk = 'x' * 65536\nwhile True: sys.stdout.write(chunk)")
    monkeypatch.setenv("STRATA_BIN", str(script))
    with pytest.raises(OutputTooLargeError):
        load(max_output=1 << 20, timeout=30)


def test_every_exception_is_exported_and_a_strata_error() -> None:
    for name in strata_inventory.__all__:
        value = getattr(strata_inventory, name)
        if isinstance(value, type) and issubclass(value, BaseException):
            assert issubclass(value, StrataError), name
