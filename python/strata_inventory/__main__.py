"""``python -m strata_inventory ARGS``: run the bundled ``strata`` command."""

from __future__ import annotations

import os
import sys

from ._binary import find_strata_bin
from ._errors import BinaryNotFoundError


def main() -> None:
    """Replace this process with ``strata ARGS`` (a child process on Windows)."""
    try:
        strata = os.fsdecode(find_strata_bin())
    except BinaryNotFoundError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
    if sys.platform == "win32":
        import subprocess

        sys.exit(subprocess.run([strata, *sys.argv[1:]]).returncode)
    os.execvp(strata, [strata, *sys.argv[1:]])


if __name__ == "__main__":
    main()
