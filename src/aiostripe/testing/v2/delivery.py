"""Thin event deliveries of the fake: each v2 event POSTed, signed, to the enabled
`webhook_endpoint` destinations that want it, as Stripe's event destinations do.

The body is the thin event (no `data`, no `changes`), signed like a v1 webhook (`Stripe-Signature`
with the destination's `whsec_` secret, `signed_post.py`). Only loopback URLs are accepted
(checked when the destination is made, and again when sending). A delivery is tried once; `attempts` records each; `await wait()` returns
once every delivery is done.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import attrs

from aiostripe.testing.signed_post import is_loopback_url, post_signed
from aiostripe.testing.v2.errors import invalid

THIN_FIELDS = ("id", "object", "type", "livemode", "created", "context", "related_object",
               "reason")
"""What a thin event carries (the full event, from `GET /v2/core/events/{id}`, adds `data`)."""


@attrs.define
class V2Attempt:
    event: str
    type: str
    destination: str
    url: str
    status: int | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def check_url(url: object) -> str:
    """A destination URL: http(s) on a loopback host (the fake never calls anything else)."""
    if is_loopback_url(url):
        return url
    raise invalid(
        f"webhook_endpoint.url: the fake only delivers to loopback URLs "
        f"(http://127.0.0.1:PORT/...), got {url!r}"
    )


def thin(event: dict[str, Any]) -> dict[str, Any]:
    return {k: event[k] for k in THIN_FIELDS if k in event}


class ThinDeliveries:
    """Queues, signs and sends thin events."""

    def __init__(self, timeout: float = 10.0) -> None:
        self.timeout = timeout
        self.attempts: list[V2Attempt] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._session: aiohttp.ClientSession | None = None

    def send(self, event: dict[str, Any], destination: dict[str, Any], secret: str) -> None:
        url = destination["webhook_endpoint"]["url"]
        payload = json.dumps(thin(event)).encode()
        attempt = V2Attempt(event["id"], event["type"], destination["id"], url)
        self.attempts.append(attempt)
        task = asyncio.get_running_loop().create_task(self._post(attempt, payload, secret))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _post(self, attempt: V2Attempt, payload: bytes, secret: str) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        attempt.status, attempt.error = await post_signed(
            self._session, attempt.url, payload, secret, self.timeout
        )

    async def wait(self) -> None:
        """Until every delivery started so far is done."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        await self.wait()
        session, self._session = self._session, None
        if session is not None:
            await session.close()
