#!/usr/bin/env python3
"""An inventory with a file source of N hosts, for the sources benchmark
(docs/benchmarks.md, "External sources").

    bench/gen-source.py DIR N

DIR gets a small static part (hosts.toml with 10 hosts, group_data/web.toml)
and sources/cmdb.toml naming exports/cmdb.json: N hosts in the Ansible
dynamic-inventory --list shape, spread over 20 role groups and 4 environment
groups (children of `prod`), each host with 8 variables in _meta.hostvars.
With N = 0 there is no source at all (the baseline).
"""

import json
import os
import sys


def main() -> None:
    out, n = sys.argv[1], int(sys.argv[2])
    os.makedirs(os.path.join(out, "group_data"), exist_ok=True)
    static = [f"static{i}.example.com" for i in range(10)]
    with open(os.path.join(out, "hosts.toml"), "w") as f:
        f.write(f'web = {json.dumps(static)}\n\n[all]\ndata = {{ ssh_user = "deploy" }}\n')
    with open(os.path.join(out, "group_data", "web.toml"), "w") as f:
        f.write("http_port = 8080\n")
    if n == 0:
        return
    os.makedirs(os.path.join(out, "sources"), exist_ok=True)
    os.makedirs(os.path.join(out, "exports"), exist_ok=True)
    with open(os.path.join(out, "sources", "cmdb.toml"), "w") as f:
        f.write('file = "exports/cmdb.json"\n')
    doc: dict = {"prod": {"children": [f"env_{e}" for e in range(4)], "vars": {"env": "prod"}}}
    hostvars = {}
    for i in range(n):
        name = f"node{i:06d}.dc{i % 3}.example.com"
        for g in (f"role_{i % 20}", f"env_{i % 4}"):
            doc.setdefault(g, {"hosts": [], "vars": {"group": g}})["hosts"].append(name)
        hostvars[name] = {
            "ansible_host": f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}",
            "ansible_port": 22,
            "datacenter": f"dc{i % 3}",
            "rack": f"r{i % 40}",
            "cpu_cores": 2 ** (i % 5),
            "ram_gb": 4 * (i % 16 + 1),
            "os_version": "ubuntu-24.04",
            "labels": ["managed", f"batch{i % 7}"],
        }
    doc["_meta"] = {"hostvars": hostvars}
    with open(os.path.join(out, "exports", "cmdb.json"), "w") as f:
        json.dump(doc, f, indent=1)


main()
