#!/usr/bin/env python3
"""Resolve a pyinfra inventory with pyinfra's own code and print it as JSON.

    pyinfra_dump.py INVENTORY.py [--data K=V]... [--limit PATTERN]...
    pyinfra_dump.py INVENTORY.py --runs RUNS.json

The output has the shape of `strata list --format json`, plus the selected hosts:

    {"hosts": [{"name": "w1", "groups": ["web"], "data": {...}}, ...],
     "groups": [{"name": "web", "hosts": ["w1", "w2"]}, ...],
     "selected": ["w1", ...]}

With --runs, RUNS.json is a list of {"data": [...], "limit": [...]} objects (both
optional) and the output is a JSON list with one such object per run, so that
one Python start-up serves every run of a case.

Everything goes through pyinfra's CLI code paths:
  * pyinfra_cli.cli._set_override_data  (the --data parsing: parse_cli_arg)
  * pyinfra_cli.inventory.make_inventory (inventory.py + group_data/*.py)
  * pyinfra_cli.cli._get_inventory_pattern_matches (the --limit matching)
  * Host.data.dict() (the full waterfall: override > host > groups > global)

Normalisations of pyinfra's deliberate differences from strata are marked
"NORMALISE" below; nothing else is changed.
"""

import argparse
import json
import logging
import sys
from pathlib import Path

EXPECTED_VERSION = "3.10.0"


def pyinfra_version():
    from importlib.metadata import version

    return version("pyinfra")


def dedupe(items):
    """Keep the first occurrence of every item, in order."""
    seen = set()
    out = []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


def to_json_value(value):
    """Plain JSON types: tuples become lists, dict keys are sorted."""
    if isinstance(value, dict):
        return {str(k): to_json_value(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, (list, tuple)):
        return [to_json_value(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"value of type {type(value).__name__} cannot be compared: {value!r}")


def dump(inventory_path, data_args, limit_args):
    from pyinfra.api import Config, State
    from pyinfra.context import ctx_config, ctx_inventory, ctx_state
    from pyinfra_cli.cli import _get_inventory_pattern_matches, _set_override_data
    from pyinfra_cli.inventory import make_inventory

    inventory_path = Path(inventory_path).resolve()

    # As pyinfra_cli.cli._setup_state / _main do: a State and a Config in context
    # (exec_file records the file being executed on the state).
    state = State(check_for_changes=False)
    state.cwd = str(inventory_path.parent)
    ctx_state.set(state)
    ctx_config.set(Config())
    override_data = _set_override_data(list(data_args), None, None, None, None, None)

    # cwd = the inventory's own directory, so that only <dir>/group_data is read
    # (the pyinfra CLI also reads ./group_data of the current directory).
    inventory = make_inventory(
        str(inventory_path),
        override_data=override_data,
        cwd=state.cwd,
    )
    ctx_inventory.set(inventory)

    # NORMALISE: pyinfra adds every host to a group named after the inventory
    # file ("inventory" for inventory.py). strata has no such group; drop it.
    # It must carry no data, or dropping it would hide a precedence effect.
    file_group = inventory_path.name.rsplit(".", 1)[0]
    if inventory.get_group_data(file_group):
        raise SystemExit(f"group_data/{file_group}.py must not exist: it would shadow the file group")

    def visible_groups(host):
        # NORMALISE: pyinfra's host.groups repeats groups (a connector host gets
        # its list doubled: [web, inventory, @docker, web, inventory, @docker]);
        # the doubling does not change precedence (each pass is in the same
        # order), so keep the first occurrence of each group, in order.
        return [g for g in dedupe(host.groups) if g != file_group]

    hosts = []
    for host in inventory:
        hosts.append(
            {
                "name": host.name,
                "groups": visible_groups(host),
                "data": to_json_value(host.data.dict()),
            }
        )

    # pyinfra's inventory.groups only holds groups that have hosts (a group
    # with no host, e.g. a group_data file naming no group, is absent).
    # Members come in inventory order (pyinfra pushes hosts while iterating
    # over them), not in the order the group lists them.
    # Group order in inventory.groups is that of first use while iterating
    # over hosts; list the groups defined in the inventory file first, in
    # definition order (inventory.group_data keeps it), then the implicit
    # connector groups in first-use order. (The comparer ignores group order.)
    # (group_data holds: the file's groups, the file group, then the
    # group_data/*.py names that are not groups, in directory listing order.)
    names = list(inventory.group_data)
    defined = names[: names.index(file_group)] if file_group in names else []
    defined = [g for g in defined if g in inventory.groups]
    ordered = dedupe(defined + list(inventory.groups))
    groups = []
    for name in ordered:
        if name == file_group:
            continue
        members = inventory.groups[name]
        groups.append({"name": name, "hosts": dedupe(h.name for h in members)})

    if limit_args:
        # NORMALISE: pyinfra returns list(set(hosts)); report inventory order.
        matched = set(_get_inventory_pattern_matches(inventory, list(limit_args), "--limit"))
        selected = [host.name for host in inventory if host in matched]
    else:
        selected = [host.name for host in inventory]

    return {"hosts": hosts, "groups": groups, "selected": selected}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("inventory", help="path to a pyinfra inventory.py")
    parser.add_argument("--data", action="append", default=[], metavar="K=V")
    parser.add_argument("--limit", action="append", default=[], metavar="PATTERN")
    parser.add_argument("--runs", help="JSON file with a list of runs; prints a list")
    parser.add_argument("--indent", type=int, default=None)
    args = parser.parse_args()

    version = pyinfra_version()
    if version != EXPECTED_VERSION:
        raise SystemExit(f"pyinfra {EXPECTED_VERSION} required, found {version}")

    # pyinfra logs warnings (e.g. "The @chroot connector is in beta!") through
    # the logging module; keep them on stderr and quiet.
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)

    if args.runs:
        with open(args.runs, encoding="utf-8") as f:
            runs = json.load(f)
        out = [dump(args.inventory, run.get("data", []), run.get("limit", [])) for run in runs]
    else:
        out = dump(args.inventory, args.data, args.limit)

    json.dump(out, sys.stdout, indent=args.indent, allow_nan=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
