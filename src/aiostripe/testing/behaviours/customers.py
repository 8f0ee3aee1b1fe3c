"""A customer's credit balance (https://docs.stripe.com/billing/customer/balance).

`customers.balance_transactions.create` adds its `amount` to the customer's `balance` (negative: a
credit, positive: a debit), the transaction's `ending_balance` is the balance after it, and the
customer records `customer.updated`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiostripe.testing.behaviours.registry import behaviour

if TYPE_CHECKING:
    from aiostripe.testing.handlers import Call


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
