#!/usr/bin/env bash
# Runs one cargo-fuzz target for a while (docs/fuzzing.md):
#
#   ./scripts/fuzz.sh inventory 600     # a 10-minute campaign
#   ./scripts/fuzz.sh args 60           # what CI runs for each target
#   ./scripts/fuzz.sh diff_archive 60   # the unpacker of `diff --base`
#   ./scripts/fuzz.sh cache_entry 60    # the reader of command sources' cache entries
#
# Installs cargo-fuzz from crates.io if it is missing. Exits non-zero when
# the target crashes (a panic, or a harness assertion); the input is then in
# fuzz/artifacts/TARGET/. Builds without sanitizers (strata forbids unsafe
# code, and AddressSanitizer would cost most of the speed) and with debug
# assertions, so arithmetic overflow panics too.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: scripts/fuzz.sh TARGET SECONDS [LIBFUZZER FLAGS...]}
seconds=${2:-60}
shift 2 || shift $#

dict=dict/toml.dict
case $target in
    inventory) max_len=4096 ;;
    args) max_len=512 ;;
    diff_archive) max_len=16384 dict=dict/archive.dict ;;
    cache_entry) max_len=4096 dict=dict/cache_entry.dict ;;
    *) echo "unknown target: $target (inventory, args, diff_archive, cache_entry)" >&2; exit 2 ;;
esac
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
cd fuzz
# cargo-fuzz needs nightly features; RUSTC_BOOTSTRAP lets stable build them.
RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none --debug-assertions "$target" -- \
    -max_total_time="$seconds" -dict="$dict" -max_len="$max_len" \
    -timeout=10 -print_final_stats=1 "$@"
