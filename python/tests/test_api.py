"""strata_inventory.load() against the strata command's own output."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import sysconfig
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest
import tomllib
from conftest import EXAMPLES, FIXTURES, IN_CI, REPO, strata, strata_bin, strata_json, strata_toml

import strata_inventory
from strata_inventory import Origin, load


def as_json(value):
    """A Python value as strata's JSON prints it (datetimes as RFC 3339 strings)."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, (datetime, date, time)):
        return value.isoformat().replace("+00:00", "Z")
    return value


def assert_same_as_cli(inv: strata_inventory.Inventory, listed: dict) -> None:
    """Host order, groups, data, and group membership equal `strata list --format json`."""
    assert len(inv) == len(listed["hosts"]) > 0
    assert [h.name for h in inv] == [h["name"] for h in listed["hosts"]]
    for host, want in zip(inv, listed["hosts"]):
        assert host.groups == want["groups"], host.name
        assert as_json(host.data) == want["data"], host.name
        assert inv.get_host(host.name) is host
    assert inv.groups == [g["name"] for g in listed["groups"]]
    for g in listed["groups"]:
        assert [h.name for h in inv.get_group(g["name"])] == g["hosts"]


def assert_origins_as_explain(inv: strata_inventory.Inventory, host_name: str, root: Path) -> int:
    """Every key's origin equals the winner's origin in `strata explain --format json`."""
    explained = strata_json("-i", str(root), "explain", host_name, "--format", "json")
    host = inv.get_host(host_name)
    assert [k["key"] for k in explained["keys"]] == list(host.data)
    for k in explained["keys"]:
        o = k["origin"]
        assert host.origin(k["key"]) == Origin(
            o["file"], o["line"], o["column"], o["layer"], o["rank"], o["group"], o["inventory_file"]
        )
    return len(explained["keys"])


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_examples_equal_strata_list(name: str) -> None:
    root = EXAMPLES[name]
    inv = load(root)
    assert_same_as_cli(inv, strata_json("-i", str(root), "list", "--format", "json"))
    # Typed values equal what tomllib reads from `strata list --format toml`.
    typed = strata_toml("-i", str(root), "list", "--format", "toml")
    assert [h.data for h in inv] == [h["data"] for h in typed["hosts"]]


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_examples_origins_equal_strata_explain(name: str) -> None:
    root = EXAMPLES[name]
    inv = load(root)
    checked = sum(assert_origins_as_explain(inv, h.name, root) for h in inv)
    assert checked > 0


def test_origin_values_by_hand() -> None:
    web1 = load(EXAMPLES["basic"]).get_host("web1.example.com")
    origin = web1.origin("app_port")
    assert (origin.inventory_file, origin.line, origin.column, origin.layer, origin.rank, origin.group) == (
        "host_data/web1.example.com.toml",
        1,
        1,
        "host file",
        2,
        None,
    )
    # `file` is the path as strata prints it, one that opens from here.
    assert Path(origin.file).resolve() == (EXAMPLES["basic"] / "host_data/web1.example.com.toml").resolve()
    assert web1.origin("log_level").group == "monitoring"
    assert web1.origin("log_level").layer == "group file"
    assert str(web1.origin("app_port")).endswith("host_data/web1.example.com.toml:1:1 (host file)")


# -- issue 24, item 2: the origin of every piece of a merged value --------------------------


def explain_origin(o: dict) -> Origin:
    return Origin(o["file"], o["line"], o["column"], o["layer"], o["rank"], o["group"], o["inventory_file"])


def test_merged_pieces_origins_equal_strata_explain() -> None:
    """Every piece `explain` lists for every merged key of every host of tests/fixtures/merge is
    `host.origin(key, *path)`, in both spellings; `origin(key)` stays the highest contribution."""
    root = FIXTURES / "merge"
    inv = load(root)
    merged = 0
    for host in inv:
        assert assert_origins_as_explain(inv, host.name, root) == 5
        for k in strata_json("-i", str(root), "explain", host.name, "--format", "json")["keys"]:
            for piece in k.get("merged", {}).get("pieces", []):
                want = explain_origin(piece["origin"])
                assert host.origin(k["key"], *piece["path"]) == want, (host.name, k["key"], piece["path"])
                assert host.origin([k["key"], *piece["path"]]) == want
                merged += 1
    # Leaves: w1 3 + 4 + 3 + 3 + 2, w2 one more element; d1 only `packages` (one layer gives the rest).
    assert merged == 15 + 16 + 4


def test_merged_pieces_by_hand() -> None:
    """Each strategy of tests/fixtures/merge: hash (sysctl), unique (packages, *_rules), deep
    (features), a nested path (app.limits), and a value no merge touched."""
    inv = load(FIXTURES / "merge")
    w1, d1 = inv.get_host("w1"), inv.get_host("d1")

    def where(o: Origin) -> tuple:
        return (o.inventory_file, o.line, o.column, o.layer, o.group)

    assert where(w1.origin("sysctl")) == ("host_data/w1.toml", 2, 1, "host file", None)
    assert where(w1.origin("sysctl", "vm.swappiness")) == ("host_data/w1.toml", 2, 30, "host file", None)
    assert where(w1.origin(["sysctl", "net.core.somaxconn"])) == ("group_data/web.toml", 2, 35, "group file", "web")
    assert w1.data["packages"] == ["nginx", "curl", "htop"]
    assert where(w1.origin("packages", 0)) == ("group_data/web.toml", 1, 13, "group file", "web")
    assert where(w1.origin("packages", 2)) == ("group_data/all.toml", 1, 13, "global file", None)
    assert w1.origin("packages", "2") == w1.origin(("packages", 2))
    assert where(inv.get_host("w2").origin("packages", 3)) == ("hosts.toml", 8, 30, "global inline", None)
    assert where(w1.origin("fw_rules", 2)) == ("group_data/all.toml", 4, 13, "global file", None)
    # deep: a table is the highest layer's that has it; a leaf its own layer's; inside a leaf, the leaf's.
    assert where(w1.origin("features", "tls")) == ("group_data/web.toml", 3, 20, "group file", "web")
    assert where(w1.origin("features", "tls", "min")) == ("group_data/web.toml", 3, 28, "group file", "web")
    ciphers = w1.origin("features", "tls", "ciphers")
    assert where(ciphers) == ("group_data/all.toml", 3, 45, "global file", None)
    assert w1.origin("features", "tls", "ciphers", 1) == ciphers
    assert where(w1.origin("features", "log", "level")) == ("group_data/all.toml", 3, 75, "global file", None)
    # A nested path: `app` is web's, `app.limits` merged.
    assert where(w1.origin("app", "name")) == ("group_data/web.toml", 5, 16, "group file", "web")
    assert where(w1.origin("app", "limits", "mem")) == ("group_data/all.toml", 5, 50, "global file", None)
    # Not merged (one layer): every path has the key's origin.
    assert d1.origin("sysctl", "legacy") == d1.origin("sysctl") == d1.origin(["sysctl"])
    assert where(d1.origin("sysctl")) == ("group_data/all.toml", 2, 1, "global file", None)
    # str() reads as `host --show-origin`'s piece lines.
    assert str(w1.origin("packages", 2)).endswith("group_data/all.toml:1:13 (global file)")


def test_merged_pieces_after_the_override_and_bad_paths() -> None:
    inv = load(FIXTURES / "merge", data={"packages": ["only"]})
    w1 = inv.get_host("w1")
    assert w1.origin("packages", 0).layer == "override" and w1.origin("packages", 0).line is None
    assert w1.origin("sysctl", "vm.swappiness").layer == "host file"
    for path in (("packages", 1), ("packages", -1), ("packages", True), ("sysctl", "nope"), ("sysctl", 0)):
        with pytest.raises(KeyError, match="has no data"):
            w1.origin(*path)
    with pytest.raises(KeyError, match="did you mean 'sysctl'"):
        w1.origin("sysctll", "vm.swappiness")
    for bad in ([], b"sysctl", 3, [3]):
        with pytest.raises(TypeError):
            w1.origin(bad)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_global_data_equals_the_files(name: str) -> None:
    """get_data() is group_data/all.toml over all.data, read here with tomllib."""
    root = EXAMPLES[name]
    with open(root / "hosts.toml", "rb") as f:
        hosts = tomllib.load(f)
    want = dict(hosts.get("all", {}).get("data", {})) if isinstance(hosts.get("all"), dict) else {}
    all_file = root / "group_data" / "all.toml"
    if all_file.exists():
        with open(all_file, "rb") as f:
            want.update(tomllib.load(f))
    assert load(root).get_data() == want


def test_basic_values_by_hand() -> None:
    inv = load(EXAMPLES["basic"])
    assert len(inv) == 3
    assert [h.name for h in inv] == ["web1.example.com", "web2.example.com", "db1.example.com"]
    assert inv.groups == ["webservers", "monitoring", "databases"]
    web1 = inv.get_host("web1.example.com")
    assert web1.groups == ["webservers", "monitoring"]
    assert web1.data["app_port"] == 8001  # host_data beats group data
    assert web1.data["log_level"] == "debug"  # the later group (monitoring) wins
    assert inv.get_data()["ssh_user"] == "deploy"
    assert "db1.example.com" in inv and "nope" not in inv
    assert [h.name for h in inv.get_group("databases")] == ["db1.example.com"]


def test_datetimes_are_typed_as_tomllib_types_them() -> None:
    root = FIXTURES / "datetimes"
    inv = load(root)
    typed = strata_toml("-i", str(root), "list", "--format", "toml")
    assert [h.data for h in inv] == [h["data"] for h in typed["hosts"]]
    w2 = inv.get_host("w2").data
    assert w2["deployed_at"] == datetime(1979, 5, 27, 7, 32, tzinfo=timezone.utc)
    assert w2["maintenance"] == datetime(2026, 12, 24, 22, 0, tzinfo=timezone(timedelta(hours=1)))
    assert w2["local_dt"] == datetime(1979, 5, 27, 7, 32) and w2["local_dt"].tzinfo is None
    assert w2["release_day"] == date(1979, 5, 27) and not isinstance(w2["release_day"], datetime)
    assert w2["backup_time"] == time(3, 30)
    assert w2["window"] == {"start": time(1, 0), "end": date(1979, 5, 28)}


def test_limit_selects_as_strata_hosts() -> None:
    root = EXAMPLES["basic"]
    for limit in ("webservers", "db*", "monitoring,!web2*", ["webservers", "databases"]):
        inv = load(root, limit=limit)
        args = [a for term in ([limit] if isinstance(limit, str) else limit) for a in ("--limit", term)]
        assert [h.name for h in inv] == strata_json("-i", str(root), *args, "hosts", "--format", "json")
        assert_same_as_cli(inv, strata_json("-i", str(root), *args, "list"))
    assert len(load(root, limit="db*")) == 1


def test_override_data_keeps_python_types() -> None:
    data = {
        "text": 'quotes " and \\ backslash\nnew line, tab\t, unicode é ✓',
        "looks_like_int": "9000",
        "empty": "",
        "int": 9000,
        "negative": -(2**63),
        "float": 1.5,
        "tiny": 1e-300,
        "bool": False,
        "list": [1, "a", [2.5, True]],
        "table": {"a": {"b": 1}, "odd key": "x", "": 0},
        "empty_table": {},
        "day": date(2024, 2, 29),
        "when": datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=timezone(timedelta(hours=-7))),
        "naive": datetime(2024, 1, 2, 3, 4, 5),
        "at": time(23, 59, 1),
        "ssh_port": 2200,
    }
    inv = load(EXAMPLES["basic"], data=data)
    for host in inv:
        for key, value in data.items():
            assert host.data[key] == value, key
            assert type(host.data[key]) is type(value), key
            assert host.origin(key).layer == "override"
            assert host.origin(key).file == "<command line>"
            assert host.origin(key).line is None


def test_override_nan_and_infinity_become_none() -> None:
    """JSON has no NaN: strata prints null (documented in docs/python.md)."""
    host = load(EXAMPLES["basic"], data={"nan": math.nan, "inf": math.inf}).get_host("db1.example.com")
    assert host.data["nan"] is None and host.data["inf"] is None
    assert host.origin("nan").layer == "override"


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"k": None}, TypeError),
        ({"k": object()}, TypeError),
        ({"k": 2**64}, ValueError),
        ({"k": {1: "x"}}, TypeError),
        ({"a=b": 1}, ValueError),
        ({"": 1}, ValueError),
        ({" k": 1}, ValueError),
        ({"k": time(1, 2, tzinfo=timezone.utc)}, ValueError),
    ],
)
def test_override_data_that_toml_cannot_carry_is_refused(data, error) -> None:
    with pytest.raises(error):
        load(EXAMPLES["basic"], data=data)


def test_discovery_as_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """path=None: $STRATA_INVENTORY, then ./inventory/, then ./ (relative to cwd)."""
    import shutil

    shutil.copytree(EXAMPLES["basic"], tmp_path / "inventory")
    monkeypatch.delenv("STRATA_INVENTORY", raising=False)
    assert len(load(cwd=tmp_path)) == 3
    monkeypatch.chdir(tmp_path)
    assert len(load()) == 3
    monkeypatch.chdir(tmp_path / "inventory")
    assert len(load()) == 3
    monkeypatch.setenv("STRATA_INVENTORY", str(EXAMPLES["connectors"]))
    assert load().get_host("@local").groups == ["build", "@local"]


def test_generated_10k_equals_strata_list_and_explain(gen_inventories) -> None:
    root = gen_inventories[10_000] / "strata"
    inv = load(root)
    assert len(inv) == 10_000
    assert_same_as_cli(inv, strata_json("-i", str(root), "list", "--format", "json"))
    # Every origin of every host equals `list --origins`; a sample equals `explain`.
    listed = strata_json("-i", str(root), "list", "--origins")
    for host, want in zip(inv, listed["hosts"]):
        for key, o in want["origins"].items():
            assert host.origin(key) == Origin(
                o["file"], o["line"], o["column"], o["layer"], o["rank"], o["group"], o["inventory_file"]
            )
    for host in inv.hosts[::997]:
        assert assert_origins_as_explain(inv, host.name, root) >= 5


def test_installed_package_and_binary() -> None:
    """The package and the strata command come from the installed wheel (in CI)."""
    binary = strata_bin()
    version = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True).stdout
    assert version.startswith("strata ")
    # python -m strata_inventory runs the same command, with its exit codes.
    done = subprocess.run([sys.executable, "-m", "strata_inventory", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout == version
    done = subprocess.run(
        [sys.executable, "-m", "strata_inventory", "-i", str(EXAMPLES["basic"]), "hosts"],
        capture_output=True,
        text=True,
    )
    assert done.stdout.split() == ["web1.example.com", "web2.example.com", "db1.example.com"]
    done = subprocess.run([sys.executable, "-m", "strata_inventory", "-i", str(REPO / "nowhere"), "hosts"])
    assert done.returncode == 2
    if IN_CI:
        scripts = sysconfig.get_path("scripts")
        assert os.path.dirname(binary) == scripts, "the wheel installs strata beside the interpreter's scripts"
        assert "site-packages" in strata_inventory.__file__, "tests run against the installed wheel"
    assert strata("-i", str(EXAMPLES["basic"]), "hosts").stdout.split()[0] == "web1.example.com"
    assert strata("-i", str(EXAMPLES["basic"]), "hosts").stdout.split()[0] == "web1.example.com"


def test_vault_and_unsafe_values_are_the_tables_as_written() -> None:
    """Issue 23 item 3: load() (and so the pyinfra and nornir bridges) sees a vault-encrypted value and an
    unsafe string as the one-key tables the inventory writes, as `strata host` prints them: still encrypted,
    never decrypted, not turned into strings."""
    from strata_inventory.pyinfra import groups

    root = FIXTURES / "ansible-vault"
    inv = load(root)
    w2 = inv.get_host("w2").data
    assert w2 == strata_json("-i", str(root), "host", "w2")
    assert set(w2["db_password"]) == {"__ansible_vault"}
    assert w2["db_password"]["__ansible_vault"].startswith("$ANSIBLE_VAULT;1.1;AES256\n")
    assert w2["motd"] == {"__ansible_unsafe": "{{ lookup('env', 'HOME') }}"}
    assert str(inv.get_host("w2").origin("db_password")).endswith("host_data/w2.toml:1:1 (host file)")
    hosts, _global = groups(root)["all"]
    assert dict(hosts)["w2"]["db_password"] == w2["db_password"]
