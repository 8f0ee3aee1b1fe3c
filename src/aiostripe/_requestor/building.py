"""What a call sends, built before its first attempt: the headers (the usual call's built once
per client and shared), the URL with its query or the form body, and the `_Call` that carries
them with the call's timeouts across its attempts. `Requestor` inherits it (`_Building`)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

from aiostripe import _validate
from aiostripe._encode import encode_body, encode_query
from aiostripe._encode_v2 import encode_json_body, is_v2_path
from aiostripe._options import OPTION_KEYS, RequestOptions
from aiostripe._requestor.outcome import _Call
from aiostripe._requestor.wire import _client_timeout, _MultipartBody, _user_agent_headers

if TYPE_CHECKING:  # aiohttp loads when a client is created (`tls.load_http_stack`), not at import
    import aiohttp
    from yarl import URL

    from aiostripe._retry import RetryPolicy


class _Building:
    """The request-building half of `Requestor` (whose settings it reads)."""

    api_key: str
    base_url: str
    files_base_url: str
    meter_events_base_url: str
    stripe_version: str
    stripe_account: str | None
    stripe_context: str | None
    timeout: float
    connect_timeout: float
    read_timeout: float | None
    retry: RetryPolicy

    @cached_property
    def _static_headers(self) -> dict[str, str]:
        return {**_user_agent_headers(), "Stripe-Version": self.stripe_version}

    @cached_property
    def _default_timeout(self) -> aiohttp.ClientTimeout:
        return _client_timeout(self.timeout, self.connect_timeout, self.read_timeout)

    # --- headers -------------------------------------------------------------------------------

    @cached_property
    def _default_headers(self) -> dict[str, str]:
        """The headers of a GET without request options (built once, shared by such calls: no
        one writes to them, aiohttp copies what it sends)."""
        return self._build_headers("get", {})

    def _headers(self, method: str, options: RequestOptions, v2: bool = False) -> dict[str, str]:
        if options:
            return self._build_headers(method, options, v2)
        if method != "post" and not (v2 and method == "delete"):
            return self._default_headers
        headers = dict(self._default_headers)  # one key per call: every retry reuses it
        headers["Idempotency-Key"] = str(uuid.uuid4())
        return headers

    def _build_headers(
        self, method: str, options: RequestOptions, v2: bool = False
    ) -> dict[str, str]:
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
        context = options.get("stripe_context", self.stripe_context)
        if context:
            headers["Stripe-Context"] = context
        if method == "post" or (v2 and method == "delete"):
            # one key per call, generated once here: every retry of the call reuses it
            headers["Idempotency-Key"] = options.get("idempotency_key") or str(uuid.uuid4())
        if "headers" in options:
            headers.update(options["headers"])
        return headers

    def _prepare(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        options: RequestOptions,
        host: str,
        multipart: bool,
        loop: asyncio.AbstractEventLoop | None = None,
        start: float | None = None,
    ) -> _Call:
        """Check the options and build everything the attempts of one call share."""
        if options:
            unknown = options.keys() - OPTION_KEYS
            if unknown:
                raise TypeError(
                    f"request_options: unknown option(s) {sorted(unknown)}; "
                    f"expected some of {sorted(OPTION_KEYS)}"
                )
            _validate.request_options(options)
        method, target, headers, data = self._encode(method, path, params, options, host, multipart)
        body = _MultipartBody(params or {}) if multipart and method == "post" else None
        if loop is None:
            loop = asyncio.get_running_loop()
        return self._new_call(
            method, target, headers, data, body, options, loop,
            loop.time() if start is None else start,
        )

    def _server_url(self, host: str) -> str:
        """The client setting for the server an operation of Stripe's spec is sent to (the
        generator names it from the operation's `servers`: codegen/servers.py)."""
        if host == "files":
            return self.files_base_url
        if host == "meter_events":
            return self.meter_events_base_url
        return self.base_url

    def _encode(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        options: RequestOptions,
        host: str,
        multipart: bool = False,
    ) -> tuple[str, URL, dict[str, str], bytes | None]:
        """(method, URL, headers, body) of a call: a form body on every POST, empty or not, like
        Stripe's SDKs (a multipart one is built per attempt: None here), a JSON one on a v2
        POST (`/v2/...`: `_encode_v2`); GET and DELETE put their parameters in the query
        string. A v2 DELETE carries an idempotency key like a POST."""
        import yarl  # aiohttp's URLs: loaded with the first call, like aiohttp (~5 ms; ~0.1 µs here)

        method = method.lower()
        url = (self.base_url if host == "api" else self._server_url(host)) + path
        v2 = is_v2_path(path)
        headers = self._headers(method, options, v2)
        data: bytes | None = None
        if v2 and method == "post":
            data = encode_json_body(params)
            headers["Content-Type"] = "application/json"
        elif method == "post":
            if multipart:
                return method, yarl.URL(url, encoded=True), headers, None
            data = encode_body(params) if params else b""
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif params:
            url = f"{url}?{encode_query(params)}"
        return method, yarl.URL(url, encoded=True), headers, data

    def _new_call(
        self,
        method: str,
        target: URL,
        headers: dict[str, str],
        data: bytes | None,
        body: _MultipartBody | None,
        options: RequestOptions,
        loop: asyncio.AbstractEventLoop,
        start: float,
    ) -> _Call:
        """The state of a call across its attempts: its timeouts and retries (from `options`
        where given, else the client's) and its deadline."""
        timeout = self._default_timeout
        total = self.timeout
        connect = self.connect_timeout
        read = self.read_timeout
        max_retries = self.retry.max_retries
        if options:
            max_retries = options.get("max_retries", max_retries)
            if "timeout" in options or "connect_timeout" in options or "read_timeout" in options:
                total = options.get("timeout", total)
                connect = options.get("connect_timeout", connect)
                read = options.get("read_timeout", read)
                timeout = _client_timeout(total, connect, read)
        # (method, verb, target, headers, data, body, max_retries, timeout, connect, read, loop,
        # start, deadline), positionally: cheaper so
        return _Call(
            method, method.upper(), target, headers, data, body, max_retries,
            timeout, connect, read, loop, start, start + total,
        )
