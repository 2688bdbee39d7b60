"""The corpus of `strata import` (issue 23): real public Ansible inventories in
tests/import/public/ and the adversarial one in tests/import/traps/, each with
what ansible-inventory printed for it (expected/list.json, export.json).

These tests re-run the real ansible-inventory on every case through
tests/import/public/check_oracle.py and require the same output, byte for
byte, so a change of Ansible version (or of a case) shows here before it
shows as an import difference. ansible-inventory comes from
$STRATA_ANSIBLE_BIN_DIR, else <repo>/.venv/bin: without it the tests skip,
and with $CI set they fail. tests/import/public/README.md says how to refresh
the expectations.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest
from conftest import REPO, missing

CORPUS = REPO / "tests" / "import" / "public"
TRAPS = REPO / "tests" / "import" / "traps"


def load_script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, CORPUS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


check_oracle = load_script("check_oracle")
survey = load_script("survey")
CASES = check_oracle.default_cases()


@pytest.fixture(scope="session")
def ansible_inventory() -> Path:
    folder = Path(os.environ.get("STRATA_ANSIBLE_BIN_DIR") or REPO / ".venv" / "bin")
    tool = folder / "ansible-inventory"
    if not tool.is_file():
        missing(f"ansible-core ({tool}; set STRATA_ANSIBLE_BIN_DIR)")
    return tool


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_ansible_inventory_prints_the_saved_oracle(case: Path, ansible_inventory: Path) -> None:
    assert check_oracle.check_case(case, ansible_inventory) == []


def test_the_corpus_has_three_public_inventories_with_licence_and_source() -> None:
    public = [case for case in CASES if case.parent == CORPUS]
    assert len(public) >= 3
    assert TRAPS in CASES
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    for case in public:
        for name in ("LICENSE", "SOURCE.md", "inventories.txt"):
            assert (case / name).is_file(), f"{case.name} has no {name}"
        source = (case / "SOURCE.md").read_text(encoding="utf-8")
        for field in ("Package", "Upstream", "Licence", "Fetched", "Left out"):
            assert f"**{field}**" in source, f"{case.name}/SOURCE.md has no {field}"
        assert f"`{case.name}`" in readme, f"README.md does not describe {case.name}"
    for case in CASES:
        for name in ("list.json", "export.json", "ansible-version.txt"):
            assert (case / "expected" / name).is_file(), f"{case.name} has no expected/{name}"


def test_the_checker_sees_a_changed_inventory_and_a_changed_oracle(ansible_inventory: Path, tmp_path: Path) -> None:
    case = tmp_path / "traps"
    shutil.copytree(TRAPS, case)
    all_file = case / "inventory" / "group_vars" / "all.yml"
    all_file.write_text(all_file.read_text(encoding="utf-8").replace("all-file", "all-file-changed"), encoding="utf-8")
    problems = check_oracle.check_case(case, ansible_inventory)
    assert len(problems) == 2, problems
    assert "$._meta.hostvars.a1.ntp_server" in problems[0]
    assert "$.all.vars.ntp_server" in problems[1]

    shutil.rmtree(case)
    shutil.copytree(TRAPS, case)
    (case / "expected" / "list.json").write_text(
        (TRAPS / "expected" / "list.json").read_text(encoding="utf-8").replace('"r4"', '"r5"'), encoding="utf-8"
    )
    problems = check_oracle.check_case(case, ansible_inventory)
    assert len(problems) == 1 and "list.json differs" in problems[0], problems


def test_the_checker_refuses_a_case_naming_a_missing_inventory(ansible_inventory: Path, tmp_path: Path) -> None:
    (tmp_path / "inventories.txt").write_text("nowhere\n", encoding="utf-8")
    problems = check_oracle.check_case(tmp_path, ansible_inventory)
    assert len(problems) == 1 and "does not exist" in problems[0], problems


def test_the_survey_finds_every_precedence_trap_of_the_traps_inventory() -> None:
    lines = survey.survey(TRAPS)
    trap_lines = [line.strip().split(":")[0] for line in lines if line.startswith("  ")]
    assert trap_lines == [
        "a1.dns",
        "a1.ntp_server",
        "db1.dns",
        "db1.ntp_server",
        "p1.ansible_group_priority",
        "p2.owner",
    ]
    assert "precedence trap: 6 of 151 resolved values differ from a structure-only import" in lines


def test_the_traps_inventory_resolves_as_its_readme_says() -> None:
    hostvars = json.loads((TRAPS / "expected" / "list.json").read_text(encoding="utf-8"))["_meta"]["hostvars"]
    expected = {
        ("a1", "ntp_server"): "all-file",
        ("a1", "dns"): "dc-file",
        ("a1", "region"): "atlanta-inline",
        ("a1", "color"): "file",
        ("a1", "tier"): "inline-host",
        ("a1", "proxy"): None,
        ("db1", "role_hint"): "atlanta",
        ("p1", "owner"): "alpha",
        ("p2", "owner"): "omega",
        ("p2", "ansible_group_priority"): 10,
        ("s10", "sorted_by"): "echo",
        ("lonely", "nothing_below"): None,
        ("web08", "weight"): "05",
        ("web08", "ratio"): 1.1,
        ("web08", "http_port"): 8080,
        ("v1", "big_int"): 2**63,
        ("v1", "huge_float"): 1e300,
        ("v1", "exponent_without_dot"): "1e300",
        ("v1", "legacy_octal"): 15,
        ("v1", "sexagesimal"): 80,
        ("v1", "unsafe"): {"__ansible_unsafe": "{{ lookup('pipe', 'id') }}"},
    }
    assert {key: hostvars[key[0]].get(key[1], "<absent>") for key in expected} == expected
    assert "ansible_group_priority" not in hostvars["p1"]
    assert list(hostvars["v1"]["vaulted"]) == ["__ansible_vault"]
