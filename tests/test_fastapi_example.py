"""The README's FastAPI example (examples/fastapi_app.py) against the fake Stripe: one client made
in the app's lifespan, shared by the requests (a connected account's through `with_options`),
closed on shutdown. The app runs as an ASGI server would run it: its lifespan, then requests."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

import httpx
import pytest

from aiostripe.testing import FakeStripe
from tests.gen_helpers import REPO


def load_example(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "fastapi_app", REPO / "examples" / "fastapi_app.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "fastapi_app", module)
    spec.loader.exec_module(module)
    return module


async def test_one_client_per_app(fake: FakeStripe, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_fastapiExample01")
    monkeypatch.setenv("STRIPE_BASE_URL", fake.url)
    app = load_example(monkeypatch).app
    async with app.router.lifespan_context(app):  # what uvicorn runs at startup / shutdown
        stripe = app.state.stripe
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as http:
            first = await http.post("/customers", params={"email": "jo@example.com"})
            second = await http.post(
                "/accounts/acct_1032D82eZvKYlo2C/customers", params={"email": "al@example.com"}
            )
        assert first.status_code == second.status_code == 200, (first.text, second.text)
        session = stripe._requestor.session()
        assert not session.closed
    assert session.closed  # shutdown closed the app's client
    assert [r.operation for r in fake.requests] == ["customers.create", "customers.create"]
    assert "Stripe-Account" not in fake.requests[0].headers
    assert fake.requests[1].headers["Stripe-Account"] == "acct_1032D82eZvKYlo2C"
    assert first.json()["id"].startswith("cus_")
    assert stripe.stats.requests == 2  # both calls went through the one client
