"""The read-ahead pump and the iterators over it: `ItemIterator` (objects) and `PageIterator`
(pages), bounded by `prefetch`, closed cleanly on `break`, `aclose()` or `async with`."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections import deque
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

from aiostripe._pagination.walks import _Step, _Walk
from aiostripe._patience import Patience, patiently

if TYPE_CHECKING:
    from typing import Self


T = TypeVar("T")
P = TypeVar("P")

# --- the read-ahead pump ----------------------------------------------------------------------


class _Failed(NamedTuple):
    """A fetch that raised: the error, queued for the consumer to raise. (A named tuple, not an
    attrs class: attrs builds a class's methods when its module is imported, and every client
    loads this module when it is created.)"""

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
        self.credits: asyncio.Semaphore = asyncio.Semaphore(prefetch + 1)
        self.task: asyncio.Task[None] | None = None
        self.holding: bool = False  # the consumer holds a page (and its credit)

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
