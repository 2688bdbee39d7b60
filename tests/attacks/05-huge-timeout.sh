#!/usr/bin/env bash
# Issue 19, item 5: `timeout = "18446744073709551615s"` passed `check`, then
# `Instant + Duration` overflowed (a panic, exit 101) with --allow-exec.
# Absurd durations are refused where they are written, and nothing runs.
source "$(dirname "$0")/lib.sh"

inv="$WORK/inv"
mkdir -p "$inv/sources"
echo 'web = ["w1"]' > "$inv/hosts.toml"
cat > "$inv/cmdb.sh" <<SH
#!/bin/sh
touch "$WORK/ran"
echo '{"web": ["w2"], "_meta": {"hostvars": {}}}'
SH
chmod +x "$inv/cmdb.sh"
export XDG_CACHE_HOME="$WORK/cache"
unset STRATA_ALLOW_EXEC

for decl in 'timeout = "18446744073709551615s"' 'timeout = "25h"' 'timeout = "0s"' \
            'cache = "18446744073709551615s"' 'cache = "18446744073709551615ms"' 'cache = "400d"'; do
    echo "case: $decl"
    printf 'command = ["./cmdb.sh"]\n%s\n' "$decl" > "$inv/sources/cmdb.toml"
    bounded 5 100 --expect-status 1 -- "$STRATA" -i "$inv" check > "$WORK/out" 2> "$WORK/err"
    expect_in "$WORK/err" "strata::source_declaration"
    expect_in "$WORK/err" "sources/cmdb.toml:2:"
    bounded 5 100 --expect-status 1 -- "$STRATA" -i "$inv" --allow-exec hosts > "$WORK/out" 2> "$WORK/err"
    expect_not_in "$WORK/err" "panicked"
    expect_in "$WORK/err" "strata::source_declaration"
    [ ! -e "$WORK/ran" ] || fail "$decl: the command ran"
done

# The documented maximums are fine.
printf 'command = ["./cmdb.sh"]\ntimeout = "24h"\ncache = "365d"\n' > "$inv/sources/cmdb.toml"
bounded 5 100 --expect-status 0 -- "$STRATA" -i "$inv" --allow-exec hosts > "$WORK/out"
expect_in "$WORK/out" w2
echo "ok: absurd durations are refused at their place"
