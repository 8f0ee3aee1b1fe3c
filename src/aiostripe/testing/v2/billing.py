"""v2 billing: meter events, adjustments, meter event sessions and the stream; and product
catalog imports (commerce)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from aiostripe.testing.v2.errors import invalid, missing, not_found, session_expired, v2_error

if TYPE_CHECKING:
    from aiostripe.testing.v2.state import FakeV2, V2Request

SESSION_SECONDS = 15 * 60
"""How long a meter event session's token is valid (Stripe: 15 minutes)."""
MAX_STREAM_EVENTS = 100


def _meter_event(fake: FakeV2, request: V2Request, params: Mapping[str, Any]) -> dict[str, Any]:
    for name in ("event_name", "payload"):
        if name not in params:
            raise missing(name)
    payload = params["payload"]
    if not isinstance(payload, dict) or not all(isinstance(v, str) for v in payload.values()):
        raise invalid("payload: expected an object of string values", "invalid_payload")
    now = fake.state.now()
    return {
        "object": "v2.billing.meter_event", "created": now,
        "event_name": params["event_name"],
        "identifier": params.get("identifier") or fake.state.new_id("mev"),
        "livemode": request.livemode, "payload": payload,
        "timestamp": params.get("timestamp") or now,
    }


def meter_events_create(fake: FakeV2, request: V2Request, _: Mapping[str, str],
                        params: dict[str, Any]) -> Any:
    event = _meter_event(fake, request, params)
    if event["identifier"] in fake.state.objects.get("meter_event", {}):
        raise invalid(f"A meter event with identifier {event['identifier']!r} already exists.",
                      "duplicate_meter_event")
    fake.state.objects.setdefault("meter_event", {})[event["identifier"]] = event
    return event


def adjustments_create(fake: FakeV2, request: V2Request, _: Mapping[str, str],
                       params: dict[str, Any]) -> Any:
    cancel = params.get("cancel")
    if not isinstance(cancel, dict) or not cancel.get("identifier"):
        raise missing("cancel.identifier")
    if "event_name" not in params:
        raise missing("event_name")
    state = fake.state
    return state.put("meter_event_adjustment", {
        "id": state.new_id("mea"), "object": "v2.billing.meter_event_adjustment",
        "cancel": {"identifier": cancel["identifier"]}, "created": state.now(),
        "event_name": params["event_name"], "livemode": request.livemode,
        "status": "pending", "type": params.get("type", "cancel"),
    })


def session_create(fake: FakeV2, request: V2Request, _: Mapping[str, str],
                   params: dict[str, Any]) -> Any:
    from aiostripe.testing.v2.state import iso

    state = fake.state
    token = "ek_test_" + secrets.token_hex(24)
    expires = state.clock() + SESSION_SECONDS
    state.sessions[token] = expires
    return {
        "id": state.new_id("mes"), "object": "v2.billing.meter_event_session",
        "authentication_token": token, "created": state.now(), "expires_at": iso(expires),
        "livemode": request.livemode,
    }


def stream_create(fake: FakeV2, request: V2Request, _: Mapping[str, str],
                  params: dict[str, Any]) -> Any:
    """Accept up to 100 events; an identifier seen before is accepted once only (Stripe
    de-duplicates within 24 hours). Only on the meter events host, with a session token."""
    state = fake.state
    if request.host != "meter_events":
        raise not_found("path", request.path)
    expires = state.sessions.get(request.token or "")
    if expires is None:
        raise v2_error(401, "invalid_request_error", "unauthorized",
                       "The meter event stream needs a meter event session token as the API key.")
    if state.clock() >= expires:
        raise session_expired()
    events = params.get("events")
    if not isinstance(events, list) or not events:
        raise missing("events")
    if len(events) > MAX_STREAM_EVENTS:
        raise invalid(f"events: at most {MAX_STREAM_EVENTS} events per request, got {len(events)}",
                      "too_many_events")
    accepted = [_meter_event(fake, request, e if isinstance(e, dict) else {}) for e in events]
    state.stream_requests += 1
    for event in accepted:
        state.stream_events.setdefault(event["identifier"], event)
    return {}


def imports_create(fake: FakeV2, request: V2Request, _: Mapping[str, str],
                   params: dict[str, Any]) -> Any:
    from aiostripe.testing.v2.state import iso

    for name in ("feed_type", "metadata", "mode"):
        if name not in params:
            raise missing(name)
    state = fake.state
    return state.put("product_catalog_import", {
        "id": state.new_id("pci"), "object": "v2.commerce.product_catalog_import",
        "created": state.now(), "feed_type": params["feed_type"], "livemode": request.livemode,
        "metadata": params.get("metadata") or {}, "status": "awaiting_upload",
        "status_details": {"awaiting_upload": {"upload_url": {
            "expires_at": iso(state.clock() + SESSION_SECONDS),
            "url": f"https://files.stripe.com/v2/uploads/{state.new_id('upl')}",
        }}},
    })


def imports_retrieve(fake: FakeV2, request: V2Request, path: Mapping[str, str],
                     params: dict[str, Any]) -> Any:
    return fake.state.get("product_catalog_import", path["id"], "product catalog import")


def imports_list(fake: FakeV2, request: V2Request, _: Mapping[str, str],
                 params: dict[str, Any]) -> Any:
    return fake.list_page(request, params,
                          lambda _: fake.state.newest_first("product_catalog_import"))


BEHAVIOURS: dict[str, Any] = {
    "v2.billing.meter_events.create": meter_events_create,
    "v2.billing.meter_event_adjustments.create": adjustments_create,
    "v2.billing.meter_event_session.create": session_create,
    "v2.billing.meter_event_stream.create": stream_create,
    "v2.commerce.product_catalog.imports.create": imports_create,
    "v2.commerce.product_catalog.imports.retrieve": imports_retrieve,
    "v2.commerce.product_catalog.imports.list": imports_list,
}
