"""The documentation's examples, run (issue 19, items 21 and 26): every limit
example in README.md, docs/*.md and load()'s docstring selects hosts through
load(); the Python examples of the package docstring, README.md and
docs/python.md print what they show; python.md documents load()'s real
signature and every field of Origin."""

from __future__ import annotations

import ast
import dataclasses
import doctest
import inspect
import re
from pathlib import Path

import pytest
from conftest import REPO

import strata_inventory
from strata_inventory import load

DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]

# Every group and host name the examples use.
HOSTS_TOML = """\
web = ["web1", "web2", "web3", "web04a", "web05"]
webservers = ["web1", "web2", "web3"]
prod = ["web1", "db1", "db1.example.com", "@ssh/10.0.0.5"]
db = ["db1", "db2", "db1.example.com", "db2.example.com"]
monitoring = ["web1", "lb", "@local"]
g0001 = ["lb"]
"""

PLACEHOLDERS = {"...", "...]", "PATTERN]...", "PATTERN", "term", "&term", "!term"}
# Limits the docs show Ansible taking, not strata (a help about what `-l`
# does in Ansible).
ANSIBLE_ONLY = {("docs/diagnostics.md", "ungrouped")}


def _sections(text: str) -> list[tuple[str, str]]:
    """(heading, body) of each section of a Markdown text."""
    parts = re.split(r"^(#+ .*)$", text, flags=re.M)
    return [("", parts[0])] + [(parts[i], parts[i + 1]) for i in range(1, len(parts) - 1, 2)]


def limit_examples() -> list[tuple[str, str]]:
    """(where, limit) for every limit the docs show strata taking."""
    found: list[tuple[str, str]] = []
    for path in DOCS:
        name = path.relative_to(REPO).as_posix()
        in_pyinfra = False
        for heading, body in _sections(path.read_text(encoding="utf-8")):
            if heading.startswith("## "):
                in_pyinfra = heading.startswith("## pyinfra")
            if in_pyinfra:
                continue  # pyinfra's own --limit (python.md): not strata's grammar
            for line in body.splitlines():
                if line.lstrip().startswith("pyinfra "):
                    continue
                for m in re.finditer(r"(?:--limit|-l)[ =](?:'([^']*)'|\"([^\"]*)\"|([^\s`'\")]+))", line):
                    found.append((name, next(g for g in m.groups() if g is not None)))
                if re.search(r"\blimit\b", line):
                    # A code span that is one string (`"web&prod"`), or limit="...".
                    for m in re.finditer(r'(?:`("(?:[^"\\]|\\.)*")`|limit=("(?:[^"\\]|\\.)*"))', line):
                        found.append((name, ast.literal_eval(m.group(1) or m.group(2))))
                if "Limits" in heading and line.startswith("| `"):
                    # The limit tables: the terms of the first column (cli.md: and the second).
                    cells = line.split("|")[1:-1]
                    columns = cells[:2] if name == "docs/cli.md" else cells[:1]
                    for cell in columns:
                        found += [(name, term) for term in re.findall(r"`([^`]+)`", cell)]
    doc = inspect.getdoc(load) or ""
    paragraph = doc[doc.index("limit:") : doc.index("cwd:")]
    found += [("load() docstring", ast.literal_eval(s)) for s in re.findall(r'``("(?:[^"\\]|\\.)*")``', paragraph)]
    return [
        (where, limit) for where, limit in found if limit not in PLACEHOLDERS and (where, limit) not in ANSIBLE_ONLY
    ]


EXAMPLES = limit_examples()


def test_the_examples_are_found() -> None:
    limits = {limit for _, limit in EXAMPLES}
    # The ones issue 19 names, and one of each table.
    assert {"web&prod", "web*,!web3", "webservers,!web3*", "web,!web04*", "~^db\\d$", "web!web3"} <= limits
    assert "{web,db}1*" in limits and "web*&prod,!web3" in limits
    assert any(where == "load() docstring" for where, _ in EXAMPLES)


@pytest.fixture(scope="module")
def inventory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    inv = tmp_path_factory.mktemp("limits")
    (inv / "hosts.toml").write_text(HOSTS_TOML)
    return inv


@pytest.mark.parametrize(("where", "limit"), EXAMPLES, ids=[f"{w}:{x}" for w, x in EXAMPLES])
def test_every_documented_limit_selects_hosts(where: str, limit: str, inventory: Path) -> None:
    assert len(load(inventory, limit=limit)) > 0, f"{limit!r} from {where} selects nothing"


def test_cli_md_table_rows_are_the_same_as_their_comma_form(inventory: Path) -> None:
    text = (REPO / "docs" / "cli.md").read_text()
    section = text[text.index("### Limits") :]
    section = section[: section.find("\n#", 1)] if "\n#" in section[1:] else section
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    assert len(rows) >= 4
    for row in rows:
        written, same = (re.findall(r"`([^`]+)`", cell)[0] for cell in row.split("|")[1:3])
        assert [h.name for h in load(inventory, limit=written)] == [h.name for h in load(inventory, limit=same)], row


def test_web_and_prod(inventory: Path) -> None:
    assert [h.name for h in load(inventory, limit="web&prod")] == ["web1"]
    assert [h.name for h in load(inventory, limit="web!web3")] == ["web1", "web2", "web04a", "web05"]


# -- item 26: the Python examples print what they show -------------------------


def run_doctest(text: str, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    parser = doctest.DocTestParser()
    test = parser.get_doctest(text, {}, name, name, 0)
    assert test.examples, f"no example in {name}"
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} example(s) of {name} do not print what they show"


def pycon_blocks(path: Path) -> str:
    blocks = re.findall(r"```pycon\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S)
    assert blocks, f"{path} has no ```pycon example"
    return "\n".join(blocks)


def test_package_docstring_example(monkeypatch: pytest.MonkeyPatch) -> None:
    run_doctest(strata_inventory.__doc__ or "", "strata_inventory", monkeypatch)


@pytest.mark.parametrize("doc", ["README.md", "docs/python.md"])
def test_markdown_python_examples(doc: str, monkeypatch: pytest.MonkeyPatch) -> None:
    run_doctest(pycon_blocks(REPO / doc), doc, monkeypatch)


def test_python_md_shows_the_real_load_signature() -> None:
    text = (REPO / "docs" / "python.md").read_text()
    line = next(line for line in text.splitlines() if line.startswith("`load("))
    shown = ast.parse(line.strip("`").split(" -> ")[0].replace("load(", "def load(", 1) + ": pass").body[0]
    assert isinstance(shown, ast.FunctionDef)
    parameters = inspect.signature(load).parameters
    names = [a.arg for a in shown.args.args] + [a.arg for a in shown.args.kwonlyargs]
    assert names == list(parameters)
    defaults = [*shown.args.defaults, *shown.args.kw_defaults]
    assert [ast.literal_eval(d) for d in defaults] == [p.default for p in parameters.values()]
    for parameter in parameters:
        assert f"| `{parameter}` |" in text, f"python.md's load() table lacks {parameter}"


def test_every_origin_and_diagnostic_field_is_documented() -> None:
    text = (REPO / "docs" / "python.md").read_text()
    diagnostic = re.search(r"`Diagnostic\(([^)]*)\)`", text)
    assert diagnostic
    for cls, documented in [
        (strata_inventory.Origin, lambda name: f"`{name}`" in text),
        (strata_inventory.Diagnostic, lambda name: name in diagnostic.group(1).split(", ")),
    ]:
        doc = inspect.getdoc(cls) or ""
        for field in dataclasses.fields(cls):
            assert documented(field.name), f"python.md does not document {cls.__name__}.{field.name}"
            assert f"{field.name}:" in doc, f"{cls.__name__}'s docstring does not document {field.name}"


@pytest.mark.parametrize(
    ("origin", "shown"),
    [
        ({"layer": "group file", "rank": 6, "group": "monitoring"}, "f.toml:3:1 (group monitoring)"),
        ({"layer": "group inline", "rank": 6, "group": "web"}, "f.toml:3:1 (group web)"),
        ({"layer": "host file", "rank": 2}, "f.toml:3:1 (host file)"),
        ({"layer": "host inline", "rank": 3, "group": "web"}, "f.toml:3:1 (host inline, in group web)"),
        ({"layer": "host inline", "rank": 3}, "f.toml:3:1 (host inline, in all)"),
        ({"layer": "source host", "rank": 4, "source": "cmdb"}, "f.toml:3:1 (source cmdb)"),
        ({"layer": "source group", "rank": 6, "group": "db", "source": "cmdb"}, "f.toml:3:1 (group db, source cmdb)"),
        ({"layer": "source global", "rank": 7, "source": "cmdb"}, "f.toml:3:1 (all, source cmdb)"),
        ({"layer": "global file", "rank": 7}, "f.toml:3:1 (global file)"),
        ({"layer": "override", "rank": 1, "file": "<command line>", "line": None}, "<command line> (override)"),
    ],
)
def test_str_origin_reads_as_the_cli(origin: dict, shown: str) -> None:
    item = {"file": "f.toml", "line": 3, "column": 1, **origin}
    assert str(strata_inventory.Origin.from_json(item)) == shown


def test_str_origin_equals_show_origin_on_every_example(monkeypatch: pytest.MonkeyPatch) -> None:
    from conftest import EXAMPLES, strata

    monkeypatch.chdir(REPO)
    for root in [*EXAMPLES.values(), REPO / "examples" / "cmdb-file"]:
        path = root.relative_to(REPO).as_posix()
        inventory = load(path)
        for host in inventory:
            shown = strata("-i", path, "host", "--show-origin", host.name, cwd=REPO).stdout
            want = dict(line.split(" = ", 1)[0:1] + line.rsplit("  # ", 1)[1:] for line in shown.splitlines())
            got = {key: str(host.origin(key)) for key in host.data}
            assert {k: v for k, v in got.items() if k in want} == want, host.name


def test_get_host_and_get_group_are_typed_by_their_default() -> None:
    """get_host(name) is a Host; get_host(name, None) a Host | None (item 26)."""
    import typing

    from conftest import missing

    if not hasattr(typing, "get_overloads"):
        missing("typing.get_overloads (Python 3.11)")
    from strata_inventory._inventory import _T, Host, Inventory

    for method, found in [(Inventory.get_host, Host), (Inventory.get_group, list[Host])]:
        hints = [typing.get_type_hints(o) for o in typing.get_overloads(method)]
        assert [h["return"] for h in hints] == [found, typing.Union[found, _T]], method
        assert hints[1]["default"] is _T
        # With default=None the type checker's answer is Optional[found].
        assert typing.Union[found, type(None)] == typing.Optional[found]
