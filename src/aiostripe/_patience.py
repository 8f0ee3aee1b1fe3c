"""Patience with rate limits over a whole run: long listings that never die of a 429.

A client retries a 429 a few times (`max_retries`) within one call's `timeout`. A listing of a
million objects makes ten thousand calls, and a busy account can answer 429 (`rate_limit`, or
`lock_timeout`) for longer than one call's retries last. `auto_paging_iter(max_wait=600)` (and
the CLI's `--max-wait`) then tries the page again after a backoff, from the same position, until
the waits of the whole run add up to `max_wait` seconds; only then is the `RateLimitError`
raised. The position never moves on a failure, so nothing is skipped or repeated, and a run that
does give up leaves its cursor where the last page ended.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

import attrs

from aiostripe._errors import RateLimitError

logger = logging.getLogger("aiostripe")

T = TypeVar("T")

INITIAL_BACKOFF = 1.0
MAX_BACKOFF = 30.0

_sleep = asyncio.sleep  # tests record the waits


@attrs.define
class Patience:
    """How long a run may still wait on rate limits, and the backoff of the failures in a row."""

    max_wait: float = attrs.field(validator=attrs.validators.ge(0.0))
    waited: float = 0.0
    in_a_row: int = 0

    @property
    def left(self) -> float:
        return max(0.0, self.max_wait - self.waited)

    def delay(self, error: RateLimitError) -> float | None:
        """Seconds to wait before trying again (`Retry-After` if the 429 had one, else a jittered
        exponential backoff), capped by what is left; None when nothing is left."""
        if self.left <= 0.0:
            return None
        self.in_a_row += 1
        if error.retry_after is not None:
            wanted = error.retry_after
        else:
            cap = min(MAX_BACKOFF, INITIAL_BACKOFF * 2.0 ** min(self.in_a_row - 1, 16))
            wanted = cap * random.uniform(0.5, 1.0)
        delay = min(wanted, self.left)
        self.waited += delay
        return delay


async def patiently(fetch: Callable[[], Awaitable[T]], patience: Patience | None, what: str) -> T:
    """`await fetch()`, tried again after each `RateLimitError` while `patience` lasts."""
    while True:
        try:
            result = await fetch()
        except RateLimitError as exc:
            delay = patience.delay(exc) if patience is not None else None
            if delay is None:
                raise
            logger.warning(
                "%s: rate limited (%s) after the client's retries; trying again in %.1fs "
                "(%.0fs of max_wait left)",
                what, exc.code or "rate_limit", delay, patience.left if patience else 0.0,
            )
            await _sleep(delay)
        else:
            if patience is not None:
                patience.in_a_row = 0
            return result
