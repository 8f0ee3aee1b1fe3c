"""What the fake knows about the generated models: classes by object type, fields by wire name.

Everything here is read from the generated package (`ir.json`'s `object_types`, the attrs classes
with their `OBJECT_NAME` and `_RENAMES`), never written by hand, so the fake follows the spec the
client was generated from.
"""

from __future__ import annotations

import json
import types
import typing
from functools import cache
from importlib import resources
from typing import Any, Literal, get_args, get_origin

import attrs

from aiostripe._models import ListObject, SearchResult, StripeObject, model_class

NONE = type(None)


@attrs.frozen
class Field:
    """One field of a model: its JSON name, resolved type, and whether the API always sends it."""

    name: str
    type: Any
    required: bool


class _Names(dict[str, Any]):
    """Generated class names, imported on first lookup (the locals of `attrs.resolve_types`)."""

    def __missing__(self, name: str) -> Any:
        value = model_class(name)
        self[name] = value
        return value


_NAMES = _Names()


@cache
def generated_json(name: str) -> Any:
    """A JSON file of the generated package (`ir.json`, `fixtures.json`), parsed once."""
    text = resources.files("aiostripe._generated").joinpath(name).read_text(encoding="utf-8")
    return json.loads(text)


def class_for(object_name: str, *, deleted: bool = False) -> type[StripeObject] | None:
    """The model class of an object type (`"customer"` -> `Customer`), None if the spec has none."""
    key = f"{object_name}|deleted" if deleted else object_name
    name = generated_json("ir.json")["object_types"].get(key)
    return None if name is None else model_class(name)


def classes_of(expr: str) -> list[type[StripeObject]]:
    """The model classes a type expression names (`"Customer | DeletedCustomer"`), type aliases
    (`PaymentSource = "Account | BankAccount | Card | Source"`) expanded."""
    out: list[type[StripeObject]] = []
    for part in expr.split("|"):
        name = part.strip()
        if not name or name in ("None", "bytes", "Any"):
            continue
        value: Any = model_class(name)
        for cls in members(value):
            if cls not in out:
                out.append(cls)
    return out


@cache
def fields(cls: type) -> dict[str, Field]:
    """The fields of a model class by JSON name, with their types resolved."""
    for klass in reversed(cls.__mro__):
        if attrs.has(klass):
            attrs.resolve_types(klass, localns=_NAMES)
    renames: dict[str, str] = getattr(cls, "_RENAMES", {})
    declared: tuple[attrs.Attribute[Any], ...] = attrs.fields(cls)
    return {
        renames.get(a.name, a.name): Field(
            renames.get(a.name, a.name), a.type, a.default is attrs.NOTHING
        )
        for a in declared
    }


def is_model(t: Any) -> bool:
    """Whether `t` is a generated model class (not a list page)."""
    return (
        isinstance(t, type)
        and issubclass(t, StripeObject)
        and attrs.has(t)
        and not (issubclass(t, ListObject | SearchResult))
    )


def page_item(t: Any) -> Any | None:
    """The item type of `ListObject[X]` / `SearchResult[X]`, None for any other type."""
    origin = get_origin(t)
    if isinstance(origin, type) and issubclass(origin, ListObject | SearchResult):
        args = get_args(t)
        return args[0] if args else Any
    if t is ListObject or t is SearchResult:
        return Any
    return None


def members(t: Any) -> tuple[Any, ...]:
    """The members of a union (`str | Customer | None`), or `(t,)`; aliases resolved."""
    if isinstance(t, str):
        return tuple(classes_of(t))
    if isinstance(t, typing.ForwardRef):
        return tuple(classes_of(t.__forward_arg__))
    if get_origin(t) in (typing.Union, types.UnionType):
        out: list[Any] = []
        for arg in get_args(t):
            out.extend(members(arg))
        return tuple(out)
    if isinstance(t, typing.TypeVar):  # an event's object (`Event[T]`): any object
        return (StripeObject,)
    origin = get_origin(t)
    if is_model(origin):  # a generic model (`NotificationEventData[T]`)
        return (origin,)
    return (t,)


def literal_values(t: Any) -> tuple[Any, ...] | None:
    """The values of a `Literal[...]`, None for other types."""
    return get_args(t) if get_origin(t) is Literal else None


def object_name(cls: type) -> str | None:
    """`OBJECT_NAME` of a model class (`"treasury.transaction"`)."""
    name: str | None = getattr(cls, "OBJECT_NAME", None)
    return name


def is_deleted(cls: type) -> bool:
    """Whether a model class is the `deleted_*` shape of its object type."""
    return bool(getattr(cls, "DELETED", False))
