"""What a behaviour works with: the request's context and a `World` (store, factory, events).

A behaviour never mutates a stored dict in place: it builds a new version (`{**obj, ...}`) and
`save`s it, so the events recorded earlier keep the object as it was then.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from aiostripe.testing.objects import Factory, model_for
from aiostripe.testing.store import Store

if TYPE_CHECKING:
    from aiostripe.testing.behaviours.events import Events
    from aiostripe.testing.behaviours.webhooks import WebhookDispatcher


@attrs.frozen
class RequestContext:
    """Where a change comes from: the request (id, idempotency key), the `Stripe-Account` it was
    made for (None: the platform), test or live mode. A test helper of the fake has no request."""

    request_id: str | None = None
    idempotency_key: str | None = None
    account: str | None = None
    livemode: bool = False
    api_key: str = ""
    """The request's API key, redacted (`sk_test_********1234`), for error messages."""


class World:
    """The store, the factory and the event log, as seen by one request."""

    def __init__(
        self, store: Store, factory: Factory, events: Events, webhooks: WebhookDispatcher
    ) -> None:
        self.store = store
        self.factory = factory
        self.events = events
        self.webhooks = webhooks

    @property
    def context(self) -> RequestContext:
        return self.events.context

    @staticmethod
    def now() -> int:
        return int(time.time())

    def new(
        self, object_type: str, fields: Mapping[str, Any], *, parent: str | None = None
    ) -> dict[str, Any]:
        """Store a new object of `object_type` (the example object with `fields` applied, a fresh
        id, `created` now); no event is recorded (the caller knows which one Stripe sends)."""
        obj = self.factory.build(
            model_for(object_type), fields, strict=True, livemode=self.context.livemode
        )
        self.store.insert(obj, parent=parent)
        return obj

    def preview(
        self, object_type: str, fields: Mapping[str, Any], *, parent: str | None = None
    ) -> dict[str, Any]:
        """What `new` would store, not stored (the parts of a preview: an upcoming invoice's
        lines)."""
        return self.factory.build(
            model_for(object_type), fields, strict=True, livemode=self.context.livemode
        )

    def save(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Store a new version of an object; returns it."""
        self.store.replace(obj)
        return obj

    def get(self, object_id: str | None) -> dict[str, Any] | None:
        """A stored object of the request's account, by id (None for None)."""
        return self.store.get(object_id) if object_id else None

    def new_id(self, object_type: str) -> str:
        return self.factory.new_id(object_type)
