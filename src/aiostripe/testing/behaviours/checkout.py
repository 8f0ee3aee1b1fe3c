"""Checkout Sessions in `payment` mode: https://docs.stripe.com/api/checkout/sessions.

A new session is `open` and `unpaid`, its totals the sum of its line items (`price` of a stored
price, or `price_data`), each stored as a line item (`checkout.sessions.line_items.list`). The
customer's part happens in the browser, so the fake has a test helper for it:
`fake.complete_checkout(session_id, payment_method="pm_card_visa")` pays the session with a
PaymentIntent (its events as in `payments.py`), then marks it `complete` and `paid` with
`checkout.session.completed`. A declined card leaves the session open (the customer sees an
error). Other modes (`subscription`, `setup`) are stored but not completed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiostripe.testing.behaviours import payments
from aiostripe.testing.behaviours.registry import behaviour
from aiostripe.testing.behaviours.world import World
from aiostripe.testing.errors import StripeHTTPError

if TYPE_CHECKING:
    from aiostripe.testing.handlers import Call

EXPIRES_AFTER = 24 * 3600
"""A session expires 24 hours after it is created (Stripe's default `expires_at`)."""


@behaviour("checkout.sessions.create")
def create(call: Call) -> dict[str, Any]:
    world, params = call.world, call.params
    items = [_line(world, item) for item in params.get("line_items") or []]
    total = sum(i["amount_total"] for i in items)
    currency = params.get("currency") or (items[0]["currency"] if items else None)

    def adjust(obj: dict[str, Any]) -> dict[str, Any]:
        obj = {k: v for k, v in obj.items() if k != "line_items"}  # only shown when expanded
        return {
            **obj,
            "status": "open",
            "payment_status": "unpaid",
            "payment_intent": None,
            "amount_subtotal": total,
            "amount_total": total,
            "currency": currency,
            "customer": params.get("customer"),
            "customer_details": None,
            "expires_at": world.now() + EXPIRES_AFTER,
            "url": f"https://checkout.stripe.com/c/pay/{obj['id']}",
        }

    session: dict[str, Any] = call.on_create(adjust)
    for item in items:
        world.new("item", item, parent=session["id"])
    return session


def _line(world: World, item: dict[str, Any]) -> dict[str, Any]:
    quantity = int(item.get("quantity") or 1)
    price = world.get(item.get("price")) if isinstance(item.get("price"), str) else None
    data = item.get("price_data") or {}
    unit = (price or data).get("unit_amount") or 0
    currency = (price or data).get("currency") or "usd"
    product = data.get("product_data") or {}
    amount = int(unit) * quantity
    return {
        "amount_subtotal": amount,
        "amount_total": amount,
        "amount_discount": 0,
        "amount_tax": 0,
        "currency": currency,
        "description": product.get("name") or (price or {}).get("nickname"),
        "quantity": quantity,
    }


def complete(world: World, session_id: str, payment_method: str = "pm_card_visa") -> dict[str, Any]:
    """Pay an open `payment` mode session as its customer would; returns the session."""
    session = world.get(session_id)
    if session is None or session.get("object") != "checkout.session":
        raise KeyError(session_id)
    if session["status"] != "open":
        raise ValueError(f"{session_id} is {session['status']}, not open")
    if session.get("mode") != "payment":
        raise ValueError(f"{session_id}: only mode=payment sessions are completed by the fake")
    intent = payments.new_intent(
        world,
        {
            "amount": session["amount_total"] or 0,
            "currency": session["currency"] or "usd",
            "customer": session.get("customer"),
            "metadata": session.get("metadata") or {},
        },
        payment_method,
    )
    try:
        intent = payments.confirm_intent(world, intent, {})
    except StripeHTTPError:
        return session
    done = {
        **session,
        "status": "complete",
        "payment_status": "paid",
        "payment_intent": intent["id"],
        "customer_details": {
            "address": None,
            "email": session.get("customer_email") or "jenny.rosen@example.com",
            "name": "Jenny Rosen",
            "phone": None,
            "tax_exempt": "none",
            "tax_ids": [],
        },
    }
    world.save(done)
    world.events.emit("checkout.session.completed", done)
    return done
