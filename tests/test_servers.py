"""The servers of Stripe's spec, as client settings: an operation the generator marks
`host="meter_events"` (its `servers` say meter-events.stripe.com) is sent to
`StripeClient(meter_events_base_url=...)`, like uploads go to `files_base_url`."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

import aiostripe
from aiostripe._service import Service
from codegen.servers import HOSTS


@pytest.fixture
async def server() -> AsyncIterator[tuple[list[str], str]]:
    seen: list[str] = []

    async def handle(request: web.Request) -> web.Response:
        seen.append(f"{request.method} {request.path}")
        return web.Response(body=b"{}", content_type="application/json")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    srv = TestServer(app, host="127.0.0.1")
    await srv.start_server()
    try:
        yield seen, str(srv.make_url("")).rstrip("/")
    finally:
        await srv.close()


async def test_meter_events_host_goes_to_its_own_setting(server: tuple[list[str], str]) -> None:
    seen, url = server
    async with aiostripe.StripeClient("sk_test_x", base_url="http://127.0.0.1:9",
                                      meter_events_base_url=url, max_retries=0) as client:
        # what a generated method of an operation served by meter-events.stripe.com calls
        body = await Service(client._requestor)._request(
            "post", "/v1/billing/meter_event_stream", "/v1/billing/meter_event_stream", {},
            None, None, host="meter_events")
    assert body == b"{}"
    assert seen == ["POST /v1/billing/meter_event_stream"]


async def test_meter_events_url_defaults() -> None:
    async with aiostripe.StripeClient("sk_test_x") as client:
        assert client._requestor.meter_events_base_url == "https://meter-events.stripe.com"
    # like files_base_url, it follows base_url when only that is given (a fake, a proxy)
    async with aiostripe.StripeClient("sk_test_x", base_url="http://127.0.0.1:12111") as client:
        assert client._requestor.meter_events_base_url == "http://127.0.0.1:12111"


def test_a_bad_meter_events_url_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="meter_events_base_url"):
        aiostripe.StripeClient("sk_test_x", meter_events_base_url="meter-events.stripe.com")


def test_every_server_the_generator_knows_is_a_client_setting() -> None:
    """codegen/servers.py's table and the runtime's side of it agree."""
    import inspect

    params = inspect.signature(aiostripe.StripeClient).parameters
    setting = {"api": "base_url", "files": "files_base_url",
               "meter_events": "meter_events_base_url"}
    assert set(HOSTS.values()) == set(setting)
    assert all(setting[h] in params for h in HOSTS.values())
