"""Base classes of the generated models, the names of the generated classes, and the parsers
that build them from decoded JSON.

Every generated model is a slotted attrs class deriving from `StripeObject`. A payload that
matches the spec parses through the generated fast path (`_fastparse`); any other goes through
the tolerant cattrs converter (`_converter`, imported on its first use). What the spec does not
know survives:

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
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any, ClassVar, Generic, Literal, TypeVar

import attrs
from typing_extensions import TypeVar as TypeVar_

from aiostripe._errors import ResponseParseError, StripeError
from aiostripe._mapping import MappingMethods

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
        from aiostripe._converter import converter

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
            from aiostripe._tolerant import unstructure_tolerant

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
            from aiostripe._tolerant import unstructure_tolerant

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
            from aiostripe._tolerant import unstructure_tolerant

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
            from aiostripe._converter import converter

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
