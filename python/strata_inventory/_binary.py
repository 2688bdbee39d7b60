"""Finding the ``strata`` binary that the wheel installs beside Python's scripts."""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig

from ._errors import BinaryNotFoundError

__all__ = ["find_strata_bin"]


def _user_scheme() -> str:
    if sys.version_info >= (3, 10):
        return sysconfig.get_preferred_scheme("user")
    if os.name == "nt":
        return "nt_user"
    if sys.platform == "darwin" and getattr(sys, "_framework", None):
        return "osx_framework_user"
    return "posix_user"


def find_strata_bin() -> str:
    """Return the absolute path of the ``strata`` command this package runs.

    Looked up in this order, as ruff's ``find_ruff_bin`` does:

    1. ``$STRATA_BIN``, when set (it must name an existing file; a relative
       path is taken from the current directory);
    2. the scripts directory of the running interpreter's install scheme
       (a virtual environment's ``bin/``, where ``pip install`` puts it);
    3. the scripts directory of the user scheme (``pip install --user``);
    4. ``bin/`` beside the package root (``pip install --target DIR``);
    5. ``strata`` on ``$PATH``, as a last resort.

    Raises:
        BinaryNotFoundError: no such file in any of these places; the message
            lists every place tried.
    """
    exe = "strata" + (sysconfig.get_config_var("EXE") or "")
    tried: list[str] = []

    explicit = os.environ.get("STRATA_BIN")
    if explicit:
        # Resolved once, against this process's working directory: the path
        # returned is the file checked, wherever strata then runs (cwd=...).
        absolute = os.path.abspath(explicit)
        if os.path.isfile(absolute):
            return absolute
        where = "" if absolute == explicit else f" ({absolute} from the working directory)"
        raise BinaryNotFoundError(f"$STRATA_BIN is set to {explicit!r}{where}, which is not a file")

    candidates = [os.path.join(sysconfig.get_path("scripts"), exe)]
    try:
        candidates.append(os.path.join(sysconfig.get_path("scripts", scheme=_user_scheme()), exe))
    except KeyError:  # a Python built without a user scheme
        pass
    package_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    candidates.append(os.path.join(package_root, "bin", exe))
    for path in candidates:
        if os.path.isfile(path):
            return path
        tried.append(path)

    on_path = shutil.which(exe)
    if on_path:
        return os.path.abspath(on_path)
    tried.append(f"{exe} on $PATH")
    raise BinaryNotFoundError(
        "the strata binary was not found; tried:\n"
        + "\n".join(f"  {t}" for t in tried)
        + "\ninstall the strata-inventory package (pip install strata-inventory), "
        "or set STRATA_BIN to the strata command"
    )
