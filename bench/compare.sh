#!/usr/bin/env bash
# Whole-process comparison of strata, pyinfra and ansible-inventory on the
# same synthetic inventory (DESIGN §9).
#
#   bench/compare.sh [N]            N hosts, default 10000
#
# Environment:
#   VENV=DIR           virtualenv with pyinfra and ansible-core
#                      (default <workspace>/.venv, else /tmp/venv)
#   STRATA_BENCH_GEN   gen.py (default <workspace>/../shared/bench/gen.py)
#   STRATA_ONLY=1      skip pyinfra and ansible (e.g. at 100,000 hosts)
#   FAST_RUNS=20       runs for strata and the floors
#   SLOW_RUNS=3        runs for pyinfra and ansible-inventory
#   DIVAN=1            also run the in-process divan benches (load vs. the
#                      read+TOML-parse floor) on this inventory
#   KEEP=1             keep the generated inventory and results
#   NO_HYPERFINE=1     use the /usr/bin/time loop even if hyperfine exists
#
# Uses hyperfine when installed, else a bash timing loop. Peak RSS comes
# from /usr/bin/time -f %M.
set -euo pipefail

N=${1:-10000}
WS=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GEN=${STRATA_BENCH_GEN:-$WS/../shared/bench/gen.py}
FAST_RUNS=${FAST_RUNS:-20}
SLOW_RUNS=${SLOW_RUNS:-3}
STRATA_ONLY=${STRATA_ONLY:-0}
DIVAN=${DIVAN:-0}

if [[ -z ${VENV:-} ]]; then
    VENV=$WS/.venv
    [[ ! -d $VENV && -d /tmp/venv ]] && VENV=/tmp/venv
fi

ROOT=$(mktemp -d "${TMPDIR:-/tmp}/strata-compare.XXXXXX")
if [[ ${KEEP:-0} == 1 ]]; then
    echo "keeping $ROOT"
else
    trap 'rm -rf "$ROOT"' EXIT
fi
OUT=$ROOT/$N # so that divan's STRATA_BENCH_ROOT=$ROOT finds $ROOT/$N/strata
RES=$ROOT/results
mkdir -p "$RES"

log() { printf '==> %s\n' "$*" >&2; }

machine() {
    echo "host: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 2^20}' /proc/meminfo) RAM"
    echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
}
log "$(machine | head -1)"
log "strata: $(git -C "$WS" rev-parse --short HEAD 2>/dev/null)$(git -C "$WS" diff --quiet HEAD 2>/dev/null || echo ' (working tree has changes)')"
log "before: $(machine | tail -1)"
log "generating $N hosts into $OUT"
python3 "$GEN" "$N" "$OUT"

log "building strata (release)"
cargo build --release --quiet --manifest-path "$WS/Cargo.toml" -p strata-cli
TARGET=${CARGO_TARGET_DIR:-$WS/target}
STRATA=$TARGET/release/strata
[[ -x $STRATA ]] || { echo "no binary at $STRATA" >&2; exit 1; }

PYINFRA=$VENV/bin/pyinfra
ANSIBLE=$VENV/bin/ansible-inventory
if [[ $STRATA_ONLY != 1 ]]; then
    for t in "$PYINFRA" "$ANSIBLE"; do
        [[ -x $t ]] || { echo "missing $t (set VENV, or STRATA_ONLY=1)" >&2; exit 1; }
    done
fi

# name|runs|command; commands run under bash -c, output discarded.
CMDS=(
    "strata|$FAST_RUNS|'$STRATA' -i '$OUT/strata' list --format json > /dev/null"
    "floor-io-cat|$FAST_RUNS|find '$OUT/strata' -type f -print0 | xargs -0 cat > /dev/null"
)
if [[ $STRATA_ONLY != 1 ]]; then
    CMDS+=(
        "pyinfra|$SLOW_RUNS|cd '$OUT/pyinfra' && '$PYINFRA' inventory.py debug-inventory > /dev/null 2>&1"
        "ansible-inventory|$SLOW_RUNS|'$ANSIBLE' -i '$OUT/ansible/hosts.yml' --list > /dev/null 2>&1"
    )
fi

# time_loop NAME RUNS CMD: wall seconds of each run into $RES/NAME.times.
# Without hyperfine: bash's $EPOCHREALTIME (microseconds) when available,
# else /usr/bin/time -f %e (10 ms resolution).
time_loop() {
    local name=$1 runs=$2 cmd=$3 i t0 t1
    : > "$RES/$name.times"
    for ((i = 0; i < runs; i++)); do
        if [[ -n ${EPOCHREALTIME:-} ]]; then
            t0=${EPOCHREALTIME/,/.}
            bash -c "$cmd"
            t1=${EPOCHREALTIME/,/.}
            awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f\n", b - a }' >> "$RES/$name.times"
        else
            /usr/bin/time -f %e -a -o "$RES/$name.times" bash -c "$cmd"
        fi
    done
}

HAVE_HF=0
[[ ${NO_HYPERFINE:-0} != 1 ]] && command -v hyperfine > /dev/null && HAVE_HF=1

# Check each command once (this also warms the page cache and pyc files).
for c in "${CMDS[@]}"; do
    IFS='|' read -r name runs cmd <<<"$c"
    log "checking $name"
    bash -c "$cmd" || { echo "$name failed: $cmd" >&2; exit 1; }
done

if [[ $HAVE_HF == 1 ]]; then
    log "timing with $(hyperfine --version)"
    for c in "${CMDS[@]}"; do
        IFS='|' read -r name runs cmd <<<"$c"
        warmup=2; [[ $runs -le 5 ]] && warmup=0
        hyperfine --style basic --shell=bash --warmup "$warmup" --runs "$runs" \
            --command-name "$name" --export-json "$RES/$name.json" "$cmd" >&2
    done
else
    log "hyperfine not found: timing with a bash loop and /usr/bin/time"
    for c in "${CMDS[@]}"; do
        IFS='|' read -r name runs cmd <<<"$c"
        time_loop "$name" "$runs" "$cmd"
    done
fi

log "peak RSS of strata (5 runs)"
for i in 1 2 3 4 5; do
    /usr/bin/time -f %M -a -o "$RES/strata.rss" "$STRATA" -i "$OUT/strata" list --format json > /dev/null
done

# Split of the strata run: load + check (`hosts` prints names only) vs. the
# full JSON output.
log "strata: hosts (load, names only) vs. list --format json"
hosts_cmd="'$STRATA' -i '$OUT/strata' hosts > /dev/null"
if [[ $HAVE_HF == 1 ]]; then
    hyperfine --style basic --shell=bash --warmup 2 --runs "$FAST_RUNS" \
        --command-name strata-hosts --export-json "$RES/strata-hosts.json" "$hosts_cmd" >&2
else
    time_loop strata-hosts "$FAST_RUNS" "$hosts_cmd"
fi

log "after: $(machine | tail -1)"

FILES=$(find "$OUT/strata" -type f | wc -l)
BYTES=$(find "$OUT/strata" -type f -printf '%s\n' | awk '{s += $1} END {print s}')

python3 - "$RES" "$N" "$FILES" "$BYTES" <<'EOF'
import json, os, statistics, sys
res, n, files, nbytes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])

def times(name):
    j = os.path.join(res, name + ".json")
    if os.path.exists(j):
        return json.load(open(j))["results"][0]["times"]
    t = os.path.join(res, name + ".times")
    if os.path.exists(t):
        return [float(x) for x in open(t).read().split()]
    return None

names = ["strata", "strata-hosts", "floor-io-cat", "pyinfra", "ansible-inventory"]
med = {}
print(f"\n{n} hosts, {files} files, {nbytes} bytes in the strata inventory\n")
print(f"{'command':<20} {'runs':>4} {'median':>10} {'min':>10} {'max':>10} {'median/strata':>14}")
for name in names:
    t = times(name)
    if not t:
        continue
    m = med[name] = statistics.median(t)
    rel = f"{m / med['strata']:.2f}x" if "strata" in med else ""
    print(f"{name:<20} {len(t):>4} {m * 1e3:>8.1f}ms {min(t) * 1e3:>8.1f}ms {max(t) * 1e3:>8.1f}ms {rel:>14}")

rss = [int(x) * 1024 for x in open(os.path.join(res, "strata.rss")).read().split()]
peak = statistics.median(rss)
print(f"\nstrata peak RSS (median of {len(rss)}): {peak / 2**20:.1f} MiB = "
      f"{peak / nbytes:.2f}x the inventory's {nbytes / 2**20:.1f} MiB (target < 8x)")
for target in ("pyinfra", "ansible-inventory"):
    if target in med:
        r = med[target] / med["strata"]
        print(f"strata is {r:.0f}x faster than {target} (target >= 100x at 10,000 hosts)")
print("strata-hosts: `strata hosts` (same load, prints names only); "
      "floor-io-cat: find | xargs cat, I/O only, one core, no parsing")
EOF

if [[ $DIVAN == 1 ]]; then
    log "divan: in-process load vs. read+TOML-parse floor on this inventory"
    STRATA_BENCH_ROOT=$ROOT STRATA_BENCH_SIZES=$N \
        cargo bench --quiet --manifest-path "$WS/Cargo.toml" -p strata --bench load
fi
