"""Thin events (v2 event notifications): verify, parse into a typed notification, fetch, route.

An event destination of the v2 API delivers *thin* events: a small signed payload that says what
happened (`type`), to which object (`related_object`), in which context (`context`), but carries no
snapshot of the object. Stripe signs it exactly as a v1 webhook (`Stripe-Signature`, verified by
`aiostripe.webhooks`' own code)::

    notification = client.parse_event_notification(payload, sig_header, "whsec_...")
    if isinstance(notification, V1BillingMeterErrorReportTriggeredEventNotification):
        meter = await notification.fetch_related_object()   # a BillingMeter
        event = await notification.fetch_event()            # the full V2CoreEvent, with `data`

Each type stripe-python 16.1 knows has its class (`aiostripe._generated.event_notifications`,
generated from `../shared/stripe-openapi/thin-event-types.stripe-python-16.1.json`); any other
type parses as `UnknownEventNotification`, never an error. A v1 event (`"object": "event"`) is a
`ValueError` that points to `construct_event`. Both fetches go out in the event's context
(`Stripe-Context: <context>`) and carry `Stripe-Request-Trigger: event=<id>`.

`EventNotificationRouter` routes notifications to typed async handlers by class, and
`aiohttp_handler` serves an endpoint with the v1 handler's rules (400 for a bad signature or
payload, 200 once handled, also when nothing handles it, 500 when a handler raises)::

    router = EventNotificationRouter(client)

    @router.on(V2CoreAccountUpdatedEventNotification)
    async def account_updated(n: V2CoreAccountUpdatedEventNotification) -> None:
        account = await n.fetch_related_object()   # a V2CoreAccount

    app.router.add_post("/stripe/thin", router.aiohttp_handler("whsec_..."))
"""

from __future__ import annotations

import inspect
import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from aiostripe import _json
from aiostripe._errors import SignatureVerificationError
from aiostripe._wiretypes import timestamp_value
from aiostripe.webhooks import (
    DEFAULT_MAX_BODY_SIZE,
    DEFAULT_TOLERANCE,
    SIGNATURE_HEADER,
    read_body_within,
    verify_header,
)

if TYPE_CHECKING:
    from aiohttp import web

    from aiostripe._client import StripeClient
    from aiostripe._generated.models.v2_core_event import V2CoreEvent
    from aiostripe._options import RequestOptions

__all__ = [
    "EventNotification",
    "EventNotificationRouter",
    "RelatedObject",
    "RelatedObjectNotification",
    "UnknownEventNotification",
    "parse_event_notification",
]

logger: logging.Logger = logging.getLogger("aiostripe.webhooks")

N = TypeVar("N", bound="EventNotification")

_OBJECT_PATH = re.compile(r"/v[12]/[!-~]*")
"""A related object's `url` as Stripe gives it: a path of the API, printable ASCII."""


class RelatedObject:
    """What a notification is about: `id`, `type` (`billing.meter`, `v2.core.account`), `url`."""

    __slots__ = ("id", "type", "url")

    def __init__(self, id: str, type: str, url: str) -> None:
        self.id: str = id
        self.type: str = type
        self.url: str = url

    def __repr__(self) -> str:
        return f"RelatedObject(id={self.id!r}, type={self.type!r}, url={self.url!r})"


class EventNotification:
    """A verified thin event: `id`, `type`, `created` (aware datetime), `livemode`, `context`
    (the account it happened in, or None), `reason` (as sent) and `related_object` (or None).
    `to_dict()` gives back the payload as received."""

    TYPE: ClassVar[str] = ""

    id: str
    type: str
    created: datetime
    livemode: bool
    context: str | None
    reason: Mapping[str, Any] | None
    related_object: RelatedObject | None

    def __init__(self, data: dict[str, Any], client: StripeClient | None = None) -> None:
        self._data = data
        self._client = client
        self.id = _required_str(data, "id")
        self.type = _required_str(data, "type")
        self.created = timestamp_value(data.get("created"))
        self.livemode = data.get("livemode") is True
        context = data.get("context")
        self.context = context if isinstance(context, str) and context else None
        reason = data.get("reason")
        self.reason = reason if isinstance(reason, dict) else None
        related = data.get("related_object")
        self.related_object = _related(related) if isinstance(related, dict) else None

    def to_dict(self) -> dict[str, Any]:
        return dict(self._data)

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(id={self.id!r}, type={self.type!r}, context={self.context!r})"

    def _options(self) -> RequestOptions:
        options: RequestOptions = {"headers": {"Stripe-Request-Trigger": f"event={self.id}"}}
        if self.context is not None:
            options["stripe_context"] = self.context
        return options

    def _bound(self) -> StripeClient:
        if self._client is None:
            raise RuntimeError(
                "this notification has no client to fetch with: parse it with "
                "client.parse_event_notification(...)"
            )
        return self._client

    async def fetch_event(self) -> V2CoreEvent:
        """The full event (`GET /v2/core/events/{id}`, with its `data`), in the event's context."""
        event: V2CoreEvent = await self._bound().v2.core.events.retrieve(
            self.id, request_options=self._options()
        )
        return event


class RelatedObjectNotification(EventNotification):
    """A notification about one object, which `fetch_related_object()` gets."""

    RELATED: ClassVar[str | None] = None  # the model class name of the related object

    async def _fetch_related(self) -> Any:
        from aiostripe._models import StripeObject, attach_response, parser_named, structure_object

        related = self.related_object
        if related is None:
            raise ValueError(f"event notification {self.id} ({self.type}) has no related_object")
        response = await self._bound()._requestor.request(
            "get", related.url, None, self._options(), template=None
        )
        data = response.json()
        if self.RELATED is not None:
            obj = parser_named(self.RELATED)(data)
        else:
            obj = structure_object(data) if isinstance(data, dict) else data
        if isinstance(obj, StripeObject):
            attach_response(obj, response)
        return obj


class UnknownEventNotification(RelatedObjectNotification):
    """A notification of a type this version of aiostripe does not know: its fields as for any
    notification; `fetch_related_object()` gives the object parsed by its `object` field."""

    async def fetch_related_object(self) -> Any:
        """The related object (None when the notification has none)."""
        if self.related_object is None:
            return None
        return await self._fetch_related()


def _required_str(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise ValueError(f"event notification payload: {key!r} must be a non-empty string")
    return value


def _related(data: Mapping[str, Any]) -> RelatedObject:
    url = data.get("url")
    if not isinstance(url, str) or not _OBJECT_PATH.fullmatch(url) or "#" in url:
        raise ValueError(
            f"event notification payload: related_object.url must be an API path such as "
            f"'/v1/billing/meters/mtr_1', got {url!r}"
        )
    return RelatedObject(_required_str(data, "id"), _required_str(data, "type"), url)


def notification_of(data: dict[str, Any], client: StripeClient | None = None) -> EventNotification:
    """The typed notification of a decoded thin event payload (`UnknownEventNotification` for
    a type without a class); a v1 event is a ValueError."""
    kind = data.get("object")
    if kind == "event":
        raise ValueError(
            "this is a v1 (snapshot) event, not a thin event notification: parse it with "
            "aiostripe.webhooks.construct_event(payload, sig_header, secret)"
        )
    if kind != "v2.core.event":
        raise ValueError(
            f"event notification payload: expected \"object\": \"v2.core.event\", got {kind!r}"
        )
    from aiostripe._generated.event_notifications import NOTIFICATIONS

    cls = NOTIFICATIONS.get(str(data.get("type")), UnknownEventNotification)
    return cls(data, client)


def parse_event_notification(
    payload: bytes | str,
    sig_header: str | None,
    secret: str | Sequence[str],
    *,
    client: StripeClient | None = None,
    tolerance: int | None = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> EventNotification:
    """Verify a thin event delivery as `construct_event` verifies a v1 one (same header, same
    errors) and parse it into its notification class, bound to `client` for the fetches."""
    raw = payload.encode("utf-8") if isinstance(payload, str) else bytes(payload)
    verify_header(raw, sig_header, secret, tolerance, now)
    try:
        data = _json.loads(raw)
    except ValueError as exc:
        raise ValueError(f"signed event notification is not valid UTF-8 JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError(  # noqa: TRY004 - a bad value, not a bad argument type
            f"signed event notification is not a JSON object but {type(data).__name__}"
        )
    return notification_of(data, client)


# --- routing ------------------------------------------------------------------------------------

Handler = Callable[[Any], Awaitable[None]]


def _check_handler(handler: object) -> None:
    if not callable(handler) or (
        inspect.isfunction(handler) and not inspect.iscoroutinefunction(handler)
    ):
        raise TypeError(f"event notification handler must be an async function, got {handler!r}")


class EventNotificationRouter:
    """Typed async handlers by notification class (or by type name), plus catch-alls.

    `@router.on(V2CoreAccountUpdatedEventNotification)` registers a handler of that class (the
    type checker holds the handler to it); `router.on("v2.core.account.updated")` by name.
    `dispatch` awaits the handlers of the notification's type in order, then the catch-alls; an
    exception stops it and propagates. A notification nobody handles is ignored.
    """

    def __init__(self, client: StripeClient) -> None:
        self.client = client
        self._handlers: dict[str, list[Handler]] = {}
        self._catch_all: list[Handler] = []

    def on(self, *kinds: type[N] | str) -> Callable[[Callable[[N], Awaitable[None]]],
                                                     Callable[[N], Awaitable[None]]]:
        """Decorator: call the function for notifications of these classes (or type names)."""
        if not kinds:
            raise TypeError("on(): name at least one notification class or type")
        types_ = [_type_name(k) for k in kinds]

        def register(handler: Callable[[N], Awaitable[None]]) -> Callable[[N], Awaitable[None]]:
            _check_handler(handler)
            for t in types_:
                self._handlers.setdefault(t, []).append(handler)
            return handler

        return register

    def catch_all(self, handler: Callable[[EventNotification], Awaitable[None]]) -> Handler:
        """Decorator: call the function for every notification, after those of its type."""
        _check_handler(handler)
        self._catch_all.append(handler)
        return handler

    def parse(self, payload: bytes | str, sig_header: str | None,
              secret: str | Sequence[str], *, tolerance: int | None = DEFAULT_TOLERANCE
              ) -> EventNotification:
        """`parse_event_notification`, bound to this router's client."""
        return parse_event_notification(payload, sig_header, secret, client=self.client,
                                        tolerance=tolerance)

    async def dispatch(self, notification: EventNotification) -> int:
        """Await the handlers of `notification`; how many were called (0: ignored)."""
        handlers = [*self._handlers.get(notification.type, ()), *self._catch_all]
        for handler in handlers:
            await handler(notification)
        return len(handlers)

    def aiohttp_handler(
        self,
        secret: str | Sequence[str],
        *,
        tolerance: int | None = DEFAULT_TOLERANCE,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
    ) -> Callable[[web.Request], Awaitable[web.Response]]:
        """An aiohttp handler for an event destination's endpoint, with the rules of
        `aiostripe.webhooks.aiohttp_handler`: 413 for a body over `max_body_size`, 400 for a
        bad signature or payload, 200 once the handlers returned, 500 if one raised."""
        from aiohttp import web

        if isinstance(secret, str):
            verify_secret: str | Sequence[str] = secret
        else:
            verify_secret = list(secret)
        if max_body_size <= 0:
            raise ValueError("max_body_size must be positive")

        async def handle_event_notification(request: web.Request) -> web.Response:
            body = await read_body_within(request, max_body_size)
            if isinstance(body, web.Response):
                return body
            try:
                notification = self.parse(body, request.headers.get(SIGNATURE_HEADER),
                                          verify_secret, tolerance=tolerance)
            except (SignatureVerificationError, ValueError) as exc:
                logger.warning("rejected Stripe event notification from %s: %s",
                               request.remote, exc)
                return web.json_response({"error": str(exc)}, status=400)
            try:
                await self.dispatch(notification)
            except Exception:
                logger.exception("Stripe event notification handler failed for %s (%s)",
                                 notification.id, notification.type)
                return web.json_response({"error": "event notification handler failed"},
                                         status=500)
            return web.json_response({"received": True})

        return handle_event_notification


def _type_name(kind: type[EventNotification] | str) -> str:
    if isinstance(kind, str):
        if not kind:
            raise TypeError("a notification type must be a non-empty str")
        return kind
    if isinstance(kind, type) and issubclass(kind, EventNotification) and kind.TYPE:
        return kind.TYPE
    raise TypeError(f"expected a notification class or a type name, got {kind!r}")
