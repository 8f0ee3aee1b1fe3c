"""Cold start of one client, measured inside a fresh interpreter; prints one JSON line.

    python bench/cold.py TARGET [--url http://127.0.0.1:PORT]

The clock starts after the interpreter is up and `asyncio` is imported (every async program has
paid for that) and stops after: `import X`, creating a client, and the first service access
(`client.customers` / `client.v1.customers`) — or, with `--url`, after the first response of a
customer retrieve from bench/server.py. It reports the wall time and this process's CPU time over
that span (the latter barely moved by other load on the machine). Peak RSS is
`getrusage(RUSAGE_SELF).ru_maxrss` right then.

Targets: `python` (nothing more: the interpreter's own floor), `raw` (`import aiohttp`, a
`ClientSession`), `aiostripe`, `sdk-aiohttp` (`stripe` with `AIOHTTPClient`), `sdk-httpx` (`stripe`
with its default clients: requests for sync calls, httpx for async ones).
A target that cannot be imported or built prints `{"unavailable": "<reason>"}`.
"""

import asyncio
import contextlib
import json
import resource
import sys
import time

T_START = time.perf_counter()

KEY = "sk_test_bench"


async def _first(target: str, url: str | None) -> tuple[float, object]:
    """Build the client, touch the service (and call it); return (stop time, closer)."""
    base = url or "http://127.0.0.1:9"
    if target == "python":
        return time.perf_counter(), None
    if target == "raw":
        import aiohttp

        session = aiohttp.ClientSession()
        if url:
            async with session.get(f"{url}/v1/customers/cus_1",
                                   headers={"Authorization": f"Bearer {KEY}"}) as r:
                _ = json.loads(await r.read())["id"]
        return time.perf_counter(), session.close
    if target == "aiostripe":
        import aiostripe

        client = aiostripe.StripeClient(KEY, base_url=base)
        service = client.customers
        if url:
            _ = (await service.retrieve("cus_1")).id
        return time.perf_counter(), client.close
    if target in ("sdk-aiohttp", "sdk-httpx"):
        import stripe

        kwargs = {"base_addresses": {"api": base}, "max_network_retries": 2}
        if target == "sdk-aiohttp":
            kwargs["http_client"] = stripe.AIOHTTPClient()
        client = stripe.StripeClient(KEY, **kwargs)
        service = client.v1.customers
        if url:
            _ = (await service.retrieve_async("cus_1")).id
        return time.perf_counter(), client._requestor._client.close_async
    raise SystemExit(f"unknown target {target!r}")


async def main(target: str, url: str | None) -> dict:
    t0 = time.perf_counter()
    c0 = time.process_time()
    try:
        t1, close = await _first(target, url)
        c1 = time.process_time()
    except (ImportError, AttributeError, TypeError) as e:
        return {"unavailable": f"{target}: {type(e).__name__}: {e}"}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if close is not None and url:
        await close()
    elif close is not None:
        with contextlib.suppress(Exception):  # an unused client may not close cleanly; unmeasured
            await close()
    return {
        "seconds": t1 - t0,
        "cpu_seconds": c1 - c0,
        "peak_rss_kb": peak,
        "interpreter_s": t0 - T_START,
        "modules": len(sys.modules),
    }


if __name__ == "__main__":
    args = sys.argv[1:]
    if not args:
        raise SystemExit(__doc__)
    url = None
    if "--url" in args:
        url = args[args.index("--url") + 1]
        if not url.startswith(("http://127.0.0.1:", "http://localhost:")):
            raise SystemExit("the benchmarks only talk to 127.0.0.1")
    sys.stdout.write(json.dumps(asyncio.run(main(args[0], url))) + "\n")
