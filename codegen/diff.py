"""API changelog between two Stripe OpenAPI specs: what changed for users of the generated client.

Usage::

    python -m codegen diff OLD NEW [--format markdown|json] [--breaking-only]
                                   [--fail-on-breaking] [-o FILE]

OLD and NEW are spec files (JSON or YAML), read with `codegen.spec.load_document` as they are: no
pin check, no overlays. The exit status is 0 (1 with `--fail-on-breaking` when a breaking change is
found, 2 when a spec cannot be read).

What is compared
----------------
* Operations (``VERB /path``): added, removed; the response type (first 2xx response; a non-JSON
  body is ``string(binary)``).
* Parameters of each operation that exists in both specs: query parameters and the top-level
  properties of the form body, and the properties of nested inline objects, written as paths:
  ``items[].price`` (array items), ``currency_options{}.unit_amount`` (map values),
  ``address.city`` (objects, also inside ``anyOf``). Added, removed, made required, made optional,
  retyped, enum values added or removed.
* Resources: component schemas with ``x-resourceId`` added or removed. Other component schemas
  added or removed are not reported on their own: they appear as the type of a field that was
  added, removed or retyped.
* Fields of every component schema present in both specs, and of their nested inline objects:
  added, removed, retyped, made nullable, made non-nullable, enum values added or removed.
  A field "may be None" when it is ``nullable`` or not in the schema's ``required`` list (the
  generated models type both as ``X | None``); a change of either is reported as made
  nullable / made non-nullable.

Types are compared by name, not as raw dicts: ``string``, ``integer``, ``number``, ``boolean``
(``string(binary)`` for uploads; other formats such as ``unix-time`` or ``decimal`` do not change
the Python type of a value and are ignored), the name of a ``$ref``,
``array of X``, ``map of X``, ``list of X`` / ``search_result of X`` for Stripe's list pages,
``object`` for an inline object (its properties are compared one by one instead), ``""`` for
Stripe's "emptyable" marker, and ``A | B`` (sorted) for ``anyOf``/``oneOf``. Enum values are not
part of a type name: they are compared as sets on their own. Component schemas are compared where
they are defined, so a ``$ref`` is not followed from a field, except when a field's single type
was swapped for another schema (often a renamed one): then the fields of the two schemas are
compared under the field's path, and a swap with no such difference is noted "same fields". In
parameters ``$ref``s are resolved. Nested objects are followed to a depth of `MAX_DEPTH`, and a
``$ref`` already being followed is not followed again (cycle guard). A new operation's parameters
and a new resource's fields are not listed one by one.

Breaking rules (for code written against the generated client)
---------------------------------------------------------------
Breaking:
  * an operation removed; a resource removed (its model class disappears);
  * a parameter removed, made required, or added as required (nested ones too, when the parent
    already existed);
  * a parameter retyped, unless it was only widened (the new type is a union holding every member
    of the old one, e.g. ``object`` -> ``"" | object``, or an enum became a free string): old
    calls still type-check and are still accepted;
  * an enum value removed from a parameter, or a free-string parameter restricted to an enum;
  * a field removed; a field made nullable (a reader may now get ``None``);
  * a field, a response or an ``anyOf`` schema retyped, unless it was only narrowed (the new
    members are a subset of the old ones): a reader may get a value of a type it does not handle.
Not breaking: everything added (operations, resources, optional parameters, fields, enum values of
parameters), a parameter made optional, a field made non-nullable, enum values added to or
removed from a response field, a field's enum turned into a free string or vice versa (the models
accept enum values they do not know).

Output
------
Markdown for a release note (counts, then the sections "Breaking changes", "Added", "Removed",
"Changed"; every change is listed once: the breaking ones only under "Breaking changes"; grouped by
operation and by resource/schema), or JSON for tools::

    {"old_version": str, "new_version": str,
     "summary": {"total": int, "breaking": int, "by_kind": {kind: int}, "breaking_by_kind": {...}},
     "changes": [{"kind": str, "breaking": bool, "operation": "VERB /path" | null,
                  "schema": str | null, "path": str | null, "old": str | null,
                  "new": str | null, "detail": str}, ...]}

`kind` is one of `KINDS`; `by_kind` lists every kind (zero included). `operation` is set for
operation, parameter and response changes, `schema` (a component schema name) for resource, schema
and field changes. `old`/`new` hold type names, enum values, operationIds or resource ids;
`detail` is the change as one Markdown sentence (without its operation/schema). An enum change is
one entry per value. Changes are sorted by operation (route, then verb), then schema, path and
kind, so the same inputs give the same bytes.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Schema = dict[str, Any]

MAX_DEPTH = 8
VERBS = ("get", "post", "put", "patch", "delete")

# kind -> (markdown section when not breaking, breaking by default)
KINDS: dict[str, tuple[str, bool]] = {
    "operation_added": ("Added", False),
    "operation_removed": ("Removed", True),
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

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "breaking": self.breaking,
            "operation": self.operation,
            "schema": self.schema,
            "path": self.path,
            "old": self.old,
            "new": self.new,
            "detail": describe(self),
        }


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


class Differ:
    """Collects the `Change`s between two specs."""

    def __init__(self, old: Schema, new: Schema) -> None:
        self.old = Doc(old)
        self.new = Doc(new)
        self.changes: list[Change] = []

    def emit(self, kind: str, *, breaking: bool | None = None, **fields: Any) -> None:
        if breaking is None:
            breaking = KINDS[kind][1]
        self.changes.append(Change(kind, breaking, **fields))

    def run(self) -> list[Change]:
        self.diff_operations()
        self.diff_schemas()
        return sorted(set(self.changes), key=Change.sort_key)

    # operations

    def diff_operations(self) -> None:
        old_ops, new_ops = self.old.operations(), self.new.operations()
        for key in sorted(new_ops.keys() - old_ops.keys()):
            op_id = str(new_ops[key].get("operationId", ""))
            self.emit("operation_added", operation=key, new=op_id or None)
        for key in sorted(old_ops.keys() - new_ops.keys()):
            op_id = str(old_ops[key].get("operationId", ""))
            self.emit("operation_removed", operation=key, old=op_id or None)
        for key in sorted(old_ops.keys() & new_ops.keys()):
            self.diff_operation(key, old_ops[key], new_ops[key])

    def diff_operation(self, key: str, old: Schema, new: Schema) -> None:
        old_resp, new_resp = self.old.response(old), self.new.response(new)
        if old_resp is not None and new_resp is not None:
            self.retyped("response_retyped", old_resp, new_resp, reader=True, operation=key)
        old_props, old_req = self.old.params(old)
        new_props, new_req = self.new.params(new)
        self.diff_params(key, "", (old_props, old_req), (new_props, new_req), 0,
                         frozenset(), frozenset())

    def diff_params(self, op: str, prefix: str, old: Props, new: Props, depth: int,
                    old_seen: frozenset[str], new_seen: frozenset[str]) -> None:
        (old_props, old_req), (new_props, new_req) = old, new
        for name in sorted(new_props.keys() - old_props.keys()):
            required = name in new_req
            self.emit("param_added", breaking=required, operation=op, path=_join(prefix, name),
                      new=type_name(new_props[name]),
                      note="required" if required else "optional")
        for name in sorted(old_props.keys() - new_props.keys()):
            self.emit("param_removed", operation=op, path=_join(prefix, name),
                      old=type_name(old_props[name]))
        for name in sorted(old_props.keys() & new_props.keys()):
            path = _join(prefix, name)
            if name in new_req and name not in old_req:
                self.emit("param_made_required", operation=op, path=path)
            elif name in old_req and name not in new_req:
                self.emit("param_made_optional", operation=op, path=path)
            self.diff_value(old_props[name], new_props[name], path, depth, reader=False,
                            old_seen=old_seen, new_seen=new_seen, operation=op)

    # schemas

    def diff_schemas(self) -> None:
        old_res, new_res = self.old.resources(), self.new.resources()
        for name in sorted(new_res - old_res):
            res_id = str(self.new.schemas[name]["x-resourceId"])
            self.emit("resource_added", schema=name, new=res_id)
        for name in sorted(old_res - new_res):
            res_id = str(self.old.schemas[name]["x-resourceId"])
            self.emit("resource_removed", schema=name, old=res_id)
        for name in sorted(self.old.schemas.keys() & self.new.schemas.keys()):
            old, new = self.old.schemas[name], self.new.schemas[name]
            if "properties" not in old and "properties" not in new:
                self.retyped("schema_retyped", old, new, reader=True, schema=name)
                continue
            self.diff_fields(name, "", self._fields(old), self._fields(new), 0)

    @staticmethod
    def _fields(schema: Schema) -> Props:
        return dict(schema.get("properties") or {}), set(schema.get("required") or [])

    def diff_fields(self, schema: str, prefix: str, old: Props, new: Props, depth: int) -> None:
        (old_props, old_req), (new_props, new_req) = old, new
        for name in sorted(new_props.keys() - old_props.keys()):
            self.emit("field_added", schema=schema, path=_join(prefix, name),
                      new=type_name(new_props[name]))
        for name in sorted(old_props.keys() - new_props.keys()):
            self.emit("field_removed", schema=schema, path=_join(prefix, name),
                      old=type_name(old_props[name]))
        for name in sorted(old_props.keys() & new_props.keys()):
            path = _join(prefix, name)
            o, n = old_props[name], new_props[name]
            old_none = is_nullable(o) or name not in old_req
            new_none = is_nullable(n) or name not in new_req
            if old_none != new_none:
                why = []
                if is_nullable(o) != is_nullable(n):
                    why.append("nullable" if is_nullable(n) else "not nullable")
                if (name in old_req) != (name in new_req):
                    why.append("always present" if name in new_req else "not always present")
                self.emit("field_made_nullable" if new_none else "field_made_non_nullable",
                          schema=schema, path=path, note="now " + " and ".join(why))
            self.diff_value(o, n, path, depth, reader=True, old_seen=frozenset(),
                            new_seen=frozenset(), schema=schema)

    # values (a field or a parameter)

    def diff_value(self, old: Schema, new: Schema, path: str, depth: int, *, reader: bool,
                   old_seen: frozenset[str], new_seen: frozenset[str], **where: Any) -> None:
        side = "field" if reader else "param"
        old_enum, new_enum = enum_values(old), enum_values(new)
        if old_enum is not None and new_enum is not None:
            for value in sorted(new_enum - old_enum):
                self.emit(f"{side}_enum_value_added", path=path, new=value, **where)
            for value in sorted(old_enum - new_enum):
                self.emit(f"{side}_enum_value_removed", path=path, old=value, **where)
        elif old_enum is None and new_enum is not None and type_name(old) == type_name(new):
            self.emit(f"{side}_retyped", breaking=not reader, path=path, old=type_name(old),
                      new=f"{type_name(new)} (enum)",
                      note=f"now restricted to: {_enum_list(new_enum)}", **where)
        elif old_enum is not None and new_enum is None and type_name(old) == type_name(new):
            self.emit(f"{side}_retyped", breaking=False, path=path,
                      old=f"{type_name(old)} (enum)", new=type_name(new),
                      note="no longer an enum", **where)
        # A field whose single type became another schema (often a renamed one): compare the
        # fields of the two schemas under this path, so the retype says what it means.
        swapped = (reader and type_name(old) != type_name(new)
                   and len(members(old)) == len(members(new)) == 1)
        before = len(self.changes)
        compared = depth + 1 < MAX_DEPTH and self.diff_children(
            old, new, path, depth, reader=reader, follow=swapped or not reader,
            old_seen=old_seen, new_seen=new_seen, **where)
        same = swapped and compared and len(self.changes) == before
        self.retyped(f"{side}_retyped", old, new, reader=reader, path=path,
                     note="same fields" if same else "", **where)

    def diff_children(self, old: Schema, new: Schema, path: str, depth: int, *, reader: bool,
                      follow: bool, old_seen: frozenset[str], new_seen: frozenset[str],
                      **where: Any) -> bool:
        """Compare the properties under two values; False when there is nothing to compare."""
        old_kids = children(self.old, old, follow, old_seen)
        new_kids = children(self.new, new, follow, new_seen)
        if old_kids is None or new_kids is None or old_kids[0] != new_kids[0]:
            return False
        sub = path + old_kids[0]
        if reader:
            self.diff_fields(where["schema"], sub, old_kids[1], new_kids[1], depth + 1)
        else:
            self.diff_params(where["operation"], sub, old_kids[1], new_kids[1], depth + 1,
                             old_kids[2], new_kids[2])
        return True

    def retyped(self, kind: str, old: Schema, new: Schema, *, reader: bool, note: str = "",
                **where: Any) -> None:
        """Report a change of type name; widening is safe for params, narrowing for readers."""
        old_name, new_name = type_name(old), type_name(new)
        if old_name == new_name:
            return
        old_m, new_m = members(old), members(new)
        if old_m < new_m:
            detail, breaking = "widened", reader
        elif new_m < old_m:
            detail, breaking = "narrowed", not reader
        else:
            detail, breaking = "", True
        note = ", ".join(part for part in (detail, note) if part)
        self.emit(kind, breaking=breaking, old=old_name, new=new_name, note=note, **where)


def diff(old: Schema, new: Schema) -> list[Change]:
    """Every change from spec `old` to spec `new`, sorted."""
    return Differ(old, new).run()


# --- output --------------------------------------------------------------------------------------


def summary(changes: list[Change]) -> dict[str, Any]:
    by_kind = {kind: 0 for kind in KINDS}
    breaking_by_kind = {kind: 0 for kind in KINDS}
    for change in changes:
        by_kind[change.kind] += 1
        breaking_by_kind[change.kind] += change.breaking
    return {
        "total": len(changes),
        "breaking": sum(c.breaking for c in changes),
        "by_kind": by_kind,
        "breaking_by_kind": breaking_by_kind,
    }


def to_json(old_version: str, new_version: str, changes: list[Change]) -> str:
    report = {
        "old_version": old_version,
        "new_version": new_version,
        "summary": summary(changes),
        "changes": [c.to_json() for c in changes],
    }
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def section_of(change: Change) -> str:
    return "Breaking changes" if change.breaking else KINDS[change.kind][0]


def _code(text: str | None) -> str:
    text = text or ""
    ticks = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _note(note: str) -> str:
    return f" ({note})" if note else ""


_ENUM_WORDS = {
    "param_enum_value_added": "accepts new values",
    "param_enum_value_removed": "no longer accepts values",
    "field_enum_value_added": "new values",
    "field_enum_value_removed": "values removed",
}


def describe(change: Change) -> str:
    """One Markdown line for a change, without its subject (the operation or schema)."""
    kind, path = change.kind, _code(change.path)
    if kind in _ENUM_WORDS:
        side = "param" if kind.startswith("param_") else "field"
        return f"{side} {path} {_ENUM_WORDS[kind]}: {_code(change.new or change.old)}"
    if kind == "operation_added":
        return f"new operation {_code(change.new)}" if change.new else "new operation"
    if kind == "operation_removed":
        return f"operation removed ({_code(change.old)})" if change.old else "operation removed"
    if kind == "resource_added":
        return "new resource"
    if kind == "resource_removed":
        return "resource removed"
    if kind in ("response_retyped", "schema_retyped"):
        what = "returns" if kind == "response_retyped" else "type"
        return f"{what} {_code(change.old)} → {_code(change.new)}{_note(change.note)}"
    side = "param" if kind.startswith("param_") else "field"
    if kind.endswith("_added"):
        return f"{side} {path} added: {_code(change.new)}{_note(change.note)}"
    if kind.endswith("_removed"):
        return f"{side} {path} removed (was {_code(change.old)})"
    if kind == "param_made_required":
        return f"param {path} is now required"
    if kind == "param_made_optional":
        return f"param {path} is now optional"
    if kind.endswith("_retyped"):
        return f"{side} {path} retyped: {_code(change.old)} → {_code(change.new)}" + _note(
            change.note)
    if kind == "field_made_nullable":
        return f"field {path} may now be null{_note(change.note)}"
    if kind == "field_made_non_nullable":
        return f"field {path} is now never null{_note(change.note)}"
    return f"{kind} {path}{_note(change.note)}"


def _lines(changes: list[Change]) -> Iterator[str]:
    """Lines for the changes of one subject, enum values of one path grouped on one line."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for change in changes:
        if change.kind in _ENUM_WORDS:
            grouped.setdefault((change.kind, change.path or ""), []).append(
                (change.new if change.kind.endswith("_added") else change.old) or "")
    done: set[tuple[str, str]] = set()
    for change in changes:
        if change.kind not in _ENUM_WORDS:
            yield describe(change)
            continue
        key = (change.kind, change.path or "")
        if key in done:
            continue
        done.add(key)
        side = "param" if change.kind.startswith("param_") else "field"
        values = ", ".join(_code(v) for v in sorted(grouped[key]))
        yield f"{side} {_code(change.path)} {_ENUM_WORDS[change.kind]}: {values}"


def _whole(change: Change) -> bool:
    return change.kind in ("operation_added", "operation_removed", "resource_added",
                           "resource_removed")


def to_markdown(old_version: str, new_version: str, changes: list[Change],
                sections: Iterable[str] = SECTIONS,
                command: str = "python -m codegen diff OLD NEW") -> str:
    """The release-note form: title, counts, then `sections` (all four unless filtered)."""
    counts = summary(changes)
    out = [f"# API changes {old_version or '?'} → {new_version or '?'}", ""]
    out.append(f"**{counts['total']} changes, {counts['breaking']} breaking.** Each change is "
               "listed once: breaking changes only under *Breaking changes*. Generated by "
               f"`{command}`.")
    out += ["", "| change | count | breaking |", "|---|---:|---:|"]
    for kind in KINDS:
        if counts["by_kind"][kind]:
            out.append(f"| {kind} | {counts['by_kind'][kind]} | "
                       f"{counts['breaking_by_kind'][kind]} |")
    out.append(f"| **total** | **{counts['total']}** | **{counts['breaking']}** |")
    for section in sections:
        out += ["", f"## {section}", ""]
        mine = [c for c in changes if section_of(c) == section]
        if not mine:
            out.append("None.")
            continue
        for title, ops in (("Operations", True), ("Resources and objects", False)):
            part = [c for c in mine if bool(c.operation) == ops]
            if not part:
                continue
            if out[-1]:
                out.append("")
            out += [f"### {title} ({len(part)})", ""]
            subjects: dict[str, list[Change]] = {}
            for change in part:
                subjects.setdefault(change.subject, []).append(change)
            for subject, group in subjects.items():
                whole = [c for c in group if _whole(c)]
                rest = [c for c in group if not _whole(c)]
                head = f"- {_code(subject)}"
                if whole:
                    head += " — " + "; ".join(describe(c) for c in whole)
                out.append(head)
                out += [f"  - {line}" for line in _lines(rest)]
    return "\n".join(out) + "\n"


# --- command line --------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m codegen diff",
        description="API changelog between two Stripe OpenAPI specs (JSON or YAML).")
    parser.add_argument("old", type=Path, help="the older spec")
    parser.add_argument("new", type=Path, help="the newer spec")
    parser.add_argument("--format", choices=("markdown", "json"), default="markdown")
    parser.add_argument("--breaking-only", action="store_true", help="report breaking changes only")
    parser.add_argument("--fail-on-breaking", action="store_true",
                        help="exit 1 when there is a breaking change")
    parser.add_argument("-o", "--output", type=Path, help="write the report here, not stdout")
    args = parser.parse_args(argv)

    from codegen.spec import SpecError, load_document

    try:
        old, new = load_document(args.old), load_document(args.new)
    except (OSError, ValueError, SpecError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    changes = diff(old, new)
    if args.breaking_only:
        changes = [c for c in changes if c.breaking]
    old_version = str(old.get("info", {}).get("version", ""))
    new_version = str(new.get("info", {}).get("version", ""))
    if args.format == "json":
        text = to_json(old_version, new_version, changes)
    else:
        sections = ("Breaking changes",) if args.breaking_only else SECTIONS
        command = " ".join(["python -m codegen diff", str(args.old), str(args.new),
                            *(["--breaking-only"] if args.breaking_only else [])])
        text = to_markdown(old_version, new_version, changes, sections, command)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 1 if args.fail_on_breaking and any(c.breaking for c in changes) else 0
