"""The fake Stripe's payouts and transfers through the client: payouts moved on by test helpers
(pending, in transit, paid, failed), transfers to connected accounts and their reversals.
Expected values are Stripe's documentation (cited per test)."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from aiostripe import InvalidRequestError, StripeClient
from aiostripe.testing import FakeStripe


def _types(fake: FakeStripe, prefix: str) -> list[str]:
    return [e["type"] for e in fake.events() if e["type"].startswith(prefix)]


async def test_transfer_to_a_connected_account(
    fake_stripe: FakeStripe, stripe_client: StripeClient
) -> None:
    """https://docs.stripe.com/connect/separate-charges-and-transfers and
    https://docs.stripe.com/api/transfers/object: a transfer to a connected account takes its
    amount off the platform's balance (a `transfer` balance transaction, negative), starts
    unreversed, and sends `transfer.created`."""
    stripe = stripe_client
    account = await stripe.accounts.create(type="express")
    transfer = await stripe.transfers.create(
        amount=700, currency="usd", destination=account.id, transfer_group="ORDER10"
    )
    assert (transfer.amount, transfer.destination) == (700, account.id)
    assert (transfer.amount_reversed, transfer.reversed) == (0, False)
    assert transfer.transfer_group == "ORDER10"
    assert isinstance(transfer.balance_transaction, str)
    txn = await stripe.balance_transactions.retrieve(transfer.balance_transaction)
    assert (txn.type, txn.amount, txn.source) == ("transfer", -700, transfer.id)
    assert _types(fake_stripe, "transfer.") == ["transfer.created"]
    assert fake_stripe.events("transfer.created")[0]["data"]["object"]["id"] == transfer.id


async def test_transfer_to_an_unknown_destination(stripe_client: StripeClient) -> None:
    """https://docs.stripe.com/api/transfers/create: `destination` is the id of a connected
    account; another id is a 400 invalid_request_error naming the parameter."""
    with pytest.raises(InvalidRequestError) as caught:
        await stripe_client.transfers.create(amount=700, currency="usd", destination="acct_nope")
    assert caught.value.http_status == 400
    assert caught.value.param == "destination"
    assert "acct_nope" in str(caught.value)


async def test_transfer_reversals(fake_stripe: FakeStripe, stripe_client: StripeClient) -> None:
    """https://docs.stripe.com/api/transfer_reversals/create: a reversal gives back `amount` or
    the rest, the transfer's `amount_reversed` and `reversed` follow, reversing more than is left
    is an error; https://docs.stripe.com/api/events/types: `transfer.reversed` for partial
    reversals too, `transfer.updated` when description or metadata change."""
    stripe = stripe_client
    account = await stripe.accounts.create(type="express")
    transfer = await stripe.transfers.create(amount=1000, currency="usd", destination=account.id)

    partial = await stripe.transfers.reversals.create(transfer.id, amount=300)
    assert (partial.amount, partial.transfer) == (300, transfer.id)
    assert isinstance(partial.balance_transaction, str)
    txn = await stripe.balance_transactions.retrieve(partial.balance_transaction)
    assert (txn.type, txn.amount) == ("transfer_refund", 300)
    after = await stripe.transfers.retrieve(transfer.id)
    assert (after.amount_reversed, after.reversed) == (300, False)
    event = fake_stripe.events("transfer.reversed")[-1]
    assert event["data"]["previous_attributes"]["amount_reversed"] == 0

    with pytest.raises(InvalidRequestError) as caught:
        await stripe.transfers.reversals.create(transfer.id, amount=800)
    assert (caught.value.http_status, caught.value.param) == (400, "amount")

    rest = await stripe.transfers.reversals.create(transfer.id)
    assert rest.amount == 700
    after = await stripe.transfers.retrieve(transfer.id)
    assert (after.amount_reversed, after.reversed) == (1000, True)
    assert [r.id for r in after.reversals.data] == [rest.id, partial.id]
    with pytest.raises(InvalidRequestError):
        await stripe.transfers.reversals.create(transfer.id, amount=1)

    await stripe.transfers.update(transfer.id, description="refunded order")
    assert _types(fake_stripe, "transfer.") == [
        "transfer.created",
        "transfer.reversed",
        "transfer.reversed",
        "transfer.updated",
    ]


async def test_payout_paid(fake_stripe: FakeStripe, stripe_client: StripeClient) -> None:
    """https://docs.stripe.com/payouts and https://docs.stripe.com/api/payouts/object: a payout
    is `pending`, then `in_transit`, then `paid` (`payout.paid`); it takes its amount off the
    balance (a `payout` balance transaction); only a pending payout can be canceled."""
    stripe = stripe_client
    payout = await stripe.payouts.create(amount=1500, currency="usd")
    assert payout.status == "pending" and isinstance(payout.balance_transaction, str)
    txn = await stripe.balance_transactions.retrieve(payout.balance_transaction)
    assert (txn.type, txn.amount) == ("payout", -1500)

    assert fake_stripe.settle_payout(payout.id, status="in_transit")["status"] == "in_transit"
    with pytest.raises(InvalidRequestError):
        await stripe.payouts.cancel(payout.id)
    fake_stripe.settle_payout(payout.id)
    assert (await stripe.payouts.retrieve(payout.id)).status == "paid"
    assert _types(fake_stripe, "payout.") == ["payout.created", "payout.updated", "payout.paid"]
    paid = fake_stripe.events("payout.paid")[0]["data"]
    assert paid["previous_attributes"] == {"status": "in_transit"}
    with pytest.raises(ValueError, match="pending or in_transit"):
        fake_stripe.settle_payout(payout.id)


async def test_payout_failed(fake_stripe: FakeStripe, stripe_client: StripeClient) -> None:
    """https://docs.stripe.com/api/payouts/failures: a failed payout has a `failure_code`, its
    message and a `failure_balance_transaction` that gives the money back; `payout.failed`."""
    stripe = stripe_client
    payout = await stripe.payouts.create(amount=1500, currency="usd")
    fake_stripe.fail_payout(payout.id, "account_closed")
    failed = await stripe.payouts.retrieve(payout.id)
    assert (failed.status, failed.failure_code) == ("failed", "account_closed")
    assert failed.failure_message == "The bank account has been closed."
    assert isinstance(failed.failure_balance_transaction, str)
    txn = await stripe.balance_transactions.retrieve(failed.failure_balance_transaction)
    assert (txn.type, txn.amount) == ("payout_failure", 1500)
    assert _types(fake_stripe, "payout.")[-1] == "payout.failed"
    with pytest.raises(ValueError, match="failure code"):
        fake_stripe.fail_payout(payout.id, "no_such_code")


TEST_KEY = {"Authorization": "Bearer sk_test_helpers"}  # the helpers need a test key


async def _post(fake: FakeStripe, path: str, **form: str) -> tuple[int, Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(fake.url + path, data=form, headers=TEST_KEY) as response,
    ):
        return response.status, await response.json()


async def test_payout_helpers_over_http(
    fake_stripe: FakeStripe, stripe_client: StripeClient
) -> None:
    """The same test helpers for a fake run on its own: `/_fake/payouts/{id}/settle` and
    `/fail` answer the payout, or the API's error shape."""
    first = await stripe_client.payouts.create(amount=100, currency="usd")
    second = await stripe_client.payouts.create(amount=200, currency="usd")
    status, body = await _post(fake_stripe, f"/_fake/payouts/{first.id}/settle")
    assert (status, body["status"]) == (200, "paid")
    status, body = await _post(
        fake_stripe, f"/_fake/payouts/{second.id}/fail", failure_code="no_account"
    )
    assert (status, body["status"], body["failure_code"]) == (200, "failed", "no_account")
    status, body = await _post(fake_stripe, f"/_fake/payouts/{second.id}/settle")
    assert status == 400 and body["error"]["type"] == "invalid_request_error"
    status, body = await _post(fake_stripe, "/_fake/payouts/po_nope/settle")
    assert status == 404
