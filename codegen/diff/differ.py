"""`Differ`: walks two specs side by side and collects every `Change` between them (`diff`)."""

from __future__ import annotations

import re
from typing import Any

from codegen.diff.schema import (
    KINDS,
    MAX_DEPTH,
    Change,
    Doc,
    Props,
    Schema,
    _enum_list,
    _join,
    children,
    covers,
    enum_values,
    is_nullable,
    members,
    type_name,
)


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
        for old_key, new_key in self.renamed_placeholders(old_ops, new_ops):
            old_op, new_op = old_ops.pop(old_key), new_ops.pop(new_key)
            self.emit("path_param_renamed", operation=new_key, old=old_key.partition(" ")[2],
                      new=new_key.partition(" ")[2],
                      note=", ".join(f"{a} → {b}" for a, b in _placeholder_pairs(old_key, new_key)))
            self.diff_operation(new_key, old_op, new_op)
        for key in sorted(new_ops.keys() - old_ops.keys()):
            op_id = str(new_ops[key].get("operationId", ""))
            self.emit("operation_added", operation=key, new=op_id or None)
        for key in sorted(old_ops.keys() - new_ops.keys()):
            op_id = str(old_ops[key].get("operationId", ""))
            self.emit("operation_removed", operation=key, old=op_id or None)
        for key in sorted(old_ops.keys() & new_ops.keys()):
            self.diff_operation(key, old_ops[key], new_ops[key])

    @staticmethod
    def renamed_placeholders(old_ops: dict[str, Schema],
                             new_ops: dict[str, Schema]) -> list[tuple[str, str]]:
        """(old key, new key) of operations whose only change of route is the name of a path
        placeholder (`{currency}` -> `{rate_id}`): one renamed operation, not a removal and an
        addition. A keyword caller of the path argument (`retrieve(currency=...)`) breaks."""
        gone = {_shape(k): k for k in old_ops.keys() - new_ops.keys()}
        out = []
        for key in sorted(new_ops.keys() - old_ops.keys()):
            old_key = gone.get(_shape(key))
            if old_key is not None:
                out.append((old_key, key))
        return out

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
        wider, narrower = covers(new, old), covers(old, new)
        if wider and not narrower:
            detail, breaking = "widened", reader
        elif narrower and not wider:
            detail, breaking = "narrowed", not reader
        elif wider and narrower:
            detail, breaking = "same values", False
        else:
            detail, breaking = "", True
        note = ", ".join(part for part in (detail, note) if part)
        self.emit(kind, breaking=breaking, old=old_name, new=new_name, note=note, **where)


_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _shape(key: str) -> str:
    """`GET /v1/exchange_rates/{currency}` -> `GET /v1/exchange_rates/{}`."""
    return _PLACEHOLDER.sub("{}", key)


def _placeholder_pairs(old_key: str, new_key: str) -> list[tuple[str, str]]:
    pairs = zip(_PLACEHOLDER.findall(old_key), _PLACEHOLDER.findall(new_key), strict=True)
    return [(a, b) for a, b in pairs if a != b]


def diff(old: Schema, new: Schema) -> list[Change]:
    """Every change from spec `old` to spec `new`, sorted."""
    return Differ(old, new).run()
