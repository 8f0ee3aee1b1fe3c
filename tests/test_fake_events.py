"""The fake Stripe's events and webhook deliveries through the client, over loopback HTTP.
Expected values are Stripe's documentation (cited per test)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web

from aiostripe import StripeClient
from aiostripe.testing import FakeStripe
from aiostripe.webhooks import construct_event


class Receiver:
    """A webhook endpoint on 127.0.0.1: records each delivery; fails the first `fail` ones."""

    def __init__(self) -> None:
        self.received: list[tuple[str, bytes]] = []
        self.fail = 0
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        if self.fail > 0:
            self.fail -= 1
            return web.Response(status=500)
        self.received.append((request.headers["Stripe-Signature"], body))
        return web.json_response({"received": True})

    def events(self, secret: str) -> list[Any]:
        """The deliveries, each verified with the endpoint's secret."""
        return [construct_event(body, header, secret) for header, body in self.received]


@pytest_asyncio.fixture
async def receiver() -> AsyncIterator[Receiver]:
    hook = Receiver()
    app = web.Application()
    app.router.add_post("/hook", hook.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    hook.url = f"http://127.0.0.1:{port}/hook"
    yield hook
    await runner.cleanup()


async def test_events_of_creates_updates_deletes(
    fake_stripe: FakeStripe, stripe_client: StripeClient
) -> None:
    """https://docs.stripe.com/api/events/object and https://docs.stripe.com/api/events/list:
    `customer.created` / `.updated` / `.deleted` hold the object as it was then, the update its
    `previous_attributes` (a hash lists only its changed keys), `request` the request's id and
    idempotency key; events list newest first and filter by `type`, `types` and `created`."""
    stripe = stripe_client
    started = int(time.time())
    jo = await stripe.customers.create(
        email="jo@example.com",
        metadata={"plan": "pro", "team": "a"},
        request_options={"idempotency_key": "signup-jo"},
    )
    await stripe.customers.update(jo.id, email="jo@example.org", metadata={"plan": "team"})
    await stripe.customers.delete(jo.id)

    page = await stripe.events.list()
    assert [e.type for e in page.data] == [
        "customer.deleted",
        "customer.updated",
        "customer.created",
    ]
    deleted, updated, created = page.data
    assert created.to_dict()["data"]["object"]["email"] == "jo@example.com"
    assert created.request is not None
    assert created.request.id == jo.last_response.request_id if jo.last_response else False
    assert created.request.idempotency_key == "signup-jo"
    change = updated.to_dict()["data"]
    assert change["object"]["email"] == "jo@example.org"
    assert change["object"]["metadata"] == {"plan": "team", "team": "a"}
    assert change["previous_attributes"] == {"email": "jo@example.com", "metadata": {"plan": "pro"}}
    assert deleted.to_dict()["data"]["object"]["id"] == jo.id
    assert created.api_version and created.livemode is False and created.pending_webhooks == 0

    got = await stripe.events.retrieve(updated.id)
    assert got.type == "customer.updated"
    only = await stripe.events.list(type="customer.updated")
    assert [e.id for e in only.data] == [updated.id]
    two = await stripe.events.list(types=["customer.created", "customer.deleted"])
    assert [e.id for e in two.data] == [deleted.id, created.id]
    assert len((await stripe.events.list(created={"gte": started})).data) == 3
    assert (await stripe.events.list(created={"gt": int(time.time()) + 60})).data == []


async def test_webhook_endpoint_secret_and_signed_deliveries(
    fake_stripe: FakeStripe, stripe_client: StripeClient, receiver: Receiver
) -> None:
    """https://docs.stripe.com/api/webhook_endpoints/create and https://docs.stripe.com/webhooks:
    the create call returns the endpoint's `whsec_` secret (retrievals do not); each event whose
    type the endpoint enabled is POSTed to its URL, signed with that secret, in the order of the
    object's changes; other types are not sent; `*` gets everything."""
    stripe = stripe_client
    endpoint = await stripe.webhook_endpoints.create(
        url=receiver.url, enabled_events=["payment_intent.created", "payment_intent.succeeded"]
    )
    assert endpoint.status == "enabled" and endpoint.secret
    assert endpoint.secret.startswith("whsec_")
    assert (await stripe.webhook_endpoints.retrieve(endpoint.id)).secret is None

    intent = await stripe.payment_intents.create(
        amount=1000, currency="usd", payment_method="pm_card_visa", confirm=True
    )
    await stripe.customers.create(email="not@sent.example")
    await fake_stripe.webhooks.wait()

    events = receiver.events(endpoint.secret)
    assert [e.type for e in events] == ["payment_intent.created", "payment_intent.succeeded"]
    assert all(e.data.object.id == intent.id for e in events)
    assert events[1].data.object.status == "succeeded"
    stored = await stripe.events.retrieve(events[1].id)
    assert stored.pending_webhooks == 0  # delivered

    receiver.received.clear()
    everything = await stripe.webhook_endpoints.create(url=receiver.url, enabled_events=["*"])
    await stripe.refunds.create(payment_intent=intent.id)
    await fake_stripe.webhooks.wait()
    assert everything.secret is not None
    assert sorted(e.type for e in receiver.events(everything.secret)) == [
        "charge.refunded",
        "refund.created",
    ]


async def test_failed_deliveries_are_retried_in_order(
    stripe_client: StripeClient, receiver: Receiver
) -> None:
    """https://docs.stripe.com/webhooks#retries: an endpoint that does not answer 2xx gets the
    event again later, with exponential backoff (seconds apart in the fake, `retry_delays`);
    the object's next event waits for it; an event not delivered yet shows `pending_webhooks`
    and is listed by `delivery_success=false`."""
    async with FakeStripe(webhook_retry_delays=(0.01, 0.02, 0.04)) as fake, fake.client() as stripe:
        endpoint = await stripe.webhook_endpoints.create(url=receiver.url, enabled_events=["*"])
        assert endpoint.secret is not None
        receiver.fail = 2
        jo = await stripe.customers.create(email="jo@example.com")
        await stripe.customers.update(jo.id, name="Jo")
        await fake.webhooks.wait()
        assert [e.type for e in receiver.events(endpoint.secret)] == [
            "customer.created",
            "customer.updated",
        ]
        attempts = [(a.type, a.attempt, a.status) for a in fake.webhooks.attempts]
        assert attempts == [
            ("customer.created", 1, 500),
            ("customer.created", 2, 500),
            ("customer.created", 3, 200),
            ("customer.updated", 1, 200),
        ]
        assert (await stripe.events.list(delivery_success=False)).data == []

        receiver.fail = 10  # more than the retries
        await stripe.customers.update(jo.id, name="Jo E.")
        await fake.webhooks.wait()
        failing = fake.webhooks.attempts[-4:]
        assert [a.attempt for a in failing] == [1, 2, 3, 4] and not any(a.ok for a in failing)
        pending = await stripe.events.list(delivery_success=False)
        assert [e.type for e in pending.data] == ["customer.updated"]
        assert pending.data[0].pending_webhooks == 1


@pytest.mark.parametrize("connect", [False, True])
async def test_connect_endpoints_get_connected_accounts_events(
    stripe_client: StripeClient, fake_stripe: FakeStripe, receiver: Receiver, connect: bool
) -> None:
    """https://docs.stripe.com/connect/webhooks: a `connect=true` endpoint receives the events
    of connected accounts (with `account` set), an account endpoint only the platform's."""
    stripe = stripe_client
    endpoint = await stripe.webhook_endpoints.create(
        url=receiver.url, enabled_events=["customer.created"], connect=connect
    )
    account = await stripe.accounts.create(type="express")
    await stripe.customers.create(email="platform@example.com")
    await stripe.customers.create(
        email="connected@example.com", request_options={"stripe_account": account.id}
    )
    await fake_stripe.webhooks.wait()
    assert endpoint.secret is not None
    (event,) = receiver.events(endpoint.secret)
    if connect:
        assert event.account == account.id
        assert event.data.object.email == "connected@example.com"
    else:
        assert event.account is None
        assert event.data.object.email == "platform@example.com"
