"""Billing in the fake Stripe through the client: invoices and their items, invoice payments,
subscriptions, test clocks. Expected values are Stripe's documentation (cited per test), for API
version 2026-05-27 (https://docs.stripe.com/changelog/basil/2025-03-31: invoices name their
subscription in `parent` and their PaymentIntents in invoice payments; subscription periods are
on the items)."""

from __future__ import annotations

import calendar

import pytest

from aiostripe import CardError, InvalidRequestError, StripeClient
from aiostripe.models import Customer, Invoice, Price, Subscription
from aiostripe.testing import FakeStripe
from tests.response_schema import mismatches, response_schema

JAN_31 = calendar.timegm((2026, 1, 31, 12, 0, 0))


def _id(invoice: Invoice) -> str:
    assert invoice.id is not None  # the spec allows a null id (upcoming invoices)
    return invoice.id


async def _intent_id(stripe: StripeClient, invoice: Invoice) -> str:
    """The PaymentIntent of an invoice: its default invoice payment's."""
    payments = await stripe.invoice_payments.list(invoice=_id(invoice))
    default = [p for p in payments.data if p.is_default]
    assert len(default) == 1 and default[0].payment.type == "payment_intent"
    intent = default[0].payment.payment_intent
    assert isinstance(intent, str)
    return intent


def _period(subscription: Subscription) -> tuple[int, int]:
    item = subscription.items.data[0]
    return item.current_period_start, item.current_period_end


async def _customer(stripe: StripeClient, pm: str = "pm_card_visa", **kw: object) -> Customer:
    customer = await stripe.customers.create(email="jo@example.com", **kw)  # type: ignore[arg-type]
    attached = await stripe.payment_methods.attach(pm, customer=customer.id)
    return await stripe.customers.update(
        customer.id, invoice_settings={"default_payment_method": attached.id}
    )


async def _monthly(stripe: StripeClient, amount: int = 1500) -> Price:
    return await stripe.prices.create(
        currency="usd",
        unit_amount=amount,
        recurring={"interval": "month"},
        product_data={"name": "Pro plan"},
    )


async def test_invoice_lifecycle(fake_stripe: FakeStripe, stripe_client: StripeClient) -> None:
    """https://docs.stripe.com/invoicing/overview#invoice-lifecycle and
    https://docs.stripe.com/invoicing/integration: a draft's totals are the sum of its items;
    finalizing opens it with a number and a PaymentIntent of `amount_due`; paying it with the
    customer's default payment method makes it `paid` (`invoice.paid`,
    `invoice.payment_succeeded`)."""
    stripe = stripe_client
    customer = await _customer(stripe)
    draft = await stripe.invoices.create(customer=customer.id)
    assert (draft.status, draft.total, draft.amount_due) == ("draft", 0, 0)
    await stripe.invoice_items.create(
        customer=customer.id, invoice=_id(draft), amount=1500, currency="usd", description="Setup"
    )
    price = await stripe.prices.create(
        currency="usd", unit_amount=250, product_data={"name": "Seat"}
    )
    await stripe.invoice_items.create(
        customer=customer.id, invoice=_id(draft), pricing={"price": price.id}, quantity=3
    )
    draft = await stripe.invoices.retrieve(_id(draft))
    assert (draft.subtotal, draft.total, draft.amount_due, draft.amount_remaining) == (
        2250,
        2250,
        2250,
        2250,
    )
    lines = await stripe.invoices.line_items.list(_id(draft))
    assert sorted(line.amount for line in lines.data) == [750, 1500]
    priced = next(line for line in lines.data if line.amount == 750)
    assert priced.pricing is not None and priced.pricing.price_details is not None
    assert priced.pricing.price_details.price == price.id
    assert priced.parent is not None and priced.parent.type == "invoice_item_details"

    opened = await stripe.invoices.finalize_invoice(_id(draft))
    assert opened.status == "open" and opened.number
    intent_id = await _intent_id(stripe, opened)
    intent = await stripe.payment_intents.retrieve(intent_id)
    assert (intent.amount, intent.status) == (2250, "requires_payment_method")

    paid = await stripe.invoices.pay(_id(opened))
    assert (paid.status, paid.amount_paid, paid.amount_remaining) == ("paid", 2250, 0)
    assert paid.status_transitions.paid_at is not None
    assert (await stripe.payment_intents.retrieve(intent_id)).status == "succeeded"
    (payment,) = (await stripe.invoice_payments.list(invoice=_id(paid))).data
    assert (payment.status, payment.amount_paid, payment.amount_requested) == ("paid", 2250, 2250)
    assert payment.status_transitions.paid_at is not None
    kinds = [e["type"] for e in fake_stripe.events() if e["type"].startswith("invoice.")]
    assert kinds[-3:] == ["invoice.finalized", "invoice.paid", "invoice.payment_succeeded"]

    with pytest.raises(InvalidRequestError):
        await stripe.invoices.void_invoice(_id(paid))


async def test_pending_items_void_uncollectible(stripe_client: StripeClient) -> None:
    """https://docs.stripe.com/api/invoices/create (`pending_invoice_items_behavior`),
    /void and /mark_uncollectible: pending items join an invoice created with `include`; an open
    invoice can be voided or marked uncollectible; only drafts can be deleted."""
    stripe = stripe_client
    customer = await _customer(stripe)
    await stripe.invoice_items.create(customer=customer.id, amount=400, currency="usd")
    await stripe.invoice_items.create(customer=customer.id, amount=600, currency="usd")
    excluded = await stripe.invoices.create(customer=customer.id)
    assert excluded.total == 0
    included = await stripe.invoices.create(
        customer=customer.id, pending_invoice_items_behavior="include"
    )
    assert included.total == 1000
    with pytest.raises(InvalidRequestError):
        await stripe.invoices.void_invoice(_id(included))  # a draft
    voided = await stripe.invoices.void_invoice(
        _id(await stripe.invoices.finalize_invoice(_id(included)))
    )
    assert voided.status == "void"
    other = await stripe.invoices.create(customer=customer.id)
    await stripe.invoice_items.create(
        customer=customer.id, invoice=_id(other), amount=100, currency="usd"
    )
    uncollectible = await stripe.invoices.mark_uncollectible(
        _id(await stripe.invoices.finalize_invoice(_id(other)))
    )
    assert uncollectible.status == "uncollectible"
    deleted = await stripe.invoices.delete(_id(excluded))
    assert deleted.deleted is True
    with pytest.raises(InvalidRequestError):
        await stripe.invoices.delete(_id(voided))


async def test_declined_invoice_payment(stripe_client: StripeClient) -> None:
    """https://docs.stripe.com/billing/subscriptions/overview#failed-payments: a declined
    payment leaves the invoice open, `attempted`, and answers the card error."""
    stripe = stripe_client
    customer = await _customer(stripe, pm="pm_card_chargeDeclined")
    invoice = await stripe.invoices.create(customer=customer.id)
    await stripe.invoice_items.create(
        customer=customer.id, invoice=_id(invoice), amount=900, currency="usd"
    )
    await stripe.invoices.finalize_invoice(_id(invoice))
    with pytest.raises(CardError) as declined:
        await stripe.invoices.pay(_id(invoice))
    assert declined.value.decline_code == "generic_decline"
    after = await stripe.invoices.retrieve(_id(invoice))
    assert (after.status, after.attempted, after.attempt_count) == ("open", True, 1)


async def test_subscription_first_invoice_and_cancel(
    fake_stripe: FakeStripe, stripe_client: StripeClient
) -> None:
    """https://docs.stripe.com/billing/subscriptions/overview: creating a subscription makes its
    first invoice (`billing_reason=subscription_create`) with a PaymentIntent, paid with the
    customer's default payment method: `active`, one month per period; canceling ends it
    (`customer.subscription.deleted`); `cancel_at_period_end` sets `cancel_at`."""
    stripe = stripe_client
    customer = await _customer(stripe)
    price = await _monthly(stripe)
    subscription = await stripe.subscriptions.create(
        customer=customer.id, items=[{"price": price.id, "quantity": 2}]
    )
    assert subscription.status == "active"
    assert isinstance(subscription.latest_invoice, str)
    invoice = await stripe.invoices.retrieve(subscription.latest_invoice)
    assert invoice.parent is not None and invoice.parent.subscription_details is not None
    assert (invoice.status, invoice.total, invoice.billing_reason,
            invoice.parent.type, invoice.parent.subscription_details.subscription) == (
        "paid",
        3000,
        "subscription_create",
        "subscription_details",
        subscription.id,
    )
    assert (await stripe.payment_intents.retrieve(await _intent_id(stripe, invoice))).amount == 3000
    start, end = _period(subscription)
    assert 28 * 86400 <= end - start <= 31 * 86400

    later = await stripe.subscriptions.update(subscription.id, cancel_at_period_end=True)
    assert later.cancel_at == _period(later)[1] and later.cancel_at_period_end
    canceled = await stripe.subscriptions.cancel(subscription.id)
    assert canceled.status == "canceled" and canceled.ended_at is not None
    kinds = [e["type"] for e in fake_stripe.events() if e["type"].startswith("customer.sub")]
    assert kinds == [
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
    ]


async def test_trial_and_incomplete(stripe_client: StripeClient) -> None:
    """https://docs.stripe.com/billing/subscriptions/trials and
    https://docs.stripe.com/billing/subscriptions/overview#payment-status: a trial starts
    `trialing` with a zero invoice; `default_incomplete` leaves the subscription `incomplete`
    with its first invoice open and the intent waiting for a payment method."""
    stripe = stripe_client
    customer = await _customer(stripe)
    price = await _monthly(stripe)
    trial = await stripe.subscriptions.create(
        customer=customer.id, items=[{"price": price.id}], trial_period_days=14
    )
    assert trial.status == "trialing" and trial.trial_end == _period(trial)[1]
    assert trial.trial_start is not None and trial.trial_end - trial.trial_start == 14 * 86400
    assert isinstance(trial.latest_invoice, str)
    assert (await stripe.invoices.retrieve(trial.latest_invoice)).total == 0

    waiting = await stripe.subscriptions.create(
        customer=customer.id, items=[{"price": price.id}], payment_behavior="default_incomplete"
    )
    assert waiting.status == "incomplete"
    assert isinstance(waiting.latest_invoice, str)
    invoice = await stripe.invoices.retrieve(waiting.latest_invoice)
    assert invoice.status == "open"
    intent = await stripe.payment_intents.retrieve(await _intent_id(stripe, invoice))
    assert intent.status == "requires_payment_method" and intent.client_secret


async def test_test_clock_renews(fake_stripe: FakeStripe, stripe_client: StripeClient) -> None:
    """https://docs.stripe.com/billing/testing/test-clocks: a customer on a test clock lives at
    its frozen time; advancing the clock two months renews the subscription twice (a paid
    `subscription_cycle` invoice each). https://docs.stripe.com/billing/subscriptions/billing-cycle:
    a monthly cycle anchored on Jan 31 bills on the last day of shorter months (Feb 28), then
    on the 31st again (Mar 31)."""
    stripe = stripe_client
    clock = await stripe.test_helpers.test_clocks.create(frozen_time=JAN_31, name="renewals")
    assert (clock.status, clock.frozen_time) == ("ready", JAN_31)
    customer = await _customer(stripe, test_clock=clock.id)
    price = await _monthly(stripe, 1000)
    subscription = await stripe.subscriptions.create(
        customer=customer.id, items=[{"price": price.id}]
    )
    assert _period(subscription)[0] == JAN_31

    target = calendar.timegm((2026, 4, 1, 0, 0, 0))
    advancing = await stripe.test_helpers.test_clocks.advance(clock.id, frozen_time=target)
    assert advancing.status == "advancing"
    assert (await stripe.test_helpers.test_clocks.retrieve(clock.id)).status == "ready"
    renewed = await stripe.subscriptions.retrieve(subscription.id)
    assert renewed.status == "active"
    assert _period(renewed) == (
        calendar.timegm((2026, 3, 31, 12, 0, 0)), calendar.timegm((2026, 4, 30, 12, 0, 0))
    )
    item = await stripe.subscription_items.retrieve(renewed.items.data[0].id)
    assert _period(renewed) == (item.current_period_start, item.current_period_end)
    invoices = (await stripe.invoices.list(subscription=subscription.id)).data
    assert [(i.billing_reason, i.status, i.total) for i in invoices] == [
        ("subscription_cycle", "paid", 1000),
        ("subscription_cycle", "paid", 1000),
        ("subscription_create", "paid", 1000),
    ]
    kinds = [e["type"] for e in fake_stripe.events() if e["type"].startswith("test_helpers")]
    assert kinds == [
        "test_helpers.test_clock.created",
        "test_helpers.test_clock.advancing",
        "test_helpers.test_clock.ready",
    ]
    with pytest.raises(InvalidRequestError) as backwards:
        await stripe.test_helpers.test_clocks.advance(clock.id, frozen_time=JAN_31)
    assert backwards.value.param == "frozen_time"


async def test_create_preview_shows_the_next_invoice(
    fake_stripe: FakeStripe, stripe_client: StripeClient
) -> None:
    """https://docs.stripe.com/api/invoices/create_preview (which replaced `invoices.upcoming` in
    2025-03-31.basil): the customer's pending invoice items and, with `subscription`, its items
    for the next period; nothing is created."""
    stripe = stripe_client
    customer = await _customer(stripe)
    price = await _monthly(stripe, 1200)
    subscription = await stripe.subscriptions.create(
        customer=customer.id, items=[{"price": price.id}]
    )
    await stripe.invoice_items.create(customer=customer.id, amount=300, currency="usd")
    before = len((await stripe.invoices.list(customer=customer.id)).data)
    preview = await stripe.invoices.create_preview(
        customer=customer.id, subscription=subscription.id
    )
    assert sorted(line.amount for line in preview.lines.data) == [300, 1200]
    assert (preview.total, preview.status) == (1500, "draft")
    assert preview.parent is not None and preview.parent.subscription_details is not None
    assert preview.parent.subscription_details.subscription == subscription.id
    assert preview.period_start == _period(subscription)[1]
    schema = response_schema("post", "/v1/invoices/create_preview")
    assert list(mismatches(preview.to_dict(), schema)) == []  # by Stripe's spec itself
    assert len((await stripe.invoices.list(customer=customer.id)).data) == before
    pending = (await stripe.invoice_items.list(customer=customer.id)).data
    assert [i.invoice for i in pending] == [None]
