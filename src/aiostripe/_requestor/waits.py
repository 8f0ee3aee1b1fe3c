"""`_Waits`, the half of `Requestor` that waits before an attempt: for a host that is down or
was never reached (`HostWatch`), for a free connection slot; and the connect timeout of an
attempt to a host that has never answered."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from aiostripe._errors import APIConnectionError, StripeError
from aiostripe._outage import HostWatch
from aiostripe._ratelimit import Gate
from aiostripe._requestor.outcome import _Call, _describe_cause, _unsent
from aiostripe._requestor.wire import _client_timeout
from aiostripe._retry import ClientStats

if TYPE_CHECKING:
    import aiohttp
    from yarl import URL


class _Waits:
    """Waits for the host and for a connection slot (inherited by `Requestor`)."""

    stats: ClientStats
    gate: Gate
    host: HostWatch
    max_connections: int

    def _first_contact_timeout(self, call: _Call) -> aiohttp.ClientTimeout:
        """The attempt's timeout while the host has never answered: its connection may take no
        longer than what is left of `FIRST_CONTACT_GRACE` (a black-holed host fails as fast as a
        refused one, not after `connect_timeout` per attempt)."""
        now = call.loop.time()
        left = self.host.first_contact_left(now)
        if left >= call.connect:
            return call.timeout
        total = max(call.deadline - now, 0.001)
        return _client_timeout(total, max(left, 0.001), call.read)

    async def _take_slot(self, call: _Call) -> bool:
        """Wait for the host (while it is down) and for a connection slot; True if it waited.
        A call that got its slot while the host went down gives it back and waits again."""
        waited = False
        host, slots = self.host, self.gate.slots
        while True:
            if host.down:
                await self._wait_for_host(call)
                waited = True
            if slots.try_acquire():
                return waited
            await self._wait_for_slot(call.deadline, call.error, call.verb, call.target)
            if not host.down or host.probing(call):
                return True
            slots.release()

    def _host_after(self, call: _Call, exc: APIConnectionError) -> None:
        """Tell the host watch what a failed attempt says about the host (nothing, for an attempt
        that reached an up host)."""
        if _unsent(exc):
            self.stats.unreachable += 1
            if self.host.unreachable(call, call.loop.time(), _describe_cause(exc)):
                self.stats.outages += 1
        else:
            self.host.reached()  # a connection was made: the host is up, if flaky

    async def _wait_for_host(self, call: _Call) -> None:
        """While the host is down: wait for its turn to probe, or for the host to be back."""
        start = call.loop.time()
        host = self.host
        give_up = host.give_up_at(call.deadline)
        try:
            await host.wait_turn(call, call.loop, give_up)
            if call.trace is not None:
                call.trace.waiting(call.loop.time() - start, "host_down")
        except TimeoutError:
            self.stats.gave_up += 1
            if give_up < call.deadline:
                raise self._never_reached(call) from None
            if call.error is not None:
                raise call.error from None
            raise APIConnectionError(
                f"timed out: {call.verb} {call.target.path} waited its whole timeout for the "
                f"API host to be reachable again",
                should_retry=True,
            ) from None

    def _never_reached(self, call: _Call) -> APIConnectionError:
        """The error of a call given up on because its host has never answered this client."""
        target = call.target
        where = f"{target.host}:{target.port}"
        seconds = call.loop.time() - self.host.since
        why = call.error.message if call.error is not None else "no connection"
        return APIConnectionError(
            f"could not reach {where} (base URL {target.origin()}): no connection could be made "
            f"in {seconds:.1f}s of trying and this client has never reached that host; check "
            f"base_url, that the host name resolves (DNS), the network, a proxy or firewall. "
            f"Last error: {why}",
            should_retry=False,
        )

    async def _wait_for_slot(
        self, deadline: float, error: StripeError | None, verb: str, target: URL
    ) -> None:
        """Wait in line for one of the `max_connections` slots, until the call's deadline."""
        self.stats.connection_waits += 1
        try:
            async with asyncio.timeout_at(deadline):
                await self.gate.slots.acquire()
        except TimeoutError:
            if error is not None:
                raise error from None
            raise APIConnectionError(
                f"timed out: {verb} {target.path} waited its whole timeout for a free "
                f"connection (max_connections={self.max_connections})",
                should_retry=False,
            ) from None
