"""`FaultServer`: a small aiohttp server on loopback that plays Stripe and injects faults on cue,
shared by the tests of the request loop (retries, rate limits, outages, bad input).

It keeps Stripe's promise on idempotency keys: a POST that succeeds (or that is committed before its
response is lost) creates one object per key, and a POST repeating a key gets the same object back
(`Idempotent-Replayed: true`). The `server` fixture gives each test a fresh one.
"""

from __future__ import annotations

import asyncio
import itertools
import socket
import struct
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, cast

import pytest
from aiohttp import web

from aiostripe import (
    RequestOptions,
    _requestor,
)
from aiostripe._client import StripeClient

API_KEY = "sk_test_51SecretKeyForTheRetryTests0123456789"

# --- the fault-injecting server ----------------------------------------------------------------


@dataclass
class Fault:
    """What the server does with one request.

    kind: "ok" (200), "status" (`status` with a Stripe error body), "drop" (close the connection
    without a response), "reset" (TCP RST), "truncate" (headers and half the body, then close).
    `commit`: perform the POST (create the object) before failing, as when a response is lost.
    `delay`: seconds to wait before answering.
    """

    kind: str = "ok"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    code: str | None = None
    type: str = "api_error"
    commit: bool = False
    delay: float = 0.0


def ok(delay: float = 0.0) -> Fault:
    return Fault("ok", delay=delay)


def status(
    code: int,
    *,
    retry_after: str | None = None,
    should_retry: str | None = None,
    error_code: str | None = None,
    error_type: str | None = None,
    commit: bool = False,
) -> Fault:
    headers: dict[str, str] = {}
    if retry_after is not None:
        headers["Retry-After"] = retry_after
    if should_retry is not None:
        headers["Stripe-Should-Retry"] = should_retry
    if error_type is None:
        error_type = {
            400: "invalid_request_error",
            402: "card_error",
            404: "invalid_request_error",
            409: "idempotency_error" if error_code == "idempotency_key_in_use" else "api_error",
        }.get(code, "invalid_request_error" if code < 500 else "api_error")
    return Fault("status", code, headers, error_code, error_type, commit)


def drop(*, commit: bool = False, delay: float = 0.0) -> Fault:
    return Fault("drop", commit=commit, delay=delay)


def reset(*, commit: bool = False) -> Fault:
    return Fault("reset", commit=commit)


def truncate(*, commit: bool = False) -> Fault:
    return Fault("truncate", commit=commit)


@dataclass
class Attempt:
    method: str
    path: str
    key: str | None
    headers: dict[str, str]
    body: bytes
    at: float


class FaultServer:
    """An aiohttp server on 127.0.0.1 answering every path; faults are taken from `script` in
    order (then every request succeeds), or from `fault_for(attempt)` when set."""

    def __init__(self) -> None:
        self.script: deque[Fault] = deque()
        self.fault_for: Callable[[Attempt], Fault] | None = None
        self.attempts: list[Attempt] = []
        self.created: dict[str, dict[str, Any]] = {}  # idempotency key -> object
        self.anonymous_posts = 0  # POSTs that created an object without any key
        self.in_flight = 0
        self.max_in_flight = 0
        self.received = asyncio.Event()
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, port: int = 0) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port, reuse_address=True)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def keys(self, method: str = "POST") -> list[str | None]:
        return [a.key for a in self.attempts if a.method == method]

    def _commit(self, request: web.Request, key: str | None) -> tuple[dict[str, Any], bool]:
        if request.method != "POST":
            return {"id": "obj_get", "object": "thing"}, False
        if key is None:
            self.anonymous_posts += 1
            return {"id": f"obj_{next(self._ids)}", "object": "thing"}, False
        if key in self.created:
            return self.created[key], True
        obj = {"id": f"obj_{next(self._ids)}", "object": "thing"}
        self.created[key] = obj
        return obj, False

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        key = request.headers.get("Idempotency-Key")
        attempt = Attempt(
            request.method, request.path, key, dict(request.headers), body, time.monotonic()
        )
        self.attempts.append(attempt)
        self.received.set()
        if self.fault_for is not None:
            fault = self.fault_for(attempt)
        else:
            fault = self.script.popleft() if self.script else ok()
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return await self._answer(request, key, fault)
        finally:
            self.in_flight -= 1

    async def _answer(
        self, request: web.Request, key: str | None, fault: Fault
    ) -> web.StreamResponse:
        request_id = f"req_{len(self.attempts)}"
        if fault.commit or fault.kind == "ok":
            obj, replayed = self._commit(request, key)
        if fault.delay:
            await asyncio.sleep(fault.delay)
        transport = request.transport
        assert transport is not None
        if fault.kind == "ok":
            headers = {"Request-Id": request_id}
            if replayed:
                headers["Idempotent-Replayed"] = "true"
            return web.json_response(obj, headers=headers)
        if fault.kind == "status":
            error: dict[str, Any] = {"type": fault.type, "message": f"injected {fault.status}"}
            if fault.code:
                error["code"] = fault.code
            return web.json_response(
                {"error": error},
                status=fault.status,
                headers={"Request-Id": request_id, **fault.headers},
            )
        if fault.kind == "drop":
            transport.close()
            return web.Response()
        if fault.kind == "reset":
            sock = transport.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            transport.abort()
            return web.Response()
        if fault.kind == "truncate":
            response = web.StreamResponse(
                headers={"Content-Type": "application/json", "Content-Length": "200"}
            )
            await response.prepare(request)
            await response.write(b'{"id": "obj_half", "obj')
            await asyncio.sleep(0.01)
            transport.close()
            return response
        raise AssertionError(f"unknown fault {fault.kind}")


@pytest.fixture
async def server() -> AsyncIterator[FaultServer]:
    srv = FaultServer()
    await srv.start()
    yield srv
    await srv.stop()


async def post(client: StripeClient, **options: Any) -> _requestor.RawResponse:
    return await client._requestor.request(
        "post", "/v1/customers", {"email": "jenny@example.com"}, _options(options)
    )


async def get(client: StripeClient, **options: Any) -> _requestor.RawResponse:
    return await client._requestor.request("get", "/v1/customers/cus_1", None, _options(options))


def _options(options: dict[str, Any]) -> RequestOptions | None:
    return cast(RequestOptions, options) if options else None


def assert_one_key(srv: FaultServer) -> str:
    keys = srv.keys("POST")
    assert keys, "no POST reached the server"
    assert len(set(keys)) == 1, f"the attempts of one POST carried different keys: {keys}"
    key = keys[0]
    assert key is not None and len(key) == 36  # a uuid4
    assert len(srv.created) <= 1 and srv.anonymous_posts == 0
    return key
