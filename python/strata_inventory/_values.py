"""Values across the process boundary.

Python to strata: override data goes to ``strata --data KEY=VALUE``, which
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

__all__ = ["data_arg", "parse_datetime", "restore_datetimes", "to_toml"]

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


def _toml_string(s: str) -> str:
    out = []
    for ch in s:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def to_toml(value: Any) -> str:
    """``value`` as one line of TOML (an inline value).

    ``str`` (always quoted), ``bool``, ``int`` (64-bit), ``float`` (``nan`` and
    ``inf`` included), ``datetime``, ``date``, ``time`` (without a time zone),
    lists and tuples, and mappings with string keys.

    Raises:
        TypeError: ``None`` (TOML has no null) or a type TOML cannot carry.
        ValueError: an integer outside 64 bits, or a ``time`` with a time zone.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if not _I64_MIN <= value <= _I64_MAX:
            raise ValueError(f"{value} does not fit in a TOML integer (64 bits)")
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        if value.tzinfo is not None:
            raise ValueError(f"TOML has no time of day with a time zone: {value!r}")
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(to_toml(v) for v in value) + "]"
    if isinstance(value, Mapping):
        items = []
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"table keys must be strings, not {type(k).__name__}: {k!r}")
            items.append(f"{_toml_string(k)} = {to_toml(v)}")
        return "{ " + ", ".join(items) + " }" if items else "{}"
    if value is None:
        raise TypeError("TOML has no null: None cannot be passed as data")
    raise TypeError(f"a {type(value).__name__} cannot be written as TOML: {value!r}")


def data_arg(key: Any, value: Any) -> str:
    """One ``--data KEY=VALUE`` argument for ``key`` and the Python ``value``.

    Raises:
        TypeError, ValueError: the key is not a usable string (empty, with
            ``=``, with surrounding whitespace, which strata would trim), or
            ``to_toml`` refuses the value.
    """
    if not isinstance(key, str):
        raise TypeError(f"data keys must be strings, not {type(key).__name__}: {key!r}")
    if not key or "=" in key or key != key.strip() or "\n" in key:
        raise ValueError(
            f"data key {key!r} cannot be passed to strata --data "
            "(it must be non-empty, without '=', newlines or surrounding whitespace)"
        )
    return f"{key}={to_toml(value)}"


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
