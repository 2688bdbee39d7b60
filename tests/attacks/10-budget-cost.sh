#!/usr/bin/env bash
# Issue 19, item 10: budgets counted entries, not cost. A 1 KB hosts.toml
# (one range over a name of 1,000 `a`s) cost 4.6 s and 3.1 GB, at 20 KB
# strata aborted on allocation failure; ten groups of `h[0:999999]` with
# 200 keys each made `check` run for about a minute. Each is refused at
# once, located; and within the budget `check` costs no more than `list`.
source "$(dirname "$0")/lib.sh"

for n in 1000 20000; do
    mkdir -p "$WORK/names$n"
    python3 -c "import sys; print('web = [\"' + 'a' * $n + '[0:999999]\"]')" > "$WORK/names$n/hosts.toml"
    for cmd in check list; do
        bounded 3 300 --expect-status 1 -- "$STRATA" -i "$WORK/names$n" $cmd > /dev/null 2> "$WORK/err" ||
            { head -c 2000 "$WORK/err" >&2; fail "a name of $n bytes times a million: $cmd not refused in time"; }
        expect_in "$WORK/err" "strata::budget_exceeded"
        expect_in "$WORK/err" "hosts.toml:1:8"
        expect_in "$WORK/err" "--max-name-bytes"
    done
done

# Ten groups of a million hosts, 200 keys each (52 KB): 2 billion host keys.
mkdir -p "$WORK/keys/group_data"
python3 - "$WORK/keys" <<'PY'
import sys
d = sys.argv[1]
open(f"{d}/hosts.toml", "w").write("".join(f'g{i} = ["h[0:999999]"]\n' for i in range(10)))
for i in range(10):
    open(f"{d}/group_data/g{i}.toml", "w").write("".join(f'key_{k:03d} = "value {i} {k}"\n' for k in range(200)))
PY
for cmd in check list; do
    bounded 3 300 --expect-status 1 -- "$STRATA" -i "$WORK/keys" $cmd > /dev/null 2> "$WORK/err" ||
        { head -c 2000 "$WORK/err" >&2; fail "10 groups x 1,000,000 hosts x 200 keys: $cmd not refused in time"; }
    expect_in "$WORK/err" "strata::budget_exceeded"
    expect_in "$WORK/err" "hosts.toml:1:7"
    expect_in "$WORK/err" "--max-host-keys"
done

# Within the budget (10 groups of 10,000 hosts, 200 keys each, types that
# differ from group to group: 20 million host keys), `check` costs no more
# than `list` (it costed twice as much: type conflicts were looked for
# host by host rather than once per distinct set of groups).
mkdir -p "$WORK/fit/group_data"
python3 - "$WORK/fit" <<'PY'
import sys
d = sys.argv[1]
open(f"{d}/hosts.toml", "w").write("".join(f'g{i} = ["h[0:9999]"]\n' for i in range(10)))
for i in range(10):
    open(f"{d}/group_data/g{i}.toml", "w").write("".join((f"key_{k:03d} = {k}\n" if i % 2 else f'key_{k:03d} = "v{k}"\n') for k in range(200)))
PY
seconds() { sed -n 's/^bounded: \([0-9.]*\) s.*/\1/p' "$1"; }
bounded 60 500 --expect-status 0 -- "$STRATA" -i "$WORK/fit" list --format json > /dev/null 2> "$WORK/list.err" ||
    { cat "$WORK/list.err" >&2; fail "list of 20 million host keys"; }
bounded 60 500 --expect-status 0 -- "$STRATA" -i "$WORK/fit" check --format json > "$WORK/check.json" 2> "$WORK/check.err" ||
    { cat "$WORK/check.err" >&2; fail "check of 20 million host keys"; }
expect_in "$WORK/check.json" "(for 10000 hosts)"
list=$(seconds "$WORK/list.err")
check=$(seconds "$WORK/check.err")
echo "list $list s, check $check s"
python3 -c "import sys; sys.exit(0 if $check <= 1.5 * $list + 0.2 else 1)" ||
    fail "check took $check s where list took $list s"
