#!/usr/bin/env bash
# Runs every test of the workspace, with the tools the differential tests
# compare against: pyinfra 3.10.0 and ansible-core in ./.venv (created on
# first run, from PyPI).
#
#   ./scripts/test.sh            # all tests
#   ./scripts/test.sh -p strata  # extra arguments go to cargo test
set -euo pipefail
cd "$(dirname "$0")/.."

PYINFRA_VERSION=3.10.0
ANSIBLE_CORE_VERSION=2.19.14
if ! .venv/bin/python -c "import sys; from importlib.metadata import version; sys.exit(version('pyinfra') != '$PYINFRA_VERSION' or version('ansible-core') != '$ANSIBLE_CORE_VERSION')" 2>/dev/null; then
    echo "installing pyinfra==$PYINFRA_VERSION and ansible-core==$ANSIBLE_CORE_VERSION into .venv" >&2
    python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check \
        "pyinfra==$PYINFRA_VERSION" "ansible-core==$ANSIBLE_CORE_VERSION"
fi
export STRATA_PYINFRA_PYTHON="$PWD/.venv/bin/python"
export STRATA_ANSIBLE_INVENTORY="$PWD/.venv/bin/ansible-inventory"

cargo test --workspace "$@"
