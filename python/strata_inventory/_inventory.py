"""``load()`` and the ``Inventory`` and ``Host`` it returns.

Everything comes from one run of ``strata list --format json-lines
--global-data --datetime-paths`` (docs/cli.md): one line a host, then one
line with the groups and the global data. A host's line is decoded the first
time its ``groups`` or ``data`` is asked for, so ``load()`` costs little more
than strata's own run however large the inventory (docs/python.md). Origins
come from one more run, with ``--origins``, the first time a host's
``origin()`` is asked for.
"""

from __future__ import annotations

import difflib
import json
import logging
import os
import subprocess
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Optional, TypeVar, Union, overload

from ._binary import find_strata_bin
from ._errors import (
    ArgumentError,
    Diagnostic,
    InventoryError,
    NoGroupError,
    NoHostError,
    StrataError,
    UsageError,
)
from ._process import DEFAULT_MAX_OUTPUT, run_bounded
from ._values import check_text, data_arg, restore_datetimes, stringified

__all__ = ["Host", "Inventory", "Origin", "load", "run_strata"]

logger = logging.getLogger("strata_inventory")

PathLike = Union[str, "os.PathLike[str]"]
_MISSING: Any = object()
_T = TypeVar("_T")


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
        source: for a source layer, the name of the external source the
            value comes from (``"cmdb"`` for ``sources/cmdb.toml``,
            docs/sources.md); else ``None``.
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
        """As the CLI prints an origin (``strata host --show-origin``):
        ``group_data/web.toml:3:1 (group web)``, ``hosts.toml:7:10 (global
        inline)``, ``exports/cmdb.json:17:17 (source cmdb)``."""
        where = self.file if self.line is None else f"{self.file}:{self.line}:{self.column}"
        source = self.source or "?"
        if self.layer == "source group" and self.group:
            label = f"group {self.group}, source {source}"
        elif self.layer == "source global":
            label = f"all, source {source}"
        elif self.layer.startswith("source"):
            label = f"source {source}"
        elif self.layer in ("group file", "group inline") and self.group:
            label = f"group {self.group}"
        elif self.layer == "host inline":
            label = f"host inline, in {f'group {self.group}' if self.group else 'all'}"
        else:
            label = self.layer
        return f"{where} ({label})"


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

    __slots__ = ("_data", "_groups", "_inventory", "_line", "name")

    def __init__(self, inventory: Inventory, name: str, groups: list[str], data: dict[str, Any]) -> None:
        self._inventory = inventory
        self.name = name
        self._groups = groups
        self._data = data
        self._line: Optional[str] = None

    @classmethod
    def _from_line(cls, inventory: Inventory, name: str, line: str) -> Host:
        """A host whose groups and data are still the JSON ``line`` strata
        printed for it, decoded when first asked for."""
        # One of these per host at load(): no __init__, three slots; the
        # other two are set when the line is decoded.
        host = object.__new__(cls)
        host._inventory = inventory
        host.name = name
        host._line = line
        return host

    def _decode(self) -> None:
        line = self._line
        if line is None:
            return
        try:
            h = json.loads(line)
            if h["name"] != self.name:
                raise ValueError(f"a line of host {h['name']!r} where {self.name!r} was expected")
            groups, data = h["groups"], h["data"]
            if not isinstance(groups, list) or not isinstance(data, dict):
                raise TypeError("groups must be a list and data an object")
            restore_datetimes(data, h.get("datetimes", []))
        except (KeyError, TypeError, ValueError, IndexError, AttributeError, RecursionError) as e:
            raise _unexpected(e) from e
        self._groups, self._data, self._line = groups, data, None

    @property
    def groups(self) -> list[str]:
        self._decode()
        return self._groups

    @groups.setter
    def groups(self, groups: list[str]) -> None:
        self._decode()
        self._groups = groups

    @property
    def data(self) -> dict[str, Any]:
        self._decode()
        return self._data

    @data.setter
    def data(self, data: dict[str, Any]) -> None:
        self._decode()
        self._data = data

    def origin(self, key: Union[str, Sequence[Union[str, int]]], *path: Union[str, int]) -> Origin:
        """Where the winning value of ``key`` comes from, or the piece at
        ``path`` inside it: ``host.origin("sysctl", "vm.swappiness")``,
        ``host.origin("packages", 2)``, or the whole path as one list
        ``host.origin(["sysctl", "vm.swappiness"])``.

        For a value ``strata.toml`` merges, ``origin(key)`` is its highest
        contribution and ``origin(key, *path)`` the layer that gave that
        piece (a ``unique`` array's element, a ``hash`` table's key, a
        ``deep`` merge's table or leaf; below a piece, the piece's). For any
        other value the whole value comes from one place: every path in it
        has the key's origin. A path is table keys (``str``) and list
        indices (``int``, or a ``str`` of digits).

        The first call on an inventory reads every host's origins with one run
        of ``strata list --origins``.

        Raises:
            KeyError: the host has no data ``key``, or its value has no such path.
        """
        if not isinstance(key, str):
            if isinstance(key, (bytes, bytearray)) or not isinstance(key, Sequence) or not key:
                raise TypeError(f"origin() takes a key (str) or a path (a non-empty list), not {key!r}")
            key, path = key[0], (*key[1:], *path)
        if not isinstance(key, str):
            raise TypeError(f"a key is a str, not {key!r}")
        origins = self._inventory._origins_of(self.name)
        try:
            found = origins[key]
        except KeyError:
            near = difflib.get_close_matches(key, list(self.data), n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            raise KeyError(f"host {self.name!r} has no data {key!r}{hint}") from None
        if not path:
            return found
        steps = _steps(self.data.get(key), path)
        if steps is None:
            shown = "".join(f"[{p!r}]" for p in path)
            raise KeyError(f"host {self.name!r} has no data {key!r}{shown}")
        pieces = self._inventory._pieces_of(self.name).get(key, {})
        # The longest prefix that is a piece; else the key's one origin.
        for n in range(len(steps), 0, -1):
            piece = pieces.get(steps[:n])
            if piece is not None:
                return piece
        return found

    def __repr__(self) -> str:
        return f"Host({self.name!r}, groups={self.groups!r})"


class Inventory:
    """A resolved strata inventory, with the names pyinfra's ``Inventory`` uses.

    ``len(inventory)`` is the number of (selected) hosts; iterating gives the
    hosts in inventory order. Build one with :func:`load`.
    """

    def __init__(
        self,
        output: str,
        args: list[str],
        cwd: Optional[str],
        path: Optional[str],
        limits: Optional[_Limits] = None,
    ) -> None:
        """From the output of ``strata list --format json-lines --global-data
        --datetime-paths``: host lines, then the rest of the document."""
        self._args = args
        self._cwd = cwd
        self._limits = limits or _Limits()
        self.path = path
        """The inventory as given to :func:`load` (``None`` when discovered)."""
        lines = output.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        if not lines:
            raise ValueError("strata printed nothing")
        document = json.loads(lines.pop())
        names = document["names"]
        if not isinstance(names, list) or len(names) != len(lines):
            raise ValueError(f"{len(lines)} host lines and names for {len(names)}")
        # Each host's line by name, in inventory order; a `Host` is made when
        # first asked for, and its line decoded when its groups or data are.
        self._lines: dict[str, str] = dict(zip(names, lines))
        if len(self._lines) != len(lines):
            raise ValueError("a host is printed twice")
        self._made: dict[str, Host] = {}
        self._groups: dict[str, list[str]] = {g["name"]: g["hosts"] for g in document["groups"]}
        known = self._lines.keys()
        for group, members in self._groups.items():
            # A set comparison runs in C: 250,000 members at 100,000 hosts; the list only for the message.
            if not known >= set(members):
                unknown = [m for m in members if m not in self._lines]
                raise ValueError(f"group {group!r} lists hosts that are not in the inventory: {unknown!r}")
        self._data: dict[str, Any] = document.get("data", {})
        restore_datetimes(self._data, document.get("datetimes", []))
        self._origins: Optional[dict[str, dict[str, Origin]]] = None
        self._pieces: dict[str, dict[str, dict[tuple[Union[str, int], ...], Origin]]] = {}
        self.warnings: list[str] = []
        """The warnings strata printed while loading, one line each."""

    def _host(self, name: str) -> Host:
        """The host called ``name``, which must be in the inventory: made once."""
        host = self._made.get(name)
        if host is None:
            host = self._made[name] = Host._from_line(self, name, self._lines[name])
            # The host holds its line now, and lets it go once decoded.
            self._lines[name] = ""
        return host

    def __len__(self) -> int:
        return len(self._lines)

    def __iter__(self) -> Iterator[Host]:
        return map(self._host, self._lines)

    def __contains__(self, name: object) -> bool:
        return name in self._lines

    def __repr__(self) -> str:
        return f"<strata Inventory {self.path or '(discovered)'}: {len(self)} hosts, {len(self._groups)} groups>"

    @property
    def hosts(self) -> list[Host]:
        """The hosts, in inventory order."""
        return list(map(self._host, self._lines))

    @property
    def groups(self) -> list[str]:
        """The group names, in definition order, implicit connector groups last.

        With a limit, groups the limit emptied are left out.
        """
        return list(self._groups)

    @overload
    def get_host(self, name: str) -> Host: ...

    @overload
    def get_host(self, name: str, default: _T) -> Union[Host, _T]: ...

    def get_host(self, name: str, default: Any = _MISSING) -> Any:
        """The host called ``name``.

        ``get_host(name)`` is a ``Host``; ``get_host(name, None)`` is
        ``Optional[Host]`` (``Host | None``) for type checkers.

        Raises:
            NoHostError: no such host (with a did-you-mean), unless ``default``
                is given, which is then returned.
        """
        if isinstance(name, str) and name in self._lines:
            return self._host(name)
        if default is not _MISSING:
            return default
        raise NoHostError(_unknown("host", name, self._lines))

    @overload
    def get_group(self, name: str) -> list[Host]: ...

    @overload
    def get_group(self, name: str, default: _T) -> Union[list[Host], _T]: ...

    def get_group(self, name: str, default: Any = _MISSING) -> Any:
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
        return [self._host(h) for h in members]

    def get_data(self) -> dict[str, Any]:
        """The global data: ``group_data/all.toml`` over ``all.data`` (no override data)."""
        return self._data

    def _origins_of(self, name: str) -> dict[str, Origin]:
        if self._origins is None:
            document, _ = _run_json(self._args, ["list", "--origins"], self._cwd, self.path, self._limits)
            try:
                origins: dict[str, dict[str, Origin]] = {}
                pieces: dict[str, dict[str, dict[tuple[Union[str, int], ...], Origin]]] = {}
                for h in document["hosts"]:
                    origins[h["name"]] = {k: Origin.from_json(o) for k, o in h["origins"].items()}
                    # A merged key's pieces (docs/cli.md, "Origins of merged values").
                    merged = {k: _pieces(o["pieces"]) for k, o in h["origins"].items() if "pieces" in o}
                    if merged:
                        pieces[h["name"]] = merged
            except (KeyError, TypeError, ValueError, AttributeError) as e:
                raise _unexpected(e) from e
            self._origins, self._pieces = origins, pieces
        return self._origins.get(name, {})

    def _pieces_of(self, name: str) -> dict[str, dict[tuple[Union[str, int], ...], Origin]]:
        self._origins_of(name)
        return self._pieces.get(name, {})


def _pieces(items: Any) -> dict[tuple[Union[str, int], ...], Origin]:
    """``[{"path": [...], "origin": {...}}]`` by path."""
    if not isinstance(items, list):
        raise TypeError("pieces must be a list")
    out: dict[tuple[Union[str, int], ...], Origin] = {}
    for p in items:
        path = p["path"]
        if not isinstance(path, list) or not all(
            isinstance(s, str) or (isinstance(s, int) and not isinstance(s, bool)) for s in path
        ):
            raise TypeError(f"a piece's path must be a list of keys and indices, not {path!r}")
        out[tuple(path)] = Origin.from_json(p["origin"])
    return out


def _steps(value: Any, path: Iterable[Union[str, int]]) -> Optional[tuple[Union[str, int], ...]]:
    """``path`` inside ``value`` as ``list --origins`` writes paths (table
    keys as ``str``, list indices as ``int``), or ``None`` when ``value``
    has no such path."""
    steps: list[Union[str, int]] = []
    for step in path:
        if isinstance(value, dict) and isinstance(step, str) and step in value:
            value = value[step]
            steps.append(step)
        elif isinstance(value, list) and not isinstance(step, bool):
            if isinstance(step, str) and step.isascii() and step.isdigit():
                step = int(step)
            if not isinstance(step, int) or not 0 <= step < len(value):
                return None
            value = value[step]
            steps.append(step)
        else:
            return None
    return tuple(steps)


def _unknown(what: str, name: str, known: Iterable[str]) -> str:
    near = difflib.get_close_matches(name, list(known), n=1)
    hint = f"; did you mean {near[0]!r}?" if near else ""
    return f"no {what} {name!r} in the inventory{hint}"


_YES = {"1", "true", "yes", "on"}
_NO = {"0", "false", "no", "off", ""}


def allow_exec_from_env(environ: Optional[Mapping[str, str]] = None) -> bool:
    """``STRATA_ALLOW_EXEC`` as the ``strata`` command reads it: ``1``,
    ``true``, ``yes``, ``on`` (any case) mean yes; ``0``, ``false``, ``no``,
    ``off``, the empty string or no variable mean no.

    Raises:
        UsageError: any other value.
    """
    value = (os.environ if environ is None else environ).get("STRATA_ALLOW_EXEC")
    if value is None:
        return False
    word = value.strip().lower()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise UsageError(
        f"STRATA_ALLOW_EXEC={value!r} is neither yes (1, true, yes, on) nor no (0, false, no, off, empty); "
        "pass load(allow_exec=True) or allow_exec=False, or fix the variable"
    )


def _environment() -> dict[str, str]:
    """strata's environment: this process's, with hints worded for Python
    (``STRATA_FRONT_END=python``) and without ``STRATA_ALLOW_EXEC``, which
    ``load()`` has already decided (an explicit ``allow_exec`` wins over it)."""
    env = dict(os.environ)
    env.pop("STRATA_ALLOW_EXEC", None)
    env["STRATA_FRONT_END"] = "python"
    return env


@dataclass(frozen=True)
class _Limits:
    """The bounds of every run of one ``load()``."""

    timeout: Optional[float] = None
    max_output: int = DEFAULT_MAX_OUTPUT


def run_strata(
    args: list[str],
    cwd: Optional[str] = None,
    *,
    timeout: Optional[float] = None,
    max_output: int = DEFAULT_MAX_OUTPUT,
) -> subprocess.CompletedProcess[str]:
    """Run ``strata ARGS`` (the bundled binary), capturing stdout and stderr as
    text, bounded in time and output; strata's process group is killed when it
    ends."""
    binary = find_strata_bin()
    return run_bounded([binary, *args], cwd, _environment(), timeout, max_output)


def _diagnostics(global_args: list[str], cwd: Optional[str], limits: _Limits) -> tuple[list[Diagnostic], str]:
    """Every diagnostic of ``strata check --format json`` for the same inventory and data."""
    # The limits are left out: `check` reads everything anyway. The load
    # just ran the commands; `check` may use their answers (no --refresh).
    check_args = [a for a in global_args if not a.startswith("--limit=") and a != "--refresh"]
    done = run_strata(
        [*check_args, "check", "--format", "json"], cwd, timeout=limits.timeout, max_output=limits.max_output
    )
    try:
        items = json.loads(done.stdout)
        return [Diagnostic.from_json(item) for item in items], done.stderr
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return [], done.stderr or done.stdout


def _run_json(
    global_args: list[str],
    command: list[str],
    cwd: Optional[str],
    path: Optional[str],
    limits: _Limits = _Limits(),
) -> tuple[Any, list[str]]:
    """Run ``strata GLOBAL_ARGS COMMAND``; return its JSON document and the
    warning lines it printed, or raise the exception its exit code means."""
    done = _run_ok(global_args, command, cwd, path, limits)
    try:
        document = json.loads(done.stdout)
    except (ValueError, RecursionError) as e:
        raise StrataError(f"strata printed output that is not JSON ({e}); stderr:\n{done.stderr}") from None
    return document, _warnings(done)


def _warnings(done: subprocess.CompletedProcess[str]) -> list[str]:
    """The warning lines a successful run printed."""
    return [line for line in done.stderr.splitlines() if line.strip()]


def _run_ok(
    global_args: list[str],
    command: list[str],
    cwd: Optional[str],
    path: Optional[str],
    limits: _Limits = _Limits(),
) -> subprocess.CompletedProcess[str]:
    """Run ``strata GLOBAL_ARGS COMMAND``; return the finished run, or raise
    the exception its exit code means."""
    done = run_strata([*global_args, *command], cwd, timeout=limits.timeout, max_output=limits.max_output)
    if done.returncode == 0:
        return done
    if done.returncode == 1:
        diagnostics, detail = _diagnostics(global_args, cwd, limits)
        raise InventoryError(path, diagnostics, detail or done.stderr)
    message = done.stderr.strip()
    if message.startswith("error: "):
        message = message[len("error: ") :]
    if done.returncode == 2:
        raise UsageError(message or "strata reported a usage error")
    raise StrataError(f"strata exited with code {done.returncode}: {message}")


def _unexpected(e: BaseException) -> StrataError:
    return StrataError(f"strata printed JSON of an unexpected shape ({type(e).__name__}: {e})")


def build_args(
    path: Optional[PathLike],
    data: Optional[Mapping[str, Any]],
    limit: Union[str, Iterable[str], None],
    allow_exec: bool = False,
    refresh: bool = False,
) -> list[str]:
    """strata's global options for an inventory path, override data, a
    limit, and consent to run command sources.

    Every value travels inside its option's own argument (``--inventory=PATH``,
    ``--data=KEY=VALUE``, ``--limit=PATTERN``), so none can be read as a flag.

    Raises:
        ArgumentError: an argument that cannot be passed (see ``load()``).
    """
    args = ["--color=never"]
    if allow_exec:
        args.append("--allow-exec")
    if refresh:
        args.append("--refresh")
    if path is not None:
        args.append(f"--inventory={_path_text('load(path=...)', path)}")
    if data:
        if not isinstance(data, Mapping):
            raise ArgumentError(f"load(data=...) must be a mapping of keys to values, not {type(data).__name__}")
        for key, value in data.items():
            args.append(f"--data={data_arg(key, value)}")
    if limit is not None:
        try:
            terms = [limit] if isinstance(limit, str) else list(limit)
        except TypeError:
            raise ArgumentError(
                f"load(limit=...) must be a string or a list of strings, not {type(limit).__name__}"
            ) from None
        for term in terms:
            if not isinstance(term, str):
                raise ArgumentError(f"load(limit=...) terms must be strings, not {type(term).__name__}: {term!r}")
            args.append(f"--limit={check_text('load(limit=...)', str.__str__(term))}")
    return args


def _path_text(what: str, path: PathLike) -> str:
    """A path argument as text a process can be given.

    Raises:
        ArgumentError: not a path, or with NUL or a character no file name
            can be written with.
    """
    try:
        text = os.fspath(path)
    except TypeError:
        raise ArgumentError(f"{what} must be a str or os.PathLike, not {type(path).__name__}") from None
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    if "\0" in text:
        raise ArgumentError(f"{what} holds a NUL character: {text!r}")
    try:
        os.fsencode(text)
    except UnicodeError:
        raise ArgumentError(f"{what} holds a character no file name can be written with: {text!r}") from None
    return text


def _check_override_types(data: Optional[Mapping[str, Any]], inventory: Inventory) -> None:
    """A last guard: no override value that was not a string may come back as
    one (strata's ``--data`` reads anything that is not TOML as a string)."""
    if not data or not len(inventory):
        return
    first = next(iter(inventory)).data
    for key, value in data.items():
        if key in first and stringified(value, first[key]):
            raise ArgumentError(
                f"load(data=...)[{key!r}]: strata read {type(value).__name__} {value!r} as a string; "
                "pass a value TOML can hold"
            )


def load(
    path: Optional[PathLike] = None,
    *,
    data: Optional[Mapping[str, Any]] = None,
    limit: Union[str, Iterable[str], None] = None,
    cwd: Optional[PathLike] = None,
    allow_exec: Optional[bool] = None,
    refresh: bool = False,
    timeout: Optional[float] = None,
    max_output: int = DEFAULT_MAX_OUTPUT,
) -> Inventory:
    """Load and resolve a strata inventory.

    Args:
        path: the inventory directory or its ``hosts.toml``. When ``None`` it
            is found as the ``strata`` command finds it: ``$STRATA_INVENTORY``,
            else ``./inventory/``, else ``./``.
        data: override data for every host (the top of the waterfall), as
            typed Python values: ``{"app_port": 9000, "debug": True}``.
        limit: select hosts with strata's limit grammar (``"web*,!web3"``,
            ``"~^db\\\\d"``, ``"web&prod"``, docs/cli.md), one string or
            several (united).
        cwd: the directory a relative ``path`` (and discovery) starts from;
            the current directory by default.
        allow_exec: let strata run the inventory's command sources
            (``--allow-exec``, docs/sources.md). Without it nothing is run:
            a fresh cached answer is used, else the load fails with
            ``strata::source_not_run``. ``None`` (the default) reads
            ``STRATA_ALLOW_EXEC`` as the CLI does; ``True`` or ``False`` wins
            over the variable.
        refresh: run command sources even when their cached answer is
            fresh (``--refresh``; needs ``allow_exec``).
        timeout: seconds each run of strata may take (``None``: no bound);
            past it strata's process group is killed and
            ``LoadTimeoutError`` raised.
        max_output: bytes each run of strata may print (1 GiB by default);
            past it strata's process group is killed and
            ``OutputTooLargeError`` raised.

    Raises:
        InventoryError: the inventory has errors; ``.diagnostics`` holds each
            with its file, line and column.
        UsageError: no inventory found, a limit term matches nothing, or
            ``STRATA_ALLOW_EXEC`` is neither yes nor no.
        ArgumentError: an argument that cannot be passed to strata (also a
            ``TypeError`` and a ``ValueError``): a ``data`` value TOML cannot
            carry, NUL or a lone surrogate in a key, limit or path.
        LoadTimeoutError, OutputTooLargeError: ``timeout``, ``max_output``.
        BinaryNotFoundError: the ``strata`` command is not installed.
        StrataError: the base of all of these; also strata crashing or
            printing output of an unexpected shape.
    """
    if allow_exec is None:
        allow_exec = allow_exec_from_env()
    args = build_args(path, data, limit, allow_exec=bool(allow_exec), refresh=refresh)
    cwd_str = _path_text("load(cwd=...)", cwd) if cwd is not None else None
    path_str = os.fspath(path) if path is not None else None
    if isinstance(path_str, bytes):
        path_str = os.fsdecode(path_str)
    limits = _Limits(timeout, max_output)
    command = ["list", "--format", "json-lines", "--global-data", "--datetime-paths"]
    done = _run_ok(args, command, cwd_str, path_str, limits)
    warnings = _warnings(done)
    # Later runs (origins, diagnostics) reuse the answers this one fetched.
    later = [a for a in args if a != "--refresh"]
    try:
        inventory = Inventory(done.stdout, later, cwd_str, path_str, limits)
        _check_override_types(data, inventory)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, RecursionError) as e:
        if isinstance(e, StrataError):
            raise
        if isinstance(e, json.JSONDecodeError):
            raise StrataError(f"strata printed output that is not JSON ({e}); stderr:\n{done.stderr}") from None
        raise _unexpected(e) from e
    inventory.warnings = warnings
    for line in warnings:
        logger.warning("%s", line)
    return inventory
