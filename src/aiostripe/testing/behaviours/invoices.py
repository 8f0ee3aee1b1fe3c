"""Invoices and invoice items: https://docs.stripe.com/invoicing/overview (the invoice
lifecycle) and https://docs.stripe.com/api/invoices.

- An invoice item is pending (`invoice=null`) until an invoice takes it: `invoices.create`
  with `pending_invoice_items_behavior="include"` (the default is `exclude` since 2022-08-01),
  or an item created with `invoice=in_...` on a draft. Its `amount` is `amount`, or the price's
  (or `unit_amount`'s) unit amount times `quantity`.
- An invoice's `lines` are its items; `subtotal`, `total`, `amount_due`, `amount_remaining` are
  their sum, kept up to date while it is a draft.
- `finalize_invoice`: draft → `open` with a `number`, and for `charge_automatically` a
  PaymentIntent of `amount_due` (a zero invoice is `paid` at once); `pay`: the intent is
  confirmed with `payment_method`, the invoice's or the customer's default payment method (a
  decline is the 402, `invoice.payment_failed`, the invoice stays open; `paid_out_of_band`
  pays without a charge); `void_invoice` and `mark_uncollectible` from `open`; `delete` of
  drafts only.
- events: `invoiceitem.created`, `invoice.created`, `.updated`, `.finalized`, `.paid`,
  `.payment_succeeded`, `.payment_failed`, `.voided`, `.marked_uncollectible`, `.deleted`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiostripe.testing import errors
from aiostripe.testing.behaviours import payments
from aiostripe.testing.behaviours.failures import invalid
from aiostripe.testing.behaviours.registry import behaviour
from aiostripe.testing.behaviours.world import World
from aiostripe.testing.errors import StripeHTTPError

if TYPE_CHECKING:
    from aiostripe.testing.handlers import Call


# --- invoice items ------------------------------------------------------------------------------


@behaviour("invoice_items.create")
def create_item(call: Call) -> dict[str, Any]:
    world, params = call.world, call.params
    invoice = _draft(world, params["invoice"]) if params.get("invoice") else None
    price = world.get(params.get("price")) if isinstance(params.get("price"), str) else None
    quantity = int(params.get("quantity") or 1)
    unit = params.get("unit_amount")
    if unit is None and price is not None:
        unit = price.get("unit_amount")
    if unit is None and params.get("price_data"):
        unit = params["price_data"].get("unit_amount")
    amount = (
        int(params["amount"]) if params.get("amount") is not None else int(unit or 0) * quantity
    )
    currency = params.get("currency") or (price or {}).get("currency") or "usd"
    now = world.now()

    def adjust(obj: dict[str, Any]) -> dict[str, Any]:
        return {
            **obj,
            "amount": amount,
            "currency": currency,
            "quantity": quantity,
            "unit_amount": amount // quantity if quantity else amount,
            "unit_amount_decimal": str(amount // quantity if quantity else amount),
            "invoice": invoice["id"] if invoice else None,
            "subscription": None,
            "description": params.get("description"),
            "price": price or obj.get("price"),
            "period": {"start": now, "end": now},
            "date": now,
        }

    item: dict[str, Any] = call.on_create(adjust)
    if invoice is not None:
        add_lines(world, invoice, [item])
    return item


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


def new_draft(
    world: World, obj: dict[str, Any], customer: dict[str, Any] | None, description: Any = None
) -> dict[str, Any]:
    """A fresh draft invoice: no lines, nothing due (and an id of its own: the spec lets an
    invoice's id be null, so the factory keeps the example's)."""
    obj = {**obj, "id": world.new_id("invoice")}
    out = {
        **obj,
        "status": "draft",
        "paid": False,
        "paid_out_of_band": False,
        "attempted": False,
        "attempt_count": 0,
        "number": None,
        "charge": None,
        "payment_intent": None,
        "hosted_invoice_url": None,
        "invoice_pdf": None,
        "description": description,
        "customer": customer["id"] if customer else obj.get("customer"),
        "customer_email": (customer or {}).get("email"),
        "customer_name": (customer or {}).get("name"),
        "subscription": None,
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
        "amount_remaining": total,
        "tax": None,
        "total_tax_amounts": [],
        "total_discount_amounts": [],
        "discount": None,
        "discounts": [],
    }


def with_lines(
    world: World,
    invoice: dict[str, Any],
    items: list[dict[str, Any]],
    line_type: str = "invoiceitem",
) -> dict[str, Any]:
    """`invoice` with `items` (invoice items, or priced subscription items) as more line items
    (stored under the invoice) and its totals recomputed; invoice items then point at it.
    The invoice itself is not saved."""
    lines = list(invoice["lines"]["data"])
    for item in items:
        now = world.now()
        line = world.new(
            "line_item",
            {
                "amount": item["amount"],
                "amount_excluding_tax": item["amount"],
                "currency": item.get("currency") or invoice["currency"],
                "description": item.get("description"),
                "quantity": item.get("quantity"),
                "price": item.get("price"),
                "period": item.get("period") or {"start": now, "end": now},
                "invoice_item": item["id"] if line_type == "invoiceitem" else None,
                "subscription": item.get("subscription"),
                "subscription_item": item["id"] if line_type == "subscription" else None,
                "type": line_type,
                "proration": False,
                "discount_amounts": [],
                "discounts": [],
                "tax_amounts": [],
                "tax_rates": [],
                "metadata": {},
                "invoice": invoice["id"],
            },
            parent=invoice["id"],
        )
        absent = "subscription_item" if line_type == "invoiceitem" else "invoice_item"
        line = world.save({k: v for k, v in line.items() if k != absent})  # not null: absent
        lines.append(line)
        if line_type == "invoiceitem":
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
        intent = payments.new_intent(
            world,
            {
                "amount": opened["amount_due"],
                "currency": opened["currency"],
                "customer": opened["customer"],
                "description": f"Invoice {opened['number']}",
                "invoice": opened["id"],
                "metadata": {},
            },
            None,
        )
        opened["payment_intent"] = intent["id"]
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
        return _paid(call.world, {**invoice, "paid_out_of_band": True}, None)
    return pay_invoice(call.world, invoice, params.get("payment_method"))


def pay_invoice(world: World, invoice: dict[str, Any], payment_method: Any) -> dict[str, Any]:
    """Charge an open invoice (its PaymentIntent) with `payment_method` or the default one;
    raises the 402 of a decline after recording `invoice.payment_failed`."""
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
    intent = world.get(invoice.get("payment_intent"))
    if intent is None:
        intent = payments.new_intent(
            world,
            {
                "amount": invoice["amount_remaining"],
                "currency": invoice["currency"],
                "customer": invoice["customer"],
                "invoice": invoice["id"],
                "metadata": {},
            },
            None,
        )
    attempted = {
        **invoice,
        "attempted": True,
        "attempt_count": invoice["attempt_count"] + 1,
        "payment_intent": intent["id"],
    }
    try:
        intent = payments.confirm_intent(world, intent, {"payment_method": pm, "off_session": True})
    except StripeHTTPError:
        world.save(attempted)
        world.events.emit("invoice.payment_failed", attempted)
        raise
    return _paid(world, attempted, intent)


def _paid(world: World, invoice: dict[str, Any], intent: dict[str, Any] | None) -> dict[str, Any]:
    return _move(
        world, invoice, "paid", "paid_at", ("invoice.paid", "invoice.payment_succeeded"),
        paid=True,
        amount_paid=invoice["amount_due"],
        amount_remaining=0,
        charge=(intent or {}).get("latest_charge"),
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
    intent = world.get(invoice.get("payment_intent"))
    if intent is not None and intent["status"] in payments.CANCELABLE:
        world.save(
            {
                **intent,
                "status": "canceled",
                "canceled_at": world.now(),
                "cancellation_reason": "void_invoice",
            }
        )
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
