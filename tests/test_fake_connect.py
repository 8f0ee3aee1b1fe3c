"""Connect in the fake Stripe: the `Stripe-Account` header keeps each connected account's data
apart (https://docs.stripe.com/connect/authentication), through the client."""

from __future__ import annotations

import pytest

from aiostripe import InvalidRequestError, PermissionDeniedError, StripeClient
from aiostripe.testing import FakeStripe


async def test_stripe_account_separates_data(
    fake_stripe: FakeStripe, stripe_client: StripeClient
) -> None:
    """https://docs.stripe.com/connect/authentication#stripe-account-header: with the header,
    requests act for the connected account (objects made there are that account's); the
    platform, without it, sees only its own; events of the account carry `account`."""
    platform = stripe_client
    account = await platform.accounts.create(type="custom", country="US", email="shop@example.com")
    assert account.id.startswith("acct_")
    shop = platform.with_options(stripe_account=account.id)

    mine = await platform.customers.create(email="platform@example.com")
    theirs = await shop.customers.create(email="shop-customer@example.com")
    assert [c.id for c in (await shop.customers.list()).data] == [theirs.id]
    assert [c.id for c in (await platform.customers.list()).data] == [mine.id]
    assert (await shop.customers.retrieve(theirs.id)).email == "shop-customer@example.com"
    with pytest.raises(InvalidRequestError) as hidden:
        await platform.customers.retrieve(theirs.id)
    assert (hidden.value.http_status, hidden.value.code) == (404, "resource_missing")
    with pytest.raises(InvalidRequestError):
        await shop.customers.retrieve(mine.id)
    with pytest.raises(InvalidRequestError):
        await shop.customers.update(mine.id, name="nope")

    intent = await shop.payment_intents.create(
        amount=1_000, currency="usd", payment_method="pm_card_visa", confirm=True
    )
    assert intent.status == "succeeded" and isinstance(intent.latest_charge, str)
    assert (await shop.charges.retrieve(intent.latest_charge)).amount == 1_000
    with pytest.raises(InvalidRequestError):
        await platform.charges.retrieve(intent.latest_charge)

    shop_events = (await shop.events.list(limit=100)).data
    assert {e.account for e in shop_events} == {account.id}
    assert "customer.created" in {e.type for e in shop_events}
    platform_events = (await platform.events.list(limit=100)).data
    assert {e.account for e in platform_events} == {None}
    assert {e.to_dict()["data"]["object"]["id"] for e in platform_events} == {mine.id}


async def test_what_is_not_an_account_is_refused(stripe_client: StripeClient) -> None:
    """https://docs.stripe.com/error-codes#account-invalid: a `Stripe-Account` that is not a
    connected account of the platform is refused with `account_invalid`: a value that is no
    account id, the id of another object, and a well-formed `acct_` id that does not exist."""
    customer = await stripe_client.customers.create(email="jo@example.com")
    for value in ("not-an-account", customer.id):  # the client checks `stripe_account=`
        with pytest.raises(PermissionDeniedError) as refused:
            await stripe_client.customers.list(
                request_options={"headers": {"Stripe-Account": value}}
            )
        assert (refused.value.http_status, refused.value.code) == (403, "account_invalid")
        assert value in refused.value.message
    unseen = stripe_client.with_options(stripe_account="acct_1Unseen")
    with pytest.raises(PermissionDeniedError) as refused:
        await unseen.customers.list()
    assert (refused.value.http_status, refused.value.code) == (403, "account_invalid")
    assert "acct_1Unseen" in refused.value.message
