#!/usr/bin/env bash
# Issue 19, item 30 (Python side): load(..., allow_exec=False) ran command
# sources when STRATA_ALLOW_EXEC=1 was in the environment (inherited by
# strata). An explicit False must win: nothing runs, the load fails with
# strata::source_not_run. Also item 15: an unknown word is a usage error.
source "$(dirname "$0")/lib.sh"
if [ -z "${PYTHON:-}" ] || ! "$PYTHON" -c 'import strata_inventory' 2>/dev/null; then
    [ -n "${CI:-}" ] && fail "PYTHON must name a Python with strata_inventory installed"
    echo "skip: no Python with strata_inventory (PYTHON=${PYTHON:-})"; exit 0
fi

inv="$WORK/inv"
mkdir -p "$inv/sources" "$inv/scripts"
echo 'web = ["w1"]' > "$inv/hosts.toml"
echo 'command = ["./scripts/cmdb.sh"]' > "$inv/sources/cmdb.toml"
cat > "$inv/scripts/cmdb.sh" <<SH
#!/bin/sh
touch "$WORK/ran"
echo '{"web": {"hosts": ["w2"]}}'
SH
chmod +x "$inv/scripts/cmdb.sh"
export XDG_CACHE_HOME="$WORK/cache"

cat > "$WORK/load.py" <<'PY'
import sys
import strata_inventory
try:
    strata_inventory.load(sys.argv[1], allow_exec=False)
except strata_inventory.InventoryError as e:
    print("codes:", " ".join(d.code for d in e.diagnostics))
    sys.exit(0)
print("loaded:", "hosts")
PY
for word in 1 true YES on; do
    STRATA_ALLOW_EXEC=$word bounded 30 500 --expect-status 0 -- "$PYTHON" "$WORK/load.py" "$inv" > "$WORK/out" 2>&1
    expect_in "$WORK/out" "strata::source_not_run"
    [ ! -e "$WORK/ran" ] || fail "STRATA_ALLOW_EXEC=$word ran the command source despite allow_exec=False"
done

# Without allow_exec=..., the variable decides, by the one rule.
STRATA_ALLOW_EXEC=On bounded 30 500 --expect-status 0 -- "$PYTHON" -c '
import sys, strata_inventory
print([h.name for h in strata_inventory.load(sys.argv[1])])' "$inv" > "$WORK/out" 2>&1
expect_in "$WORK/out" "['w1', 'w2']"
rm -f "$WORK/ran"
STRATA_ALLOW_EXEC=maybe bounded 30 500 --expect-status 0 -- "$PYTHON" -c '
import sys, strata_inventory
try:
    strata_inventory.load(sys.argv[1])
except strata_inventory.UsageError as e:
    print("usage error:", e)' "$inv" > "$WORK/out" 2>&1
expect_in "$WORK/out" "usage error: STRATA_ALLOW_EXEC='maybe'"
[ ! -e "$WORK/ran" ] || fail "STRATA_ALLOW_EXEC=maybe ran the command source"
echo ok
