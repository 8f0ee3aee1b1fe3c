"""Webhook signature verification and typed events: `sign_payload` and `generate_test_header`,
`verify_header`/`construct_event` on tampered, expired, future, malformed and rotated-secret
signatures (the error never carries a secret), and the typed `Event` a verified payload becomes.

The router: `test_webhooks_router.py`; the aiohttp handler: `test_webhooks_aiohttp.py`.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import time
import typing
from typing import Any

import pytest

from aiostripe._errors import SignatureVerificationError, StripeError
from aiostripe._models import StripeObject
from aiostripe.webhooks import (
    Event,
    EventType,
    construct_event,
    generate_test_header,
    sign_payload,
    verify_header,
)
from tests.webhook_helpers import NOW, OLD_SECRET, SECRET, dump, header, make_event, resources

__all__ = ["resources"]  # the fixture

PAYLOAD = b'{"id": "evt_123", "object": "event"}'


def fails(
    payload: bytes | str,
    sig_header: str | None,
    secret: str | list[str] = SECRET,
    *,
    now: float = NOW,
    **kw: Any,
) -> SignatureVerificationError:
    """construct_event must raise; the error never carries a secret."""
    with pytest.raises(SignatureVerificationError) as info:
        construct_event(payload, sig_header, secret, now=now, **kw)
    exc = info.value
    assert isinstance(exc, StripeError)
    for s in (SECRET, OLD_SECRET, "0123456789abcdef", "old_rotated"):
        assert s not in str(exc)
        assert s not in repr(exc)
    assert getattr(exc, "sig_header", sig_header) == sig_header
    return exc


# --- signing helpers ----------------------------------------------------------------------------


def test_sign_payload_is_hmac_sha256_of_timestamp_dot_payload() -> None:
    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + PAYLOAD, hashlib.sha256).hexdigest()
    assert sign_payload(PAYLOAD, SECRET, NOW) == expected
    assert sign_payload(PAYLOAD.decode(), SECRET, NOW) == expected
    assert header(PAYLOAD) == f"t={NOW},v1={expected}"
    assert header(PAYLOAD, scheme="v0") == f"t={NOW},v0={expected}"


def test_generate_test_header_defaults_to_now() -> None:
    before = int(time.time())
    h = generate_test_header(PAYLOAD, SECRET)
    ts = int(h.split(",")[0].removeprefix("t="))
    assert before <= ts <= int(time.time())
    verify_header(PAYLOAD, h, SECRET)  # current time, default tolerance


# --- verification -------------------------------------------------------------------------------


def test_verify_header_valid() -> None:
    verify_header(PAYLOAD, header(PAYLOAD), SECRET, now=NOW)
    verify_header(PAYLOAD.decode(), header(PAYLOAD), SECRET, now=NOW)
    verify_header(PAYLOAD, header(PAYLOAD), SECRET, tolerance=None)  # NOW is long past


def test_tampered_payload() -> None:
    h = header(PAYLOAD)
    for tampered in (PAYLOAD.replace(b"123", b"124"), PAYLOAD + b" ", b" " + PAYLOAD, b""):
        exc = fails(tampered, h)
        assert "no signature matches" in str(exc)


def test_tampered_signature() -> None:
    h = header(PAYLOAD)
    last = h[-1]
    bad = h[:-1] + ("0" if last != "0" else "1")
    assert "no signature matches" in str(fails(PAYLOAD, bad))
    upper = f"t={NOW},v1={sign_payload(PAYLOAD, SECRET, NOW).upper()}"
    assert "no signature matches" in str(fails(PAYLOAD, upper))
    assert "no signature matches" in str(fails(PAYLOAD, h[:-2]))


def test_timestamp_is_part_of_the_signature() -> None:
    sig = sign_payload(PAYLOAD, SECRET, NOW)
    assert "no signature matches" in str(fails(PAYLOAD, f"t={NOW + 1},v1={sig}"))


def test_wrong_secret() -> None:
    exc = fails(PAYLOAD, header(PAYLOAD, secret="whsec_someone_else"))
    assert "no signature matches" in str(exc)


def test_expired() -> None:
    h = header(PAYLOAD)
    verify_header(PAYLOAD, h, SECRET, now=NOW + 300)  # exactly at the tolerance: accepted
    exc = fails(PAYLOAD, h, now=NOW + 301)
    assert "too old" in str(exc)
    assert "301 seconds" in str(exc) and "tolerance is 300 seconds" in str(exc)
    exc = fails(PAYLOAD, h, now=NOW + 3600, tolerance=600)
    assert "3600 seconds" in str(exc) and "tolerance is 600 seconds" in str(exc)
    verify_header(PAYLOAD, h, SECRET, tolerance=None, now=NOW + 10**6)


def test_future() -> None:
    h = header(PAYLOAD)
    verify_header(PAYLOAD, h, SECRET, now=NOW - 300)
    exc = fails(PAYLOAD, h, now=NOW - 301)
    assert "future" in str(exc)
    assert "301 seconds" in str(exc) and "tolerance is 300 seconds" in str(exc)
    verify_header(PAYLOAD, h, SECRET, tolerance=None, now=NOW - 10**6)


def test_bad_signature_is_reported_before_the_timestamp() -> None:
    # An old forged header says "no match", not "too old": only authentic headers get a verdict
    # about their age.
    assert "no signature matches" in str(fails(PAYLOAD, header(b"other"), now=NOW + 10**6))


def test_multiple_signatures_one_valid() -> None:
    good = sign_payload(PAYLOAD, SECRET, NOW)
    h = f"t={NOW},v1={'0' * 64},v0={good},v1={good},v1=deadbeef,v2=whatever"
    verify_header(PAYLOAD, h, SECRET, now=NOW)
    # spaces around items are tolerated
    verify_header(PAYLOAD, f"t={NOW}, v1={'1' * 64}, v1={good}", SECRET, now=NOW)
    # the valid signature only under v0: ignored
    assert "no signature matches" in str(fails(PAYLOAD, f"t={NOW},v0={good},v1={'0' * 64}"))


def test_rotated_secrets() -> None:
    old = header(PAYLOAD, secret=OLD_SECRET)
    new = header(PAYLOAD, secret=SECRET)
    for secrets in ([SECRET, OLD_SECRET], (OLD_SECRET, SECRET)):
        verify_header(PAYLOAD, old, secrets, now=NOW)
        verify_header(PAYLOAD, new, secrets, now=NOW)
    assert "no signature matches" in str(fails(PAYLOAD, old, [SECRET]))
    # both signatures in one header (Stripe sends one per active secret)
    both = f"{old},v1={sign_payload(PAYLOAD, SECRET, NOW)}"
    verify_header(PAYLOAD, both, SECRET, now=NOW)
    verify_header(PAYLOAD, both, OLD_SECRET, now=NOW)


SIG = "5" * 64


@pytest.mark.parametrize(
    ("sig_header", "message"),
    [
        (None, "no Stripe-Signature header"),
        ("", "empty Stripe-Signature header"),
        ("   ", "empty Stripe-Signature header"),
        ("garbage", "item 1 is not `key=value`"),
        (f"t={NOW},v1", "item 2 is not `key=value`"),
        (f"t={NOW},=abc,v1={SIG}", "item 2 is not `key=value`"),
        (f"t=,v1={SIG}", "item 1 is not `key=value`"),
        (f"t={NOW};v1={SIG}", "bad timestamp"),
        (f"v1={SIG}", "no timestamp"),
        (f"v1={SIG},v0={SIG}", "no timestamp"),
        (f"t=abc,v1={SIG}", "bad timestamp"),
        (f"t=-5,v1={SIG}", "bad timestamp"),
        (f"t=1.5,v1={SIG}", "bad timestamp"),
        (f"t={'9' * 40},v1={SIG}", "bad timestamp"),
        (f"t={NOW},t={NOW + 1},v1={SIG}", "more than one timestamp"),
        (f"t={NOW}", "no v1 signature"),
        (f"t={NOW},v0={SIG}", "no v1 signature"),
        (f"t={NOW},V1={SIG}", "no v1 signature"),
        (f"t={NOW},v1=\u00e9{SIG}", "non-ASCII"),
        (f"t=\uff11\uff12,v1={SIG}", "non-ASCII"),
    ],
)
def test_malformed_headers(sig_header: str | None, message: str) -> None:
    exc = fails(PAYLOAD, sig_header)
    assert message in str(exc)


def test_non_utf8_payload() -> None:
    payload = b'{"id": "evt_\xff\xfe", "object": "event"}'
    with pytest.raises(ValueError, match="signed webhook payload is not valid UTF-8 JSON"):
        construct_event(payload, header(payload), SECRET, now=NOW)
    # a str that cannot be UTF-8 encoded cannot be verified
    assert "not valid UTF-8" in str(fails("{\ud800}", header(PAYLOAD)))


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"not json", "not valid UTF-8 JSON"),
        (b'{"id": ', "not valid UTF-8 JSON"),
        (b"[1, 2]", "not a JSON object but list"),
        (b'"event"', "not a JSON object but str"),
    ],
)
def test_signed_payload_that_is_not_json(payload: bytes, message: str) -> None:
    """Stripe never sends these; a correct signature means it is not a signature problem."""
    with pytest.raises(ValueError, match=message) as info:
        construct_event(payload, header(payload), SECRET, now=NOW)
    assert not isinstance(info.value, SignatureVerificationError)


@pytest.mark.parametrize(
    "payload",
    [
        b'{"id": "evt_1"}',
        b'{"id": "evt_1", "object": "event"}',
        b'{"id": "evt_1", "object": "v2.core.event", "type": "v1.billing.meter.no_meter_found"}',
        b'{"id": "evt_1", "object": "event", "request": "req_123", "data": {"object": 7}}',
    ],
)
def test_any_signed_json_object_gives_an_event(payload: bytes) -> None:
    """A correctly signed delivery is never refused, however little it resembles the spec."""
    event = construct_event(payload, header(payload), SECRET, now=NOW)
    assert isinstance(event, Event) and type(event).__name__ == "Event"  # fields unset or not
    assert event.id == "evt_1"
    assert event.to_dict() == json.loads(payload)


def test_configuration_errors() -> None:
    h = header(PAYLOAD)
    with pytest.raises(ValueError, match="no webhook signing secret"):
        verify_header(PAYLOAD, h, [], now=NOW)
    with pytest.raises(ValueError, match="non-empty str"):
        verify_header(PAYLOAD, h, "", now=NOW)
    with pytest.raises(ValueError, match="non-empty str"):
        verify_header(PAYLOAD, h, [SECRET, ""], now=NOW)
    with pytest.raises(ValueError, match="tolerance"):
        verify_header(PAYLOAD, h, SECRET, tolerance=-1, now=NOW)


# --- typed events -------------------------------------------------------------------------------


def test_construct_event_typed(resources: dict[str, Any]) -> None:
    from aiostripe._generated.models import PaymentIntent

    payload = dump(make_event(resources))
    event = construct_event(payload, header(payload), SECRET, now=NOW + 5)
    assert isinstance(event, Event)
    assert event.id == "evt_test_1"
    assert event.type == "payment_intent.succeeded"
    intent = event.data.object
    assert isinstance(intent, PaymentIntent)
    assert intent.id == resources["payment_intent"]["id"]
    assert intent.amount == resources["payment_intent"]["amount"]
    assert intent["currency"] == resources["payment_intent"]["currency"]
    # a str payload is the same thing
    same = construct_event(payload.decode(), header(payload), SECRET, now=NOW)
    assert isinstance(same.data.object, PaymentIntent)


def test_fixture_event_as_is(resources: dict[str, Any]) -> None:
    from aiostripe._generated.models import Plan

    payload = dump(resources["event"])
    event = construct_event(payload, header(payload), [OLD_SECRET, SECRET], now=NOW)
    assert event.type == "plan.created"
    assert isinstance(event.data.object, Plan)
    assert event.data.object.amount == resources["event"]["data"]["object"]["amount"]


def test_unknown_object_type_stays_plain(resources: dict[str, Any]) -> None:
    thing = {"id": "thing_1", "object": "brand_new_thing", "size": 3}
    payload = dump(make_event(resources, thing, "brand_new_thing.created"))
    event = construct_event(payload, header(payload), SECRET, now=NOW)
    assert event.type == "brand_new_thing.created"
    obj: Any = event.data.object
    assert type(obj) is StripeObject
    assert obj["id"] == "thing_1"
    assert obj["size"] == 3


def test_previous_attributes_and_unknown_event_fields(resources: dict[str, Any]) -> None:
    event = make_event(resources, event_type="payment_intent.updated")
    event["data"]["previous_attributes"] = {"amount": 1}
    event["brand_new_field"] = {"x": 1}
    payload = dump(event)
    parsed = construct_event(payload, header(payload), SECRET, now=NOW)
    assert parsed.data.previous_attributes == {"amount": 1}
    assert parsed["brand_new_field"] == {"x": 1}


def test_event_to_dict_round_trips(resources: dict[str, Any]) -> None:
    event = make_event(resources)
    payload = dump(event)
    parsed = construct_event(payload, header(payload), SECRET, now=NOW)
    assert parsed.to_dict()["data"]["object"]["id"] == event["data"]["object"]["id"]


def test_huge_payload_through_construct_event(resources: dict[str, Any]) -> None:
    intent = copy.deepcopy(resources["payment_intent"])
    intent["description"] = "x" * (5 * 1024 * 1024)
    payload = dump(make_event(resources, intent))
    assert len(payload) > 5 * 1024 * 1024
    event = construct_event(payload, header(payload), SECRET, now=NOW)
    assert len(event.data.object["description"]) == 5 * 1024 * 1024
    assert "no signature matches" in str(fails(payload + b"\n", header(payload)))


def test_event_type_literal() -> None:
    types = typing.get_args(EventType)
    assert "payment_intent.succeeded" in types
    assert "invoice.paid" in types
    assert len(types) > 100
