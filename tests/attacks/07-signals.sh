#!/usr/bin/env bash
# Issue 19, item 7: a command source runs in its own process group, so
# Ctrl-C (SIGINT) or SIGTERM to strata never reached it, and it was
# reparented to init. strata kills the group, then ends with the usual
# signal status (130, 143).
source "$(dirname "$0")/lib.sh"
# Job control: strata runs in a group of its own with default signal
# dispositions, as at a terminal (a non-interactive shell's background jobs
# would ignore SIGINT).
set -m

marker="$WORK/strata-attack-07-sleep"
ln -s "$(command -v sleep)" "$marker"
inv="$WORK/inv"
mkdir -p "$inv/sources"
echo 'web = ["w1"]' > "$inv/hosts.toml"
cat > "$inv/cmdb.sh" <<SH
#!/bin/sh
"$marker" 60
echo '{"web": ["w2"], "_meta": {"hostvars": {}}}'
SH
chmod +x "$inv/cmdb.sh"
printf 'command = ["./cmdb.sh"]\ntimeout = "90s"\n' > "$inv/sources/cmdb.toml"
export XDG_CACHE_HOME="$WORK/cache"
unset STRATA_ALLOW_EXEC

live() {
    local pid
    for pid in $(pgrep -f -- "$marker" || true); do
        case $(ps -o stat= -p "$pid" 2>/dev/null) in Z*|'') ;; *) echo "$pid" ;; esac
    done
}
cleanup() { local pid; for pid in $(live); do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

for case in INT:130 TERM:143; do
    signal=${case%:*} want=${case#*:}
    echo "case: SIG$signal"
    "$STRATA" -i "$inv" --allow-exec hosts > "$WORK/out" 2> "$WORK/err" &
    strata=$!
    for _ in $(seq 100); do [ -n "$(live)" ] && break; sleep 0.05; done
    [ -n "$(live)" ] || fail "the command did not start"
    start=$(date +%s)
    kill -"$signal" "$strata"
    # strata must end at once, not when the command would have (60 s).
    ( sleep 5; kill -KILL "$strata" 2>/dev/null ) &
    watchdog=$!
    status=0
    wait "$strata" || status=$?
    kill "$watchdog" 2>/dev/null || true
    wait "$watchdog" 2>/dev/null || true
    [ "$status" = "$want" ] || fail "SIG$signal: strata exited with status $status after $(( $(date +%s) - start )) s, expected $want"
    for _ in $(seq 50); do [ -z "$(live)" ] && break; sleep 0.1; done
    [ -z "$(live)" ] || fail "SIG$signal: the command outlived strata: $(live)"
done
echo "ok: a signal stops the command, then strata, with the usual status"
