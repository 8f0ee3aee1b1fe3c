"""Webhooks: verify Stripe's signature, get a typed `Event`, route it to async callbacks.

Stripe signs every webhook delivery with the endpoint's signing secret (`whsec_...`) and sends the
signature in the `Stripe-Signature` header (`t=<unix time>,v1=<hex HMAC-SHA256>[,v1=...]`).
`construct_event` checks that signature over the raw request body, checks that the timestamp is
within a tolerance (five minutes by default, in both directions), and returns the body parsed as a
typed `Event` whose `data.object` is the generated model of its `object` type (`PaymentIntent`,
`Invoice`, ...; an object type the spec does not know stays a plain `StripeObject`). A bad
header, signature or timestamp raises `aiostripe.SignatureVerificationError` with a message that
says what was wrong and never contains the secret; nothing else does: a correctly signed event
always gives an `Event`, whatever API version it was rendered in (fields the pinned spec requires
may be absent, see `_tolerant.py`), so no correctly signed delivery is refused.

With aiohttp, `aiohttp_handler` does all of it, including the routing::

    from aiohttp import web
    from aiostripe.models import PaymentIntent
    from aiostripe.webhooks import Event, WebhookRouter, aiohttp_handler

    router = WebhookRouter()

    @router.on("payment_intent.succeeded")
    async def paid(event: Event[PaymentIntent]) -> None:
        intent = event.data.object  # a PaymentIntent (mypy rejects a handler of another type)
        ...

    app = web.Application()
    app.router.add_post("/stripe/webhook", aiohttp_handler("whsec_...", router))

With FastAPI or Starlette, verify the raw body yourself (never a re-serialized JSON body: the
signature covers the exact bytes Stripe sent)::

    from fastapi import FastAPI, HTTPException, Request
    from aiostripe import SignatureVerificationError
    from aiostripe.webhooks import WebhookRouter, construct_event

    app = FastAPI()
    router = WebhookRouter()

    @app.post("/stripe/webhook")
    async def stripe_webhook(request: Request) -> dict[str, bool]:
        payload = await request.body()
        try:
            event = construct_event(
                payload, request.headers.get("stripe-signature"), WEBHOOK_SECRET
            )
        except SignatureVerificationError as exc:
            raise HTTPException(status_code=400, detail=str(exc)) from None
        await router.dispatch(event)
        return {"received": True}

Several secrets can be given at once (`[new_secret, old_secret]`) while rolling an endpoint's
secret. Stripe expects a 2xx answer quickly, also for event types you ignore; do long work in a
background task.
"""

from __future__ import annotations

import hashlib
import hmac
import inspect
import logging
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from aiostripe import _json
from aiostripe._errors import SignatureVerificationError
from aiostripe._generated import API_VERSION
from aiostripe._generated.event_routing import EVENT_OBJECTS, EventHandler, EventRoutes
from aiostripe._generated.event_types import EventType
from aiostripe._generated.models.event import Event
from aiostripe._models import StripeObject, structure_as

if TYPE_CHECKING:
    from aiohttp import web

__all__ = [
    "DEFAULT_MAX_BODY_SIZE",
    "DEFAULT_TOLERANCE",
    "EVENT_OBJECTS",
    "SIGNATURE_HEADER",
    "Event",
    "EventCallback",
    "EventHandler",
    "EventType",
    "SignatureVerificationError",
    "WebhookRouter",
    "aiohttp_handler",
    "construct_event",
    "generate_test_header",
    "sign_payload",
    "verify_header",
]

logger: logging.Logger = logging.getLogger("aiostripe.webhooks")

SIGNATURE_HEADER = "Stripe-Signature"
DEFAULT_TOLERANCE = 300
"""Seconds a signature stays valid, and how far in the future its timestamp may be."""
DEFAULT_MAX_BODY_SIZE = 1024 * 1024
"""Largest request body `aiohttp_handler` reads (bytes); a larger one is answered with 413."""

_SCHEME = "v1"
_MAX_TIMESTAMP_DIGITS = 15

EventCallback = Callable[[Event], Awaitable[None]]
"""An async function called with a verified event."""

_C = TypeVar("_C", bound=Callable[[Event], Awaitable[None]])


# --- signing ------------------------------------------------------------------------------------


def _payload_bytes(payload: bytes | str, sig_header: str | None = None) -> bytes:
    if isinstance(payload, str):
        try:
            return payload.encode("utf-8")
        except UnicodeEncodeError:
            raise SignatureVerificationError(
                "payload is not valid UTF-8 (a str holding lone surrogates); "
                "pass the raw request body as bytes",
                sig_header=sig_header,
            ) from None
    return bytes(payload)


def _secrets(secret: str | Sequence[str]) -> list[str]:
    secrets = [secret] if isinstance(secret, str) else list(secret)
    if not secrets:
        raise ValueError("no webhook signing secret given")
    for s in secrets:
        if not isinstance(s, str) or not s:
            raise ValueError("a webhook signing secret must be a non-empty str")
    return secrets


_KEYED: dict[str, hmac.HMAC] = {}
_MAX_KEYED = 64


def _hmac_of(signed: bytes, secret: str) -> str:
    """Hex HMAC-SHA256 of `signed` under `secret`: from a copy of the secret's keyed state (the
    key's two padded blocks hashed once per secret, not once per delivery)."""
    keyed = _KEYED.get(secret)
    if keyed is None:
        keyed = hmac.new(secret.encode("utf-8"), digestmod=hashlib.sha256)
        if len(_KEYED) < _MAX_KEYED:
            _KEYED[secret] = keyed
    h = keyed.copy()
    h.update(signed)
    return h.hexdigest()


def _signed(payload: bytes, timestamp: int) -> bytes:
    """What Stripe signs: `<timestamp>.<payload>`."""
    return b"%d." % timestamp + payload


def sign_payload(payload: bytes | str, secret: str, timestamp: int) -> str:
    """The hex `v1` signature Stripe computes: HMAC-SHA256 of `f"{timestamp}.{payload}"`."""
    return _hmac_of(_signed(_payload_bytes(payload), int(timestamp)), secret)


def generate_test_header(
    payload: bytes | str,
    secret: str,
    *,
    timestamp: int | None = None,
    scheme: str = _SCHEME,
) -> str:
    """A `Stripe-Signature` header value for `payload`, as Stripe would send it (for tests).

    `timestamp` defaults to now; `scheme` other than `"v1"` makes a header that verification
    ignores, like Stripe's `v0` test signatures.
    """
    ts = int(time.time()) if timestamp is None else int(timestamp)
    return f"t={ts},{scheme}={sign_payload(payload, secret, ts)}"


# --- verification -------------------------------------------------------------------------------


def _fail(message: str, sig_header: str | None) -> SignatureVerificationError:
    return SignatureVerificationError(message, sig_header=sig_header)


_PLAIN_HEADER = re.compile(rf"t=([0-9]{{1,{_MAX_TIMESTAMP_DIGITS}}}),v1=([0-9a-f]{{64}})")


def _parse_header(sig_header: str | None) -> tuple[int, list[str]]:
    """`(timestamp, v1 signatures)` of a `Stripe-Signature` header; raises on any defect."""
    plain = _PLAIN_HEADER.fullmatch(sig_header) if sig_header is not None else None
    if plain is not None:  # `t=<seconds>,v1=<hex>`, as Stripe sends it: nothing to check
        return int(plain[1]), [plain[2]]
    if sig_header is None:
        raise _fail(f"no {SIGNATURE_HEADER} header", sig_header)
    if not sig_header.strip():
        raise _fail(f"empty {SIGNATURE_HEADER} header", sig_header)
    if not sig_header.isascii():
        raise _fail(f"malformed {SIGNATURE_HEADER} header: non-ASCII characters", sig_header)
    raw_timestamp: str | None = None
    signatures: list[str] = []
    for position, item in enumerate(sig_header.split(","), 1):
        item = item.strip()
        if not item:
            continue
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key or not value:
            raise _fail(
                f"malformed {SIGNATURE_HEADER} header: item {position} is not `key=value`",
                sig_header,
            )
        if key == "t":
            if raw_timestamp is not None:
                raise _fail(
                    f"malformed {SIGNATURE_HEADER} header: more than one timestamp", sig_header
                )
            raw_timestamp = value
        elif key == _SCHEME:
            signatures.append(value)
        # other schemes (Stripe's v0 test signatures, future ones) are ignored
    if raw_timestamp is None:
        raise _fail(f"malformed {SIGNATURE_HEADER} header: no timestamp (`t=`)", sig_header)
    if not raw_timestamp.isdigit() or len(raw_timestamp) > _MAX_TIMESTAMP_DIGITS:
        raise _fail(
            f"bad timestamp in {SIGNATURE_HEADER} header: expected Unix seconds", sig_header
        )
    if not signatures:
        raise _fail(f"no {_SCHEME} signature in {SIGNATURE_HEADER} header", sig_header)
    return int(raw_timestamp), signatures


def _matches(signed: bytes, secrets: list[str], signatures: list[str]) -> bool:
    """Whether any of `signatures` is the HMAC-SHA256 of `signed` under any of `secrets`."""
    for secret in secrets:
        expected = _hmac_of(signed, secret)
        for sig in signatures:
            if hmac.compare_digest(expected, sig):
                return True
    return False


def _verify(
    payload: bytes,
    sig_header: str | None,
    secrets: list[str],
    tolerance: int | None,
    now: float | None,
) -> None:
    if tolerance is not None and tolerance < 0:
        raise ValueError("tolerance must be >= 0 seconds, or None to skip the timestamp check")
    timestamp, signatures = _parse_header(sig_header)
    if not _matches(_signed(payload, timestamp), secrets, signatures):
        raise _fail(
            "no signature matches the payload: check the endpoint's signing secret (whsec_...) "
            "and that the payload is the raw request body, unmodified",
            sig_header,
        )
    if tolerance is None:
        return
    age = (time.time() if now is None else now) - timestamp
    if age > tolerance:
        raise _fail(
            f"timestamp too old: signed {round(age)} seconds ago, tolerance is {tolerance} seconds",
            sig_header,
        )
    if -age > tolerance:
        raise _fail(
            f"timestamp in the future: signed {round(-age)} seconds ahead of this clock, "
            f"tolerance is {tolerance} seconds",
            sig_header,
        )


def verify_header(
    payload: bytes | str,
    sig_header: str | None,
    secret: str | Sequence[str],
    tolerance: int | None = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> None:
    """Check a `Stripe-Signature` header against `payload`, the raw request body.

    Passes if any `v1` signature of the header matches under any of the secrets and the header's
    timestamp is within `tolerance` seconds of `now` (default: the current time) in either
    direction; `tolerance=None` skips the timestamp check. Raises `SignatureVerificationError`
    otherwise, and `ValueError` if no usable secret is given.
    """
    _verify(_payload_bytes(payload, sig_header), sig_header, _secrets(secret), tolerance, now)


def construct_event(
    payload: bytes | str,
    sig_header: str | None,
    secret: str | Sequence[str],
    *,
    tolerance: int | None = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> Event:
    """Verify a webhook delivery (see `verify_header`) and parse its body as a typed `Event`.

    `payload` must be the request body exactly as received; `secret` is the endpoint's signing
    secret, or several of them while rolling it. `event.data.object` is the generated model of
    the object's type, or a plain `StripeObject` for an object type the spec does not know (said
    once per type on the `aiostripe.webhooks` logger, like an `api_version` other than the
    models' one). Raises `SignatureVerificationError` for a bad header, signature or timestamp
    only; a signed body that is not a JSON object (which Stripe never sends) raises `ValueError`.
    """
    raw = payload if type(payload) is bytes else _payload_bytes(payload, sig_header)
    _verify(raw, sig_header, [secret] if type(secret) is str and secret else _secrets(secret),
            tolerance, now)
    try:
        data = _json.loads(raw)
    except ValueError as exc:
        raise ValueError(f"signed webhook payload is not valid UTF-8 JSON: {exc}") from None
    if not isinstance(data, dict):  # a bad value, not a bad argument type: ValueError
        raise ValueError(  # noqa: TRY004
            f"signed webhook payload is not a JSON object but {type(data).__name__}"
        )
    event: Event = structure_as(data, Event)  # tolerant: any JSON object parses
    _report_versions(event)
    return event


def _field(obj: object, key: str) -> Any:
    """`obj[key]` if the data had that field, else None (never raises). A model's field is its
    attribute (one slot load; None when the data lacked it or sent another kind of value)."""
    if type(obj) is not StripeObject and isinstance(obj, StripeObject):
        return getattr(obj, key, None)
    return obj[key] if isinstance(obj, StripeObject) and key in obj else None


_seen_versions: set[str] = set()
_seen_untyped: set[str] = set()


def _report_versions(event: Event) -> None:
    """Log once per API version other than the models' and once per object type without a model."""
    try:  # parsed by the fast path: every field set
        if event.api_version == API_VERSION and type(event.data.object) is not StripeObject:
            return
    except AttributeError:  # parsed tolerantly: read what the data had
        pass
    version = _field(event, "api_version")
    if isinstance(version, str) and version != API_VERSION and version not in _seen_versions:
        _seen_versions.add(version)
        logger.warning(
            "Stripe webhook events of API version %s (first: %s): aiostripe's models are of %s; "
            "fields that version lacks raise AttributeError when read, new ones are obj['field']",
            version, _field(event, "id"), API_VERSION,
        )
    obj = _field(_field(event, "data"), "object")
    if type(obj) is StripeObject:
        kind = str(_field(obj, "object"))
        if kind not in _seen_untyped:
            _seen_untyped.add(kind)
            logger.warning(
                "Stripe webhook event %s carries an object of type %r that aiostripe's models "
                "(API version %s) do not know: event.data.object is plain data (obj['field'])",
                _field(event, "id"), kind, API_VERSION,
            )


# --- routing ------------------------------------------------------------------------------------


def _check_callback(callback: object) -> None:
    if not callable(callback):
        raise TypeError(f"webhook callback must be an async function, got {callback!r}")
    if inspect.isfunction(callback) and not inspect.iscoroutinefunction(callback):
        raise TypeError(
            f"webhook callback {callback.__qualname__} must be an async function (`async def`)"
        )


class WebhookRouter(EventRoutes):
    """Async callbacks by event type, plus catch-alls that see every event.

    ::

        router = WebhookRouter()

        @router.on("invoice.paid", "invoice.payment_succeeded")
        async def invoice_paid(event: Event[Invoice]) -> None:
            invoice = event.data.object  # an Invoice, for mypy and at run time

        @router.catch_all
        async def audit(event: Event) -> None: ...

        router.add("customer.deleted", on_customer_deleted)

    `dispatch` awaits the callbacks of the event's type in the order they were added, then the
    catch-alls, one after the other; an exception in a callback stops the dispatch and propagates.
    An event nobody registered for is simply ignored.
    """

    def __init__(self) -> None:
        self._callbacks: dict[str, list[Callable[[Any], Awaitable[None]]]] = {}
        self._catch_all: list[Callable[[Any], Awaitable[None]]] = []

    def _add(self, event_type: str, callback: Callable[[Any], Awaitable[None]]) -> None:
        """`add`: call `callback` for every event of `event_type` (typed in `EventRoutes`)."""
        if not isinstance(event_type, str) or not event_type:
            raise TypeError(f"event type must be a non-empty str, got {event_type!r}")
        _check_callback(callback)
        self._callbacks.setdefault(event_type, []).append(callback)

    def add_catch_all(self, callback: EventCallback) -> None:
        """Call `callback` for every event, after the callbacks of its type."""
        _check_callback(callback)
        self._catch_all.append(callback)

    def _register(self, event_types: tuple[str, ...]) -> Callable[[Any], Any]:
        """`on`: the decorator registering a function for `event_types` (typed in `EventRoutes`)."""

        def register(callback: Any) -> Any:
            for t in event_types:
                self._add(t, callback)
            return callback

        return register

    def catch_all(self, callback: _C) -> _C:
        """Decorator: register the function for every event."""
        self.add_catch_all(callback)
        return callback

    def callbacks_for(self, event_type: str) -> list[Callable[[Any], Awaitable[None]]]:
        """The callbacks `dispatch` awaits for an event of this type, in order."""
        return [*self._callbacks.get(event_type, ()), *self._catch_all]

    @property
    def event_types(self) -> frozenset[str]:
        """The event types that have callbacks of their own."""
        return frozenset(self._callbacks)

    async def dispatch(self, event: Event) -> int:
        """Await the callbacks for `event`; returns how many were called (0: event ignored)."""
        event_type = _field(event, "type")
        callbacks = self.callbacks_for(event_type if isinstance(event_type, str) else "")
        for callback in callbacks:
            result = callback(event)
            if not inspect.isawaitable(result):
                raise TypeError(
                    f"webhook callback {callback!r} returned {type(result).__name__}, "
                    "not an awaitable: it must be an async function"
                )
            await result
        return len(callbacks)

    def __repr__(self) -> str:
        return (
            f"WebhookRouter(event_types={sorted(self._callbacks)!r}, "
            f"catch_all={len(self._catch_all)})"
        )


# --- aiohttp ------------------------------------------------------------------------------------


async def read_body_within(request: web.Request, max_body_size: int) -> bytes | web.Response:
    """A webhook request's raw body, or the 413 answer once it passes `max_body_size` bytes
    (read in chunks: a body that lies about its length is cut off too). Both aiohttp handlers,
    v1 events' and thin events', read their bodies with it."""
    from aiohttp import web

    if request.content_length is None or request.content_length <= max_body_size:
        body = bytearray()
        async for chunk in request.content.iter_chunked(64 * 1024):
            body += chunk
            if len(body) > max_body_size:
                break
        else:
            return bytes(body)
    return web.json_response(
        {"error": f"request body larger than {max_body_size} bytes"}, status=413
    )


def aiohttp_handler(
    secret: str | Sequence[str],
    router_or_callback: WebhookRouter | EventCallback,
    *,
    tolerance: int | None = DEFAULT_TOLERANCE,
    max_body_size: int = DEFAULT_MAX_BODY_SIZE,
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """An aiohttp request handler for a Stripe webhook endpoint: `app.router.add_post(path, h)`.

    Reads the raw body (at most `max_body_size` bytes, else 413), verifies it with
    `construct_event` and hands the event to the router (or the single async callback). Answers
    200 once the callbacks returned, also for event types without a callback; 400 with a short
    JSON error if verification fails; 500 if a callback raises (the error is logged on the
    `aiostripe.webhooks` logger, Stripe retries the delivery later).
    """
    from aiohttp import web

    secrets = _secrets(secret)
    if tolerance is not None and tolerance < 0:
        raise ValueError("tolerance must be >= 0 seconds, or None to skip the timestamp check")
    if max_body_size <= 0:
        raise ValueError("max_body_size must be positive")
    if isinstance(router_or_callback, WebhookRouter):
        dispatch: Callable[[Event], Awaitable[Any]] = router_or_callback.dispatch
    else:
        _check_callback(router_or_callback)
        dispatch = router_or_callback

    async def handle_stripe_webhook(request: web.Request) -> web.Response:
        body = await read_body_within(request, max_body_size)
        if isinstance(body, web.Response):
            return body
        try:
            event = construct_event(
                body,
                request.headers.get(SIGNATURE_HEADER),
                secrets,
                tolerance=tolerance,
            )
        except (SignatureVerificationError, ValueError) as exc:  # ValueError: not JSON
            logger.warning("rejected Stripe webhook from %s: %s", request.remote, exc)
            return web.json_response({"error": str(exc)}, status=400)
        try:
            await dispatch(event)
        except Exception:
            logger.exception(
                "Stripe webhook callback failed for event %s (%s)",
                _field(event, "id"), _field(event, "type"),
            )
            return web.json_response({"error": "webhook callback failed"}, status=500)
        return web.json_response({"received": True})

    return handle_stripe_webhook
