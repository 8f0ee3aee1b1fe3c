"""`format: decimal` values (issue 23 item 6): `decimal.Decimal` in models, read from the string
Stripe sends and given back exactly by `to_dict()`; params accept a Decimal or a string. Checked
against Stripe's spec (which fields are decimals), Stripe's example objects and stripe-mock."""

from __future__ import annotations

import copy
import functools
import json
from decimal import Decimal
from typing import Any

import pytest

import aiostripe
from aiostripe._fastparse import fast_parser
from aiostripe._models import resolve_type, structure, structure_object
from codegen import ir, spec
from tests.gen_helpers import PIN_FIXTURES
from tests.stripe_mock import StripeMock

FIXTURES: dict[str, Any] = json.loads(PIN_FIXTURES.read_text())["resources"]


@functools.cache
def _pinned() -> dict[str, Any]:
    return spec.load()


def _decimal_properties(doc: dict[str, Any]) -> list[tuple[str, str]]:
    """(schema id, property) of every top-level `format: decimal` property of a component."""
    out = []
    for sid, schema in doc["components"]["schemas"].items():
        for name, prop in schema.get("properties", {}).items():
            for p in [prop, *prop.get("anyOf", [])]:
                if p.get("format") == "decimal":
                    out.append((sid, name))
    return out


def test_every_decimal_field_of_the_spec_is_a_decimal() -> None:
    doc = _pinned()
    found = _decimal_properties(doc)
    assert len(found) == 26
    api = ir.build(doc)
    by_schema = {m.schema_id: m for m in api.models.values() if m.schema_id}
    for sid, name in found:
        model = by_schema[sid]
        (field,) = [f for f in model.fields if f.wire == name]
        assert field.type.split(" | ")[0] == "Decimal", (sid, name, field.type)


@pytest.mark.parametrize("text", ["1.50", "1e2", "0.000000000001", "-7", "12345678901234567890.5"])
def test_a_decimal_reads_as_decimal_and_writes_back_as_sent(text: str) -> None:
    data = dict(FIXTURES["price"], unit_amount_decimal=text)
    for parse in (fast_parser(resolve_type("Price")), lambda d: structure(d, "Price")):
        assert parse is not None
        price = parse(copy.deepcopy(data))
        assert isinstance(price.unit_amount_decimal, Decimal)
        assert price.unit_amount_decimal == Decimal(text)
        assert price.to_dict() == data  # the very string, not str(Decimal(text))


def test_every_decimal_of_stripes_examples_round_trips() -> None:
    seen = 0
    decimals = _decimal_properties(_pinned())
    for key, data in FIXTURES.items():
        obj = structure_object(copy.deepcopy(data))
        assert obj.to_dict() == data, key
        for _sid, name in [p for p in decimals if p[0] == key]:
            if isinstance(data.get(name), str):
                assert getattr(obj, name) == Decimal(data[name]), (key, name)
                seen += 1
    assert seen >= 3


def test_a_value_that_is_not_a_decimal_is_kept_as_sent() -> None:
    data = dict(FIXTURES["price"], unit_amount_decimal="lots")
    price = structure(data, "Price")
    assert price["unit_amount_decimal"] == "lots"
    assert price.to_dict() == data


@pytest.mark.parametrize("value", [Decimal("12.5"), "12.5"], ids=["Decimal", "str"])
async def test_params_take_a_decimal_or_a_string(stripe_mock: StripeMock, value: Any) -> None:
    async with aiostripe.StripeClient(
        "sk_test_mock", base_url=stripe_mock.url, max_retries=0
    ) as client:  # stripe-mock checks the value against `format: decimal`
        price = await client.prices.create(
            currency="usd", unit_amount_decimal=value, product="prod_123"
        )
    assert isinstance(price.unit_amount_decimal, Decimal | None)
