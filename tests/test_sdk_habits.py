"""What a stripe-python user reaches for, done the SDK's way (issue 26): misspelt or SDK-style
keyword arguments refused before sending, typed `exc.error`, `construct_from`/`from_dict`,
models read like read-only mappings, a closed client that says so."""

from __future__ import annotations

import json
from typing import Any

import pytest

import aiostripe
from aiostripe import (
    CardError,
    ClientClosedError,
    InvalidParameterError,
    StripeClient,
    StripeError,
    construct_from,
)
from aiostripe._errors import error_from_response
from aiostripe.models import ApiErrors, Customer, Event, PaymentIntent, Subscription
from aiostripe.testing import FakeStripe

# --- unknown keyword arguments -----------------------------------------------------------------


async def test_sdk_style_params_and_options_refused_before_sending(
    fake_stripe: FakeStripe, stripe_client: StripeClient
) -> None:
    """stripe-python 16's `create(params={...}, options={...})` would reach Stripe as two
    unknown parameters (a 400); here it is refused at once, showing the keyword spelling."""
    kwargs: dict[str, Any] = {"params": {"email": "jo@example.com"}, "options": {"stripe_account": "acct_1"}}
    with pytest.raises(InvalidParameterError) as info:
        await stripe_client.customers.create(**kwargs)
    message = str(info.value)
    assert info.value.param == "params"
    assert "stripe.customers.create(email=..., request_options=" in message
    assert fake_stripe.requests == []


async def test_options_on_a_method_without_parameters(
    fake_stripe: FakeStripe, stripe_client: StripeClient
) -> None:
    """A `delete` takes no parameters: stripe-python's `options=` there is refused the same way
    (not Python's bare TypeError), and `request_options=` works."""
    customer = await stripe_client.customers.create(email="jo@example.com")
    sent = len(fake_stripe.requests)
    kwargs: dict[str, Any] = {"options": {"idempotency_key": "k"}}
    with pytest.raises(InvalidParameterError, match=r"request_options=") as info:
        await stripe_client.customers.delete(customer.id, **kwargs)
    assert "stripe.customers.delete(request_options=" in str(info.value)
    assert len(fake_stripe.requests) == sent
    deleted = await stripe_client.customers.delete(
        customer.id, request_options={"idempotency_key": "k"}
    )
    assert deleted.deleted is True


async def test_misspelt_parameter_names_the_closest_ones(
    fake_stripe: FakeStripe, stripe_client: StripeClient
) -> None:
    kwargs: dict[str, Any] = {"emial": "jo@example.com"}
    with pytest.raises(InvalidParameterError, match=r"'emial' \(did you mean 'email'\?\)") as info:
        await stripe_client.customers.create(**kwargs)
    assert info.value.param == "emial"
    kwargs = {}
    with pytest.raises(InvalidParameterError, match=r"'limt' \(did you mean 'limit'\?\)"):
        stripe_client.customers.list(**{"limt": 3, **kwargs})
    with pytest.raises(InvalidParameterError, match=r"'qeury'"):
        stripe_client.customers.search(**{"qeury": "email:'x'", **kwargs})
    assert fake_stripe.requests == []


async def test_extra_params_reach_stripe(fake_stripe: FakeStripe, stripe_client: StripeClient) -> None:
    """The escape hatch for a parameter the types don't know yet: merged into what is sent."""
    customer = await stripe_client.customers.create(
        email="jo@example.com", extra_params={"description": "sent anyway"}
    )
    assert customer.description == "sent anyway"
    assert fake_stripe.requests[-1].params == {"email": "jo@example.com", "description": "sent anyway"}
    page = await stripe_client.customers.list(extra_params={"limit": 1})
    assert len(page.data) == 1
    assert fake_stripe.requests[-1].params == {"limit": "1"}


async def test_wire_name_of_a_keyword_parameter_is_accepted(stripe_client: StripeClient) -> None:
    """`**{"from": ...}` and `from_=` both name the same parameter (no false refusal)."""
    from aiostripe._generated.services.customers import _CREATE_PARAMS as names
    assert {"email", "metadata", "expand"} <= names


# --- typed errors -------------------------------------------------------------------------------


async def test_card_error_is_typed(fake_stripe: FakeStripe, stripe_client: StripeClient) -> None:
    """https://docs.stripe.com/api/errors: the error object carries message, code, decline_code,
    doc_url, type and the PaymentIntent (an object, as stripe-python's `e.error.payment_intent`)."""
    intent = await stripe_client.payment_intents.create(amount=1000, currency="usd")
    with pytest.raises(CardError) as info:
        await stripe_client.payment_intents.confirm(intent.id, payment_method="pm_card_chargeDeclined")
    error = info.value.error
    assert isinstance(error, ApiErrors)
    assert (error.type, error.code, error.decline_code) == ("card_error", "card_declined", "generic_decline")
    assert error.message and error.message == info.value.message
    assert isinstance(error.payment_intent, PaymentIntent)
    assert error.payment_intent.id == intent.id
    assert info.value.json_body is not None
    assert info.value.error_data == info.value.json_body["error"]


@pytest.mark.parametrize(
    "body",
    [
        {"error": {"type": 5, "message": ["not", "text"], "payment_intent": "pi_as_a_string"}},
        {"error": {"payment_intent": {"object": "payment_intent", "amount": "many"}}},
        {"error": {}},
        {"error": "invalid_grant", "error_description": "expired"},
        {"nothing": True},
    ],
)
def test_malformed_error_bodies_never_raise(body: dict[str, Any]) -> None:
    err = error_from_response(400, json.dumps(body).encode(), {"Request-Id": "req_1"})
    assert isinstance(err, StripeError)
    typed = err.error  # built on first read: must not raise either
    assert typed is None or typed.to_dict() == body["error"]
    str(err), repr(err)


# --- construct_from / from_dict -----------------------------------------------------------------


CUSTOMER = {"id": "cus_1", "object": "customer", "email": "jo@example.com", "created": 1,
            "livemode": False, "new_field_of_2030": {"a": 1}}


def test_construct_from_picks_the_model_by_object() -> None:
    obj = construct_from(CUSTOMER)
    assert isinstance(obj, Customer) and obj.email == "jo@example.com"
    assert obj.to_dict() == CUSTOMER
    unknown = construct_from({"object": "gizmo", "id": "gz_1"})
    assert type(unknown) is aiostripe.StripeObject and unknown["id"] == "gz_1"
    with pytest.raises(TypeError, match="expected a mapping"):
        construct_from([CUSTOMER])  # type: ignore[arg-type]


def test_from_dict_is_typed_and_tolerant() -> None:
    customer = Customer.from_dict(CUSTOMER)
    assert customer.id == "cus_1" and customer["new_field_of_2030"] == {"a": 1}
    old = Subscription.from_dict({"id": "sub_1", "object": "subscription", "status": "active"})
    assert old.status == "active" and "current_period_end" not in old


# --- events lacking fields -----------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["created", "pending_webhooks", "livemode", "api_version"])
def test_event_lacking_a_field_still_has_its_typed_object(missing: str) -> None:
    data = {"id": "evt_1", "object": "event", "type": "customer.created", "created": 1,
            "livemode": False, "pending_webhooks": 0, "api_version": "2020-08-27",
            "request": None, "data": {"object": CUSTOMER}}
    del data[missing]
    event = Event.from_dict(data)
    assert isinstance(event.data.object, Customer)
    assert event.data.object.email == "jo@example.com"
    assert event.to_dict() == data
    via_webhook = aiostripe.webhooks.construct_event(
        json.dumps(data), aiostripe.webhooks.generate_test_header(json.dumps(data), "whsec_x"), "whsec_x"
    )
    assert isinstance(via_webhook.data.object, Customer)


# --- models as read-only mappings ----------------------------------------------------------------


def test_models_read_like_mappings() -> None:
    customer = Customer.from_dict(CUSTOMER)
    assert customer.get("email") == "jo@example.com"
    assert customer.get("phone", "none") == "none"  # absent from the data
    assert customer.get("new_field_of_2030") == {"a": 1}
    assert dict(customer) == {k: customer[k] for k in CUSTOMER}
    assert sorted(customer) == sorted(CUSTOMER)
    assert json.loads(customer.to_json()) == CUSTOMER
    sub = Subscription.from_dict({"id": "sub_1", "object": "subscription",
                                  "items": {"object": "list", "data": [], "has_more": False, "url": "/"}})
    assert sub.items.has_more is False  # a field named `items` stays the field


async def test_deliver_event_takes_a_model(fake_stripe: FakeStripe, stripe_client: StripeClient) -> None:
    from aiohttp import web

    received: list[Any] = []

    async def hook(request: web.Request) -> web.Response:
        received.append(json.loads(await request.read()))
        return web.Response(text="{}")

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        customer = await stripe_client.customers.create(email="jo@example.com")
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
        status, _ = await fake_stripe.deliver_event(url, "customer.created", customer, "whsec_x")
        assert status == 200
        assert received[0]["data"]["object"] == customer.to_dict()
    finally:
        await runner.cleanup()


# --- a closed client -----------------------------------------------------------------------------


async def test_closed_client_raises_and_opens_nothing(fake_stripe: FakeStripe) -> None:
    client = fake_stripe.client()
    async with client as stripe:
        await stripe.customers.create(email="jo@example.com")
    sent = len(fake_stripe.requests)
    with pytest.raises(ClientClosedError, match="the client is closed"):
        await client.customers.create(email="jo@example.com")
    with pytest.raises(ClientClosedError):
        await client.with_options(stripe_account="acct_1").customers.list()
    with pytest.raises(ClientClosedError):
        async with client:
            pass
    assert client._requestor._session is None  # no new aiohttp session
    assert len(fake_stripe.requests) == sent


# --- the fake follows Stripe's documented behaviour ----------------------------------------------


async def test_retrieving_a_deleted_customer_answers_deleted_true(
    fake_stripe: FakeStripe, stripe_client: StripeClient
) -> None:
    """https://docs.stripe.com/api/customers/retrieve: "If it's for a deleted Customer, a subset
    of the customer's information is returned, including a deleted property that's set to true"
    (a 200, not a 404); another connected account does not see it; a never-created id is a 404."""
    customer = await stripe_client.customers.create(email="jo@example.com")
    await stripe_client.customers.delete(customer.id)
    again = await stripe_client.customers.retrieve(customer.id)
    assert isinstance(again, Customer) and again.deleted is True and again.id == customer.id
    assert again.last_response is not None and again.last_response.status == 200
    fake_stripe.create("account", id="acct_1Other")
    other = stripe_client.with_options(stripe_account="acct_1Other")
    with pytest.raises(aiostripe.InvalidRequestError) as missing:
        await other.customers.retrieve(customer.id)
    assert missing.value.http_status == 404
    with pytest.raises(aiostripe.InvalidRequestError):
        await stripe_client.customers.retrieve("cus_neverMade")
