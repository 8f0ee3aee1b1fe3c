"""Value limits of request parameters (`maxLength`, `minLength`, `minimum`, `maximum`), for the
fake server's validation: read from each parameter's schema and written to `param_limits.json`.

A limit applies to the scalar values of a parameter, whichever member of an `anyOf` or item of an
array they are (`anyOf: [{maxLength: 5000}, {enum: [""]}]` limits the string); the limits of a
nested object's properties belong to that object's own TypedDict.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from codegen import ir

KEYWORDS = ("maxLength", "minLength", "minimum", "maximum")


def param_limits(schema: dict[str, Any]) -> dict[str, float]:
    """The limits of one parameter's schema (empty when it has none)."""
    out: dict[str, float] = {}
    for key in KEYWORDS:
        if isinstance(schema.get(key), int | float) and not isinstance(schema.get(key), bool):
            out[key] = schema[key]
    for member in schema.get("anyOf") or schema.get("oneOf") or ():
        if not member.get("properties"):
            for key, value in param_limits(member).items():
                out.setdefault(key, value)
    items = schema.get("items")
    if isinstance(items, dict) and not items.get("properties"):
        for key, value in param_limits(items).items():
            out.setdefault(key, value)
    return out


def limits_json(services: list[ir.Service]) -> dict[str, dict[str, dict[str, float]]]:
    """`{"<params module>.<TypedDict>": {wire name: limits}}` for every TypedDict with limits."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for service in services:
        module = service.module
        for td in service.typed_dicts:
            limited = {f.wire: f.limits for f in td.fields if f.limits}
            if limited:
                out[f"{module}.{td.name}"] = limited
    return dict(sorted(out.items()))
