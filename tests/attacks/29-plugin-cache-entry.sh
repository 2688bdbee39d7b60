#!/usr/bin/env bash
# Item 29: a cache entry of the inventory plugin is data. An edited entry
# (its fingerprint kept) must neither add a host nor run a planted lookup
# on the controller, and a damaged one is refused and strata runs again.
source "$(dirname "$0")/lib.sh"
with_collection

mkdir -p "$WORK/inv"
echo 'web = ["localhost"]' >"$WORK/inv/hosts.toml"
cat >"$WORK/inventory.strata.yml" <<YML
plugin: strata.strata.inventory
path: inv
strata_bin: $STRATA
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: $WORK/cache
YML
cat >"$WORK/play.yml" <<'YML'
- hosts: all
  gather_facts: false
  connection: local
  tasks:
    - ansible.builtin.debug:
        msg: "{{ planted | default('none') }}"
YML
run() { bounded 120 1024 -- "$ANSIBLE_BIN_DIR/ansible-playbook" -i "$WORK/inventory.strata.yml" "$WORK/play.yml" \
    -e "ansible_python_interpreter=$ANSIBLE_BIN_DIR/python" >"$WORK/out" 2>&1 || { cat "$WORK/out" >&2; fail "the playbook failed"; }; }
run
entry=$(ls "$WORK/cache"/* | head -1)
[ -f "$entry" ] || fail "no cache entry was written"
# Plant a lookup and a host in the entry, keeping its fingerprint.
python3 - "$entry" "$WORK/MARKER" <<'PY'
import json, sys
path, marker = sys.argv[1], sys.argv[2]
with open(path) as f:
    outer = json.load(f)
# ansible-core 2.19's jsonfile cache wraps the entry as {"__payload__": "<JSON>"}.
entry = json.loads(outer["__payload__"]) if "__payload__" in outer else outer
text = entry["output"] if isinstance(entry, dict) and isinstance(entry.get("output"), str) else None
if text is None:  # the old shape: the document itself
    doc = entry["inventory"]
else:
    doc = json.loads(text)
doc["_meta"]["hostvars"]["localhost"]["planted"] = "{{ lookup('pipe', 'touch %s') }}" % marker
doc["_meta"]["hostvars"]["evil.example.com"] = {}
doc["web"]["hosts"].append("evil.example.com")
if text is None:
    entry["inventory"] = doc
else:
    entry["output"] = json.dumps(doc)
if "__payload__" in outer:
    outer["__payload__"] = json.dumps(entry)
else:
    outer = entry
with open(path, "w") as f:
    json.dump(outer, f)
PY
run
[ -e "$WORK/MARKER" ] && fail "a lookup planted in the cache entry ran on the controller"
expect_not_in "$WORK/out" "evil.example.com"
# A damaged entry (not strata's output) is refused: strata runs and no planted host appears.
python3 - "$entry" <<'PY'
import json, sys
outer = json.load(open(sys.argv[1]))
entry = json.loads(outer["__payload__"]) if "__payload__" in outer else outer
if isinstance(entry.get("output"), str):
    doc = json.loads(entry["output"])
    doc["_meta"]["hostvars"]["localhost"]["planted"] = {"__ansible_unsafe": 1}
    entry["output"] = json.dumps(doc)
if "__payload__" in outer:
    outer["__payload__"] = json.dumps(entry)
else:
    outer = entry
json.dump(outer, open(sys.argv[1], "w"))
PY
"$ANSIBLE_BIN_DIR/ansible-inventory" -i "$WORK/inventory.strata.yml" --list >"$WORK/list" 2>"$WORK/err" || { cat "$WORK/err" >&2; fail "ansible-inventory failed"; }
expect_not_in "$WORK/list" "evil.example.com"
echo "ok: the cache entry stayed data"
