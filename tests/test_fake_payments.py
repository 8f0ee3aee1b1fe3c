"""The fake Stripe's payment lifecycle through the client: PaymentIntents, test cards, charges,
balance transactions, refunds. Expected values are Stripe's documentation (cited per test)."""

from __future__ import annotations

import pytest

from aiostripe import CardError, InvalidRequestError, StripeClient
from aiostripe.models import Charge, PaymentIntent
from aiostripe.testing import FakeStripe


async def _charge(stripe: StripeClient, intent: PaymentIntent) -> Charge:
    assert isinstance(intent.latest_charge, str)
    return await stripe.charges.retrieve(intent.latest_charge)


async def test_create_with_a_payment_method_then_confirm(stripe_client: StripeClient) -> None:
    """https://docs.stripe.com/payments/paymentintents/lifecycle: a PaymentIntent with a payment
    method waits in `requires_confirmation`; confirmed with `pm_card_visa` it `succeeded`, its
    `latest_charge` a captured charge whose balance transaction holds Stripe's fee (2.9% + 30c,
    https://stripe.com/pricing)."""
    stripe = stripe_client
    intent = await stripe.payment_intents.create(
        amount=2000, currency="usd", payment_method="pm_card_visa"
    )
    assert intent.status == "requires_confirmation" and intent.latest_charge is None
    assert isinstance(intent.payment_method, str) and intent.payment_method.startswith("pm_")
    assert intent.payment_method != "pm_card_visa"  # a new PaymentMethod of the test card
    pm = await stripe.payment_methods.retrieve(intent.payment_method)
    assert pm.card is not None and (pm.card.brand, pm.card.last4) == ("visa", "4242")

    paid = await stripe.payment_intents.confirm(intent.id)
    assert (paid.status, paid.amount_received, paid.amount_capturable) == ("succeeded", 2000, 0)
    charge = await _charge(stripe, paid)
    assert (charge.status, charge.paid, charge.captured) == ("succeeded", True, True)
    assert (charge.amount, charge.amount_captured, charge.payment_intent) == (2000, 2000, paid.id)
    assert charge.payment_method_details is not None
    card = charge.payment_method_details.card
    assert card is not None and card.last4 == "4242"
    assert isinstance(charge.balance_transaction, str)
    txn = await stripe.balance_transactions.retrieve(charge.balance_transaction)
    assert (txn.amount, txn.fee, txn.net, txn.type) == (2000, 88, 1912, "charge")
    assert txn.source == charge.id


async def test_manual_capture_partial(stripe_client: StripeClient) -> None:
    """https://docs.stripe.com/payments/place-a-hold-on-a-payment-method: `capture_method=manual`
    with `confirm=true` leaves the intent `requires_capture` with `amount_capturable`; capturing
    less than that captures the amount and releases the rest."""
    stripe = stripe_client
    intent = await stripe.payment_intents.create(
        amount=2000,
        currency="usd",
        payment_method="pm_card_mastercard",
        confirm=True,
        capture_method="manual",
    )
    assert (intent.status, intent.amount_capturable, intent.amount_received) == (
        "requires_capture",
        2000,
        0,
    )
    held = await _charge(stripe, intent)
    assert (held.captured, held.paid, held.balance_transaction) == (False, True, None)

    with pytest.raises(InvalidRequestError) as too_much:
        await stripe.payment_intents.capture(intent.id, amount_to_capture=2500)
    assert (too_much.value.http_status, too_much.value.param) == (400, "amount_to_capture")

    captured = await stripe.payment_intents.capture(intent.id, amount_to_capture=1500)
    assert (captured.status, captured.amount_received, captured.amount_capturable) == (
        "succeeded",
        1500,
        0,
    )
    charge = await _charge(stripe, captured)
    assert (charge.captured, charge.amount_captured, charge.amount_refunded) == (True, 1500, 500)

    with pytest.raises(InvalidRequestError) as again:
        await stripe.payment_intents.capture(intent.id)
    assert again.value.code == "payment_intent_unexpected_state"


DECLINES = [
    # https://docs.stripe.com/testing#declined-payments: payment method, error code, decline code
    ("pm_card_chargeDeclined", "card_declined", "generic_decline"),
    ("pm_card_visa_chargeDeclined", "card_declined", "generic_decline"),
    ("pm_card_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds"),
    ("pm_card_visa_chargeDeclinedLostCard", "card_declined", "lost_card"),
    ("pm_card_visa_chargeDeclinedStolenCard", "card_declined", "stolen_card"),
    ("pm_card_chargeDeclinedExpiredCard", "expired_card", None),
    ("pm_card_chargeDeclinedIncorrectCvc", "incorrect_cvc", None),
    ("pm_card_chargeDeclinedProcessingError", "processing_error", None),
    ("pm_card_visa_chargeDeclinedVelocityLimitExceeded", "card_declined", "card_velocity_exceeded"),
    ("pm_card_radarBlock", "card_declined", "fraudulent"),
]


@pytest.mark.parametrize(("payment_method", "code", "decline_code"), DECLINES)
async def test_declined_cards(
    fake_stripe: FakeStripe,
    stripe_client: StripeClient,
    payment_method: str,
    code: str,
    decline_code: str | None,
) -> None:
    """https://docs.stripe.com/testing#declined-payments and
    https://docs.stripe.com/declines#declined-payments-and-paymentintents: a declined card is an
    HTTP 402 `card_error` with the card's `code` and `decline_code`; the PaymentIntent goes back
    to `requires_payment_method` with `last_payment_error`, and its failed charge is
    `latest_charge`."""
    stripe = stripe_client
    intent = await stripe.payment_intents.create(amount=1000, currency="usd")
    with pytest.raises(CardError) as declined:
        await stripe.payment_intents.confirm(intent.id, payment_method=payment_method)
    error = declined.value
    assert (error.http_status, error.code, error.decline_code) == (402, code, decline_code)
    assert error.error is not None and error.error["payment_intent"]["id"] == intent.id

    after = await stripe.payment_intents.retrieve(intent.id)
    assert after.status == "requires_payment_method"
    assert after.last_payment_error is not None
    assert (after.last_payment_error.code, after.last_payment_error.decline_code) == (
        code,
        decline_code,
    )
    charge = await _charge(stripe, after)
    assert (charge.status, charge.paid, charge.failure_code) == ("failed", False, code)
    if decline_code == "fraudulent":
        assert charge.outcome is not None and charge.outcome.type == "blocked"
    assert [e["type"] for e in fake_stripe.events()][-2:] == [
        "charge.failed",
        "payment_intent.payment_failed",
    ]


async def test_card_numbers(stripe_client: StripeClient) -> None:
    """https://docs.stripe.com/testing#cards: a card number makes a PaymentMethod of that brand
    that behaves like its test card (4000000000009995: insufficient funds); a number failing
    the Luhn check is a 402 `incorrect_number`."""
    stripe = stripe_client
    pm = await stripe.payment_methods.create(
        type="card",
        card={"number": "4000000000009995", "exp_month": 12, "exp_year": 2034, "cvc": "314"},
    )
    assert pm.card is not None
    assert (pm.card.brand, pm.card.last4, pm.card.exp_year) == ("visa", "9995", 2034)
    with pytest.raises(CardError) as declined:
        await stripe.payment_intents.create(
            amount=500, currency="usd", payment_method=pm.id, confirm=True
        )
    assert declined.value.decline_code == "insufficient_funds"

    amex = await stripe.payment_methods.create(
        type="card", card={"number": "378282246310005", "exp_month": 1, "exp_year": 2031}
    )
    assert amex.card is not None and amex.card.brand == "amex"
    ok = await stripe.payment_intents.create(
        amount=500, currency="usd", payment_method=amex.id, confirm=True
    )
    assert ok.status == "succeeded"

    with pytest.raises(CardError) as wrong:
        await stripe.payment_methods.create(
            type="card", card={"number": "4242424242424241", "exp_month": 1, "exp_year": 2031}
        )
    assert (wrong.value.http_status, wrong.value.code) == (402, "incorrect_number")


async def test_three_d_secure(fake_stripe: FakeStripe, stripe_client: StripeClient) -> None:
    """https://docs.stripe.com/testing#regulatory-cards and
    https://docs.stripe.com/payments/3d-secure: a card requiring 3D Secure leaves the intent
    `requires_action` with a `next_action` (`redirect_to_url` with a `return_url`); once the
    customer authenticates it succeeds; failing authentication is
    `payment_intent_authentication_failure`; off session it declines with
    `authentication_required`."""
    stripe = stripe_client
    intent = await stripe.payment_intents.create(
        amount=1500,
        currency="eur",
        payment_method="pm_card_threeDSecure2Required",
        confirm=True,
        return_url="https://example.com/done",
    )
    assert intent.status == "requires_action" and intent.next_action is not None
    assert intent.next_action.type == "redirect_to_url"
    assert intent.next_action.redirect_to_url is not None
    assert intent.next_action.redirect_to_url.return_url == "https://example.com/done"
    fake_stripe.authenticate(intent.id)
    done = await stripe.payment_intents.retrieve(intent.id)
    assert (done.status, done.next_action) == ("succeeded", None)
    assert (await _charge(stripe, done)).captured is True

    other = await stripe.payment_intents.create(
        amount=1500, currency="eur", payment_method="pm_card_authenticationRequired", confirm=True
    )
    assert other.status == "requires_action"
    assert other.next_action is not None and other.next_action.type == "use_stripe_sdk"
    fake_stripe.authenticate(other.id, succeed=False)
    failed = await stripe.payment_intents.retrieve(other.id)
    assert failed.status == "requires_payment_method" and failed.last_payment_error is not None
    assert failed.last_payment_error.code == "payment_intent_authentication_failure"

    with pytest.raises(CardError) as off_session:
        await stripe.payment_intents.create(
            amount=1500,
            currency="eur",
            payment_method="pm_card_threeDSecure2Required",
            confirm=True,
            off_session=True,
        )
    assert off_session.value.decline_code == "authentication_required"


async def test_cancel(stripe_client: StripeClient) -> None:
    """https://docs.stripe.com/api/payment_intents/cancel: an intent can be canceled while it
    is requires_payment_method, requires_capture, requires_confirmation, requires_action or
    processing (an uncaptured charge is released); a succeeded one cannot."""
    stripe = stripe_client
    held = await stripe.payment_intents.create(
        amount=800,
        currency="usd",
        payment_method="pm_card_visa",
        confirm=True,
        capture_method="manual",
    )
    canceled = await stripe.payment_intents.cancel(held.id, cancellation_reason="abandoned")
    assert (canceled.status, canceled.cancellation_reason) == ("canceled", "abandoned")
    assert canceled.canceled_at is not None
    charge = await _charge(stripe, canceled)
    assert (charge.refunded, charge.amount_refunded) == (True, 800)

    paid = await stripe.payment_intents.create(
        amount=800, currency="usd", payment_method="pm_card_visa", confirm=True
    )
    with pytest.raises(InvalidRequestError) as refused:
        await stripe.payment_intents.cancel(paid.id)
    assert (refused.value.http_status, refused.value.code) == (
        400,
        "payment_intent_unexpected_state",
    )
    assert "status of succeeded" in refused.value.message

    with pytest.raises(InvalidRequestError) as missing_pm:
        await stripe.payment_intents.confirm(
            (await stripe.payment_intents.create(amount=100, currency="usd")).id
        )
    assert missing_pm.value.code == "payment_intent_unexpected_state"
    with pytest.raises(InvalidRequestError) as unknown:
        await stripe.payment_intents.create(amount=100, currency="usd", payment_method="pm_nope")
    assert (unknown.value.http_status, unknown.value.code) == (404, "resource_missing")


async def test_refunds(stripe_client: StripeClient) -> None:
    """https://docs.stripe.com/refunds and https://docs.stripe.com/api/refunds/create: a refund
    defaults to the unrefunded rest; partial refunds add up; more than the rest is an error; a
    fully refunded charge is `charge_already_refunded`; each refund has a negative balance
    transaction."""
    stripe = stripe_client
    paid = await stripe.payment_intents.create(
        amount=2000, currency="usd", payment_method="pm_card_visa", confirm=True
    )
    part = await stripe.refunds.create(payment_intent=paid.id, amount=500, reason="duplicate")
    assert (part.status, part.amount, part.payment_intent, part.reason) == (
        "succeeded",
        500,
        paid.id,
        "duplicate",
    )
    assert isinstance(part.balance_transaction, str)
    txn = await stripe.balance_transactions.retrieve(part.balance_transaction)
    assert (txn.amount, txn.type, txn.source) == (-500, "refund", part.id)
    charge = await _charge(stripe, paid)
    assert (charge.amount_refunded, charge.refunded) == (500, False)

    with pytest.raises(InvalidRequestError) as over:
        await stripe.refunds.create(charge=charge.id, amount=1600)
    assert over.value.param == "amount"
    assert "($16.00) is greater than unrefunded amount on charge ($15.00)" in over.value.message

    rest = await stripe.refunds.create(charge=charge.id)
    assert rest.amount == 1500
    charge = await _charge(stripe, paid)
    assert (charge.amount_refunded, charge.refunded) == (2000, True)
    with pytest.raises(InvalidRequestError) as done:
        await stripe.refunds.create(charge=charge.id)
    assert done.value.code == "charge_already_refunded"
    listed = await stripe.refunds.list(charge=charge.id)
    assert {r.id for r in listed.data} == {part.id, rest.id}


async def test_setup_intents(fake_stripe: FakeStripe, stripe_client: StripeClient) -> None:
    """https://docs.stripe.com/payments/setupintents/lifecycle and
    https://docs.stripe.com/testing: a SetupIntent with a payment method waits in
    `requires_confirmation`; confirmed it `succeeded` and the payment method is attached to the
    customer; a declined card is the 402 with `last_setup_error`; a 3D Secure card
    `requires_action` until the customer authenticates; `payment_methods.detach` clears the
    customer."""
    stripe = stripe_client
    customer = await stripe.customers.create(email="jo@example.com")
    intent = await stripe.setup_intents.create(customer=customer.id, payment_method="pm_card_visa")
    assert (intent.status, intent.usage) == ("requires_confirmation", "off_session")
    done = await stripe.setup_intents.confirm(intent.id)
    assert done.status == "succeeded" and isinstance(done.payment_method, str)
    pm = await stripe.payment_methods.retrieve(done.payment_method)
    assert pm.customer == customer.id

    with pytest.raises(CardError) as declined:
        await stripe.setup_intents.create(
            customer=customer.id, payment_method="pm_card_chargeDeclinedIncorrectCvc", confirm=True
        )
    assert (declined.value.http_status, declined.value.code) == (402, "incorrect_cvc")
    assert declined.value.error is not None
    failed = await stripe.setup_intents.retrieve(declined.value.error["setup_intent"]["id"])
    assert failed.status == "requires_payment_method" and failed.last_setup_error is not None
    assert failed.last_setup_error.code == "incorrect_cvc"

    action = await stripe.setup_intents.create(
        customer=customer.id, payment_method="pm_card_threeDSecure2Required", confirm=True
    )
    assert action.status == "requires_action" and action.next_action is not None
    fake_stripe.authenticate(action.id)
    assert (await stripe.setup_intents.retrieve(action.id)).status == "succeeded"

    detached = await stripe.payment_methods.detach(pm.id)
    assert detached.customer is None
    kinds = [e["type"] for e in fake_stripe.events()]
    assert kinds.count("payment_method.attached") == 2
    assert kinds[-1] == "payment_method.detached"
    assert "setup_intent.setup_failed" in kinds and "setup_intent.requires_action" in kinds


async def test_customer_balance_and_payouts(
    fake_stripe: FakeStripe, stripe_client: StripeClient
) -> None:
    """https://docs.stripe.com/billing/customer/balance: a balance transaction adds its amount to
    the customer's balance (negative: credit) and its `ending_balance` is the result;
    https://docs.stripe.com/payouts: a payout is `pending` and can be canceled only then."""
    stripe = stripe_client
    customer = await stripe.customers.create(email="jo@example.com")
    credit = await stripe.customers.balance_transactions.create(
        customer.id, amount=-500, currency="usd"
    )
    debit = await stripe.customers.balance_transactions.create(
        customer.id, amount=200, currency="usd"
    )
    assert (credit.ending_balance, debit.ending_balance) == (-500, -300)
    assert (await stripe.customers.retrieve(customer.id)).balance == -300
    updated = fake_stripe.events("customer.updated")[-1]
    assert updated["data"]["previous_attributes"] == {"balance": -500}

    payout = await stripe.payouts.create(amount=1000, currency="usd")
    assert payout.status == "pending" and payout.arrival_date > payout.created
    canceled = await stripe.payouts.cancel(payout.id)
    assert canceled.status == "canceled"
    with pytest.raises(InvalidRequestError):
        await stripe.payouts.cancel(payout.id)
    assert fake_stripe.events()[-1]["type"] == "payout.canceled"
