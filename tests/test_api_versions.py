"""Objects of every API version parse: Stripe's example objects of six releases (2018-2026).

`../shared/stripe-openapi/history/` holds the example objects Stripe published for the API
version current at each release, and `fixtures3.json` those of 2024-04-10 (the previous pin): they
lack fields the pinned spec (2026-05-27.dahlia) requires and carry fields it does not know. Each one must parse into its generated model, round-trip exactly through
`to_dict()`, and say clearly what is missing when user code reads an absent field.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import aiostripe._converter as converter_mod
import aiostripe._models as models_mod
from aiostripe._generated.models import OBJECT_TYPES
from aiostripe._models import StripeObject, structure, structure_object
from aiostripe.models import Customer, Subscription, SubscriptionItem
from tests.gen_helpers import PIN_FIXTURES, SHARED
from tests.response_schema import lacks_required

HISTORY = sorted((SHARED / "history").glob("fixtures3.*.json"))
PREVIOUS_PIN = SHARED / "fixtures3.json"  # 2024-04-10
ALL_FILES = [*HISTORY, PREVIOUS_PIN, PIN_FIXTURES]


def _resources(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())["resources"]
    return data


def _expected_class(data: dict[str, Any]) -> str:
    return OBJECT_TYPES.get((data.get("object"), data.get("deleted") is True)) or "StripeObject"


def test_history_is_there() -> None:
    """The six releases must be present: the parametrized tests below would silently shrink."""
    assert len(HISTORY) == 6, f"expected six history files in {SHARED / 'history'}"


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_every_object_of_every_release_parses_and_round_trips(path: Path) -> None:
    resources = _resources(path)
    assert resources
    for key, data in resources.items():
        obj = structure_object(data)
        assert type(obj).__name__ == _expected_class(data), key
        assert obj.to_dict() == data, key
        assert repr(obj).startswith(type(obj).__name__), key  # unset fields or not


def _defines_getattr(cls: type) -> bool:
    return any("__getattr__" in vars(klass) for klass in cls.__mro__)


def test_objects_that_fit_the_spec_have_exactly_their_model_class() -> None:
    """No `__getattr__` on the class of an object that parsed whole: with one, CPython reads none
    of its attributes on the specialised path (about 2.5x the cost of every read). Only objects
    that parsing left with unset fields get the subclass whose hook explains them."""
    for key, data in _resources(PIN_FIXTURES).items():
        obj = structure_object(data)
        if type(obj) is StripeObject or lacks_required(data):
            continue
        assert type(obj) is models_mod.model_class(type(obj).__name__), key
        assert not _defines_getattr(type(obj)), key
    sub = structure(_resources(HISTORY[0])["subscription"], "Subscription")  # 2018: fields unset
    assert type(sub) is not Subscription and _defines_getattr(type(sub))


def test_objects_matching_the_spec_take_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only data that does not fit the pinned spec is built field by field."""
    calls: list[str] = []
    original = converter_mod.structure_tolerant

    def counting(cls: type, data: dict[str, Any], get_hook: Any) -> Any:
        calls.append(cls.__name__)
        return original(cls, data, get_hook)

    monkeypatch.setattr(converter_mod, "structure_tolerant", counting)
    misfits = set()
    for data in _resources(PIN_FIXTURES).values():
        structure_object(data)
        if data.get("object") and lacks_required(data):
            misfits.add(data["object"])
    assert misfits == {"invoice"}  # Stripe's invoice example lacks `amount_paid_off_stripe`
    assert calls == ["Invoice"]
    older = _resources(PREVIOUS_PIN)
    structure_object(older["subscription"])
    assert "SubscriptionItem" in calls


def test_a_required_field_missing_from_an_older_version() -> None:
    """2025 moved `subscription.current_period_end` to the subscription's items: a 2024-04-10
    subscription has it at the top (a field the pin does not know) and not on its items."""
    data = _resources(PREVIOUS_PIN)["subscription"]
    assert "current_period_end" in data and "current_period_end" not in data["items"]["data"][0]
    sub = structure(data, "Subscription")
    assert isinstance(sub, Subscription)
    assert sub.id == data["id"] and sub.status == data["status"]
    assert sub["current_period_end"] == data["current_period_end"]  # kept, untyped
    item = sub.items.data[0]
    # a SubscriptionItem (of a subclass that only says which fields are unset and why)
    assert isinstance(item, SubscriptionItem) and type(item).__name__ == "SubscriptionItem"
    assert "current_period_end" not in item
    assert not hasattr(item, "current_period_end")
    assert "current_period_end=<unset>" in repr(item) and f"id={item.id!r}" in repr(item)
    with pytest.raises(AttributeError, match=r"SubscriptionItem\.current_period_end is not in "
                       r"this payload: API version 2026-05-27\.dahlia"):
        _ = item.current_period_end
    with pytest.raises(KeyError):
        item["current_period_end"]
    assert sub.to_dict() == data


def test_an_optional_field_missing_reads_as_none() -> None:
    data = _resources(PIN_FIXTURES)["customer"]
    data = {k: v for k, v in data.items() if k != "email"}
    customer = structure(data, "Customer")
    assert customer.email is None
    assert "email" not in customer
    assert customer.to_dict() == data


def test_a_value_of_another_json_type() -> None:
    base = _resources(PIN_FIXTURES)["customer"]
    data = dict(base, address="10 Downing St", balance="12", subscriptions=[1, 2], shipping=7)
    customer = structure(data, "Customer")
    assert isinstance(customer, Customer)
    assert customer["address"] == "10 Downing St"
    assert customer["subscriptions"] == [1, 2]
    assert customer["balance"] == "12"  # scalars are kept as sent
    with pytest.raises(AttributeError, match=r"Customer\.address: the payload has a string "
                       r"'10 Downing St' here, not the Address \| None"):
        _ = customer.address
    assert customer.email == base["email"]
    assert customer.to_dict() == data


def test_unknown_enum_value_and_unknown_object_type() -> None:
    base = _resources(PIN_FIXTURES)["subscription"]
    data = dict(base, status="paused_forever", brand_new={"object": "v3.thing", "id": "x"})
    sub = structure(data, "Subscription")
    assert sub.status == "paused_forever"
    assert sub["brand_new"] == {"object": "v3.thing", "id": "x"}
    thing = structure_object({"object": "v3.thing", "id": "x", "n": 1})
    assert type(thing) is StripeObject and thing["n"] == 1
    assert thing.to_dict() == {"object": "v3.thing", "id": "x", "n": 1}
    assert sub.to_dict() == data


def test_nested_objects_of_another_version_stay_typed() -> None:
    """2025-04's customer holds a discount with `coupon` and without `source` (which replaced it):
    the customer and the discount parse."""
    data = _resources(SHARED / "history" / "fixtures3.2025-04-21.json")["customer"]
    customer = structure(data, "Customer")
    assert customer.discount is not None
    assert type(customer.discount).__name__ == "Discount"
    assert "source" not in customer.discount
    assert customer.discount["coupon"] == data["discount"]["coupon"]
    assert customer.to_dict() == data


def test_a_value_that_is_not_an_object_at_the_top_is_still_an_error() -> None:
    with pytest.raises(models_mod.ResponseParseError, match="expected a JSON object for Customer"):
        structure("cus_123", "Customer")


def test_a_deleted_object_parses_as_its_model() -> None:
    """Retrieve and update answer `X` (not `X | DeletedX`); a deleted one has `deleted` True."""
    stub = {"id": "tmr_1", "object": "terminal.reader", "deleted": True}
    reader = structure(stub, "TerminalReader")
    assert type(reader).__name__ == "TerminalReader"
    assert reader.deleted is True and reader.id == "tmr_1"
    assert reader.to_dict() == stub
    live = structure(_resources(PIN_FIXTURES)["customer"], "Customer")
    assert live.deleted is False
