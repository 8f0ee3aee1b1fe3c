"""The bytes the client puts on the wire, read by a raw TCP server on 127.0.0.1.

Stripe (and stripe-mock) want `Content-Type: application/x-www-form-urlencoded` on every POST,
with an empty body when there are no parameters; `/v1/files` only as `multipart/form-data`
whatever the values are; GET and DELETE carry neither a body nor a content type.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import attrs
import pytest

import aiostripe
from aiostripe.testing.schema import generated_json


@attrs.define
class Seen:
    """One request as it arrived: request line, headers (lower-cased names), body bytes."""

    line: str
    headers: dict[str, str]
    body: bytes


class RawServer:
    """Reads each HTTP/1.1 request byte by byte and answers with Stripe's example object."""

    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self.answer: dict[str, Any] = {}
        self.server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

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
                payload = json.dumps(self.answer).encode()
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    + f"Content-Length: {len(payload)}\r\nRequest-Id: req_1\r\n\r\n".encode()
                    + payload
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    if headers.get("transfer-encoding") == "chunked":
        out = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                return out
            out += chunk[:-2]
    return await reader.readexactly(int(headers.get("content-length", "0")))


@pytest.fixture
async def raw() -> AsyncIterator[RawServer]:
    server = RawServer()
    server.server = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    async with server.server:
        yield server


def _client(raw: RawServer, kind: str) -> aiostripe.StripeClient:
    raw.answer = generated_json("fixtures.json")[kind]
    return aiostripe.StripeClient(
        "sk_test_wire", base_url=raw.url, files_base_url=raw.url, max_retries=0
    )


FORM = "application/x-www-form-urlencoded"


async def test_a_post_without_params_is_an_empty_form(raw: RawServer) -> None:
    async with _client(raw, "payment_intent") as stripe:
        await stripe.payment_intents.confirm("pi_1")
    (seen,) = raw.seen
    assert seen.line == "POST /v1/payment_intents/pi_1/confirm HTTP/1.1"
    assert seen.headers["content-type"] == FORM
    assert seen.headers["content-length"] == "0"
    assert seen.body == b""


async def test_a_post_with_params_is_form_encoded(raw: RawServer) -> None:
    async with _client(raw, "customer") as stripe:
        await stripe.customers.create(email="jo@example.com", metadata={"plan": "pro plus"})
    (seen,) = raw.seen
    assert seen.headers["content-type"] == FORM
    assert seen.body == b"email=jo%40example.com&metadata[plan]=pro+plus"
    assert seen.headers["content-length"] == str(len(seen.body))


@pytest.mark.parametrize("call", ["retrieve", "list", "delete"])
async def test_get_and_delete_send_no_body_and_no_content_type(raw: RawServer, call: str) -> None:
    async with _client(raw, "customer") as stripe:
        if call == "retrieve":
            await stripe.customers.retrieve("cus_1", expand=["default_source"])
            expected = "GET /v1/customers/cus_1?expand[0]=default_source HTTP/1.1"
        elif call == "list":
            raw.answer = {"object": "list", "data": [], "has_more": False, "url": "/v1/customers"}
            await stripe.customers.list(limit=3)
            expected = "GET /v1/customers?limit=3 HTTP/1.1"
        else:
            raw.answer = {"id": "cus_1", "object": "customer", "deleted": True}
            await stripe.customers.delete("cus_1")
            expected = "DELETE /v1/customers/cus_1 HTTP/1.1"
    (seen,) = raw.seen
    assert seen.line == expected
    assert "content-type" not in seen.headers
    assert seen.headers.get("content-length", "0") == "0"
    assert "transfer-encoding" not in seen.headers
    assert seen.body == b""


def _parts(seen: Seen) -> dict[str, tuple[str, bytes]]:
    """The parts of a multipart body: name -> (its Content-Disposition, its bytes)."""
    ctype = seen.headers["content-type"]
    assert ctype.startswith("multipart/form-data; boundary="), ctype
    boundary = ctype.split("boundary=", 1)[1].strip('"').encode()
    out = {}
    for chunk in seen.body.split(b"--" + boundary)[1:-1]:
        head, _, data = chunk.strip(b"\r\n").partition(b"\r\n\r\n")
        disposition = next(
            h for h in head.decode().split("\r\n") if h.lower().startswith("content-disposition")
        )
        name = disposition.split('name="', 1)[1].split('"', 1)[0]
        out[name] = (disposition, data)
    return out


@pytest.mark.parametrize("value", [b"%PDF-1.4 bytes", "a string, not a file object"])
async def test_file_uploads_are_multipart_whatever_the_values(raw: RawServer, value: Any) -> None:
    async with _client(raw, "file") as stripe:
        await stripe.files.create(file=value, purpose="dispute_evidence")
    (seen,) = raw.seen
    assert seen.line == "POST /v1/files HTTP/1.1"
    parts = _parts(seen)
    assert set(parts) == {"file", "purpose"}
    assert parts["purpose"][1] == b"dispute_evidence"
    expected = value if isinstance(value, bytes) else value.encode()
    assert parts["file"][1] == expected


async def test_a_multipart_post_without_params_is_still_multipart(raw: RawServer) -> None:
    async with _client(raw, "file") as stripe:
        await stripe.files.create()  # type: ignore[call-arg]
    (seen,) = raw.seen
    assert seen.headers["content-type"].startswith("multipart/form-data; boundary=")
