"""Hostile answers from the other end, over real HTTP on loopback: redirects (never followed),
JSON nested without end, decompression bombs (issue 25, items 6 and 7)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import web

from aiostripe import APIError, StripeClient
from tests.fault_server import API_KEY

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Loopback:
    """One aiohttp server on 127.0.0.1 answering every request with `handler`; `seen` holds
    (method, path, headers, body) of each request received."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.seen: list[tuple[str, str, dict[str, str], bytes]] = []
        self.runner: web.AppRunner | None = None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.seen.append(
            (request.method, request.path_qs, dict(request.headers), await request.read())
        )
        return await self.handler(request)

    async def start(self) -> str:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        return f"http://127.0.0.1:{self.runner.addresses[0][1]}"

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()


@pytest.fixture
async def loopback() -> AsyncIterator[Callable[[Handler], Awaitable[tuple[Loopback, str]]]]:
    servers: list[Loopback] = []

    async def start(handler: Handler) -> tuple[Loopback, str]:
        server = Loopback(handler)
        servers.append(server)
        return server, await server.start()

    yield start
    for server in servers:
        await server.stop()


async def _customer(request: web.Request) -> web.Response:
    return web.json_response({"id": "cus_evil", "object": "customer"})


# --- redirects -----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_a_redirect_is_an_error_and_nothing_goes_to_its_location(
    loopback: Callable[[Handler], Awaitable[tuple[Loopback, str]]], status: int
) -> None:
    elsewhere, other_url = await loopback(_customer)

    async def redirect(request: web.Request) -> web.Response:
        return web.Response(status=status, headers={"Location": f"{other_url}/v1/customers"})

    origin, url = await loopback(redirect)
    async with StripeClient(API_KEY, base_url=url, max_retries=2) as client:
        with pytest.raises(APIError) as info:
            await client.customers.create(email="jo@example.com", description="4242424242424242")
        with pytest.raises(APIError):
            await client.customers.retrieve("cus_1")
    message = str(info.value)
    assert f"HTTP {status} redirect on POST /v1/customers" in message
    assert f"{other_url}/v1/customers" in message
    assert info.value.http_status == status and info.value.should_retry is False
    assert elsewhere.seen == []  # nothing re-sent to the Location
    assert [m for m, *_ in origin.seen] == ["POST", "GET"]  # and no retry either


async def test_a_redirect_shows_no_credentials_of_its_location(
    loopback: Callable[[Handler], Awaitable[tuple[Loopback, str]]],
) -> None:
    async def redirect(request: web.Request) -> web.Response:
        return web.Response(status=307, headers={"Location": "http://u:PASS@127.0.0.1:9/x"})

    _, url = await loopback(redirect)
    async with StripeClient(API_KEY, base_url=url) as client:
        with pytest.raises(APIError) as info:
            await client.customers.retrieve("cus_1")
    assert "PASS" not in str(info.value) and "***@127.0.0.1:9/x" in str(info.value)
