#!/usr/bin/env bash
# Item 31: a relative STRATA_BIN is the file relative to where the user
# runs Ansible, resolved once to an absolute path, and exactly that runs
# (not a file of the same name beside the *.strata.yml).
source "$(dirname "$0")/lib.sh"
with_collection

mkdir -p "$WORK/cwd/bin" "$WORK/conf/bin" "$WORK/conf/inv"
echo 'web = ["w1"]' >"$WORK/conf/inv/hosts.toml"
printf '#!/bin/sh\ntouch "%s"\nexec "%s" "$@"\n' "$WORK/GOOD" "$STRATA" >"$WORK/cwd/bin/strata"
printf '#!/bin/sh\ntouch "%s"\nexec "%s" "$@"\n' "$WORK/WRONG" "$STRATA" >"$WORK/conf/bin/strata"
chmod +x "$WORK/cwd/bin/strata" "$WORK/conf/bin/strata"
printf 'plugin: strata.strata.inventory\npath: inv\n' >"$WORK/conf/inventory.strata.yml"
(cd "$WORK/cwd" && STRATA_BIN=bin/strata "$ANSIBLE_BIN_DIR/ansible-inventory" -i "$WORK/conf/inventory.strata.yml" --list >"$WORK/out" 2>"$WORK/err") \
    || { cat "$WORK/err" >&2; fail "ansible-inventory failed"; }
[ -e "$WORK/WRONG" ] && fail "STRATA_BIN=bin/strata ran the file beside the configuration, not the one in the current directory"
[ -e "$WORK/GOOD" ] || fail "STRATA_BIN=bin/strata was not run"
expect_in "$WORK/out" '"w1"'
echo "ok: the relative STRATA_BIN ran from the current directory"
