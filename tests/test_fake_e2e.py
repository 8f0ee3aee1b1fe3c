"""End to end: a small aiohttp shop with a Stripe webhook route (aiostripe.webhooks, signature
verified) receives, from the fake Stripe over loopback HTTP, the events of a checkout, its
payment and a refund, as it would from Stripe (https://docs.stripe.com/checkout/fulfillment,
https://docs.stripe.com/webhooks)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest_asyncio
from aiohttp import web

from aiostripe import StripeClient
from aiostripe.models import CheckoutSession
from aiostripe.testing import FakeStripe
from aiostripe.webhooks import Event, WebhookRouter, aiohttp_handler


class Shop:
    """The user's app: orders fulfilled and refunded from webhook events."""

    def __init__(self) -> None:
        self.router = WebhookRouter()
        self.events: list[str] = []
        self.paid: dict[str, int] = {}
        self.refunded: dict[str, int] = {}
        self.handler: Any = None
        self.router.on("checkout.session.completed")(self.fulfil)
        self.router.on("charge.refunded")(self.refund)
        self.router.on(
            "payment_intent.created",
            "payment_intent.succeeded",
            "charge.succeeded",
            "refund.created",
        )(self.seen)

    async def seen(self, event: Event) -> None:
        self.events.append(event.type)

    async def fulfil(self, event: Event) -> None:
        self.events.append(event.type)
        session = event.data.object
        assert isinstance(session, CheckoutSession)
        assert session.client_reference_id is not None and session.amount_total is not None
        self.paid[session.client_reference_id] = session.amount_total

    async def refund(self, event: Event) -> None:
        self.events.append(event.type)
        charge: Any = event.data.object
        self.refunded[charge.payment_intent] = charge.amount_refunded

    async def webhook(self, request: web.Request) -> web.StreamResponse:
        response: web.StreamResponse = await self.handler(request)
        return response


@pytest_asyncio.fixture
async def shop() -> AsyncIterator[tuple[Shop, str]]:
    app_state = Shop()
    app = web.Application()
    app.router.add_post("/stripe/webhook", app_state.webhook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield app_state, f"http://127.0.0.1:{runner.addresses[0][1]}/stripe/webhook"
    await runner.cleanup()


async def test_checkout_payment_refund_webhooks(
    fake_stripe: FakeStripe, stripe_client: StripeClient, shop: tuple[Shop, str]
) -> None:
    app, url = shop
    stripe = stripe_client
    endpoint = await stripe.webhook_endpoints.create(url=url, enabled_events=["*"])
    assert endpoint.secret is not None
    app.handler = aiohttp_handler(endpoint.secret, app.router)

    session = await stripe.checkout.sessions.create(
        mode="payment",
        client_reference_id="order-42",
        success_url="https://shop.example/thanks",
        line_items=[
            {
                "price_data": {
                    "currency": "usd",
                    "unit_amount": 2_500,
                    "product_data": {"name": "T-shirt"},
                },
                "quantity": 2,
            },
        ],
    )
    assert (session.status, session.payment_status, session.amount_total) == (
        "open",
        "unpaid",
        5_000,
    )
    items = await stripe.checkout.sessions.line_items.list(session.id)
    assert [(i.description, i.quantity, i.amount_total) for i in items.data] == [
        ("T-shirt", 2, 5_000)
    ]

    fake_stripe.complete_checkout(session.id, payment_method="pm_card_visa")  # the customer pays
    await fake_stripe.webhooks.wait()
    assert app.paid == {"order-42": 5_000}
    paid = await stripe.checkout.sessions.retrieve(session.id)
    assert (paid.status, paid.payment_status) == ("complete", "paid")
    assert isinstance(paid.payment_intent, str)

    await stripe.refunds.create(payment_intent=paid.payment_intent, amount=2_500)
    await fake_stripe.webhooks.wait()
    assert app.refunded == {paid.payment_intent: 2_500}
    assert app.events.index("payment_intent.created") < app.events.index("payment_intent.succeeded")
    assert set(app.events) == {
        "payment_intent.created",
        "charge.succeeded",
        "payment_intent.succeeded",
        "checkout.session.completed",
        "refund.created",
        "charge.refunded",
    }
    assert all(a.status == 200 for a in fake_stripe.webhooks.attempts)

    # the route verifies signatures: a forged delivery is refused
    async with (
        aiohttp.ClientSession() as session_http,
        session_http.post(
            url,
            data=b'{"id": "evt_forged", "object": "event"}',
            headers={"Stripe-Signature": "t=1,v1=00"},
        ) as forged,
    ):
        assert forged.status == 400
