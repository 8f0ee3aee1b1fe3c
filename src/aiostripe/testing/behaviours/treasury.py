"""Treasury money movement: https://docs.stripe.com/treasury/account-management/working-with-balances-and-transactions
and the flows of https://docs.stripe.com/treasury/moving-money.

Every flow moves money through a `treasury.transaction` (flow, `flow_type`, `flow_details`, signed
`amount`, `status` open/posted/void) made of `treasury.transaction_entry`s, each with its
`balance_impact` on the financial account's `cash`, `inbound_pending` and `outbound_pending`
balances; the transaction's `balance_impact` is the sum of its entries, and the financial
account's `balance` the sum of everything:

| flow, transition | entry type | cash | inbound_pending | outbound_pending | transaction |
|---|---|---|---|---|---|
| received credit | `received_credit` | +a | | | posted |
| received debit | `received_debit` | -a | | | posted |
| outbound transfer / payment created | `outbound_transfer` | -a | | +a | open |
| ... posted | `outbound_transfer_posting` | | | -a | posted |
| ... failed / canceled | `outbound_transfer_failure` / `_cancellation` | +a | | -a | void |
| ... returned (after posting) | `outbound_transfer_return` | +a | | | a new one, posted |
| inbound transfer created | `inbound_transfer` | | +a | | open |
| ... succeeded | `inbound_transfer` | +a | -a | | posted |
| ... failed / canceled | `inbound_transfer` | | -a | | void |
| ... returned (after success) | `inbound_transfer_return` | -a | | | a new one (received debit) |

(outbound payments likewise, with `outbound_payment*`). An outbound flow larger than the cash
balance is refused. Events: `treasury.<flow>.created`, `.posted`, `.succeeded`, `.failed`,
`.canceled`, `.returned`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiostripe.testing import errors
from aiostripe.testing.behaviours.failures import invalid, unexpected_state
from aiostripe.testing.behaviours.registry import behaviour
from aiostripe.testing.behaviours.world import World

if TYPE_CHECKING:
    from aiostripe.testing.handlers import Call

Impact = dict[str, int]
_BALANCES = ("cash", "inbound_pending", "outbound_pending")


# --- received credits and debits (test helpers) -------------------------------------------------


@behaviour("test_helpers.treasury.received_credits.create")
def received_credit(call: Call) -> dict[str, Any]:
    return _received(call, "received_credit", +1)


@behaviour("test_helpers.treasury.received_debits.create")
def received_debit(call: Call) -> dict[str, Any]:
    return _received(call, "received_debit", -1)


def _received(call: Call, flow_type: str, sign: int) -> dict[str, Any]:
    world, params = call.world, call.params
    account = _financial_account(world, params.get("financial_account"))
    amount = int(params["amount"])
    if sign < 0:
        _check_funds(world, account, amount, flow_type)

    def adjust(obj: dict[str, Any]) -> dict[str, Any]:
        obj = {
            **obj,
            "status": "succeeded",
            "failure_code": None,
            "description": params.get("description") or obj.get("description"),
        }
        txn = _transaction(world, obj, sign * amount, "posted", {"cash": sign * amount}, flow_type)
        return {**obj, "transaction": txn["id"]}

    flow: dict[str, Any] = call.on_create(adjust)
    return flow


# --- outbound transfers and payments --------------------------------------------------------------


@behaviour("treasury.outbound_transfers.create", "treasury.outbound_payments.create")
def create_outbound(call: Call) -> dict[str, Any]:
    world, params = call.world, call.params
    account = _financial_account(world, params.get("financial_account"))
    amount = int(params["amount"])
    flow_type = _flow_type(call)
    _check_funds(world, account, amount, flow_type)

    def adjust(obj: dict[str, Any]) -> dict[str, Any]:
        obj = {
            **obj,
            "status": "processing",
            "cancelable": True,
            "returned_details": None,
            "description": params.get("description"),
        }
        impact = {"cash": -amount, "outbound_pending": amount}
        txn = _transaction(world, obj, -amount, "open", impact, flow_type)
        return {**obj, "transaction": txn["id"]}

    flow: dict[str, Any] = call.on_create(adjust)
    return flow


@behaviour(
    "test_helpers.treasury.outbound_transfers.post", "test_helpers.treasury.outbound_payments.post"
)
def post(call: Call) -> dict[str, Any]:
    flow = _in_status(call, "posted", ("processing",))
    amount = flow["amount"]
    return _move(call.world, flow, "posted", "posting", {"outbound_pending": -amount}, "posted")


@behaviour(
    "test_helpers.treasury.outbound_transfers.fail", "test_helpers.treasury.outbound_payments.fail"
)
def fail_outbound(call: Call) -> dict[str, Any]:
    flow = _in_status(call, "failed", ("processing",))
    impact = {"cash": flow["amount"], "outbound_pending": -flow["amount"]}
    return _move(call.world, flow, "failed", "failure", impact, "void")


@behaviour("treasury.outbound_transfers.cancel", "treasury.outbound_payments.cancel")
def cancel_outbound(call: Call) -> dict[str, Any]:
    flow = _in_status(call, "canceled", ("processing",))
    impact = {"cash": flow["amount"], "outbound_pending": -flow["amount"]}
    return _move(call.world, flow, "canceled", "cancellation", impact, "void")


@behaviour(
    "test_helpers.treasury.outbound_transfers.return_outbound_transfer",
    "test_helpers.treasury.outbound_payments.return_outbound_payment",
)
def return_outbound(call: Call) -> dict[str, Any]:
    world = call.world
    flow = _in_status(call, "returned", ("posted",))
    flow_type = flow["object"].removeprefix("treasury.")
    amount = flow["amount"]
    code = (call.params.get("returned_details") or {}).get("code") or "declined"
    returned = {**flow, "status": "returned", "cancelable": False}
    returned["status_transitions"] = {
        **(flow.get("status_transitions") or {}),
        "returned_at": world.now(),
    }
    txn = _transaction(world, returned, amount, "posted", {"cash": amount}, f"{flow_type}_return")
    returned["returned_details"] = {"code": code, "transaction": txn["id"]}
    world.save(returned)
    world.events.emit(f"treasury.{flow_type}.returned", returned)
    return returned


# --- inbound transfers ------------------------------------------------------------------------------


@behaviour("treasury.inbound_transfers.create")
def create_inbound(call: Call) -> dict[str, Any]:
    world, params = call.world, call.params
    _financial_account(world, params.get("financial_account"))
    amount = int(params["amount"])

    def adjust(obj: dict[str, Any]) -> dict[str, Any]:
        obj = {
            **obj,
            "status": "processing",
            "cancelable": True,
            "returned": False,
            "failure_details": None,
            "linked_flows": {"received_debit": None},
            "description": params.get("description"),
        }
        txn = _transaction(
            world, obj, amount, "open", {"inbound_pending": amount}, "inbound_transfer"
        )
        return {**obj, "transaction": txn["id"]}

    flow: dict[str, Any] = call.on_create(adjust)
    return flow


@behaviour("test_helpers.treasury.inbound_transfers.succeed")
def succeed_inbound(call: Call) -> dict[str, Any]:
    flow = _in_status(call, "succeeded", ("processing",))
    impact = {"cash": flow["amount"], "inbound_pending": -flow["amount"]}
    return _move(call.world, flow, "succeeded", "", impact, "posted")


@behaviour("test_helpers.treasury.inbound_transfers.fail")
def fail_inbound(call: Call) -> dict[str, Any]:
    flow = _in_status(call, "failed", ("processing",))
    code = (call.params.get("failure_details") or {}).get("code") or "other"
    flow = {**flow, "failure_details": {"code": code}}
    return _move(call.world, flow, "failed", "", {"inbound_pending": -flow["amount"]}, "void")


@behaviour("treasury.inbound_transfers.cancel")
def cancel_inbound(call: Call) -> dict[str, Any]:
    flow = _in_status(call, "canceled", ("processing",))
    return _move(call.world, flow, "canceled", "", {"inbound_pending": -flow["amount"]}, "void")


@behaviour("test_helpers.treasury.inbound_transfers.return_inbound_transfer")
def return_inbound(call: Call) -> dict[str, Any]:
    world = call.world
    flow = _in_status(call, "returned", ("succeeded",))
    amount = flow["amount"]
    debit = world.new(
        "treasury.received_debit",
        {
            "amount": amount,
            "currency": flow["currency"],
            "status": "succeeded",
            "financial_account": flow["financial_account"],
            "network": "ach",
            "failure_code": None,
            "description": "Return of an inbound transfer",
            "linked_flows": {
                "inbound_transfer": flow["id"],
                "debit_reversal": None,
                "issuing_authorization": None,
                "issuing_transaction": None,
                "payout": None,
            },
        },
    )
    txn = _transaction(
        world, debit, -amount, "posted", {"cash": -amount}, "inbound_transfer_return"
    )
    debit = world.save({**debit, "transaction": txn["id"]})
    world.events.emit("treasury.received_debit.created", debit)
    returned = {**flow, "returned": True, "linked_flows": {"received_debit": debit["id"]}}
    world.save(returned)
    world.events.transitioned(flow, returned, "return")
    return returned


# --- transactions, entries, balances --------------------------------------------------------------


def _flow_type(call: Call) -> str:
    """`outbound_transfer` for `/v1/treasury/outbound_transfers...`."""
    segment = next(s for s in call.op.segments if s.endswith("s") and s.startswith(("in", "out")))
    return segment.removesuffix("s")


def _financial_account(world: World, account_id: Any) -> dict[str, Any]:
    account = world.get(str(account_id)) if account_id else None
    if account is None or account.get("object") != "treasury.financial_account":
        raise errors.resource_missing(
            "treasury.financial_account", str(account_id), "financial_account"
        )
    return account


def _check_funds(world: World, account: dict[str, Any], amount: int, flow_type: str) -> None:
    cash = int(((account.get("balance") or {}).get("cash") or {}).get("usd", 0))
    if amount > cash:
        raise invalid(
            f"The FinancialAccount {account['id']} has insufficient funds for this "
            f"{flow_type} of {amount} (cash balance: {cash}).",
            code="insufficient_funds",
            param="amount",
        )


def _in_status(call: Call, action: str, allowed: tuple[str, ...]) -> dict[str, Any]:
    flow = call.target()
    if flow["status"] not in allowed:
        kind = flow["object"].removeprefix("treasury.")
        raise unexpected_state(kind, action, flow["status"], allowed, flow)
    return flow


def _transaction(
    world: World, flow: dict[str, Any], amount: int, status: str, impact: Impact, entry: str
) -> dict[str, Any]:
    """A new transaction of `flow` with its first entry, applied to the account's balance."""
    flow_type = flow["object"].removeprefix("treasury.")
    now = world.now()
    txn = world.new(
        "treasury.transaction",
        {
            "amount": amount,
            "currency": flow.get("currency") or "usd",
            "description": flow.get("description") or flow_type.replace("_", " ").capitalize(),
            "financial_account": flow["financial_account"],
            "flow": flow["id"],
            "flow_type": flow_type,
            "flow_details": {"type": flow_type, flow_type: flow},
            "status": status,
            "status_transitions": {
                "posted_at": now if status == "posted" else None,
                "void_at": None,
            },
            "balance_impact": _impact(impact),
            "entries": None,
        },
    )
    _entry(world, txn, entry, impact)
    return txn


def _move(
    world: World, flow: dict[str, Any], status: str, suffix: str, impact: Impact, txn_status: str
) -> dict[str, Any]:
    """A transition of `flow` to `status`: one more entry (`<flow_type>_<suffix>`) on its
    transaction, which becomes `txn_status`."""
    flow_type = flow["object"].removeprefix("treasury.")
    now = world.now()
    moved = {**flow, "status": status, "cancelable": False}
    transitions = dict(flow.get("status_transitions") or {})
    transitions[f"{status}_at"] = now
    moved["status_transitions"] = transitions
    txn = world.get(flow.get("transaction"))
    if txn is not None:
        total = {k: txn["balance_impact"].get(k, 0) + impact.get(k, 0) for k in _BALANCES}
        times = dict(txn.get("status_transitions") or {})
        times["posted_at" if txn_status == "posted" else "void_at"] = now
        txn = world.save(
            {
                **txn,
                "status": txn_status,
                "balance_impact": total,
                "status_transitions": times,
                "flow_details": {"type": flow_type, flow_type: moved},
            }
        )
        _entry(world, txn, f"{flow_type}_{suffix}" if suffix else flow_type, impact)
    world.save(moved)
    world.events.emit(f"treasury.{flow_type}.{status}", moved)
    return moved


def _entry(world: World, txn: dict[str, Any], entry_type: str, impact: Impact) -> None:
    world.new(
        "treasury.transaction_entry",
        {
            "balance_impact": _impact(impact),
            "currency": txn["currency"],
            "effective_at": world.now(),
            "financial_account": txn["financial_account"],
            "flow": txn["flow"],
            "flow_type": txn["flow_type"],
            "flow_details": txn["flow_details"],
            "transaction": txn["id"],
            "type": entry_type,
        },
    )
    _add_to_balance(world, txn["financial_account"], txn["currency"], impact)


def _impact(impact: Impact) -> Impact:
    return {k: impact.get(k, 0) for k in _BALANCES}


def _add_to_balance(world: World, account_id: str, currency: str, impact: Impact) -> None:
    account = world.get(account_id)
    if account is None:
        return
    balance = dict(account.get("balance") or {})
    for key in _BALANCES:
        if impact.get(key):
            amounts = dict(balance.get(key) or {})
            amounts[currency] = amounts.get(currency, 0) + impact[key]
            balance[key] = amounts
    world.save({**account, "balance": balance})
