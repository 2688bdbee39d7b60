#!/usr/bin/env python3
"""Runs a command with a wall-time and peak-memory bound, as a user would.

    bounded.py SECONDS MIB [--expect-status N] -- COMMAND [ARG...]

The command runs in its own process group; when SECONDS pass, the whole
group is killed and this exits 1. Peak RSS is the largest of the command
and its waited-for children (getrusage RUSAGE_CHILDREN). Exit 0 when the
command ended in time, under MIB, and (with --expect-status) with status N;
otherwise 1 with one line that says which bound broke. Prints
`bounded: <seconds> s, <MiB> MiB, status <N>` on stderr either way.
"""

import os
import resource
import signal
import subprocess
import sys
import time


def main(argv):
    if "--" not in argv:
        print(__doc__, file=sys.stderr)
        return 2
    sep = argv.index("--")
    opts, cmd = argv[:sep], argv[sep + 1 :]
    seconds, mib = float(opts[0]), float(opts[1])
    expect = None
    if len(opts) > 2 and opts[2] == "--expect-status":
        expect = int(opts[3])
    start = time.monotonic()
    proc = subprocess.Popen(cmd, start_new_session=True)
    try:
        status = proc.wait(timeout=seconds)
        timed_out = False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        status = proc.wait()
        timed_out = True
    elapsed = time.monotonic() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"bounded: {elapsed:.2f} s, {peak:.1f} MiB, status {status}", file=sys.stderr)
    if timed_out:
        print(f"bounded: FAILED: still running after {seconds} s", file=sys.stderr)
        return 1
    if peak > mib:
        print(f"bounded: FAILED: peak RSS {peak:.1f} MiB over {mib} MiB", file=sys.stderr)
        return 1
    if expect is not None and status != expect:
        print(f"bounded: FAILED: status {status}, expected {expect}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
