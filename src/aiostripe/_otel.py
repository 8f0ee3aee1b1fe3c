"""OpenTelemetry for aiostripe: the tracer, the `http.client.request.duration` histogram, and the
start and end of a call's span.

Imported by `_telemetry` on a client's first call, only when `opentelemetry-api` is installed (the
`aiostripe[otel]` extra) and `AIOSTRIPE_OTEL` does not switch it off. Until a tracer or meter
provider is set (globally, or given to the client), `tracer` and `histogram` return None, and the
calls are not instrumented at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import Token

from opentelemetry import context, metrics, trace
from opentelemetry.context import Context
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from opentelemetry.util.types import AttributeValue

from aiostripe._version import VERSION

try:  # the global meter provider before one is set (no public name for it)
    from opentelemetry.metrics._internal import _ProxyMeterProvider as _UnsetMeterProvider
except ImportError:  # pragma: no cover - another API version: only the no-op one is recognised
    _UnsetMeterProvider = metrics.NoOpMeterProvider  # type: ignore[assignment,misc]

SCOPE = "aiostripe"
SCHEMA_URL = "https://opentelemetry.io/schemas/1.26.0"
DURATION = "http.client.request.duration"
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10)
"""The semantic conventions' advice for `http.client.request.duration`, in seconds."""

Attributes = Mapping[str, AttributeValue]


def tracer(provider: trace.TracerProvider | None) -> trace.Tracer | None:
    """The tracer of a client: from its own provider, else from the global one once it is set."""
    if provider is None:
        provider = trace.get_tracer_provider()
        if isinstance(provider, trace.ProxyTracerProvider | trace.NoOpTracerProvider):
            return None
    return provider.get_tracer(SCOPE, VERSION, schema_url=SCHEMA_URL)


def histogram(provider: metrics.MeterProvider | None) -> metrics.Histogram | None:
    """The duration histogram of a client, from its own meter provider or the global one."""
    if provider is None:
        provider = metrics.get_meter_provider()
        if isinstance(provider, _UnsetMeterProvider | metrics.NoOpMeterProvider):
            return None
    meter = provider.get_meter(SCOPE, VERSION, schema_url=SCHEMA_URL)
    return meter.create_histogram(
        DURATION,
        unit="s",
        description="Duration of HTTP client requests.",
        explicit_bucket_boundaries_advisory=DURATION_BUCKETS,
    )


def start(
    tracer: trace.Tracer, name: str, attributes: Attributes
) -> tuple[Span, Token[Context]]:
    """Start a call's CLIENT span and make it the current span (HTTP spans nest under it)."""
    span = tracer.start_span(name, kind=SpanKind.CLIENT, attributes=attributes)
    return span, context.attach(trace.set_span_in_context(span))


def finish(
    span: Span, token: Token[Context], attributes: Attributes, error_type: str | None
) -> None:
    """End a call's span with its outcome."""
    context.detach(token)
    span.set_attributes(attributes)
    if error_type is not None:
        span.set_status(Status(StatusCode.ERROR, error_type))
    span.end()
