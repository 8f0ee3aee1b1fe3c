"""What each kind of operation does to the store, and the body it answers with.

The behaviour of an operation comes from `operations.py` (`create`, `retrieve`, `update`, `delete`,
`action`, `static`, `delete_field`, `list`, `search`, `binary`); the object types from the
operation's `returns` and from the path (`{customer}` holds a customer id). Parent ids in the path
must exist (else Stripe's 404), and nested objects are linked to their parent, by the field named
like the path parameter when the model has one. Lists and searches are in `lists.py`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from aiostripe._models import DeletableObject
from aiostripe.testing import errors
from aiostripe.testing.behaviours import Behaviours, RequestContext, World
from aiostripe.testing.lists import list_page, search_page
from aiostripe.testing.objects import Factory, NoFit
from aiostripe.testing.operations import (
    Operation,
    Router,
    link_fields,
    object_names,
    pick_class,
    singular_name,
)
from aiostripe.testing.schema import class_for, fields, is_deleted, literal_values, members
from aiostripe.testing.schema import object_name as name_of
from aiostripe.testing.store import Store

Adjust = Callable[[dict[str, Any]], dict[str, Any]]
_PDF = b"%PDF-1.4\n% aiostripe fake Stripe\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"

# The status an action leaves an object in, by the last path segment; the first value the model's
# `status` field allows is used.
_STATUS: dict[str, tuple[str, ...]] = {
    "accept": ("accepted",),
    "activate": ("active",),
    "approve": ("approved", "active"),
    "cancel": ("canceled", "cancelled"),
    "capture": ("succeeded", "closed"),
    "close": ("lost", "closed"),
    "confirm": ("succeeded",),
    "deactivate": ("inactive",),
    "decline": ("declined",),
    "deliver": ("delivered",),
    "disconnect": ("disconnected",),
    "expire": ("expired", "closed"),
    "fail": ("failed",),
    "finalize": ("open",),
    "mark_ready_to_ship": ("ready_to_ship",),
    "mark_uncollectible": ("uncollectible",),
    "mark_undeliverable": ("undeliverable",),
    "pay": ("paid",),
    "post": ("posted",),
    "reactivate": ("active",),
    "redact": ("redacted",),
    "reject": ("rejected",),
    "release": ("released",),
    "resume": ("active",),
    "return": ("returned",),
    "reverse": ("reversed",),
    "send": ("open",),
    "ship": ("shipped",),
    "submit": ("submitted",),
    "succeed": ("succeeded",),
    "verify": ("verified",),
    "void": ("void",),
}


@attrs.frozen
class Answer:
    """A successful answer: a JSON-ready body, or bytes with their content type."""

    body: Any
    content_type: str = "application/json"
    status: int = 200


class Handlers:
    """The operations of the API over one store."""

    def __init__(
        self, store: Store, factory: Factory, router: Router, behaviours: Behaviours | None = None
    ) -> None:
        self.store = store
        self.factory = factory
        self.router = router
        self.behaviours: Behaviours = behaviours or Behaviours(store, factory)

    def handle(
        self,
        op: Operation,
        path_params: Mapping[str, str],
        params: Mapping[str, Any],
        *,
        path: str,
        livemode: bool = False,
        context: RequestContext | None = None,
    ) -> Answer:
        """Run `op`; raises `StripeHTTPError` for Stripe's error answers. `context` (request id,
        idempotency key, `Stripe-Account`) goes into the events the request causes."""
        params = dict(params)
        expand = params.pop("expand", None) or []
        context = context or RequestContext(livemode=livemode)
        call = Call(self, op, path_params, params, path, context, list(expand))
        custom = self.behaviours.find(op.name)
        with self.behaviours.scope(context):
            body = custom(call) if custom is not None else getattr(call, f"on_{op.behaviour}")()
            if isinstance(body, bytes):
                return Answer(body, "application/pdf")
            for dotted in call.expand:
                body = self.store.expand(body, dotted.split("."))
        return Answer(body)


class Call:
    """One request being answered."""

    def __init__(
        self,
        handlers: Handlers,
        op: Operation,
        path_params: Mapping[str, str],
        params: dict[str, Any],
        path: str,
        context: RequestContext,
        expand: list[str],
    ) -> None:
        self.store: Store = handlers.store
        self.factory: Factory = handlers.factory
        self.router: Router = handlers.router
        self.op = op
        self.path_params = path_params
        self.params = params
        self.path = path
        self.livemode: bool = context.livemode
        self.expand = expand
        self.world: World = handlers.behaviours.world(context)
        """The behaviours' view of the fake: events, test cards, the request's context."""

    # --- lookups --------------------------------------------------------------------------------

    def _find(self, param: str, expected: frozenset[str] = frozenset()) -> dict[str, Any]:
        """The stored object whose id is the path parameter `param`, or Stripe's 404."""
        object_id = self.path_params[param]
        if not expected:
            target = self.router.target_type(self.op, param)
            expected = object_names([target]) if target is not None else frozenset()
        obj = self.store.get(object_id)
        if obj is None or (expected and obj.get("object") not in expected):
            kind = min(expected) if len(expected) == 1 else singular_name(self.op, param)
            is_leaf = self.op.ends_with_id and param == self.op.path_params[-1]
            raise errors.resource_missing(kind, object_id, "id" if is_leaf else param)
        return obj

    def _parents(self, params: tuple[str, ...]) -> dict[str, dict[str, Any]]:
        return {p: self._find(p) for p in params}

    def _target(self, expected: frozenset[str] = frozenset()) -> dict[str, Any]:
        """The object the last path parameter names, after checking its parents exist and own it."""
        *parents, leaf = self.op.path_params
        owners = self._parents(tuple(parents))
        obj = self._find(leaf, expected)
        for param, owner in owners.items():
            if not self._owned(obj, param, owner):
                raise errors.resource_missing(
                    _name_of_obj(obj), obj["id"], "id" if self.op.ends_with_id else leaf
                )
        return obj

    def _owned(self, obj: Mapping[str, Any], param: str, owner: Mapping[str, Any]) -> bool:
        links = [self.store.parents.get(obj["id"])]
        for field in link_fields(param, owner):
            value = obj.get(field)
            links.append(value.get("id") if isinstance(value, Mapping) else value)
        known = [link for link in links if isinstance(link, str)]
        return not known or owner["id"] in known

    def _link(
        self, obj: dict[str, Any], cls: type, owners: Mapping[str, Mapping[str, Any]]
    ) -> None:
        """Point a new object at its parents (`customer_balance_transaction.customer`)."""
        known = fields(cls)
        for param, owner in owners.items():
            for field in link_fields(param, owner):
                if field in known and field != "id":
                    try:
                        obj[field] = self.factory.merge(None, owner["id"], known[field].type, 1)
                    except NoFit:
                        continue
                    break

    def _results(self) -> list[type]:
        return [c for c in self.op.result_classes() if not is_deleted(c)]

    def _new(
        self, cls: type, owners: Mapping[str, Mapping[str, Any]], adjust: Adjust | None = None
    ) -> dict[str, Any]:
        obj = self.factory.build(cls, self.params, livemode=self.livemode)
        self._link(obj, cls, owners)
        if adjust is not None:
            obj = adjust(obj)
        if isinstance(obj.get("id"), str) and isinstance(obj.get("object"), str):
            parent = list(owners.values())[-1]["id"] if owners else None
            self.store.insert(obj, parent=parent)
            self.world.events.created(obj)
        return obj

    # --- behaviours -----------------------------------------------------------------------------

    def on_create(self, adjust: Adjust | None = None) -> Any:
        """Store a new object from the parameters (`adjust` may change it before it is stored and
        its `*.created` event recorded)."""
        owners = self._parents(self.op.path_params)
        return self._new(self._create_class(), owners, adjust)

    def target(self) -> dict[str, Any]:
        """The stored object the request's path names (Stripe's 404 if there is none)."""
        return self._target(object_names(self.op.result_classes()))

    def _create_class(self) -> type:
        return pick_class(self._results(), self.op)

    def on_retrieve(self) -> Any:
        """The stored object the path names (a deleted one where Stripe answers it, else 404)."""
        try:
            return self._target(object_names(self.op.result_classes()))
        except errors.StripeHTTPError:
            # a retrieve whose answer may be the deleted object (Stripe's `anyOf [customer,
            # deleted_customer]`, a `DeletableObject` model): 200 `{"id", "object", "deleted":
            # true}` once it was deleted
            if any(issubclass(c, DeletableObject) for c in self.op.result_classes()):
                gone = self.store.tombstone(self.path_params[self.op.path_params[-1]])
                if gone is not None:
                    return dict(gone)
            raise

    def on_update(self) -> Any:
        """The stored object with the parameters applied (and its `*.updated` event)."""
        obj = self._target(object_names(self.op.result_classes()))
        updated = self.factory.apply(obj, self.params, _class_of(obj))
        self.store.replace(updated)
        self.world.events.updated(obj, updated)
        return updated

    def on_delete(self) -> Any:
        """Remove the object (its `deleted_*` answer), or cancel one a DELETE cancels."""
        obj = self._target(object_names(self.op.result_classes()))
        kind = obj["object"]
        deleted = [c for c in self.op.result_classes() if is_deleted(c) and name_of(c) == kind]
        if deleted:
            answer = self.factory.deleted(deleted[0], obj)
            self.store.bury(obj["id"], answer)
            self.world.events.deleted(obj)
            return answer
        # a DELETE answering the object itself: subscriptions are canceled (and kept), ephemeral
        # keys and sources go away
        canceled = self._transition(obj, _class_of(obj), "cancel")
        if canceled is obj:
            self.store.remove(obj["id"])
            self.world.events.deleted(obj)
        else:
            self.store.replace(canceled)
            self.world.events.transitioned(obj, canceled, "cancel")
        return canceled

    def on_action(self) -> Any:
        """An action on the object the path names (`/v1/.../{id}/cancel`): its state transition."""
        leaf = self.op.path_params[-1]
        target = self.router.target_type(self.op, leaf)
        obj = self._target(object_names([target]) if target is not None else frozenset())
        results = self._results()
        if obj.get("object") in object_names(results):
            cls = _class_of(obj)
            updated = self.factory.apply(obj, self.params, cls)
            updated = self._transition(updated, cls, self.op.segments[-1])
            self.store.replace(updated)
            self.world.events.transitioned(obj, updated, self.op.segments[-1])
            return updated
        return self._new(results[0], {leaf: obj})

    def _transition(self, obj: dict[str, Any], cls: type, verb: str) -> dict[str, Any]:
        known = fields(cls)
        if verb == "detach" and "customer" in known:
            return {**obj, "customer": None}
        status = known.get("status")
        if status is None or verb not in _STATUS:
            return obj
        allowed = {v for m in members(status.type) for v in literal_values(m) or ()}
        for value in _STATUS[verb]:
            if value in allowed:
                out = {**obj, "status": value}
                if verb == "cancel" and "canceled_at" in known:
                    out["canceled_at"] = int(time.time())
                return out
        return obj

    def on_static(self) -> Any:
        """An object without an id of its own (`balance`, a field of its owner): one per path,
        built from the example object the first time."""
        owners = self._parents(self.op.path_params)
        cls = self._results()[0]
        base = self.store.singletons.get(self.path)
        if base is None:
            owner = list(owners.values())[-1] if owners else None
            held = owner.get(self.op.segments[-1]) if owner is not None else None
            if isinstance(held, dict) and held.get("object", name_of(cls)) == name_of(cls):
                base = held
            else:
                base = self.factory.build(cls, livemode=self.livemode)
                self._link(base, cls, owners)
            self.store.singletons[self.path] = base
        obj = self.factory.apply(base, self.params, cls) if self.params else base
        if self.op.method == "update":
            self.store.singletons[self.path] = obj
        return obj

    def on_delete_field(self) -> Any:
        """A DELETE of a field of an object (a customer's discount): the field cleared."""
        owners = self._parents(self.op.path_params)
        owner = list(owners.values())[-1]
        field = self.op.segments[-1]
        held = owner.get(field)
        self.store.replace({**owner, field: None})
        deleted = [c for c in self.op.result_classes() if is_deleted(c)]
        if not deleted:
            return held
        return self.factory.deleted(deleted[0], held if isinstance(held, dict) else {})

    def on_binary(self) -> bytes:
        """A file download (`quotes.pdf`): a small PDF."""
        self._target()
        return _PDF

    # --- lists ----------------------------------------------------------------------------------

    def on_list(self) -> Any:
        """One page of the stored objects of the list's type (Stripe's paging and filters)."""
        owners = self._parents(self.op.path_params)
        return list_page(self.store, self.params, self._results(), owners, self.path)

    def on_search(self) -> Any:
        """One page of search results over the stored objects (Stripe's query language)."""
        return search_page(self.store, self.params, self._results(), self.expand, self.path)


def _class_of(obj: Mapping[str, Any]) -> type:
    cls = class_for(str(obj.get("object")), deleted=obj.get("deleted") is True)
    if cls is None:
        raise errors.invalid_request(f"the fake has no model for {obj.get('object')!r}")
    return cls


def _name_of_obj(obj: Mapping[str, Any]) -> str:
    return str(obj.get("object", "object"))
