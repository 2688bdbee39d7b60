#!/usr/bin/env python3
"""The benchmarks' and tests' inventory generator: one synthetic inventory,
written in three dialects with the same content.

    bench/gen.py N OUTDIR [--seed S]

writes

    OUTDIR/strata/      hosts.toml, group_data/*.toml, host_data/*.toml
    OUTDIR/pyinfra/     inventory.py (host data inline), group_data/*.py
    OUTDIR/ansible/     hosts.yml, group_vars/*.yml, host_vars/*.yml
    OUTDIR/model.json   the content itself, to check resolved output against

The shape, for N hosts (seed 1 unless --seed says otherwise):

- max(10, N // 100) groups `g0000`, `g0001`...; hosts `h0000000.example.com`...;
- each host in 2 or 3 groups drawn at random, listed in host order;
- 5 global keys; 8 keys per group, among them `tier`, which several groups
  and the global data all set, so that group precedence decides it;
- 4 or 5 keys of host data (every fifth host overrides `tier`).

Figures in docs/benchmarks.md were measured on this content: the draws
(`random.Random(seed)`: one `choice` then one `sample` per host, in host
order) must not change, or the figures stop being comparable.
"""

import json
import os
import random
import sys

GLOBAL = {"ssh_user": "deploy", "ssh_port": 22, "env": "prod", "ntp": ["a.ntp", "b.ntp"], "tier": 0}


def group_data(index, name):
    """The 8 keys of group number `index`."""
    return {
        "app_env": "production" if index % 2 else "staging",
        "app_workers": index % 16 + 1,
        "tier": index % 3,
        "db_host": f"db{index % 7}.internal",
        "db_port": 5432,
        f"only_{name}": True,
        "limits": {"cpu": index % 8, "mem": f"{index % 32}G"},
        "ratio": index / 10.0,
    }


def host_data(index):
    """The keys of host number `index`."""
    data = {
        "app_port": 8000 + index % 1000,
        "ip": f"10.{index >> 16 & 255}.{index >> 8 & 255}.{index & 255}",
        "rack": f"r{index % 40}",
    }
    if index % 5 == 0:
        data["tier"] = 9
    data["tags"] = ["a", f"t{index % 3}"]
    return data


def build(n, seed):
    """The content as plain data: hosts, groups, members, global, group and host data."""
    draw = random.Random(seed)
    groups = [f"g{i:04d}" for i in range(max(10, n // 100))]
    hosts = [f"h{i:07d}.example.com" for i in range(n)]
    members = {g: [] for g in groups}
    for host in hosts:
        count = draw.choice((2, 3))
        for g in draw.sample(groups, count):
            members[g].append(host)
    return {
        "hosts": hosts,
        "groups": groups,
        "members": members,
        "global": dict(GLOBAL),
        "group_data": {g: group_data(i, g) for i, g in enumerate(groups)},
        "host_data": {h: host_data(i) for i, h in enumerate(hosts)},
    }


def toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"no TOML form for {v!r}")


def toml_table(d):
    return "".join(f"{k} = {toml_value(v)}\n" for k, v in d.items())


def python_table(d):
    return "".join(f"{k} = {v!r}\n" for k, v in d.items())


def put(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def write_strata(m, out):
    head = "# synthetic inventory: every top-level array is a group\n"
    lines = [f"{g} = [" + ", ".join(json.dumps(h) for h in m["members"][g]) + "]\n" for g in m["groups"]]
    put(f"{out}/hosts.toml", head + "".join(lines))
    put(f"{out}/group_data/all.toml", toml_table(m["global"]))
    for g in m["groups"]:
        put(f"{out}/group_data/{g}.toml", toml_table(m["group_data"][g]))
    for h in m["hosts"]:
        put(f"{out}/host_data/{h}.toml", toml_table(m["host_data"][h]))


def write_pyinfra(m, out):
    lines = []
    for g in m["groups"]:
        entries = ", ".join(f"({json.dumps(h)}, {m['host_data'][h]!r})" for h in m["members"][g])
        lines.append(f"{g} = [{entries}]\n")
    put(f"{out}/inventory.py", "".join(lines))
    put(f"{out}/group_data/all.py", python_table(m["global"]))
    for g in m["groups"]:
        put(f"{out}/group_data/{g}.py", python_table(m["group_data"][g]))


def write_ansible(m, out):
    lines = ["all:\n  children:\n"]
    for g in m["groups"]:
        lines.append(f"    {g}:\n      hosts:\n")
        lines.extend(f"        {h}:\n" for h in m["members"][g])
    put(f"{out}/hosts.yml", "".join(lines))
    # JSON is YAML: the same values, typed alike in both readers.
    put(f"{out}/group_vars/all.yml", json.dumps(m["global"]) + "\n")
    for g in m["groups"]:
        put(f"{out}/group_vars/{g}.yml", json.dumps(m["group_data"][g]) + "\n")
    for h in m["hosts"]:
        put(f"{out}/host_vars/{h}.yml", json.dumps(m["host_data"][h]) + "\n")


def main(argv):
    if len(argv) < 2 or not argv[0].isdigit():
        sys.exit("usage: bench/gen.py N OUTDIR [--seed S]")
    n, out = int(argv[0]), argv[1]
    seed = int(argv[argv.index("--seed") + 1]) if "--seed" in argv else 1
    m = build(n, seed)
    write_strata(m, f"{out}/strata")
    write_pyinfra(m, f"{out}/pyinfra")
    write_ansible(m, f"{out}/ansible")
    put(f"{out}/model.json", json.dumps(m))


if __name__ == "__main__":
    main(sys.argv[1:])
