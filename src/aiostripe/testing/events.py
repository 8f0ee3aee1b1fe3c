"""Webhook delivery from the fake: a stored `event`, signed like Stripe signs it, POSTed to a URL."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import aiohttp

from aiostripe._models import StripeObject
from aiostripe.testing.objects import model_for
from aiostripe.webhooks import generate_test_header

if TYPE_CHECKING:
    from aiostripe.testing.server import FakeStripe


def _json_object(value: Mapping[str, Any] | StripeObject) -> dict[str, Any]:
    """The event's `data.object`: a model from the client as its JSON (`to_dict()`), a mapping
    as it is."""
    if isinstance(value, StripeObject):
        return value.to_dict()
    if not isinstance(value, Mapping):
        raise TypeError(
            f"data_object: expected a model or a mapping (the JSON object), got {type(value).__name__}"
        )
    return dict(value)


async def deliver(
    fake: FakeStripe,
    url: str,
    type: str,
    data_object: Mapping[str, Any] | StripeObject,
    secret: str,
    previous_attributes: Mapping[str, Any] | None = None,
) -> tuple[int, dict[str, Any]]:
    """Store an event about `data_object` and POST it to `url` with a `Stripe-Signature` header;
    returns the status the endpoint answered and the event."""
    data: dict[str, Any] = {"object": _json_object(data_object)}
    if previous_attributes is not None:
        data["previous_attributes"] = dict(previous_attributes)
    event = fake.factory.build(model_for("event"), created=int(time.time()))
    event.update(type=type, data=data, pending_webhooks=1, request=None)
    fake.store.insert(event)
    payload = json.dumps(event)
    headers = {
        "Content-Type": "application/json",
        "Stripe-Signature": generate_test_header(payload, secret),
        "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
    }
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=payload.encode(), headers=headers) as response,
    ):
        await response.read()
        return response.status, event
