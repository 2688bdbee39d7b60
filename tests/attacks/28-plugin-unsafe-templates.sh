#!/usr/bin/env bash
# Item 28: the inventory plugin must keep Ansible's trust as the source said
# it. A source's {"__ansible_unsafe": "{{ lookup('pipe', ...) }}"} and an
# `!unsafe` value in the config's data: must stay literal in a real
# ansible-playbook run (localhost connection): the planted lookup must never
# run on the controller.
source "$(dirname "$0")/lib.sh"
with_collection

inv="$WORK/inv"
mkdir -p "$inv/sources" "$inv/exports"
echo 'web = ["localhost"]' >"$inv/hosts.toml"
echo 'file = "exports/cmdb.json"' >"$inv/sources/cmdb.toml"
cat >"$inv/exports/cmdb.json" <<JSON
{"web": ["localhost"], "_meta": {"hostvars": {"localhost": {
  "planted": {"__ansible_unsafe": "{{ lookup('pipe', 'touch $WORK/MARKER-source') }}"}}}}}
JSON
cat >"$WORK/inventory.strata.yml" <<YML
plugin: strata.strata.inventory
path: inv
strata_bin: $STRATA
data:
  from_data: !unsafe "{{ lookup('pipe', 'touch $WORK/MARKER-data') }}"
YML
cat >"$WORK/play.yml" <<'YML'
- hosts: all
  gather_facts: false
  connection: local
  tasks:
    - ansible.builtin.debug:
        msg: "{{ planted }} / {{ from_data }}"
YML
bounded 120 1024 -- "$ANSIBLE_BIN_DIR/ansible-playbook" -i "$WORK/inventory.strata.yml" "$WORK/play.yml" \
    -e "ansible_python_interpreter=$ANSIBLE_BIN_DIR/python" >"$WORK/out" 2>&1 || { cat "$WORK/out" >&2; fail "the playbook failed"; }
[ -e "$WORK/MARKER-source" ] && fail "a source's __ansible_unsafe value ran its lookup on the controller"
[ -e "$WORK/MARKER-data" ] && fail "an !unsafe value in data: ran its lookup on the controller"
expect_in "$WORK/out" "lookup('pipe', 'touch $WORK/MARKER-source')"
expect_in "$WORK/out" "lookup('pipe', 'touch $WORK/MARKER-data')"
echo "ok: both unsafe values stayed literal"
