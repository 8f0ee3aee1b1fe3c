"""Payouts to the platform's bank account: https://docs.stripe.com/payouts and
https://docs.stripe.com/api/payouts (failure codes: https://docs.stripe.com/api/payouts/failures).

A new payout is `pending`, arriving in two days, with its balance transaction (type `payout`,
negative). Only a pending payout can be canceled (`payout.canceled`). In test mode Stripe moves it
on by itself; here a test does (`fake.settle_payout`, `fake.fail_payout`, or over HTTP
`/_fake/payouts/{id}/...`): pending → `in_transit` (`payout.updated`) → `paid` (`payout.paid`),
or, from pending, in transit or even paid, `failed` with a `failure_code` and its message, a
`payout_failure` balance transaction giving the money back (`payout.failed`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiostripe.testing.behaviours.events import previous_attributes
from aiostripe.testing.behaviours.failures import invalid
from aiostripe.testing.behaviours.payments import balance_transaction
from aiostripe.testing.behaviours.registry import behaviour
from aiostripe.testing.behaviours.world import World

if TYPE_CHECKING:
    from aiostripe.testing.handlers import Call

_DAY = 86400

FAILURES = {
    "account_closed": "The bank account has been closed.",
    "account_frozen": "The bank account has been frozen.",
    "bank_account_restricted": "The bank account has restrictions on either the type, or the "
    "number, of payouts allowed. This normally indicates that the bank account is a savings "
    "or other non-checking account.",
    "bank_ownership_changed": "The destination bank account is no longer valid because its "
    "branch has changed ownership.",
    "could_not_process": "The bank could not process this payout.",
    "debit_not_authorized": "Debit transactions are not approved on the bank account.",
    "declined": "The bank has declined this transfer.",
    "insufficient_funds": "Your Stripe account has insufficient funds to cover the payout.",
    "invalid_account_number": "The routing number seems correct, but the account number is "
    "invalid.",
    "incorrect_account_holder_name": "Your bank notified us that the bank account holder name "
    "on file is incorrect.",
    "invalid_currency": "The bank was unable to process this payout because of its currency.",
    "no_account": "The bank account details on file are probably incorrect. No bank account "
    "could be located with those details.",
}
"""Stripe's payout failure codes and their messages."""


@behaviour("payouts.create")
def create(call: Call) -> dict[str, Any]:
    world, params = call.world, call.params

    def adjust(obj: dict[str, Any]) -> dict[str, Any]:
        amount, currency = int(params["amount"]), str(params["currency"])
        txn = balance_transaction(world, obj["id"], amount, currency, "payout")
        return {
            **obj,
            "status": "pending",
            "arrival_date": world.now() + 2 * _DAY,
            "balance_transaction": txn["id"],
            "failure_balance_transaction": None,
            "failure_code": None,
            "failure_message": None,
            "description": params.get("description"),
        }

    payout: dict[str, Any] = call.on_create(adjust)
    return payout


@behaviour("payouts.cancel")
def cancel(call: Call) -> dict[str, Any]:
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


def settle(world: World, payout_id: str, status: str = "paid") -> dict[str, Any]:
    """Move a pending payout on to `in_transit` or through it to `paid`, with Stripe's events."""
    if status not in ("in_transit", "paid"):
        raise ValueError(f"status must be 'in_transit' or 'paid', not {status!r}")
    payout = _payout(world, payout_id, ("pending", "in_transit"), "settled")
    if payout["status"] == "pending":
        payout = _move(world, payout, "payout.updated", status="in_transit")
    if status == "paid":
        payout = _move(world, payout, "payout.paid", status="paid")
    return payout


def fail(world: World, payout_id: str, code: str = "could_not_process") -> dict[str, Any]:
    """Fail a payout with one of Stripe's `failure_code`s; the money goes back to the balance."""
    if code not in FAILURES:
        raise ValueError(f"failure code must be one of {', '.join(sorted(FAILURES))}; not {code!r}")
    payout = _payout(world, payout_id, ("pending", "in_transit", "paid"), "failed")
    txn = balance_transaction(
        world, payout["id"], payout["amount"], payout["currency"], "payout_failure"
    )
    return _move(
        world,
        payout,
        "payout.failed",
        status="failed",
        failure_code=code,
        failure_message=FAILURES[code],
        failure_balance_transaction=txn["id"],
    )


def _payout(world: World, payout_id: str, allowed: tuple[str, ...], action: str) -> dict[str, Any]:
    payout = world.get(payout_id)
    if payout is None or payout.get("object") != "payout":
        raise KeyError(payout_id)
    if payout["status"] not in allowed:
        raise ValueError(
            f"{payout_id} is {payout['status']}; only a payout that is {' or '.join(allowed)} "
            f"can be {action}"
        )
    return payout


def _move(world: World, payout: dict[str, Any], event: str, **fields: Any) -> dict[str, Any]:
    after = world.save({**payout, **fields})
    world.events.emit(event, after, previous_attributes(payout, after))
    return after
