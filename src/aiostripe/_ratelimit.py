"""Client-side flow control: a token bucket, the cap on requests in flight, server-asked pauses.

Every attempt of a client passes one `Gate` before it is sent:

1. a free slot under `max_connections` (`Slots`, a FIFO counting semaphore that hands a freed
   slot straight to the oldest waiter);
2. the end of any pause a 429/503 with `Retry-After` asked of the whole client;
3. a token of the optional `RateLimit` bucket (`TokenBucket`), shared by all calls of the client;
   or, with `RateLimit(..., redis=URL)`, a slot of the budget every process shares in Redis
   (`_shared_budget.SharedBudget`), the local bucket standing in while Redis is unreachable.

None of it costs anything when it is not needed: with a free slot, no rate limit and no pause, an
attempt goes through with two integer updates and no await.
"""

from __future__ import annotations

import asyncio
import collections
import importlib.util
import math
import re
from typing import SupportsFloat, SupportsIndex

import attrs

from aiostripe._shared_budget import SharedBudget, redact_url

_TOLERANCE = 0.001
"""Waits shorter than this (seconds) are not worth a sleep."""


def _positive(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not (value > 0 and math.isfinite(value)):
        raise ValueError(f"{attribute.name}: expected a finite number > 0, got {value!r}")


def _as_float(value: SupportsFloat | SupportsIndex | str) -> float:
    """`float(value)`, as a Python function: attrs reads a converter's signature when it builds
    the class, and for a builtin such as `float` that means parsing its text signature (~1 ms of
    every program's start)."""
    return float(value)


def _default_burst(instance: RateLimit) -> int:
    rate = instance.rate  # not validated yet: validators run after every default
    return max(1, math.ceil(rate)) if math.isfinite(rate) else 1


def _redis_url(instance: object, attribute: attrs.Attribute[str | None], value: object) -> None:
    if value is None:
        return
    if not isinstance(value, str) or not re.match(r"^(rediss?|unix)://\S+$", value):
        shown = redact_url(value) if isinstance(value, str) else value
        raise ValueError(
            f"redis: expected a URL such as 'redis://localhost:6379/0', got {shown!r}"
        )
    if importlib.util.find_spec("redis") is None:
        raise ValueError("redis: the redis package is missing: pip install 'aiostripe[redis]'")


def _optional_key(instance: object, attribute: attrs.Attribute[str | None], value: object) -> None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ValueError(f"key: expected a non-empty string, got {value!r}")


@attrs.frozen
class RateLimit:
    """At most `rate` requests a second on average, with bursts of up to `burst` at once.

    `StripeClient(api_key, rate_limit=RateLimit(20, burst=5))`; a bare number,
    `rate_limit=20`, means `RateLimit(20)`. `burst` defaults to one second's worth of requests
    (`ceil(rate)`); `burst=1` spaces requests evenly, `1 / rate` seconds apart.
    Every attempt takes a token, retries included.

    `redis="redis://host:6379/0"` keeps the bucket in Redis instead, shared by every client in
    every process that uses the same `key` (default: the account, from a fingerprint of the API
    key and `Stripe-Account`); `endpoint_limits=True` adds Stripe's per-endpoint buckets
    (search 20/s, files 20/s, any other endpoint 25/s). See README "Many processes, one account".
    """

    rate: float = attrs.field(converter=_as_float, validator=_positive)
    burst: int = attrs.field(
        default=attrs.Factory(_default_burst, takes_self=True),
        validator=[attrs.validators.instance_of(int), attrs.validators.ge(1)],
    )
    redis: str | None = attrs.field(
        default=None, kw_only=True, validator=_redis_url,
        repr=lambda url: repr(None if url is None else redact_url(url)),
    )
    key: str | None = attrs.field(default=None, kw_only=True, validator=_optional_key)
    endpoint_limits: bool = attrs.field(
        default=False, kw_only=True, validator=attrs.validators.instance_of(bool)
    )

    def __attrs_post_init__(self) -> None:
        if self.redis is None and (self.key is not None or self.endpoint_limits):
            raise ValueError("RateLimit: key= and endpoint_limits= need redis='redis://...'")


class TokenBucket:
    """A token bucket that hands out reservations: `reserve(now)` takes a token at once (going
    into debt when empty) and says how long to wait until it is really yours. Waiters are served
    in the order they asked, with no lock and no background task."""

    __slots__ = ("_stamp", "_tokens", "capacity", "rate")

    def __init__(self, limit: RateLimit) -> None:
        self.rate: float = limit.rate
        self.capacity: float = float(limit.burst)
        self._tokens = self.capacity
        self._stamp: float | None = None

    def _refill(self, now: float) -> float:
        if self._stamp is None:
            self._stamp = now
        elif now > self._stamp:
            self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
        return self._tokens

    def reserve(self, now: float) -> float:
        """Take one token; return the seconds until it may be used (0.0: now)."""
        tokens = self._refill(now) - 1.0
        self._tokens = tokens
        return 0.0 if tokens >= 0.0 else -tokens / self.rate

    def refund(self, now: float) -> None:
        """Give back a token whose reservation was not used (a cancelled or abandoned wait)."""
        self._tokens = min(self.capacity, self._refill(now) + 1.0)

    def available(self, now: float) -> float:
        """Tokens available at `now` (negative: owed to waiters)."""
        return self._refill(now)


class Slots:
    """A FIFO counting semaphore: `try_acquire()` without awaiting, `acquire()` to wait in line,
    `release()` hands the slot to the oldest live waiter (no barging past the queue)."""

    __slots__ = ("_free", "_waiters", "limit")

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"max_connections: expected an int >= 1, got {limit!r}")
        self.limit: int = limit
        self._free = limit
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()

    @property
    def in_use(self) -> int:
        return self.limit - self._free

    @property
    def waiting(self) -> int:
        return sum(1 for fut in self._waiters if not fut.done())

    def try_acquire(self) -> bool:
        if self._free > 0 and not self._waiters:
            self._free -= 1
            return True
        return False

    async def acquire(self) -> None:
        """Wait for a slot, in line. Cancellation (or a timeout around it) leaves no slot taken."""
        if self.try_acquire():
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(fut)
        try:
            await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():
                self.release()  # we were handed a slot just as we were cancelled: pass it on
            raise

    def release(self) -> None:
        waiters = self._waiters
        while waiters:
            fut = waiters.popleft()
            if not fut.done():
                fut.set_result(None)  # the slot goes straight to this waiter
                return
        self._free += 1


class Gate:
    """What an attempt waits for before it is sent: a slot, a server-asked pause, a token."""

    __slots__ = ("bucket", "paused_until", "shared", "slots")

    def __init__(
        self,
        max_connections: int,
        rate_limit: RateLimit | None,
        account: str = "",
        max_pause: float = 60.0,
    ) -> None:
        self.slots: Slots = Slots(max_connections)
        self.bucket: TokenBucket | None = TokenBucket(rate_limit) if rate_limit is not None else None
        self.shared: SharedBudget | None = (
            SharedBudget(rate_limit, account, max_pause)
            if rate_limit is not None and rate_limit.redis is not None
            else None
        )
        """The Redis budget (`account`: its default key; `max_pause`: the longest shared pause
        obeyed, the client's `max_retry_after`), when the rate limit has one."""
        self.paused_until: float = 0.0
        """Loop time before which no attempt starts (0.0: no pause)."""

    def pause(self, until: float, now: float | None = None) -> None:
        """Hold every attempt of the client until loop time `until` (a 429 with Retry-After);
        with a shared budget, every process on it (`now`: the loop time, to share the pause)."""
        self.paused_until = max(self.paused_until, until)
        if self.shared is not None and now is not None:
            self.shared.pause(until - now)

    async def shared_wait_needed(
        self, now: float, waited_until: float, method: str, path: str, max_wait: float
    ) -> tuple[float, str] | None:
        """`wait_needed` with a shared budget: the slot comes from Redis, or from the local
        bucket while Redis is unreachable. Waits `max_wait` or longer reserve nothing."""
        shared = self.shared
        assert shared is not None
        if shared.usable(now):
            try:
                wait, _, paused = await shared.reserve(method, path, max_wait)
            except Exception as exc:  # noqa: BLE001 - Redis down or odd (any error of the
                # redis client, a reply it cannot parse): never a reason to fail a call
                shared.went_down(now, exc)
            else:
                local = self.paused_until - max(now, waited_until) if self.paused_until else 0.0
                if local > wait:  # our own 429's pause, not in Redis yet
                    return local, "retry_after"
                if wait <= _TOLERANCE:
                    return None
                return wait, ("retry_after" if paused else "rate_limit")
        return self.wait_needed(now, waited_until)

    async def close(self) -> None:
        if self.shared is not None:
            await self.shared.close()

    def wait_needed(self, now: float, waited_until: float = 0.0) -> tuple[float, str] | None:
        """Reserve this attempt's turn: None when it may go now, else (seconds to wait, reason).

        `waited_until`: the time up to which the caller has just waited already (a retry after
        its backoff), which counts towards a pause. Takes a token from the bucket (a
        reservation); if the caller then does not go, it must `cancel_wait(now)` to give it back.
        """
        pause = 0.0
        if self.paused_until:
            pause = self.paused_until - max(now, waited_until)
            if pause <= _TOLERANCE:  # over (or as good as: a sleep may wake a hair early)
                self.paused_until = 0.0
                pause = 0.0
        wait = 0.0
        if self.bucket is not None:
            # a pause holds the bucket too: its tokens are reckoned from the end of the pause
            wait = self.bucket.reserve(now + pause) + pause
        elif pause:
            wait = pause
        if wait <= _TOLERANCE:
            return None
        return wait, ("retry_after" if pause else "rate_limit")

    def cancel_wait(self, now: float) -> None:
        if self.bucket is not None:
            self.bucket.refund(now)

    @property
    def active(self) -> bool:
        """Whether attempts may have to wait for something besides a slot."""
        return self.bucket is not None or self.paused_until != 0.0

