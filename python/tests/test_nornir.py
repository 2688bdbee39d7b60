"""The nornir inventory plugin, through InitNornir and the entry point."""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path

import pytest
from conftest import EXAMPLES, FIXTURES, need_module, strata_json


@pytest.fixture(autouse=True)
def _nornir() -> None:
    need_module("nornir")


def init(**options):
    from nornir import InitNornir

    return InitNornir(
        runner={"plugin": "serial"},
        inventory={"plugin": "StrataInventory", "options": options},
        logging={"enabled": False},
    )


def test_entry_point_is_registered() -> None:
    (ep,) = [e for e in entry_points(group="nornir.plugins.inventory") if e.name == "StrataInventory"]
    from strata_inventory.nornir import StrataInventory

    assert ep.load() is StrataInventory


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_init_nornir_gives_strata_hosts_groups_and_values(name: str) -> None:
    root = EXAMPLES[name]
    nr = init(path=str(root))
    listed = strata_json("-i", str(root), "list", "--global-data")
    assert list(nr.inventory.hosts) == [h["name"] for h in listed["hosts"]]
    assert list(nr.inventory.groups) == [g["name"] for g in listed["groups"]]
    for want in listed["hosts"]:
        host = nr.inventory.hosts[want["name"]]
        assert [g.name for g in host.groups] == want["groups"]
        assert set(host.keys()) >= set(want["data"])
        for key, value in want["data"].items():
            assert host[key] == value, (want["name"], key)
        data = want["data"]
        assert host.hostname == data.get("ssh_hostname", None if want["name"].startswith("@") else want["name"])
        assert host.port == data.get("ssh_port")
        assert host.username == data.get("ssh_user")
    assert nr.inventory.defaults.data == listed["data"]


def test_connection_fields_by_hand() -> None:
    nr = init(path=str(EXAMPLES["basic"]))
    web1 = nr.inventory.hosts["web1.example.com"]
    assert (web1.hostname, web1.port, web1.username) == ("web1.example.com", 2222, "deploy")
    nr = init(path=str(EXAMPLES["connectors"]))
    ssh = nr.inventory.hosts["@ssh/10.0.0.5"]
    assert (ssh.hostname, ssh.port) == ("10.0.0.5", 2222)
    assert nr.inventory.hosts["@local"].hostname is None


def test_filter_and_limit() -> None:
    nr = init(path=str(EXAMPLES["basic"]), limit="webservers", data={"app_env": "test"})
    assert list(nr.inventory.hosts) == ["web1.example.com", "web2.example.com"]
    assert {h["app_env"] for h in nr.inventory.hosts.values()} == {"test"}
    nr = init(path=str(EXAMPLES["basic"]))
    assert sorted(nr.filter(filter_func=lambda h: "databases" in [g.name for g in h.groups]).inventory.hosts) == [
        "db1.example.com"
    ]


def test_nested_groups_reach_nornir_flattened() -> None:
    """nornir has no group nesting here (as the pyinfra bridge): each host is in every group that holds
    it, directly or through a child, in strata's precedence order, with strata's resolved data."""
    root = FIXTURES / "nested"
    nr = init(path=str(root))
    listed = strata_json("-i", str(root), "list")
    for want in listed["hosts"]:
        host = nr.inventory.hosts[want["name"]]
        assert [g.name for g in host.groups] == want["groups"]
        assert {k: host[k] for k in want["data"]} == want["data"]
    assert "site" in [g.name for g in nr.inventory.hosts["web1"].groups]
    assert nr.inventory.hosts["web1"]["tier"] == 2  # prod_web (depth 3) over prod and site
    in_prod = nr.filter(filter_func=lambda h: "prod" in [g.name for g in h.groups]).inventory.hosts
    assert sorted(in_prod) == sorted(next(g["hosts"] for g in listed["groups"] if g["name"] == "prod"))
    limited = init(path=str(root), limit="prod")
    assert sorted(limited.inventory.hosts) == sorted(in_prod)


def test_relative_path_and_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import strata_inventory

    monkeypatch.chdir(EXAMPLES["basic"].parent)
    assert len(init(path="basic").inventory.hosts) == 3
    with pytest.raises(strata_inventory.InventoryError) as caught:
        init(path=str(FIXTURES / "errors"))
    assert caught.value.errors[0].inventory_file == "hosts.toml"


def test_merged_values_reach_nornir() -> None:
    """strata.toml's [merge] strategies reach nornir: each host's data is
    strata's merged value (issue 24)."""
    root = FIXTURES / "merge"
    nr = init(path=str(root))
    for want in strata_json("-i", str(root), "list")["hosts"]:
        host = nr.inventory.hosts[want["name"]]
        for key, value in want["data"].items():
            assert host[key] == value, (want["name"], key)
    w1 = nr.inventory.hosts["w1"]
    assert w1["packages"] == ["nginx", "curl", "htop"]
    assert w1["sysctl"] == {"net.core.somaxconn": 1024, "vm.swappiness": 10}
