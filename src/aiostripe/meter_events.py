"""Meter events at volume: the v2 meter event session and stream, batched, paced and retried.

`POST /v2/billing/meter_events` takes one event per request; the stream
(`POST /v2/billing/meter_event_stream`, on `meter-events.stripe.com`) takes up to 100 per request,
authenticated by a meter event session's token, which lasts 15 minutes. `MeterEventStream` does
that bookkeeping::

    async with MeterEventStream(client, rate=10_000) as meter:
        for usage in usages:
            await meter.send("api_calls", {"stripe_customer_id": usage.customer, "value": "1"})
    # leaving the block sends what is queued and waits for it
    print(meter.stats)

* **Sessions**: created on first use and renewed `renew_before` seconds before `expires_at`, or
  at once when Stripe answers that the session expired (`TemporarySessionExpiredError`).
* **Batches** of at most `batch_size` (≤ 100) events, sent by up to `concurrency` requests at
  once, as soon as a batch is full or `linger` seconds after its first event.
* **Rate**: at most `rate` events a second are sent (None: no limit), as a token bucket.
* **No event counted twice**: every event gets an `identifier` (a UUID unless given) before it
  is first sent; Stripe accepts an identifier once within 24 hours, so a batch resent after an
  expired session or a failed attempt cannot count an event twice. The client's own retries
  (connection errors, 5xx, 429) apply to each request, with one idempotency key across them.
  A batch that still fails is kept in `failed` (with its error) and `retry_failed()` sends it
  again; a batch that succeeded is never sent again.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import attrs

from aiostripe._errors import StripeError, TemporarySessionExpiredError

if TYPE_CHECKING:
    from aiostripe._client import StripeClient

__all__ = ["FailedBatch", "MeterEventStats", "MeterEventStream"]

MAX_BATCH = 100
"""Events per stream request (Stripe's limit)."""


@attrs.define
class MeterEventStats:
    """Counters of a `MeterEventStream`."""

    queued: int = 0
    sent: int = 0  # events accepted by Stripe
    requests: int = 0  # stream requests that succeeded
    sessions: int = 0  # sessions created (the first and every renewal)
    resent: int = 0  # batches sent again after an expired session
    failed: int = 0  # events in batches given up on (see `failed`)


@attrs.define
class FailedBatch:
    events: list[dict[str, Any]]
    error: BaseException


class _Bucket:
    """At most `rate` events a second (`burst`: the most at once)."""

    def __init__(self, rate: float, burst: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.clock = clock
        self.sleep = sleep
        self.stamp = clock()

    async def take(self, n: int) -> None:
        while True:
            now = self.clock()
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            if self.tokens >= n - 1e-6:  # (float sums of the refills)
                self.tokens -= n
                return
            await self.sleep((n - self.tokens) / self.rate)


class MeterEventStream:
    """Send meter events through the v2 stream; see the module docstring."""

    def __init__(
        self,
        client: StripeClient,
        *,
        rate: float | None = 10_000,
        batch_size: int = MAX_BATCH,
        concurrency: int = 8,
        linger: float = 0.01,
        renew_before: float = 60.0,
        max_session_renewals: int = 2,
    ) -> None:
        if not 1 <= batch_size <= MAX_BATCH:
            raise ValueError(f"batch_size: expected 1 to {MAX_BATCH} events, got {batch_size!r}")
        if rate is not None and not rate > 0:
            raise ValueError(f"rate: expected events a second > 0 or None, got {rate!r}")
        if concurrency < 1:
            raise ValueError(f"concurrency: expected an integer >= 1, got {concurrency!r}")
        if linger < 0 or renew_before < 0:
            raise ValueError("linger and renew_before: expected seconds >= 0")
        self.client = client
        self.batch_size = batch_size
        self.linger = linger
        self.renew_before = renew_before
        self.max_session_renewals = max_session_renewals
        self.stats: MeterEventStats = MeterEventStats()
        self.failed: list[FailedBatch] = []
        self._bucket = None if rate is None else _Bucket(rate, max(rate / 10, batch_size))
        self._slots = asyncio.Semaphore(concurrency)
        self._pending: list[dict[str, Any]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._token: str | None = None
        self._expires = 0.0
        self._renewing: asyncio.Lock | None = None

    # --- queueing ---------------------------------------------------------------------------------

    async def send(
        self,
        event_name: str,
        payload: Mapping[str, str],
        *,
        identifier: str | None = None,
        timestamp: datetime | str | None = None,
    ) -> None:
        """Queue one event (sent in a batch); waits only while `concurrency` batches are in
        flight and the next one is full (backpressure)."""
        if not isinstance(event_name, str) or not event_name:
            raise ValueError("event_name: expected a non-empty str")
        if not isinstance(payload, Mapping):
            raise TypeError(f"payload: expected a dict of str values, got {type(payload).__name__}")
        event: dict[str, Any] = {
            "event_name": event_name,
            "payload": dict(payload),
            "identifier": identifier or uuid.uuid4().hex,
        }
        if timestamp is not None:
            event["timestamp"] = timestamp
        self._pending.append(event)
        self.stats.queued += 1
        if len(self._pending) >= self.batch_size:
            await self._dispatch_full()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self.linger, self._on_linger)

    def _on_linger(self) -> None:
        self._timer = None
        if self._pending:
            self._start(self._take())

    async def _dispatch_full(self) -> None:
        while len(self._pending) >= self.batch_size:
            await self._slots.acquire()  # backpressure: wait for a request slot
            if not self._pending:  # (the linger timer took them meanwhile)
                self._slots.release()
                return
            self._start(self._take(), slot_held=True)

    def _take(self) -> list[dict[str, Any]]:
        batch, self._pending = self._pending[: self.batch_size], self._pending[self.batch_size :]
        if not self._pending and self._timer is not None:
            self._timer.cancel()
            self._timer = None
        return batch

    def _start(self, batch: list[dict[str, Any]], slot_held: bool = False) -> None:
        task = asyncio.get_running_loop().create_task(self._send_batch(batch, slot_held))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- sending ----------------------------------------------------------------------------------

    async def _session_token(self, expired: str | None = None) -> str:
        """The session's token, renewed when it nears `expires_at` or is the `expired` one
        (batches that find it expired at once renew it once)."""
        if self._renewing is None:
            self._renewing = asyncio.Lock()
        async with self._renewing:
            if (self._token is None or self._token == expired
                    or time.time() >= self._expires - self.renew_before):
                session = await self.client.v2.billing.meter_event_session.create()
                self._token = session.authentication_token
                self._expires = session.expires_at.astimezone(UTC).timestamp()
                self.stats.sessions += 1
            return self._token

    async def _send_batch(self, batch: list[dict[str, Any]], slot_held: bool) -> None:
        if not slot_held:
            await self._slots.acquire()
        try:
            if self._bucket is not None:
                await self._bucket.take(len(batch))
            token = await self._session_token()
            renewals = 0
            while True:
                try:
                    await self.client.v2.billing.meter_event_stream.create(
                        events=batch,  # type: ignore[arg-type]  # dicts of the params shape
                        request_options={"api_key": token},
                    )
                    break
                except TemporarySessionExpiredError:
                    if renewals >= self.max_session_renewals:
                        raise
                    renewals += 1
                    self.stats.resent += 1  # same identifiers: no event counted twice
                    token = await self._session_token(expired=token)
            self.stats.sent += len(batch)
            self.stats.requests += 1
        except StripeError as exc:
            self.failed.append(FailedBatch(batch, exc))
            self.stats.failed += len(batch)
        finally:
            self._slots.release()

    async def flush(self) -> MeterEventStats:
        """Send what is queued and wait for every batch in flight; the stats."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        while self._pending:
            self._start(self._take())
        while self._tasks:
            await asyncio.gather(*list(self._tasks))
        return self.stats

    async def retry_failed(self) -> MeterEventStats:
        """Send the failed batches again (same identifiers), then `flush`."""
        failed, self.failed = self.failed, []
        for batch in failed:
            self.stats.failed -= len(batch.events)
            self._start(batch.events)
        return await self.flush()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.flush()
