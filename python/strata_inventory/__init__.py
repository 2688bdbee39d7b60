"""strata for Python: load a strata (pyinfra-style TOML) inventory, resolved.

>>> import strata_inventory
>>> inventory = strata_inventory.load("examples/basic")
>>> web1 = inventory.get_host("web1.example.com")
>>> web1.data["app_port"], web1.groups
(8001, ['webservers', 'monitoring'])
>>> str(web1.origin("app_port"))
'examples/basic/host_data/web1.example.com.toml:1:1 (host file)'
>>> str(web1.origin("log_level"))
'examples/basic/group_data/monitoring.toml:3:1 (group monitoring)'

(run from the repository root: ``Origin.file`` is relative to the working
directory; ``Origin.inventory_file`` is relative to the inventory).

This is a thin layer over the ``strata`` command that the package installs
(its documented JSON, docs/cli.md). ``strata_inventory.pyinfra`` bridges an
inventory into pyinfra; ``strata_inventory.nornir`` is a nornir inventory
plugin. See docs/python.md.
"""

from __future__ import annotations

from ._binary import find_strata_bin
from ._errors import (
    ArgumentError,
    BinaryNotFoundError,
    Diagnostic,
    InventoryError,
    LoadTimeoutError,
    NoGroupError,
    NoHostError,
    OutputTooLargeError,
    Related,
    StrataError,
    UsageError,
)
from ._inventory import Host, Inventory, Origin, load

__all__ = [
    "ArgumentError",
    "BinaryNotFoundError",
    "Diagnostic",
    "Host",
    "Inventory",
    "InventoryError",
    "LoadTimeoutError",
    "NoGroupError",
    "NoHostError",
    "OutputTooLargeError",
    "Origin",
    "Related",
    "StrataError",
    "UsageError",
    "__version__",
    "find_strata_bin",
    "load",
]


def __getattr__(name: str) -> str:
    # __version__ is looked up on first use: importlib.metadata costs more
    # than the rest of the import.
    if name == "__version__":
        try:
            from importlib.metadata import version

            return version("strata-inventory")
        except Exception:  # not installed as a distribution (a source checkout)
            return "0+unknown"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
