# Copyright (c) strata contributors
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Override data for ``strata --data KEY=VALUE``: Python values as TOML inline values.

This is the same writer as ``strata_inventory._values`` (the Python package),
kept here so that the inventory plugin works in an Ansible installation that
does not have the ``strata_inventory`` module, only the ``strata`` command.
python/tests/test_ansible_plugin.py checks that the two write the same TOML.
It imports nothing from Ansible.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime, time

__all__ = ["data_arg", "to_toml"]

# strata refuses values nested deeper than this (strata_parser::MAX_DEPTH);
# a deeper --data value would not be TOML to it, and would become a string.
MAX_DEPTH = 64

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


def _toml_string(s):
    out = []
    for ch in s:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _offset(value):
    """Refuses a UTC offset TOML cannot write (seconds or microseconds)."""
    offset = value.utcoffset()
    if offset is not None and (offset.seconds % 60 or offset.microseconds):
        raise ValueError(f"TOML has no UTC offset with seconds: {value!r} (offset {offset})")


def to_toml(value, is_unsafe=None, _depth=0):
    """``value`` as one line of TOML (an inline value).

    ``is_unsafe``, when given, says which strings must never be templates
    (Ansible's ``!unsafe``): those are written as ``{ "__ansible_unsafe" = "..." }``,
    Ansible's own JSON form, which strata carries through to its output.

    ``str`` (always quoted), ``bool``, ``int`` (64-bit), ``float``,
    ``datetime``, ``date``, ``time`` (without a time zone), lists and tuples,
    and mappings with string keys. Subclasses (Ansible's tagged YAML values)
    are written as their base type.

    Raises:
        TypeError: ``None`` (TOML has no null) or a type TOML cannot carry.
        ValueError: an integer outside 64 bits, a ``time`` with a time zone, a
            UTC offset with seconds, or nesting deeper than ``MAX_DEPTH``.
    Never a string for a value that is not one.
    """
    if _depth > MAX_DEPTH:
        raise ValueError(f"values nested more than {MAX_DEPTH:d} levels deep cannot be passed to strata")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if not _I64_MIN <= value <= _I64_MAX:
            raise ValueError(f"{value:d} does not fit in a TOML integer (64 bits)")
        return int.__repr__(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return float.__repr__(value)
    if isinstance(value, str):
        if is_unsafe is not None and is_unsafe(value):
            return f'{{ "__ansible_unsafe" = {_toml_string(value)} }}'
        return _toml_string(value)
    if isinstance(value, datetime):
        _offset(value)
        return datetime.isoformat(value)
    if isinstance(value, date):
        return date.isoformat(value)
    if isinstance(value, time):
        if value.tzinfo is not None:
            raise ValueError(f"TOML has no time of day with a time zone: {value!r}")
        return time.isoformat(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(to_toml(v, is_unsafe, _depth + 1) for v in value) + "]"
    if isinstance(value, Mapping):
        items = []
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"table keys must be strings, not {type(k).__name__}: {k!r}")
            items.append(f"{_toml_string(k)} = {to_toml(v, is_unsafe, _depth + 1)}")
        return "{ " + ", ".join(items) + " }" if items else "{}"
    if value is None:
        raise TypeError("TOML has no null: None cannot be passed as data")
    raise TypeError(f"a {type(value).__name__} cannot be written as TOML: {value!r}")


def data_arg(key, value, is_unsafe=None):
    """One ``--data KEY=VALUE`` argument for ``key`` and the Python ``value``
    (``is_unsafe``: as for ``to_toml``).

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
    return f"{key}={to_toml(value, is_unsafe)}"
