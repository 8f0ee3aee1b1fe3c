"""v2 models read what v2 sends as strings by the spec's formats: `format: int64` → int,
`format: decimal` → Decimal, `format: date-time` → a timezone-aware datetime; `to_dict()` gives
back exactly what was received; values of another shape parse tolerantly (kept as sent)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from aiostripe._models import structure
from tests.gen_helpers import SHARED

SPEC_FILE = SHARED / "spec3.2026-05-27.json"


def _schema(name: str) -> dict[str, Any]:
    spec = json.loads(SPEC_FILE.read_text())
    schema: dict[str, Any] = spec["components"]["schemas"][name]
    return schema


IMPORT = {
    "id": "pci_1", "object": "v2.commerce.product_catalog_import",
    "created": "2026-05-27T10:00:00.123Z", "feed_type": "pricing", "livemode": False,
    "metadata": {}, "status": "succeeded_with_errors",
    "status_details": {"succeeded_with_errors": {
        "error_count": "3", "success_count": "9007199254740993",
        "error_file": {"content_type": "text/csv", "size": "2048",
                       "download_url": {"url": "https://files.stripe.com/x",
                                        "expires_at": "2026-05-28T10:00:00Z"}},
        "samples": [{"error_message": "bad price", "field": "price", "id": "r12", "row": "12"}],
    }},
}


@pytest.mark.skipif(not SPEC_FILE.exists(), reason="../shared not present")
def test_the_spec_marks_these_values_as_strings_of_a_format() -> None:
    """The premise, read from Stripe's spec: the fields are JSON strings with a format."""
    details = _schema("v2.commerce.product_catalog_import")["properties"]["status_details"]
    counts = details["properties"]["processing"]["properties"]
    assert counts["success_count"] == {**counts["success_count"], "type": "string", "format": "int64"}
    created = _schema("v2.core.event")["properties"]["created"]
    assert (created["type"], created["format"]) == ("string", "date-time")
    rel = _schema("v2.core.account_person")["properties"]["relationship"]["properties"]
    assert (rel["percent_ownership"]["type"], rel["percent_ownership"]["format"]) == ("string", "decimal")


def test_int64_strings_are_ints_and_date_times_aware_datetimes() -> None:
    data = copy.deepcopy(IMPORT)
    obj = structure(data, "V2CommerceProductCatalogImport")
    assert obj.created == datetime(2026, 5, 27, 10, 0, 0, 123000, tzinfo=UTC)
    assert obj.created.utcoffset() == timedelta(0)
    details = obj.status_details.succeeded_with_errors
    assert details.error_count == 3 and isinstance(details.error_count, int)
    assert details.success_count == 2**53 + 1  # beyond a float's integers: exact
    assert details.error_file.size + 1 == 2049
    assert details.samples[0].row == 12
    assert details.error_file.download_url.expires_at == datetime(2026, 5, 28, 10, tzinfo=UTC)
    assert obj.to_dict() == IMPORT  # exactly the text received, ".123Z" and all


def test_decimal_strings_are_decimals() -> None:
    person = {
        "id": "person_1", "object": "v2.core.account_person", "account": "acct_1",
        "created": "2026-01-02T03:04:05.000Z", "livemode": True,
        "relationship": {"owner": True, "percent_ownership": "12.5"},
    }
    obj = structure(copy.deepcopy(person), "V2CoreAccountPerson")
    assert obj.relationship.percent_ownership == Decimal("12.5")
    assert obj.created.tzinfo is not None
    assert obj.to_dict() == person


@pytest.mark.parametrize(
    ("path", "odd"),
    [
        (("created",), "yesterday"),
        (("created",), "2026-05-27T10:00:00"),  # no timezone
        (("status_details", "succeeded_with_errors", "error_count"), 3),  # a number, not a string
        (("status_details", "succeeded_with_errors", "error_count"), "03"),  # not canonical
    ],
)
def test_a_value_not_of_its_format_parses_tolerantly_and_comes_back_as_sent(
    path: tuple[str, ...], odd: object
) -> None:
    data = copy.deepcopy(IMPORT)
    node: Any = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = odd
    obj = structure(copy.deepcopy(data), "V2CommerceProductCatalogImport")
    holder: Any = obj
    for key in path[:-1]:
        holder = getattr(holder, key)
    assert holder[path[-1]] == odd
    assert obj.to_dict() == data


def test_v2_event_round_trip() -> None:
    event = {
        "id": "evt_1", "object": "v2.core.event", "type": "v2.core.account.updated",
        "created": "2026-05-27T10:00:00.000Z", "livemode": False, "context": "acct_1",
        "related_object": {"id": "acct_1", "type": "v2.core.account", "url": "/v2/core/accounts/acct_1"},
        "reason": {"type": "request", "request": {"id": "req_1", "idempotency_key": "k"}},
        "data": {}, "changes": {"before": {}, "after": {}},
    }
    obj = structure(copy.deepcopy(event), "V2CoreEvent")
    assert obj.related_object.id == "acct_1" and obj.context == "acct_1"
    assert obj.to_dict() == event
