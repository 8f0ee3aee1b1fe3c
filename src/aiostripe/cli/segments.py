"""One slice of a shard under a lease: pages into a segment file of its own, checkpoints fenced
in Redis, and at the end the shard's file assembled from the committed segments and verified.

Each lease (epoch `E`) writes a new file, `DIR/<shard>.jsonl.e<E>.part` (created exclusively,
never through a symlink, 0600). After every page it flushes the file and commits, in one fenced
Lua call, the shard's progress: the committed `[epoch, bytes]` of every segment so far, the list
cursor and the counts. A worker whose lease lapsed is refused at its next commit (or heartbeat),
stops, and what it wrote past its last commit sits in its own segment, which nobody reads. The
next lease goes on from the committed cursor in a segment of its own.

When the list is over, the shard's file is built from the committed bytes of the segments, in
order, into a private temporary file, verified (every line a JSON object with an `id`, no id
twice, as many as the progress counted), and only then renamed to `DIR/<shard>.jsonl` and its
cursor file written with `complete: true`. Two workers that both got there (one of them stale)
build the same bytes from the same committed segments, so the file is right either way.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from pathlib import Path
from typing import Any

from aiostripe import _json
from aiostripe.cli.cursor import CURSOR_SUFFIX, STATE_VERSION, create_private, write_state
from aiostripe.cli.queue import Lease, Queue
from aiostripe.cli.trust import Job

logger: logging.Logger = logging.getLogger("aiostripe")
_COPY = 1 << 20


class Fenced(Exception):
    """This worker's lease is gone (another worker holds the shard): stop, discard."""


class Unverified(Exception):
    """The assembled file is not what the progress says: the shard fails (never `complete`)."""


def fresh_progress() -> dict[str, Any]:
    return {"segments": [], "cursor": None, "objects": 0, "pages": 0, "complete": False}


def load_progress(raw: str) -> dict[str, Any]:
    """The committed progress (a fresh one when there is none or it is not ours)."""
    try:
        found = json.loads(raw) if raw else None
    except ValueError:
        found = None
    if not isinstance(found, dict):
        return fresh_progress()
    ok = (
        isinstance(found.get("segments"), list)
        and all(isinstance(s, list) and len(s) == 2 and all(isinstance(x, int) and x >= 0
                                                             for x in s)
                for s in found["segments"])
        and isinstance(found.get("cursor"), str | type(None))
        and isinstance(found.get("objects"), int) and found["objects"] >= 0
        and isinstance(found.get("pages"), int) and found["pages"] >= 0
        and isinstance(found.get("complete"), bool)
    )
    return found if ok else fresh_progress()


def segment_path(job: Job, epoch: int) -> Path:
    return job.out / f"{job.shard.file}.e{epoch}.part"


async def run_slice(
    queue: Queue, lease: Lease, job: Job, call: Any, progress: dict[str, Any], seconds: float
) -> bool:
    """Export the shard from its committed progress for up to `seconds`; True when the list is
    over (then assemble), False when the slice ran out (hand the shard back). `Fenced` when the
    lease is lost."""
    segments: list[list[int]] = [list(s) for s in progress["segments"]]
    cursor, objects, pages = progress["cursor"], progress["objects"], progress["pages"]
    path = segment_path(job, lease.epoch)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()  # a leftover of a Redis that lost its epochs; never followed if a symlink
    fd = create_private(path, exclusive=True)
    out = os.fdopen(fd, "wb")
    complete = False

    async def commit() -> None:
        out.flush()
        os.fsync(out.fileno())
        size = out.tell()
        mine = [[lease.epoch, size]] if size else []
        state = {"segments": segments + mine, "cursor": cursor, "objects": objects,
                 "pages": pages, "complete": complete}
        if not await queue.commit(lease, state):
            raise Fenced
        progress.update(state)

    try:
        request = call(*job.shard.ids, **job.shard.params)
        it = request.auto_paging_iter(prefetch=1, resume_from=cursor, max_wait=job.max_wait)
        timer = asyncio.timeout(seconds)
        try:
            async with timer, it:
                seen = 0
                async for obj in it:
                    if it.pages_seen != seen:
                        if seen:
                            await commit()  # every object of the previous page is written
                        pages += it.pages_seen - seen
                        seen = it.pages_seen
                    data = obj.to_dict() if hasattr(obj, "to_dict") else obj
                    out.write((_json.dumps(data) + "\n").encode())
                    objects += 1
                    cursor = it.cursor
                pages += it.pages_seen - seen
        except TimeoutError:
            if not timer.expired():
                raise
            # lines past the last page boundary are not committed: the next lease redoes them
            return False
        complete = True
        await commit()
        return True
    finally:
        out.close()


def assemble(job: Job, lease: Lease, progress: dict[str, Any]) -> Path:
    """Build the shard's file from the committed segments into a private temporary file and
    verify it; returns the temporary file (the caller renames it once the lease still holds)."""
    tmp = job.out / f".{job.shard.file}.e{lease.epoch}.tmp"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    fd = create_private(tmp, exclusive=True)
    try:
        with os.fdopen(fd, "wb") as dst:
            for epoch, size in progress["segments"]:
                flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
                with os.fdopen(os.open(segment_path(job, epoch), flags), "rb") as src:
                    left = size
                    while left:
                        chunk = src.read(min(_COPY, left))
                        if not chunk:
                            raise Unverified(f"segment e{epoch} is shorter than its {size} bytes")
                        dst.write(chunk)
                        left -= len(chunk)
            dst.flush()
            os.fsync(dst.fileno())
        verify(tmp, progress["objects"])
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return tmp


def verify(path: Path, expected: int) -> None:
    """Every line a JSON object with a string `id`, no id twice, `expected` lines."""
    ids: set[str] = set()
    count = 0
    with path.open("rb") as f:
        for number, line in enumerate(f, 1):
            try:
                obj = json.loads(line)
            except ValueError:
                raise Unverified(f"line {number} is not JSON") from None
            oid = obj.get("id") if isinstance(obj, dict) else None
            if not isinstance(oid, str):
                raise Unverified(f"line {number} is not an object with an id")
            if oid in ids:
                raise Unverified(f"line {number}: {oid} is there twice")
            ids.add(oid)
            count += 1
    if count != expected:
        raise Unverified(f"{count} objects, but {expected} were exported")


def publish(job: Job, tmp: Path, progress: dict[str, Any]) -> None:
    """The verified file in place, then its cursor file saying `complete`."""
    final = job.file
    os.replace(tmp, final)
    same = {k: v for k, v in job.shard.params.items() if k != "limit"}
    write_state(final.with_name(final.name + CURSOR_SUFFIX), {
        "version": STATE_VERSION, "command": "list", "resource": job.op.resource,
        "ids": job.shard.ids, "params": same, "cursor": progress["cursor"],
        "offset": final.stat().st_size, "objects": progress["objects"],
        "pages": progress["pages"], "complete": True, "verified": True,
    })


def clean(job: Job) -> None:
    """Remove the shard's segment files (after it is done)."""
    for part in job.out.glob(f"{_glob_escape(job.shard.file)}.e*.part"):
        with contextlib.suppress(OSError):
            part.unlink()


def _glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)
