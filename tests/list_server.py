"""`ListServer`: Stripe-like lists and searches on 127.0.0.1, holding thousands of objects, shared
by the pagination tests (`test_pagination*.py`) and the command-line tests (`test_cli*.py`).

It pages like Stripe (`limit`, `starting_after`, `ending_before`, `created` ranges, search `page`
tokens) and is instrumented: every request is logged, requests in flight are counted, and a test
can delay, hold (gate) or fail chosen requests. The `server` and `stripe` fixtures (a client on it,
without retries) and a few helpers of the pagination tests are here too; a test module imports the
fixtures it uses by name.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

import aiostripe
from aiostripe._client import StripeClient

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
