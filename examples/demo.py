"""`make demo`: the main job of aiostripe, end to end, as an async batch job would run it.

On the embedded fake Stripe (`aiostripe.testing.FakeStripe`, on 127.0.0.1) unless STRIPE_API_KEY is
set to a real test key, in which case it talks to Stripe itself:

1. create a customer and a payment (a PaymentIntent confirmed with Stripe's test card
   `pm_card_visa`: typed results, request ids); on the fake, the payment's webhook events reach
   a local aiohttp endpoint, signature-verified;
2. seed (fake only) and list every treasury transaction of a financial account with
   auto-pagination and read-ahead, under a progress line;
3. show a request that fails once (fake: an injected 503) and is retried with the same
   idempotency key;
4. print a short summary;
5. on the fake, the v2 API: an Accounts v2 account whose update reaches a typed thin-event handler
   through an event destination (examples/v2_api.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time
from collections import Counter
from collections.abc import AsyncGenerator, Awaitable, Callable

from aiohttp import web

import aiostripe
from aiostripe.testing import FakeStripe
from aiostripe.webhooks import Event, aiohttp_handler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from v2_api import thin_event_end_to_end

SEEDED_TRANSACTIONS = 25_000


def progress(count: int, pages: int, started: float) -> None:
    """A `\r` progress line, only on a terminal (a log file would get every line)."""
    if not sys.stderr.isatty():
        return
    rate = count / max(time.perf_counter() - started, 1e-9)
    print(f"\r  listed {count:,} transactions, {pages:,} pages ({rate:,.0f}/s)", end="",
          file=sys.stderr, flush=True)


@contextlib.asynccontextmanager
async def stripe_client(
    retries: list[aiostripe.RetryEvent],
) -> AsyncGenerator[tuple[aiostripe.StripeClient, FakeStripe | None], None]:
    key = os.environ.get("STRIPE_API_KEY")
    if key:
        print("Using Stripe itself (STRIPE_API_KEY is set).")
        async with aiostripe.StripeClient(key, on_retry=retries.append) as stripe:
            yield stripe, None
        return
    async with FakeStripe() as fake:
        print(f"Using the embedded fake Stripe at {fake.url} (set STRIPE_API_KEY for the real one).")
        async with fake.client(max_retries=2, on_retry=retries.append) as stripe:
            yield stripe, fake


@contextlib.asynccontextmanager
async def webhook_endpoint(
    stripe: aiostripe.StripeClient, events: list[Event]
) -> AsyncGenerator[None, None]:
    """A local webhook route (aiohttp on 127.0.0.1) registered as a Stripe webhook endpoint; the
    verified events it receives go to `events`."""
    verify: list[Callable[[web.Request], Awaitable[web.StreamResponse]]] = []

    async def route(request: web.Request) -> web.StreamResponse:
        return await verify[0](request)

    async def received(event: Event) -> None:
        events.append(event)

    app = web.Application()
    app.router.add_post("/stripe/webhook", route)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/stripe/webhook"
    endpoint = await stripe.webhook_endpoints.create(
        url=url, enabled_events=["payment_intent.created", "charge.succeeded",
                                 "payment_intent.succeeded"])
    verify.append(aiohttp_handler(endpoint.secret or "", received))
    try:
        yield
    finally:
        await runner.cleanup()


async def main() -> None:
    retries: list[aiostripe.RetryEvent] = []
    async with stripe_client(retries) as (stripe, fake):
        # 1. typed objects, a payment, its webhook events (fake: to a local endpoint)
        customer = await stripe.customers.create(
            email="jo@example.com", name="Jo Example", metadata={"plan": "pro"}
        )
        events: list[Event] = []
        async with contextlib.AsyncExitStack() as stack:
            if fake is not None:
                await stack.enter_async_context(webhook_endpoint(stripe, events))
            intent = await stripe.payment_intents.create(
                amount=2000, currency="usd", customer=customer.id, metadata={"order": "42"},
                payment_method="pm_card_visa", confirm=True,
                automatic_payment_methods={"enabled": True, "allow_redirects": "never"},
            )
            if fake is not None:
                await fake.webhooks.wait()
        plan = (customer.metadata or {}).get("plan")  # metadata is optional in the spec
        print(f"1. customer {customer.id} ({customer.email}, plan={plan}),"
              f" payment intent {intent.id}: {intent.amount} {intent.currency}, {intent.status},"
              f" charge {intent.latest_charge}"
              f" [request {intent.last_response and intent.last_response.request_id}]")
        if fake is not None:
            order = [e["id"] for e in fake.events()]
            events.sort(key=lambda e: order.index(e.id))
            print("   webhook events received (signature verified): "
                  + ", ".join(f"{e.type} ({e.data.object.get('id')})" for e in events))

        # 2. a financial account's transactions, every one of them, page after page
        if fake is not None:
            account = "fa_demo"
            flows = {"received_credit": 12_500, "outbound_transfer": -4_000,
                     "outbound_payment": -2_500, "inbound_transfer": 20_000,
                     "received_debit": -1_000}
            for flow, amount in flows.items():  # a mix of flows, seeded without HTTP
                fake.seed("treasury.transaction", SEEDED_TRANSACTIONS // len(flows),
                          financial_account=account, flow_type=flow, amount=amount)
        else:
            accounts = await stripe.treasury.financial_accounts.list(limit=1)
            account = accounts.data[0].id if accounts.data else ""
        by_flow: Counter[str] = Counter()
        total = 0
        started = time.perf_counter()
        if account:
            listing = stripe.treasury.transactions.list(financial_account=account)
            async with listing.auto_paging_iter() as transactions:
                async for tx in transactions:
                    by_flow[tx.flow_type] += 1
                    total += tx.amount
                    if transactions.count % 1000 == 0:
                        progress(transactions.count, transactions.pages_seen, started)
                progress(transactions.count, transactions.pages_seen, started)
                if sys.stderr.isatty():
                    print(file=sys.stderr)
            print(f"2. financial account {account}: {sum(by_flow.values()):,} transactions in "
                  f"{time.perf_counter() - started:.2f}s, net amount {total:,}; by flow: "
                  + ", ".join(f"{k}={v:,}" for k, v in sorted(by_flow.items())))
        else:
            print("2. no treasury financial account on this Stripe account: listing skipped")

        # 3. a request that fails once and is retried (same idempotency key)
        if fake is not None:
            fake.faults.fail_next(1, status=503, path="/v1/customers/*", method="POST")
        updated = await stripe.customers.update(customer.id, metadata={"plan": "team"})
        if fake is not None:
            keys = {r.headers.get("Idempotency-Key") for r in fake.requests_to(
                f"/v1/customers/{customer.id}", "POST")}
            print(f"3. update retried {len(retries)} time(s) "
                  f"({', '.join(e.reason for e in retries)}), "
                  f"{len(keys)} idempotency key for all attempts; plan is now "
                  f"{(updated.metadata or {}).get('plan')}")
        else:
            print(f"3. update: plan is now {(updated.metadata or {}).get('plan')} "
                  f"(retries: {len(retries)})")

        # 4. summary
        stats = stripe.stats
        print(f"4. summary: {stats.requests} calls, {stats.retries} retries, "
              f"{stats.rate_limited} rate-limited responses; "
              f"customer {customer.id}, intent {intent.id}, {sum(by_flow.values()):,} transactions")

        # 5. (fake) the v2 API: one thin event end to end (examples/v2_api.py)
        if fake is not None:
            for line in await thin_event_end_to_end(stripe, fake):
                print(f"5. {line}")


if __name__ == "__main__":
    asyncio.run(main())
