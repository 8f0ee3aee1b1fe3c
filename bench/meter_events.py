"""Meter events/s: the `MeterEventStream` helper (sessions, batches of 100 on the stream) against
a plain loop of `v2.billing.meter_events.create`, both against the fake Stripe in its own process
on 127.0.0.1 (its second listener standing in for meter-events.stripe.com).

    python bench/meter_events.py [--events 50000] [--seconds 2] [--concurrency 8]

Prints a Markdown table and, last, one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from typing import Any

from aiostripe import StripeClient
from aiostripe.meter_events import MeterEventStream

_SERVE = """
import asyncio
from aiostripe.testing import FakeStripe
async def main():
    async with FakeStripe() as fake:
        print(fake.url, fake.meter_events_url, flush=True)
        await asyncio.Event().wait()
asyncio.run(main())
"""


async def _helper(url: str, meter_url: str, events: int, concurrency: int) -> float:
    async with StripeClient("sk_test_bench", base_url=url, meter_events_base_url=meter_url) as c:
        start = time.perf_counter()
        async with MeterEventStream(c, rate=None, concurrency=concurrency) as meter:
            for i in range(events):
                await meter.send("api_calls", {"stripe_customer_id": "cus_1", "value": "1"})
        elapsed = time.perf_counter() - start
        if meter.stats.sent != events:
            raise SystemExit(f"helper: {meter.stats}")
    return events / elapsed


async def _plain_loop(url: str, seconds: float) -> float:
    async with StripeClient("sk_test_bench", base_url=url) as c:
        done = 0
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            await c.v2.billing.meter_events.create(
                event_name="api_calls", payload={"stripe_customer_id": "cus_1", "value": "1"})
            done += 1
        return done / (time.perf_counter() - start)


def table(out: dict[str, Any]) -> list[str]:
    """The Markdown table of a run's JSON line (for bench/report.py)."""
    if "error" in out:
        return [f"meter events: {out['error']}"]
    return [
        "| meter events to the fake | events/s |",
        "|---|---|",
        (f"| MeterEventStream (batches of 100, concurrency {out['concurrency']}) "
         f"| {out['helper_events_per_s']:,} |"),
        f"| plain loop of v2.billing.meter_events.create | {out['plain_events_per_s']:,} |",
        f"| ratio | {out['ratio']}x |",
    ]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.events, args.seconds = 20_000, 1.0
    server = subprocess.Popen([sys.executable, "-c", _SERVE], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        url, meter_url = server.stdout.readline().split()
        asyncio.run(_helper(url, meter_url, 2_000, args.concurrency))  # warm-up
        helper = asyncio.run(_helper(url, meter_url, args.events, args.concurrency))
        plain = asyncio.run(_plain_loop(url, args.seconds))
    finally:
        server.terminate()
        server.wait(10)
    out = {"helper_events_per_s": round(helper), "plain_events_per_s": round(plain),
           "ratio": round(helper / plain, 1), "concurrency": args.concurrency}
    print("\n".join(table(out)))
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
