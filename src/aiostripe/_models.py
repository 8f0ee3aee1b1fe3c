"""Base classes of the generated models and the cattrs converter that builds them from JSON.

Every generated model is a slotted attrs class deriving from `StripeObject`. One cattrs converter
structures decoded JSON into them; the structure function of each class is generated once, on first
use, and cached by cattrs. What the spec does not know survives:

* fields missing from the spec are kept in `obj._extra`, readable as `obj["field"]`, and come back
  out of `obj.to_dict()`;
* enum values the spec does not list are kept as plain strings (enums are `Literal`s for the type
  checker only);
* an object whose `object` type the spec does not know becomes a plain `StripeObject` holding all
  of its data;
* data of another API version than the pin parses too: a payload that the fast structure
  function refuses (a required field absent, a value of another JSON type) is built field by
  field by `_tolerant.structure_tolerant`, and `to_dict()` still gives back exactly the input.

Reading a field: an optional field that the data lacks reads as `None` (its type says so); a
required field that the data lacks, or whose value did not fit the spec's type, raises an
`AttributeError` that names the field and says why (the value as sent is `obj["field"]`). Only
objects built with such unset fields carry the hook that says so (`_tolerant.with_unset_fields`):
no model class defines `__getattr__`, which would put every attribute read of every object on
CPython's slow path.
"""

from __future__ import annotations

import importlib
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar, Generic, Literal, TypeVar, get_args, get_origin

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override
from typing_extensions import TypeVar as TypeVar_

from aiostripe._errors import ResponseParseError, StripeError
from aiostripe._mapping import MappingMethods
from aiostripe._tolerant import structure_tolerant, unstructure_tolerant
from aiostripe._wiretypes import Int64, decimal_value, int64_value, timestamp_value, wire_text

T = TypeVar("T")

_GENERATED_MODELS = "aiostripe._generated.models"


@attrs.frozen
class StripeResponse:
    """The HTTP side of a call: status, headers and Stripe's request id."""

    status: int
    headers: Mapping[str, str]
    request_id: str | None


class StripeObject(MappingMethods):
    """Base of every model. `obj["field"]` reads any field, known to the spec or not; `obj.get`,
    `obj.keys()`, `dict(obj)`, `obj.to_json()` and `Model.from_dict(data)` as for a read-only
    mapping (`_mapping.py`)."""

    __slots__ = ("_absent", "_extra", "_meta")
    _extra: dict[str, Any] | None  # fields the spec does not know (unset or None: none)
    _absent: frozenset[str] | None  # optional fields that the parsed data did not have
    _meta: Any  # a top-level result's response (`(status, headers)` until `last_response`
    # makes it a StripeResponse), or a page's fetch context

    OBJECT_NAME: ClassVar[str | None] = None
    DELETED: ClassVar[bool] = False
    _RENAMES: ClassVar[dict[str, str]] = {}  # Python attribute -> JSON key, where they differ

    @property
    def last_response(self) -> StripeResponse | None:
        """The response that returned this object (set on top-level results only)."""
        meta = getattr(self, "_meta", None)
        if type(meta) is tuple:  # `attach_response`'s (status, headers)
            status, headers = meta
            meta = self._meta = StripeResponse(status, headers, headers.get("Request-Id"))
        return meta if isinstance(meta, StripeResponse) else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data of this object, fields unknown to the spec included."""
        out: dict[str, Any] = converter.unstructure(self)
        return out

    def __getitem__(self, key: str) -> Any:
        extra = getattr(self, "_extra", None)
        if extra is not None and key in extra:
            return extra[key]
        attr = _attr_of(type(self)).get(key)
        if attr is None:
            raise KeyError(key)
        try:
            return getattr(self, attr)
        except AttributeError:  # a required field the data did not have
            raise KeyError(key) from None

    def __contains__(self, key: object) -> bool:
        """Whether the data had this field (the spec's fields of an object built in code count)."""
        if not isinstance(key, str):
            return False
        extra = getattr(self, "_extra", None)
        if extra is not None and key in extra:
            return True
        attr = _attr_of(type(self)).get(key)
        if attr is None or key in (getattr(self, "_absent", None) or ()):
            return False
        return hasattr(self, attr)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({getattr(self, '_extra', None)!r})"


EventObjectT = TypeVar_(  # noqa: PLC0105 - a name users see in `Event[...]` errors
    "EventObjectT", bound=StripeObject, default=StripeObject, covariant=True
)
"""The object an `Event` carries: `Event[PaymentIntent]`; a bare `Event` carries any object."""


class DeletableObject(StripeObject):
    """Base of the models whose retrieve (or update) can answer a deleted object.

    Stripe answers `{"id": ..., "object": ..., "deleted": true}` for one; it parses as the model
    itself (its other fields absent) with `deleted` True.
    """

    __slots__ = ()

    @property
    def deleted(self) -> bool:
        """True if this object was deleted (only its `id` and `object` are then present)."""
        extra = getattr(self, "_extra", None)
        return extra is not None and extra.get("deleted") is True


def _attr_of(cls: type) -> dict[str, str]:
    """JSON key -> attribute name of an attrs model class (cached on the class)."""
    cached: dict[str, str] | None = cls.__dict__.get("_attr_of_cache")
    if cached is None:
        renames = getattr(cls, "_RENAMES", {})
        names = [a.name for a in attrs.fields(cls)] if attrs.has(cls) else []
        cached = {renames.get(n, n): n for n in names}
        type.__setattr__(cls, "_attr_of_cache", cached)
    return cached


@attrs.define(kw_only=True, slots=True, repr=False)
class ListObject(StripeObject, Generic[T]):
    """A page of a list: `data`, `has_more`, `url`. Iterating it gives the objects of this page."""

    object: str = "list"
    data: list[T] = attrs.Factory(list)
    has_more: bool = False
    url: str | None = None

    def __iter__(self) -> Iterator[T]:  # type: ignore[override]  # a page iterates its data
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def to_dict(self) -> dict[str, Any]:
        from aiostripe._fastparse import dump, finish_dict

        try:
            data = {"object": self.object, "data": dump(self.data), "has_more": self.has_more,
                    "url": self.url}
        except AttributeError:  # parsed tolerantly: fields absent or of another type
            return unstructure_tolerant(self)  # type: ignore[no-any-return]
        return finish_dict(self, data)

    def __repr__(self) -> str:
        return _page_repr("ListObject", self, "url", "has_more")


@attrs.define(kw_only=True, slots=True, repr=False)
class SearchResult(StripeObject, Generic[T]):
    """A page of search results: `data`, `has_more`, `next_page`, `total_count`."""

    object: str = "search_result"
    data: list[T] = attrs.Factory(list)
    has_more: bool = False
    url: str | None = None
    next_page: str | None = None
    total_count: int | None = None

    def __iter__(self) -> Iterator[T]:  # type: ignore[override]  # a page iterates its data
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def to_dict(self) -> dict[str, Any]:
        from aiostripe._fastparse import dump, finish_dict

        try:
            data = {"object": self.object, "data": dump(self.data), "has_more": self.has_more,
                    "url": self.url, "next_page": self.next_page, "total_count": self.total_count}
        except AttributeError:  # parsed tolerantly: fields absent or of another type
            return unstructure_tolerant(self)  # type: ignore[no-any-return]
        return finish_dict(self, data)

    def __repr__(self) -> str:
        return _page_repr("SearchResult", self, "url", "has_more", "next_page")


@attrs.define(kw_only=True, slots=True, repr=False)
class V2ListObject(StripeObject, Generic[T]):
    """A page of a v2 list: `data`, `next_page_url`, `previous_page_url` (page tokens, no
    `has_more`: the last page has no `next_page_url`). Iterating it gives this page's objects."""

    data: list[T] = attrs.Factory(list)
    next_page_url: str | None = None
    previous_page_url: str | None = None

    def __iter__(self) -> Iterator[T]:  # type: ignore[override]  # a page iterates its data
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    @property
    def has_more(self) -> bool:
        """Whether a next page exists (a `next_page_url`)."""
        return self.next_page_url is not None

    def to_dict(self) -> dict[str, Any]:
        from aiostripe._fastparse import dump, finish_dict

        try:
            data = {"data": dump(self.data), "next_page_url": self.next_page_url,
                    "previous_page_url": self.previous_page_url}
        except AttributeError:  # parsed tolerantly: fields absent or of another type
            return unstructure_tolerant(self)  # type: ignore[no-any-return]
        return finish_dict(self, data)

    def __repr__(self) -> str:
        return _page_repr("V2ListObject", self, "next_page_url")


def _page_repr(kind: str, page: Any, *names: str) -> str:
    """`ListObject(url=..., has_more=..., data=<n>)`, also for a page parsed tolerantly."""
    parts = [f"{n}={getattr(page, n, '<absent>')!r}" for n in names]
    data = getattr(page, "data", None)
    parts.append(f"data=<{len(data) if isinstance(data, list) else 'absent'}>")
    return f"{kind}({', '.join(parts)})"


# --- name resolution --------------------------------------------------------------------------


class _LazyModels(dict[str, Any]):
    """Names of generated model classes, imported on first lookup (an `eval` locals mapping)."""

    def __missing__(self, name: str) -> Any:
        index = _index()
        module = index.get(name)
        if module is None:
            raise KeyError(name)
        value = getattr(importlib.import_module(f"{_GENERATED_MODELS}.{module}"), name)
        if isinstance(value, str):  # a union alias (`ExternalAccount = "BankAccount | Card"`)
            value = eval(value, _EVAL_GLOBALS, self)
        self[name] = value
        return value


def _index() -> dict[str, str]:
    mod = importlib.import_module(_GENERATED_MODELS)
    index: dict[str, str] = mod.INDEX
    return index


_MODELS = _LazyModels()
_EVAL_GLOBALS: dict[str, Any] = {
    "Decimal": Decimal,
    "Any": Any,
    "Literal": Literal,
    "ListObject": ListObject,
    "SearchResult": SearchResult,
    "V2ListObject": V2ListObject,
    "StripeObject": StripeObject,
    "EventObjectT": EventObjectT,
}
_TYPES: dict[str, Any] = {}


def resolve_type(expr: str) -> Any:
    """The runtime type for a type expression over generated class names (cached)."""
    t = _TYPES.get(expr)
    if t is None:
        t = eval(expr, _EVAL_GLOBALS, _MODELS)
        _TYPES[expr] = t
    return t


def model_class(name: str) -> type[StripeObject]:
    """A generated model class by name (`"Customer"`)."""
    cls: type[StripeObject] = _MODELS[name]
    return cls


# --- the converter ----------------------------------------------------------------------------

converter = cattrs.Converter(detailed_validation=False)


def _passthrough(value: Any, _: Any) -> Any:
    return value


for _t in (str, int, float, bool, Any):
    converter.register_structure_hook(_t, _passthrough)

# v2 values sent as strings (`_wiretypes`): read from their text, written back as it


def _wire_hooks(cls: type, read: Callable[[Any], Any]) -> None:
    def structure_hook(value: Any, _: Any) -> Any:
        return read(value)

    def is_cls(t: Any) -> bool:
        return t is cls

    def is_sub(t: Any) -> bool:
        return isinstance(t, type) and issubclass(t, cls)

    converter.register_structure_hook_func(is_cls, structure_hook)
    converter.register_unstructure_hook_func(is_sub, wire_text)


_wire_hooks(Int64, int64_value)
_wire_hooks(Decimal, decimal_value)
_wire_hooks(datetime, timestamp_value)
def _is_literal(t: Any) -> bool:
    origin: Any = get_origin(t)
    return origin is Literal


converter.register_structure_hook_func(_is_literal, _passthrough)  # unknown enum values pass


def _model_origin(t: Any) -> type | None:
    origin = get_origin(t) or t
    if isinstance(origin, type) and issubclass(origin, StripeObject):
        return origin
    return None


def _resolve_class(cls: type) -> None:
    """Resolve the string annotations of `cls` and its attrs bases (attrs does each class once)."""
    for klass in reversed(cls.__mro__):
        if attrs.has(klass):
            attrs.resolve_types(klass, localns=_MODELS)


def _structure_model_factory(t: Any) -> Callable[[Any, Any], Any]:
    cls = _model_origin(t)
    assert cls is not None
    if not attrs.has(cls):  # a value typed as any Stripe object: dispatch by its `object`
        return _structure_any_object
    _resolve_class(cls)
    renames = getattr(cls, "_RENAMES", {})
    overrides: dict[str, Any] = {name: override(rename=wire) for name, wire in renames.items()}
    fn = make_dict_structure_fn(_concrete(t, cls), converter, **overrides)
    known = frozenset(renames.get(a.name, a.name) for a in attrs.fields(cls))
    optional = frozenset(  # fields with a default: absent ones stay out of to_dict()
        renames.get(a.name, a.name) for a in attrs.fields(cls) if a.default is not attrs.NOTHING
    )
    name = cls.__name__
    n_known = len(known)

    def structure(data: Any, _: Any) -> Any:
        if type(data) is not dict:
            if data is None:  # the spec says required, the API sent null: keep the null
                return None
            raise ResponseParseError(
                f"expected a JSON object for {name}, got {type(data).__name__}: {data!r:.80}"
            )
        try:
            obj = fn(data, t)
        except Exception:  # noqa: BLE001 - data of another API version? Field by field:
            return structure_tolerant(cls, data, converter.get_structure_hook)
        if len(data) == n_known and known.issubset(data):
            return obj  # exactly the spec's fields (the usual case): nothing to remember
        extra = data.keys() - known
        if extra:
            obj._extra = {k: data[k] for k in extra}
        absent = optional - data.keys()
        if absent:
            obj._absent = absent
        return obj

    return structure


def _concrete(t: Any, cls: type) -> Any:
    """`t` with its type variables bound to `StripeObject` (`NotificationEventData[EventObjectT]`,
    the field type of `Event.data`, becomes `NotificationEventData[StripeObject]`): cattrs builds
    no structure function for a generic whose argument is still a type variable."""
    args = get_args(t)
    if args and any(isinstance(a, TypeVar) for a in args):
        return cls[tuple(StripeObject if isinstance(a, TypeVar) else a for a in args)]  # type: ignore[index]
    return t


def _structure_any_object(data: Any, _: Any) -> Any:
    return structure_object(data) if isinstance(data, dict) else data


def _structure_plain(data: Any, _: Any) -> Any:
    obj = StripeObject()
    obj._extra = dict(data) if isinstance(data, dict) else {"value": data}
    return obj


def object_tag(data: Mapping[str, Any]) -> tuple[str, bool] | None:
    """`(object, deleted)` of a JSON object, the key of its model; None if `object` is no str."""
    tag = data.get("object")
    return (tag, data.get("deleted") is True) if isinstance(tag, str) else None


_TAGGED: dict[tuple[str, bool] | None, type[StripeObject] | None] = {}


def model_of_tag(tag: tuple[str, bool] | None) -> type[StripeObject] | None:
    """The model class of an `object_tag`, None for a type the spec does not know (cached; of
    unknown tags, a bounded few)."""
    try:
        return _TAGGED[tag]
    except KeyError:
        types_: dict[tuple[str, bool], str] = importlib.import_module(
            _GENERATED_MODELS
        ).OBJECT_TYPES
        name = types_.get(tag)  # type: ignore[arg-type]
        cls: type[StripeObject] | None = _MODELS[name] if name is not None else None
        if cls is not None or len(_TAGGED) < 1024:
            _TAGGED[tag] = cls
        return cls


def structure_object(data: Mapping[str, Any]) -> StripeObject:
    """Parse an object by its `object` (and `deleted`) field; unknown types stay plain data."""
    if not isinstance(data, dict):
        data = dict(data)
    cls = model_of_tag(object_tag(data))
    if cls is None:
        return _structure_plain(data, StripeObject)  # type: ignore[no-any-return]
    result: StripeObject = structure_as(data, cls)
    return result


_NONE = type(None)


_SCALARS = (str, int, float, bool, Any, _NONE)


def _is_plain_json(t: Any) -> bool:
    """Whether values of type `t` are used as decoded (scalars, enums, lists/maps of them)."""
    if t in _SCALARS or get_origin(t) is Literal:
        return True
    origin = get_origin(t)
    if origin in (list, dict) or _is_union(t):
        return all(_is_plain_json(a) for a in get_args(t))
    return False


def _plain_json_factory(t: Any) -> Callable[[Any, Any], Any]:
    return _passthrough


def _union_factory(t: Any) -> Callable[[Any, Any], Any]:
    members = get_args(t)
    if len(members) == 2 and _NONE in members and _model_origin(members[0]) is not None:
        return _optional_model(members[0])  # `Model | None`: the most common field type
    allows_str = str in members
    models = [m for m in members if _model_origin(m) is not None]
    others = [m for m in members if m is not _NONE and m is not str and m not in models]
    by_tag: dict[tuple[Any, bool] | None, Any] = {}
    for m in models:
        origin = _model_origin(m)
        by_tag[(getattr(origin, "OBJECT_NAME", None), getattr(origin, "DELETED", False))] = m
    single = models[0] if len(models) == 1 else None
    untagged = [m for m in models if getattr(_model_origin(m), "OBJECT_NAME", None) is None]
    label = " | ".join(getattr(m, "__name__", str(m)) for m in members)
    other = others[0] if len(others) == 1 else None
    hooks: dict[Any, Callable[[Any, Any], Any]] = {}

    def hook_for(m: Any) -> Callable[[Any, Any], Any]:
        h = hooks.get(m)
        if h is None:
            h = hooks[m] = converter.get_structure_hook(m)
        return h

    def structure(value: Any, _: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, dict):
            if single is not None:
                return hook_for(single)(value, single)
            m = by_tag.get(object_tag(value)) or _by_fields(value, untagged)
            if m is not None:
                return hook_for(m)(value, m)
            if models:
                return structure_object(value)
        if isinstance(value, str) and allows_str:
            return value
        if other is not None:
            return hook_for(other)(value, other)
        if not others:
            raise ResponseParseError(
                f"expected a JSON object for {label}, got {type(value).__name__}: {value!r:.80}"
            )
        return value

    return structure


def _by_fields(value: dict[str, Any], candidates: list[Any]) -> Any | None:
    """The first of several models without an `object` tag (in the spec's order) whose fields
    the value fits: every required one present, no key it does not know; else the first whose
    required fields are present; else None."""
    fallback = None
    for m in candidates:
        cls = _model_origin(m)
        if cls is None or not attrs.has(cls):
            continue
        renames: dict[str, str] = getattr(cls, "_RENAMES", {})
        wire = {renames.get(f.name, f.name): f.default is attrs.NOTHING
                for f in attrs.fields(cls)}
        if all(k in value for k, required in wire.items() if required):
            if value.keys() <= wire.keys():
                return m
            fallback = fallback or m
    return fallback


def _is_list_of_objects(t: Any) -> bool:
    return get_origin(t) is list and not _is_plain_json(t)


def _list_factory(t: Any) -> Callable[[Any, Any], Any]:
    (item,) = get_args(t)
    hook: Callable[[Any, Any], Any] | None = None

    def structure(value: Any, _: Any) -> Any:
        nonlocal hook
        if type(value) is not list:  # not an empty list: a value of another type, kept as sent
            raise ResponseParseError(f"expected a JSON array, got {type(value).__name__}")
        if hook is None:
            hook = converter.get_structure_hook(item)
        return [hook(x, item) for x in value]

    return structure


def _optional_model(model: Any) -> Callable[[Any, Any], Any]:
    hook: Callable[[Any, Any], Any] | None = None

    def structure(value: Any, _: Any) -> Any:
        nonlocal hook
        if value is None:
            return None
        if hook is None:  # bound on first use: models refer to each other in cycles
            hook = converter.get_structure_hook(model)
        return hook(value, model)

    return structure


def _is_union(t: Any) -> bool:
    return get_origin(t) in (typing.Union, types.UnionType)


converter.register_structure_hook_factory(_is_union, _union_factory)
converter.register_structure_hook_factory(_is_list_of_objects, _list_factory)
# registered last, so tried first: values that need no structuring are used as decoded
converter.register_structure_hook_factory(_is_plain_json, _plain_json_factory)
converter.register_structure_hook_factory(
    lambda t: _model_origin(t) is not None, _structure_model_factory
)


def _unstructure_model_factory(t: Any) -> Callable[[Any], Any]:
    cls = _model_origin(t)
    if cls is None or not attrs.has(cls):  # typed as any Stripe object: go by the value's class
        return _unstructure_any_object
    _resolve_class(cls)
    renames = getattr(cls, "_RENAMES", {})
    overrides: dict[str, Any] = {name: override(rename=wire) for name, wire in renames.items()}
    fn = make_dict_unstructure_fn(cls, converter, **overrides)

    def unstructure(obj: Any) -> Any:
        if obj is None:
            return None
        try:
            out = fn(obj)
        except Exception:  # noqa: BLE001 - built by the tolerant path: fields unset or as sent
            return unstructure_tolerant(obj)
        absent = getattr(obj, "_absent", None)
        if absent:  # optional fields that were not in the parsed data stay out
            for key in absent:
                out.pop(key, None)
        extra = getattr(obj, "_extra", None)
        if extra:
            out.update(extra)
        return out

    return unstructure


def _unstructure_any_object(obj: Any) -> Any:
    if obj is None or not isinstance(obj, StripeObject):
        return obj
    if type(obj) is StripeObject:
        return dict(getattr(obj, "_extra", None) or {})
    return converter.unstructure(obj, unstructure_as=type(obj))


converter.register_unstructure_hook_factory(
    lambda t: _model_origin(t) is not None, _unstructure_model_factory
)

# a value typed by a TypeVar (an event's object): any Stripe object, by its `object` field
converter.register_structure_hook_func(lambda t: isinstance(t, TypeVar), _structure_any_object)
converter.register_unstructure_hook_func(lambda t: isinstance(t, TypeVar), _unstructure_any_object)


_PARSERS_BY_TYPE: dict[Any, Callable[[Any], Any]] = {}
_PARSERS_BY_NAME: dict[str, Callable[[Any], Any]] = {}


def parser_of(type_: Any) -> Callable[[Any], Any]:
    """The function that parses decoded JSON as the runtime type `type_` (cached): the generated
    fast path when the payload matches the spec, else the tolerant converter (see
    `aiostripe._fastparse`)."""
    parse = _PARSERS_BY_TYPE.get(type_)
    if parse is None:
        parse = _PARSERS_BY_TYPE[type_] = _parser(type_)
    return parse


def parser_named(type_expr: str) -> Callable[[Any], Any]:
    """`parser_of` the type named by `type_expr` (`"Customer | DeletedCustomer"`), cached by name."""
    parse = _PARSERS_BY_NAME.get(type_expr)
    if parse is None:
        parse = _PARSERS_BY_NAME[type_expr] = parser_of(resolve_type(type_expr))
    return parse


def _parser(type_: Any) -> Callable[[Any], Any]:
    from aiostripe._fastparse import MISMATCH, fast_parser

    fast = fast_parser(type_)
    tolerant: Callable[[Any, Any], Any] | None = None

    def parse_tolerantly(data: Any) -> Any:
        nonlocal tolerant
        if tolerant is None:  # built on first use: cattrs builds the hooks of nested types too
            tolerant = converter.get_structure_hook(type_)
        return tolerant(data, type_)

    if fast is None:
        return parse_tolerantly

    def parse(data: Any) -> Any:
        try:
            return fast(data)
        except MISMATCH:  # not what the spec says: the tolerant path decides
            return parse_tolerantly(data)

    return parse


def structure_as(data: Any, type_: Any) -> Any:
    """Parse decoded JSON as the runtime type `type_` (`parser_of`)."""
    return parser_of(type_)(data)


def construct_from(data: Mapping[str, Any]) -> StripeObject:
    """A model from decoded JSON, chosen by its `object` field (stripe-python's
    `construct_from` / `convert_to_stripe_object`): `aiostripe.construct_from(json.loads(text))`.

    Parses like every API response: data of another API version parses too, an `object` type
    the spec does not know gives a plain `StripeObject` (`obj["field"]`). Raises `TypeError` for
    data that is not a mapping. For a typed result, use the model's own `Model.from_dict(data)`.
    """
    if not isinstance(data, Mapping):
        raise TypeError(
            f"construct_from: expected a mapping (decoded JSON object), got {type(data).__name__}"
        )
    return structure_object(data)


def structure(data: Any, type_expr: str) -> Any:
    """Parse decoded JSON as the type named by `type_expr` (`"Customer | DeletedCustomer"`)."""
    return parser_named(type_expr)(data)


def parse_response(data: Any, parse: Callable[[Any], Any], response: Any, what: str) -> Any:
    """A response's decoded JSON parsed by `parse` (a `parser_of` some type), the response
    attached to the result.

    A body that does not fit raises `ResponseParseError` naming `what` was expected, the status
    and the request id; a `StripeError` raised while parsing gets the status and request id too.
    """
    try:
        obj = parse(data)
    except StripeError as exc:
        exc.http_status = response.status
        exc.request_id = response.request_id
        raise
    except Exception as exc:  # a body that does not fit the spec at all
        raise ResponseParseError(
            f"could not parse the {response.status} response as {what} "
            f"(request id {response.request_id}): {exc}",
            http_status=response.status,
            request_id=response.request_id,
            headers=dict(response.headers),
        ) from exc
    if isinstance(obj, StripeObject):
        attach_response(obj, response)
    return obj


def attach_response(obj: StripeObject, response: Any) -> None:
    """Give a top-level result its response: `(status, headers)`, which `last_response` makes
    a StripeResponse of on first read (most results are never asked)."""
    obj._meta = (response.status, response.headers)
