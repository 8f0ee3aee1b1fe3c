"""The cost of telemetry: aiostripe's customer retrieves/s with tracing off and on, as ratios
against the same client without telemetry, all in one process and one event loop.

    python bench/telemetry.py --url http://127.0.0.1:PORT [--seconds 0.5] [--rounds 7]
    python bench/telemetry.py                        # starts bench/server.py itself

Variants, each its own `StripeClient` on the same server:

- `plain`        — `AIOSTRIPE_OTEL=off` when it was created: no telemetry on the call path at all
                   (what a client was before hooks and tracing existed). The baseline.
- `no provider`  — the default with `opentelemetry-api` installed but no tracer or meter provider
                   set: what most users of a library that depends on the API get.
- `hooks`        — `on_request` and `on_response` set (to functions that do nothing).
- `traced`       — the OpenTelemetry SDK's tracer provider (a `BatchSpanProcessor` with an
                   exporter that drops the spans) and meter provider: every call makes a span
                   with its attributes, ends it and records the duration histogram.

Windows of `--seconds` alternate between the variants (rotating their order every round) for
`--rounds` rounds at each concurrency, so a drift of the machine's load hits all of them alike;
each figure is the median window. A second table times the telemetry path of one call alone
(begin, one attempt sent and received, end; no network), which the noise of a shared machine
does not blur. Prints the Markdown tables and, last, one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
KEY = "sk_test_bench"
VARIANTS = ("plain", "no provider", "hooks", "traced")


def _discarding_exporter() -> Any:
    from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

    class Discard(SpanExporter):
        def export(self, spans: Sequence[Any]) -> SpanExportResult:
            return SpanExportResult.SUCCESS

    return Discard()


def make_client(variant: str, url: str) -> Any:
    import aiostripe

    options: dict[str, Any] = {"base_url": url}
    if variant == "plain":
        os.environ["AIOSTRIPE_OTEL"] = "off"
        try:
            return aiostripe.StripeClient(KEY, **options)
        finally:
            del os.environ["AIOSTRIPE_OTEL"]
    if variant == "hooks":
        options.update(on_request=lambda e: None, on_response=lambda e: None)
    elif variant == "traced":
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.metrics.export import InMemoryMetricReader
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        tracer_provider = TracerProvider()
        tracer_provider.add_span_processor(BatchSpanProcessor(_discarding_exporter()))
        options.update(
            tracer_provider=tracer_provider,
            meter_provider=MeterProvider(metric_readers=[InMemoryMetricReader()]),
        )
    return aiostripe.StripeClient(KEY, **options)


async def window(client: Any, concurrency: int, seconds: float) -> tuple[float, float]:
    """One window: (retrieves per wall-clock second, CPU microseconds of this process per call).

    CPU time is the steadier figure on a shared machine: another process's load slows the wall
    clock of every variant, but what a call costs this process changes only with what it does."""
    count = [0]
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        while time.perf_counter() < deadline:
            await client.customers.retrieve("cus_1")
            count[0] += 1

    t0, c0 = time.perf_counter(), time.process_time()
    await asyncio.wait_for(
        asyncio.gather(*(worker() for _ in range(concurrency))), timeout=seconds * 5 + 30
    )
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return count[0] / wall, cpu / max(count[0], 1) * 1e6


async def measure(url: str, seconds: float, rounds: int, levels: list[int]) -> dict[str, Any]:
    clients = {v: make_client(v, url) for v in VARIANTS}
    assert clients["plain"]._requestor.telemetry is None
    results: dict[str, Any] = {}
    try:
        for concurrency in levels:
            for client in clients.values():  # warm-up: connections, caches, the first spans
                await window(client, concurrency, seconds / 2)
            rates: dict[str, list[float]] = {v: [] for v in VARIANTS}
            cpus: dict[str, list[float]] = {v: [] for v in VARIANTS}
            for r in range(rounds):
                order = VARIANTS[r % len(VARIANTS):] + VARIANTS[: r % len(VARIANTS)]
                for variant in order:
                    rate, cpu = await window(clients[variant], concurrency, seconds)
                    rates[variant].append(rate)
                    cpus[variant].append(cpu)
            base_rate = statistics.median(rates["plain"])
            base_cpu = statistics.median(cpus["plain"])
            results[f"c={concurrency}"] = {
                v: {
                    "rate": statistics.median(rates[v]),
                    "rate_ratio": statistics.median(rates[v]) / base_rate,
                    "cpu_us": statistics.median(cpus[v]),
                    "cpu_ratio": statistics.median(cpus[v]) / base_cpu,
                    "extra_cpu_us": statistics.median(cpus[v]) - base_cpu,
                    "rates": rates[v],
                    "cpus": cpus[v],
                }
                for v in VARIANTS
            }
    finally:
        for client in clients.values():
            await client.close()
    return results


def _telemetry_of_one_call(telemetry: Any, call: Any) -> Callable[[], None]:
    """What the request loop asks of the telemetry in a call that succeeds first time."""

    def one() -> None:
        if telemetry is None:
            return
        trace = telemetry.begin(call, "/v1/customers/{customer}")
        if trace is not None:
            trace.sending(call)
            trace.received(call, None)
            trace.end(call, None)

    return one


def micro(url: str, n: int = 20_000) -> dict[str, float]:
    """Microseconds of the telemetry calls of one single-attempt call, per variant."""
    import timeit

    async def run() -> dict[str, float]:
        out: dict[str, float] = {}
        for variant in VARIANTS:
            client = make_client(variant, url)
            requestor = client._requestor
            call = requestor._prepare("get", "/v1/customers/cus_1", None, {}, "api", False)
            one = _telemetry_of_one_call(requestor.telemetry, call)
            one()
            best = min(timeit.repeat(one, number=n, repeat=5))
            out[variant] = best / n * 1e6
            await client.close()
        return out

    return asyncio.run(run())


def table(results: dict[str, Any]) -> str:
    levels = {k: v for k, v in results.items() if k.startswith("c=")}
    head = " | ".join(f"{c}: CPU µs/call | ÷ plain | req/s ÷ plain" for c in levels)
    lines = [
        "### Telemetry overhead (customer retrieves, one process, windows interleaved)",
        "",
        f"| variant | {head} |",
        "|---|" + "---:|---:|---:|" * len(levels),
    ]
    for variant in VARIANTS:
        cells = []
        for by_variant in levels.values():
            cell = by_variant[variant]
            extra = "" if variant == "plain" else f" ({cell['extra_cpu_us']:+.1f})"
            cells += [f"{cell['cpu_us']:.0f}{extra}", f"{cell['cpu_ratio']:.3f}×",
                      f"{cell['rate_ratio']:.2f}×"]
        lines.append(f"| {variant} | " + " | ".join(cells) + " |")
    lines += [
        "",
        (
            "CPU µs/call: this process's CPU time per completed call (median window), the extra "
            "against `plain` in brackets; ÷ plain above 1 costs more. req/s ÷ plain is the "
            "wall-clock rate, noisier on a shared machine."
        ),
    ]
    if "micro" in results:
        lines += [
            "",
            "| telemetry path of one call, alone | " + " | ".join(VARIANTS) + " |",
            "|---|" + "---:|" * len(VARIANTS),
            "| µs (best of 5 × 20,000) | "
            + " | ".join(f"{results['micro'][v]:.2f}" for v in VARIANTS) + " |",
        ]
    return "\n".join(lines)


def start_server() -> tuple[subprocess.Popen[str], str]:
    server = subprocess.Popen(
        [sys.executable, str(HERE / "server.py"), "--max-seconds", "900"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    assert server.stdout is not None
    line = server.stdout.readline()
    if not line.startswith("PORT "):
        raise SystemExit(f"bench/server.py did not start (said {line!r})")
    return server, f"http://127.0.0.1:{int(line.split()[1])}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running bench/server.py (default: start one)")
    parser.add_argument("--seconds", type=float, default=0.3, help="one window")
    parser.add_argument("--rounds", type=int, default=15, help="windows per variant")
    parser.add_argument("--concurrency", default="1,32", help="comma-separated levels")
    a = parser.parse_args()
    server = None
    url = a.url
    if url is None:
        server, url = start_server()
    try:
        levels = [int(c) for c in a.concurrency.split(",")]
        results = asyncio.run(measure(url, a.seconds, a.rounds, levels))
        results["micro"] = micro(url)
    finally:
        if server is not None and server.stdin is not None:
            server.stdin.close()
            server.wait(timeout=10)
    print(table(results))
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
