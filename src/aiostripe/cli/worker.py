"""`aiostripe worker`: a process that exports shards from the queue; start as many as you like.

The queue is arq's (Redis): `export` enqueues one job per shard, with the shard's name as its job
id, and a worker runs up to `--concurrency` of them at once. A job works on its shard for at most
`--slice` seconds through `stream` (the crash-safe cursor of `aiostripe list`), then hands the
shard back to the queue (`arq.Retry`), so any worker may take the next slice. A worker that dies
(SIGKILL, a lost machine) holds its shard for at most the job timeout plus a second (`1.5 × slice + 3` s);
arq then delivers it again and the next worker resumes from the last checkpoint: the output is
cut back to it, so a half-written page is dropped and every object lands exactly once.
SIGINT/SIGTERM end a worker cleanly: its shards are checkpointed and queued again at once.

Every client of every worker shares one rate budget in the same Redis (`--rate-limit`, or the
export's own `--rate-limit`), keyed by the account.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import sys
from pathlib import Path
from typing import Any

from aiostripe.cli.budget import batch_burst, redis_url
from aiostripe.cli.cursor import CURSOR_SUFFIX
from aiostripe.cli.resources import resolve
from aiostripe.cli.usage import ENV_API_KEY, ENV_BASE_URL, UsageError

QUEUE = "aiostripe:export"
JOB = "export_shard"
DEFAULT_SLICE = 30.0
MAX_TRIES = 1_000_000
"""Every slice is a try for arq: a shard of many slices must not run out of them."""

logger: logging.Logger = logging.getLogger("aiostripe")


def job_timeout(slice_seconds: float) -> float:
    """How long one slice may run before arq cancels it (and, if its worker is gone, after
    which the shard is delivered again)."""
    return slice_seconds * 1.5 + 2.0


def dumps(obj: Any) -> bytes:
    """arq's serializer: JSON (the job specs are plain data; a failure's exception becomes
    its text). Nothing is unpickled from Redis."""
    return json.dumps(obj, default=lambda o: f"{type(o).__name__}: {o}").encode()


def loads(data: bytes) -> Any:
    return json.loads(data)


# --- the job ------------------------------------------------------------------------------------


async def export_shard(ctx: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    """Export one slice of a shard: resume from its cursor, stream for `slice` seconds."""
    from arq import Retry

    from aiostripe.cli.commands import bound
    from aiostripe.cli.stream import stream

    client = _client_for(ctx, spec.get("rate_limit"))
    op = resolve(spec["resource"], "list")
    options = argparse.Namespace(
        output=spec["file"], cursor_file=None, resume=True, progress=False, max_items=None,
        limit_pages=None, prefetch=1, max_wait=spec["max_wait"],
    )
    name = spec["name"]
    logger.info("shard %s: from object %d (try %d)", name, _saved(spec), ctx.get("job_try", 1))
    try:
        async with asyncio.timeout(ctx["slice"]) as timer:
            await stream(options, op, bound(client, op), list(spec["ids"]), dict(spec["params"]))
    except TimeoutError:
        if not timer.expired():
            raise
        logger.info("shard %s: handed back at object %d", name, _saved(spec))
        raise Retry(defer=0) from None  # checkpointed; the next slice, on any worker
    except UsageError as exc:
        raise RuntimeError(str(exc)) from None
    objects = _saved(spec)
    logger.info("shard %s: done, %d objects", name, objects)
    return {"shard": name, "objects": objects}


def _saved(spec: dict[str, Any]) -> int:
    """Objects the shard's cursor file has saved so far."""
    try:
        return int(json.loads(Path(spec["file"] + CURSOR_SUFFIX).read_text())["objects"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0


def _client_for(ctx: dict[str, Any], export_rate: float | None) -> Any:
    """The worker's client for a rate (its own `--rate-limit` wins over the export's)."""
    from aiostripe._client import StripeClient
    from aiostripe._ratelimit import RateLimit

    rate = ctx["rate_limit"] if ctx["rate_limit"] is not None else export_rate
    clients: dict[float | None, Any] = ctx["clients"]
    if rate not in clients:
        limit = None if rate is None else RateLimit(
            rate, burst=batch_burst(rate), redis=ctx["redis_url"]
        )
        clients[rate] = StripeClient(
            ctx["api_key"], base_url=ctx["base_url"], rate_limit=limit, max_retries=5
        )
    return clients[rate]


async def _shutdown(ctx: dict[str, Any]) -> None:
    for client in ctx["clients"].values():
        await client.close()


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
        "a crashed worker's shard goes to another after 1.5 x SLICE + 3 s",
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
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected seconds > 0, got {raw!r}")
    return value


def settings(args: argparse.Namespace) -> dict[str, Any]:
    """The worker's arq settings and context, from its options (checked)."""
    from arq.connections import RedisSettings
    from arq.worker import func

    api_key = args.api_key if args.api_key is not None else os.environ.get(ENV_API_KEY)
    if not api_key:
        raise UsageError(f"no API key: pass --api-key or set {ENV_API_KEY}")
    base_url = args.base_url or os.environ.get(ENV_BASE_URL) or "https://api.stripe.com"
    if not re.match(r"^https?://[^/\s]+", base_url):
        raise UsageError(f"--base-url: expected an http(s) URL, got {base_url!r}")
    url = redis_url(args)
    if not url:
        raise UsageError("worker needs --redis URL (or $AIOSTRIPE_REDIS_URL): the queue")
    try:
        redis = RedisSettings.from_dsn(url or "")
    except (RuntimeError, ValueError):
        raise UsageError(f"--redis: expected a URL such as 'redis://localhost:6379/0', "
                         f"got {url!r}") from None
    timeout = job_timeout(args.slice)
    return {
        "functions": [func(export_shard, name=JOB, max_tries=MAX_TRIES, timeout=timeout)],
        "redis_settings": redis,
        "queue_name": QUEUE,
        "max_jobs": args.concurrency,
        "job_timeout": timeout,
        "poll_delay": 0.2,
        "job_serializer": dumps,
        "job_deserializer": loads,
        "keep_result": 7 * 86400,
        "on_shutdown": _shutdown,
        "ctx": {
            "api_key": api_key, "base_url": base_url, "redis_url": url, "clients": {},
            "rate_limit": args.rate_limit, "slice": args.slice,
        },
    }


async def run_worker(args: argparse.Namespace) -> int:
    from arq.worker import Worker

    worker = Worker(**settings(args))  # SIGINT/SIGTERM: arq cancels the jobs, which requeue
    # arq holds a job for its timeout + 10 s after a crash; a second is margin enough here,
    # since a slice ends (and checkpoints) well inside its timeout
    worker.in_progress_timeout_s = job_timeout(args.slice) + 1.0
    sys.stderr.write(f"aiostripe worker: waiting for shards (concurrency {args.concurrency})\n")
    try:
        await worker.async_run()
    except asyncio.CancelledError:
        sys.stderr.write("aiostripe worker: stopped; its shards go back to the queue\n")
    finally:
        await worker.close()
    return 0
