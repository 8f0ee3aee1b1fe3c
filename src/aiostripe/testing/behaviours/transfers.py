"""Transfers to connected accounts and their reversals: https://docs.stripe.com/api/transfers,
https://docs.stripe.com/connect/separate-charges-and-transfers and
https://docs.stripe.com/api/transfer_reversals.

A transfer's `destination` must be a connected account of the platform (one `accounts.create`
made); another id is Stripe's 400 (`param=destination`). The transfer takes its `amount` off the
platform's balance (a balance transaction of type `transfer`, negative) and starts with
`amount_reversed=0`, `reversed=false` (`transfer.created`). A reversal gives back the rest, or
`amount` of it (a positive `transfer_refund` balance transaction); more than the rest is a 400
(`param=amount`). The transfer's `amount_reversed`, `reversed` and `reversals` follow, with
`transfer.reversed` (Stripe sends it for partial reversals too); `transfers.update` of its
description or metadata records `transfer.updated` (the generic update).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiostripe.testing import errors
from aiostripe.testing.behaviours.events import previous_attributes
from aiostripe.testing.behaviours.failures import invalid
from aiostripe.testing.behaviours.payments import balance_transaction
from aiostripe.testing.behaviours.refunds import money
from aiostripe.testing.behaviours.registry import behaviour

if TYPE_CHECKING:
    from aiostripe.testing.handlers import Call


@behaviour("transfers.create")
def create(call: Call) -> dict[str, Any]:
    world, params = call.world, call.params
    destination = str(params.get("destination") or "")
    account = world.get(destination)
    if account is None or account.get("object") != "account":
        raise invalid(
            f"No such destination: '{destination}'", code="resource_missing", param="destination"
        )
    amount, currency = int(params["amount"]), str(params["currency"])

    def adjust(obj: dict[str, Any]) -> dict[str, Any]:
        txn = balance_transaction(world, obj["id"], amount, currency, "transfer")
        return {
            **obj,
            "amount": amount,
            "currency": currency,
            "destination": destination,
            "destination_payment": None,
            "balance_transaction": txn["id"],
            "amount_reversed": 0,
            "reversed": False,
            "reversals": _reversals(obj["id"], []),
            "source_transaction": params.get("source_transaction"),
            "transfer_group": params.get("transfer_group"),
            "description": params.get("description"),
        }

    transfer: dict[str, Any] = call.on_create(adjust)
    return transfer


@behaviour("transfers.reversals.create")
def reverse(call: Call) -> dict[str, Any]:
    world, params = call.world, call.params
    transfer = world.get(call.path_params["id"])
    if transfer is None or transfer.get("object") != "transfer":
        raise errors.resource_missing("transfer", call.path_params["id"], "id")
    remaining = transfer["amount"] - transfer["amount_reversed"]
    if remaining <= 0:
        raise invalid(f"Transfer {transfer['id']} has already been fully reversed.")
    amount = int(params.get("amount", remaining))
    if amount > remaining:
        currency = transfer["currency"]
        raise invalid(
            f"Transfer reversal amount ({money(amount, currency)}) is greater than the amount "
            f"left on transfer {transfer['id']} ({money(remaining, currency)}).",
            param="amount",
        )

    def adjust(obj: dict[str, Any]) -> dict[str, Any]:
        txn = balance_transaction(world, obj["id"], amount, transfer["currency"], "transfer_refund")
        return {
            **obj,
            "amount": amount,
            "currency": transfer["currency"],
            "transfer": transfer["id"],
            "balance_transaction": txn["id"],
            "destination_payment_refund": None,
            "source_refund": None,
        }

    reversal: dict[str, Any] = call.on_create(adjust)
    reversed_ = transfer["amount_reversed"] + amount
    earlier = transfer["reversals"]["data"]
    after = world.save(
        {
            **transfer,
            "amount_reversed": reversed_,
            "reversed": reversed_ >= transfer["amount"],
            "reversals": _reversals(transfer["id"], [reversal, *earlier]),
        }
    )
    world.events.emit("transfer.reversed", after, previous_attributes(transfer, after))
    return reversal


def _reversals(transfer_id: str, data: list[dict[str, Any]]) -> dict[str, Any]:
    """The `reversals` list embedded in a transfer (newest first)."""
    return {
        "object": "list",
        "data": data,
        "has_more": False,
        "total_count": len(data),
        "url": f"/v1/transfers/{transfer_id}/reversals",
    }
