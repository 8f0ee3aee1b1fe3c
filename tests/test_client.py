"""The core call path over real HTTP on loopback: headers, encoding, typed results, errors.

A small aiohttp server records each request and answers what the test scripted.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

import aiostripe
from aiostripe._encode import decode_form
from aiostripe.models import Customer, DeletedCustomer, TreasuryTransaction
from tests.gen_helpers import PIN_FIXTURES

FIXTURES = json.loads(PIN_FIXTURES.read_text())["resources"]

Responder = Callable[[web.Request], web.StreamResponse]


class Recorder:
    """A loopback API: records requests, answers with the scripted responder."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.respond: Callable[[dict[str, Any]], web.Response] = lambda req: web.json_response(
            FIXTURES["customer"], headers={"Request-Id": "req_1"}
        )

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        record = {
            "method": request.method,
            "path": request.raw_path.split("?")[0],
            "raw_path": request.raw_path,
            "query": decode_form(request.query_string),
            "form": decode_form(body) if request.content_type.endswith("urlencoded") else {},
            "content_type": request.content_type,
            "body": body,
            "headers": dict(request.headers),
            "host": request.host,
        }
        self.requests.append(record)
        return self.respond(record)


@pytest.fixture
async def api() -> AsyncIterator[tuple[Recorder, str]]:
    rec = Recorder()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", rec.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield rec, str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


async def test_create_sends_stripe_form_encoding_and_returns_a_typed_customer(api) -> None:
    rec, url = api
    async with aiostripe.StripeClient("sk_test_abc", base_url=url) as stripe:
        customer = await stripe.customers.create(
            email="jo@example.com",
            metadata={"plan": "pro"},
            invoice_settings={"custom_fields": [{"name": "n", "value": "v"}]},
            tax_exempt="none",
            expand=["default_source"],
        )
    assert type(customer) is Customer
    assert customer.id == FIXTURES["customer"]["id"]
    req = rec.requests[0]
    assert req["method"] == "POST" and req["path"] == "/v1/customers"
    assert req["form"] == {
        "email": "jo@example.com",
        "metadata": {"plan": "pro"},
        "invoice_settings": {"custom_fields": [{"name": "n", "value": "v"}]},
        "tax_exempt": "none",
        "expand": ["default_source"],
    }
    assert b"metadata[plan]=pro" in req["body"].replace(b"%5B", b"[").replace(b"%5D", b"]")
    headers = req["headers"]
    assert headers["Authorization"] == "Bearer sk_test_abc"
    assert headers["Stripe-Version"] == aiostripe._generated.API_VERSION == "2026-05-27.dahlia"
    assert len(headers["Idempotency-Key"]) == 36
    assert headers["User-Agent"].startswith("aiostripe/")
    assert json.loads(headers["X-Stripe-Client-User-Agent"])["lang"] == "python"
    assert customer.last_response is not None
    assert customer.last_response.request_id == "req_1"
    assert customer.last_response.headers["Request-Id"] == "req_1"


async def test_retrieve_list_and_per_request_options(api) -> None:
    rec, url = api
    page = {
        "object": "list",
        "url": "/v1/treasury/transactions",
        "has_more": False,
        "data": [dict(FIXTURES["treasury.transaction"], id=f"trxn_{i}") for i in range(3)],
    }
    rec.respond = lambda req: web.json_response(
        page if req["path"].endswith("transactions") else FIXTURES["treasury.transaction"]
    )
    async with aiostripe.StripeClient("sk_test_abc", base_url=url) as stripe:
        tx = await stripe.treasury.transactions.retrieve(
            "trxn_123",
            expand=["flow_details"],
            request_options={"stripe_account": "acct_1", "api_key": "sk_test_other"},
        )
        listed = await stripe.treasury.transactions.list(financial_account="fa_123", limit=100)
    assert type(tx) is TreasuryTransaction
    first, second = rec.requests
    assert first["path"] == "/v1/treasury/transactions/trxn_123"
    assert first["query"] == {"expand": ["flow_details"]}
    assert first["headers"]["Stripe-Account"] == "acct_1"
    assert first["headers"]["Authorization"] == "Bearer sk_test_other"
    assert "Idempotency-Key" not in first["headers"]  # GETs carry none
    assert second["query"] == {"financial_account": "fa_123", "limit": "100"}
    assert [t.id for t in listed.data] == ["trxn_0", "trxn_1", "trxn_2"]
    assert all(type(t) is TreasuryTransaction for t in listed)


async def test_unset_with_empty_string_and_none_is_not_sent(api) -> None:
    rec, url = api
    async with aiostripe.StripeClient("sk_test_abc", base_url=url) as stripe:
        await stripe.customers.update("cus_1", description="", metadata="", email=None)  # type: ignore[typeddict-item]
    assert rec.requests[0]["body"] == b"description=&metadata="


async def test_delete_returns_the_deleted_object_by_its_shape(api) -> None:
    rec, url = api
    rec.respond = lambda req: web.json_response(FIXTURES["deleted_customer"])
    async with aiostripe.StripeClient("sk_test_abc", base_url=url) as stripe:
        gone = await stripe.customers.delete("cus_1")
        again = await stripe.customers.retrieve("cus_1")
    assert type(gone) is DeletedCustomer
    # a retrieve answers Customer (as the official SDK): a deleted one has `deleted` True
    assert isinstance(again, Customer) and again.deleted is True and again.id == gone.id
    assert again.to_dict() == FIXTURES["deleted_customer"]


@pytest.mark.parametrize("bad", ["cus_1/../../v1/charges", "a?b=1", "a#b", "../x"])
async def test_path_params_cannot_reach_another_endpoint(api, bad: str) -> None:
    rec, url = api
    async with aiostripe.StripeClient("sk_test_abc", base_url=url) as stripe:
        await stripe.customers.retrieve(bad)
    raw = rec.requests[0]["raw_path"]
    assert raw.startswith("/v1/customers/") and raw.count("/") == 3, raw
    assert "?" not in raw and "#" not in raw


@pytest.mark.parametrize("empty", ["", "   "])
async def test_empty_id_is_rejected_before_sending(api, empty: str) -> None:
    rec, url = api
    async with aiostripe.StripeClient("sk_test_abc", base_url=url) as stripe:
        with pytest.raises(aiostripe.InvalidParameterError, match="customer"):
            await stripe.customers.retrieve(empty)
    assert rec.requests == []


@pytest.mark.parametrize(
    ("status", "error", "cls"),
    [
        (402, {"type": "card_error", "code": "card_declined", "decline_code": "insufficient_funds"},
         aiostripe.CardError),
        (400, {"type": "invalid_request_error", "param": "email"}, aiostripe.InvalidRequestError),
        (404, {"type": "invalid_request_error", "code": "resource_missing"},
         aiostripe.InvalidRequestError),
        (401, {"type": "invalid_request_error"}, aiostripe.AuthenticationError),
        (403, {"type": "invalid_request_error"}, aiostripe.PermissionDeniedError),
        (400, {"type": "idempotency_error"}, aiostripe.IdempotencyError),
        (429, {"type": "invalid_request_error", "code": "rate_limit"}, aiostripe.RateLimitError),
        (500, {"type": "api_error"}, aiostripe.APIError),
    ],
)
async def test_errors_by_type_and_status(api, status: int, error: dict, cls: type) -> None:
    rec, url = api
    body = {"error": {"message": "nope sk_test_abc", **error}}
    rec.respond = lambda req: web.json_response(
        body, status=status, headers={"Request-Id": "req_err", "Stripe-Should-Retry": "false"}
    )
    async with aiostripe.StripeClient("sk_test_abc", base_url=url, max_retries=0) as stripe:
        with pytest.raises(cls) as info:
            await stripe.customers.create(email="x@example.com")
    exc = info.value
    assert exc.http_status == status
    assert exc.request_id == "req_err"
    assert exc.code == error.get("code")
    assert exc.json_body == body
    assert exc.headers["Request-Id"] == "req_err"
    assert "sk_test_abc" not in str(exc) and "sk_test_abc" not in repr(exc)


async def test_malformed_body_raises_a_parse_error_with_status_and_request_id(api) -> None:
    rec, url = api
    rec.respond = lambda req: web.Response(
        body=b"<html>oops</html>", status=200, headers={"Request-Id": "req_html"}
    )
    async with aiostripe.StripeClient("sk_test_abc", base_url=url) as stripe:
        with pytest.raises(aiostripe.ResponseParseError) as info:
            await stripe.customers.retrieve("cus_1")
    assert info.value.http_status == 200 and "req_html" in str(info.value)


async def test_response_that_does_not_fit_the_model_is_a_clear_error(api) -> None:
    rec, url = api
    rec.respond = lambda req: web.json_response([1, 2, 3], headers={"Request-Id": "req_list"})
    async with aiostripe.StripeClient("sk_test_abc", base_url=url) as stripe:
        with pytest.raises(aiostripe.ResponseParseError, match="Customer"):
            await stripe.customers.retrieve("cus_1")


async def test_file_upload_is_multipart_to_the_files_host(api) -> None:
    rec, url = api
    rec.respond = lambda req: web.json_response(FIXTURES["file"])
    async with aiostripe.StripeClient(
        "sk_test_abc", base_url="http://127.0.0.1:9", files_base_url=url
    ) as stripe:
        uploaded = await stripe.files.create(file=b"%PDF-1.4 hello", purpose="dispute_evidence")
    req = rec.requests[0]
    assert req["path"] == "/v1/files" and req["content_type"] == "multipart/form-data"
    assert b"%PDF-1.4 hello" in req["body"] and b"dispute_evidence" in req["body"]
    assert type(uploaded).__name__ == "File"


async def test_quote_pdf_is_bytes(api) -> None:
    rec, url = api
    rec.respond = lambda req: web.Response(body=b"%PDF-1.7 quote", content_type="application/pdf")
    async with aiostripe.StripeClient("sk_test_abc", base_url=url) as stripe:
        pdf = await stripe.quotes.pdf("qt_1")
    assert pdf == b"%PDF-1.7 quote" and rec.requests[0]["path"] == "/v1/quotes/qt_1/pdf"


async def test_raw_request_for_endpoints_not_in_the_spec(api) -> None:
    rec, url = api
    rec.respond = lambda req: web.json_response({"object": "customer", **FIXTURES["customer"]})
    async with aiostripe.StripeClient("sk_test_abc", base_url=url) as stripe:
        obj = await stripe.raw_request("post", "/v1/customers/cus_1/secret_thing", flag=True)
        with pytest.raises(ValueError, match="path"):
            await stripe.raw_request("get", "v1/customers")
    assert type(obj) is Customer
    assert rec.requests[0]["form"] == {"flag": "true"}


async def test_bad_request_options_are_named() -> None:
    async with aiostripe.StripeClient("sk_test_abc", base_url="http://127.0.0.1:9") as stripe:
        with pytest.raises(TypeError, match="stripe_acount"):
            await stripe.customers.retrieve("cus_1", request_options={"stripe_acount": "x"})  # type: ignore[typeddict-unknown-key]


def test_api_key_is_required_and_never_shown() -> None:
    with pytest.raises(ValueError, match="api_key"):
        aiostripe.StripeClient("")
    client = aiostripe.StripeClient("sk_live_supersecret123")
    assert "supersecret" not in repr(client)


async def test_client_closes_its_session_without_warnings(api) -> None:
    _, url = api
    client = aiostripe.StripeClient("sk_test_abc", base_url=url)
    await client.customers.retrieve("cus_1")
    await client.close()
    await client.close()  # idempotent


def test_one_client_in_one_event_loop_after_another(stripe_mock: Any) -> None:
    # closing is final (issue 26): a closed client used again under a new loop (a second
    # `asyncio.run`) raises ClientClosedError and opens nothing; a new client works there
    import asyncio

    def one_call(client: aiostripe.StripeClient) -> str:
        async def call() -> str:
            try:
                customer = await client.customers.retrieve("cus_123")
                return customer.object
            finally:
                await client.close()

        return asyncio.run(call())

    client = aiostripe.StripeClient("sk_test_mock", base_url=stripe_mock.url, max_retries=0)
    assert one_call(client) == "customer"
    with pytest.raises(aiostripe.ClientClosedError, match="the client is closed"):
        one_call(client)
    again = aiostripe.StripeClient("sk_test_mock", base_url=stripe_mock.url, max_retries=0)
    assert one_call(again) == "customer"
