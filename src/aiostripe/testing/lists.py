"""Lists and searches: one page of stored objects, the way the API pages them.

A list is newest first, `limit` 1-100 (default 10), after `starting_after` or before
`ending_before`, filtered by `created` (`created[gte]=`, ... or an exact time), by parameters that
are fields of the items (`customer=cus_1`, `status=open`, range dicts on numbers), and, nested
under a parent (`/v1/customers/{customer}/balance_transactions`), by the parent. A search runs a
query (see `search.py`) and pages with an opaque `next_page` token.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from typing import Any

from aiostripe.testing import errors
from aiostripe.testing.operations import link_fields, object_names
from aiostripe.testing.schema import fields
from aiostripe.testing.search import QueryError, compile_query
from aiostripe.testing.store import Key, Store

Check = Callable[[dict[str, Any]], bool]

_PAGING = frozenset({"limit", "starting_after", "ending_before", "expand", "created", "page"})
_RANGE = frozenset({"gt", "gte", "lt", "lte"})


def list_page(
    store: Store,
    params: Mapping[str, Any],
    classes: list[type],
    owners: Mapping[str, Mapping[str, Any]],
    path: str,
    *,
    extra: Check | None = None,
) -> dict[str, Any]:
    """The `list` object answering a list request over objects of `classes` under `owners`
    (and passing the `extra` check, for filters of one operation)."""
    kinds = object_names(classes)
    limit = _limit(params)
    if "starting_after" in params and "ending_before" in params:
        raise errors.invalid_request(
            "You may only specify one of these parameters: ending_before, starting_after.",
            param="ending_before",
        )
    after = _cursor(store, params, "starting_after", kinds)
    before = _cursor(store, params, "ending_before", kinds)
    checks = _filters(params, classes)
    checks += [_belongs_to(store, param, owner) for param, owner in owners.items()]
    if extra is not None:
        checks.append(extra)

    def match(obj: dict[str, Any]) -> bool:
        return all(check(obj) for check in checks)

    data, has_more = store.page(
        sorted(kinds),
        limit,
        after=after,
        before=before,
        created=_bounds(params.get("created")),
        match=match if checks else None,
    )
    return {"object": "list", "data": data, "has_more": has_more, "url": path}


def search_page(
    store: Store, params: Mapping[str, Any], classes: list[type], expand: list[str], path: str
) -> dict[str, Any]:
    """The `search_result` answering a search over objects of `classes`; `expand` may ask for
    `total_count` (taken out of it)."""
    limit = _limit(params)
    try:
        predicate = compile_query(str(params.get("query", "")))
    except QueryError as exc:
        raise errors.invalid_request(str(exc), param="query") from None
    offset = _page_offset(params.get("page"))
    data: list[dict[str, Any]] = []
    skipped, has_more, total = 0, False, 0
    count_all = "total_count" in expand
    for obj in store.newest_first(sorted(object_names(classes))):
        if not predicate(obj):
            continue
        total += 1
        if skipped < offset:
            skipped += 1
        elif len(data) < limit:
            data.append(obj)
        else:
            has_more = True
            if not count_all:
                break
    body: dict[str, Any] = {
        "object": "search_result",
        "data": data,
        "has_more": has_more,
        "next_page": _page_token(offset + limit) if has_more else None,
        "url": path,
    }
    if count_all:
        expand.remove("total_count")
        body["total_count"] = total
    return body


def _limit(params: Mapping[str, Any]) -> int:
    limit = params.get("limit", 10)
    if not isinstance(limit, int) or not 1 <= limit <= 100:
        raise errors.invalid_request(
            f"Invalid limit: must be between 1 and 100, got {limit}", param="limit"
        )
    return limit


def _cursor(
    store: Store, params: Mapping[str, Any], param: str, kinds: frozenset[str]
) -> Key | None:
    object_id = params.get(param)
    if object_id is None:
        return None
    key = store.key(object_id)
    obj = store.get(object_id)
    if key is None or obj is None or obj.get("object") not in kinds:
        raise errors.resource_missing(min(kinds) if kinds else "object", object_id, param)
    return key


def _belongs_to(store: Store, param: str, owner: Mapping[str, Any]) -> Check:
    owner_id = owner["id"]
    names = link_fields(param, owner)
    parents = store.parents

    def check(obj: dict[str, Any]) -> bool:
        if parents.get(obj["id"]) == owner_id:
            return True
        return any(_same(obj.get(name), owner_id) for name in names)

    return check


def _filters(params: Mapping[str, Any], classes: list[type]) -> list[Check]:
    known: set[str] = set()
    for cls in classes:
        known.update(fields(cls))
    checks: list[Check] = []
    for key, value in params.items():
        if key in _PAGING or key not in known:
            continue
        if isinstance(value, Mapping) and value and value.keys() <= _RANGE:
            low, high = _bounds(value)
            checks.append(_in_range(key, low, high))
        else:
            checks.append(_equals(key, value))
    return checks


def _same(value: Any, object_id: str) -> bool:
    if isinstance(value, Mapping):
        return value.get("id") == object_id
    return bool(value == object_id)


def _equals(key: str, expected: Any) -> Check:
    def check(obj: dict[str, Any]) -> bool:
        value = obj.get(key)
        if isinstance(value, Mapping) and isinstance(expected, str):
            return value.get("id") == expected
        return bool(value == expected)

    return check


def _bounds(value: Any) -> tuple[int | None, int | None]:
    """Inclusive bounds of a `created`-style filter (`{"gte": 1, "lt": 5}` -> `(1, 4)`)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value, value
    if not isinstance(value, Mapping):
        return None, None
    lows = [int(value["gte"])] if "gte" in value else []
    lows += [int(value["gt"]) + 1] if "gt" in value else []
    highs = [int(value["lte"])] if "lte" in value else []
    highs += [int(value["lt"]) - 1] if "lt" in value else []
    return (max(lows) if lows else None), (min(highs) if highs else None)


def _in_range(key: str, low: int | None, high: int | None) -> Check:
    def check(obj: dict[str, Any]) -> bool:
        value = obj.get(key)
        if not isinstance(value, int | float):
            return False
        return (low is None or value >= low) and (high is None or value <= high)

    return check


def _page_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"fake-page:{offset}".encode()).decode().rstrip("=")


def _page_offset(token: Any) -> int:
    if token is None:
        return 0
    try:
        text = base64.urlsafe_b64decode(str(token) + "=" * (-len(str(token)) % 4)).decode()
        prefix, _, offset = text.partition(":")
        if prefix == "fake-page" and offset.isdigit():
            return int(offset)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise errors.invalid_request(f"Invalid page: {token!r} is not a page token", param="page")
