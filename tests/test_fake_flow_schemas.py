"""Every answer of the fake's lifecycles fits the operation's response schema in Stripe's OpenAPI
spec itself (tests/response_schema.py: required fields, types, enums, nullability, no field the
schema does not declare), over a flow that goes through each of them, declines and 3D Secure
included, and billing (invoices, subscriptions, a test clock's renewals); and so does every event and webhook payload, against the spec's `event` schema."""

from __future__ import annotations

import json
from typing import Any, ClassVar

import aiohttp
import pytest

from aiostripe import CardError, StripeClient
from aiostripe.testing import FakeStripe
from tests.response_schema import mismatches, response_schema


class _Recorded(aiohttp.ClientResponse):
    bodies: ClassVar[list[tuple[str, str, bytes]]] = []

    async def read(self) -> bytes:
        body = await super().read()
        self.bodies.append((self.method, self.url.path, body))
        return body


async def _flow(stripe: StripeClient, fake: FakeStripe) -> None:
    paid = await stripe.payment_intents.create(
        amount=2000, currency="usd", payment_method="pm_card_visa", confirm=True
    )
    held = await stripe.payment_intents.create(
        amount=2000, currency="usd", payment_method="pm_card_mastercard", capture_method="manual"
    )
    await stripe.payment_intents.confirm(held.id)
    await stripe.payment_intents.capture(held.id, amount_to_capture=1200)
    with pytest.raises(CardError):
        await stripe.payment_intents.create(
            amount=500, currency="usd", payment_method="pm_card_radarBlock", confirm=True
        )
    action = await stripe.payment_intents.create(
        amount=900,
        currency="eur",
        payment_method="pm_card_threeDSecure2Required",
        confirm=True,
        return_url="https://example.com/back",
    )
    fake.authenticate(action.id)
    await stripe.payment_intents.retrieve(action.id)
    cancel = await stripe.payment_intents.create(amount=300, currency="usd")
    await stripe.payment_intents.cancel(cancel.id)
    assert isinstance(paid.latest_charge, str)
    charge = await stripe.charges.retrieve(paid.latest_charge)
    assert isinstance(charge.balance_transaction, str)
    await stripe.balance_transactions.retrieve(charge.balance_transaction)
    await stripe.refunds.create(payment_intent=paid.id, amount=700)
    await stripe.payment_methods.create(
        type="card", card={"number": "5555555555554444", "exp_month": 4, "exp_year": 2031}
    )
    await stripe.webhook_endpoints.create(url="http://127.0.0.1:9/none", enabled_events=["*"])
    session = await stripe.checkout.sessions.create(
        mode="payment",
        success_url="https://example.com/ok",
        line_items=[
            {
                "price_data": {
                    "currency": "usd",
                    "unit_amount": 300,
                    "product_data": {"name": "Mug"},
                },
                "quantity": 1,
            }
        ],
    )
    await stripe.checkout.sessions.line_items.list(session.id)
    fake.complete_checkout(session.id)
    await stripe.checkout.sessions.retrieve(session.id)
    account = await stripe.treasury.financial_accounts.create(supported_currencies=["usd"])
    await stripe.test_helpers.treasury.received_credits.create(
        financial_account=account.id, network="ach", amount=9000, currency="usd"
    )
    out = await stripe.treasury.outbound_transfers.create(
        financial_account=account.id, amount=1000, currency="usd"
    )
    await stripe.test_helpers.treasury.outbound_transfers.post(out.id)
    await stripe.test_helpers.treasury.outbound_transfers.return_outbound_transfer(out.id)
    payment = await stripe.treasury.outbound_payments.create(
        financial_account=account.id, amount=1000, currency="usd"
    )
    await stripe.test_helpers.treasury.outbound_payments.fail(payment.id)
    inbound = await stripe.treasury.inbound_transfers.create(
        financial_account=account.id,
        amount=500,
        currency="usd",
        origin_payment_method="pm_usBankAccount",
    )
    await stripe.test_helpers.treasury.inbound_transfers.succeed(inbound.id)
    await stripe.test_helpers.treasury.inbound_transfers.return_inbound_transfer(inbound.id)
    await stripe.treasury.financial_accounts.retrieve(account.id)
    await stripe.treasury.transactions.list(financial_account=account.id, limit=100)
    await stripe.treasury.transaction_entries.list(financial_account=account.id, limit=100)
    await stripe.events.list(limit=100)


async def _billing_flow(stripe: StripeClient) -> None:
    clock = await stripe.test_helpers.test_clocks.create(frozen_time=1_780_000_000)
    customer = await stripe.customers.create(email="jo@example.com", test_clock=clock.id)
    pm = await stripe.payment_methods.attach("pm_card_visa", customer=customer.id)
    await stripe.customers.update(customer.id, invoice_settings={"default_payment_method": pm.id})
    await stripe.invoice_items.create(customer=customer.id, amount=500, currency="usd")
    invoice = await stripe.invoices.create(
        customer=customer.id, pending_invoice_items_behavior="include"
    )
    assert invoice.id is not None
    await stripe.invoices.line_items.list(invoice.id)
    await stripe.invoices.finalize_invoice(invoice.id)
    await stripe.invoices.pay(invoice.id)
    price = await stripe.prices.create(
        currency="usd",
        unit_amount=1200,
        recurring={"interval": "month"},
        product_data={"name": "Plan"},
    )
    subscription = await stripe.subscriptions.create(
        customer=customer.id, items=[{"price": price.id}]
    )
    await stripe.subscriptions.create(
        customer=customer.id, items=[{"price": price.id}], trial_period_days=7
    )
    await stripe.test_helpers.test_clocks.advance(clock.id, frozen_time=1_786_000_000)
    await stripe.subscriptions.update(subscription.id, cancel_at_period_end=True)
    await stripe.subscriptions.cancel(subscription.id)
    await stripe.invoices.list(customer=customer.id)


async def test_lifecycle_answers_fit_the_spec() -> None:
    _Recorded.bodies.clear()
    async with (
        FakeStripe(webhook_retry_delays=()) as fake,
        aiohttp.ClientSession(response_class=_Recorded) as session,
        fake.client(max_retries=0, session=session) as stripe,
    ):
        await _flow(stripe, fake)
        await _billing_flow(stripe)
        await fake.webhooks.wait()
        problems: list[str] = []
        checked = 0
        for method, path, body in _Recorded.bodies:
            match = fake.router.match(method, path)
            assert match is not None, path
            op = match[0]
            data: Any = json.loads(body)
            schema = response_schema(op.verb, op.path)
            if "error" in data:
                schema = {"$ref": "#/components/schemas/error"}
            problems += [f"{op.key}: {p}" for p in mismatches(data, schema)]
            checked += 1
        events = fake.events()
        for event in events:
            problems += [
                f"{event['type']}: {p}"
                for p in mismatches(event, {"$ref": "#/components/schemas/event"})
            ]
        assert checked >= 45 and len(events) >= 60
        assert not problems, "\n".join(problems[:40])
