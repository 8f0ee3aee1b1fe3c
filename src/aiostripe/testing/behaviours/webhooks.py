"""Webhook delivery: every recorded event POSTed, signed, to the endpoints that want it.

As Stripe does it (https://docs.stripe.com/webhooks): an enabled `webhook_endpoint` receives the
events whose type is in its `enabled_events` (or `"*"`); a `connect=true` endpoint receives the
events of connected accounts, the others the platform's own. The body is the event as JSON, with
a `Stripe-Signature` header made with the endpoint's `whsec_` secret. A delivery that fails (no
2xx answer, a connection error, a timeout) is retried with exponential backoff; Stripe retries
over hours (three times in test mode, for three days in live mode), the fake after
`retry_delays` seconds (fast by default, for tests). Deliveries go only to loopback URLs and
follow no redirect (`signed_post.py`): a 3xx answer is a failed delivery, as at Stripe. Events about one object reach an endpoint in
the order they happened: the next waits until the previous one is delivered or given up.
`await fake.webhooks.wait()` returns once every delivery is done.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections import deque
from collections.abc import Sequence
from typing import Any

import aiohttp
import attrs

from aiostripe.testing.signed_post import post_signed
from aiostripe.testing.store import Store

DEFAULT_RETRY_DELAYS = (0.05, 0.1, 0.2)
"""Seconds before each retry (three retries, doubling, like Stripe's test mode but in seconds)."""


@attrs.define
class Attempt:
    """One POST of an event to an endpoint, and how it went."""

    event: str
    type: str
    endpoint: str
    url: str
    attempt: int
    status: int | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class WebhookDispatcher:
    """Queues, signs, sends and retries the deliveries of one fake."""

    def __init__(
        self,
        store: Store,
        retry_delays: Sequence[float] = DEFAULT_RETRY_DELAYS,
        timeout: float = 10.0,
    ) -> None:
        self.store = store
        self.retry_delays: tuple[float, ...] = tuple(retry_delays)
        self.timeout = timeout
        self.secrets: dict[str, str] = {}
        """The signing secret of each endpoint, by endpoint id."""
        self.connect: set[str] = set()
        """The endpoints made with `connect=true` (the object does not show it)."""
        self.attempts: list[Attempt] = []
        """Every delivery attempt so far, in order."""
        self.loop: asyncio.AbstractEventLoop | None = None
        self._queues: dict[tuple[str, str], deque[dict[str, Any]]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._session: aiohttp.ClientSession | None = None

    def new_secret(self, endpoint_id: str) -> str:
        secret = "whsec_" + secrets.token_hex(16)
        self.secrets[endpoint_id] = secret
        return secret

    # --- queueing -------------------------------------------------------------------------------

    def endpoints_for(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        """The enabled endpoints that want `event`."""
        connected = event.get("account") is not None
        out = []
        for endpoint in self.store.every("webhook_endpoint"):
            if endpoint.get("status") != "enabled" or endpoint["id"] not in self.secrets:
                continue
            if (endpoint["id"] in self.connect) != connected:
                continue
            wanted = endpoint.get("enabled_events") or []
            if "*" in wanted or event["type"] in wanted:
                out.append(endpoint)
        return out

    def enqueue(self, event: dict[str, Any]) -> int:
        """Queue `event` for every endpoint that wants it; returns how many do (a listener of
        the event log)."""
        endpoints = self.endpoints_for(event)
        subject = str(event["data"]["object"].get("id", ""))
        for endpoint in endpoints:
            key = (endpoint["id"], subject)
            queue = self._queues.get(key)
            if queue is not None:
                queue.append(event)
                continue
            self._queues[key] = deque([event])
            self._start(key, endpoint["url"])
        return len(endpoints)

    def _start(self, key: tuple[str, str], url: str) -> None:
        loop = self.loop
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if loop is None or loop is running:
            task = asyncio.get_running_loop().create_task(self._drain(key, url))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        else:  # an event made from another thread (`in_thread`)
            loop.call_soon_threadsafe(self._start, key, url)

    async def _drain(self, key: tuple[str, str], url: str) -> None:
        queue = self._queues[key]
        try:
            while queue:
                await self._deliver(key[0], url, queue[0])
                queue.popleft()
        finally:
            del self._queues[key]

    # --- sending --------------------------------------------------------------------------------

    async def _deliver(self, endpoint_id: str, url: str, event: dict[str, Any]) -> bool:
        payload = json.dumps(event)
        for attempt, delay in enumerate((0.0, *self.retry_delays), start=1):
            if delay:
                await asyncio.sleep(delay)
            secret = self.secrets.get(endpoint_id)
            if secret is None:  # the endpoint was deleted meanwhile
                return False
            record = Attempt(event["id"], event["type"], endpoint_id, url, attempt)
            self.attempts.append(record)
            await self._post(url, payload, secret, record)
            if record.ok:
                self._delivered(event["id"])
                return True
        return False

    async def _post(self, url: str, payload: str, secret: str, record: Attempt) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        record.status, record.error = await post_signed(
            self._session, url, payload.encode(), secret, self.timeout
        )

    def _delivered(self, event_id: str) -> None:
        event = self.store.objects.get(event_id)
        if event is not None and event.get("pending_webhooks", 0) > 0:
            self.store.replace({**event, "pending_webhooks": event["pending_webhooks"] - 1})

    # --- waiting --------------------------------------------------------------------------------

    async def wait(self, timeout: float = 10.0) -> None:
        """Return once every queued delivery is done (delivered or given up after its retries);
        `TimeoutError` after `timeout` seconds."""
        loop = self.loop
        if loop is not None and loop is not asyncio.get_running_loop():
            future = asyncio.run_coroutine_threadsafe(self.wait(timeout), loop)
            await asyncio.wrap_future(future)
            return
        async with asyncio.timeout(timeout):
            while self._tasks:
                await asyncio.wait(set(self._tasks))

    async def close(self) -> None:
        """Cancel the deliveries under way and close the HTTP session."""
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(set(self._tasks))
        if self._session is not None:
            await self._session.close()
            self._session = None
        self._queues.clear()

    def failed(self) -> list[Attempt]:
        """The attempts that did not get a 2xx answer."""
        return [a for a in self.attempts if not a.ok]
