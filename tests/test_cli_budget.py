"""Batch runs that never die of rate limits (`--max-wait`, `auto_paging_iter(max_wait=)`) and the
CLI's budget options (`--rate-limit`, `--redis`, $AIOSTRIPE_REDIS_URL), end to end against the
local list server (`tests/list_server.py`) and a real redis-server."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from aiostripe import RateLimitError, _patience, _requestor
from aiostripe._client import StripeClient
from aiostripe._patience import Patience
from aiostripe._shared_budget import account_key
from aiostripe.testing import FakeStripe
from tests.list_server import ListServer, server
from tests.test_cli import _main_exit_code, one_line_error, read_lines, run, tx_args

__all__ = ["server"]  # the fixture


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits of the run-level patience, recorded instead of slept (and the client's
    backoffs not slept either)."""
    recorded: list[float] = []

    async def record(seconds: float) -> None:
        recorded.append(seconds)

    async def no_sleep(seconds: float) -> None:
        return None

    monkeypatch.setattr(_patience, "_sleep", record)
    monkeypatch.setattr(_requestor.loop, "_sleep", no_sleep)
    return recorded


def rate_limited(server: ListServer, first: int, count: int) -> None:
    """Requests first .. first + count - 1 answer 429 (more than one call's retries)."""
    for n in range(first, first + count):
        server.faults[n] = 429


def test_patience_backs_off_obeys_retry_after_and_runs_out() -> None:
    patience = Patience(10.0)
    plain = RateLimitError("slow down", http_status=429, headers={})
    first, second = patience.delay(plain), patience.delay(plain)
    assert first is not None and second is not None
    assert 0.5 <= first <= 1.0 and 1.0 <= second <= 2.0  # exponential, jittered
    asked = RateLimitError("slow down", http_status=429, headers={"Retry-After": "3"})
    assert patience.delay(asked) == pytest.approx(3.0, abs=0.01)
    assert patience.delay(RateLimitError("x", headers={"Retry-After": "60"})) == pytest.approx(
        patience.max_wait - (first + second + 3.0), abs=0.02
    )  # capped by what is left
    assert patience.delay(plain) is None
    with pytest.raises(ValueError):
        Patience(-1.0)


async def test_auto_paging_waits_out_a_rate_limited_stretch(
    server: ListServer, waits: list[float]
) -> None:
    objs = server.seed_transactions(450)
    rate_limited(server, 3, 5)  # page 3: two calls' worth of 429s
    async with StripeClient("sk_test_x", base_url=server.url) as client:
        request = client.treasury.transactions.list(financial_account="fa_1")
        with pytest.raises(RateLimitError):  # without max_wait: the client's retries only
            await request.to_list(max_items=None)
        server.log.clear()
        rate_limited(server, 3, 5)
        got = [tx.id async for tx in request.auto_paging_iter(max_wait=60)]
    assert got == [o["id"] for o in objs]  # every object once, in order
    assert len(waits) == 1  # 3 attempts failed, one wait, 2 more failed, then it went on
    # the page was asked again from the same position
    assert server.log[2][1] == server.log[5][1] and "starting_after" in server.log[5][1]


async def test_cli_list_survives_rate_limits(
    server: ListServer, tmp_path: Path, capsys: pytest.CaptureFixture[str], waits: list[float]
) -> None:
    objs = server.seed_transactions(1234)
    rate_limited(server, 4, 8)
    out = tmp_path / "tx.jsonl"
    code, _, err = await run(capsys, *tx_args(server, out))
    assert code == 0, err
    assert read_lines(out) == objs
    assert len(waits) == 2


async def test_cli_gives_up_after_max_wait_and_resumes(
    server: ListServer, tmp_path: Path, capsys: pytest.CaptureFixture[str], waits: list[float]
) -> None:
    objs = server.seed_transactions(1234)
    rate_limited(server, 4, 30)
    out = tmp_path / "tx.jsonl"
    code, _, err = await run(capsys, *tx_args(server, out, "--max-wait", "2"))
    assert code == 1
    one_line_error(err, "RateLimitError", "--resume")
    assert sum(waits) == pytest.approx(2.0)
    state = json.loads((tmp_path / "tx.jsonl.cursor").read_text())
    assert state["cursor"] == objs[299]["id"] and read_lines(out) == objs[:300]
    server.faults.clear()
    code, _, err = await run(capsys, *tx_args(server, out, "--resume"))
    assert code == 0, err
    assert read_lines(out) == objs


@pytest.mark.parametrize(
    ("argv", "needles"),
    [
        (["--redis", "redis://localhost"], ["--redis needs --rate-limit"]),
        (["--rate-limit", "0"], ["--rate-limit", "> 0"]),
        (["--rate-limit", "x"], ["--rate-limit", "requests per second"]),
        (["--rate-limit", "5", "--redis", "localhost:6379"], ["--redis", "expected a URL"]),
        (["--max-wait", "-1"], ["--max-wait", "seconds >= 0"]),
    ],
)
async def test_cli_budget_options_are_checked(
    server: ListServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    needles: list[str],
) -> None:
    argv = tx_args(server, tmp_path / "o.jsonl", *argv)
    code = await asyncio.to_thread(_main_exit_code, argv)
    _, err = capsys.readouterr()
    assert code == 2
    one_line_error(err, *needles)
    assert not server.log


async def test_cli_shares_the_budget_in_redis(
    server: ListServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    redis_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    objs = server.seed_transactions(250)
    monkeypatch.setenv("AIOSTRIPE_REDIS_URL", redis_url)
    out = tmp_path / "tx.jsonl"
    code, _, err = await run(capsys, *tx_args(server, out, "--rate-limit", "50"))
    assert code == 0, err
    assert read_lines(out) == objs
    r = aioredis.Redis.from_url(redis_url)
    async with r:
        assert await r.exists(f"{account_key('sk_test_cli', None)}:all") == 1


async def test_lock_timeouts_are_waited_out_too(waits: list[float]) -> None:
    async with FakeStripe() as fake:
        ids = fake.seed("treasury.transaction", 250, financial_account="fa_1")
        fake.faults.lock_timeout(5, path="/v1/treasury/transactions")  # > one call's 3 attempts
        async with fake.client() as client:
            request = client.treasury.transactions.list(financial_account="fa_1")
            got = [tx.id async for tx in request.auto_paging_iter(max_wait=60)]
    assert sorted(got) == sorted(ids)
    assert len(waits) == 1
    assert sum(1 for r in fake.requests if r.status == 429) == 5
