"""Outages: noticing that the API host cannot be reached, probing it, holding calls until it is back.

A connection that could not be made (refused, DNS failure, connect timeout, a connection lost
before the request was written) means nothing reached Stripe: such an attempt is always safe to
repeat and does not spend the call's `max_retries`. The first one marks the host *down*. While it
is down, `HostWatch` lets one attempt at a time through as a *probe*, spaced by capped
exponential backoff with jitter (`PROBE_FIRST` doubling up to `PROBE_MAX`, each gap drawn in
[half, all] of its cap: at most 1 / (PROBE_MAX / 2) = 4 probes a second once the gaps are
capped); every other call waits, each until its own deadline. The first attempt that reaches
the host (any response, even an error) marks it up and releases every waiting call at once
(they then queue for connection slots as usual, under `max_connections`).

A host that has never answered this client (a typo in `base_url`, no network, DNS down, a
firewall dropping connections) is not ridden out: `FIRST_CONTACT_GRACE` seconds after the first
try, with the probes made meanwhile, every call waiting for it fails with an `APIConnectionError`
naming the host. Until then no connection to it may take longer than what is left of the grace,
so a host that drops connections fails as fast as one that refuses them.
Once the host has answered, outages are ridden out until each call's own deadline.
"""

from __future__ import annotations

import asyncio
import logging
import random

_sleep = asyncio.sleep  # tests may record the waits

PROBE_FIRST = 0.05
"""Cap of the first gap between probes (seconds)."""
PROBE_MAX = 0.5
"""Cap of every later gap: probes come at least every 0.5 s, at most every 0.25 s."""

FIRST_CONTACT_GRACE = 10.0
"""Seconds an outage of a host that never answered is probed before its calls fail."""

logger = logging.getLogger("aiostripe")


class HostWatch:
    """Whether the API host is reachable, and the probe schedule while it is not."""

    __slots__ = (
        "_changed", "_failures", "_next_probe", "_prober", "answered", "down", "first_try", "since"
    )

    def __init__(self) -> None:
        self.down: bool = False
        self.answered: bool = False  # whether any attempt ever reached the host
        self.since: float = 0.0  # when the current outage began
        self.first_try: float | None = None  # when an attempt first tried a host never reached
        self._failures = 0
        self._next_probe = 0.0
        self._prober: object | None = None  # the call whose attempts probe
        self._changed: asyncio.Event | None = None  # set when up, or when the probe turn frees

    def _gap(self) -> float:
        cap = min(PROBE_MAX, PROBE_FIRST * 2.0 ** min(self._failures, 32))
        return random.uniform(cap / 2, cap)

    def unreachable(self, owner: object, now: float, what: str) -> bool:
        """`owner`'s attempt could not connect: the host is down, or still down when that attempt
        was the probe (then the next probe is scheduled). True if this starts an outage."""
        if self.down:
            if self._prober is owner:
                self._failures += 1
                self._next_probe = now + self._gap()
            return False
        self.down = True
        self.since = now
        self._failures = 0
        self._next_probe = now + self._gap()
        self._changed = asyncio.Event()
        if self.answered:
            logger.warning(
                "API host unreachable (%s): holding calls and probing until it answers", what
            )
        else:
            logger.warning(
                "API host not reached yet (%s): probing; calls fail in %gs unless it answers",
                what, FIRST_CONTACT_GRACE,
            )
        return True

    def reached(self) -> None:
        """An attempt got through to the host: it is up; release every waiting call."""
        self.answered = True
        if self.down:
            self.down = False
            self._prober = None
            logger.warning("API host reachable again after %d probe(s)", self._failures + 1)
            self._wake()

    def give_up_at(self, deadline: float) -> float:
        """When a call with `deadline` stops waiting for the host: its deadline, or sooner
        (`FIRST_CONTACT_GRACE` after the first try) for a host that has never answered."""
        if self.answered:
            return deadline
        start = self.since if self.first_try is None else min(self.first_try, self.since)
        return min(deadline, start + FIRST_CONTACT_GRACE)

    def first_contact_left(self, now: float) -> float:
        """Seconds of `FIRST_CONTACT_GRACE` left for a host never reached; the first call of this
        starts the clock (an attempt is about to try the host)."""
        if self.first_try is None:
            self.first_try = now
        return self.first_try + FIRST_CONTACT_GRACE - now

    def _wake(self) -> None:
        if self._changed is not None:
            self._changed.set()
            self._changed = asyncio.Event() if self.down else None

    async def wait_turn(
        self, owner: object, loop: asyncio.AbstractEventLoop, deadline: float
    ) -> bool:
        """Wait while the host is down; True if `owner`'s attempt is now the probe, False if the
        host is up. Raises TimeoutError at `deadline`. The probe turn stays with `owner` (its
        next attempt probes again) until it calls `release(owner)`."""
        while self.down:
            if self._prober is None or self._prober is owner:
                self._prober = owner
                wait = self._next_probe - loop.time()
                if wait > 0:
                    if loop.time() + wait >= deadline:
                        raise TimeoutError
                    await _sleep(wait)
                return self.down
            changed = self._changed
            assert changed is not None
            async with asyncio.timeout_at(deadline):
                await changed.wait()
        return False

    def probing(self, owner: object) -> bool:
        """Whether `owner`'s call holds the probe turn."""
        return self._prober is owner

    def release(self, owner: object) -> None:
        """`owner`'s call is over: hand the probe turn to a waiting call."""
        if self._prober is owner:
            self._prober = None
            self._wake()
