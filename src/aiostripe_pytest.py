"""pytest fixtures for testing against the fake Stripe: `fake_stripe` and `stripe_client`.

Installed with aiostripe (a `pytest11` entry point named `aiostripe.testing.pytest_plugin`), or
enabled in a conftest with `pytest_plugins = ["aiostripe.testing.pytest_plugin"]`. A top-level
module, outside the `aiostripe` package, because every pytest run wherever aiostripe is
installed loads it: it imports nothing of aiostripe until a test uses one of its fixtures. The fixtures are async and need
pytest-asyncio (`pip install "aiostripe[testing]"`); an `async def` test that uses them is
marked `asyncio` by this plugin, so it runs in a project without any pytest-asyncio
configuration (its default "strict" mode included):

```python
async def test_signup(fake_stripe, stripe_client):
    customer = await stripe_client.customers.create(email="jo@example.com")
    assert fake_stripe.created_count("customer") == 1
```

`stripe_client` does not retry (`max_retries=0`), so injected faults surface as errors; make
another client with `fake_stripe.client(max_retries=2)` to test retries.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from aiostripe._client import StripeClient
    from aiostripe.testing.server import FakeStripe


def _async_fixture(func: Any) -> Any:
    try:
        import pytest_asyncio
    except ImportError:  # pragma: no cover - the fixture then explains what is missing
        pass
    else:
        return pytest_asyncio.fixture(func)

    @pytest.fixture(name=func.__name__)
    def missing() -> None:
        pytest.fail("the aiostripe fixtures need pytest-asyncio: pip install pytest-asyncio")

    return missing


FIXTURES = frozenset({"fake_stripe", "stripe_client"})
_LOOP_SCOPE = "asyncio_default_fixture_loop_scope"


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Give pytest-asyncio's `asyncio_default_fixture_loop_scope` its current meaning,
    "function", when the project leaves it unset, so a project without configuration runs our
    async fixtures without pytest-asyncio's deprecation warning. A value the project sets wins."""
    try:
        if _LOOP_SCOPE in config._parser._inidict and not config.getini(_LOOP_SCOPE):
            config._inicache[_LOOP_SCOPE] = "function"
    except (AttributeError, ValueError, TypeError):  # another pytest: leave it to pytest-asyncio
        pass


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector: pytest.Collector, name: str, obj: object) -> None:
    """Mark `async def` tests that take one of our fixtures `asyncio` (before pytest-asyncio
    looks at them), unless they are marked already."""
    is_test = getattr(collector, "funcnamefilter", lambda n: n.startswith("test"))(name)
    if not (is_test and inspect.iscoroutinefunction(obj)):
        return
    if FIXTURES.isdisjoint(inspect.signature(obj).parameters):
        return
    if not any(m.name == "asyncio" for m in getattr(obj, "pytestmark", ())):
        pytest.mark.asyncio(obj)


@_async_fixture
async def fake_stripe() -> AsyncIterator[FakeStripe]:
    """A running `FakeStripe`, fresh for each test."""
    from aiostripe.testing.server import FakeStripe

    async with FakeStripe() as fake:
        yield fake


@_async_fixture
async def stripe_client(fake_stripe: FakeStripe) -> AsyncIterator[StripeClient]:
    """A `StripeClient` bound to `fake_stripe`, without retries; closed after the test."""
    client = fake_stripe.client(max_retries=0)
    try:
        yield client
    finally:
        await client.close()
