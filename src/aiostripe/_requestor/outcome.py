"""One call across its attempts (`_Call`) and the outcome of a failed attempt (`_Failure`):
whether it reached the API, why it is retried, how it is described in logs; and `_notify`, which
runs a metrics callback without letting it break the call."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import attrs
from yarl import URL

from aiostripe._errors import (
    StripeError,
)

if TYPE_CHECKING:
    # aiohttp (~0.1 s to import) loads on the first request, not at client creation
    import aiohttp

    from aiostripe._requestor.wire import _MultipartBody
    from aiostripe._telemetry import CallTrace


logger = logging.getLogger("aiostripe")

@attrs.define(slots=True)
class _Call:
    """The state of one call across its attempts."""

    method: str
    verb: str
    target: URL
    headers: dict[str, str]
    data: Any
    body: _MultipartBody | None
    max_retries: int
    timeout: aiohttp.ClientTimeout
    connect: float
    read: float | None
    loop: asyncio.AbstractEventLoop
    start: float
    deadline: float
    attempt: int = 0
    unsent: int = 0  # attempts that could not connect: they do not spend max_retries
    resume: float = 0.0  # when the last backoff ended
    error: StripeError | None = None
    trace: CallTrace | None = None  # what the client's telemetry follows of this call

    @property
    def idempotent(self) -> bool:
        """Whether sending the call again cannot do anything twice."""
        return self.method != "post" or "Idempotency-Key" in self.headers


@attrs.frozen
class _Failure:
    """A failed attempt, classified: the error the call would raise, and whether to retry."""

    status: int | None  # None: no response (connection error, timeout)
    headers: Mapping[str, str] | None
    error: StripeError
    retryable: bool
    request_id: str | None
    unsent: bool = False  # the connection could not be made: nothing reached the API

    @property
    def reason(self) -> str:
        if self.unsent:
            return "unreachable"
        return _reason(self.status, self.headers, self.error)


def _retryable_client_error(exc: aiohttp.ClientError) -> bool:
    """Connection trouble may pass; a certificate, a TLS setup or a URL that is wrong will not."""
    import aiohttp

    if isinstance(exc, aiohttp.ClientSSLError | aiohttp.ServerFingerprintMismatch):
        return False
    return isinstance(
        exc,
        aiohttp.ClientConnectionError | aiohttp.ClientPayloadError | aiohttp.ClientResponseError,
    ) and not isinstance(exc, aiohttp.InvalidURL)


def _unsent(exc: StripeError) -> bool:
    """Whether a failed attempt never reached the API: the connection could not be made (refused,
    DNS, connect timeout) or was lost before the request could be written."""
    import aiohttp

    cause = exc.__cause__
    return isinstance(
        cause,
        aiohttp.ClientConnectorError
        | aiohttp.ConnectionTimeoutError
        | aiohttp.ClientConnectionResetError,
    ) and not isinstance(cause, aiohttp.ClientSSLError)


def _describe_cause(exc: StripeError) -> str:
    cause = exc.__cause__
    return type(cause).__name__ if cause is not None else type(exc).__name__


def _describe(exc: aiohttp.ClientError) -> str:
    """A short description of an aiohttp error, without URLs (they may carry query data)."""
    import aiohttp

    if isinstance(exc, aiohttp.ClientResponseError):
        return f"{type(exc).__name__}: {exc.status} {exc.message}"
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _reason(
    status: int | None, headers: Mapping[str, str] | None, error: StripeError
) -> str:
    """Why an attempt is retried, for logs and `RetryEvent.reason`."""
    if status is None:
        return "timeout" if isinstance(error.__cause__, TimeoutError) else "connection"
    if status < 300:
        return "unreadable_body"
    if (
        headers is not None
        and headers.get("Stripe-Should-Retry") == "true"
        and status < 500
        and status not in (409, 429)
    ):
        return "should_retry"
    if status == 429:
        return "lock_timeout" if error.code == "lock_timeout" else "rate_limit"
    return f"status {status}"


def _notify(callback: Callable[[Any], None], event: object) -> None:
    """Run a metrics callback; its failure is logged, never raised into the call."""
    try:
        callback(event)
    except Exception:
        logger.exception("aiostripe: the %r callback raised", callback)


