"""Pages and page requests: what a list or search method returns (`ListRequest`, `SearchRequest`),
the pages they fetch (`ListPage`, `SearchPage`) and how a page continues from where it stands."""

from __future__ import annotations

from collections.abc import Generator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from aiostripe._models import (
    ListObject,
    SearchResult,
    StripeObject,
    V2ListObject,
    parse_response,
    parser_of,
    resolve_type,
)
from aiostripe._options import RequestOptions
from aiostripe._pagination.pump import ItemIterator, PageIterator
from aiostripe._pagination.walks import PageMeta, _ListWalk, _PageUrlWalk, _SearchWalk, _Walk
from aiostripe._patience import Patience

if TYPE_CHECKING:
    from typing import Self

    from aiostripe._pagination.parallel import ParallelIterator
    from aiostripe._requestor import Requestor

T = TypeVar("T")
P = TypeVar("P")


def _page_meta(page: StripeObject) -> PageMeta:
    meta = getattr(page, "_meta", None)
    if not isinstance(meta, PageMeta):
        raise TypeError(
            "this page does not know the request that fetched it; use the ListRequest or "
            "SearchRequest returned by the list/search method to iterate"
        )
    return meta


class _Continues(Generic[T]):
    """What `ListPage` and `SearchPage` add to a page: continuing from where it stands.

    The pages are plain subclasses of their attrs page classes (which they add no field to):
    they inherit the fields, `__init__`, `__eq__` and slots as they are, where decorating them
    again would have attrs build all of it once more at every program's start."""

    __slots__ = ()

    def _walk(self) -> _Walk:
        meta = _page_meta(self)  # type: ignore[arg-type]
        return meta.request._walk(meta.params)

    def auto_paging_iter(
        self,
        *,
        prefetch: int = 1,
        max_items: int | None = None,
        max_pages: int | None = None,
    ) -> ItemIterator[T]:
        """Every object from this page on (this page's objects first, then the next pages')."""
        walk = self._walk()
        return ItemIterator(
            walk, walk.start(None), prefetch, max_items, max_pages, first=walk.step_of(self)
        )

    def pages(self, *, prefetch: int = 1, max_pages: int | None = None) -> PageIterator[Self]:
        """This page, then the following pages."""
        walk = self._walk()
        return PageIterator(
            walk, walk.start(None), prefetch, None, max_pages, first=walk.step_of(self)
        )


class ListPage(ListObject[T], _Continues[T]):
    """A page of a list, as returned by `await stripe.customers.list()`.

    A `ListObject` that can also continue the list from where it stands:
    `page.auto_paging_iter()` yields this page's objects, then those of the following pages.
    """

    __slots__ = ()


class SearchPage(SearchResult[T], _Continues[T]):
    """A page of search results, as returned by `await stripe.customers.search(query=...)`.

    A `SearchResult` that can continue: `page.auto_paging_iter()` yields this page's objects,
    then those of the following pages.
    """

    __slots__ = ()


class V2ListPage(V2ListObject[T], _Continues[T]):
    """A page of a v2 list, as returned by `await stripe.v2.core.events.list()`: a
    `V2ListObject` that can continue from where it stands (`page.auto_paging_iter()`)."""

    __slots__ = ()


_PAGE_TYPES: dict[tuple[type, str], Any] = {}


def _page_type(kind: Any, item_type: str) -> Any:
    """`ListPage[<item type>]` as a runtime type (cached)."""
    key = (kind, item_type)
    t = _PAGE_TYPES.get(key)
    if t is None:
        t = _PAGE_TYPES[key] = kind[resolve_type(item_type)]
    return t


# --- requests ---------------------------------------------------------------------------------


class _PageRequest(Generic[T]):
    """What a list or search method returns: the path, parameters and options of the call."""

    _page_kind: type = ListPage

    def __init__(
        self,
        requestor: Requestor,
        path: str,
        params: dict[str, Any],
        options: RequestOptions | None,
        item_type: str,
        *,
        paged: bool = True,
        template: str | None = None,
    ) -> None:
        self._requestor = requestor
        self._path = path
        self._template = template  # the operation's `/v1/customers/{customer}/...`, for telemetry
        self._params = params
        self._options = options
        self._item_type = item_type
        # whether the operation takes `limit`/`starting_after`: a few lists (the generator passes
        # paged=False for them) return everything at once and reject those parameters
        self._paged = paged

    @property
    def path(self) -> str:
        """The API path of the call (`/v1/customers`)."""
        return self._path

    @property
    def params(self) -> Mapping[str, Any]:
        """The parameters of the call, as given."""
        return self._params

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._path!r}, {self._params!r})"

    async def _fetch(self, params: Mapping[str, Any], url: str | None = None) -> Any:
        """One page (the call with `params`, or the page `url` of a v2 list), with `_meta`
        telling it how to fetch the pages after it."""
        response = await self._requestor.request(
            "get", url or self._path, params, self._options, template=self._template
        )
        page = parse_response(
            response.json(),
            parser_of(_page_type(self._page_kind, self._item_type)),
            response,
            f"a page of {self._item_type} (GET {self._path})",
        )
        page._meta = PageMeta(
            response.status, response.headers, response.request_id, request=self, params=params,
            url=url,
        )
        return page

    async def to_list(self, *, max_items: int | None) -> list[T]:
        """Every object, in a list. `max_items` caps the count; pass `None` explicitly to read
        the whole list into memory (prefer `auto_paging_iter()` for large lists)."""
        if max_items is not None and max_items < 0:
            raise ValueError(f"max_items: expected a count >= 0 or None, got {max_items!r}")
        if max_items == 0:
            return []
        out: list[T] = []
        async with self._items(max_items=max_items) as it:
            async for item in it:
                out.append(item)
        return out

    async def first(self, n: int = 1) -> list[T]:
        """The first `n` objects (fewer if the list is shorter), fetched with `limit=n` when
        `n` is under a page."""
        if n < 0:
            raise ValueError(f"n: expected a count >= 0, got {n!r}")
        return await self.to_list(max_items=n)

    def __aiter__(self) -> ItemIterator[T]:
        return self.auto_paging_iter()

    def auto_paging_iter(
        self,
        *,
        prefetch: int = 1,
        resume_from: str | None = None,
        max_items: int | None = None,
        max_pages: int | None = None,
        max_wait: float | None = None,
    ) -> ItemIterator[T]:
        """Every object, page after page.

        Lists go backward (objects in reverse order) when the call sets `ending_before`;
        searches follow `next_page`. `prefetch`: how many pages are fetched ahead of the one
        being consumed (0: none). `resume_from`: a saved `it.cursor` (a list's last id, or a
        search's `"<offset>:<page token>"`); iteration continues right after it. `max_items`,
        `max_pages`: stop after that many objects or pages (no request beyond them).
        `max_wait`: seconds in all the iteration may wait on 429s that outlast the client's
        retries, trying the page again after a backoff (see `_patience`); None: not at all.
        """
        walk = self._walk(self._params)
        return ItemIterator(
            walk,
            walk.start(resume_from),
            prefetch,
            max_items,
            max_pages,
            patience=None if max_wait is None else Patience(max_wait),
        )

    def _pages(
        self, prefetch: int, resume_from: str | None, max_pages: int | None
    ) -> PageIterator[Any]:
        walk = self._walk(self._params)
        return PageIterator(walk, walk.start(resume_from), prefetch, None, max_pages)

    def _items(self, *, max_items: int | None) -> ItemIterator[T]:
        return self.auto_paging_iter(max_items=max_items)

    def _walk(self, params: Mapping[str, Any]) -> _Walk:
        raise NotImplementedError


class ListRequest(_PageRequest[T]):
    """A list call: `await` it for the first page, or iterate every object across pages.

    `async for obj in request` is `async for obj in request.auto_paging_iter()`.
    """

    _page_kind = ListPage

    def __await__(self) -> Generator[Any, None, ListPage[T]]:
        page: ListPage[T] = yield from self._fetch(self._params).__await__()
        return page

    def pages(
        self,
        *,
        prefetch: int = 1,
        resume_from: str | None = None,
        max_pages: int | None = None,
    ) -> PageIterator[ListPage[T]]:
        """The pages of the list, with the same read-ahead; `it.cursor` is the position after
        the last page yielded."""
        return self._pages(prefetch, resume_from, max_pages)

    def _walk(self, params: Mapping[str, Any]) -> _Walk:
        return _ListWalk(self, params)

    def parallel_iter(
        self,
        *,
        created_gte: int | datetime | None = None,
        created_lt: int | datetime | None = None,
        windows: int = 8,
        concurrency: int = 4,
        prefetch: int = 1,
        resume_from: str | None = None,
    ) -> ParallelIterator[T]:
        """Every object created in `[created_gte, created_lt)`, listing `windows` time windows
        with up to `concurrency` of them in flight at once. See `parallel_list`."""
        from aiostripe._pagination.parallel import parallel_list  # parallel.py builds on this one

        return parallel_list(
            self,
            created_gte=created_gte,
            created_lt=created_lt,
            windows=windows,
            concurrency=concurrency,
            prefetch=prefetch,
            resume_from=resume_from,
        )


class SearchRequest(_PageRequest[T]):
    """A search call: `await` it for the first page, or iterate every result across pages."""

    _page_kind = SearchPage

    def __await__(self) -> Generator[Any, None, SearchPage[T]]:
        page: SearchPage[T] = yield from self._fetch(self._params).__await__()
        return page

    def pages(
        self,
        *,
        prefetch: int = 1,
        resume_from: str | None = None,
        max_pages: int | None = None,
    ) -> PageIterator[SearchPage[T]]:
        """The pages of the search, with the same read-ahead."""
        return self._pages(prefetch, resume_from, max_pages)

    def _walk(self, params: Mapping[str, Any]) -> _Walk:
        return _SearchWalk(self, params)


class V2ListRequest(_PageRequest[T]):
    """A v2 list call (page tokens: each page names the next by its `next_page_url`): `await`
    it for the first page, or iterate every object across pages. `resume_from` takes an
    iterator's `cursor` or a saved `page.next_page_url`."""

    _page_kind = V2ListPage

    def __await__(self) -> Generator[Any, None, V2ListPage[T]]:
        page: V2ListPage[T] = yield from self._fetch(self._params).__await__()
        return page

    def pages(
        self,
        *,
        prefetch: int = 1,
        resume_from: str | None = None,
        max_pages: int | None = None,
    ) -> PageIterator[V2ListPage[T]]:
        """The pages of the list, with the same read-ahead; `it.cursor` is the URL of the page
        after the last one yielded."""
        return self._pages(prefetch, resume_from, max_pages)

    def _walk(self, params: Mapping[str, Any]) -> _Walk:
        return _PageUrlWalk(self, params)
