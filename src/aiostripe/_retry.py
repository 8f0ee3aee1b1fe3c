"""When to retry a failed attempt and how long to wait first."""

from __future__ import annotations

import random
from collections.abc import Mapping

import attrs


@attrs.frozen
class RetryPolicy:
    """Retries with capped exponential backoff and full jitter.

    `Stripe-Should-Retry` decides first; otherwise connection errors, timeouts, 409, 429 and 5xx
    are retried, other 4xx never.
    """

    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0

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

    def backoff(self, retry: int) -> float:
        """Seconds to wait before retry number `retry` (1-based): full jitter under the cap."""
        return random.uniform(0, min(self.max_delay, self.initial_delay * 2 ** (retry - 1)))
