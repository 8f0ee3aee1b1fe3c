"""Faults on demand: failed requests, dropped connections, truncated bodies, latency, rate limits.

```python
fake.faults.fail_next(2, status=500)                    # the next two requests get a 500
fake.faults.fail_next(1, status=429, retry_after=1.5, path="/v1/customers")
fake.faults.drop_connection_next(1)                     # close the socket, no response
fake.faults.truncate_next(1)                            # half a body, then close
fake.faults.latency(0.2, path="/v1/customers/*")        # every matching request waits
fake.faults.rate_limit(5)                               # 429 `rate_limit` above 5 requests/s
fake.faults.lock_timeout(1)                             # 429 `lock_timeout` once
fake.faults.clear()
```

`path` matches the request path exactly, the operation's template (`/v1/customers/{customer}`),
or a glob (`/v1/customers/*`); `method` is an HTTP verb. One-shot faults are used up in the order
they were added.
"""

from __future__ import annotations

import fnmatch
import time
from collections import deque
from collections.abc import Mapping
from typing import Any

import attrs


@attrs.define
class Fault:
    """One scripted fault; `remaining` None means it lasts until `clear()`."""

    kind: str
    remaining: int | None
    path: str | None = None
    method: str | None = None
    status: int = 500
    body: Mapping[str, Any] | str | bytes | None = None
    headers: dict[str, str] = attrs.Factory(dict)
    seconds: float = 0.0
    after_handling: bool = False

    def matches(self, method: str, path: str, template: str | None) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        if self.path is None:
            return True
        return self.path == path or self.path == template or fnmatch.fnmatchcase(path, self.path)


class Faults:
    """The faults scripted on one fake server."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._rps: float | None = None
        self._window: deque[float] = deque()

    def fail_next(
        self,
        n: int = 1,
        status: int = 500,
        body: Mapping[str, Any] | str | bytes | None = None,
        path: str | None = None,
        method: str | None = None,
        retry_after: float | None = None,
        should_retry: bool | None = None,
    ) -> None:
        """Answer the next `n` matching requests with `status` and `body` (by default Stripe's
        error for that status; a str or bytes body is sent as is, to test broken JSON), with a
        `Retry-After` and a `Stripe-Should-Retry` header when given."""
        headers: dict[str, str] = {}
        if retry_after is not None:
            headers["Retry-After"] = f"{retry_after:g}"
        if should_retry is not None:
            headers["Stripe-Should-Retry"] = "true" if should_retry else "false"
        self._add(Fault("fail", n, path, method, status, body, headers))

    def drop_connection_next(
        self,
        n: int = 1,
        path: str | None = None,
        method: str | None = None,
        after_handling: bool = False,
    ) -> None:
        """Close the connection of the next `n` matching requests without answering; with
        `after_handling` the request is carried out first (the client cannot know it was)."""
        self._add(Fault("drop", n, path, method, after_handling=after_handling))

    def truncate_next(self, n: int = 1, path: str | None = None, method: str | None = None) -> None:
        """Carry out the next `n` matching requests but send only half of each response body
        (with the full `Content-Length`), then close the connection."""
        self._add(Fault("truncate", n, path, method))

    def latency(self, seconds: float, path: str | None = None, method: str | None = None) -> None:
        """Delay every matching request by `seconds` before it is handled."""
        self._add(Fault("latency", None, path, method, seconds=seconds))

    def lock_timeout(self, n: int = 1, path: str | None = None, method: str | None = None) -> None:
        """Answer the next `n` matching requests with Stripe's 429 `lock_timeout`."""
        self._add(Fault("lock_timeout", n, path, method, status=429))

    def rate_limit(self, rps: float | None) -> None:
        """Answer 429 `rate_limit` to requests above `rps` per second (None: no limit)."""
        self._rps = rps
        self._window.clear()

    def clear(self) -> None:
        """Remove every fault and the rate limit."""
        self._faults.clear()
        self.rate_limit(None)

    @property
    def pending(self) -> list[Fault]:
        """The faults still scripted."""
        return list(self._faults)

    def _add(self, fault: Fault) -> None:
        if fault.remaining is not None and fault.remaining < 1:
            raise ValueError(f"n: expected a positive number of requests, got {fault.remaining}")
        self._faults.append(fault)

    # --- used by the app ------------------------------------------------------------------------

    def delay(self, method: str, path: str, template: str | None) -> float:
        """Seconds of latency for a request."""
        return sum(
            f.seconds
            for f in self._faults
            if f.kind == "latency" and f.matches(method, path, template)
        )

    def take(self, method: str, path: str, template: str | None) -> Fault | None:
        """The first one-shot fault matching a request, used up by this call."""
        for fault in self._faults:
            if fault.kind != "latency" and fault.matches(method, path, template):
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                return fault
        return None

    def over_rate(self) -> bool:
        """Whether a request now exceeds the rate limit (requests let through are counted)."""
        if self._rps is None:
            return False
        now = time.monotonic()
        while self._window and now - self._window[0] >= 1.0:
            self._window.popleft()
        if len(self._window) >= self._rps:
            return True
        self._window.append(now)
        return False
