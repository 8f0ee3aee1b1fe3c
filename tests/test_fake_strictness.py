"""The fake Stripe refuses what Stripe refuses, with Stripe's error shape: the Content-Type of a
POST, the spec's `maxLength`, and the limits Stripe documents in prose (metadata, list `limit`,
`expand` depth). Every limit is tested on both sides of its edge."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest

from aiostripe import InvalidRequestError, StripeClient
from aiostripe.models import Customer
from aiostripe.testing import DEFAULT_API_KEY, FakeStripe

Call = Callable[[StripeClient], Awaitable[Any]]


def _metadata(keys: int, key_length: int = 5, value_length: int = 3) -> dict[str, str]:
    return {f"{i:0{key_length}d}": "v" * value_length for i in range(keys)}


EDGES: list[tuple[str, Call, Call, str, str]] = [
    (
        "metadata keys",
        lambda s: s.customers.create(metadata=_metadata(50)),
        lambda s: s.customers.create(metadata=_metadata(51)),
        "metadata",
        "at most 50 keys",
    ),
    (
        "metadata key length",
        lambda s: s.customers.create(metadata={"k" * 40: "v"}),
        lambda s: s.customers.create(metadata={"k" * 41: "v"}),
        "metadata",
        "at most 40 characters",
    ),
    (
        "metadata value length",
        lambda s: s.customers.create(metadata={"note": "v" * 500}),
        lambda s: s.customers.create(metadata={"note": "v" * 501}),
        "metadata[note]",
        "at most 500 characters",
    ),
    (
        "nested metadata",
        lambda s: s.payment_intents.create(
            amount=1, currency="usd", payment_method_data={"type": "ideal", "metadata": {"a": "b"}}
        ),
        lambda s: s.payment_intents.create(
            amount=1,
            currency="usd",
            payment_method_data={"type": "ideal", "metadata": _metadata(51)},
        ),
        "payment_method_data[metadata]",
        "at most 50 keys",
    ),
    (
        "maxLength 5000",
        lambda s: s.customers.create(description="d" * 5000),
        lambda s: s.customers.create(description="d" * 5001),
        "description",
        "must be at most 5000 characters",
    ),
    (
        "maxLength 22",
        lambda s: s.payment_intents.create(
            amount=1, currency="usd", statement_descriptor="s" * 22
        ),
        lambda s: s.payment_intents.create(
            amount=1, currency="usd", statement_descriptor="s" * 23
        ),
        "statement_descriptor",
        "must be at most 22 characters",
    ),
    (
        "maxLength in a list",
        lambda s: s.customers.create(preferred_locales=["en"]),
        lambda s: s.customers.create(preferred_locales=["en", "x" * 5001]),
        "preferred_locales[1]",
        "must be at most 5000 characters",
    ),
    (
        "list limit 100",
        lambda s: s.customers.list(limit=100),
        lambda s: s.customers.list(limit=101),
        "limit",
        "must be at most 100",
    ),
    (
        "list limit 1",
        lambda s: s.customers.list(limit=1),
        lambda s: s.customers.list(limit=0),
        "limit",
        "must be at least 1",
    ),
    (
        "search limit",
        lambda s: s.customers.search(query="email:'a@b.c'", limit=100),
        lambda s: s.customers.search(query="email:'a@b.c'", limit=101),
        "limit",
        "must be at most 100",
    ),
    (
        "expand depth 4",
        lambda s: s.customers.list(expand=["data.default_source.customer.default_source"]),
        lambda s: s.customers.list(expand=["data.default_source.customer.default_source.x"]),
        "expand[0]",
        "more than 4 levels",
    ),
]


@pytest.mark.parametrize(
    ("accepted", "refused", "param", "message"),
    [edge[1:] for edge in EDGES],
    ids=[edge[0] for edge in EDGES],
)
async def test_limits_on_both_sides_of_the_edge(
    stripe_client: StripeClient, accepted: Call, refused: Call, param: str, message: str
) -> None:
    await accepted(stripe_client)
    with pytest.raises(InvalidRequestError) as info:
        await refused(stripe_client)
    error = info.value
    assert (error.http_status, error.param) == (400, param)
    assert message in str(error), str(error)
    assert error.json_body is not None
    assert error.json_body["error"]["type"] == "invalid_request_error"
    assert error.json_body["error"]["param"] == param


async def _raw(fake: FakeStripe, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {DEFAULT_API_KEY}", **kwargs.pop("headers", {})}
    async with (
        aiohttp.ClientSession(skip_auto_headers=["Content-Type"]) as session,
        session.request(method, fake.url + path, headers=headers, **kwargs) as response,
    ):
        return response.status, await response.json()


@pytest.mark.parametrize(
    ("path", "headers", "data", "expected"),
    [
        ("/v1/customers", {}, None, "header was empty"),
        ("/v1/customers", {"Content-Type": "application/json"}, b"{}", "didn't match"),
        ("/v1/payment_intents/pi_1/cancel", {}, None, "header was empty"),
        ("/v1/files", {"Content-Type": "application/x-www-form-urlencoded"}, b"purpose=x",
         "Expected: `multipart/form-data`"),
    ],
)
async def test_a_post_needs_its_content_type(
    fake_stripe: FakeStripe, path: str, headers: dict[str, str], data: bytes | None, expected: str
) -> None:
    status, body = await _raw(fake_stripe, "POST", path, headers=headers, data=data)
    assert status == 400
    assert body["error"]["type"] == "invalid_request_error"
    assert expected in body["error"]["message"]


async def test_an_empty_form_post_and_a_bare_get_are_fine(
    fake_stripe: FakeStripe, stripe_client: StripeClient
) -> None:
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    status, body = await _raw(fake_stripe, "POST", "/v1/customers", headers=form, data=b"")
    assert (status, body["object"]) == (200, "customer")
    status, body = await _raw(fake_stripe, "GET", f"/v1/customers/{body['id']}")
    assert (status, body["object"]) == (200, "customer")
    assert isinstance(await stripe_client.customers.create(), Customer)
