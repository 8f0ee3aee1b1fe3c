"""Memory of one call answered with a gzip bomb (issue 25, item 7), not part of `make bench`:

    .venv/bin/python bench/gzip_bomb.py            # default max_response_size (64 MiB)
    .venv/bin/python bench/gzip_bomb.py --no-limit # max_response_size=None: the whole body read

A loopback server answers `GET /v1/customers/cus_1` with 2.5 MB of gzip that inflates to 2.5 GB;
the script prints the call's outcome and the process's peak RSS before and after (MB).
"""

from __future__ import annotations

import asyncio
import gzip
import io
import resource
import sys

from aiohttp import web

from aiostripe import StripeClient


def bomb(megabytes: int = 2500) -> bytes:
    raw = io.BytesIO()
    with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9) as f:
        f.write(b'{"id":"cus_1","object":"customer","description":"')
        block = b"a" * (1 << 20)
        for _ in range(megabytes):
            f.write(block)
        f.write(b'"}')
    return raw.getvalue()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def main(no_limit: bool) -> None:
    body = bomb()

    async def answer(request: web.Request) -> web.Response:
        headers = {"Content-Encoding": "gzip", "Content-Type": "application/json"}
        return web.Response(body=body, headers=headers)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    before = peak_mb()
    options = {"max_response_size": None} if no_limit else {}
    try:
        async with StripeClient("sk_test_bomb", base_url=url, max_retries=0, **options) as client:
            try:
                await client.customers.retrieve("cus_1")
                print("the whole body was read")
            except Exception as exc:  # noqa: BLE001 - the outcome is printed
                print(f"{type(exc).__name__}: {str(exc)[:120]}...")
    finally:
        await runner.cleanup()
    print(f"gzip body {len(body) / 1e6:.2f} MB; peak RSS {before:.0f} -> {peak_mb():.0f} MB")


if __name__ == "__main__":
    asyncio.run(main("--no-limit" in sys.argv[1:]))
