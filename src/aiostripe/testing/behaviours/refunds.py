"""Refunds of charges and payment intents: https://docs.stripe.com/refunds and
https://docs.stripe.com/api/refunds/create.

A refund takes the unrefunded rest of the charge unless `amount` says less; more than the rest is
Stripe's 400 (`param=amount`), a fully refunded charge is `charge_already_refunded`. The refund
succeeds at once with a negative balance transaction; the charge's `amount_refunded` and
`refunded` follow. Events: `refund.created`, `charge.refunded` (with `previous_attributes`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiostripe.testing import errors
from aiostripe.testing.behaviours.events import previous_attributes
from aiostripe.testing.behaviours.failures import invalid
from aiostripe.testing.behaviours.payments import balance_transaction
from aiostripe.testing.behaviours.registry import behaviour
from aiostripe.testing.behaviours.world import World

if TYPE_CHECKING:
    from aiostripe.testing.handlers import Call


@behaviour("refunds.create", "charges.refunds.create")
def create(call: Call) -> dict[str, Any]:
    world, params = call.world, call.params
    charge = _charge_to_refund(
        world, call.path_params.get("charge") or params.get("charge"), params.get("payment_intent")
    )
    remaining = charge["amount"] - charge["amount_refunded"]
    if remaining <= 0:
        raise invalid(
            f"Charge {charge['id']} has already been refunded.", code="charge_already_refunded"
        )
    amount = params.get("amount", remaining)
    if amount > remaining:
        raise invalid(
            f"Refund amount ({money(amount, charge['currency'])}) is greater than unrefunded "
            f"amount on charge ({money(remaining, charge['currency'])})",
            param="amount",
        )

    def adjust(obj: dict[str, Any]) -> dict[str, Any]:
        txn = balance_transaction(world, obj["id"], amount, charge["currency"], "refund")
        return {
            **obj,
            "amount": amount,
            "charge": charge["id"],
            "currency": charge["currency"],
            "payment_intent": charge.get("payment_intent"),
            "status": "succeeded",
            "balance_transaction": txn["id"],
            "reason": params.get("reason"),
        }

    refund: dict[str, Any] = call.on_create(adjust)
    refunded = charge["amount_refunded"] + amount
    after = {**charge, "amount_refunded": refunded, "refunded": refunded >= charge["amount"]}
    world.save(after)
    world.events.emit("charge.refunded", after, previous_attributes(charge, after))
    return refund


def _charge_to_refund(world: World, charge_id: Any, intent_id: Any) -> dict[str, Any]:
    if intent_id:
        intent = world.get(str(intent_id))
        if intent is None or intent.get("object") != "payment_intent":
            raise errors.resource_missing("payment_intent", str(intent_id), "payment_intent")
        if intent["status"] != "succeeded" or not intent.get("latest_charge"):
            raise invalid(
                f"This PaymentIntent ({intent['id']}) does not have a successful charge to refund.",
                code="charge_not_refundable",
                param="payment_intent",
            )
        charge_id = intent["latest_charge"]
    if not charge_id:
        raise invalid(
            "One of the following params should be provided for this request: payment_intent or "
            "charge.",
            code="parameter_missing",
        )
    charge = world.get(str(charge_id))
    if charge is None or charge.get("object") != "charge":
        raise errors.resource_missing("charge", str(charge_id), "charge")
    if not charge.get("captured"):
        raise invalid(
            f"Charge {charge['id']} has not been captured and cannot be refunded.",
            code="charge_not_refundable",
        )
    return charge


def money(amount: int, currency: str) -> str:
    """An amount as Stripe writes it in messages: `$20.00`."""
    text = f"{amount / 100:.2f}"
    return f"${text}" if currency == "usd" else f"{text} {currency.upper()}"
