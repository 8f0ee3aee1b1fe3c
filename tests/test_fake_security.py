"""The fake Stripe run by anyone (issue 25, item 9): webhooks only to loopback URLs, disabled
endpoints silent, no redirect followed, `/_fake/*` helpers behind a test key, a request log that
keeps no key and no unbounded body. Over real HTTP on loopback."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from aiohttp import web

from aiostripe import InvalidRequestError, StripeClient
from aiostripe.testing import FakeStripe, log
from tests.loopback import Start


async def _ok(request: web.Request) -> web.Response:
    return web.json_response({"received": True})


NOT_LOOPBACK = [
    "https://hooks.invalid/hook",  # a name that is not loopback (.invalid never resolves)
    "http://0.0.0.0:8080/hook",  # an address outside 127.0.0.0/8
    "http://127.0.0.1.invalid/hook",  # loopback-looking, but a name
    "http://user:pw@127.0.0.1:9/hook",
    "http://127.0.0.1:99999/hook",  # no such port
    "ftp://127.0.0.1/hook",
]


@pytest.mark.parametrize("url", NOT_LOOPBACK)
async def test_webhook_endpoints_only_to_loopback_urls(
    fake_stripe: FakeStripe, stripe_client: StripeClient, url: str
) -> None:
    with pytest.raises(InvalidRequestError) as info:
        await stripe_client.webhook_endpoints.create(url=url, enabled_events=["*"])
    err = info.value
    assert err.http_status == 400 and err.param == "url" and err.code == "url_invalid"
    assert err.json_body is not None and err.json_body["error"]["type"] == "invalid_request_error"
    endpoint = await stripe_client.webhook_endpoints.create(
        url="http://127.0.0.1:9/hook", enabled_events=["*"]
    )
    with pytest.raises(InvalidRequestError, match="loopback"):
        await stripe_client.webhook_endpoints.update(endpoint.id, url=url)
    assert fake_stripe.objects("webhook_endpoint")[0]["url"] == "http://127.0.0.1:9/hook"


@pytest.mark.parametrize("url", NOT_LOOPBACK)
async def test_v2_event_destinations_only_to_loopback_urls(
    stripe_client: StripeClient, url: str
) -> None:
    """The same rule for the thin events' destinations (one check for v1 and v2)."""
    with pytest.raises(InvalidRequestError, match="loopback"):
        await stripe_client.v2.core.event_destinations.create(
            name="x", type="webhook_endpoint", event_payload="thin", enabled_events=["*"],
            webhook_endpoint={"url": url},
        )
    made = await stripe_client.v2.core.event_destinations.create(
        name="x", type="webhook_endpoint", event_payload="thin", enabled_events=["*"],
        webhook_endpoint={"url": "http://127.0.0.2:9/hook"},  # any of 127.0.0.0/8
    )
    assert made.type == "webhook_endpoint" and made.status == "enabled"


async def test_a_disabled_endpoint_does_not_deliver(
    fake_stripe: FakeStripe, stripe_client: StripeClient, loopback: Start
) -> None:
    receiver, url = await loopback(_ok)
    endpoint = await stripe_client.webhook_endpoints.create(url=url, enabled_events=["*"])
    disabled = await stripe_client.webhook_endpoints.update(endpoint.id, disabled=True)
    assert disabled.status == "disabled"
    await stripe_client.customers.create(email="quiet@example.com")
    await fake_stripe.webhooks.wait()
    assert receiver.seen == []
    enabled = await stripe_client.webhook_endpoints.update(endpoint.id, disabled=False)
    assert enabled.status == "enabled"
    await stripe_client.customers.create(email="heard@example.com")
    await fake_stripe.webhooks.wait()
    assert len(receiver.seen) == 1


async def test_deliveries_follow_no_redirect(
    fake_stripe: FakeStripe, stripe_client: StripeClient, loopback: Start
) -> None:
    elsewhere, other_url = await loopback(_ok)

    async def redirect(request: web.Request) -> web.Response:
        return web.Response(status=307, headers={"Location": f"{other_url}/hook"})

    origin, url = await loopback(redirect)
    await stripe_client.webhook_endpoints.create(url=url, enabled_events=["customer.created"])
    await stripe_client.customers.create(email="jo@example.com")
    await fake_stripe.webhooks.wait()
    assert elsewhere.seen == []
    attempts = fake_stripe.webhooks.attempts
    assert attempts and all(a.status == 307 and not a.ok for a in attempts)
    assert len(origin.seen) == len(attempts)  # retried as a failure, never sent elsewhere


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer nope"}, 401),
        ({"Authorization": "Bearer sk_live_abc"}, 403),
        ({"Authorization": "Bearer sk_test_abc"}, 200),
    ],
)
async def test_the_fake_helpers_need_a_test_key(
    fake_stripe: FakeStripe, headers: dict[str, str], status: int
) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(fake_stripe.url + "/_fake/webhooks/wait", headers=headers) as response,
    ):
        body: dict[str, Any] = await response.json()
    assert response.status == status
    if status != 200:
        assert body["error"]["type"] in ("invalid_request_error", "permission_error")


async def test_the_request_log_masks_keys_and_bounds_bodies(fake_stripe: FakeStripe) -> None:
    key = "sk_test_51SecretSecretSecret9876"
    async with StripeClient(key, base_url=fake_stripe.url, max_retries=0) as client:
        await client.customers.create(email="jo@example.com")
        big = "x" * (4 << 20)
        for _ in range(3):  # 4 MiB each: refused by the fake, but logged
            try:
                await client.raw_request("post", "/v1/customers", description=big, name="n")
            except InvalidRequestError:
                pass
    limit = getattr(log, "MAX_KEPT_PARAMS", 16 * 1024)
    first, *large = fake_stripe.requests
    assert "Secret" not in repr(fake_stripe.requests)
    assert first.headers["Authorization"] == "Bearer sk_test_********************9876"
    assert first.api_key == key  # for assertions, out of every repr
    assert first.form == {"email": "jo@example.com"} and not first.truncated
    assert len(large) == 3
    for record in large:
        assert record.truncated and len(record.form["description"]) <= limit
        assert record.size <= limit
