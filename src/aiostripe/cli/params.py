"""`--param key=value` pairs checked against an operation's parameters, and path ids."""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Sequence
from typing import Any, Literal, get_args, get_origin, is_typeddict

from aiostripe.cli.resources import Operation
from aiostripe.cli.usage import UsageError

_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\[[A-Za-z0-9_]*\]|\.[A-Za-z0-9_]+)*$")


def _unwrap(t: Any) -> Any:
    while get_origin(t) in (typing.Required, typing.NotRequired):
        t = get_args(t)[0]
    return t


def _members(t: Any) -> list[Any]:
    t = _unwrap(t)
    if get_origin(t) in (typing.Union, types.UnionType):
        return [_unwrap(m) for m in get_args(t)]
    return [t]


def _describe(t: Any) -> str:
    parts = []
    for m in _members(t):
        origin = get_origin(m)
        if m is str:
            parts.append("a string")
        elif m is bool:
            parts.append("true or false")
        elif m is int:
            parts.append("an integer")
        elif m is float:
            parts.append("a number")
        elif origin is Literal:
            parts.append("one of " + ", ".join(repr(a) for a in get_args(m)))
        elif is_typeddict(m):
            keys = ", ".join(typing.get_type_hints(m))
            parts.append(f"sub-keys [{keys}]")
        elif origin is list:
            parts.append("a list (repeat the parameter)")
        elif origin is dict:
            parts.append("sub-keys [name]")
        elif m is type(None):
            continue
        else:
            parts.append(getattr(m, "__name__", str(m)))
    return " or ".join(dict.fromkeys(parts)) or "a value"


def _scalar(t: Any, raw: str) -> Any:
    """`raw` as a value of type `t` (a member of a union); ValueError if it is not one."""
    origin = get_origin(t)
    if t is str or t is Any:
        return raw
    if t is bool:
        low = raw.lower()
        if low in ("true", "1", "yes"):
            return True
        if low in ("false", "0", "no"):
            return False
        raise ValueError
    if t is int:
        if not re.fullmatch(r"[+-]?\d+", raw.strip()):
            raise ValueError
        return int(raw)
    if t is float:
        return float(raw)
    if origin is Literal:
        for option in get_args(t):
            if str(option) == raw:
                return option
        raise ValueError
    raise ValueError


def _convert(t: Any, raw: str, name: str) -> Any:
    members = _members(t)
    for m in members:
        if get_origin(m) is list:
            (item,) = get_args(m) or (str,)
            return [_convert(item, raw, name)]
    for m in members:
        try:
            return _scalar(m, raw)
        except ValueError:
            continue
    raise UsageError(f"parameter {name!r} expects {_describe(t)}, got {raw!r}")


def _child_type(t: Any, key: str, name: str) -> Any:
    for m in _members(t):
        if is_typeddict(m):
            hints = typing.get_type_hints(m, include_extras=True)
            if key in hints:
                return hints[key]
        elif get_origin(m) is dict:
            return get_args(m)[1] if get_args(m) else str
    raise UsageError(f"parameter {name!r} has no sub-key {key!r}; expected {_describe(t)}")


def parse_params(op: Operation, pairs: Sequence[str]) -> dict[str, Any]:
    """`--param key=value` pairs as the call's parameters, checked against the operation."""
    out: dict[str, Any] = {}
    fields = op.fields
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UsageError(f"--param {pair!r}: expected KEY=VALUE")
        if not _KEY.match(key):
            raise UsageError(f"--param {pair!r}: malformed key {key!r}")
        path = re.findall(r"[A-Za-z0-9_]+", key)
        root = path[0]
        if root in op.path_params:
            if len(path) > 1:
                raise UsageError(f"parameter {root!r} is an id: pass {root}=<id>")
            out[root] = raw
            continue
        if root not in fields:
            known = sorted(fields)
            close = difflib.get_close_matches(root, known, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise UsageError(
                f"unknown parameter {root!r} for {op.name}; {hint}"
                f"expected one of: {', '.join(known) or '(none)'}"
            )
        t = fields[root]
        target = out
        for i, part in enumerate(path[1:], 1):
            name = "".join([path[0], *(f"[{p}]" for p in path[1:i])])
            t = _child_type(t, part, name)
            prev = target.get(path[i - 1])
            if prev is None:
                prev = target[path[i - 1]] = {}
            elif not isinstance(prev, dict):
                raise UsageError(f"parameter {name!r} is given both as a value and with sub-keys")
            target = prev
        leaf = path[-1]
        name = key if len(path) == 1 else re.sub(r"\.(\w+)", r"[\1]", key)
        if any(is_typeddict(m) or get_origin(m) is dict for m in _members(t)) and not any(
            m in (str, int, float, bool) or get_origin(m) in (Literal, list) for m in _members(t)
        ):
            raise UsageError(f"parameter {name!r} expects {_describe(t)}, e.g. {name}[key]=value")
        value = _convert(t, raw, name)
        if isinstance(value, list) and isinstance(target.get(leaf), list):
            target[leaf].extend(value)
        elif leaf in target:
            raise UsageError(f"parameter {name!r} is given twice")
        else:
            target[leaf] = value
    missing = sorted(k for k in op.required if k not in out)
    if missing:
        raise UsageError(
            f"{op.name} needs parameter(s) {', '.join(missing)}: pass --param "
            + " --param ".join(f"{m}=..." for m in missing)
        )
    return out


def path_ids(op: Operation, ids: Sequence[str], params: dict[str, Any]) -> list[str]:
    """The path parameters of the call, from positional ids or `--param name=id`."""
    given = list(ids)
    out = []
    for name in op.path_params:
        if name in params:
            out.append(params.pop(name))
        elif given:
            out.append(given.pop(0))
        else:
            raise UsageError(
                f"{op.name} needs {' and '.join(op.path_params)}: "
                f"aiostripe {op.kind if op.kind != 'retrieve' else 'get'} {op.resource} "
                + " ".join(f"<{n}>" for n in op.path_params)
            )
    if given:
        extra = " ".join(given)
        raise UsageError(f"unexpected argument(s) {extra!r}: {op.name} takes no more ids")
    return out
