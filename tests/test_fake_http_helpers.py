"""The fake's own test helpers over HTTP (`/_fake/...`), for a fake run on its own with
`python -m aiostripe.testing` and driven from another process: the customer's part of 3D Secure
and Checkout, and waiting for webhook deliveries."""

from __future__ import annotations

from typing import Any

import aiohttp

from aiostripe import StripeClient
from aiostripe.testing import FakeStripe

TEST_KEY = {"Authorization": "Bearer sk_test_helpers"}  # the helpers need a test key


async def _post(fake: FakeStripe, path: str, **form: str) -> tuple[int, Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(fake.url + path, data=form, headers=TEST_KEY) as response,
    ):
        return response.status, await response.json()


async def test_helpers_over_http(fake_stripe: FakeStripe, stripe_client: StripeClient) -> None:
    stripe = stripe_client
    intent = await stripe.payment_intents.create(
        amount=1000, currency="usd", payment_method="pm_card_threeDSecure2Required", confirm=True
    )
    status, body = await _post(fake_stripe, f"/_fake/payment_intents/{intent.id}/authenticate")
    assert (status, body["status"]) == (200, "succeeded")
    status, body = await _post(fake_stripe, f"/_fake/payment_intents/{intent.id}/authenticate")
    assert status == 400 and "not requires_action" in body["error"]["message"]

    session = await stripe.checkout.sessions.create(
        mode="payment",
        success_url="https://example.com/ok",
        line_items=[
            {
                "price_data": {
                    "currency": "usd",
                    "unit_amount": 450,
                    "product_data": {"name": "Tea"},
                },
                "quantity": 2,
            }
        ],
    )
    status, body = await _post(
        fake_stripe,
        f"/_fake/checkout/sessions/{session.id}/complete",
        payment_method="pm_card_mastercard",
    )
    assert (status, body["status"], body["payment_status"]) == (200, "complete", "paid")
    paid = await stripe.payment_intents.retrieve(body["payment_intent"])
    assert (paid.amount, paid.status) == (900, "succeeded")
    status, body = await _post(fake_stripe, "/_fake/checkout/sessions/cs_nope/complete")
    assert status == 404

    status, body = await _post(fake_stripe, "/_fake/webhooks/wait")
    assert status == 200 and body == {"attempts": 0}
