"""Backoff, Retry-After and deadlines of the request loop, over real HTTP on loopback against
`FaultServer`: full-jitter backoff within its documented bounds, Retry-After (seconds or an HTTP
date) obeyed and capped, a 429 pausing the whole client, and a call that never outlives its timeout.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from aiostripe import APIConnectionError, APIError, RateLimitError, StripeError
from aiostripe._client import StripeClient
from aiostripe._retry import RetryPolicy, parse_retry_after
from tests.fault_server import API_KEY, Fault, FaultServer, assert_one_key, get, ok, post, status
from tests.retry_helpers import Sleeps, client, sleeps

__all__ = ["client", "sleeps"]  # the fixtures


# --- backoff and Retry-After -------------------------------------------------------------------


def test_backoff_bounds_full_jitter_capped() -> None:
    policy = RetryPolicy()
    assert [policy.backoff_cap(n) for n in range(1, 8)] == [0.5, 1, 2, 4, 8, 8, 8]
    assert policy.backoff_cap(10_000) == 8.0  # no overflow
    samples = {n: [policy.backoff(n) for _ in range(2000)] for n in (1, 2, 5)}
    for n, values in samples.items():
        cap = policy.backoff_cap(n)
        assert all(0.0 <= v <= cap for v in values)
        # full jitter: spread over the whole range, not bunched at the cap
        assert min(values) < 0.1 * cap and max(values) > 0.9 * cap
        assert 0.4 * cap < sum(values) / len(values) < 0.6 * cap
    custom = RetryPolicy(initial_delay=0.1, max_delay=0.3)
    assert [custom.backoff_cap(n) for n in (1, 2, 3, 4)] == [0.1, 0.2, 0.3, 0.3]
    with pytest.raises(ValueError):
        RetryPolicy(max_retries=-1)


async def test_recorded_backoff_delays_within_documented_bounds(
    server: FaultServer, sleeps: Sleeps
) -> None:
    async with StripeClient(API_KEY, base_url=server.url, max_retries=6) as client:
        for _ in range(20):
            server.script.extend([status(503)] * 6)
            await get(client)
    assert len(sleeps.delays) == 20 * 6
    caps = [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    for i, delay in enumerate(sleeps.delays):
        assert 0.0 <= delay <= caps[i % 6]


@pytest.mark.parametrize(
    ("header", "expected"),
    [("2", 2.0), ("0", 0.0), ("1.5", 1.5), ("3600", 60.0)],
)
async def test_retry_after_seconds_is_obeyed_and_capped(
    server: FaultServer, client: StripeClient, sleeps: Sleeps, header: str, expected: float
) -> None:
    server.script.append(status(429, retry_after=header, error_code="rate_limit"))
    await post(client)
    assert sleeps.delays == [expected]  # the retry does not wait out its own pause again
    assert len(server.attempts) == 2
    assert client.stats.rate_limited == 1
    assert_one_key(server)


async def test_retry_after_http_date(
    server: FaultServer, client: StripeClient, sleeps: Sleeps
) -> None:
    when = time.time() + 30
    header = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(when))
    server.script.append(status(503, retry_after=header))
    await get(client)
    assert len(sleeps.delays) == 1 and 27 <= sleeps.delays[0] <= 30


def test_parse_retry_after() -> None:
    now = 1_700_000_000.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("") is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("nan") is None
    assert parse_retry_after("-5") == 0.0
    assert parse_retry_after(" 7 ") == 7.0
    assert parse_retry_after("Tue, 14 Nov 2023 22:13:30 GMT", now=now) == 10.0
    assert parse_retry_after("Tue, 14 Nov 2023 22:13:30 -0000", now=now) == 10.0
    assert parse_retry_after("Tue, 14 Nov 2023 22:00:00 GMT", now=now) == 0.0


async def test_retry_after_past_the_deadline_is_not_slept(
    server: FaultServer, client: StripeClient, sleeps: Sleeps
) -> None:
    server.script.append(status(429, retry_after="20", error_code="rate_limit"))
    with pytest.raises(RateLimitError) as info:
        await post(client, timeout=10)
    assert sleeps.delays == []
    assert info.value.retry_after == 20.0
    assert len(server.attempts) == 1
    assert client.stats.gave_up == 1


async def test_retry_after_on_429_pauses_the_whole_client(
    server: FaultServer, client: StripeClient, sleeps: Sleeps
) -> None:
    sleeps.real = True
    server.script.append(status(429, retry_after="0.3", error_code="rate_limit"))
    first = asyncio.create_task(get(client))
    gate = client._requestor.gate
    while not gate.paused_until:  # the 429 is in: now the client is paused
        await asyncio.sleep(0.005)
    await asyncio.sleep(0.03)
    loop = asyncio.get_running_loop()
    left = gate.paused_until - loop.time()
    started = loop.time()
    await get(client)  # a call of its own, started during the pause: it waits out what is left
    assert loop.time() - started >= left - 0.01
    await first
    assert client.stats.rate_limit_waits == 1
    # the first call sleeps the whole Retry-After before its retry; the second only the rest
    assert len(sleeps.delays) == 2 and max(sleeps.delays) == pytest.approx(0.3, abs=0.01)
    assert min(sleeps.delays) <= left + 0.01 and min(sleeps.delays) < 0.29


async def test_lock_timeout_does_not_pause_the_client(
    server: FaultServer, client: StripeClient, sleeps: Sleeps
) -> None:
    server.script.append(status(429, retry_after="5", error_code="lock_timeout"))
    await post(client)
    assert sleeps.delays == [5.0]
    assert client._requestor.gate.paused_until == 0.0


# --- deadline ----------------------------------------------------------------------------------


async def test_backoff_crossing_the_deadline_raises_the_last_error(
    server: FaultServer, sleeps: Sleeps
) -> None:
    policy = RetryPolicy(max_retries=10, initial_delay=4.0, max_delay=4.0)
    async with StripeClient(API_KEY, base_url=server.url, retry_policy=policy) as client:
        server.script.extend([status(503)] * 10)
        with pytest.raises(APIError) as info:
            await get(client, timeout=0.5)
    # a 4 s-capped jittered wait is only slept when it fits the 0.5 s left
    assert all(d < 0.5 for d in sleeps.delays)
    assert info.value.request_id == f"req_{len(server.attempts)}"


async def test_a_call_never_outlives_its_timeout(server: FaultServer) -> None:
    # every attempt hangs 0.25 s then fails; retries are fast: the deadline, not the retry
    # budget, ends the call
    server.fault_for = lambda attempt: Fault("status", 503, delay=0.25)
    policy = RetryPolicy(max_retries=50, initial_delay=0.05, max_delay=0.05)
    async with StripeClient(API_KEY, base_url=server.url, retry_policy=policy) as client:
        started = time.monotonic()
        with pytest.raises(StripeError):
            await get(client, timeout=1.0)
        elapsed = time.monotonic() - started
    assert 0.5 <= elapsed <= 1.0 + 0.15
    assert 2 <= len(server.attempts) <= 4


async def test_a_hung_server_times_out_at_the_deadline(server: FaultServer) -> None:
    server.fault_for = lambda attempt: ok(delay=5.0)
    async with StripeClient(API_KEY, base_url=server.url, timeout=0.4) as client:
        started = time.monotonic()
        with pytest.raises(APIConnectionError, match="timed out"):
            await post(client)
        elapsed = time.monotonic() - started
    assert 0.35 <= elapsed <= 0.4 + 0.15
    assert len(server.attempts) == 1  # nothing left for a retry


async def test_timeout_of_six_seconds_is_not_rounded_up() -> None:
    async with StripeClient(API_KEY, timeout=6.3) as client:
        timeout = client._requestor._default_timeout
    assert timeout.total == 6.3 and timeout.connect == 30.0
    assert timeout.ceil_threshold > 1e9  # aiohttp would otherwise round 6.3 s up to 7 s
