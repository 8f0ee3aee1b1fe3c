"""A raw HTTP/1.1 server on 127.0.0.1 that records every request's bytes and answers from a
script: (status, JSON body) pairs in turn, then the last one again. For the v2 wire tests."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.test_wire import Seen, _read_body


class Recorder:
    """What arrived (`seen`) and what to answer (`answers`)."""

    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self.answers: list[tuple[int, Any]] = [(200, {})]
        self.server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    def answer(self, *answers: tuple[int, Any]) -> None:
        self.answers = list(answers)

    def query(self, index: int = -1) -> list[tuple[str, str]]:
        """The decoded query pairs of a request, in order."""
        target = self.seen[index].line.split(" ")[1]
        return parse_qsl(urlsplit(target).query, keep_blank_values=True)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                line, *rest = head.decode("latin-1").split("\r\n")
                headers = {}
                for item in filter(None, rest):
                    name, _, value = item.partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await _read_body(reader, headers)
                self.seen.append(Seen(line, headers, body))
                status, answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
                payload = json.dumps(answer).encode()
                writer.write(
                    f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n".encode()
                    + f"Content-Length: {len(payload)}\r\nRequest-Id: req_1\r\n\r\n".encode()
                    + payload
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()


@pytest.fixture
async def recorder() -> AsyncIterator[Recorder]:
    rec = Recorder()
    rec.server = await asyncio.start_server(rec.handle, "127.0.0.1", 0)
    async with rec.server:
        yield rec
