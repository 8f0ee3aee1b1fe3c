"""Invoices and invoice items: https://docs.stripe.com/invoicing/overview (the invoice
lifecycle) and https://docs.stripe.com/api/invoices.

API version 2026-05-27 (since 2025-03-31.basil an invoice names its subscription in
`parent.subscription_details` and its payments in `payments`, invoice payments, not in
`subscription`, `payment_intent`, `charge` or `paid`; items and lines give their price in
`pricing.price_details`).

- An invoice item is pending (`invoice=null`) until an invoice takes it: `invoices.create`
  with `pending_invoice_items_behavior="include"` (the default is `exclude` since 2022-08-01),
  or an item created with `invoice=in_...` on a draft. Its `amount` is `amount`, or the unit
  amount (`pricing.price`'s, `price_data`'s or `unit_amount_decimal`) times `quantity`.
- An invoice's `lines` are its items (`parent.invoice_item_details`) or its subscription's items
  (`parent.subscription_item_details`); `subtotal`, `total`, `amount_due`, `amount_remaining`
  are their sum, kept up to date while it is a draft.
- `finalize_invoice`: draft → `open` with a `number`, and for `charge_automatically` a
  PaymentIntent of `amount_due` in an invoice payment (`invoice_payments.list(invoice=...)`,
  `status="open"`, the invoice's `payments`; a zero invoice is `paid` at once); `pay`: the
  intent is confirmed with `payment_method`, the invoice's or the customer's default payment
  method (the invoice payment `paid`; a decline is the 402, `invoice.payment_failed`, the
  invoice stays open; `paid_out_of_band` pays without a charge: `amount_paid_off_stripe`);
  `void_invoice` (its open payment `canceled`) and `mark_uncollectible` from `open`; `delete`
  of drafts only. `invoices.list(subscription=...)` filters on `parent.subscription_details`.
- events: `invoiceitem.created`, `invoice.created`, `.updated`, `.finalized`, `.paid`,
  `.payment_succeeded`, `.payment_failed`, `.voided`, `.marked_uncollectible`, `.deleted`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from aiostripe.testing import errors
from aiostripe.testing.behaviours import payments
from aiostripe.testing.behaviours.failures import invalid
from aiostripe.testing.behaviours.registry import behaviour
from aiostripe.testing.behaviours.world import World
from aiostripe.testing.errors import StripeHTTPError
from aiostripe.testing.lists import list_page
from aiostripe.testing.objects import model_for

if TYPE_CHECKING:
    from aiostripe.testing.handlers import Call


# --- invoice items ------------------------------------------------------------------------------


@behaviour("invoice_items.create")
def create_item(call: Call) -> dict[str, Any]:
    world, params = call.world, call.params
    invoice = _draft(world, params["invoice"]) if params.get("invoice") else None
    pricing_param = params.get("pricing") or {}
    price_id = pricing_param.get("price") if isinstance(pricing_param, dict) else None
    price = world.get(price_id) if isinstance(price_id, str) else None
    if price is None and params.get("price_data"):
        data = params["price_data"]
        price = world.new("price", {
            "currency": data.get("currency", "usd"), "product": data.get("product"),
            "unit_amount": data.get("unit_amount"),
            "unit_amount_decimal": data.get("unit_amount_decimal"), "type": "one_time",
            "recurring": None,
        })
    quantity = Decimal(str(params.get("quantity_decimal") or params.get("quantity") or 1))
    unit = params.get("unit_amount_decimal")
    if unit is None and price is not None:
        unit = unit_amount(price)
    amount = (
        int(params["amount"]) if params.get("amount") is not None
        else int((Decimal(str(unit or 0)) * quantity).to_integral_value())
    )
    currency = params.get("currency") or (price or {}).get("currency") or "usd"
    subscription = params.get("subscription")
    now = world.now()

    def adjust(obj: dict[str, Any]) -> dict[str, Any]:
        return {
            **obj,
            "amount": amount,
            "net_amount": amount,
            "currency": currency,
            "quantity": int(quantity),
            "quantity_decimal": _decimal_text(quantity),
            "invoice": invoice["id"] if invoice else None,
            "description": params.get("description"),
            "pricing": pricing_of(price, unit),
            "parent": {
                "type": "subscription_details",
                "subscription_details": {"subscription": subscription, "subscription_item": None},
            } if subscription else None,
            "proration": False,
            "proration_details": {"credited_items": None, "discount_amounts": []},
            "period": {"start": now, "end": now},
            "date": now,
        }

    item: dict[str, Any] = call.on_create(adjust)
    if invoice is not None:
        add_lines(world, invoice, [item])
    return item


def pricing_of(price: dict[str, Any] | None, unit: Any = None) -> dict[str, Any] | None:
    """An item's or a line's `pricing`: the price it bills (none for a bare amount)."""
    if price is None:
        return None
    product = price.get("product")
    return {
        "type": "price_details",
        "price_details": {
            "price": price["id"],
            "product": product.get("id") if isinstance(product, dict) else product,
        },
        "unit_amount_decimal": _decimal_text(unit if unit is not None else unit_amount(price)),
    }


def unit_amount(price: dict[str, Any]) -> Any:
    """A price's unit amount: `unit_amount` (what the fake sets), else `unit_amount_decimal`."""
    if price.get("unit_amount") is not None:
        return price["unit_amount"]
    return price.get("unit_amount_decimal") or 0


def _decimal_text(value: Any) -> str:
    """A `format: decimal` value as Stripe writes it (`"3"`, `"2.5"`)."""
    text = format(Decimal(str(value)).normalize(), "f")
    return text


# --- invoices -------------------------------------------------------------------------------------


@behaviour("invoices.create")
def create(call: Call) -> dict[str, Any]:
    world, params = call.world, call.params
    customer = world.get(params.get("customer")) if params.get("customer") else None

    def adjust(obj: dict[str, Any]) -> dict[str, Any]:
        return new_draft(world, obj, customer, params.get("description"))

    invoice: dict[str, Any] = call.on_create(adjust)
    if params.get("pending_invoice_items_behavior") == "include" and customer is not None:
        pending = [
            i
            for i in world.store.newest_first(["invoiceitem"])
            if i.get("customer") == customer["id"] and i.get("invoice") is None
        ]
        invoice = add_lines(world, invoice, list(reversed(pending)))
    return invoice


@behaviour("invoices.list")
def list_invoices(call: Call) -> dict[str, Any]:
    """`/v1/invoices` with `subscription`, which is the invoice's `parent.subscription_details`."""
    params = dict(call.params)
    subscription = params.pop("subscription", None)
    page: dict[str, Any] = list_page(
        call.store, params, [model_for("invoice")], {}, call.path,
        extra=(lambda i: subscription_of(i) == subscription) if subscription else None,
    )
    return page


def subscription_of(invoice: dict[str, Any]) -> str | None:
    """The id of the subscription an invoice bills (its `parent.subscription_details`)."""
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    value = details.get("subscription")
    return value.get("id") if isinstance(value, dict) else value


def new_draft(
    world: World, obj: dict[str, Any], customer: dict[str, Any] | None, description: Any = None
) -> dict[str, Any]:
    """A fresh draft invoice: no lines, nothing due (and an id of its own: the spec lets an
    invoice's id be null, so the factory keeps the example's)."""
    obj = {**obj, "id": world.new_id("invoice")}
    out = {
        **obj,
        "status": "draft",
        "attempted": False,
        "attempt_count": 0,
        "number": None,
        "hosted_invoice_url": None,
        "invoice_pdf": None,
        "description": description,
        "customer": customer["id"] if customer else obj.get("customer"),
        "customer_email": (customer or {}).get("email"),
        "customer_name": (customer or {}).get("name"),
        "parent": None,
        "billing_reason": "manual",
        "ending_balance": None,
        "status_transitions": {
            "finalized_at": None,
            "marked_uncollectible_at": None,
            "paid_at": None,
            "voided_at": None,
        },
        "lines": {
            "object": "list",
            "data": [],
            "has_more": False,
            "url": f"/v1/invoices/{obj['id']}/lines",
        },
        "payments": _payments_page([]),
        "period_start": world.now(),
        "period_end": world.now(),
    }
    return {**out, **_totals([])}


def _totals(lines: list[dict[str, Any]]) -> dict[str, Any]:
    total = sum(int(line["amount"]) for line in lines)
    return {
        "subtotal": total,
        "subtotal_excluding_tax": total,
        "total": total,
        "total_excluding_tax": total,
        "amount_due": total,
        "amount_paid": 0,
        "amount_paid_off_stripe": 0,
        "amount_overpaid": 0,
        "amount_remaining": total,
        "total_taxes": [],
        "total_pretax_credit_amounts": [],
        "total_discount_amounts": [],
        "discounts": [],
    }


def _payments_page(payments: list[dict[str, Any]]) -> dict[str, Any]:
    return {"object": "list", "data": payments, "has_more": False, "url": "/v1/invoice_payments"}


def with_lines(
    world: World,
    invoice: dict[str, Any],
    items: list[dict[str, Any]],
    line_type: str = "invoiceitem",
    *,
    preview: bool = False,
) -> dict[str, Any]:
    """`invoice` with `items` (invoice items, or priced subscription items) as more line items
    (stored under the invoice) and its totals recomputed; invoice items then point at it.
    The invoice itself is not saved. A `preview` stores nothing."""
    lines = list(invoice["lines"]["data"])
    for item in items:
        now = world.now()
        from_item = line_type == "invoiceitem"
        parent = {
            "proration": False,
            "proration_details": None,
            "subscription": item.get("subscription"),
            "invoice_item": item["id"] if from_item else None,
        }
        if not from_item:
            parent["subscription_item"] = item["id"]
        line = (world.preview if preview else world.new)(
            "line_item",
            {
                "amount": item["amount"],
                "subtotal": item["amount"],
                "currency": item.get("currency") or invoice["currency"],
                "description": item.get("description"),
                "quantity": item.get("quantity"),
                "quantity_decimal": item.get("quantity_decimal") or _decimal_text(
                    item.get("quantity") or 1),
                "pricing": item.get("pricing"),
                "period": item.get("period") or {"start": now, "end": now},
                "parent": {
                    "type": "invoice_item_details" if from_item else "subscription_item_details",
                    "invoice_item_details": parent if from_item else None,
                    "subscription_item_details": None if from_item else parent,
                },
                "subscription": item.get("subscription"),
                "discount_amounts": [],
                "discounts": [],
                "pretax_credit_amounts": [],
                "taxes": [],
                "metadata": {},
                "invoice": invoice["id"],
            },
            parent=invoice["id"],
        )
        lines.append(line)
        if from_item and not preview:
            world.save({**item, "invoice": invoice["id"]})
    return {
        **invoice,
        **_totals(lines),
        "lines": {**invoice["lines"], "data": lines},
    }


def add_lines(world: World, invoice: dict[str, Any], items: list[dict[str, Any]]) -> dict[str, Any]:
    """Put invoice items on a stored draft (`invoice.updated`)."""
    updated = world.save(with_lines(world, invoice, items))
    world.events.updated(invoice, updated)
    return updated


@behaviour("invoices.finalize_invoice")
def finalize(call: Call) -> dict[str, Any]:
    return finalize_invoice(call.world, _in_status(call, ("draft",), "finalized"))


def finalize_invoice(world: World, invoice: dict[str, Any]) -> dict[str, Any]:
    count = world.store.count("invoice")
    now = world.now()
    opened = {
        **invoice,
        "status": "open",
        "number": f"FAKE-{count:04d}",
        "hosted_invoice_url": f"https://invoice.stripe.com/i/{invoice['id']}",
        "invoice_pdf": f"https://pay.stripe.com/invoice/{invoice['id']}/pdf",
        "status_transitions": {**invoice["status_transitions"], "finalized_at": now},
        "effective_at": now,
        "starting_balance": 0,
        "ending_balance": 0,
    }
    if opened["collection_method"] == "charge_automatically" and opened["amount_due"] > 0:
        opened = _new_payment(world, opened, f"Invoice {opened['number']}")
    world.save(opened)
    world.events.emit("invoice.finalized", opened)
    if opened["amount_due"] == 0:
        return _paid(world, opened, None)
    return opened


@behaviour("invoices.pay")
def pay(call: Call) -> dict[str, Any]:
    params = call.params
    invoice = _in_status(call, ("open",), "paid")
    if params.get("paid_out_of_band"):
        return _paid(call.world, _settle(call.world, invoice, "canceled"), None)
    return pay_invoice(call.world, invoice, params.get("payment_method"))


def pay_invoice(world: World, invoice: dict[str, Any], payment_method: Any) -> dict[str, Any]:
    """Charge an open invoice (the PaymentIntent of its open invoice payment) with
    `payment_method` or the default one; raises the 402 of a decline after recording
    `invoice.payment_failed`."""
    pm = (
        payment_method
        or invoice.get("default_payment_method")
        or _customer_default(world, invoice.get("customer"))
    )
    if not pm:
        raise invalid(
            "This customer has no attached payment source or default payment method. Please "
            "consider adding a default payment method.",
        )
    if open_payment(invoice) is None:
        invoice = _new_payment(world, invoice, None)
    payment = open_payment(invoice)
    assert payment is not None
    intent = world.get(payment["payment"]["payment_intent"])
    assert intent is not None
    attempted = {
        **invoice,
        "attempted": True,
        "attempt_count": invoice["attempt_count"] + 1,
    }
    try:
        intent = payments.confirm_intent(world, intent, {"payment_method": pm, "off_session": True})
    except StripeHTTPError:
        world.save(attempted)
        world.events.emit("invoice.payment_failed", attempted)
        raise
    return _paid(world, attempted, intent)


def open_payment(invoice: dict[str, Any]) -> dict[str, Any] | None:
    """The invoice payment of an invoice that is still to be paid (`status="open"`), if any."""
    page = invoice.get("payments") or {}
    return next((p for p in page.get("data") or [] if p.get("status") == "open"), None)


def intent_of(invoice: dict[str, Any]) -> str | None:
    """The id of the PaymentIntent of an invoice's default invoice payment, if any."""
    page = invoice.get("payments") or {}
    for payment in page.get("data") or []:
        if payment.get("is_default"):
            value = payment["payment"].get("payment_intent")
            return value.get("id") if isinstance(value, dict) else value
    return None


def _new_payment(world: World, invoice: dict[str, Any], description: str | None) -> dict[str, Any]:
    """`invoice` with a new PaymentIntent of its `amount_remaining`, in a new open invoice
    payment (stored under the invoice)."""
    intent = payments.new_intent(
        world,
        {
            "amount": invoice["amount_remaining"],
            "currency": invoice["currency"],
            "customer": invoice["customer"],
            "description": description,
            "metadata": {},
        },
        None,
    )
    existing = (invoice.get("payments") or {}).get("data") or []
    payment = world.new(
        "invoice_payment",
        {
            "amount_requested": invoice["amount_remaining"],
            "amount_paid": None,
            "currency": invoice["currency"],
            "invoice": invoice["id"],
            "is_default": not existing,
            "payment": {"type": "payment_intent", "payment_intent": intent["id"]},
            "status": "open",
            "status_transitions": {"canceled_at": None, "paid_at": None},
        },
        parent=invoice["id"],
    )
    return {**invoice, "payments": _payments_page([*existing, payment])}


def _settle(world: World, invoice: dict[str, Any], status: str, **changes: Any) -> dict[str, Any]:
    """`invoice` with its open invoice payment moved to `status` (`paid`, `canceled`) and saved."""
    payment = open_payment(invoice)
    if payment is None:
        return invoice
    stamp = "paid_at" if status == "paid" else "canceled_at"
    moved = world.save({
        **payment, "status": status, **changes,
        "status_transitions": {**payment["status_transitions"], stamp: world.now()},
    })
    data = [moved if p["id"] == moved["id"] else p for p in invoice["payments"]["data"]]
    return {**invoice, "payments": {**invoice["payments"], "data": data}}


def _paid(world: World, invoice: dict[str, Any], intent: dict[str, Any] | None) -> dict[str, Any]:
    if intent is not None:
        invoice = _settle(world, invoice, "paid", amount_paid=invoice["amount_remaining"])
        changes: dict[str, Any] = {}
    else:  # paid out of band (or nothing to pay)
        changes = {"amount_paid_off_stripe": invoice["amount_remaining"]}
    return _move(
        world, invoice, "paid", "paid_at", ("invoice.paid", "invoice.payment_succeeded"),
        amount_paid=invoice["amount_due"],
        amount_remaining=0,
        **changes,
    )


def _move(
    world: World,
    invoice: dict[str, Any],
    status: str,
    stamp: str,
    events: tuple[str, ...],
    **changes: Any,
) -> dict[str, Any]:
    """`invoice` in `status` (its `status_transitions[stamp]` now, with `changes`), saved, and
    `events` emitted."""
    moved = {
        **invoice,
        "status": status,
        **changes,
        "status_transitions": {**invoice["status_transitions"], stamp: world.now()},
    }
    world.save(moved)
    for event in events:
        world.events.emit(event, moved)
    return moved


@behaviour("invoices.void_invoice")
def void(call: Call) -> dict[str, Any]:
    world = call.world
    invoice = _in_status(call, ("open",), "voided")
    intent = world.get(intent_of(invoice))
    if intent is not None and intent["status"] in payments.CANCELABLE:
        world.save(
            {
                **intent,
                "status": "canceled",
                "canceled_at": world.now(),
                "cancellation_reason": "void_invoice",
            }
        )
    invoice = _settle(world, invoice, "canceled")
    return _move(world, invoice, "void", "voided_at", ("invoice.voided",), amount_remaining=0)


@behaviour("invoices.mark_uncollectible")
def mark_uncollectible(call: Call) -> dict[str, Any]:
    world = call.world
    invoice = _in_status(call, ("open",), "marked uncollectible")
    return _move(
        world, invoice, "uncollectible", "marked_uncollectible_at",
        ("invoice.marked_uncollectible",),
    )


@behaviour("invoices.delete")
def delete(call: Call) -> Any:
    _in_status(call, ("draft",), "deleted")
    return call.on_delete()


def _customer_default(world: World, customer_id: Any) -> str | None:
    customer = world.get(customer_id) if isinstance(customer_id, str) else None
    settings = (customer or {}).get("invoice_settings") or {}
    value = settings.get("default_payment_method")
    if isinstance(value, dict):
        value = value.get("id")
    return str(value) if value else None


def _draft(world: World, invoice_id: str) -> dict[str, Any]:
    invoice = world.get(invoice_id)
    if invoice is None or invoice.get("object") != "invoice":
        raise errors.resource_missing("invoice", invoice_id, "invoice")
    if invoice["status"] != "draft":
        raise invalid(
            f"You can only add invoice items to draft invoices; {invoice_id} is "
            f"{invoice['status']}.",
            param="invoice",
        )
    return invoice


def _in_status(call: Call, allowed: tuple[str, ...], action: str) -> dict[str, Any]:
    invoice = call.target()
    if invoice["status"] not in allowed:
        raise invalid(
            f"This invoice cannot be {action} because it is {invoice['status']}; only "
            f"{' or '.join(allowed)} invoices can be.",
            code="invoice_not_editable" if "draft" in allowed else None,
        )
    return invoice
