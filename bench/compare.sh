#!/usr/bin/env bash
# Whole-process speed and memory of the commands people run, side by side
# with the floor (docs/benchmarks.md), on gen.py's synthetic inventory
# (docs/benchmarks.md, issue 9).
#
#   bench/compare.sh [N ...]        host counts, default 10000
#   bench/compare.sh 1000 10000 100000    adds the scaling table
#
# For each N it times, in one hyperfine run (no shell, output to /dev/null):
#   floor          target/release/examples/floor DIR  (bench/floor.rs: walk,
#                  read and toml::from_str every file on all cores, then exit)
#   ansible-list   strata -i DIR ansible --list        (what Ansible runs)
#   list-json      strata -i DIR list --format json
#   check          strata -i DIR check
#   host           strata -i DIR host <the middle host>
# then, when N <= 10000 (or TOOLS=1), pyinfra debug-inventory and
# ansible-inventory --list on the same content in their own dialects; and
# the peak RSS of each strata command and the floor (/usr/bin/time -f %M,
# median of 3) against the bytes of the inventory's files.
#
# Environment:
#   VENV=DIR        virtualenv with pyinfra and ansible-core (default
#                   <workspace>/.venv)
#   TOOLS=0|1       force the pyinfra/ansible-inventory runs off or on
#   RUNS=10         hyperfine runs of the strata commands and the floor
#   SLOW_RUNS=3     runs of pyinfra and ansible-inventory
#   DATA=DIR        where generated inventories are kept and reused
#                   (default a temporary folder, removed at exit)
#   STRATA=PATH     the strata binary (default: built here, release)
#   GEN=PATH        gen.py (default <workspace>/bench/gen.py)
#
# Prints a markdown table per N and the scaling table; the raw hyperfine
# JSON and RSS samples stay in $DATA/results when DATA is set.
set -euo pipefail

WS=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GEN=${GEN:-$WS/bench/gen.py}
RUNS=${RUNS:-10}
SLOW_RUNS=${SLOW_RUNS:-3}
VENV=${VENV:-$WS/.venv}
SIZES=("$@")
[[ ${#SIZES[@]} == 0 ]] && SIZES=(10000)

command -v hyperfine > /dev/null || { echo "bench/compare.sh needs hyperfine" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "bench/compare.sh needs /usr/bin/time (GNU time)" >&2; exit 2; }

if [[ -n ${DATA:-} ]]; then
    mkdir -p "$DATA"
else
    DATA=$(mktemp -d "${TMPDIR:-/tmp}/strata-compare.XXXXXX")
    trap 'rm -rf "$DATA"' EXIT
fi
RES=$DATA/results
mkdir -p "$RES"

log() { printf '==> %s\n' "$*" >&2; }

log "host: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 2^20}' /proc/meminfo) RAM"
log "strata: $(git -C "$WS" rev-parse --short HEAD 2>/dev/null)$(git -C "$WS" diff --quiet HEAD 2>/dev/null || echo ' (working tree has changes)')"
log "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

log "building strata and the floor (release)"
cargo build --release --quiet --manifest-path "$WS/Cargo.toml" -p strata-cli
cargo build --release --quiet --manifest-path "$WS/Cargo.toml" -p strata --example floor
TARGET=${CARGO_TARGET_DIR:-$WS/target}
STRATA=${STRATA:-$TARGET/release/strata}
FLOOR=$TARGET/release/examples/floor

# rss NAME CMD...: peak RSS in KiB of 3 runs into $RES/NAME.rss
rss() {
    local name=$1
    shift
    : > "$RES/$name.rss"
    for _ in 1 2 3; do
        /usr/bin/time -f %M -a -o "$RES/$name.rss" "$@" > /dev/null 2>&1
    done
}

for N in "${SIZES[@]}"; do
    OUT=$DATA/$N
    if [[ ! -d $OUT/strata ]]; then
        log "generating $N hosts into $OUT"
        python3 "$GEN" "$N" "$OUT" > /dev/null
    fi
    INV=$OUT/strata
    HOST=$(printf 'h%07d.example.com' $((N / 2)))
    FILES=$(find "$INV" -type f | wc -l)
    BYTES=$(find "$INV" -type f -printf '%s\n' | awk '{s += $1} END {print s}')
    echo "$FILES $BYTES" > "$RES/$N.size"

    # Each command once, unmeasured: it must succeed (a broken benchmark
    # cannot look fast), and it warms the page cache.
    "$FLOOR" "$INV" > /dev/null
    "$STRATA" -i "$INV" ansible --list > /dev/null
    "$STRATA" -i "$INV" check > /dev/null 2>&1
    "$STRATA" -i "$INV" host "$HOST" > /dev/null

    log "$N hosts: timing (hyperfine, $RUNS runs each)"
    hyperfine -N --style basic --warmup 1 --runs "$RUNS" --export-json "$RES/$N.json" \
        --command-name floor "$FLOOR $INV" \
        --command-name ansible-list "$STRATA -i $INV ansible --list" \
        --command-name list-json "$STRATA -i $INV list --format json" \
        --command-name check "$STRATA -i $INV check" \
        --command-name host "$STRATA -i $INV host $HOST" >&2

    tools=${TOOLS:-}
    [[ -z $tools ]] && { [[ $N -le 10000 ]] && tools=1 || tools=0; }
    if [[ $tools == 1 ]]; then
        for t in pyinfra ansible-inventory; do
            [[ -x $VENV/bin/$t ]] || { echo "missing $VENV/bin/$t (set VENV, or TOOLS=0)" >&2; exit 2; }
        done
        log "$N hosts: pyinfra and ansible-inventory ($SLOW_RUNS runs each)"
        hyperfine --style basic --shell=bash --runs "$SLOW_RUNS" --export-json "$RES/$N.tools.json" \
            --command-name pyinfra "cd '$OUT/pyinfra' && '$VENV/bin/pyinfra' inventory.py debug-inventory > /dev/null 2>&1" \
            --command-name ansible-inventory "'$VENV/bin/ansible-inventory' -i '$OUT/ansible/hosts.yml' --list > /dev/null 2>&1" \
            --command-name ansible-list "'$STRATA' -i '$INV' ansible --list > /dev/null" >&2
    fi

    log "$N hosts: peak RSS (3 runs each)"
    rss "$N.floor" "$FLOOR" "$INV"
    rss "$N.ansible-list" "$STRATA" -i "$INV" ansible --list
    rss "$N.list-json" "$STRATA" -i "$INV" list --format json
    rss "$N.check" "$STRATA" -i "$INV" check
    rss "$N.host" "$STRATA" -i "$INV" host "$HOST"
done
log "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$RES" "${SIZES[@]}" <<'EOF'
import json, os, statistics, sys

res, sizes = sys.argv[1], [int(n) for n in sys.argv[2:]]
NAMES = ["floor", "ansible-list", "list-json", "check", "host"]
LABEL = {
    "floor": "floor (read + parse, all cores)",
    "ansible-list": "`strata ansible --list`",
    "list-json": "`strata list --format json`",
    "check": "`strata check`",
    "host": "`strata host NAME`",
}

def medians(path):
    if not os.path.exists(path):
        return {}
    return {r["command"]: statistics.median(r["times"]) for r in json.load(open(path))["results"]}

def rss(n, name):
    samples = [int(x) * 1024 for x in open(os.path.join(res, f"{n}.{name}.rss")).read().split()]
    return statistics.median(samples)

def t(s):
    return f"{s * 1e3:.0f} ms" if s < 10 else f"{s:.1f} s"

scaling = []
for n in sizes:
    files, nbytes = map(int, open(os.path.join(res, f"{n}.size")).read().split())
    med = medians(os.path.join(res, f"{n}.json"))
    tools = medians(os.path.join(res, f"{n}.tools.json"))
    floor = med["floor"]
    print(f"\n### {n:,} hosts: {files:,} files, {nbytes / 1e6:.1f} MB\n")
    print("| command | median | × floor | peak RSS | RSS / bytes |")
    print("|---|---|---|---|---|")
    for name in NAMES:
        m, r = med[name], rss(n, name)
        print(f"| {LABEL[name]} | {t(m)} | {m / floor:.2f}× | {r / 2**20:.0f} MiB | {r / nbytes:.1f}× |")
    if tools:
        a = tools["ansible-list"]
        for name in ("pyinfra", "ansible-inventory"):
            print(f"| `{name}` (own dialect) | {t(tools[name])} | | | "
                  f"`strata ansible --list` is **{tools[name] / a:.0f}×** faster |")
    print(f"\n`host` / `list`: {med['host'] / med['list-json']:.3f}; "
          f"`ansible --list` / `list`: {med['ansible-list'] / med['list-json']:.2f}")
    scaling.append((n, nbytes, med, {k: rss(n, k) for k in NAMES}))

if len(scaling) > 1:
    print("\n### Scaling: cost per host\n")
    print("| hosts | floor µs/host | `list` µs/host | `ansible --list` µs/host | `list` RSS bytes/host | `ansible --list` RSS bytes/host |")
    print("|---|---|---|---|---|---|")
    for n, nbytes, med, r in scaling:
        print(f"| {n:,} | {med['floor'] / n * 1e6:.1f} | {med['list-json'] / n * 1e6:.1f} | "
              f"{med['ansible-list'] / n * 1e6:.1f} | {r['list-json'] / n:.0f} | {r['ansible-list'] / n:.0f} |")
EOF
