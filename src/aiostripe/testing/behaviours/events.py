"""The events the fake records, as Stripe sends them (https://docs.stripe.com/api/events/object).

Every create, update and delete of an object records `<type>.created` / `.updated` / `.deleted`,
and an action its transition (`invoice.finalized`, `treasury.outbound_transfer.posted`), where the
spec knows such an event type; lifecycles (`payments.py`, ...) record theirs (`charge.succeeded`,
`payment_intent.payment_failed`). An event holds `data.object` as the object was then,
`data.previous_attributes` on updates (the old values of the fields that changed), `request.id` /
`request.idempotency_key` of the request that caused it, and `account` for a connected account's
event. Recorded events are stored (listable through `/v1/events`) and handed to the listeners
(the webhook dispatcher), which say how many endpoints will receive them (`pending_webhooks`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, get_args

from aiostripe._generated import API_VERSION
from aiostripe._generated.event_types import EventType
from aiostripe.testing.behaviours.registry import behaviour
from aiostripe.testing.behaviours.world import RequestContext
from aiostripe.testing.lists import list_page
from aiostripe.testing.objects import Factory, model_for
from aiostripe.testing.store import Store

if TYPE_CHECKING:
    from aiostripe.testing.handlers import Call

EVENT_TYPES: frozenset[str] = frozenset(get_args(EventType))
"""Every event type of the spec: an event Stripe does not send is never recorded."""

# Object types whose events Stripe names under another prefix.
_PREFIX = {
    "subscription": "customer.subscription",
    "tax_id": "customer.tax_id",
    "discount": "customer.discount",
}
# The event an action sends, by the action's verb (the last path segment).
_VERB_EVENT = {
    "cancel": "canceled",
    "close": "closed",
    "expire": "expired",
    "fail": "failed",
    "finalize": "finalized",
    "mark_uncollectible": "marked_uncollectible",
    "pay": "paid",
    "post": "posted",
    "return": "returned",
    "reverse": "reversed",
    "send": "sent",
    "succeed": "succeeded",
    "void": "voided",
}

Listener = Callable[[dict[str, Any]], int]


def event_prefix(obj: Mapping[str, Any]) -> str:
    """The prefix of an object's event types (`subscription` -> `customer.subscription`)."""
    kind = str(obj.get("object", ""))
    return _PREFIX.get(kind, kind)


def previous_attributes(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """The old values of what changed from `old` to `new`, as Stripe reports them: a changed
    hash (`metadata`, `address`) lists only its changed keys (added ones with null)."""
    out: dict[str, Any] = {}
    for key in old.keys() | new.keys():
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        if isinstance(before, Mapping) and isinstance(after, Mapping) and "id" not in before:
            out[key] = previous_attributes(before, after)
        else:
            out[key] = before
    return out


class EventLog:
    """Records events into the store and tells the listeners."""

    def __init__(self, store: Store, factory: Factory) -> None:
        self.store = store
        self.factory = factory
        self.listeners: list[Listener] = []
        self._cls = model_for("event")

    def record(
        self,
        type: str,
        obj: Mapping[str, Any],
        context: RequestContext,
        previous: Mapping[str, Any] | None = None,
    ) -> dict[str, Any] | None:
        """Store the event `type` about `obj` (None if Stripe has no such event type)."""
        if type not in EVENT_TYPES:
            return None
        event = self.factory.build(self._cls, livemode=context.livemode)
        data: dict[str, Any] = {"object": dict(obj)}
        if previous is not None:
            data["previous_attributes"] = dict(previous)
        event.update(
            type=type,
            data=data,
            api_version=API_VERSION,
            pending_webhooks=0,
            request={"id": context.request_id, "idempotency_key": context.idempotency_key},
        )
        if context.account is not None:
            event["account"] = context.account
        self.store.insert(event)
        pending = sum(listener(event) for listener in self.listeners)
        if pending:
            event = {**event, "pending_webhooks": pending}
            self.store.replace(event)
        return event

    def bind(self, context: RequestContext) -> Events:
        return Events(self, context)


class Events:
    """The event log as used by one request (its context goes into every event)."""

    def __init__(self, log: EventLog, context: RequestContext) -> None:
        self.log = log
        self.context = context

    def emit(
        self, type: str, obj: Mapping[str, Any], previous: Mapping[str, Any] | None = None
    ) -> dict[str, Any] | None:
        """Record the event `type` about `obj`."""
        return self.log.record(type, obj, self.context, previous)

    def created(self, obj: Mapping[str, Any]) -> None:
        self.emit(f"{event_prefix(obj)}.created", obj)

    def deleted(self, obj: Mapping[str, Any]) -> None:
        self.emit(f"{event_prefix(obj)}.deleted", obj)

    def updated(self, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
        """`<type>.updated` with `previous_attributes`, if anything changed."""
        previous = previous_attributes(old, new)
        if previous:
            self.emit(f"{event_prefix(new)}.updated", new, previous)

    def transitioned(self, old: Mapping[str, Any], new: Mapping[str, Any], verb: str) -> None:
        """The event of an action (`invoice.finalized`), else `<type>.updated`."""
        past = _VERB_EVENT.get(verb)
        specific = f"{event_prefix(new)}.{past}" if past else ""
        if specific in EVENT_TYPES:
            self.emit(specific, new)
        else:
            self.updated(old, new)


@behaviour("events.list")
def list_events(call: Call) -> dict[str, Any]:
    """`/v1/events` with Stripe's filters beyond the generic ones: `types` (any of several
    types) and `delivery_success` (whether every webhook endpoint got the event)."""
    params = dict(call.params)
    types = params.pop("types", None)
    delivered = params.pop("delivery_success", None)
    checks: list[Callable[[dict[str, Any]], bool]] = []
    if types:
        wanted = frozenset(types)
        checks.append(lambda e: e.get("type") in wanted)
    if delivered is not None:
        checks.append(lambda e: (e.get("pending_webhooks", 0) == 0) == bool(delivered))
    page: dict[str, Any] = list_page(
        call.store,
        params,
        [model_for("event")],
        {},
        call.path,
        extra=lambda e: all(check(e) for check in checks),
    )
    return page
