"""What the request-loop tests (`test_retries*.py`, `test_outages.py`) share besides
`FaultServer`: `Sleeps` and its `sleeps` fixture (the waits of the request loop, recorded instead of
slept), the `client` fixture (a client on the test's `FaultServer`) and `FlakySession` (a session
whose first calls raise chosen aiohttp errors). A test module imports the fixtures it uses by name.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest

from aiostripe import _requestor
from aiostripe._client import StripeClient
from tests.fault_server import API_KEY, FaultServer


@dataclass
class Sleeps:
    """The waits the request loop asked for, recorded instead of slept (`real=True`: slept)."""

    delays: list[float] = field(default_factory=list)
    real: bool = False
    before: Callable[[float], Any] | None = None

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        if self.before is not None:
            result = self.before(delay)
            if asyncio.iscoroutine(result):
                await result
        await asyncio.sleep(delay if self.real else 0)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> Sleeps:
    recorder = Sleeps()
    monkeypatch.setattr(_requestor.loop, "_sleep", recorder)
    return recorder


@pytest.fixture
async def client(server: FaultServer) -> AsyncIterator[StripeClient]:
    async with StripeClient(API_KEY, base_url=server.url) as c:
        yield c


class FlakySession:
    """Stands in for the client's aiohttp session: the first calls raise the given errors (as
    aiohttp would, e.g. a connect timeout that loopback cannot produce), the rest go through."""

    def __init__(self, real: aiohttp.ClientSession, errors: list[BaseException]) -> None:
        self.real = real
        self.errors = errors

    def request(self, *args: Any, **kwargs: Any) -> Any:
        if self.errors:
            raise self.errors.pop(0)
        return self.real.request(*args, **kwargs)
