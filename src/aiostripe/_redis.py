"""The redis-py clients of the shared rate budget and of the export queue, made in one place.

Every command of these clients keeps the caller's cancellation. redis-py (5 to 8) sends each
command through `asyncio.wait_for(..., socket_timeout)`, and on Python 3.11 `asyncio.wait_for`
loses a cancellation that arrives as the command completes (fixed in 3.12): the command returns
its reply as if nothing happened, and the cancelled task goes on. Against a local Redis about half
of the cancellations that land during a command were lost that way. A listing whose read-ahead
task swallowed the cancel of its `aclose()` waited forever, and with it an export worker's slice
(issue 25). `_Redis.execute_command` notices a cancellation requested during the command that did
not end it, and raises `CancelledError` then: the command has run in Redis, as when a cancel lands
just after it, and the caller's cancellation goes on as asked.
"""

from __future__ import annotations

import asyncio
from typing import Any

import redis.asyncio as aioredis


class _Redis(aioredis.Redis):
    """`redis.asyncio.Redis` whose commands never swallow a cancellation."""

    async def execute_command(self, *args: Any, **options: Any) -> Any:
        task = asyncio.current_task()
        before = task.cancelling() if task is not None else 0
        reply = await super().execute_command(*args, **options)  # type: ignore[no-untyped-call]
        if task is not None and task.cancelling() > before:
            raise asyncio.CancelledError  # requested during the command, lost by wait_for
        return reply


def connect(url: str, timeout: float) -> Any:
    """A client of the Redis at `url` whose connections and replies time out after `timeout`
    seconds (no connection is made before the first command). ValueError for a malformed URL."""
    return _Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
