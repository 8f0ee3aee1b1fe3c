"""Auto-pagination read-ahead and stopping early, against the local list server: `break`,
`aclose` and `async with` cancel the read-ahead and leave no task behind, nothing is fetched before
iteration starts, the read-ahead stays within `prefetch` pages while overlapping a slow consumer, and
objects already yielded are not kept in memory.
"""

from __future__ import annotations

import asyncio
import gc
import weakref
from typing import Any

import pytest

from aiostripe._client import StripeClient
from tests.list_server import FA, ListServer, ids, other_tasks, server, settle, stripe

__all__ = ["server", "stripe"]  # the fixtures

# --- stopping early and read-ahead -------------------------------------------------------------


async def test_break_cancels_read_ahead(server: ListServer, stripe: StripeClient) -> None:
    server.seed_transactions(1000)
    req = stripe.treasury.transactions.list(financial_account=FA, limit=10)
    n = 0
    async for _tx in req.auto_paging_iter(prefetch=1):
        n += 1
        if n == 15:  # half-way into page 2: page 3 is the read-ahead
            await server.wait_for_requests(3)
            break
    await settle()
    assert server.count == 3
    assert other_tasks() == []


async def test_break_while_read_ahead_in_flight(server: ListServer, stripe: StripeClient) -> None:
    server.seed_transactions(1000)
    req = stripe.treasury.transactions.list(financial_account=FA, limit=10)
    n = 0
    async for _tx in req.auto_paging_iter(prefetch=1):
        n += 1
        if n == 1:
            server.gate = asyncio.Event()  # page 2 is held by the server
            await server.wait_for_requests(2)
            assert server.in_flight == 1
            break
    await settle()
    assert server.count == 2
    assert other_tasks() == []  # the request in flight was cancelled with its task
    server.gate.set()
    await settle()
    assert server.count == 2


async def test_aclose_and_async_with(server: ListServer, stripe: StripeClient) -> None:
    server.seed_transactions(1000)
    req = stripe.treasury.transactions.list(financial_account=FA, limit=10)
    it = req.auto_paging_iter(prefetch=3)
    assert (await it.__anext__()).id
    await server.wait_for_requests(4)
    await it.aclose()
    assert other_tasks() == []
    with pytest.raises(StopAsyncIteration):
        await it.__anext__()
    await it.aclose()  # twice is fine
    await settle()
    assert server.count == 4

    server.log.clear()
    async with req.auto_paging_iter(prefetch=2) as it2:
        async for _tx in it2:
            await server.wait_for_requests(3)
            break
    assert other_tasks() == []
    await settle()
    assert server.count == 3


async def test_nothing_is_fetched_before_iteration(
    server: ListServer, stripe: StripeClient
) -> None:
    server.seed_transactions(10)
    req = stripe.treasury.transactions.list(financial_account=FA)
    it = req.auto_paging_iter()
    pages = req.pages()
    await settle()
    assert server.count == 0
    del it, pages
    gc.collect()
    await settle()
    assert other_tasks() == []


@pytest.mark.parametrize("prefetch", [0, 1, 3])
async def test_read_ahead_is_bounded(
    server: ListServer, stripe: StripeClient, prefetch: int
) -> None:
    expected = ids(server.seed_transactions(300))
    req = stripe.treasury.transactions.list(financial_account=FA, limit=10)
    got: list[str] = []
    async with req.auto_paging_iter(prefetch=prefetch) as it:
        async for tx in it:
            got.append(tx.id)
            if len(got) % 10 == 1:  # first object of a page: let the read-ahead run its course
                page = it.pages_seen
                await server.wait_for_requests(min(30, page + prefetch))
                await asyncio.sleep(0.005)
                # the page in hand plus `prefetch` pages ahead, never more
                assert server.count == min(30, page + prefetch)
                assert it.buffered == min(30, page + prefetch) - page
            assert server.max_in_flight == 1
    assert got == expected


async def test_read_ahead_overlaps_the_consumer(server: ListServer, stripe: StripeClient) -> None:
    server.seed_transactions(100)
    req = stripe.treasury.transactions.list(financial_account=FA, limit=10)
    async with req.auto_paging_iter() as it:
        await it.__anext__()
        # still on page 1, page 2 is already on its way
        await server.wait_for_requests(2)
        assert it.pages_seen == 1
        server.delay = 0.2  # a slow server: page 3 is fetched while the consumer works
        for _ in range(9):
            await it.__anext__()
        await server.wait_for_requests(2)
        await it.__anext__()  # the first object of page 2 was ready: page 3 now starts
        await server.wait_for_requests(3)
        assert server.in_flight == 1


async def test_slow_consumer_holds_bounded_pages(server: ListServer, stripe: StripeClient) -> None:
    server.seed_transactions(2000)
    req = stripe.treasury.transactions.list(financial_account=FA, limit=100)
    async with req.auto_paging_iter(prefetch=2) as it:
        await it.__anext__()
        await asyncio.sleep(0.1)  # a consumer that stalls
        assert server.count == 3
        assert it.buffered == 2


async def test_yielded_objects_are_not_retained(server: ListServer, stripe: StripeClient) -> None:
    # flat memory however long the list: the iterator drops each object as it yields it, and
    # holds at most the current page plus `prefetch` pages
    server.seed_transactions(20_000)
    req = stripe.treasury.transactions.list(financial_account=FA)
    refs: list[weakref.ref[Any]] = []
    n = 0
    async with req.auto_paging_iter(prefetch=2) as it:
        async for tx in it:
            refs.append(weakref.ref(tx))
            n += 1
            if n % 1000 == 0:
                del tx
                assert sum(1 for r in refs if r() is not None) == 0
                assert it.buffered <= 2
                refs.clear()
    assert n == 20_000
