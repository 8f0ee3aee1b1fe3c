"""A whole program, as a user writes it: import a client, create it, retrieve one customer from
the bench server and print its id. bench/run.py's `first` figure times it from the spawn of the
interpreter to that line (python start, imports, client, the call, the parse: all of it).

    python bench/first_response.py TARGET http://127.0.0.1:PORT

Targets: `python` (asyncio.run of nothing: the interpreter's floor), `aiostripe`, `sdk-httpx`
(`stripe` with its default async client, httpx), `sdk-httpx-lean` (the same as where httpx's
command-line dependencies are not installed: importing httpx imports `click` and `pygments` when
they are, ~15 ms, and the dev tools of this venv bring them), `sdk-aiohttp` (`stripe` with
`AIOHTTPClient`), `raw` (aiohttp + `json.loads`). The line printed is `<id> <CPU seconds of this process so far>`;
`unavailable <reason>` when the target cannot be imported. Nothing else is imported before the
target, so the program pays what a user's would.
"""

import asyncio
import sys
import time

KEY = "sk_test_bench"


def done(customer_id: str) -> None:
    print(customer_id, time.process_time(), flush=True)


async def main(target: str, url: str) -> None:
    if target == "python":
        done("-")
    elif target == "aiostripe":
        import aiostripe

        async with aiostripe.StripeClient(KEY, base_url=url) as stripe:
            done((await stripe.customers.retrieve("cus_1")).id)
    elif target in ("sdk-httpx", "sdk-aiohttp", "sdk-httpx-lean"):
        if target == "sdk-httpx-lean":  # as where httpx's command line (click, pygments) is absent
            sys.modules.update(dict.fromkeys(("click", "pygments", "rich"), None))
        import stripe

        options = {}
        if target == "sdk-aiohttp":
            options["http_client"] = stripe.AIOHTTPClient()
        client = stripe.StripeClient(
            KEY, base_addresses={"api": url}, max_network_retries=2, **options
        )
        done((await client.v1.customers.retrieve_async("cus_1")).id)
        await client._requestor._client.close_async()
    elif target == "raw":
        import json

        import aiohttp

        async with aiohttp.ClientSession() as session:
            headers = {"Authorization": f"Bearer {KEY}"}
            async with session.get(f"{url}/v1/customers/cus_1", headers=headers) as r:
                done(json.loads(await r.read())["id"])
    else:
        raise SystemExit(f"unknown target {target!r}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    name, address = sys.argv[1:]
    if not address.startswith("http://127.0.0.1:"):
        raise SystemExit("the benchmarks only talk to 127.0.0.1")
    try:
        asyncio.run(main(name, address))
    except ImportError as exc:
        print("unavailable", f"{type(exc).__name__}: {exc}", flush=True)
