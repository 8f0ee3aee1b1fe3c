"""The request log of the fake: one record per request received, for assertions in tests.

The log is bounded, since users run the fake for long (`python -m aiostripe.testing`) and send
it anything: the `Authorization` header is kept masked (`Bearer sk_test_********1234`; the key
itself only as `record.api_key`, which no repr shows), a
request's parameters are kept up to `MAX_KEPT_PARAMS` characters (longer strings and files are
cut, further entries dropped, and `truncated` set), and `fake.requests` keeps the latest
`MAX_LOGGED_REQUESTS` records, fewer when they hold more than `MAX_LOGGED_BYTES` in all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from aiostripe.testing.keys import redact_key
from aiostripe.testing.validate import UploadedFile

MAX_KEPT_PARAMS = 16 * 1024
"""Characters (bytes of files) of one request's parameters kept in its record."""
MAX_LOGGED_REQUESTS = 100_000
"""Records kept in `fake.requests` (the oldest are dropped first)."""
MAX_LOGGED_BYTES = 64 << 20
"""Parameters kept in all the records of `fake.requests`, about (the oldest are dropped)."""


@attrs.define
class RequestRecord:
    """A request as the fake received it, and what it answered.

    `query` and `form` are decoded into nested dicts and lists (values stay strings, uploaded
    files are `UploadedFile`s); `params` is both merged. `operation` is the client method the
    request maps to (`"customers.create"`), None for an unknown URL. `fault` names the injected
    fault that answered it, if any. `headers` has the `Authorization` masked as Stripe shows
    keys (`Bearer sk_test_********1234`); `api_key` is the Bearer key itself, for assertions,
    left out of the record's repr; `truncated` says the parameters were cut to
    `MAX_KEPT_PARAMS`.
    """

    method: str
    path: str
    query: dict[str, Any]
    form: dict[str, Any]
    headers: dict[str, str]
    request_id: str
    operation: str | None = None
    status: int | None = None
    fault: str | None = None
    replayed: bool = False
    truncated: bool = False
    size: int = 0  # characters of parameters kept
    api_key: str | None = attrs.field(default=None, repr=False)
    """The API key the request was sent with (never shown in the record's repr)."""
    answer: Any = None
    """The JSON body answered to a `/v2/` request (for checks against the spec)."""

    @property
    def params(self) -> dict[str, Any]:
        return {**self.query, **self.form}


    @property
    def idempotency_key(self) -> str | None:
        return self.headers.get("Idempotency-Key")


def bearer_key(headers: Mapping[str, str]) -> str | None:
    """The key of a `Bearer` `Authorization` header, None without one."""
    auth = headers.get("Authorization", "")
    return auth[7:] if auth.startswith("Bearer ") else None


def logged_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers of a request as the log keeps them: `Authorization` masked."""
    kept = dict(headers)
    for name, value in headers.items():
        if name.lower() == "authorization":
            scheme, _, credentials = value.strip().partition(" ")
            masked = redact_key(credentials.strip()) if credentials else "***"
            kept[name] = f"{scheme} {masked}" if scheme.lower() == "bearer" else f"{scheme} ***"
    return kept


def bound_params(record: RequestRecord, received: int) -> None:
    """Cut `record`'s parameters to `MAX_KEPT_PARAMS` (`received`: the size of the query and
    body as they came, which spares the walk for the usual small request)."""
    if received <= MAX_KEPT_PARAMS:
        record.size = received
        return
    budget = [MAX_KEPT_PARAMS]
    record.query = _cut(record.query, budget, record)
    record.form = _cut(record.form, budget, record)
    record.size = MAX_KEPT_PARAMS - budget[0]


def _cut(value: Any, budget: list[int], record: RequestRecord) -> Any:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if budget[0] <= 0:
                record.truncated = True
                break
            budget[0] -= min(len(key), budget[0])
            out[key] = _cut(item, budget, record)
        return out
    if isinstance(value, list):
        items: list[Any] = []
        for item in value:
            if budget[0] <= 0:
                record.truncated = True
                break
            items.append(_cut(item, budget, record))
        return items
    if isinstance(value, str | UploadedFile):
        data = value.data if isinstance(value, UploadedFile) else value
        keep = max(budget[0], 0)
        budget[0] -= min(len(data), keep)
        if len(data) <= keep:
            return value
        record.truncated = True
        if isinstance(value, UploadedFile):
            return attrs.evolve(value, data=value.data[:keep])
        return value[:keep]
    return value


def trim(requests: list[RequestRecord], kept: int) -> int:
    """Drop the oldest records past `MAX_LOGGED_REQUESTS` or `MAX_LOGGED_BYTES`; `kept` is the
    running estimate of the bytes held, returned updated (recounted when it passes the bound:
    `fake.requests.clear()` and the like leave it high)."""
    if len(requests) > MAX_LOGGED_REQUESTS:
        del requests[: len(requests) - MAX_LOGGED_REQUESTS + MAX_LOGGED_REQUESTS // 10]
        kept = MAX_LOGGED_BYTES + 1  # recount below
    if kept > MAX_LOGGED_BYTES:
        kept = sum(record.size for record in requests)
        drop = 0
        while kept > MAX_LOGGED_BYTES * 3 // 4 and drop < len(requests):
            kept -= requests[drop].size
            drop += 1
        del requests[:drop]
    return kept
