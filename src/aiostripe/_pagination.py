"""Pages of list and search results, and iteration over every object across pages.

`stripe.customers.list(limit=10)` returns a `ListRequest`. `await` it for the first page (a
`ListPage`, which is a `ListObject`), or walk the whole list:

```python
async for tx in stripe.treasury.transactions.list(financial_account="fa_1").auto_paging_iter():
    ...
```

* **Directions.** Lists page forward with `starting_after`; a request that sets `ending_before`
  (and not `starting_after`) pages backward, yielding objects in reverse order like stripe-python.
  Searches page with `page`/`next_page`.
* **Page size.** Auto-paging asks for 100 objects a page unless the call sets `limit`.
* **Bounded read-ahead.** A background task fetches up to `prefetch` pages (default 1) ahead of the
  page being consumed, so a fast consumer overlaps the next round trip with its work and a slow one
  never holds more than `prefetch + 1` pages. Objects are dropped by the iterator as they are
  yielded, so listing a million objects runs in flat memory.
* **Clean stop.** `break`, `aclose()` or leaving `async with it:` cancels the read-ahead: no further
  request is sent and no task is left pending.
* **Resumable.** `it.cursor` is a string naming the position after the last object yielded (the
  object id for lists, `"<offset>:<page token>"` for searches). Save it; pass it back as
  `auto_paging_iter(resume_from=cursor)` to get exactly the objects not yet yielded.
* **Helpers.** `await req.to_list(max_items=...)`, `await req.first(n)`, page by page with
  `req.pages()`, and `req.parallel_iter(created_gte=..., created_lt=..., windows=8,
  concurrency=4)` which lists half-open time windows `[gte, lt)` concurrently.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import sys
from collections import deque
from collections.abc import Generator, Mapping
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs

from aiostripe._errors import InvalidParameterError
from aiostripe._models import (
    ListObject,
    SearchResult,
    StripeObject,
    StripeResponse,
    parse_response,
    resolve_type,
)
from aiostripe._options import RequestOptions
from aiostripe._patience import Patience, patiently

if TYPE_CHECKING:
    from typing import Self

    from aiostripe._requestor import Requestor

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "ItemIterator",
    "ListPage",
    "ListRequest",
    "PageIterator",
    "PageMeta",
    "ParallelIterator",
    "SearchPage",
    "SearchRequest",
    "parallel_list",
]

T = TypeVar("T")
P = TypeVar("P")

DEFAULT_PAGE_SIZE = 100
"""Objects per page when auto-paging and the call does not set `limit` (Stripe's maximum)."""


# --- pages ------------------------------------------------------------------------------------


@attrs.frozen
class PageMeta(StripeResponse):
    """`page.last_response` of a page, plus what fetched it: the request and its parameters.

    It is what lets a page obtained by `await` continue with `page.auto_paging_iter()`.
    """

    request: _PageRequest[Any] = attrs.field(eq=False, repr=False)
    params: Mapping[str, Any] = attrs.field(eq=False, repr=False)


def _page_meta(page: StripeObject) -> PageMeta:
    meta = getattr(page, "_meta", None)
    if not isinstance(meta, PageMeta):
        raise TypeError(
            "this page does not know the request that fetched it; use the ListRequest or "
            "SearchRequest returned by the list/search method to iterate"
        )
    return meta


class _Continues(Generic[T]):
    """What `ListPage` and `SearchPage` add to a page: continuing from where it stands."""

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


@attrs.define(kw_only=True, slots=True, repr=False)
class ListPage(ListObject[T], _Continues[T]):
    """A page of a list, as returned by `await stripe.customers.list()`.

    A `ListObject` that can also continue the list from where it stands:
    `page.auto_paging_iter()` yields this page's objects, then those of the following pages.
    """


@attrs.define(kw_only=True, slots=True, repr=False)
class SearchPage(SearchResult[T], _Continues[T]):
    """A page of search results, as returned by `await stripe.customers.search(query=...)`.

    A `SearchResult` that can continue: `page.auto_paging_iter()` yields this page's objects,
    then those of the following pages.
    """


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

    async def _fetch(self, params: Mapping[str, Any]) -> Any:
        """One page, with `_meta` telling it how to fetch the pages after it."""
        response = await self._requestor.request(
            "get", self._path, params, self._options, template=self._template
        )
        page = parse_response(
            response.json(),
            _page_type(self._page_kind, self._item_type),
            response,
            f"a page of {self._item_type} (GET {self._path})",
        )
        page._meta = PageMeta(
            response.status, response.headers, response.request_id, request=self, params=params
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
            walk, walk.start(resume_from), prefetch, max_items, max_pages,
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


# --- walking a list or a search ---------------------------------------------------------------


@attrs.define(slots=True)
class _Step:
    """One fetched page, ready to consume."""

    page: Any  # the page object; dropped by item iteration once its objects are taken
    items: deque[Any]  # objects in iteration order (reversed when paging backward)
    start: Any  # position this page was fetched from
    skip: int  # objects of the page skipped (resuming a search mid-page)
    total: int  # objects on the page
    next: Any  # position of the next page; None when this is the last one
    ids: list[str | None] | None = None  # list walks: the ids of `items`, in the same order


def _id_of(obj: Any) -> str | None:
    value = getattr(obj, "id", None)  # a model's attribute
    if type(value) is not str and isinstance(obj, StripeObject):
        try:
            value = obj["id"]  # a plain StripeObject (a type the spec does not know)
        except KeyError:
            value = None
    return value if isinstance(value, str) else None


def _object_id(obj: Any, path: str) -> str:
    return _checked_id(_id_of(obj), path)


def _checked_id(value: str | None, path: str) -> str:
    if value is None:
        raise TypeError(f"cannot page {path}: its objects have no id to continue from")
    return value


def _page_size(params: Mapping[str, Any]) -> int:
    """The `limit` of an auto-paging call (objects a page), DEFAULT_PAGE_SIZE when not set."""
    limit = params.get("limit")
    if limit is None:
        return DEFAULT_PAGE_SIZE
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 100:
        raise InvalidParameterError(
            f"limit: expected an integer from 1 to 100 (objects a page), got {limit!r}",
            param="limit",
        )
    return limit


class _ListWalk:
    """Positions in a list are object ids: the `starting_after` (or `ending_before`) cursor."""

    def __init__(self, request: _PageRequest[Any], params: Mapping[str, Any]) -> None:
        self.request = request
        self.params = dict(params)
        self.backward = "ending_before" in self.params and "starting_after" not in self.params
        self.key = "ending_before" if self.backward else "starting_after"
        self.page_size = _page_size(self.params)

    def start(self, resume_from: str | None) -> str | None:
        if resume_from is not None:
            if not isinstance(resume_from, str) or not resume_from:
                raise ValueError(f"resume_from: expected an object id, got {resume_from!r}")
            return resume_from
        cursor = self.params.get(self.key)
        return cursor if isinstance(cursor, str) and cursor else None

    async def fetch(self, pos: str | None, limit: int) -> _Step:
        params = dict(self.params)
        if self.request._paged:
            params.pop("ending_before" if not self.backward else "starting_after", None)
            if pos is not None:
                params[self.key] = pos
            else:
                params.pop(self.key, None)
            params["limit"] = limit
        page = await self.request._fetch(params)
        return self.step_of(page, pos)

    def step_of(self, page: Any, pos: str | None = None) -> _Step:
        data = page.data
        if pos is None:
            meta = getattr(page, "_meta", None)
            if isinstance(meta, PageMeta):
                pos = meta.params.get(self.key)
        items = deque(reversed(data)) if self.backward else deque(data)
        nxt = None
        if page.has_more and data:
            nxt = _object_id(data[0] if self.backward else data[-1], self.request.path)
        try:  # the cursors, kept without keeping the objects (checked when asked for)
            ids: list[str | None] = [x.id for x in items]
        except AttributeError:  # plain StripeObjects, or models without an id
            ids = [_id_of(x) for x in items]
        return _Step(page, items, pos, 0, len(data), nxt, ids)

    def item_cursor(self, step: _Step, index: int) -> str:
        assert step.ids is not None
        value = step.ids[index]
        return _checked_id(value if isinstance(value, str) else None, self.request.path)

    def page_cursor(self, step: _Step) -> str | None:
        if step.total == 0:
            return step.start  # type: ignore[no-any-return]
        data = step.page.data
        return _object_id(data[0] if self.backward else data[-1], self.request.path)


class _SearchWalk:
    """Positions in a search are `(page token, objects to skip)`; the first page's token is
    None. Cursors are `"<offset>:<token>"` strings."""

    def __init__(self, request: _PageRequest[Any], params: Mapping[str, Any]) -> None:
        self.request = request
        self.params = dict(params)
        self.page_size = _page_size(self.params)

    def start(self, resume_from: str | None) -> tuple[str | None, int]:
        if resume_from is not None:
            if not isinstance(resume_from, str):
                raise TypeError(f"resume_from: expected a cursor string, got {resume_from!r}")
            offset, sep, token = resume_from.partition(":")
            if not sep or not offset.isdigit():
                raise ValueError(
                    f"resume_from: expected a search cursor '<offset>:<page token>', "
                    f"got {resume_from!r}"
                )
            return (token or None, int(offset))
        page = self.params.get("page")
        return (page if isinstance(page, str) and page else None, 0)

    async def fetch(self, pos: tuple[str | None, int], limit: int) -> _Step:
        token = pos[0]
        params = dict(self.params)
        if token is not None:
            params["page"] = token
        else:
            params.pop("page", None)
        params["limit"] = limit
        page = await self.request._fetch(params)
        return self.step_of(page, pos)

    def step_of(self, page: Any, pos: tuple[str | None, int] | None = None) -> _Step:
        if pos is None:
            meta = getattr(page, "_meta", None)
            token = meta.params.get("page") if isinstance(meta, PageMeta) else None
            pos = (token if isinstance(token, str) and token else None, 0)
        data = page.data
        skip = min(pos[1], len(data))
        items = deque(data[skip:] if skip else data)
        nxt = (page.next_page, 0) if page.has_more and page.next_page and data else None
        return _Step(page, items, pos, skip, len(data), nxt)

    def item_cursor(self, step: _Step, index: int) -> str:
        done = step.skip + index + 1
        if done >= step.total and step.next is not None:
            return f"0:{step.next[0]}"
        return f"{done}:{step.start[0] or ''}"

    def page_cursor(self, step: _Step) -> str:
        if step.next is not None:
            return f"0:{step.next[0]}"
        return f"{step.total}:{step.start[0] or ''}"


_Walk = _ListWalk | _SearchWalk


# --- the read-ahead pump ----------------------------------------------------------------------


@attrs.frozen
class _Failed:
    error: BaseException


_END = object()


def _check_count(name: str, value: int | None, minimum: int) -> None:
    if value is not None and (not isinstance(value, int) or value < minimum):
        raise ValueError(f"{name}: expected an integer >= {minimum}, got {value!r}")


class _Pump:
    """Fetches the pages of a walk in a background task, at most `prefetch` pages ahead.

    Credits bound the read-ahead: the producer takes one before each request, the consumer gives
    one back when it is done with a page. With `prefetch + 1` credits, while the consumer works
    on page k the producer has fetched (or is fetching) at most page k + prefetch.
    """

    def __init__(
        self,
        walk: _Walk,
        pos: Any,
        prefetch: int,
        max_items: int | None,
        max_pages: int | None,
        first: _Step | None,
        patience: Patience | None = None,
    ) -> None:
        _check_count("prefetch", prefetch, 0)
        _check_count("max_items", max_items, 0)
        _check_count("max_pages", max_pages, 0)
        self.walk = walk
        self.pos = pos
        self.max_items = max_items
        self.max_pages = max_pages
        self.first = first
        self.patience = patience
        # never more than prefetch + 1 pages plus the end marker: put_nowait cannot overflow
        self.queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=prefetch + 2)
        self.credits = asyncio.Semaphore(prefetch + 1)
        self.task: asyncio.Task[None] | None = None
        self.holding = False  # the consumer holds a page (and its credit)

    @property
    def buffered(self) -> int:
        """Pages fetched and waiting for the consumer."""
        queued: deque[Any] = self.queue._queue  # type: ignore[attr-defined]
        return sum(1 for x in queued if isinstance(x, _Step))

    async def _run(self) -> None:
        walk, pos, queue, credits = self.walk, self.pos, self.queue, self.credits
        pages = items = 0
        max_items, max_pages = self.max_items, self.max_pages
        try:
            step = self.first
            self.first = None
            while True:
                if max_pages is not None and pages >= max_pages:
                    break
                if max_items is not None and items >= max_items:
                    break
                await credits.acquire()
                if step is None:
                    limit = walk.page_size
                    if max_items is not None:
                        limit = max(1, min(limit, max_items - items))
                    step = await self._fetch(pos, limit)
                pages += 1
                items += len(step.items)
                pos = step.next
                queue.put_nowait(step)
                step = None
                if pos is None:
                    break
            queue.put_nowait(_END)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - handed to the consumer, raised where it reads
            queue.put_nowait(_Failed(exc))

    async def _fetch(self, pos: Any, limit: int) -> _Step:
        walk = self.walk
        if self.patience is None:
            return await walk.fetch(pos, limit)
        return await patiently(
            lambda: walk.fetch(pos, limit), self.patience, f"GET {walk.request.path}"
        )

    async def get(self) -> _Step | None:
        """The next page; None at the end. Gives back the credit of the page held so far."""
        if self.task is None:
            self.task = asyncio.get_running_loop().create_task(
                self._run(), name=f"aiostripe read-ahead {self.walk.request.path}"
            )
        if self.holding:
            self.holding = False
            self.credits.release()
        got = await self.queue.get()
        if got is _END:
            return None
        if isinstance(got, _Failed):
            raise got.error
        self.holding = True
        step: _Step = got
        return step

    def cancel(self) -> None:
        task, self.task = self.task, None
        if task is not None and not task.done():
            with contextlib.suppress(RuntimeError):  # the loop is already closed
                task.cancel()
        self.queue = asyncio.Queue()

    async def aclose(self) -> None:
        task = self.task
        self.cancel()
        if task is not None and not task.done():
            await asyncio.wait([task])  # let it finish cancelling; our own cancellation propagates


class _Closing:
    """`aclose()` and `async with` for the iterators."""

    async def aclose(self) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


class _PumpedIterator(_Closing):
    """Shared life cycle of the iterators: lazy start, `aclose`, `async with`, cancel on GC.

    The background task references the pump, never the iterator: when the caller drops the
    iterator (`break` out of `async for`), `__del__` runs at once and cancels the read-ahead.
    """

    _pump: _Pump | None

    def __init__(self, pump: _Pump) -> None:
        self._pump = pump
        self._walk = pump.walk
        self._cursor: str | None = None
        self._pages = 0

    @property
    def cursor(self) -> str | None:
        """The position after the last object (or page) yielded, to pass back as `resume_from`;
        None before anything was yielded."""
        return self._cursor



    @property
    def pages_seen(self) -> int:
        """How many pages the iterator has started consuming."""
        return self._pages

    @property
    def buffered(self) -> int:
        """Pages fetched ahead and not yet consumed."""
        return self._pump.buffered if self._pump is not None else 0

    async def aclose(self) -> None:
        """Stop: cancel the read-ahead (no further request) and drop buffered pages."""
        pump, self._pump = self._pump, None
        if pump is not None:
            await pump.aclose()

    def __del__(self) -> None:
        pump = getattr(self, "_pump", None)
        if pump is not None:
            pump.cancel()

    def _finish(self) -> None:
        pump, self._pump = self._pump, None
        if pump is not None:
            pump.cancel()


class ItemIterator(_PumpedIterator, Generic[T]):
    """Async iterator over the objects of a list or search, across pages (see the module doc).

    Holds the objects of the current page that were not yielded yet, and at most `prefetch`
    pages fetched ahead; an object yielded is no longer referenced by the iterator.
    """

    def __init__(
        self,
        walk: _Walk,
        pos: Any,
        prefetch: int = 1,
        max_items: int | None = None,
        max_pages: int | None = None,
        *,
        first: _Step | None = None,
        patience: Patience | None = None,
    ) -> None:
        super().__init__(_Pump(walk, pos, prefetch, max_items, max_pages, first, patience))
        self._limit = sys.maxsize if max_items is None else max_items
        self._count = 0
        self._items: deque[Any] = deque()  # the current step's objects not yet yielded
        self._taken = 0  # how many objects the current step had when it was taken
        # the cursor is worked out when asked, not per object: from the step of the last object
        # yielded (it keeps ids, never objects) and its index there
        self._cursor_step: _Step | None = None
        self._prev: tuple[_Step, int] | None = None  # the last object of an earlier step

    @property
    def cursor(self) -> str | None:
        """The position after the last object (or page) yielded, to pass back as `resume_from`;
        None before anything was yielded."""
        index = self._taken - len(self._items)  # objects of the current step yielded
        if index and self._cursor_step is not None:
            return self._walk.item_cursor(self._cursor_step, index - 1)
        if self._prev is not None:
            return self._walk.item_cursor(*self._prev)
        return self._cursor

    @property
    def count(self) -> int:
        """How many objects have been yielded."""
        return self._count

    def __aiter__(self) -> ItemIterator[T]:
        return self

    async def __anext__(self) -> T:
        items = self._items
        if items and self._count < self._limit:  # the usual case: the page has more
            self._count += 1
            item: T = items.popleft()
            return item
        return await self._next_page_item()

    async def _next_page_item(self) -> T:
        while True:
            pump = self._pump
            if pump is None or self._count >= self._limit:
                self._finish()
                raise StopAsyncIteration
            if self._items:
                self._count += 1
                item: T = self._items.popleft()
                return item
            index = self._taken - len(self._items)
            if index and self._cursor_step is not None:
                self._prev = (self._cursor_step, index - 1)
            self._taken = 0
            try:
                step = await pump.get()
            except BaseException:
                self._finish()
                raise
            if step is None:
                self._finish()
                raise StopAsyncIteration
            self._pages += 1
            if step.total and not step.items:  # a resumed search page, all yielded before
                self._cursor = self._walk.page_cursor(step)
                self._prev = None
            step.page = None  # the objects live in step.items only, dropped as yielded
            self._cursor_step = step
            self._items = step.items
            self._taken = len(step.items)

    def _finish(self) -> None:
        self._drop_items()
        super()._finish()

    async def aclose(self) -> None:
        self._drop_items()
        await super().aclose()

    def _drop_items(self) -> None:
        """No object is yielded after this (the cursor stays where it is)."""
        index = self._taken - len(self._items)
        if index and self._cursor_step is not None:
            self._prev = (self._cursor_step, index - 1)
        self._items = deque()
        self._taken = 0

    async def to_list(self) -> list[T]:
        """The remaining objects, in a list (bounded by the iterator's `max_items`, if any)."""
        return [item async for item in self]


class PageIterator(_PumpedIterator, Generic[P]):
    """Async iterator over the pages of a list or search, with bounded read-ahead."""

    def __init__(
        self,
        walk: _Walk,
        pos: Any,
        prefetch: int = 1,
        max_items: int | None = None,
        max_pages: int | None = None,
        *,
        first: _Step | None = None,
    ) -> None:
        super().__init__(_Pump(walk, pos, prefetch, max_items, max_pages, first))

    def __aiter__(self) -> PageIterator[P]:
        return self

    async def __anext__(self) -> P:
        while True:
            pump = self._pump
            if pump is None:
                raise StopAsyncIteration
            try:
                step = await pump.get()
            except BaseException:
                self._finish()
                raise
            if step is None:
                self._finish()
                raise StopAsyncIteration
            if not (step.skip and not step.items):  # not a resumed page already yielded
                break
        self._pages += 1
        self._cursor = self._walk.page_cursor(step)
        page: P = step.page
        return page


# --- parallel listing over time windows -------------------------------------------------------


def _timestamp(name: str, value: int | datetime | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"{name}: expected an aware datetime or a Unix timestamp")
        return int(value.timestamp())
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name}: expected a Unix timestamp (int), got {value!r}")
    return value


def _created_range(created: Any) -> tuple[int | None, int | None]:
    """`[gte, lt)` of a `created` filter parameter (ints; `gt`/`lte` shifted by one second)."""
    if created is None:
        return None, None
    if isinstance(created, int) and not isinstance(created, bool):
        return created, created + 1
    if isinstance(created, Mapping):
        gte = created.get("gte")
        if created.get("gt") is not None:
            gt = created["gt"] + 1
            gte = gt if gte is None else max(gte, gt)
        lt = created.get("lt")
        if created.get("lte") is not None:
            lte = created["lte"] + 1
            lt = lte if lt is None else min(lt, lte)
        return gte, lt
    raise ValueError(f"created: expected an int or a range mapping, got {created!r}")


def split_windows(gte: int, lt: int, windows: int) -> list[tuple[int, int]]:
    """`[gte, lt)` cut into at most `windows` consecutive non-empty half-open windows."""
    if lt <= gte:
        return []
    windows = max(1, min(windows, lt - gte))
    bounds = [gte + (lt - gte) * i // windows for i in range(windows + 1)]
    return [(a, b) for a, b in itertools.pairwise(bounds) if a < b]


@attrs.define(slots=True)
class _Window:
    gte: int
    lt: int
    after: str | None = None  # last object id yielded
    done: bool = False


def parallel_list(
    request: ListRequest[T],
    *,
    created_gte: int | datetime | None = None,
    created_lt: int | datetime | None = None,
    windows: int = 8,
    concurrency: int = 4,
    prefetch: int = 1,
    resume_from: str | None = None,
) -> ParallelIterator[T]:
    """Every object of a list created in `[created_gte, created_lt)`, listed concurrently.

    The range is cut into `windows` half-open windows `[a, b)` (an object created exactly on a
    boundary belongs to the later window only), listed with `created[gte]=a&created[lt]=b`,
    `concurrency` windows at a time; the client's connection limit applies. Each object is
    yielded exactly once; within a window objects come in the list's order (newest first),
    windows interleave. The bounds default to the call's own `created` filter. `it.cursor` is a
    JSON string of every window's progress, to pass back as `resume_from`.
    """
    if not isinstance(request, ListRequest):
        raise TypeError(f"parallel_list: expected a ListRequest, got {type(request).__name__}")
    _check_count("windows", windows, 1)
    _check_count("concurrency", concurrency, 1)
    _check_count("prefetch", prefetch, 0)
    params = dict(request.params)
    for key in ("starting_after", "ending_before"):
        if key in params:
            raise ValueError(f"parallel listing pages forward by itself; do not pass {key}")
    if resume_from is not None:
        try:
            state = json.loads(resume_from)
            wins = [_Window(int(g), int(lt), a, bool(d)) for g, lt, a, d in state["windows"]]
        except (ValueError, TypeError, KeyError) as exc:
            raise ValueError(f"resume_from: not a parallel listing cursor: {exc}") from None
    else:
        own_gte, own_lt = _created_range(params.get("created"))
        gte = _timestamp("created_gte", created_gte)
        lt = _timestamp("created_lt", created_lt)
        gte = own_gte if gte is None else (gte if own_gte is None else max(gte, own_gte))
        lt = own_lt if lt is None else (lt if own_lt is None else min(lt, own_lt))
        if gte is None or lt is None:
            raise ValueError(
                "parallel listing needs a time range: pass created_gte= and created_lt= "
                "(or a created={'gte': ..., 'lt': ...} filter on the call)"
            )
        wins = [_Window(a, b) for a, b in split_windows(gte, lt, windows)]
    params.pop("created", None)
    return ParallelIterator(request, params, wins, concurrency, prefetch)


class ParallelIterator(_Closing, Generic[T]):
    """Async iterator over the objects of several time windows of a list, listed concurrently."""

    def __init__(
        self,
        request: ListRequest[T],
        params: dict[str, Any],
        windows: list[_Window],
        concurrency: int,
        prefetch: int,
    ) -> None:
        self._request = request
        self._windows = windows
        self._concurrency = concurrency
        self._params = params
        credits = 1 + concurrency * max(1, prefetch)
        # bounded by the credits (pages), one end marker per window, one failure per worker
        self._queue: asyncio.Queue[Any] = asyncio.Queue(
            maxsize=credits + len(windows) + concurrency
        )
        self._credits = asyncio.Semaphore(credits)
        self._tasks: list[asyncio.Task[None]] = []
        self._started = False
        self._closed = False
        self._holding = False
        self._items: deque[Any] = deque()
        self._current: _Window | None = None
        self._open = sum(1 for w in windows if not w.done)
        self._count = 0
        self._pages = 0

    @property
    def windows(self) -> list[tuple[int, int]]:
        """The windows `[gte, lt)`, in the order they are started (newest first)."""
        return [(w.gte, w.lt) for w in self._windows]

    @property
    def cursor(self) -> str:
        """Every window's progress (JSON), to pass back as `resume_from`."""
        return json.dumps(
            {"windows": [[w.gte, w.lt, w.after, w.done] for w in self._windows]},
            separators=(",", ":"),
        )

    @property
    def count(self) -> int:
        """How many objects have been yielded."""
        return self._count

    @property
    def pages_seen(self) -> int:
        """How many pages the iterator has started consuming."""
        return self._pages

    @property
    def buffered(self) -> int:
        """Pages fetched ahead and not yet consumed."""
        queued: deque[Any] = self._queue._queue  # type: ignore[attr-defined]
        return sum(1 for x in queued if isinstance(x[1], _Step))

    def _start(self) -> None:
        self._started = True
        todo = deque((i, w.gte, w.lt, w.after) for i, w in enumerate(self._windows) if not w.done)
        todo = deque(sorted(todo, key=lambda t: -t[1]))  # newest window first
        loop = asyncio.get_running_loop()
        for n in range(min(self._concurrency, len(todo))):
            self._tasks.append(
                loop.create_task(
                    _window_worker(self._request, self._params, todo, self._queue, self._credits),
                    name=f"aiostripe parallel list {self._request.path} #{n}",
                )
            )

    def __aiter__(self) -> ParallelIterator[T]:
        return self

    async def __anext__(self) -> T:
        while True:
            if self._closed:
                raise StopAsyncIteration
            if self._items:
                item: T = self._items.popleft()
                window = self._current
                assert window is not None
                window.after = _object_id(item, self._request.path)
                self._count += 1
                return item
            if self._open == 0:
                self._finish()
                raise StopAsyncIteration
            if not self._started:
                self._start()
            if self._holding:
                self._holding = False
                self._credits.release()
            index, got = await self._queue.get()
            window = self._windows[index]
            if got is None:
                window.done = True
                self._open -= 1
            elif isinstance(got, _Failed):
                self._finish()
                raise got.error
            else:
                self._holding = True
                self._pages += 1
                self._current = window
                self._items = got.items
                got.page = None

    def _finish(self) -> None:
        self._closed = True
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            if not task.done():
                with contextlib.suppress(RuntimeError):
                    task.cancel()
        self._items = deque()
        self._queue = asyncio.Queue()

    async def aclose(self) -> None:
        """Stop: cancel every window's read-ahead and drop buffered pages."""
        tasks = [t for t in self._tasks if not t.done()]
        self._finish()
        if tasks:
            await asyncio.wait(tasks)

    def __del__(self) -> None:
        if getattr(self, "_tasks", None):
            self._finish()


async def _window_worker(
    request: ListRequest[Any],
    params: dict[str, Any],
    todo: deque[tuple[int, int, int, str | None]],
    queue: asyncio.Queue[Any],
    credits: asyncio.Semaphore,
) -> None:
    """List windows taken from `todo` one after the other, handing pages to the consumer."""
    while todo:
        index, gte, lt, after = todo.popleft()
        walk = _ListWalk(request, {**params, "created": {"gte": gte, "lt": lt}})
        pos: str | None = after
        try:
            while True:
                await credits.acquire()
                step = await walk.fetch(pos, walk.page_size)
                queue.put_nowait((index, step))
                pos = step.next
                if pos is None:
                    break
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - handed to the consumer, raised where it reads
            queue.put_nowait((index, _Failed(exc)))
            return
        queue.put_nowait((index, None))
