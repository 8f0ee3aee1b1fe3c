"""Every example object Stripe publishes parses into its generated model and round-trips.

Also: what a newer API may send (unknown fields, enum values, object types) parses and survives.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from aiostripe._models import StripeObject, structure, structure_object
from aiostripe.models import Customer, TreasuryTransaction
from tests.gen_helpers import SHARED

FIXTURES: dict[str, Any] = {}
for name in ("fixtures3.2026-05-27.json", "fixtures3.private_preview.json"):
    path = SHARED / name
    if path.exists():
        for key, value in json.loads(path.read_text())["resources"].items():
            FIXTURES.setdefault(key, value)


@pytest.mark.skipif(not FIXTURES, reason="../shared not present")
@pytest.mark.parametrize("key", sorted(FIXTURES))
def test_fixture_round_trips(key: str) -> None:
    data = FIXTURES[key]
    obj = structure_object(data)
    from aiostripe._generated.models import OBJECT_TYPES

    expected = OBJECT_TYPES.get((data.get("object"), data.get("deleted") is True))
    assert type(obj).__name__ == (expected or "StripeObject")
    assert obj.to_dict() == data


def test_newer_api_data_parses_and_survives() -> None:
    tx = dict(
        FIXTURES.get("treasury.transaction") or {},
        status="some_future_status",
        brand_new_field={"nested": [1, 2]},
    )
    parsed = structure(tx, "TreasuryTransaction")
    assert type(parsed) is TreasuryTransaction
    assert parsed.status == "some_future_status"
    assert parsed["brand_new_field"] == {"nested": [1, 2]}
    assert parsed.to_dict() == tx


def test_unknown_object_type_in_an_expandable_field() -> None:
    customer = dict(FIXTURES["customer"], default_source={"id": "x_1", "object": "new_thing"})
    parsed = structure(customer, "Customer")
    assert type(parsed) is Customer
    assert type(parsed.default_source) is StripeObject
    assert parsed.default_source["object"] == "new_thing"
    assert parsed.to_dict() == customer


def test_expandable_field_as_id_or_object() -> None:
    charge = FIXTURES["charge"]
    as_id = structure(dict(charge, customer="cus_1"), "Charge")
    expanded = structure(dict(charge, customer=FIXTURES["customer"]), "Charge")
    assert as_id.customer == "cus_1"
    assert type(expanded.customer) is Customer


def test_key_access_and_membership() -> None:
    parsed = structure(FIXTURES["customer"], "Customer")
    assert parsed["email"] == parsed.email
    assert "email" in parsed and "nope" not in parsed
    with pytest.raises(KeyError):
        parsed["nope"]


@pytest.mark.skipif(not FIXTURES, reason="../shared not present")
def test_a_union_of_models_without_object_tags_is_chosen_by_fields() -> None:
    # spec: payment_intent.amount_details is anyOf [payment_flows_amount_details,
    # payment_flows_amount_details_client], neither with an `object` field
    data = FIXTURES["payment_intent"]
    pi = structure(dict(data, amount_details={"tip": {}}), "PaymentIntent")
    assert type(pi.amount_details).__name__ == "PaymentFlowsAmountDetails"  # the first that fits
    other = {"tip": {"amount": 5}, "discount_amount": 3, "unknown_key": 1}
    pi = structure(dict(data, amount_details=other), "PaymentIntent")
    assert type(pi.amount_details).__name__ == "PaymentFlowsAmountDetails"
    assert pi.to_dict()["amount_details"] == other
