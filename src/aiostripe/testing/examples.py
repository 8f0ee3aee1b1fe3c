"""Valid example parameters of an operation, derived from its generated params TypedDict.

`example(td)` is the smallest valid request (the required keys, each with a plausible value);
`example(td, full=True)` also gives every optional top-level key a value: nested objects with
their required keys (or their first key), arrays of one item, the first value of an enum,
`metadata` with one key. Keys are the Python names the client takes (`is_`, not `is`).
"""

from __future__ import annotations

import typing
from datetime import datetime
from typing import IO, Any, Literal, get_args, get_origin

from aiostripe.testing.validate import param_fields, union_members

_NONE = type(None)
_STRINGS = {
    "currency": "usd",
    "country": "US",
    "email": "jenny@example.com",
    "receipt_email": "jenny@example.com",
    "url": "https://example.com",
    "return_url": "https://example.com/return",
    "success_url": "https://example.com/success",
    "cancel_url": "https://example.com/cancel",
    "refresh_url": "https://example.com/refresh",
}


def example(td: type | None, *, full: bool = False, depth: int = 0) -> dict[str, Any]:
    """Valid parameters of the params TypedDict `td`: its required keys (`full`: every key)."""
    if td is None:
        return {}
    hints = typing.get_type_hints(td, include_extras=True)
    known = param_fields(td)
    chosen = [p for p in known.values() if p.required or full]
    if not chosen and depth > 0 and known:  # a nested object is sent only if it holds something
        chosen = [next(iter(known.values()))]
    out: dict[str, Any] = {}
    for param in chosen:
        python_key = param.name if param.name in hints else f"{param.name}_"
        out[python_key] = example_value(param.type, param.name, depth=depth)
    return out


def example_value(t: Any, name: str = "", *, depth: int = 0) -> Any:
    """A plausible valid value of a parameter type."""
    options = [m for m in union_members(t) if m is not _NONE and not _is_empty_literal(m)]
    t = options[0] if options else t
    origin = get_origin(t)
    if origin is Literal:
        return next(v for v in get_args(t) if v != "")
    if t is str:
        return _STRINGS.get(name, "x")
    if t is int or t is datetime:
        return 1
    if t is float:
        return 1.5
    if t is bool:
        return True
    if t is bytes or t is IO or origin is IO:
        return b"%PDF-1.4 example"
    if origin is list:
        return [example_value(get_args(t)[0], name, depth=depth + 1)]
    if origin is dict:
        return {"key": example_value(get_args(t)[1], "", depth=depth + 1)}
    if typing.is_typeddict(t):
        return example(t, depth=depth + 1)
    return "x"


def _is_empty_literal(t: Any) -> bool:
    return get_origin(t) is Literal and get_args(t) == ("",)
