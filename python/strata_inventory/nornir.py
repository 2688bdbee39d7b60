"""A nornir inventory plugin: ``StrataInventory``.

Registered on the ``nornir.plugins.inventory`` entry point (install the
``nornir`` extra: ``pip install "strata-inventory[nornir]"``)::

    from nornir import InitNornir

    nr = InitNornir(inventory={"plugin": "StrataInventory", "options": {"path": "inventory"}})

Hosts keep strata's order and groups; each host's data is its fully resolved
strata data, so ``host[key]`` gives strata's value for every key. Groups
carry no data (it is already in every member's data); the global data is
nornir's ``defaults.data``. The connection keys also fill nornir's fields:

=================  ============
strata key         nornir field
=================  ============
``ssh_hostname``   ``hostname`` (else the host's name, for a host that is
                   not a connector host such as ``@local``)
``ssh_port``       ``port``
``ssh_user``       ``username``
``ssh_password``   ``password``
=================  ============
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Optional, Union

from nornir.core.inventory import (
    Defaults,
    Group,
    Groups,
    Host,
    Hosts,
    Inventory,
    ParentGroups,
)

from ._inventory import PathLike, load

__all__ = ["StrataInventory"]

#: strata data key -> nornir host field
CONNECTION_KEYS = {
    "ssh_hostname": "hostname",
    "ssh_port": "port",
    "ssh_user": "username",
    "ssh_password": "password",
}


class StrataInventory:
    """nornir inventory plugin reading a strata inventory.

    Args:
        path: the inventory directory or its ``hosts.toml``; ``None`` finds it
            as the ``strata`` command does (``$STRATA_INVENTORY``,
            ``./inventory/``, ``./``).
        data: strata override data (typed values) for every host.
        limit: strata's limit grammar: load only the selected hosts.
    """

    def __init__(
        self,
        path: Optional[PathLike] = None,
        data: Optional[Mapping[str, Any]] = None,
        limit: Union[str, list[str], None] = None,
    ) -> None:
        self.path = path
        self.data = data
        self.limit = limit

    def load(self) -> Inventory:
        """Load the strata inventory and build nornir's ``Inventory``.

        Raises:
            strata_inventory.InventoryError: the inventory has errors.
        """
        inventory = load(self.path, data=self.data, limit=self.limit)
        defaults = Defaults(data=dict(inventory.get_data()))

        groups = Groups()
        for name in inventory.groups:
            groups[name] = Group(name=name, data={}, defaults=defaults)

        hosts = Hosts()
        for h in inventory:
            fields: dict[str, Any] = {nornir: h.data[key] for key, nornir in CONNECTION_KEYS.items() if key in h.data}
            if "hostname" not in fields and not h.name.startswith("@"):
                fields["hostname"] = h.name
            hosts[h.name] = Host(
                name=h.name,
                groups=ParentGroups([groups[g] for g in h.groups]),
                data=h.data,
                defaults=defaults,
                **fields,
            )
        return Inventory(hosts=hosts, groups=groups, defaults=defaults)
