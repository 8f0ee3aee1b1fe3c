"""Parallel listing by time window (`parallel_iter`, `parallel_list`, `split_windows`) against the
local list server: every object exactly once, windows from the `created` filter, breaking and
resuming, and an error in one window stopping all of them.
"""

from __future__ import annotations

import itertools

import pytest

import aiostripe
from aiostripe._client import StripeClient
from aiostripe._pagination import parallel_list, split_windows
from tests.list_server import FA, T0, ListServer, other_tasks, server, settle, stripe

__all__ = ["server", "stripe"]  # the fixtures

# --- parallel listing ---------------------------------------------------------------------------


def test_split_windows() -> None:
    assert split_windows(0, 10, 3) == [(0, 3), (3, 6), (6, 10)]
    assert split_windows(0, 2, 8) == [(0, 1), (1, 2)]
    assert split_windows(5, 5, 4) == []
    for gte, lt, n in [(T0, T0 + 86_400 * 365, 8), (3, 1000, 7), (0, 1, 1)]:
        wins = split_windows(gte, lt, n)
        assert wins[0][0] == gte and wins[-1][1] == lt
        assert all(a < b for a, b in wins)
        assert all(w[1] == nxt[0] for w, nxt in itertools.pairwise(wins))


async def test_parallel_every_object_exactly_once(server: ListServer, stripe: StripeClient) -> None:
    # 3 objects a second over 1000 seconds: every window boundary has objects on it
    objs = server.seed_transactions(3000, per_second=3)
    server.delay = 0.01
    req = stripe.treasury.transactions.list(financial_account=FA)
    gte, lt = T0 + 100, T0 + 900  # objects on both ends, outside too
    it = req.parallel_iter(created_gte=gte, created_lt=lt, windows=8, concurrency=3)
    assert it.windows == [(T0 + 100 + 100 * i, T0 + 200 + 100 * i) for i in range(8)]
    got = [tx async for tx in it]
    expected = {o["id"] for o in objs if gte <= o["created"] < lt}
    assert len(got) == len(expected) == 2400
    assert {tx.id for tx in got} == expected  # no duplicates (len), no gaps
    by_window: dict[tuple[int, int], list[str]] = {}
    for _, p in server.log:
        w = (int(p["created"]["gte"]), int(p["created"]["lt"]))
        by_window.setdefault(w, [])
    assert sorted(by_window) == it.windows
    # within a window objects keep the list's order
    order = {o["id"]: i for i, o in enumerate(objs)}
    for a, b in it.windows:
        in_window = [tx.id for tx in got if a <= tx.created < b]
        assert in_window == sorted(in_window, key=order.__getitem__)
        assert len([tx for tx in got if tx.created == a]) == 3  # boundary objects, once
    assert 1 < server.max_in_flight <= 3
    assert other_tasks() == []


async def test_parallel_range_from_the_created_filter(
    server: ListServer, stripe: StripeClient
) -> None:
    objs = server.seed_transactions(300, per_second=1)
    req = stripe.treasury.transactions.list(
        financial_account=FA, created={"gt": T0 + 9, "lte": T0 + 20}
    )
    it = parallel_list(req, windows=4, concurrency=2)
    assert it.windows == [
        (T0 + 10, T0 + 12),
        (T0 + 12, T0 + 15),
        (T0 + 15, T0 + 18),
        (T0 + 18, T0 + 21),
    ]
    got = {tx.id async for tx in it}
    assert got == {o["id"] for o in objs if T0 + 10 <= o["created"] <= T0 + 20}
    with pytest.raises(ValueError, match="time range"):
        stripe.treasury.transactions.list(financial_account=FA).parallel_iter()


async def test_parallel_break_and_resume(server: ListServer, stripe: StripeClient) -> None:
    objs = server.seed_transactions(2000, per_second=2)
    req = stripe.treasury.transactions.list(financial_account=FA, limit=20)
    gte, lt = T0, T0 + 1000
    seen: list[str] = []
    cursor: str | None = None
    rounds = 0
    while True:
        rounds += 1
        it = req.parallel_iter(
            created_gte=gte, created_lt=lt, windows=5, concurrency=3, resume_from=cursor
        )
        n = 0
        finished = True
        async with it:
            async for tx in it:
                seen.append(tx.id)
                cursor = it.cursor
                n += 1
                if n == 333:
                    await settle()
                    # the page in hand plus one page per window worker, at most
                    assert it.buffered <= 3
                    finished = False
                    break
        await settle()
        assert other_tasks() == []
        if finished:
            break
    assert rounds == 7
    assert len(seen) == len(set(seen)) == 2000
    assert set(seen) == {o["id"] for o in objs}


async def test_parallel_error_stops_every_window(server: ListServer, stripe: StripeClient) -> None:
    server.seed_transactions(3000)
    server.faults[5] = 400
    req = stripe.treasury.transactions.list(financial_account=FA)
    with pytest.raises(aiostripe.InvalidRequestError):
        async for _tx in req.parallel_iter(created_gte=T0, created_lt=T0 + 1000, concurrency=4):
            pass
    await settle()
    assert other_tasks() == []
