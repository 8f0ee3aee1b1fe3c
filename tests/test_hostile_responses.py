"""Hostile answers from the other end, over real HTTP on loopback: redirects (never followed),
JSON nested without end, decompression bombs (issue 25, items 6 and 7)."""

from __future__ import annotations

import asyncio
import gzip
import json
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from aiostripe import (
    APIError,
    ResponseParseError,
    SignatureVerificationError,
    StripeClient,
    _json,
    _requestor,
    cli,
)
from aiostripe.webhooks import aiohttp_handler, construct_event, generate_test_header
from tests.fault_server import API_KEY
from tests.loopback import Start


async def _customer(request: web.Request) -> web.Response:
    return web.json_response({"id": "cus_evil", "object": "customer"})


# --- redirects -----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_a_redirect_is_an_error_and_nothing_goes_to_its_location(
    loopback: Start, status: int
) -> None:
    elsewhere, other_url = await loopback(_customer)

    async def redirect(request: web.Request) -> web.Response:
        return web.Response(status=status, headers={"Location": f"{other_url}/v1/customers"})

    origin, url = await loopback(redirect)
    async with StripeClient(API_KEY, base_url=url, max_retries=2) as client:
        with pytest.raises(APIError) as info:
            await client.customers.create(email="jo@example.com", description="4242424242424242")
        with pytest.raises(APIError):
            await client.customers.retrieve("cus_1")
    message = str(info.value)
    assert f"HTTP {status} redirect on POST /v1/customers" in message
    assert f"{other_url}/v1/customers" in message
    assert info.value.http_status == status and info.value.should_retry is False
    assert elsewhere.seen == []  # nothing re-sent to the Location
    assert [m for m, *_ in origin.seen] == ["POST", "GET"]  # and no retry either


async def test_a_redirect_shows_no_credentials_of_its_location(
    loopback: Start,
) -> None:
    async def redirect(request: web.Request) -> web.Response:
        return web.Response(status=307, headers={"Location": "http://u:PASS@127.0.0.1:9/x"})

    _, url = await loopback(redirect)
    async with StripeClient(API_KEY, base_url=url) as client:
        with pytest.raises(APIError) as info:
            await client.customers.retrieve("cus_1")
    assert "PASS" not in str(info.value) and "***@127.0.0.1:9/x" in str(info.value)


# --- JSON nested without end ---------------------------------------------------------------------


def _deep(depth: int) -> str:
    return '{"id":"cus_1","object":"customer","metadata":' + '{"a":' * depth + "1" + "}" * depth + "}"


async def test_a_2xx_nested_2000_deep_is_a_response_parse_error(loopback: Start) -> None:
    async def deep(request: web.Request) -> web.Response:
        return web.Response(text=_deep(2000), content_type="application/json")

    _, url = await loopback(deep)
    async with StripeClient(API_KEY, base_url=url, max_retries=0) as client:
        with pytest.raises(ResponseParseError, match="JSON nested too deep in a 200 response"):
            await client.customers.retrieve("cus_1")
        with pytest.raises(ResponseParseError, match="JSON nested too deep"):
            await client.raw_request("get", "/v1/customers/cus_1")


def test_a_signed_event_nested_2000_deep_is_a_value_error() -> None:
    payload = '{"id":"evt_1","object":"event","type":"customer.created","data":{"object":'
    payload += _deep(2000) + "}}"
    header = generate_test_header(payload, "whsec_test")
    with pytest.raises(ValueError, match="nested too deep") as info:
        construct_event(payload, header, "whsec_test")
    assert not isinstance(info.value, SignatureVerificationError)
    with pytest.raises(SignatureVerificationError):  # the signature is checked first
        construct_event(payload, header.replace("v1=", "v1=0"), "whsec_test")


async def test_the_webhook_handler_answers_400_to_a_deep_event() -> None:
    payload = ('{"id":"evt_1","object":"event","data":{"object":' + _deep(2000) + "}}").encode()
    got: list[object] = []

    async def callback(event: object) -> None:
        got.append(event)

    app = web.Application()
    app.router.add_post("/webhook", aiohttp_handler("whsec_test", callback))
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        response = await client.post(
            "/webhook", data=payload,
            headers={"Stripe-Signature": generate_test_header(payload, "whsec_test")},
        )
        assert response.status == 400
        assert "nested too deep" in (await response.json())["error"]
    assert got == []


# --- decompression bombs -------------------------------------------------------------------------


async def test_a_body_larger_than_the_cap_once_decompressed_is_refused(loopback: Start) -> None:
    inflated = b'{"id":"cus_1","object":"customer","description":"' + b"a" * 100_000 + b'"}'

    async def bomb(request: web.Request) -> web.Response:
        if request.path.endswith("plain"):
            return web.Response(body=inflated, content_type="application/json")
        return web.Response(
            body=gzip.compress(inflated),
            headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
        )

    _, url = await loopback(bomb)
    async with StripeClient(API_KEY, base_url=url, max_response_size=50_000) as client:
        for path in ("/v1/customers/gz", "/v1/customers/plain"):
            with pytest.raises(APIError, match="larger than max_response_size=50000 bytes") as info:
                await client.raw_request("get", path)
            assert info.value.http_status == 200 and info.value.should_retry is False
        assert client.stats.attempts == 2  # not retried
    async with StripeClient(API_KEY, base_url=url, max_response_size=len(inflated)) as client:
        for path in ("/v1/customers/gz", "/v1/customers/plain"):
            customer = await client.raw_request("get", path)
            assert len(customer["description"]) == 100_000
    assert _requestor.DEFAULT_MAX_RESPONSE_SIZE == 64 << 20
    with pytest.raises(ValueError, match="max_response_size"):
        StripeClient(API_KEY, max_response_size=0)


# --- lone surrogates in what is written out ------------------------------------------------------


async def test_a_lone_surrogate_is_written_escaped_by_list_and_get(
    loopback: Start, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    customer = '{"id":"cus_1","object":"customer","name":"a\\ud800b"}'  # JSON that says "\ud800"

    async def answer(request: web.Request) -> web.Response:
        if request.path == "/v1/customers":
            page = '{"object":"list","url":"/v1/customers","has_more":false,"data":[' + customer
            return web.Response(text=page + "]}", content_type="application/json")
        return web.Response(text=customer, content_type="application/json")

    _, url = await loopback(answer)
    out = tmp_path / "customers.jsonl"
    conn = ["--api-key", API_KEY, "--base-url", url]
    code = await asyncio.to_thread(cli.main, [*conn, "list", "customers", "-o", str(out)])
    assert code == 0, capsys.readouterr().err
    assert json.loads(out.read_text())["name"] == "a\ud800b"
    assert "\\ud800" in out.read_text()  # escaped: the file is UTF-8
    code = await asyncio.to_thread(cli.main, [*conn, "get", "customers", "cus_1"])
    text = capsys.readouterr().out
    assert code == 0 and json.loads(text)["name"] == "a\ud800b" and "\\ud800" in text
    async with StripeClient(API_KEY, base_url=url) as client:
        obj = await client.customers.retrieve("cus_1")
    assert _json.dumps(obj.to_dict()).encode()  # never a UnicodeEncodeError
