"""A correctly signed webhook is never refused, whatever API version its object was rendered in.

Every example object Stripe published in six releases (2018-2026), in fixtures3.json (2024-04-10,
the previous pin) and in the pin's fixtures3.2026-05-27.json is wrapped in an event of that release's API version, signed, and posted over loopback HTTP to
`aiohttp_handler`: each gets a 200, and the callback sees the object as its generated model.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from aiostripe import webhooks
from aiostripe._generated import API_VERSION
from aiostripe._generated.models import OBJECT_TYPES
from aiostripe._models import StripeObject
from aiostripe.webhooks import Event, aiohttp_handler, construct_event, generate_test_header
from tests.gen_helpers import PIN_FIXTURES, SHARED

SECRET = "whsec_versions_test"
HISTORY = sorted((SHARED / "history").glob("fixtures3.*.json"))
PREVIOUS_PIN = SHARED / "fixtures3.json"
FILES = [*HISTORY, PREVIOUS_PIN, PIN_FIXTURES]


def _version_of(path: Path) -> str:
    """`fixtures3.2025-04-21.json` -> `2025-04-21`; fixtures3.json is of 2024-04-10, the previous
    pin; the pin's own fixtures of the pinned version."""
    if path == PIN_FIXTURES:
        return API_VERSION
    parts = path.name.split(".")
    return parts[1] if len(parts) == 3 else "2024-04-10"


def _event(obj: dict[str, Any], version: str, n: int) -> dict[str, Any]:
    return {
        "id": f"evt_{n}",
        "object": "event",
        "api_version": version,
        "created": 1_700_000_000,
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": f"{obj.get('object')}.updated",
    }


def _expected(obj: dict[str, Any]) -> str:
    return OBJECT_TYPES.get((obj.get("object"), obj.get("deleted") is True)) or "StripeObject"


@pytest.fixture(autouse=True)
def _fresh_log_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(webhooks, "_seen_versions", set())
    monkeypatch.setattr(webhooks, "_seen_untyped", set())


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
async def test_every_object_of_every_release_is_accepted(path: Path) -> None:
    version = _version_of(path)
    resources: dict[str, Any] = json.loads(path.read_text())["resources"]
    seen: dict[str, tuple[str, dict[str, Any]]] = {}

    async def callback(event: Event) -> None:
        obj = event.data.object
        seen[event.id] = (type(obj).__name__, obj.to_dict())

    app = web.Application()
    app.router.add_post("/hook", aiohttp_handler(SECRET, callback))
    bodies = {
        f"evt_{n}": json.dumps(_event(obj, version, n)).encode()
        for n, obj in enumerate(resources.values())
    }
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        for body in bodies.values():
            # the library's own check first, then the same bytes over HTTP
            construct_event(body, generate_test_header(body, SECRET), SECRET)
            resp = await client.post(
                "/hook", data=body, headers={"Stripe-Signature": generate_test_header(body, SECRET)}
            )
            assert resp.status == 200, (body[:200], await resp.text())
    assert len(seen) == len(resources)
    for n, obj in enumerate(resources.values()):
        assert seen[f"evt_{n}"] == (_expected(obj), obj)


def test_other_api_version_and_unknown_object_type_are_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    old = json.loads((SHARED / "history" / "fixtures3.2018-01-25.json").read_text())["resources"]
    events = [
        _event(old["customer"], "2018-01-23", 1),
        _event(old["charge"], "2018-01-23", 2),
        _event({"object": "v3.gizmo", "id": "gz_1"}, API_VERSION, 3),
        _event({"object": "v3.gizmo", "id": "gz_2"}, API_VERSION, 4),
    ]
    with caplog.at_level(logging.WARNING, logger="aiostripe.webhooks"):
        parsed = []
        for e in events:
            body = json.dumps(e)
            parsed.append(construct_event(body, generate_test_header(body, SECRET), SECRET))
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 2, messages
    assert "API version 2018-01-23 (first: evt_1)" in messages[0]
    assert API_VERSION in messages[0]
    assert "'v3.gizmo'" in messages[1] and "evt_3" in messages[1]
    assert type(parsed[2].data.object) is StripeObject
    assert parsed[2].data.object["id"] == "gz_1"
    assert type(parsed[0].data.object).__name__ == "Customer"


async def test_a_failing_callback_is_a_500_and_a_bad_signature_a_400() -> None:
    async def broken(event: Event) -> None:
        raise RuntimeError("boom")

    app = web.Application()
    app.router.add_post("/hook", aiohttp_handler(SECRET, broken))
    body = json.dumps(_event({"object": "charge", "id": "ch_1"}, "2026-07-29", 1)).encode()
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        good = {"Stripe-Signature": generate_test_header(body, SECRET)}
        bad = {"Stripe-Signature": generate_test_header(body, "whsec_other")}
        assert (await client.post("/hook", data=body, headers=good)).status == 500
        assert (await client.post("/hook", data=body, headers=bad)).status == 400
