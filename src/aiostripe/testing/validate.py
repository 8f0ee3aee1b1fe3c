"""Request validation against the generated params TypedDicts, the way Stripe answers a bad request.

Decoded form data (strings, nested dicts and lists) is checked key by key against the TypedDict of
the operation and coerced to the types it declares (`"3"` -> `3`, `"true"` -> `True`). The first
problem raises `ParamError` with the bracketed wire name of the parameter (`items[0][price]`), which
the app turns into Stripe's 400 `invalid_request_error`.
"""

from __future__ import annotations

import importlib
import keyword
import re
import types
import typing
from collections.abc import Mapping
from datetime import datetime
from functools import cache
from typing import IO, Any, Literal, get_args, get_origin

import attrs

from aiostripe.testing import limits
from aiostripe.testing.errors import ParamError

_INT = re.compile(r"-?\d+")
_FLOAT = re.compile(r"-?(\d+\.?\d*|\.\d+)")
_NONE = type(None)


@attrs.frozen
class Param:
    """One key of a params TypedDict: its wire name, declared type, and whether it is required."""

    name: str
    type: Any
    required: bool


@attrs.frozen
class UploadedFile:
    """A file part of a multipart request."""

    filename: str | None
    content_type: str | None
    data: bytes = attrs.field(repr=lambda d: f"<{len(d)} bytes>")


def params_class(module: str | None, name: str | None) -> type | None:
    """The params TypedDict of an operation (`ir.json`'s `params_module` and `params`)."""
    if not module or not name:
        return None
    cls: type = getattr(importlib.import_module(f"aiostripe._generated.params.{module}"), name)
    return cls


def wire_name(key: str) -> str:
    """The name Stripe uses for a TypedDict key: `is_` -> `is`."""
    if key.endswith("_") and keyword.iskeyword(key[:-1]):
        return key[:-1]
    return key


@cache
def param_fields(td: type) -> dict[str, Param]:
    """The keys of a params TypedDict by wire name."""
    hints = typing.get_type_hints(td, include_extras=True)
    required_keys: frozenset[str] = getattr(td, "__required_keys__", frozenset())
    out: dict[str, Param] = {}
    for key, hint in hints.items():
        required = key in required_keys
        origin = get_origin(hint)
        if origin is typing.Required:
            required, hint = True, get_args(hint)[0]
        elif origin is typing.NotRequired:
            required, hint = False, get_args(hint)[0]
        out[wire_name(key)] = Param(wire_name(key), hint, required)
    return out


def union_members(t: Any) -> tuple[Any, ...]:
    """The members of a union type, or `(t,)`."""
    if get_origin(t) in (typing.Union, types.UnionType):
        return get_args(t)
    return (t,)


def allows_empty(t: Any) -> bool:
    """Whether `""` is a valid value of `t` (it has `Literal[""]`, Stripe's way to unset)."""
    return any(get_origin(m) is Literal and "" in get_args(m) for m in union_members(t))


FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"


def content_type_error(method: str, multipart: bool, header: str | None) -> str | None:
    """Why a POST's `Content-Type` is refused (Stripe's SDKs send the form type on every POST,
    empty or not, and `multipart/form-data` to `/v1/files`); None when it is right, and for
    GET and DELETE, whose parameters are in the query."""
    if method.upper() != "POST":
        return None
    expected = MULTIPART if multipart else FORM
    media = (header or "").split(";", 1)[0].strip().lower()
    if not media:
        return f"Request's `Content-Type` header was empty. Expected: `{expected}`."
    if media != expected:
        return (
            "Request's `Content-Type` didn't match the path's expected media type. "
            f"Expected: `{expected}`. Got: `{media}`."
        )
    return None


def validate(
    td: type | None, data: Mapping[str, Any], *, listing: bool = False
) -> dict[str, Any]:
    """`data` checked against the TypedDict `td` (None: the operation takes no parameters) and
    coerced to its types, keyed by wire name, then checked against Stripe's limits (`limits.py`;
    `listing`: a list or search, whose `limit` is 1 to 100). Raises `ParamError`."""
    if td is None:
        for key in data:
            raise ParamError(f"Received unknown parameter: {key}", key)
        return {}
    out = _check_typeddict(td, data, "")
    if isinstance(out.get("expand"), list):
        limits.check_expand(out["expand"], "expand")
    if listing and "limit" in out:
        limits.check_list_limit(out["limit"])
    return out


def _join(prefix: str, key: str) -> str:
    return f"{prefix}[{key}]" if prefix else key


def _check_typeddict(td: type, data: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    known = param_fields(td)
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = _join(prefix, key)
        param = known.get(key)
        if param is None:
            raise ParamError(f"Received unknown parameter: {name}", name)
        out[key] = check(param.type, value, name)
        _check_limits(td, key, out[key], name)
    for key, param in known.items():
        if param.required and key not in data:
            name = _join(prefix, key)
            raise ParamError(f"Missing required param: {name}.", name)
    return out


def _check_limits(td: type, key: str, value: Any, name: str) -> None:
    spec = limits.spec_limits(td).get(key)
    if spec:
        limits.check_spec_limits(spec, value, name)
    if key == "metadata" and isinstance(value, Mapping):
        limits.check_metadata(value, name)


def _describe(value: Any) -> str:
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list):
        return "an array"
    return repr(value)


def _kind(t: Any) -> str:
    if get_origin(t) is Literal:
        return "one of " + _one_of(get_args(t))
    if t is int or t is datetime:
        return "an integer"
    if t is float:
        return "a number"
    if t is bool:
        return "a boolean (true or false)"
    if t is str:
        return "a string"
    if get_origin(t) is list:
        return "an array"
    if get_origin(t) is dict or typing.is_typeddict(t):
        return "an object"
    return "a file" if t is bytes or t is IO or get_origin(t) is IO else "a value"


def _one_of(values: tuple[Any, ...]) -> str:
    shown = [str(v) for v in values if v != ""]
    if len(shown) <= 1:
        return "".join(shown)
    return ", ".join(shown[:-1]) + f", or {shown[-1]}"


def check(t: Any, value: Any, name: str) -> Any:
    """`value` as a value of type `t`, coerced from its form text; `ParamError` if it is not."""
    options = union_members(t)
    if len(options) > 1:
        return _check_union(options, value, name)
    if t is Any:
        return value
    origin = get_origin(t)
    if origin is Literal:
        values = get_args(t)
        if isinstance(value, str) and value in values:
            return value
        for v in values:  # a non-str literal (rare): compare its form text
            if not isinstance(v, str) and isinstance(value, str) and _form_text(v) == value:
                return v
        if isinstance(value, str):
            message = f"Invalid {name}: must be one of {_one_of(values)}"
        else:
            message = f"Invalid {name}: must be one of {_one_of(values)}, got {_describe(value)}"
        raise ParamError(message, name)
    if t is str:
        if isinstance(value, str):
            return value
    elif t is int or t is datetime:
        if isinstance(value, str) and _INT.fullmatch(value):
            return int(value)
    elif t is float:
        if isinstance(value, str) and _FLOAT.fullmatch(value):
            return float(value)
    elif t is bool:
        if value in ("true", "false"):
            return value == "true"
    elif t is bytes or t is IO or origin is IO:
        if isinstance(value, UploadedFile | str):
            return value
    elif origin is list:
        if isinstance(value, list):
            item = get_args(t)[0]
            return [check(item, v, f"{name}[{i}]") for i, v in enumerate(value)]
    elif origin is dict:
        if isinstance(value, list):  # `metadata[0]=x` decodes as a list
            value = {str(i): v for i, v in enumerate(value)}
        if isinstance(value, Mapping):
            item = get_args(t)[1]
            return {k: check(item, v, f"{name}[{k}]") for k, v in value.items()}
    elif typing.is_typeddict(t):
        if isinstance(value, Mapping):
            return _check_typeddict(t, value, name)
        if isinstance(value, list) and not value:
            return {}
    else:
        return value
    raise ParamError(f"Invalid {name}: must be {_kind(t)}, got {_describe(value)}", name)


def _check_union(options: tuple[Any, ...], value: Any, name: str) -> Any:
    if value == "" and any(get_origin(m) is Literal and "" in get_args(m) for m in options):
        return ""
    first: ParamError | None = None
    for option in sorted(options, key=lambda m: _preference(m, value)):
        if option is _NONE:
            continue
        try:
            return check(option, value, name)
        except ParamError as exc:
            if first is None:
                first = exc
    if first is None:
        raise ParamError(f"Invalid {name}", name)
    kinds = list(
        dict.fromkeys(_kind(m) for m in options if m is not _NONE and not _is_empty_literal(m))
    )
    if len(kinds) > 1 and not _shape_matches_one(options, value):
        message = f"Invalid {name}: must be {' or '.join(kinds)}"
        raise ParamError(f"{message}, got {_describe(value)}", name)
    raise first


def _is_empty_literal(t: Any) -> bool:
    return get_origin(t) is Literal and get_args(t) == ("",)


def _shape(t: Any) -> str:
    origin = get_origin(t)
    if origin is list:
        return "list"
    if origin is dict or typing.is_typeddict(t):
        return "dict"
    return "scalar"


def _value_shape(value: Any) -> str:
    if isinstance(value, Mapping):
        return "dict"
    if isinstance(value, list):
        return "list"
    return "scalar"


def _shape_matches_one(options: tuple[Any, ...], value: Any) -> bool:
    shape = _value_shape(value)
    return sum(1 for m in options if m is not _NONE and _shape(m) == shape) == 1


def _preference(t: Any, value: Any) -> int:
    """Order in which union members are tried: same shape as the value first, Literals before
    plain strings, so the error reported is the one of the member the caller meant."""
    if _shape(t) != _value_shape(value):
        return 3
    if get_origin(t) is Literal:
        return 0 if not _is_empty_literal(t) else 2
    return 1


def _form_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
