#!/usr/bin/env python3
"""What makes each inventory of the import corpus hard for an importer, counted
from the saved oracles (expected/list.json and expected/export.json) alone.

    survey.py [CASE_DIR ...]      (default: every case check_oracle.py checks)

Counts, per case:
- hosts, groups (with all and ungrouped; --list leaves out a group with
  neither hosts nor values, and both leave out the entry of a group whose
  only mention is as a child), the deepest group (all is depth 0,
  a group's depth is its longest path from all, as Ansible counts it), groups
  with more than one parent, hosts in more than one group (directly);
- values: group values (group, key) and host values (host, key) of --export,
  resolved values (host, key) of --list;
- forms, over every leaf of --export: Jinja strings ({{ {% {#), nulls, vault
  values (__ansible_vault), unsafe values (__ansible_unsafe), strings that
  read as a number, boolean or null in another syntax ("05", "1.10", "true",
  "null", "1e300"), integers outside 64 bits, floats, booleans, empty
  tables, empty lists, ansible_group_priority keys;
- names: groups whose name is not a Python identifier (Ansible warns), group
  host lists not in sorted order (an importer must keep the written order);
- nulls: a host's resolved null that another of its layers defines (dropping
  the key would show that value: an importer must refuse it), one that nothing
  else defines (dropping it changes only the key's presence), and nulls of
  groups that reach no host (dropping them changes no host);
- the precedence trap: resolved values (host, key) that a structure-only
  import gets wrong, that is merging --export's group values in Ansible's
  group order (depth, ansible_group_priority, name; all first) then the
  host's own values, and comparing with --list. Group values from group_vars
  files beat group values written in inventory files at any depth, and an
  ansible_group_priority set in a group_vars file orders nothing, but --export
  merges both sources per group, so only --list shows the difference.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
NUMBER_LIKE = re.compile(
    r"[-+]?(0[xob][0-9a-f_]+|[0-9][0-9_]*(\.[0-9_]*)?([e][-+]?[0-9]+)?|\.[0-9]+([e][-+]?[0-9]+)?|\.?(inf|nan))",
    re.IGNORECASE,
)
WORD_LIKE = {"true", "false", "yes", "no", "on", "off", "y", "n", "null", "none", "~", ""}
JINJA = ("{{", "{%", "{#")
INT64 = (-(2**63), 2**63 - 1)
EXAMPLES = 10


def load(case: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    with open(case / "expected" / "list.json", encoding="utf-8") as listed:
        resolved = json.load(listed)
    with open(case / "expected" / "export.json", encoding="utf-8") as exported:
        export = json.load(exported)
    return resolved, export


def groups_of(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: body for name, body in data.items() if name != "_meta"}


def depths(groups: dict[str, dict[str, Any]]) -> dict[str, int]:
    """Each group's longest path from all (Ansible's Group.depth)."""
    depth = {"all": 0}
    todo = ["all"]
    steps = 0
    while todo and steps < 10_000_000:
        steps += 1
        parent = todo.pop()
        for child in groups.get(parent, {}).get("children", []):
            if depth.get(child, -1) < depth[parent] + 1:
                depth[child] = depth[parent] + 1
                todo.append(child)
    return depth


def leaves(value: Any) -> list[Any]:
    """Every leaf under a value; a vault or unsafe wrapper is one leaf, an empty table or list too."""
    if isinstance(value, dict):
        if set(value) in ({"__ansible_vault"}, {"__ansible_unsafe"}) or not value:
            return [value]
        return [leaf for item in value.values() for leaf in leaves(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in leaves(item)] if value else [value]
    return [value]


def form(leaf: Any) -> str | None:
    if leaf is None:
        return "nulls"
    if isinstance(leaf, bool):
        return "booleans"
    if isinstance(leaf, int):
        return "integers outside 64 bits" if not INT64[0] <= leaf <= INT64[1] else None
    if isinstance(leaf, float):
        return "floats"
    if isinstance(leaf, dict):
        if "__ansible_vault" in leaf:
            return "vault values"
        if "__ansible_unsafe" in leaf:
            return "unsafe values"
        return "empty tables"
    if isinstance(leaf, list):
        return "empty lists"
    if isinstance(leaf, str):
        if any(mark in leaf for mark in JINJA):
            return "Jinja strings"
        if NUMBER_LIKE.fullmatch(leaf) or leaf.lower() in WORD_LIKE:
            return "strings that read as a number, boolean or null"
    return None


def layers_of(
    host: str, groups: dict[str, dict[str, Any]], export: dict[str, Any], depth: dict[str, int]
) -> list[dict[str, Any]]:
    """A host's layers of --export values in Ansible's group order (all, groups, the host's own)."""
    direct = {name for name, body in groups.items() if host in body.get("hosts", [])}
    parents: dict[str, set[str]] = {}
    for name, body in groups.items():
        for child in body.get("children", []):
            parents.setdefault(child, set()).add(name)
    member = set(direct)
    todo = list(direct)
    while todo:
        for parent in parents.get(todo.pop(), ()):
            if parent not in member:
                member.add(parent)
                todo.append(parent)
    member.discard("all")

    def priority(name: str) -> int:
        value = export.get(name, {}).get("vars", {}).get("ansible_group_priority", 1)
        return value if isinstance(value, int) else 1

    layers = [export.get("all", {}).get("vars", {})]
    layers += [
        export.get(name, {}).get("vars", {}) for name in sorted(member, key=lambda g: (depth.get(g, 0), priority(g), g))
    ]
    layers.append(export["_meta"]["hostvars"].get(host, {}))
    return layers


def merge(layers: list[dict[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for layer in layers:
        merged.update(layer)
    return merged


def survey(case: Path) -> list[str]:
    resolved, export = load(case)
    exported = groups_of(export)
    named = {child for body in exported.values() for child in body.get("children", [])}
    only_children = sorted(named - set(exported))
    groups = {**{name: {} for name in only_children}, **exported}
    depth = depths(groups)
    hostvars = resolved["_meta"]["hostvars"]
    hosts = set(hostvars) | {h for body in groups.values() for h in body.get("hosts", [])}
    parent_count = Counter(child for body in groups.values() for child in body.get("children", []))
    direct_count = Counter(h for name, body in groups.items() for h in body.get("hosts", []) if name != "all")
    group_values = sum(len(body.get("vars", {})) for body in exported.values())
    host_values = sum(len(values) for values in export["_meta"]["hostvars"].values())
    forms: Counter[str] = Counter()
    trees = [body.get("vars", {}) for body in exported.values()] + list(export["_meta"]["hostvars"].values())
    for tree in trees:
        for leaf in (leaf for value in tree.values() for leaf in leaves(value)):
            kind = form(leaf)
            if kind:
                forms[kind] += 1
    priorities = sum("ansible_group_priority" in body.get("vars", {}) for body in exported.values())
    odd_names = sorted(name for name in groups if not name.isidentifier())
    unsorted = sorted(name for name, body in groups.items() if body.get("hosts", []) != sorted(body.get("hosts", [])))
    wrong: list[str] = []
    nulls = Counter()
    for host in sorted(hostvars):
        layers = layers_of(host, groups, export, depth)
        guess = merge(layers)
        for key, value in hostvars[host].items():
            if value is None:
                hidden = any(layer.get(key) is not None for layer in layers if key in layer)
                nulls["hiding a value" if hidden else "hiding nothing"] += 1
        for key in sorted(set(guess) | set(hostvars[host])):
            if guess.get(key, "<absent>") != hostvars[host].get(key, "<absent>"):
                wrong.append(
                    f"{host}.{key}: --list {json.dumps(hostvars[host].get(key, '<absent>'))[:60]},"
                    f" structure-only {json.dumps(guess.get(key, '<absent>'))[:60]}"
                )
    reaching: set[str] = set()
    for host in hostvars:
        reaching |= {name for name, body in groups.items() if host in body.get("hosts", [])}
    grew = True
    while grew:
        parents = {name for name, body in groups.items() if reaching & set(body.get("children", []))}
        grew = not parents <= reaching
        reaching |= parents
    unused_nulls = sum(
        1
        for name, body in exported.items()
        if name not in reaching and name != "all"
        for value in body.get("vars", {}).values()
        if value is None
    )
    deepest = max(sorted(depth), key=lambda name: depth[name])
    resolved_values = sum(len(values) for values in hostvars.values())
    lines = [
        f"## {case.name}",
        f"hosts {len(hosts)}, groups {len(groups)}, deepest group {deepest} ({depth[deepest]}), "
        f"groups with several parents {sum(1 for n in parent_count.values() if n > 1)}, "
        f"hosts in several groups {sum(1 for n in direct_count.values() if n > 1)}",
        f"groups named only as a child (no entry of their own in --list or --export) {len(only_children)}"
        + (f" (e.g. {', '.join(only_children[:3])})" if only_children else "")
        + f", groups absent from --list {len(groups) - len(groups_of(resolved))}",
        f"values: group {group_values}, host {host_values}, resolved {resolved_values}",
        "forms: " + (", ".join(f"{kind} {n}" for kind, n in sorted(forms.items())) or "none"),
        f"resolved nulls: hiding a value of another layer {nulls['hiding a value']},"
        f" hiding nothing {nulls['hiding nothing']}; group nulls reaching no host {unused_nulls}",
        f"ansible_group_priority keys {priorities}",
        f"group names that are not identifiers {len(odd_names)}"
        + (f" (e.g. {', '.join(odd_names[:3])})" if odd_names else ""),
        f"groups whose hosts are not in sorted order {len(unsorted)}"
        + (f" (e.g. {', '.join(unsorted[:3])})" if unsorted else ""),
        f"precedence trap: {len(wrong)} of {resolved_values} resolved values differ from a structure-only import",
    ]
    lines += [f"  {line}" for line in wrong[:EXAMPLES]]
    if len(wrong) > EXAMPLES:
        lines.append(f"  ... and {len(wrong) - EXAMPLES} more")
    return lines


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(HERE))
    from check_oracle import default_cases

    cases = [Path(arg).resolve() for arg in argv] or default_cases()
    for case in cases:
        print("\n".join(survey(case)))
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
