"""The cost of the fake Stripe's behaviours: requests/s of a plain create, of the same create
while a webhook endpoint receives every event, and of a whole card payment, in one process.

    python bench/fake_flows.py [--seconds 0.5] [--rounds 5] [--concurrency 8]

Variants, each in windows of `--seconds` that alternate (rotating their order every round) on
one `FakeStripe` and one client, so a drift of the machine's load hits all alike:

- `customers.create`            — a create with its `customer.created` event, no endpoint.
- `customers.create + webhook`  — the same with a `*` endpoint: every event signed and POSTed to
                                  a local aiohttp route; the window ends when all are delivered.
- `payment (confirm=true)`      — `payment_intents.create(payment_method="pm_card_visa",
                                  confirm=True)`: a payment method, intent, charge, balance
                                  transaction and three events per call.

Figures are the median window's calls/s, and ratios against `customers.create` measured in the
same run; `deliveries/s` is the webhook deliveries of the second variant. Prints a Markdown
table and, last, one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from aiostripe.testing import FakeStripe

VARIANTS = ("customers.create", "customers.create + webhook", "payment (confirm=true)")


async def _receiver() -> tuple[web.AppRunner, str]:
    async def hook(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/hook"


async def _window(
    call: Callable[[], Awaitable[Any]], seconds: float, concurrency: int, fake: FakeStripe
) -> float:
    calls = 0
    stop = time.perf_counter() + seconds
    started = time.perf_counter()

    async def loop() -> None:
        nonlocal calls
        while time.perf_counter() < stop:
            await call()
            calls += 1

    await asyncio.gather(*(loop() for _ in range(concurrency)))
    await fake.webhooks.wait(timeout=60)
    return calls / (time.perf_counter() - started)


async def measure(seconds: float, rounds: int, concurrency: int) -> dict[str, Any]:
    runner, url = await _receiver()
    rates: dict[str, list[float]] = {v: [] for v in VARIANTS}
    delivered = 0.0
    async with FakeStripe(webhook_retry_delays=()) as fake, fake.client(max_retries=0) as stripe:
        endpoint_id: list[str] = []

        async def plain() -> None:
            await stripe.customers.create(email="jo@example.com")

        async def pay() -> None:
            await stripe.payment_intents.create(
                amount=2000, currency="usd", payment_method="pm_card_visa", confirm=True
            )

        calls: dict[str, Callable[[], Awaitable[None]]] = {
            VARIANTS[0]: plain,
            VARIANTS[1]: plain,
            VARIANTS[2]: pay,
        }
        for r in range(rounds):
            order = VARIANTS[r % 3 :] + VARIANTS[: r % 3]
            for variant in order:
                if variant == VARIANTS[1]:
                    endpoint = await stripe.webhook_endpoints.create(url=url, enabled_events=["*"])
                    endpoint_id.append(endpoint.id)
                    before = len(fake.webhooks.attempts)
                    started = time.perf_counter()
                rate = await _window(calls[variant], seconds, concurrency, fake)
                if variant == VARIANTS[1]:
                    delivered += (len(fake.webhooks.attempts) - before) / (
                        time.perf_counter() - started
                    )
                    await stripe.webhook_endpoints.delete(endpoint_id.pop())
                rates[variant].append(rate)
                fake.reset()
        failed = len(fake.webhooks.failed())
    await runner.cleanup()
    medians = {v: statistics.median(r) for v, r in rates.items()}
    base = medians[VARIANTS[0]]
    return {
        "rates": medians,
        "ratios": {v: m / base for v, m in medians.items()},
        "deliveries_per_s": delivered / rounds,
        "failed_deliveries": failed,
        "seconds": seconds,
        "rounds": rounds,
        "concurrency": concurrency,
    }


def table(out: dict[str, Any]) -> list[str]:
    if "error" in out:
        return [f"fake flows: {out['error']}"]
    title = (
        f"Fake Stripe behaviours (concurrency {out['concurrency']}, median of {out['rounds']} "
        f"windows of {out['seconds']} s)"
    )
    lines = [
        title,
        "",
        "| variant | calls/s | ratio to customers.create |",
        "|---|---|---|",
    ]
    for variant in VARIANTS:
        lines.append(f"| {variant} | {out['rates'][variant]:,.0f} | {out['ratios'][variant]:.2f} |")
    lines.append(f"| webhook deliveries | {out['deliveries_per_s']:,.0f}/s | |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=0.5)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--quick", action="store_true", help="2 rounds of 0.3 s")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.rounds = 0.3, 2
    out = asyncio.run(measure(args.seconds, args.rounds, args.concurrency))
    print("\n".join(table(out)))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
