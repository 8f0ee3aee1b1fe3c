"""The single request loop: build the request, send it, decide whether to retry, return the body.

Everything that talks HTTP goes through `Requestor.request`: the generated services, pagination,
`StripeClient.raw_request`. It owns the aiohttp session of a client and its flow control
(`_ratelimit.Gate`: connection slots, client-side rate limit, server-asked pauses).

One call = one or more attempts under one deadline (`timeout`, total, retries and waits
included). Each attempt waits for its turn at the gate, is sent with aiohttp's own timeout set to
the time left, and on failure `RetryPolicy` decides whether another attempt is worth it and how
long to wait first. A POST carries the same `Idempotency-Key` on every attempt, so the API
performs it at most once however many times it is sent. See the README section "Retries, idempotency, rate limits and timeouts".
"""

from aiostripe._requestor.loop import (
    DEFAULT_BASE_URL,
    DEFAULT_FILES_URL,
    DEFAULT_METER_EVENTS_URL,
    DEFAULT_READ_TIMEOUT,
    OnRateLimitWait,
    OnRetry,
    Requestor,
)
from aiostripe._requestor.response import RawResponse
from aiostripe._requestor.wire import DEFAULT_MAX_RESPONSE_SIZE

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_FILES_URL",
    "DEFAULT_MAX_RESPONSE_SIZE",
    "DEFAULT_METER_EVENTS_URL",
    "DEFAULT_READ_TIMEOUT",
    "OnRateLimitWait",
    "OnRetry",
    "RawResponse",
    "Requestor",
]
