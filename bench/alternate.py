#!/usr/bin/env python3
# Copyright (c) strata contributors
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Time whole commands alternated: A B C A B C ... (hyperfine runs each command's runs in a row, so a
machine whose speed drifts favours one of them). Each run's wall time and its peak RSS (the largest
process the command waited for, from wait4) are kept; medians and each command's ratio to the first,
taken run by run, are printed, with the load average before and after.

    bench/alternate.py [--runs N] [--warmup N] [--json OUT] NAME=COMMAND ...

COMMAND runs under `sh -c`, its output thrown away.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def run(command):
    start = time.perf_counter()
    child = subprocess.Popen(
        ["sh", "-c", command], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        sys.exit(f"exit code {child.returncode}: {command}")
    return wall, usage.ru_maxrss / 1024.0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--json")
    parser.add_argument("commands", nargs="+")
    args = parser.parse_args()
    named = [c.split("=", 1) for c in args.commands]
    load_before = open("/proc/loadavg").read().split()[:3]
    for _ in range(args.warmup):
        for _, command in named:
            run(command)
    times = {name: [] for name, _ in named}
    peaks = {name: [] for name, _ in named}
    for _ in range(args.runs):
        for name, command in named:
            wall, peak = run(command)
            times[name].append(wall)
            peaks[name].append(peak)
    load_after = open("/proc/loadavg").read().split()[:3]
    first = named[0][0]
    print(f"load average before {' '.join(load_before)}, after {' '.join(load_after)}; {args.runs} runs alternated")
    print(f"{'command':58} {'median':>9} {'min':>9} {'max':>9} {'÷ first':>11} {'peak MiB':>10}")
    results = []
    for name, command in named:
        ratio = statistics.median(a / b for a, b in zip(times[name], times[first]))
        row = {
            "name": name,
            "command": command,
            "times": times[name],
            "median": statistics.median(times[name]),
            "ratio_to_first": ratio,
            "peak_mib": statistics.median(peaks[name]),
        }
        results.append(row)
        low, high = min(times[name]), max(times[name])
        print(f"{name:58} {row['median']:8.3f}s {low:8.3f}s {high:8.3f}s {ratio:10.2f}× {row['peak_mib']:10.0f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"load_before": load_before, "load_after": load_after, "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
