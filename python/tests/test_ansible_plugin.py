"""The Ansible collection strata.strata (ansible/ in the repository) with the
real ansible-core: the inventory plugin strata.strata.inventory.

Ansible runs in its own environment, as it does for users: the
ansible-inventory, ansible and ansible-galaxy commands come from
$STRATA_ANSIBLE_BIN_DIR (scripts/test.sh sets it to .venv/bin, where
ansible-core 2.19 is), else <repo>/.venv/bin. That environment does not have
the strata_inventory module: the plugin only needs the `strata` command,
which these tests put on PATH (the one the installed wheel ships). Without
ansible-core the tests skip, and with $CI set they fail.

The oracle is `strata ansible --list`, and the two-line wrapper script of
docs/ansible.md run by Ansible's own script plugin.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest
from conftest import EXAMPLES, FIXTURES, GEN_PY, REPO, missing, strata, strata_bin, strata_json

COLLECTION = REPO / "ansible"


# -- the tools ---------------------------------------------------------------


@pytest.fixture(scope="session")
def ansible_bin() -> Path:
    folder = Path(os.environ.get("STRATA_ANSIBLE_BIN_DIR") or REPO / ".venv" / "bin")
    for tool in ("ansible-inventory", "ansible", "ansible-galaxy", "ansible-doc"):
        if not (folder / tool).is_file():
            missing(f"ansible-core ({folder / tool}; set STRATA_ANSIBLE_BIN_DIR)")
    return folder


@pytest.fixture(scope="session")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A HOME of its own: no user ansible.cfg, collections or caches."""
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="session")
def strata_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding only `strata` (the wheel's binary), for PATH."""
    folder = tmp_path_factory.mktemp("strata-bin")
    (folder / "strata").symlink_to(strata_bin())
    return folder


def base_env(home: Path, path: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "STRATA_"))}
    env.update(
        HOME=str(home),
        PATH=path,
        ANSIBLE_LOCAL_TEMP=str(home / "tmp"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_INVENTORY_UNPARSED_FAILED="1",
        ANSIBLE_HOST_KEY_CHECKING="False",
        ANSIBLE_RETRY_FILES_ENABLED="False",
    )
    return env


@pytest.fixture(scope="session")
def collections(ansible_bin: Path, home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The collection installed from the checkout, as a user would, with no network."""
    target = tmp_path_factory.mktemp("collections")
    done = subprocess.run(
        [str(ansible_bin / "ansible-galaxy"), "collection", "install", "--offline", "-p", str(target), str(COLLECTION)],
        capture_output=True,
        text=True,
        env=base_env(home, os.environ["PATH"]),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (target / "ansible_collections/strata/strata/plugins/inventory/inventory.py").is_file()
    return target


class Ansible:
    """Runs the Ansible commands with the collection installed and strata on PATH."""

    def __init__(self, bin_dir: Path, home: Path, collections: Path, strata_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.env = base_env(home, f"{strata_dir}{os.pathsep}/usr/bin{os.pathsep}/bin")
        self.env["ANSIBLE_COLLECTIONS_PATH"] = str(collections)

    def run(self, tool: str, *args: str, env: dict[str, str] | None = None, ok: bool = True):
        done = subprocess.run(
            [str(self.bin_dir / tool), *args], capture_output=True, text=True, env={**self.env, **(env or {})}
        )
        if ok:
            assert done.returncode == 0, f"{tool} {' '.join(args)} failed ({done.returncode}):\n{done.stderr}"
        return done

    def inventory(self, source: Path, *args: str, env: dict[str, str] | None = None):
        return json.loads(self.run("ansible-inventory", "-i", str(source), *args, env=env).stdout)


@pytest.fixture(scope="session")
def ansible(ansible_bin: Path, home: Path, collections: Path, strata_dir: Path) -> Ansible:
    return Ansible(ansible_bin, home, collections, strata_dir)


def config(folder: Path, inventory: Path, name: str = "inventory.strata.yml", **options) -> Path:
    """A configuration file in `folder`, naming `inventory` relative to it."""
    folder.mkdir(parents=True, exist_ok=True)
    doc = {"plugin": "strata.strata.inventory", "path": os.path.relpath(inventory, folder), **options}
    path = folder / name
    path.write_text(json.dumps(doc, indent=2))  # JSON is YAML
    return path


def wrapper(folder: Path, inventory: Path) -> Path:
    """The two-line wrapper script of docs/ansible.md."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "strata.sh"
    path.write_text(f"#!/bin/sh\nexec '{strata_bin()}' -i '{inventory}' ansible \"$@\"\n")
    path.chmod(0o755)
    return path


def copy_inventory(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


# -- parity with strata ansible --list ------------------------------------------


def assert_same_as_strata(seen: dict, want: dict) -> None:
    """What ansible-inventory --list reports equals `strata ansible --list`."""
    want = dict(want)
    want_hostvars = want.pop("_meta")["hostvars"]
    groups = [g for g in want if g != "ungrouped"]
    # Nested groups hang under their parents; the others under `all`.
    nested = {c for g in groups for c in want[g].get("children", [])}
    top = [g for g in groups if g not in nested]
    assert seen["all"]["children"] == [*top, "ungrouped"] or set(seen["all"]["children"]) == {
        *top,
        "ungrouped",
    }
    for name in groups:
        assert seen.get(name, {}).get("children", []) == want[name].get("children", []), name
    for name in groups:
        assert seen.get(name, {}).get("hosts", []) == want[name]["hosts"], name
    assert seen.get("ungrouped", {}).get("hosts", []) == want.get("ungrouped", {}).get("hosts", [])
    hostvars = seen["_meta"]["hostvars"]
    # Ansible leaves a host without variables out of _meta.
    assert set(hostvars) <= set(want_hostvars)
    for host, data in want_hostvars.items():
        assert hostvars.get(host, {}) == data, host


def check_parity(ansible: Ansible, root: Path, tmp_path: Path, hosts_to_ask: int = 2) -> int:
    cfg = config(tmp_path / "cfg", root)
    script = wrapper(tmp_path / "script", root)
    want = json.loads(strata("-i", str(root), "ansible", "--list").stdout)

    through_plugin = ansible.inventory(cfg, "--list")
    assert_same_as_strata(through_plugin, want)
    # And exactly what Ansible makes of the wrapper script.
    assert through_plugin == ansible.inventory(script, "--list")

    graph = ansible.run("ansible-inventory", "-i", str(cfg), "--graph").stdout
    assert graph == ansible.run("ansible-inventory", "-i", str(script), "--graph").stdout
    for group in want:
        if group != "_meta" and want[group]["hosts"]:
            assert f"--@{group}:" in graph

    names = list(want["_meta"]["hostvars"])
    for host in dict.fromkeys([*names[:hosts_to_ask], names[-1]]):
        got = ansible.inventory(cfg, "--host", host)
        assert got == json.loads(strata("-i", str(root), "ansible", "--host", host).stdout), host
    return len(names)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_list_graph_host_equal_strata_on_examples(name: str, ansible: Ansible, tmp_path: Path) -> None:
    assert check_parity(ansible, EXAMPLES[name], tmp_path) > 0


def test_list_graph_host_equal_strata_on_2000_hosts(ansible: Ansible, tmp_path: Path) -> None:
    if not GEN_PY.exists():
        pytest.fail(f"{GEN_PY} is missing: the generator is part of the repository", pytrace=False)
    subprocess.run([sys.executable, str(GEN_PY), "2000", str(tmp_path / "gen")], check=True, capture_output=True)
    assert check_parity(ansible, tmp_path / "gen" / "strata", tmp_path) == 2000


def test_nested_groups_through_the_plugin_and_the_script(ansible: Ansible, tmp_path: Path) -> None:
    """Nested groups (issue 22): through the plugin (add_child) and through
    the wrapper script (`children` in `--list`), Ansible builds strata's
    tree, gives every host strata's resolved data and every group its
    descendants' hosts; with structured: false too."""
    root = FIXTURES / "nested"
    want = json.loads(strata("-i", str(root), "list", "--format", "json").stdout)

    def members(seen: dict, group: str) -> set[str]:
        hosts: set[str] = set()
        todo, done = [group], set()
        while todo:
            g = todo.pop()
            if g in done:
                continue
            done.add(g)
            hosts.update(seen.get(g, {}).get("hosts", []))
            todo.extend(seen.get(g, {}).get("children", []))
        return hosts

    script = ansible.inventory(wrapper(tmp_path / "script", root), "--list")
    plugin = ansible.inventory(config(tmp_path / "cfg", root), "--list")
    flat = ansible.inventory(config(tmp_path / "flat", root, structured=False), "--list")
    for seen in (script, plugin, flat):
        assert seen["prod"]["children"] == ["prod_web", "prod_db"]
        assert seen["site"] == {"hosts": ["ops1"], "children": ["prod"]}
        for h in want["hosts"]:
            assert seen["_meta"]["hostvars"].get(h["name"], {}) == h["data"], h["name"]
        for g in want["groups"]:
            assert members(seen, g["name"]) == set(g["hosts"]), g["name"]
    # Every host's variables through `--host` too (Ansible's own merge, by depth).
    for h in want["hosts"]:
        assert ansible.inventory(config(tmp_path / "cfg", root), "--host", h["name"]) == h["data"]


NESTED_YAML = """all:
  vars: { ntp: pool }
  children:
    monitoring:
      vars: { log_level: debug, env: monitored }
      hosts: { web1: , ops1: }
    site:
      vars: { env: site, region: eu, tier: 0, owner: site }
      hosts: { ops1: }
      children:
        prod:
          vars: { env: production, tier: 1 }
          children:
            prod_db:
              vars: { role: db, owner: dba }
              hosts: { db1: , web1: }
            prod_web:
              vars: { role: web, tier: 2 }
              hosts: { web1: { port: 8080 }, web2: }
"""

NESTED_TOML = """[all]
data = { ntp = "pool" }

[monitoring]
hosts = ["web1", "ops1"]
data = { log_level = "debug", env = "monitored" }

[site]
hosts = ["ops1"]
children = ["prod"]
data = { env = "site", region = "eu", tier = 0, owner = "site" }

[prod]
children = ["prod_db", "prod_web"]
data = { env = "production", tier = 1 }

[prod_db]
hosts = ["db1", "web1"]
data = { role = "db", owner = "dba" }

[prod_web]
hosts = [{ name = "web1", data = { port = 8080 } }, "web2"]
data = { role = "web", tier = 2 }
"""


def test_nested_groups_through_the_plugin_equal_an_ansible_yaml_inventory(ansible: Ansible, tmp_path: Path) -> None:
    """Issue 22's proof through the plugin: an Ansible YAML inventory with three levels, a host in two
    branches, vars at every level and equal-depth conflicts where Ansible's name order and hosts.toml's
    order agree, and its strata equivalent: the same hostvars, members and children."""
    yaml = tmp_path / "inventory.yml"
    yaml.write_text(NESTED_YAML)
    root = tmp_path / "strata"
    root.mkdir()
    (root / "hosts.toml").write_text(NESTED_TOML)
    theirs = ansible.inventory(yaml, "--list")
    for options in ({}, {"structured": False}):
        ours = ansible.inventory(config(tmp_path / f"cfg{len(options)}", root, **options), "--list")
        assert ours["_meta"]["hostvars"] == theirs["_meta"]["hostvars"], options
        for group in ("monitoring", "site", "prod", "prod_db", "prod_web"):
            assert set(ours[group].get("hosts", [])) == set(theirs[group].get("hosts", [])), group
            assert ours[group].get("children", []) == theirs[group].get("children", []), group


def test_example_config_beside_basic(ansible: Ansible) -> None:
    """examples/basic.strata.yml, run from elsewhere: its path is its folder's."""
    seen = ansible.inventory(REPO / "examples" / "basic.strata.yml", "--list")
    assert_same_as_strata(seen, json.loads(strata("-i", str(EXAMPLES["basic"]), "ansible", "--list").stdout))


def test_data_and_limit_are_strata_s(ansible: Ansible, tmp_path: Path) -> None:
    root = EXAMPLES["basic"]
    data = {"app_port": 9000, "flag": "true", "when": "2025-01-02", "nested": {"a": [1, 2.5]}, "on": True}
    cfg = config(tmp_path, root, data=data, limit="webservers,!web2*")
    seen = ansible.inventory(cfg, "--list")
    want = strata(
        "-i", str(root),
        "--data", "app_port=9000", "--data", 'flag="true"', "--data", 'when="2025-01-02"',
        "--data", "nested={ a = [1, 2.5] }", "--data", "on=true",
        "--limit", "webservers,!web2*",
        "ansible", "--list",
    )  # fmt: skip
    assert_same_as_strata(seen, json.loads(want.stdout))
    assert seen["_meta"]["hostvars"]["web1.example.com"]["app_port"] == 9000
    assert seen["_meta"]["hostvars"]["web1.example.com"]["flag"] == "true"  # a string stays a string
    assert list(seen["_meta"]["hostvars"]) == ["web1.example.com"]

    # A list of limits is united.
    cfg = config(tmp_path, root, limit=["web2*", "db1*"])
    seen = ansible.inventory(cfg, "--list")
    assert set(seen["_meta"]["hostvars"]) == {"web2.example.com", "db1.example.com"}
    assert seen["monitoring"]["hosts"] == ["web2.example.com", "db1.example.com"]


def test_toml_writer_equals_the_python_package_s() -> None:
    """The plugin's own copy of the --data writer writes what strata_inventory writes."""
    from strata_inventory import _values

    spec = importlib.util.spec_from_file_location("toml_values", COLLECTION / "plugins/plugin_utils/toml_values.py")
    assert spec and spec.loader
    plugin_values = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(plugin_values)
    samples = [
        "text", "", 'q"uote\\ \n\t\x01\x7f é', 0, -7, 2**63 - 1, 1.5, -0.0, 1e300, float("nan"), float("inf"),
        float("-inf"), True, False, [1, "a", [True]], (1, 2), {"a": 1, "b c": {"d": []}}, {},
        date(2025, 1, 2), time(1, 2, 3, 4), datetime(1979, 5, 27, 7, 32),
        datetime(1979, 5, 27, 0, 32, tzinfo=timezone(timedelta(hours=-7))),
    ]  # fmt: skip
    for value in samples:
        assert plugin_values.to_toml(value) == _values.to_toml(value), value
        assert plugin_values.data_arg("k", value) == _values.data_arg("k", value)
    for bad in [None, object(), 2**63, time(1, tzinfo=timezone.utc), {1: 2}]:
        with pytest.raises((TypeError, ValueError)):
            plugin_values.to_toml(bad)
        with pytest.raises((TypeError, ValueError)):
            _values.to_toml(bad)
    for key in ["", "a=b", " a", 1]:
        with pytest.raises((TypeError, ValueError)):
            plugin_values.data_arg(key, 1)


# -- constructed: expected groups and variables written by hand ---------------


def plain(value):
    """ansible-inventory --list writes a string Ansible will not template
    (a composed value) as {"__ansible_unsafe": "..."}; the value is the string."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def groups_of(seen: dict) -> dict[str, list[str]]:
    return {name: g["hosts"] for name, g in seen.items() if name not in ("_meta", "all") and "hosts" in g}


def test_compose(ansible: Ansible, tmp_path: Path) -> None:
    cfg = config(
        tmp_path,
        EXAMPLES["basic"],
        compose={
            "ansible_port": "ssh_port",
            "web_url": "'http://' ~ inventory_hostname ~ ':' ~ app_port",  # undefined for db1: skipped
            "first_group": "group_names | first",
            "log_level": "log_level | upper",  # compose may replace a value: the user asked for it
        },
    )
    hostvars = plain(ansible.inventory(cfg, "--list")["_meta"]["hostvars"])
    composed = {
        h: {k: v[k] for k in ("ansible_port", "web_url", "first_group", "log_level") if k in v}
        for h, v in hostvars.items()
    }
    assert composed == {
        "web1.example.com": {
            "ansible_port": 2222,
            "web_url": "http://web1.example.com:8001",
            "first_group": "monitoring",
            "log_level": "DEBUG",
        },
        "web2.example.com": {
            "ansible_port": 2222,
            "web_url": "http://web2.example.com:8002",
            "first_group": "monitoring",
            "log_level": "DEBUG",
        },
        "db1.example.com": {"ansible_port": 2222, "first_group": "databases", "log_level": "DEBUG"},
    }
    # Everything else is strata's.
    assert hostvars["web1.example.com"]["app_port"] == 8001
    assert hostvars["db1.example.com"]["db_role"] == "primary"


def test_groups(ansible: Ansible, tmp_path: Path) -> None:
    cfg = config(
        tmp_path,
        EXAMPLES["basic"],
        groups={
            "debuggers": "log_level == 'debug'",
            "primary_db": "db_role is defined and db_role == 'primary'",
            "big_port": "app_port > 8001",  # undefined for db1: not a member, no error
            "nobody": "false",
        },
    )
    seen = ansible.inventory(cfg, "--list")
    assert groups_of(seen) == {
        "webservers": ["web1.example.com", "web2.example.com"],
        "monitoring": ["web1.example.com", "web2.example.com", "db1.example.com"],
        "databases": ["db1.example.com"],
        "debuggers": ["web1.example.com", "web2.example.com", "db1.example.com"],
        "primary_db": ["db1.example.com"],
        "big_port": ["web2.example.com"],
    }
    assert "nobody" not in seen


def test_keyed_groups(ansible: Ansible, tmp_path: Path) -> None:
    keyed = [
        {"key": "group_names", "prefix": "in"},
        {"key": "app_env", "prefix": "env"},
        {"key": "db_type"},  # no prefix: leading_separator decides
        {"key": "{'port': ssh_port}", "prefix": "ssh"},
    ]
    seen = ansible.inventory(config(tmp_path, EXAMPLES["basic"], keyed_groups=keyed), "--list")
    constructed = {k: v for k, v in groups_of(seen).items() if k not in ("webservers", "monitoring", "databases")}
    assert constructed == {
        "in_webservers": ["web1.example.com", "web2.example.com"],
        "in_monitoring": ["web1.example.com", "web2.example.com", "db1.example.com"],
        "in_databases": ["db1.example.com"],
        "env_production": ["web1.example.com", "web2.example.com"],
        "_postgresql": ["db1.example.com"],
        "ssh_port_2222": ["web1.example.com", "web2.example.com", "db1.example.com"],
    }

    cfg = config(tmp_path, EXAMPLES["basic"], keyed_groups=[{"key": "db_type"}], leading_separator=False)
    assert groups_of(ansible.inventory(cfg, "--list"))["postgresql"] == ["db1.example.com"]


def test_strict_makes_a_bad_expression_fatal(ansible: Ansible, tmp_path: Path) -> None:
    cfg = config(tmp_path, EXAMPLES["basic"], compose={"web_url": "app_port + 1"}, strict=True)
    done = ansible.run("ansible-inventory", "-i", str(cfg), "--list", ok=False)
    assert done.returncode != 0
    assert done.stdout == ""
    assert "Could not set web_url for host db1.example.com" in done.stderr


# -- cache ------------------------------------------------------------------


def counting_strata(folder: Path) -> tuple[Path, Path]:
    """A strata_bin that records each run in a log, then runs the real strata."""
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "runs.log"
    log.touch()
    script = folder / "strata-counting"
    script.write_text(f"#!/bin/sh\necho run >> '{log}'\nexec '{strata_bin()}' \"$@\"\n")
    script.chmod(0o755)
    return script, log


def runs(log: Path) -> int:
    return len(log.read_text().splitlines())


def test_cache_answers_without_strata_and_notices_changes(ansible: Ansible, tmp_path: Path) -> None:
    root = copy_inventory(EXAMPLES["basic"], tmp_path / "basic")
    script, log = counting_strata(tmp_path / "bin")
    cache = tmp_path / "cache"
    options = {
        "cache": True,
        "cache_plugin": "ansible.builtin.jsonfile",
        "cache_connection": str(cache),
        "strata_bin": str(script),
    }
    cfg = config(tmp_path / "cfg", root, **options)
    first = ansible.inventory(cfg, "--list")
    assert runs(log) == 1
    assert len(list(cache.iterdir())) == 1

    # The second run is answered from the cache: strata does not run.
    assert ansible.inventory(cfg, "--list") == first
    assert ansible.run("ansible-inventory", "-i", str(cfg), "--graph").returncode == 0
    assert runs(log) == 1

    # Editing a host_data file invalidates the entry.
    (root / "host_data" / "web1.example.com.toml").write_text("app_port = 18001\napp_workers = 8\n")
    edited = ansible.inventory(cfg, "--list")
    assert runs(log) == 2
    assert edited["_meta"]["hostvars"]["web1.example.com"]["app_port"] == 18001
    ansible.inventory(cfg, "--list")
    assert runs(log) == 2

    # So does a new host_data file, a group_data edit, and hosts.toml.
    (root / "host_data" / "db1.example.com.toml").write_text("db_role = 'replica'\n")
    # (with a cache, strings are data: ansible-inventory shows them as {"__ansible_unsafe": ...})
    assert plain(ansible.inventory(cfg, "--list")["_meta"]["hostvars"]["db1.example.com"]["db_role"]) == "replica"
    assert runs(log) == 3
    with open(root / "group_data" / "all.toml", "a") as f:
        f.write("extra = 1\n")
    assert ansible.inventory(cfg, "--list")["_meta"]["hostvars"]["db1.example.com"]["extra"] == 1
    assert runs(log) == 4
    with open(root / "hosts.toml", "a") as f:
        f.write("\n[late]\nhosts = ['db1.example.com']\n")
    assert ansible.inventory(cfg, "--list")["late"]["hosts"] == ["db1.example.com"]
    assert runs(log) == 5

    # And a change to the configuration: data, limit.
    cfg = config(tmp_path / "cfg", root, data={"app_port": 1}, **options)
    assert ansible.inventory(cfg, "--list")["_meta"]["hostvars"]["db1.example.com"]["app_port"] == 1
    assert runs(log) == 6
    cfg = config(tmp_path / "cfg", root, data={"app_port": 1}, limit="db1*", **options)
    assert list(ansible.inventory(cfg, "--list")["_meta"]["hostvars"]) == ["db1.example.com"]
    assert runs(log) == 7
    ansible.inventory(cfg, "--list")
    assert runs(log) == 7

    # --flush-cache reads the source again.
    ansible.inventory(cfg, "--list", "--flush-cache")
    assert runs(log) == 8
    ansible.inventory(cfg, "--list")
    assert runs(log) == 8
    # One entry per configuration file: a changed fingerprint replaces it.
    assert len(list(cache.iterdir())) == 1


def test_without_cache_every_run_runs_strata(ansible: Ansible, tmp_path: Path) -> None:
    script, log = counting_strata(tmp_path / "bin")
    cfg = config(tmp_path, EXAMPLES["basic"], strata_bin=str(script))
    ansible.inventory(cfg, "--list")
    ansible.inventory(cfg, "--list")
    assert runs(log) == 2


# -- errors -------------------------------------------------------------------


def test_broken_inventory_fails_with_strata_s_diagnostics(ansible: Ansible, tmp_path: Path) -> None:
    root = copy_inventory(EXAMPLES["basic"], tmp_path / "basic")
    (root / "host_data" / "web1.example.com.toml").write_text("app_port = 8001\napp_workers =\n")
    cfg = config(tmp_path, root)
    done = ansible.run("ansible-inventory", "-i", str(cfg), "--list", ok=False)
    assert done.returncode != 0
    assert done.stdout == ""
    assert "host_data/web1.example.com.toml:2:" in done.stderr
    assert "strata failed (exit code 1)" in done.stderr

    # Without ANSIBLE_INVENTORY_UNPARSED_FAILED Ansible goes on, with nothing
    # from this source: never a partial inventory.
    seen = ansible.inventory(cfg, "--list", env={"ANSIBLE_INVENTORY_UNPARSED_FAILED": "0"})
    assert seen["_meta"]["hostvars"] == {}
    assert seen["all"]["children"] == ["ungrouped"]


def test_usage_error_fails_with_strata_s_message(ansible: Ansible, tmp_path: Path) -> None:
    cfg = config(tmp_path, EXAMPLES["basic"], limit="nosuch")
    done = ansible.run("ansible-inventory", "-i", str(cfg), "--list", ok=False)
    assert done.returncode != 0 and done.stdout == ""
    assert "strata failed (exit code 2)" in done.stderr
    assert "nosuch" in done.stderr


def test_missing_binary_says_how_to_install(ansible: Ansible, tmp_path: Path) -> None:
    cfg = config(tmp_path, EXAMPLES["basic"])
    assert shutil.which("strata", path="/usr/bin:/bin") is None
    done = ansible.run("ansible-inventory", "-i", str(cfg), "--list", env={"PATH": "/usr/bin:/bin"}, ok=False)
    assert done.returncode != 0 and done.stdout == ""
    assert "the strata command was not found" in done.stderr
    assert "pip install strata-inventory" in done.stderr
    assert "strata_bin" in done.stderr


def test_strata_bin_from_the_environment(ansible: Ansible, tmp_path: Path) -> None:
    cfg = config(tmp_path, EXAMPLES["basic"])
    env = {"PATH": "/usr/bin:/bin", "STRATA_BIN": strata_bin()}
    assert ansible.inventory(cfg, "--list", env=env)["databases"]["hosts"] == ["db1.example.com"]


def test_verify_file_takes_only_strata_yml(ansible: Ansible, tmp_path: Path) -> None:
    for name in ("inventory.strata.yml", "inventory.strata.yaml"):
        cfg = config(tmp_path, EXAMPLES["basic"], name=name)
        assert ansible.inventory(cfg, "--list")["databases"]["hosts"] == ["db1.example.com"]
    cfg = config(tmp_path, EXAMPLES["basic"], name="inventory.yml")
    done = ansible.run("ansible-inventory", "-i", str(cfg), "--list", ok=False)
    assert done.returncode != 0 and done.stdout == ""


# -- the collection ----------------------------------------------------------------


def test_collection_builds_and_its_documentation_loads(ansible: Ansible, tmp_path: Path) -> None:
    built = ansible.run("ansible-galaxy", "collection", "build", "--output-path", str(tmp_path), str(COLLECTION))
    tarball = tmp_path / "strata-strata-0.1.0.tar.gz"
    assert tarball.is_file(), built.stdout
    target = tmp_path / "collections"
    ansible.run("ansible-galaxy", "collection", "install", "--offline", "--force", "-p", str(target), str(tarball))
    assert (target / "ansible_collections/strata/strata/plugins/inventory/inventory.py").is_file()

    doc = json.loads(ansible.run("ansible-doc", "-t", "inventory", "--json", "strata.strata.inventory").stdout)
    options = doc["strata.strata.inventory"]["doc"]["options"]
    for option in ("path", "data", "limit", "strata_bin", "compose", "groups", "keyed_groups",
                   "leading_separator", "strict", "cache", "cache_plugin", "cache_connection"):  # fmt: skip
        assert option in options, option


# -- end to end -------------------------------------------------------------------

PRECEDENCE = {
    # For box1, Ansible alone would let `zeta` win (groups of one depth merge
    # by name); strata lets the group written later in hosts.toml win: `alpha`.
    # box2's inline data beats both; @local is only in `zeta`.
    "hosts.toml": """\
        zeta = ["@local", "box1", "box2"]
        alpha = ["box1", "box2"]
        [all]
        hosts = ["@local", "box1", { name = "box2", data = { colour = "inline" } }]
        """,
    "group_data/all.toml": 'colour = "global"\n',
    "group_data/zeta.toml": 'colour = "zeta"\n',
    "group_data/alpha.toml": 'colour = "alpha"\n',
    "host_data/box1.toml": "size = 1\n",
}


def test_ansible_command_prints_the_waterfall_s_value(ansible: Ansible, tmp_path: Path) -> None:
    root = tmp_path / "inv"
    for name, text in PRECEDENCE.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text))
    cfg = config(tmp_path, root)
    done = ansible.run(
        "ansible", "all", "-i", str(cfg), "-c", "local", "-m", "command", "-a", "echo {{ colour }}",
        env={"ANSIBLE_PYTHON_INTERPRETER": str(ansible.bin_dir / "python"), "ANSIBLE_GATHERING": "explicit"},
    )  # fmt: skip
    printed = {}
    lines = done.stdout.splitlines()
    for i, line in enumerate(lines):
        if " | CHANGED | rc=0 >>" in line:
            printed[line.split(" | ")[0]] = lines[i + 1]
    want = {h: strata("-i", str(root), "explain", h, "colour").stdout.split()[2].strip('"') for h in printed}
    assert printed == want == {"@local": "zeta", "box1": "alpha", "box2": "inline"}


def test_allow_exec_runs_command_sources(ansible: Ansible, tmp_path: Path) -> None:
    """Without allow_exec the source fails and its script never runs; with it,
    its hosts and variables arrive (docs/sources.md)."""
    root = tmp_path / "inv"
    (root / "sources").mkdir(parents=True)
    (root / "hosts.toml").write_text('web = ["w1"]\n')
    (root / "sources" / "cmdb.toml").write_text('command = ["./cmdb.sh", "--list"]\n')
    script = root / "cmdb.sh"
    script.write_text('#!/bin/sh\ntouch ran\necho \'{"web": ["w2"], "_meta": {"hostvars": {"w2": {"rack": "r7"}}}}\'\n')
    script.chmod(0o755)
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "STRATA_ALLOW_EXEC": "0"}
    refused = ansible.run("ansible-inventory", "-i", str(config(tmp_path / "no", root)), "--list", ok=False, env=env)
    assert refused.returncode != 0
    assert "source_not_run" in refused.stderr
    assert not (root / "ran").exists()

    seen = ansible.inventory(config(tmp_path / "yes", root, allow_exec=True), "--list", env=env)
    assert seen["web"]["hosts"] == ["w1", "w2"]
    assert seen["_meta"]["hostvars"]["w2"] == {"rack": "r7"}
    assert (root / "ran").exists()


# -- issue 19: the cache, consent, hints, options, diagnostics, arguments -------


def cached_config(tmp_path: Path, root: Path, script: Path, **options) -> Path:
    return config(
        tmp_path / "cfg",
        root,
        cache=True,
        cache_plugin="ansible.builtin.jsonfile",
        cache_connection=str(tmp_path / "cache"),
        strata_bin=str(script),
        **options,
    )


def test_cache_notices_a_file_source_s_file(ansible: Ansible, tmp_path: Path) -> None:
    """Item 13: the fingerprint covers every file strata read, a file source's export included."""
    root = copy_inventory(REPO / "examples" / "cmdb-file", tmp_path / "cmdb-file")
    script, log = counting_strata(tmp_path / "bin")
    cfg = cached_config(tmp_path, root, script)
    before = ansible.inventory(cfg, "--host", "web2.example.com")
    ansible.inventory(cfg, "--host", "web2.example.com")
    assert runs(log) == 1
    export = root / "exports" / "cmdb.json"
    doc = json.loads(export.read_text())
    doc["_meta"]["hostvars"]["web2.example.com"]["cmdb_marker"] = "changed"
    export.write_text(json.dumps(doc))
    after = ansible.inventory(cfg, "--host", "web2.example.com")
    assert runs(log) == 2
    assert plain(after).get("cmdb_marker") == "changed" and "cmdb_marker" not in before


def command_inventory(root: Path, cache: str | None) -> Path:
    (root / "sources").mkdir(parents=True)
    (root / "hosts.toml").write_text('web = ["w1"]\n')
    decl = 'command = ["./cmdb.sh", "--list"]\n' + (f'cache = "{cache}"\n' if cache else "")
    (root / "sources" / "cmdb.toml").write_text(decl)
    script = root / "cmdb.sh"
    script.write_text(
        '#!/bin/sh\necho run >> ran.log\necho \'{"web": ["w2"], "_meta": {"hostvars": {"w2": {"rack": "r7"}}}}\'\n'
    )
    script.chmod(0o755)
    return root / "ran.log"


def test_cache_never_extends_a_command_source_s_freshness(ansible: Ansible, tmp_path: Path) -> None:
    """Item 14: with a command source the plugin's cache never answers; strata's own cache age
    (`cache = "5m"`) decides, and --flush-cache / refresh: true mean strata's --refresh."""
    root = tmp_path / "inv"
    ran = command_inventory(root, "5m")
    script, log = counting_strata(tmp_path / "bin")
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg")}
    cfg = cached_config(tmp_path, root, script, allow_exec=True, cache_timeout=3600)
    assert ansible.inventory(cfg, "--list", env=env)["web"]["hosts"] == ["w1", "w2"]
    ansible.inventory(cfg, "--list", env=env)
    assert runs(log) == 2  # strata ran both times ...
    assert len(ran.read_text().splitlines()) == 1  # ... and answered from its own fresh cache the second
    ansible.inventory(cfg, "--list", "--flush-cache", env=env)
    assert len(ran.read_text().splitlines()) == 2  # --flush-cache is --refresh
    cfg = cached_config(tmp_path, root, script, allow_exec=True, refresh=True)
    ansible.inventory(cfg, "--list", env=env)
    assert len(ran.read_text().splitlines()) == 3


@pytest.mark.parametrize(
    ("value", "runs_it"),
    [("1", True), ("TRUE", True), ("Yes", True), ("on", True), ("0", False), ("off", False), ("", False)],
)
def test_strata_allow_exec_one_rule(ansible: Ansible, tmp_path: Path, value: str, runs_it: bool) -> None:
    """Item 15: STRATA_ALLOW_EXEC by strata's one rule, when the file does not say allow_exec."""
    root = tmp_path / "inv"
    ran = command_inventory(root, None)
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg"), "STRATA_ALLOW_EXEC": value}
    done = ansible.run("ansible-inventory", "-i", str(config(tmp_path, root)), "--list", env=env, ok=False)
    assert (done.returncode == 0) == runs_it, done.stderr
    assert ran.exists() == runs_it


def test_strata_allow_exec_other_words_are_an_error(ansible: Ansible, tmp_path: Path) -> None:
    root = tmp_path / "inv"
    ran = command_inventory(root, None)
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg"), "STRATA_ALLOW_EXEC": "maybe"}
    done = ansible.run("ansible-inventory", "-i", str(config(tmp_path, root)), "--list", env=env, ok=False)
    assert done.returncode != 0 and not ran.exists()
    assert "STRATA_ALLOW_EXEC is 'maybe'" in done.stderr


def test_explicit_allow_exec_false_wins_over_the_environment(ansible: Ansible, tmp_path: Path) -> None:
    """Item 30 (tests/attacks/30 runs the same through the release binary)."""
    root = tmp_path / "inv"
    ran = command_inventory(root, None)
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg"), "STRATA_ALLOW_EXEC": "1"}
    cfg = config(tmp_path, root, allow_exec=False)
    done = ansible.run("ansible-inventory", "-i", str(cfg), "--list", env=env, ok=False)
    assert done.returncode != 0 and not ran.exists()


def test_hints_speak_the_plugin_s_language(ansible: Ansible, tmp_path: Path) -> None:
    """Item 16: the fix is worded as plugin options, not strata's flags."""
    root = tmp_path / "inv"
    command_inventory(root, None)
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg")}
    done = ansible.run("ansible-inventory", "-i", str(config(tmp_path, root)), "--list", env=env, ok=False)
    assert "source_not_run" in done.stderr
    assert "`allow_exec: true`" in done.stderr
    assert "--allow-exec" not in done.stderr.replace(" --allow-exec ", "")  # the command line shown aside

    cfg = config(tmp_path, tmp_path / "nowhere", name="missing.strata.yml")
    done = ansible.run("ansible-inventory", "-i", str(cfg), "--list", ok=False)
    assert f"path: {tmp_path / 'nowhere'} (does not exist)" in done.stderr
    assert "`path:`" in done.stderr
    assert "STRATA_INVENTORY" not in done.stderr and "point -i" not in done.stderr


def test_unknown_options_warn_with_did_you_mean(ansible: Ansible, tmp_path: Path) -> None:
    """Item 17: `limits:` and `keyed_group:` are not silently ignored."""
    cfg = config(tmp_path, EXAMPLES["basic"], limits="db1*", keyed_group=[{"key": "app_env"}])
    done = ansible.run("ansible-inventory", "-i", str(cfg), "--list")
    warnings = done.stderr.replace("\n", " ")
    assert "unknown option 'limits'" in warnings and "did you mean 'limit'?" in warnings
    assert "unknown option 'keyed_group'" in warnings and "did you mean 'keyed_groups'?" in warnings
    cfg = config(tmp_path, EXAMPLES["basic"], name="strict.strata.yml", limits="db1*", strict=True)
    done = ansible.run("ansible-inventory", "-i", str(cfg), "--list", ok=False)
    assert done.returncode != 0 and done.stdout == ""
    assert "unknown option 'limits'" in done.stderr


def test_a_config_without_the_suffix_says_so(ansible: Ansible, tmp_path: Path) -> None:
    """Item 17: a YAML file naming the plugin but not called *.strata.yml."""
    cfg = config(tmp_path, EXAMPLES["basic"], name="inventory.yml")
    done = ansible.run("ansible-inventory", "-i", str(cfg), "--list", ok=False)
    assert done.returncode != 0
    assert "must end in .strata.yml or .strata.yaml: rename it to" in done.stderr
    assert "could not be verified" not in done.stderr


def test_one_warning_per_diagnostic_with_its_place(ansible: Ansible, tmp_path: Path) -> None:
    """Item 18: each strata warning is one Ansible warning, prefixed, with file:line:col."""
    root = copy_inventory(EXAMPLES["basic"], tmp_path / "basic")
    (root / "group_data" / "nosuch.toml").write_text("x = 1\n")
    (root / "host_data" / "ghost.example.com.toml").write_text("y = 2\n")
    done = ansible.run("ansible-inventory", "-i", str(config(tmp_path, root)), "--list")
    warnings = [w for w in done.stderr.split("[WARNING]: ")[1:]]
    ours = [w for w in warnings if w.startswith("strata.strata.inventory: ")]
    assert len(ours) == 2, done.stderr
    assert any("group_data/nosuch.toml:1:1: warning[" in w for w in ours)
    assert any("host_data/ghost.example.com.toml:1:1: warning[" in w for w in ours)

    (root / "hosts.toml").write_text("web = [\n")
    done = ansible.run("ansible-inventory", "-i", str(config(tmp_path, root)), "--list", ok=False)
    assert "strata.strata.inventory: strata failed (exit code 1)" in done.stderr
    assert "hosts.toml:1:" in done.stderr


def test_keys_and_values_beginning_with_a_dash_are_data(ansible: Ansible, tmp_path: Path) -> None:
    """Item 27: no data key, value or limit becomes one of strata's flags."""
    root = tmp_path / "inv"
    ran = command_inventory(root, None)
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg")}
    cfg = config(tmp_path, root, data={"--allow-exec": "-1", "-i": "--refresh"}, allow_exec=False)
    done = ansible.run("ansible-inventory", "-i", str(cfg), "--list", env=env, ok=False)
    assert not ran.exists() and "source_not_run" in done.stderr
    (root / "sources" / "cmdb.toml").unlink()
    seen = ansible.inventory(cfg, "--list", env=env)
    assert seen["_meta"]["hostvars"]["w1"] == {"--allow-exec": "-1", "-i": "--refresh"}
    cfg = config(tmp_path, root, limit="-w1")
    done = ansible.run("ansible-inventory", "-i", str(cfg), "--list", ok=False)
    assert done.returncode != 0 and "-w1" in done.stderr
    assert "unexpected argument" not in done.stderr and "matches no" in done.stderr


def test_relative_strata_bin_is_resolved_from_the_current_directory(ansible: Ansible, tmp_path: Path) -> None:
    """Item 31 (tests/attacks/31 too): $STRATA_BIN relative to where Ansible runs; the option
    relative to the configuration file."""
    (tmp_path / "cwd").mkdir()
    (tmp_path / "cwd" / "strata").symlink_to(strata_bin())
    cfg = config(tmp_path / "conf", EXAMPLES["basic"])
    done = subprocess.run(
        [str(ansible.bin_dir / "ansible-inventory"), "-i", str(cfg), "--list"],
        capture_output=True,
        text=True,
        cwd=tmp_path / "cwd",
        env={**ansible.env, "PATH": "/usr/bin:/bin", "STRATA_BIN": "./strata"},
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["databases"]["hosts"] == ["db1.example.com"]


def test_values_that_would_change_type_are_refused(ansible: Ansible, tmp_path: Path) -> None:
    """Item 32: never a string for a value that was not one."""
    spec = importlib.util.spec_from_file_location("toml_values", COLLECTION / "plugins/plugin_utils/toml_values.py")
    assert spec and spec.loader
    values = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(values)
    odd = timezone(timedelta(hours=5, minutes=30, seconds=15))
    with pytest.raises(ValueError, match="offset with seconds"):
        values.to_toml(datetime(2025, 1, 2, 3, 4, tzinfo=odd))
    deep: list = [1]
    for _ in range(80):
        deep = [deep]
    with pytest.raises(ValueError, match="nested more than 64"):
        values.to_toml(deep)
    with pytest.raises(ValueError, match="nested more than 64"):
        values.to_toml({"a": deep})
    ok: list = [1]
    for _ in range(63):
        ok = [ok]
    assert values.to_toml(ok).startswith("[" * 64)

    # Through the plugin: a clear error naming the key, never a string.
    cfg = tmp_path / "deep.strata.yml"
    cfg.write_text(
        f"plugin: strata.strata.inventory\npath: {EXAMPLES['basic']}\n"
        f"data:\n  when: 2025-01-02T03:04:05+05:30\n  deep: {'[' * 81}1{']' * 81}\n"
    )
    done = ansible.run("ansible-inventory", "-i", str(cfg), "--list", ok=False)
    assert done.returncode != 0 and "option data, key 'deep'" in done.stderr


# -- item 28: trust --------------------------------------------------------------


def unsafe_inventory(root: Path) -> None:
    (root / "sources").mkdir(parents=True)
    (root / "exports").mkdir()
    (root / "hosts.toml").write_text('web = ["w1"]\n')
    (root / "sources" / "cmdb.toml").write_text('file = "exports/cmdb.json"\n')
    doc = {
        "web": ["w1"],
        "_meta": {
            "hostvars": {
                "w1": {
                    "unsafe": {"__ansible_unsafe": "{{ 1 + 1 }}"},
                    "nested": [{"__ansible_unsafe": "{{ 2 + 2 }}"}],
                    "template": "{{ 3 + 3 }}",
                }
            }
        },
    }
    (root / "exports" / "cmdb.json").write_text(json.dumps(doc))


def test_unsafe_values_stay_unsafe(ansible: Ansible, tmp_path: Path) -> None:
    """Item 28: a source's __ansible_unsafe and `!unsafe` in data: are never templates, through
    the plugin as through the wrapper script; an ordinary string still is one."""
    root = tmp_path / "inv"
    unsafe_inventory(root)
    cfg = tmp_path / "cfg" / "inventory.strata.yml"
    cfg.parent.mkdir()
    cfg.write_text(
        f"plugin: strata.strata.inventory\npath: {root}\n"
        "data:\n  from_data: !unsafe '{{ 4 + 4 }}'\n  deep: [!unsafe '{{ 5 + 5 }}']\n"
    )
    want = json.loads(
        strata(
            "-i", str(root), "--data", 'from_data={ "__ansible_unsafe" = "{{ 4 + 4 }}" }',
            "--data", 'deep=[{ "__ansible_unsafe" = "{{ 5 + 5 }}" }]', "ansible", "--list",
        ).stdout
    )  # fmt: skip
    seen = ansible.inventory(cfg, "--list")
    assert seen["_meta"]["hostvars"]["w1"] == want["_meta"]["hostvars"]["w1"]
    assert seen["_meta"]["hostvars"]["w1"]["from_data"] == {"__ansible_unsafe": "{{ 4 + 4 }}"}
    # The wrapper script (Ansible's script plugin) agrees for the source's values.
    through_script = ansible.inventory(wrapper(tmp_path / "script", root), "--list")
    for key in ("unsafe", "nested", "template"):
        assert through_script["_meta"]["hostvars"]["w1"][key] == seen["_meta"]["hostvars"]["w1"][key]

    done = ansible.run(
        "ansible", "all", "-i", str(cfg), "-c", "local", "-m", "ansible.builtin.debug",
        "-a", "msg={{ [unsafe, nested[0], template, from_data, deep[0]] | join('|') }}",
        env={"ANSIBLE_PYTHON_INTERPRETER": str(ansible.bin_dir / "python"), "ANSIBLE_GATHERING": "explicit"},
    )  # fmt: skip
    assert "{{ 1 + 1 }}|{{ 2 + 2 }}|6|{{ 4 + 4 }}|{{ 5 + 5 }}" in done.stdout, done.stdout


def test_cache_entries_are_data(ansible: Ansible, tmp_path: Path) -> None:
    """Item 29 (tests/attacks/29 too): with a cache, strata's strings are never templates, unsafe
    markers survive the cache, and an edited entry is refused: strata runs again."""
    root = tmp_path / "inv"
    unsafe_inventory(root)
    script, log = counting_strata(tmp_path / "bin")
    cfg = cached_config(tmp_path, root, script)
    first = ansible.inventory(cfg, "--list")
    assert ansible.inventory(cfg, "--list") == first
    assert runs(log) == 1
    hostvars = first["_meta"]["hostvars"]["w1"]
    assert hostvars["unsafe"] == {"__ansible_unsafe": "{{ 1 + 1 }}"}
    assert hostvars["template"] == {"__ansible_unsafe": "{{ 3 + 3 }}"}  # data, with a cache

    (entry,) = (tmp_path / "cache").iterdir()
    outer = json.loads(entry.read_text())
    inner = json.loads(outer["__payload__"]) if "__payload__" in outer else outer
    doc = json.loads(inner["output"])
    doc["web"]["hosts"].append("evil")
    doc["_meta"]["hostvars"]["evil"] = {}
    inner["output"] = json.dumps(doc)
    if "__payload__" in outer:
        outer["__payload__"] = json.dumps(inner)
    else:
        outer = inner
    entry.write_text(json.dumps(outer))
    seen = ansible.inventory(cfg, "--list")
    assert "evil" not in seen["_meta"]["hostvars"] and "evil" not in seen["web"]["hosts"]
    assert runs(log) == 2


OK_DOC = {"all": {"vars": {}}, "ungrouped": {"hosts": []}, "_meta": {"hostvars": {}}}
WEB = {"hosts": [], "priority": 1, "vars": {}}


@pytest.mark.parametrize(
    "bad",
    [
        {**OK_DOC, "web": {**WEB, "hosts": ["x"]}},  # x has no hostvars
        {"all": {"vars": {}}, "web": WEB, "_meta": {"hostvars": {}}},  # no ungrouped
        {"ungrouped": {"hosts": []}, "_meta": {"hostvars": {}}},  # no all
        {**OK_DOC, "all": {"vars": {}, "hosts": []}},  # all with hosts
        {**OK_DOC, "web": {"hosts": []}},  # a group without priority and vars
        {**OK_DOC, "web": {**WEB, "priority": "1"}},
        {**OK_DOC, "web": {**WEB, "priority": True}},
        {**OK_DOC, "web": {**WEB, "children": ["db"]}},  # a child that is not a group of the output
        {**OK_DOC, "web": {**WEB, "children": ["web"]}},  # its own child
        {**OK_DOC, "web": {**WEB, "children": "db"}},
        {**OK_DOC, "web": {**WEB, "vars": []}},
        {**OK_DOC, "web": {**WEB, "vars": {"k": {"__ansible_unsafe": 1}}}},
        {**OK_DOC, "all": {"vars": {"k": {"__ansible_unsafe": "a", "b": 1}}}},
        {**OK_DOC, "_meta": {"hostvars": {"h": {"k": {"__ansible_unsafe": 1}}}}},
        {**OK_DOC, "_meta": {"hostvars": {"h": {"k": {"__ansible_unsafe": "a", "b": 1}}}}},
        {**OK_DOC, "all": {"vars": {"k": {"__ansible_vault": ["$ANSIBLE_VAULT;1.1;AES256"]}}}},
        {**OK_DOC, "_meta": {"hostvars": {"h": {"k": [{"__ansible_vault": "$ANSIBLE_VAULT;1.1;AES256", "b": 1}]}}}},
        {**OK_DOC, "_meta": {"hostvars": {}, "strata": {"files": ["rel"], "command_sources": 0}}},
        [],
    ],
)
def test_check_document_refuses_other_shapes(bad: object, ansible: Ansible, collections: Path) -> None:
    """Anything but strata's own output shape is refused (a cache entry is validated with this)."""
    code = (
        "import json, sys\n"
        "from ansible_collections.strata.strata.plugins.inventory.inventory import check_document\n"
        "try:\n    check_document(json.loads(sys.argv[1]))\nexcept ValueError as e:\n    print('refused:', e)\n"
    )
    done = subprocess.run(
        [str(ansible.bin_dir / "python"), "-c", code, json.dumps(bad)],
        capture_output=True,
        text=True,
        env={**ansible.env, "PYTHONPATH": str(collections)},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("refused:"), done.stdout


def test_check_document_takes_strata_s_structured_output(ansible: Ansible, collections: Path) -> None:
    """The shapes above are refused for what they are: strata's own output, and OK_DOC, pass."""
    code = (
        "import json, sys\n"
        "from ansible_collections.strata.strata.plugins.inventory.inventory import check_document\n"
        "for doc in sys.argv[1:]:\n    check_document(json.loads(doc))\nprint('taken')\n"
    )
    docs = [json.dumps(OK_DOC), json.dumps({**OK_DOC, "web": WEB})]
    for root in (EXAMPLES["basic"], EXAMPLES["connectors"], FIXTURES / "ungrouped", FIXTURES / "nested"):
        docs.append(strata("-i", str(root), "ansible", "--list", "--structured", "--meta").stdout)
    done = subprocess.run(
        [str(ansible.bin_dir / "python"), "-c", code, *docs],
        capture_output=True,
        text=True,
        env={**ansible.env, "PYTHONPATH": str(collections)},
    )
    assert done.returncode == 0 and done.stdout == "taken\n", done.stderr


def test_the_fast_converters_keep_to_ansible_s_trust(ansible: Ansible, collections: Path) -> None:
    """_populate converts values with _trusted/_untrusted (exact JSON types first, for speed): each
    gives what _to_ansible gives, value and trust, string by string; an unsafe marker is never a
    template, trusted or not."""
    code = r"""
import json
from ansible.template import is_trusted_as_template
from ansible_collections.strata.strata.plugins.inventory.inventory import _converter, _to_ansible

def shape(v):
    if isinstance(v, str):
        return ("str", str(v), is_trusted_as_template(v))
    if isinstance(v, list):
        return ["list", *map(shape, v)]
    if isinstance(v, dict):
        return {k: shape(x) for k, x in v.items()}
    return (type(v).__name__, v)

values = [
    "a {{ x }}", 1, 2.5, True, None, [], {}, ["a", 1, [None, "b"]],
    {"__ansible_unsafe": "{{ lookup('pipe', 'id') }}"},
    {"k": [{"__ansible_unsafe": "u"}, "t", {"n": False}], "s": "v"},
    [{"__ansible_unsafe": "u"}],
]
for trusted in (True, False):
    for value in values:
        fast, slow = _converter(trusted)(json.loads(json.dumps(value))), _to_ansible(value, trusted)
        assert shape(fast) == shape(slow), (trusted, value, shape(fast), shape(slow))
    assert not is_trusted_as_template(_converter(trusted)({"__ansible_unsafe": "{{ x }}"}))
    assert is_trusted_as_template(_converter(trusted)("{{ x }}")) is trusted
print("same")
"""
    done = subprocess.run(
        [str(ansible.bin_dir / "python"), "-c", code],
        capture_output=True,
        text=True,
        env={**ansible.env, "PYTHONPATH": str(collections)},
    )
    assert done.returncode == 0 and done.stdout == "same\n", done.stderr


def test_a_directory_given_to_ansible_with_a_strata_inventory_inside(ansible: Ansible, tmp_path: Path) -> None:
    """Item 19: `ansible -i dir/` reads every file of dir/ with every plugin. The layouts of
    docs/ansible.md keep Ansible's own plugins off strata's files: the strata inventory outside
    the directory, or inside it under a name `ignore_patterns` skips."""
    want = json.loads(strata("-i", str(EXAMPLES["basic"]), "ansible", "--list").stdout)

    # The trap: the strata inventory inside dir/, nothing ignored.
    trap = tmp_path / "trap"
    copy_inventory(EXAMPLES["basic"], trap / "production")
    config(trap, trap / "production", name="production.strata.yml")
    done = ansible.run(
        "ansible-inventory", "-i", f"{trap}/", "--list", ok=False, env={"ANSIBLE_INVENTORY_UNPARSED_FAILED": "0"}
    )
    assert "toml" in done.stderr and "[WARNING]" in done.stderr  # what the layouts avoid

    # Layout 1: dir/ holds the *.strata.yml only; the strata inventory lives beside it.
    outside = tmp_path / "outside"
    copy_inventory(EXAMPLES["basic"], outside / "strata" / "production")
    config(outside / "inventory", outside / "strata" / "production", name="production.strata.yml")
    done = ansible.run("ansible-inventory", "-i", f"{outside / 'inventory'}/", "--list")
    assert "[WARNING]" not in done.stderr, done.stderr
    assert_same_as_strata(json.loads(done.stdout), want)

    # Layout 2: inside dir/, as production.strata/, with ignore_patterns = \.strata$ in ansible.cfg.
    inside = tmp_path / "inside"
    copy_inventory(EXAMPLES["basic"], inside / "inventory" / "production.strata")
    config(inside / "inventory", inside / "inventory" / "production.strata", name="production.strata.yml")
    cfg = inside / "ansible.cfg"
    cfg.write_text("[inventory]\nignore_patterns = \\.strata$\n")
    done = ansible.run(
        "ansible-inventory", "-i", f"{inside / 'inventory'}/", "--list", env={"ANSIBLE_CONFIG": str(cfg)}
    )
    assert "[WARNING]" not in done.stderr, done.stderr
    seen = json.loads(done.stdout)
    assert_same_as_strata(seen, want)
    alone = ansible.inventory(inside / "inventory" / "production.strata.yml", "--list")
    assert seen["all"]["children"] == alone["all"]["children"]  # the group order of the file alone


# -- issue 21: the structure, not the flattening ---------------------------------

# The inventories every host of which Ansible must see exactly as `strata host NAME` does.
STRUCTURE_CASES = {
    **{f"example-{name}": path for name, path in EXAMPLES.items()},
    "example-cmdb-file": REPO / "examples" / "cmdb-file",
    # tests/fixtures that load (the others are broken on purpose, for error messages).
    **{
        f"fixture-{name}": FIXTURES / name
        for name in (
            "ansible-names",
            "budget-small",
            "datetimes",
            "empty",
            "host-other-files",
            "merge",
            "misnamed",
            "multiline",
            "schema",
            "ungrouped",
            "warnings",
        )
    },  # fmt: skip
    # The inventories this file writes.
    "precedence": PRECEDENCE,
    "unsafe": unsafe_inventory,
}

# Waterfall corners written for this test: a host's groups in strata's order against their names'
# order, a key a later group repeats, a value only some hosts' groups give, a host file equal to its
# group's value, `ungrouped` with data, a group key named ansible_group_priority, tables replaced
# whole (never merged), connector hosts, a file source's groups, children, vars and host variables.
CORNERS = {
    "hosts.toml": """
        zeta = ["a1", "a2", { name = "a3", data = { colour = "inline-a3" } }]
        alpha = ["a2", "b1", "@local"]
        mid = ["a1", "b1"]
        ungrouped = ["u1", "a1"]

        [all]
        hosts = ["a1", "a2", "a3", "b1", "u1", "lone", "@local", "@docker/box"]
        data = { colour = "global", table = { x = 1, y = 2 }, only_global = true }
    """,
    "group_data/zeta.toml": """
        colour = "zeta"
        table = { x = 10 }
        port = 1
        ansible_group_priority = 99
    """,
    "group_data/alpha.toml": """
        colour = "alpha"
        port = 2
        list = [1, 2]
    """,
    "group_data/mid.toml": """
        port = 3
        mid_only = "m"
    """,
    "group_data/ungrouped.toml": """
        colour = "ungrouped"
        u_only = 1
    """,
    "host_data/a2.toml": """
        port = 2
        own = "a2"
    """,
    "sources/cmdb.toml": 'file = "exports/cmdb.json"\n',
    "exports/cmdb.json": json.dumps(
        {
            "all": {"vars": {"from_source_all": 1}},
            "role_db": {"hosts": ["b1", "c1"], "vars": {"colour": "source", "port": 7}, "children": ["leaf"]},
            "leaf": {"hosts": ["c2"], "vars": {"port": 8}},
            "_meta": {"hostvars": {"c1": {"rack": "r1"}, "b1": {"colour": "cmdb-b1"}}},
        }
    ),
}


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text))
    return root


def strata_hosts(root: Path, names: list[str]) -> dict[str, dict]:
    """`strata host NAME --format json`, the oracle, for each name."""
    return {h: strata_json("-i", str(root), "host", h, "--format", "json") for h in names}


def debug_hostvars(ansible: Ansible, source: Path, hosts: list[str]) -> dict[str, dict]:
    """`ansible HOSTS -m debug -a var=hostvars[inventory_hostname]`: what a task sees of each host."""
    pattern = ",".join(f"~^{re.escape(h)}$" for h in hosts)  # names like @local are not patterns
    done = ansible.run(
        "ansible", pattern, "-i", str(source), "-m", "debug", "-a", "var=hostvars[inventory_hostname]",
        env={"ANSIBLE_GATHERING": "explicit"},
    )  # fmt: skip
    seen, current, lines = {}, None, []
    for line in done.stdout.splitlines():
        if current is None and line.endswith(" | SUCCESS => {"):
            current, lines = line.split(" | ")[0], ["{"]
        elif current is not None:
            lines.append(line)
            if line == "}":
                seen[current] = json.loads("\n".join(lines))["hostvars[inventory_hostname]"]
                current = None
    assert set(seen) == set(hosts), done.stdout
    return seen


# What Ansible adds to every host's variables itself, and what names the inventory source.
SOURCE_VARS = {"inventory_file", "inventory_dir", "ansible_inventory_sources"}


def check_structure(ansible: Ansible, root: Path, tmp_path: Path, ask: int = 3, oracle_all: bool = True) -> dict:
    """Every host's variables as Ansible computes them through the plugin, in `ansible-inventory
    --list` and in a task, equal `strata host NAME --format json`, value for value."""
    cfg = config(tmp_path / "cfg", root)
    flat = json.loads(strata("-i", str(root), "ansible", "--list").stdout)["_meta"]["hostvars"]
    names = list(flat)
    want = strata_hosts(root, names if oracle_all else [*names[:ask], *names[-ask:]])
    for host, data in want.items():
        assert flat[host] == data, host  # the oracle and the flattening agree
    want = {h: want.get(h, flat[h]) for h in names}

    hostvars = ansible.inventory(cfg, "--list")["_meta"]["hostvars"]
    assert set(hostvars) <= set(names)
    for host in names:
        assert hostvars.get(host, {}) == want[host], host

    if names:
        asked = list(dict.fromkeys([*names[:ask], names[len(names) // 2], names[-1]]))
        through_plugin = debug_hostvars(ansible, cfg, asked)
        through_script = debug_hostvars(ansible, wrapper(tmp_path / "script", root), asked)
        for host in asked:
            seen = plain(through_plugin[host])
            # A plain string with {{ }} is a template in a task (docs/ansible.md), as through the script.
            data = {k: v for k, v in want[host].items() if not (isinstance(v, str) and "{{" in v)}
            assert {k: seen.get(k) for k in data} == plain(data), host
            # Nothing more than what Ansible gives every host through the flattening.
            extra = {k: v for k, v in seen.items() if k not in SOURCE_VARS}
            script = {k: v for k, v in plain(through_script[host]).items() if k not in SOURCE_VARS}
            # Ansible lists a group's descendants' hosts in the order it iterates a set of groups
            # (Group._walk_relationship), which varies from process to process: compare members.
            for side in (extra, script):
                side["groups"] = {g: sorted(hosts) for g, hosts in side.get("groups", {}).items()}
            assert extra == script, host
    return json.loads(strata("-i", str(root), "ansible", "--list", "--structured").stdout)


@pytest.mark.parametrize("name", sorted(STRUCTURE_CASES))
def test_ansible_vars_equal_strata_host_on_every_inventory(name: str, ansible: Ansible, tmp_path: Path) -> None:
    """Issue 21, item 1: on every example and test inventory, every host's variables as Ansible
    computes them (group variables, priorities and host variables) are `strata host NAME`."""
    case = STRUCTURE_CASES[name]
    if isinstance(case, dict):
        root = write_tree(tmp_path / "inv", case)
    elif callable(case):
        root = tmp_path / "inv"
        case(root)
    else:
        root = copy_inventory(case, tmp_path / "inv")
    check_structure(ansible, root, tmp_path)


def test_ansible_vars_equal_strata_host_on_waterfall_corners(ansible: Ansible, tmp_path: Path) -> None:
    root = write_tree(tmp_path / "inv", CORNERS)
    doc = check_structure(ansible, root, tmp_path)
    own = doc["_meta"]["hostvars"]
    # The structure is used: group data on the groups, not on each host.
    assert doc["mid"]["vars"]["mid_only"] == "m" and "mid_only" not in own["b1"]
    assert doc["all"]["vars"]["only_global"] is True and "only_global" not in own["lone"]
    # strata's group order, not names: zeta (1st) under alpha (2nd) for a2.
    assert doc["zeta"]["priority"] < doc["alpha"]["priority"] < doc["mid"]["priority"]
    # A user's ansible_group_priority is data, never a priority: its hosts get it as their own.
    assert "ansible_group_priority" not in doc["zeta"]["vars"]
    assert own["a1"]["ansible_group_priority"] == 99
    # `ungrouped` carries no variables (Ansible drops a host from it once it has another group).
    assert doc["ungrouped"]["vars"] == {} and own["u1"]["u_only"] == 1
    # The same through --limit and --data (the override layer is on top of everything).
    cfg = config(tmp_path / "limited", root, limit="a*,lone", data={"port": 42, "colour": "override"})
    hostvars = ansible.inventory(cfg, "--list")["_meta"]["hostvars"]
    args = ["--limit", "a*,lone", "--data", "port=42", "--data", "colour=override"]
    for host in ("a1", "a2", "a3", "lone"):
        assert hostvars[host] == strata_json("-i", str(root), *args, "host", host, "--format", "json"), host
    assert set(hostvars) == {"a1", "a2", "a3", "lone"}


def test_ansible_vars_equal_strata_host_on_1000_gen_hosts(ansible: Ansible, tmp_path: Path) -> None:
    """Issue 21's proof at 1,000 hosts of bench/gen.py content; and the host variables are few."""
    subprocess.run([sys.executable, str(GEN_PY), "1000", str(tmp_path / "gen")], check=True, capture_output=True)
    root = tmp_path / "gen" / "strata"
    doc = check_structure(ansible, root, tmp_path, oracle_all=False)
    flat = json.loads(strata("-i", str(root), "ansible", "--list").stdout)["_meta"]["hostvars"]
    own = sum(len(v) for v in doc["_meta"]["hostvars"].values())
    assert own * 2 < sum(len(v) for v in flat.values()), own


# tests/fixtures/merge's merged values, worked out by hand from its files (docs/precedence.md,
# "Merge strategies"): unique with knockouts (packages), hash with a knockout (sysctl), deep
# (features), a nested path (app.limits), a glob (fw_rules).
MERGED = {
    "w1": {
        "packages": ["nginx", "curl", "htop"],
        "sysctl": {"net.core.somaxconn": 1024, "vm.swappiness": 10},
        "features": {"tls": {"min": "1.3", "ciphers": ["a", "b"]}, "log": {"format": "json", "level": "info"}},
        "app": {"name": "web", "limits": {"cpu": 4, "mem": 2}},
        "fw_rules": ["80", "443", "22"],
    },
    "w2": {
        "packages": ["nginx", "curl", "htop", "vim"],
        "sysctl": {"net.core.somaxconn": 1024, "vm.swappiness": 60},
        "features": {"tls": {"min": "1.3", "ciphers": ["a", "b"]}, "log": {"format": "json", "level": "info"}},
        "app": {"name": "web", "limits": {"cpu": 4, "mem": 2}},
        "fw_rules": ["80", "443", "22"],
    },
    "d1": {
        "packages": ["htop", "tmux", "curl", "vim"],
        "sysctl": {"vm.swappiness": 60, "net.core.somaxconn": 128, "legacy": 1},
        "features": {"tls": {"min": "1.2", "ciphers": ["a", "b"]}, "log": {"level": "info"}},
        "app": {"name": "base", "limits": {"cpu": 1, "mem": 2}},
        "fw_rules": ["22"],
    },
}


def test_merge_strategies_through_the_plugin(ansible: Ansible, tmp_path: Path) -> None:
    """Issue 24's proof, "the same inventory through the plugin": with the strata.strata.inventory
    plugin and no hash_behaviour, the real ansible-inventory and a task (`ansible -m debug`) see every
    strategy's merged value of tests/fixtures/merge, equal to `strata host NAME --format json`; the
    group variables the plugin gives Ansible stay as written (knockouts included), so the merged
    values Ansible sees are strata's, not a merge of Ansible's."""
    root = copy_inventory(FIXTURES / "merge", tmp_path / "inv")
    structured = check_structure(ansible, root, tmp_path)
    assert structured["web"]["vars"]["packages"] == ["nginx", "--tmux", "curl"]
    want = strata_hosts(root, list(MERGED))
    cfg = config(tmp_path / "merged", root)
    listed = ansible.inventory(cfg, "--list")["_meta"]["hostvars"]
    asked = {h: ansible.inventory(cfg, "--host", h) for h in MERGED}
    in_task = debug_hostvars(ansible, cfg, list(MERGED))
    for host, merged in MERGED.items():
        assert want[host] == merged, host  # strata's merge is the one worked out by hand
        for key, value in merged.items():
            seen = (listed[host][key], asked[host][key], plain(in_task[host][key]))
            assert seen == (value, value, value), (host, key)  # lists in strata's order


def test_constructed_group_named_like_a_strata_group_keeps_strata_s_values(ansible: Ansible, tmp_path: Path) -> None:
    """keyed_groups may put a host into one of strata's groups: the host keeps its resolved data."""
    root = write_tree(tmp_path / "inv", CORNERS)
    cfg = config(tmp_path / "cfg", root, keyed_groups=[{"key": "'alpha'", "prefix": "", "separator": ""}])
    hostvars = ansible.inventory(cfg, "--list")["_meta"]["hostvars"]
    assert hostvars["a3"]["colour"] == "inline-a3" and hostvars["u1"]["colour"] == "ungrouped"
    assert hostvars["lone"]["colour"] == "global"


def test_group_vars_beside_the_config(ansible: Ansible, tmp_path: Path) -> None:
    """What docs/ansible.md says of group_vars/ beside a *.strata.yml: Ansible's own vars plugin reads
    it on top of the inventory's group variables. Where strata hands a value to a group (or to `all`),
    group_vars/<group>.yml wins; where the host holds strata's value as its own, the host's wins; a
    key strata does not define is added."""
    root = copy_inventory(EXAMPLES["basic"], tmp_path / "inv")
    cfg = config(tmp_path / "cfg", root)
    (tmp_path / "cfg" / "group_vars").mkdir()
    (tmp_path / "cfg" / "group_vars" / "webservers.yml").write_text("app_port: 1\napp_workers: 2\nextra: yes\n")
    (tmp_path / "cfg" / "group_vars" / "all.yml").write_text("timezone: Mars\n")
    doc = json.loads(strata("-i", str(root), "ansible", "--list", "--structured").stdout)
    hostvars = ansible.inventory(cfg, "--list")["_meta"]["hostvars"]
    for host in ("web1.example.com", "web2.example.com"):
        want = strata_json("-i", str(root), "host", host, "--format", "json")
        own = doc["_meta"]["hostvars"][host]
        for key, value in (("app_port", 1), ("app_workers", 2)):
            assert hostvars[host][key] == (want[key] if key in own else value), (host, key)
        assert hostvars[host]["extra"] is True and hostvars[host]["timezone"] == "Mars"
    assert "extra" not in hostvars["db1.example.com"] and hostvars["db1.example.com"]["timezone"] == "Mars"
    # web1's app_port is its own (host_data), web2's app_workers comes from the group.
    assert hostvars["web1.example.com"]["app_port"] == 8001 and hostvars["web2.example.com"]["app_workers"] == 2


def test_two_strata_inventories_in_one_run_need_structured_false(ansible: Ansible, tmp_path: Path) -> None:
    """docs/ansible.md: Ansible shares `all` (and groups of one name) between inventory sources, so two
    strata inventories in one run (production and staging in one -i dir/) mix their global data unless
    `structured: false` gives every host its resolved data as its own."""
    multi = REPO / "examples" / "multi-env"
    want = {}
    for env in ("production", "staging"):
        flat = json.loads(strata("-i", str(multi / env), "ansible", "--list").stdout)["_meta"]["hostvars"]
        assert not set(flat) & set(want)
        want.update(flat)
    for structured, equal in ((True, False), (False, True)):
        folder = tmp_path / str(structured)
        for env in ("production", "staging"):
            config(folder, multi / env, name=f"{env}.strata.yml", structured=structured)
        hostvars = ansible.inventory(Path(f"{folder}/"), "--list")["_meta"]["hostvars"]
        assert set(hostvars) == set(want)
        assert (hostvars == want) is equal


def test_cache_keeps_the_structure(ansible: Ansible, tmp_path: Path) -> None:
    """Issue 21, item 2: the cache entry is strata's structured output, so a hit runs no strata and
    populates as little as a miss; the hit's hosts still equal `strata host NAME`."""
    root = write_tree(tmp_path / "inv", CORNERS)
    script, log = counting_strata(tmp_path / "bin")
    cfg = cached_config(tmp_path, root, script)
    first = ansible.inventory(cfg, "--list", "--export")
    (entry,) = (tmp_path / "cache").iterdir()
    outer = json.loads(entry.read_text())
    inner = json.loads(outer["__payload__"]) if "__payload__" in outer else outer
    assert json.loads(inner["output"]) == json.loads(
        strata("-i", str(root), "ansible", "--list", "--structured", "--meta").stdout
    )
    hit = ansible.inventory(cfg, "--list", "--export")
    assert runs(log) == 1
    assert hit == first
    assert plain(hit["mid"]["vars"]["mid_only"]) == "m" and "mid_only" not in hit["_meta"]["hostvars"].get("b1", {})
    hostvars = ansible.inventory(cfg, "--list")["_meta"]["hostvars"]
    assert runs(log) == 1
    for host, data in strata_hosts(root, list(hostvars)).items():
        assert plain(hostvars[host]) == plain(data), host  # with a cache every string is data


# -- issue 23 item 3: vault-encrypted values and unsafe strings, as the importer writes them -----------


def debug_env(ansible: Ansible) -> dict[str, str]:
    return {"ANSIBLE_PYTHON_INTERPRETER": str(ansible.bin_dir / "python"), "ANSIBLE_GATHERING": "explicit"}


def encrypt_string(ansible: Ansible, password_file: Path, plaintext: str) -> str:
    """The ciphertext `ansible-vault encrypt_string` makes of `plaintext` (its `!vault |` block, unindented)."""
    done = ansible.run("ansible-vault", "encrypt_string", "--vault-password-file", str(password_file), plaintext)
    lines = done.stdout.splitlines()
    assert lines[0].strip() == "!vault |", done.stdout
    ciphertext = "\n".join(line.strip() for line in lines[1:]) + "\n"
    assert ciphertext.startswith("$ANSIBLE_VAULT;1.1;AES256\n")
    return ciphertext


def vault_inventory(ansible: Ansible, root: Path, password_file: Path) -> Path:
    """w1 and w2 in web; `secret` encrypted in group_data (w1) and host_data (w2), as the importer writes
    it; `raw` an unsafe string; `plain` an ordinary template."""
    password_file.write_text("correct horse battery staple\n")
    group_secret = encrypt_string(ansible, password_file, "group-secret-1")
    host_secret = encrypt_string(ansible, password_file, "host-secret-2")
    files = {
        "hosts.toml": 'web = ["w1", "w2"]\n',
        "group_data/web.toml": (
            f'secret = {{ __ansible_vault = """\n{group_secret}""" }}\n'
            "raw = { __ansible_unsafe = \"{{ lookup('env','HOME') }}\" }\n"
            'plain = "{{ 20 + 1 }}"\n'
        ),
        "host_data/w2.toml": f'secret = {{ __ansible_vault = """\n{host_secret}""" }}\n',
    }
    return write_tree(root, files)


def debug_lines(stdout: str) -> dict[str, object]:
    """`ansible -m debug -a var=K` output: host -> the printed value of K."""
    seen = {}
    for match in re.finditer(r"^(\S+) \| SUCCESS => (\{.*?^\})", stdout, re.M | re.S):
        seen[match.group(1)] = json.loads(match.group(2))
    return seen


@pytest.mark.parametrize("route", ["plugin", "plugin-cache", "script"])
def test_vault_values_are_decrypted_by_ansible_only(route: str, ansible: Ansible, tmp_path: Path) -> None:
    """A vault value in group_data and host_data reaches Ansible encrypted, through the plugin (with and
    without its cache) and through `strata ansible --list` as a script: with the password Ansible prints
    the plaintext, without it Ansible cannot decrypt (strata never decrypted it). An unsafe string stays
    literal, an ordinary one is still a template."""
    password = tmp_path / "vault-password"
    root = vault_inventory(ansible, tmp_path / "inv", password)
    listed = strata("-i", str(root), "ansible", "--list").stdout
    assert "group-secret-1" not in listed and "host-secret-2" not in listed
    assert json.loads(listed)["_meta"]["hostvars"]["w2"]["secret"]["__ansible_vault"].startswith("$ANSIBLE_VAULT;")
    script, log = counting_strata(tmp_path / "bin")
    if route == "script":
        source = wrapper(tmp_path / "script", root)
    elif route == "plugin":
        source = config(tmp_path / "cfg", root, strata_bin=str(script))
    else:
        source = cached_config(tmp_path, root, script)
    env = debug_env(ansible)
    base = ("ansible", "all", "-i", str(source), "-c", "local", "-m", "ansible.builtin.debug")

    done = ansible.run(*base, "-a", "var=secret", "--vault-password-file", str(password), env=env)
    assert debug_lines(done.stdout) == {"w1": {"secret": "group-secret-1"}, "w2": {"secret": "host-secret-2"}}
    done = ansible.run(*base, "-a", "var=secret", env=env, ok=False)
    assert done.returncode != 0 and "group-secret-1" not in done.stdout + done.stderr
    assert "no vault secrets" in done.stdout + done.stderr, done.stdout + done.stderr
    done = ansible.run(*base, "-a", "var=raw", env=env)
    assert debug_lines(done.stdout) == {h: {"raw": "{{ lookup('env','HOME') }}"} for h in ("w1", "w2")}
    done = ansible.run(*base, "-a", "var=plain", env=env)
    want_plain = "{{ 20 + 1 }}" if route == "plugin-cache" else 21  # with a cache, strings are data
    assert debug_lines(done.stdout) == {h: {"plain": want_plain} for h in ("w1", "w2")}

    # ansible-inventory shows what Ansible holds: the ciphertext, as strata wrote it.
    seen = ansible.inventory(source, "--list")
    assert seen["_meta"]["hostvars"]["w1"]["secret"] == json.loads(listed)["_meta"]["hostvars"]["w1"]["secret"]
    assert seen["_meta"]["hostvars"]["w2"]["secret"] == json.loads(listed)["_meta"]["hostvars"]["w2"]["secret"]
    if route == "plugin-cache":
        assert runs(log) == 1  # every run after the first was answered by the cache
        (entry,) = (tmp_path / "cache").iterdir()
        assert "$ANSIBLE_VAULT;" in entry.read_text() and "group-secret-1" not in entry.read_text()
    elif route == "plugin":
        assert runs(log) == 5  # one per command


def test_vault_and_unsafe_values_with_compose_and_keyed_groups(ansible: Ansible, tmp_path: Path) -> None:
    """compose and keyed_groups see Ansible's values: composing a vault value decrypts it when Ansible
    has the password (and leaves it out, non-strict, when not), and so does a keyed group from it; one
    from an unsafe string is named from its literal text; nothing crashes, cached or not."""
    password = tmp_path / "vault-password"
    root = vault_inventory(ansible, tmp_path / "inv", password)
    script, _log = counting_strata(tmp_path / "bin")
    options = {
        "compose": {"copied": "secret", "raw_again": "raw"},
        "keyed_groups": [{"key": "raw", "prefix": "raw"}, {"key": "secret", "prefix": "s"}],
    }
    for source in (config(tmp_path / "plain", root, **options), cached_config(tmp_path, root, script, **options)):
        seen = ansible.inventory(source, "--list", "--vault-password-file", str(password))
        w2 = seen["_meta"]["hostvars"]["w2"]
        assert w2["secret"]["__ansible_vault"].startswith("$ANSIBLE_VAULT;")
        assert plain(w2["copied"]) == "host-secret-2"  # composing renders it: Ansible decrypts, given the password
        assert plain(w2["raw_again"]) == "{{ lookup('env','HOME') }}"
        assert [seen[g]["hosts"] for g in seen if g.startswith("raw_")] == [["w1", "w2"]]
        assert seen["s_group_secret_1"]["hosts"] == ["w1"] and seen["s_host_secret_2"]["hosts"] == ["w2"]
        # Without the password the expressions that need the plaintext fail, as Ansible's own non-strict
        # compose fails: the inventory still loads, the value still encrypted.
        seen = ansible.inventory(source, "--list")
        w2 = seen["_meta"]["hostvars"]["w2"]
        assert "copied" not in w2 and "s_host_secret_2" not in seen
        assert w2["secret"]["__ansible_vault"].startswith("$ANSIBLE_VAULT;")
        assert [seen[g]["hosts"] for g in seen if g.startswith("raw_")] == [["w1", "w2"]]


def test_the_converters_make_ansible_s_encrypted_value(ansible: Ansible, collections: Path) -> None:
    """`{"__ansible_vault": ...}` becomes ansible-core's EncryptedString (never decrypted by the plugin),
    `{"__ansible_unsafe": ...}` an untrusted string, through the fast and the slow converters, trusted or
    not; a one-key dict of any other key stays a dict."""
    code = """
import json
from ansible.parsing.vault import EncryptedString
from ansible.template import is_trusted_as_template
from ansible_collections.strata.strata.plugins.inventory.inventory import _converter, _to_ansible

sealed = "$ANSIBLE_VAULT;1.1;AES256\\n6162\\n"
for trusted in (True, False):
    for convert in (_converter(trusted), lambda v: _to_ansible(v, trusted)):
        value = convert(json.loads(json.dumps({"s": {"__ansible_vault": sealed}, "l": [{"__ansible_vault": sealed}]})))
        for got in (value["s"], value["l"][0]):
            assert type(got) is EncryptedString and got._ciphertext == sealed and got._plaintext is None
        raw = convert({"__ansible_unsafe": "{{ x }}"})
        assert type(raw) is str and raw == "{{ x }}" and not is_trusted_as_template(raw)
        other = convert({"__ansible_other": "{{ x }}"})
        assert type(other) is dict and is_trusted_as_template(other["__ansible_other"]) is trusted
print("encrypted")
"""
    done = subprocess.run(
        [str(ansible.bin_dir / "python"), "-c", code],
        capture_output=True,
        text=True,
        env={**ansible.env, "PYTHONPATH": str(collections)},
    )
    assert done.returncode == 0 and done.stdout == "encrypted\n", done.stderr


def test_an_imported_vault_value_is_decrypted_by_ansible_through_the_plugin(ansible: Ansible, tmp_path: Path) -> None:
    """Issue 23's vault proof: an INI inventory whose group_vars hold `!vault` values made by
    `ansible-vault encrypt_string`, imported with `strata import ansible` (0 differences against the
    real ansible-inventory); then `ansible -m debug` through the plugin on the imported inventory prints
    the decrypted values with the password and cannot without it."""
    password = tmp_path / "vault-password"
    password.write_text("import vault password\n")
    source = tmp_path / "ansible"
    (source / "group_vars").mkdir(parents=True)
    (source / "host_vars").mkdir()
    (source / "hosts.ini").write_text("[web]\nw1\nw2\n\n[db]\nd1\n")

    def indent(ciphertext: str) -> str:
        return textwrap.indent(ciphertext, "  ")

    (source / "group_vars" / "web.yml").write_text(
        "db_password: !vault |\n" + indent(encrypt_string(ansible, password, "web-secret")) + "port: 80\n"
    )
    (source / "host_vars" / "d1.yml").write_text(
        "db_password: !vault |\n" + indent(encrypt_string(ansible, password, "d1-secret"))
    )
    out = tmp_path / "imported"
    done = subprocess.run(
        [
            strata_bin(),
            "import",
            "ansible",
            "-i",
            str(source / "hosts.ini"),
            "--ansible-inventory",
            str(ansible.bin_dir / "ansible-inventory"),
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**ansible.env, "NO_COLOR": "1"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert " identical" in done.stdout and "difference" not in done.stdout, done.stdout
    written = "".join(p.read_text() for p in out.rglob("*.toml"))
    assert "$ANSIBLE_VAULT;1.1;AES256" in written
    assert "web-secret" not in written and "d1-secret" not in written  # strata never decrypted it

    env = debug_env(ansible)
    base = ("ansible", "all", "-i", str(config(tmp_path / "cfg", out)), "-c", "local", "-m", "ansible.builtin.debug")
    done = ansible.run(*base, "-a", "var=db_password", "--vault-password-file", str(password), env=env)
    assert debug_lines(done.stdout) == {
        "w1": {"db_password": "web-secret"},
        "w2": {"db_password": "web-secret"},
        "d1": {"db_password": "d1-secret"},
    }
    done = ansible.run(*base, "-a", "var=db_password", env=env, ok=False)
    assert done.returncode != 0 and "web-secret" not in done.stdout + done.stderr
