"""When to retry a failed attempt, how long to wait first, and what gets counted and reported.

Pure decisions, no I/O: `RetryPolicy.should_retry` classifies the outcome of one attempt,
`RetryPolicy.delay` computes the wait before the next one (capped exponential backoff with full
jitter, or the server's `Retry-After`), `parse_retry_after` reads that header. The loop that
applies them is `Requestor.request`; it records what happened in a `ClientStats` and hands
`RetryEvent`s / `WaitEvent`s to the client's `on_retry` / `on_rate_limit_wait` callbacks.
"""

from __future__ import annotations

import datetime
import math
import random
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from aiostripe._errors import StripeError

DEFAULT_MAX_RETRIES = 2
DEFAULT_INITIAL_DELAY = 0.5
DEFAULT_MAX_DELAY = 8.0
DEFAULT_MAX_RETRY_AFTER = 60.0

_GE0 = attrs.validators.ge(0)
_GE0F = attrs.validators.ge(0.0)


@attrs.frozen
class RetryPolicy:
    """Which failures are retried, how many times, and how long to wait in between.

    - `Stripe-Should-Retry: true|false` on a response decides first;
    - otherwise connection errors, timeouts, 409, 429 and 5xx are retried, other 4xx never;
    - the wait before retry *n* (1-based) is uniform in
      `[0, min(max_delay, initial_delay * 2 ** (n - 1))]` ("full jitter"), unless the response
      carries `Retry-After`, which is then obeyed exactly, capped at `max_retry_after`.

    A call never waits past its deadline (its total `timeout`): a wait that would cross it is not
    slept and the last error is raised instead.
    """

    max_retries: int = attrs.field(default=DEFAULT_MAX_RETRIES, validator=_GE0)
    initial_delay: float = attrs.field(default=DEFAULT_INITIAL_DELAY, validator=_GE0F)
    max_delay: float = attrs.field(default=DEFAULT_MAX_DELAY, validator=_GE0F)
    max_retry_after: float = attrs.field(default=DEFAULT_MAX_RETRY_AFTER, validator=_GE0F)

    def should_retry(self, status: int | None, headers: Mapping[str, str] | None) -> bool:
        """Whether an attempt that ended with `status` (None: no response) may be retried."""
        if headers is not None:
            verdict = headers.get("Stripe-Should-Retry")
            if verdict == "true":
                return True
            if verdict == "false":
                return False
        if status is None:
            return True
        return status in (409, 429) or status >= 500

    def backoff_cap(self, retry: int) -> float:
        """The upper bound of the jittered wait before retry number `retry` (1-based)."""
        # min() first on the exponent keeps 2 ** n from overflowing on absurd retry counts
        return min(self.max_delay, self.initial_delay * 2.0 ** min(retry - 1, 64))

    def backoff(self, retry: int) -> float:
        """Seconds to wait before retry number `retry` (1-based): full jitter under the cap."""
        return random.uniform(0.0, self.backoff_cap(retry))

    def delay(self, retry: int, headers: Mapping[str, str] | None) -> float:
        """The wait before retry number `retry`: `Retry-After` (capped) when the response of the
        failed attempt has one, else the jittered backoff."""
        if headers is not None:
            retry_after = parse_retry_after(headers.get("Retry-After"))
            if retry_after is not None:
                return min(retry_after, self.max_retry_after)
        return self.backoff(retry)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from `now` (default: the wall clock) a `Retry-After` value asks to wait.

    Accepts delay-seconds (`"2"`, also `"1.5"`) and an HTTP date
    (`"Wed, 21 Oct 2015 07:28:00 GMT"`); a date in the past means 0. None when absent or
    unreadable.
    """
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        import email.utils  # (~5 ms to import: only for the rare HTTP-date form)

        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:  # "-0000": UTC, as HTTP dates always are
            when = when.replace(tzinfo=datetime.UTC)
        seconds = when.timestamp() - (time.time() if now is None else now)
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


@attrs.define(slots=True)
class ClientStats:
    """Counters of one client, for metrics: read them at any time (`client.stats.retries`).

    They only ever grow; take differences between two readings for rates.
    """

    requests: int = 0
    """Calls started (a call with two retries counts once)."""
    attempts: int = 0
    """Attempts made, retries included (each is one request on the wire, unless it could not
    connect: see `unreachable`)."""
    retries: int = 0
    """Retries made (a call with two retries counts two), reconnects after `unreachable`
    attempts included."""
    gave_up: int = 0
    """Calls that failed with a retryable error after their retries or their deadline ran out."""
    rate_limited: int = 0
    """429 responses received (rate limits and lock timeouts)."""
    rate_limit_waits: int = 0
    """Times an attempt waited for the client-side rate limit or a server-requested pause."""
    rate_limit_wait_seconds: float = 0.0
    """Total seconds of those waits."""
    connection_waits: int = 0
    """Times an attempt waited for a free slot under `max_connections`."""
    unreachable: int = 0
    """Attempts that could not connect (refused, DNS, connect timeout): nothing was sent."""
    outages: int = 0
    """Times the API host was found unreachable, after being reachable."""


@attrs.frozen
class RetryEvent:
    """Passed to `on_retry` just before the wait that precedes a retry."""

    method: str
    """`"GET"`, `"POST"`, `"DELETE"`."""
    path: str
    """The API path, without the query string."""
    attempt: int
    """The attempt that failed (1 for the first)."""
    delay: float
    """Seconds the call now waits before attempt `attempt + 1`."""
    status: int | None
    """The HTTP status of the failed attempt; None for a connection error or timeout."""
    request_id: str | None
    """The `Request-Id` of the failed attempt, when it got a response."""
    reason: str
    """Why: `"connection"`, `"timeout"`, `"status 503"`, `"rate_limit"`, `"lock_timeout"`,
    `"should_retry"` (the API said `Stripe-Should-Retry: true`)."""
    error: StripeError
    """The error the call would raise if it did not retry."""


@attrs.frozen
class WaitEvent:
    """Passed to `on_rate_limit_wait` just before an attempt waits for the client-side rate
    limit (`reason="rate_limit"`) or for a pause a 429/503 with `Retry-After` asked of the whole
    client (`reason="retry_after"`)."""

    method: str
    path: str
    seconds: float
    reason: str
