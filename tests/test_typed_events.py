"""Typed events: each event type carries the model the generator derived for it.

`codegen/events.py` derives the object type of every event type of the spec from its name (with
the exceptions in one override table); the generated overloads of `WebhookRouter.on` make
`Event[PaymentIntent]` the handler type of `payment_intent.succeeded`. These tests check the
derivation against Stripe's documentation ("Types of events") and against run time: an event of
each type, carrying Stripe's example object of the derived type, reaches its handler with
`event.data.object` an instance of exactly that model.
"""

from __future__ import annotations

import json
import typing
from typing import Any

import pytest

from aiostripe._generated import API_VERSION
from aiostripe._generated.event_routing import EVENT_OBJECTS
from aiostripe._generated.event_types import EventType
from aiostripe._generated.models import OBJECT_TYPES
from aiostripe._models import model_class
from aiostripe.webhooks import Event, WebhookRouter, construct_event, generate_test_header
from codegen import events, spec
from tests.gen_helpers import PIN_FIXTURES

FIXTURES: dict[str, Any] = json.loads(PIN_FIXTURES.read_text())["resources"]
SECRET = "whsec_typed_events"

# From Stripe's "Types of events" page (docs.stripe.com/api/events/types): `data.object is a ...`
DOCUMENTED = {
    "account.application.authorized": "Application",
    "account.external_account.created": "BankAccount | Card",
    "application_fee.refund.updated": "FeeRefund",
    "charge.dispute.created": "Dispute",
    "charge.refund.updated": "Refund",
    "customer.discount.deleted": "Discount",
    "customer.source.expiring": "BankAccount | Card | Source",
    "customer.subscription.trial_will_end": "Subscription",
    "customer.tax_id.created": "TaxId",
    "invoiceitem.created": "Invoiceitem",
    "issuing_authorization.request": "IssuingAuthorization",
    "issuing_card.created": "IssuingCard",
    "payment_intent.succeeded": "PaymentIntent",
    "sigma.scheduled_query_run.created": "ScheduledQueryRun",
    "source.transaction.created": "SourceTransaction",
    "checkout.session.completed": "CheckoutSession",
    "test_helpers.test_clock.ready": "TestHelpersTestClock",
}


def untyped_events() -> list[str]:
    return sorted(t for t, expr in EVENT_OBJECTS.items() if expr == "StripeObject")


def test_every_event_type_has_an_object_type() -> None:
    assert set(EVENT_OBJECTS) == set(typing.get_args(EventType))
    untyped = untyped_events()
    # only resources the pinned spec has no schema for
    schemas = spec.load()["components"]["schemas"]
    assert all(t.rsplit(".", 1)[0] not in schemas for t in untyped)
    assert untyped == ["entitlements.active_entitlement_summary.updated", "reserve.hold.created",
                       "reserve.hold.updated", "reserve.release.created"]


@pytest.mark.parametrize(("event_type", "expected"), sorted(DOCUMENTED.items()))
def test_derivation_matches_stripes_documentation(event_type: str, expected: str) -> None:
    assert EVENT_OBJECTS[event_type] == expected


def test_overrides_are_needed() -> None:
    """Each entry of the override table differs from what the naming rules alone would give."""
    saved = dict(events.OVERRIDES)
    try:
        events.OVERRIDES.clear()
        plain = events.event_objects(list(saved), OBJECT_TYPES)
    finally:
        events.OVERRIDES.update(saved)
    assert all(plain[t] != saved[t] for t in saved), plain


def _example_of(class_name: str) -> dict[str, Any]:
    tag = next(t for (t, d), n in OBJECT_TYPES.items() if n == class_name and not d)
    return next(o for o in FIXTURES.values() if o.get("object") == tag and not o.get("deleted"))


async def test_each_event_type_delivers_its_model_at_run_time() -> None:
    router = WebhookRouter()
    received: dict[str, Any] = {}

    async def record(event: Event) -> None:
        received[event.type] = event.data.object

    for event_type in EVENT_OBJECTS:
        router.add(event_type, record)
    sent = 0
    for event_type, expr in sorted(EVENT_OBJECTS.items()):
        if expr == "StripeObject":
            continue
        first = expr.split(" | ")[0]
        body = json.dumps({
            "id": f"evt_{sent}", "object": "event", "api_version": API_VERSION,
            "created": 1, "livemode": False, "pending_webhooks": 0, "request": None,
            "type": event_type, "data": {"object": _example_of(first)},
        })
        await router.dispatch(construct_event(body, generate_test_header(body, SECRET), SECRET))
        sent += 1
        obj = received[event_type]
        # its class, or (Stripe's own invoice example lacks a required field) that class with
        # the field unset
        assert isinstance(obj, model_class(first)), event_type
    assert sent == len(EVENT_OBJECTS) - len(untyped_events())
