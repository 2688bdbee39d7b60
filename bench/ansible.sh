#!/usr/bin/env bash
# The same inventory reaching Ansible three ways, timed side by side in
# alternated runs (A B C A B C ...), at each size given:
#
#   plugin  the inventory plugin strata.strata.inventory (no cache) on gen.py's OUT/strata
#   yaml    Ansible's own hosts.yml + group_vars/ + host_vars/ (gen.py's OUT/ansible)
#   floor   the InventoryData floor: bench/ansible_floor/strata_floor.py makes exactly the
#           add_host/set_variable/add_group/set_priority calls the plugin makes, with the same
#           entries, prepared beforehand by bench/ansible-floor.py (no strata, no JSON): what
#           Ansible itself costs for this inventory
#
# for: each source's parse in process (Ansible's start-up left out: the plugin's
# "populate", strata included), `ansible-inventory --list`, `ansible all
# --list-hosts`, and a one-task `ansible-playbook` (`debug` of one variable,
# gather_facts off, `-c local`, limited to the 100 hosts h00000??.example.com:
# a task on all 10,000 hosts takes minutes of fork-per-host work that no
# inventory changes). With EXTRA=1, also the plugin with a warm jsonfile cache
# and the two-line wrapper script, for `ansible-inventory --list`.
#
#   bench/ansible.sh [N[:DIR] ...]   # default: 1000 10000; DIR holds gen.py's output for N
#                                    # (made with gen.py when missing)
#   RUNS=5 ANSIBLE_BIN=.venv/bin STRATA=target/release/strata bench/ansible.sh 10000:/tmp/g10k
#
# Whole commands are timed by bench/alternate.py (wall time, peak RSS), not
# hyperfine: hyperfine runs one command's runs in a row, and on a shared
# machine whose speed drifts that favours one command; alternated runs and
# run-by-run ratios do not.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
RUNS=${RUNS:-3}
ANSIBLE_BIN=${ANSIBLE_BIN:-$REPO/.venv/bin}
STRATA=${STRATA:-$REPO/.venv-python/bin/strata}
GEN=${GEN:-bench/gen.py}
[ $# -gt 0 ] || set -- 1000 10000

[ -x "$STRATA" ] || { echo "no $STRATA: run ./scripts/test.sh first, or set STRATA" >&2; exit 2; }
[ -x "$ANSIBLE_BIN/ansible-inventory" ] || { echo "no $ANSIBLE_BIN/ansible-inventory" >&2; exit 2; }
STRATA=$(cd "$(dirname "$STRATA")" && pwd)/$(basename "$STRATA")
PY=$ANSIBLE_BIN/python

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export HOME=$WORK/home ANSIBLE_NOCOLOR=1 ANSIBLE_INVENTORY_UNPARSED_FAILED=1
export ANSIBLE_COLLECTIONS_PATH=$WORK/collections ANSIBLE_INVENTORY_PLUGINS=$REPO/bench/ansible_floor
export ANSIBLE_HOST_KEY_CHECKING=0 ANSIBLE_RETRY_FILES_ENABLED=0
mkdir -p "$HOME"
"$ANSIBLE_BIN/ansible-galaxy" collection install --offline -p "$ANSIBLE_COLLECTIONS_PATH" ./ansible > /dev/null
printf -- '- hosts: all\n  gather_facts: false\n  tasks:\n    - debug:\n        msg: "{{ app_port }}"\n' > "$WORK/play.yml"

echo "== $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- ansible bench || echo ' (with changes)'), $(nproc) cores, $("$PY" -c 'import ansible; print("ansible-core", ansible.__version__)')"

for arg in "$@"; do
    N=${arg%%:*}
    OUT=${TMPDIR:-/tmp}/strata-ansible-bench-$N
    [ "$arg" = "$N" ] || OUT=${arg#*:}
    [ -d "$OUT/strata" ] || python3 "$GEN" "$N" "$OUT" > /dev/null
    W=$WORK/$N
    mkdir -p "$W"
    printf 'plugin: strata.strata.inventory\npath: %s\nstrata_bin: %s\n' "$OUT/strata" "$STRATA" > "$W/plain.strata.yml"
    printf 'plugin: strata.strata.inventory\npath: %s\nstrata_bin: %s\ncache: true\ncache_plugin: ansible.builtin.jsonfile\ncache_connection: %s\n' \
        "$OUT/strata" "$STRATA" "$W/cache" > "$W/cached.strata.yml"
    printf "#!/bin/sh\nexec '%s' -i '%s' ansible \"\$@\"\n" "$STRATA" "$OUT/strata" > "$W/strata.sh"
    chmod +x "$W/strata.sh"
    "$PY" bench/ansible-floor.py "$STRATA" "$OUT/strata" "$W/entries.floor.yml"
    plugin=$W/plain.strata.yml yaml=$OUT/ansible floor=$W/entries.floor.yml

    # What each source gives Ansible. The plugin hands Ansible strata's structure and the wrapper
    # every host's resolved data, so their --list differ in form (where a variable is set) but not in
    # what matters, compared here: every host's variables and every group's members. The floor's
    # --list is the plugin's, byte for byte (the same calls).
    for s in plugin floor; do "$ANSIBLE_BIN/ansible-inventory" -i "${!s}" --list > "$W/$s.json" 2> /dev/null; done
    "$ANSIBLE_BIN/ansible-inventory" -i "$W/strata.sh" --list > "$W/wrapper.json" 2> /dev/null
    cmp -s "$W/plugin.json" "$W/floor.json" || { echo "plugin and floor differ" >&2; exit 1; }
    "$PY" - "$W/plugin.json" "$W/wrapper.json" <<'PY' || exit 1
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
def members(d):
    return {k: sorted(v.get("hosts", [])) for k, v in d.items() if k != "_meta"}
if a["_meta"]["hostvars"] != b["_meta"]["hostvars"] or members(a) != members(b):
    sys.exit("plugin and wrapper differ: host variables or group members")
print("plugin and wrapper: the same variables for %d hosts, the same members" % len(a["_meta"]["hostvars"]))
PY

    echo "== $N hosts: each source's parse in process (the plugin's: strata, decoding, populate)"
    "$PY" bench/ansible-populate.py --runs "$RUNS" "$PY" floor="$floor" plugin="$plugin" yaml="$yaml"

    echo "== $N hosts: ansible-inventory --list"
    "$PY" bench/alternate.py --runs "$RUNS" --json "$W/list.json" \
        "plugin=exec $ANSIBLE_BIN/ansible-inventory -i $plugin --list" \
        "yaml=exec $ANSIBLE_BIN/ansible-inventory -i $yaml --list" \
        "floor=exec $ANSIBLE_BIN/ansible-inventory -i $floor --list"

    echo "== $N hosts: ansible all --list-hosts"
    "$PY" bench/alternate.py --runs "$RUNS" --json "$W/hosts.json" \
        "plugin=exec $ANSIBLE_BIN/ansible all -i $plugin --list-hosts" \
        "yaml=exec $ANSIBLE_BIN/ansible all -i $yaml --list-hosts" \
        "floor=exec $ANSIBLE_BIN/ansible all -i $floor --list-hosts"

    echo "== $N hosts: ansible-playbook, one debug task, -c local, --limit 'h00000??.example.com' (100 hosts)"
    "$PY" bench/alternate.py --runs "$RUNS" --json "$W/play.json" \
        "plugin=exec $ANSIBLE_BIN/ansible-playbook -i $plugin -c local --limit 'h00000??.example.com' $WORK/play.yml" \
        "yaml=exec $ANSIBLE_BIN/ansible-playbook -i $yaml -c local --limit 'h00000??.example.com' $WORK/play.yml" \
        "floor=exec $ANSIBLE_BIN/ansible-playbook -i $floor -c local --limit 'h00000??.example.com' $WORK/play.yml"

    if [ -n "${EXTRA:-}" ]; then
        "$ANSIBLE_BIN/ansible-inventory" -i "$W/cached.strata.yml" --list > /dev/null 2>&1 # fills the cache
        echo "== $N hosts: ansible-inventory --list, the plugin against a warm cache and the wrapper script"
        "$PY" bench/alternate.py --runs "$RUNS" \
            "plugin=exec $ANSIBLE_BIN/ansible-inventory -i $plugin --list" \
            "plugin, cache hit=exec $ANSIBLE_BIN/ansible-inventory -i $W/cached.strata.yml --list" \
            "wrapper script=exec $ANSIBLE_BIN/ansible-inventory -i $W/strata.sh --list"
    fi
done
