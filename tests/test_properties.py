"""Property tests (hypothesis): example objects of every release, mutated at random, still parse.

Each example starts from one of Stripe's example objects (the six history releases,
fixtures3.json of 2024-04-10 and the pin's fixtures3.2026-05-27.json) and is mutated at random
places of its tree: fields removed (required ones included), values replaced by a value of another JSON type, fields added. Whatever comes out
must parse into the model its `object` names, give back exactly the mutated data from
`to_dict()`, and keep every top-level value reachable as `obj["field"]`.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiostripe._generated.models import OBJECT_TYPES
from aiostripe._models import StripeObject, structure_object
from aiostripe._wiretypes import wire_text
from tests.gen_helpers import SHARED

FILES = [*sorted((SHARED / "history").glob("fixtures3.*.json")), SHARED / "fixtures3.json",
         SHARED / "fixtures3.2026-05-27.json"]
EXAMPLES: list[dict[str, Any]] = [
    obj for path in FILES for obj in json.loads(path.read_text())["resources"].values()
]

scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=6) | st.floats(
    allow_nan=False, allow_infinity=False
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)


def _dicts(value: Any, out: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every JSON object in the tree of `value`, the root first."""
    if isinstance(value, dict):
        out.append(value)
        for v in value.values():
            _dicts(v, out)
    elif isinstance(value, list):
        for v in value:
            _dicts(v, out)
    return out


def _kind(value: Any) -> type:
    return bool if isinstance(value, bool) else float if isinstance(value, int) else type(value)


@st.composite
def mutated_examples(draw: st.DrawFn) -> dict[str, Any]:
    data = copy.deepcopy(draw(st.sampled_from(EXAMPLES)))
    for _ in range(draw(st.integers(1, 6))):
        objects = _dicts(data, [])
        target = draw(st.sampled_from(objects))
        op = draw(st.sampled_from(["remove", "swap", "add"]))
        if op == "add" or not target:
            target[draw(st.text(min_size=1, max_size=8))] = draw(json_values)
            continue
        key = draw(st.sampled_from(sorted(target)))
        if op == "remove":
            del target[key]
        else:
            old = target[key]
            target[key] = draw(json_values.filter(lambda v, old=old: _kind(v) is not _kind(old)))
    return data


def _as_json(value: Any) -> Any:
    if isinstance(value, StripeObject):
        return value.to_dict()
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _as_json(v) for k, v in value.items()}
    return wire_text(value)  # a `format: decimal` field: the string it was read from


def _expected_class(data: dict[str, Any]) -> str:
    tag = data.get("object")
    if not isinstance(tag, str):
        return "StripeObject"
    return OBJECT_TYPES.get((tag, data.get("deleted") is True)) or "StripeObject"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_examples())
def test_mutated_examples_parse_and_round_trip(data: dict[str, Any]) -> None:
    sent = copy.deepcopy(data)
    obj = structure_object(data)
    assert type(obj).__name__ == _expected_class(sent)
    assert obj.to_dict() == sent
    for key, value in sent.items():
        assert key in obj
        assert _as_json(obj[key]) == value
    assert data == sent  # parsing never changes its input
