"""The exceptions ``strata_inventory`` raises, and diagnostics as values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

__all__ = [
    "ArgumentError",
    "BinaryNotFoundError",
    "Diagnostic",
    "InventoryError",
    "LoadTimeoutError",
    "NoGroupError",
    "NoHostError",
    "OutputTooLargeError",
    "Related",
    "StrataError",
    "UsageError",
]


@dataclass(frozen=True)
class Related:
    """Another labelled place of a :class:`Diagnostic`.

    Attributes:
        file: as :attr:`Diagnostic.file`.
        line: 1-based line.
        column: 1-based column.
        inventory_file: the file relative to the inventory root.
        label: what the report says at this place, or ``None``.
    """

    file: str
    line: int
    column: int
    inventory_file: str
    label: Optional[str] = None

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> Related:
        """Build one from an item of a diagnostic's ``related`` list."""
        return cls(
            file=item["file"],
            line=item["line"],
            column=item["column"],
            inventory_file=item["inventory_file"],
            label=item.get("label"),
        )


@dataclass(frozen=True)
class Diagnostic:
    """One problem ``strata check`` found, as ``strata check --format json`` prints it.

    Attributes:
        severity: ``"error"`` or ``"warning"``.
        code: the diagnostic code, e.g. ``"strata::malformed_range"``
            (docs/diagnostics.md lists them all).
        message: what is wrong.
        file: the file as strata prints it: relative to the working
            directory when the inventory is under it
            (``inventory/group_data/web.toml``), else behind the inventory's
            path as given; ``None`` for a problem of no file.
        line: 1-based line, or ``None``.
        column: 1-based column, or ``None``.
        help: how to fix it (often a did-you-mean), or ``None``.
        inventory_file: the file relative to the inventory root
            (``group_data/web.toml``), or ``None``.
        related: the problem's other labelled places, in the order the
            human report draws them (the other contributions to a merged
            value, the schema keyword, the other side of a clash).
    """

    severity: str
    code: str
    message: str
    file: Optional[str] = None
    line: Optional[int] = None
    column: Optional[int] = None
    help: Optional[str] = None
    inventory_file: Optional[str] = None
    related: tuple[Related, ...] = ()

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> Diagnostic:
        """Build one from an item of ``strata check --format json``."""
        return cls(
            related=tuple(Related.from_json(r) for r in item.get("related") or ()),
            severity=item["severity"],
            code=item["code"],
            message=item["message"],
            file=item.get("file"),
            line=item.get("line"),
            column=item.get("column"),
            help=item.get("help"),
            inventory_file=item.get("inventory_file"),
        )

    @property
    def is_error(self) -> bool:
        """True for errors, False for warnings."""
        return self.severity == "error"

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = self.file
            if self.line is not None:
                where += f":{self.line}:{self.column}"
            where += ": "
        text = f"{where}{self.severity}[{self.code}]: {self.message}"
        if self.help:
            text += f" (help: {self.help})"
        return text


class StrataError(Exception):
    """Base class of every exception ``strata_inventory`` raises."""


class BinaryNotFoundError(StrataError, FileNotFoundError):
    """The ``strata`` command could not be found (see ``find_strata_bin``)."""


class InventoryError(StrataError):
    """The inventory has errors: every diagnostic of ``strata check``, as values.

    Attributes:
        path: the inventory as given to ``load`` (``None`` when discovered).
        diagnostics: every problem found, errors and warnings, in the order
            ``strata check`` reports them.
    """

    def __init__(self, path: Optional[str], diagnostics: list[Diagnostic], detail: str = "") -> None:
        self.path = path
        self.diagnostics = list(diagnostics)
        errors = self.errors
        where = f"inventory {path}" if path is not None else "the inventory"
        if errors:
            lines = [f"{where} has {len(errors)} error{'s' if len(errors) != 1 else ''}:"]
            lines += [f"  {d}" for d in errors]
        else:
            lines = [f"{where} could not be loaded"]
            if detail:
                lines.append(detail.rstrip())
        super().__init__("\n".join(lines))

    @property
    def errors(self) -> list[Diagnostic]:
        """The diagnostics whose severity is ``error``."""
        return [d for d in self.diagnostics if d.is_error]


class UsageError(StrataError, ValueError):
    """strata refused the request (its exit code 2): no inventory found, a
    limit term that matches no host or group, a malformed limit; or
    ``STRATA_ALLOW_EXEC`` holds a word that is neither yes nor no. The message
    is strata's own, worded for ``load()``'s arguments."""


class ArgumentError(UsageError, TypeError):
    """An argument of ``load()`` that cannot be passed to strata, found before
    strata runs: a ``data`` value TOML cannot hold (``None``, an object, an
    integer outside 64 bits, a datetime whose UTC offset has seconds, nesting
    deeper than 64 levels or a container that holds itself), a key, limit or
    path with NUL or a lone surrogate, an argument of the wrong type. It is
    also a ``ValueError`` and a ``TypeError``."""


class LoadTimeoutError(StrataError, TimeoutError):
    """strata did not finish within ``load(timeout=...)``; its process group
    was killed."""


class OutputTooLargeError(StrataError):
    """strata printed more than ``load(max_output=...)`` bytes; its process
    group was killed."""


class NoHostError(StrataError, KeyError):
    """No host of that name in the (selected) inventory."""

    def __str__(self) -> str:  # KeyError would print the repr of its argument
        return str(self.args[0]) if self.args else ""


class NoGroupError(StrataError, KeyError):
    """No group of that name in the (selected) inventory."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""
