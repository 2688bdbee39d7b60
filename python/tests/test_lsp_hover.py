"""`strata lsp`'s hover, definition, references and completion on a copy of examples/basic, driven by pygls's
LanguageClient (lsp_client.py). What each answer must say comes from the strata command: `explain
--format json` (which definition wins on which host, and what it shadows), `list` and `groups`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, strata_json
from lsp_client import line_of, position_of, run, started

pytestmark = pytest.mark.usefixtures("pygls_client")


# hover -----------------------------------------------------------------------------------------


def explain(root: Path, host: str, key: str) -> dict[str, Any] | None:
    """`strata explain HOST --format json`'s entry for KEY, None when the host lacks it."""
    keys = strata_json("-i", str(root), "explain", host, "--format", "json")["keys"]
    return next((entry for entry in keys if entry["key"] == key), None)


def where(origin: dict[str, Any]) -> str:
    return f"{origin['inventory_file']}:{origin['line']}"


def reach(root: Path, key: str, file: str, line: int) -> tuple[list[str], dict[str, list[str]], set[str]]:
    """Where the definition of `key` at file:line wins (its hosts), by what it is shadowed
    elsewhere ({winner file:line: hosts}) and why (explain's reasons), according to `strata
    explain` on every host."""
    wins: list[str] = []
    shadowed: dict[str, list[str]] = {}
    reasons: set[str] = set()
    for host in strata_json("-i", str(root), "list", "--format", "json")["hosts"]:
        entry = explain(root, host["name"], key)
        if entry is None:
            continue
        if where(entry["origin"]) == f"{file}:{line}":
            wins.append(host["name"])
            continue
        for lost in entry["shadowed"]:
            if where(lost["origin"]) == f"{file}:{line}":
                shadowed.setdefault(where(entry["origin"]), []).append(host["name"])
                reasons.add(lost["reason"])
    return wins, shadowed, reasons


def count_phrase(text: str, verb: str) -> int:
    """The number in the hover's "<verb> on N host(s)" (e.g. "wins on 2 hosts")."""
    match = re.search(rf"\b{verb} on (\d+) hosts?\b", text)
    assert match, f"no '{verb} on N hosts' in the hover:\n{text}"
    return int(match.group(1))


@pytest.mark.parametrize(
    ("file", "key"),
    [
        ("group_data/webservers.toml", "app_env"),  # wins everywhere it reaches
        ("group_data/webservers.toml", "log_level"),  # shadowed on every web host by monitoring's
        ("group_data/webservers.toml", "app_port"),  # shadowed by a host file and by inline host data
        ("group_data/databases.toml", "backup"),  # wins over the group's inline data
    ],
)
def test_hover_on_a_key_says_its_value_where_it_wins_and_what_shadows_it(basic_copy: Path, file: str, key: str) -> None:
    path = basic_copy / file
    line = line_of(path, f"{key} =")
    value = path.read_text().splitlines()[line].split("=", 1)[1].strip()
    wins, shadowed, reasons = reach(basic_copy, key, file, line + 1)

    async def scenario() -> str | None:
        async with started(basic_copy) as (server, _):
            server.open(file)
            text = await server.hover(file, line, 1)
            assert await server.stop() == 0
            return text

    text = run(scenario())
    assert text, f"no hover on `{key}` in {file}"
    first = text.strip().splitlines()[0]
    assert key in first and value in first, f"the first line must be the key and its value:\n{text}"
    assert count_phrase(text, "wins") == len(wins), (wins, text)
    assert count_phrase(text, "shadowed") == sum(map(len, shadowed.values())), (shadowed, text)
    assert f"{file}:{line + 1}" in text, f"the hover must say where this definition is:\n{text}"
    for winner, hosts in shadowed.items():
        assert winner in text, f"the hover must name the winning definition {winner}:\n{text}"
        for host in hosts:
            assert f"`{host}`" in text, f"the hover must name the shadowed host {host}:\n{text}"
    for reason in reasons:
        assert reason in text, f"the hover must give explain's reason {reason!r}:\n{text}"
    for host in wins:
        assert f"`{host}`" in text, f"the hover must name the host {host} it wins on:\n{text}"


def test_hover_on_a_host_name_gives_its_groups_and_data_with_origins(basic_copy: Path) -> None:
    host = "web1.example.com"
    line, character = position_of(basic_copy / "hosts.toml", f'"{host}"')
    listed = next(
        h for h in strata_json("-i", str(basic_copy), "list", "--format", "json")["hosts"] if h["name"] == host
    )

    async def scenario() -> str | None:
        async with started(basic_copy) as (server, _):
            server.open("hosts.toml")
            text = await server.hover("hosts.toml", line, character + 3)
            assert await server.stop() == 0
            return text

    text = run(scenario())
    assert text, f"no hover on {host} in hosts.toml"
    assert host in text
    for group in listed["groups"]:
        assert group in text, f"group {group} missing:\n{text}"
    for key in listed["data"]:
        entry = explain(basic_copy, host, key)
        assert key in text, f"key {key} missing:\n{text}"
        assert where(entry["origin"]) in text, f"origin {where(entry['origin'])} of {key} missing:\n{text}"


def test_hover_on_a_group_name_gives_its_host_count_rank_and_data_file(basic_copy: Path) -> None:
    groups = strata_json("-i", str(basic_copy), "groups", "--format", "json")

    async def scenario() -> dict[str, str | None]:
        async with started(basic_copy) as (server, _):
            server.open("hosts.toml")
            seen = {}
            for group in ("webservers", "monitoring"):
                line = line_of(basic_copy / "hosts.toml", f"{group} =")
                seen[group] = await server.hover("hosts.toml", line, 2)
            line = line_of(basic_copy / "hosts.toml", "[databases]")
            seen["databases"] = await server.hover("hosts.toml", line, 3)
            assert await server.stop() == 0
            return seen

    seen = run(scenario())
    for position, group in enumerate(groups, start=1):
        text = seen[group["name"]]
        assert text, f"no hover on group {group['name']}"
        assert group["name"] in text
        count = len(group["hosts"])
        assert re.search(rf"\b{count}\s+hosts?\b", text), f"{group['name']}: {count} hosts expected:\n{text}"
        assert f"group_data/{group['name']}.toml" in text, text
        assert f"group {position} of {len(groups)}" in text, f"{group['name']}: position {position} expected:\n{text}"


# definition and references ------------------------------------------------------------------


def test_definition_jumps_from_names_to_their_data_files_and_references_list_every_definition(basic_copy: Path) -> None:
    async def scenario() -> dict[str, list[str]]:
        async with started(basic_copy) as (server, _):
            server.open("hosts.toml")
            server.open("group_data/webservers.toml")
            seen = {}
            line = line_of(basic_copy / "hosts.toml", "webservers =")
            seen["group"] = await server.definition("hosts.toml", line, 2)
            line, character = position_of(basic_copy / "hosts.toml", '"web1.example.com"')
            seen["host"] = await server.definition("hosts.toml", line, character + 3)
            line = line_of(basic_copy / "group_data/webservers.toml", "log_level =")
            seen["key definition"] = await server.definition("group_data/webservers.toml", line, 1)
            seen["key references"] = await server.references("group_data/webservers.toml", line, 1)
            assert await server.stop() == 0
            return seen

    seen = run(scenario())
    assert "group_data/webservers.toml:1" in seen["group"], seen["group"]
    assert "host_data/web1.example.com.toml:1" in seen["host"], seen["host"]
    # From a key: the definition that wins for the group in view. For webservers' hosts that is
    # monitoring's log_level (monitoring is written later).
    winners = {where(explain(basic_copy, h, "log_level")["origin"]) for h in ("web1.example.com", "web2.example.com")}
    assert winners == {"group_data/monitoring.toml:3"}
    assert set(seen["key definition"]) & winners, seen["key definition"]
    # Every definition of the key, wherever it is written.
    every = set()
    for host in strata_json("-i", str(basic_copy), "list", "--format", "json")["hosts"]:
        entry = explain(basic_copy, host["name"], "log_level")
        if entry:
            every.add(where(entry["origin"]))
            every.update(where(s["origin"]) for s in entry["shadowed"])
    assert set(seen["key references"]) == every, seen["key references"]


def test_hover_follows_the_unsaved_buffer_and_shows_a_type_drift(basic_copy: Path) -> None:
    name = "group_data/webservers.toml"
    drifted = (basic_copy / name).read_text().replace("app_port = 8000", 'app_port = "8000"')
    line = line_of(basic_copy / name, "app_port =")

    async def scenario() -> str | None:
        async with started(basic_copy) as (server, _):
            server.open(name)
            server.change(name, drifted)
            text = await server.hover(name, line, 1)
            assert await server.stop() == 0
            return text

    text = run(scenario())
    assert text and text.splitlines()[0] == '`app_port = "8000"`', text
    assert "type drift" in text, text
    for other in ("host_data/web1.example.com.toml:1", "hosts.toml:21"):
        assert re.search(rf"integer at {re.escape(other)}", text), f"{other}'s integer missing:\n{text}"


def test_positions_are_counted_in_utf16_code_units(basic_copy: Path) -> None:
    """LSP columns count UTF-16 code units. Before `app_port`, the line holds 17 emoji (2 units,
    1 character, 4 bytes each): a server counting characters would land 17 columns further, on
    `zz_next`, one counting bytes further still."""
    hosts = (basic_copy / "hosts.toml").read_text()
    line_text = (
        '    { name = "web2.example.com", data = { note = "'
        + "\U0001f600" * 17
        + '", app_port = 8002, zz_next = 1 } },'
    )
    hosts = hosts.replace('    { name = "web2.example.com", data = { app_port = 8002 } },', line_text)
    (basic_copy / "hosts.toml").write_text(hosts)
    line = hosts.splitlines().index(line_text)
    column = len(line_text[: line_text.index("app_port")].encode("utf-16-le")) // 2
    assert line_text[column:].startswith("zz_next")  # where counting characters would land

    async def scenario() -> str | None:
        async with started(basic_copy) as (server, _):
            server.open("hosts.toml")
            text = await server.hover("hosts.toml", line, column)
            assert await server.stop() == 0
            return text

    text = run(scenario())
    assert text and text.splitlines()[0] == "`app_port = 8002`", text


def test_completion_offers_the_inventorys_names_in_hosts_toml_and_its_keys_in_data_files(basic_copy: Path) -> None:
    listed = strata_json("-i", str(basic_copy), "list", "--format", "json")["hosts"]
    groups = [g["name"] for g in strata_json("-i", str(basic_copy), "groups", "--format", "json")]
    keys = sorted({key for host in listed for key in host["data"]})

    async def scenario() -> tuple[dict[str, str], dict[str, str], dict[str, str], dict[str, str], dict[str, str]]:
        async with started(basic_copy) as (server, _):
            server.open("hosts.toml")
            server.open("group_data/webservers.toml")
            # After `web` at the start of hosts.toml's first group line (a top-level key: groups),
            # after `"web` inside its list (hosts), and after nothing in the list and on a new line.
            line, character = position_of(basic_copy / "hosts.toml", 'webservers = ["web1')
            web_key = await server.completion("hosts.toml", line, 3)
            web_host = await server.completion("hosts.toml", line, character + len('webservers = ["web'))
            in_list = await server.completion("hosts.toml", line, character + len('webservers = ["'))
            text = (basic_copy / "group_data/webservers.toml").read_text()
            server.change("group_data/webservers.toml", text + "\n")
            everything = await server.completion("group_data/webservers.toml", len(text.splitlines()), 0)
            hosts_everything = await server.completion("hosts.toml", 4, 0)
            assert await server.stop() == 0
            return web_key, web_host, in_list, everything, hosts_everything

    web_key, web_host, in_list, everything, hosts_everything = run(scenario())
    hosts = {h["name"] for h in listed}
    assert sorted(web_key) == sorted(g for g in groups if g.startswith("web")), web_key
    assert web_key["webservers"] == "group, 2 hosts"
    assert sorted(web_host) == sorted(h for h in hosts if h.startswith("web")), web_host
    # In a host list: every host and the connector prefixes, no group.
    assert hosts <= set(in_list) and not set(groups) & set(in_list), in_list
    assert any(label.startswith("@") for label in in_list), "connector prefixes"
    # Every key the resolved hosts hold was written somewhere: all are offered, with a type.
    assert set(keys) <= set(everything), set(keys) - set(everything)
    assert "integer" in everything["app_port"], everything["app_port"]
    # A new top-level line: group names, no host.
    assert set(groups) <= set(hosts_everything) and not hosts & set(hosts_everything), hosts_everything


def test_completion_on_the_limit_of_an_ansible_plugin_configuration(basic_copy: Path) -> None:
    """In `*.strata.yml`, on `limit:`, the names of the inventory its `path:` names; elsewhere nothing."""
    listed = [h["name"] for h in strata_json("-i", str(basic_copy), "list", "--format", "json")["hosts"]]
    groups = [g["name"] for g in strata_json("-i", str(basic_copy), "groups", "--format", "json")]
    example = (REPO / "examples" / "basic.strata.yml").read_text()
    assert "path: basic" in example
    text = example + 'limit: "webservers,!w'
    (basic_copy.parent / "basic.strata.yml").write_text(example)

    async def scenario() -> tuple[dict[str, str], dict[str, str]]:
        async with started(basic_copy, basic_copy.parent) as (server, _):
            server.open("../basic.strata.yml", text)
            last = len(text.splitlines()) - 1
            on_limit = await server.completion("../basic.strata.yml", last, len(text.splitlines()[-1]))
            on_path = await server.completion(
                "../basic.strata.yml", line_of(basic_copy.parent / "basic.strata.yml", "path:"), 8
            )
            assert await server.stop() == 0
            return on_limit, on_path

    on_limit, on_path = run(scenario())
    want = [g for g in groups if g.startswith("w")] + [h for h in listed if h.startswith("w")]
    assert sorted(on_limit) == sorted(want), on_limit
    assert on_path == {}, on_path


# code lenses and references on names -----------------------------------------------------------------


def test_code_lenses_say_on_how_many_hosts_each_definition_wins_as_explain_does(basic_copy: Path) -> None:
    name = "group_data/webservers.toml"

    async def scenario() -> list[tuple[int, str, str]]:
        async with started(basic_copy) as (server, _):
            server.open(name)
            lenses = await server.code_lenses(name)
            assert await server.stop() == 0
            return lenses

    lenses = run(scenario())
    lines = [
        (number, line.split(" =")[0]) for number, line in enumerate((basic_copy / name).read_text().splitlines(), 1)
    ]
    written = [(number, key) for number, key in lines if key and not key.startswith("#")]
    assert [line for line, _, _ in lenses] == [number for number, _ in written], lenses
    for (line, title, command), (_, key) in zip(lenses, written):
        assert command == "strata.reach"
        wins, shadowed, _ = reach(basic_copy, key, name, line)
        assert count_phrase(title, "wins") == len(wins), (key, title, wins)
        # "· shadowed on N": the title is short, the count has no noun.
        match = re.search(r"· shadowed on (\d+)$", title)
        assert match and int(match.group(1)) == sum(len(h) for h in shadowed.values()), (key, title, shadowed)
        for host in wins[:3]:
            assert host in title, (key, title)


def test_references_on_a_host_list_its_entries_its_file_and_what_wins_on_it(basic_copy: Path) -> None:
    host = "web1.example.com"
    hosts_toml = (basic_copy / "hosts.toml").read_text().splitlines()

    async def scenario() -> list[str]:
        async with started(basic_copy) as (server, _):
            server.open("hosts.toml")
            line, character = position_of(basic_copy / "hosts.toml", f'"{host}"')
            found = await server.references("hosts.toml", line, character + 3)
            assert await server.stop() == 0
            return found

    found = run(scenario())
    # Every hosts.toml line naming it, the range `web[1:2].example.com` included.
    naming = [f"hosts.toml:{n}" for n, line in enumerate(hosts_toml, 1) if host in line or "web[1:2]" in line]
    naming = [n for n in naming if not hosts_toml[int(n.split(":")[1]) - 1].lstrip().startswith("#")]
    assert [f for f in found if f.startswith("hosts.toml:") and f in naming] == naming, found
    assert f"host_data/{host}.toml:1" in found, found
    # Every definition that wins on it, as explain says.
    keys = strata_json("-i", str(basic_copy), "explain", host, "--format", "json")["keys"]
    winners = {where(entry["origin"]) for entry in keys}
    assert winners <= set(found), winners - set(found)
