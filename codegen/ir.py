"""The typed intermediate representation: the spec turned into models, params, services, operations.

Everything the templates print is decided here (names, type expressions, which names a module
imports); templates only lay it out. The same IR drives the fake Stripe server of
`aiostripe.testing`, through the operation table the generator writes.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from typing import Any

from codegen import naming
from codegen.aliases import add_aliases
from codegen.limits import param_limits
from codegen.location import at, pointer
from codegen.servers import DEFAULT_SERVER, server_of

Schema = dict[str, Any]

# Where a type expression names a model (for imports): a word starting with a capital.
_MODEL_REF = re.compile(r"\b([A-Z][A-Za-z0-9]*)\b")
_TYPING_NAMES = {"Literal", "Any", "None", "ListObject", "SearchResult", "StripeObject", "Required",
                 "IO", "datetime", "EventObjectT", "Int64", "Decimal", "V2ListObject"}


@dataclass
class Field:
    name: str  # Python attribute name
    wire: str  # JSON key
    type: str  # annotation expression
    required: bool  # False: defaults to None
    description: str


@dataclass
class Model:
    name: str
    module: str
    description: str
    schema_id: str | None = None  # component schema id; None for inline objects
    fields: list[Field] = field(default_factory=list)
    object_tag: str | None = None
    deleted: bool = False
    preview: bool = False
    alias_of: str | None = None  # a union component (`external_account`): the union expression
    base: str = "StripeObject"  # `DeletableObject` where the API can answer a deleted one
    generic: str | None = None  # the TypeVar a generic model is parametrized by (`Event[T]`)
    usual_absent: tuple[str, ...] = ()  # optional keys Stripe's example objects lack (shapes.py)

    @property
    def renames(self) -> dict[str, str]:
        return {f.name: f.wire for f in self.fields if f.name != f.wire}


@dataclass
class ParamField:
    name: str  # TypedDict key (a Python identifier: it is also a keyword argument)
    wire: str
    type: str
    required: bool
    description: str
    limits: dict[str, float] = field(default_factory=dict)  # maxLength, minimum, ... (limits.py)

    @property
    def annotation(self) -> str:
        """The TypedDict annotation: `Required[...]`, or optional with `None` for "not sent"."""
        return f"Required[{self.type}]" if self.required else union([self.type, "None"])


@dataclass
class TypedDictDef:
    name: str
    fields: list[ParamField]
    description: str = ""

    @property
    def functional(self) -> bool:
        """A key that is no Python name (naming.param_key): `TypedDict("X", {...})` form."""
        return any(not f.name.isidentifier() for f in self.fields)


@dataclass
class PathParam:
    name: str  # Python parameter name
    wire: str  # placeholder in the path template


@dataclass
class Operation:
    verb: str
    path: str
    operation_id: str
    service: tuple[str, ...]
    method: str
    description: str
    kind: str  # "object" | "list" | "search" | "binary"
    returns: str  # type expression; for list/search the item type
    path_params: list[PathParam]
    params: TypedDictDef | None  # the top-level TypedDict, None when the operation takes none
    param_location: str  # "query" | "body"
    host: str = "api"  # the client setting it is sent to: "api" | "files" | "meter_events"
    server: str = DEFAULT_SERVER  # the base URL the spec names for it (servers.py)
    multipart: bool = False
    preview: bool = False
    deprecated: bool = False
    alias_of: str | None = None  # an alias (aliases.py): the name of the operation it renders

    @property
    def key(self) -> str:
        return f"{self.verb.upper()} {self.path}"

    @property
    def param_names(self) -> list[str]:
        """The keyword arguments the method takes (Python and wire names of its parameters):
        any other is refused before sending."""
        fields = self.params.fields if self.params else []
        return sorted({f.name for f in fields} | {f.wire for f in fields})

    @property
    def return_annotation(self) -> str:
        narrowed = NARROWED_RESULTS.get(self.key)
        if narrowed is not None and self.kind == "object":
            return narrowed
        if self.kind == "list" and self.path.startswith("/v2/"):
            return f"V2ListRequest[{self.returns}]"
        if self.kind == "list":
            return f"ListRequest[{self.returns}]"
        if self.kind == "search":
            return f"SearchRequest[{self.returns}]"
        if self.kind == "binary":
            return "bytes"
        return self.returns


@dataclass
class Service:
    path: tuple[str, ...]
    operations: list[Operation] = field(default_factory=list)
    children: dict[str, Service] = field(default_factory=dict)
    typed_dicts: list[TypedDictDef] = field(default_factory=list)

    @property
    def class_name(self) -> str:
        return naming.pascal("_".join(self.path)) + "Service"

    @property
    def module(self) -> str:
        return naming.snake_module("_".join(self.path))

    @property
    def params_prefix(self) -> str:
        return naming.pascal("_".join(self.path))

    def walk(self) -> list[Service]:
        out = [self] if self.path else []
        for name in sorted(self.children):
            out.extend(self.children[name].walk())
        return out


@dataclass
class API:
    version: str
    models: dict[str, Model]  # class name -> model
    services: Service  # the root: its children are the client's top-level namespaces
    operations: list[Operation]
    event_types: list[str]
    object_types: dict[tuple[str, bool], str]  # (object tag, deleted) -> class name

    def modules(self) -> dict[str, list[Model]]:
        out: dict[str, list[Model]] = {}
        for model in self.models.values():
            out.setdefault(model.module, []).append(model)
        return {k: out[k] for k in sorted(out)}


def model_refs(expr: str) -> set[str]:
    """Model class names that a type expression mentions."""
    unquoted = re.sub(r'"[^"]*"', "", expr)
    return {m for m in _MODEL_REF.findall(unquoted) if m not in _TYPING_NAMES}


def clean_doc(text: str | None) -> str:
    """Spec descriptions are HTML/Markdown: plain text that is safe inside a docstring."""
    if not text:
        return ""
    text = re.sub(r"<[^>]+>", "", text)
    text = html.unescape(text).replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    text = text.strip()
    if text.endswith('"'):
        text = text[:-1] + '\\"'
    return text


def literal(values: list[Any]) -> str:
    return "Literal[" + ", ".join(json.dumps(v) for v in values) + "]"


def union(members: list[str]) -> str:
    seen: list[str] = []
    for m in members:
        for part in _split_union(m):
            if part not in seen:
                seen.append(part)
    if "None" in seen:  # None last
        seen = [s for s in seen if s != "None"] + ["None"]
    if "Any" in seen:
        return "Any"
    return " | ".join(seen)


def _split_union(expr: str) -> list[str]:
    depth, start, parts = 0, 0, []
    for i, ch in enumerate(expr):
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(expr[start:i].strip())
            start = i + 1
    parts.append(expr[start:].strip())
    return parts


def _is_page(schema: Schema, tag: str) -> bool:
    props = schema.get("properties", {})
    obj = props.get("object", {})
    return "data" in props and "has_more" in props and obj.get("enum") == [tag]


def _is_v2_page(schema: Schema) -> bool:
    """A v2 list page: `data` with `next_page_url` (and `previous_page_url`), no `object`."""
    props = schema.get("properties", {})
    return "data" in props and "next_page_url" in props and "object" not in props


_V2_FORMATS = {"int64": "Int64", "decimal": "Decimal", "date-time": "datetime"}
"""String formats of the v2 schemas read as Python values (`aiostripe._wiretypes`)."""

_PARAM_FORMATS = {"decimal": "str | Decimal", "date-time": "str | datetime"}
"""String formats whose params also take the Python value (the encoders write it as text)."""

_SCALARS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}
"""JSON Schema scalar type -> Python annotation, for responses and params alike."""


class Builder:
    """Builds the `API` from a (merged) spec document."""

    def __init__(self, doc: Schema) -> None:
        self.doc = doc
        self.components: dict[str, Schema] = doc["components"].get("schemas") or {}
        self.models: dict[str, Model] = {}
        self.class_of: dict[str, str] = {}  # component id -> class name
        for sid in sorted(self.components):
            self.class_of[sid] = naming.pascal(sid)

    def ref_id(self, ref: str) -> str:
        """The component schema id a `$ref` names; an error saying so when the spec lacks it."""
        sid = ref.rsplit("/", 1)[-1]
        if not ref.startswith("#/components/schemas/") or sid not in self.components:
            raise ValueError(f"$ref {ref!r} names no schema of this spec")
        return sid

    # --- response models -------------------------------------------------------------------------

    def build_models(self) -> None:
        for sid in sorted(self.components):
            with at(pointer("components", "schemas", sid)):
                self.component_model(sid)

    def component_model(self, sid: str) -> None:
        schema = self.components[sid]
        name = self.class_of[sid]
        module = naming.snake_module(sid)
        if "anyOf" in schema and "properties" not in schema:
            expr = union([self.model_type(m, name, "", module) for m in schema["anyOf"]])
            self._add(Model(name, module, clean_doc(schema.get("description")), sid,
                            alias_of=expr))
            return
        self.object_model(schema, name, module, sid)

    def _add(self, model: Model) -> Model:
        model.name = naming.unique_class(model.name, set(self.models))
        self.models[model.name] = model
        return model

    def object_model(self, schema: Schema, name: str, module: str, sid: str | None) -> str:
        model = self._add(Model(name, module, clean_doc(schema.get("description")), sid,
                                preview=bool(schema.get("x-aiostripePreview")),
                                generic=GENERIC_MODELS.get(sid or "")))
        props = schema.get("properties", {})
        required = set(schema.get("required", []))
        obj = props.get("object", {}).get("enum")
        if obj and len(obj) == 1:
            model.object_tag = obj[0]
        model.deleted = props.get("deleted", {}).get("enum") == [True]
        taken: set[str] = set()
        for wire in sorted(props):
            prop = props[wire]
            expr = TYPE_OVERRIDES.get((sid or "", wire)) or self.model_type(
                prop, model.name, wire, module
            )
            if wire not in required:
                expr = union([expr, "None"])
            model.fields.append(Field(naming.unique(naming.identifier(wire), taken), wire, expr,
                                      wire in required, clean_doc(prop.get("description"))))
        return model.name

    def model_type(self, schema: Schema, owner: str, prop: str, module: str) -> str:
        """The annotation for a response value; inline objects become models in `module`."""
        nullable = schema.get("nullable", False)
        if "$ref" in schema:
            expr = self.class_of[self.ref_id(schema["$ref"])]
        elif "anyOf" in schema or "oneOf" in schema:
            members = schema.get("anyOf") or schema.get("oneOf")
            parts = [self.model_type(m, owner, f"{prop}_{i}" if len(members) > 1 and
                                     "$ref" not in m else prop, module)
                     for i, m in enumerate(members)]
            expr = union(parts)
        elif "enum" in schema and schema.get("type") in ("string", None):
            expr = literal(schema["enum"])
        else:
            expr = self._scalar_or_container(schema, owner, prop, module)
        return union([expr, "None"]) if nullable else expr

    def _scalar_or_container(self, schema: Schema, owner: str, prop: str, module: str) -> str:
        kind = schema.get("type")
        fmt = schema.get("format")
        if kind == "string" and fmt in _V2_FORMATS and (fmt == "decimal" or module.startswith("v2_")):
            return _V2_FORMATS[fmt]  # sent as a string (_wiretypes): v2 values, decimals in v1 too
        if kind in _SCALARS:
            return _SCALARS[kind]
        if kind == "array":
            return f"list[{self.model_type(schema.get('items', {}), owner, prop, module)}]"
        if kind == "object" or "properties" in schema:
            if _is_page(schema, "list"):
                item = self.model_type(schema["properties"]["data"]["items"], owner, prop, module)
                return f"ListObject[{item}]"
            if _is_page(schema, "search_result"):
                item = self.model_type(schema["properties"]["data"]["items"], owner, prop, module)
                return f"SearchResult[{item}]"
            if schema.get("properties"):
                return self.object_model(schema, owner + naming.pascal(prop), module, None)
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict) and extra:
                return f"dict[str, {self.model_type(extra, owner, prop, module)}]"
            return "dict[str, Any]"
        return "Any"

    # --- request parameters ----------------------------------------------------------------------

    def param_type(self, schema: Schema, prefix: str, prop: str, out: list[TypedDictDef]) -> str:
        if "$ref" in schema:
            schema = self.components[self.ref_id(schema["$ref"])]
        if "anyOf" in schema or "oneOf" in schema:
            members = schema.get("anyOf") or schema.get("oneOf")
            objects = sum(1 for m in members if m.get("properties"))
            parts, n = [], 0
            for m in members:
                sub = prop
                if m.get("properties") and objects > 1:
                    n += 1
                    sub = f"{prop}_{n}"
                parts.append(self.param_type(m, prefix, sub, out))
            return union(parts)
        if "enum" in schema:
            return literal(schema["enum"])
        kind = schema.get("type")
        if kind == "string" and schema.get("format") == "binary":
            return "bytes | IO[bytes]"  # a file upload
        if kind == "integer" and schema.get("format") == "unix-time":
            return "int | datetime"  # the encoder sends datetimes as Unix seconds
        fmt = schema.get("format")
        if kind == "string" and fmt in _PARAM_FORMATS and (fmt == "decimal" or prefix.startswith("V2")):
            return _PARAM_FORMATS[fmt]  # the encoders write the Python value as text
        if kind in _SCALARS:
            return _SCALARS[kind]
        if kind == "array":
            return f"list[{self.param_type(schema.get('items', {}), prefix, prop, out)}]"
        if schema.get("properties"):
            td = self.typed_dict(prefix + naming.pascal(prop), schema, out,
                                 clean_doc(schema.get("description")))
            out.append(td)
            return td.name
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and extra:
            return f"dict[str, {self.param_type(extra, prefix, prop, out)}]"
        return "dict[str, Any]"

    def typed_dict(self, name: str, schema: Schema, out: list[TypedDictDef], doc: str = "",
                   extra_fields: list[ParamField] | None = None) -> TypedDictDef:
        props = schema.get("properties", {})
        required = set(schema.get("required", []))
        fields = list(extra_fields or [])
        taken = {f.name for f in fields}
        name = naming.unique_class(name, {td.name for td in out})
        for wire in sorted(props):
            expr = self.param_type(props[wire], name, wire, out)
            fields.append(ParamField(naming.unique(naming.param_key(wire), taken), wire, expr,
                                     wire in required, clean_doc(props[wire].get("description")),
                                     param_limits(props[wire])))
        fields.sort(key=lambda f: f.name)
        return TypedDictDef(name, fields, doc)

    # --- operations and services -----------------------------------------------------------------

    def response(self, op: Schema, verb: str) -> tuple[str, str]:
        content = op["responses"]["200"].get("content", {})
        if "application/json" not in content:
            return "binary", "bytes"
        schema = content["application/json"]["schema"]
        props = schema.get("properties", {})
        if "data" in props and "has_more" in props:
            kind = "search" if _is_page(schema, "search_result") else "list"
            return kind, self.model_type(props["data"]["items"], "", "", "")
        if _is_v2_page(schema):  # v2: page tokens, `next_page_url`
            return "list", self.model_type(props["data"]["items"], "", "", "")
        if verb != "delete":
            schema = _live_of_deleted(schema)
        return "object", self.model_type(schema, "", "", "")

    def mark_deletable(self) -> None:
        """Models with a `deleted_*` twin can come back deleted: they get a `deleted` property."""
        live = {(m.object_tag, m.schema_id): m for m in self.models.values() if not m.deleted}
        for m in self.models.values():
            if m.deleted and m.schema_id and m.schema_id.startswith("deleted_"):
                twin = live.get((m.object_tag, m.schema_id.removeprefix("deleted_")))
                if twin and all(f.wire != "deleted" for f in twin.fields):
                    twin.base = "DeletableObject"

    def build_operations(self) -> tuple[Service, list[Operation]]:
        paths = self.doc["paths"]
        routes: dict[str, dict[str, bool]] = {}
        for p, ops in paths.items():
            routes[p] = {}
            for v in (v for v in ops if v in _VERBS):
                with at(pointer("paths", p, v, "responses")):
                    routes[p][v] = self.response(ops[v], v)[0] == "list"
        table = naming.RouteTable(routes)
        root = Service(())
        operations: list[Operation] = []
        for path in sorted(paths):
            for verb in sorted(v for v in paths[path] if v in _VERBS):
                with at(pointer("paths", path, verb)):
                    op = paths[path][verb]
                    svc_path, method = naming.name_operation(verb, path, table)
                    service = root
                    for i, part in enumerate(svc_path):
                        service = service.children.setdefault(part, Service(svc_path[: i + 1]))
                    operations.append(self.operation(verb, path, op, service, method))
        return root, operations

    def operation(self, verb: str, path: str, op: Schema, service: Service,
                  method: str) -> Operation:
        kind, returns = self.response(op, verb)
        body = next(iter(op.get("requestBody", {}).get("content", {}).items()), None)
        multipart = bool(body and body[0] == "multipart/form-data")
        body_schema = body[1]["schema"] if body else {}
        prefix = service.params_prefix + naming.pascal(method) + "Params"
        query = [p for p in op.get("parameters", []) if p["in"] == "query"]
        wires = set(body_schema.get("properties", {})) | {p["name"] for p in query}
        path_params = []
        in_path = [p for p in op.get("parameters", []) if p["in"] == "path"]
        for p in sorted(in_path, key=lambda p: path.index("{" + p["name"] + "}")):
            name = naming.identifier(p["name"])
            if name in wires:  # a body/query param of the same name keeps it
                name = f"{name}_id"
            path_params.append(PathParam(name, p["name"]))
        out: list[TypedDictDef] = []
        params: TypedDictDef | None = None
        if wires:
            query_fields = [
                ParamField(naming.param_key(p["name"]), p["name"],
                           self.param_type(p["schema"], prefix, p["name"], out),
                           bool(p.get("required")), clean_doc(p.get("description")))
                for p in query
            ]
            params = self.typed_dict(prefix, body_schema, out,
                                     f"Parameters of `{service.class_name}.{method}`.",
                                     query_fields)
            out.append(params)
        service.typed_dicts.extend(out)
        server, host = server_of(self.doc, path, verb)
        operation = Operation(
            verb=verb, path=path, operation_id=op.get("operationId", ""), service=service.path,
            method=method, description=clean_doc(op.get("description")), kind=kind,
            returns=returns, path_params=path_params, params=params,
            param_location="query" if verb in ("get", "delete") else "body", host=host,
            server=server,
            multipart=multipart, preview=bool(op.get("x-aiostripePreview")),
            deprecated=bool(op.get("deprecated")),
        )
        service.operations.append(operation)
        return operation

    def event_types(self) -> list[str]:
        try:
            schema = self.doc["paths"]["/v1/webhook_endpoints"]["post"]["requestBody"]["content"][
                "application/x-www-form-urlencoded"]["schema"]
            values = schema["properties"]["enabled_events"]["items"]["enum"]
        except KeyError:
            return []
        return sorted(v for v in values if v != "*")

    def build(self) -> API:
        self.build_models()
        self.mark_deletable()
        root, operations = self.build_operations()
        with at(pointer("paths") + " (stripe-python's alias names)"):
            add_aliases(root, operations)
        object_types: dict[tuple[str, bool], str] = {}
        for model in sorted(self.models.values(), key=lambda m: (m.schema_id is None, m.name)):
            if model.object_tag and model.schema_id:
                object_types.setdefault((model.object_tag, model.deleted), model.name)
        version = str(self.doc.get("info", {}).get("version", ""))
        return API(version, self.models, root, operations, self.event_types(), object_types)


_VERBS = ("get", "post", "delete", "put", "patch")


def _live_of_deleted(schema: Schema) -> Schema:
    """`X` for a response `anyOf: [X, deleted_X]` (a retrieve or an update), else `schema`.

    Such a method returns `X`; a deleted one parses as `X` with `deleted` True, as in the
    official SDK. Methods that delete keep the `Deleted...` class.
    """
    members = schema.get("anyOf") or schema.get("oneOf") or []
    refs = [m.get("$ref", "").rsplit("/", 1)[-1] for m in members]
    if len(refs) == 2 and refs[1] == f"deleted_{refs[0]}":
        return dict(members[0])
    return schema

# (schema id, property) -> annotation, where the spec's type is too loose to be useful.
TYPE_OVERRIDES: dict[tuple[str, str], str] = {
    # an event's object: any API object, parsed by its `object` field; `Event[PaymentIntent]`
    # says which one to the type checker (codegen/events.py derives it per event type)
    ("notification_event_data", "object"): "EventObjectT",
    ("event", "data"): "NotificationEventData[EventObjectT]",
}

# "VERB /path" -> the narrower result type (defined in aiostripe._narrowed, for the type
# checker only) where Stripe documents more than the spec's schema says
NARROWED_RESULTS: dict[str, str] = {
    # the signing secret comes in create's answer only: `endpoint.secret` is a `str` there
    "POST /v1/webhook_endpoints": "CreatedWebhookEndpoint",
}

# schema id -> the TypeVar (from aiostripe._models) the model is generic in
GENERIC_MODELS: dict[str, str] = {
    "event": "EventObjectT",
    "notification_event_data": "EventObjectT",
}


def build(doc: Schema) -> API:
    return Builder(doc).build()
