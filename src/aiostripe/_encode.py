"""Stripe's request encoding: form-encoded parameters and safely quoted path parameters.

Parameters are sent as `application/x-www-form-urlencoded` pairs, nested the way Stripe reads them:

| Python value | sent as |
|---|---|
| `{"metadata": {"plan": "pro"}}` | `metadata[plan]=pro` (dicts nest to any depth) |
| `{"items": [{"price": "p", "quantity": 2}]}` | `items[0][price]=p&items[0][quantity]=2` |
| `{"expand": ["flow_details"]}` | `expand[0]=flow_details` (lists are always indexed) |
| `True` / `False` | `true` / `false` |
| `12`, `1.5`, `Decimal("0.0025")` | `12`, `1.5`, `0.0025` (never an exponent; `2.0` sent as `2`) |
| `datetime`, `date` | Unix seconds; a naive datetime is taken as UTC, a date as midnight UTC |
| an `enum.Enum` member | its value |
| `None` | nothing: `None` means "not sent" |
| `""` | `key=` — the way to unset a field on Stripe (`metadata=""`, `description=""`) |
| `{}`, `[]` | nothing, like stripe-python: to clear a dict or list field, send `""` |
| `from_`, `is_`, `class_` | `from`, `is`, `class` (a key ending in `_` whose stem is a keyword) |

Anything else (bytes, sets, other objects, a key that is not a str) raises `TypeError` naming the
full parameter path (`items[0][price]: expected str, int, float, bool, list or dict, got set`).
Keys keep the order they were given in. Brackets stay literal in the encoded text, as
stripe-python sends them; spaces are sent as `+`.

Path parameters (`/v1/customers/{customer}`) go through `quote_path_param`: a non-empty str,
percent-encoded with nothing safe, so `/`, `?`, `#` can never make an id reach another endpoint.
"""

from __future__ import annotations

import calendar
import keyword
import math
import numbers
import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus

from aiostripe._errors import InvalidParameterError

__all__ = [
    "decode_form",
    "encode_body",
    "encode_params",
    "encode_query",
    "quote_path_param",
]

# `from_` -> `from`: Python names of parameters whose wire name is a keyword.
_KEYWORD_KEYS: dict[str, str] = {f"{kw}_": kw for kw in keyword.kwlist}

_EXPECTED = "expected str, int, float, bool, list or dict"

MAX_DEPTH = 32
"""Deepest nesting of dicts and lists sent (`a[b][0][c]` is 3 deep). Stripe's deepest parameters
(`line_items[0][price_data][product_data][metadata][key]`) nest 5 levels; deeper is a mistake
(or a dict that holds itself), refused naming the parameter rather than a RecursionError."""


def encode_params(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Flatten `params` into the (key, value) pairs Stripe's form encoding sends, in order."""
    if not isinstance(params, Mapping):
        raise TypeError(f"params: expected a dict, got {type(params).__name__}")
    out: list[tuple[str, str]] = []
    _encode_mapping(out, "", params, 0)
    return out


def _too_deep(path: str) -> InvalidParameterError:
    return InvalidParameterError(
        f"{path[:200]}{'…' if len(path) > 200 else ''}: nested more than {MAX_DEPTH} levels deep "
        f"(a dict or list that holds itself?); Stripe's parameters nest a few levels",
        param=path[:200],
    )


def _encode_mapping(
    out: list[tuple[str, str]], prefix: str, mapping: Mapping[Any, Any], depth: int
) -> None:
    if depth > MAX_DEPTH:
        raise _too_deep(prefix)
    for key, value in mapping.items():
        if type(key) is not str:
            if not isinstance(key, str):
                where = f"{prefix}[{key!r}]" if prefix else repr(key)
                raise TypeError(f"{where}: parameter names must be str, got {type(key).__name__}")
            key = str.__str__(key)
        if not key or (prefix and ("[" in key or "]" in key)):
            where = f"{prefix}[{key}]" if prefix else repr(key)
            raise InvalidParameterError(
                f"{where}: a nested parameter name must be non-empty, without '[' or ']'"
                if prefix
                else f"{where}: a parameter name must be non-empty",
                param=where,
            )
        key = _KEYWORD_KEYS.get(key, key)
        _encode_value(out, f"{prefix}[{key}]" if prefix else key, value, depth)


def _encode_value(out: list[tuple[str, str]], path: str, value: Any, depth: int) -> None:
    cls = type(value)
    # the common cases first, by exact type
    if cls is str:
        out.append((path, value))
    elif value is None:
        return
    elif cls is bool:
        out.append((path, "true" if value else "false"))
    elif cls is int:
        out.append((path, str(value)))
    elif cls is dict:
        _encode_mapping(out, path, value, depth + 1)
    elif cls is list or cls is tuple:
        _encode_sequence(out, path, value, depth + 1)
    # then by kind
    elif isinstance(value, Enum):
        _encode_value(out, path, value.value, depth)
    elif isinstance(value, str):
        out.append((path, str.__str__(value)))
    elif isinstance(value, float):
        out.append((path, _format_float(path, value)))
    elif isinstance(value, numbers.Integral):  # int subclasses, numpy integers
        out.append((path, str(int(value))))
    elif isinstance(value, Decimal):
        out.append((path, _format_decimal(path, value)))
    elif isinstance(value, datetime):
        out.append((path, str(_timestamp(value))))
    elif isinstance(value, date):
        out.append((path, str(calendar.timegm(value.timetuple()))))
    elif isinstance(value, Mapping):
        _encode_mapping(out, path, value, depth + 1)
    elif isinstance(value, list | tuple):
        _encode_sequence(out, path, value, depth + 1)
    else:
        raise TypeError(f"{path}: {_EXPECTED}, got {type(value).__name__}{_hint(value)}")


def _encode_sequence(
    out: list[tuple[str, str]], path: str, values: list[Any] | tuple[Any, ...], depth: int
) -> None:
    if depth > MAX_DEPTH:
        raise _too_deep(path)
    for i, item in enumerate(values):
        if item is None:
            raise TypeError(
                f"{path}[{i}]: None cannot be an item of a list (it would leave a gap); "
                "leave the item out"
            )
        _encode_value(out, f"{path}[{i}]", item, depth)


def _hint(value: object) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return " (decode it to str; files are uploaded through files.create)"
    if isinstance(value, set | frozenset):
        return " (a set has no order: pass a list)"
    return ""


def _format_float(path: str, value: float) -> str:
    if not math.isfinite(value):
        raise InvalidParameterError(f"{path}: cannot send {value!r}", param=path)
    if value.is_integer():
        return str(int(value))
    text = repr(float(value))
    if "e" in text:
        return format(Decimal(text), "f")
    return text


def _format_decimal(path: str, value: Decimal) -> str:
    if not value.is_finite():
        raise InvalidParameterError(f"{path}: cannot send Decimal({str(value)!r})", param=path)
    return format(value, "f")


def _timestamp(value: datetime) -> int:
    if value.tzinfo is None or value.utcoffset() is None:
        return calendar.timegm(value.timetuple())  # naive: taken as UTC
    return calendar.timegm(value.utctimetuple())


_UNRESERVED = re.compile(r"[A-Za-z0-9_.~\[\]-]*").fullmatch
"""Whether a string is left as it is by `quote_plus(s, safe="[]")` (ids, numbers, keys)."""


def _quote(text: str) -> str:
    # most keys and values (ids, numbers, `expand[0]`) need no quoting: a regex match is about
    # three times faster than quote_plus on them (measured in docs/decisions.md, issue 15)
    return text if _UNRESERVED(text) else quote_plus(text, safe="[]")


def _urlencode(pairs: list[tuple[str, str]]) -> str:
    return "&".join([f"{_quote(key)}={_quote(value)}" for key, value in pairs])


def encode_query(params: Mapping[str, Any]) -> str:
    """`params` as a URL query string (without the `?`): `expand[0]=x&limit=3`."""
    return _urlencode(encode_params(params))


def encode_body(params: Mapping[str, Any]) -> bytes:
    """`params` as an `application/x-www-form-urlencoded` request body."""
    return _urlencode(encode_params(params)).encode("ascii")


# --- path parameters ----------------------------------------------------------------------------


def quote_path_param(name: str, value: object) -> str:
    """`value`, checked and percent-encoded as one path segment (for the parameter `name`).

    Raises `TypeError` if `value` is not a str, and `InvalidParameterError` (a `ValueError`) if it
    is empty, only whitespace, or `.`/`..`. Every character but letters, digits and `-._~` is
    percent-encoded, so `cus_1/../../v1/charges`, `a?b` and `a#b` stay within the one segment.
    """
    if type(value) is str and (  # the usual Stripe id (`cus_1`): as it is
        (value.isidentifier() and value.isascii()) or _PLAIN_ID.fullmatch(value)
    ):
        return value
    if not isinstance(value, str):
        hint = ""
        if isinstance(getattr(value, "id", None), str):
            hint = f"; pass its id ({name}=obj.id)"
        raise TypeError(f"{name}: expected a str id, got {type(value).__name__}{hint}")
    if not value or value.isspace():
        raise InvalidParameterError(f"{name}: got {value!r}, must be a non-empty id", param=name)
    if value == "." or value == "..":
        raise InvalidParameterError(
            f"{name}: got {value!r}, must be a non-empty id (not a path segment)", param=name
        )
    return quote(value, safe="")


_PLAIN_ID = re.compile(r"[A-Za-z0-9_\-]+")


# --- decoding -----------------------------------------------------------------------------------

_KEY = re.compile(r"([^\[\]]+)((?:\[[^\[\]]*\])*)")
_SEGMENT = re.compile(r"\[([^\[\]]*)\]")


def decode_form(body: str | bytes) -> dict[str, Any]:
    """The inverse of `encode_body`: bracketed keys back to nested dicts and lists.

    Values stay strings. A dict whose keys are all decimal digits (`a[0]`, `a[1]`) becomes a list
    in index order (so `{"0": "x"}` also comes back as `["x"]`); `a[]=x&a[]=y` appends. A key
    repeated with a plain value keeps the last value. A key used both as a value and as a dict
    (`a=1&a[b]=2`) is a `ValueError`. Keys not of the `name[sub]…` form are kept as they are.
    """
    if isinstance(body, bytes | bytearray):
        body = bytes(body).decode("utf-8")
    root: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        match = _KEY.fullmatch(key)
        if match is None or not match.group(2):
            segments = [key]
        else:
            segments = [match.group(1), *_SEGMENT.findall(match.group(2))]
        node = root
        for depth, segment in enumerate(segments):
            if segment == "" and depth:  # `a[]`: the next item
                segment = str(len(node))
            if depth == len(segments) - 1:
                if isinstance(node.get(segment), dict):
                    raise ValueError(f"form field {key!r}: conflicts with a nested field")
                node[segment] = value
            else:
                child = node.setdefault(segment, {})
                if not isinstance(child, dict):
                    raise ValueError(f"form field {key!r}: conflicts with a plain value")
                node = child
    return {key: _listify(value) for key, value in root.items()}


def _listify(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    items = {key: _listify(item) for key, item in value.items()}
    if items and all(key.isascii() and key.isdigit() for key in items):
        return [items[key] for key in sorted(items, key=int)]
    return items
