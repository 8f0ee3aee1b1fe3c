"""Benchmark workers: each subcommand measures one figure for one client and prints one JSON line.

`bench/run.py` starts this script in a fresh subprocess per (figure, client, repetition), so the
clients never share a process, an event loop or a garbage collector. Run by hand:

    python bench/workers.py list --client aiostripe --url http://127.0.0.1:PORT --seconds 2
    python bench/workers.py requests --client raw --url ... --concurrency 32
    python bench/workers.py memory --client aiostripe --url ... --total 1000000
    python bench/workers.py capacity --url ... --path /v1/customers/cus_1 --concurrency 32
    python bench/workers.py search --client aiostripe --url ...        # like list, search pages
    python bench/workers.py hold --client raw --url ... --total 1000000   # RSS of a kept list
    python bench/workers.py jsonl --client aiostripe --url ... --total 20000  # CLI JSON Lines
    python bench/workers.py webhook --client aiostripe --seconds 2       # construct_event

Clients (`--client`, in bench/clients.py):

- `aiostripe`     — this project, `aiostripe.StripeClient(key, base_url=url)`.
- `sdk-aiohttp`   — the official `stripe` package's async methods over `stripe.AIOHTTPClient()`.
- `sdk-httpx`     — the official package's async methods over its default client (requests for
                    sync calls; async calls go to its httpx fallback client).
- `raw`           — aiohttp `ClientSession.get` + `json.loads`: the practical limit of a Python
                    async client (no models, no retries, no params encoding).

Every loop is bounded in time (`--seconds`, a hard deadline) and in count. A client that cannot be
imported or built prints `{"unavailable": "<reason>"}` and exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import time
from typing import Any

from clients import (
    CUSTOMER_ID,
    FINANCIAL_ACCOUNT,
    HARD_DEADLINE,
    KEY,
    MAX_ITEMS,
    PAGE,
    Client,
    RawClient,
    Unavailable,
    make_client,
    read_customer,
    read_customer_dict,
    read_tx,
    read_tx_dict,
)


def rss_kb() -> int:
    """Current resident set size (kB)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def peak_rss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# -- figures -----------------------------------------------------------------------------------


async def bench_list(client: Client, a: argparse.Namespace) -> dict[str, Any]:
    """Objects/s through auto-pagination: `reps` windows of `seconds` after `warmup` objects,
    reading four fields of every object (`read_tx`; for search pages `read_customer`).

    Each window gives two rates: per wall-clock second and per second of this process's CPU
    time (user + system), the latter barely moved by other load on the machine."""
    search = a.figure == "search"
    it = await (client.search() if search else client.iterate())
    read = (read_customer if search else read_tx) if client.typed else (
        read_customer_dict if search else read_tx_dict)
    hard = time.perf_counter() + min(HARD_DEADLINE, a.warmup_seconds + a.reps * a.seconds * 3 + 30)
    samples: list[float] = []
    cpu_samples: list[float] = []
    n = 0
    window_start = -1.0
    cpu_start = 0.0
    window_n = 0
    limit = min(MAX_ITEMS, a.max_items)
    warm_until = time.perf_counter() + a.warmup_seconds
    async for tx in it:
        read(tx)
        n += 1
        if n % PAGE == 0:
            now = time.perf_counter()
            if window_start < 0:
                if now >= warm_until:
                    window_start, window_n, cpu_start = now, n, time.process_time()
            elif now - window_start >= a.seconds:
                cpu = time.process_time()
                samples.append((n - window_n) / (now - window_start))
                cpu_samples.append((n - window_n) / max(cpu - cpu_start, 1e-9))
                if len(samples) >= a.reps:
                    break
                window_start, window_n, cpu_start = now, n, cpu
            if now > hard or n >= limit:
                break
    return {"samples": samples, "cpu_samples": cpu_samples, "unit": "objects/s", "items": n}


async def bench_requests(client: Client, a: argparse.Namespace) -> dict[str, Any]:
    """Completed retrieves per second with `concurrency` tasks calling in a loop (per wall-clock
    second, and per second of this process's CPU time)."""
    retrieve = client.retrieve
    cap = a.max_items

    async def worker(deadline: float, counter: list[int]) -> None:
        while time.perf_counter() < deadline and counter[0] < cap:
            await retrieve()
            counter[0] += 1

    async def window(seconds: float) -> tuple[float, float]:
        counter = [0]
        t0 = time.perf_counter()
        c0 = time.process_time()
        deadline = t0 + seconds
        await asyncio.wait_for(
            asyncio.gather(*(worker(deadline, counter) for _ in range(a.concurrency))),
            timeout=seconds * 3 + 30,
        )
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        return counter[0] / wall, counter[0] / max(cpu, 1e-9)

    await window(a.warmup_seconds)
    windows = [await window(a.seconds) for _ in range(a.reps)]
    return {"samples": [w for w, _ in windows], "cpu_samples": [c for _, c in windows],
            "unit": "requests/s"}


async def bench_memory(client: Client, a: argparse.Namespace) -> dict[str, Any]:
    """RSS while a slow consumer walks `total` objects through auto-pagination."""
    import gc

    gc.collect()
    rss_start = rss_kb()
    it = await client.iterate()
    checkpoints = {a.total * k // 10 for k in range(1, 11)}
    rss_at: dict[int, int] = {}
    hard = time.perf_counter() + min(HARD_DEADLINE, a.time_limit)
    n = 0
    t0 = time.perf_counter()
    read = read_tx if client.typed else read_tx_dict
    async for tx in it:
        read(tx)
        n += 1
        if n % a.sleep_every == 0:
            await asyncio.sleep(a.sleep)
            if time.perf_counter() > hard:
                break
        if n in checkpoints:
            rss_at[n] = rss_kb()
            if n >= a.total:
                break
    elapsed = time.perf_counter() - t0
    return {
        "items": n,
        "seconds": elapsed,
        "rss_start_kb": rss_start,
        "rss_at_kb": {str(k): v for k, v in sorted(rss_at.items())},
        "peak_rss_kb": peak_rss_kb(),
        "complete": n >= a.total,
    }


async def bench_hold(client: Client, a: argparse.Namespace) -> dict[str, Any]:
    """RSS taken by a list of `total` objects kept from auto-pagination (each read as in the
    listing figure), measured after a full garbage collection, against the RSS before."""
    import gc

    it = await client.iterate()
    read = read_tx if client.typed else read_tx_dict
    kept: list[Any] = []
    gc.collect()
    rss_start = rss_kb()
    hard = time.perf_counter() + min(HARD_DEADLINE, a.time_limit)
    t0 = time.perf_counter()
    async for tx in it:
        read(tx)
        kept.append(tx)
        if len(kept) >= a.total or (len(kept) % 10_000 == 0 and time.perf_counter() > hard):
            break
    close = getattr(it, "aclose", None)
    if close is not None:  # stop the read-ahead before measuring
        await close()
    elapsed = time.perf_counter() - t0
    gc.collect()
    rss_end = rss_kb()
    return {"items": len(kept), "seconds": elapsed, "rss_start_kb": rss_start,
            "rss_end_kb": rss_end, "mb": (rss_end - rss_start) / 1024,
            "bytes_per_object": (rss_end - rss_start) * 1024 / max(len(kept), 1),
            "complete": len(kept) >= a.total}


def bench_jsonl(a: argparse.Namespace) -> dict[str, Any]:
    """JSON Lines written per second: `aiostripe list ... > FILE` (the CLI, in this process),
    or for `raw` aiohttp + json.loads + one `json.dumps` per object, the same lines to a file.
    Each window is one run of `total` objects. (With `-o FILE` the CLI also rewrites its cursor
    file after every page, a rename per page that costs what the file system makes it cost.)"""
    import tempfile

    out = os.path.join(tempfile.mkdtemp(prefix="aiostripe-bench-jsonl-"), "out.jsonl")
    if a.client == "aiostripe":
        try:
            from aiostripe.cli import main as cli_main
        except ImportError as e:
            return {"unavailable": f"aiostripe CLI: {e}"}

        def run_once() -> None:  # JSON Lines on stdout (to a file): no cursor file to rewrite
            import contextlib

            with open(out, "w", encoding="utf-8") as f, contextlib.redirect_stdout(f):
                status = cli_main(["list", "treasury.transactions", "--api-key", KEY,
                                   "--base-url", a.url, "--param",
                                   f"financial_account={FINANCIAL_ACCOUNT}", "--max-items",
                                   str(a.total), "--no-progress"])
            if status != 0:
                raise RuntimeError(f"aiostripe CLI exited {status}")
    elif a.client == "raw":
        def run_once() -> None:
            asyncio.run(_raw_jsonl(a.url, a.total, out))
    else:
        return {"unavailable": f"no JSON Lines writer for {a.client}"}
    samples, cpu_samples = [], []
    run_once()  # warm-up
    for _ in range(a.reps):
        t0, c0 = time.perf_counter(), time.process_time()
        run_once()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        samples.append(a.total / wall)
        cpu_samples.append(a.total / max(cpu, 1e-9))
    lines = sum(1 for _ in open(out, "rb"))
    if lines != a.total:
        raise RuntimeError(f"wrote {lines} lines, expected {a.total}")
    return {"samples": samples, "cpu_samples": cpu_samples, "unit": "objects/s", "lines": lines}


async def _raw_jsonl(url: str, total: int, path: str) -> None:
    client = RawClient(url)
    n = 0
    try:
        with open(path, "wb") as f:
            async for tx in await client.iterate():
                f.write(json.dumps(tx, separators=(",", ":"), ensure_ascii=False).encode() + b"\n")
                n += 1
                if n >= total:
                    break
    finally:
        await client.close()


def bench_webhook(a: argparse.Namespace) -> dict[str, Any]:
    """Webhook events verified and parsed per second: a signed, pretty-printed event whose object
    is a treasury.transaction. aiostripe: `webhooks.construct_event`; SDK:
    `stripe.Webhook.construct_event`; raw: HMAC-SHA256 check by hand + `json.loads`."""
    import hashlib
    import hmac

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from server import load_fixtures, transaction_variant

    _, tx = load_fixtures()
    obj = transaction_variant(tx, 1)
    obj["id"] = "trxn_1BNCH00000000000000001"
    event = {"id": "evt_1BNCH", "object": "event", "api_version": "2024-04-10",
             "created": 1_700_000_000, "data": {"object": obj}, "livemode": False,
             "pending_webhooks": 1, "request": {"id": None, "idempotency_key": None},
             "type": "treasury.transaction.created"}
    payload = json.dumps(event, indent=2).encode()
    secret = "whsec_bench"
    now = int(time.time())
    sig = hmac.new(secret.encode(), f"{now}.".encode() + payload, hashlib.sha256).hexdigest()
    header = f"t={now},v1={sig}"
    if a.client == "aiostripe":
        from aiostripe import webhooks

        def one() -> Any:
            return webhooks.construct_event(payload, header, secret).data.object.amount
    elif a.client.startswith("sdk"):
        try:
            import stripe
        except ImportError as e:
            return {"unavailable": f"stripe SDK: {e}"}

        def one() -> Any:
            return stripe.Webhook.construct_event(payload, header, secret).data.object.amount
    else:
        def one() -> Any:
            t, v1 = header.split(",")
            expected = hmac.new(secret.encode(), t[2:].encode() + b"." + payload,
                                hashlib.sha256).hexdigest()
            if not hmac.compare_digest(expected, v1[3:]):
                raise ValueError("bad signature")
            return json.loads(payload)["data"]["object"]["amount"]
    assert one() == obj["amount"]
    samples, cpu_samples = [], []
    warm = time.perf_counter() + a.warmup_seconds
    while time.perf_counter() < warm:
        one()
    for _ in range(a.reps):
        n = 0
        t0, c0 = time.perf_counter(), time.process_time()
        end = t0 + a.seconds
        while time.perf_counter() < end and n < a.max_items:
            for _ in range(100):
                one()
            n += 100
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        samples.append(n / wall)
        cpu_samples.append(n / max(cpu, 1e-9))
    return {"samples": samples, "cpu_samples": cpu_samples, "unit": "events/s"}


# -- server capacity: a trivial callback client ------------------------------------------------


class _CapacityProtocol(asyncio.Protocol):
    """Sends one GET, waits for the whole response (by Content-Length), sends the next one."""

    def __init__(self, request: bytes, state: dict[str, Any]) -> None:
        self.request = request
        self.state = state
        self.buf = b""
        self.need = -1

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while True:
            if self.need < 0:
                end = self.buf.find(b"\r\n\r\n")
                if end < 0:
                    return
                head = self.buf[:end].lower()
                i = head.find(b"content-length:")
                j = head.find(b"\r\n", i)
                length = int(head[i + 15: j if j > 0 else None])
                self.need = end + 4 + length
            if len(self.buf) < self.need:
                return
            self.buf = self.buf[self.need:]
            self.need = -1
            self.state["count"] += 1
            if time.perf_counter() >= self.state["deadline"]:
                self.transport.close()
                self.state["open"] -= 1
                if self.state["open"] == 0:
                    self.state["done"].set_result(None)
                return
            self.transport.write(self.request)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.state["done"].done() and self.state["open"] > 0 and exc is not None:
            self.state["done"].set_exception(exc)


async def bench_capacity(a: argparse.Namespace) -> dict[str, Any]:
    """The server's own rate: `concurrency` keep-alive connections, no parsing beyond headers."""
    from urllib.parse import urlsplit

    loop = asyncio.get_running_loop()
    u = urlsplit(a.url)
    request = (
        f"GET {a.path} HTTP/1.1\r\nHost: {u.hostname}:{u.port}\r\n"
        f"Authorization: Bearer {KEY}\r\n\r\n"
    ).encode()

    async def window(seconds: float) -> float:
        state: dict[str, Any] = {"count": 0, "open": a.concurrency,
                                 "deadline": time.perf_counter() + seconds,
                                 "done": loop.create_future()}
        t0 = time.perf_counter()
        for _ in range(a.concurrency):
            await loop.create_connection(lambda: _CapacityProtocol(request, state),
                                         u.hostname, u.port)
        await asyncio.wait_for(state["done"], timeout=seconds * 3 + 30)
        return state["count"] / (time.perf_counter() - t0)

    await window(a.warmup_seconds)
    samples = [await window(a.seconds) for _ in range(a.reps)]
    return {"samples": samples, "unit": "requests/s"}


# -- entry -------------------------------------------------------------------------------------


async def amain(a: argparse.Namespace) -> dict[str, Any]:
    if a.figure == "capacity":
        return await bench_capacity(a)
    if a.client == "aiostripe-raw-request" and a.figure != "requests":
        raise SystemExit("--client aiostripe-raw-request: for the requests figure only")
    try:
        client = make_client(a.client, a.url, a.max_retries)
    except Unavailable as e:
        return {"unavailable": str(e)}
    try:
        if a.figure in ("list", "search"):
            return await bench_list(client, a)
        if a.figure == "hold":
            return await bench_hold(client, a)
        if a.figure == "requests":
            return await bench_requests(client, a)
        if a.figure == "memory":
            return await bench_memory(client, a)
        raise SystemExit(f"unknown figure {a.figure!r}")
    finally:
        await client.close()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("figure", choices=["list", "search", "requests", "memory", "hold", "jsonl",
                                      "webhook", "capacity"])
    p.add_argument("--client", default="raw")
    p.add_argument("--url", default="http://127.0.0.1:0",
                   help="http://127.0.0.1:PORT of bench/server.py")
    p.add_argument("--seconds", type=float, default=2.0, help="length of one timed window")
    p.add_argument("--reps", type=int, default=3, help="timed windows in this process")
    p.add_argument("--warmup-seconds", type=float, default=0.5)
    p.add_argument("--concurrency", type=int, default=1)
    p.add_argument("--max-retries", type=int, default=None,
                   help="client retries (default: the client's own default; the SDK's set to 2)")
    p.add_argument("--max-items", type=int, default=MAX_ITEMS)
    p.add_argument("--path", default=f"/v1/customers/{CUSTOMER_ID}", help="capacity: the path")
    p.add_argument("--total", type=int, default=1_000_000,
                   help="memory/hold: objects to walk or keep; jsonl: objects per run")
    p.add_argument("--sleep-every", type=int, default=1000, help="memory: pause every N objects")
    p.add_argument("--sleep", type=float, default=0.005, help="memory: pause length (s)")
    p.add_argument("--time-limit", type=float, default=300.0, help="memory: stop after (s)")
    a = p.parse_args()
    if not a.url.startswith(("http://127.0.0.1:", "http://localhost:")):
        raise SystemExit("the benchmarks only talk to 127.0.0.1")
    t0 = time.perf_counter()
    if a.figure == "jsonl":
        result = bench_jsonl(a)
    elif a.figure == "webhook":
        result = bench_webhook(a)
    else:
        result = asyncio.run(asyncio.wait_for(amain(a), timeout=HARD_DEADLINE))
    result.setdefault("peak_rss_kb", peak_rss_kb())
    result["wall_s"] = time.perf_counter() - t0
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
