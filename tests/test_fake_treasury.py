"""Treasury money movement in the fake Stripe, through the client: flows make transactions and
entries and move the financial account's balances. Expected values are Stripe's documentation:
https://docs.stripe.com/treasury/account-management/working-with-balances-and-transactions and
the object references of transactions and entries (cited per test)."""

from __future__ import annotations

from typing import Any

import pytest

from aiostripe import InvalidRequestError, StripeClient
from aiostripe.models import TreasuryFinancialAccount


async def _account(stripe: StripeClient) -> TreasuryFinancialAccount:
    return await stripe.treasury.financial_accounts.create(supported_currencies=["usd"])


async def _balance(stripe: StripeClient, account_id: str) -> tuple[int, int, int]:
    """(cash, inbound_pending, outbound_pending) in usd."""
    account = await stripe.treasury.financial_accounts.retrieve(account_id)
    b = account.balance
    return b.cash.get("usd", 0), b.inbound_pending.get("usd", 0), b.outbound_pending.get("usd", 0)


async def _entries(stripe: StripeClient, account_id: str, transaction: str) -> list[Any]:
    page = await stripe.treasury.transaction_entries.list(
        financial_account=account_id, transaction=transaction
    )
    return [(e.type, e.balance_impact.to_dict()) for e in reversed(page.data)]


async def test_received_credit_and_debit(stripe_client: StripeClient) -> None:
    """https://docs.stripe.com/treasury/moving-money/financial-accounts/into/received-credits and
    https://docs.stripe.com/api/treasury/transactions/object: a received credit (test helper)
    succeeds with a posted `received_credit` transaction that adds to `cash`; a received debit
    takes it away (negative amount)."""
    stripe = stripe_client
    account = await _account(stripe)
    credit = await stripe.test_helpers.treasury.received_credits.create(
        financial_account=account.id, network="ach", amount=10_000, currency="usd"
    )
    assert credit.status == "succeeded" and isinstance(credit.transaction, str)
    txn = await stripe.treasury.transactions.retrieve(credit.transaction)
    assert (txn.flow_type, txn.flow, txn.amount, txn.status) == (
        "received_credit",
        credit.id,
        10_000,
        "posted",
    )
    assert txn.balance_impact.to_dict() == {
        "cash": 10_000,
        "inbound_pending": 0,
        "outbound_pending": 0,
    }
    assert txn.flow_details is not None and txn.flow_details.type == "received_credit"
    assert txn.flow_details.received_credit is not None
    assert txn.flow_details.received_credit.id == credit.id
    assert txn.status_transitions.posted_at is not None
    assert await _entries(stripe, account.id, txn.id) == [
        ("received_credit", {"cash": 10_000, "inbound_pending": 0, "outbound_pending": 0})
    ]
    assert await _balance(stripe, account.id) == (10_000, 0, 0)

    debit = await stripe.test_helpers.treasury.received_debits.create(
        financial_account=account.id, network="ach", amount=2_500, currency="usd"
    )
    assert isinstance(debit.transaction, str)
    txn = await stripe.treasury.transactions.retrieve(debit.transaction)
    assert (txn.flow_type, txn.amount, txn.balance_impact.cash) == (
        "received_debit",
        -2_500,
        -2_500,
    )
    assert await _balance(stripe, account.id) == (7_500, 0, 0)


async def test_outbound_transfer_post_and_return(stripe_client: StripeClient) -> None:
    """https://docs.stripe.com/treasury/moving-money/financial-accounts/out-of/outbound-transfers:
    a new outbound transfer is `processing` with an `open` transaction holding the amount in
    `outbound_pending` (cash -a, outbound_pending +a, as in Stripe's example transaction);
    posting it posts the transaction (`outbound_transfer_posting`: outbound_pending -a);
    returning it credits the amount back with a new transaction (`outbound_transfer_return`)."""
    stripe = stripe_client
    account = await _account(stripe)
    await stripe.test_helpers.treasury.received_credits.create(
        financial_account=account.id, network="ach", amount=10_000, currency="usd"
    )
    out = await stripe.treasury.outbound_transfers.create(
        financial_account=account.id, amount=4_000, currency="usd"
    )
    assert (out.status, out.cancelable) == ("processing", True)
    assert isinstance(out.transaction, str)
    txn = await stripe.treasury.transactions.retrieve(out.transaction)
    assert (txn.flow_type, txn.amount, txn.status) == ("outbound_transfer", -4_000, "open")
    assert txn.balance_impact.to_dict() == {
        "cash": -4_000,
        "inbound_pending": 0,
        "outbound_pending": 4_000,
    }
    assert await _balance(stripe, account.id) == (6_000, 0, 4_000)

    posted = await stripe.test_helpers.treasury.outbound_transfers.post(out.id)
    assert posted.status == "posted" and posted.status_transitions.posted_at is not None
    txn = await stripe.treasury.transactions.retrieve(out.transaction)
    assert txn.status == "posted"
    assert txn.balance_impact.to_dict() == {
        "cash": -4_000,
        "inbound_pending": 0,
        "outbound_pending": 0,
    }
    assert [t for t, _ in await _entries(stripe, account.id, txn.id)] == [
        "outbound_transfer",
        "outbound_transfer_posting",
    ]
    assert await _balance(stripe, account.id) == (6_000, 0, 0)

    with pytest.raises(InvalidRequestError) as again:
        await stripe.test_helpers.treasury.outbound_transfers.post(out.id)
    assert again.value.code == "outbound_transfer_unexpected_state"

    returned = await stripe.test_helpers.treasury.outbound_transfers.return_outbound_transfer(
        out.id, returned_details={"code": "account_closed"}
    )
    assert returned.status == "returned" and returned.returned_details is not None
    assert returned.returned_details.code == "account_closed"
    back = returned.returned_details.transaction
    assert isinstance(back, str) and back != out.transaction
    back_txn = await stripe.treasury.transactions.retrieve(back)
    assert (back_txn.amount, back_txn.flow, back_txn.status) == (4_000, out.id, "posted")
    assert await _entries(stripe, account.id, back) == [
        ("outbound_transfer_return", {"cash": 4_000, "inbound_pending": 0, "outbound_pending": 0})
    ]
    assert await _balance(stripe, account.id) == (10_000, 0, 0)


async def test_outbound_payment_fail_and_cancel(stripe_client: StripeClient) -> None:
    """https://docs.stripe.com/treasury/moving-money/financial-accounts/out-of/outbound-payments:
    a failed or canceled outbound payment voids its transaction and releases the held amount
    back to `cash`; more than the cash balance is refused."""
    stripe = stripe_client
    account = await _account(stripe)
    await stripe.test_helpers.treasury.received_credits.create(
        financial_account=account.id, network="us_domestic_wire", amount=5_000, currency="usd"
    )
    with pytest.raises(InvalidRequestError) as too_much:
        await stripe.treasury.outbound_payments.create(
            financial_account=account.id, amount=6_000, currency="usd"
        )
    assert (too_much.value.code, too_much.value.param) == ("insufficient_funds", "amount")

    payment = await stripe.treasury.outbound_payments.create(
        financial_account=account.id, amount=3_000, currency="usd"
    )
    assert await _balance(stripe, account.id) == (2_000, 0, 3_000)
    failed = await stripe.test_helpers.treasury.outbound_payments.fail(payment.id)
    assert failed.status == "failed"
    assert isinstance(payment.transaction, str)
    txn = await stripe.treasury.transactions.retrieve(payment.transaction)
    assert (txn.status, txn.flow_type) == ("void", "outbound_payment")
    assert txn.status_transitions.void_at is not None
    assert txn.balance_impact.to_dict() == {"cash": 0, "inbound_pending": 0, "outbound_pending": 0}
    assert [t for t, _ in await _entries(stripe, account.id, txn.id)] == [
        "outbound_payment",
        "outbound_payment_failure",
    ]
    assert await _balance(stripe, account.id) == (5_000, 0, 0)

    other = await stripe.treasury.outbound_payments.create(
        financial_account=account.id, amount=1_000, currency="usd"
    )
    canceled = await stripe.treasury.outbound_payments.cancel(other.id)
    assert canceled.status == "canceled"
    assert await _balance(stripe, account.id) == (5_000, 0, 0)


async def test_inbound_transfer_succeed_and_return(stripe_client: StripeClient) -> None:
    """https://docs.stripe.com/treasury/moving-money/financial-accounts/into/inbound-transfers:
    an inbound transfer is `processing` (the amount `inbound_pending`) until it succeeds (then
    `cash`); a return after success makes a received debit that takes the money back."""
    stripe = stripe_client
    account = await _account(stripe)
    inbound = await stripe.treasury.inbound_transfers.create(
        financial_account=account.id,
        amount=8_000,
        currency="usd",
        origin_payment_method="pm_usBankAccount",
    )
    assert inbound.status == "processing"
    assert await _balance(stripe, account.id) == (0, 8_000, 0)
    done = await stripe.test_helpers.treasury.inbound_transfers.succeed(inbound.id)
    assert done.status == "succeeded"
    assert await _balance(stripe, account.id) == (8_000, 0, 0)
    returned = await stripe.test_helpers.treasury.inbound_transfers.return_inbound_transfer(
        inbound.id
    )
    assert returned.returned is True
    debit_id = returned.linked_flows.received_debit
    assert isinstance(debit_id, str)
    debit = await stripe.treasury.received_debits.retrieve(debit_id)
    assert debit.amount == 8_000 and debit.linked_flows.inbound_transfer == inbound.id
    assert await _balance(stripe, account.id) == (0, 0, 0)

    failing = await stripe.treasury.inbound_transfers.create(
        financial_account=account.id,
        amount=500,
        currency="usd",
        origin_payment_method="pm_usBankAccount",
    )
    failed = await stripe.test_helpers.treasury.inbound_transfers.fail(
        failing.id, failure_details={"code": "insufficient_funds"}
    )
    assert failed.status == "failed" and failed.failure_details is not None
    assert failed.failure_details.code == "insufficient_funds"
    assert await _balance(stripe, account.id) == (0, 0, 0)


async def test_flows_add_up_in_the_transaction_list(stripe_client: StripeClient) -> None:
    """A batch job's view (https://docs.stripe.com/api/treasury/transactions/list): the
    transactions made by many flows, listed page by page, add up to the account's balance."""
    stripe = stripe_client
    account = await _account(stripe)
    for i in range(60):
        await stripe.test_helpers.treasury.received_credits.create(
            financial_account=account.id, network="ach", amount=1_000 + i, currency="usd"
        )
        if i % 3 == 0:
            out = await stripe.treasury.outbound_payments.create(
                financial_account=account.id, amount=700, currency="usd"
            )
            await stripe.test_helpers.treasury.outbound_payments.post(out.id)
    total, count = 0, 0
    flows: set[str] = set()
    listing = stripe.treasury.transactions.list(financial_account=account.id, limit=7)
    async with listing.auto_paging_iter() as transactions:
        async for txn in transactions:
            total += txn.amount
            count += 1
            flows.add(txn.flow_type)
    assert count == 80 and flows == {"received_credit", "outbound_payment"}
    cash, _, pending = await _balance(stripe, account.id)
    assert total == cash == sum(1_000 + i for i in range(60)) - 20 * 700 and pending == 0
