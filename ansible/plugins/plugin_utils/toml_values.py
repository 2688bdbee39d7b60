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
            out.append("\\u%04x" % ord(ch))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def to_toml(value):
    """``value`` as one line of TOML (an inline value).

    ``str`` (always quoted), ``bool``, ``int`` (64-bit), ``float``,
    ``datetime``, ``date``, ``time`` (without a time zone), lists and tuples,
    and mappings with string keys. Subclasses (Ansible's tagged YAML values)
    are written as their base type.

    Raises:
        TypeError: ``None`` (TOML has no null) or a type TOML cannot carry.
        ValueError: an integer outside 64 bits, or a ``time`` with a time zone.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if not _I64_MIN <= value <= _I64_MAX:
            raise ValueError("%d does not fit in a TOML integer (64 bits)" % value)
        return int.__repr__(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return float.__repr__(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, datetime):
        return datetime.isoformat(value)
    if isinstance(value, date):
        return date.isoformat(value)
    if isinstance(value, time):
        if value.tzinfo is not None:
            raise ValueError("TOML has no time of day with a time zone: %r" % (value,))
        return time.isoformat(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(to_toml(v) for v in value) + "]"
    if isinstance(value, Mapping):
        items = []
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError("table keys must be strings, not %s: %r" % (type(k).__name__, k))
            items.append("%s = %s" % (_toml_string(k), to_toml(v)))
        return "{ " + ", ".join(items) + " }" if items else "{}"
    if value is None:
        raise TypeError("TOML has no null: None cannot be passed as data")
    raise TypeError("a %s cannot be written as TOML: %r" % (type(value).__name__, value))


def data_arg(key, value):
    """One ``--data KEY=VALUE`` argument for ``key`` and the Python ``value``.

    Raises:
        TypeError, ValueError: the key is not a usable string (empty, with
            ``=``, with surrounding whitespace, which strata would trim), or
            ``to_toml`` refuses the value.
    """
    if not isinstance(key, str):
        raise TypeError("data keys must be strings, not %s: %r" % (type(key).__name__, key))
    if not key or "=" in key or key != key.strip() or "\n" in key:
        raise ValueError(
            "data key %r cannot be passed to strata --data "
            "(it must be non-empty, without '=', newlines or surrounding whitespace)" % (key,)
        )
    return "%s=%s" % (key, to_toml(value))
