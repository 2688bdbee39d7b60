#!/usr/bin/env python3
"""A small reference model of DESIGN.md sections 2-4, for checking fixtures.

    design_model.py CASE_DIR            compare the model of CASE_DIR/strata with
                                        pyinfra_dump.py on CASE_DIR/pyinfra, for
                                        every run of CASE_DIR/runs.json
    design_model.py --all               the same for every case here
    design_model.py --dump STRATA_DIR [--data K=V]... [--limit P]...
                                        print the model's resolution as JSON

This is a development aid, not a test of strata: it shows that the strata and
pyinfra dialects of a fixture say the same thing under the semantics that
DESIGN.md gives strata, so that a mismatch reported by pyinfra_diff.rs is a
strata bug or a documented difference, not a fixture typo. Run it with a
Python that has pyinfra 3.10.0 (it runs pyinfra_dump.py with sys.executable).
It implements only what the fixtures use (no diagnostics, no `~regex` limits).
"""

import argparse
import fnmatch
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONNECTORS = ("local", "ssh", "docker", "podman", "chroot", "dockerssh")


def expand_ranges(name):
    m = re.search(r"\[([^\[\]:]+):([^\[\]:]+)(?::(\d+))?\]", name)
    if not m:
        return [name]
    start, end, step = m.group(1), m.group(2), int(m.group(3) or 1)
    pre, post = name[: m.start()], name[m.end():]
    if start.isdigit() and end.isdigit():
        width = len(start) if start.startswith("0") and len(start) > 1 else 0
        items = [str(i).zfill(width) for i in range(int(start), int(end) + 1, step)]
    else:
        items = [chr(c) for c in range(ord(start), ord(end) + 1, step)]
    return [x for item in items for x in expand_ranges(pre + item + post)]


def load_toml(path):
    with open(path, "rb") as f:
        return tomllib.load(f)


def parse_data_arg(arg):
    key, value = arg.split("=", 1)
    try:
        return key, tomllib.loads(f"v = {value}")["v"]
    except tomllib.TOMLDecodeError:
        return key, value


def connector(name):
    """(implicit group or None, connector data) for a host name."""
    if not name.startswith("@"):
        return None, {}
    kind, _, arg = name[1:].partition("/")
    assert kind in CONNECTORS, name
    if kind == "local":
        return "@local", {}
    if kind == "ssh":
        return None, {"ssh_hostname": arg}
    if kind in ("docker", "podman"):
        return f"@{kind}", {"docker_identifier": arg}
    if kind == "chroot":
        return "@chroot", {"chroot_directory": "/" + arg.lstrip("/")}
    host, _, image = arg.partition(":")  # first colon, as pyinfra
    return "@dockerssh", {"ssh_hostname": host, "docker_image": image}


def model(root, data_args=(), limit_args=()):
    root = Path(root)
    doc = load_toml(root / "hosts.toml")

    def entries(value):
        hosts, data = (value, {}) if isinstance(value, list) else (value.get("hosts", []), value.get("data", {}))
        out = []
        for h in hosts:
            name, hdata = (h, {}) if isinstance(h, str) else (h["name"], h.get("data", {}))
            out.extend((n, hdata) for n in expand_ranges(name))
        return out, data

    groups = {}  # name -> (entries, inline data)
    for key, value in doc.items():
        if key != "all":
            groups[key] = entries(value)
    all_entries, all_data = entries(doc["all"]) if "all" in doc else ([], {})

    order = [n for n, _ in all_entries] if "all" in doc else []
    if "all" not in doc:
        for ents, _ in groups.values():
            for n, _ in ents:
                if n not in order:
                    order.append(n)

    gd = root / "group_data"
    group_file = {p.stem: load_toml(p) for p in gd.glob("*.toml")} if gd.is_dir() else {}
    global_data = {**all_data, **group_file.get("all", {})}
    group_data = {g: {**d, **group_file.get(g, {})} for g, (_, d) in groups.items()}

    inline = {n: {} for n in order}
    host_groups = {n: [] for n in order}
    for g, (ents, _) in groups.items():
        for n, d in ents:
            inline[n].update(d)
            if g not in host_groups[n]:
                host_groups[n].append(g)
    for n, d in all_entries:
        inline[n].update(d)

    override = dict(parse_data_arg(a) for a in data_args)
    hosts, members = [], {g: [] for g in groups}
    for n in order:
        implicit, cdata = connector(n)
        hg = list(host_groups[n])
        if implicit:
            hg.append(implicit)
            members.setdefault(implicit, [])
            group_data.setdefault(implicit, group_file.get(implicit, {}))
        for g in hg:
            members[g].append(n)  # inventory order, as pyinfra
        hfile = root / "host_data" / f"{n}.toml"
        data = dict(global_data)
        for g in hg:
            data.update(group_data[g])
        data.update(cdata)
        data.update(inline[n])
        data.update(load_toml(hfile) if hfile.is_file() else {})
        data.update(override)
        hosts.append({"name": n, "groups": hg, "data": dict(sorted(data.items()))})

    def term(t):
        if t in ("all", "*"):
            return set(order)
        if t in members:
            return set(members[t])
        return {n for n in order if fnmatch.fnmatchcase(n, t)}

    if limit_args:
        terms = [t for p in limit_args for t in p.split(",")]
        plain = [t for t in terms if t[0] not in "&!"]
        sel = set().union(*(term(t) for t in plain)) if plain else set(order)
        for t in terms:
            if t[0] == "&":
                sel &= term(t[1:])
        for t in terms:
            if t[0] == "!":
                sel -= term(t[1:])
        selected = [n for n in order if n in sel]
    else:
        selected = list(order)

    return {
        "hosts": hosts,
        "groups": [{"name": g, "hosts": m} for g, m in members.items() if m],
        "selected": selected,
    }


def normal(v):
    return json.loads(json.dumps(v))


def check_case(case_dir):
    case_dir = Path(case_dir)
    runs_file = case_dir / "runs.json"
    runs = json.loads(runs_file.read_text())
    out = subprocess.run(
        [sys.executable, str(HERE / "pyinfra_dump.py"), str(case_dir / "pyinfra" / "inventory.py"), "--runs", str(runs_file)],
        check=True, capture_output=True, text=True,
    )
    problems = 0
    for run, py in zip(runs, json.loads(out.stdout)):
        m = normal(model(case_dir / "strata", run.get("data", []), run.get("limit", [])))
        py_groups = {g["name"]: g["hosts"] for g in py["groups"]}
        m_groups = {g["name"]: g["hosts"] for g in m["groups"]}
        py["groups"], m["groups"] = py_groups, m_groups
        for key in ("hosts", "groups", "selected"):
            if m[key] != py[key]:
                problems += 1
                print(f"{case_dir.name} {run}: {key} differ")
                print("  model:  ", json.dumps(m[key], sort_keys=True)[:2000])
                print("  pyinfra:", json.dumps(py[key], sort_keys=True)[:2000])
    print(f"{case_dir.name}: {len(runs)} runs, {'ok' if not problems else f'{problems} differences'}")
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("case", nargs="?")
    ap.add_argument("--all", action="store_true")
    ap.add_argument("--dump")
    ap.add_argument("--data", action="append", default=[])
    ap.add_argument("--limit", action="append", default=[])
    a = ap.parse_args()
    if a.dump:
        json.dump(model(a.dump, a.data, a.limit), sys.stdout, indent=1)
        print()
        return
    cases = sorted(p.parent for p in HERE.glob("*/runs.json")) if a.all else [Path(a.case)]
    sys.exit(1 if sum(check_case(c) for c in cases) else 0)


if __name__ == "__main__":
    main()
