"""Retries, idempotency, backoff, deadlines, cancellation and logging of the request loop, over real
HTTP on loopback against `FaultServer`, a small aiohttp server that injects faults on cue.

`FaultServer` plays a Stripe that keeps its promise on idempotency keys: a POST that succeeds (or
that is committed before its response is lost) creates one object per key, and a POST repeating a
key gets the same object back (`Idempotent-Replayed: true`). Every test that sends a POST checks
that the server saw one key on every attempt and created at most one object.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import logging
import os
import time
import warnings
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest

from aiostripe import (
    APIConnectionError,
    APIError,
    AuthenticationError,
    CardError,
    IdempotencyError,
    InvalidRequestError,
    PermissionDeniedError,
    RateLimitError,
    StripeError,
    _outage,
    _requestor,
)
from aiostripe._client import StripeClient
from aiostripe._retry import RetryEvent, RetryPolicy, parse_retry_after
from tests.fault_server import (
    API_KEY,
    Attempt,
    Fault,
    FaultServer,
    assert_one_key,
    drop,
    get,
    ok,
    post,
    reset,
    status,
    truncate,
)


@dataclass
class Sleeps:
    """The waits the request loop asked for, recorded instead of slept (`real=True`: slept)."""

    delays: list[float] = field(default_factory=list)
    real: bool = False
    before: Callable[[float], Any] | None = None

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        if self.before is not None:
            result = self.before(delay)
            if asyncio.iscoroutine(result):
                await result
        await asyncio.sleep(delay if self.real else 0)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> Sleeps:
    recorder = Sleeps()
    monkeypatch.setattr(_requestor.loop, "_sleep", recorder)
    return recorder


@pytest.fixture
async def client(server: FaultServer) -> AsyncIterator[StripeClient]:
    async with StripeClient(API_KEY, base_url=server.url) as c:
        yield c


# --- the fault matrix --------------------------------------------------------------------------

# (faults, then the outcome: None = success, else the error class; attempts the server sees)
SUCCEED_WITHIN_BUDGET: list[tuple[str, list[Fault], int]] = [
    ("500", [status(500)], 2),
    ("502,503", [status(502), status(503)], 3),
    ("504", [status(504)], 2),
    ("409", [status(409)], 2),
    ("429 rate_limit", [status(429, error_code="rate_limit")], 2),
    ("429 lock_timeout", [status(429, error_code="lock_timeout")], 2),
    ("400 + Should-Retry true", [status(400, should_retry="true")], 2),
    ("drop before commit", [drop()], 2),
    ("drop after commit", [drop(commit=True)], 2),
    ("reset after commit", [reset(commit=True)], 2),
    ("truncated body after commit", [truncate(commit=True)], 2),
    ("503 after commit", [status(503, commit=True)], 2),
    ("drop, 429, then ok", [drop(commit=True), status(429, error_code="rate_limit")], 3),
    ("truncate, reset", [truncate(commit=True), reset(commit=True)], 3),
]

FAIL: list[tuple[str, list[Fault], type[StripeError], int]] = [
    ("503 x3", [status(503)] * 3, APIError, 3),
    ("429 x3", [status(429, error_code="rate_limit")] * 3, RateLimitError, 3),
    ("409 x3", [status(409)] * 3, APIError, 3),
    ("drop x3", [drop(commit=True)] * 3, APIConnectionError, 3),
    ("truncate x3", [truncate(commit=True)] * 3, APIConnectionError, 3),
    ("reset x3", [reset()] * 3, APIConnectionError, 3),
    ("503 + Should-Retry false", [status(503, should_retry="false")], APIError, 1),
    ("409 + Should-Retry false", [status(409, should_retry="false")], APIError, 1),
    (
        "409 idempotency error + Should-Retry false",
        [status(409, should_retry="false", error_type="idempotency_error")],
        IdempotencyError,
        1,
    ),
    ("400", [status(400)], InvalidRequestError, 1),
    ("401", [status(401, error_type="invalid_request_error")], AuthenticationError, 1),
    ("402", [status(402, error_code="card_declined")], CardError, 1),
    ("403", [status(403, error_type="invalid_request_error")], PermissionDeniedError, 1),
    ("404", [status(404)], InvalidRequestError, 1),
    ("drop, 503, then 400", [drop(), status(503), status(400)], InvalidRequestError, 3),
]


@pytest.mark.parametrize(
    ("faults", "attempts"),
    [pytest.param(f, n, id=name) for name, f, n in SUCCEED_WITHIN_BUDGET],
)
async def test_post_succeeds_within_budget(
    server: FaultServer,
    client: StripeClient,
    sleeps: Sleeps,
    faults: list[Fault],
    attempts: int,
) -> None:
    server.script.extend(faults)
    response = await post(client)
    assert response.status == 200
    assert len(server.attempts) == attempts
    key = assert_one_key(server)
    assert response.json() == server.created[key]  # the one object, even when replayed
    assert len(server.created) == 1
    assert len(sleeps.delays) == attempts - 1
    assert client.stats.retries == attempts - 1
    assert client.stats.requests == 1


@pytest.mark.parametrize(
    ("faults", "error", "attempts"),
    [pytest.param(f, e, n, id=name) for name, f, e, n in FAIL],
)
async def test_post_fails_with_the_specific_error(
    server: FaultServer,
    client: StripeClient,
    sleeps: Sleeps,
    faults: list[Fault],
    error: type[StripeError],
    attempts: int,
) -> None:
    server.script.extend(faults)
    with pytest.raises(error) as info:
        await post(client)
    assert type(info.value) is error
    assert len(server.attempts) == attempts
    assert_one_key(server)
    assert len(sleeps.delays) == attempts - 1
    if error is not APIConnectionError:
        assert info.value.request_id == f"req_{attempts}"  # the last attempt's error


@pytest.mark.parametrize(
    ("faults", "attempts"),
    [
        pytest.param([status(503)], 2, id="503"),
        pytest.param([drop()], 2, id="drop"),
        pytest.param([truncate(), status(429)], 3, id="truncate,429"),
    ],
)
async def test_get_and_delete_retry_without_idempotency_key(
    server: FaultServer, client: StripeClient, sleeps: Sleeps, faults: list[Fault], attempts: int
) -> None:
    server.script.extend(faults)
    assert (await get(client)).status == 200
    server.script.extend(faults)
    response = await client._requestor.request("delete", "/v1/customers/cus_1")
    assert response.status == 200
    assert len(server.attempts) == 2 * attempts
    assert all(a.key is None for a in server.attempts)
    assert {a.method for a in server.attempts} == {"GET", "DELETE"}


async def test_get_gives_up_after_budget(
    server: FaultServer, client: StripeClient, sleeps: Sleeps
) -> None:
    server.script.extend([status(500)] * 5)
    with pytest.raises(APIError):
        await get(client)
    assert len(server.attempts) == 3
    assert client.stats.gave_up == 1


async def test_caller_idempotency_key_is_used_on_every_attempt(
    server: FaultServer, client: StripeClient, sleeps: Sleeps
) -> None:
    server.script.extend([drop(commit=True), status(503, commit=True)])
    response = await post(client, idempotency_key="order-42")
    assert server.keys() == ["order-42"] * 3
    assert response.headers["Idempotent-Replayed"] == "true"
    assert list(server.created) == ["order-42"]


async def test_every_post_gets_its_own_key(
    server: FaultServer, client: StripeClient, sleeps: Sleeps
) -> None:
    for _ in range(3):
        server.script.append(drop(commit=True))
        await post(client)
    keys = server.keys()
    assert len(keys) == 6 and len(set(keys)) == 3
    assert keys[0::2] == keys[1::2]
    assert len(server.created) == 3


async def test_post_without_params_still_has_a_key(
    server: FaultServer, client: StripeClient, sleeps: Sleeps
) -> None:
    server.script.append(status(500))
    await client._requestor.request("post", "/v1/subscriptions/sub_1/cancel")
    assert_one_key(server)
    assert len(server.attempts) == 2


async def test_max_retries_per_client_and_per_call(server: FaultServer, sleeps: Sleeps) -> None:
    async with StripeClient(API_KEY, base_url=server.url, max_retries=5) as client:
        server.script.extend([status(503)] * 10)
        with pytest.raises(APIError):
            await post(client)
        assert len(server.attempts) == 6
        server.attempts.clear()
        with pytest.raises(APIError):
            await post(client, max_retries=1)
        assert len(server.attempts) == 2
        server.attempts.clear()
        with pytest.raises(APIError):
            await post(client, max_retries=0)
        assert len(server.attempts) == 1
        with pytest.raises(ValueError):
            await post(client, max_retries=-1)


async def test_retries_are_on_by_default_with_two_retries() -> None:
    client = StripeClient(API_KEY)
    assert client._requestor.retry == RetryPolicy()
    assert RetryPolicy().max_retries == 2
    assert client._requestor.timeout == 80.0
    assert client._requestor.connect_timeout == 30.0
    await client.close()


# connection refused, and other connections that could not be made: tests/test_outages.py


async def test_timed_out_attempt_is_retried_with_the_same_key(server: FaultServer) -> None:
    # the first attempt is committed, then answers too late: read_timeout ends it, the retry
    # (same key) gets the same object back
    server.script.append(Fault("ok", delay=1.0, commit=True))
    async with StripeClient(
        API_KEY,
        base_url=server.url,
        read_timeout=0.2,
        retry_policy=RetryPolicy(initial_delay=0.01),
    ) as client:
        events: list[RetryEvent] = []
        client._requestor.on_retry = events.append
        response = await post(client)
    assert response.status == 200
    assert [e.reason for e in events] == ["timeout"]
    assert len(server.attempts) == 2
    assert_one_key(server)
    assert response.headers["Idempotent-Replayed"] == "true"


async def test_read_timeout_per_call(server: FaultServer) -> None:
    server.script.extend([ok(delay=1.0)] * 3)
    async with StripeClient(API_KEY, base_url=server.url, max_retries=0) as client:
        started = time.monotonic()
        with pytest.raises(APIConnectionError, match="timed out"):
            await get(client, read_timeout=0.1)
        assert time.monotonic() - started < 0.8


class FlakySession:
    """Stands in for the client's aiohttp session: the first calls raise the given errors (as
    aiohttp would, e.g. a connect timeout that loopback cannot produce), the rest go through."""

    def __init__(self, real: aiohttp.ClientSession, errors: list[BaseException]) -> None:
        self.real = real
        self.errors = errors

    def request(self, *args: Any, **kwargs: Any) -> Any:
        if self.errors:
            raise self.errors.pop(0)
        return self.real.request(*args, **kwargs)


async def test_connect_timeouts_are_retried(
    server: FaultServer, client: StripeClient, sleeps: Sleeps, monkeypatch: pytest.MonkeyPatch
) -> None:
    flaky = FlakySession(
        client._requestor.session(),
        [aiohttp.ConnectionTimeoutError("connect timed out"), TimeoutError()],
    )
    monkeypatch.setattr(client._requestor, "session", lambda: flaky)
    events: list[RetryEvent] = []
    client._requestor.on_retry = events.append
    response = await post(client)
    assert response.status == 200
    # a connect timeout sent nothing (an outage, not a spent retry); a bare timeout may have
    assert [e.reason for e in events] == ["unreachable", "timeout"]
    assert client.stats.unreachable == 1
    assert_one_key(server)


@pytest.mark.parametrize(
    ("exc", "retried"),
    [
        (aiohttp.ServerDisconnectedError(), True),
        (aiohttp.ClientPayloadError("cut"), True),
        (aiohttp.ClientOSError(104, "Connection reset by peer"), True),
        (aiohttp.ServerTimeoutError("read"), True),
        (ConnectionResetError(104, "reset"), True),
        (aiohttp.InvalidURL("http://x:y"), False),
        (aiohttp.ServerFingerprintMismatch(b"a", b"b", "api.stripe.test", 443), False),
    ],
)
async def test_which_client_errors_are_retried(
    server: FaultServer,
    client: StripeClient,
    sleeps: Sleeps,
    monkeypatch: pytest.MonkeyPatch,
    exc: Exception,
    retried: bool,
) -> None:
    flaky = FlakySession(client._requestor.session(), [exc] * 3)
    monkeypatch.setattr(client._requestor, "session", lambda: flaky)
    with pytest.raises(APIConnectionError) as info:
        await get(client)
    assert info.value.should_retry is retried
    assert client.stats.retries == (2 if retried else 0)
    assert isinstance(info.value.__cause__, type(exc))
    flaky.errors = [exc]
    if retried:
        assert (await get(client)).status == 200


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
    await server.received.wait()
    await asyncio.sleep(0.05)  # the 429 is in: now the client is paused
    started = time.monotonic()
    await get(client)  # a call of its own, started during the pause
    assert time.monotonic() - started >= 0.2
    await first
    assert client.stats.rate_limit_waits == 1
    assert sorted(round(d, 1) for d in sleeps.delays) == [0.2, 0.3]


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


# --- logging -----------------------------------------------------------------------------------


async def test_logs_every_attempt_without_key_or_body(
    server: FaultServer, client: StripeClient, sleeps: Sleeps, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="aiostripe")
    server.script.extend(
        [status(503), drop(commit=True), status(400)]  # retry, retry, then a final error
        + [status(429, error_code="rate_limit")] * 3  # give up
    )
    with pytest.raises(InvalidRequestError):
        await post(client)
    with pytest.raises(RateLimitError):
        await post(client, api_key="sk_live_AnotherSecretKeyForThisCall99")
    await get(client)
    records = [r for r in caplog.records if r.name == "aiostripe"]
    text = "\n".join(r.getMessage() for r in records)
    for secret in (API_KEY, "sk_test_", "sk_live_", "jenny", "example.com", "Bearer"):
        assert secret not in text
        assert all(secret not in repr(r.args) for r in records)
    levels = [(r.levelno, r.getMessage()) for r in records]
    assert sum(1 for lvl, _ in levels if lvl == logging.INFO) == 4  # 4 retries scheduled
    assert sum(1 for lvl, _ in levels if lvl == logging.WARNING) == 1  # gave up once
    assert any(lvl == logging.DEBUG and "-> 200" in m for lvl, m in levels)
    retry_line = next(m for lvl, m in levels if lvl == logging.INFO)
    assert retry_line.startswith("POST /v1/customers -> 503 (attempt 1, request id req_1)")
    assert "retrying in" in retry_line


async def test_metrics_callbacks_and_stats(
    server: FaultServer, sleeps: Sleeps
) -> None:
    events: list[RetryEvent] = []

    def broken(event: object) -> None:
        raise RuntimeError("a metrics backend that is down")

    async with StripeClient(API_KEY, base_url=server.url, on_retry=events.append) as client:
        server.script.extend([status(429, error_code="rate_limit"), drop()])
        await post(client)
        client._requestor.on_retry = broken  # a failing callback never fails the call
        server.script.append(status(500))
        await get(client)
    assert [(e.method, e.path, e.attempt, e.status, e.reason) for e in events] == [
        ("POST", "/v1/customers", 1, 429, "rate_limit"),
        ("POST", "/v1/customers", 2, None, "connection"),
    ]
    assert isinstance(events[0].error, RateLimitError)
    assert events[0].request_id == "req_1"
    assert [e.delay for e in events] == sleeps.delays[:2]
    assert client.stats.requests == 2
    assert client.stats.retries == 3
    assert client.stats.rate_limited == 1
    assert client.stats.gave_up == 0


async def test_multipart_upload_is_resent_whole(
    server: FaultServer, client: StripeClient, sleeps: Sleeps
) -> None:
    import io

    server.script.extend([drop(), truncate()])
    payload = b"%PDF-1.4 evidence " * 100
    response = await client._requestor.request(
        "post",
        "/v1/files",
        {"file": io.BytesIO(payload), "purpose": "dispute_evidence"},
        multipart=True,
    )
    assert response.status == 200
    assert len(server.attempts) == 3
    assert all(payload in a.body for a in server.attempts)
    assert all(b"dispute_evidence" in a.body for a in server.attempts)
    assert_one_key(server)
