"""The fake speaks v2 statefully through the client's `client.v2` methods; every v2 request body
the client sent and every answer of the fake is validated against Stripe's spec by an
independent validator (tests/v2_spec.py: openapi-schema-validator over the spec itself)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

import aiostripe
from aiostripe._generated import event_notifications as gen
from aiostripe.event_notifications import EventNotification, EventNotificationRouter
from aiostripe.testing import FakeStripe
from tests.v2_spec import SPEC_FILE, check_v2_traffic

pytestmark = pytest.mark.skipif(not SPEC_FILE.exists(), reason="../shared not present")


@pytest.fixture
async def fake() -> AsyncIterator[FakeStripe]:
    async with FakeStripe() as server:
        yield server
        assert check_v2_traffic(server) > 0


async def test_accounts_v2_lifecycle_with_page_tokens(fake: FakeStripe) -> None:
    async with fake.client(max_retries=0) as stripe:
        made = [await stripe.v2.core.accounts.create(
            display_name=f"Shop {i}", contact_email=f"shop{i}@example.com", dashboard="full",
            configuration={"customer": {"capabilities": {"automatic_indirect_tax": {"requested": True}}}},
            identity={"country": "us", "entity_type": "company"}, metadata={"n": str(i)},
            include=["configuration.customer", "identity"],
        ) for i in range(5)]
        first = made[0]
        assert first.configuration is not None and first.configuration.customer is not None
        assert first.applied_configurations == ["customer"] and first.identity is not None
        assert first.created.tzinfo is not None

        updated = await stripe.v2.core.accounts.update(
            first.id, display_name="Renamed", metadata={"m": "1"})
        assert updated.display_name == "Renamed" and updated.contact_email == "shop0@example.com"
        assert updated.metadata == {"n": "0", "m": "1"}
        assert (await stripe.v2.core.accounts.retrieve(first.id)).display_name == "Renamed"

        page = await stripe.v2.core.accounts.list(limit=2)
        assert [a.id for a in page] == [a.id for a in made[::-1][:2]]
        assert page.next_page_url is not None and page.previous_page_url is None
        every = [a.id async for a in stripe.v2.core.accounts.list(limit=2)]
        assert every == [a.id for a in made[::-1]]
        resumed = [a.id async for a in stripe.v2.core.accounts.list().auto_paging_iter(
            resume_from=page.next_page_url)]
        assert resumed == every[2:]

        closed = await stripe.v2.core.accounts.close(made[1].id)
        assert closed.closed is True
        assert made[1].id not in [a.id async for a in stripe.v2.core.accounts.list()]
        assert made[1].id in [a.id async for a in stripe.v2.core.accounts.list(closed=True)]


async def test_persons_tokens_and_links(fake: FakeStripe) -> None:
    async with fake.client(max_retries=0) as stripe:
        account = await stripe.v2.core.accounts.create(display_name="Owner Co")
        person = await stripe.v2.core.accounts.persons.create(
            account.id, given_name="Jo", surname="Doe", email="jo@example.com",
            relationship={"owner": True, "percent_ownership": "25.5", "title": "CEO"})
        from decimal import Decimal

        assert person.relationship is not None
        assert person.relationship.percent_ownership == Decimal("25.5")
        again = await stripe.v2.core.accounts.persons.update(account.id, person.id, surname="Roe")
        assert again.surname == "Roe" and again.given_name == "Jo"
        assert [p.id async for p in stripe.v2.core.accounts.persons.list(account.id)] == [person.id]
        await stripe.v2.core.accounts.persons.delete(account.id, person.id)
        with pytest.raises(aiostripe.InvalidRequestError) as gone:
            await stripe.v2.core.accounts.persons.retrieve(account.id, person.id)
        assert gone.value.code == "not_found" and gone.value.http_status == 404

        token = await stripe.v2.core.account_tokens.create()
        assert (await stripe.v2.core.account_tokens.retrieve(token.id)).used is False
        ptoken = await stripe.v2.core.accounts.person_tokens.create(account.id)
        assert (await stripe.v2.core.accounts.person_tokens.retrieve(account.id, ptoken.id)).id == ptoken.id
        link = await stripe.v2.core.account_links.create(
            account=account.id, use_case={"type": "account_onboarding", "account_onboarding": {
                "configurations": ["recipient"], "refresh_url": "https://example.com/r",
                "return_url": "https://example.com/done"}})
        assert link.account == account.id and link.url.startswith("https://")


async def test_v2_events_filtered_by_types_and_object_id(fake: FakeStripe) -> None:
    async with fake.client(max_retries=0) as stripe:
        a = await stripe.v2.core.accounts.create(display_name="A")
        b = await stripe.v2.core.accounts.create(display_name="B")
        await stripe.v2.core.accounts.update(a.id, display_name="A2")
        updates = [e async for e in stripe.v2.core.events.list(types=["v2.core.account.updated"])]
        assert [(e.type, e.related_object.id) for e in updates if e.related_object] == [
            ("v2.core.account.updated", a.id)]
        about_b = [e.type async for e in stripe.v2.core.events.list(object_id=b.id)]
        assert about_b == ["v2.core.account.created"]
        full = await stripe.v2.core.events.retrieve(updates[0].id)
        assert full.data == {} and full.reason is not None


async def test_errors_have_v2_shapes(fake: FakeStripe) -> None:
    async with fake.client(max_retries=0) as stripe:
        with pytest.raises(aiostripe.InvalidRequestError) as missing:
            await stripe.v2.core.accounts.retrieve("acct_missing")
        assert missing.value.code == "not_found"
        with pytest.raises(aiostripe.InvalidRequestError) as bad:
            await stripe.v2.core.event_destinations.create(  # type: ignore[call-arg]
                name="x", type="webhook_endpoint", event_payload="thin")
        assert bad.value.code == "parameter_missing" and "enabled_events" in str(bad.value)
        with pytest.raises(aiostripe.InvalidRequestError, match="loopback"):
            await stripe.v2.core.event_destinations.create(
                name="x", type="webhook_endpoint", event_payload="thin", enabled_events=["*"],
                webhook_endpoint={"url": "https://hooks.invalid/hook"})


async def test_idempotent_v2_post_and_delete_are_replayed(fake: FakeStripe) -> None:
    async with fake.client(max_retries=0) as stripe:
        options: aiostripe.RequestOptions = {"idempotency_key": "acct-once"}
        one = await stripe.v2.core.accounts.create(display_name="Once", request_options=options)
        two = await stripe.v2.core.accounts.create(display_name="Once", request_options=options)
        assert one.id == two.id
        assert len(fake.v2.state.objects["account"]) == 1
        with pytest.raises(aiostripe.IdempotencyError):
            await stripe.v2.core.accounts.create(display_name="Other", request_options=options)


async def test_event_destination_delivers_signed_thin_events_end_to_end(fake: FakeStripe) -> None:
    """A destination made through the API receives thin events signed with its secret; the
    client's router verifies them, and the handler fetches the related object back."""
    async with fake.client(max_retries=0) as stripe:
        router = EventNotificationRouter(stripe)
        fetched: list[str] = []
        seen: list[EventNotification] = []

        @router.on(gen.V2CoreAccountUpdatedEventNotification)
        async def on_update(n: gen.V2CoreAccountUpdatedEventNotification) -> None:
            account = await n.fetch_related_object()
            fetched.append(account.display_name or "")

        @router.catch_all
        async def every(n: EventNotification) -> None:
            seen.append(n)

        secret_holder: dict[str, str] = {}
        app = web.Application()

        async def endpoint(request: web.Request) -> web.StreamResponse:
            return await router.aiohttp_handler(secret_holder["secret"])(request)

        app.router.add_post("/thin", endpoint)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        try:
            destination = await stripe.v2.core.event_destinations.create(
                name="thin hook", type="webhook_endpoint", event_payload="thin",
                enabled_events=["v2.core.account.updated", "v2.core.event_destination.ping"],
                webhook_endpoint={"url": f"http://127.0.0.1:{port}/thin"},
                include=["webhook_endpoint.signing_secret", "webhook_endpoint.url"])
            assert destination.webhook_endpoint is not None
            assert destination.webhook_endpoint.signing_secret is not None
            secret_holder["secret"] = destination.webhook_endpoint.signing_secret
            account = await stripe.v2.core.accounts.create(display_name="Before")
            await stripe.v2.core.accounts.update(account.id, display_name="After")
            await fake.v2.wait()
            assert fetched == ["After"]
            assert [n.type for n in seen] == ["v2.core.account.updated"]  # not .created

            await stripe.v2.core.event_destinations.disable(destination.id)
            await stripe.v2.core.accounts.update(account.id, display_name="Unseen")
            await fake.v2.wait()
            assert len(seen) == 1
            enabled = await stripe.v2.core.event_destinations.enable(destination.id)
            assert enabled.status == "enabled"
            ping = await stripe.v2.core.event_destinations.ping(destination.id)
            await fake.v2.wait()
            assert [n.id for n in seen][-1] == ping.id
            assert isinstance(seen[-1], gen.V2CoreEventDestinationPingEventNotification)
            assert all(a.ok for a in fake.v2.deliveries.attempts)
            listed = [d.id async for d in stripe.v2.core.event_destinations.list()]
            assert listed == [destination.id]
            await stripe.v2.core.event_destinations.update(destination.id, description="d")
            await stripe.v2.core.event_destinations.delete(destination.id)
        finally:
            await runner.cleanup()


async def test_meter_events_sessions_and_the_stream_on_its_own_host(fake: FakeStripe) -> None:
    async with fake.client(max_retries=0) as stripe:
        event = await stripe.v2.billing.meter_events.create(
            event_name="api_calls", payload={"stripe_customer_id": "cus_1", "value": "3"},
            identifier="call-1")
        assert event.identifier == "call-1" and event.timestamp.tzinfo is not None
        adjustment = await stripe.v2.billing.meter_event_adjustments.create(
            event_name="api_calls", type="cancel", cancel={"identifier": "call-1"})
        assert adjustment.status == "pending"
        session = await stripe.v2.billing.meter_event_session.create()
        token: aiostripe.RequestOptions = {"api_key": session.authentication_token}
        batch = [{"event_name": "api_calls", "identifier": f"s-{i}",
                  "payload": {"stripe_customer_id": "cus_1", "value": "1"}} for i in range(100)]
        await stripe.v2.billing.meter_event_stream.create(events=batch, request_options=token)
        assert len(fake.v2.state.stream_events) == 100
        stream_requests = fake.requests_to("/v2/billing/meter_event_stream")
        assert stream_requests[-1].api_key == session.authentication_token
        with pytest.raises(aiostripe.InvalidRequestError, match="at most 100"):
            await stripe.v2.billing.meter_event_stream.create(events=batch + batch[:1],
                                                             request_options=token)
        fake.v2.state.clock = lambda: 4_000_000_000.0  # the session's 15 minutes are over
        with pytest.raises(aiostripe.TemporarySessionExpiredError):
            await stripe.v2.billing.meter_event_stream.create(events=batch[:1], request_options=token)
    # the stream is not served on the API host
    async with aiostripe.StripeClient("sk_test_x", base_url=fake.url, max_retries=0) as plain:
        with pytest.raises(aiostripe.InvalidRequestError) as wrong_host:
            await plain.v2.billing.meter_event_stream.create(events=batch[:1], request_options=token)
        assert wrong_host.value.http_status == 404


async def test_product_catalog_imports(fake: FakeStripe) -> None:
    async with fake.client(max_retries=0) as stripe:
        made = await stripe.v2.commerce.product_catalog.imports.create(
            feed_type="pricing", metadata={"batch": "1"}, mode="upsert")
        assert made.status == "awaiting_upload"
        assert (await stripe.v2.commerce.product_catalog.imports.retrieve(made.id)).id == made.id
        assert [i.id async for i in stripe.v2.commerce.product_catalog.imports.list()] == [made.id]


async def test_the_cli_lists_v2_resources(fake: FakeStripe, capsys: pytest.CaptureFixture[str]) -> None:
    from aiostripe import cli

    async with fake.client(max_retries=0) as stripe:
        for i in range(3):
            await stripe.v2.core.accounts.create(display_name=f"cli {i}")
    code = await asyncio.to_thread(cli.main, [
        "--api-key", "sk_test_cli", "--base-url", fake.url, "list", "v2.core.events",
        "-p", "limit=2", "--no-progress"])
    out, err = capsys.readouterr()
    assert code == 0, err
    events = [json.loads(line) for line in out.splitlines()]
    assert [e["type"] for e in events] == ["v2.core.account.created"] * 3
    assert all(e["created"].endswith("Z") for e in events)  # as received
