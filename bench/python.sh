#!/usr/bin/env bash
# strata_inventory.load() and the pyinfra bridge against `strata list --format
# json` as a whole process, at each size given, in alternated runs (A B C D A B
# C D ...; wall time and peak RSS by bench/alternate.py, medians and run-by-run
# ratios to `strata list`):
#
#   strata list                     `strata -i DIR list --format json > /dev/null`
#   load()                          python -c 'strata_inventory.load(DIR)'
#   load(), every host's data read  the same, then every host's data and groups read
#                                   (load() decodes a host when it is first read)
#   pyinfra bridge                  strata_inventory.pyinfra.groups(DIR), what a bridge
#                                   inventory.py runs, without pyinfra's own Inventory
#
# With EXTRA=1, also pyinfra's make_inventory (no connection) on its own
# inventory.py and on the bridge, 3 runs: pyinfra itself is quadratic in a
# group's size, so only sizes up to 10,000 are practical.
#
#   bench/python.sh [N[:DIR] ...]   # default: 10000 100000; DIR holds gen.py's output for N
#   RUNS=5 PY=.venv-python/bin/python STRATA=.venv-python/bin/strata bench/python.sh 100000:/tmp/g100k
#
# Without the wheel installed: PYTHONPATH=python STRATA_BIN=target/release/strata
# (the package runs $STRATA_BIN) with STRATA set to the same binary.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
RUNS=${RUNS:-5}
VENV=${VENV:-$REPO/.venv-python}
PY=${PY:-$VENV/bin/python}
STRATA=${STRATA:-$VENV/bin/strata}
GEN=${GEN:-bench/gen.py}
[ $# -gt 0 ] || set -- 10000 100000

[ -x "$STRATA" ] || { echo "no $STRATA: run ./scripts/test.sh first, or set STRATA" >&2; exit 2; }
"$PY" -c 'import strata_inventory' || { echo "$PY cannot import strata_inventory" >&2; exit 2; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

echo "== $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- python bench || echo ' (with changes)'), $(nproc) cores, $("$PY" -V)"

for arg in "$@"; do
    N=${arg%%:*}
    OUT=${TMPDIR:-/tmp}/strata-python-bench-$N
    [ "$arg" = "$N" ] || OUT=${arg#*:}
    [ -d "$OUT/strata" ] || python3 "$GEN" "$N" "$OUT" > /dev/null
    S=$OUT/strata
    echo "== $N hosts: whole processes, alternated"
    "$PY" bench/alternate.py --runs "$RUNS" --json "$WORK/python-$N.json" \
        "strata list --format json=exec $STRATA -i $S list --format json" \
        "load()=exec $PY -c 'import strata_inventory; strata_inventory.load(\"$S\")'" \
        "load(), every host's data read=exec $PY -c 'import strata_inventory; inv = strata_inventory.load(\"$S\"); [(h.data, h.groups) for h in inv]'" \
        "pyinfra bridge, groups()=exec $PY -c 'from strata_inventory.pyinfra import groups; groups(\"$S\")'" \
        "python -c 'import strata_inventory'=exec $PY -c 'import strata_inventory'"

    if [ -n "${EXTRA:-}" ]; then
        mkdir -p "$WORK/bridge-$N"
        printf 'from strata_inventory.pyinfra import groups\nglobals().update(groups("%s"))\n' "$S" > "$WORK/bridge-$N/inventory.py"
        # pyinfra's own inventory loading, as its CLI does it (pyinfra_cli.inventory.make_inventory), without connecting.
        make_inventory() {
            echo "cd $1 && exec $PY -c 'from pyinfra.api import Config, State; from pyinfra.context import ctx_config, ctx_state; from pyinfra_cli.inventory import make_inventory; s = State(check_for_changes=False); ctx_state.set(s); ctx_config.set(Config()); inv = make_inventory(\"inventory.py\", cwd=\".\"); [h.data.dict() for h in inv]'"
        }
        echo "== $N hosts: pyinfra make_inventory, own inventory.py and the bridge"
        "$PY" bench/alternate.py --runs 3 --warmup 0 \
            "pyinfra make_inventory, own inventory.py=$(make_inventory "$OUT/pyinfra")" \
            "pyinfra make_inventory, bridge=$(make_inventory "$WORK/bridge-$N")"
    fi
done
