"""Subscriptions and test clocks: https://docs.stripe.com/billing/subscriptions/overview (the
lifecycle), https://docs.stripe.com/billing/testing/test-clocks.

- `subscriptions.create(customer, items=[{price, quantity}])`: the first invoice (lines from the
  items' prices, `billing_reason=subscription_create`) is finalized and paid with the
  subscription's or the customer's default payment method: `active`; without one, with
  `payment_behavior="default_incomplete"` or a decline, `incomplete` (its invoice open, the
  intent waiting); with `trial_period_days` / `trial_end`, `trialing` with a zero invoice.
  Each item's `current_period_start/end` (on the items since API version 2025-03-31.basil)
  follow the price's `recurring` interval; the invoice names the subscription in
  `parent.subscription_details`.
- `cancel` (DELETE): `canceled`, `ended_at`, `customer.subscription.deleted`;
  `cancel_at_period_end=true` on update: `cancel_at` the (first item's) period end.
- A customer created with `test_clock` lives at the clock's `frozen_time`; advancing the clock
  (`test_helpers.test_clocks.advance`) renews each of its subscriptions period by period (a new
  invoice each, paid like the first: `past_due` when payment fails), ends trials, and cancels
  at period end; `test_helpers.test_clock.advancing` / `.ready` around it.
"""

from __future__ import annotations

import calendar
import time
from typing import TYPE_CHECKING, Any

from aiostripe.testing.behaviours import invoices
from aiostripe.testing.behaviours.failures import invalid
from aiostripe.testing.behaviours.registry import behaviour
from aiostripe.testing.behaviours.world import World
from aiostripe.testing.errors import StripeHTTPError
from aiostripe.testing.objects import model_for

if TYPE_CHECKING:
    from aiostripe.testing.handlers import Call

_DAY = 86400


@behaviour("subscriptions.create")
def create(call: Call) -> dict[str, Any]:
    world, params = call.world, call.params
    customer = world.get(params.get("customer"))
    if customer is None or customer.get("object") != "customer":
        raise invalid(
            f"No such customer: '{params.get('customer')}'",
            code="resource_missing",
            param="customer",
        )
    now = clock_time(world, customer)
    prices = [_price(world, item) for item in params.get("items") or []]
    trial_end = params.get("trial_end")
    if params.get("trial_period_days"):
        trial_end = now + int(params["trial_period_days"]) * _DAY
    if trial_end == "now":
        trial_end = None
    recurring = (prices[0][0].get("recurring") if prices else None) or {
        "interval": "month",
        "interval_count": 1,
    }
    period_end = int(trial_end) if trial_end else advance(now, recurring)

    payment_behavior = params.get("payment_behavior") or "allow_incomplete"

    def adjust(obj: dict[str, Any]) -> dict[str, Any]:
        items = [
            world.new(
                "subscription_item",
                {"price": price, "quantity": quantity, "subscription": obj["id"], "metadata": {},
                 "current_period_start": now, "current_period_end": period_end},
                parent=obj["id"],
            )
            for price, quantity in prices
        ]
        fresh = {
            **obj,
            "status": "incomplete",
            "customer": customer["id"],
            "currency": prices[0][0].get("currency") if prices else "usd",
            "items": {
                "object": "list",
                "data": items,
                "has_more": False,
                "url": f"/v1/subscription_items?subscription={obj['id']}",
            },
            "start_date": now,
            "billing_cycle_anchor": period_end if trial_end else now,
            "trial_start": now if trial_end else None,
            "trial_end": int(trial_end) if trial_end else None,
            "cancel_at": None,
            "canceled_at": None,
            "ended_at": None,
            "cancel_at_period_end": bool(params.get("cancel_at_period_end")),
            "latest_invoice": None,
            "test_clock": customer.get("test_clock"),
            "default_payment_method": params.get("default_payment_method"),
            "discounts": [],
            "pending_setup_intent": None,
            "pending_update": None,
            "schedule": None,
            "pause_collection": None,
        }
        return bill(
            world,
            fresh,
            "subscription_create",
            now,
            period_end,
            trial=bool(trial_end),
            attempt=payment_behavior != "default_incomplete",
            raise_decline=payment_behavior == "error_if_incomplete",
        )

    subscription: dict[str, Any] = call.on_create(adjust)
    return subscription


@behaviour("subscriptions.update")
def update(call: Call) -> dict[str, Any]:
    world, params = call.world, call.params
    subscription = call.target()
    updated = world.factory.apply(subscription, params, model_for("subscription"))
    if "cancel_at_period_end" in params:
        at_end = bool(params["cancel_at_period_end"])
        updated["cancel_at"] = period(updated)[1] if at_end else None
        updated["canceled_at"] = world.now() if at_end else None
    world.save(updated)
    world.events.updated(subscription, updated)
    return updated


@behaviour("subscriptions.cancel")
def cancel(call: Call) -> dict[str, Any]:
    world = call.world
    subscription = call.target()
    if subscription["status"] == "canceled":
        raise invalid(f"No such subscription: '{subscription['id']}'", code="resource_missing")
    return end(world, subscription, clock_time(world, world.get(subscription.get("customer"))))


def end(world: World, subscription: dict[str, Any], at: int) -> dict[str, Any]:
    ended = {
        **subscription,
        "status": "canceled",
        "canceled_at": subscription.get("canceled_at") or at,
        "ended_at": at,
    }
    world.save(ended)
    world.events.emit("customer.subscription.deleted", ended)
    return ended


def bill(
    world: World,
    subscription: dict[str, Any],
    reason: str,
    start: int,
    end_: int,
    *,
    trial: bool = False,
    attempt: bool = True,
    raise_decline: bool = False,
) -> dict[str, Any]:
    """Invoice one period of `subscription` (zero during a trial), finalize and try to pay it;
    returns the subscription with its new `status` and `latest_invoice` (not saved)."""
    customer = world.get(subscription.get("customer"))
    base = world.factory.build(model_for("invoice"), {}, livemode=world.context.livemode)
    invoice = invoices.new_draft(world, base, customer)
    invoice.update(
        parent=_parent(subscription),
        billing_reason=reason,
        currency=subscription.get("currency") or "usd",
        collection_method=subscription.get("collection_method") or "charge_automatically",
        period_start=start,
        period_end=end_,
        test_clock=subscription.get("test_clock"),
    )
    lines = _period_lines(subscription, start, end_, trial=trial)
    invoice = invoices.with_lines(world, invoice, lines, "subscription")
    world.store.insert(invoice)
    world.events.created(invoice)
    invoice = invoices.finalize_invoice(world, invoice)
    status = "trialing" if trial else subscription["status"]
    if invoice["status"] == "paid":
        status = "trialing" if trial else "active"
    elif attempt:
        try:
            invoice = invoices.pay_invoice(
                world, invoice, subscription.get("default_payment_method")
            )
            status = "active"
        except StripeHTTPError:
            if raise_decline:
                raise
            status = "past_due" if reason == "subscription_cycle" else "incomplete"
    return {**subscription, "status": status, "latest_invoice": invoice["id"]}


def _parent(subscription: dict[str, Any]) -> dict[str, Any]:
    """The `parent` of an invoice of `subscription`."""
    return {
        "type": "subscription_details",
        "quote_details": None,
        "subscription_details": {
            "subscription": subscription["id"],
            "metadata": subscription.get("metadata") or {},
        },
    }


def _period_lines(
    subscription: dict[str, Any], start: int, end_: int, *, trial: bool
) -> list[dict[str, Any]]:
    """The items of `subscription` priced for one period (zero during a trial)."""
    lines = []
    for item in subscription["items"]["data"]:
        price = item.get("price") or {}
        quantity = int(item.get("quantity") or 1)
        amount = 0 if trial else int(price.get("unit_amount") or 0) * quantity
        lines.append(
            {
                **item,
                "amount": amount,
                "currency": price.get("currency"),
                "description": f"{quantity} × {price.get('nickname') or price.get('id')}",
                "period": {"start": start, "end": end_},
                "subscription": subscription["id"],
                "pricing": invoices.pricing_of(price) if price.get("id") else None,
            }
        )
    return lines


@behaviour("invoices.create_preview")
def create_preview(call: Call) -> dict[str, Any]:
    """The invoice a customer would get next (what `invoices.upcoming` was before 2025-03-31):
    their pending invoice items and, with `subscription`, its items for its next period; nothing
    is stored."""
    world, params = call.world, call.params
    customer = world.get(params.get("customer")) if params.get("customer") else None
    subscription = world.get(params.get("subscription")) if params.get("subscription") else None
    if customer is None and subscription is not None:
        customer = world.get(subscription.get("customer"))
    base = world.factory.build(model_for("invoice"), {}, livemode=world.context.livemode)
    invoice = invoices.new_draft(world, base, customer)
    invoice["id"] = "upcoming_" + invoice["id"]
    pending = [
        i for i in world.store.newest_first(["invoiceitem"])
        if customer is not None and i.get("customer") == customer["id"] and i.get("invoice") is None
    ]
    invoice = invoices.with_lines(world, invoice, list(reversed(pending)), preview=True)
    if subscription is not None:
        start = period(subscription)[1]
        items = subscription["items"]["data"]
        price = (items[0].get("price") or {}) if items else {}
        recurring = price.get("recurring") or {"interval": "month", "interval_count": 1}
        stop = next_period_end(subscription["billing_cycle_anchor"], start, recurring)
        lines = _period_lines(subscription, start, stop, trial=False)
        invoice = invoices.with_lines(world, invoice, lines, "subscription", preview=True)
        invoice["parent"] = _parent(subscription)
        invoice.update(billing_reason="upcoming", period_start=start, period_end=stop)
    return invoice



def advance(anchor: int, recurring: dict[str, Any], times: int = 1) -> int:
    """`times` billing intervals after `anchor`; months keep the anchor's day, or the last day of
    a shorter month (an anchor on Jan 31 bills Feb 28, then Mar 31)."""
    count = int(recurring.get("interval_count") or 1) * times
    interval = recurring.get("interval") or "month"
    if interval == "day":
        return anchor + count * _DAY
    if interval == "week":
        return anchor + count * 7 * _DAY
    t = time.gmtime(anchor)
    months = count * (12 if interval == "year" else 1)
    year, month = divmod(t.tm_mon - 1 + months, 12)
    year += t.tm_year
    day = min(t.tm_mday, calendar.monthrange(year, month + 1)[1])
    return calendar.timegm((year, month + 1, day, t.tm_hour, t.tm_min, t.tm_sec))


def next_period_end(anchor: int, after: int, recurring: dict[str, Any]) -> int:
    """The first billing date counted from `anchor` that is later than `after`."""
    times = 1
    while (end_ := advance(anchor, recurring, times)) <= after:
        times += 1
    return end_


def period(subscription: dict[str, Any]) -> tuple[int, int]:
    """(start, end) of a subscription's current period: its (first) item's."""
    items = subscription["items"]["data"]
    if not items:
        return subscription["start_date"], subscription["start_date"]
    return items[0]["current_period_start"], items[0]["current_period_end"]


def with_period(world: World, subscription: dict[str, Any], start: int, end_: int) -> dict[str, Any]:
    """`subscription` whose items (stored, and in its `items`) are in the period start..end_."""
    items = [
        world.save({**item, "current_period_start": start, "current_period_end": end_})
        for item in subscription["items"]["data"]
    ]
    return {**subscription, "items": {**subscription["items"], "data": items}}


def clock_time(world: World, customer: dict[str, Any] | None) -> int:
    """Now for a customer: its test clock's frozen time, else the real time."""
    clock = world.get((customer or {}).get("test_clock"))
    if clock is not None and clock.get("object") == "test_helpers.test_clock":
        return int(clock["frozen_time"])
    return world.now()


def _price(world: World, item: dict[str, Any]) -> tuple[dict[str, Any], int]:
    quantity = int(item.get("quantity") or 1)
    price_id = item.get("price")
    price = world.get(price_id) if isinstance(price_id, str) else None
    if price is None and isinstance(price_id, str):
        raise invalid(
            f"No such price: '{price_id}'", code="resource_missing", param="items[0][price]"
        )
    if price is None:
        data = item.get("price_data") or {}
        price = world.new(
            "price",
            {
                "currency": data.get("currency", "usd"),
                "unit_amount": data.get("unit_amount", 0),
                "recurring": data.get("recurring"),
                "type": "recurring",
                "product": data.get("product"),
            },
        )
    return price, quantity


# --- test clocks --------------------------------------------------------------------------------


@behaviour("test_helpers.test_clocks.create")
def create_clock(call: Call) -> dict[str, Any]:
    frozen = int(call.params["frozen_time"])
    clock: dict[str, Any] = call.on_create(
        lambda obj: {
            **obj,
            "status": "ready",
            "frozen_time": frozen,
            "deletes_after": frozen + 30 * _DAY,
        }
    )
    return clock


@behaviour("test_helpers.test_clocks.advance")
def advance_clock(call: Call) -> dict[str, Any]:
    world = call.world
    clock = call.target()
    to = int(call.params["frozen_time"])
    if to <= clock["frozen_time"]:
        raise invalid(
            f"The frozen_time ({to}) must be after the clock's current frozen_time "
            f"({clock['frozen_time']}).",
            code="parameter_invalid",
            param="frozen_time",
        )
    advancing = world.save({**clock, "status": "advancing"})
    world.events.emit("test_helpers.test_clock.advancing", advancing)
    customers = {
        c["id"]
        for c in world.store.newest_first(["customer"])
        if c.get("test_clock") == clock["id"]
    }
    world.save({**advancing, "frozen_time": to})
    for subscription in list(world.store.newest_first(["subscription"])):
        if subscription.get("customer") in customers:
            _renew(world, subscription, to)
    ready = world.save(
        {**advancing, "frozen_time": to, "status": "ready", "deletes_after": to + 30 * _DAY}
    )
    world.events.emit("test_helpers.test_clock.ready", ready)
    return {**ready, "status": "advancing"}  # as Stripe answers; it is ready by the next call


def _renew(world: World, subscription: dict[str, Any], to: int) -> None:
    """Bill every period of `subscription` that ended by `to` (or end it, at period end)."""
    while subscription["status"] in ("active", "trialing", "past_due") and (
        period(subscription)[1] <= to
    ):
        start = period(subscription)[1]
        if subscription.get("cancel_at_period_end"):
            end(world, subscription, start)
            return
        items = subscription["items"]["data"]
        price = (items[0].get("price") or {}) if items else {}
        recurring = price.get("recurring") or {"interval": "month", "interval_count": 1}
        stop = next_period_end(subscription["billing_cycle_anchor"], start, recurring)
        status = "active" if subscription["status"] == "trialing" else subscription["status"]
        moved = {**with_period(world, subscription, start, stop), "status": status}
        renewed = world.save(bill(world, moved, "subscription_cycle", start, stop))
        world.events.updated(subscription, renewed)
        subscription = renewed
