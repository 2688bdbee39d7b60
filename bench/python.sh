#!/usr/bin/env bash
# strata_inventory.load() on N hosts, against `strata list --format json` as a
# whole process and against pyinfra loading the same content from its own
# Python inventory (gen.py's OUT/pyinfra), and through the bridge.
#
#   bench/python.sh [N]        # default 10000; needs hyperfine and .venv-python
#                              # (./scripts/test.sh makes it, with the wheel installed)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
VENV=${VENV:-$PWD/.venv-python}
PY=$VENV/bin/python
STRATA=$VENV/bin/strata
OUT=${OUT:-${TMPDIR:-/tmp}/strata-python-bench-$N}
GEN=${GEN:-bench/gen.py}

[ -x "$STRATA" ] || { echo "no $STRATA: run ./scripts/test.sh first" >&2; exit 2; }
[ -d "$OUT/strata" ] || python3 "$GEN" "$N" "$OUT"
mkdir -p "$OUT/bridge"
printf 'from strata_inventory.pyinfra import groups\nglobals().update(groups("../strata"))\n' > "$OUT/bridge/inventory.py"

# pyinfra's own inventory loading, as its CLI does it (pyinfra_cli.inventory.make_inventory:
# exec inventory.py and group_data/*.py, build the Inventory), without connecting.
make_inventory() {
    echo "cd $1 && $PY -c 'from pyinfra.api import Config, State; from pyinfra.context import ctx_config, ctx_state; from pyinfra_cli.inventory import make_inventory; s = State(check_for_changes=False); ctx_state.set(s); ctx_config.set(Config()); inv = make_inventory(\"inventory.py\", cwd=\".\"); [h.data.dict() for h in inv]'"
}

echo "== in process: strata_inventory.load() (median of 10, after 2 warm-up)"
"$PY" - "$OUT/strata" <<'EOF'
import statistics, sys, time
import strata_inventory
for _ in range(2):
    strata_inventory.load(sys.argv[1])
times = []
for _ in range(10):
    t = time.perf_counter()
    inv = strata_inventory.load(sys.argv[1])
    times.append(time.perf_counter() - t)
print(f"load(): median {statistics.median(times) * 1000:.1f} ms, min {min(times) * 1000:.1f} ms, {len(inv)} hosts")
t = time.perf_counter()
inv.hosts[0].origin("tier")
print(f"first origin() (reads every host's origins): {(time.perf_counter() - t) * 1000:.1f} ms")
EOF

echo "== whole processes"
JSON=$(mktemp -d)
hyperfine --warmup 2 --runs 20 --style basic --export-json "$JSON/fast.json" \
    -n "strata list --format json" "$STRATA -i $OUT/strata list --format json > /dev/null" \
    -n "python: import strata_inventory" "$PY -c 'import strata_inventory'" \
    -n "python: strata_inventory.load()" "$PY -c 'import strata_inventory; strata_inventory.load(\"$OUT/strata\")'"
hyperfine --runs 3 --style basic --export-json "$JSON/slow.json" \
    -n "pyinfra make_inventory, own inventory.py" "$(make_inventory "$OUT/pyinfra")" \
    -n "pyinfra make_inventory, bridge" "$(make_inventory "$OUT/bridge")" \
    -n "pyinfra debug-inventory, own inventory.py" "cd $OUT/pyinfra && $VENV/bin/pyinfra inventory.py debug-inventory > /dev/null 2>&1" \
    -n "pyinfra debug-inventory, bridge" "cd $OUT/bridge && $VENV/bin/pyinfra inventory.py debug-inventory > /dev/null 2>&1"

echo "== medians"
"$PY" - "$JSON"/fast.json "$JSON"/slow.json <<'EOF'
import json, sys
for path in sys.argv[1:]:
    for r in json.load(open(path))["results"]:
        print(f"{r['median']:10.3f} s  {r['command']}")
EOF
rm -rf "$JSON"
