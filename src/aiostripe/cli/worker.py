"""`aiostripe worker`: a process that exports shards from the queue; start as many as you like.

`export` queues one job per shard (`queue.py`: our own small queue in Redis). A worker claims up
to `--concurrency` of them; each claim is a lease with a fencing token (its epoch), kept alive by
a heartbeat every quarter of the lease (`$AIOSTRIPE_EXPORT_LEASE`, default 4 s). A job is
checked before anything runs (`trust.py`: signature, directory, resource and parameters); a
refused one is logged and never executed. The job streams its shard for at most `--slice`
seconds into a segment file of its own, checkpointing every page in Redis under its epoch
(`segments.py`), then hands the shard back to the queue, so any worker may take the next slice.

A worker that dies (SIGKILL, a lost machine) or stops answering (SIGSTOP, a VM pause, cut off
from Redis) loses its lease within the lease's length; any other worker then takes the shard
over from its last checkpoint, whatever `--slice` is. A stale worker that comes back is refused
at its next heartbeat or checkpoint, stops, and its work since its last checkpoint is
discarded: every object lands exactly once. SIGINT/SIGTERM end a worker cleanly: its shards go
back to the queue at once.

Every client of every worker shares one rate budget in the same Redis (`--rate-limit`, or the
export's own `--rate-limit`), keyed by the account.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import re
import secrets
import signal
import socket
import sys
from pathlib import Path
from typing import Any

from aiostripe.cli.budget import batch_burst, redis_url
from aiostripe.cli.queue import Lease, Queue, lease_seconds, secret
from aiostripe.cli.usage import ENV_API_KEY, ENV_BASE_URL, UsageError

DEFAULT_SLICE = 30.0
IDLE_POLL = 0.2
"""Seconds between claims while the queue is empty."""

logger: logging.Logger = logging.getLogger("aiostripe")


def redis_client(url: str, lease: float) -> Any:
    """A redis-py asyncio client whose calls never outlast half a lease."""
    from aiostripe._redis import connect

    try:
        return connect(url, max(0.2, lease / 2))
    except ValueError:
        from aiostripe._shared_budget import redact_url

        raise UsageError(f"--redis: expected a URL such as 'redis://localhost:6379/0', "
                         f"got {redact_url(url)!r}") from None


class Worker:
    """Claims jobs, runs each with a heartbeat, reaps lapsed leases."""

    def __init__(self, args: argparse.Namespace, url: str, api_key: str, base_url: str) -> None:
        self.lease: float = lease_seconds()
        self.heartbeat: float = self.lease / 4
        self.queue: Queue = Queue(redis_client(url, self.lease), self.lease)
        self.name: str = f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"
        self.concurrency: int = args.concurrency
        self.slice: float = args.slice
        self.roots: list[Path] = [Path(os.path.realpath(r)) for r in (args.root or [])]
        self.key: bytes | None = secret()
        self.api_key: str = api_key
        self.base_url: str = base_url
        self.redis_url: str = url
        self.rate_limit: float | None = args.rate_limit
        self.clients: dict[float | None, Any] = {}
        self.running: set[asyncio.Task[None]] = set()
        self._redis_down = False

    async def run(self, stop: asyncio.Event) -> None:
        next_reap = 0.0
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            try:
                if loop.time() >= next_reap:
                    await self.queue.reap()
                    next_reap = loop.time() + self.heartbeat
                while len(self.running) < self.concurrency and not stop.is_set():
                    lease = await self.queue.claim(self.name)
                    if lease is None:
                        break
                    task = loop.create_task(self.hold(lease))
                    self.running.add(task)
                    task.add_done_callback(self.running.discard)
                self._redis_up()
            except Exception as exc:  # noqa: BLE001 - Redis away: keep trying
                self._redis_lost(exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), IDLE_POLL)
        for task in list(self.running):
            task.cancel()
        await asyncio.gather(*self.running, return_exceptions=True)

    def _redis_lost(self, exc: BaseException) -> None:
        if not self._redis_down:
            from aiostripe._shared_budget import redact_url, scrub

            logger.warning("worker: Redis at %s unreachable (%s: %s); trying again",
                           redact_url(self.redis_url), type(exc).__name__,
                           scrub(str(exc), self.redis_url))
            self._redis_down = True

    def _redis_up(self) -> None:
        if self._redis_down:
            logger.warning("worker: Redis answers again")
            self._redis_down = False

    async def hold(self, lease: Lease) -> None:
        """Run a job while its lease holds: a heartbeat beside it cancels it when the lease is
        lost (refused, or Redis unreachable for a whole lease)."""
        loop = asyncio.get_running_loop()
        job = loop.create_task(self.run_job(lease))
        lost: list[str] = []
        last_ok = loop.time()
        try:
            await self._beat(lease, job, lost, last_ok)
        except asyncio.CancelledError:  # the worker stops: the job hands its shard back
            job.cancel()
            await asyncio.gather(job, return_exceptions=True)
            raise
        try:
            await job
        except asyncio.CancelledError:
            if not lost:
                raise
        else:
            lost.clear()  # the job ended on its own (and said why)
        if lost:
            logger.warning("shard %s (epoch %d): lost its lease (%s); its work since the last "
                           "checkpoint is discarded", lease.job_id.rpartition(":")[2],
                           lease.epoch, lost[0])

    async def _beat(
        self, lease: Lease, job: asyncio.Task[None], lost: list[str], last_ok: float
    ) -> None:
        loop = asyncio.get_running_loop()
        while not job.done():
            await asyncio.wait([job], timeout=self.heartbeat)
            if job.done():
                break
            try:
                ok = await self.queue.heartbeat(lease)
            except Exception:  # noqa: BLE001 - Redis away: the lease may still hold
                ok = loop.time() - last_ok < self.lease
                if not ok:
                    lost.append("Redis unreachable for a whole lease")
            else:
                if not ok:
                    lost.append("its lease went to another worker")
                last_ok = loop.time()
            if not ok and not job.done():
                job.cancel()
                break

    async def run_job(self, lease: Lease) -> None:
        from redis.exceptions import RedisError

        from aiostripe._errors import StripeError
        from aiostripe.cli import segments
        from aiostripe.cli.commands import bound
        from aiostripe.cli.trust import Refused, check

        try:
            job = check(lease, self.roots, self.key)
        except Refused as exc:
            logger.error("refused job %r: %s; not run", lease.job_id[:120], exc)
            with contextlib.suppress(Exception):
                await self.queue.end(lease, "refused", f"refused by a worker: {exc}")
            return
        name = job.shard.name
        progress = segments.load_progress(lease.progress)
        logger.info("shard %s: from object %d (epoch %d)", name, progress["objects"], lease.epoch)
        try:
            if not progress["complete"]:
                client = self._client_for(job.rate_limit)
                done = await segments.run_slice(
                    self.queue, lease, job, bound(client, job.op), progress, self.slice
                )
                if not done:
                    logger.info("shard %s: handed back at object %d", name, progress["objects"])
                    if not await self.queue.end(lease, "queued"):
                        raise segments.Fenced
                    return
            tmp = segments.assemble(job, lease, progress)
            if not await self.queue.heartbeat(lease):
                tmp.unlink()
                raise segments.Fenced
            segments.publish(job, tmp, progress)
            if await self.queue.end(lease, "done"):
                segments.clean(job)
            logger.info("shard %s: done, %d objects (verified)", name, progress["objects"])
        except segments.Fenced:
            logger.warning("shard %s (epoch %d): lost its lease (it went to another worker); "
                           "its work since the last checkpoint is discarded", name, lease.epoch)
        except (RedisError, TimeoutError) as exc:  # cannot checkpoint: as good as fenced
            logger.warning("shard %s (epoch %d): lost its lease (Redis unreachable: %s); its "
                           "work since the last checkpoint is discarded", name, lease.epoch,
                           type(exc).__name__)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):  # hand it back at once (SIGTERM)
                await asyncio.shield(self.queue.end(lease, "queued"))
            raise
        except (StripeError, segments.Unverified, OSError) as exc:
            error = f"{type(exc).__name__}: {exc}"
            logger.error("shard %s: failed: %s", name, error)
            with contextlib.suppress(Exception):
                await self.queue.end(lease, "failed", error)

    def _client_for(self, export_rate: float | None) -> Any:
        """The worker's client for a rate (its own `--rate-limit` wins over the export's)."""
        from aiostripe._client import StripeClient
        from aiostripe._ratelimit import RateLimit

        rate = self.rate_limit if self.rate_limit is not None else export_rate
        if rate not in self.clients:
            limit = None if rate is None else RateLimit(
                rate, burst=batch_burst(rate), redis=self.redis_url
            )
            self.clients[rate] = StripeClient(
                self.api_key, base_url=self.base_url, rate_limit=limit, max_retries=5
            )
        return self.clients[rate]

    async def close(self) -> None:
        for client in self.clients.values():
            await client.close()
        await self.queue.redis.aclose()


# --- the command --------------------------------------------------------------------------------


def add_parser(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    from aiostripe.cli.budget import budget_options

    p = sub.add_parser(
        "worker",
        parents=[*parents, budget_options(
            redis_help="Redis URL of the queue and of the shared rate budget", max_wait=False
        )],
        help="export shards queued by `aiostripe export` (start as many as you like)",
        description="Run shards of exports from the queue in Redis, e.g. "
        "`aiostripe worker --redis redis://localhost:6379 --rate-limit 20`.",
    )
    p.add_argument(
        "--concurrency", type=positive_int, default=2, metavar="N",
        help="shards at once (default 2)",
    )
    p.add_argument(
        "--slice", type=_positive_float, default=DEFAULT_SLICE, metavar="SECONDS",
        help="work on a shard this long, then hand it back to the queue (default 30); "
        "a crashed or paused worker's shard goes to another within a few seconds whatever it is",
    )
    p.add_argument(
        "--root", action="append", metavar="DIR",
        help="write only under DIR (repeatable; default: any export directory, i.e. one "
        "holding the manifest.json `aiostripe export` wrote)",
    )


def positive_int(raw: str) -> int:
    """argparse type of a count of at least 1 (`--concurrency`, export's `--windows`)."""
    if not re.fullmatch(r"\d+", raw) or int(raw) < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {raw!r}")
    return int(raw)


def _positive_float(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not (value > 0 and value < 1e9):
        raise argparse.ArgumentTypeError(f"expected seconds > 0, got {raw!r}")
    return value


def _checked(args: argparse.Namespace) -> tuple[str, str, str]:
    api_key = args.api_key if args.api_key is not None else os.environ.get(ENV_API_KEY)
    if not api_key:
        raise UsageError(f"no API key: pass --api-key or set {ENV_API_KEY}")
    base_url = args.base_url or os.environ.get(ENV_BASE_URL) or "https://api.stripe.com"
    if not re.match(r"^https?://[^/\s]+", base_url):
        raise UsageError(f"--base-url: expected an http(s) URL, got {base_url!r}")
    url = redis_url(args)
    if not url:
        raise UsageError("worker needs --redis URL (or $AIOSTRIPE_REDIS_URL): the queue")
    for root in args.root or []:
        if not Path(root).is_dir():
            raise UsageError(f"--root {root!r}: not a directory")
    return api_key, base_url, url


def _warm_up() -> None:
    """Import now what a job needs: an import that blocks the loop for a second later, while a
    lease is held, would starve its heartbeat."""
    import aiostripe._client  # noqa: F401
    from aiostripe.cli import commands, segments, trust  # noqa: F401
    from aiostripe.cli.resources import resolve

    resolve("customers", "list")


async def run_worker(args: argparse.Namespace) -> int:
    api_key, base_url, url = _checked(args)
    _warm_up()
    worker = Worker(args, url, api_key, base_url)
    await worker.queue.redis.ping()  # an unreachable Redis at start is a usage error
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    sys.stderr.write(f"aiostripe worker: waiting for shards (concurrency {args.concurrency}, "
                     f"lease {worker.lease:g} s)\n")
    try:
        await worker.run(stop)
        sys.stderr.write("aiostripe worker: stopped; its shards go back to the queue\n")
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        await worker.close()
    return 0

