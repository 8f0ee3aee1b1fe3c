"""The single request loop: build the request, send it, decide whether to retry, return the body.

Everything that talks HTTP goes through `Requestor.request`: the generated services, pagination,
`StripeClient.raw_request`. It owns the aiohttp session of a client.
"""

from __future__ import annotations

import asyncio
import json
import platform
import uuid
from collections.abc import Mapping
from typing import Any

import aiohttp
import attrs
from yarl import URL

from aiostripe import _version
from aiostripe._encode import encode_body, encode_params, encode_query
from aiostripe._errors import APIConnectionError, ResponseParseError, error_from_response
from aiostripe._models import StripeResponse
from aiostripe._options import OPTION_KEYS, RequestOptions
from aiostripe._retry import RetryPolicy

DEFAULT_BASE_URL = "https://api.stripe.com"
DEFAULT_FILES_URL = "https://files.stripe.com"


@attrs.frozen
class RawResponse:
    """A response's status, headers and body, before parsing."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def request_id(self) -> str | None:
        return self.headers.get("Request-Id")

    def meta(self) -> StripeResponse:
        return StripeResponse(self.status, self.headers, self.request_id)

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            raise ResponseParseError(
                f"invalid JSON in a {self.status} response (request id {self.request_id}): "
                f"{self.body[:200]!r}",
                http_status=self.status,
                http_body=self.body.decode("utf-8", "replace"),
                headers=dict(self.headers),
                request_id=self.request_id,
            ) from None


def _user_agent_headers() -> dict[str, str]:
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


class Requestor:
    """Configuration plus the aiohttp session of one client."""

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str,
        files_base_url: str,
        stripe_version: str,
        stripe_account: str | None,
        timeout: float,
        connect_timeout: float,
        retry: RetryPolicy,
        max_connections: int,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self.api_key = api_key
        self.base_url = base_url.rstrip("/")
        self.files_base_url = files_base_url.rstrip("/")
        self.stripe_version = stripe_version
        self.stripe_account = stripe_account
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.retry = retry
        self.max_connections = max_connections
        self._session = session
        self._owns_session = session is None
        self._static_headers = {**_user_agent_headers(), "Stripe-Version": stripe_version}

    # --- session -------------------------------------------------------------------------------

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self.max_connections)
            self._session = aiohttp.ClientSession(connector=connector, raise_for_status=False)
            self._owns_session = True
        return self._session

    async def close(self) -> None:
        session, self._session = self._session, None
        if session is not None and self._owns_session and not session.closed:
            await session.close()

    # --- requests ------------------------------------------------------------------------------

    def _headers(self, method: str, options: RequestOptions) -> dict[str, str]:
        api_key = options.get("api_key", self.api_key)
        if not api_key:
            raise ValueError("no API key: pass StripeClient(api_key) or request_options api_key")
        headers = dict(self._static_headers)
        headers["Authorization"] = f"Bearer {api_key}"
        if "stripe_version" in options:
            headers["Stripe-Version"] = options["stripe_version"]
        account = options.get("stripe_account", self.stripe_account)
        if account:
            headers["Stripe-Account"] = account
        if method == "post":
            headers["Idempotency-Key"] = options.get("idempotency_key") or str(uuid.uuid4())
        headers.update(options.get("headers", {}))
        return headers

    async def request(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None = None,
        options: RequestOptions | None = None,
        *,
        host: str = "api",
        multipart: bool = False,
    ) -> RawResponse:
        """Send one API call (with its retries); return the 2xx response or raise a StripeError."""
        options = options or {}
        unknown = options.keys() - OPTION_KEYS
        if unknown:
            raise TypeError(
                f"request_options: unknown option(s) {sorted(unknown)}; "
                f"expected some of {sorted(OPTION_KEYS)}"
            )
        method = method.lower()
        base = self.files_base_url if host == "files" else self.base_url
        url = base + path
        data: Any = None
        headers = self._headers(method, options)
        if params:
            if method == "post":
                if multipart:
                    data = _multipart(params)
                else:
                    data = encode_body(params)
                    headers["Content-Type"] = "application/x-www-form-urlencoded"
            else:
                url = f"{url}?{encode_query(params)}"
        max_retries = options.get("max_retries", self.retry.max_retries)
        total = options.get("timeout", self.timeout)
        timeout = aiohttp.ClientTimeout(total=total, connect=self.connect_timeout)
        target = URL(url, encoded=True)
        retry = 0
        while True:
            try:
                response = await self._send(method, target, headers, data, timeout)
            except APIConnectionError:
                if retry >= max_retries:
                    raise
            else:
                if response.status < 300:
                    return response
                if retry >= max_retries or not self.retry.should_retry(
                    response.status, response.headers
                ):
                    raise error_from_response(response.status, response.body, response.headers)
            retry += 1
            await asyncio.sleep(self.retry.backoff(retry))

    async def _send(
        self,
        method: str,
        url: URL,
        headers: Mapping[str, str],
        data: Any,
        timeout: aiohttp.ClientTimeout,
    ) -> RawResponse:
        try:
            async with self.session().request(
                method, url, headers=headers, data=data, timeout=timeout
            ) as resp:
                body = await resp.read()
                return RawResponse(resp.status, resp.headers, body)
        except asyncio.TimeoutError as exc:
            raise APIConnectionError(
                f"timed out: {method.upper()} {url.path}", should_retry=True
            ) from exc
        except aiohttp.ClientError as exc:
            raise APIConnectionError(
                f"connection error on {method.upper()} {url.path}: {exc}", should_retry=True
            ) from exc


def _multipart(params: Mapping[str, Any]) -> aiohttp.FormData:
    """A multipart body (file uploads): file values as parts, the rest form-encoded."""
    form = aiohttp.FormData()
    plain: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, bytes | bytearray) or hasattr(value, "read"):
            name = getattr(value, "name", None) or "upload"
            form.add_field(key, value, filename=str(name).rsplit("/", 1)[-1],
                           content_type="application/octet-stream")
        else:
            plain[key] = value
    for key, value in encode_params(plain):
        form.add_field(key, value)
    return form
