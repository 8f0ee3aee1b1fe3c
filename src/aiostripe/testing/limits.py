"""Stripe's limits on parameter values, checked after a value has its declared type.

Two sources:
- the spec's own `maxLength`/`minLength`/`minimum`/`maximum`, which the generator writes to
  `param_limits.json` (`{"<params module>.<TypedDict>": {wire name: limits}}`);
- the limits Stripe documents only in prose, listed in `PROSE` below: `metadata` has at most 50
  keys, keys of at most 40 characters, values of at most 500; a list's `limit` is 1 to 100; an
  `expand` path has at most 4 levels.

Each breach raises `ParamError` naming the parameter, with a message like Stripe's.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from aiostripe.testing.errors import ParamError
from aiostripe.testing.schema import generated_json

METADATA_KEYS = 50
METADATA_KEY_LENGTH = 40
METADATA_VALUE_LENGTH = 500
LIST_LIMIT = (1, 100)
EXPAND_DEPTH = 4

PROSE = {
    "metadata": f"at most {METADATA_KEYS} keys, keys of at most {METADATA_KEY_LENGTH} characters, "
    f"values of at most {METADATA_VALUE_LENGTH} characters",
    "limit": f"a list's limit is {LIST_LIMIT[0]} to {LIST_LIMIT[1]}",
    "expand": f"at most {EXPAND_DEPTH} levels (`a.b.c.d`)",
}
"""The prose limits this module checks, by parameter name (for docs and tests)."""


@cache
def _spec_limits() -> dict[str, dict[str, dict[str, float]]]:
    data: dict[str, dict[str, dict[str, float]]] = generated_json("param_limits.json")
    return data


@cache
def spec_limits(td: type) -> Mapping[str, Mapping[str, float]]:
    """The spec's limits of the keys of a params TypedDict, by wire name."""
    module = td.__module__.rsplit(".", 1)[-1]
    return _spec_limits().get(f"{module}.{td.__name__}", {})


def check_spec_limits(limits: Mapping[str, float], value: Any, name: str) -> None:
    """`value` (already of its declared type) within the spec's `limits`; lists item by item."""
    if isinstance(value, list):
        for i, item in enumerate(value):
            check_spec_limits(limits, item, f"{name}[{i}]")
        return
    if isinstance(value, str):
        longest, shortest = limits.get("maxLength"), limits.get("minLength")
        if longest is not None and len(value) > longest:
            raise ParamError(
                f"Invalid string: {_shown(value)}; must be at most {int(longest)} characters", name
            )
        if shortest is not None and value and len(value) < shortest:
            raise ParamError(
                f"Invalid string: {_shown(value)}; must be at least {int(shortest)} characters",
                name,
            )
    elif isinstance(value, int | float) and not isinstance(value, bool):
        check_range(value, limits.get("minimum"), limits.get("maximum"), name)


def check_range(value: float, low: float | None, high: float | None, name: str) -> None:
    """`low <= value <= high`, Stripe's `Invalid integer` error otherwise."""
    kind = "integer" if isinstance(value, int) else "number"
    if low is not None and value < low:
        raise ParamError(f"Invalid {kind}: {value}; must be at least {_number(low)}", name)
    if high is not None and value > high:
        raise ParamError(f"Invalid {kind}: {value}; must be at most {_number(high)}", name)


def check_metadata(value: Mapping[str, Any], name: str) -> None:
    """Stripe's metadata limits: 50 keys, keys up to 40 characters, values up to 500."""
    if len(value) > METADATA_KEYS:
        raise ParamError(
            f"Invalid {name}: metadata can have at most {METADATA_KEYS} keys, got {len(value)}",
            name,
        )
    for key, item in value.items():
        if len(key) > METADATA_KEY_LENGTH:
            raise ParamError(
                f"Invalid {name}: metadata keys must be at most {METADATA_KEY_LENGTH} characters, "
                f"got {len(key)} ({_shown(key)})",
                name,
            )
        if isinstance(item, str) and len(item) > METADATA_VALUE_LENGTH:
            raise ParamError(
                f"Invalid {name}[{key}]: metadata values must be at most "
                f"{METADATA_VALUE_LENGTH} characters, got {len(item)}",
                f"{name}[{key}]",
            )


def check_expand(paths: list[Any], name: str) -> None:
    """Each `expand` path has at most 4 levels."""
    for i, path in enumerate(paths):
        if isinstance(path, str) and path.count(".") >= EXPAND_DEPTH:
            raise ParamError(
                f"You cannot expand more than {EXPAND_DEPTH} levels of a property. "
                f"Property: {path}",
                f"{name}[{i}]",
            )


def check_list_limit(value: Any, name: str = "limit") -> None:
    """A list or search page holds 1 to 100 objects."""
    if isinstance(value, int) and not isinstance(value, bool):
        check_range(value, *LIST_LIMIT, name)


def _shown(text: str) -> str:
    return text if len(text) <= 20 else text[:20] + "..."


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
