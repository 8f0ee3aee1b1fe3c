"""Start-up: what `import aiostripe` and a client's creation load, and a first call that does not
stall the event loop (issue 26: importing aiohttp in the first call held every other task of the
loop for 60-200 ms).

Both run in a fresh interpreter, where nothing is imported yet. The loop's stalls are read by a
5 ms ticker task as the longest gap between two of its ticks, in the loop thread's CPU time (the
work that held the loop: imports are CPU) and in wall time (also what the machine's other load
adds, so it is shown, not asserted).
"""

from __future__ import annotations

import json
import subprocess
import sys

from aiostripe.testing import FakeStripe

LAZY = ("aiohttp", "yarl", "email.utils", "aiostripe._pagination", "opentelemetry")

FIRST_CALLS = """
import asyncio, json, sys, time
LAZY = %(lazy)r
import aiostripe
loaded = {"import": [m for m in LAZY if m in sys.modules]}
generated = [m for m in sys.modules if m.startswith("aiostripe._generated")]
modules = len(sys.modules)
client = aiostripe.StripeClient("sk_test_startup", base_url=%(url)r, max_retries=0)
loaded["client"] = [m for m in LAZY if m in sys.modules]

async def gaps(call):
    # the longest gaps between the ticks of a 5 ms ticker while `call` runs: (cpu, wall) in ms
    ticks = []
    done = False

    async def ticker():
        while not done:
            ticks.append((time.thread_time(), time.perf_counter()))
            await asyncio.sleep(0.005)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.02)
    await call()
    await asyncio.sleep(0.02)
    done = True
    await task
    pairs = list(zip(ticks, ticks[1:]))
    return (max(b[0] - a[0] for a, b in pairs) * 1000, max(b[1] - a[1] for a, b in pairs) * 1000)

async def main():
    async with client:
        first = await gaps(lambda: client.customers.create(email="jo@example.com"))
        first_list = await gaps(lambda: client.charges.list(limit=3))
    loaded["calls"] = [m for m in LAZY if m in sys.modules]
    print(json.dumps({"first": first, "first_list": first_list, "loaded": loaded,
                      "generated": generated, "modules": modules}))

asyncio.run(main())
"""


def test_import_is_light_the_client_loads_the_http_stack_and_no_first_call_stalls_the_loop(
    fake: FakeStripe,
) -> None:
    code = FIRST_CALLS % {"lazy": LAZY, "url": fake.url}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    loaded = result["loaded"]
    # `import aiostripe`: no HTTP stack, no pagination, no generated module
    assert loaded["import"] == [], loaded
    assert result["generated"] == [], result["generated"]
    assert result["modules"] < 260, result["modules"]
    # creating the client loads what calls need; OpenTelemetry (installed here) only once the
    # program itself imports it
    assert loaded["client"] == ["aiohttp", "yarl", "email.utils", "aiostripe._pagination"], loaded
    assert loaded["calls"] == loaded["client"], loaded
    # the first call (a POST) and the first list call each hold the loop at most 20 ms at once
    for name in ("first", "first_list"):
        cpu, wall = result[name]
        assert cpu <= 20.0, f"{name} call held the event loop {cpu:.1f} ms (wall {wall:.1f} ms)"
