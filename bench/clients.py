"""The clients the benchmark workers compare, behind one small interface (`Client`): aiostripe, the
official SDK over aiohttp or httpx, and raw aiohttp + `json.loads`; and the reads every client
does of every object (`read_tx`, `read_customer` and their dict twins), so that lazy parsing
cannot hide work. Used by `bench/workers.py`."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

KEY = "sk_test_bench"
CUSTOMER_ID = "cus_1"
FINANCIAL_ACCOUNT = "fa_1"
PAGE = 100
HARD_DEADLINE = 600.0  # no worker runs longer than this, whatever it was asked
MAX_ITEMS = 50_000_000


class Unavailable(Exception):
    """The client under test cannot be used (not installed, or not built yet)."""


SEARCH_QUERY = "email:'jo@example.com'"


def read_tx(tx: Any) -> int:
    """The listing figure's read of every object: four fields, one nested, typed."""
    return tx.amount + tx.created + tx.balance_impact.cash + len(tx.status)


def read_tx_dict(tx: dict[str, Any]) -> int:
    """The same read for untyped JSON."""
    return tx["amount"] + tx["created"] + tx["balance_impact"]["cash"] + len(tx["status"])


def read_customer(c: Any) -> int:
    """The search figure's read: four fields of a customer, one nested."""
    return len(c.id) + c.created + c.balance + (c.invoice_settings.footer is None)


def read_customer_dict(c: dict[str, Any]) -> int:
    return len(c["id"]) + c["created"] + c["balance"] + (c["invoice_settings"]["footer"] is None)


class Client:
    """What a benchmark needs of a client: retrieve one customer, iterate the transactions."""

    typed: bool = True  # items are objects with attributes (else dicts)

    async def retrieve(self) -> Any:
        raise NotImplementedError

    async def iterate(self) -> AsyncIterator[Any]:
        raise NotImplementedError

    async def search(self) -> AsyncIterator[Any]:
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError


class AiostripeClient(Client):
    def __init__(self, url: str, max_retries: int | None, raw_request: bool = False) -> None:
        if raw_request:  # retrieve through `raw_request` (the path for endpoints not in the spec)
            self.retrieve = self.raw_retrieve  # type: ignore[method-assign]
        try:
            import aiostripe

            kwargs: dict[str, Any] = {"base_url": url}
            if max_retries is not None:
                kwargs["max_retries"] = max_retries
            self.client = aiostripe.StripeClient(KEY, **kwargs)
            self.client.customers  # noqa: B018 — the services must exist
            self.client.treasury.transactions  # noqa: B018
        except (ImportError, AttributeError, TypeError) as e:
            raise Unavailable(f"aiostripe: {type(e).__name__}: {e}") from e

    async def retrieve(self) -> Any:
        return (await self.client.customers.retrieve(CUSTOMER_ID)).id

    async def raw_retrieve(self) -> Any:
        return (await self.client.raw_request("get", f"/v1/customers/{CUSTOMER_ID}")).id

    async def iterate(self) -> AsyncIterator[Any]:
        return self.client.treasury.transactions.list(
            financial_account=FINANCIAL_ACCOUNT, limit=PAGE
        ).auto_paging_iter()

    async def search(self) -> AsyncIterator[Any]:
        return self.client.customers.search(query=SEARCH_QUERY, limit=PAGE).auto_paging_iter()

    async def close(self) -> None:
        await self.client.close()


class SDKClient(Client):
    def __init__(self, url: str, transport: str, max_retries: int | None) -> None:
        try:
            import stripe

            kwargs: dict[str, Any] = {
                "base_addresses": {"api": url, "files": url, "connect": url},
                "max_network_retries": 2 if max_retries is None else max_retries,
            }
            if transport == "aiohttp":
                kwargs["http_client"] = stripe.AIOHTTPClient()
            elif transport == "httpx":
                import httpx  # noqa: F401 — the SDK's async fallback needs it

            self.client = stripe.StripeClient(KEY, **kwargs)
            self.http = self.client._requestor._client  # to close it at the end
            self.client.v1.customers  # noqa: B018
        except (ImportError, AttributeError, TypeError) as e:
            raise Unavailable(f"stripe SDK: {type(e).__name__}: {e}") from e

    async def retrieve(self) -> Any:
        return (await self.client.v1.customers.retrieve_async(CUSTOMER_ID)).id

    async def iterate(self) -> AsyncIterator[Any]:
        page = await self.client.v1.treasury.transactions.list_async(
            {"financial_account": FINANCIAL_ACCOUNT, "limit": PAGE}
        )
        return page.auto_paging_iter()

    async def search(self) -> AsyncIterator[Any]:
        page = await self.client.v1.customers.search_async({"query": SEARCH_QUERY, "limit": PAGE})
        return page.auto_paging_iter()

    async def close(self) -> None:
        await self.http.close_async()


class RawClient(Client):
    typed = False

    def __init__(self, url: str) -> None:
        import aiohttp

        self.url = url
        self.session = aiohttp.ClientSession(
            headers={"Authorization": f"Bearer {KEY}", "Stripe-Version": "2024-06-20"}
        )

    async def retrieve(self) -> Any:
        async with self.session.get(f"{self.url}/v1/customers/{CUSTOMER_ID}") as r:
            body = await r.read()
            if r.status != 200:
                raise RuntimeError(f"HTTP {r.status}")
        return json.loads(body)["id"]

    async def iterate(self) -> AsyncIterator[Any]:
        return self._pages()

    async def _page(self, url: str) -> Any:
        """One page, decoded (one coroutine a page, 100 objects: nothing against their cost)."""
        async with self.session.get(url) as r:
            body = await r.read()
            if r.status != 200:
                raise RuntimeError(f"HTTP {r.status}")
        return json.loads(body)

    async def _pages(self) -> AsyncIterator[Any]:
        base = (f"{self.url}/v1/treasury/transactions"
                f"?financial_account={FINANCIAL_ACCOUNT}&limit={PAGE}")
        url = base
        while True:
            page = await self._page(url)
            data = page["data"]
            for item in data:
                yield item
            if not page["has_more"] or not data:
                return
            url = f"{base}&starting_after={data[-1]['id']}"

    async def search(self) -> AsyncIterator[Any]:
        return self._search_pages()

    async def _search_pages(self) -> AsyncIterator[Any]:
        from urllib.parse import quote

        base = f"{self.url}/v1/customers/search?query={quote(SEARCH_QUERY)}&limit={PAGE}"
        url = base
        while True:
            page = await self._page(url)
            for item in page["data"]:
                yield item
            if not page["has_more"]:
                return
            url = f"{base}&page={page['next_page']}"

    async def close(self) -> None:
        await self.session.close()


def make_client(name: str, url: str, max_retries: int | None) -> Client:
    if name == "aiostripe":
        return AiostripeClient(url, max_retries)
    if name == "aiostripe-raw-request":
        return AiostripeClient(url, max_retries, raw_request=True)
    if name == "sdk-aiohttp":
        return SDKClient(url, "aiohttp", max_retries)
    if name == "sdk-httpx":
        return SDKClient(url, "httpx", max_retries)
    if name == "raw":
        return RawClient(url)
    raise SystemExit(f"unknown client {name!r}")
