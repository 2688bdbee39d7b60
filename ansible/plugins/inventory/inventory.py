# Copyright (c) strata contributors
# SPDX-License-Identifier: MIT OR Apache-2.0
# Ansible's plugin layout puts DOCUMENTATION and EXAMPLES before the imports.
# ruff: noqa: E402
"""The inventory plugin strata.strata.inventory: a strata inventory in Ansible."""

from __future__ import annotations

DOCUMENTATION = r"""
name: inventory
short_description: Hosts, groups and fully resolved data from a strata inventory
description:
  - Reads a strata inventory directory (C(hosts.toml), C(group_data/), C(host_data/); pyinfra-style
    inventories written in TOML) by running C(strata ansible --list --structured).
  - Adds every group (never C(all)) with its hosts in strata's order and the hosts of no group to
    C(ungrouped). Data goes to Ansible as strata structures it, not flattened host by host, global data
    once as variables of C(all), each group's data once as variables of the group, with strata's group
    order as C(ansible_group_priority), and each host gets as host variables only the keys where that
    would not give it strata's value. Every host's variables, as Ansible computes them, are exactly
    C(strata host NAME); C(compose), C(groups) and C(keyed_groups) see that resolved data.
  - A C(group_vars/) or C(host_vars/) folder beside this configuration file is read by Ansible's own
    vars plugin on top of what strata gives, so it can change a host's values; see docs/ansible.md.
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
      - When the option is not written in the file, C($STRATA_ALLOW_EXEC) decides, with strata's one rule
        (C(1), C(true), C(yes), C(on) in any case mean yes; C(0), C(false), C(no), C(off) and empty mean no;
        anything else is an error). An explicit C(allow_exec) always wins over the environment, which
        strata never inherits from the plugin.
    type: bool
  refresh:
    description:
      - Run command sources again although strata's own cache of their answer is fresh, as
        C(strata --refresh) (needs O(allow_exec)). C(ansible-inventory --flush-cache) does the same when
        O(allow_exec) is on.
    type: bool
    default: false
  structured:
    description:
      - Hand Ansible strata's structure (global data on C(all), each group's data on the group, on each host
        only its own keys). C(false) gives every host its fully resolved data as host variables instead,
        more work for Ansible but independent of other inventory sources.
      - Use C(false) when one Ansible run combines this inventory with other sources that set variables of
        C(all) or of groups of the same names (another C(*.strata.yml) included, such as production and
        staging in one C(-i dir/)), because Ansible shares C(all) and groups of one name between sources and their
        variables would reach this inventory's hosts.
    type: bool
    default: true
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
    path, O(data), O(limit), the C(strata) binary) and of every file strata read (reported by
    C(strata ansible --list --meta), the files of file sources included) and every file under the inventory's
    C(hosts.toml), C(group_data/), C(host_data/), C(sources/). A run whose fingerprint differs runs C(strata)
    again. An inventory with a command source is never answered from this cache (the source's own
    C(cache) age decides, in strata). Strings served with O(cache=true) are data, never templates, and
    an entry is checked as strata's output before it is used.
  - A value written in the inventory as C({ __ansible_vault = "$ANSIBLE_VAULT;..." }) reaches Ansible as its
    own encrypted value (with or without O(cache)), decrypted by Ansible at use with the vault password it was
    given; strata and this plugin never decrypt. C({ __ansible_unsafe = "..." }) is a string never templated.
  - Options this plugin does not know are warned about (an error with O(strict=true)).
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


import difflib
import hashlib
import hmac
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Mapping

from ansible.errors import AnsibleParserError
from ansible.inventory.helpers import get_group_vars
from ansible.module_utils.common.text.converters import to_native, to_text
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.vars import combine_vars
from ansible_collections.strata.strata.plugins.plugin_utils.toml_values import data_arg

try:
    from ansible.template import is_trusted_as_template, trust_as_template
except ImportError:  # ansible-core before 2.19 templates every inventory string but AnsibleUnsafe ones
    trust_as_template = None
    is_trusted_as_template = None
try:
    from ansible.utils.unsafe_proxy import AnsibleUnsafe, wrap_var
except ImportError:  # pragma: no cover - every supported ansible-core has it
    AnsibleUnsafe = ()
    wrap_var = None
try:
    from ansible.parsing.vault import EncryptedString  # ansible-core 2.19+
except ImportError:  # ansible-core before 2.19: the YAML loader's type, given the loader's vault
    EncryptedString = None
    from ansible.parsing.yaml.objects import AnsibleVaultEncryptedUnicode

PREFIX = "strata.strata.inventory: "

CONFIG_SUFFIXES = (".strata.yml", ".strata.yaml")

# The directories of an inventory that strata reads, besides hosts.toml.
DATA_DIRS = ("group_data", "host_data", "sources")

# Bump when the fingerprint or the cached entry changes shape.
CACHE_FORMAT = 3

# Ansible's JSON form of a string that must never be a template.
UNSAFE_KEY = "__ansible_unsafe"
# Ansible's JSON form of a value encrypted with ansible-vault (kept encrypted: Ansible decrypts it at use).
VAULT_KEY = "__ansible_vault"
MARKERS = (UNSAFE_KEY, VAULT_KEY)

# The one rule for STRATA_ALLOW_EXEC, as in the strata command and the Python package.
YES = ("1", "true", "yes", "on")
NO = ("0", "false", "no", "off", "")

MISSING_BINARY = (
    "the strata command was not found (tried: {tried}). Install it where Ansible runs, "
    "with `pip install strata-inventory` (into Ansible's Python environment, or anywhere on PATH), "
    "or put a strata binary on PATH, or set the plugin option strata_bin (or $STRATA_BIN) to its path."
)


def allow_exec_from_env(value):
    """$STRATA_ALLOW_EXEC by strata's one rule: True, False, or a ValueError."""
    if value is None:
        return False
    word = value.strip().lower()
    if word in YES:
        return True
    if word in NO:
        return False
    raise ValueError(
        f"STRATA_ALLOW_EXEC is {value!r}; it must be 1, true, yes or on (yes) or 0, false, no, off or empty (no), "
        "in any case"
    )


def _is_unsafe(value):
    """True for a string the configuration marked `!unsafe`."""
    if isinstance(value, AnsibleUnsafe):
        return True
    if is_trusted_as_template is not None and isinstance(value, str):
        return not is_trusted_as_template(value)
    return False


def _unsafe(text):
    """`text` as a string Ansible never renders."""
    if trust_as_template is not None:
        return str(text)  # ansible-core 2.19+: an untagged string is not a template
    return wrap_var(text)


# Before ansible-core 2.19, an encrypted value needs the vault that decrypts it: the loader's (set by parse).
_LOADER_VAULT = [None]


def _encrypted(ciphertext):
    """An ansible-vault ciphertext as Ansible's encrypted value, decrypted by Ansible at use (never here)."""
    if EncryptedString is not None:
        return EncryptedString(ciphertext=ciphertext)
    value = AnsibleVaultEncryptedUnicode(ciphertext)
    value.vault = _LOADER_VAULT[0]
    return value


def _marked(value):
    """A one-key dict holding UNSAFE_KEY or VAULT_KEY (Ansible's JSON form of an unsafe string or of an
    encrypted value) as Ansible's value. check_document lets a marker through only alone, with a string."""
    if UNSAFE_KEY in value:
        return _unsafe(value[UNSAFE_KEY])
    return _encrypted(value[VAULT_KEY])


def _to_ansible(value, trusted):
    """strata's JSON value as Ansible's: `{"__ansible_unsafe": "..."}` becomes a string that is never
    a template, `{"__ansible_vault": "$ANSIBLE_VAULT;..."}` Ansible's encrypted value; every other
    string is a template only when `trusted`."""
    if isinstance(value, str):
        if trusted and trust_as_template is not None:
            return trust_as_template(value)
        if not trusted and trust_as_template is None:
            return wrap_var(value)
        return value
    if isinstance(value, list):
        return [_to_ansible(v, trusted) for v in value]
    if isinstance(value, Mapping):
        if len(value) == 1 and (UNSAFE_KEY in value or VAULT_KEY in value):
            return _marked(value)
        return {k: _to_ansible(v, trusted) for k, v in value.items()}
    return value


def _trusted(value, _str=str, _list=list, _dict=dict):
    """_to_ansible(value, trusted=True) on ansible-core 2.19+, for the JSON decoder's exact types first:
    about 40,000 values at 10,000 hosts, most of them scalars, so the common cases come first."""
    kind = type(value)
    if kind is _str:
        return trust_as_template(value)
    if kind is int or kind is bool or kind is float or value is None:
        return value
    if kind is _list:
        return [_trusted(v) for v in value]
    if kind is _dict:
        if len(value) == 1 and (UNSAFE_KEY in value or VAULT_KEY in value):
            return _marked(value)
        return {k: _trusted(v) for k, v in value.items()}
    return _to_ansible(value, True)


def _untrusted(value, _str=str, _list=list, _dict=dict):
    """_to_ansible(value, trusted=False) on ansible-core 2.19+: strings stay as they are (an untagged
    string is not a template), so only a value holding an object needs a copy."""
    kind = type(value)
    if kind is _str or kind is int or kind is bool or kind is float or value is None:
        return value
    if kind is _list:
        return [_untrusted(v) for v in value]
    if kind is _dict:
        if len(value) == 1 and (UNSAFE_KEY in value or VAULT_KEY in value):
            return _marked(value)
        return {k: _untrusted(v) for k, v in value.items()}
    return _to_ansible(value, False)


def _converter(trusted):
    """The function that turns one of strata's values into Ansible's, by `_to_ansible`'s rules."""
    if trust_as_template is None:  # ansible-core before 2.19
        return lambda value: _to_ansible(value, trusted)
    return _trusted if trusted else _untrusted


def _check_value(value, where, depth=0):
    """A value of strata's output: JSON scalars, lists and objects, an unsafe or vault marker alone with a
    string."""
    if depth > 200:
        raise ValueError(f"{where} is nested too deep")
    if value is None or isinstance(value, (bool, int, float, str)):
        return
    if isinstance(value, list):
        for v in value:
            _check_value(v, where, depth + 1)
        return
    if isinstance(value, dict):
        for marker in MARKERS:
            if marker in value and (len(value) != 1 or not isinstance(value[marker], str)):
                raise ValueError(f"{where} has {marker} with other keys or a value that is not a string")
        for k, v in value.items():
            if not isinstance(k, str):
                raise ValueError(f"{where} has a key that is not a string")
            _check_value(v, where, depth + 1)
        return
    raise ValueError(f"{where} holds a {type(value).__name__}")


def _check_vars(variables, where):
    if not isinstance(variables, dict):
        raise ValueError(f"the variables of {where} are not an object")
    for key, value in variables.items():
        _check_value(value, f"{where}, variable {key!r}")


def check_document(document):
    """Split `strata ansible --list --structured [--meta]` into (groups, all_vars, hostvars, meta),
    refusing any other shape: `all` as {"vars": {...}}; every other group {"hosts": [names], "priority":
    int, "vars": {...}} (`ungrouped`, which must be there, may have hosts alone); `_meta` with `hostvars`
    (every host of every group, each with its own variables) and, optionally, `strata`. A group with child
    groups (`children` in hosts.toml) also has "children": [names of groups of the output], and lists only
    its own hosts. `groups` is a list of (name, hosts, priority, vars, children) in strata's group order."""
    if not isinstance(document, dict):
        raise ValueError("the output is not a JSON object")
    meta = document.get("_meta")
    if not isinstance(meta, dict) or set(meta) - {"hostvars", "strata"} or "hostvars" not in meta:
        raise ValueError("_meta must hold hostvars (and strata)")
    hostvars = meta["hostvars"]
    if not isinstance(hostvars, dict):
        raise ValueError("_meta.hostvars is not an object")
    for host, variables in hostvars.items():
        _check_vars(variables, f"host {host!r}")
    top = document.get("all")
    if not isinstance(top, dict) or set(top) != {"vars"}:
        raise ValueError('all is not {"vars": {...}}')
    _check_vars(top["vars"], "group 'all'")
    groups = []
    for name, group in document.items():
        if name in ("_meta", "all"):
            continue
        if not isinstance(group, dict) or not (
            set(group) in ({"hosts", "priority", "vars"}, {"hosts", "children", "priority", "vars"})
            or (name == "ungrouped" and set(group) == {"hosts"})
        ):
            raise ValueError(f'group {name!r} is not {{"hosts": [...], "priority": n, "vars": {{...}}}}')
        children = group.get("children", [])
        if not isinstance(children, list) or not all(
            isinstance(c, str)
            and c != name
            and isinstance(document.get(c), dict)
            and c not in ("all", "_meta", "ungrouped")
            for c in children
        ):
            raise ValueError(f"group {name!r} names a child that is not a group of the output")
        hosts = group["hosts"]
        if not isinstance(hosts, list) or not all(isinstance(h, str) and h in hostvars for h in hosts):
            raise ValueError(f"group {name!r} lists a host that is not in _meta.hostvars")
        priority = group.get("priority", 1)
        if not isinstance(priority, int) or isinstance(priority, bool):
            raise ValueError(f"the priority of group {name!r} is not an integer")
        variables = group.get("vars", {})
        _check_vars(variables, f"group {name!r}")
        groups.append((name, hosts, priority, variables, children))
    if "ungrouped" not in document:
        raise ValueError("there is no ungrouped group")
    strata_meta = meta.get("strata", {"files": [], "command_sources": True})
    if (
        not isinstance(strata_meta, dict)
        or not isinstance(strata_meta.get("files"), list)
        or not all(isinstance(f, str) and os.path.isabs(f) for f in strata_meta["files"])
        or not isinstance(strata_meta.get("command_sources"), bool)
    ):
        raise ValueError('_meta.strata is not {"files": [absolute paths], "command_sources": bool}')
    return groups, top["vars"], hostvars, strata_meta


def depths_and_members(groups):
    """Each group's depth as Ansible computes it (1 under `all`, else one more than its deepest parent's)
    and its hosts with its descendants' (the children's graph has no cycle: strata refuses one)."""
    children = {name: kids for name, _hosts, _priority, _vars, kids in groups}
    own = {name: hosts for name, hosts, _priority, _vars, _kids in groups}
    depth = dict.fromkeys(children, 1)
    # Parents before children: a group's depth is final once every parent's is.
    parents = {name: 0 for name in children}
    for kids in children.values():
        for kid in kids:
            parents[kid] += 1
    ready = [name for name, n in parents.items() if n == 0]
    order = []
    while ready:
        name = ready.pop()
        order.append(name)
        for kid in children[name]:
            depth[kid] = max(depth[kid], depth[name] + 1)
            parents[kid] -= 1
            if parents[kid] == 0:
                ready.append(kid)
    members = {}
    for name in reversed(order):
        hosts = dict.fromkeys(own[name])
        for kid in children[name]:
            hosts.update(members[kid])
        members[name] = hosts
    return depth, members


def flatten(groups, all_vars, hostvars):
    """The structured output as each host's fully resolved data (Ansible's precedence applied: `all`,
    the host's groups by depth then priority, the later winning, then its own), and groups without
    variables (their children kept)."""
    depth, members = depths_and_members(groups)
    resolved = {host: dict(all_vars) for host in hostvars}
    for name, _hosts, _priority, variables, _kids in sorted(groups, key=lambda g: (depth[g[0]], g[2])):
        if variables:
            for host in members[name]:
                resolved[host].update(variables)
    for host, own in hostvars.items():
        resolved[host].update(own)
    return [(name, hosts, priority, {}, kids) for name, hosts, priority, _, kids in groups], {}, resolved


def cache_key_file():
    """The per-user secret that signs cache entries: ~/.ansible/strata-inventory-cache.key."""
    return os.path.join(os.path.expanduser("~"), ".ansible", "strata-inventory-cache.key")


def _signing_key():
    """The secret (created on first use, 0600), or None when it is not private to this user."""
    path = cache_key_file()
    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as f:
                f.write(os.urandom(32))
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as f:
            st = os.fstat(f.fileno())
            if st.st_uid != os.geteuid() or st.st_mode & 0o077:
                return None
            key = f.read(64)
    except OSError:
        return None
    return key if len(key) >= 32 else None


def _stat_record(relative, stat):
    """One line of the fingerprint: a file's path and what its stat says."""
    try:
        st = stat()
        record = f"{st.st_size:d} {st.st_mtime_ns:d} {st.st_ctime_ns:d} {st.st_ino:d} {st.st_dev:d}"
    except OSError as e:
        record = f"error {e.errno}"
    return (f"{relative}\0{record}\n").encode("utf-8", "surrogateescape")


def _stat_records(folder, relative, seen):
    """_stat_record of every file under `folder`, in name order (symlinks to
    files are followed, symlinked directories are not descended); each file's
    path is added to `seen`."""
    with os.scandir(folder) as it:
        entries = sorted(it, key=lambda e: e.name)
    for entry in entries:
        path = relative + "/" + entry.name
        if entry.is_dir(follow_symlinks=False):
            yield from _stat_records(entry.path, path, seen)
        else:
            seen.add(entry.path)
            yield _stat_record(path, entry.stat)


def _sign(key, fingerprint, files, text):
    """HMAC-SHA-256 of an entry under the per-user secret: an entry edited by anyone else is refused."""
    message = json.dumps([CACHE_FORMAT, fingerprint, files, text]).encode("utf-8", "surrogateescape")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _format_diagnostic(d):
    """One strata diagnostic (a JSON line of $STRATA_DIAGNOSTICS=json) as one message."""
    place = ""
    if d.get("file"):
        place = "{}:{}:{}: ".format(d["file"], d.get("line") or 1, d.get("column") or 1)
    text = "{}{}[{}] {}".format(place, d.get("severity", "error"), d.get("code", "?"), d.get("message", ""))
    if d.get("help"):
        text += " (help: {})".format(d["help"])
    return text


def parse_diagnostics(stderr):
    """strata's stderr under $STRATA_DIAGNOSTICS=json: one message per diagnostic; lines that are not
    a diagnostic (a command source's own output, say) stay together, as one message."""
    messages, loose = [], []
    for line in stderr.splitlines():
        item = None
        if line.startswith("{"):
            try:
                item = json.loads(line)
            except ValueError:
                item = None
        if isinstance(item, dict) and "severity" in item and "message" in item:
            if loose:
                messages.append(("warning", "\n".join(loose)))
                loose = []
            messages.append((item["severity"], _format_diagnostic(item)))
        elif line.strip():
            loose.append(line)
    if loose:
        messages.append(("warning", "\n".join(loose)))
    return messages


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    """Serves a strata inventory: `strata ansible --list`, whole or not at all."""

    NAME = "strata.strata.inventory"

    def verify_file(self, path):
        """Accept exactly the readable files named `*.strata.yml` or `*.strata.yaml`; a YAML file that
        names this plugin under another name is refused with a message that says so."""
        if not super().verify_file(path):
            return False
        name = to_text(path)
        if name.endswith(CONFIG_SUFFIXES):
            return True
        if name.endswith((".yml", ".yaml")) and self._names_this_plugin(path):
            raise AnsibleParserError(
                PREFIX
                + "{} names this plugin, but a configuration file's name must end in .strata.yml or "
                ".strata.yaml: rename it to {}".format(name, re.sub(r"\.ya?ml$", ".strata.yml", name))
            )
        return False

    @staticmethod
    def _names_this_plugin(path):
        try:
            with open(to_native(path), "rb") as f:
                head = f.read(65536).decode("utf-8", "replace")
        except OSError:
            return False
        # `plugin: strata.strata.inventory` in YAML, or `"plugin": "strata.strata.inventory"` (JSON is YAML).
        pattern = r"""^\s*["']?plugin["']?\s*:\s*["']?strata\.strata\.inventory["']?\s*(,|#.*)?$"""
        return re.search(pattern, head, re.M) is not None

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        config = self._read_config_data(path) or {}
        self._unknown_options(config, path)

        config_dir = os.path.dirname(os.path.abspath(to_native(path)))
        inventory_path = self._inventory_path(config_dir)
        args = ["--inventory=" + inventory_path]
        for key, value in (self.get_option("data") or {}).items():
            try:
                args.append("--data=" + data_arg(key, value, is_unsafe=_is_unsafe))
            except (TypeError, ValueError) as e:
                raise AnsibleParserError(PREFIX + f"option data, key {key!r}: {to_native(e)}")  # noqa: B904 (the message carries the cause)
        for pattern in self._limits():
            args.append("--limit=" + pattern)
        allow_exec = self._allow_exec(config)
        if allow_exec:
            args.append("--allow-exec")
        # --flush-cache / refresh_inventory (cache=False) read the source again: strata's --refresh.
        if self.get_option("refresh") or (allow_exec and not cache):
            args.append("--refresh")
        strata_bin = self._strata_bin(config, config_dir)

        # Ansible's cache semantics: `cache` (the option) turns caching on;
        # the `cache` argument is False on --flush-cache / refresh_inventory,
        # when the source is read again and the entry rewritten.
        use_cache = self.get_option("cache")
        cache_key = self.get_cache_key(path)
        parsed = None
        if use_cache and cache:
            parsed = self._from_cache(cache_key, strata_bin, inventory_path, args)
        if parsed is None:
            text = self._run_strata(strata_bin, args, meta=use_cache)
            parsed = self._parse_output(text, "strata ansible --list --structured")
            if use_cache:
                meta = parsed[3]
                if meta["command_sources"]:
                    # A command source's answer is as fresh as strata says: never cached above it.
                    try:
                        del self._cache[cache_key]
                    except KeyError:
                        pass
                else:
                    key = _signing_key()
                    if key is None:
                        self.display.warning(
                            PREFIX + f"{cache_key_file()} is not a file only you can read: nothing is cached"
                        )
                    else:
                        fingerprint = self._fingerprint(strata_bin, inventory_path, args, meta["files"])
                        self._cache[cache_key] = {
                            "format": CACHE_FORMAT,
                            "fingerprint": fingerprint,
                            "files": meta["files"],
                            "output": text,
                            "signature": _sign(key, fingerprint, meta["files"], text),
                        }
        groups, all_vars, hostvars, _meta = parsed
        # With a cache, strata's strings are data on every run: a cache entry is never trusted as templates.
        if not self.get_option("structured"):
            groups, all_vars, hostvars = flatten(groups, all_vars, hostvars)
        self._populate(groups, all_vars, hostvars, trusted=not use_cache)

    # -- configuration ---------------------------------------------------

    def _unknown_options(self, config, path):
        known = set(self._options) | {"plugin"}
        for key in config:
            if key in known:
                continue
            near = difflib.get_close_matches(str(key), sorted(known), n=1, cutoff=0.6)
            message = PREFIX + "{}: unknown option {!r}{}; it is ignored".format(
                to_text(path),
                key,
                f" (did you mean {near[0]!r}?)" if near else "",
            )
            if self.get_option("strict"):
                raise AnsibleParserError(message.replace("; it is ignored", ""))
            self.display.warning(message)

    def _allow_exec(self, config):
        """The option when the file writes it, else $STRATA_ALLOW_EXEC by strata's rule."""
        if "allow_exec" in config:
            return bool(self.get_option("allow_exec"))
        try:
            return allow_exec_from_env(os.environ.get("STRATA_ALLOW_EXEC"))
        except ValueError as e:
            raise AnsibleParserError(PREFIX + to_native(e))  # noqa: B904 (the message carries the cause)

    def _inventory_path(self, config_dir):
        path = self.get_option("path")
        if not isinstance(path, str) or not path:
            raise AnsibleParserError(PREFIX + "option path must be a non-empty string")
        return os.path.normpath(os.path.join(config_dir, os.path.expanduser(path)))

    def _limits(self):
        limit = self.get_option("limit")
        if limit is None:
            return []
        patterns = [limit] if isinstance(limit, str) else limit
        if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
            raise AnsibleParserError(PREFIX + f"option limit must be a string or a list of strings, got {limit!r}")
        return [str(p) for p in patterns]

    # -- the cache -----------------------------------------------------------

    def _fingerprint(self, strata_bin, inventory_path, args, files):
        """A digest of the configuration, the binary, and the stat of every file strata read or may read."""
        digest = hashlib.sha256()
        digest.update(json.dumps([CACHE_FORMAT, self.NAME, args]).encode("utf-8", "surrogateescape"))
        digest.update(_stat_record(strata_bin, lambda: os.stat(strata_bin)))
        root = inventory_path
        if os.path.isfile(root):
            root = os.path.dirname(root)
        hosts_toml = os.path.join(root, "hosts.toml")
        digest.update(_stat_record("hosts.toml", lambda: os.stat(hosts_toml)))
        # A file the walk below has recorded (by its path under the inventory) is not stat'ed again
        # when strata lists it: at 10,000 hosts that is 10,000 stats of host_data files fewer.
        seen = {hosts_toml}
        for top in DATA_DIRS:
            folder = os.path.join(root, top)
            if os.path.isdir(folder):
                for record in _stat_records(folder, top, seen):
                    digest.update(record)
            else:
                digest.update((f"{top}\0absent\n").encode())
        for name in files:
            if name not in seen:
                digest.update(_stat_record(name, lambda name=name: os.stat(name)))
        return digest.hexdigest()

    def _from_cache(self, cache_key, strata_bin, inventory_path, args):
        """The entry's (groups, hostvars, meta) when it is whole, strata's own output and still
        current; else None (and strata runs)."""
        try:
            entry = self._cache[cache_key]
        except KeyError:
            return None
        if (
            not isinstance(entry, Mapping)
            or entry.get("format") != CACHE_FORMAT
            or not isinstance(entry.get("output"), str)
            or not isinstance(entry.get("files"), list)
            or not all(isinstance(f, str) and os.path.isabs(f) for f in entry["files"])
        ):
            return None
        files = [str(f) for f in entry["files"]]
        fingerprint = self._fingerprint(strata_bin, inventory_path, args, files)
        key = _signing_key()
        if key is None or entry.get("fingerprint") != fingerprint:
            return None
        if not hmac.compare_digest(
            str(entry.get("signature", "")), _sign(key, fingerprint, files, str(entry["output"]))
        ):
            self.display.warning(PREFIX + "the cache entry is not the one this plugin wrote: it is ignored")
            return None
        try:
            parsed = self._parse_output(str(entry["output"]), "the cache entry")
        except AnsibleParserError as e:
            self.display.warning(PREFIX + f"the cache entry is ignored: {to_native(e)}")
            return None
        if parsed[3]["command_sources"] or parsed[3]["files"] != list(entry["files"]):
            return None
        return parsed

    # -- running strata ----------------------------------------------------

    def _strata_bin(self, config, config_dir):
        """The strata command, resolved once to an absolute path."""
        tried = []
        if config.get("strata_bin"):
            explicit, base, what = self.get_option("strata_bin"), config_dir, "strata_bin"
        elif os.environ.get("STRATA_BIN"):
            explicit, base, what = os.environ["STRATA_BIN"], os.getcwd(), "$STRATA_BIN"
        else:
            explicit = None
        if explicit:
            explicit = os.path.expanduser(str(explicit))
            if os.sep in explicit or (os.altsep and os.altsep in explicit):
                candidate = os.path.abspath(os.path.join(base, explicit))
                found = candidate if os.path.isfile(candidate) and os.access(candidate, os.X_OK) else None
            else:
                found = shutil.which(explicit)
            if found:
                return os.path.abspath(found)
            raise AnsibleParserError(
                PREFIX + f"{what} is {explicit!r}, which is not an executable file. "
                "Install strata with `pip install strata-inventory`, or point strata_bin at the strata command."
            )

        try:
            from strata_inventory import BinaryNotFoundError, find_strata_bin
        except ImportError:
            tried.append(f"the strata_inventory Python module (not importable by {sys.executable})")
        else:
            try:
                return os.path.abspath(find_strata_bin())
            except BinaryNotFoundError:
                tried.append("strata_inventory.find_strata_bin()")

        exe = "strata" + (sysconfig.get_config_var("EXE") or "")
        beside = os.path.join(sysconfig.get_path("scripts"), exe)
        if os.path.isfile(beside) and os.access(beside, os.X_OK):
            return os.path.abspath(beside)
        tried.append(beside)
        on_path = shutil.which(exe)
        if on_path:
            return os.path.abspath(on_path)
        tried.append(f"{exe} on PATH")
        raise AnsibleParserError(PREFIX + MISSING_BINARY.format(tried="; ".join(tried)))

    def _run_strata(self, strata_bin, args, meta):
        command = [strata_bin, "--color=never", *args, "ansible", "--list", "--structured"]
        if meta:
            command.append("--meta")
        env = {k: v for k, v in os.environ.items() if k not in ("STRATA_ALLOW_EXEC", "STRATA_INVENTORY")}
        env.update(STRATA_FRONT_END="ansible", STRATA_DIAGNOSTICS="json")
        try:
            done = subprocess.run(command, capture_output=True, check=False, env=env, stdin=subprocess.DEVNULL)
        except OSError as e:
            raise AnsibleParserError(PREFIX + f"could not run {command[0]}: {to_native(e)}")  # noqa: B904 (the message carries the cause)
        stderr = to_text(done.stderr, errors="surrogate_or_replace")
        messages = parse_diagnostics(stderr)
        if done.returncode != 0:
            raise AnsibleParserError(
                PREFIX
                + "strata failed (exit code {:d}): {}\n{}".format(
                    done.returncode,
                    " ".join(command),
                    "\n".join(text for _, text in messages) or "(no message on stderr)",
                )
            )
        for _severity, text in messages:
            self.display.warning(PREFIX + text)
        return to_text(done.stdout, errors="surrogate_or_strict")

    def _parse_output(self, text, what):
        try:
            return check_document(json.loads(text))
        except ValueError as e:
            raise AnsibleParserError(PREFIX + f"unexpected output from {what}: {to_native(e)}")  # noqa: B904 (the message carries the cause)

    # -- populating ------------------------------------------------------

    def _populate(self, groups, all_vars, hostvars, trusted):
        """strata's structure, then the constructed options: global data once on `all`, each group's data
        once on the group with its place in strata's group order as its priority (Ansible sorts groups of
        one depth by priority, the later winning), child groups as children (Ansible then sorts a deeper
        group after a shallower one, strata's rule), and on each host only the variables strata computed
        for it alone. Ansible's variables for every host are then strata's resolved data."""
        inventory = self.inventory
        if EncryptedString is None:  # ansible-core before 2.19: encrypted values decrypt with the loader's vault
            _LOADER_VAULT[0] = getattr(self.loader, "_vault", None)
        convert = _converter(trusted)
        # Bound once: `inventory` is Ansible's proxy of InventoryData, and these run ~80,000 times at
        # 10,000 hosts.
        add_host = inventory.add_host
        set_variable = inventory.set_variable
        # Hosts first, in strata's inventory order (the order of _meta.hostvars),
        # so that Ansible runs them in that order.
        for host, variables in hostvars.items():
            add_host(host)
            for key, value in variables.items():
                set_variable(host, key, convert(value))
        for key, value in all_vars.items():
            set_variable("all", key, convert(value))
        all_groups = inventory.groups
        order = dict.fromkeys(hostvars)
        for name, hosts, priority, variables, _kids in groups:
            group = inventory.add_group(name)
            all_groups[group].set_priority(priority)
            for key, value in variables.items():
                set_variable(group, key, convert(value))
            for host in hosts:
                order.setdefault(host)
                add_host(host, group=group)
        # Nested groups, once every group is there: Ansible then gives each its depth.
        for name, _hosts, _priority, _variables, kids in groups:
            for kid in kids:
                inventory.add_child(name, kid)

        compose = self.get_option("compose")
        conditionals = self.get_option("groups")
        keyed_groups = self.get_option("keyed_groups")
        if not (compose or conditionals or keyed_groups):
            return
        strict = self.get_option("strict")
        everyone = inventory.groups["all"]
        # Every host of a group is in _meta.hostvars (check_document), so this is strata's order.
        for host in hostvars:
            entry = inventory.get_host(host)
            before = set(entry.get_groups())
            # The host's resolved data, as Ansible computes it from `all` (a host joins it only when
            # the inventory is reconciled, after this), its groups and its own variables.
            groups = [everyone, *(g for g in entry.get_groups() if g is not everyone)]
            variables = combine_vars(get_group_vars(groups), entry.get_vars())
            self._set_composite_vars(compose, variables, host, strict=strict)
            self._add_host_to_composed_groups(conditionals, variables, host, strict=strict)
            self._add_host_to_keyed_groups(keyed_groups, variables, host, strict=strict)
            # A constructed group named like one of strata's would hand the host that group's data:
            # the host then keeps its resolved data as its own variables, as before.
            if any(g.vars for g in set(entry.get_groups()) - before):
                magic = entry.get_magic_vars()
                composed = entry.vars
                for key, value in variables.items():
                    if key not in magic and key not in composed:
                        entry.set_variable(key, value)
