#!/usr/bin/env python3
"""Peak memory of `strata lsp` against `strata list` on one inventory.

Starts `strata lsp` on INVENTORY, opens a group data file, makes EDITS edits
(each breaks a value, then the next mends it) and waits for each edit's
diagnostics, then reads the server's peak RSS (VmHWM) from /proc before
shutting it down; then runs `strata list --format json` on the same
inventory under /usr/bin/time for its peak RSS. Prints both and the ratio.

    bench/lsp-memory.py target/release/strata /tmp/g10k/strata [EDITS]

Only the standard library: the protocol is spoken directly (Linux only:
/proc). The inventory is bench/gen.py's (it edits group_data/g0003.toml).
"""

import json
import re
import subprocess
import sys
import time
from pathlib import Path


def frame(message):
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def read_message(stream):
    length = None
    while True:
        line = stream.readline()
        if not line:
            raise EOFError("the server closed its output")
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.decode().partition(":")
        if name.lower() == "content-length":
            length = int(value)
    return json.loads(stream.read(length))


def peak_kib(pid):
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))


def main():
    strata, root = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    edits = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    server = subprocess.Popen([str(strata), "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    out, inp = server.stdout, server.stdin
    next_id = [0]

    def request(method, params):
        next_id[0] += 1
        inp.write(frame({"jsonrpc": "2.0", "id": next_id[0], "method": method, "params": params}))
        inp.flush()
        while True:
            m = read_message(out)
            if m.get("id") == next_id[0]:
                return m

    def notify(method, params):
        inp.write(frame({"jsonrpc": "2.0", "method": method, "params": params}))
        inp.flush()

    def wait_publication():
        while True:
            m = read_message(out)
            if m.get("method") == "textDocument/publishDiagnostics":
                return m

    request("initialize", {"processId": None, "rootUri": root.as_uri(), "capabilities": {}})
    notify("initialized", {})
    group = root / "group_data" / "g0003.toml"
    text = group.read_text()
    uri = group.as_uri()
    started = time.monotonic()
    notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "toml", "version": 1, "text": text}},
    )
    # A request about the document waits for its inventory's load.
    request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 1}})
    first = time.monotonic() - started
    broken = text.replace("tier = 0", 'tier = "zero"', 1)
    for n in range(edits):
        notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": n + 2},
                "contentChanges": [{"text": broken if n % 2 == 0 else text}],
            },
        )
        wait_publication()
    request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 1}})
    lsp = peak_kib(server.pid)
    request("shutdown", None)
    notify("exit", None)
    server.wait(timeout=30)

    timed = subprocess.run(
        ["/usr/bin/time", "-f", "%M", str(strata), "list", "-i", str(root), "--format", "json"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=True,
        text=True,
    )
    listed = int(timed.stderr.strip().splitlines()[-1])
    print(
        f"first load {first:.2f} s; peak RSS after {edits} edits: strata lsp {lsp / 1024:.1f} MiB, "
        f"strata list --format json {listed / 1024:.1f} MiB, ratio {lsp / listed:.2f}"
    )


if __name__ == "__main__":
    main()
