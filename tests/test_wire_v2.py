"""The v2 wire at the byte level, read by a recording server on 127.0.0.1: JSON bodies, indexed
query arrays, an idempotency key on every POST and DELETE (the same on a retry), Stripe-Context
from the client, the call and `with_options`, and v2 error bodies raised as v1's classes."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

import aiostripe
from aiostripe import _requestor
from tests.recording_server import Recorder, recorder

__all__ = ["recorder"]


@pytest.fixture(autouse=True)
def _no_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    async def no_sleep(delay: float) -> None:
        return None

    monkeypatch.setattr(_requestor.loop, "_sleep", no_sleep)


def _client(rec: Recorder, **kwargs: object) -> aiostripe.StripeClient:
    return aiostripe.StripeClient("sk_test_v2", base_url=rec.url, **kwargs)  # type: ignore[arg-type]


async def test_a_v2_post_sends_its_params_as_a_json_body(recorder: Recorder) -> None:
    async with _client(recorder, max_retries=0) as stripe:
        await stripe.raw_request(
            "post", "/v2/core/accounts", display_name="Jo's shop", dashboard="full",
            configuration={"customer": {"capabilities": {"automatic_indirect_tax": {"requested": True}}}},
            metadata={"order": "42"}, include=["identity"], contact_email=None,
        )
    (seen,) = recorder.seen
    assert seen.line.startswith("POST /v2/core/accounts HTTP/1.1")
    assert seen.headers["content-type"] == "application/json"
    assert json.loads(seen.body) == {
        "display_name": "Jo's shop", "dashboard": "full",
        "configuration": {"customer": {"capabilities": {"automatic_indirect_tax": {"requested": True}}}},
        "metadata": {"order": "42"}, "include": ["identity"], "contact_email": None,
    }
    assert seen.body.startswith(b'{"display_name":"Jo\'s shop","dashboard":"full"')  # key order kept
    assert seen.headers["idempotency-key"]
    assert seen.headers["authorization"] == "Bearer sk_test_v2"


async def test_a_v2_post_without_params_sends_an_empty_json_object(recorder: Recorder) -> None:
    async with _client(recorder, max_retries=0) as stripe:
        await stripe.raw_request("post", "/v2/billing/meter_event_session")
    (seen,) = recorder.seen
    assert (seen.body, seen.headers["content-type"]) == (b"{}", "application/json")


async def test_v2_values_are_json_ready(recorder: Recorder) -> None:
    """Date-times go as RFC 3339 UTC text, decimals as strings, as the v2 spec types them."""
    paris = timezone(timedelta(hours=2))
    async with _client(recorder, max_retries=0) as stripe:
        await stripe.raw_request(
            "post", "/v2/billing/meter_events", event_name="api_calls",
            timestamp=datetime(2026, 5, 27, 12, 30, tzinfo=paris),
            payload={"value": "3"}, amount=Decimal("0.0025"), naive=datetime(2026, 1, 2, 3, 4, 5),
        )
    assert json.loads(recorder.seen[0].body) == {
        "event_name": "api_calls", "timestamp": "2026-05-27T10:30:00Z",
        "payload": {"value": "3"}, "amount": "0.0025", "naive": "2026-01-02T03:04:05Z",
    }


async def test_a_bad_v2_value_names_its_parameter_and_sends_nothing(recorder: Recorder) -> None:
    async with _client(recorder, max_retries=0) as stripe:
        with pytest.raises(TypeError, match=r"events\[0\]\[payload\]\[value\]: .*got set"):
            await stripe.raw_request(
                "post", "/v2/billing/meter_event_stream",
                events=[{"event_name": "e", "payload": {"value": {1}}}],
            )
        with pytest.raises(ValueError, match=r"amount: cannot send Decimal\('NaN'\)"):
            await stripe.raw_request("post", "/v2/billing/meter_events", amount=Decimal("nan"))
    assert recorder.seen == []


async def test_v2_query_arrays_are_indexed_and_booleans_lower_case(recorder: Recorder) -> None:
    recorder.answer((200, {"data": [], "next_page_url": None, "previous_page_url": None}))
    async with _client(recorder, max_retries=0) as stripe:
        await stripe.raw_request(
            "get", "/v2/core/accounts", include=["configuration.customer", "identity"],
            closed=True, limit=2,
        )
    (seen,) = recorder.seen
    assert seen.line.split(" ")[1] == (
        "/v2/core/accounts?include[0]=configuration.customer&include[1]=identity&closed=true&limit=2"
    )
    assert "content-type" not in seen.headers and seen.body == b""
    assert "idempotency-key" not in seen.headers  # a GET is never keyed


async def test_every_v2_post_and_delete_keeps_one_idempotency_key_across_retries(
    recorder: Recorder,
) -> None:
    busy = (500, {"error": {"type": "api_error", "code": "internal", "message": "busy"}})
    async with _client(recorder, max_retries=2) as stripe:
        recorder.answer(busy, (200, {"id": "person_1"}))
        await stripe.raw_request("delete", "/v2/core/accounts/acct_1/persons/person_1")
        recorder.answer(busy, busy, (200, {"id": "acct_1"}))
        await stripe.raw_request("post", "/v2/core/accounts/acct_1/close")
        recorder.answer((200, {"id": "person_1"}))
        await stripe.raw_request(
            "delete", "/v2/core/accounts/acct_1/persons/person_2",
            request_options={"idempotency_key": "mine-1"},
        )
        await stripe.raw_request("delete", "/v1/customers/cus_1")
    keys = [s.headers.get("idempotency-key") for s in recorder.seen]
    assert keys[0] and keys[0] == keys[1]
    assert keys[2] and keys[2] == keys[3] == keys[4] and keys[2] != keys[0]
    assert keys[5] == "mine-1"
    assert keys[6] is None  # v1's DELETE stays as stripe-python sends it: no key
    assert [s.line.split(" ")[0] for s in recorder.seen] == ["DELETE"] * 2 + ["POST"] * 3 + ["DELETE"] * 2


async def test_stripe_context_from_the_client_the_call_and_with_options(recorder: Recorder) -> None:
    async with _client(recorder, max_retries=0, stripe_context="acct_root") as stripe:
        await stripe.raw_request("get", "/v2/core/events")  # (creates the session)
        await stripe.raw_request("get", "/v2/core/events")
        await stripe.raw_request(
            "get", "/v2/core/events", request_options={"stripe_context": "acct_call"}
        )
        other = stripe.with_options(stripe_context="acct_root/acct_child")
        await other.raw_request("post", "/v2/core/accounts", display_name="x")
        await stripe.with_options(stripe_context=None).raw_request("get", "/v2/core/events")
        await stripe.raw_request("get", "/v1/customers/cus_1")
    assert [s.headers.get("stripe-context") for s in recorder.seen] == [
        "acct_root", "acct_root", "acct_call", "acct_root/acct_child", None, "acct_root",
    ]
    async with _client(recorder, max_retries=0) as plain:
        await plain.raw_request("get", "/v2/core/events")
    assert "stripe-context" not in recorder.seen[-1].headers


async def test_a_bad_stripe_context_is_refused_by_name(recorder: Recorder) -> None:
    async with _client(recorder) as stripe:
        with pytest.raises(ValueError, match="stripe_context"):
            stripe.with_options(stripe_context="  ")
        with pytest.raises(ValueError, match=r"request_options\['stripe_context'\]"):
            await stripe.raw_request(
                "get", "/v2/core/events", request_options={"stripe_context": ""}
            )
        with pytest.raises(ValueError, match="stripe_context"):
            _client(recorder, stripe_context="a\nb")
    assert recorder.seen == []


@pytest.mark.parametrize(
    ("status", "error", "cls"),
    [
        (400, {"type": "invalid_request_error", "code": "account_creation_invalid",
               "message": "display_name is too long"}, aiostripe.InvalidRequestError),
        (404, {"code": "not_found", "message": "No such account: acct_x"},
         aiostripe.InvalidRequestError),
        (401, {"type": "invalid_request_error", "code": "unauthorized", "message": "bad key"},
         aiostripe.AuthenticationError),
        (429, {"type": "rate_limit", "code": "account_rate_limit_exceeded", "message": "slow"},
         aiostripe.RateLimitError),
        (400, {"type": "temporary_session_expired", "code": "billing_meter_event_session_expired",
               "message": "The session has expired", "doc_url": "https://docs.stripe.com/x"},
         aiostripe.TemporarySessionExpiredError),
        (409, {"type": "idempotency_error", "code": "idempotency_key_reused", "message": "used"},
         aiostripe.IdempotencyError),
    ],
)
async def test_v2_errors_raise_the_v1_classes_with_code_and_message(
    recorder: Recorder, status: int, error: dict[str, str], cls: type[aiostripe.StripeError]
) -> None:
    """The error bodies are those of the spec's `v2.error` schemas (`type`, `code`, `message`)."""
    recorder.answer((status, {"error": error}))
    async with _client(recorder, max_retries=0) as stripe:
        with pytest.raises(cls) as caught:
            await stripe.raw_request("post", "/v2/core/accounts", display_name="x")
    assert type(caught.value) is cls
    assert caught.value.code == error["code"]
    assert error["message"] in str(caught.value)
    assert caught.value.json_body == {"error": error}
    assert caught.value.http_status == status
    assert caught.value.request_id == "req_1"


async def test_a_v2_post_reaches_the_server_once_the_hooks_see_it(recorder: Recorder) -> None:
    """Telemetry hooks apply to v2 calls unchanged (one loop)."""
    seen: list[str] = []
    async with _client(
        recorder, max_retries=0, on_request=lambda e: seen.append(f"{e.method} {e.path}")
    ) as stripe:
        await stripe.raw_request("post", "/v2/core/accounts", display_name="x")
    assert seen == ["POST /v2/core/accounts"]
