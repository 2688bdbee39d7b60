"""``load()`` and the ``Inventory`` and ``Host`` it returns.

Everything comes from one run of ``strata list --format json --global-data
--datetime-paths`` (docs/cli.md); origins come from one more run, with
``--origins``, the first time a host's ``origin()`` is asked for.
"""

from __future__ import annotations

import difflib
import json
import logging
import os
import subprocess
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Optional, Union

from ._binary import find_strata_bin
from ._errors import (
    Diagnostic,
    InventoryError,
    NoGroupError,
    NoHostError,
    StrataError,
    UsageError,
)
from ._values import data_arg, restore_datetimes

__all__ = ["Host", "Inventory", "Origin", "load", "run_strata"]

logger = logging.getLogger("strata_inventory")

PathLike = Union[str, "os.PathLike[str]"]
_MISSING: Any = object()


@dataclass(frozen=True)
class Origin:
    """Where a host's winning value of a key comes from, as ``strata explain`` knows it.

    Attributes:
        file: the file as strata prints it: relative to the working
            directory when the inventory is under it
            (``inventory/group_data/web.toml``), else behind the inventory's
            path as given; or a virtual source for values of no file
            (``<command line>``, ``<connector docker>``).
        line: 1-based line of the key, or ``None`` for a virtual source.
        column: 1-based column of the key, or ``None``.
        layer: ``"override"``, ``"host file"``, ``"host inline"``,
            ``"source host"``, ``"connector"``, ``"group file"``,
            ``"group inline"``, ``"source group"``, ``"global file"``,
            ``"global inline"``, ``"source global"`` (docs/precedence.md).
        rank: the layer's rank in the waterfall, 1 (override) to 8.
        group: the group, for group layers and for inline host data written
            in a group's host list; else ``None``.
        inventory_file: the file relative to the inventory root
            (``group_data/web.toml``), or ``None`` for a virtual source.
        source: the external source (``sources/<name>.toml``) a value of a
            source layer comes from (docs/sources.md); else ``None``.
    """

    file: str
    line: Optional[int]
    column: Optional[int]
    layer: str
    rank: int
    group: Optional[str]
    inventory_file: Optional[str] = None
    source: Optional[str] = None

    @classmethod
    def from_json(cls, o: dict[str, Any]) -> Origin:
        """Build one from an origin object of ``strata list --origins``."""
        return cls(
            file=o["file"],
            line=o.get("line"),
            column=o.get("column"),
            layer=o["layer"],
            rank=o["rank"],
            group=o.get("group"),
            inventory_file=o.get("inventory_file"),
            source=o.get("source"),
        )

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}:{self.column}"
        return f"{where} ({self.layer}{f' {self.group}' if self.group else ''})"


class Host:
    """One host: its name, its groups in order and its fully resolved data.

    Attributes:
        name: the host's name as strata knows it (``web1.example.com``, ``@local``).
        groups: the host's groups, in precedence order (the later group wins),
            implicit connector groups (``@docker``) last.
        data: the resolved data, keys sorted. TOML datetimes are ``datetime``,
            ``date`` and ``time`` objects; NaN and infinities (which JSON
            cannot carry) are ``None``.
    """

    __slots__ = ("_inventory", "data", "groups", "name")

    def __init__(self, inventory: Inventory, name: str, groups: list[str], data: dict[str, Any]) -> None:
        self._inventory = inventory
        self.name = name
        self.groups = groups
        self.data = data

    def origin(self, key: str) -> Origin:
        """Where the winning value of ``key`` comes from.

        The first call on an inventory reads every host's origins with one run
        of ``strata list --origins``.

        Raises:
            KeyError: the host has no data ``key``.
        """
        origins = self._inventory._origins_of(self.name)
        try:
            return origins[key]
        except KeyError:
            near = difflib.get_close_matches(key, list(self.data), n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            raise KeyError(f"host {self.name!r} has no data {key!r}{hint}") from None

    def __repr__(self) -> str:
        return f"Host({self.name!r}, groups={self.groups!r})"


class Inventory:
    """A resolved strata inventory, with the names pyinfra's ``Inventory`` uses.

    ``len(inventory)`` is the number of (selected) hosts; iterating gives the
    hosts in inventory order. Build one with :func:`load`.
    """

    def __init__(self, document: dict[str, Any], args: list[str], cwd: Optional[str], path: Optional[str]) -> None:
        self._args = args
        self._cwd = cwd
        self.path = path
        """The inventory as given to :func:`load` (``None`` when discovered)."""
        self._hosts: dict[str, Host] = {}
        for h in document["hosts"]:
            data = h["data"]
            restore_datetimes(data, h.get("datetimes", []))
            self._hosts[h["name"]] = Host(self, h["name"], h["groups"], data)
        self._groups: dict[str, list[str]] = {g["name"]: g["hosts"] for g in document["groups"]}
        self._data: dict[str, Any] = document.get("data", {})
        restore_datetimes(self._data, document.get("datetimes", []))
        self._origins: Optional[dict[str, dict[str, Origin]]] = None
        self.warnings: list[str] = []
        """The warnings strata printed while loading, one line each."""

    def __len__(self) -> int:
        return len(self._hosts)

    def __iter__(self) -> Iterator[Host]:
        return iter(self._hosts.values())

    def __contains__(self, name: object) -> bool:
        return name in self._hosts

    def __repr__(self) -> str:
        return f"<strata Inventory {self.path or '(discovered)'}: {len(self)} hosts, {len(self._groups)} groups>"

    @property
    def hosts(self) -> list[Host]:
        """The hosts, in inventory order."""
        return list(self._hosts.values())

    @property
    def groups(self) -> list[str]:
        """The group names, in definition order, implicit connector groups last.

        With a limit, groups the limit emptied are left out.
        """
        return list(self._groups)

    def get_host(self, name: str, default: Any = _MISSING) -> Host:
        """The host called ``name``.

        Raises:
            NoHostError: no such host (with a did-you-mean), unless ``default``
                is given, which is then returned.
        """
        host = self._hosts.get(name)
        if host is not None:
            return host
        if default is not _MISSING:
            return default
        raise NoHostError(_unknown("host", name, self._hosts))

    def get_group(self, name: str, default: Any = _MISSING) -> list[Host]:
        """The hosts of the group called ``name``, in inventory order.

        Raises:
            NoGroupError: no such group (with a did-you-mean), unless
                ``default`` is given, which is then returned.
        """
        members = self._groups.get(name)
        if members is None:
            if default is not _MISSING:
                return default
            raise NoGroupError(_unknown("group", name, self._groups))
        return [self._hosts[h] for h in members]

    def get_data(self) -> dict[str, Any]:
        """The global data: ``group_data/all.toml`` over ``all.data`` (no override data)."""
        return self._data

    def _origins_of(self, name: str) -> dict[str, Origin]:
        if self._origins is None:
            document, _ = _run_json(self._args, ["list", "--origins"], self._cwd, self.path)
            self._origins = {
                h["name"]: {k: Origin.from_json(o) for k, o in h["origins"].items()} for h in document["hosts"]
            }
        return self._origins.get(name, {})


def _unknown(what: str, name: str, known: Iterable[str]) -> str:
    near = difflib.get_close_matches(name, list(known), n=1)
    hint = f"; did you mean {near[0]!r}?" if near else ""
    return f"no {what} {name!r} in the inventory{hint}"


def run_strata(args: list[str], cwd: Optional[str] = None) -> subprocess.CompletedProcess[str]:
    """Run ``strata ARGS`` (the bundled binary), capturing stdout and stderr as text."""
    binary = find_strata_bin()
    try:
        return subprocess.run(
            [binary, *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            check=False,
        )
    except OSError as e:
        raise StrataError(f"could not run {binary}: {e}") from e


def _diagnostics(global_args: list[str], cwd: Optional[str]) -> tuple[list[Diagnostic], str]:
    """Every diagnostic of ``strata check --format json`` for the same inventory and data."""
    # The limits are left out: `check` reads everything anyway.
    check_args: list[str] = []
    i = 0
    while i < len(global_args):
        if global_args[i] == "--limit":
            i += 2
            continue
        if global_args[i] == "--refresh":
            # The load just ran the commands; `check` may use their answers.
            i += 1
            continue
        check_args.append(global_args[i])
        i += 1
    done = run_strata([*check_args, "check", "--format", "json"], cwd)
    try:
        items = json.loads(done.stdout)
        return [Diagnostic.from_json(item) for item in items], done.stderr
    except (ValueError, KeyError, TypeError):
        return [], done.stderr or done.stdout


def _run_json(
    global_args: list[str], command: list[str], cwd: Optional[str], path: Optional[str]
) -> tuple[dict[str, Any], list[str]]:
    """Run ``strata GLOBAL_ARGS COMMAND``; return its JSON document and the
    warning lines it printed, or raise the exception its exit code means."""
    done = run_strata([*global_args, *command], cwd)
    if done.returncode == 0:
        try:
            document = json.loads(done.stdout)
        except ValueError as e:
            raise StrataError(f"strata printed output that is not JSON ({e}); stderr:\n{done.stderr}") from None
        return document, [line for line in done.stderr.splitlines() if line.strip()]
    if done.returncode == 1:
        diagnostics, detail = _diagnostics(global_args, cwd)
        raise InventoryError(path, diagnostics, detail or done.stderr)
    message = done.stderr.strip()
    if message.startswith("error: "):
        message = message[len("error: ") :]
    if done.returncode == 2:
        raise UsageError(message or "strata reported a usage error")
    raise StrataError(f"strata exited with code {done.returncode}: {message}")


def build_args(
    path: Optional[PathLike],
    data: Optional[Mapping[str, Any]],
    limit: Union[str, Iterable[str], None],
    allow_exec: bool = False,
    refresh: bool = False,
) -> list[str]:
    """strata's global options for an inventory path, override data, a
    limit, and consent to run command sources."""
    args = ["--color", "never"]
    if allow_exec:
        args.append("--allow-exec")
    if refresh:
        args.append("--refresh")
    if path is not None:
        args += ["-i", os.fspath(path)]
    if data:
        if not isinstance(data, Mapping):
            raise TypeError(f"data must be a mapping of keys to values, not {type(data).__name__}")
        for key, value in data.items():
            args += ["--data", data_arg(key, value)]
    if limit is not None:
        terms = [limit] if isinstance(limit, str) else list(limit)
        for term in terms:
            if not isinstance(term, str):
                raise TypeError(f"limit terms must be strings, not {type(term).__name__}: {term!r}")
            args += ["--limit", term]
    return args


def load(
    path: Optional[PathLike] = None,
    *,
    data: Optional[Mapping[str, Any]] = None,
    limit: Union[str, Iterable[str], None] = None,
    cwd: Optional[PathLike] = None,
    allow_exec: bool = False,
    refresh: bool = False,
) -> Inventory:
    """Load and resolve a strata inventory.

    Args:
        path: the inventory directory or its ``hosts.toml``. When ``None`` it
            is found as the ``strata`` command finds it: ``$STRATA_INVENTORY``,
            else ``./inventory/``, else ``./``.
        data: override data for every host (the top of the waterfall), as
            typed Python values: ``{"app_port": 9000, "debug": True}``.
        limit: select hosts with strata's limit grammar (``"web*,!web3"``,
            ``"~regex"``, ``"web&prod"``), one string or several (united).
        cwd: the directory a relative ``path`` (and discovery) starts from;
            the current directory by default.
        allow_exec: let strata run the inventory's command sources
            (``--allow-exec``, docs/sources.md). Without it nothing is run:
            a fresh cached answer is used, else the load fails with
            ``strata::source_not_run``.
        refresh: run command sources even when their cached answer is
            fresh (``--refresh``; needs ``allow_exec``).

    Raises:
        InventoryError: the inventory has errors; ``.diagnostics`` holds each
            with its file, line and column.
        UsageError: no inventory found, or a limit term matches nothing.
        BinaryNotFoundError: the ``strata`` command is not installed.
        TypeError, ValueError: ``data`` holds a value TOML cannot carry.
    """
    args = build_args(path, data, limit, allow_exec=allow_exec, refresh=refresh)
    cwd_str = os.fspath(cwd) if cwd is not None else None
    path_str = os.fspath(path) if path is not None else None
    command = ["list", "--format", "json", "--global-data", "--datetime-paths"]
    document, warnings = _run_json(args, command, cwd_str, path_str)
    # Later runs (origins, diagnostics) reuse the answers this one fetched.
    later = [a for a in args if a != "--refresh"]
    inventory = Inventory(document, later, cwd_str, path_str)
    inventory.warnings = warnings
    for line in warnings:
        logger.warning("%s", line)
    return inventory
