#!/usr/bin/env bash
# `ansible-inventory --list` on N hosts (gen.py's content): through the
# inventory plugin strata.strata.inventory (no cache; cache enabled and
# warm; cache enabled but invalidated before each run), through the
# two-line wrapper script, and from Ansible's own hosts.yml + group_vars/ +
# host_vars/ (gen.py's OUT/ansible).
#
#   bench/ansible.sh [N]       # default 10000; needs hyperfine, .venv (ansible-core)
#                              # and .venv-python (the wheel's strata): ./scripts/test.sh makes both
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
RUNS=${RUNS:-3}
ANSIBLE_BIN=${ANSIBLE_BIN:-$PWD/.venv/bin}
STRATA=${STRATA:-$PWD/.venv-python/bin/strata}
OUT=${OUT:-${TMPDIR:-/tmp}/strata-ansible-bench-$N}
GEN=${GEN:-bench/gen.py}

[ -x "$STRATA" ] || { echo "no $STRATA: run ./scripts/test.sh first" >&2; exit 2; }
[ -x "$ANSIBLE_BIN/ansible-inventory" ] || { echo "no $ANSIBLE_BIN/ansible-inventory" >&2; exit 2; }
[ -d "$OUT/strata" ] || python3 "$GEN" "$N" "$OUT"

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export HOME=$WORK/home ANSIBLE_NOCOLOR=1 ANSIBLE_INVENTORY_UNPARSED_FAILED=1
export ANSIBLE_COLLECTIONS_PATH=$WORK/collections
mkdir -p "$HOME"
"$ANSIBLE_BIN/ansible-galaxy" collection install --offline -p "$ANSIBLE_COLLECTIONS_PATH" ./ansible > /dev/null

printf 'plugin: strata.strata.inventory\npath: %s\nstrata_bin: %s\n' "$OUT/strata" "$STRATA" > "$WORK/plain.strata.yml"
cache_options="cache: true\ncache_plugin: ansible.builtin.jsonfile\ncache_connection: $WORK/cache\n"
printf "plugin: strata.strata.inventory\npath: %s\nstrata_bin: %s\n$cache_options" "$OUT/strata" "$STRATA" > "$WORK/cached.strata.yml"
printf "#!/bin/sh\nexec '%s' -i '%s' ansible \"\$@\"\n" "$STRATA" "$OUT/strata" > "$WORK/strata.sh"
chmod +x "$WORK/strata.sh"
INV=$ANSIBLE_BIN/ansible-inventory

# Each source once, and the same output from the plugin and the wrapper.
"$INV" -i "$WORK/plain.strata.yml" --list > "$WORK/plugin.json"
"$INV" -i "$WORK/strata.sh" --list > "$WORK/script.json"
cmp -s "$WORK/plugin.json" "$WORK/script.json" || { echo "plugin and wrapper differ" >&2; exit 1; }
"$INV" -i "$WORK/cached.strata.yml" --list > /dev/null    # fills the cache

echo "== load average: $(cut -d' ' -f1-3 /proc/loadavg)"
hyperfine --runs "$RUNS" --style basic --export-json "$WORK/times.json" \
    -n "strata ansible --list (the process alone)" "$STRATA -i $OUT/strata ansible --list > /dev/null" \
    -n "plugin, no cache" "$INV -i $WORK/plain.strata.yml --list > /dev/null" \
    -n "plugin, cache hit" "$INV -i $WORK/cached.strata.yml --list > /dev/null" \
    -n "wrapper script" "$INV -i $WORK/strata.sh --list > /dev/null" \
    -n "ansible's own hosts.yml + group_vars + host_vars" "$INV -i $OUT/ansible/hosts.yml --list > /dev/null 2>&1"
# A miss: a host_data file touched before each run (the fingerprint changes),
# so strata runs and the entry is rewritten.
hyperfine --runs "$RUNS" --style basic --export-json "$WORK/miss.json" \
    --prepare "touch $OUT/strata/host_data/h0000000.example.com.toml" \
    -n "plugin, cache miss" "$INV -i $WORK/cached.strata.yml --list > /dev/null"
echo "== load average: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== medians"
python3 - "$WORK/times.json" "$WORK/miss.json" <<'PY'
import json, sys
for path in sys.argv[1:]:
  for r in json.load(open(path))["results"]:
    print(f"{r['median']:8.3f} s  (min {r['min']:.3f}, max {r['max']:.3f})  {r['command']}")
PY
