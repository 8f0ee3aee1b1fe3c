"""Retries and idempotency of the request loop, over real HTTP on loopback against `FaultServer`
(`tests/fault_server.py`), a small aiohttp server that injects faults on cue: which faults are
retried and which fail at once with their specific error, idempotency keys, retry budgets, the
timeout of one attempt, which aiohttp errors are retried, and the logging and metrics of retries.

`FaultServer` plays a Stripe that keeps its promise on idempotency keys: a POST that succeeds (or
that is committed before its response is lost) creates one object per key, and a POST repeating a
key gets the same object back (`Idempotent-Replayed: true`). Every test that sends a POST checks
that the server saw one key on every attempt and created at most one object.

Backoff, Retry-After and deadlines: `test_retries_backoff.py`; the fast path, many calls at once
and cancellation: `test_retries_concurrency.py`.
"""

from __future__ import annotations

import logging
import time

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
)
from aiostripe._client import StripeClient
from aiostripe._retry import RetryEvent, RetryPolicy
from tests.fault_server import (
    API_KEY,
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
from tests.retry_helpers import FlakySession, Sleeps, client, sleeps

__all__ = ["client", "sleeps"]  # the fixtures


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
