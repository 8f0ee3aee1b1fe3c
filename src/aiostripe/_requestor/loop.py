"""`Requestor`: a client's configuration, its aiohttp session and flow control, and the request loop
itself: `request` (the usual call's first attempt), `_run` (per attempt `_attempt` → `_classify` →
`_retry_delay` → `_wait_to_retry`) and the waits for a retry or a rate-limit turn. It inherits
what builds a call (`building._Building`), what judges a failed attempt (`outcome._Verdicts`) and
the waits for the host and a connection slot (`waits._Waits`)."""

from __future__ import annotations

import asyncio
import copy
import io
import logging
from collections.abc import Callable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar, overload

from aiostripe import _validate
from aiostripe._errors import (
    APIConnectionError,
    APIError,
    ClientClosedError,
    StripeError,
)
from aiostripe._options import RequestOptions
from aiostripe._outage import HostWatch
from aiostripe._ratelimit import Gate, RateLimit
from aiostripe._requestor.building import _Building
from aiostripe._requestor.outcome import (
    _Call,
    _describe,
    _Failure,
    _notify,
    _retryable_client_error,
    _Verdicts,
)
from aiostripe._requestor.response import RawResponse, _unreadable
from aiostripe._requestor.tls import load_http_stack
from aiostripe._requestor.waits import _Waits
from aiostripe._requestor.wire import (
    DEFAULT_MAX_RESPONSE_SIZE,
    LARGE_BODY,
    _client_timeout,
    _one_retry_layer,
    _read_body,
)
from aiostripe._retry import ClientStats, RetryEvent, RetryPolicy, WaitEvent
from aiostripe._shared_budget import account_key

if TYPE_CHECKING:  # aiohttp loads when a client is created (`tls.load_http_stack`), not at import
    import aiohttp
    from yarl import URL

    from aiostripe._telemetry import CallTrace, Telemetry


DEFAULT_BASE_URL = "https://api.stripe.com"
DEFAULT_FILES_URL = "https://files.stripe.com"
DEFAULT_METER_EVENTS_URL = "https://meter-events.stripe.com"
DEFAULT_READ_TIMEOUT = 30.0
"""Seconds one attempt may take, from sending to the last byte of the answer (README: "Deadlines
and timeouts"): Stripe answers in well under a second and its slowest calls in seconds, so an
attempt still unanswered after 30 s has stalled; with the default 80 s `timeout` a stalled
attempt still leaves time for a retry."""

logger = logging.getLogger("aiostripe")
_DEBUG = logging.DEBUG

_sleep = asyncio.sleep  # every wait of the loop goes through here (tests record the delays)

T = TypeVar("T")

OnRetry = Callable[[RetryEvent], None]
OnRateLimitWait = Callable[[WaitEvent], None]


def _log_success(
    method: str, target: URL, attempt: int, elapsed: float, response: RawResponse
) -> None:
    logger.debug(
        "%s %s -> %d (attempt %d, request id %s, %.3fs)",
        method.upper(), target.path, response.status, attempt, response.request_id, elapsed,
    )


class Requestor(_Building, _Verdicts, _Waits):
    """Configuration, the aiohttp session and the flow control of one client."""

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str,
        files_base_url: str,
        meter_events_base_url: str = DEFAULT_METER_EVENTS_URL,
        stripe_version: str,
        stripe_account: str | None,
        timeout: float,
        connect_timeout: float,
        stripe_context: str | None = None,
        retry: RetryPolicy,
        read_timeout: float | None = DEFAULT_READ_TIMEOUT,
        max_connections: int,
        session: aiohttp.ClientSession | None = None,
        rate_limit: RateLimit | None = None,
        on_retry: OnRetry | None = None,
        on_rate_limit_wait: OnRateLimitWait | None = None,
        telemetry: Telemetry | None = None,
        max_response_size: int | None = DEFAULT_MAX_RESPONSE_SIZE,
    ) -> None:
        self.api_key: str = _validate.api_key(api_key)
        self.base_url: str = _validate.base_url(base_url).rstrip("/")
        self.files_base_url: str = _validate.base_url(files_base_url, "files_base_url").rstrip("/")
        self.meter_events_base_url: str = _validate.base_url(
            meter_events_base_url, "meter_events_base_url"
        ).rstrip("/")
        self.stripe_version: str = _validate.header_value(stripe_version, "stripe_version")
        if stripe_account is not None:
            _validate.header_value(stripe_account, "stripe_account")
        self.stripe_account = stripe_account
        if stripe_context is not None and not _validate.header_value(
            stripe_context, "stripe_context"
        ):
            raise ValueError("stripe_context: expected a non-empty string or None")
        self.stripe_context = stripe_context
        self.timeout: float = _validate.seconds(timeout, "timeout")
        self.connect_timeout: float = _validate.seconds(connect_timeout, "connect_timeout")
        self.read_timeout: float | None = _validate.seconds_or_none(read_timeout, "read_timeout")
        _validate.count(max_connections, "max_connections", 1)
        if max_response_size is not None:
            _validate.count(max_response_size, "max_response_size", 1)
        self.max_response_size = max_response_size
        self.retry = retry
        self.max_connections = max_connections
        self.rate_limit = rate_limit
        self.on_retry = on_retry
        self.on_rate_limit_wait = on_rate_limit_wait
        self.telemetry = telemetry
        self.stats: ClientStats = ClientStats()
        self.gate: Gate = Gate(
            max_connections, rate_limit, account_key(api_key, stripe_account),
            retry.max_retry_after,
        )
        self.host: HostWatch = HostWatch()
        self._session = session
        self._owns_session = session is None
        # the headers our own session sends by default: a call with exactly these passes none,
        # sparing aiohttp a merge of two header sets per request
        self._session_headers: dict[str, str] | None = None
        self._root = self  # the requestor that holds the session (`derive` shares it)
        self._closed = False  # `close()` was called: no new session, calls raise
        if session is not None:
            _one_retry_layer(session)
        # here, not in the first call: that would stall the event loop
        load_http_stack(tls=any(u.startswith("https:") for u in (base_url, files_base_url)))

    def session(self) -> aiohttp.ClientSession:
        root = self._root
        if root._session is None or root._session.closed:
            if root._closed:
                raise ClientClosedError(
                    "the client is closed: make a new StripeClient (or use it as `async with` "
                    "for as long as you need it)"
                )
            import aiohttp

            connector = aiohttp.TCPConnector(limit=root.max_connections)
            # every header set of `_build_headers` has these keys, so aiohttp's merge of the
            # session's and a call's own headers leaves none of ours behind; not so for a
            # client-wide Stripe-Account or Stripe-Context, which another set may lack
            defaults = root._default_headers
            if root.api_key and "Stripe-Account" not in defaults and "Stripe-Context" not in defaults:
                root._session_headers = root._default_headers
            root._session = aiohttp.ClientSession(
                connector=connector, raise_for_status=False, headers=root._session_headers or None
            )
            root._owns_session = True
            _one_retry_layer(root._session)
        return root._session

    async def close(self) -> None:
        if self._root is not self:  # a derived requestor: the session is its parent's
            return
        self._closed = True
        session, self._session = self._session, None
        if session is not None and self._owns_session and not session.closed:
            await session.close()
        await self.gate.close()

    def derive(
        self,
        *,
        api_key: str,
        stripe_account: str | None,
        stripe_version: str,
        timeout: float,
        retry: RetryPolicy,
        stripe_context: str | None = None,
    ) -> Requestor:
        """A requestor with other settings (`StripeClient.with_options`) that shares everything
        else with this one: the session and its connection pool, the gate (connection slots,
        rate limit, server-asked pauses), the stats and the callbacks."""
        child = copy.copy(self)
        for klass in type(self).__mro__:  # settings changed: rebuild what is cached, on demand
            for name, attr in vars(klass).items():
                if isinstance(attr, cached_property):
                    child.__dict__.pop(name, None)
        child.api_key = api_key
        child.stripe_account = stripe_account
        child.stripe_context = stripe_context
        child.stripe_version = stripe_version
        child.timeout = timeout
        child.retry = retry
        return child

    # --- requests ------------------------------------------------------------------------------

    @overload
    async def request(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None = None,
        options: RequestOptions | None = None,
        *,
        host: str = "api",
        multipart: bool = False,
        template: str | None = None,
        read: None = None,
    ) -> RawResponse: ...

    @overload
    async def request(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None = None,
        options: RequestOptions | None = None,
        *,
        host: str = "api",
        multipart: bool = False,
        template: str | None = None,
        read: Callable[[RawResponse], T],
    ) -> T: ...

    async def request(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None = None,
        options: RequestOptions | None = None,
        *,
        host: str = "api",
        multipart: bool = False,
        template: str | None = None,
        read: Callable[[RawResponse], Any] | None = None,
    ) -> Any:
        """Send one API call (with its retries); return the 2xx response, or what `read` makes
        of it (a service's typed result: read here, not in a coroutine of its own around this
        one, which every wake-up of the call would resume too), or raise a StripeError.

        The usual call (no request options, no file upload, the host up, no rate limit or pause
        to wait for, a free connection slot, telemetry quiet) makes its first attempt here, without
        the state that only retries need; if that attempt fails, or the call is not a usual one,
        `_run` takes over with a `_Call`. `template` is the operation's path template
        (`/v1/customers/{customer}`) for telemetry.
        """
        loop = asyncio.get_running_loop()
        start = loop.time()
        if options or multipart:
            call = self._prepare(method, path, params, options or {}, host, multipart, loop, start)
            self.stats.requests += 1  # (a call refused for its options or params is none)
            return await self._run(call, template, read=read)
        if method == "get" and not params and host == "api":  # a retrieve: `_encode`, inlined
            import yarl  # (loaded with the client: `load_http_stack`)

            target = yarl.URL(self.base_url + path, encoded=True)
            headers = self._default_headers
            data = None
        else:
            method, target, headers, data = self._encode(method, path, params, {}, host)
        self.stats.requests += 1
        gate = self.gate
        telemetry = self.telemetry
        if (
            self.host.down
            or not self.host.answered  # until it has: each attempt's connect within the grace
            or gate.active
            or (telemetry is not None and start >= telemetry.quiet_until)
            or (data is not None and len(data) > LARGE_BODY)
            or not gate.slots.try_acquire()
        ):
            call = self._new_call(method, target, headers, data, None, {}, loop, start)
            return await self._run(call, template, read=read)
        # the first attempt of a usual call: `_attempt` without the waits it never needs
        self.stats.attempts += 1
        response: RawResponse | None = None
        error: APIConnectionError | None = None
        try:
            response = await self._send(method, target, headers, data, self._default_timeout)
        except APIConnectionError as exc:
            error = exc
        finally:
            gate.slots.release()
        if response is not None:
            watch = self.host
            if watch.down or not watch.answered:
                watch.reached()
            if response.status < 300 and not _unreadable(response):
                if logger.isEnabledFor(_DEBUG):
                    _log_success(method, target, 1, loop.time() - start, response)
                return response if read is None else read(response)
        call = self._new_call(method, target, headers, data, None, {}, loop, start)
        call.attempt = 1
        if error is not None:
            call.error = error
            self._host_after(call, error)
        return await self._run(call, template, response, read)

    async def _run(
        self,
        call: _Call,
        template: str | None,
        response: RawResponse | None = None,
        read: Callable[[RawResponse], Any] | None = None,
    ) -> Any:
        """The request loop from where `call` stands: per attempt `_attempt` (turn at the gate,
        send), and after a failed one (`response`: what it got, None for a connection error)
        `_classify`, `_retry_delay` (or give up), `_wait_to_retry`; the 2xx response, or what
        `read` makes of it once the call has ended (its trace too)."""
        telemetry = self.telemetry
        if call.attempt == 0 and telemetry is not None and call.start >= telemetry.quiet_until:
            call.trace = telemetry.begin(call, template)
        try:
            while True:
                if call.attempt:
                    failure = self._classify(call, response)
                    delay = self._retry_delay(call, failure)
                    await self._wait_to_retry(call, failure, delay)
                call.attempt += 1
                response = await self._attempt(call)
                if response is not None and response.status < 300 and not _unreadable(response):
                    if logger.isEnabledFor(_DEBUG):
                        elapsed = call.loop.time() - call.start
                        _log_success(call.method, call.target, call.attempt, elapsed, response)
                    if call.trace is not None:
                        call.trace.end(call, None)
                    answered = response
                    break
        except BaseException as exc:
            if call.trace is not None:
                call.trace.end(call, exc)
            raise
        finally:
            if self.host.down:
                self.host.release(call)
        return answered if read is None else read(answered)

    async def _attempt(self, call: _Call) -> RawResponse | None:
        """One attempt: wait out an outage, wait for a connection slot and our turn, send;
        None on a connection error (kept in `call.error`)."""
        gate = self.gate
        # the usual case, a free slot and the host up, without a coroutine of its own
        waited = (
            False if not self.host.down and gate.slots.try_acquire() else await self._take_slot(call)
        )
        try:
            if gate.active and await self._wait_for_turn(
                call.loop, call.deadline, call.resume, call.error, call.verb, call.target,
                call.trace,
            ):
                waited = True
            if waited or call.attempt > 1:
                left = max(call.deadline - call.loop.time(), 0.001)
                call.timeout = _client_timeout(left, call.connect, call.read)
            timeout = call.timeout if self.host.answered else self._first_contact_timeout(call)
            data = call.data
            if call.body is not None:
                data = call.body.form()
            elif data is not None and len(data) > LARGE_BODY:
                data = io.BytesIO(data)  # a fresh stream per attempt, read from the start
            trace = call.trace
            if trace is not None:
                trace.sending(call)
            self.stats.attempts += 1
            response: RawResponse | None = None
            try:
                response = await self._send(call.method, call.target, call.headers, data, timeout)
            except APIConnectionError as exc:
                call.error = exc
                self._host_after(call, exc)
            if trace is not None:
                trace.received(call, response)
            if response is None:
                return None
        finally:
            gate.slots.release()
        host = self.host
        if host.down or not host.answered:
            host.reached()
        return response

    async def _wait_to_retry(self, call: _Call, failure: _Failure, delay: float) -> None:
        """Count and report the retry, then sleep `delay` seconds before the next attempt."""
        self.stats.retries += 1
        logger.log(
            _DEBUG if failure.unsent else logging.INFO,  # an outage is logged once, by the watch
            "%s %s -> %s (attempt %d, request id %s): %s, retrying in %.3fs",
            call.verb, call.target.path, failure.status or type(failure.error).__name__,
            call.attempt, failure.request_id, failure.reason, delay,
        )
        if self.on_retry is not None:
            event = RetryEvent(
                call.verb, call.target.path, call.attempt, delay, failure.status,
                failure.request_id, failure.reason, failure.error,
            )
            _notify(self.on_retry, event)
        if call.trace is not None:
            call.trace.retry(call, failure, delay)
        if not failure.unsent:  # after an unreachable attempt the host watch does the waiting
            call.resume = call.loop.time() + delay
            await _sleep(delay)

    async def _wait_for_turn(
        self,
        loop: asyncio.AbstractEventLoop,
        deadline: float,
        resume: float,
        error: StripeError | None,
        verb: str,
        target: URL,
        trace: CallTrace | None = None,
    ) -> bool:
        """Wait out a server-asked pause and for a rate-limit token; True if it waited."""
        gate = self.gate
        now = loop.time()
        if gate.shared is None:
            needed = gate.wait_needed(now, resume)
        else:
            needed = await gate.shared_wait_needed(now, resume, verb, target.path, deadline - now)
        if needed is None:
            return False
        wait, reason = needed
        what = "the client-side rate limit" if reason == "rate_limit" else "a Retry-After pause"
        if now + wait >= deadline:
            gate.cancel_wait(now)
            if error is not None:
                raise error
            raise APIConnectionError(
                f"timed out: {verb} {target.path} would wait {wait:.3f}s for {what}, past its "
                f"deadline ({deadline - now:.3f}s left)",
                should_retry=False,
            )
        stats = self.stats
        stats.rate_limit_waits += 1
        stats.rate_limit_wait_seconds += wait
        logger.log(
            _DEBUG if reason == "rate_limit" else logging.INFO,
            "%s %s waits %.3fs for %s", verb, target.path, wait, what,
        )
        if self.on_rate_limit_wait is not None:
            _notify(self.on_rate_limit_wait, WaitEvent(verb, target.path, wait, reason))
        if trace is not None:
            trace.waiting(wait, reason)
        try:
            await _sleep(wait)
        except asyncio.CancelledError:
            gate.cancel_wait(loop.time())
            raise
        return True

    def _too_large(self, method: str, url: URL, resp: aiohttp.ClientResponse) -> APIError:
        """The error of an answer whose body passes `max_response_size` (not retried: the same
        request would get the same answer)."""
        limit = self.max_response_size or 0
        encoding = resp.headers.get("Content-Encoding")
        return APIError(
            f"HTTP {resp.status} response to {method.upper()} {url.path} larger than "
            f"max_response_size={limit} bytes ({limit / (1 << 20):g} MiB)"
            f"{f' once decompressed ({encoding})' if encoding else ''}: refused unread; if such "
            f"an answer is expected, raise StripeClient(max_response_size=...) (None: no limit)",
            http_status=resp.status,
            headers=resp.headers,
            should_retry=False,
        )

    async def _send(
        self,
        method: str,
        url: URL,
        headers: Mapping[str, str],
        data: Any,
        timeout: aiohttp.ClientTimeout,
    ) -> RawResponse:
        try:
            session = self.session()
            # the session's own headers (our default ones) go unpassed: aiohttp then merges no
            # second set into them
            passed = None if headers is self._root._session_headers else headers
            # no redirect is followed: a 3xx is an error (`_redirect_error`), the body and the
            # Authorization and Idempotency-Key headers never go to another URL
            async with session.request(
                method, url, headers=passed, data=data, timeout=timeout, allow_redirects=False
            ) as resp:
                limit = self.max_response_size
                length = resp.content_length
                if limit is None or (  # the usual answer: `_read_body`'s first case, inlined
                    length is not None and length <= limit and "Content-Encoding" not in resp.headers
                ):
                    body: bytes | None = await resp.read()
                else:
                    body = await _read_body(resp, limit)
                if body is None:
                    raise self._too_large(method, url, resp)
                return RawResponse(resp.status, resp.headers, body)
        except TimeoutError as exc:  # also aiohttp's ServerTimeoutError & co.
            raise APIConnectionError(
                f"timed out: {method.upper()} {url.path} ({type(exc).__name__})",
                should_retry=True,
            ) from exc
        except Exception as exc:  # (aiohttp imported here, not on every call)
            import aiohttp

            if isinstance(exc, aiohttp.ClientError):
                raise APIConnectionError(
                    f"connection error on {method.upper()} {url.path}: {_describe(exc)}",
                    should_retry=_retryable_client_error(exc),
                ) from exc
            if isinstance(exc, OSError):  # a socket error aiohttp did not wrap
                raise APIConnectionError(
                    f"connection error on {method.upper()} {url.path}: "
                    f"{type(exc).__name__}: {exc}",
                    should_retry=True,
                ) from exc
            raise


