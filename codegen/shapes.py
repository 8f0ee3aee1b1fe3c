"""The usual shape of each model's payload, learned from Stripe's example objects.

Many optional keys are absent from a payload unless asked for: a customer has no `sources`,
`subscriptions`, `tax` or `tax_ids` unless expanded, an event no `account` outside Connect, an
event's data no `previous_attributes` outside `*.updated` events. The generated fast path
(`structure.py`) recognizes exactly the spec's keys cheaply; any other set of keys costs a call
of `_fastparse.finish`, which works the absent and unknown keys out. So for every model that
Stripe's example objects (`fixtures3*.json`) show with some optional keys absent, `learn`
records that set as the model's `usual_absent`, and the generated code checks for that shape
too (a constant `_absent`, no `finish`).

It is a hint for speed only: a payload of any other shape is parsed just the same, by `finish`.
The objects are walked along the models' field types, so nested objects (an event's
`data`, a customer's `invoice_settings`) count too.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from codegen import ir
from codegen.structure import Node, parse_type

_Seen = dict[str, Counter[tuple[str, ...]]]


def learn(api: ir.API, resources: dict[str, Any]) -> None:
    """Set `usual_absent` on the models that Stripe's example objects show without some of
    their optional keys: the shape of the model's own example (what retrieving it answers),
    else the most frequent shape among the objects nested in others (ties: the first met)."""
    seen: _Seen = {}
    own: dict[str, tuple[str, ...]] = {}
    for name in sorted(resources):
        value = resources[name]
        if isinstance(value, dict):
            _walk_object(api, value, None, seen)
            model = _model_of(api, value)
            if model is not None and _matches(model, value):
                own[model.name] = _absent_keys(model, value)
    for name, counts in seen.items():
        api.models[name].usual_absent = counts.most_common(1)[0][0]
    for name, absent in own.items():
        api.models[name].usual_absent = absent


def _model_of(api: ir.API, data: dict[str, Any]) -> ir.Model | None:
    """The model of `data` by its `object` tag (None: untagged or unknown)."""
    if not isinstance(tag := data.get("object"), str):
        return None
    name = api.object_types.get((tag, data.get("deleted") is True))
    return api.models.get(name) if name else None


def _walk_object(api: ir.API, data: dict[str, Any], name: str | None, seen: _Seen) -> None:
    """Count the shape of `data`, an object of the model `name` (None: by its `object` tag)."""
    model = _model_of(api, data) if name is None else api.models.get(name)
    if model is None:
        return
    if model.alias_of:
        _walk_value(api, parse_type(model.alias_of), data, seen)
        return
    absent = _absent_keys(model, data)
    if absent:
        seen.setdefault(model.name, Counter())[absent] += 1
    for f in model.fields:
        value = data.get(f.wire)
        if value is not None:
            _walk_value(api, parse_type(f.type), value, seen)


def _matches(model: ir.Model, data: dict[str, Any]) -> bool:
    """`data` has every required key of `model` and no key it does not know."""
    known = {f.wire for f in model.fields}
    return known.issuperset(data) and all(f.wire in data for f in model.fields if f.required)


def _absent_keys(model: ir.Model, data: dict[str, Any]) -> tuple[str, ...]:
    """The optional keys `data` lacks, when it has every required key and no unknown one."""
    if not _matches(model, data):
        return ()
    return tuple(sorted(f.wire for f in model.fields if not f.required and f.wire not in data))


def _walk_value(api: ir.API, node: Node, value: Any, seen: _Seen) -> None:
    """Walk `value`, of the type `node`, for the objects it holds."""
    if isinstance(value, list):
        if node.name == "list" and node.args:
            for item in value:
                _walk_value(api, node.args[0], item, seen)
        return
    if not isinstance(value, dict):
        return
    if node.name in ("ListObject", "SearchResult") and node.args:
        _walk_value(api, Node("list", [node.args[0]]), value.get("data"), seen)
    elif node.name in api.models:
        _walk_object(api, value, node.name, seen)
    elif node.name == "|":
        members = [m for m in node.args if m.name not in ("None", "str")]
        if len(members) == 1:
            _walk_value(api, members[0], value, seen)
        else:  # several kinds of object: the `object` tag says which
            _walk_object(api, value, None, seen)
    elif node.name == "StripeObject" or node.name in ir.GENERIC_MODELS.values():
        _walk_object(api, value, None, seen)
