#!/usr/bin/env bash
# Writes the committed seeds of the fuzz targets (docs/fuzzing.md) from the
# repository's inventories: fuzz/corpus/inventory/seed-* (hosts.toml, NUL,
# a group_data file, NUL, a host_data file) and fuzz/corpus/args/seed-*
# (a limit, NUL, a --data argument, NUL, a host name, NUL, a key).
set -euo pipefail
cd "$(dirname "$0")/.."
out=fuzz/corpus/inventory
mkdir -p "$out" fuzz/corpus/args
rm -f "$out"/seed-* fuzz/corpus/args/seed-*

# The first .toml file of a directory, preferring the given name.
first() {
    local dir=$1 want=${2:-}
    [ -d "$dir" ] || return 0
    if [ -n "$want" ] && [ -f "$dir/$want.toml" ]; then
        echo "$dir/$want.toml"
        return
    fi
    find "$dir" -name '*.toml' -type f | LC_ALL=C sort | grep -v '/all\.toml$' | head -1 || true
}

seed() {
    local name=$1 inv=$2
    [ -f "$inv/hosts.toml" ] || return 0
    local group key host
    key=$(grep -m1 -oE '^\[?"?[A-Za-z0-9_@.-]+' "$inv/hosts.toml" | tr -d '["' || true)
    group=$(first "$inv/group_data" "$key")
    host=$(first "$inv/host_data")
    {
        head -c 4000 "$inv/hosts.toml"
        if [ -n "$group" ]; then printf '\0'; head -c 1500 "$group"; fi
        if [ -n "$host" ]; then
            [ -n "$group" ] || printf '\0'
            printf '\0'
            head -c 1500 "$host"
        fi
    } > "$out/seed-$name"
}

for inv in examples/basic examples/connectors examples/multi-env/*/ tests/fixtures/*/; do
    inv=${inv%/}
    seed "$(echo "$inv" | tr / -)" "$inv"
done
for case in crates/strata-cli/tests/check/*/inventory; do
    seed "check-$(basename "$(dirname "$case")")" "$case"
done
# Names that match the fallbacks (`web`, `w1`) and the first-key rule.
printf 'web = ["w1", "w[2:3]"]\0port = 80\0port = 81\n' > "$out/seed-fallback-names"
printf 'web = ["@docker/x"]\0a = 1\0b = { c = [1, 2] }\n' > "$out/seed-connector-data"

# args: limit, data, host, key.
args=fuzz/corpus/args
i=0
while IFS= read -r line; do
    i=$((i + 1))
    printf '%b' "$line" > "$args/seed-$(printf %02d $i)"
done <<'SEEDS'
web\0port=8080\0web1.example.com\0port
web*,!web2.example.com\0use_sudo=False\0db1\0role
~^db[0-9]+$\0tags=[1, 2]\0@docker/app-1\0image
web,&prod-eu\0x={ a = 1 }\0web2.example.com
@docker\0when=1979-05-27\0@local\0docker_user
!db\0limits.cpu=4\0db01\0limits
{web,db}*\0=\0web1\0
web:&db\0port=\0@ssh/10.0.0.5\0ssh_hostname
all\0ssh_user="root"\0db02\0ssh_user
ungrouped,app\0n=9223372036854775807\0WEB1.EXAMPLE.COM\0por
SEEDS
ls "$out" | wc -l; du -sh fuzz/corpus

# cache_entry: a mode byte (even: the bytes as they are; odd: after the good
# header of the harness's entry), then a command source's cache entry
# (crates/strata-exec/tests/support/cache_fuzz.rs). In printf's format,
# `\NNN` (three octal digits) is one byte whatever digits follow.
cache=fuzz/corpus/cache_entry
mkdir -p "$cache"
rm -f "$cache"/seed-*
header='21\nstrata-source-cache-1\n6\n/inv/a\n4\ncmdb\n15\n./inv.py\0--list\n'
printf "\\000$header"'2\n{}\n' > "$cache/seed-good"
printf "\\000$header"'15\n{"web": ["w1"]}\n2\nw1\n12\n{"port": 80}\n' > "$cache/seed-host-answers"
printf '\001''2\n{}\n2\nw1\n2\n{}\n' > "$cache/seed-after-header"
printf '\000''18446744073709551615\nx\n' > "$cache/seed-wrapping-length"
printf '\001''18446744073709551615\nx\n' > "$cache/seed-wrapping-length-after-header"
printf '\000''21\nstrata-source-cache-1\n6\n/inv/b\n4\ncmdb\n15\n./inv.py\0--list\n2\n{}\n' > "$cache/seed-other-key"
printf '\001''2\n{}\n2\nw1\n' > "$cache/seed-cut-short"
printf '\002{"web": ["w1"]}\0w1\0{"a": 1}\0w2\0{}' > "$cache/seed-answer-parts"
