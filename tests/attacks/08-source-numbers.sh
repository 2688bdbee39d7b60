#!/usr/bin/env bash
# Item 8: numbers a source sends that strata cannot hold exactly (beyond
# 64-bit integers, beyond the float range) were rounded or made infinite,
# and `check` said "no problems". Now each is refused where it stands, by a
# file source and by a command source alike.
source "$(dirname "$0")/lib.sh"
inv=$WORK/inv
mkdir -p "$inv/sources" "$inv/exports" "$inv/scripts"
echo 'web = ["w1"]' >"$inv/hosts.toml"
answer='{"web": {"hosts": ["w2"], "vars": {"big": 123456789012345678901234567890}},
 "_meta": {"hostvars": {"w2": {"two64": 18446744073709551616, "huge": 1e400, "ok": 9007199254740993}}}}'
printf '%s\n' "$answer" >"$inv/exports/cmdb.json"
printf '#!/bin/sh\ncat <<"EOF"\n%s\nEOF\n' "$answer" >"$inv/scripts/cmdb.sh"
chmod +x "$inv/scripts/cmdb.sh"

for decl in 'file = "exports/cmdb.json"' 'command = ["./scripts/cmdb.sh"]'; do
    rm -f "$inv/sources/"*
    echo "$decl" >"$inv/sources/cmdb.toml"
    for cmd in check "list --format json"; do
        # shellcheck disable=SC2086
        bounded 10 200 --expect-status 1 -- "$STRATA" -i "$inv" --allow-exec $cmd \
            >"$WORK/out" 2>"$WORK/err" || fail "$decl: strata $cmd did not refuse"
        expect_in "$WORK/err" "number \`123456789012345678901234567890\` in source \`cmdb\` does not fit in a 64-bit integer"
        expect_in "$WORK/err" "number \`18446744073709551616\` in source \`cmdb\` does not fit"
        expect_in "$WORK/err" "number \`1e400\` in source \`cmdb\` is beyond the range of a 64-bit float"
        expect_in "$WORK/err" "cmdb"
        expect_not_in "$WORK/out" "1.2345678901234568e+29"
        expect_not_in "$WORK/out" "18446744073709552000"
    done
done

# An integer that fits is kept exact, never through a float.
echo '{"web": {"hosts": ["w2"]}, "_meta": {"hostvars": {"w2": {"ok": 9007199254740993, "min": -9223372036854775808}}}}' \
    >"$inv/exports/cmdb.json"
echo 'file = "exports/cmdb.json"' >"$inv/sources/cmdb.toml"
"$STRATA" -i "$inv" host w2 --format json >"$WORK/out"
expect_in "$WORK/out" '"ok":9007199254740993'
expect_in "$WORK/out" '"min":-9223372036854775808'
