"""One rate budget in Redis, shared by every client of every process that uses the same key.

`RateLimit(20, redis="redis://localhost:6379")` makes a client take its turns here instead of in
its own token bucket:

- **GCRA in one Lua script**, one round trip per attempt: the script reads Redis's clock (one
  clock for every process and machine), reserves the attempt's slot in every bucket it belongs
  to and answers how long to wait for it. Slots are handed out in the order the attempts reach
  Redis, so processes with the same demand get the same share. An attempt whose slot would come
  after its deadline reserves nothing.
- **Buckets.** Always the account's (`rate`, `burst`); with `endpoint_limits=True` also one per
  endpoint class with Stripe's documented defaults: search 20/s, files 20 reads/s and 20
  writes/s, any other endpoint (method + path with the ids taken out) 25/s.
- **A shared pause.** A 429 or 503 with `Retry-After` seen by any process holds every process
  until it is over (the pause key); the buckets' slots are reckoned from its end.
- **Keys** default to the account: a fingerprint (SHA-256, 16 hex digits) of the API key and
  `Stripe-Account`, never the key itself: `aiostripe:rate:{<fingerprint>}:all`. The braces keep
  one account's keys in one Redis Cluster slot.
- **Redis unreachable** (refused, timed out, any Redis error) **or answering nonsense** (a reply
  that is not what the script returns: NaN, inf, negative, wrong type, short, nil): the client
  falls back to its own local token bucket with the same `RateLimit`, logs one warning, and
  tries Redis again every `RETRY_REDIS_AFTER` seconds; when Redis answers again it logs that and
  shares again. A request never fails or hangs because the limiter's Redis is down or poisoned;
  meanwhile N processes may send up to N times the rate, and the 429s that may bring are retried
  as usual. A shared pause never holds longer than `max_pause` (the client's `max_retry_after`),
  whatever the pause key holds.
- **Passwords** in the Redis URL (userinfo or `?password=`) never reach a message or a repr:
  `redact_url`.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

if TYPE_CHECKING:
    from aiostripe._ratelimit import RateLimit

logger = logging.getLogger("aiostripe")

RETRY_REDIS_AFTER = 1.0
"""Seconds of local fallback before Redis is tried again."""
REDIS_TIMEOUT = 0.5
"""Seconds a connection to Redis, or one reply, may take before Redis counts as unreachable."""

KEY_PREFIX = "aiostripe:rate:"

SEARCH_RATE = 20.0
FILES_RATE = 20.0
ENDPOINT_RATE = 25.0

# KEYS[1]: the pause; KEYS[2..n]: buckets. ARGV[1]: the longest wait worth reserving;
# ARGV[2]: the longest pause obeyed (a pause key holding more, or not a number, counts as that);
# then per bucket: its emission interval (1 / rate) and its burst.
# Returns {reserved 0/1, wait seconds (a string: Lua numbers become integers), paused 0/1}.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local pause = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
local longest = now + tonumber(ARGV[2])
if pause ~= pause or pause > longest then
  pause = longest  -- poisoned (NaN, inf, years away): obeyed for the longest pause, then gone
  redis.call('SET', KEYS[1], string.format('%.6f', longest), 'PX', math.ceil(ARGV[2] * 1000) + 1)
end
local start = math.max(now, pause)
local go = start
local tats = {}
for i = 2, #KEYS do
  local interval = tonumber(ARGV[2 * i - 1])
  local burst = tonumber(ARGV[2 * i])
  local tat = tonumber(redis.call('GET', KEYS[i]) or '0') or 0
  if tat ~= tat or tat > longest + 3600 then tat = 0 end
  tat = math.max(tat, start)
  tats[i] = tat
  go = math.max(go, tat + interval - burst * interval)
end
local wait = go - now
local paused = (pause > now) and 1 or 0
if wait >= tonumber(ARGV[1]) then
  return {0, string.format('%.6f', wait), paused}
end
for i = 2, #KEYS do
  local interval = tonumber(ARGV[2 * i - 1])
  local tat = math.max(tats[i], go) + interval
  local ttl = math.ceil((tat - now) * 1000) + 1000
  redis.call('SET', KEYS[i], string.format('%.6f', tat), 'PX', ttl)
end
return {1, string.format('%.6f', wait), paused}
"""

# KEYS[1]: the pause; ARGV[1]: seconds from now; ARGV[2]: the longest pause. The pause only ever
# grows (a key holding more than the longest pause, or not a number, is replaced).
_PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local untill = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
if current ~= current or untill > current or current > now + tonumber(ARGV[2]) then
  redis.call('SET', KEYS[1], string.format('%.6f', untill), 'PX', math.ceil(ARGV[1] * 1000) + 1000)
end
return 1
"""

_ID_SEGMENT = re.compile(r"[0-9A-Z]")


def account_key(api_key: str, stripe_account: str | None) -> str:
    """The default key of an account's budget: a fingerprint, never the key itself."""
    digest = hashlib.sha256(f"{api_key}\0{stripe_account or ''}".encode()).hexdigest()[:16]
    return f"{KEY_PREFIX}{{{digest}}}"


def endpoint(method: str, path: str) -> str:
    """`GET /v1/customers/{id}`: the endpoint of a request, its ids replaced by `{id}`."""
    parts = path.split("?", 1)[0].strip("/").split("/")
    shape = [parts[0], *("{id}" if _ID_SEGMENT.search(p) else p for p in parts[1:])]
    return f"{method.upper()} /{'/'.join(shape)}"


def buckets(limit: RateLimit, key: str, method: str, path: str) -> list[tuple[str, float, int]]:
    """The buckets an attempt takes a slot in: (Redis key, rate, burst)."""
    out = [(f"{key}:all", limit.rate, limit.burst)]
    if limit.endpoint_limits:
        write = method.upper() != "GET"
        if path.endswith("/search"):
            out.append((f"{key}:search", SEARCH_RATE, min(limit.burst, int(SEARCH_RATE))))
        elif path.startswith("/v1/files"):
            kind = "write" if write else "read"
            out.append((f"{key}:files:{kind}", FILES_RATE, min(limit.burst, int(FILES_RATE))))
        else:
            name = endpoint(method, path)
            out.append((f"{key}:ep:{name}", ENDPOINT_RATE, min(limit.burst, int(ENDPOINT_RATE))))
    return out


_QUERY_SECRETS = ("password", "pass", "pwd", "auth")


def redact_url(url: str) -> str:
    """A Redis URL without its credentials, for messages and reprs: the userinfo (up to the last
    `@` before the path, so a password may hold `@`) and any `password=` query value."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return "***" if "@" in url else url
    # the userinfo ends at the last `@` (a password may hold `@`, `/`, `?` or `#`): at worst a
    # query value holding `@` hides more than it must, never a secret
    at = rest.rfind("@")
    if at != -1:
        rest = "***@" + rest[at + 1 :]
    path_at = len(rest)
    for mark in "?#":
        found = rest.find(mark)
        if found != -1:
            path_at = min(path_at, found)
    head, tail = rest[:path_at], rest[path_at:]
    query, hash_, fragment = tail.partition("#")
    if query.startswith("?"):
        pairs = parse_qsl(query[1:], keep_blank_values=True)
        if any(k.lower() in _QUERY_SECRETS for k, _ in pairs):
            query = "?" + urlencode(
                [(k, "***" if k.lower() in _QUERY_SECRETS else v) for k, v in pairs], safe="*"
            )
    return f"{scheme}://{head}{query}{hash_}{'***' if fragment else ''}"


def scrub(text: str, url: str) -> str:
    """`text` (an error's) with any secret of `url` in it replaced: the URL itself, and its
    password, raw or decoded, wherever it shows."""
    from urllib.parse import unquote, urlsplit

    out = text.replace(url, redact_url(url))
    secrets: set[str] = set()
    try:
        parts = urlsplit(url)
        if parts.password:
            secrets |= {parts.password, unquote(parts.password)}
        if parts.username:
            secrets |= {parts.username, unquote(parts.username)}
        for key, value in parse_qsl(parts.query, keep_blank_values=True):
            if key.lower() in _QUERY_SECRETS and value:
                secrets |= {value, unquote(value)}
    except ValueError:
        pass
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= 3:
            out = out.replace(secret, "***")
    return out


class BudgetReplyError(Exception):
    """Redis answered the budget script with something it never returns (a poisoned key, a
    proxy, another server): treated like Redis being down."""


def check_reply(reply: object, max_pause: float) -> tuple[float, bool, bool]:
    """The budget script's reply as (wait, reserved, paused), or `BudgetReplyError`."""
    if not isinstance(reply, list | tuple) or len(reply) != 3:
        raise BudgetReplyError(f"expected 3 values, got {_brief(reply)}")
    reserved, wait_raw, paused = reply
    if reserved not in (0, 1) or paused not in (0, 1) or isinstance(reserved, bool):
        raise BudgetReplyError(f"expected flags 0/1, got {_brief(reply)}")
    if not isinstance(wait_raw, bytes | str):
        raise BudgetReplyError(f"expected a wait in seconds, got {_brief(reply)}")
    try:
        wait = float(wait_raw)
    except ValueError:
        raise BudgetReplyError(f"expected a wait in seconds, got {_brief(reply)}") from None
    if not math.isfinite(wait) or wait < 0:
        raise BudgetReplyError(f"expected a wait >= 0, got {_brief(reply)}")
    if paused:
        wait = min(wait, max_pause)  # a pause longer than the client obeys is cut to that
    return wait, bool(reserved), bool(paused)


def _brief(reply: object) -> str:
    text = repr(reply)
    return text if len(text) <= 80 else text[:77] + "..."


class SharedBudget:
    """The Redis side of a client's `Gate`: reservations in the shared buckets, the shared pause,
    and whether Redis is reachable right now (else the gate uses its local bucket)."""

    def __init__(self, limit: RateLimit, key: str, max_pause: float = 60.0) -> None:
        assert limit.redis is not None
        self.limit = limit
        self.max_pause: float = max_pause
        """The longest shared pause obeyed (the client's `max_retry_after`)."""
        self.url: str = limit.redis
        self.key: str = limit.key or key
        self.pause_key: str = f"{self.key}:pause"
        self._redis: Any = None
        self._acquire: Any = None
        self._pause: Any = None
        self._down_until: float | None = None
        """Loop time until which Redis is not tried again (None: Redis is up)."""
        self._tasks: set[asyncio.Task[None]] = set()

    def _client(self) -> Any:
        if self._redis is None:
            from aiostripe._redis import connect

            self._redis = connect(self.url, REDIS_TIMEOUT)
            self._acquire = self._redis.register_script(_ACQUIRE)
            self._pause = self._redis.register_script(_PAUSE)
        return self._redis

    def usable(self, now: float) -> bool:
        """Whether to ask Redis now (it is up, or its fallback period is over)."""
        return self._down_until is None or now >= self._down_until

    async def reserve(self, method: str, path: str, max_wait: float) -> tuple[float, bool, bool]:
        """Reserve this attempt's slot: (seconds to wait, reserved, in a shared pause).

        Nothing is reserved when the wait would be `max_wait` or longer. Raises the Redis error
        when Redis cannot be reached (the caller then falls back, see `went_down`)."""
        client = self._client()
        acquire = self._acquire
        found = buckets(self.limit, self.key, method, path)
        keys = [self.pause_key, *(name for name, _, _ in found)]
        args: list[Any] = [f"{max_wait:.6f}", f"{self.max_pause:.6f}"]
        for _, rate, burst in found:
            args += [f"{1.0 / rate:.9f}", burst]
        try:
            reply = await acquire(keys=keys, args=args)
        finally:
            if client is not self._redis:  # dropped while this call was in flight: close the
                self._spawn(client.aclose())  # connection it may have opened since
        wait, reserved, paused = check_reply(reply, self.max_pause)
        if self._down_until is not None:
            self._down_until = None
            logger.warning(
                "aiostripe: Redis at %s answers again: the rate budget is shared again",
                redact_url(self.url),
            )
        return wait, reserved, paused

    def went_down(self, now: float, exc: BaseException) -> None:
        """Redis failed: use the local bucket for `RETRY_REDIS_AFTER` seconds (warn once)."""
        if self._down_until is None:
            what = "answers nonsense" if isinstance(exc, BudgetReplyError) else "unreachable"
            logger.warning(
                "aiostripe: Redis at %s %s (%s: %s): this process paces itself alone "
                "at %g requests/s until Redis answers again",
                redact_url(self.url), what, type(exc).__name__, scrub(str(exc), self.url),
                self.limit.rate,
            )
        self._down_until = now + RETRY_REDIS_AFTER
        self._drop_connections()

    def _drop_connections(self) -> None:
        redis, self._redis = self._redis, None
        if redis is not None:
            self._spawn(redis.aclose())

    def pause(self, seconds: float) -> None:
        """Hold every process on this budget for `seconds` (a 429/503 with Retry-After); sent
        in the background, best effort."""
        if self._down_until is None and seconds > 0:
            self._spawn(self._send_pause(min(seconds, self.max_pause)))

    async def _send_pause(self, seconds: float) -> None:
        try:
            self._client()
            await self._pause(
                keys=[self.pause_key], args=[f"{seconds:.6f}", f"{self.max_pause:.6f}"]
            )
        except Exception as exc:  # noqa: BLE001 - best effort; the next reservation reports it
            logger.debug("aiostripe: could not share a pause through Redis: %s",
                         scrub(str(exc), self.url))

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        tasks = list(self._tasks)
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        redis, self._redis = self._redis, None
        if redis is not None:
            await redis.aclose()
