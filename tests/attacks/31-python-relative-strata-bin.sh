#!/usr/bin/env bash
# Issue 19, item 31 (Python side): a relative STRATA_BIN was checked in the
# process's directory but run from load(cwd=...), so another file of that
# name ran. It must be resolved once, to an absolute path, and exactly that
# file run.
source "$(dirname "$0")/lib.sh"
if [ -z "${PYTHON:-}" ] || ! "$PYTHON" -c 'import strata_inventory' 2>/dev/null; then
    [ -n "${CI:-}" ] && fail "PYTHON must name a Python with strata_inventory installed"
    echo "skip: no Python with strata_inventory (PYTHON=${PYTHON:-})"; exit 0
fi

mkdir -p "$WORK/here/bin" "$WORK/there/bin"
ln -s "$STRATA" "$WORK/here/bin/strata"
cat > "$WORK/there/bin/strata" <<SH
#!/bin/sh
touch "$WORK/impostor-ran"
echo '{"hosts": [{"name": "impostor", "groups": [], "data": {}}], "groups": [], "data": {}}'
SH
chmod +x "$WORK/there/bin/strata"
echo 'web = ["w1"]' > "$WORK/there/hosts.toml"

cd "$WORK/here"
STRATA_BIN=bin/strata bounded 30 500 --expect-status 0 -- "$PYTHON" -c '
import sys, strata_inventory
print("bin:", strata_inventory.find_strata_bin())
print("hosts:", [h.name for h in strata_inventory.load(cwd=sys.argv[1])])' "$WORK/there" > "$WORK/out" 2>&1
expect_in "$WORK/out" "bin: $WORK/here/bin/strata"
expect_in "$WORK/out" "hosts: ['w1']"
[ ! -e "$WORK/impostor-ran" ] || fail "the STRATA_BIN of load(cwd=...)'s folder ran, not the file checked"

# A relative STRATA_BIN that names nothing here is refused, even if cwd= has one.
rm "$WORK/here/bin/strata"
STRATA_BIN=bin/strata bounded 30 500 --expect-status 0 -- "$PYTHON" -c '
import sys, strata_inventory
try:
    strata_inventory.load(cwd=sys.argv[1])
except strata_inventory.BinaryNotFoundError as e:
    print("not found:", e)' "$WORK/there" > "$WORK/out" 2>&1
expect_in "$WORK/out" "not found: \$STRATA_BIN is set to 'bin/strata'"
[ ! -e "$WORK/impostor-ran" ] || fail "the STRATA_BIN of load(cwd=...)'s folder ran"
echo ok
