"""`StripeClient`: configuration, one aiohttp session, and every API namespace as an attribute."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, Unpack

import attrs

from aiostripe import _validate
from aiostripe._errors import ClientClosedError, mask_key
from aiostripe._generated import API_VERSION
from aiostripe._generated.services import ClientServices
from aiostripe._logging import configure_from_env
from aiostripe._models import StripeObject, attach_response, structure_object
from aiostripe._options import ClientOptions, RequestOptions
from aiostripe._ratelimit import RateLimit
from aiostripe._requestor import (
    DEFAULT_BASE_URL,
    DEFAULT_FILES_URL,
    DEFAULT_MAX_RESPONSE_SIZE,
    DEFAULT_METER_EVENTS_URL,
    DEFAULT_READ_TIMEOUT,
    OnRateLimitWait,
    OnRetry,
    Requestor,
)
from aiostripe._retry import ClientStats, RetryPolicy
from aiostripe._telemetry import OnRequest, OnResponse, make_telemetry

if TYPE_CHECKING:
    from collections.abc import Sequence

    import aiohttp
    from opentelemetry.metrics import MeterProvider
    from opentelemetry.trace import TracerProvider

    from aiostripe.event_notifications import EventNotification


def _load_call_machinery() -> None:
    """Import what calls need beyond the HTTP stack (which the requestor loads): the parsers'
    fast path, the index of the generated models, the pagination machinery of list and search
    calls. A client's creation pays for it, once per process, so that no first call stalls the
    event loop importing modules; `import aiostripe` alone stays light. What is left for a first
    call to load is the generated model module(s) of its result (1-3 ms, once per type)."""
    import aiostripe._fastparse
    import aiostripe._generated.models
    import aiostripe._pagination  # noqa: F401


class StripeClient(ClientServices):
    """An async client for the whole Stripe API.

    ```python
    async with aiostripe.StripeClient("sk_test_...") as stripe:
        customer = await stripe.customers.create(email="jo@example.com")
    ```

    `base_url` points it at another server (a local fake, a proxy); file uploads go to
    `files_base_url`, which follows `base_url` unless given, and the v2 meter event stream to
    `meter_events_base_url` (`https://meter-events.stripe.com`, the spec's host for it; it too
    follows `base_url` unless given). One client holds one aiohttp session:
    close it with `await client.close()` or use it as `async with`.

    Retries, timeouts and flow control (README: "Retries, idempotency, rate limits and timeouts"): each call may be retried
    `max_retries` times (default 2) within its total `timeout` (default 80 s, waits included);
    `connect_timeout` (default 30 s) bounds each connection set-up, `read_timeout` (default
    30 s, None: no limit) each attempt as a whole, a timed-out attempt being retried. An
    outage (no connection could be made) is ridden out until the deadline without spending
    `max_retries`. Every setting is checked here: a bad one raises ValueError/TypeError naming it. `retry_policy` tunes the
    backoff (and then supplies `max_retries`). At most `max_connections` requests are in flight at
    once (others wait in line); `rate_limit=RateLimit(rps, burst)` (or a number of requests per
    second) paces every attempt of the client. `on_retry` and `on_rate_limit_wait` receive a
    `RetryEvent` / `WaitEvent` before each retry / rate-limit wait; `client.stats` counts them.

    Hostile answers: a response body larger than `max_response_size` bytes once decompressed
    (default 64 MiB, None: no limit) is refused with an APIError before it is all in memory; no
    redirect is ever followed (a 3xx is an APIError naming its Location).

    Telemetry (README: "In production"): `on_request` / `on_response` receive a `RequestEvent` /
    `ResponseEvent` around each attempt. With `opentelemetry-api` installed, each call is a span
    and its duration a histogram sample, through `tracer_provider` / `meter_provider` when given,
    else the global providers (`AIOSTRIPE_OTEL=off` switches it off).
    """

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        files_base_url: str | None = None,
        meter_events_base_url: str | None = None,
        stripe_version: str = API_VERSION,
        stripe_account: str | None = None,
        stripe_context: str | None = None,
        timeout: float = 80.0,
        connect_timeout: float = 30.0,
        max_retries: int = 2,
        max_connections: int = 100,
        session: aiohttp.ClientSession | None = None,
        read_timeout: float | None = DEFAULT_READ_TIMEOUT,
        retry_policy: RetryPolicy | None = None,
        rate_limit: RateLimit | float | None = None,
        on_retry: OnRetry | None = None,
        on_rate_limit_wait: OnRateLimitWait | None = None,
        on_request: OnRequest | None = None,
        on_response: OnResponse | None = None,
        tracer_provider: TracerProvider | None = None,
        meter_provider: MeterProvider | None = None,
        max_response_size: int | None = DEFAULT_MAX_RESPONSE_SIZE,
    ) -> None:
        if files_base_url is None:
            files_base_url = DEFAULT_FILES_URL if base_url == DEFAULT_BASE_URL else base_url
        if meter_events_base_url is None:
            meter_events_base_url = (
                DEFAULT_METER_EVENTS_URL if base_url == DEFAULT_BASE_URL else base_url
            )
        configure_from_env()  # AIOSTRIPE_LOG=info|debug
        self._requestor = Requestor(
            api_key=api_key,
            base_url=base_url,
            files_base_url=files_base_url,
            meter_events_base_url=meter_events_base_url,
            stripe_version=stripe_version,
            stripe_account=stripe_account,
            stripe_context=stripe_context,
            timeout=timeout,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            retry=RetryPolicy(max_retries=max_retries) if retry_policy is None else retry_policy,
            max_connections=max_connections,
            session=session,
            rate_limit=(
                rate_limit
                if rate_limit is None or isinstance(rate_limit, RateLimit)
                else RateLimit(rate_limit)
            ),
            on_retry=on_retry,
            on_rate_limit_wait=on_rate_limit_wait,
            telemetry=make_telemetry(on_request, on_response, tracer_provider, meter_provider),
            max_response_size=max_response_size,
        )
        _load_call_machinery()

    def __repr__(self) -> str:
        return f"StripeClient(api_key={mask_key(self._requestor.api_key)!r}, base_url={self.base_url!r})"

    def with_options(self, **options: Unpack[ClientOptions]) -> StripeClient:
        """A client with some settings changed, e.g. one per connected account:

        ```python
        tenant = stripe.with_options(stripe_account="acct_1032D82eZvKYlo2C", max_retries=5)
        await tenant.customers.create(email="jo@example.com")   # sent with Stripe-Account
        ```

        Cheap to make (no session, no connection of its own): it shares this client's aiohttp
        session and connection pool, its `max_connections` slots, rate limit and server-asked
        pauses, its `stats` and its callbacks. Closing it does nothing to this client (close
        this one when you are done); `stripe_account=None` goes back to your own account.
        """
        _validate.client_options(options)
        parent = self._requestor
        retry = parent.retry
        if "max_retries" in options:
            retry = attrs.evolve(retry, max_retries=options["max_retries"])
        child = object.__new__(type(self))
        child._requestor = parent.derive(
            api_key=options.get("api_key", parent.api_key),
            stripe_account=options.get("stripe_account", parent.stripe_account),
            stripe_version=options.get("stripe_version", parent.stripe_version),
            timeout=options.get("timeout", parent.timeout),
            retry=retry,
            stripe_context=options.get("stripe_context", parent.stripe_context),
        )
        return child

    @property
    def base_url(self) -> str:
        return self._requestor.base_url

    @property
    def stats(self) -> ClientStats:
        """Counters of this client's calls, retries and waits (for metrics)."""
        return self._requestor.stats

    async def __aenter__(self) -> Self:
        if self._requestor._root._closed:
            raise ClientClosedError("the client is closed: make a new StripeClient to use it again")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the client's HTTP session (a session passed in by the caller is left open; a
        client from `with_options` leaves its parent's session open). Calls made on a closed
        client (or on a client derived from it) raise `ClientClosedError` and open nothing."""
        await self._requestor.close()

    def parse_event_notification(
        self,
        payload: bytes | str,
        sig_header: str | None,
        secret: str | Sequence[str],
        *,
        tolerance: int | None = 300,
    ) -> EventNotification:
        """Verify a thin event delivery (an event destination's; the signature is checked as for
        v1 webhooks) and return its typed notification, bound to this client:
        `await n.fetch_event()`, `await n.fetch_related_object()`. An unknown type gives an
        `UnknownEventNotification`; a v1 event raises ValueError (use `construct_event`)."""
        from aiostripe.event_notifications import parse_event_notification

        return parse_event_notification(
            payload, sig_header, secret, client=self, tolerance=tolerance
        )

    async def raw_request(
        self,
        method: str,
        path: str,
        *,
        request_options: RequestOptions | None = None,
        **params: Any,
    ) -> Any:
        """Call an endpoint that is not in the spec: returns a `StripeObject` parsed by its
        `object` field when the spec knows it, else the decoded JSON wrapped in a StripeObject.
        `path` is quoted like the generated methods' paths (`/v1/customers/cus 1` is sent as
        `/v1/customers/cus%201`); a query string or a `.`/`..` segment is refused."""
        path = _validate.api_path(path)
        response = await self._requestor.request(method, path, params, request_options)
        data = response.json()
        result: Any = structure_object(data) if isinstance(data, dict) else data  # a JSON object
        if isinstance(result, StripeObject):
            attach_response(result, response)
        return result
