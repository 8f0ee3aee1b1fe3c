"""Auto-pagination against a local list server holding thousands of objects.

`ListServer` (also used by `test_cli.py`) is a small aiohttp app on 127.0.0.1 that pages like
Stripe (`limit`, `starting_after`, `ending_before`, `created` ranges, search `page` tokens) and
is instrumented: every request is logged, requests in flight are counted, and a test can delay,
hold (gate) or fail chosen requests.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import json
import random
import re
import weakref
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

import aiostripe
from aiostripe._client import StripeClient
from aiostripe._pagination import (
    ItemIterator,
    ListPage,
    ListRequest,
    SearchPage,
    parallel_list,
    split_windows,
)

FIXTURES: dict[str, dict[str, Any]] = json.loads(
    (Path(aiostripe.__file__).parent / "_generated" / "fixtures.json").read_text()
)
T0 = 1_700_000_000
FA = "fa_1"
TX_PATH = "/v1/treasury/transactions"
CUS_PATH = "/v1/customers"

_BRACKET = re.compile(r"^(\w+)\[(\w*)\]$")


def parse_query(items: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Form-encoded query -> nested params (`created[gte]=1` -> {'created': {'gte': '1'}})."""
    out: dict[str, Any] = {}
    for key, value in items:
        m = _BRACKET.match(key)
        if m:
            outer, inner = m.groups()
            if inner and not inner.isdigit():
                out.setdefault(outer, {})[inner] = value
            else:
                out.setdefault(outer, []).append(value)
        else:
            out[key] = value
    return out


def make_objects(
    kind: str, n: int, *, prefix: str, start: int = T0, per_second: int = 3, **fields: Any
) -> list[dict[str, Any]]:
    """`n` objects of a fixture type, ids `<prefix>_0000000`..., created `start + i // per_second`,
    newest first (the order Stripe lists them in)."""
    template = FIXTURES[kind]
    objs = []
    for i in range(n):
        obj = dict(template)
        obj.update(fields)
        obj["id"] = f"{prefix}_{i:07d}"
        obj["created"] = start + i // per_second
        objs.append(obj)
    objs.reverse()
    return objs


class ListServer:
    """Stripe-like lists and searches on 127.0.0.1, instrumented."""

    def __init__(self) -> None:
        self.lists: dict[str, list[dict[str, Any]]] = {}
        self.log: list[tuple[str, dict[str, Any]]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.delay = 0.0
        self.gate: asyncio.Event | None = None  # when set to an unset Event, requests wait on it
        self.faults: dict[int, int] = {}  # request number (1-based) -> HTTP status to answer
        self.default_limit = 10
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._arrived = asyncio.Event()

    def seed(self, path: str, objs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        self.lists.setdefault(path, []).extend(objs)
        self.lists[path].sort(key=lambda o: (o["created"], o["id"]), reverse=True)
        return self.lists[path]

    def seed_transactions(self, n: int, **kw: Any) -> list[dict[str, Any]]:
        objs = make_objects("treasury.transaction", n, prefix="trxn", financial_account=FA, **kw)
        return self.seed(TX_PATH, objs)

    def seed_customers(self, n: int, **kw: Any) -> list[dict[str, Any]]:
        return self.seed(CUS_PATH, make_objects("customer", n, prefix="cus", **kw))

    @property
    def count(self) -> int:
        return len(self.log)

    def limits(self) -> list[int]:
        return [int(p.get("limit", self.default_limit)) for _, p in self.log]

    async def wait_for_requests(self, n: int, timeout: float = 5.0) -> None:
        async def wait() -> None:
            while self.count < n:
                self._arrived.clear()
                await self._arrived.wait()

        await asyncio.wait_for(wait(), timeout)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"

    async def stop(self) -> None:
        if self.gate is not None:
            self.gate.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        params = parse_query(request.query.items())
        self.log.append((request.path, params))
        number = len(self.log)
        self._arrived.set()
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.delay:
                await asyncio.sleep(self.delay)
            if self.gate is not None:
                await self.gate.wait()
            status = self.faults.get(number)
            if status is not None:
                kind = "api_error" if status >= 500 else "invalid_request_error"
                body = {"error": {"type": kind, "message": f"injected failure #{number}"}}
                return web.json_response(body, status=status)
            return self._answer(request.path, params)
        finally:
            self.in_flight -= 1

    def _answer(self, path: str, params: dict[str, Any]) -> web.Response:
        if path.endswith("/search"):
            return self._search(path.removesuffix("/search"), params)
        if path in self.lists:
            return self._list(path, params)
        base, _, oid = path.rpartition("/")
        for obj in self.lists.get(base, []):
            if obj["id"] == oid:
                return web.json_response(obj)
        err = {"type": "invalid_request_error", "message": f"No such object: '{oid}'"}
        return web.json_response({"error": err}, status=404)

    def _filtered(self, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        objs = self.lists.get(path, [])
        created = params.get("created")
        if isinstance(created, dict):
            bounds = {k: int(v) for k, v in created.items()}
            objs = [
                o
                for o in objs
                if o["created"] >= bounds.get("gte", -(2**62))
                and o["created"] > bounds.get("gt", -(2**62))
                and o["created"] < bounds.get("lt", 2**62)
                and o["created"] <= bounds.get("lte", 2**62)
            ]
        elif created is not None:
            objs = [o for o in objs if o["created"] == int(created)]
        if "financial_account" in params:
            objs = [o for o in objs if o.get("financial_account") == params["financial_account"]]
        return objs

    def _list(self, path: str, params: dict[str, Any]) -> web.Response:
        objs = self._filtered(path, params)
        limit = int(params.get("limit", self.default_limit))
        index = {o["id"]: i for i, o in enumerate(objs)}
        if "starting_after" in params:
            start = index[params["starting_after"]] + 1
            data, has_more = objs[start : start + limit], start + limit < len(objs)
        elif "ending_before" in params:
            end = index[params["ending_before"]]
            start = max(0, end - limit)
            data, has_more = objs[start:end], start > 0
        else:
            data, has_more = objs[:limit], limit < len(objs)
        return web.json_response(
            {"object": "list", "data": data, "has_more": has_more, "url": path}
        )

    def _search(self, path: str, params: dict[str, Any]) -> web.Response:
        objs = self._filtered(path, params)
        limit = int(params.get("limit", self.default_limit))
        start = int(params["page"].removeprefix("pg_")) if "page" in params else 0
        data = objs[start : start + limit]
        has_more = start + limit < len(objs)
        return web.json_response(
            {
                "object": "search_result",
                "data": data,
                "has_more": has_more,
                "next_page": f"pg_{start + limit}" if has_more else None,
                "url": f"{path}/search",
                "total_count": len(objs),
            }
        )


@pytest.fixture
async def server() -> AsyncIterator[ListServer]:
    srv = ListServer()
    await srv.start()
    yield srv
    await srv.stop()


@pytest.fixture
async def stripe(server: ListServer) -> AsyncIterator[StripeClient]:
    async with StripeClient("sk_test_123", base_url=server.url, max_retries=0) as client:
        yield client


def ids(objs: Iterable[Any]) -> list[str]:
    return [o["id"] for o in objs]


def other_tasks() -> list[asyncio.Task[Any]]:
    """Pending read-ahead tasks (the server's own tasks live in the same loop)."""
    return [t for t in asyncio.all_tasks() if t.get_name().startswith("aiostripe")]


async def settle() -> None:
    """Let cancelled tasks finish and any late request reach the server."""
    for _ in range(5):
        await asyncio.sleep(0.01)


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
