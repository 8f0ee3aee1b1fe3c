"""Pages of list and search results, and iteration over every object across pages.

`stripe.customers.list(limit=100)` returns a `ListRequest`: `await` it for the first page (a
`ListObject`), or iterate every object with `async for c in ....auto_paging_iter()`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from aiostripe._models import ListObject, SearchResult
from aiostripe._options import RequestOptions

if TYPE_CHECKING:
    from aiostripe._requestor import Requestor

T = TypeVar("T")


class _PageRequest(Generic[T]):
    _page_type = "ListObject"

    def __init__(
        self,
        requestor: Requestor,
        path: str,
        params: dict[str, Any],
        options: RequestOptions | None,
        item_type: str,
    ) -> None:
        self._requestor = requestor
        self._path = path
        self._params = params
        self._options = options
        self._item_type = item_type

    async def _fetch(self, params: dict[str, Any]) -> Any:
        from aiostripe._service import parse

        response = await self._requestor.request("get", self._path, params, self._options)
        return parse(response.json(), f"{self._page_type}[{self._item_type}]", response)


class ListRequest(_PageRequest[T]):
    """A list call: awaitable (the first page) and iterable across pages."""

    def __await__(self) -> Generator[Any, None, ListObject[T]]:
        page: ListObject[T] = yield from self._fetch(self._params).__await__()
        return page

    async def auto_paging_iter(self) -> AsyncIterator[T]:
        """Every object of the list, page after page (backwards when `ending_before` is set)."""
        params = dict(self._params)
        params.setdefault("limit", 100)
        backwards = "ending_before" in params and "starting_after" not in params
        while True:
            page: ListObject[T] = await self._fetch(params)
            items = list(reversed(page.data)) if backwards else page.data
            for item in items:
                yield item
            if not page.has_more or not page.data:
                return
            if backwards:
                params["ending_before"] = getattr(page.data[0], "id")
            else:
                params["starting_after"] = getattr(page.data[-1], "id")


class SearchRequest(_PageRequest[T]):
    """A search call: awaitable (the first page) and iterable across pages."""

    _page_type = "SearchResult"

    def __await__(self) -> Generator[Any, None, SearchResult[T]]:
        page: SearchResult[T] = yield from self._fetch(self._params).__await__()
        return page

    async def auto_paging_iter(self) -> AsyncIterator[T]:
        """Every object matching the query, page after page."""
        params = dict(self._params)
        params.setdefault("limit", 100)
        while True:
            page: SearchResult[T] = await self._fetch(params)
            for item in page.data:
                yield item
            if not page.has_more or not page.next_page:
                return
            params["page"] = page.next_page
