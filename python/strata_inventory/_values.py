"""Values across the process boundary.

Python to strata: override data goes to ``strata --data=KEY=VALUE``, which
reads VALUE as a TOML value, so every Python value is written as a TOML
inline value (strings quoted, tables inline).

strata to Python: ``strata list --format json --datetime-paths`` prints TOML
datetimes as RFC 3339 strings and lists where they are; they become
``datetime``, ``date`` and ``time`` objects here, as ``tomllib`` gives them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Union

from ._errors import ArgumentError

__all__ = ["check_text", "data_arg", "parse_datetime", "restore_datetimes", "stringified", "to_toml"]

_I64_MIN = -(2**63)
_I64_MAX = 2**63 - 1

_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


# Deeper nesting is refused: strata reads no TOML nested deeper than 64
# levels (docs/format.md), and a container that holds itself would never end.
MAX_DEPTH = 64


def check_text(what: str, text: str, nul: bool = False) -> str:
    """``text`` if it can be an argument of a process: no NUL (unless ``nul``:
    text that is escaped on its way), no lone surrogate (which no encoding can
    write).

    Raises:
        ArgumentError: it cannot.
    """
    if not nul and "\0" in text:
        raise ArgumentError(f"{what} holds a NUL character, which no command-line argument can carry: {text!r}")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ArgumentError(f"{what} holds a lone surrogate, which is not text: {text!r}") from None
    return text


def _toml_string(s: str, what: str) -> str:
    s = check_text(what, str.__str__(s), nul=True)  # NUL is escaped below
    out = []
    for ch in s:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def to_toml(value: Any, what: str = "the value", depth: int = 0) -> str:
    """``value`` as one line of TOML (an inline value) that strata reads back
    as the same type: never text that strata would take as a plain string.

    ``str`` (always quoted), ``bool``, ``int`` (64-bit), ``float`` (``nan`` and
    ``inf`` included), ``datetime`` (a UTC offset of whole minutes), ``date``,
    ``time`` (without a time zone), lists and tuples, and mappings with string
    keys, nested at most 64 levels. Subclasses (``IntEnum``, numpy's
    ``float64``) are written as their base type, whatever their ``repr``.

    Raises:
        ArgumentError (a TypeError and a ValueError): ``None`` (TOML has no
            null), a type TOML cannot carry, an integer outside 64 bits, a
            ``time`` with a time zone, a UTC offset with seconds, deeper
            nesting (or a container that holds itself), NUL or a lone
            surrogate in a key.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if not _I64_MIN <= value <= _I64_MAX:
            raise ArgumentError(f"{what}: {int.__repr__(value)} does not fit in a TOML integer (64 bits)")
        return int.__repr__(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return float.__repr__(value)
    if isinstance(value, str):
        return _toml_string(value, what)
    if isinstance(value, datetime):
        offset = value.utcoffset()
        if offset is not None and offset % timedelta(minutes=1):
            raise ArgumentError(f"{what}: TOML has no UTC offset with seconds: {value!r}")
        return datetime.isoformat(value)
    if isinstance(value, date):
        return date.isoformat(value)
    if isinstance(value, time):
        if value.tzinfo is not None:
            raise ArgumentError(f"{what}: TOML has no time of day with a time zone: {value!r}")
        return time.isoformat(value)
    if isinstance(value, (list, tuple, Mapping)) and depth >= MAX_DEPTH:
        raise ArgumentError(
            f"{what} is nested deeper than {MAX_DEPTH} levels (or holds itself), which strata cannot read"
        )
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(to_toml(v, what, depth + 1) for v in value) + "]"
    if isinstance(value, Mapping):
        items = []
        for k, v in value.items():
            if not isinstance(k, str):
                raise ArgumentError(f"{what}: table keys must be strings, not {type(k).__name__}: {k!r}")
            items.append(f"{_toml_string(k, f'{what}: the key')} = {to_toml(v, what, depth + 1)}")
        return "{ " + ", ".join(items) + " }" if items else "{}"
    if value is None:
        raise ArgumentError(f"{what}: TOML has no null, so None cannot be passed as data")
    raise ArgumentError(f"{what}: a {type(value).__name__} cannot be written as TOML: {value!r}")


def data_arg(key: Any, value: Any) -> str:
    """``KEY=VALUE`` for ``key`` and the Python ``value``, passed to strata as
    the one argument ``--data=KEY=VALUE`` (so no key or value can be read as
    a flag).

    Raises:
        ArgumentError (a TypeError and a ValueError): the key is not a usable
            string (empty, with ``=``, with surrounding whitespace, which
            strata would trim, NUL or a lone surrogate), or ``to_toml``
            refuses the value.
    """
    if not isinstance(key, str):
        raise ArgumentError(f"load(data=...): keys must be strings, not {type(key).__name__}: {key!r}")
    key = check_text("load(data=...): the key", str.__str__(key))
    if not key or "=" in key or key != key.strip() or "\n" in key:
        raise ArgumentError(
            f"load(data=...): the key {key!r} cannot be passed to strata "
            "(it must be non-empty, without '=', newlines or surrounding whitespace)"
        )
    return f"{key}={to_toml(value, f'load(data=...)[{key!r}]')}"


def stringified(given: Any, got: Any) -> bool:
    """True when strata holds a string where ``given`` (a value passed as
    override data) has none: a value strata read as a plain string."""
    if isinstance(given, str):
        return False
    if isinstance(got, str):
        return True
    if isinstance(given, (list, tuple)) and isinstance(got, list):
        return any(stringified(a, b) for a, b in zip(given, got))
    if isinstance(given, Mapping) and isinstance(got, dict):
        return any(stringified(v, got.get(k)) for k, v in given.items() if k in got)
    return False


_DATE = r"(\d{4})-(\d{2})-(\d{2})"
_TIME = r"(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?"
_DATE_RE = re.compile(_DATE + r"\Z")
_TIME_RE = re.compile(_TIME + r"\Z")
_DATETIME_RE = re.compile(_DATE + r"[Tt ]" + _TIME + r"(?:([Zz])|([+-])(\d{2}):(\d{2}))?\Z")


def _time_parts(h: str, m: str, s: str | None, frac: str | None) -> tuple[int, int, int, int]:
    micro = int((frac or "0")[:6].ljust(6, "0"))
    return int(h), int(m), int(s or 0), micro


def parse_datetime(text: str) -> Union[datetime, date, time]:
    """An RFC 3339 string as strata prints a TOML datetime, as a Python value.

    Offset date-times become aware ``datetime`` objects, local date-times
    naive ones, local dates ``date`` and local times ``time``. Fractions of a
    second beyond microseconds are truncated, as ``tomllib`` does.

    Raises:
        ValueError: ``text`` is not such a string.
    """
    m = _DATETIME_RE.match(text)
    if m:
        y, mo, d, h, mi, s, frac, zulu, sign, oh, om = m.groups()
        tz = None
        if zulu:
            tz = timezone.utc
        elif sign:
            delta = timedelta(hours=int(oh), minutes=int(om))
            tz = timezone(-delta if sign == "-" else delta)
        return datetime(int(y), int(mo), int(d), *_time_parts(h, mi, s, frac), tzinfo=tz)
    m = _DATE_RE.match(text)
    if m:
        return date(*(int(p) for p in m.groups()))
    m = _TIME_RE.match(text)
    if m:
        return time(*_time_parts(*m.groups()))
    raise ValueError(f"not a TOML datetime: {text!r}")


def restore_datetimes(data: Any, paths: list[list[Union[str, int]]]) -> None:
    """Replace, in place, the strings at ``paths`` in ``data`` by datetimes.

    ``paths`` is a ``"datetimes"`` member of ``strata list --datetime-paths``:
    each path is a list of table keys and array indices from ``data``.
    """
    for path in paths:
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        last = path[-1]
        parent[last] = parse_datetime(parent[last])
