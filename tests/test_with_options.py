"""`StripeClient.with_options`: derived clients (one per connected account, another key, other
retries or timeout) that share the parent's session, connection pool and rate limiter, over real
HTTP against the fake Stripe."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from aiostripe import APIConnectionError, APIError, RateLimit, RetryPolicy
from aiostripe._client import StripeClient
from aiostripe.testing import FakeStripe

KEY = "sk_test_parentKey0123456789"
OTHER_KEY = "sk_test_tenantKey9876543210"
ACCOUNT = "acct_1032D82eZvKYlo2C"


def make_client(fake: FakeStripe, **options: Any) -> StripeClient:
    options.setdefault("retry_policy", RetryPolicy(max_retries=0, initial_delay=0.0))
    return StripeClient(KEY, base_url=fake.url, **options)


async def test_derived_client_sends_its_own_settings(fake: FakeStripe) -> None:
    async with make_client(fake) as stripe:
        tenant = stripe.with_options(
            stripe_account=ACCOUNT, api_key=OTHER_KEY, stripe_version="2023-10-16"
        )
        await tenant.customers.create(email="jo@example.com")
        await stripe.customers.create(email="al@example.com")
        child, parent = fake.requests
        assert child.headers["Stripe-Account"] == ACCOUNT
        assert child.api_key == OTHER_KEY
        assert child.headers["Stripe-Version"] == "2023-10-16"
        assert "Stripe-Account" not in parent.headers
        assert parent.api_key == KEY
        assert parent.headers["Stripe-Version"] == "2026-05-27.dahlia"
        # a call's own request_options still win over the derived client's settings
        await tenant.customers.list(request_options={"stripe_account": "acct_other1"})
        assert fake.requests[-1].headers["Stripe-Account"] == "acct_other1"


async def test_back_to_the_platform_account_and_chaining(fake: FakeStripe) -> None:
    async with make_client(fake, stripe_account=ACCOUNT) as stripe:
        platform = stripe.with_options(stripe_account=None)
        again = platform.with_options(max_retries=1).with_options(stripe_account="acct_second1")
        await platform.balance.retrieve()
        await again.balance.retrieve()
        assert "Stripe-Account" not in fake.requests[0].headers
        assert fake.requests[1].headers["Stripe-Account"] == "acct_second1"
        assert again._requestor.retry.max_retries == 1


async def test_shares_the_session_and_closing_it_leaves_the_parent_open(
    fake: FakeStripe,
) -> None:
    stripe = make_client(fake)
    tenant = stripe.with_options(stripe_account=ACCOUNT)
    assert stripe._requestor._session is None  # cheap: nothing is opened for the derived client
    await tenant.balance.retrieve()
    session = stripe._requestor._session
    assert session is not None and tenant._requestor.session() is session
    async with tenant:
        await tenant.balance.retrieve()
    await tenant.close()
    assert not session.closed
    assert (await stripe.balance.retrieve()).object == "balance"
    assert stripe._requestor.session() is session
    await stripe.close()
    assert session.closed


async def test_shares_the_connection_slots(fake: FakeStripe) -> None:
    fake.faults.latency(0.05)
    async with make_client(fake, max_connections=1) as stripe:
        tenant = stripe.with_options(stripe_account=ACCOUNT)
        await asyncio.gather(stripe.balance.retrieve(), tenant.balance.retrieve())
        assert stripe.stats.connection_waits == 1  # the tenant waited for the parent's slot
        assert tenant.stats is stripe.stats
        assert stripe.stats.requests == 2


async def test_shares_the_rate_limiter(fake: FakeStripe) -> None:
    async with make_client(fake, rate_limit=RateLimit(20, burst=1)) as stripe:
        tenants = [stripe.with_options(stripe_account=f"acct_tenant{i}") for i in range(3)]
        loop = asyncio.get_running_loop()
        start = loop.time()
        for tenant in tenants:
            await tenant.balance.retrieve()
        # one bucket for all: the 2nd and 3rd call each waited for a token (1/20 s apart)
        assert stripe.stats.rate_limit_waits == 2
        assert loop.time() - start >= 0.09


async def test_max_retries_and_timeout(fake: FakeStripe) -> None:
    async with make_client(fake) as stripe:
        patient = stripe.with_options(max_retries=2)
        fake.faults.fail_next(2, status=500, path="/v1/balance")
        assert (await patient.balance.retrieve()).object == "balance"
        assert stripe.stats.retries == 2
        fake.faults.fail_next(1, status=500, path="/v1/balance")
        with pytest.raises(APIError):
            await stripe.balance.retrieve()  # the parent still does not retry
        fake.faults.latency(0.3, path="/v1/balance")
        hasty = stripe.with_options(timeout=0.1)
        with pytest.raises(APIConnectionError, match="timed out"):
            await hasty.balance.retrieve()
        await asyncio.sleep(0.3)  # let the fake finish answering before the next test


def test_repr_does_not_show_the_key() -> None:
    tenant = StripeClient(KEY).with_options(api_key=OTHER_KEY)
    assert OTHER_KEY not in repr(tenant) and "sk_test_" in repr(tenant)


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"stripe_acount": ACCOUNT}, TypeError, r"unknown option\(s\) \['stripe_acount'\]"),
        ({"stripe_account": ""}, ValueError, "stripe_account: expected a connected account"),
        ({"stripe_account": " "}, ValueError, "stripe_account: expected a connected account"),
        ({"stripe_account": 12}, TypeError, "stripe_account: expected a string"),
        ({"stripe_account": "acct_1\n"}, ValueError, "stripe_account: contains the control"),
        ({"api_key": ""}, ValueError, "api_key: expected a Stripe secret key"),
        ({"api_key": None}, TypeError, "api_key: expected a Stripe secret key string"),
        ({"api_key": "sk_test_1 "}, ValueError, "api_key: contains a trailing whitespace"),
        ({"max_retries": -1}, ValueError, r"max_retries: expected an integer >= 0, got -1"),
        ({"max_retries": 2.5}, TypeError, r"max_retries: expected an integer >= 0, got float"),
        ({"max_retries": True}, TypeError, "max_retries: expected an integer"),
        ({"timeout": 0}, ValueError, r"timeout: expected seconds > 0, got 0"),
        ({"timeout": float("inf")}, ValueError, "timeout: expected seconds > 0"),
        ({"timeout": "10"}, TypeError, "timeout: expected a number of seconds > 0, got str '10'"),
        ({"stripe_version": ""}, ValueError, "stripe_version: expected an API version"),
        ({"stripe_version": "2024-04-10\r\nX: y"}, ValueError, "stripe_version: contains"),
    ],
)
def test_bad_options_are_refused_with_the_name(
    options: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match="^with_options: " + message):
        StripeClient(KEY).with_options(**options)
