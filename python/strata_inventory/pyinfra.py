"""The pyinfra bridge: a strata inventory as a pyinfra inventory file.

Write this ``inventory.py`` and use it as any pyinfra inventory
(``pyinfra inventory.py deploy.py``, ``pyinfra inventory.py debug-inventory``,
``--limit``, ``--data``)::

    from strata_inventory.pyinfra import groups
    globals().update(groups("inventory/production"))

pyinfra reads an inventory file's module-level lists as groups. ``groups()``
returns them, built so that pyinfra ends with strata's result:

* ``all`` lists every host in strata's order, each as ``(name, data)`` where
  ``data`` is the host's *fully resolved* data (strata has already run the
  waterfall). pyinfra ranks host data above group and global data, so the
  values are strata's; only pyinfra's own ``--data`` is above them, as it
  should be. ``all``'s own data is strata's global data, so pyinfra's
  ``inventory.get_data()`` gives it (it can shadow nothing: every host's data
  already holds every global key).
* every other group is a plain list of host names, with no data, in strata's
  group order, so ``host.groups`` has strata's groups in strata's order.
  Implicit connector groups (``@docker``, ``@local``, ...) are not listed:
  pyinfra adds them itself when it expands a connector host.
* connector hosts keep their names (``@local``, ``@docker/abc``), so pyinfra
  picks their execution connector as it does for its own inventories.

docs/python.md lists what a pyinfra user can still notice (pyinfra's group
named after the inventory file, among others).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Any, Optional, Union

from ._errors import StrataError
from ._inventory import PathLike, load

__all__ = ["groups"]

GroupValue = Union[list[str], tuple[list[Any], dict[str, Any]]]


def _caller_dir(depth: int) -> Optional[str]:
    """The folder of the file that called ``groups()`` (pyinfra sets ``__file__``
    when it executes an inventory file)."""
    try:
        frame = sys._getframe(depth + 1)
    except ValueError:
        return None
    filename = frame.f_globals.get("__file__")
    if not filename:
        return None
    return os.path.dirname(os.path.abspath(filename))


def _for_pyinfra(error: StrataError) -> Exception:
    """pyinfra's own InventoryError with strata's message, so that pyinfra
    reports it as an inventory problem instead of a traceback of user code;
    the strata exception (with its diagnostics) is its ``__cause__``."""
    try:
        from pyinfra.api.exceptions import InventoryError as PyinfraInventoryError
    except ImportError:  # used outside pyinfra
        return error
    return PyinfraInventoryError(str(error))


def groups(
    path: Optional[PathLike] = None,
    *,
    data: Optional[Mapping[str, Any]] = None,
    base: Optional[PathLike] = None,
) -> dict[str, GroupValue]:
    """A strata inventory as the module-level groups of a pyinfra inventory file.

    Args:
        path: the strata inventory (a directory or its ``hosts.toml``). A
            relative path is taken from the folder of the file that calls
            ``groups()`` (the inventory file), not from the current directory;
            ``None`` finds it as the ``strata`` command does, from that folder
            (``$STRATA_INVENTORY``, ``./inventory/``, ``./``).
        data: strata override data (typed values), merged into every host's
            data; pyinfra's ``--data`` still wins over it.
        base: the folder relative paths start from, instead of the calling
            file's folder.

    Returns:
        ``{"web": ["w1", "w2"], ..., "all": ([(name, data), ...], global_data)}``, for
        ``globals().update(...)`` in the inventory file.

    Raises:
        pyinfra.api.exceptions.InventoryError: when pyinfra is installed, for
            any strata error (an inventory with errors, no inventory found, no
            strata binary): pyinfra prints its message, with every error's
            file, line and column. The strata exception (``InventoryError``
            with ``.diagnostics``, ...) is its ``__cause__``.
        strata_inventory.StrataError: the same, where pyinfra is not installed.
    """
    folder = os.fspath(base) if base is not None else _caller_dir(1)
    if path is not None and folder is not None and not os.path.isabs(os.fspath(path)):
        path = os.path.join(folder, os.fspath(path))
    try:
        inventory = load(path, data=data, cwd=folder)
    except StrataError as e:
        raise _for_pyinfra(e) from e

    result: dict[str, GroupValue] = {}
    for name in inventory.groups:
        if name.startswith("@"):
            # Implicit connector groups: pyinfra makes them from the host names.
            continue
        result[name] = [host.name for host in inventory.get_group(name)]
    result["all"] = ([(host.name, host.data) for host in inventory], inventory.get_data())
    return result
