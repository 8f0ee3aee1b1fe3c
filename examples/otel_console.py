"""Print the spans and the duration metric of a few Stripe calls to the console.

    .venv/bin/python examples/otel_console.py      # `make` installed opentelemetry-sdk

Runs against the embedded fake Stripe: the retrieve fails once with a 503 and is retried.
In an app, drop FakeStripe and base_url; `pip install aiostripe[otel]` is all aiostripe needs,
the SDK and exporters are your app's choice.
"""

from __future__ import annotations

import asyncio

from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import ConsoleMetricExporter, PeriodicExportingMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor

import aiostripe
from aiostripe.testing import FakeStripe

tracer_provider = TracerProvider()
tracer_provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter()))
trace.set_tracer_provider(tracer_provider)
meter_provider = MeterProvider(
    metric_readers=[PeriodicExportingMetricReader(ConsoleMetricExporter())]
)
metrics.set_meter_provider(meter_provider)
tracer = trace.get_tracer("checkout-app")


async def main() -> None:
    async with FakeStripe() as fake, aiostripe.StripeClient("sk_test_x", base_url=fake.url) as stripe:
        with tracer.start_as_current_span("signup"):  # the Stripe spans are its children
            customer = await stripe.customers.create(email="jo@example.com")
            fake.faults.fail_next(1, status=503, path="/v1/customers/*")
            await stripe.customers.retrieve(customer.id)  # 503, event aiostripe.retry, 200
    meter_provider.shutdown()  # exports the histogram a last time
    tracer_provider.shutdown()


if __name__ == "__main__":
    asyncio.run(main())
