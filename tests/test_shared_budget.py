"""One rate budget in Redis for many clients and processes (`RateLimit(..., redis=URL)`), against a
real redis-server (tests/redis_server.py) and a real loopback HTTP server (`FaultServer`) that
counts arrivals and answers 429 above the budget, like Stripe."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import textwrap
import time
from collections import Counter
from collections.abc import Callable

import pytest
import redis.asyncio as aioredis

from aiostripe import APIConnectionError
from aiostripe._client import StripeClient
from aiostripe._ratelimit import RateLimit
from aiostripe._shared_budget import account_key, buckets, endpoint
from tests.fault_server import API_KEY, Attempt, Fault, FaultServer, get, ok, status
from tests.redis_server import RedisProcess


def enforce(limit: int, server: FaultServer) -> Callable[[Attempt], Fault]:
    """Stripe's side of the budget: 429 `rate_limit` (Retry-After 1) past `limit` arrivals in
    any second."""
    window: list[float] = []

    def fault_for(attempt: Attempt) -> Fault:
        while window and attempt.at - window[0] >= 1.0:
            window.pop(0)
        if len(window) >= limit:
            return status(429, retry_after="1", error_code="rate_limit")
        window.append(attempt.at)
        return ok()

    return fault_for


def max_in_a_second(times: list[float]) -> int:
    times = sorted(times)
    best, j = 0, 0
    for i, t in enumerate(times):
        while t - times[j] >= 1.0:
            j += 1
        best = max(best, i - j + 1)
    return best


# --- units -------------------------------------------------------------------------------------


def test_rate_limit_with_redis_is_checked() -> None:
    limit = RateLimit(20, redis="redis://localhost:6379/0", endpoint_limits=True)
    assert limit.burst == 20 and limit.key is None
    for bad in ("localhost:6379", "http://localhost", "", 6379):
        with pytest.raises(ValueError, match="redis: expected a URL"):
            RateLimit(20, redis=bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="need redis="):
        RateLimit(20, key="mine")
    with pytest.raises(ValueError, match="need redis="):
        RateLimit(20, endpoint_limits=True)
    with pytest.raises(ValueError, match="key: expected"):
        RateLimit(20, redis="redis://x", key=" ")


def test_the_default_key_is_the_account_without_the_api_key() -> None:
    key = account_key(API_KEY, None)
    assert API_KEY not in key and API_KEY[-12:] not in key
    assert key == account_key(API_KEY, None) != account_key(API_KEY, "acct_1")
    assert key != account_key(API_KEY + "x", None)
    assert key.startswith("aiostripe:rate:{") and key.endswith("}")


def test_endpoint_classes() -> None:
    assert endpoint("get", "/v1/customers/cus_P8aZ9xYz") == "GET /v1/customers/{id}"
    assert endpoint("POST", "/v1/customers/cus_1/balance_transactions") == (
        "POST /v1/customers/{id}/balance_transactions"
    )
    limit = RateLimit(100, burst=10, redis="redis://x", endpoint_limits=True)

    def names(method: str, path: str) -> list[tuple[str, float]]:
        return [(n.removeprefix("k:"), r) for n, r, _ in buckets(limit, "k", method, path)]

    assert names("GET", "/v1/customers/search") == [("all", 100.0), ("search", 20.0)]
    assert names("POST", "/v1/files") == [("all", 100.0), ("files:write", 20.0)]
    assert names("GET", "/v1/files/file_1") == [("all", 100.0), ("files:read", 20.0)]
    assert names("GET", "/v1/charges/ch_1") == [("all", 100.0), ("ep:GET /v1/charges/{id}", 25.0)]
    plain = RateLimit(100, redis="redis://x")
    assert [n for n, _, _ in buckets(plain, "k", "GET", "/v1/customers/search")] == ["k:all"]


# --- in one process: clients that share nothing but Redis ---------------------------------------


async def test_two_clients_share_one_budget(server: FaultServer, redis_url: str) -> None:
    rate, burst = 50.0, 2
    limit = RateLimit(rate, burst=burst, redis=redis_url)
    a = StripeClient(API_KEY, base_url=server.url, rate_limit=limit)
    b = StripeClient(API_KEY, base_url=server.url, rate_limit=limit)
    async with a, b:
        started = time.monotonic()
        await asyncio.gather(*(get(c) for c in (a, b) for _ in range(30)))
        elapsed = time.monotonic() - started
    # 60 requests at 50/s with a burst of 2: at least 58 intervals of 20 ms
    assert elapsed >= (60 - burst) / rate * 0.95
    assert max_in_a_second([x.at for x in server.attempts]) <= rate + burst + 1
    assert a.stats.rate_limit_waits > 20 and b.stats.rate_limit_waits > 20
    # another account (API key) has its own budget: no wait
    async with StripeClient(API_KEY + "2", base_url=server.url, rate_limit=limit) as other:
        started = time.monotonic()
        await asyncio.gather(get(other), get(other))
        assert time.monotonic() - started < 0.2 and other.stats.rate_limit_waits == 0


async def test_a_429_seen_by_one_client_pauses_the_other(
    server: FaultServer, redis_url: str
) -> None:
    limit = RateLimit(100, redis=redis_url)
    server.script.append(status(429, retry_after="0.5", error_code="rate_limit"))
    a = StripeClient(API_KEY, base_url=server.url, rate_limit=limit)
    b = StripeClient(API_KEY, base_url=server.url, rate_limit=limit)
    async with a, b:
        first = asyncio.create_task(get(a))  # 429, Retry-After 0.5 s, then retried
        await server.received.wait()
        await asyncio.sleep(0.1)
        started = time.monotonic()
        await get(b)  # b never saw the 429: it waits for the shared pause all the same
        waited = time.monotonic() - started
        await first
    assert 0.25 < waited < 0.6
    assert b.stats.rate_limit_waits == 1 and b.stats.rate_limited == 0


async def test_a_turn_past_the_deadline_fails_at_once_and_reserves_nothing(
    server: FaultServer, redis_url: str
) -> None:
    limit = RateLimit(2, burst=1, redis=redis_url)
    async with StripeClient(API_KEY, base_url=server.url, rate_limit=limit) as client:
        await get(client)
        started = time.monotonic()
        with pytest.raises(APIConnectionError, match="rate limit"):
            await get(client, timeout=0.2)  # the next slot is 0.5 s away
        assert time.monotonic() - started < 0.1
        started = time.monotonic()
        await get(client)  # waits for the next slot, not for two
        assert 0.3 < time.monotonic() - started < 0.65
    assert len(server.attempts) == 2


async def test_endpoint_buckets_hold_one_endpoint_below_the_account(
    server: FaultServer, redis_url: str
) -> None:
    limit = RateLimit(1000, burst=5, redis=redis_url, endpoint_limits=True)
    async with StripeClient(API_KEY, base_url=server.url, rate_limit=limit) as client:
        started = time.monotonic()
        await asyncio.gather(
            *(client.raw_request("get", "/v1/customers/search", query="x") for _ in range(15))
        )
        elapsed = time.monotonic() - started
    assert elapsed >= (15 - 5) / 20 * 0.95  # search: 20/s, whatever the account's 1000/s


# --- K processes on one budget ------------------------------------------------------------------

_PROCESS = textwrap.dedent(
    """
    import asyncio, json, sys, time
    from aiostripe import StripeClient, RateLimit

    url, redis_url, rate, burst, start_at, seconds, me, api_key = sys.argv[1:]
    async def main():
        limit = RateLimit(float(rate), burst=int(burst), redis=redis_url)
        async with StripeClient(api_key, base_url=url, rate_limit=limit) as client:
            await asyncio.sleep(max(0.0, float(start_at) - time.time()))
            stop = time.monotonic() + float(seconds)
            done = 0
            async def loop():
                nonlocal done
                while time.monotonic() < stop:
                    await client.raw_request("get", f"/v1/customers/cus_{me}")
                    done += 1
            await asyncio.gather(*(loop() for _ in range(8)))
            print(json.dumps({"done": done, "rate_limited": client.stats.rate_limited}))
    asyncio.run(main())
    """
)


async def test_k_processes_stay_within_one_budget_with_fair_shares(
    server: FaultServer, redis_url: str
) -> None:
    k, rate, burst, seconds = 3, 40, 4, 3.0
    # arrivals are stamped by the server's event loop, which a busy machine delays now and then:
    # a request late by 0.15 s shares a second with the next 0.15 s worth of them
    jitter = int(rate * 0.15) + 1
    server.fault_for = enforce(rate + burst + jitter, server)  # Stripe, with that slack
    start_at = time.time() + 2.0  # every process starts at once, after its imports
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-c", _PROCESS, server.url, redis_url, str(rate), str(burst),
            str(start_at), str(seconds), str(me), API_KEY,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        for me in range(k)
    ]
    outputs = [await asyncio.wait_for(p.communicate(), 60) for p in procs]
    for proc, (_, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err.decode()[-2000:]
    results = [json.loads(out.decode().strip().splitlines()[-1]) for out, _ in outputs]
    times = [a.at for a in server.attempts]
    # within the budget: never more than rate + burst in a second (counted from the first)
    per_second = Counter(int(t - min(times)) for t in times)
    assert max(per_second.values()) <= rate + burst + jitter, (per_second, results)
    # no 429 storm (Stripe's side never had to refuse more than a stray request)
    assert sum(r["rate_limited"] for r in results) <= 1, results
    # while all of them run: the budget is used, and each process gets about a third of it
    by_process: dict[str, list[float]] = {}
    for a in server.attempts:
        by_process.setdefault(a.path.rsplit("_", 1)[-1], []).append(a.at)
    assert len(by_process) == k
    start, end = max(min(t) for t in by_process.values()), min(max(t) for t in by_process.values())
    shares = Counter(p for p, ts in by_process.items() for t in ts if start <= t < end)
    assert end - start > seconds / 2 and sum(shares.values()) >= 0.75 * rate * (end - start), (
        shares, end - start
    )
    mean = sum(shares.values()) / k
    assert all(abs(n - mean) <= 0.3 * mean for n in shares.values()), shares


# --- Redis going away ---------------------------------------------------------------------------


async def test_redis_going_away_falls_back_to_the_local_limit_and_comes_back(
    server: FaultServer, caplog: pytest.LogCaptureFixture
) -> None:
    redis = RedisProcess()
    redis.start()
    try:
        rate = 20.0
        limit = RateLimit(rate, burst=1, redis=redis.url)
        async with StripeClient(API_KEY, base_url=server.url, rate_limit=limit) as client:
            caplog.set_level(logging.WARNING, logger="aiostripe")
            await asyncio.gather(*(get(client) for _ in range(5)))
            assert not caplog.records
            redis.stop()
            # every call still goes through, paced by the local bucket at the same rate
            before = len(server.attempts)
            started = time.monotonic()
            await asyncio.gather(*(get(client) for _ in range(10)))
            elapsed = time.monotonic() - started
            assert len(server.attempts) - before == 10
            assert elapsed >= 9 / rate * 0.9
            down = [r.getMessage() for r in caplog.records]
            assert len(down) == 1 and "unreachable" in down[0] and "20 requests/s" in down[0]
            caplog.clear()
            redis.start()
            await asyncio.sleep(1.1)  # the fallback period: Redis is tried again after it
            await get(client)
            assert ["answers again" in r.getMessage() for r in caplog.records] == [True]
            r = aioredis.Redis.from_url(redis.url)
            async with r:
                assert await r.exists(f"{account_key(API_KEY, None)}:all") == 1
    finally:
        redis.stop()
