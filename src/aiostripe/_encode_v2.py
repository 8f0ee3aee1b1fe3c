"""The v2 API's request bodies: JSON (`Content-Type: application/json`), not Stripe's form.

A call whose path starts with `/v2/` sends its POST parameters as one JSON object; its GET and
DELETE parameters go in the query string exactly as v1's (`include[0]=x`, `true`/`false`:
`_encode.encode_query`).

| Python value | sent as (JSON) |
|---|---|
| str, int, bool, dict, list | themselves (tuples as lists) |
| `None` | `null`: in v2 an explicit null clears a field |
| `float` | a number (NaN and infinities refused) |
| `Decimal("0.0025")` | `"0.0025"` (v2's `format: decimal` is a string, never an exponent) |
| `datetime` | RFC 3339 text in UTC (`"2026-05-27T10:00:00Z"`); a naive one is taken as UTC |
| `date` | `"2026-05-27"` |
| an `enum.Enum` member | its value |
| `from_`, `is_`, `class_` | `from`, `is`, `class` (like v1) |

Anything else raises `TypeError` naming the parameter path (`events[0][payload]: ...`).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from aiostripe import _json
from aiostripe._encode import _KEYWORD_KEYS, _hint
from aiostripe._errors import InvalidParameterError

__all__ = ["encode_json_body", "is_v2_path", "json_ready"]

_EXPECTED = "expected str, int, float, bool, None, list or dict"


def is_v2_path(path: str) -> bool:
    """Whether an API path is one of the v2 API's (JSON bodies, page tokens)."""
    return path.startswith("/v2/")


def encode_json_body(params: Mapping[str, Any] | None) -> bytes:
    """`params` as the JSON body of a v2 call (`{}` when there are none)."""
    if not params:
        return b"{}"
    if not isinstance(params, Mapping):
        raise TypeError(f"params: expected a dict, got {type(params).__name__}")
    return _json.dumps(json_ready(params)).encode()


def json_ready(params: Mapping[str, Any]) -> dict[str, Any]:
    """`params` with every value made plain JSON (see the module's table), keys checked."""
    return _mapping("", params)


def _mapping(prefix: str, mapping: Mapping[Any, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in mapping.items():
        if not isinstance(key, str) or not key:
            where = f"{prefix}[{key!r}]" if prefix else repr(key)
            raise TypeError(f"{where}: parameter names must be non-empty str")
        key = _KEYWORD_KEYS.get(key, key)
        out[key] = _value(f"{prefix}[{key}]" if prefix else key, value)
    return out


def _value(path: str, value: Any) -> Any:
    cls = type(value)
    if cls is str or cls is int or cls is bool or value is None:
        return value
    if isinstance(value, Enum):
        return _value(path, value.value)
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, Mapping):
        return _mapping(path, value)
    if isinstance(value, list | tuple):
        return [_value(f"{path}[{i}]", item) for i, item in enumerate(value)]
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidParameterError(f"{path}: cannot send {value!r}", param=path)
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidParameterError(f"{path}: cannot send Decimal({str(value)!r})", param=path)
        return format(value, "f")
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            value = value.replace(tzinfo=UTC)
        text = value.astimezone(UTC).isoformat()
        return text.removesuffix("+00:00") + "Z"
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{path}: {_EXPECTED}, got {type(value).__name__}{_hint(value)}")
