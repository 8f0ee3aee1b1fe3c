"""Checks a decoded JSON answer against an operation's response schema in the OpenAPI spec itself
(not our IR): required fields present, types, enums, `nullable`, `anyOf`, arrays, maps, and no
field the schema does not declare. Returns the mismatches as `path: problem` lines."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

from codegen import spec

Schema = dict[str, Any]


@cache
def _doc() -> Schema:
    return spec.load()  # the pinned spec with our overlays (the preview endpoints)


def response_schema(verb: str, path: str) -> Schema:
    """The 200 JSON schema of an operation."""
    content = _doc()["paths"][path][verb]["responses"]["200"]["content"]
    schema: Schema = content["application/json"]["schema"]
    return schema


def _resolve(schema: Schema) -> Schema:
    while "$ref" in schema:
        schema = _doc()["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def mismatches(value: Any, schema: Schema, where: str = "$") -> Iterator[str]:
    """Every way `value` breaks `schema` (nothing when it fits)."""
    schema = _resolve(schema)
    if value is None:
        if not schema.get("nullable"):
            yield f"{where}: null, but the schema does not allow it"
        return
    members = schema.get("anyOf") or schema.get("oneOf")
    if members:
        if not any(next(mismatches(value, m, where), None) is None for m in members):
            first = [next(mismatches(value, m, where), "") for m in members]
            yield f"{where}: fits none of {len(members)} alternatives ({'; '.join(first)[:300]})"
        return
    if "enum" in schema and value not in schema["enum"]:
        yield f"{where}: {value!r} is not one of {schema['enum'][:8]}"
        return
    yield from _typed(value, schema, where)


_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


def _typed(value: Any, schema: Schema, where: str) -> Iterator[str]:
    kind = schema.get("type") or ("object" if "properties" in schema else None)
    if kind is None:
        return
    expected = _TYPES[kind]
    if not isinstance(value, expected) or (isinstance(value, bool) and bool not in expected):
        yield f"{where}: expected {kind}, got {type(value).__name__} {str(value)[:40]!r}"
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            yield from mismatches(item, schema.get("items", {}), f"{where}[{i}]")
    elif isinstance(value, dict):
        yield from _object(value, schema, where)


def _object(value: dict[str, Any], schema: Schema, where: str) -> Iterator[str]:
    props: dict[str, Schema] = schema.get("properties", {})
    for name in schema.get("required", []):
        if name not in value:
            yield f"{where}: required field {name!r} is missing"
    extra = schema.get("additionalProperties")
    for name, item in value.items():
        if name in props:
            yield from mismatches(item, props[name], f"{where}.{name}")
        elif isinstance(extra, dict):
            yield from mismatches(item, extra, f"{where}.{name}")
        elif props:
            yield f"{where}: field {name!r} is not in the schema"


def lacks_required(data: dict[str, Any]) -> bool:
    """Whether a Stripe object lacks a field its schema in the pinned spec requires (anywhere in
    its tree), by the spec itself; fields the spec does not know do not count."""
    schema_id = ("deleted_" if data.get("deleted") is True else "") + data["object"]
    if schema_id not in _doc()["components"]["schemas"]:
        return False  # an object type the pinned spec does not know (it parses as StripeObject)
    return any("is missing" in m for m in mismatches(data, {"$ref": SCHEMAS + schema_id}))


SCHEMAS = "#/components/schemas/"
