"""Parallel listing over half-open `created` windows `[gte, lt)`: `parallel_list` and
`ParallelIterator`, whose cursor is every window's progress as JSON."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections import deque
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Generic, TypeVar

from aiostripe._pagination.pages import ListRequest
from aiostripe._pagination.pump import _check_count, _Closing, _Failed
from aiostripe._pagination.walks import _ListWalk, _object_id, _Step

T = TypeVar("T")
P = TypeVar("P")

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


class _Window:
    """One range of creation times walked by its own list (a plain class, as `pump._Failed`)."""

    __slots__ = ("after", "done", "gte", "lt")

    def __init__(self, gte: int, lt: int, after: str | None = None, done: bool = False) -> None:
        self.gte = gte
        self.lt = lt
        self.after = after  # last object id yielded
        self.done = done


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
