"""The changelog's records (`Change`, the kinds and their sections) and how it reads a schema:
type names, enum values, nullability, and the children of a schema (`Doc`, `children`)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

Schema = dict[str, Any]

MAX_DEPTH = 8
VERBS = ("get", "post", "put", "patch", "delete")

# kind -> (markdown section when not breaking, breaking by default)
KINDS: dict[str, tuple[str, bool]] = {
    "operation_added": ("Added", False),
    "operation_removed": ("Removed", True),
    "path_param_renamed": ("Changed", True),
    "response_retyped": ("Changed", True),
    "param_added": ("Added", False),
    "param_removed": ("Removed", True),
    "param_made_required": ("Changed", True),
    "param_made_optional": ("Changed", False),
    "param_retyped": ("Changed", True),
    "param_enum_value_added": ("Added", False),
    "param_enum_value_removed": ("Removed", True),
    "resource_added": ("Added", False),
    "resource_removed": ("Removed", True),
    "schema_retyped": ("Changed", True),
    "field_added": ("Added", False),
    "field_removed": ("Removed", True),
    "field_retyped": ("Changed", True),
    "field_made_nullable": ("Changed", True),
    "field_made_non_nullable": ("Changed", False),
    "field_enum_value_added": ("Added", False),
    "field_enum_value_removed": ("Removed", False),
}
_KIND_ORDER = {kind: i for i, kind in enumerate(KINDS)}
SECTIONS = ("Breaking changes", "Added", "Removed", "Changed")


@dataclass(frozen=True)
class Change:
    """One reported difference. Exactly one of `operation` and `schema` is set."""

    kind: str
    breaking: bool
    operation: str | None = None
    schema: str | None = None
    path: str | None = None
    old: str | None = None
    new: str | None = None
    note: str = ""  # a qualifier such as "widened" or "required", part of `describe()`

    @property
    def subject(self) -> str:
        return self.operation or self.schema or ""

    def sort_key(self) -> tuple[Any, ...]:
        if self.operation:
            verb, _, route = self.operation.partition(" ")
            subject: tuple[Any, ...] = (0, route, _verb_rank(verb))
        else:
            subject = (1, self.schema or "", 0)
        return (*subject, self.path or "", _KIND_ORDER[self.kind], self.old or "", self.new or "",
                self.note, self.breaking)


def _verb_rank(verb: str) -> int:
    low = verb.lower()
    return VERBS.index(low) if low in VERBS else len(VERBS)


# --- type names ----------------------------------------------------------------------------------


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _variants(schema: Schema) -> list[Schema] | None:
    members = schema.get("anyOf") or schema.get("oneOf")
    return list(members) if isinstance(members, list) else None


def _page_kind(schema: Schema) -> str | None:
    """`list` / `search_result` for Stripe's inline list-page objects, else None."""
    props = schema.get("properties")
    if not isinstance(props, dict) or "data" not in props or "has_more" not in props:
        return None
    tag = props.get("object", {}).get("enum")
    if isinstance(tag, list) and len(tag) == 1 and tag[0] in ("list", "search_result"):
        return str(tag[0])
    return None


def _paren(name: str) -> str:
    return f"({name})" if " | " in name else name


def members(schema: Schema) -> frozenset[str]:
    """The names of the alternatives of a type (one for a non-union type)."""
    if "$ref" in schema:
        return frozenset({_ref_name(schema["$ref"])})
    variants = _variants(schema)
    if variants is not None:
        out: set[str] = set()
        for variant in variants:
            out |= members(variant)
        return frozenset(out)
    return frozenset({_single_name(schema)})


def _leaves(schema: Schema) -> list[Schema]:
    """The alternatives of a type, `anyOf`/`oneOf` flattened (a `$ref` is one alternative)."""
    variants = _variants(schema) if "$ref" not in schema else None
    if variants is None:
        return [schema]
    return [leaf for variant in variants for leaf in _leaves(variant)]


def _element(schema: Schema) -> tuple[str, Schema] | None:
    """(container kind, element type) of an array, a map or a list page; None for others."""
    if "$ref" in schema or schema.get("enum") == [""]:
        return None
    if schema.get("type") == "array":
        return "array", schema.get("items") or {}
    page = _page_kind(schema)
    if page:
        return page, schema["properties"]["data"].get("items") or {}
    extra = schema.get("additionalProperties")
    if (schema.get("type") == "object" or "properties" in schema) and not schema.get(
            "properties") and isinstance(extra, dict) and extra:
        return "map", extra
    return None


def covers(wide: Schema, narrow: Schema) -> bool:
    """Every value of type `narrow` is a value of type `wide`, by type names: each alternative
    of `narrow` is an alternative of `wide`, or a container (array, map, list page) of the same
    kind whose element type `wide`'s element type covers (`array of A` < `array of (A | B)`)."""
    wide_leaves = _leaves(wide)
    return all(any(_leaf_covers(w, n) for w in wide_leaves) for n in _leaves(narrow))


def _leaf_covers(wide: Schema, narrow: Schema) -> bool:
    if members(wide) == members(narrow):
        return True
    w, n = _element(wide), _element(narrow)
    return w is not None and n is not None and w[0] == n[0] and covers(w[1], n[1])


def type_name(schema: Schema) -> str:
    """The structural name of a type, e.g. `string`, `array of price`, `"" | object`."""
    return " | ".join(sorted(members(schema)))


def _single_name(schema: Schema) -> str:
    if schema.get("enum") == [""]:
        return '""'
    kind = schema.get("type")
    if kind == "array":
        return f"array of {_paren(type_name(schema.get('items') or {}))}"
    if kind == "object" or "properties" in schema:
        page = _page_kind(schema)
        if page:
            items = schema["properties"]["data"].get("items") or {}
            return f"{page} of {_paren(type_name(items))}"
        extra = schema.get("additionalProperties")
        if not schema.get("properties") and isinstance(extra, dict) and extra:
            return f"map of {_paren(type_name(extra))}"
        return "object"
    if isinstance(kind, str):
        return f"{kind}(binary)" if schema.get("format") == "binary" else kind
    return "any"


def _value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def enum_values(schema: Schema) -> frozenset[str] | None:
    """The enum values a value may take (through anyOf and array items), None when not an enum.

    Stripe's emptyable marker (`enum: [""]`) is part of the type name, not an enum.
    """
    found: set[str] = set()

    def walk(node: Schema) -> None:
        if "$ref" in node:
            return
        variants = _variants(node)
        if variants is not None:
            for variant in variants:
                walk(variant)
            return
        enum = node.get("enum")
        if isinstance(enum, list):
            if enum != [""]:
                found.update(_value(v) for v in enum)
            return
        if node.get("type") == "array":
            walk(node.get("items") or {})

    walk(schema)
    return frozenset(found) if found else None


def is_nullable(schema: Schema) -> bool:
    if schema.get("nullable"):
        return True
    variants = _variants(schema)
    return any(is_nullable(v) for v in variants) if variants else False


# --- spec access ---------------------------------------------------------------------------------


class Doc:
    """Read access to one spec: `$ref` resolution, operations, parameters, schemas."""

    def __init__(self, doc: Schema) -> None:
        self.doc = doc
        self.schemas: dict[str, Schema] = doc.get("components", {}).get("schemas", {}) or {}

    def lookup(self, ref: str) -> Schema:
        node: Any = self.doc
        for part in ref.lstrip("#/").split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            node = node.get(part, {}) if isinstance(node, dict) else {}
        return node if isinstance(node, dict) else {}

    def deref(self, node: Schema) -> Schema:
        seen: set[str] = set()
        while "$ref" in node and node["$ref"] not in seen:
            seen.add(node["$ref"])
            node = self.lookup(node["$ref"])
        return node

    def operations(self) -> dict[str, Schema]:
        out: dict[str, Schema] = {}
        for route, item in (self.doc.get("paths") or {}).items():
            for verb, op in (item or {}).items():
                if verb in VERBS and isinstance(op, dict):
                    out[f"{verb.upper()} {route}"] = op
        return out

    def params(self, op: Schema) -> tuple[dict[str, Schema], set[str]]:
        """Query parameters and top-level form-body properties, and which are required."""
        props: dict[str, Schema] = {}
        required: set[str] = set()
        for param in op.get("parameters", []) or []:
            param = self.deref(param)
            if param.get("in") != "query" or "name" not in param:
                continue
            props[param["name"]] = param.get("schema") or {}
            if param.get("required"):
                required.add(param["name"])
        content = self.deref(op.get("requestBody") or {}).get("content") or {}
        for media in sorted(content):
            body = self.deref((content[media] or {}).get("schema") or {})
            props.update(body.get("properties") or {})
            required.update(body.get("required") or [])
            break
        return props, required

    def response(self, op: Schema) -> Schema | None:
        responses = op.get("responses") or {}
        codes = sorted(c for c in responses if str(c).startswith("2"))
        if not codes:
            return None
        content = self.deref(responses[codes[0]] or {}).get("content") or {}
        if "application/json" in content:
            schema: Schema = content["application/json"].get("schema") or {}
            return schema
        return {"type": "string", "format": "binary"} if content else None

    def resources(self) -> set[str]:
        return {name for name, s in self.schemas.items() if "x-resourceId" in s}


Props = tuple[dict[str, Schema], set[str]]


def children(doc: Doc, schema: Schema, follow_refs: bool, seen: frozenset[str],
             suffix: str = "") -> tuple[str, Props, frozenset[str]] | None:
    """The properties under a value: (path suffix like `[]`, (props, required), refs followed).

    Object members of an `anyOf` are merged (a property is required when every member that has
    it requires it). List pages have no children: their type name names the item type.
    """
    if "$ref" in schema:
        ref = schema["$ref"]
        if not follow_refs or ref in seen:
            return None
        return children(doc, doc.lookup(ref), follow_refs, seen | {ref}, suffix)
    variants = _variants(schema)
    if variants is not None:
        found = [c for v in variants if (c := children(doc, v, follow_refs, seen, suffix))]
        if not found:
            return None
        props: dict[str, Schema] = {}
        optional: set[str] = set()
        required: set[str] = set()
        for _, (p, req), _ in found:
            for name, sub in p.items():
                props.setdefault(name, sub)
                (required if name in req else optional).add(name)
        followed = frozenset().union(*(c[2] for c in found))
        return found[0][0], (props, required - optional), followed
    if schema.get("type") == "array":
        return children(doc, schema.get("items") or {}, follow_refs, seen, suffix + "[]")
    if _page_kind(schema):
        return None
    if schema.get("properties"):
        return suffix, (dict(schema["properties"]), set(schema.get("required") or [])), seen
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict) and extra:
        return children(doc, extra, follow_refs, seen, suffix + "{}")
    return None


# --- the diff ------------------------------------------------------------------------------------


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _enum_list(values: Iterable[str]) -> str:
    return ", ".join(sorted(values))
