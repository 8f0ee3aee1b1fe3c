"""v2 lists of the fake: newest first, in pages linked by `next_page_url` / `previous_page_url`.

A page token carries the list's position and its filters, so a page URL is fetched as it is
(`/v2/core/events?page=<token>`), as Stripe's are.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from typing import Any

from aiostripe.testing.v2.errors import v2_error

DEFAULT_LIMIT = 20  # Stripe's v2 default page size
MAX_LIMIT = 100


def _token(state: dict[str, Any]) -> str:
    raw = json.dumps(state, sort_keys=True, separators=(",", ":")).encode()
    return "page_" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _read_token(token: str) -> dict[str, Any]:
    try:
        raw = token.removeprefix("page_")
        state = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except ValueError:
        raise v2_error(400, "invalid_request_error", "invalid_page_token",
                       f"Invalid page token: {token!r}") from None
    if not isinstance(state, dict) or not isinstance(state.get("o"), int):
        raise v2_error(400, "invalid_request_error", "invalid_page_token",
                       f"Invalid page token: {token!r}")
    return state


def _limit(params: dict[str, Any]) -> int:
    raw = params.get("limit", DEFAULT_LIMIT)
    try:
        limit = int(raw)
    except (TypeError, ValueError):
        limit = -1
    if not 1 <= limit <= MAX_LIMIT:
        raise v2_error(400, "invalid_request_error", "invalid_limit",
                       f"limit must be an integer from 1 to {MAX_LIMIT}, got {raw!r}")
    return limit


def page(
    path: str,
    params: dict[str, Any],
    select: Callable[[dict[str, Any]], Sequence[dict[str, Any]]],
) -> dict[str, Any]:
    """One page of the objects `select(filters)` gives (newest first), with its page URLs.
    `params` are the request's (`page` and `limit` included); a token brings back the filters
    and the limit of the call that started the list."""
    token = params.get("page")
    if token:
        state = _read_token(str(token))
        filters, offset, limit = state["f"], state["o"], state["l"]
    else:
        filters = {k: v for k, v in params.items() if k not in ("limit", "page", "include")}
        offset, limit = 0, _limit(params)
    found = select(filters)
    data = list(found[offset : offset + limit])
    nxt = prev = None
    if offset + limit < len(found):
        nxt = f"{path}?page={_token({'f': filters, 'o': offset + limit, 'l': limit})}"
    if offset > 0:
        prev = f"{path}?page={_token({'f': filters, 'o': max(offset - limit, 0), 'l': limit})}"
    return {"data": data, "next_page_url": nxt, "previous_page_url": prev}
