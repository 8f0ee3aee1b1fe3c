"""The slow, tolerant way to build a model from data that does not match the pinned spec.

Objects of other API versions than the pin (webhook events, `Stripe-Version` overrides, stored
JSON) can lack fields the spec requires, or carry values of another JSON type. The fast structure
function of a model (cattrs-generated, see `_models.py`) raises on such data; the model's hook
then calls `structure_tolerant`, which builds the object field by field:

* a field that is absent stays unset (a required one) or `None` (an optional one, as on the fast
  path);
* a value that its field's hook refuses (a string where an object was expected, ...) is kept as
  sent in `obj._extra` (readable as `obj["field"]`) and its attribute stays unset;
* everything else is structured exactly as on the fast path.

An object left with an unset attribute gets the class `with_unset_fields(cls)`: `cls` itself
plus a `__getattr__` whose `AttributeError` names the field and says why it is unset. Model
classes have no `__getattr__` of their own, because CPython reads no attribute of an instance
of such a class on its fast, specialised path (a plain read costs about 2.5 times as much).

`unstructure_tolerant` is the way back: unset attributes are skipped, `_extra` restores what was
sent, so `obj.to_dict()` gives back exactly the input. Both take the converter as an argument
and know nothing of how the fast path is built, so that path can change underneath.
"""

from __future__ import annotations

import importlib
import types
import typing
from collections.abc import Callable
from typing import Any

import attrs

from aiostripe._wiretypes import wire_text

Hook = Callable[[Any, Any], Any]


@attrs.frozen
class _FieldPlan:
    wire: str  # JSON key
    attr: str  # Python attribute name
    type: Any
    default: Any  # attrs.NOTHING for a required field, else the value when absent


def _plan(cls: type) -> list[_FieldPlan]:
    """The fields of an attrs model class (cached on the class)."""
    cached: list[_FieldPlan] | None = cls.__dict__.get("_tolerant_plan")
    if cached is None:
        renames = getattr(cls, "_RENAMES", {})
        cached = [
            _FieldPlan(renames.get(a.name, a.name), a.name, a.type, a.default)
            for a in attrs.fields(cls)
        ]
        type.__setattr__(cls, "_tolerant_plan", cached)
    return cached


def _fresh(default: Any) -> Any:
    return default.factory() if isinstance(default, attrs.Factory) else default  # type: ignore[arg-type]


def structure_tolerant(cls: type, data: dict[str, Any], get_hook: Callable[[Any], Hook]) -> Any:
    """Build `cls` from `data` whatever it lacks or carries; see the module docstring."""
    obj: Any = object.__new__(cls)  # no __init__: required fields may be absent
    extra: dict[str, Any] = {}
    absent: set[str] = set()
    unset = False
    plan = _plan(cls)
    for f in plan:
        if f.wire not in data:
            if f.default is not attrs.NOTHING:
                setattr(obj, f.attr, _fresh(f.default))
                absent.add(f.wire)
            else:
                unset = True
            continue
        value = data[f.wire]
        try:
            setattr(obj, f.attr, get_hook(f.type)(value, f.type))
        except Exception:  # noqa: BLE001 - a value of another shape than the spec says: as sent
            extra[f.wire] = value
            unset = True
    known = {f.wire for f in plan}
    extra.update((k, v) for k, v in data.items() if k not in known)
    if extra:
        obj._extra = extra
    if absent:
        obj._absent = frozenset(absent)
    if unset:
        obj.__class__ = with_unset_fields(cls)
    return obj


_UNSET_FIELDS: dict[type, type] = {}


def with_unset_fields(cls: type) -> type:
    """The class of a `cls` object that parsing left with unset attributes: a subclass of the
    same name, layout and fields whose `__getattr__` (called only when normal lookup fails)
    says which field is unset and why (cached; made on first use)."""
    sub = _UNSET_FIELDS.get(cls)
    if sub is None:
        namespace = {
            "__slots__": (),
            "__module__": cls.__module__,
            "__qualname__": cls.__qualname__,
            "__doc__": cls.__doc__,
            "__getattr__": _unset_attribute,
            "__repr__": _repr_with_unset,
        }
        sub = _UNSET_FIELDS[cls] = type(cls)(cls.__name__, (cls,), namespace)
    return sub


def _unset_attribute(obj: Any, name: str) -> Any:
    """`__getattr__` of `with_unset_fields` classes: the error that names the unset field."""
    if not name.startswith("_"):
        for f in _plan(type(obj)):
            if f.attr == name:
                raise missing_field_error(obj, name, f.wire, _pinned_version())
    raise AttributeError(f"{type(obj).__name__!r} object has no attribute {name!r}")


class _Unset:
    def __repr__(self) -> str:
        return "<unset>"


_UNSET = _Unset()


def _repr_with_unset(obj: Any) -> str:
    """attrs' repr, with `<unset>` for the attributes parsing left unset (attrs' own raises)."""
    fields = ", ".join(f"{f.attr}={getattr(obj, f.attr, _UNSET)!r}" for f in _plan(type(obj)))
    return f"{type(obj).__qualname__}({fields})"


def _pinned_version() -> str:
    version: str = importlib.import_module("aiostripe._generated").API_VERSION
    return version


def unstructure_tolerant(obj: Any) -> Any:
    """JSON-ready data of an object built by `structure_tolerant` (or with unset attributes).

    Values are dumped by what they are, not by the spec's type of their field: a value the
    tolerant path kept as sent (a `None` where a map was expected) comes back as it was."""
    absent = getattr(obj, "_absent", None) or ()
    extra: dict[str, Any] = getattr(obj, "_extra", None) or {}
    out: dict[str, Any] = {}
    for f in _plan(type(obj)):
        if f.wire in absent or f.wire in extra:
            continue
        try:
            value = getattr(obj, f.attr)
        except AttributeError:  # a required field the data did not have
            continue
        out[f.wire] = _dump(value)
    out.update(extra)
    return out


def _dump(value: Any) -> Any:
    to_dict = getattr(value, "to_dict", None)  # a model (StripeObject)
    if to_dict is not None and not isinstance(value, dict):
        return to_dict()
    if type(value) is list:
        return [_dump(v) for v in value]
    if type(value) is dict:
        return {k: _dump(v) for k, v in value.items()}
    return wire_text(value)  # a v2 int64, decimal or date-time: its text


def missing_field_error(obj: Any, name: str, wire: str, api_version: str) -> AttributeError:
    """The error for reading a model attribute that parsing left unset."""
    cls = type(obj).__name__
    extra: dict[str, Any] = getattr(obj, "_extra", None) or {}
    if wire in extra:
        value = extra[wire]
        expected = _type_label(attrs.fields_dict(type(obj))[name].type)
        sent = "null" if value is None else f"{_json_kind(value)} {value!r:.60}"
        return AttributeError(
            f"{cls}.{name}: the payload has {sent} here, not the "
            f"{expected} of API version {api_version} (aiostripe's pin); obj[{wire!r}] gives the "
            "value as sent"
        )
    return AttributeError(
        f"{cls}.{name} is not in this payload: API version {api_version} (aiostripe's pin) "
        "always has it, but objects of other API versions can lack it (check "
        f"`{wire!r} in obj` first)"
    )


def _json_kind(value: Any) -> str:
    kinds = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
    for t, kind in kinds.items():
        if isinstance(value, t):
            return kind
    return "null" if value is None else "a number"


def _type_label(t: Any) -> str:
    """`Address | None`, `ListObject[Subscription]`: a resolved annotation as it was written."""
    args = typing.get_args(t)
    origin = typing.get_origin(t)
    if origin in (typing.Union, types.UnionType):
        return " | ".join(_type_label(a) for a in args)
    if origin is typing.Literal:
        return "one of " + ", ".join(repr(a) for a in args)
    if origin is not None:
        return f"{_type_label(origin)}[{', '.join(_type_label(a) for a in args)}]"
    return "None" if t is type(None) else getattr(t, "__name__", str(t))
