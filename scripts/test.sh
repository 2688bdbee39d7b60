#!/usr/bin/env bash
# Runs every test of the workspace, with the tools the differential tests
# compare against: pyinfra 3.10.0 and ansible-core in ./.venv (created on
# first run, from PyPI, with maturin to build the Python package); then builds
# the Python package strata-inventory with maturin, installs the wheel into
# ./.venv-python with pyinfra 3.10.0, nornir, pytest and pygls (the LSP client
# that drives `strata lsp`), and runs the Python tests (python/tests), among
# them those of the Ansible collection in ansible/ (installed from the
# checkout and run with .venv's ansible-core).
#
#   ./scripts/test.sh            # all tests
#   ./scripts/test.sh -p strata  # extra arguments go to cargo test
#   STRATA_PYTHON_TESTS=0 ./scripts/test.sh   # the Rust tests only
set -euo pipefail
cd "$(dirname "$0")/.."

PYINFRA_VERSION=3.10.0
ANSIBLE_CORE_VERSION=2.19.14
PYGLS_VERSION=2.1.1
MATURIN_SPEC="maturin>=1.5,<2"
PIP_QUIET=(--quiet --disable-pip-version-check)

# True when the interpreter $1 has every distribution named in $2... (NAME or NAME==VERSION).
has() {
    local python=$1
    shift
    "$python" - "$@" <<'EOF' 2>/dev/null
import sys
from importlib.metadata import version
for spec in sys.argv[1:]:
    name, _, want = spec.partition("==")
    if want and version(name) != want or not want and not version(name):
        sys.exit(1)
EOF
}

if ! has .venv/bin/python "pyinfra==$PYINFRA_VERSION" "ansible-core==$ANSIBLE_CORE_VERSION" maturin; then
    echo "installing pyinfra==$PYINFRA_VERSION, ansible-core==$ANSIBLE_CORE_VERSION and maturin into .venv" >&2
    python3 -m venv .venv
    .venv/bin/pip install "${PIP_QUIET[@]}" \
        "pyinfra==$PYINFRA_VERSION" "ansible-core==$ANSIBLE_CORE_VERSION" "$MATURIN_SPEC"
fi
export STRATA_PYINFRA_PYTHON="$PWD/.venv/bin/python"
export STRATA_ANSIBLE_INVENTORY="$PWD/.venv/bin/ansible-inventory"
# ansible-inventory, ansible and ansible-galaxy for python/tests/test_ansible_plugin.py:
# Ansible runs from its own environment, as for users, not from .venv-python.
export STRATA_ANSIBLE_BIN_DIR="$PWD/.venv/bin"

cargo test --workspace "$@"

if [ "${STRATA_PYTHON_TESTS:-1}" = 0 ]; then
    exit 0
fi

# The Python package: the wheel `maturin build --release` makes (the strata
# binary + python/strata_inventory), installed as a user would install it.
echo "building the strata-inventory wheel with maturin" >&2
rm -rf target/wheels
.venv/bin/maturin build --release --quiet --out target/wheels
wheel=$(ls target/wheels/strata_inventory-*.whl)

if ! has .venv-python/bin/python "pyinfra==$PYINFRA_VERSION" nornir pytest "pygls==$PYGLS_VERSION"; then
    echo "installing pyinfra==$PYINFRA_VERSION, nornir, pytest and pygls==$PYGLS_VERSION into .venv-python" >&2
    rm -rf .venv-python
    python3 -m venv .venv-python
    .venv-python/bin/pip install "${PIP_QUIET[@]}" "pyinfra==$PYINFRA_VERSION" nornir pytest "pygls==$PYGLS_VERSION"
fi
.venv-python/bin/pip install "${PIP_QUIET[@]}" --force-reinstall --no-deps "$wheel"

# Run from python/tests so that the checkout's python/ is not importable: the
# tests use the installed wheel. STRATA_BIN would bypass the bundled binary.
(cd python/tests && env -u STRATA_BIN ../../.venv-python/bin/python -m pytest -q -p no:cacheprovider .)

# The attack scripts (tests/attacks/README.md): the release binary, the
# installed wheel and the real Ansible, with time and memory bounds.
PYTHON="$PWD/.venv-python/bin/python" ANSIBLE_BIN_DIR="$PWD/.venv/bin" ./scripts/attacks.sh
