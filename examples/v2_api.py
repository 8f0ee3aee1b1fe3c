"""The v2 API in one run (README: "The v2 API"): an Accounts v2 account, an event destination
whose thin events reach a local aiohttp endpoint, a typed thin-event handler that fetches the
related object, and usage sent through the meter event helper.

    python examples/v2_api.py          # on the embedded fake Stripe (127.0.0.1)
"""

from __future__ import annotations

import asyncio

from aiohttp import web

import aiostripe
from aiostripe._generated.event_notifications import V2CoreAccountUpdatedEventNotification
from aiostripe.event_notifications import EventNotificationRouter
from aiostripe.meter_events import MeterEventStream
from aiostripe.testing import FakeStripe


async def thin_event_end_to_end(stripe: aiostripe.StripeClient, fake: FakeStripe) -> list[str]:
    """One thin event from an Accounts v2 update to a typed handler; the lines it printed."""
    said: list[str] = []
    router = EventNotificationRouter(stripe)

    @router.on(V2CoreAccountUpdatedEventNotification)
    async def account_updated(n: V2CoreAccountUpdatedEventNotification) -> None:
        account = await n.fetch_related_object()  # a V2CoreAccount, fetched in n.context
        said.append(f"thin event {n.type} ({n.id}): account {account.id} is now "
                    f"{account.display_name!r}")

    secret: dict[str, str] = {}
    app = web.Application()

    async def endpoint(request: web.Request) -> web.StreamResponse:
        return await router.aiohttp_handler(secret["whsec"])(request)

    app.router.add_post("/stripe/thin", endpoint)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    try:
        destination = await stripe.v2.core.event_destinations.create(
            name="accounts", type="webhook_endpoint", event_payload="thin",
            enabled_events=["v2.core.account.updated"],
            webhook_endpoint={"url": f"http://127.0.0.1:{port}/stripe/thin"},
            include=["webhook_endpoint.signing_secret"],
        )
        assert destination.webhook_endpoint and destination.webhook_endpoint.signing_secret
        secret["whsec"] = destination.webhook_endpoint.signing_secret
        account = await stripe.v2.core.accounts.create(
            display_name="Jo's Bikes", contact_email="jo@example.com", dashboard="full",
            identity={"country": "us", "entity_type": "company"},
            configuration={"customer": {"capabilities": {"automatic_indirect_tax": {
                "requested": True}}}},
            include=["configuration.customer"],
        )
        said.append(f"account {account.id}: {account.display_name!r}, configurations "
                    f"{account.applied_configurations}")
        await stripe.v2.core.accounts.update(account.id, display_name="Jo's Bikes & Boards")
        await fake.v2.wait()  # (the fake delivers in the background, like Stripe)
    finally:
        await runner.cleanup()
    return said


async def usage(stripe: aiostripe.StripeClient) -> str:
    """1,000 meter events through sessions and the stream, in batches of 100."""
    async with MeterEventStream(stripe, rate=10_000) as meter:
        for _ in range(1_000):
            await meter.send("api_calls", {"stripe_customer_id": "cus_demo", "value": "1"})
    return (f"meter events: {meter.stats.sent} sent in {meter.stats.requests} stream requests "
            f"({meter.stats.sessions} session)")


async def main() -> None:
    async with FakeStripe() as fake, fake.client() as stripe:
        for line in await thin_event_end_to_end(stripe, fake):
            print(line)
        print(await usage(stripe))
        events = [e.type async for e in stripe.v2.core.events.list(limit=10)]
        print(f"v2 events: {events}")


if __name__ == "__main__":
    asyncio.run(main())
