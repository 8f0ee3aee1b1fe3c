"""The aiohttp webhook handler (`aiohttp_handler`) over loopback: signed events dispatched end to
end, 400 on a bad signature and 500 on a failing callback without a secret in the answer or the log,
the body size cap, its configuration errors, and the example app `examples/webhook_app.py`.
"""

from __future__ import annotations

import copy
import importlib.util
import io
import json
import logging
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from aiostripe.webhooks import DEFAULT_MAX_BODY_SIZE, Event, WebhookRouter, aiohttp_handler
from tests.webhook_helpers import OLD_SECRET, REPO, SECRET, dump, header, make_event, resources

__all__ = ["resources"]  # the fixture

EXAMPLE = REPO / "examples" / "webhook_app.py"


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
