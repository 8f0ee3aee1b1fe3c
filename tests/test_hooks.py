"""`on_request` / `on_response`: what a client reports of each attempt, over real HTTP against the
fake Stripe (the fake's request log is the ground truth for ids, keys and statuses)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from aiostripe import InvalidRequestError, RequestEvent, ResponseEvent, RetryPolicy
from aiostripe._client import StripeClient
from aiostripe._templates import url_template
from aiostripe.testing import FakeStripe

KEY = "sk_test_hooksSecretKey0123456789"


class Recorder:
    def __init__(self) -> None:
        self.requests: list[RequestEvent] = []
        self.responses: list[ResponseEvent] = []

    def client(self, fake: FakeStripe, **options: Any) -> StripeClient:
        options.setdefault("retry_policy", RetryPolicy(max_retries=2, initial_delay=0.0))
        return StripeClient(
            KEY,
            base_url=fake.url,
            on_request=self.requests.append,
            on_response=self.responses.append,
            **options,
        )


@pytest.fixture
def rec() -> Recorder:
    return Recorder()


async def test_retrieve(fake: FakeStripe, rec: Recorder) -> None:
    cus = fake.create("customer", email="jo@example.com")
    async with rec.client(fake) as stripe:
        await stripe.customers.retrieve(cus["id"])
    (req,) = rec.requests
    (resp,) = rec.responses
    (seen,) = fake.requests
    assert (req.method, req.url_template, req.path, req.attempt) == (
        "GET", "/v1/customers/{customer}", f"/v1/customers/{cus['id']}", 1
    )
    assert req.idempotency_key is None and req.stripe_account is None
    assert (resp.status, resp.request_id, resp.error_type) == (200, seen.request_id, None)
    assert resp.url_template == "/v1/customers/{customer}" and resp.attempt == 1
    assert 0 < resp.elapsed < 5


async def test_create_carries_the_idempotency_key(fake: FakeStripe, rec: Recorder) -> None:
    async with rec.client(fake) as stripe:
        await stripe.customers.create(email="jo@example.com")
        await stripe.customers.create(
            email="al@example.com", request_options={"idempotency_key": "signup-42"}
        )
    first, second = rec.requests
    assert first.url_template == "/v1/customers" and first.method == "POST"
    assert first.idempotency_key == fake.requests[0].idempotency_key is not None
    assert second.idempotency_key == "signup-42" == rec.responses[1].idempotency_key


async def test_each_attempt_of_a_retried_call(fake: FakeStripe, rec: Recorder) -> None:
    fake.faults.fail_next(1, status=503, path="/v1/customers")
    fake.faults.drop_connection_next(1, path="/v1/customers")
    async with rec.client(fake) as stripe:
        await stripe.customers.create(email="jo@example.com")
    assert [e.attempt for e in rec.requests] == [1, 2, 3]
    assert len({e.idempotency_key for e in rec.requests}) == 1
    assert [(e.attempt, e.status, e.error_type) for e in rec.responses] == [
        (1, 503, "503"),
        (2, None, "aiohttp.client_exceptions.ServerDisconnectedError"),
        (3, 200, None),
    ]
    assert rec.responses[0].request_id == fake.requests[0].request_id
    assert rec.responses[2].request_id == fake.requests[-1].request_id


async def test_an_error_response(fake: FakeStripe, rec: Recorder) -> None:
    async with rec.client(fake) as stripe:
        with pytest.raises(InvalidRequestError):
            await stripe.customers.retrieve("cus_missing")
    (resp,) = rec.responses
    assert (resp.status, resp.error_type) == (404, "404")
    assert resp.request_id == fake.requests[0].request_id


async def test_lists_pages_and_connect(fake: FakeStripe, rec: Recorder) -> None:
    cus = fake.create("customer")
    fake.seed("customer", 3)
    async with rec.client(fake) as stripe:
        tenant = stripe.with_options(stripe_account="acct_1032D82eZvKYlo2C")
        await tenant.customers.balance_transactions.list(cus["id"])
        async for _ in stripe.customers.list(limit=2).auto_paging_iter(prefetch=0):
            pass
    templates = [e.url_template for e in rec.requests]
    assert templates[0] == "/v1/customers/{customer}/balance_transactions"
    assert set(templates[1:]) == {"/v1/customers"} and len(templates) >= 3
    assert rec.requests[0].stripe_account == "acct_1032D82eZvKYlo2C"
    assert rec.requests[1].stripe_account is None


async def test_raw_request_templates(fake: FakeStripe, rec: Recorder) -> None:
    cus = fake.create("customer")
    async with rec.client(fake) as stripe:
        await stripe.raw_request("get", f"/v1/customers/{cus['id']}")
        with pytest.raises(InvalidRequestError):
            await stripe.raw_request("get", "/v1/gizmos/gzm_1AbC2dEf/parts")
    assert [e.url_template for e in rec.requests] == [
        "/v1/customers/{customer}", "/v1/gizmos/{id}/parts"
    ]


def test_url_templates_of_raw_paths() -> None:
    assert url_template("GET", "/v1/customers/search") == "/v1/customers/search"
    assert url_template("GET", "/v1/customers/cus_1") == "/v1/customers/{customer}"
    assert url_template("POST", "/v1/payment_intents/pi_3MtwBw/confirm") == (
        "/v1/payment_intents/{intent}/confirm"
    )
    assert url_template("GET", "/v1/new_things/thing_9Zz") == "/v1/new_things/{id}"
    assert url_template("DELETE", "/v1/test_helpers/widgets") == "/v1/test_helpers/widgets"


async def test_a_failing_hook_is_logged_and_the_call_goes_on(
    fake: FakeStripe, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(event: object) -> None:
        raise RuntimeError("hook bug")

    async with StripeClient(KEY, base_url=fake.url, on_request=broken, on_response=broken) as s:
        with caplog.at_level(logging.ERROR, logger="aiostripe"):
            balance = await s.balance.retrieve()
    assert balance.object == "balance"
    failures = [r for r in caplog.records if "callback raised" in r.getMessage()]
    assert len(failures) == 2 and all("hook bug" in (r.exc_text or "") for r in failures)


def test_a_hook_that_is_not_callable_is_refused() -> None:
    with pytest.raises(TypeError, match="on_response: expected a function taking one event"):
        StripeClient(KEY, on_response="print")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="tracer_provider: expected an OpenTelemetry tracer"):
        StripeClient(KEY, tracer_provider=object())  # type: ignore[arg-type]
