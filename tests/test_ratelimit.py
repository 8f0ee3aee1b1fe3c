"""Client-side flow control: the token bucket, the FIFO connection slots, server-asked pauses, and
how they behave in a client talking to a real loopback server (`FaultServer`)."""

from __future__ import annotations

import asyncio
import time

import pytest

from aiostripe import APIConnectionError
from aiostripe._client import StripeClient
from aiostripe._ratelimit import Gate, RateLimit, Slots, TokenBucket
from aiostripe._retry import RetryPolicy, WaitEvent
from tests.fault_server import API_KEY, FaultServer, get, ok, post, status

# --- units -------------------------------------------------------------------------------------


def test_rate_limit_defaults_and_validation() -> None:
    assert RateLimit(25) == RateLimit(25.0, burst=25)
    assert RateLimit(0.5).burst == 1
    assert RateLimit(2.5).burst == 3
    for bad in (0, -1, float("inf"), float("nan")):
        with pytest.raises(ValueError):
            RateLimit(bad)
    with pytest.raises(ValueError):
        RateLimit(10, burst=0)
    with pytest.raises(TypeError):
        RateLimit(10, burst=2.5)  # type: ignore[arg-type]


def test_client_takes_a_rate_limit_or_a_number() -> None:
    assert StripeClient(API_KEY, rate_limit=20)._requestor.rate_limit == RateLimit(20, 20)
    limit = RateLimit(80, burst=8)
    assert StripeClient(API_KEY, rate_limit=limit)._requestor.rate_limit is limit
    assert StripeClient(API_KEY)._requestor.gate.bucket is None


def test_token_bucket_burst_then_steady_rate() -> None:
    bucket = TokenBucket(RateLimit(10, burst=3))
    t = 100.0
    assert [bucket.reserve(t) for _ in range(3)] == [0.0, 0.0, 0.0]  # the burst
    # then one every 0.1 s, in the order asked
    waits = [bucket.reserve(t) for _ in range(4)]
    assert waits == pytest.approx([0.1, 0.2, 0.3, 0.4])
    # 0.4 s later the debt is paid, nothing saved up
    assert bucket.available(t + 0.4) == pytest.approx(0.0)
    # after a long idle, no more than the burst is available
    assert bucket.available(t + 100) == 3.0


def test_token_bucket_refund() -> None:
    bucket = TokenBucket(RateLimit(10, burst=1))
    assert bucket.reserve(0.0) == 0.0
    assert bucket.reserve(0.0) == pytest.approx(0.1)
    bucket.refund(0.0)  # that caller gave up: the next one gets its place
    assert bucket.reserve(0.0) == pytest.approx(0.1)
    bucket.refund(0.0)
    bucket.refund(0.0)
    assert bucket.available(0.0) == 1.0  # never above the burst


def test_token_bucket_never_exceeds_rate() -> None:
    rate, burst = 25.0, 5
    bucket = TokenBucket(RateLimit(rate, burst=burst))
    # callers arriving irregularly; each is allowed to go at now + its wait
    starts = []
    now = 0.0
    for i in range(500):
        now += (i % 7) * 0.003
        starts.append(now + bucket.reserve(now))
    starts.sort()
    for i in range(len(starts)):
        for j in range(i, min(i + 60, len(starts))):
            window = starts[j] - starts[i]
            assert j - i + 1 <= burst + rate * window + 1e-6


def test_gate_pause_holds_the_bucket_too() -> None:
    gate = Gate(10, RateLimit(10, burst=2))
    assert gate.wait_needed(0.0) is None
    gate.pause(5.0)
    needed = gate.wait_needed(1.0)
    assert needed is not None
    wait, reason = needed
    assert reason == "retry_after" and wait == pytest.approx(4.0)
    # the bucket refilled during the pause, but only up to its burst
    assert gate.wait_needed(1.0) == pytest.approx((4.0, "retry_after"))
    assert gate.wait_needed(1.0) == pytest.approx((4.1, "retry_after"))
    # a retry that already waited until the end of the pause does not wait again for it
    gate2 = Gate(10, None)
    gate2.pause(5.0)
    assert gate2.wait_needed(1.0, waited_until=5.0) is None
    assert gate2.wait_needed(6.0) is None and gate2.paused_until == 0.0
    assert not gate2.active


async def test_slots_are_fifo_and_cancellation_safe() -> None:
    slots = Slots(2)
    assert slots.try_acquire() and slots.try_acquire()
    assert not slots.try_acquire()
    order: list[int] = []

    async def worker(n: int) -> None:
        await slots.acquire()
        order.append(n)

    tasks = [asyncio.create_task(worker(n)) for n in range(4)]
    await asyncio.sleep(0)
    assert slots.waiting == 4
    tasks[0].cancel()
    slots.release()  # goes to worker 1 (0 was cancelled)
    await asyncio.sleep(0)
    # worker 2 is handed a slot and cancelled before it runs: the slot moves on to worker 3
    slots.release()
    tasks[2].cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    assert order == [1, 3]
    assert slots.in_use == 2 and slots.waiting == 0
    slots.release()
    slots.release()
    assert slots.in_use == 0
    assert slots.try_acquire()  # a free slot again
    with pytest.raises(ValueError):
        Slots(0)


# --- a client under a rate limit ---------------------------------------------------------------


async def test_rate_limit_holds_over_real_http(server: FaultServer) -> None:
    rate, burst = 100.0, 5
    waits: list[WaitEvent] = []
    async with StripeClient(
        API_KEY,
        base_url=server.url,
        rate_limit=RateLimit(rate, burst=burst),
        on_rate_limit_wait=waits.append,
    ) as client:
        started = time.monotonic()
        results = await asyncio.gather(*(get(client) for _ in range(60)))
        elapsed = time.monotonic() - started
    assert all(r.status == 200 for r in results)
    assert elapsed >= (60 - burst) / rate * 0.95
    arrivals = sorted(a.at for a in server.attempts)
    slack = 2  # scheduling jitter between the client's start and the server's arrival
    for i in range(len(arrivals)):
        for j in range(i, len(arrivals)):
            assert j - i + 1 <= burst + rate * (arrivals[j] - arrivals[i]) + slack
    assert client.stats.rate_limit_waits == 60 - burst == len(waits)
    assert all(w.reason == "rate_limit" and w.method == "GET" for w in waits)
    assert client.stats.rate_limit_wait_seconds == pytest.approx(sum(w.seconds for w in waits))


async def test_retries_take_tokens_too(server: FaultServer) -> None:
    server.script.append(status(503))
    async with StripeClient(
        API_KEY,
        base_url=server.url,
        rate_limit=RateLimit(10, burst=1),
        retry_policy=RetryPolicy(initial_delay=0.0),
    ) as client:
        started = time.monotonic()
        await post(client)
        assert time.monotonic() - started >= 0.09  # the retry waited for the next token
    assert client.stats.retries == 1 and client.stats.rate_limit_waits == 1


async def test_a_rate_limit_wait_past_the_deadline_fails_at_once(server: FaultServer) -> None:
    async with StripeClient(
        API_KEY, base_url=server.url, rate_limit=RateLimit(2, burst=1)
    ) as client:
        await get(client)
        started = time.monotonic()
        with pytest.raises(APIConnectionError, match="rate limit") as info:
            await get(client, timeout=0.2)  # the next token is 0.5 s away
        assert time.monotonic() - started < 0.05
        assert info.value.should_retry is False
        assert len(server.attempts) == 1
        # its token was given back: the next call waits for one token, not two
        started = time.monotonic()
        await get(client)
        assert time.monotonic() - started < 0.6


async def test_cancel_during_a_rate_limit_wait_gives_the_token_back(server: FaultServer) -> None:
    async with StripeClient(
        API_KEY, base_url=server.url, rate_limit=RateLimit(1, burst=1)
    ) as client:
        await get(client)
        task = asyncio.create_task(get(client))
        await asyncio.sleep(0.05)
        started = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert time.monotonic() - started < 0.05
        bucket = client._requestor.gate.bucket
        assert bucket is not None
        loop = asyncio.get_running_loop()
        assert bucket.available(loop.time()) > -0.1  # not in debt for the cancelled call
        assert client._requestor.gate.slots.in_use == 0


async def test_retry_after_pause_is_reported(server: FaultServer) -> None:
    waits: list[WaitEvent] = []
    server.script.append(status(429, retry_after="0.2", error_code="rate_limit"))
    async with StripeClient(
        API_KEY, base_url=server.url, on_rate_limit_wait=waits.append
    ) as client:
        first = asyncio.create_task(get(client))
        await server.received.wait()
        await asyncio.sleep(0.02)
        second = asyncio.create_task(post(client))
        await asyncio.gather(first, second)
    assert [w.reason for w in waits] == ["retry_after"]
    assert waits[0].method == "POST" and 0.1 < waits[0].seconds <= 0.2
    post_at = next(a.at for a in server.attempts if a.method == "POST")
    assert post_at - server.attempts[0].at >= 0.19


async def test_max_connections_bounds_requests_in_flight(server: FaultServer) -> None:
    server.fault_for = lambda attempt: ok(delay=0.02)
    async with StripeClient(API_KEY, base_url=server.url, max_connections=5) as client:
        results = await asyncio.gather(*(get(client) for _ in range(50)))
        assert all(r.status == 200 for r in results)
        assert client.stats.connection_waits >= 40
    assert server.max_in_flight == 5
