"""Stripe's behaviour in the fake, beyond keeping objects: lifecycles, test cards, events, webhooks.

The generic operations of `handlers.py` store, update, delete and list the objects of every
operation of the spec. The modules here give the operations users test most the behaviour Stripe
documents, each registered by client method name (`registry.behaviour`):

- `cards.py`: test payment methods (`pm_card_visa`, the decline family, 3D Secure) and numbers;
- `payments.py`: the PaymentIntent status machine, its charges and balance transactions;
- `refunds.py`: refunds (full, partial, over-refund errors);
- `setup_intents.py`: SetupIntents with the same test cards, payment methods detached;
- `customers.py`: a customer's credit balance;
- `payouts.py`: payouts (pending, in transit, paid, failed, canceled);
- `transfers.py`: transfers to connected accounts and their reversals;
- `checkout.py`: Checkout Sessions in payment mode, completed by a test helper;
- `invoices.py`: invoice items and invoices (draft, open, paid, void, uncollectible);
- `subscriptions.py`: subscriptions (first invoice, trials, cancel) and test clocks;
- `endpoints.py`: webhook endpoints with their `whsec_` secret;
- `connect.py`: `Stripe-Account` (objects of connected accounts kept apart);
- `treasury.py`: money movement with transactions, entries and balances;
- `events.py` records the events of every change, `webhooks.py` delivers them;
- `http_helpers.py`: the fake's own test helpers over HTTP (`/_fake/...`).

`docs/fake-stripe.md` says what is modelled and what is not.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from aiostripe.testing.behaviours import (  # noqa: F401  (they register their behaviours)
    checkout,
    connect,
    customers,
    endpoints,
    events,
    invoices,
    payments,
    payouts,
    refunds,
    setup_intents,
    subscriptions,
    transfers,
    treasury,
)
from aiostripe.testing.behaviours.events import EventLog
from aiostripe.testing.behaviours.registry import Behaviour, find
from aiostripe.testing.behaviours.webhooks import DEFAULT_RETRY_DELAYS, WebhookDispatcher
from aiostripe.testing.behaviours.world import RequestContext, World
from aiostripe.testing.objects import Factory
from aiostripe.testing.store import EVERYONE, Store

__all__ = ["Behaviours", "RequestContext", "World"]


class Behaviours:
    """The behaviours of one fake: its event log and webhook dispatcher."""

    def __init__(
        self,
        store: Store,
        factory: Factory,
        *,
        retry_delays: Sequence[float] = DEFAULT_RETRY_DELAYS,
    ) -> None:
        self.store = store
        self.factory = factory
        self.events: EventLog = EventLog(store, factory)
        self.webhooks: WebhookDispatcher = WebhookDispatcher(store, retry_delays)
        self.events.listeners.append(self.webhooks.enqueue)

    def find(self, name: str) -> Behaviour | None:
        return find(name)

    def world(self, context: RequestContext) -> World:
        return World(self.store, self.factory, self.events.bind(context), self.webhooks)

    @contextmanager
    def scope(self, context: RequestContext) -> Iterator[None]:
        """Run a request in the scope of its `Stripe-Account` (see `connect.py`)."""
        connect.check_account(self.store, context.account, context.api_key)
        self.store.scope = context.account
        try:
            yield
        finally:
            self.store.scope = EVERYONE
