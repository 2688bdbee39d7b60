"""The pyinfra bridge with pyinfra 3.10 itself: debug-inventory parity, the
differential fixtures, and a real deploy on @local."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES, FIXTURES, PYINFRA_CASES, dedupe, need_module, strata_json, venv_tool

BRIDGE = """\
from strata_inventory.pyinfra import groups
globals().update(groups({path!r}))
"""


@pytest.fixture(autouse=True)
def _pyinfra() -> None:
    pyinfra = need_module("pyinfra")
    from importlib.metadata import version

    assert version("pyinfra") == "3.10.0", "the bridge is tested against pyinfra 3.10.0"
    assert pyinfra


def bridge_file(folder: Path, inventory: Path, name: str = "inventory.py") -> Path:
    """Write the two-line inventory file in `folder`, naming `inventory` relative to it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(BRIDGE.format(path=os.path.relpath(inventory, folder)))
    return path


def run_pyinfra(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    cwd.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([venv_tool("pyinfra"), *args], capture_output=True, text=True, cwd=cwd)
    assert done.returncode == 0, f"pyinfra {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done


def debug_inventory(inventory_file: Path, cwd: Path, *extra: str) -> list[dict]:
    """`pyinfra --json INVENTORY debug-inventory`, with pyinfra's deliberate
    differences normalised: the group named after the inventory file is
    dropped and repeated groups (pyinfra doubles a connector host's list)
    keep their first occurrence."""
    out = run_pyinfra("--json", *extra, str(inventory_file), "debug-inventory", cwd=cwd).stdout
    file_group = inventory_file.name.rsplit(".", 1)[0]
    hosts = json.loads(out)
    for h in hosts:
        assert file_group in h["groups"], "pyinfra adds the file's group (documented)"
        h["groups"] = [g for g in dedupe(h["groups"]) if g != file_group]
    return hosts


def assert_pyinfra_equals_strata(root: Path, tmp_path: Path) -> int:
    inventory_file = bridge_file(tmp_path / "inv", root)
    # Run from another directory: the relative path is the inventory file's.
    got = debug_inventory(inventory_file, cwd=tmp_path / "elsewhere")
    want = strata_json("-i", str(root), "list", "--format", "json")["hosts"]
    assert [h["name"] for h in got] == [h["name"] for h in want]
    for g, w in zip(got, want):
        assert g["groups"] == w["groups"], g["name"]
        assert g["data"] == w["data"], g["name"]
    return len(got)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_debug_inventory_equals_strata_on_examples(name: str, tmp_path: Path) -> None:
    assert assert_pyinfra_equals_strata(EXAMPLES[name], tmp_path) > 0


def test_nested_groups_reach_pyinfra_flattened(tmp_path: Path) -> None:
    """pyinfra has no nesting: through the bridge, a host is in every group
    that holds it through `children`, in strata's precedence order, and its
    data is strata's (issue 22)."""
    assert assert_pyinfra_equals_strata(FIXTURES / "nested", tmp_path) == 4
    got = {
        h["name"]: h["groups"]
        for h in debug_inventory(bridge_file(tmp_path / "again", FIXTURES / "nested"), cwd=tmp_path)
    }
    assert got["web2"] == ["site", "prod", "prod_web"]


def test_merged_values_reach_pyinfra(tmp_path: Path) -> None:
    """strata.toml's [merge] strategies reach pyinfra through the bridge:
    each host's data is strata's merged value, not the first layer's
    (issue 24)."""
    assert assert_pyinfra_equals_strata(FIXTURES / "merge", tmp_path) == 3
    got = {
        h["name"]: h["data"] for h in debug_inventory(bridge_file(tmp_path / "again", FIXTURES / "merge"), cwd=tmp_path)
    }
    assert got["w1"]["packages"] == ["nginx", "curl", "htop"]
    assert got["w1"]["sysctl"] == {"net.core.somaxconn": 1024, "vm.swappiness": 10}


@pytest.mark.parametrize("n", [300, 10_000])
def test_debug_inventory_equals_strata_on_generated(n: int, gen_inventories, tmp_path: Path) -> None:
    assert assert_pyinfra_equals_strata(gen_inventories[n] / "strata", tmp_path) == n


def pyinfra_dump(inventory_file: Path, runs: list[dict], tmp_path: Path) -> list[dict]:
    """tests/pyinfra/pyinfra_dump.py: pyinfra's own CLI code paths, as JSON."""
    runs_file = tmp_path / f"runs-{inventory_file.parent.name}.json"
    runs_file.write_text(json.dumps(runs))
    done = subprocess.run(
        [sys.executable, str(PYINFRA_CASES / "pyinfra_dump.py"), str(inventory_file), "--runs", str(runs_file)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def comparable(run: dict) -> dict:
    """Hosts (order, groups, data), the selection, and group members (group order is not compared)."""
    return {
        "hosts": run["hosts"],
        "selected": run["selected"],
        "groups": {g["name"]: g["hosts"] for g in run["groups"]},
    }


CASES = sorted(p.name for p in PYINFRA_CASES.iterdir() if (p / "runs.json").exists())


@pytest.mark.parametrize("case", CASES)
def test_fixtures_resolve_as_pyinfra_own_inventory(case: str, tmp_path: Path) -> None:
    """Every run (--data, --limit) of a differential fixture gives the same
    result through the bridge as through the fixture's own pyinfra inventory.py."""
    runs = json.loads((PYINFRA_CASES / case / "runs.json").read_text())
    native = pyinfra_dump(PYINFRA_CASES / case / "pyinfra" / "inventory.py", runs, tmp_path)
    bridged = pyinfra_dump(bridge_file(tmp_path / "bridge", PYINFRA_CASES / case / "strata"), runs, tmp_path)
    assert len(native) == len(bridged) == len(runs) > 0
    for run, n, b in zip(runs, native, bridged):
        assert comparable(b) == comparable(n), run


def test_generated_300_resolves_as_pyinfra_own_inventory(gen_inventories, tmp_path: Path) -> None:
    """gen.py writes the same content in pyinfra's dialect: both resolve alike."""
    root = gen_inventories[300]
    runs = [{}, {"limit": ["g0003"]}, {"data": ["tier=7"], "limit": ["h00001*"]}]
    native = pyinfra_dump(root / "pyinfra" / "inventory.py", runs, tmp_path)
    bridged = pyinfra_dump(bridge_file(tmp_path / "bridge", root / "strata"), runs, tmp_path)
    for run, n, b in zip(runs, native, bridged):
        assert comparable(b) == comparable(n), run
    assert len(bridged[0]["hosts"]) == 300 and 0 < len(bridged[1]["selected"]) < 300


def test_connector_hosts_keep_their_connector(tmp_path: Path) -> None:
    """pyinfra picks each host's execution connector from its name, as for its own inventories."""
    code = f"""
import json, sys
from pyinfra.api import Config, State
from pyinfra.context import ctx_config, ctx_state
from pyinfra_cli.inventory import make_inventory
state = State(check_for_changes=False)
ctx_state.set(state)
ctx_config.set(Config())
inventory = make_inventory({str(bridge_file(tmp_path, EXAMPLES["connectors"]))!r}, cwd={str(tmp_path)!r})
json.dump({{h.name: h.connector_cls.__name__ for h in inventory}}, sys.stdout)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    connectors = json.loads(done.stdout)
    assert connectors == {
        "@docker/app-1": "DockerConnector",
        "@docker/app-2": "DockerConnector",
        "@ssh/10.0.0.5": "SSHConnector",
        "@local": "LocalConnector",
        "@chroot/srv/build-root": "ChrootConnector",
        "@dockerssh/builder.example.com:ubuntu:24.04": "DockerSSHConnector",
        "@podman/postgres": "PodmanConnector",
    }


DEPLOY = """\
import io

from pyinfra import host
from pyinfra.operations import files

files.put(
    name="Write the message strata resolved",
    src=io.StringIO(f"{host.data.message}\\n{host.data.greeting}\\n"),
    dest=host.data.out_file,
)
"""


def test_real_deploy_on_local(tmp_path: Path) -> None:
    """`pyinfra -y inventory.py deploy.py` on @local writes a value that
    strata's waterfall decided (host_data shadows the group's value); --limit
    keeps the unreachable host out; pyinfra's own --data wins over strata."""
    root = tmp_path / "inventory"
    (root / "group_data").mkdir(parents=True)
    (root / "host_data").mkdir()
    (root / "hosts.toml").write_text('remote = ["unreachable.invalid"]\nlocal = ["@local"]\n')
    (root / "group_data" / "local.toml").write_text(
        'message = "from group_data/local.toml"\ngreeting = "hello from the local group"\n'
    )
    (root / "host_data" / "@local.toml").write_text('message = "from host_data/@local.toml"\n')
    deploy_dir = tmp_path / "deploy"
    inventory_file = bridge_file(deploy_dir, root)
    (deploy_dir / "deploy.py").write_text(DEPLOY)

    # strata's own word on the value first: the host file shadows the group.
    explained = strata_json("-i", str(root), "explain", "@local", "message", "--format", "json")
    assert explained["keys"][0]["origin"]["inventory_file"] == "host_data/@local.toml"
    assert explained["keys"][0]["shadowed"][0]["origin"]["inventory_file"] == "group_data/local.toml"

    out = tmp_path / "written.txt"
    done = run_pyinfra(
        "-y", "--limit", "@local", "--data", f"out_file={out}", "inventory.py", "deploy.py", cwd=deploy_dir
    )
    assert "unreachable.invalid" not in done.stdout + done.stderr
    assert out.read_text() == "from host_data/@local.toml\nhello from the local group\n"

    run_pyinfra(
        "-y",
        "--limit",
        "local",
        "--data",
        f"out_file={out}",
        "--data",
        "message=from the command line",
        "inventory.py",
        "deploy.py",
        cwd=deploy_dir,
    )
    assert out.read_text() == "from the command line\nhello from the local group\n"
    assert inventory_file.exists()


def test_debug_inventory_with_pyinfra_data(tmp_path: Path) -> None:
    inventory_file = bridge_file(tmp_path / "inv", EXAMPLES["basic"])
    hosts = debug_inventory(inventory_file, tmp_path / "inv", "--data", "app_port=1")
    assert {h["data"]["app_port"] for h in hosts} == {1}
    assert hosts[0]["data"]["log_level"] == "debug"


def test_broken_inventory_fails_pyinfra_with_the_diagnostics(tmp_path: Path) -> None:
    inventory_file = bridge_file(tmp_path / "inv", FIXTURES / "errors")
    done = subprocess.run(
        [venv_tool("pyinfra"), str(inventory_file), "debug-inventory"], capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode != 0
    assert "hosts.toml:1:28" in done.stdout + done.stderr


def test_groups_mapping_relative_path_and_errors(tmp_path: Path) -> None:
    """groups() itself: strata's groups without the implicit ones, `all` with
    resolved data and global data, the path taken from the caller's file."""
    from pyinfra.api.exceptions import InventoryError as PyinfraInventoryError

    import strata_inventory

    inventory_file = bridge_file(tmp_path / "deep" / "inv", EXAMPLES["connectors"])
    namespace: dict = {"__file__": str(inventory_file)}
    exec(compile(inventory_file.read_text(), str(inventory_file), "exec"), namespace)
    listed = strata_json("-i", str(EXAMPLES["connectors"]), "list", "--global-data")
    explicit = [g for g in listed["groups"] if not g["name"].startswith("@")]
    for g in explicit:
        assert namespace[g["name"]] == g["hosts"]
    assert not [k for k in namespace if k.startswith("@")]
    hosts, global_data = namespace["all"]
    assert hosts == [(h["name"], h["data"]) for h in listed["hosts"]]
    assert global_data == listed["data"]

    from strata_inventory.pyinfra import groups

    with_data = groups(EXAMPLES["basic"], data={"app_env": "bridge"})
    assert {d["app_env"] for _, d in with_data["all"][0]} == {"bridge"}
    with pytest.raises(PyinfraInventoryError, match="hosts.toml:1:28") as caught:
        groups("errors", base=FIXTURES)
    assert isinstance(caught.value.__cause__, strata_inventory.InventoryError)
    assert caught.value.__cause__.errors[0].line == 1


# -- issue 19: errors at the user's line, pyinfra's data files, group order ------


def test_errors_point_at_the_users_inventory_file(tmp_path: Path) -> None:
    """pyinfra names the line of inventory.py that calls groups(), not the
    library, and prints strata's located diagnostics (item 23)."""
    inventory_file = bridge_file(tmp_path / "inv", FIXTURES / "errors")
    done = subprocess.run(
        [venv_tool("pyinfra"), str(inventory_file), "debug-inventory"], capture_output=True, text=True, cwd=tmp_path
    )
    out = done.stdout + done.stderr
    assert done.returncode != 0
    assert f"pyinfra error in {inventory_file} line 2:" in out, out
    assert "strata_inventory" not in out, out
    assert "hosts.toml:1:28: error[strata::" in out, out


def test_pyinfra_group_data_files_are_warned_about(tmp_path: Path) -> None:
    """group_data/*.py beside the inventory file and in the current directory
    are named in a warning (item 24); without them there is none."""
    inventory_file = bridge_file(tmp_path / "inv", EXAMPLES["basic"])
    quiet = run_pyinfra(str(inventory_file), "debug-inventory", cwd=tmp_path / "run")
    assert "pyinfra also loads" not in quiet.stdout + quiet.stderr
    (tmp_path / "inv" / "group_data").mkdir()
    (tmp_path / "inv" / "group_data" / "webservers.py").write_text("app_port = 1\nold_key = 2\n")
    (tmp_path / "run" / "group_data").mkdir()
    (tmp_path / "run" / "group_data" / "all.py").write_text("x = 1\n")
    done = run_pyinfra("--json", str(inventory_file), "debug-inventory", cwd=tmp_path / "run")
    out = done.stdout + done.stderr
    assert "pyinfra also loads" in out, out
    assert "group_data/webservers.py" in out and "group_data/all.py" in out, out
    # What the warning says happens: the strata key wins, the other key is added.
    hosts = json.loads(done.stdout[done.stdout.index("[") : done.stdout.rindex("]") + 1])
    web1 = next(h for h in hosts if h["name"] == "web1.example.com")
    assert web1["data"]["app_port"] == 8001 and web1["data"]["old_key"] == 2


@pytest.mark.parametrize("taken", ["groups", "os", "json", "all_names"])
def test_group_order_survives_names_the_module_bound(taken: str, tmp_path: Path) -> None:
    """A strata group whose name the inventory module already bound keeps
    its place in host.groups (item 34)."""
    root = tmp_path / "strata"
    root.mkdir()
    (root / "hosts.toml").write_text(f'first = ["h1", "h2"]\n{taken} = ["h1"]\nlast = ["h1", "h2"]\n')
    inventory_file = tmp_path / "inv" / "inventory.py"
    inventory_file.parent.mkdir()
    inventory_file.write_text(
        f"import os\nimport json\nall_names = []\n{BRIDGE.format(path=os.path.relpath(root, inventory_file.parent))}"
    )
    got = debug_inventory(inventory_file, cwd=tmp_path / "inv")
    want = strata_json("-i", str(root), "list", "--format", "json")["hosts"]
    assert [h["groups"] for h in got] == [h["groups"] for h in want] == [["first", taken, "last"], ["first", "last"]]


def test_host_data_key_order_is_as_documented(tmp_path: Path) -> None:
    """python.md: pyinfra lists strata's global keys first, sorted, then the
    host's other keys, sorted (item 26)."""
    inventory_file = bridge_file(tmp_path / "inv", EXAMPLES["basic"])
    hosts = debug_inventory(inventory_file, cwd=tmp_path / "inv")
    global_keys = list(strata_json("-i", str(EXAMPLES["basic"]), "list", "--global-data")["data"])
    assert global_keys == sorted(global_keys)
    for host in hosts:
        keys = list(host["data"])
        assert keys == global_keys + sorted(set(keys) - set(global_keys)), host["name"]
