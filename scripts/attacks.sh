#!/usr/bin/env bash
# Runs every attack script in tests/attacks/ (tests/attacks/README.md) against
# the release binary, the installed Python package and the real Ansible, and
# prints `attacks: N passed, N failed`. Called by scripts/test.sh after the
# Python package is installed; runnable alone once .venv and .venv-python exist.
#
#   ./scripts/attacks.sh            # every script
#   ./scripts/attacks.sh 01 04      # the scripts whose names start so
set -euo pipefail
shopt -s nullglob
cd "$(dirname "$0")/.."
repo=$PWD

cargo build --release --quiet -p strata-cli
export STRATA="$repo/target/release/strata"
export REPO="$repo"
export PYTHON="${PYTHON:-$repo/.venv-python/bin/python}"
export ANSIBLE_BIN_DIR="${ANSIBLE_BIN_DIR:-$repo/.venv/bin}"

passed=0
failed=()
for script in tests/attacks/[0-9]*.sh; do
    name=$(basename "$script" .sh)
    if [ $# -gt 0 ]; then
        match=0
        for want in "$@"; do [[ $name == "$want"* ]] && match=1; done
        [ $match = 1 ] || continue
    fi
    work=$(mktemp -d "${TMPDIR:-/tmp}/strata-attack-$name.XXXXXX")
    if WORK="$work" bash "$script" >"$work.log" 2>&1; then
        passed=$((passed + 1))
        echo "attack $name ... ok"
    else
        failed+=("$name")
        echo "attack $name ... FAILED"
        sed 's/^/    /' "$work.log"
    fi
    chmod -R u+rwX "$work" 2>/dev/null || true
    rm -rf "$work" "$work.log"
done
echo "attacks: $passed passed, ${#failed[@]} failed"
[ ${#failed[@]} = 0 ]
