#!/usr/bin/env bash
# Item 30: `allow_exec: false` written in the *.strata.yml wins over
# STRATA_ALLOW_EXEC=1 in the environment: the command source never runs.
source "$(dirname "$0")/lib.sh"
with_collection
export XDG_CACHE_HOME="$WORK/xdg"

mkdir -p "$WORK/inv/sources"
echo 'web = ["w1"]' >"$WORK/inv/hosts.toml"
echo 'command = ["./cmdb.sh"]' >"$WORK/inv/sources/cmdb.toml"
printf '#!/bin/sh\ntouch "%s"\necho %s\n' "$WORK/RAN" "'{\"web\": [\"w2\"]}'" >"$WORK/inv/cmdb.sh"
chmod +x "$WORK/inv/cmdb.sh"
cat >"$WORK/inventory.strata.yml" <<YML
plugin: strata.strata.inventory
path: inv
strata_bin: $STRATA
allow_exec: false
YML
STRATA_ALLOW_EXEC=1 "$ANSIBLE_BIN_DIR/ansible-inventory" -i "$WORK/inventory.strata.yml" --list >"$WORK/out" 2>"$WORK/err" || true
[ -e "$WORK/RAN" ] && fail "allow_exec: false ran the command source because STRATA_ALLOW_EXEC=1"
expect_in "$WORK/err" "source_not_run"
expect_in "$WORK/err" "allow_exec: true"
echo "ok: the explicit false won"
