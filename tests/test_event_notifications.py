"""Thin events (v2 event notifications): verified like v1 webhooks, parsed into the class of their
type (stripe-python 16.1's 312 types), unknown types tolerated, v1 events pointed to
construct_event; fetch_event / fetch_related_object sent in the event's context with the request
trigger (read by a recording server on 127.0.0.1); the router and the aiohttp handler."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

import aiostripe
from aiostripe._generated import event_notifications as gen
from aiostripe.event_notifications import (
    EventNotificationRouter,
    UnknownEventNotification,
    parse_event_notification,
)
from aiostripe.testing.schema import generated_json
from aiostripe.webhooks import generate_test_header
from tests.gen_helpers import SHARED
from tests.recording_server import Recorder, recorder

__all__ = ["recorder"]

SECRET = "whsec_thin"
TYPES_FILE = SHARED / "thin-event-types.stripe-python-16.1.json"


def _thin(event_type: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": "evt_test_1", "object": "v2.core.event", "type": event_type,
        "livemode": False, "created": "2026-05-27T06:20:52.246Z", "context": "acct_ctx",
        "related_object": {"id": "meter_123", "type": "billing.meter",
                           "url": "/v1/billing/meters/meter_123"},
        **extra,
    }


def _signed(data: dict[str, Any]) -> tuple[bytes, str]:
    payload = json.dumps(data).encode()
    return payload, generate_test_header(payload, SECRET)


def test_a_known_type_parses_into_its_class() -> None:
    payload, header = _signed(_thin("v1.billing.meter.error_report_triggered"))
    n = parse_event_notification(payload, header, SECRET)
    assert type(n) is gen.V1BillingMeterErrorReportTriggeredEventNotification
    assert (n.id, n.type, n.context, n.livemode) == (
        "evt_test_1", "v1.billing.meter.error_report_triggered", "acct_ctx", False)
    assert n.created == datetime(2026, 5, 27, 6, 20, 52, 246000, tzinfo=UTC)
    assert n.related_object is not None and n.related_object.url == "/v1/billing/meters/meter_123"
    assert n.to_dict() == json.loads(payload)


@pytest.mark.skipif(not TYPES_FILE.exists(), reason="../shared not present")
def test_every_type_stripe_python_knows_has_its_class() -> None:
    types = json.loads(TYPES_FILE.read_text())["events"]
    assert len(types) == 312
    assert set(gen.NOTIFICATIONS) == set(types)
    for event_type, cls in gen.NOTIFICATIONS.items():
        assert cls.TYPE == event_type
        assert issubclass(cls, gen.RelatedObjectNotification) == bool(types[event_type]["related_object"])
    assert gen.NOTIFICATIONS["v2.core.account.updated"] is gen.V2CoreAccountUpdatedEventNotification
    assert gen.V2CoreAccountUpdatedEventNotification.RELATED == "V2CoreAccount"
    assert gen.V1BillingMeterErrorReportTriggeredEventNotification.RELATED == "BillingMeter"


def test_an_unknown_type_is_never_an_error() -> None:
    payload, header = _signed(_thin("v9.future.thing.happened", related_object=None))
    n = parse_event_notification(payload, header, SECRET)
    assert type(n) is UnknownEventNotification
    assert n.type == "v9.future.thing.happened" and n.related_object is None


def test_a_v1_event_points_to_construct_event() -> None:
    v1 = {"id": "evt_1", "object": "event", "type": "customer.created", "data": {"object": {}}}
    payload, header = _signed(v1)
    with pytest.raises(ValueError, match="construct_event"):
        parse_event_notification(payload, header, SECRET)


def test_the_signature_is_verified_as_for_v1_webhooks() -> None:
    payload, header = _signed(_thin("v1.billing.meter.no_meter_found"))
    with pytest.raises(aiostripe.SignatureVerificationError, match="no signature matches"):
        parse_event_notification(payload + b" ", header, SECRET)
    with pytest.raises(aiostripe.SignatureVerificationError, match="timestamp too old"):
        parse_event_notification(payload, generate_test_header(payload, SECRET, timestamp=1), SECRET)
    with pytest.raises(aiostripe.SignatureVerificationError, match="no Stripe-Signature header"):
        parse_event_notification(payload, None, SECRET)


def test_a_related_url_that_could_leave_the_api_is_refused() -> None:
    bad = _thin("v1.billing.meter.error_report_triggered")
    bad["related_object"]["url"] = "https://evil.example/v1/x"
    payload, header = _signed(bad)
    with pytest.raises(ValueError, match="related_object.url"):
        parse_event_notification(payload, header, SECRET)


async def test_fetches_go_in_the_events_context_with_the_request_trigger(recorder: Recorder) -> None:
    full_event = {**_thin("v1.billing.meter.error_report_triggered"),
                  "data": {"developer_message_summary": "1 error", "reason": {"error_count": 1}}}
    meter = generated_json("fixtures.json")["billing.meter"]
    recorder.answer((200, full_event), (200, meter))
    async with aiostripe.StripeClient("sk_test_thin", base_url=recorder.url,
                                      stripe_context="acct_client") as client:
        payload, header = _signed(_thin("v1.billing.meter.error_report_triggered"))
        n = client.parse_event_notification(payload, header, SECRET)
        assert isinstance(n, gen.V1BillingMeterErrorReportTriggeredEventNotification)
        event = await n.fetch_event()
        related = await n.fetch_related_object()
    assert type(event).__name__ == "V2CoreEvent" and event.data == full_event["data"]
    assert type(related).__name__ == "BillingMeter" and related.id == "meter_123"
    assert [s.line.split(" ")[:2] for s in recorder.seen] == [
        ["GET", "/v2/core/events/evt_test_1"], ["GET", "/v1/billing/meters/meter_123"]]
    for seen in recorder.seen:
        assert seen.headers["stripe-context"] == "acct_ctx"
        assert seen.headers["stripe-request-trigger"] == "event=evt_test_1"


async def test_the_router_and_the_aiohttp_handler() -> None:
    async with aiostripe.StripeClient("sk_test_thin", base_url="http://127.0.0.1:9") as client:
        router = EventNotificationRouter(client)
        seen: list[str] = []

        @router.on(gen.V2CoreAccountUpdatedEventNotification)
        async def updated(n: gen.V2CoreAccountUpdatedEventNotification) -> None:
            seen.append(f"updated {n.related_object.id if n.related_object else ''}")

        @router.on("v1.billing.meter.no_meter_found")
        async def broken(n: Any) -> None:
            raise RuntimeError("handler bug")

        @router.catch_all
        async def every(n: Any) -> None:
            seen.append(f"all {n.type}")

        app = web.Application()
        app.router.add_post("/thin", router.aiohttp_handler(SECRET))
        async with TestClient(TestServer(app, host="127.0.0.1")) as http:
            account = _thin("v2.core.account.updated", related_object={
                "id": "acct_9", "type": "v2.core.account", "url": "/v2/core/accounts/acct_9"})
            payload, header = _signed(account)
            ok = await http.post("/thin", data=payload, headers={"Stripe-Signature": header})
            assert ok.status == 200 and await ok.json() == {"received": True}
            payload, header = _signed(_thin("v9.unknown", related_object=None))
            ignored = await http.post("/thin", data=payload, headers={"Stripe-Signature": header})
            assert ignored.status == 200
            bad = await http.post("/thin", data=payload, headers={"Stripe-Signature": "t=1,v1=00"})
            assert bad.status == 400
            v1 = await http.post("/thin", data=_signed({"id": "evt_1", "object": "event"})[0],
                                 headers={"Stripe-Signature": _signed({"id": "evt_1", "object": "event"})[1]})
            assert v1.status == 400 and "construct_event" in (await v1.json())["error"]
            payload, header = _signed(_thin("v1.billing.meter.no_meter_found", related_object=None))
            failed = await http.post("/thin", data=payload, headers={"Stripe-Signature": header})
            assert failed.status == 500
    assert seen == ["updated acct_9", "all v2.core.account.updated", "all v9.unknown"]


def test_without_the_types_file_every_notification_is_unknown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from codegen import ir, render, thin_events

    monkeypatch.setattr(thin_events, "THIN_EVENTS_FILE", tmp_path / "absent.json")
    api = ir.API("x", {}, ir.Service(()), [], [], {})
    view = render.thin_events_view(api)
    assert view["events"] == []
    text = render._env().get_template("event_notifications.py.j2").render(header="h", **view)
    namespace: dict[str, Any] = {}
    exec(compile(text, "event_notifications.py", "exec"), namespace)  # noqa: S102 - our template
    assert namespace["NOTIFICATIONS"] == {}
