"""A customer's credit balance and payouts.

- https://docs.stripe.com/billing/customer/balance: `customers.balance_transactions.create`
  adds its `amount` to the customer's `balance` (negative: a credit, positive: a debit), the
  transaction's `ending_balance` is the balance after it, and the customer records
  `customer.updated`.
- https://docs.stripe.com/payouts: a new payout is `pending` (arriving in two days); only a
  pending payout can be canceled (`payout.canceled`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiostripe.testing.behaviours.failures import invalid
from aiostripe.testing.behaviours.registry import behaviour

if TYPE_CHECKING:
    from aiostripe.testing.handlers import Call

_DAY = 86400


@behaviour("customers.balance_transactions.create")
def balance_transaction(call: Call) -> dict[str, Any]:
    world = call.world
    customer = world.get(call.path_params["customer"])
    balance = int((customer or {}).get("balance") or 0)
    amount = int(call.params["amount"])

    def adjust(obj: dict[str, Any]) -> dict[str, Any]:
        return {
            **obj,
            "ending_balance": balance + amount,
            "type": "adjustment",
            "invoice": None,
            "credit_note": None,
            "description": call.params.get("description"),
        }

    txn: dict[str, Any] = call.on_create(adjust)
    if customer is not None:
        updated = world.save({**customer, "balance": balance + amount})
        world.events.updated(customer, updated)
    return txn


@behaviour("payouts.create")
def create_payout(call: Call) -> dict[str, Any]:
    world = call.world

    def adjust(obj: dict[str, Any]) -> dict[str, Any]:
        return {
            **obj,
            "status": "pending",
            "arrival_date": world.now() + 2 * _DAY,
            "failure_code": None,
            "failure_message": None,
            "description": call.params.get("description"),
        }

    payout: dict[str, Any] = call.on_create(adjust)
    return payout


@behaviour("payouts.cancel")
def cancel_payout(call: Call) -> dict[str, Any]:
    world = call.world
    payout = call.target()
    if payout["status"] != "pending":
        raise invalid(
            f"Payouts can only be canceled while they are pending; {payout['id']} is "
            f"{payout['status']}.",
        )
    canceled = world.save({**payout, "status": "canceled"})
    world.events.emit("payout.canceled", canceled)
    return canceled
