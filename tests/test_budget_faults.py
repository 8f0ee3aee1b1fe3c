"""Redis faults never hang or break a call, a cancel is never lost in a Redis round trip, and
Redis passwords never show.

A tiny RESP server on 127.0.0.1 answers the budget script (`EVALSHA`) with replies the script
never returns (NaN, inf, negative, wrong types, short, nil): each call goes through paced by the
local bucket, with one warning, as when Redis is down. A real redis-server whose pause key is
poisoned (`inf`, no TTL) holds calls no longer than the client's `max_retry_after`."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from pathlib import Path
from typing import Any, Self

import pytest
import redis.asyncio as aioredis

from aiostripe import APIConnectionError
from aiostripe._client import StripeClient
from aiostripe._ratelimit import RateLimit
from aiostripe._retry import RetryPolicy
from aiostripe._shared_budget import SharedBudget, account_key, redact_url
from aiostripe.cli.budget import rate_limit as cli_rate_limit
from aiostripe.cli.queue import Queue
from aiostripe.cli.worker import redis_client
from tests.fault_server import API_KEY, FaultServer, get


def _encode(value: Any) -> bytes:
    if value is None:
        return b"$-1\r\n"
    if isinstance(value, int):
        return b":%d\r\n" % value
    if isinstance(value, str):
        value = value.encode()
    if isinstance(value, bytes):
        return b"$%d\r\n%s\r\n" % (len(value), value)
    if isinstance(value, list):
        return b"*%d\r\n" % len(value) + b"".join(_encode(v) for v in value)
    raise TypeError(value)


class FakeRedis:
    """Speaks just enough RESP for redis-py: `EVALSHA`/`EVAL` get `reply`, the rest `+OK`."""

    def __init__(self, reply: Any) -> None:
        self.reply = reply
        self.evals = 0
        self.server: asyncio.Server | None = None
        self.tasks: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> Self:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.server.wait_closed()

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"redis://:s3cr@t-pw@127.0.0.1:{self.server.sockets[0].getsockname()[1]}/0"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.tasks.add(task)
        try:
            while True:
                header = await reader.readline()
                if not header:
                    return
                words = []
                for _ in range(int(header[1:])):
                    size = int((await reader.readline())[1:])
                    words.append((await reader.readexactly(size + 2))[:-2])
                command = words[0].upper()
                if command in (b"EVALSHA", b"EVAL"):
                    self.evals += 1
                    writer.write(_encode(self.reply))
                elif command == b"HELLO":  # as Redis 5 does: redis-py falls back to RESP2
                    writer.write(b"-ERR unknown command 'HELLO'\r\n")
                elif command == b"SCRIPT":
                    writer.write(_encode("0" * 40))
                else:
                    writer.write(b"+OK\r\n")
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, ValueError, asyncio.CancelledError):
            pass
        finally:
            writer.close()
            self.tasks.discard(task)


POISON = [
    [1, "nan", 0],
    [1, "inf", 0],
    [1, "-5", 0],
    [1, "-inf", 1],
    [1, "soon", 0],
    [1, 7, 0],
    [1, "0.1"],
    [],
    None,
    "0.1",
    [b"x", "0.1", 0],
    [1, "0.1", 0, 9],
    [1, ["0.1"], 0],
]


@pytest.mark.parametrize("reply", POISON, ids=repr)
async def test_a_poisoned_budget_reply_falls_back_to_the_local_bucket(
    server: FaultServer, reply: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="aiostripe")
    async with FakeRedis(reply) as fake:
        limit = RateLimit(50, burst=1, redis=fake.url)
        async with StripeClient(API_KEY, base_url=server.url, rate_limit=limit) as client:
            started = time.monotonic()
            async with asyncio.timeout(5):
                await asyncio.gather(*(get(client, timeout=2) for _ in range(5)))
            elapsed = time.monotonic() - started
        assert fake.evals >= 1
    assert len(server.attempts) == 5
    assert elapsed >= 4 / 50 * 0.9  # paced by the local bucket
    warnings = [r.getMessage() for r in caplog.records if r.name == "aiostripe"]
    assert len(warnings) == 1, warnings
    assert "answers nonsense" in warnings[0] and "50 requests/s" in warnings[0]
    assert "s3cr" not in warnings[0] and "t-pw" not in warnings[0]


async def test_a_shared_pause_is_cut_to_max_retry_after(server: FaultServer) -> None:
    async with FakeRedis([1, "1000000.0", 1]) as fake:  # "paused for 11 days"
        limit = RateLimit(50, redis=fake.url)
        policy = RetryPolicy(max_retry_after=0.3)
        async with StripeClient(API_KEY, base_url=server.url, rate_limit=limit,
                                retry_policy=policy) as client:
            started = time.monotonic()
            await get(client, timeout=2)
            assert 0.25 < time.monotonic() - started < 1.5
            assert client.stats.rate_limit_waits == 1


async def test_a_poisoned_pause_key_in_real_redis_holds_no_longer_than_max_retry_after(
    server: FaultServer, redis_url: str
) -> None:
    r = aioredis.Redis.from_url(redis_url)
    async with r:
        await r.set(f"{account_key(API_KEY, None)}:pause", "inf")  # no TTL
        limit = RateLimit(100, redis=redis_url)
        policy = RetryPolicy(max_retry_after=0.3)
        async with StripeClient(API_KEY, base_url=server.url, rate_limit=limit,
                                retry_policy=policy) as client:
            started = time.monotonic()
            await get(client, timeout=2)
            first = time.monotonic() - started
            await asyncio.sleep(0.35)
            started = time.monotonic()
            await get(client, timeout=2)
            second = time.monotonic() - started
        assert 0.25 < first < 1.5
        assert second < 0.2  # the poisoned key was replaced by one that expires
    # and with a pause longer than the call's own deadline, the call says so at once
    async with aioredis.Redis.from_url(redis_url) as r2:
        await r2.set(f"{account_key(API_KEY, None)}:pause", "nan")
    async with StripeClient(API_KEY, base_url=server.url, rate_limit=limit,
                            retry_policy=RetryPolicy(max_retry_after=30)) as client:
        with pytest.raises(APIConnectionError, match="past its deadline"):
            await get(client, timeout=1)


# --- cancellation ---------------------------------------------------------------------------


async def _lost_cancels(call: Any, rounds: int = 300) -> int:
    """How many of `rounds` cancels, landing at different points of a `call()` in flight, the
    call did not end with CancelledError (it returned as if never cancelled)."""
    await call()  # connected
    lost = 0
    for i in range(rounds):
        task = asyncio.create_task(call())
        for _ in range(i % 8):  # let it get this far: connection, send, reply
            await asyncio.sleep(0)
        if task.cancel():
            try:
                await task
            except asyncio.CancelledError:
                continue
            lost += 1
    return lost


async def test_a_cancel_during_a_budget_or_queue_round_trip_is_never_lost(redis_url: str) -> None:
    """redis-py sends each command through `asyncio.wait_for`, which on Python 3.11 loses a cancel
    that lands as the command completes (about half of them against a local Redis): the cancelled
    call went on as if nothing happened, and an export worker's slice waited forever (issue 25)."""
    budget = SharedBudget(RateLimit(1e6, burst=1000, redis=redis_url), account_key(API_KEY, None))
    queue = Queue(redis_client(redis_url, 2.0), 2.0)
    try:
        assert await _lost_cancels(lambda: budget.reserve("GET", "/v1/customers", 60.0)) == 0
        assert await _lost_cancels(queue.reap) == 0
    finally:
        await budget.close()
        await queue.redis.aclose()


# --- passwords --------------------------------------------------------------------------------

SECRET_URLS = [
    "redis://:pa@ss/w?rd#x@127.0.0.1:1/0",
    "redis://user:hunter2@@127.0.0.1:1/0",
    "redis://127.0.0.1:1/0?password=hunter2%40x&db=0",
    "rediss://default:p%2Fw@127.0.0.1:1/0",
    "unix://:hunter2@/tmp/nowhere.sock?db=0",
]
SECRETS = ["pa@ss", "ss/w", "rd#x", "hunter2", "p%2Fw", "p/w"]


def _no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, text


@pytest.mark.parametrize("url", SECRET_URLS)
def test_redis_passwords_never_show_in_reprs_or_errors(url: str) -> None:
    _no_secret(redact_url(url))
    _no_secret(repr(RateLimit(20, redis=url)))
    with pytest.raises(ValueError) as info:
        RateLimit(20, redis=url.replace("://", ":// "))  # malformed
    _no_secret(str(info.value))


@pytest.mark.parametrize("url", SECRET_URLS[:3])
async def test_redis_passwords_never_show_in_the_unreachable_warning(
    server: FaultServer, url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="aiostripe")
    async with StripeClient(API_KEY, base_url=server.url,
                            rate_limit=RateLimit(50, redis=url)) as client:
        await get(client)
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "unreachable" in text
    _no_secret(text)


def test_redis_passwords_never_show_in_cli_errors() -> None:
    import argparse

    from aiostripe.cli.usage import UsageError

    args = argparse.Namespace(rate_limit=5.0, redis="redis:/ /:hunter2@host")
    with pytest.raises(UsageError) as info:
        cli_rate_limit(args)
    _no_secret(str(info.value))


async def test_redis_passwords_never_show_in_export_and_worker_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_cli import _main_exit_code

    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_x")
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    for url in (f"redis://:pa@ss/w?rd#x@127.0.0.1:{port}/0",
                f"redis://127.0.0.1:{port}/0?password=hunter2%40x"):
        for argv in (["export", "charges", "--out", str(tmp_path / "x"), "--redis", url],
                     ["worker", "--redis", url]):
            code = await asyncio.to_thread(_main_exit_code, argv)
            err = capsys.readouterr().err
            assert code == 2 and "cannot use Redis" in err, err
            _no_secret(err)
