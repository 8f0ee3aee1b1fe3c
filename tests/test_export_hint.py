"""`aiostripe export` with no worker running says so (issue 26, item 12): after a few seconds in
which no shard was taken, one line on stderr names `aiostripe worker`. A real export process
and a real redis-server; no worker started."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path


async def test_export_without_a_worker_hints_at_aiostripe_worker(
    tmp_path: Path, redis_url: str
) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "aiostripe", "export", "treasury.transactions",
        "--split", "financial_account=fa_1", "--out", str(tmp_path / "out"),
        "--redis", redis_url, "--no-progress",
        env={**os.environ, "STRIPE_API_KEY": "sk_test_hint"},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stderr is not None
    try:
        async with asyncio.timeout(60):
            line = (await proc.stderr.readline()).decode()
    finally:
        proc.kill()
        await proc.wait()
    assert "no worker has taken a shard" in line and "`aiostripe worker`" in line, line
