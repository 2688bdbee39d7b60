#!/usr/bin/env python3
# Copyright (c) strata contributors
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Prepare the InventoryData floor of bench/ansible.sh: run `strata ansible --list --structured` once and
write its entries, in the order strata.strata.inventory adds them, as NAME.floor.marshal beside a
NAME.floor.yml that names the floor plugin (bench/ansible_floor/strata_floor.py).

    bench/ansible-floor.py STRATA INVENTORY OUT.floor.yml
"""

import json
import marshal
import subprocess
import sys


def main():
    strata, inventory, config = sys.argv[1:4]
    if not config.endswith(".floor.yml"):
        sys.exit("the configuration must be named *.floor.yml")
    out = subprocess.run(
        [strata, "--color=never", "--inventory=" + inventory, "ansible", "--list", "--structured"],
        check=True,
        capture_output=True,
    ).stdout
    document = json.loads(out)
    hostvars = list(document["_meta"]["hostvars"].items())
    groups = [
        (name, group["hosts"], group.get("priority", 1), group.get("vars", {}))
        for name, group in document.items()
        if name not in ("_meta", "all")
    ]
    with open(config[: -len(".yml")] + ".marshal", "wb") as f:
        marshal.dump((hostvars, document["all"]["vars"], groups), f)
    with open(config, "w") as f:
        f.write("plugin: strata_floor\n")


if __name__ == "__main__":
    main()
