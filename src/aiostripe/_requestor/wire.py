"""What goes on the wire besides the parameters: the User-Agent headers, multipart bodies that
can be sent again, aiohttp's timeout of one attempt, and the session setting that keeps one retry
layer."""

from __future__ import annotations

import io
import json
import math
import platform
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from aiostripe import _version
from aiostripe._encode import encode_params

if TYPE_CHECKING:  # aiohttp loads when a client is created (`tls.load_http_stack`)
    import aiohttp



LARGE_BODY = 1 << 20
"""Bodies above this many bytes are streamed from a buffer (aiohttp warns on large raw bytes)."""


DEFAULT_MAX_RESPONSE_SIZE = 64 << 20
"""Largest response body read, once decompressed (bytes; `StripeClient(max_response_size=)`).
Stripe's answers are small (a page of 100 objects with expansions: a few MB); file contents
from files.stripe.com are the large ones, and Stripe's file uploads are far below 64 MiB. A
bigger body is refused before it is all in memory: a gzip bomb (2.5 MB that inflate to GBs) costs
at most this much."""


async def _read_body(resp: aiohttp.ClientResponse, limit: int | None) -> bytes | None:
    """The whole body, or None if it is larger than `limit` bytes once decompressed (read in
    chunks as they are inflated, stopped at the limit: never more than `limit` in memory)."""
    if limit is None:
        return await resp.read()
    length = resp.content_length
    if length is not None and length <= limit and "Content-Encoding" not in resp.headers:
        return await resp.read()  # the usual answer: its size is known and cannot grow
    chunks: list[bytes] = []
    size = 0
    content = resp.content
    while chunk := await content.readany():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _user_agent_headers() -> dict[str, str]:
    import aiohttp

    ua = {
        "bindings_version": _version.VERSION,
        "lang": "python",
        "lang_version": platform.python_version(),
        "publisher": "aiostripe",
        "httplib": f"aiohttp/{aiohttp.__version__}",
    }
    return {
        "User-Agent": f"aiostripe/{_version.VERSION} Python/{platform.python_version()} "
        f"aiohttp/{aiohttp.__version__}",
        "X-Stripe-Client-User-Agent": json.dumps(ua),
    }


def _one_retry_layer(session: aiohttp.ClientSession) -> None:
    """Switch off aiohttp's own re-send of an idempotent request after a reset on a reused
    connection: the request loop is the only retry layer, so `max_retries=0` means one request
    on the wire and `client.stats.attempts` counts every attempt."""
    if hasattr(session, "_retry_connection"):
        session._retry_connection = False


def _client_timeout(total: float, connect: float, read: float | None) -> aiohttp.ClientTimeout:
    """aiohttp's timeout for one attempt with `total` seconds left to the call's deadline.

    `connect` bounds DNS + TCP + TLS (no time is spent waiting for a pooled connection: the gate
    lets at most `max_connections` attempts through at once); `read`, when set, bounds the
    attempt as a whole, from sending to the last byte of the answer. It is one timer per attempt
    (aiohttp's `total`), not aiohttp's `sock_read`, which reschedules a timer on every chunk
    received (5-8% of a small call's CPU). No rounding up of the deadline to a whole second
    (aiohttp's `ceil_threshold`).
    """
    import aiohttp

    attempt = total if read is None else min(total, read)
    return aiohttp.ClientTimeout(total=attempt, connect=connect, ceil_threshold=math.inf)


class _MultipartBody:
    """A multipart body (file uploads) that can be sent again on a retry: a fresh FormData per
    attempt, with seekable files rewound to where they started and other streams read once."""

    __slots__ = ("_parts", "_plain")

    def __init__(self, params: Mapping[str, Any]) -> None:
        self._parts: list[tuple[str, Any, str, int | None]] = []
        plain: dict[str, Any] = {}
        for key, value in params.items():
            if isinstance(value, bytes | bytearray) or hasattr(value, "read"):
                name = getattr(value, "name", None) or "upload"
                filename = str(name).rsplit("/", 1)[-1]
                position: int | None = None
                if not isinstance(value, bytes | bytearray):
                    try:
                        position = value.tell() if value.seekable() else None
                    except (AttributeError, OSError, ValueError):
                        position = None
                    if position is None:
                        value = value.read()  # a stream that cannot rewind: keep its bytes
                self._parts.append((key, value, filename, position))
            else:
                plain[key] = value
        self._plain = list(encode_params(plain))

    def form(self) -> aiohttp.FormData:
        import aiohttp

        form = aiohttp.FormData(default_to_multipart=True)  # multipart even without a file part
        for key, value, filename, position in self._parts:
            if position is not None:
                value.seek(position)
            elif len(value) > LARGE_BODY:
                value = io.BytesIO(value)  # aiohttp warns about large raw bytes
            form.add_field(
                key, value, filename=filename, content_type="application/octet-stream"
            )
        for key, value in self._plain:
            form.add_field(key, value)
        return form
