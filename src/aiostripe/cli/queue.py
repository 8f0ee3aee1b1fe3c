"""The export's queue in Redis: shards as jobs, leases with fencing tokens, heartbeats.

A small queue of our own on redis-py (docs/decisions.md says why not arq, saq, taskiq, streaq
or Celery). Keys, all under `aiostripe:export:`:

- `ready`: a list of job ids waiting for a worker;
- `running`: the set of job ids some worker holds;
- `job:<id>`: a hash: `spec` (JSON), `sig` (its HMAC, or empty), `state` (queued, running,
  done, failed, refused), `error`, `epoch` (the fencing token: +1 at every claim), `progress`
  (JSON: the committed segments, cursor and counts);
- `lease:<id>`: `<epoch>:<worker>`, expiring `lease` seconds after the last heartbeat.

Every change a worker makes to a job (heartbeat, checkpoint, hand-back, end) is one Lua script
that first checks the lease still holds the worker's `<epoch>:<worker>` token: a worker whose
lease lapsed (paused, cut off from Redis) is refused, stops, and its work since its last
checkpoint is discarded. Any worker reaps lapsed leases (their job goes back first in line), so
a dead or paused worker's shard is taken over within `lease` seconds plus a heartbeat.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from typing import Any

import attrs

PREFIX = "aiostripe:export:"
ENV_SECRET = "AIOSTRIPE_QUEUE_SECRET"
ENV_LEASE = "AIOSTRIPE_EXPORT_LEASE"
DEFAULT_LEASE = 4.0
"""Seconds a lease lives without a heartbeat (heartbeats come 4 times as often)."""
JOB_TTL = 30 * 86400
"""Seconds a job's hash outlives its last change."""

# KEYS: job, ready. ARGV: id, spec, sig, ttl. Queues a new, failed, refused or done job (a done one
# whose files are gone starts over: its progress is cleared); a queued or running one stays.
_ENQUEUE = """
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'queued' or state == 'running' then return 0 end
if state == 'done' then redis.call('HDEL', KEYS[1], 'progress') end
redis.call('HSET', KEYS[1], 'spec', ARGV[2], 'sig', ARGV[3], 'state', 'queued', 'error', '')
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('LREM', KEYS[2], 0, ARGV[1])
redis.call('RPUSH', KEYS[2], ARGV[1])
return 1
"""

# KEYS: ready, running. ARGV: prefix, worker, lease ms.
_CLAIM = """
local id = redis.call('LPOP', KEYS[1])
if not id then return false end
local job = ARGV[1] .. 'job:' .. id
if redis.call('EXISTS', job) == 0 then return {id, -1, '', '', ''} end
local epoch = redis.call('HINCRBY', job, 'epoch', 1)
redis.call('SET', ARGV[1] .. 'lease:' .. id, epoch .. ':' .. ARGV[2], 'PX', ARGV[3])
redis.call('SADD', KEYS[2], id)
redis.call('HSET', job, 'state', 'running')
return {id, epoch, redis.call('HGET', job, 'spec') or '', redis.call('HGET', job, 'sig') or '',
        redis.call('HGET', job, 'progress') or ''}
"""

# KEYS: lease. ARGV: token, lease ms.
_HEARTBEAT = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
"""

# KEYS: lease, job. ARGV: token, lease ms, progress, ttl.
_COMMIT = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('HSET', KEYS[2], 'progress', ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[4])
return 1
"""

# KEYS: lease, job, running, ready. ARGV: token, id, state, error.
_END = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[3], ARGV[2])
redis.call('HSET', KEYS[2], 'state', ARGV[3], 'error', ARGV[4])
if ARGV[3] == 'queued' then redis.call('RPUSH', KEYS[4], ARGV[2]) end
return 1
"""

# KEYS: running, ready. ARGV: prefix. Jobs whose lease lapsed go back, first in line.
_REAP = """
local n = 0
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[1] .. 'lease:' .. id) == 0 then
    redis.call('SREM', KEYS[1], id)
    local job = ARGV[1] .. 'job:' .. id
    if redis.call('EXISTS', job) == 1 and redis.call('HGET', job, 'state') == 'running' then
      redis.call('HSET', job, 'state', 'queued')
      redis.call('LREM', KEYS[2], 0, id)
      redis.call('LPUSH', KEYS[2], id)
      n = n + 1
    end
  end
end
return n
"""


def lease_seconds() -> float:
    """The lease (`$AIOSTRIPE_EXPORT_LEASE`, default 4 s; short ones for tests)."""
    raw = os.environ.get(ENV_LEASE)
    try:
        value = float(raw) if raw else DEFAULT_LEASE
    except ValueError:
        value = DEFAULT_LEASE
    return value if 0.2 <= value <= 600 else DEFAULT_LEASE


def secret() -> bytes | None:
    """The shared secret jobs are signed with (`$AIOSTRIPE_QUEUE_SECRET`), if any."""
    raw = os.environ.get(ENV_SECRET)
    return raw.encode() if raw else None


def canonical(spec: dict[str, Any]) -> str:
    return json.dumps(spec, sort_keys=True, separators=(",", ":"))


def sign(spec_text: str, key: bytes) -> str:
    return hmac.new(key, spec_text.encode(), hashlib.sha256).hexdigest()


def signed_by(spec_text: str, sig: str, key: bytes) -> bool:
    return hmac.compare_digest(sign(spec_text, key), sig)


@attrs.frozen
class Lease:
    """A worker's hold on a job: its epoch (the fencing token) and what the job held then."""

    job_id: str
    epoch: int
    worker: str
    spec: str
    sig: str
    progress: str

    @property
    def token(self) -> str:
        return f"{self.epoch}:{self.worker}"


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class Queue:
    """The queue's operations over one redis-py asyncio client."""

    def __init__(self, redis: Any, lease: float) -> None:
        self.redis = redis
        self.lease = lease
        self.lease_ms: int = max(1, int(lease * 1000))
        self._enqueue = redis.register_script(_ENQUEUE)
        self._claim = redis.register_script(_CLAIM)
        self._heartbeat = redis.register_script(_HEARTBEAT)
        self._commit = redis.register_script(_COMMIT)
        self._end = redis.register_script(_END)
        self._reap = redis.register_script(_REAP)

    @staticmethod
    def job_key(job_id: str) -> str:
        return f"{PREFIX}job:{job_id}"

    @staticmethod
    def lease_key(job_id: str) -> str:
        return f"{PREFIX}lease:{job_id}"

    async def enqueue(self, job_id: str, spec_text: str, sig: str) -> bool:
        keys = [self.job_key(job_id), PREFIX + "ready"]
        return bool(await self._enqueue(keys=keys, args=[job_id, spec_text, sig, JOB_TTL]))

    async def claim(self, worker: str) -> Lease | None:
        found = await self._claim(
            keys=[PREFIX + "ready", PREFIX + "running"], args=[PREFIX, worker, self.lease_ms]
        )
        if not found:
            return None
        job_id, epoch, spec, sig, progress = (_text(x) for x in found)
        return Lease(job_id, int(epoch), worker, spec, sig, progress)

    async def heartbeat(self, lease: Lease) -> bool:
        keys = [self.lease_key(lease.job_id)]
        return bool(await self._heartbeat(keys=keys, args=[lease.token, self.lease_ms]))

    async def commit(self, lease: Lease, progress: dict[str, Any]) -> bool:
        """Record a checkpoint, if the lease is still this worker's (else False: fenced)."""
        keys = [self.lease_key(lease.job_id), self.job_key(lease.job_id)]
        args = [lease.token, self.lease_ms, json.dumps(progress), JOB_TTL]
        return bool(await self._commit(keys=keys, args=args))

    async def end(self, lease: Lease, state: str, error: str = "") -> bool:
        """Let go of the job: `queued` (handed back), `done`, `failed` or `refused`."""
        keys = [self.lease_key(lease.job_id), self.job_key(lease.job_id),
                PREFIX + "running", PREFIX + "ready"]
        return bool(await self._end(keys=keys, args=[lease.token, lease.job_id, state, error]))

    async def reap(self) -> int:
        return int(await self._reap(keys=[PREFIX + "running", PREFIX + "ready"], args=[PREFIX]))

    async def status(self, job_id: str) -> dict[str, str]:
        """A job's state, error and progress as stored (empty: no such job)."""
        raw = await self.redis.hmget(self.job_key(job_id), ["state", "error", "progress"])
        state, error, progress = (None if x is None else _text(x) for x in raw)
        if state is None:
            return {}
        return {"state": state, "error": error or "", "progress": progress or ""}
