"""Outages, ambiguous outcomes and the single retry layer, over real HTTP on loopback.

- Outages: a connection that could not be made (refused, DNS failure, connect timeout, lost
  before the request was written) is retried until the call's deadline without spending
  `max_retries`; while the host is down only a few probes per second go out, the other calls
  wait and are all released by the first success.
- Ambiguity: a 2xx whose body is cut short or is not JSON is retried (every call of ours is
  idempotent: GET/DELETE, and POSTs carry their key), and the replay settles it.
- One retry layer: aiohttp's own re-send of a GET on a reused connection is off, so
  `max_retries=0` is exactly one request on the wire and `client.stats.attempts` counts them.
"""

from __future__ import annotations

import asyncio
import socket
import types
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from aiostripe import APIConnectionError, RetryEvent, StripeClient
from tests.fault_server import (
    API_KEY,
    Fault,
    FaultServer,
    assert_one_key,
    drop,
    get,
    ok,
    post,
)
from tests.retry_helpers import FlakySession


class AmbiguousServer(FaultServer):
    """FaultServer plus 2xx answers that cannot be read: `badjson` (a committed 200 whose body
    is not JSON) and `cutshort` (a committed 200 without Content-Length, closed half-way)."""

    async def _answer(
        self, request: web.Request, key: str | None, fault: Fault
    ) -> web.StreamResponse:
        if fault.kind not in ("badjson", "cutshort"):
            return await super()._answer(request, key, fault)
        self._commit(request, key)
        if fault.kind == "badjson":
            return web.Response(
                body=b"<html>502 upstream</html>", content_type="application/json"
            )
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.force_close()
        await response.prepare(request)
        await response.write(b'{"id": "obj_1", "obj')
        assert request.transport is not None
        request.transport.close()
        return response


@pytest.fixture
async def server() -> AsyncIterator[AmbiguousServer]:
    srv = AmbiguousServer()
    await srv.start()
    yield srv
    await srv.stop()


def free_port() -> int:
    with socket.socket() as sock:  # a port with nothing listening
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# --- outages -----------------------------------------------------------------------------------


async def test_refused_is_retried_until_the_deadline_without_spending_retries() -> None:
    events: list[RetryEvent] = []
    async with StripeClient(
        API_KEY, base_url=f"http://127.0.0.1:{free_port()}", max_retries=0, timeout=1.0,
        on_retry=events.append,
    ) as client:
        with pytest.raises(APIConnectionError) as info:
            await post(client)
    assert info.value.should_retry is True
    stats = client.stats
    assert stats.attempts >= 3  # more than max_retries + 1: connects do not spend retries
    assert stats.unreachable == stats.attempts and stats.outages == 1
    assert {e.reason for e in events} == {"unreachable"}


def _connector_error(os_error: OSError, cls: type[aiohttp.ClientConnectorError]) -> Exception:
    key = types.SimpleNamespace(host="api.stripe.test", port=443, ssl=True)
    return cls(key, os_error)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "kind",
    ["dns", "connect_timeout", "reset_before_write", "refused_connector"],
)
async def test_each_kind_of_unmade_connection_is_ridden_out(
    server: AmbiguousServer, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    def error() -> Exception:
        if kind == "dns":
            return _connector_error(
                socket.gaierror(-3, "Temporary failure in name resolution"),
                aiohttp.ClientConnectorDNSError,
            )
        if kind == "connect_timeout":
            return aiohttp.ConnectionTimeoutError("Connection timeout to host")
        if kind == "reset_before_write":
            return aiohttp.ClientConnectionResetError("Cannot write to closing transport")
        return _connector_error(ConnectionRefusedError(111, "refused"), aiohttp.ClientConnectorError)

    async with StripeClient(API_KEY, base_url=server.url, max_retries=0, timeout=10) as client:
        flaky = FlakySession(client._requestor.session(), [error() for _ in range(4)])
        monkeypatch.setattr(client._requestor, "session", lambda: flaky)
        response = await post(client)
    assert response.status == 200
    assert len(server.attempts) == 1  # only the last attempt was sent, and it was not a retry
    assert client.stats.unreachable == 4 and client.stats.attempts == 5
    assert_one_key(server)


@pytest.mark.parametrize("outage", [1.0, 5.0])
async def test_calls_in_flight_ride_out_an_outage(outage: float) -> None:
    port = free_port()
    srv = AmbiguousServer()
    calls = 300
    try:
        async with StripeClient(API_KEY, base_url=f"http://127.0.0.1:{port}") as client:
            tasks = [asyncio.create_task(post(client)) for _ in range(calls)]
            await asyncio.sleep(outage)
            await srv.start(port)
            results = await asyncio.gather(*tasks)
        assert all(r.status == 200 for r in results)
        keys = srv.keys("POST")
        assert len(srv.created) == calls == len(set(keys))  # each call created once
        # held calls went out once the host was back; no call retried a sent request
        assert len(keys) == calls
        assert client.stats.outages == 1
    finally:
        await srv.stop()


async def test_few_probes_while_the_host_is_down() -> None:
    port = free_port()
    srv = AmbiguousServer()
    try:
        async with StripeClient(API_KEY, base_url=f"http://127.0.0.1:{port}") as client:
            first = asyncio.create_task(get(client))
            while not client.stats.outages:
                await asyncio.sleep(0.01)
            before = client.stats.attempts
            tasks = [asyncio.create_task(get(client)) for _ in range(300)]
            await asyncio.sleep(2.0)
            probes = client.stats.attempts - before
            await srv.start(port)
            await asyncio.gather(first, *tasks)
        # 300 calls waiting 2 s: a probe every 0.25-0.5 s once the gaps are capped
        # (the first gaps are shorter: 0.05, 0.1, 0.2 s at most), not 300 calls hammering
        assert 2 <= probes <= 16
        assert len(srv.attempts) == 301
    finally:
        await srv.stop()


async def test_a_waiting_call_still_ends_at_its_deadline() -> None:
    async with StripeClient(API_KEY, base_url=f"http://127.0.0.1:{free_port()}") as client:
        first = asyncio.create_task(get(client, timeout=3.0))
        while not client.stats.outages:
            await asyncio.sleep(0.01)
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(APIConnectionError):
            await get(client, timeout=0.5)
        assert loop.time() - started < 2.0  # ended by its own deadline, not the other call's
        first.cancel()


# --- ambiguous outcomes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "reason"),
    # a body cut short is seen by aiohttp (chunked framing) as a broken connection
    [("badjson", "unreadable_body"), ("cutshort", "connection")],
)
async def test_an_unreadable_2xx_of_a_post_is_settled_by_the_replay(
    server: AmbiguousServer, kind: str, reason: str
) -> None:
    server.script.append(Fault(kind))
    events: list[RetryEvent] = []
    async with StripeClient(API_KEY, base_url=server.url, on_retry=events.append) as client:
        response = await post(client)
    assert response.json()["id"] == "obj_1"  # the object the first attempt created
    assert response.headers["Idempotent-Replayed"] == "true"
    assert len(server.created) == 1 and len(server.attempts) == 2
    assert [e.reason for e in events] == [reason]
    assert_one_key(server)


async def test_an_unreadable_2xx_of_a_get_is_retried(server: AmbiguousServer) -> None:
    server.script.extend([Fault("badjson"), Fault("cutshort")])
    async with StripeClient(API_KEY, base_url=server.url) as client:
        response = await get(client)
    assert response.json() == {"id": "obj_get", "object": "thing"}
    assert len(server.attempts) == 3


async def test_read_timeout_is_on_by_default_and_leaves_room_for_retries() -> None:
    requestor = StripeClient(API_KEY)._requestor
    attempt = requestor._default_timeout  # what aiohttp is given for one attempt
    assert attempt.total == 30.0 and requestor.timeout == 80.0
    assert 2 * attempt.total < requestor.timeout  # a stalled attempt still leaves a retry
    assert attempt.sock_read is None  # one timer per attempt, not one per chunk received
    unlimited = StripeClient(API_KEY, read_timeout=None)._requestor
    assert unlimited._default_timeout.total == 80.0  # only the call's deadline


# --- one retry layer ------------------------------------------------------------------------


async def test_max_retries_0_is_one_request_on_the_wire(server: AmbiguousServer) -> None:
    async with StripeClient(API_KEY, base_url=server.url, max_retries=0) as client:
        await get(client)  # a pooled keep-alive connection now exists
        server.script.append(drop())  # the next request on it: closed without an answer
        with pytest.raises(APIConnectionError):
            await get(client)
    assert len(server.attempts) == 2  # aiohttp did not re-send the GET behind our back
    assert client.stats.attempts == 2 and client.stats.retries == 0


async def test_stats_count_every_attempt(server: AmbiguousServer) -> None:
    server.script.extend([drop(), Fault("status", 503), ok()])
    async with StripeClient(API_KEY, base_url=server.url) as client:
        await get(client)
        await post(client)
    assert client.stats.attempts == len(server.attempts) == 4
    assert client.stats.retries == 2


async def test_a_session_passed_in_gets_no_hidden_resend(server: AmbiguousServer) -> None:
    async with aiohttp.ClientSession() as session:
        client = StripeClient(API_KEY, base_url=server.url, max_retries=0, session=session)
        await get(client)
        server.script.append(drop())
        with pytest.raises(APIConnectionError):
            await get(client)
        assert len(server.attempts) == 2

