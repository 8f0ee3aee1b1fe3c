"""The operation table of the fake, read from the generated `ir.json`: routes and what each does.

Every operation of the spec is served. Its behaviour is derived from its shape, not listed by hand:
`create` (POST to a collection), `retrieve`/`update`/`delete` (a path ending in an id), `action`
(POST to `.../{id}/<verb>`), `list`, `search`, `binary`, `static` (singletons and previews such as
`/v1/balance` or `/v1/tax/settings`) and `delete_field` (`DELETE /v1/customers/{c}/discount`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any
from urllib.parse import unquote

import attrs

from aiostripe.testing.schema import (
    class_for,
    classes_of,
    fields,
    generated_json,
    is_deleted,
    object_name,
)
from aiostripe.testing.validate import params_class


@attrs.frozen
class Operation:
    """One operation of `ir.json`, plus the behaviour the fake gives it."""

    verb: str
    path: str
    service: tuple[str, ...]
    method: str
    kind: str
    returns: str
    path_params: tuple[str, ...]
    """The path parameters in the order of the path (parents first), which is also the order
    the client method takes them in."""
    params: str | None
    params_module: str | None
    param_location: str
    host: str
    multipart: bool
    preview: bool
    behaviour: str = ""

    @property
    def key(self) -> str:
        """`"POST /v1/customers"`"""
        return f"{self.verb.upper()} {self.path}"

    @property
    def name(self) -> str:
        """The client method: `"customers.balance_transactions.list"`."""
        return ".".join((*self.service, self.method))

    @property
    def segments(self) -> tuple[str, ...]:
        return tuple(self.path.strip("/").split("/"))

    @property
    def ends_with_id(self) -> bool:
        return self.path.endswith("}")

    def params_type(self) -> type | None:
        """The params TypedDict of this operation (None when it takes no parameters)."""
        return params_class(self.params_module, self.params)

    def result_classes(self) -> list[type]:
        """The model classes `returns` names (the item types for lists and searches)."""
        return _result_classes(self.returns)


@cache
def _result_classes(returns: str) -> list[type]:
    if returns == "bytes":
        return []
    return list(classes_of(returns))


def _behaviour(op: dict[str, Any], list_paths: set[str]) -> str:
    kind, verb, path = op["kind"], op["verb"], op["path"]
    if kind in ("list", "search", "binary"):
        return str(kind)
    if path.endswith("}"):
        return {"get": "retrieve", "post": "update", "delete": "delete"}[verb]
    if verb == "get" or op["method"] == "update":
        return "static"
    if verb == "delete":
        return "delete_field"
    if op["method"] == "create" or path in list_paths:
        return "create"
    if op["path_params"]:
        return "action"
    method = op["method"]
    classes = _result_classes(op["returns"])
    if method.startswith("create") and "preview" not in method and "id" in fields(classes[0]):
        return "create"
    return "static"


@cache
def operations() -> tuple[Operation, ...]:
    """Every operation of the generated client, with its behaviour."""
    raw = generated_json("ir.json")["operations"]
    list_paths = {o["path"] for o in raw if o["kind"] == "list"}
    return tuple(
        Operation(
            verb=o["verb"],
            path=o["path"],
            service=tuple(o["service"]),
            method=o["method"],
            kind=o["kind"],
            returns=o["returns"] or "bytes",
            path_params=tuple(p["wire"] for p in o["path_params"]),
            params=o.get("params"),
            params_module=o.get("params_module"),
            param_location=o.get("param_location", "query"),
            host=o.get("host", "api"),
            multipart=bool(o.get("multipart")),
            preview=bool(o.get("preview")),
            behaviour=_behaviour(o, list_paths),
        )
        for o in raw
    )


class Router:
    """Finds the operation of a request path; literal segments win over `{param}` segments."""

    def __init__(self, ops: Iterable[Operation]) -> None:
        self._routes: dict[tuple[str, int], list[tuple[tuple[str, ...], Operation]]] = defaultdict(
            list
        )
        self.by_template: dict[tuple[str, str], Operation] = {}
        self.by_shape: dict[tuple[str, str], Operation] = {}
        for op in ops:
            segments = op.segments
            self._routes[(op.verb, len(segments))].append((segments, op))
            self.by_template[(op.verb, op.path)] = op
            self.by_shape.setdefault((op.verb, _shape(op.path)), op)
        for routes in self._routes.values():
            routes.sort(key=lambda r: tuple(s.startswith("{") for s in r[0]))
        self._targets: dict[tuple[Operation, str], type | None] = {}

    def match(self, verb: str, raw_path: str) -> tuple[Operation, dict[str, str]] | None:
        """The operation for `verb` on the (still percent-encoded) `raw_path`, with its path
        parameters decoded; None if no operation matches."""
        parts = raw_path.strip("/").split("/")
        for segments, op in self._routes.get((verb.lower(), len(parts)), ()):
            values: dict[str, str] = {}
            for pattern, part in zip(segments, parts, strict=True):
                if pattern.startswith("{"):
                    if not part:
                        break
                    values[pattern[1:-1]] = unquote(part)
                elif pattern != part:
                    break
            else:
                return op, values
        return None

    def target_type(self, op: Operation, param: str) -> type | None:
        """The model class the path parameter `param` of `op` holds the id of (`{customer}` in
        `/v1/customers/{customer}/tax_ids` -> `Customer`): the result of the GET (else POST,
        DELETE) operation on the path up to that parameter; None if none is known."""
        key = (op, param)
        if key not in self._targets:
            self._targets[key] = _target_type(self, op, param)
        return self._targets[key]


@cache
def router() -> Router:
    """The router over every operation (shared: it holds no state)."""
    return Router(operations())


def _target_type(router: Router, op: Operation, param: str) -> type | None:
    marker = "{" + param + "}"
    prefix = _shape(op.path[: op.path.index(marker) + len(marker)])
    for candidate in (prefix, prefix.replace("/test_helpers/", "/", 1)):
        for verb in ("get", "post", "delete"):
            other = router.by_shape.get((verb, candidate))
            if other is not None:
                live = [c for c in other.result_classes() if not is_deleted(c)]
                if live:
                    return pick_class(live, op, param)
    if op.path_params and op.path_params[-1] == param and op.behaviour == "action":
        live = [c for c in op.result_classes() if not is_deleted(c)]
        if live:
            return live[0]
    return class_for(singular_name(op, param))


def pick_class(classes: list[type], op: Operation, param: str | None = None) -> type:
    """Which of several classes a path holds (`/v1/customers/{c}/sources/{id}`: `BankAccount |
    Card | Source`, not `Account`): the one named like the collection segment before `param`
    (the last segment when None), else the first with a field named like a parent parameter."""
    if len(classes) == 1:
        return classes[0]
    segments = op.segments
    marker = "{" + param + "}" if param is not None else None
    index = segments.index(marker) if marker in segments else len(segments)
    collection = segments[index - 1].removesuffix("s") if index > 0 else ""
    for cls in classes:
        if object_name(cls) == collection:
            return cls
    parents = [p for p in op.path_params if p != param and p != "id"]
    for parent in parents:
        for cls in classes:
            if parent in fields(cls):
                return cls
    return classes[0]


def _shape(path: str) -> str:
    """A path template with its parameter names dropped: `/v1/customers/{}`."""
    return re.sub(r"\{[^}]*\}", "{}", path)


def singular_name(op: Operation, param: str) -> str:
    """The object type a missing id is reported as (`No such customer: 'cus_x'`), from the
    collection segment before the parameter when no operation tells."""
    segments = op.segments
    marker = "{" + param + "}"
    index = segments.index(marker) if marker in segments else len(segments)
    collection = segments[index - 1] if index > 0 else param
    namespace = segments[index - 2] if index > 2 and not segments[index - 2].startswith("{") else ""
    base = collection.removesuffix("s")
    return f"{namespace}.{base}" if namespace and namespace != "v1" else base


def object_names(classes: Iterable[type]) -> frozenset[str]:
    """The `object` values of some model classes."""
    return frozenset(n for n in (object_name(c) for c in classes) if n is not None)


def link_fields(param: str, owner: Mapping[str, Any]) -> tuple[str, ...]:
    """Fields through which an object may point at its parent: the path parameter's name, and
    the parent's object type (`{id}` under `/v1/transfers` -> `transfer`)."""
    names = [] if param == "id" else [param]
    kind = str(owner.get("object", "")).rsplit(".", 1)[-1]
    if kind and kind not in names:
        names.append(kind)
    return tuple(names)
