"""Walking a list or a search: the page parameters of each step, and the cursor of each position
(an object id for v1 lists, `"<offset>:<page token>"` for searches, a page URL or
`"<offset>:<page URL>"` for v2 lists)."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from aiostripe._errors import InvalidParameterError
from aiostripe._models import (
    StripeObject,
    StripeResponse,
)

if TYPE_CHECKING:
    from aiostripe._pagination.pages import _PageRequest

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
    url: str | None = attrs.field(default=None, eq=False, repr=False)
    """The page URL it was fetched from (v2 lists after their first page)."""


# --- walking a list or a search ---------------------------------------------------------------


class _Step:
    """One fetched page, ready to consume. (A plain class, not an attrs one: attrs builds a
    class's methods when the module is imported, and every client loads this module.)"""

    __slots__ = ("ids", "items", "next", "page", "skip", "start", "total")

    def __init__(
        self,
        page: Any,
        items: deque[Any],
        start: Any,
        skip: int,
        total: int,
        next: Any,
        ids: list[str | None] | None = None,
    ) -> None:
        self.page = page  # the page object; dropped by item iteration once its objects are taken
        self.items = items  # objects in iteration order (reversed when paging backward)
        self.start = start  # position this page was fetched from
        self.skip = skip  # objects of the page skipped (resuming a search mid-page)
        self.total = total  # objects on the page
        self.next = next  # position of the next page; None when this is the last one
        self.ids = ids  # list walks: the ids of `items`, in the same order


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
        self.params: dict[str, Any] = dict(params)
        self.backward: bool = "ending_before" in self.params and "starting_after" not in self.params
        self.key = "ending_before" if self.backward else "starting_after"
        self.page_size: int = _page_size(self.params)

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
        self.params: dict[str, Any] = dict(params)
        self.page_size: int = _page_size(self.params)

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


_PAGE_URL = re.compile(r"/v2/[!-~]*")
"""A v2 page URL as the API gives it (`/v2/core/events?page=...`): a path of this API, printable
ASCII without spaces, so that it can only reach the API host it came from."""


def checked_page_url(url: object, what: str) -> str:
    """`url` if it is a v2 page URL (a `/v2/...` path), else a ValueError naming `what`."""
    if not isinstance(url, str) or not _PAGE_URL.fullmatch(url) or "#" in url:
        raise ValueError(
            f"{what}: expected a v2 page URL such as '/v2/core/events?page=...', got {url!r}"
        )
    return url


class _PageUrlWalk(_SearchWalk):
    """v2 lists: positions are `(page URL, objects to skip)`, the first page's URL None (it is
    the call with its parameters); each page names the next (`next_page_url`), whose query
    holds the call's parameters, so it is fetched as it is. Cursors are the next page's URL at
    a page boundary, else `"<offset>:<page URL>"` (`"<offset>:"` on the first page); a page
    URL saved from `page.next_page_url` resumes too."""

    def start(self, resume_from: str | None) -> tuple[str | None, int]:
        if resume_from is None:
            return (None, 0)
        if not isinstance(resume_from, str):
            raise TypeError(f"resume_from: expected a cursor string, got {resume_from!r}")
        if resume_from.startswith("/"):
            return (checked_page_url(resume_from, "resume_from"), 0)
        offset, sep, url = resume_from.partition(":")
        if not sep or not offset.isdigit():
            raise ValueError(
                f"resume_from: expected a v2 page URL or '<offset>:<page URL>', got {resume_from!r}"
            )
        return (checked_page_url(url, "resume_from") if url else None, int(offset))

    async def fetch(self, pos: tuple[str | None, int], limit: int) -> _Step:
        url = pos[0]
        if url is None:
            params = dict(self.params)
            params["limit"] = limit
            page = await self.request._fetch(params)
        else:
            page = await self.request._fetch({}, url)
        return self.step_of(page, pos)

    def step_of(self, page: Any, pos: tuple[str | None, int] | None = None) -> _Step:
        if pos is None:
            meta = getattr(page, "_meta", None)
            pos = (meta.url if isinstance(meta, PageMeta) else None, 0)
        data = page.data
        skip = min(pos[1], len(data))
        items = deque(data[skip:] if skip else data)
        nxt = page.next_page_url
        if nxt is not None:
            nxt = (checked_page_url(nxt, f"next_page_url of {self.request.path}"), 0)
        return _Step(page, items, pos, skip, len(data), nxt)

    def item_cursor(self, step: _Step, index: int) -> str:
        done = step.skip + index + 1
        if done >= step.total and step.next is not None:
            return step.next[0]  # type: ignore[no-any-return]
        return f"{done}:{step.start[0] or ''}"

    def page_cursor(self, step: _Step) -> str:
        if step.next is not None:
            return step.next[0]  # type: ignore[no-any-return]
        return f"{step.total}:{step.start[0] or ''}"


_Walk = _ListWalk | _SearchWalk
