"""The fast path from decoded JSON to models, and back: what the generated code stands on.

Every generated model module has, next to each class `X`, a function `parse_X(data)` (the
generator writes it from the IR: one statement per field, no hook per scalar) and a `to_dict()`
method. `parse_X` reads the keys of the model's usual shape (those of Stripe's example object,
`codegen/shapes.py`) as present and hands a payload that lacks one to `_parse_any_X`, which
reads every optional key with `get` and calls `finish`. When `len(data)` says the payload has
exactly the usual keys, the optional ones the usual shape lacks are set to None without a
look-up (a customer lacks six: a sixth of its parse). They are the fast path for payloads that
match the spec: every required key present, objects where the spec says objects, lists where it
says lists, known `object` tags in unions.
Anything else raises on the way (a `KeyError`, a `TypeError`, `Mismatch`), and the caller, the
parser of `_models.parser_of`, parses the whole payload again through the tolerant converter of
`_models` instead. So the fast path never decides an error or a fallback value: for a payload
that matches the spec it gives the same objects as the tolerant path, only sooner.

Scalar values (strings, numbers, booleans, enums) are kept as decoded, as the tolerant path
keeps them. `_extra` (keys the spec does not know) and `_absent` (optional keys the payload did
not have) are set on every object parsed here, None when empty, so that reading them costs an
attribute load, not a failed lookup.
"""

from __future__ import annotations

import importlib
import types
from collections.abc import Callable
from typing import Any, TypeVar

from aiostripe._errors import StripeError
from aiostripe._models import ListObject, SearchResult, StripeObject, V2ListObject, model_of_tag
from aiostripe._wiretypes import wire_text

T = TypeVar("T")

_GENERATED_MODELS = "aiostripe._generated.models"


class Mismatch(Exception):
    """The payload does not match the spec here: parse it through the tolerant path."""


MISMATCH = (KeyError, TypeError, AttributeError, ValueError, Mismatch, StripeError)
"""What the fast path raises on a payload that does not match the spec: a key missing, a value
of another kind than the spec's, an unknown `object` tag, or an error of a tolerant parser of a
field (the tolerant path of the whole payload then decides)."""


def _load_parser(name: str) -> Callable[[Any], Any]:
    """`parse_<name>` of the generated module that defines the model `name`, kept in PARSERS."""
    index: dict[str, str] = importlib.import_module(_GENERATED_MODELS).INDEX
    module = index.get(name)
    if module is None:
        raise AttributeError(name)
    fn: Callable[[Any], Any] = getattr(
        importlib.import_module(f"{_GENERATED_MODELS}.{module}"), f"parse_{name}"
    )
    setattr(PARSERS, name, fn)
    return fn


PARSERS: Any = types.ModuleType(f"{__name__}.PARSERS")
"""`PARSERS.Customer` is `parse_Customer` of the generated module that defines `Customer`
(imported on first use, then a plain attribute). A module object with a module `__getattr__`,
not an instance of a class with one: CPython specialises the attribute reads of a module (one
per nested object the generated parsers build), not those of such an instance."""
PARSERS.__getattr__ = _load_parser

NULL: Any = None
"""A null where the spec wants a value (kept, as the tolerant path keeps it); typed `Any` so that
the generated code type-checks against the declared, non-optional field types."""


# --- what the generated parse functions call ----------------------------------------------------

_Shape = tuple[frozenset[str] | None, tuple[str, ...]]
"""What `finish` records of one key sequence: the optional keys absent (None: none), and the
keys the spec does not know."""

_SHAPES: dict[type, dict[tuple[str, ...], _Shape]] = {}
_MAX_SHAPES = 256
"""Key sequences remembered per model class (payloads of one API version have a few; a class
that meets more gets its extra ones worked out each time)."""


def finish(obj: StripeObject, data: dict[str, Any]) -> None:
    """Record the keys of `data` the spec does not know, and the optional ones it lacks (only
    called when the keys of `data` are not exactly the model's). Worked out once per sequence
    of keys and class, and shared: objects of one shape hold one `_absent` set."""
    cls = type(obj)
    shapes = _SHAPES.get(cls)
    if shapes is None:
        shapes = _SHAPES[cls] = {}
    keys = tuple(data)
    shape = shapes.get(keys)
    if shape is None:
        shape = _shape(cls, keys)
        if len(shapes) < _MAX_SHAPES:
            shapes[keys] = shape
    obj._absent, unknown = shape
    obj._extra = {k: data[k] for k in unknown} if unknown else None


def _shape(cls: type, keys: tuple[str, ...]) -> _Shape:
    """The optional keys of `cls` missing from `keys`, and the `keys` it does not know."""
    import attrs

    renames: dict[str, str] = getattr(cls, "_RENAMES", {})
    fields: tuple[attrs.Attribute[Any], ...] = attrs.fields(cls)
    known = {renames.get(a.name, a.name) for a in fields}
    optional = frozenset(renames.get(a.name, a.name) for a in fields if a.default is None)
    return optional.difference(keys) or None, tuple(k for k in keys if k not in known)


def same(value: T) -> T:
    """The parser of plain JSON values: they are used as decoded."""
    return value


def items(value: Any) -> list[Any]:
    """`value` if it is a JSON array (an object, string or null where the spec says an array of
    objects is a mismatch, not an empty list)."""
    if type(value) is not list:
        raise Mismatch(f"expected an array, got {type(value).__name__}")
    return value


def list_object(
    data: dict[str, Any], item: Callable[[Any], T], cls: type[ListObject[Any]] = ListObject
) -> ListObject[T]:
    """A list page (of class `cls`) whose objects `item` parses."""
    page: ListObject[T] = object.__new__(cls)
    page.object = data["object"]
    page.data = [item(x) for x in items(data["data"])]
    page.has_more = data["has_more"]
    page.url = data.get("url")
    if len(data) != 4 or "url" not in data:
        finish(page, data)
    else:
        page._extra = page._absent = None  # type: ignore[misc]  # (mypy misses the base slots)
    return page


def search_result(
    data: dict[str, Any], item: Callable[[Any], T], cls: type[SearchResult[Any]] = SearchResult
) -> SearchResult[T]:
    """A search page (of class `cls`) whose objects `item` parses."""
    page: SearchResult[T] = object.__new__(cls)
    page.object = data["object"]
    page.data = [item(x) for x in items(data["data"])]
    page.has_more = data["has_more"]
    page.url = data.get("url")
    page.next_page = data.get("next_page")
    page.total_count = data.get("total_count")
    if len(data) != 6 or "url" not in data or "next_page" not in data or (
        "total_count" not in data
    ):
        finish(page, data)
    else:
        page._extra = page._absent = None  # type: ignore[misc]  # (mypy misses the base slots)
    return page


def v2_list_object(
    data: dict[str, Any], item: Callable[[Any], T], cls: type[V2ListObject[Any]] = V2ListObject
) -> V2ListObject[T]:
    """A v2 list page (of class `cls`) whose objects `item` parses."""
    page: V2ListObject[T] = object.__new__(cls)
    page.data = [item(x) for x in items(data["data"])]
    nxt = data.get("next_page_url")
    prev = data.get("previous_page_url")
    if not (nxt is None or type(nxt) is str) or not (prev is None or type(prev) is str):
        raise Mismatch("expected page URLs to be strings or null")
    page.next_page_url = nxt
    page.previous_page_url = prev
    if len(data) != 3 or "next_page_url" not in data or "previous_page_url" not in data:
        finish(page, data)
    else:
        page._extra = page._absent = None  # type: ignore[misc]  # (mypy misses the base slots)
    return page


def one_of(*names: str) -> Callable[[Any], Any]:
    """A parser for a value that is one of several models, chosen by its `object` (and
    `deleted`) field, as the tolerant path chooses; a tag none of them has is a mismatch."""
    table: dict[tuple[str, bool], Callable[[Any], Any]] = {}

    def parse(data: Any) -> Any:
        if not table:
            models = importlib.import_module(_GENERATED_MODELS)
            for name in names:
                cls = getattr(models, name)
                table[(cls.OBJECT_NAME, cls.DELETED)] = getattr(PARSERS, name)
        fn = table.get((data["object"], data.get("deleted") is True))
        if fn is None:
            raise Mismatch(f"object {data['object']!r} is none of {names}")
        return fn(data)

    return parse


_BY_TAG: dict[tuple[str, bool], Callable[[Any], Any]] = {}
"""The parser of each `(object, deleted)` tag met so far (filled by `any_object`)."""


def any_object(data: Any) -> Any:
    """A value typed as any Stripe object: parsed by its `object` field (unknown types, and
    values that are not objects, go to the tolerant path)."""
    tag = (data["object"], data.get("deleted") is True)
    fn = _BY_TAG.get(tag)
    if fn is None:
        cls = model_of_tag(tag)
        if cls is None:
            raise Mismatch(f"unknown object type {data['object']!r}")
        fn = _BY_TAG[tag] = getattr(PARSERS, cls.__name__)
    return fn(data)


def tolerant(expr: str) -> Callable[[Any], Any]:
    """The tolerant parser of the type `expr`, for the rare field types the generator does not
    write out (unions of models with other kinds of values)."""
    hook: Callable[[Any, Any], Any] | None = None
    type_: Any = None

    def parse(data: Any) -> Any:
        nonlocal hook, type_
        if hook is None:
            from aiostripe._converter import converter
            from aiostripe._models import resolve_type

            type_ = resolve_type(expr)
            hook = converter.get_structure_hook(type_)
        return hook(data, type_)

    return parse


# --- to_dict ------------------------------------------------------------------------------------


def dump(value: Any) -> Any:
    """JSON-ready data of a field value that may hold models (or, parsed tolerantly, anything)."""
    if isinstance(value, StripeObject):
        return value.to_dict()
    if type(value) is list:
        return [dump(v) for v in value]
    if type(value) is dict:
        return {k: dump(v) for k, v in value.items()}
    return wire_text(value)


def dump_tolerant(obj: StripeObject) -> dict[str, Any]:
    """JSON-ready data of an object the tolerant path built (some of its fields unset)."""
    from aiostripe._converter import converter

    out: dict[str, Any] = converter.unstructure(obj, unstructure_as=type(obj))
    return out


def finish_dict(obj: StripeObject, out: dict[str, Any]) -> dict[str, Any]:
    """`out` without the optional keys the parsed data lacked, with the keys it had that the
    spec does not know."""
    try:
        extra, absent = obj._extra, obj._absent
    except AttributeError:  # built by hand or by the tolerant path: set only when not empty
        extra, absent = getattr(obj, "_extra", None), getattr(obj, "_absent", None)
    if absent:
        for key in absent:
            out.pop(key, None)
    if extra:
        out.update(extra)
    return out


# --- the entry: which fast parser a runtime type has --------------------------------------------

_FAST: dict[Any, Callable[[Any], Any] | None] = {}


def fast_parser(type_: Any) -> Callable[[Any], Any] | None:
    """The fast parser of a runtime type (a model class, `ListObject[X]`, `SearchResult[X]`, a
    union of models, `StripeObject`), or None when it has none (cached)."""
    try:
        return _FAST[type_]
    except KeyError:
        fn = _FAST[type_] = _make_fast_parser(type_)
        return fn
    except TypeError:  # an unhashable type expression
        return None


def _make_fast_parser(type_: Any) -> Callable[[Any], Any] | None:
    import functools
    import typing

    if type_ is StripeObject:
        return any_object
    origin = typing.get_origin(type_)
    if isinstance(origin, type) and issubclass(origin, (ListObject, SearchResult, V2ListObject)):
        (arg,) = typing.get_args(type_)  # ListObject[X], or a subclass (pagination's ListPage)
        item = fast_parser(arg)
        if item is None:
            return None
        if issubclass(origin, V2ListObject):
            return functools.partial(v2_list_object, item=item, cls=origin)
        if issubclass(origin, ListObject):
            return functools.partial(list_object, item=item, cls=origin)
        return functools.partial(search_result, item=item, cls=origin)
    if origin in (typing.Union, types.UnionType):
        members = typing.get_args(type_)
        if all(_generated_name(m) for m in members):
            return one_of(*(m.__name__ for m in members))
        return None
    name = _generated_name(type_)
    return getattr(PARSERS, name) if name else None


def _generated_name(cls: Any) -> str | None:
    """The class name of a generated model class (else None)."""
    if isinstance(cls, type) and cls.__module__.startswith(_GENERATED_MODELS + "."):
        return cls.__name__
    return None
