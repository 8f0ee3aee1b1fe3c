"""Hostile or careless input, refused before anything is sent with an error naming it, and
secrets that never show: credentials in a base URL, API keys of any shape in reprs and errors,
`raw_request` paths, header names, parameters nested without end (issue 25, items 4 and 7)."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web

from aiostripe import AuthenticationError, InvalidParameterError, StripeClient
from aiostripe._errors import redact
from tests.fault_server import API_KEY, FaultServer
from tests.loopback import Start

# --- secrets -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "url"),
    [
        ("base_url", "http://user:PASS@127.0.0.1:12111"),
        ("base_url", "https://:PASS@api.stripe.com/"),
        ("base_url", "http://user:P@SS:w@rd@127.0.0.1:1/v"),  # '@' and ':' in the password
        ("base_url", "http://user:PASS@127.0.0.1:notaport"),  # refused before the port is read
        ("files_base_url", "https://user:PASS@files.stripe.com"),
        ("meter_events_base_url", "https://user:PASS@meter-events.stripe.com"),
    ],
)
def test_credentials_in_a_base_url_are_refused_without_showing_them(setting: str, url: str) -> None:
    with pytest.raises(InvalidParameterError, match=f"^{setting}: must not carry credentials") as info:
        StripeClient(API_KEY, **{setting: url})
    err = info.value
    assert err.param == setting
    for text in (str(err), repr(err), str(err.args)):
        assert "PASS" not in text and "P@SS" not in text and "w@rd" not in text


@pytest.mark.parametrize(
    "key", ["sk_test_abc_TAIL", "sk_live_51H-abc.TAIL", "rk_test_a_b_TAIL", "whsec_a_b_TAIL"]
)
def test_api_keys_are_masked_whole_whatever_follows_the_prefix(key: str) -> None:
    for text in (
        f"Invalid API Key provided: {key}",
        f"Authorization: Bearer {key}\n",
        f"{{'api_key': {key!r}}}",
        f"key={key}&next=1",
    ):
        assert "TAIL" not in redact(text), redact(text)
        err = AuthenticationError(text)
        assert "TAIL" not in str(err) and "TAIL" not in repr(err)


@pytest.mark.parametrize("key", ["sk_test_abc_TAIL", "sk_test_x'y,TAIL", "rk_live_a|TAIL"])
def test_the_client_shows_no_part_of_its_key(key: str) -> None:
    assert "TAIL" not in repr(StripeClient(key))


def test_a_key_of_no_known_form_is_not_shown_by_the_client() -> None:
    assert "mysecret" not in repr(StripeClient("mysecret123"))


# --- raw_request paths, header names, parameters -----------------------------------------------


@pytest.mark.parametrize(
    ("path", "needle"),
    [
        ("/v1/customers?limit=3", "has a query string"),
        ("/v1/customers/../charges", "has a '..' segment"),
        ("/v1/customers/./cus_1", "has a '.' segment"),
        ("/v1/customers/%2e%2e/charges", "has a '%2e%2e' segment"),
        ("v1/customers", "expected an absolute API path"),
    ],
)
async def test_raw_request_refuses_paths_that_reach_elsewhere(
    server: FaultServer, path: str, needle: str
) -> None:
    async with StripeClient(API_KEY, base_url=server.url) as client:
        with pytest.raises(InvalidParameterError, match=f"^path: .*{needle}") as info:
            await client.raw_request("get", path)
    assert info.value.param == "path"
    assert server.attempts == []


@pytest.mark.parametrize(
    ("path", "sent"),
    [
        ("/v1/customers/cus 1", "/v1/customers/cus%201"),
        ("/v1/customers/cus#1", "/v1/customers/cus%231"),
        ("/v1/customers/a%2Fb", "/v1/customers/a%252Fb"),
        ("/v1/customers/cus_1", "/v1/customers/cus_1"),
    ],
)
async def test_raw_request_quotes_its_path_like_the_generated_methods(
    loopback: Start, path: str, sent: str
) -> None:
    async def answer(request: web.Request) -> web.Response:
        return web.json_response({"id": "cus_1", "object": "customer"})

    server, url = await loopback(answer)
    async with StripeClient(API_KEY, base_url=url) as client:
        await client.raw_request("get", path)
    assert [raw_path for _, raw_path, _, _ in server.seen] == [sent]


@pytest.mark.parametrize("name", ["X-A: b", "X A", "X-A\r\nEvil", "", "X(A)", "Ünïcode"])
async def test_header_names_must_be_tokens(server: FaultServer, name: str) -> None:
    async with StripeClient(API_KEY, base_url=server.url) as client:
        with pytest.raises(ValueError, match=r"request_options\['headers'\] name .*not a valid"):
            await client.customers.create(request_options={"headers": {name: "1"}})
        await client.customers.create(request_options={"headers": {"X-Trace_Id.1~": "1"}})
    assert len(server.attempts) == 1


@pytest.mark.parametrize("depth", [33, 3000])
async def test_parameters_nested_too_deep_are_refused_naming_them(
    server: FaultServer, depth: int
) -> None:
    nested: dict[str, Any] = {}
    inner = nested
    for _ in range(depth - 1):
        inner["k"] = {}
        inner = inner["k"]
    inner["k"] = "v"
    async with StripeClient(API_KEY, base_url=server.url) as client:
        with pytest.raises(InvalidParameterError, match=r"^metadata\[k\]\[k\].*nested more than 32") as info:
            await client.raw_request("post", "/v1/customers", metadata=nested)
        looped: list[Any] = []
        looped.append(looped)
        with pytest.raises(InvalidParameterError, match=r"^expand\[0\]\[0\]"):
            await client.raw_request("get", "/v1/customers", expand=looped)
        await client.raw_request("post", "/v1/customers", metadata=_nested(31))  # deep, but fine
    assert info.value.param is not None and info.value.param.startswith("metadata[k]")
    assert len(server.attempts) == 1


def _nested(depth: int) -> dict[str, Any]:
    value: Any = "v"
    for _ in range(depth):
        value = {"k": value}
    return value  # type: ignore[no-any-return]
