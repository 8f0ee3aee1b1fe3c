"""Auto-pagination against the local list server (`tests/list_server.py`) holding thousands of
objects: walking every object forward, backward and through searches, pages and their cursors, the
`to_list`/`first` helpers and caps, resuming from a cursor, bad arguments, and the same walks
against the fake Stripe of `aiostripe.testing`.

Read-ahead and stopping early: `test_pagination_read_ahead.py`; parallel listing by time window:
`test_pagination_parallel.py`.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from typing import Any

import pytest

import aiostripe
from aiostripe._client import StripeClient
from aiostripe._pagination import ItemIterator, ListPage, ListRequest, SearchPage
from tests.list_server import (
    FA,
    FIXTURES,
    T0,
    TX_PATH,
    ListServer,
    ids,
    other_tasks,
    server,
    settle,
    stripe,
)

__all__ = ["server", "stripe"]  # the fixtures

# --- walking every object --------------------------------------------------------------------


async def test_forward_every_object_once_in_order(server: ListServer, stripe: StripeClient) -> None:
    expected = ids(server.seed_transactions(2550))
    req = stripe.treasury.transactions.list(financial_account=FA)
    assert isinstance(req, ListRequest)
    got = [tx.id async for tx in req.auto_paging_iter()]
    assert got == expected
    assert server.count == 26
    assert server.limits() == [100] * 26
    assert [p.get("starting_after") for _, p in server.log] == [None] + expected[99:2500:100]
    assert all(p["financial_account"] == FA for _, p in server.log)
    assert other_tasks() == []


async def test_objects_are_typed_models(server: ListServer, stripe: StripeClient) -> None:
    server.seed_transactions(5)
    from aiostripe._generated.models.treasury_transaction import TreasuryTransaction

    async for tx in stripe.treasury.transactions.list(financial_account=FA):  # __aiter__
        assert isinstance(tx, TreasuryTransaction)
        assert tx.financial_account == FA
    assert server.count == 1


async def test_caller_limit_is_the_page_size(server: ListServer, stripe: StripeClient) -> None:
    expected = ids(server.seed_transactions(95))
    got = ids(
        await stripe.treasury.transactions.list(financial_account=FA, limit=7).to_list(
            max_items=None
        )
    )
    assert got == expected
    assert server.limits() == [7] * 14


async def test_backward_with_ending_before(server: ListServer, stripe: StripeClient) -> None:
    objs = server.seed_transactions(1234)
    oldest = objs[-1]["id"]
    req = stripe.treasury.transactions.list(financial_account=FA, ending_before=oldest)
    got = [tx.id async for tx in req.auto_paging_iter()]
    assert got == list(reversed(ids(objs[:-1])))  # oldest first, like stripe-python
    assert server.count == 13
    assert [p["ending_before"] for _, p in server.log][:3] == [
        oldest,
        objs[-101]["id"],
        objs[-201]["id"],
    ]
    assert all("starting_after" not in p for _, p in server.log)


async def test_forward_from_a_starting_point(server: ListServer, stripe: StripeClient) -> None:
    objs = server.seed_transactions(300)
    start = objs[149]["id"]
    req = stripe.treasury.transactions.list(financial_account=FA, starting_after=start)
    assert ids(await req.to_list(max_items=None)) == ids(objs[150:])


async def test_search_every_result_once(server: ListServer, stripe: StripeClient) -> None:
    expected = ids(server.seed_customers(1234))
    req = stripe.customers.search(query="email:'x'")
    got = [c.id async for c in req.auto_paging_iter()]
    assert got == expected
    assert server.count == 13
    assert [p.get("page") for _, p in server.log] == [None] + [
        f"pg_{n}" for n in range(100, 1300, 100)
    ]
    assert all(p["query"] == "email:'x'" for _, p in server.log)


async def test_empty_list(server: ListServer, stripe: StripeClient) -> None:
    server.lists[TX_PATH] = []
    req = stripe.treasury.transactions.list(financial_account=FA)
    assert await req.to_list(max_items=None) == []
    pages = [p async for p in req.pages()]
    assert len(pages) == 1 and pages[0].data == []
    assert server.count == 2


async def test_errors_surface_at_the_page_that_failed(
    server: ListServer, stripe: StripeClient
) -> None:
    expected = ids(server.seed_transactions(500))
    server.faults[3] = 404
    got: list[str] = []
    it = stripe.treasury.transactions.list(financial_account=FA).auto_paging_iter()
    with pytest.raises(aiostripe.InvalidRequestError, match="injected failure #3"):
        async for tx in it:
            got.append(tx.id)
    assert got == expected[:200]  # every object of the pages before it
    assert it.cursor == expected[199]
    await settle()
    assert server.count == 3
    assert other_tasks() == []


# --- pages -----------------------------------------------------------------------------------


async def test_await_gives_the_first_page(server: ListServer, stripe: StripeClient) -> None:
    expected = ids(server.seed_transactions(250))
    page = await stripe.treasury.transactions.list(financial_account=FA)
    assert isinstance(page, aiostripe.ListObject)
    assert isinstance(page, ListPage)
    assert repr(page).startswith("ListObject(")
    assert ids(page) == expected[:10] and page.has_more
    assert "limit" not in server.log[0][1]  # `await` sends the call as given
    assert page.last_response is not None and page.last_response.status == 200
    assert page.to_dict()["data"][0]["id"] == expected[0]


async def test_page_continues_with_auto_paging_iter(
    server: ListServer, stripe: StripeClient
) -> None:
    expected = ids(server.seed_transactions(250))
    page = await stripe.treasury.transactions.list(financial_account=FA, limit=20)
    got = [tx.id async for tx in page.auto_paging_iter()]
    assert got == expected
    assert server.limits() == [20] * 13  # the caller's limit stays
    assert len(page.data) == 20  # the page itself is left alone

    server.log.clear()
    page = await stripe.treasury.transactions.list(financial_account=FA)
    got = [tx.id async for tx in page.auto_paging_iter()]
    assert got == expected
    assert server.limits() == [10, 100, 100, 100]  # no caller limit: 100 after the first page


async def test_backward_page_continues_backward(server: ListServer, stripe: StripeClient) -> None:
    objs = server.seed_transactions(120)
    page = await stripe.treasury.transactions.list(
        financial_account=FA, ending_before=objs[-1]["id"], limit=50
    )
    got = [tx.id async for tx in page.auto_paging_iter()]
    assert got == list(reversed(ids(objs[:-1])))


async def test_search_page_continues(server: ListServer, stripe: StripeClient) -> None:
    expected = ids(server.seed_customers(333))
    page = await stripe.customers.search(query="q", limit=30)
    assert isinstance(page, SearchPage) and isinstance(page, aiostripe.SearchResult)
    assert [c.id async for c in page.auto_paging_iter()] == expected
    pages = [p async for p in page.pages()]
    assert [len(p.data) for p in pages] == [30] * 11 + [3]


async def test_pages_and_their_cursor(server: ListServer, stripe: StripeClient) -> None:
    expected = ids(server.seed_transactions(1050))
    req = stripe.treasury.transactions.list(financial_account=FA)
    seen: list[str] = []
    cursors = []
    async with req.pages() as pages:
        async for page in pages:
            assert isinstance(page, ListPage)
            seen.extend(ids(page))
            cursors.append(pages.cursor)
    assert seen == expected
    assert cursors == [expected[i] for i in range(99, 1050, 100)] + [expected[-1]]
    # resuming from a page cursor gives the pages after it
    server.log.clear()
    rest = [o async for p in req.pages(resume_from=cursors[4]) for o in ids(p)]
    assert rest == expected[500:]


# --- helpers ----------------------------------------------------------------------------------


async def test_to_list_needs_a_cap(server: ListServer, stripe: StripeClient) -> None:
    expected = ids(server.seed_transactions(400))
    req = stripe.treasury.transactions.list(financial_account=FA)
    with pytest.raises(TypeError):
        await req.to_list()  # type: ignore[call-arg]
    assert server.count == 0
    assert ids(await req.to_list(max_items=250)) == expected[:250]
    assert server.limits() == [100, 100, 50]
    server.log.clear()
    assert ids(await req.to_list(max_items=None)) == expected
    assert server.count == 4
    assert await req.to_list(max_items=0) == []
    with pytest.raises(ValueError, match="max_items"):
        await req.to_list(max_items=-1)


async def test_first(server: ListServer, stripe: StripeClient) -> None:
    expected = ids(server.seed_transactions(400))
    req = stripe.treasury.transactions.list(financial_account=FA)
    assert ids(await req.first(3)) == expected[:3]
    assert server.limits() == [3]
    assert ids(await req.first()) == expected[:1]
    server.log.clear()
    assert ids(await req.first(150)) == expected[:150]
    assert server.limits() == [100, 50]
    assert ids(await stripe.customers.search(query="q").first(2)) == []


async def test_max_pages_and_max_items(server: ListServer, stripe: StripeClient) -> None:
    expected = ids(server.seed_transactions(1000))
    req = stripe.treasury.transactions.list(financial_account=FA)
    got = [tx.id async for tx in req.auto_paging_iter(max_pages=3, prefetch=4)]
    assert got == expected[:300]
    await settle()
    assert server.count == 3
    server.log.clear()
    it = req.auto_paging_iter(max_items=123, prefetch=4)
    assert ids([tx async for tx in it]) == expected[:123]
    assert it.count == 123
    await settle()
    assert server.limits() == [100, 23]


# --- resuming ---------------------------------------------------------------------------------


async def test_resume_after_injected_crash(server: ListServer, stripe: StripeClient) -> None:
    expected = ids(server.seed_transactions(1000))
    server.faults[4] = 500
    req = stripe.treasury.transactions.list(financial_account=FA)
    done: list[str] = []
    cursor = None
    with pytest.raises(aiostripe.APIError):
        async with req.auto_paging_iter() as it:
            async for tx in it:
                done.append(tx.id)
                cursor = it.cursor  # saved after each object is handled
    assert cursor == done[-1] == expected[299]
    rest = [tx.id async for tx in req.auto_paging_iter(resume_from=cursor)]
    assert done + rest == expected
    # a plain starting_after does the same
    again = stripe.treasury.transactions.list(financial_account=FA, starting_after=cursor)
    assert ids(await again.to_list(max_items=None)) == expected[300:]


@pytest.mark.parametrize("direction", ["forward", "backward", "search"])
async def test_resume_anywhere_no_gap_no_repeat(
    server: ListServer, stripe: StripeClient, direction: str
) -> None:
    tx = server.seed_transactions(777)
    cus = server.seed_customers(777)
    req: Any
    if direction == "forward":
        req, expected = stripe.treasury.transactions.list(financial_account=FA, limit=25), ids(tx)
    elif direction == "backward":
        req = stripe.treasury.transactions.list(
            financial_account=FA, limit=25, ending_before=tx[-1]["id"]
        )
        expected = list(reversed(ids(tx[:-1])))
    else:
        req, expected = stripe.customers.search(query="q", limit=25), ids(cus)
    rng = random.Random(7)
    got: list[str] = []
    cursor: str | None = None
    crashes = 0
    while True:
        stop_after = rng.choice([1, 3, 24, 25, 26, 49, 50, 51, 77])  # around page boundaries
        async with req.auto_paging_iter(resume_from=cursor, prefetch=rng.choice([0, 1, 2])) as it:
            n = 0
            finished = True
            async for obj in it:
                got.append(obj.id)
                cursor = it.cursor
                n += 1
                if n == stop_after:
                    finished = False
                    break  # "crash"
        if finished:
            break
        crashes += 1
    assert crashes > 10
    assert got == expected


async def test_search_cursor_format(server: ListServer, stripe: StripeClient) -> None:
    expected = ids(server.seed_customers(25))
    req = stripe.customers.search(query="q", limit=10)
    cursors = []
    async for _c in (it := req.auto_paging_iter()):
        cursors.append(it.cursor)
    assert cursors[:3] == ["1:", "2:", "3:"]
    assert cursors[9] == "0:pg_10"  # the end of a page points at the next one
    assert cursors[10] == "1:pg_10"
    assert cursors[-1] == "5:pg_20"
    server.log.clear()
    assert [c.id async for c in req.auto_paging_iter(resume_from="5:pg_20")] == []
    assert server.count == 1
    assert [c.id async for c in req.auto_paging_iter(resume_from="3:pg_20")] == expected[23:]
    with pytest.raises(ValueError, match="search cursor"):
        req.auto_paging_iter(resume_from="cus_123")


async def test_lists_that_do_not_page(server: ListServer, stripe: StripeClient) -> None:
    objs = server.seed(
        "/v1/accounts/acct_1/capabilities",
        [{**FIXTURES["capability"], "id": f"cap_{i}", "created": T0} for i in range(3)],
    )
    req = stripe.accounts.capabilities.list("acct_1")
    assert ids(await req.to_list(max_items=None)) == ids(objs)
    assert server.log[0][1] == {}  # no limit: this operation takes none


async def test_bad_arguments(server: ListServer, stripe: StripeClient) -> None:
    req = stripe.treasury.transactions.list(financial_account=FA)
    with pytest.raises(ValueError, match="prefetch"):
        req.auto_paging_iter(prefetch=-1)
    with pytest.raises(ValueError, match="windows"):
        req.parallel_iter(created_gte=1, created_lt=2, windows=0)
    with pytest.raises(ValueError, match="starting_after"):
        stripe.treasury.transactions.list(financial_account=FA, starting_after="x").parallel_iter(
            created_gte=1, created_lt=5
        )
    with pytest.raises(ValueError, match="resume_from"):
        req.parallel_iter(resume_from="nope")
    assert server.count == 0
    it: ItemIterator[Any] = req.auto_paging_iter()
    del it


# --- against the fake Stripe of aiostripe.testing -------------------------------------------------


async def test_with_the_fake_stripe() -> None:
    testing = pytest.importorskip("aiostripe.testing")
    async with testing.FakeStripe() as fake:
        seeded = fake.seed("treasury.transaction", 2500, financial_account="fa_1")
        fake.seed("treasury.transaction", 40, financial_account="fa_2")
        customers = fake.seed("customer", 250, email="jo@example.com")
        newest_first = seeded[::-1]
        async with fake.client() as stripe:
            req = stripe.treasury.transactions.list(financial_account="fa_1")
            assert [tx.id async for tx in req.auto_paging_iter()] == newest_first
            assert len(fake.requests) == 25
            back = stripe.treasury.transactions.list(
                financial_account="fa_1", ending_before=seeded[0]
            )
            assert [tx.id async for tx in back.auto_paging_iter()] == seeded[1:]
            # stop early, resume from the cursor
            async with req.auto_paging_iter() as it:
                head = [tx.id async for tx in _take(it, 1234)]
                cursor = it.cursor
            rest = [tx.id async for tx in req.auto_paging_iter(resume_from=cursor)]
            assert head + rest == newest_first
            search = stripe.customers.search(query="email:'jo@example.com'", limit=30)
            assert [c.id async for c in search.auto_paging_iter()] == customers[::-1]
            windows = req.parallel_iter(created_gte=0, created_lt=2**31, windows=8)
            assert sorted([tx.id async for tx in windows]) == sorted(seeded)


async def _take(it: AsyncIterator[Any], n: int) -> AsyncIterator[Any]:
    async for obj in it:
        yield obj
        n -= 1
        if n == 0:
            return
