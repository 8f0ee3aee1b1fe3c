"""The tolerant cattrs converter: decoded JSON into the generated models whatever its shape, and
models back into JSON-ready data (`to_dict()` of an object parsed tolerantly).

Payloads that match the spec never come here: they parse through the generated fast path
(`_fastparse`). This module is imported on the first tolerant use (a payload of another API
version, `to_dict()` of a model built in code, `Model.from_dict` of such data), so that neither
`import aiostripe` nor a client's creation pays for cattrs. The structure function of each class
is generated once, on first use, and cached by cattrs; what the spec does not know survives (see
`_models`).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal, TypeVar, get_args, get_origin

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from aiostripe._errors import ResponseParseError
from aiostripe._models import _MODELS, StripeObject, object_tag, structure_object
from aiostripe._tolerant import structure_tolerant, unstructure_tolerant
from aiostripe._wiretypes import Int64, decimal_value, int64_value, timestamp_value, wire_text

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
