# Copyright (c) strata contributors
# SPDX-License-Identifier: MIT OR Apache-2.0
"""The inventory plugin strata.strata.inventory: a strata inventory in Ansible."""

from __future__ import annotations

DOCUMENTATION = r"""
name: inventory
short_description: Hosts, groups and fully resolved data from a strata inventory
description:
  - Reads a strata inventory directory (C(hosts.toml), C(group_data/), C(host_data/); pyinfra-style
    inventories written in TOML) by running C(strata ansible --list).
  - Adds every group (never C(all)) with its hosts in strata's order, the hosts of no group to
    C(ungrouped), and each host's B(fully resolved) data as host variables. strata's waterfall has already
    decided every value, so Ansible's own precedence rules (group depth, group_vars) never come into play.
  - Loading executes nothing but the C(strata) command, which only reads TOML.
  - The configuration file's name must end with C(.strata.yml) or C(.strata.yaml).
  - Needs the C(strata) command (C(pip install strata-inventory)), not the C(strata_inventory) Python module.
author:
  - strata contributors
extends_documentation_fragment:
  - constructed
  - inventory_cache
options:
  plugin:
    description: The name of this plugin; makes the file a configuration of this plugin.
    required: true
    type: str
    choices: ['strata.strata.inventory']
  path:
    description:
      - The strata inventory directory, or its C(hosts.toml).
      - A relative path is taken from the folder of this configuration file, not from the current directory.
    required: true
    type: str
  data:
    description:
      - Override data for every host, the top of strata's waterfall, as C(strata --data KEY=VALUE).
      - Each value keeps its YAML type (a string stays a string); it is written as a TOML inline value.
        C(null) is refused (TOML has none).
    type: dict
    default: {}
  limit:
    description:
      - Select hosts with strata's limit grammar (C(web*,!web3), C(~^db\\d), C(web&prod)), before Ansible sees
        them. A list of patterns is united. A term that matches nothing is an error.
      - Groups the limit empties are left out. A limit never changes any host's data.
    type: raw
  allow_exec:
    description:
      - Let strata run the inventory's command sources (C(sources/<name>.toml) with C(command)), as
        C(strata --allow-exec). Without it nothing is run; a command source's fresh cached answer is
        used, and otherwise the source fails with C(strata::source_not_run). See docs/sources.md.
    type: bool
    default: false
    env:
      - name: STRATA_ALLOW_EXEC
  strata_bin:
    description:
      - The C(strata) command to run. A path with a C(/) is taken from the folder of this configuration file;
        a bare name is looked up on C(PATH).
      - When unset, the plugin uses C(strata_inventory.find_strata_bin()) if the Python package
        C(strata-inventory) is importable by Ansible's Python, else C(strata) beside Ansible's Python, else
        C(strata) on C(PATH).
    type: str
    env:
      - name: STRATA_BIN
notes:
  - With O(cache=true), the cache entry records a fingerprint of the configuration (the inventory's absolute
    path, O(data), O(limit)) and of every file under the inventory (C(hosts.toml), C(group_data/),
    C(host_data/), C(sources/)), each by relative path, size, modification and change times (nanoseconds) and inode.
    A run whose fingerprint differs from the entry's runs C(strata) again and replaces the entry; one that
    matches does not run C(strata) at all. A new C(strata) binary does not invalidate the cache
    (use C(--flush-cache)).
  - Errors in the inventory fail the source with strata's diagnostics (file, line, column); no host or group
    of a failed run is added.
"""

EXAMPLES = r"""
# production.strata.yml, beside the inventory directory `production/`
plugin: strata.strata.inventory
path: production

# override data and a limit, in strata's grammar
plugin: strata.strata.inventory
path: inventory/production
data: { ssh_user: deploy, app_port: 9000 }
limit: "webservers,!web3*"

# strata's connection data as Ansible's, groups built from data, and a cache
plugin: strata.strata.inventory
path: production
compose:
  ansible_host: ssh_hostname | default(inventory_hostname)
  ansible_user: ssh_user
groups:
  high_ports: app_port is defined and app_port >= 8002
keyed_groups:
  - key: app_env
    prefix: env
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/ansible-inventory
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Mapping

from ansible.errors import AnsibleParserError
from ansible.module_utils.common.text.converters import to_native, to_text
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible_collections.strata.strata.plugins.plugin_utils.toml_values import data_arg

try:
    from ansible.template import trust_as_template
except ImportError:  # ansible-core before 2.19 templates every inventory string
    trust_as_template = None

CONFIG_SUFFIXES = (".strata.yml", ".strata.yaml")

# The directories of an inventory that strata reads, besides hosts.toml.
DATA_DIRS = ("group_data", "host_data", "sources")

# Bump when the fingerprint or the cached document changes shape.
CACHE_FORMAT = 1

MISSING_BINARY = (
    "the strata command was not found (tried: {tried}). Install it where Ansible runs, "
    "with `pip install strata-inventory` (into Ansible's Python environment, or anywhere on PATH), "
    "or put a strata binary on PATH, or set the plugin option strata_bin (or $STRATA_BIN) to its path."
)


def _trusted(value):
    """`value` with every string marked as a template Ansible may render.

    strata's data is written by the inventory's authors, as group_vars and
    host_vars are, so Ansible treats it as it treats theirs (and as it treats
    the wrapper script's output): `{{ ... }}` in a value is a template.
    """
    if trust_as_template is None:
        return value
    if isinstance(value, str):
        return trust_as_template(value)
    if isinstance(value, list):
        return [_trusted(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _trusted(v) for k, v in value.items()}
    return value


def _stat_record(relative, stat):
    """One line of the fingerprint: a file's relative path and what its stat says."""
    try:
        st = stat()
        record = "%d %d %d %d" % (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
    except OSError as e:
        record = "error %s" % e.errno
    return ("%s\0%s\n" % (relative, record)).encode("utf-8", "surrogateescape")


def _stat_records(folder, relative):
    """_stat_record of every file under `folder`, in name order (symlinks to
    files are followed, symlinked directories are not descended)."""
    with os.scandir(folder) as it:
        entries = sorted(it, key=lambda e: e.name)
    for entry in entries:
        path = relative + "/" + entry.name
        if entry.is_dir(follow_symlinks=False):
            for record in _stat_records(entry.path, path):
                yield record
        else:
            yield _stat_record(path, entry.stat)


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    """Serves a strata inventory: `strata ansible --list`, whole or not at all."""

    NAME = "strata.strata.inventory"

    def verify_file(self, path):
        """Accept exactly the readable files named `*.strata.yml` or `*.strata.yaml`."""
        return super().verify_file(path) and to_text(path).endswith(CONFIG_SUFFIXES)

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)

        config_dir = os.path.dirname(os.path.abspath(to_native(path)))
        inventory_path = self._inventory_path(config_dir)
        args = ["-i", inventory_path]
        for key, value in (self.get_option("data") or {}).items():
            try:
                args += ["--data", data_arg(key, value)]
            except (TypeError, ValueError) as e:
                raise AnsibleParserError("strata.strata.inventory: option data, key %r: %s" % (key, to_native(e)))
        for pattern in self._limits():
            args += ["--limit", pattern]
        if self.get_option("allow_exec"):
            args.append("--allow-exec")

        # Ansible's cache semantics: `cache` (the option) turns caching on;
        # the `cache` argument is False on --flush-cache / refresh_inventory,
        # when the source is read again and the entry rewritten.
        use_cache = self.get_option("cache")
        read_cache = use_cache and cache
        update_cache = use_cache and not cache
        cache_key = self.get_cache_key(path)
        fingerprint = self._fingerprint(inventory_path, args) if use_cache else None

        parsed = None
        if read_cache:
            try:
                entry = self._cache[cache_key]
            except KeyError:
                entry = None
            if isinstance(entry, Mapping) and entry.get("fingerprint") == fingerprint:
                try:
                    document = entry["inventory"]
                    parsed = self._check_document(document)
                except (KeyError, AnsibleParserError):
                    parsed = None  # an entry of another shape: read the inventory again
            update_cache = parsed is None
        if parsed is None:
            document = self._run_strata(config_dir, args)
            parsed = self._check_document(document)
        groups, hostvars = parsed

        self._populate(groups, hostvars)
        if update_cache:
            self._cache[cache_key] = {"fingerprint": fingerprint, "inventory": document}

    # -- configuration ---------------------------------------------------

    def _inventory_path(self, config_dir):
        path = self.get_option("path")
        if not isinstance(path, str) or not path:
            raise AnsibleParserError("strata.strata.inventory: option path must be a non-empty string")
        return os.path.normpath(os.path.join(config_dir, os.path.expanduser(path)))

    def _limits(self):
        limit = self.get_option("limit")
        if limit is None:
            return []
        patterns = [limit] if isinstance(limit, str) else limit
        if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
            raise AnsibleParserError(
                "strata.strata.inventory: option limit must be a string or a list of strings, got %r" % (limit,)
            )
        return [str(p) for p in patterns]

    # -- the cache's fingerprint -------------------------------------------

    def _fingerprint(self, inventory_path, args):
        """A digest of the configuration and of the stat of every file strata may read."""
        digest = hashlib.sha256()
        digest.update(json.dumps([CACHE_FORMAT, self.NAME, args]).encode("utf-8", "surrogateescape"))
        root = inventory_path
        if os.path.isfile(root):
            root = os.path.dirname(root)
        digest.update(_stat_record("hosts.toml", lambda: os.stat(os.path.join(root, "hosts.toml"))))
        for top in DATA_DIRS:
            folder = os.path.join(root, top)
            if os.path.isdir(folder):
                for record in _stat_records(folder, top):
                    digest.update(record)
            else:
                digest.update(("%s\0absent\n" % top).encode())
        return digest.hexdigest()

    # -- running strata ----------------------------------------------------

    def _strata_bin(self, config_dir):
        tried = []
        explicit = self.get_option("strata_bin")
        if explicit:
            explicit = os.path.expanduser(explicit)
            if os.sep in explicit or (os.altsep and os.altsep in explicit):
                candidate = os.path.join(config_dir, explicit)
                found = candidate if os.path.isfile(candidate) and os.access(candidate, os.X_OK) else None
            else:
                found = shutil.which(explicit)
            if found:
                return found
            raise AnsibleParserError(
                "strata.strata.inventory: strata_bin (or $STRATA_BIN) is %r, which is not an executable file. "
                "Install strata with `pip install strata-inventory`, or point strata_bin at the strata command."
                % explicit
            )

        try:
            from strata_inventory import BinaryNotFoundError, find_strata_bin
        except ImportError:
            tried.append("the strata_inventory Python module (not importable by %s)" % sys.executable)
        else:
            try:
                return find_strata_bin()
            except BinaryNotFoundError:
                tried.append("strata_inventory.find_strata_bin()")

        exe = "strata" + (sysconfig.get_config_var("EXE") or "")
        beside = os.path.join(sysconfig.get_path("scripts"), exe)
        if os.path.isfile(beside) and os.access(beside, os.X_OK):
            return beside
        tried.append(beside)
        on_path = shutil.which(exe)
        if on_path:
            return on_path
        tried.append("%s on PATH" % exe)
        raise AnsibleParserError("strata.strata.inventory: " + MISSING_BINARY.format(tried="; ".join(tried)))

    def _run_strata(self, config_dir, args):
        command = [self._strata_bin(config_dir), "--color", "never", *args, "ansible", "--list"]
        try:
            done = subprocess.run(command, capture_output=True, check=False)
        except OSError as e:
            raise AnsibleParserError("strata.strata.inventory: could not run %s: %s" % (command[0], to_native(e)))
        stderr = to_text(done.stderr, errors="surrogate_or_replace").strip()
        if done.returncode != 0:
            raise AnsibleParserError(
                "strata failed (exit code %d): %s\n%s"
                % (done.returncode, " ".join(command), stderr or "(no message on stderr)")
            )
        for line in stderr.splitlines():
            if line.strip():
                self.display.warning("strata: %s" % line)
        try:
            return json.loads(to_text(done.stdout, errors="surrogate_or_strict"))
        except ValueError as e:
            raise AnsibleParserError(
                "strata.strata.inventory: %s printed something that is not JSON: %s" % (command[0], to_native(e))
            )

    @staticmethod
    def _check_document(document):
        """Split `strata ansible --list` into groups and hostvars, refusing any other shape."""
        bad = AnsibleParserError("strata.strata.inventory: unexpected output from strata ansible --list")
        if not isinstance(document, Mapping):
            raise bad
        meta = document.get("_meta", {})
        hostvars = meta.get("hostvars", {}) if isinstance(meta, Mapping) else None
        if not isinstance(hostvars, Mapping) or not all(isinstance(v, Mapping) for v in hostvars.values()):
            raise bad
        groups = []
        for name, group in document.items():
            if name == "_meta":
                continue
            hosts = group.get("hosts", []) if isinstance(group, Mapping) else None
            if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
                raise bad
            groups.append((name, hosts))
        return groups, hostvars

    # -- populating ------------------------------------------------------

    def _populate(self, groups, hostvars):
        """Everything strata resolved, then the constructed options."""
        inventory = self.inventory
        # Hosts first, in strata's inventory order (the order of _meta.hostvars),
        # so that Ansible runs them in that order.
        for host, variables in hostvars.items():
            inventory.add_host(host)
            for key, value in variables.items():
                inventory.set_variable(host, key, _trusted(value))
        order = dict.fromkeys(hostvars)
        for name, hosts in groups:
            group = inventory.add_group(name)
            for host in hosts:
                order.setdefault(host)
                inventory.add_host(host, group=group)

        compose = self.get_option("compose")
        conditionals = self.get_option("groups")
        keyed_groups = self.get_option("keyed_groups")
        if not (compose or conditionals or keyed_groups):
            return
        strict = self.get_option("strict")
        for host in order:
            variables = inventory.get_host(host).get_vars()
            self._set_composite_vars(compose, variables, host, strict=strict)
            self._add_host_to_composed_groups(conditionals, variables, host, strict=strict)
            self._add_host_to_keyed_groups(keyed_groups, variables, host, strict=strict)
