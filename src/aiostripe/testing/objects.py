"""Building the objects the fake stores and answers with.

A new object starts from Stripe's example object for its type (`fixtures.json`), repaired to fit
the generated model (a required field the example lacks is synthesised), or, for a type without an
example, from the model's fields alone with plausible values. Request parameters are then applied
field by field: a parameter is taken only where its value fits the model's type, so every object
the fake sends parses as the class the client declares. Nothing here mutates a value in place:
stored objects share their unchanged parts with the template they came from.
"""

from __future__ import annotations

import random
import re
import string
import time
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, get_args, get_origin

from aiostripe._models import StripeObject
from aiostripe.testing.schema import (
    NONE,
    class_for,
    fields,
    generated_json,
    is_deleted,
    is_model,
    literal_values,
    members,
    object_name,
    page_item,
)

_ALNUM = string.ascii_letters + string.digits
_FIXTURE_ID = re.compile(r"([a-z]+_(?:test_)?)[A-Za-z0-9]{3,}")
_INT = re.compile(r"-?\d+")
_MAX_DEPTH = 6
_PROTECTED = frozenset({"id", "object", "deleted"})
_STRINGS = {
    "currency": "usd",
    "country": "US",
    "email": "jenny.rosen@example.com",
    "locale": "en",
    "name": "Jenny Rosen",
}


class NoFit(Exception):
    """A value that does not fit the model type it would be stored under."""


class Factory:
    """Ids, templates and parameter application for every object type of the spec."""

    def __init__(self, rng: random.Random | None = None) -> None:
        self.rng: random.Random = rng or random.Random()
        self._templates: dict[type, dict[str, Any]] = {}
        self._prefixes: dict[str, str] = {}
        self.lookup: Callable[[str], dict[str, Any] | None] | None = None
        """Finds a stored object by id, to embed it where a parameter gives its id."""

    # --- ids ------------------------------------------------------------------------------------

    def prefix(self, name: str | None) -> str:
        """Stripe's id prefix for an object type (`customer` -> `cus_`), from its example id."""
        if name is None:
            return "obj_"
        prefix = self._prefixes.get(name)
        if prefix is None:
            example = generated_json("fixtures.json").get(name)
            fixture_id = example.get("id") if isinstance(example, dict) else None
            match = _FIXTURE_ID.fullmatch(fixture_id) if isinstance(fixture_id, str) else None
            if match is not None and match.group(1) != "obj_":
                prefix = match.group(1)
            else:
                words = name.rsplit(".", 1)[-1].split("_")
                prefix = ("".join(w[:1] for w in words) if len(words) > 1 else words[0][:4]) + "_"
            self._prefixes[name] = prefix
        return prefix

    def new_id(self, name: str | None) -> str:
        """A fresh id for an object type: its prefix and 14 random letters and digits."""
        return self.prefix(name) + "".join(self.rng.choices(_ALNUM, k=14))

    # --- whole objects --------------------------------------------------------------------------

    def template(self, cls: type) -> dict[str, Any]:
        """The example object of a model class, fitted to the model (cached, never mutated)."""
        tpl = self._templates.get(cls)
        if tpl is None:
            name = object_name(cls)
            key = f"deleted_{name}" if is_deleted(cls) else name
            example = generated_json("fixtures.json").get(key) if key else None
            if isinstance(example, dict) and (name is None or example.get("object") == name):
                tpl = self.conform_model(example, cls, 0)
            else:
                tpl = self.synthesise(cls, 0)
            self._templates[cls] = tpl
        return tpl

    def build(
        self,
        cls: type,
        params: Mapping[str, Any] | None = None,
        *,
        created: int | None = None,
        livemode: bool = False,
        strict: bool = False,
    ) -> dict[str, Any]:
        """A new object of `cls`: the template with a fresh id, `created` now, `params` applied
        (see `apply` for `strict`)."""
        template = self.template(cls)
        known = fields(cls)
        now = int(time.time()) if created is None else created
        obj = {
            k: now if v == PLACEHOLDER_TIME and type(v) is int else v for k, v in template.items()
        }
        if "id" in known and known["id"].type is str:
            obj["id"] = new_id = self.new_id(object_name(cls))
            old = template.get("id")
            if isinstance(old, str) and old:  # the example's references to itself: to the new id
                for key, value in obj.items():
                    if isinstance(value, dict | list):
                        obj[key] = replace_str(value, old, new_id)
        if "created" in known:
            obj["created"] = now
        if "livemode" in known:
            obj["livemode"] = livemode
        return self.apply(obj, params, cls, strict=strict) if params else obj

    def apply(
        self,
        obj: Mapping[str, Any],
        params: Mapping[str, Any],
        cls: type,
        *,
        nested: bool = False,
        strict: bool = False,
    ) -> dict[str, Any]:
        """A copy of `obj` with each parameter that names a field of `cls` applied (nested objects
        and `metadata` merged). Request parameters that are not fields, or whose value does not
        fit the field, are left out, and so are `id`, `object` and `deleted` of a top-level
        object. With `strict` (fields given by a test), a value that does not fit its field is a
        `ValueError` and other keys are kept as they are (fields the spec does not know)."""
        out = dict(obj)
        known = fields(cls)
        for key, value in params.items():
            field = known.get(key)
            if field is None:
                if strict:
                    out[key] = value
                continue
            if key in _PROTECTED and not nested:
                continue
            try:
                out[key] = self.merge(out.get(key), value, field.type, 1)
            except NoFit:
                if strict:
                    raise ValueError(
                        f"{key}: {value!r} does not fit the field's type {field.type}"
                    ) from None
        return out

    def deleted(self, cls: type, stored: Mapping[str, Any]) -> dict[str, Any]:
        """The `deleted_*` answer for a stored object: `{"id", "object", "deleted": true, ...}`."""
        out = dict(self.template(cls))
        for key, field in fields(cls).items():
            if key in stored and key not in ("object", "deleted"):
                out[key] = self.conform(stored[key], field.type, 1)
        out["deleted"] = True
        return out

    # --- synthesised values ---------------------------------------------------------------------

    def synthesise(self, cls: type, depth: int) -> dict[str, Any]:
        """An object of `cls` from its fields alone: required fields sampled, the others left out
        (as Stripe leaves out a field the spec does not require, such as `discounts` of a line
        item: it may not be null)."""
        out: dict[str, Any] = {}
        for key, field in fields(cls).items():
            if key == "id" and field.type is str:
                out[key] = self.new_id(object_name(cls))
            elif field.required:
                out[key] = self.sample(field.type, key, depth)
        if "deleted" in out and is_deleted(cls):
            out["deleted"] = True
        return out

    def sample(self, t: Any, name: str, depth: int) -> Any:
        """A plausible value of type `t` for a field called `name`."""
        options = members(t)
        if NONE in options:
            return None
        models = [m for m in options if is_model(m)]
        if str in options and models:  # an expandable reference: an id of the right shape
            return self.new_id(object_name(models[0]))
        t = options[0]
        values = literal_values(t)
        if values is not None:
            return values[0]
        if t is str:
            if name.endswith("url"):
                return "https://example.com"
            return _STRINGS.get(name, name)
        if t is bool:
            return False
        if t is int:
            return int(time.time()) if name in ("created", "updated") else 0
        if t is float:
            return 0.0
        if t is Decimal:  # `format: decimal`: a string on the wire
            return "0"
        origin = get_origin(t)
        if origin is dict:
            return {}
        if origin is list:
            return []
        if page_item(t) is not None:
            return _page([])
        if is_model(t):
            return self.synthesise(t, depth + 1) if depth < _MAX_DEPTH else None
        return None

    # --- fitting values to types ----------------------------------------------------------------

    def conform(self, value: Any, t: Any, depth: int) -> Any:
        """`value` repaired to fit `t`: kept where it fits, sampled where it cannot."""
        options = members(t)
        if value is None:
            return None if NONE in options else self.sample(t, "", depth)
        for option in options:
            if option is NONE:
                continue
            fitted = self._conform_member(value, option, depth)
            if fitted is not _MISSING:
                return fitted
        return None if NONE in options else self.sample(t, "", depth)

    def _conform_member(self, value: Any, t: Any, depth: int) -> Any:
        if t is Any:
            return value
        if t is StripeObject:  # any object (an event's `data.object`)
            return value if isinstance(value, dict) else _MISSING
        values = literal_values(t)
        if values is not None:
            return value if isinstance(value, str | int | bool) else _MISSING
        if t is str:
            return value if isinstance(value, str) else _MISSING
        if t is bool:
            return value if isinstance(value, bool) else _MISSING
        if t is int:
            return value if isinstance(value, int) and not isinstance(value, bool) else _MISSING
        if t is float:
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            return value if ok else _MISSING
        origin = get_origin(t)
        if origin is dict:
            if not isinstance(value, dict):
                return _MISSING
            item = get_args(t)[1]
            return {k: self.conform(v, item, depth) for k, v in value.items()}
        if origin is list:
            if not isinstance(value, list):
                return _MISSING
            item = get_args(t)[0]
            return [self.conform(v, item, depth) for v in value]
        item_type = page_item(t)
        if item_type is not None:
            if not isinstance(value, dict) or not isinstance(value.get("data"), list):
                return _MISSING
            return {**value, "data": [self.conform(v, item_type, depth) for v in value["data"]]}
        if is_model(t):
            if not isinstance(value, dict) or not _is_kind(value, t):
                return _MISSING
            return self.conform_model(value, t, depth + 1)
        return _MISSING

    def conform_model(self, value: Mapping[str, Any], cls: type, depth: int) -> dict[str, Any]:
        """An object of `cls` from `value`: known fields fitted, missing required ones sampled,
        fields the spec does not declare (older examples' `plan`, `source`) dropped."""
        known = fields(cls)
        out = {key: item for key, item in value.items() if key in known}
        for key, field in known.items():
            if key in out:
                if out[key] == PLACEHOLDER_TIME and not field.required:
                    out[key] = None  # Stripe's examples put 1234567890 in every timestamp
                    continue
                out[key] = self.conform(out[key], field.type, depth)
            elif key == "id" and field.type is str:
                out[key] = self.new_id(object_name(cls))
            elif field.required:
                out[key] = self.sample(field.type, key, depth)
        return out

    def merge(self, old: Any, new: Any, t: Any, depth: int) -> Any:
        """`new` (a request parameter value) applied over `old` as a value of type `t`.

        Dicts merge into objects and maps (a map entry set to `""` is removed), lists replace,
        `""` unsets, scalars are coerced from their form-encoded text. Raises `NoFit`."""
        options = members(t)
        if new == "" or new is None:
            if NONE in options:
                return None
            for option in options:
                origin = get_origin(option)
                if option is str:
                    return ""
                if origin is dict:
                    return {}
                if origin is list:
                    return []
            raise NoFit
        if isinstance(new, Mapping):
            for option in options:
                if is_model(option):
                    base = old if isinstance(old, dict) and _is_kind(old, option) else None
                    if base is None:
                        base = self.synthesise(option, depth) if depth < _MAX_DEPTH else {}
                    return self.apply(base, new, option, nested=True)
                if get_origin(option) is dict:
                    item = get_args(option)[1]
                    merged = dict(old) if isinstance(old, dict) else {}
                    for key, value in new.items():
                        if value == "":
                            merged.pop(key, None)
                        else:
                            merged[key] = self.merge(merged.get(key), value, item, depth + 1)
                    return merged
            raise NoFit
        if isinstance(new, list):
            for option in options:
                if get_origin(option) is list:
                    item = get_args(option)[0]
                    return [self.merge(None, v, item, depth + 1) for v in new]
                item_type = page_item(option)
                if item_type is not None:
                    data = [self.merge(None, v, item_type, depth + 1) for v in new]
                    url = old.get("url") if isinstance(old, dict) else None
                    return _page(data, url or "")
            raise NoFit
        for option in options:
            value = _coerce_scalar(new, option)
            if value is not _MISSING:
                return value
        if isinstance(new, str):  # an id where the API embeds the object (`price` of an item)
            for option in options:
                if is_model(option) and "id" in fields(option):
                    held = self.lookup(new) if self.lookup is not None else None
                    if held is not None and _is_kind(held, option):
                        return held
                    return {**self.template(option), "id": new}
        raise NoFit


_MISSING: Any = object()
PLACEHOLDER_TIME = 1234567890
"""The timestamp of every example object: `created` and other top-level times become now."""


def replace_str(value: Any, old: str, new: str) -> Any:
    """`value` with `old` replaced by `new` in every string inside it (a copy, if anything
    changed)."""
    if isinstance(value, str):
        return value.replace(old, new) if old in value else value
    if isinstance(value, dict):
        items = {k: replace_str(v, old, new) for k, v in value.items()}
        return value if all(items[k] is value[k] for k in value) else items
    if isinstance(value, list):
        replaced = [replace_str(v, old, new) for v in value]
        return value if all(a is b for a, b in zip(replaced, value, strict=True)) else replaced
    return value


def _page(data: list[Any], url: str = "") -> dict[str, Any]:
    return {"object": "list", "data": data, "has_more": False, "url": url}


def _is_kind(value: Mapping[str, Any], cls: type) -> bool:
    """Whether a dict can be an object of `cls` (same `object` type, same `deleted` flag)."""
    name = object_name(cls)
    if name is not None and value.get("object", name) != name:
        return False
    return (value.get("deleted") is True) == is_deleted(cls)


def _coerce_scalar(value: Any, t: Any) -> Any:
    if t is Any:
        return value
    values = literal_values(t)
    if values is not None:
        if value in values:
            return value
        text = _text(value)
        for v in values:
            if _text(v) == text:
                return v
        return _MISSING
    if t is str:
        return value if isinstance(value, str) else _MISSING
    if t is bool:
        if isinstance(value, bool):
            return value
        return (
            {"true": True, "false": False}.get(value, _MISSING)
            if isinstance(value, str)
            else (_MISSING)
        )
    if t is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        return int(value) if isinstance(value, str) and _INT.fullmatch(value) else _MISSING
    if t is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                return _MISSING
    if t is Decimal:  # kept as the decimal string Stripe sends
        if isinstance(value, Decimal):
            return format(value, "f")
        if isinstance(value, int | float | str) and not isinstance(value, bool):
            try:
                return str(value) if Decimal(str(value)).is_finite() else _MISSING
            except ArithmeticError:
                return _MISSING
    return _MISSING


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def model_for(name: str, *, deleted: bool = False) -> type:
    """The model class of an object type, or a `LookupError` naming it."""
    cls = class_for(name, deleted=deleted)
    if cls is None:
        raise LookupError(f"no object type {name!r} in the spec")
    return cls
