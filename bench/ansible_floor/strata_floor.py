# Copyright (c) strata contributors
# SPDX-License-Identifier: MIT OR Apache-2.0
"""The InventoryData floor of bench/ansible.sh: an inventory plugin that makes exactly the Ansible
calls strata.strata.inventory makes (add_host, set_variable, add_group, set_priority, add_host to a
group), with the same entries, read from a file prepared beforehand by bench/ansible-floor.py. It runs
no strata, decodes no JSON and marks no string itself: what it costs is Ansible's own cost of holding
that inventory. `trusted_by_default` lets Ansible mark every string as a template, as the plugin does
without a cache, so the inventory ends the same."""

from __future__ import annotations

import marshal

from ansible.plugins.inventory import BaseInventoryPlugin

DOCUMENTATION = r"""
name: strata_floor
short_description: bench/ansible.sh's floor (not for use)
description: Adds the entries of the prepared file beside the configuration file (NAME.floor.yml -> NAME.floor.marshal).
options:
  plugin:
    description: strata_floor
    required: true
"""


class InventoryModule(BaseInventoryPlugin):
    NAME = "strata_floor"
    trusted_by_default = True

    def verify_file(self, path):
        return str(path).endswith(".floor.yml")

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        with open(str(path)[: -len(".yml")] + ".marshal", "rb") as f:
            hostvars, all_vars, groups = marshal.load(f)
        inventory = self.inventory
        for host, variables in hostvars:
            inventory.add_host(host)
            for key, value in variables.items():
                inventory.set_variable(host, key, value)
        for key, value in all_vars.items():
            inventory.set_variable("all", key, value)
        for name, hosts, priority, variables in groups:
            group = inventory.add_group(name)
            inventory.groups[group].set_priority(priority)
            for key, value in variables.items():
                inventory.set_variable(group, key, value)
            for host in hosts:
                inventory.add_host(host, group=group)
