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
    their optional keys (the most frequent such set; ties: the first met)."""
    seen: _Seen = {}
    for name in sorted(resources):
        value = resources[name]
        if isinstance(value, dict):
            _walk_object(api, value, None, seen)
    for name, counts in seen.items():
        absent = counts.most_common(1)[0][0]
        api.models[name].usual_absent = absent


def _walk_object(api: ir.API, data: dict[str, Any], name: str | None, seen: _Seen) -> None:
    """Count the shape of `data`, an object of the model `name` (None: by its `object` tag)."""
    if name is None and isinstance(tag := data.get("object"), str):
        name = api.object_types.get((tag, data.get("deleted") is True))
    model = api.models.get(name) if name else None
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


def _absent_keys(model: ir.Model, data: dict[str, Any]) -> tuple[str, ...]:
    """The optional keys `data` lacks, when it has every required key and no unknown one."""
    known = {f.wire for f in model.fields}
    if not known.issuperset(data) or any(f.required and f.wire not in data for f in model.fields):
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
