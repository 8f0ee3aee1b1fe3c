"""`Loopback`: an aiohttp server on 127.0.0.1 answering every request with one handler and
keeping what it received (the raw path as sent); the `loopback` fixture starts any number."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Loopback:
    """One aiohttp server on 127.0.0.1 answering every request with `handler`; `seen` holds
    (method, raw path with its query, headers, body) of each request received."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.seen: list[tuple[str, str, dict[str, str], bytes]] = []
        self.runner: web.AppRunner | None = None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.seen.append(
            (request.method, request.raw_path, dict(request.headers), await request.read())
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


Start = Callable[[Handler], Awaitable[tuple[Loopback, str]]]
"""`await loopback(handler)`: a started server and its URL."""


@pytest.fixture
async def loopback() -> AsyncIterator[Start]:
    servers: list[Loopback] = []

    async def start(handler: Handler) -> tuple[Loopback, str]:
        server = Loopback(handler)
        servers.append(server)
        return server, await server.start()

    yield start
    for server in servers:
        await server.stop()


