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

import heapq
import logging
import os
import sys
from collections.abc import Mapping
from types import FrameType
from typing import Any, NoReturn, Optional, Union

from ._errors import StrataError
from ._inventory import PathLike, load

__all__ = ["groups"]

logger = logging.getLogger("strata_inventory")

GroupValue = Union[list[str], tuple[list[Any], dict[str, Any]]]


def _caller_frame(depth: int) -> Optional[FrameType]:
    try:
        return sys._getframe(depth + 1)
    except ValueError:
        return None


def _frame_dir(frame: Optional[FrameType]) -> Optional[str]:
    """The folder of the file a frame runs (pyinfra sets ``__file__`` when it
    executes an inventory file)."""
    filename = frame.f_globals.get("__file__") if frame is not None else None
    if not filename:
        return None
    return os.path.dirname(os.path.abspath(filename))


def _caller_dir(depth: int) -> Optional[str]:
    """The folder of the file that called ``groups()``."""
    return _frame_dir(_caller_frame(depth + 1))


def _pyinfra_error(error: StrataError) -> Optional[Exception]:
    """pyinfra's own InventoryError with strata's message, so that pyinfra
    reports it as an inventory problem instead of a traceback of user code;
    ``None`` outside pyinfra."""
    try:
        from pyinfra.api.exceptions import InventoryError as PyinfraInventoryError
    except ImportError:  # used outside pyinfra
        return None
    wrapped: Exception = PyinfraInventoryError(str(error))
    return wrapped


def _raise_at(error: BaseException, cause: BaseException, frame: Optional[FrameType]) -> NoReturn:
    """Raise ``error`` (caused by ``cause``) from the line of the user's file
    that called ``groups()``: pyinfra names the innermost frame outside
    pyinfra as the place of an error ("pyinfra error in inventory.py line
    2"), and that must be the user's file, not this library. As Jinja does
    for templates, the raise is compiled under the caller's file name and
    line number."""
    if frame is None:
        raise error from cause
    filename, lineno = frame.f_code.co_filename, frame.f_lineno or 1
    code = compile("\n" * (lineno - 1) + "raise __strata_error__ from __strata_cause__", filename, "exec")
    exec(code, {"__name__": __name__, "__strata_error__": error, "__strata_cause__": cause})
    raise error from cause  # not reached: the code above always raises


def _warn(message: str) -> None:
    try:
        from pyinfra import logger as pyinfra_logger
    except ImportError:
        pyinfra_logger = None
    (pyinfra_logger or logger).warning("%s", message)


def _pyinfra_data_files(folders: list[Optional[str]]) -> list[str]:
    """pyinfra's own group data files that it loads beside a bridge inventory
    file: ``group_data/*.py`` in the current directory and in the inventory
    file's folder."""
    found: list[str] = []
    seen: set[str] = set()
    for folder in folders:
        if folder is None:
            continue
        data_dir = os.path.join(folder, "group_data")
        real = os.path.realpath(data_dir)
        if real in seen or not os.path.isdir(data_dir):
            continue
        seen.add(real)
        try:
            names = sorted(os.listdir(data_dir))
        except OSError:
            continue
        found += [os.path.join(data_dir, n) for n in names if n.endswith(".py")]
    return found


def _warn_pyinfra_data_files(folder: Optional[str]) -> None:
    files = _pyinfra_data_files([os.getcwd(), folder])
    if not files:
        return
    shown = ", ".join(os.path.relpath(f) if not os.path.relpath(f).startswith("..") else f for f in files)
    _warn(
        f"strata_inventory.pyinfra: pyinfra also loads {shown}: beside a strata inventory their keys that "
        "strata defines are ignored (strata's resolved host data wins) and only their other keys are added; "
        "move that data into the strata inventory (group_data/*.toml) and remove the .py files"
    )


def _unbind(namespace: Optional[dict[str, Any]], names: list[str]) -> None:
    """Remove ``names`` from the calling module's namespace, so that
    ``globals().update(groups(...))`` binds them again at the end, in
    strata's order: ``dict.update`` keeps the position of a name already
    bound (a group named ``groups`` or ``os``), and pyinfra takes the groups
    (and so ``host.groups``) in the module's order."""
    if namespace is None or "__file__" not in namespace:
        return
    for name in names:
        namespace.pop(name, None)


def _precedence_order(inventory: Any) -> list[str]:
    """The groups (implicit connector groups left out: pyinfra makes them from
    the host names) in an order that puts every host's groups in strata's
    order, since pyinfra orders ``host.groups`` by the module's order.

    Without ``children`` that is the inventory's group order. With nested
    groups strata orders a host's groups by depth, then position, which the
    inventory's order does not follow; each host's list says which of its
    groups comes before which, and those constraints are ordered here
    (Kahn's algorithm, ties by inventory position), each distinct list of
    groups read once."""
    names = [g for g in inventory.groups if not g.startswith("@")]
    position = {g: i for i, g in enumerate(names)}
    later: dict[str, set[str]] = {g: set() for g in names}
    waiting = dict.fromkeys(names, 0)
    seen: set[tuple[str, ...]] = set()
    for host in inventory:
        listed = tuple(host.groups)
        if listed in seen:
            continue
        seen.add(listed)
        mine = [g for g in listed if g in position]
        for first, second in zip(mine, mine[1:]):
            if second not in later[first]:
                later[first].add(second)
                waiting[second] += 1
    ready = [(position[g], g) for g in names if waiting[g] == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        _, g = heapq.heappop(ready)
        order.append(g)
        for nxt in later[g]:
            waiting[nxt] -= 1
            if waiting[nxt] == 0:
                heapq.heappush(ready, (position[nxt], nxt))
    if len(order) < len(names):  # not expected: strata's order has no cycle
        placed = set(order)
        order.extend(g for g in names if g not in placed)
    return order


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
        ``globals().update(...)`` in the inventory file. The names it holds
        are first unbound in the calling module, so that the update puts the
        groups in strata's order.

    Raises:
        pyinfra.api.exceptions.InventoryError: when pyinfra is installed, for
            any strata error (an inventory with errors, no inventory found, no
            strata binary), raised from the calling line of the inventory
            file: pyinfra prints "pyinfra error in inventory.py line N" and
            strata's message, with every error's file, line and column. The
            strata exception (``InventoryError`` with ``.diagnostics``, ...)
            is its ``__cause__``.
        strata_inventory.StrataError: the same, where pyinfra is not installed.
    """
    caller = _caller_frame(1)
    caller_dir = _frame_dir(caller)
    folder = os.fspath(base) if base is not None else caller_dir
    if path is not None and folder is not None and not os.path.isabs(os.fspath(path)):
        path = os.path.join(folder, os.fspath(path))
    try:
        inventory = load(path, data=data, cwd=folder)
    except StrataError as e:
        wrapped = _pyinfra_error(e)
        if wrapped is None:
            raise
        _raise_at(wrapped, e, caller)
    _warn_pyinfra_data_files(caller_dir)

    result: dict[str, GroupValue] = {}
    for name in _precedence_order(inventory):
        result[name] = [host.name for host in inventory.get_group(name)]
    result["all"] = ([(host.name, host.data) for host in inventory], inventory.get_data())
    _unbind(caller.f_globals if caller is not None else None, list(result))
    return result
