"""A host this client has never reached fails fast; one that has answered is ridden out (issue 25,
item 11). Over real connections on loopback: a port nothing listens on (refused), a name
under `.invalid` (a DNS failure: that top-level domain never resolves) and a black hole (a
listener whose backlog is full: the kernel drops further SYNs, the connection hangs)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator

import pytest

from aiostripe import APIConnectionError, StripeClient, _outage
from tests.fault_server import API_KEY, FaultServer, get


def free_port() -> int:
    with socket.socket() as sock:  # a port with nothing listening
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def black_hole() -> Iterator[int]:
    """A loopback port whose connections hang unanswered, like a firewall dropping them."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port: int = listener.getsockname()[1]
        fillers = []
        try:
            for _ in range(4):  # fill the accept queue; never accepted
                filler = socket.socket()
                fillers.append(filler)
                filler.setblocking(False)
                with contextlib.suppress(BlockingIOError):
                    filler.connect(("127.0.0.1", port))
            yield port
        finally:
            for filler in fillers:
                filler.close()


@pytest.fixture
def short_grace(monkeypatch: pytest.MonkeyPatch) -> float:
    monkeypatch.setattr(_outage, "FIRST_CONTACT_GRACE", 0.5, raising=False)
    return 0.5


@pytest.mark.parametrize(
    ("base_url", "host"),
    [(None, "127.0.0.1"), ("https://nonexistent.invalid", "nonexistent.invalid")],
)
async def test_a_host_never_reached_fails_fast_naming_it(
    short_grace: float, base_url: str | None, host: str
) -> None:
    url = base_url or f"http://127.0.0.1:{free_port()}"
    async with StripeClient(API_KEY, base_url=url) as client:  # timeout: the default 80 s
        async with asyncio.timeout(10):  # without the fix: ridden out for 80 s
            results = await asyncio.gather(
                *(get(client) for _ in range(5)), return_exceptions=True
            )
    for result in results:
        assert isinstance(result, APIConnectionError)
        message = str(result)
        assert f"could not reach {host}:" in message and "never reached that host" in message
        assert "check base_url, that the host name resolves (DNS)" in message
        assert result.should_retry is False
    assert client.stats.attempts >= 3  # a few quick tries first
    assert client.stats.outages == 1


async def test_a_black_holed_host_never_reached_fails_within_the_grace(
    short_grace: float,
) -> None:
    """No attempt waits out `connect_timeout` (30 s by default) on a host never reached."""
    with black_hole() as port:
        async with StripeClient(API_KEY, base_url=f"http://127.0.0.1:{port}") as client:
            started = asyncio.get_running_loop().time()
            async with asyncio.timeout(10):  # without the fix: 30 s for the first connection
                with pytest.raises(APIConnectionError, match="never reached that host") as info:
                    await get(client)
            elapsed = asyncio.get_running_loop().time() - started
    assert f"could not reach 127.0.0.1:{port}" in str(info.value)
    assert elapsed < short_grace * 4, elapsed


async def test_a_host_that_answered_once_is_ridden_out_past_the_grace(short_grace: float) -> None:
    port = free_port()
    first, second = FaultServer(), FaultServer()
    await first.start(port)
    try:
        async with StripeClient(API_KEY, base_url=first.url) as client:
            assert (await get(client)).status == 200
            await first.stop()
            call = asyncio.create_task(get(client))
            await asyncio.sleep(short_grace * 3)  # an outage longer than the grace
            assert not call.done()
            await second.start(port)
            assert (await call).status == 200
        assert client.stats.outages == 1
    finally:
        await first.stop()
        await second.stop()


async def test_a_host_that_comes_up_within_the_grace_is_used(short_grace: float) -> None:
    port = free_port()
    server = FaultServer()
    try:
        async with StripeClient(API_KEY, base_url=f"http://127.0.0.1:{port}") as client:
            call = asyncio.create_task(get(client))
            await asyncio.sleep(short_grace / 3)
            await server.start(port)
            assert (await call).status == 200
    finally:
        await server.stop()
