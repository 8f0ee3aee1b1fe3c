"""What a client tells about its calls: the `on_request` / `on_response` hooks and OpenTelemetry.

`Requestor.request` calls in at a few points. `Telemetry.begin` when a call starts returns a
`CallTrace`, or None when nothing listens (no hook, and OpenTelemetry not installed, switched off
or without a provider): the call then costs nothing more. On the `CallTrace`: `sending` and
`received` around each attempt, `retry` before each backoff, `waiting` before each rate-limit
wait, `end` when the call returns or raises.

OpenTelemetry (`pip install aiostripe[otel]`, which needs only `opentelemetry-api`): one CLIENT
span per call, named `"{METHOD} {url.template}"`, current while the call runs; each retry and
each rate-limit wait is an event of that span; the call's duration (attempts, backoffs and waits)
goes to the `http.client.request.duration` histogram. The client's own `tracer_provider` /
`meter_provider` are used when given, else the global ones as soon as they are set.
`AIOSTRIPE_OTEL=off` switches it off (read when a client is created). Never a key, a body, a
query string or a parameter: the attributes are listed in `CallTrace`.

OpenTelemetry is imported (`aiostripe._otel`, ~10 ms) when a client is created, not by its first
call, and only once the program uses it: while no module has imported `opentelemetry` (and no
`OTEL_PYTHON_*_PROVIDER` variable names a provider to load), no provider can have been set, and
installing `opentelemetry-api` costs a program that does not trace nothing.
"""

from __future__ import annotations

import asyncio
import math
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs

from aiostripe._errors import APIConnectionError, StripeError
from aiostripe._requestor.outcome import _notify
from aiostripe._templates import url_template

if TYPE_CHECKING:
    from opentelemetry.metrics import Histogram, MeterProvider
    from opentelemetry.trace import Tracer, TracerProvider

    from aiostripe._requestor.outcome import _Call, _Failure
    from aiostripe._requestor.response import RawResponse

OTEL_SWITCH = "AIOSTRIPE_OTEL"
_OFF = frozenset({"0", "off", "false", "no", "none"})
_LOOK_EVERY = 1.0
"""Seconds between two looks for a global provider while none is set (a look costs ~5 µs)."""
_PROVIDER_VARIABLES = ("OTEL_PYTHON_TRACER_PROVIDER", "OTEL_PYTHON_METER_PROVIDER")
"""OpenTelemetry's own variables naming a provider that its API loads on first request."""


@attrs.frozen(slots=True)
class RequestEvent:
    """Passed to `on_request` just before each attempt of a call is sent."""

    method: str
    """`"GET"`, `"POST"`, `"DELETE"`."""
    url_template: str
    """The operation's path template, `/v1/customers/{customer}`."""
    path: str
    """The path sent, `/v1/customers/cus_123`, without the query string."""
    attempt: int
    """1 for the first attempt, 2 for the first retry, ..."""
    stripe_account: str | None
    """The connected account (`Stripe-Account`) the call acts on, if any."""
    idempotency_key: str | None
    """The `Idempotency-Key` of a POST (the same on every attempt), None otherwise."""


@attrs.frozen(slots=True)
class ResponseEvent:
    """Passed to `on_response` when an attempt has ended: with a response, or without one
    (`status` None) after a connection error or a timeout."""

    method: str
    url_template: str
    path: str
    attempt: int
    stripe_account: str | None
    idempotency_key: str | None
    status: int | None
    """The HTTP status; None when the attempt got no response."""
    request_id: str | None
    """Stripe's `Request-Id` of the response."""
    elapsed: float
    """Seconds from sending the attempt to the end of its response (or its failure)."""
    error_type: str | None
    """None for a 2xx; else the status as a string (`"404"`), `"timeout"`, or the class of the
    connection error (`"aiohttp.client_exceptions.ServerDisconnectedError"`)."""


OnRequest = Callable[[RequestEvent], None]
OnResponse = Callable[[ResponseEvent], None]


def make_telemetry(
    on_request: OnRequest | None,
    on_response: OnResponse | None,
    tracer_provider: TracerProvider | None,
    meter_provider: MeterProvider | None,
) -> Telemetry | None:
    """A client's telemetry; None when there is nothing to tell (no hook, OpenTelemetry off)."""
    for name, hook in (("on_request", on_request), ("on_response", on_response)):
        if hook is not None and not callable(hook):
            raise TypeError(f"{name}: expected a function taking one event, got {hook!r}")
    for name, provider, method in (
        ("tracer_provider", tracer_provider, "get_tracer"),
        ("meter_provider", meter_provider, "get_meter"),
    ):
        if provider is not None and not callable(getattr(provider, method, None)):
            raise TypeError(
                f"{name}: expected an OpenTelemetry {name.replace('_', ' ')} "
                f"(with .{method}()), got {provider!r}"
            )
    otel = os.environ.get(OTEL_SWITCH, "").strip().lower() not in _OFF
    if not otel and on_request is None and on_response is None:
        return None
    return Telemetry(on_request, on_response, tracer_provider, meter_provider, otel=otel)


class Telemetry:
    """The hooks of a client and its OpenTelemetry instruments (found on first use)."""

    __slots__ = (
        "_histogram", "_meter_provider", "_next_look", "_otel", "_tracer", "_tracer_provider",
        "on_request", "on_response", "quiet_until",
    )

    def __init__(
        self,
        on_request: OnRequest | None,
        on_response: OnResponse | None,
        tracer_provider: TracerProvider | None,
        meter_provider: MeterProvider | None,
        *,
        otel: bool,
    ) -> None:
        self.on_request: OnRequest | None = on_request
        self.on_response: OnResponse | None = on_response
        self._tracer_provider = tracer_provider
        self._meter_provider = meter_provider
        self._otel = otel  # False once off for good (switched off, or not installed)
        self._next_look = -math.inf  # when to look for the providers again (loop time)
        self.quiet_until: float = -math.inf
        """Loop time before which `begin` is known to return None (no hook, no instrument found
        at the last look): the requestor skips the call until then."""
        self._tracer: Tracer | None = None
        self._histogram: Histogram | None = None
        if otel and self._otel_in_use():
            self._import_otel()  # now, not in the first call: that would stall the event loop

    def begin(self, call: _Call, template: str | None) -> CallTrace | None:
        """A call starts: its trace, or None when nothing listens to it."""
        if (
            self._otel
            and (self._tracer is None or self._histogram is None)
            and call.start >= self._next_look
        ):
            self._next_look = call.start + _LOOK_EVERY
            self._find_instruments()
        tracer, histogram = self._tracer, self._histogram
        if (
            tracer is None
            and histogram is None
            and self.on_request is None
            and self.on_response is None
        ):
            self.quiet_until = self._next_look if self._otel else math.inf
            return None
        if template is None:
            template = url_template(call.verb, call.target.path)
        return CallTrace(self, tracer, histogram, call, template)

    def _find_instruments(self) -> None:
        """Look for the providers (until both are found: a global one may be set later, and is
        then picked up within `_LOOK_EVERY` seconds)."""
        if not self._otel_in_use():  # no provider can be set yet: look again later
            return
        _otel = self._import_otel()
        if _otel is None:
            return
        if self._tracer is None:
            self._tracer = _otel.tracer(self._tracer_provider)
        if self._histogram is None:
            self._histogram = _otel.histogram(self._meter_provider)

    def _otel_in_use(self) -> bool:
        """Whether a provider may be there to find: given to the client, or possibly set since
        the program imported OpenTelemetry (or named one in OpenTelemetry's variables)."""
        return (
            self._tracer_provider is not None
            or self._meter_provider is not None
            or "opentelemetry" in sys.modules
            or any(name in os.environ for name in _PROVIDER_VARIABLES)
        )

    def _import_otel(self) -> Any:
        """`aiostripe._otel`, or None (and OpenTelemetry off for good) when opentelemetry-api is
        not installed."""
        try:
            from aiostripe import _otel
        except ImportError:  # opentelemetry-api is not installed
            self._otel = False
            return None
        return _otel


class CallTrace:
    """One call as telemetry sees it: its span (if traced), and what the hooks are told.

    Span attributes: `http.request.method`, `url.template`, `url.full` (no query string),
    `server.address`, `server.port`, `stripe.api_version`, `stripe.account` (Connect),
    `stripe.idempotency_key` (POST); at the end `http.response.status_code`, `stripe.request_id`,
    `http.request.resend_count` (when retried) and `error.type` (when it failed).
    """

    __slots__ = (
        "_histogram", "_sent", "_span", "_telemetry", "_token",
        "account", "attempt_error", "key", "method", "path", "request_id", "status", "template",
    )

    def __init__(
        self,
        telemetry: Telemetry,
        tracer: Tracer | None,
        histogram: Histogram | None,
        call: _Call,
        template: str,
    ) -> None:
        headers = call.headers
        self._telemetry = telemetry
        self._histogram = histogram
        self.method: str = call.verb
        self.path: str = call.target.path
        self.template: str = template
        self.account: str | None = headers.get("Stripe-Account")
        self.key: str | None = headers.get("Idempotency-Key")
        self.status: int | None = None
        self.request_id: str | None = None
        self.attempt_error: str | None = None  # the `error.type` of the last attempt
        self._sent = 0.0
        self._span: Any = None
        self._token: Any = None
        if tracer is not None:
            from aiostripe import _otel

            target = call.target
            attributes: dict[str, Any] = {
                "http.request.method": self.method,
                "url.template": template,
                "url.full": str(target.with_query(None)),
                "server.address": target.host or "",
                "server.port": target.port or 0,
                "stripe.api_version": headers.get("Stripe-Version", ""),
            }
            if self.account is not None:
                attributes["stripe.account"] = self.account
            if self.key is not None:
                attributes["stripe.idempotency_key"] = self.key
            self._span, self._token = _otel.start(
                tracer, f"{self.method} {template}", attributes
            )

    # --- each attempt ---------------------------------------------------------------------------

    def sending(self, call: _Call) -> None:
        self._sent = call.loop.time()
        on_request = self._telemetry.on_request
        if on_request is not None:
            event = RequestEvent(
                self.method, self.template, self.path, call.attempt, self.account, self.key
            )
            _notify(on_request, event)

    def received(self, call: _Call, response: RawResponse | None) -> None:
        if response is not None:  # the span tells the status and request id of the last attempt
            self.status = response.status
            self.request_id = response.request_id
            error_type = str(response.status) if response.status >= 400 else None
        else:
            self.status = self.request_id = None
            error_type = _error_type(call.error)
        self.attempt_error = error_type
        on_response = self._telemetry.on_response
        if on_response is not None:
            event = ResponseEvent(
                self.method, self.template, self.path, call.attempt, self.account, self.key,
                None if response is None else response.status,
                None if response is None else response.request_id,
                call.loop.time() - self._sent,
                error_type,
            )
            _notify(on_response, event)

    # --- waits ----------------------------------------------------------------------------------

    def retry(self, call: _Call, failure: _Failure, delay: float) -> None:
        """A span event `aiostripe.retry` before the backoff that precedes a retry."""
        if self._span is not None:
            attributes: dict[str, Any] = {
                "aiostripe.attempt": call.attempt,
                "aiostripe.retry.reason": failure.reason,
                "aiostripe.retry.delay": delay,
                "error.type": _error_type(failure.error) or "",
            }
            if failure.status is not None:
                attributes["http.response.status_code"] = failure.status
            if failure.request_id is not None:
                attributes["stripe.request_id"] = failure.request_id
            self._span.add_event("aiostripe.retry", attributes)

    def waiting(self, seconds: float, reason: str) -> None:
        """A span event for a wait of the call: `aiostripe.rate_limit_wait` before a wait for
        the client-side rate limit (`reason` "rate_limit") or a server-asked pause
        ("retry_after"); `aiostripe.host_wait` after a wait for an unreachable API host to
        come back ("host_down")."""
        if self._span is not None:
            self._span.add_event(
                "aiostripe.host_wait" if reason == "host_down" else "aiostripe.rate_limit_wait",
                {"aiostripe.wait.seconds": seconds, "aiostripe.wait.reason": reason},
            )

    # --- the end --------------------------------------------------------------------------------

    def end(self, call: _Call, error: BaseException | None) -> None:
        """The call returned (`error` None) or raised `error`."""
        error_type = None if error is None else _error_type(error)
        if error_type == "aiostripe.APIConnectionError" and self.attempt_error is not None:
            error_type = self.attempt_error  # re-raised without its cause: the attempt's own
        span, histogram = self._span, self._histogram
        if span is not None:
            from aiostripe import _otel

            attributes: dict[str, Any] = {}
            if self.status is not None:
                attributes["http.response.status_code"] = self.status
            if self.request_id is not None:
                attributes["stripe.request_id"] = self.request_id
            if call.attempt > 1:
                attributes["http.request.resend_count"] = call.attempt - 1
            if error_type is not None:
                attributes["error.type"] = error_type
            _otel.finish(span, self._token, attributes, error_type)
        if histogram is not None:
            target = call.target
            labels: dict[str, Any] = {
                "http.request.method": self.method,
                "url.template": self.template,
                "server.address": target.host or "",
                "server.port": target.port or 0,
            }
            if self.status is not None:
                labels["http.response.status_code"] = self.status
            if error_type is not None:
                labels["error.type"] = error_type
            histogram.record(call.loop.time() - call.start, labels)


def _error_type(error: BaseException | None) -> str | None:
    """The semantic conventions' `error.type`: the HTTP status of an error response, else
    `"timeout"`, `"cancelled"` or the qualified class of the error (low cardinality)."""
    if error is None:
        return None
    if isinstance(error, StripeError) and error.http_status is not None:
        return str(error.http_status)
    if isinstance(error, asyncio.CancelledError):
        return "cancelled"
    if isinstance(error, APIConnectionError):
        if error.__cause__ is not None:
            error = error.__cause__
        elif str(error).startswith("timed out"):  # the call's deadline, on this side
            return "timeout"
    if isinstance(error, TimeoutError):
        return "timeout"
    cls = type(error)
    if cls.__module__ == "builtins":
        return cls.__qualname__
    if cls.__module__.startswith("aiostripe."):
        return f"aiostripe.{cls.__qualname__}"
    return f"{cls.__module__}.{cls.__qualname__}"
