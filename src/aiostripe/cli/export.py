"""`aiostripe export`: plan the shards of a listing, queue them for the workers, wait for them.

```
aiostripe export treasury.transactions --split financial_account=fa_1,fa_2,fa_3 \\
    --out export/ --redis redis://localhost:6379 --rate-limit 20
```

One shard per `--split` value (times `--windows N` `created` windows), one arq job per shard,
its id derived from the plan and the absolute `--out`, so a rerun (or a second `export` of the
same plan) waits for the jobs already queued instead of queueing them twice. The command shows
one progress line over all shards, keeps `DIR/manifest.json` up to date, and exits 0 when every
shard is complete; 1 when a shard failed (its error is in the manifest; rerun to resume).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import Any

from aiostripe.cli.budget import budget_options, redis_url
from aiostripe.cli.resources import resolve
from aiostripe.cli.shards import Plan, Shard, check_manifest, plan, shard_state, write_manifest
from aiostripe.cli.usage import PROG, UsageError
from aiostripe.cli.worker import JOB, QUEUE, dumps, loads, positive_int

POLL = 0.5
NO_WORKER_HINT = 5.0  # seconds without a worker taking any shard before the hint is shown
EXPIRES = 30 * 86400  # seconds a queued shard stays deliverable (arq's default is a day)


def add_parser(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "export",
        parents=[*parents, budget_options(redis_help="Redis URL of the workers' queue and of "
                                          "the rate budget they share")],
        help="export a list in shards over many workers (`aiostripe worker`)",
        description="Export every object of a list in shards, e.g. `aiostripe export "
        "treasury.transactions --split financial_account=fa_1,fa_2 --out export/ "
        "--redis redis://localhost:6379`.",
    )
    p.add_argument("resource", help="e.g. treasury.transactions, charges")
    p.add_argument("ids", nargs="*", help="ids in the path (customers.balance_transactions cus_1)")
    p.add_argument("--split", metavar="PARAM=V1,V2,...", help="one shard per value of PARAM")
    p.add_argument(
        "--windows", type=positive_int, metavar="N",
        help="cut each shard into N created windows (needs -p created[gte]= and created[lt]=)",
    )
    p.add_argument("--out", required=True, metavar="DIR", help="where the shards are written")
    p.add_argument(
        "--progress", action=argparse.BooleanOptionalAction, default=None,
        help="progress line on stderr (default: when stderr is a terminal)",
    )


async def export(args: argparse.Namespace) -> int:
    from arq.connections import RedisSettings, create_pool

    url = redis_url(args)
    if not url:
        raise UsageError("export needs --redis URL (or $AIOSTRIPE_REDIS_URL): the workers' queue")
    op = resolve(args.resource, "list")
    the_plan = plan(op, list(args.ids), list(args.param or []), args.split, args.windows)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {str(out)!r} is a file; expected a directory")
    out.mkdir(parents=True, exist_ok=True)
    rerun = check_manifest(out, the_plan)
    try:
        settings = RedisSettings.from_dsn(url)
        settings.conn_retries = 0
        pool = await create_pool(
            settings, job_serializer=dumps, job_deserializer=loads, default_queue_name=QUEUE
        )
    except (RuntimeError, ValueError) as exc:
        raise UsageError(f"--redis {url!r}: {exc}") from None
    try:
        return await _run(args, pool, the_plan, out, rerun)
    finally:
        await pool.aclose()


async def _run(args: argparse.Namespace, pool: Any, the_plan: Plan, out: Path, rerun: bool) -> int:
    from arq.jobs import Job

    export_id = the_plan.export_id(out)
    jobs = {s.name: Job(f"{export_id}:{s.name}", pool, _queue_name=QUEUE, _deserializer=loads)
            for s in the_plan.shards}
    queued = await _queue(pool, args, jobs, the_plan, out)
    show = sys.stderr.isatty() if args.progress is None else args.progress
    progress = _Progress(show, len(the_plan.shards))
    while True:
        states = {s.name: await _poll(jobs[s.name], _state(out, s)) for s in the_plan.shards}
        write_manifest(out, the_plan, states)
        progress.update(states)
        failed = {n: s["error"] for n, s in states.items() if s["state"] == "failed"}
        if failed:
            progress.done()
            name, error = next(iter(failed.items()))
            more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
            sys.stderr.write(f"{PROG}: error: shard {name!r} failed: {error}{more}; "
                             "see manifest.json, then rerun to resume\n")
            return 1
        if all(s["state"] == "done" for s in states.values()):
            progress.done(" (already complete)" if rerun and not queued else "")
            return 0
        await asyncio.sleep(POLL)


async def _queue(
    pool: Any, args: argparse.Namespace, jobs: dict[str, Any], the_plan: Plan, out: Path
) -> int:
    """Queue every unfinished shard that is not queued or running already (a shard whose job
    ended, failed or not, is queued again: a rerun retries it); returns how many."""
    from arq.constants import result_key_prefix
    from arq.jobs import JobStatus

    queued = 0
    for shard in the_plan.shards:
        if _state(out, shard)["state"] == "done":
            continue
        job = jobs[shard.name]
        status = await job.status()
        if status is JobStatus.complete:
            await pool.delete(result_key_prefix + job.job_id)
            status = JobStatus.not_found
        if status is JobStatus.not_found:
            spec = {
                "name": shard.name, "resource": the_plan.resource, "ids": shard.ids,
                "params": shard.params, "file": str((out / shard.file).resolve()),
                "max_wait": args.max_wait, "rate_limit": args.rate_limit,
            }
            await pool.enqueue_job(JOB, spec, _job_id=job.job_id, _expires=EXPIRES)
            queued += 1
    return queued


async def _poll(job: Any, state: dict[str, Any]) -> dict[str, Any]:
    """A shard's state: its cursor file's, and its job's when it is not done."""
    from arq.jobs import JobStatus

    if state["state"] == "done":
        return state
    status = await job.status()
    if status is JobStatus.in_progress:
        return {**state, "state": "running"}
    if status is JobStatus.complete:
        info = await job.result_info()
        if info is not None and not info.success:
            return {**state, "state": "failed", "error": str(info.result)}
    return state


def _state(out: Path, shard: Shard) -> dict[str, Any]:
    saved = shard_state(out, shard)
    state = "done" if saved.get("complete") else ("started" if saved else "queued")
    return {**saved, "state": state}


class _Progress:
    """One `\\r` line on stderr over all shards: shards done, objects, rate."""

    def __init__(self, enabled: bool, total: int) -> None:
        self.enabled = enabled
        self.total = total
        self.start = time.monotonic()
        self.base: int | None = None
        self.line = ""
        self.hinted = False

    def update(self, states: dict[str, dict[str, Any]]) -> None:
        self._hint_if_no_worker(states)
        objects = sum(int(s.get("objects", 0)) for s in states.values())
        if self.base is None:
            self.base = objects
        done = sum(1 for s in states.values() if s["state"] == "done")
        running = sum(1 for s in states.values() if s["state"] in ("running", "started"))
        rate = (objects - self.base) / max(time.monotonic() - self.start, 1e-6)
        self.line = (f"\r{done}/{self.total} shards done, {running} in progress, "
                     f"{objects:,} objects ({rate:,.0f}/s)   ")
        if self.enabled:
            sys.stderr.write(self.line)
            sys.stderr.flush()

    def _hint_if_no_worker(self, states: dict[str, dict[str, Any]]) -> None:
        """Once, after NO_WORKER_HINT seconds in which no shard was taken: say what is missing."""
        if self.hinted or time.monotonic() - self.start < NO_WORKER_HINT:
            return
        if any(s["state"] != "queued" for s in states.values()):
            self.hinted = True  # a worker is there
            return
        self.hinted = True
        newline = "\n" if self.enabled else ""  # after the progress line
        sys.stderr.write(
            f"{newline}{PROG}: no worker has taken a shard after "
            f"{NO_WORKER_HINT:.0f}s: start one (or more) with `aiostripe worker`, using the same "
            "Redis (--redis or $AIOSTRIPE_REDIS_URL) and API key; the export waits for them\n"
        )
        sys.stderr.flush()

    def done(self, note: str = "") -> None:
        if self.enabled:
            sys.stderr.write(self.line + note + "\n")
            sys.stderr.flush()
