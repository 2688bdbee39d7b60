#!/usr/bin/env python3
# Copyright (c) strata contributors
# SPDX-License-Identifier: MIT OR Apache-2.0
"""How long Ansible takes to parse each inventory source, in process (Ansible's imports and start-up
left out): each run is a fresh Python that builds an InventoryManager on one source and reports the
seconds of that alone. Sources are run alternated; medians and ratios to the first, run by run.

    bench/ansible-populate.py [--runs N] PYTHON NAME=SOURCE ...

PYTHON is the Python of ansible-core's environment.
"""

import argparse
import statistics
import subprocess
import sys

PROBE = r"""
import sys, time
from ansible.plugins.loader import init_plugin_loader
init_plugin_loader()
from ansible.parsing.dataloader import DataLoader
from ansible.inventory.manager import InventoryManager
start = time.perf_counter()
inventory = InventoryManager(loader=DataLoader(), sources=[sys.argv[1]])
print(time.perf_counter() - start, len(inventory.hosts))
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("python")
    parser.add_argument("sources", nargs="+")
    args = parser.parse_args()
    named = [s.split("=", 1) for s in args.sources]
    load_before = open("/proc/loadavg").read().split()[:3]
    times = {name: [] for name, _ in named}
    for _ in range(args.runs + 1):  # the first round warms the page cache and is dropped
        for name, source in named:
            out = subprocess.run([args.python, "-c", PROBE, source], capture_output=True, text=True, check=False)
            if out.returncode != 0:
                sys.exit(f"{name} failed:\n{out.stderr}")
            seconds, hosts = out.stdout.split()
            times[name].append(float(seconds))
    load_after = open("/proc/loadavg").read().split()[:3]
    first = named[0][0]
    before, after = " ".join(load_before), " ".join(load_after)
    print(f"load average before {before}, after {after}; {args.runs} runs alternated, in process")
    for name, _ in named:
        kept, base = times[name][1:], times[first][1:]
        ratio = statistics.median(a / b for a, b in zip(kept, base))
        median, low, high = statistics.median(kept), min(kept), max(kept)
        print(f"{name:10} {median:8.3f}s (min {low:.3f}, max {high:.3f}) {ratio:6.2f}× of {first}  [{hosts} hosts]")


if __name__ == "__main__":
    main()
