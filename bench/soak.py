"""Soak and outage benchmark: aiostripe and the official `stripe` SDK against a fault-injecting fake.

    python bench/soak.py [--calls 100000] [--fault-rate 0.10] [--outage-calls 2000] [--only soak,outage]

A fake Stripe in its own process (`serve`) stores every create under the `metadata[call]` id the
client sent (and replays by `Idempotency-Key`, as Stripe does), so it can tell what really
happened to each call. Each client runs in its own process (`drive`): `--calls` calls (70%
creates, 30% retrieves) at `--concurrency`, with `--fault-rate` of the requests answered by a
fault drawn evenly from FAULTS. Then, per call:

- lost: the client said it succeeded, but the server holds no object for it (or another one);
- duplicated: the server created more than one object for one call;
- ambiguous: the call raised an error that leaves its outcome unknown (connection, timeout,
  unreadable body);
- failed but done: the call raised a definite error (a 5xx, a 429) although its object was
  created (by an earlier attempt whose answer was lost);
- unexpected: an exception outside the client's own error classes (a raw aiohttp error);
- refused: the expected errors (`Stripe-Should-Retry: false` answers, never retried);
- attempts per call, p50 / p99 latency.

The outage scenarios: `--outage-calls` creates in flight while the server stops listening for
1 s and for 5 s, then comes back on the same port; success rate and duplicates, default
settings. Everything stays on 127.0.0.1; every loop is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import struct
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
KEY = "sk_test_soak"
FAULTS = [
    "drop_after_commit", "reset_before_commit", "500_before_commit", "500_after_commit", "503",
    "429_rate_limit", "429_lock_timeout", "409", "delay", "cut_short", "bad_json",
    "should_retry_false",
]
SERVER_FAULTS = {"500_before_commit", "500_after_commit", "503", "429_rate_limit",
                 "429_lock_timeout", "409", "should_retry_false"}
"""Answers of Stripe itself: a key it has already committed gets its stored result instead."""
DELAY = 2.0  # the "delay" fault: past the per-attempt limit both clients get (READ_TIMEOUT)
READ_TIMEOUT = 1.0

# --- the fake Stripe (its own process) -------------------------------------------------------


class Fake:
    def __init__(self, fault_rate: float, seed: int) -> None:
        self.fault_rate = fault_rate
        self.rng = random.Random(seed)
        self.by_key: dict[str, dict[str, Any]] = {}
        self.by_call: dict[str, list[str]] = {}
        self.attempts: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()
        self.n = 0
        self.latency = 0.0  # server-side latency of each answer (up to this many seconds)

    def commit(self, call: str, key: str | None) -> tuple[dict[str, Any], bool]:
        if key is not None and key in self.by_key:
            return self.by_key[key], True
        self.n += 1
        obj = {"id": f"cus_{self.n}", "object": "customer", "created": 1700000000,
               "livemode": False, "metadata": {"call": call}}
        if key is not None:
            self.by_key[key] = obj
        self.by_call.setdefault(call, []).append(obj["id"])
        return obj, False

    async def handle(self, request: Any) -> Any:
        from aiohttp import web

        body = await request.post() if request.method == "POST" else {}
        call = body.get("metadata[call]") or request.query.get("call") or "?"
        self.attempts[call] += 1
        key = request.headers.get("Idempotency-Key")
        fault = self.rng.choice(FAULTS) if self.rng.random() < self.fault_rate else None
        if fault in SERVER_FAULTS and key is not None and key in self.by_key:
            fault = None  # Stripe answers a repeated key with the stored result
        if fault:
            self.faults[fault] += 1
        create = request.method == "POST"

        def done() -> tuple[dict[str, Any], bool]:
            if create:
                return self.commit(call, key)
            return {"id": request.match_info["id"], "object": "customer", "created": 1700000000,
                    "livemode": False, "metadata": {}}, False

        transport = request.transport
        if fault in ("drop_after_commit", "reset_before_commit"):
            if fault == "drop_after_commit":
                done()
                transport.close()
            else:
                sock = transport.get_extra_info("socket")
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                transport.abort()
            return web.Response()
        if fault in ("500_before_commit", "500_after_commit", "503", "409", "429_rate_limit",
                     "429_lock_timeout", "should_retry_false"):
            if fault == "500_after_commit":
                done()
            status = {"409": 409, "503": 503, "429_rate_limit": 429, "429_lock_timeout": 429,
                      "should_retry_false": 500}.get(fault, 500)
            code = {"429_rate_limit": "rate_limit", "429_lock_timeout": "lock_timeout"}.get(fault)
            headers = {"Request-Id": "req_x"}
            if fault == "should_retry_false":
                headers["Stripe-Should-Retry"] = "false"
            error = {"type": "api_error" if status != 429 else "invalid_request_error",
                     "message": f"injected {fault}"}
            if code:
                error["code"] = code
            return web.json_response({"error": error}, status=status, headers=headers)
        if fault == "delay":
            obj, replayed = done()
            await asyncio.sleep(DELAY)
            return web.json_response(obj)
        if self.latency:
            await asyncio.sleep(self.latency * self.rng.random())
        obj, replayed = done()
        if fault == "cut_short":
            data = json.dumps(obj).encode()
            resp = web.StreamResponse(headers={"Content-Type": "application/json",
                                               "Content-Length": str(len(data))})
            await resp.prepare(request)
            await resp.write(data[: len(data) // 2])
            transport.close()
            return resp
        if fault == "bad_json":
            return web.Response(body=b'{"id": "cus_', content_type="application/json")
        headers = {"Request-Id": "req_ok"}
        if replayed:
            headers["Idempotent-Replayed"] = "true"
        return web.json_response(obj, headers=headers)


async def serve(args: argparse.Namespace) -> None:
    """Serve on 127.0.0.1; stdin commands: `outage S` (stop listening S seconds), `report`
    (the server's view, one JSON line), EOF stops."""
    from aiohttp import web

    fake = Fake(args.fault_rate, args.seed)
    app = web.Application()
    app.router.add_post("/v1/customers", fake.handle)
    app.router.add_get("/v1/customers/{id}", fake.handle)
    runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, reuse_address=True)
    await site.start()
    port = runner.addresses[0][1]
    print(f"PORT {port}", flush=True)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    deadline = loop.time() + args.max_seconds
    while loop.time() < deadline:
        line = (await reader.readline()).decode().split()
        if not line:
            break
        if line[0] == "outage":
            await site.stop()  # refuse new connections...
            for conn in list(runner.server._connections):  # ...and cut the open ones,
                if conn.transport is not None:  # as a process that exits does
                    conn.transport.close()
            await asyncio.sleep(float(line[1]))
            site = web.TCPSite(runner, "127.0.0.1", port, reuse_address=True)
            await site.start()
            print("UP", flush=True)
        elif line[0] == "report":
            print(json.dumps({"by_call": fake.by_call, "attempts": dict(fake.attempts),
                              "faults": dict(fake.faults)}), flush=True)
            fake.by_call, fake.attempts, fake.faults = {}, Counter(), Counter()
        elif line[0] == "latency":
            fake.latency = float(line[1])
    await runner.cleanup()


# --- the clients (one process each) ------------------------------------------------------------


class Outcome:
    __slots__ = ("call", "create", "error", "latency", "result_call")

    def __init__(self, call: str, create: bool) -> None:
        self.call, self.create = call, create
        self.error: str | None = None
        self.latency = 0.0
        self.result_call: str | None = None


def make_client(kind: str, url: str, soak: bool) -> tuple[Any, Any, Any]:
    """(create(call), retrieve(call), close()) for a client; `soak` sets the per-attempt limit."""
    if kind == "aiostripe":
        sys.path.insert(0, str(ROOT / "src"))
        import aiostripe

        opts: dict[str, Any] = {"read_timeout": READ_TIMEOUT} if soak else {}
        client = aiostripe.StripeClient(KEY, base_url=url, **opts)

        async def create(call: str) -> str | None:
            c = await client.customers.create(metadata={"call": call})
            return c.metadata.get("call") if c.metadata else None  # type: ignore[no-any-return]

        async def retrieve(call: str) -> str | None:
            c = await client.customers.retrieve("cus_1")
            return call if c.id == "cus_1" else None

        async def close() -> dict[str, Any]:
            await client.close()
            stats = client.stats
            return {"attempts": stats.attempts, "retries": stats.retries,
                    "unreachable": stats.unreachable, "outages": stats.outages}

        return create, retrieve, close
    import stripe

    kwargs: dict[str, Any] = {"base_addresses": {"api": url, "files": url, "connect": url},
                              "max_network_retries": 2,  # its documented default, made explicit
                              "http_client": stripe.AIOHTTPClient(
                                  timeout=READ_TIMEOUT if soak else 80)}
    sdk = stripe.StripeClient(KEY, **kwargs)

    async def sdk_create(call: str) -> str | None:
        c = await sdk.v1.customers.create_async({"metadata": {"call": call}})
        return c.metadata["call"]  # type: ignore[no-any-return]

    async def sdk_retrieve(call: str) -> str | None:
        c = await sdk.v1.customers.retrieve_async("cus_1")
        return call if c.id == "cus_1" else None

    async def sdk_close() -> dict[str, Any]:
        await sdk._requestor._client.close_async()
        return {}

    return sdk_create, sdk_retrieve, sdk_close


def expected(kind: str, exc: BaseException) -> str:
    """'refused' (an error the server meant), 'unknown' (the outcome is not known), or
    'unexpected' (not one of the client's own error classes)."""
    if kind == "aiostripe":
        import aiostripe

        if not isinstance(exc, aiostripe.StripeError):
            return "unexpected"
        if isinstance(exc, aiostripe.APIConnectionError | aiostripe.ResponseParseError):
            return "unknown"
        return "refused"
    import stripe

    if not isinstance(exc, stripe.StripeError):
        return "unexpected"
    if isinstance(exc, stripe.APIConnectionError) or type(exc) is stripe.StripeError:
        return "unknown"
    return "refused"


async def drive(args: argparse.Namespace) -> None:
    """Run the calls against `--url`, print one JSON line of outcomes."""
    create, retrieve, close = make_client(args.client, args.url, args.mode == "soak")
    rng = random.Random(args.seed)
    outcomes: list[Outcome] = []
    sem = asyncio.Semaphore(args.concurrency)
    loop = asyncio.get_running_loop()

    async def one(i: int) -> None:
        o = Outcome(uuid.uuid4().hex, args.mode == "outage" or rng.random() < 0.7)
        outcomes.append(o)
        async with sem:
            started = loop.time()
            try:
                o.result_call = await (create if o.create else retrieve)(o.call)
            except Exception as exc:  # noqa: BLE001 — sorted below
                o.error = f"{expected(args.client, exc)}:{type(exc).__name__}"
            o.latency = loop.time() - started

    if args.mode == "soak":
        await asyncio.gather(*(one(i) for i in range(args.calls)))
    else:  # all calls in flight, then the outage
        tasks = [asyncio.create_task(one(i)) for i in range(args.calls)]
        await asyncio.sleep(0.05)
        print("READY", flush=True)
        await asyncio.gather(*tasks)
    stats = await close()
    print(json.dumps({"stats": stats, "rows": [
        [o.call, o.create, o.error, round(o.latency, 5), o.result_call] for o in outcomes]}))


# --- the orchestration -----------------------------------------------------------------------


def score(rows: list[list[Any]], server: dict[str, Any]) -> dict[str, Any]:
    by_call, attempts = server["by_call"], server["attempts"]
    lost = dup = ambiguous = failed_done = unexpected = refused = ok = 0
    kinds: Counter[str] = Counter()
    for call, create, error, _latency, result in rows:
        made = len(by_call.get(call, []))
        if made > 1:
            dup += 1
        if error is None:
            ok += 1
            if create and (made == 0 or result != call):
                lost += 1
            continue
        kinds[error] += 1
        cls = error.split(":", 1)[0]
        if cls == "unexpected":
            unexpected += 1
        elif cls == "unknown":
            ambiguous += 1
        elif create and made:
            failed_done += 1
        else:
            refused += 1
    latencies = sorted(r[3] for r in rows)
    n = len(rows)
    return {
        "calls": n, "ok": ok, "lost": lost, "duplicated": dup, "ambiguous": ambiguous, "failed_but_done": failed_done,
        "unexpected": unexpected, "refused": refused,
        "attempts_per_call": round(sum(attempts.values()) / n, 3) if n else 0,
        "p50_ms": round(1000 * statistics.median(latencies), 1) if n else None,
        "p99_ms": round(1000 * latencies[int(0.99 * (n - 1))], 1) if n else None,
        "errors": dict(kinds.most_common(8)),
    }


class Server:
    def __init__(self, fault_rate: float, seed: int) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "serve", "--fault-rate", str(fault_rate),
             "--seed", str(seed)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        assert self.proc.stdout is not None
        words = self.proc.stdout.readline().split()
        self.url = f"http://127.0.0.1:{int(words[1])}"

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def report(self) -> dict[str, Any]:
        self.send("report")
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        while not line.startswith("{"):
            line = self.proc.stdout.readline()
        return json.loads(line)  # type: ignore[no-any-return]

    def stop(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)


def run_client(server: Server, client: str, mode: str, calls: int, concurrency: int,
               outage: float = 0.0, timeout: float = 3600) -> dict[str, Any]:
    argv = [sys.executable, __file__, "drive", "--client", client, "--url", server.url,
            "--mode", mode, "--calls", str(calls), "--concurrency", str(concurrency)]
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    if mode == "outage":
        server.send("latency 0.5")  # calls stay in flight when the server goes down
        assert proc.stdout.readline().strip() == "READY"
        server.send(f"outage {outage}")
    out, _ = proc.communicate(timeout=timeout)
    data = json.loads(out.strip().splitlines()[-1])
    result = score(data["rows"], server.report())
    result["client_stats"] = data["stats"]
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="role")
    s = sub.add_parser("serve")
    s.add_argument("--fault-rate", type=float, default=0.1)
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--max-seconds", type=float, default=7200)
    d = sub.add_parser("drive")
    d.add_argument("--client", required=True)
    d.add_argument("--url", required=True)
    d.add_argument("--mode", choices=["soak", "outage"], required=True)
    d.add_argument("--calls", type=int, required=True)
    d.add_argument("--concurrency", type=int, default=64)
    d.add_argument("--seed", type=int, default=2)
    parser.add_argument("--calls", type=int, default=100_000, help="soak calls per client")
    parser.add_argument("--fault-rate", type=float, default=0.10)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--outage-calls", type=int, default=2000)
    parser.add_argument("--only", default="soak,outage")
    parser.add_argument("--clients", default="aiostripe,stripe-sdk")
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args()
    if args.role == "serve":
        asyncio.run(serve(args))
        return 0
    if args.role == "drive":
        asyncio.run(drive(args))
        return 0
    return orchestrate(args)


def orchestrate(args: argparse.Namespace) -> int:
    clients = args.clients.split(",")
    results: dict[str, dict[str, Any]] = {}
    only = args.only.split(",")
    if "soak" in only:
        for client in clients:
            server = Server(args.fault_rate, seed=7)
            try:
                started = time.monotonic()
                r = run_client(server, client, "soak", args.calls, args.concurrency)
                r["seconds"] = round(time.monotonic() - started, 1)
                results[f"soak {client}"] = r
                print(f"soak {client}: {json.dumps(r)}", file=sys.stderr, flush=True)
            finally:
                server.stop()
    if "outage" in only:
        for outage in (1.0, 5.0):
            for client in clients:
                server = Server(0.0, seed=7)
                try:
                    r = run_client(server, client, "outage", args.outage_calls, 10**6, outage)
                    r["success_rate"] = round(100 * r["ok"] / r["calls"], 2)
                    results[f"outage {outage:.0f}s {client}"] = r
                    print(f"outage {outage}s {client}: {json.dumps(r)}", file=sys.stderr,
                          flush=True)
                finally:
                    server.stop()
    print(render(results, args))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n")
    return 0


def render(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> str:
    cols = ["calls", "ok", "lost", "duplicated", "ambiguous", "failed_but_done", "unexpected",
            "refused",
            "attempts_per_call", "p50_ms", "p99_ms"]
    title = (f"### Soak ({args.calls:,} calls a client, {args.fault_rate:.0%} faults) and "
             f"outages ({args.outage_calls:,} creates in flight)")
    lines = [title, "",
             "| run | " + " | ".join(cols) + " | success % |",
             "|---" * (len(cols) + 2) + "|"]
    for name, r in results.items():
        ok_pct = r.get("success_rate", round(100 * r["ok"] / max(r["calls"], 1), 2))
        lines.append(f"| {name} | " + " | ".join(str(r.get(c)) for c in cols) + f" | {ok_pct} |")
    lines.append("")
    for name, r in results.items():
        if r.get("errors"):
            lines.append(f"- {name} errors: {r['errors']}")
        if r.get("client_stats"):
            lines.append(f"- {name} client.stats: {r['client_stats']}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
