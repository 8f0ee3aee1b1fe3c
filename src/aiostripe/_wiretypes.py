"""Values sent as JSON strings (v2 int64, decimal, date-time; v1 `format: decimal`), read as Python
values and written back unchanged.

| spec | sent as | read as |
|---|---|---|
| `type: string, format: int64` | `"1234"` | `Int64` (an `int`) |
| `type: string, format: decimal` | `"12.5"` | `decimal.Decimal` |
| `type: string, format: date-time` | `"2026-05-27T10:00:00.000Z"` | a timezone-aware `datetime` |

`to_dict()` gives back the exact text received: an int64 is read only when its text
is the canonical one (`"12"`, not `"012"`), and a decimal or a date-time keeps the text it was
read from. A value that is not of its format (another API version, a bad
payload) is a mismatch: the tolerant path keeps it as sent (`obj["field"]`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = ["Int64", "decimal_value", "int64_value", "timestamp_value", "wire_text"]


class Int64(int):
    """An integer the v2 API sends as a string (`format: int64`): an `int` in every way;
    `to_dict()` writes it back as the string."""

    __slots__ = ()


class _Timestamp(datetime):
    """A timezone-aware datetime that remembers the text it was read from."""

    __slots__ = ("_text",)
    _text: str


def int64_value(value: Any) -> Int64:
    """The `Int64` of a canonical decimal integer string; ValueError for anything else."""
    if type(value) is not str:
        raise ValueError(f"expected an int64 string, got {type(value).__name__}")
    number = Int64(value)
    if str(int(number)) != value:
        raise ValueError(f"not a canonical int64 string: {value!r}")
    return number


class _Decimal(Decimal):
    """A Decimal that remembers the text it was read from (`"1e2"` is written back as `"1e2"`);
    arithmetic on it gives plain Decimals."""

    __slots__ = ("_text",)
    _text: str


def decimal_value(value: Any) -> Decimal:
    """The `Decimal` of a finite decimal string (it keeps the text); ValueError for anything
    else."""
    if type(value) is not str:
        raise ValueError(f"expected a decimal string, got {type(value).__name__}")
    try:
        number = _Decimal(value)
    except InvalidOperation:
        raise ValueError(f"not a decimal string: {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"not a finite decimal: {value!r}")
    number._text = value
    return number


def timestamp_value(value: Any) -> datetime:
    """The timezone-aware `datetime` of an RFC 3339 date-time string (it keeps the text)."""
    if type(value) is not str:
        raise ValueError(f"expected a date-time string, got {type(value).__name__}")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"a date-time without a timezone: {value!r}")
    out = _Timestamp(
        parsed.year, parsed.month, parsed.day, parsed.hour, parsed.minute, parsed.second,
        parsed.microsecond, parsed.tzinfo, fold=parsed.fold,
    )
    out._text = value
    return out


def wire_text(value: Any) -> Any:
    """The JSON value of a field read by this module: its text (for a datetime made in code:
    RFC 3339 in UTC); any other value as it is."""
    if isinstance(value, datetime):
        text = getattr(value, "_text", None)
        if text is not None:
            return text
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, Decimal):
        text = getattr(value, "_text", None)
        return text if text is not None else format(value, "f")
    if isinstance(value, Int64):
        return str(int(value))
    return value
