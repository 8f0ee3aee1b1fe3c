"""Native OpenTelemetry: the span of each call and the duration histogram, read back with the
SDK's in-memory span exporter and metric reader, over real HTTP against the fake Stripe (whose
request log gives the request ids and idempotency keys the spans must carry).

The clients here get their own providers; the global providers (set once per process) are tested
in a subprocess.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from aiostripe import (
    APIConnectionError,
    InvalidRequestError,
    RateLimit,
    RequestEvent,
    RetryPolicy,
)
from aiostripe._client import StripeClient
from aiostripe.testing import FakeStripe
from tests.gen_helpers import REPO

KEY = "sk_test_otelSecretKey0123456789abcdef"
ACCOUNT = "acct_1032D82eZvKYlo2C"


class Otel:
    """A tracer and a meter provider of the SDK, exporting to memory."""

    def __init__(self) -> None:
        self.exporter = InMemorySpanExporter()
        self.tracer_provider = TracerProvider()
        self.tracer_provider.add_span_processor(SimpleSpanProcessor(self.exporter))
        self.reader = InMemoryMetricReader()
        self.meter_provider = MeterProvider(metric_readers=[self.reader])

    def client(self, fake: FakeStripe, **options: Any) -> StripeClient:
        options.setdefault("retry_policy", RetryPolicy(max_retries=2, initial_delay=0.0))
        return StripeClient(
            KEY,
            base_url=fake.url,
            tracer_provider=self.tracer_provider,
            meter_provider=self.meter_provider,
            **options,
        )

    @property
    def spans(self) -> list[ReadableSpan]:
        return list(self.exporter.get_finished_spans())

    def durations(self) -> list[tuple[dict[str, Any], int, float]]:
        """(attributes, count, sum) of each point of the duration histogram."""
        data = self.reader.get_metrics_data()
        assert data is not None
        points = []
        for rm in data.resource_metrics:
            for sm in rm.scope_metrics:
                assert sm.scope.name == "aiostripe"
                for metric in sm.metrics:
                    assert (metric.name, metric.unit) == ("http.client.request.duration", "s")
                    for p in metric.data.data_points:
                        points.append((dict(p.attributes or {}), p.count, p.sum))  # type: ignore[union-attr]
        return points


@pytest.fixture
def otel() -> Iterator[Otel]:
    o = Otel()
    yield o
    o.tracer_provider.shutdown()
    o.meter_provider.shutdown()


def only(spans: list[ReadableSpan]) -> ReadableSpan:
    assert len(spans) == 1, [s.name for s in spans]
    return spans[0]


async def test_retrieve(fake: FakeStripe, otel: Otel) -> None:
    cus = fake.create("customer", email="jo@example.com")
    async with otel.client(fake) as stripe:
        await stripe.customers.retrieve(cus["id"])
    span = only(otel.spans)
    assert span.name == "GET /v1/customers/{customer}"
    assert span.kind is SpanKind.CLIENT
    assert span.status.status_code is StatusCode.UNSET
    assert dict(span.attributes or {}) == {
        "http.request.method": "GET",
        "url.template": "/v1/customers/{customer}",
        "url.full": f"{fake.url}/v1/customers/{cus['id']}",
        "server.address": "127.0.0.1",
        "server.port": fake.port,
        "stripe.api_version": "2026-05-27.dahlia",
        "http.response.status_code": 200,
        "stripe.request_id": fake.requests[0].request_id,
    }
    assert span.events == ()
    assert span.instrumentation_scope is not None
    assert span.instrumentation_scope.name == "aiostripe"


async def test_create_has_the_idempotency_key(fake: FakeStripe, otel: Otel) -> None:
    async with otel.client(fake) as stripe:
        await stripe.customers.create(email="jo@example.com", request_options={
            "idempotency_key": "signup-42"
        })
        await stripe.customers.create(email="al@example.com")
    first, second = otel.spans
    assert first.name == "POST /v1/customers"
    assert first.attributes is not None and second.attributes is not None
    assert first.attributes["stripe.idempotency_key"] == "signup-42"
    assert second.attributes["stripe.idempotency_key"] == fake.requests[1].idempotency_key
    assert "url.full" in first.attributes and "?" not in str(first.attributes["url.full"])


async def test_a_retried_call(fake: FakeStripe, otel: Otel) -> None:
    fake.faults.fail_next(1, status=500, path="/v1/customers")
    fake.faults.drop_connection_next(1, path="/v1/customers")
    async with otel.client(fake) as stripe:
        await stripe.customers.create(email="jo@example.com")
    span = only(otel.spans)
    assert span.attributes is not None
    assert span.attributes["http.request.resend_count"] == 2
    assert span.attributes["http.response.status_code"] == 200
    assert span.attributes["stripe.request_id"] == fake.requests[2].request_id
    assert "error.type" not in span.attributes
    retries = [e for e in span.events if e.name == "aiostripe.retry"]
    assert [dict(e.attributes or {}) for e in retries] == [
        {
            "aiostripe.attempt": 1,
            "aiostripe.retry.reason": "status 500",
            "aiostripe.retry.delay": 0.0,
            "error.type": "500",
            "http.response.status_code": 500,
            "stripe.request_id": fake.requests[0].request_id,
        },
        {
            "aiostripe.attempt": 2,
            "aiostripe.retry.reason": "connection",
            "aiostripe.retry.delay": 0.0,
            "error.type": "aiohttp.client_exceptions.ServerDisconnectedError",
        },
    ]


async def test_a_connect_call(fake: FakeStripe, otel: Otel) -> None:
    async with otel.client(fake) as stripe:
        await stripe.with_options(stripe_account=ACCOUNT).balance.retrieve()
        await stripe.balance.retrieve()
    tenant, platform = otel.spans
    assert tenant.attributes is not None and platform.attributes is not None
    assert tenant.attributes["stripe.account"] == ACCOUNT
    assert "stripe.account" not in platform.attributes
    assert tenant.name == "GET /v1/balance"


async def test_errors(fake: FakeStripe, otel: Otel) -> None:
    fake.faults.drop_connection_next(9, path="/v1/balance")  # aiohttp resends some itself
    async with otel.client(fake) as stripe:
        with pytest.raises(InvalidRequestError):
            await stripe.customers.retrieve("cus_missing")
        with pytest.raises(APIConnectionError):
            await stripe.balance.retrieve()
    missing, dropped = otel.spans
    assert missing.status.status_code is StatusCode.ERROR
    assert missing.attributes is not None and dropped.attributes is not None
    assert missing.attributes["error.type"] == "404"
    assert missing.attributes["http.response.status_code"] == 404
    assert missing.attributes["stripe.request_id"] == fake.requests[0].request_id
    assert dropped.status.status_code is StatusCode.ERROR
    assert dropped.attributes["error.type"] == "aiohttp.client_exceptions.ServerDisconnectedError"
    assert dropped.attributes["http.request.resend_count"] == 2
    assert "http.response.status_code" not in dropped.attributes


async def test_rate_limit_waits_are_events(fake: FakeStripe, otel: Otel) -> None:
    async with otel.client(fake, rate_limit=RateLimit(20, burst=1)) as stripe:
        await stripe.balance.retrieve()
        await stripe.balance.retrieve()
    first, second = otel.spans
    assert first.events == ()
    (wait,) = second.events
    assert wait.name == "aiostripe.rate_limit_wait"
    assert wait.attributes is not None
    assert wait.attributes["aiostripe.wait.reason"] == "rate_limit"
    assert 0 < float(wait.attributes["aiostripe.wait.seconds"]) <= 0.05  # type: ignore[arg-type]


async def test_the_span_is_current_during_the_call_and_nests(
    fake: FakeStripe, otel: Otel
) -> None:
    seen: list[int] = []

    def on_request(event: RequestEvent) -> None:  # runs inside the call, like HTTP spans do
        seen.append(trace.get_current_span().get_span_context().span_id)

    tracer = otel.tracer_provider.get_tracer("app")
    async with otel.client(fake, on_request=on_request) as stripe:
        with tracer.start_as_current_span("checkout"):
            await stripe.balance.retrieve()
    call, app = otel.spans
    assert seen == [call.context.span_id]
    assert call.parent is not None and call.parent.span_id == app.context.span_id


async def test_a_cancelled_call_ends_its_span(fake: FakeStripe, otel: Otel) -> None:
    fake.faults.latency(0.3, path="/v1/balance")
    async with otel.client(fake) as stripe:
        task = asyncio.ensure_future(stripe.balance.retrieve())
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    span = only(otel.spans)
    assert span.attributes is not None and span.attributes["error.type"] == "cancelled"
    assert trace.get_current_span() is trace.INVALID_SPAN  # the context was restored
    await asyncio.sleep(0.3)  # let the fake finish answering


async def test_the_duration_histogram(fake: FakeStripe, otel: Otel) -> None:
    cus = [fake.create("customer")["id"] for _ in range(2)]
    async with otel.client(fake) as stripe:
        for cid in cus:
            await stripe.customers.retrieve(cid)
        with pytest.raises(InvalidRequestError):
            await stripe.customers.retrieve("cus_missing")
    points = otel.durations()
    base = {
        "http.request.method": "GET",
        "url.template": "/v1/customers/{customer}",
        "server.address": "127.0.0.1",
        "server.port": fake.port,
    }
    by_status = {p[0].get("http.response.status_code"): p for p in points}
    assert by_status[200][0] == {**base, "http.response.status_code": 200}
    assert by_status[404][0] == {**base, "http.response.status_code": 404, "error.type": "404"}
    assert by_status[200][1] == 2 and by_status[404][1] == 1
    assert 0 < by_status[200][2] < 10  # seconds, not milliseconds
    assert len(points) == 2  # ids never make series of their own


async def test_no_key_or_body_anywhere(
    fake: FakeStripe, otel: Otel, caplog: pytest.LogCaptureFixture
) -> None:
    fake.faults.fail_next(1, status=503, path="/v1/customers")
    with caplog.at_level(logging.DEBUG, logger="aiostripe"):
        async with otel.client(fake) as stripe:
            tenant = stripe.with_options(api_key=KEY + "TENANT", stripe_account=ACCOUNT)
            cus = await tenant.customers.create(email="secret.person@example.com", name="Jo")
            await tenant.customers.update(cus.id, description="very private")
            await tenant.customers.list(email="secret.person@example.com")
            with pytest.raises(InvalidRequestError):
                await stripe.customers.retrieve("cus_missing")
    exported = [s.to_json() for s in otel.spans]
    data = otel.reader.get_metrics_data()
    assert data is not None
    everything = "\n".join([*exported, data.to_json(), caplog.text])
    assert len(otel.spans) == 4 and "retrying" in caplog.text
    for secret in (KEY, "sk_test_otel", "Bearer", "secret.person", "very private", "Jo\""):
        assert secret not in everything, secret


async def test_switched_off_by_the_environment(
    fake: FakeStripe, otel: Otel, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIOSTRIPE_OTEL", "off")
    async with otel.client(fake) as stripe:
        assert stripe._requestor.telemetry is None  # nothing on the call path at all
        await stripe.balance.retrieve()
    assert otel.spans == []


async def test_without_opentelemetry_installed(
    fake: FakeStripe, monkeypatch: pytest.MonkeyPatch
) -> None:
    import aiostripe

    monkeypatch.delitem(sys.modules, "aiostripe._otel", raising=False)
    monkeypatch.delattr(aiostripe, "_otel", raising=False)
    monkeypatch.setitem(sys.modules, "opentelemetry", None)  # makes the import fail
    events: list[RequestEvent] = []
    async with StripeClient(KEY, base_url=fake.url, on_request=events.append) as stripe:
        await stripe.balance.retrieve()
        telemetry = stripe._requestor.telemetry
        assert telemetry is not None and telemetry._otel is False  # looked once, gave up
        await stripe.balance.retrieve()
    assert len(events) == 2


GLOBAL_PROVIDERS = """
import asyncio, json, sys
from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
import aiostripe
from aiostripe.testing import FakeStripe

async def main() -> None:
    async with FakeStripe() as fake:
        stripe = aiostripe.StripeClient("sk_test_x", base_url=fake.url)
        await stripe.balance.retrieve()          # no provider yet: not traced
        exporter, reader = InMemorySpanExporter(), InMemoryMetricReader()
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        trace.set_tracer_provider(provider)      # set after the client was made
        metrics.set_meter_provider(MeterProvider(metric_readers=[reader]))
        await asyncio.sleep(1.0)                 # a client looks for providers once a second
        await stripe.customers.list()
        await stripe.close()
        names = [s.name for s in exporter.get_finished_spans()]
        data = reader.get_metrics_data()
        count = sum(p.count for rm in (data.resource_metrics if data else [])
                    for sm in rm.scope_metrics for m in sm.metrics for p in m.data.data_points)
        print(json.dumps({"spans": names, "durations": count}))

asyncio.run(main())
"""


@pytest.mark.parametrize(("switch", "expected"), [
    ("", {"spans": ["GET /v1/customers"], "durations": 1}),
    ("off", {"spans": [], "durations": 0}),
])
def test_global_providers(switch: str, expected: dict[str, Any]) -> None:
    env = {**os.environ, "AIOSTRIPE_OTEL": switch, "PYTHONPATH": str(REPO / "src")}
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(GLOBAL_PROVIDERS)],
        capture_output=True, text=True, timeout=120, env=env, cwd=REPO, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == expected


def test_the_console_example_of_the_readme() -> None:
    proc = subprocess.run(
        [sys.executable, "-W", "error", str(REPO / "examples" / "otel_console.py")],
        capture_output=True, text=True, timeout=120, cwd=REPO, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for text in ('"name": "POST /v1/customers"', '"name": "GET /v1/customers/{customer}"',
                 '"name": "aiostripe.retry"', '"http.request.resend_count": 1',
                 '"name": "http.client.request.duration"', '"kind": "SpanKind.CLIENT"'):
        assert text in out, text
    assert "sk_test_x" not in out


async def test_an_unreachable_host(otel: Otel) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with StripeClient(
        KEY, base_url=f"http://127.0.0.1:{port}", timeout=0.5,
        tracer_provider=otel.tracer_provider, meter_provider=otel.meter_provider,
    ) as stripe:
        with pytest.raises(APIConnectionError):
            await stripe.balance.retrieve()
    span = only(otel.spans)
    assert span.attributes is not None
    assert span.attributes["error.type"] == "aiohttp.client_exceptions.ClientConnectorError"
    names = {e.name for e in span.events}
    assert names == {"aiostripe.retry", "aiostripe.host_wait"}
    waits = [e.attributes for e in span.events if e.name == "aiostripe.host_wait"]
    assert all(w is not None and w["aiostripe.wait.reason"] == "host_down" for w in waits)
    retries = [e.attributes for e in span.events if e.name == "aiostripe.retry"]
    assert all(r is not None and r["aiostripe.retry.reason"] == "unreachable" for r in retries)


async def test_against_stripe_mock(stripe_mock: Any, otel: Otel) -> None:
    """Stripe's own mock server: the request id in the span is the one its response carried."""
    async with StripeClient(
        KEY, base_url=stripe_mock.url, max_retries=0,
        tracer_provider=otel.tracer_provider, meter_provider=otel.meter_provider,
    ) as stripe:
        tenant = stripe.with_options(stripe_account=ACCOUNT)
        created = await tenant.customers.create(
            email="jo@example.com", request_options={"idempotency_key": "mock-1"}
        )
        fetched = await tenant.customers.retrieve(created.id)
    create, retrieve = otel.spans
    assert create.attributes is not None and retrieve.attributes is not None
    assert create.name == "POST /v1/customers"
    assert retrieve.name == "GET /v1/customers/{customer}"
    assert create.attributes["stripe.request_id"] == created.last_response.request_id
    assert retrieve.attributes["stripe.request_id"] == fetched.last_response.request_id
    assert str(retrieve.attributes["stripe.request_id"]).startswith("req_")
    assert create.attributes["stripe.idempotency_key"] == "mock-1"
    assert create.attributes["stripe.account"] == ACCOUNT == retrieve.attributes["stripe.account"]
    assert create.attributes["http.response.status_code"] == 200
