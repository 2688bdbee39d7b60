#!/usr/bin/env bash
# Issue 19, item 6: a command source that prints its answer, starts
# `sleep 120 &` and exits 0 held strata until the child closed stdout (30 s
# and more with `timeout = "2s"`), and the child outlived strata. The
# process group is killed when the command exits, and the timeout bounds
# the whole wait. A child that left the group with setsid is adopted by
# strata (a child subreaper on Linux) and stopped too.
source "$(dirname "$0")/lib.sh"

# A `sleep` under a name no other process has, to find it again.
marker="$WORK/strata-attack-06-sleep"
ln -s "$(command -v sleep)" "$marker"
inv="$WORK/inv"
mkdir -p "$inv/sources"
echo 'web = ["w1"]' > "$inv/hosts.toml"
cat > "$inv/cmdb.sh" <<SH
#!/bin/sh
echo '{"web": ["w2"], "_meta": {"hostvars": {}}}'
"$marker" 120 &
exit 0
SH
chmod +x "$inv/cmdb.sh"
printf 'command = ["./cmdb.sh"]\ntimeout = "2s"\n' > "$inv/sources/cmdb.toml"
export XDG_CACHE_HOME="$WORK/cache"
unset STRATA_ALLOW_EXEC

# live: pids of the marker that are not zombies (left for init to reap).
live() {
    local pid
    for pid in $(pgrep -f -- "$marker" || true); do
        case $(ps -o stat= -p "$pid" 2>/dev/null) in Z*|'') ;; *) echo "$pid" ;; esac
    done
}
cleanup() { local pid; for pid in $(live); do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

# Within the timeout and a margin: the answer is there, the child is not.
bounded 4 100 --expect-status 0 -- "$STRATA" -i "$inv" --allow-exec hosts > "$WORK/out" 2> "$WORK/err" \
    || { cat "$WORK/err" >&2; fail "strata waited on the command's background child"; }
expect_in "$WORK/out" w2
for _ in $(seq 50); do [ -z "$(live)" ] && break; sleep 0.1; done
[ -z "$(live)" ] || fail "the command's background sleep outlived strata: $(live)"

# A process that left the group (a session of its own, with setsid) and
# keeps stdout open: strata adopted it (a child subreaper on Linux) and
# stops it when the command exits, so the answer comes at once, the command
# runs once, and nothing outlives strata.
cat > "$inv/cmdb.sh" <<SH
#!/bin/sh
echo run >> "$WORK/runs"
rm -f "$WORK/escaped"
setsid sh -c 'touch "$WORK/escaped"; exec "$marker" 20' &
while [ ! -e "$WORK/escaped" ]; do sleep 0.01; done
echo '{"web": ["w2"], "_meta": {"hostvars": {}}}'
SH
# (A cache of its own: no last good answer to fall back on.)
XDG_CACHE_HOME="$WORK/cache2" bounded 1.5 100 --expect-status 0 -- "$STRATA" -i "$inv" --allow-exec hosts > "$WORK/out" 2> "$WORK/err" \
    || { cat "$WORK/err" >&2; fail "strata waited on a process that left the command's group"; }
expect_in "$WORK/out" w2
[ "$(wc -l < "$WORK/runs")" = 1 ] || fail "the command ran $(wc -l < "$WORK/runs") times"
for _ in $(seq 50); do [ -z "$(live)" ] && break; sleep 0.1; done
[ -z "$(live)" ] || fail "the command's setsid child outlived strata: $(live)"
echo "ok: strata returns when the command exits, its group goes with it, and so does a child in a session of its own"
