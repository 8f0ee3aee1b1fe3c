"""Webhook signature verification, typed events, the router and the aiohttp handler."""

from __future__ import annotations

import copy
import hashlib
import hmac
import importlib.util
import io
import json
import logging
import os
import subprocess
import sys
import time
import typing
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from aiostripe._errors import SignatureVerificationError, StripeError
from aiostripe._models import StripeObject
from aiostripe.webhooks import (
    DEFAULT_MAX_BODY_SIZE,
    Event,
    EventType,
    WebhookRouter,
    aiohttp_handler,
    construct_event,
    generate_test_header,
    sign_payload,
    verify_header,
)

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO.parent / "shared" / "stripe-openapi" / "fixtures3.2026-05-27.json"
EXAMPLE = REPO / "examples" / "webhook_app.py"

SECRET = "whsec_test_0123456789abcdefSECRET"
OLD_SECRET = "whsec_test_old_rotated_SECRET"
NOW = 1_700_000_000
PAYLOAD = b'{"id": "evt_123", "object": "event"}'


def header(payload: bytes | str, secret: str = SECRET, ts: int = NOW, scheme: str = "v1") -> str:
    return generate_test_header(payload, secret, timestamp=ts, scheme=scheme)


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


# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def resources() -> dict[str, Any]:
    if not FIXTURES.exists():
        pytest.skip(f"{FIXTURES} not found")
    return typing.cast(dict[str, Any], json.loads(FIXTURES.read_text())["resources"])


def make_event(
    resources: dict[str, Any],
    obj: str | dict[str, Any] = "payment_intent",
    event_type: str = "payment_intent.succeeded",
    event_id: str = "evt_test_1",
) -> dict[str, Any]:
    event: dict[str, Any] = copy.deepcopy(resources["event"])
    event["id"] = event_id
    event["type"] = event_type
    event["data"] = {"object": copy.deepcopy(resources[obj]) if isinstance(obj, str) else obj}
    return event


def dump(event: dict[str, Any]) -> bytes:
    return json.dumps(event, indent=2).encode("utf-8")


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


# --- router -------------------------------------------------------------------------------------


def fake_event(event_type: str, event_id: str = "evt_1") -> Event:
    data = {
        "id": event_id,
        "object": "event",
        "created": NOW,
        "livemode": False,
        "pending_webhooks": 0,
        "type": event_type,
        "data": {"object": {"id": "pi_1", "object": "payment_intent_unparsed"}},
    }
    payload = json.dumps(data)
    return construct_event(payload, header(payload), SECRET, now=NOW)


async def test_router_dispatch_order_and_counts() -> None:
    router = WebhookRouter()
    calls: list[tuple[str, str]] = []

    @router.on("payment_intent.succeeded", "payment_intent.canceled")
    async def first(event: Event) -> None:
        calls.append(("first", event.type))

    async def second(event: Event) -> None:
        calls.append(("second", event.type))

    router.add("payment_intent.succeeded", second)

    @router.catch_all
    async def everything(event: Event) -> None:
        calls.append(("all", event.type))

    assert first.__name__ == "first"  # the decorators return the function itself
    assert router.event_types == {"payment_intent.succeeded", "payment_intent.canceled"}
    assert "payment_intent.succeeded" in repr(router)

    assert await router.dispatch(fake_event("payment_intent.succeeded")) == 3
    assert calls == [
        ("first", "payment_intent.succeeded"),
        ("second", "payment_intent.succeeded"),
        ("all", "payment_intent.succeeded"),
    ]
    calls.clear()
    assert await router.dispatch(fake_event("payment_intent.canceled")) == 2
    assert calls == [("first", "payment_intent.canceled"), ("all", "payment_intent.canceled")]
    calls.clear()
    assert await router.dispatch(fake_event("charge.refunded")) == 1
    assert calls == [("all", "charge.refunded")]
    assert await WebhookRouter().dispatch(fake_event("charge.refunded")) == 0


async def test_router_errors() -> None:
    router = WebhookRouter()

    def sync_callback(event: Event) -> None:
        pass

    with pytest.raises(TypeError, match="async"):
        router.add("charge.refunded", sync_callback)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="async"):
        router.add_catch_all(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="event type"):
        router.add("", sync_callback)  # type: ignore[arg-type]

    class Boom(Exception):
        pass

    reached: list[str] = []

    @router.on("charge.refunded")
    async def fail(event: Event) -> None:
        raise Boom

    @router.on("charge.refunded")
    async def after(event: Event) -> None:
        reached.append(event.id)

    with pytest.raises(Boom):
        await router.dispatch(fake_event("charge.refunded"))
    assert reached == []

    # a callable object whose call is not async slips past `add`, `dispatch` catches it
    class NotAsync:
        def __call__(self, event: Event) -> None:
            return None

    other = WebhookRouter()
    other.add("charge.refunded", NotAsync())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not an awaitable"):
        await other.dispatch(fake_event("charge.refunded"))


# --- aiohttp ------------------------------------------------------------------------------------


class Recorder:
    def __init__(self) -> None:
        self.events: list[Event] = []

    async def __call__(self, event: Event) -> None:
        self.events.append(event)


async def post(
    client: TestClient[web.Request, web.Application],
    payload: bytes,
    sig_header: str | None,
    path: str = "/webhook",
) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if sig_header is not None:
        headers["Stripe-Signature"] = sig_header
    data: bytes | io.BytesIO = io.BytesIO(payload) if len(payload) > 1024 * 1024 else payload
    async with client.post(path, data=data, headers=headers) as resp:
        return resp.status, await resp.json()


async def test_aiohttp_end_to_end(
    resources: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    from aiostripe._generated.models import PaymentIntent

    router = WebhookRouter()
    succeeded = Recorder()
    everything = Recorder()
    router.add("payment_intent.succeeded", succeeded)
    router.add_catch_all(everything)

    @router.on("charge.failed")
    async def broken(event: Event) -> None:
        raise RuntimeError("database is down")

    single = Recorder()
    app = web.Application()
    app.router.add_post("/webhook", aiohttp_handler([SECRET, OLD_SECRET], router))
    app.router.add_post("/single", aiohttp_handler(SECRET, single, tolerance=None))

    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        assert client.host == "127.0.0.1"
        now = int(time.time())

        # a signed event, dispatched to its callback and the catch-all
        payload = dump(make_event(resources, event_id="evt_e2e_1"))
        status, body = await post(client, payload, header(payload, ts=now))
        assert (status, body) == (200, {"received": True})
        assert [e.id for e in succeeded.events] == ["evt_e2e_1"]
        assert isinstance(succeeded.events[0].data.object, PaymentIntent)
        assert [e.id for e in everything.events] == ["evt_e2e_1"]

        # signed with the old secret, several signatures in the header
        payload = dump(make_event(resources, event_id="evt_e2e_2"))
        h = f"{header(payload, OLD_SECRET, now)},v1={'0' * 64}"
        assert (await post(client, payload, h))[0] == 200
        assert [e.id for e in succeeded.events] == ["evt_e2e_1", "evt_e2e_2"]

        # an event type nobody handles specifically: still 200
        payload = dump(resources["event"])
        assert await post(client, payload, header(payload, ts=now)) == (200, {"received": True})
        assert everything.events[-1].type == "plan.created"
        assert len(succeeded.events) == 2

        # verification failures: 400 with a short JSON error, nothing dispatched
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="aiostripe.webhooks"):
            for sig_header, message in [
                (None, "no Stripe-Signature header"),
                ("t=1", "no v1 signature"),
                (header(payload, "whsec_wrong", now), "no signature matches"),
                (header(payload + b" ", ts=now), "no signature matches"),
                (header(payload, ts=now - 3600), "too old"),
                (header(payload, ts=now + 3600), "future"),
            ]:
                status, body = await post(client, payload, sig_header)
                assert status == 400
                assert message in body["error"]
                assert SECRET not in json.dumps(body) and OLD_SECRET not in json.dumps(body)
        assert len(everything.events) == 3
        assert "rejected Stripe webhook" in caplog.text
        assert SECRET not in caplog.text and OLD_SECRET not in caplog.text

        # a callback that raises: 500, logged with the event id, no secret in the log
        caplog.clear()
        payload = dump(make_event(resources, "charge", "charge.failed", "evt_e2e_boom"))
        with caplog.at_level(logging.ERROR, logger="aiostripe.webhooks"):
            status, body = await post(client, payload, header(payload, ts=now))
        assert status == 500
        assert body == {"error": "webhook callback failed"}
        assert "evt_e2e_boom" in caplog.text and "charge.failed" in caplog.text
        assert "database is down" in caplog.text
        assert SECRET not in caplog.text and OLD_SECRET not in caplog.text

        # a single callback instead of a router, no timestamp check
        payload = dump(make_event(resources, event_id="evt_e2e_single"))
        assert (await post(client, payload, header(payload), "/single"))[0] == 200
        assert [e.id for e in single.events] == ["evt_e2e_single"]


async def test_aiohttp_body_size_cap(resources: dict[str, Any]) -> None:
    got = Recorder()
    app = web.Application(client_max_size=10 * 1024 * 1024)
    app.router.add_post("/webhook", aiohttp_handler(SECRET, got))
    app.router.add_post("/small", aiohttp_handler(SECRET, got, max_body_size=1024))

    intent = copy.deepcopy(resources["payment_intent"])
    intent["description"] = "x" * (2 * DEFAULT_MAX_BODY_SIZE)
    huge = dump(make_event(resources, intent))
    small = dump(make_event(resources))
    assert 1024 < len(small) < DEFAULT_MAX_BODY_SIZE

    async def chunked(data: bytes) -> AsyncIterator[bytes]:
        for i in range(0, len(data), 1000):
            yield data[i : i + 1000]

    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        now = int(time.time())
        # Content-Length over the cap
        status, body = await post(client, huge, header(huge, ts=now))
        assert status == 413
        assert "larger than 1048576 bytes" in body["error"]
        # no Content-Length (chunked): the cap applies while reading
        headers = {"Stripe-Signature": header(small, ts=now)}
        async with client.post("/small", data=chunked(small), headers=headers) as resp:
            assert resp.status == 413
        assert got.events == []
        # under the cap, chunked or not: accepted
        async with client.post("/webhook", data=chunked(small), headers=headers) as resp:
            assert resp.status == 200
        assert (await post(client, small, header(small, ts=now)))[0] == 200
        assert len(got.events) == 2


def test_aiohttp_handler_configuration_errors() -> None:
    router = WebhookRouter()
    with pytest.raises(ValueError):
        aiohttp_handler([], router)
    with pytest.raises(ValueError):
        aiohttp_handler(SECRET, router, max_body_size=0)
    with pytest.raises(ValueError):
        aiohttp_handler(SECRET, router, tolerance=-5)

    def sync_callback(event: Event) -> None:
        pass

    with pytest.raises(TypeError):
        aiohttp_handler(SECRET, sync_callback)  # type: ignore[arg-type]


async def test_example_app(resources: dict[str, Any], caplog: pytest.LogCaptureFixture) -> None:
    spec = importlib.util.spec_from_file_location("webhook_app_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        app = module.build_app(SECRET)
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            payload = dump(make_event(resources, event_id="evt_example"))
            with caplog.at_level(logging.INFO):
                status, _ = await post(
                    client, payload, header(payload, ts=int(time.time())), "/stripe/webhook"
                )
            assert status == 200
            assert "evt_example" in caplog.text
            assert module.port_from(["webhook_app.py", "9123"], {}) == 9123
            assert module.port_from(["webhook_app.py"], {"PORT": "9124"}) == 9124
            assert module.port_from(["webhook_app.py"], {}) == 8000
    finally:
        sys.modules.pop(spec.name, None)


# --- static typing ------------------------------------------------------------------------------

TYPED_USE = """
from aiostripe.webhooks import Event, WebhookRouter

router = WebhookRouter()


@router.on("payment_intent.succeeded", "invoice.paid")
async def fine(event: Event) -> None: ...


@router.on("payment_intent.succeded")
async def typo(event: Event) -> None: ...


def not_async(event: Event) -> None: ...


router.add("charge.refunded", not_async)
"""


def test_router_is_type_checked(tmp_path: Path) -> None:
    """A misspelt event type and a sync callback are mypy errors; correct use is not."""
    pytest.importorskip("mypy")
    source = tmp_path / "typed_use.py"
    source.write_text(TYPED_USE)
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", str(source)],
        check=False,
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "MYPYPATH": str(REPO / "src")},
        timeout=300,
    )
    errors = [line for line in proc.stdout.splitlines() if ": error:" in line]
    lines = TYPED_USE.splitlines()
    expected = [
        str(lines.index('@router.on("payment_intent.succeded")') + 1),
        str(lines.index('router.add("charge.refunded", not_async)') + 1),
    ]
    assert sorted({line.split(":")[1] for line in errors}, key=int) == expected, (
        proc.stdout + proc.stderr
    )
    # `on`/`add` are overloaded per event type (codegen/events.py): no variant takes the typo
    assert 'No overload variant of "on"' in errors[0]
    assert 'No overload variant of "add"' in errors[-1]
    assert "Callable[[Event[StripeObject]], None]" in errors[-1]
