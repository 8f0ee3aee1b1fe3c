from collections.abc import Iterator

import pytest

from aiostripe.testing import FakeStripe

pytest_plugins = [
    "aiostripe.testing.pytest_plugin",
    "tests.stripe_mock",
    "tests.redis_server",
    "tests.fault_server",
    "tests.loopback",
]


CONNECTED_ACCOUNTS = ("acct_1032D82eZvKYlo2C", "acct_other1", "acct_second1", "acct_tenant0",
                      "acct_tenant1", "acct_tenant2")
"""The connected accounts tests send as `Stripe-Account` to the shared fake, which (like Stripe)
answers 403 `account_invalid` for an account that does not exist."""


@pytest.fixture(scope="session")
def shared_fake() -> Iterator[FakeStripe]:
    """One fake Stripe for the whole session, on its own event loop in a background thread."""
    with FakeStripe().in_thread() as fake:
        for account in CONNECTED_ACCOUNTS:  # Stripe refuses an account that does not exist
            fake.create("account", id=account)
        yield fake


@pytest.fixture
def fake(shared_fake: FakeStripe) -> Iterator[FakeStripe]:
    """The shared fake Stripe, with no faults and an empty request log for each test."""
    shared_fake.faults.clear()
    shared_fake.requests.clear()
    yield shared_fake
    shared_fake.faults.clear()
