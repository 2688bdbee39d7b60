#!/usr/bin/env bash
# Issue 19, item 4: a command source's cache entry is untrusted input. A
# damaged length (once `len + 1` wrapped: a panic, exit 101, without
# --allow-exec), a link to /dev/zero or anywhere, a FIFO, a folder, a huge
# file or an mtime in the future is a `strata::source_cache` warning and a
# miss: never a panic, a hang, gigabytes, or an answer fresh forever.
source "$(dirname "$0")/lib.sh"

inv="$WORK/inv"
mkdir -p "$inv/sources"
echo 'web = ["w1"]' > "$inv/hosts.toml"
cat > "$inv/cmdb.sh" <<'SH'
#!/bin/sh
echo '{"web": ["w2"], "_meta": {"hostvars": {}}}'
SH
chmod +x "$inv/cmdb.sh"
printf 'command = ["./cmdb.sh"]\ncache = "5m"\n' > "$inv/sources/cmdb.toml"
export XDG_CACHE_HOME="$WORK/cache"
unset STRATA_ALLOW_EXEC

# A good entry first: answered from the cache without consent.
bounded 10 100 --expect-status 0 -- "$STRATA" -i "$inv" --allow-exec hosts > "$WORK/out"
entry=$(echo "$XDG_CACHE_HOME"/strata/sources/cmdb-*.answer)
[ -f "$entry" ] || fail "no cache entry was written"
cp "$entry" "$WORK/good.answer"
bounded 10 100 --expect-status 0 -- "$STRATA" -i "$inv" hosts > "$WORK/out"
expect_in "$WORK/out" w2

# damage NAME REASON: strata hosts, without consent, warns and misses.
check_damaged() {
    local name=$1 reason=$2
    echo "case: $name"
    bounded 5 100 --expect-status 1 -- "$STRATA" -i "$inv" hosts > "$WORK/out" 2> "$WORK/err" \
        || { cat "$WORK/err" >&2; fail "$name: not a plain miss"; }
    expect_in "$WORK/err" "warning[strata::source_cache]"
    expect_in "$WORK/err" "$reason"
    expect_in "$WORK/err" "strata::source_not_run"
    expect_not_in "$WORK/err" "panicked"
    expect_not_in "$WORK/out" "w2"
}
reset() { rm -rf "$entry"; }

reset; printf '18446744073709551615\nx\n' > "$entry"
check_damaged "a length of 2^64-1" "is not a strata cache entry"
reset; { head -c 25 "$WORK/good.answer"; printf '18446744073709551615\nx\n'; } > "$entry"
check_damaged "a field of 2^64-1 after the magic" "is damaged"
reset; head -c 60 "$WORK/good.answer" > "$entry"
check_damaged "cut short" "is damaged"
reset; ln -s /dev/zero "$entry"
check_damaged "a link to /dev/zero" "is a symbolic link"
reset; ln -s "$WORK/good.answer" "$entry"
check_damaged "a link to a good entry" "is a symbolic link"
reset; mkfifo "$entry"
check_damaged "a FIFO" "is not a regular file (it is a FIFO)"
reset; mkdir "$entry"
check_damaged "a folder" "is not a regular file (it is a folder)"
reset; truncate -s 4G "$entry"   # sparse: no disk, no read
check_damaged "a 4 GiB file" "over the limit"
reset; cp "$WORK/good.answer" "$entry"; touch -d '+1 year' "$entry"
check_damaged "modified a year ahead" "was modified in the future"

# Consent replaces a damaged entry with the command's answer.
reset; printf '18446744073709551615\nx\n' > "$entry"
bounded 10 100 --expect-status 0 -- "$STRATA" -i "$inv" --allow-exec hosts > "$WORK/out" 2> "$WORK/err"
expect_in "$WORK/out" w2
bounded 5 100 --expect-status 0 -- "$STRATA" -i "$inv" hosts > "$WORK/out" 2> "$WORK/err"
expect_in "$WORK/out" w2
expect_not_in "$WORK/err" "source_cache"
echo "ok: every damaged entry is a warning and a miss"
