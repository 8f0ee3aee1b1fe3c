"""The request loop under load and cancellation, over real HTTP on loopback against `FaultServer`:
a first-time success takes the fast path, 2000 concurrent calls through a connection limit leave no
task, socket or warning behind, and a call cancelled mid-request, mid-backoff or while waiting for a
connection leaves the client clean.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import os
import time
import warnings
from typing import Any

import aiohttp
import pytest

from aiostripe import APIConnectionError, _outage, _requestor
from aiostripe._client import StripeClient
from tests.fault_server import API_KEY, Attempt, Fault, FaultServer, drop, get, ok, post, status
from tests.retry_helpers import Sleeps, client, sleeps

__all__ = ["client", "sleeps"]  # the fixtures


def client_tasks() -> set[asyncio.Task[Any]]:
    """The running tasks, less the test server's connection handlers."""
    return {
        t
        for t in asyncio.all_tasks()
        if "web_protocol" not in getattr(t.get_coro(), "cr_code", t).__repr__()
    }


# --- hot path ----------------------------------------------------------------------------------


async def test_first_time_success_takes_the_fast_path(
    server: FaultServer, client: StripeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    requestor = client._requestor
    seen: list[aiohttp.ClientTimeout] = []
    send = requestor._send

    async def spy(*args: Any) -> _requestor.RawResponse:
        seen.append(args[-1])
        return await send(*args)

    async def no_sleep(delay: float) -> None:
        raise AssertionError("slept on the fast path")

    async def no_wait(*args: Any) -> bool:
        raise AssertionError("waited at the gate on the fast path")

    monkeypatch.setattr(requestor, "_send", spy)
    monkeypatch.setattr(_requestor.loop, "_sleep", no_sleep)
    monkeypatch.setattr(requestor, "_wait_for_slot", no_wait)
    monkeypatch.setattr(requestor, "_wait_for_turn", no_wait)
    tasks_before = client_tasks()
    for _ in range(5):
        await get(client)
        await post(client)
    # no per-call timeout object, but for the very first attempt: until the host has answered,
    # its connection is bounded by the first-contact grace (test_never_reached)
    assert seen[0].connect is not None and seen[0].connect <= _outage.FIRST_CONTACT_GRACE
    assert all(t is requestor._default_timeout for t in seen[1:])
    assert requestor.gate.slots.in_use == 0
    assert client.stats.requests == 10 and client.stats.retries == 0
    assert client_tasks() == tasks_before


# --- many calls at once ------------------------------------------------------------------------


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


async def test_2000_concurrent_calls_through_a_connection_limit(sleeps: Sleeps) -> None:
    gc.collect()
    fds_before = _open_fds()
    tasks_before = client_tasks()
    srv = FaultServer()
    await srv.start()
    counter = itertools.count()

    def faults(attempt: Attempt) -> Fault:
        n = next(counter)
        if n % 50 == 7:
            return status(503, commit=True)
        if n % 50 == 21:
            return drop(commit=True)
        return ok(delay=0.001 * (n % 3))

    srv.fault_for = faults
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with StripeClient(API_KEY, base_url=srv.url, max_connections=40) as client:
            results = await asyncio.gather(
                *(post(client) for _ in range(1000)), *(get(client) for _ in range(1000))
            )
            assert client._requestor.gate.slots.in_use == 0
            connector = client._requestor.session().connector
            assert connector is not None
            assert not connector._acquired
        await srv.stop()
        gc.collect()
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []
    assert all(r.status == 200 for r in results)
    assert srv.max_in_flight <= 40
    assert client.stats.requests == 2000
    assert client.stats.connection_waits > 0
    assert client.stats.retries >= 40
    # POSTs: one object per call, never two
    post_keys = {a.key for a in srv.attempts if a.method == "POST"}
    assert len(post_keys) == 1000 and len(srv.created) == 1000
    assert srv.anonymous_posts == 0
    await asyncio.sleep(0)
    assert client_tasks() == tasks_before
    for _ in range(50):  # sockets close asynchronously on both sides
        if _open_fds() <= fds_before:
            break
        await asyncio.sleep(0.02)
    assert _open_fds() <= fds_before


# --- cancellation ------------------------------------------------------------------------------


async def _assert_clean(client: StripeClient, tasks_before: set[asyncio.Task[Any]]) -> None:
    requestor = client._requestor
    assert requestor.gate.slots.in_use == 0 and requestor.gate.slots.waiting == 0
    session = requestor._session
    if session is not None and session.connector is not None:
        assert not session.connector._acquired
    await asyncio.sleep(0)
    assert client_tasks() == tasks_before


async def test_cancel_mid_call(server: FaultServer, client: StripeClient) -> None:
    tasks_before = client_tasks()
    server.script.append(ok(delay=10))
    task = asyncio.create_task(post(client))
    await server.received.wait()
    started = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - started < 0.2
    await _assert_clean(client, tasks_before)
    assert (await get(client)).status == 200  # the client still works


async def test_cancel_mid_backoff(server: FaultServer, client: StripeClient) -> None:
    tasks_before = client_tasks()
    server.script.append(status(503, retry_after="30"))
    retried = asyncio.Event()
    client._requestor.on_retry = lambda event: retried.set()
    task = asyncio.create_task(post(client))
    await retried.wait()
    await asyncio.sleep(0.01)
    started = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - started < 0.2
    assert len(server.attempts) == 1
    await _assert_clean(client, tasks_before)


async def test_cancel_while_waiting_for_a_connection(server: FaultServer) -> None:
    tasks_before = client_tasks()
    server.script.append(ok(delay=10))
    async with StripeClient(API_KEY, base_url=server.url, max_connections=1) as client:
        hung = asyncio.create_task(get(client))
        await server.received.wait()
        waiting = [asyncio.create_task(get(client)) for _ in range(3)]
        await asyncio.sleep(0.01)
        assert client._requestor.gate.slots.waiting == 3
        waiting[1].cancel()
        hung.cancel()
        results = await asyncio.gather(hung, *waiting, return_exceptions=True)
        assert isinstance(results[0], asyncio.CancelledError)
        assert isinstance(results[2], asyncio.CancelledError)
        assert results[1].status == 200 and results[3].status == 200  # type: ignore[union-attr]
        await _assert_clean(client, tasks_before)


async def test_waiting_for_a_connection_counts_against_the_deadline(server: FaultServer) -> None:
    server.script.append(ok(delay=2))
    async with StripeClient(API_KEY, base_url=server.url, max_connections=1) as client:
        hung = asyncio.create_task(get(client))
        await server.received.wait()
        started = time.monotonic()
        with pytest.raises(APIConnectionError, match="free connection"):
            await get(client, timeout=0.2)
        assert time.monotonic() - started < 0.4
        hung.cancel()
        with pytest.raises(asyncio.CancelledError):
            await hung
        assert client._requestor.gate.slots.in_use == 0
