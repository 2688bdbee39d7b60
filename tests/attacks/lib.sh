# Sourced by every attack script (tests/attacks/*.sh); see README.md here.
set -euo pipefail
: "${STRATA:?STRATA must name the release strata binary}"
: "${WORK:?WORK must name a fresh scratch directory}"
ATTACKS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# bounded SECONDS MIB [--expect-status N] -- COMMAND...: wall time and peak RSS bounds.
bounded() { python3 "$ATTACKS/bounded.py" "$@"; }

# fail MESSAGE: ends the script as a failure.
fail() { echo "FAIL: $*" >&2; exit 1; }

# expect_in FILE TEXT: FILE contains TEXT.
expect_in() { grep -qF -- "$2" "$1" || { echo "--- $1:" >&2; cat "$1" >&2; fail "expected \`$2\` in $1"; }; }

# expect_not_in FILE TEXT: FILE does not contain TEXT.
expect_not_in() { if grep -qF -- "$2" "$1"; then echo "--- $1:" >&2; cat "$1" >&2; fail "did not expect \`$2\` in $1"; fi; }

# with_collection: a private HOME and the collection strata.strata installed
# from the checkout, as a user of the real Ansible in $ANSIBLE_BIN_DIR has it.
with_collection() {
    : "${ANSIBLE_BIN_DIR:?ANSIBLE_BIN_DIR must name the folder of ansible, ansible-inventory, ansible-playbook}"
    export HOME="$WORK/home" ANSIBLE_LOCAL_TEMP="$WORK/home/tmp" ANSIBLE_NOCOLOR=1
    export ANSIBLE_COLLECTIONS_PATH="$WORK/collections" ANSIBLE_INVENTORY_UNPARSED_FAILED=1
    mkdir -p "$HOME"
    "$ANSIBLE_BIN_DIR/ansible-galaxy" collection install --offline -p "$WORK/collections" "$REPO/ansible" >/dev/null
}
