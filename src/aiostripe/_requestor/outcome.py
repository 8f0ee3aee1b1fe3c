"""One call across its attempts (`_Call`) and the outcome of a failed attempt (`_Failure`):
whether it reached the API, why it is retried, how it is described in logs; what the request
loop makes of it (`_Verdicts`, inherited by `Requestor`: `_classify`, then `_retry_delay` or give
up); and `_notify`, which runs a metrics callback without letting it break the call."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from aiostripe._errors import APIError, StripeError, error_from_response
from aiostripe._requestor.response import RawResponse, _unreadable
from aiostripe._validate import without_userinfo

if TYPE_CHECKING:
    # aiohttp loads when a client is created (`tls.load_http_stack`), not at import
    import aiohttp
    from yarl import URL

    from aiostripe._ratelimit import Gate
    from aiostripe._requestor.wire import _MultipartBody
    from aiostripe._retry import ClientStats, RetryPolicy
    from aiostripe._telemetry import CallTrace


logger = logging.getLogger("aiostripe")

class _Call:
    """The state of one call across its attempts.

    A plain class, and `_Failure` a named tuple, not attrs classes: attrs builds a class's
    methods when its module is imported, and every client loads this module when it is created
    (a program's first response waited on it)."""

    __slots__ = (
        "attempt", "body", "connect", "data", "deadline", "error", "headers", "loop",
        "max_retries", "method", "read", "resume", "start", "target", "timeout", "trace",
        "unsent", "verb",
    )

    def __init__(
        self,
        method: str,
        verb: str,
        target: URL,
        headers: dict[str, str],
        data: Any,
        body: _MultipartBody | None,
        max_retries: int,
        timeout: aiohttp.ClientTimeout,
        connect: float,
        read: float | None,
        loop: asyncio.AbstractEventLoop,
        start: float,
        deadline: float,
    ) -> None:
        self.method = method
        self.verb = verb
        self.target = target
        self.headers = headers
        self.data = data
        self.body = body
        self.max_retries = max_retries
        self.timeout = timeout
        self.connect = connect
        self.read = read
        self.loop = loop
        self.start = start
        self.deadline = deadline
        self.attempt = 0
        self.unsent = 0  # attempts that could not connect: they do not spend max_retries
        self.resume = 0.0  # when the last backoff ended
        self.error: StripeError | None = None
        self.trace: CallTrace | None = None  # what the client's telemetry follows of this call

    @property
    def idempotent(self) -> bool:
        """Whether sending the call again cannot do anything twice."""
        return self.method != "post" or "Idempotency-Key" in self.headers


class _Failure(NamedTuple):
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


def _redirect_error(call: _Call, response: RawResponse) -> APIError:
    """A 3xx answer: never followed (the request would go, with its key, its body and its
    idempotency key, wherever the Location says), an error naming the status and the Location
    (its credentials masked, cut at 200 characters)."""
    location = response.headers.get("Location")
    shown = "no Location" if location is None else repr(without_userinfo(location)[:200])
    return APIError(
        f"HTTP {response.status} redirect on {call.verb} {call.target.path} to {shown}: Stripe "
        f"never redirects API calls and aiostripe follows no redirect; check base_url (a proxy "
        f"or a load balancer answering for the API host?)",
        http_status=response.status,
        http_body=response.body,
        headers=response.headers,
        should_retry=False,
    )


def _notify(callback: Callable[[Any], None], event: object) -> None:
    """Run a metrics callback; its failure is logged, never raised into the call."""
    try:
        callback(event)
    except Exception:
        logger.exception("aiostripe: the %r callback raised", callback)


class _Verdicts:
    """The half of `Requestor` that judges a failed attempt: its error, whether it is retried,
    and after how long (or the call gives up and raises)."""

    stats: ClientStats
    retry: RetryPolicy
    gate: Gate

    def _classify(self, call: _Call, response: RawResponse | None) -> _Failure:
        """What a failed attempt means: its error, and whether it may be retried."""
        if response is None:
            error = call.error
            assert error is not None
            unsent = _unsent(error)
            return _Failure(None, None, error, bool(error.should_retry), None, unsent)
        status = response.status
        headers = response.headers
        if status < 300:  # a 2xx whose body cannot be read: did it happen? a replay will say
            unreadable = _unreadable(response)
            assert unreadable is not None
            call.error = unreadable
            return _Failure(status, headers, unreadable, call.idempotent, response.request_id)
        if 300 <= status < 400:
            error = _redirect_error(call, response)
            call.error = error
            return _Failure(status, headers, error, False, response.request_id)
        error = error_from_response(status, response.body, headers)
        call.error = error
        if status == 429:
            self.stats.rate_limited += 1
        retryable = self.retry.should_retry(status, headers)
        return _Failure(status, headers, error, retryable, response.request_id)

    def _retry_delay(self, call: _Call, failure: _Failure) -> float:
        """The wait before the next attempt; raises the failure's error when the call gives up
        (not retryable, out of retries, or a wait that would pass the deadline). An attempt
        that could not connect is retried at once: the host watch spaces the probes."""
        verb, path, attempt = call.verb, call.target.path, call.attempt
        status, error = failure.status, failure.error
        what = status or type(error).__name__
        if failure.unsent:
            call.unsent += 1
            return 0.0
        if not failure.retryable:
            logger.debug(
                "%s %s -> %s (attempt %d, request id %s): not retryable",
                verb, path, what, attempt, failure.request_id,
            )
            raise error
        reason = failure.reason
        retries = attempt - call.unsent  # attempts that reached the API
        if retries > call.max_retries:
            self.stats.gave_up += 1
            logger.warning(
                "%s %s -> %s (attempt %d, request id %s): %s, giving up after %d retries",
                verb, path, what, attempt, failure.request_id, reason, call.max_retries,
            )
            raise error
        headers = failure.headers
        delay = self.retry.delay(retries, headers)
        now = call.loop.time()
        if (
            headers is not None
            and (status == 429 or status == 503)
            and reason != "lock_timeout"
            and "Retry-After" in headers
        ):
            self.gate.pause(now + delay, now)  # the server asked the whole client to slow down
        if now + delay >= call.deadline:
            self.stats.gave_up += 1
            logger.warning(
                "%s %s -> %s (attempt %d, request id %s): %s; not retrying: a %.3fs wait "
                "would pass the call's deadline (%.3fs left)",
                verb, path, what, attempt, failure.request_id, reason, delay,
                call.deadline - now,
            )
            raise error
        return delay
