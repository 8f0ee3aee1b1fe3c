"""The error hierarchy: every failure of an API call is a `StripeError`.

```
StripeError
├── CardError                 402, or `error.type == "card_error"`: the card was declined
├── InvalidRequestError       400/404 (and OAuth errors): wrong or missing parameters, unknown ids
├── IdempotencyError          `error.type == "idempotency_error"`, any status
├── AuthenticationError       401: missing, wrong or expired API key
├── PermissionDeniedError     403: the key may not do this (also `PermissionError_`)
├── RateLimitError            429 (and `code == "rate_limit"`): slow down; `retry_after`
├── TemporarySessionExpiredError  v2: the meter event session's token expired (renew it)
├── APIError                  5xx and anything else
│   └── ResponseParseError    a body that is not JSON, or not a Stripe error object
├── APIConnectionError        the request never got an HTTP response (network, timeout)
├── SignatureVerificationError  a webhook whose signature does not verify
├── ClientClosedError         (also a RuntimeError) a call on a client already closed
└── InvalidParameterError     (also a ValueError) a parameter rejected before sending
```

`error_from_response(status, body, headers)` builds the right one from an HTTP error response.

No error ever shows an API key: the message (and so `str()`) and `repr()` go through `redact`,
which masks anything that looks like a Stripe secret (`sk_live_…`, `rk_test_…`, `whsec_…`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from aiostripe._retry import parse_retry_after

if TYPE_CHECKING:
    from aiostripe._generated.models.api_errors import ApiErrors

__all__ = [
    "APIConnectionError",
    "APIError",
    "AuthenticationError",
    "CardError",
    "ClientClosedError",
    "Headers",
    "IdempotencyError",
    "InvalidParameterError",
    "InvalidRequestError",
    "PermissionDeniedError",
    "PermissionError_",
    "RateLimitError",
    "ResponseParseError",
    "SignatureVerificationError",
    "StripeError",
    "error_from_response",
    "mask_key",
    "redact",
]

# Secret and restricted API keys, ephemeral keys, webhook signing secrets. Not preceded by a letter
# or digit (an underscore is fine: `api_key=sk_...`, `key_sk_...`). A key runs to the next space,
# quote, bracket or separator (`,;&|`), whatever it holds before that (`sk_test_abc_def`,
# `sk_test_a-b.c`), a trailing `.` or `:` excepted (the end of a sentence); Stripe's own masked
# form (`sk_test_****1234`) is left as it is.
_KEY_CHARS = r"""[^\s'"`\\,;&|<>()\[\]{}]"""
_SECRET = re.compile(
    rf"(?<![A-Za-z0-9])(?:(sk|rk|ek)_(test|live)_(?!\*){_KEY_CHARS}+(?<![.:])"
    rf"|(whsec)_{_KEY_CHARS}+(?<![.:]))"
)


def _mask(match: re.Match[str]) -> str:
    if match.group(3):
        return "whsec_***"
    return f"{match.group(1)}_{match.group(2)}_***"


def redact(text: str) -> str:
    """`text` with every Stripe secret in it masked: `sk_live_abc123` -> `sk_live_***`.

    Masks secret (`sk_`), restricted (`rk_`) and ephemeral (`ek_`) keys of test and live mode and
    webhook signing secrets (`whsec_`). Publishable keys (`pk_`) and ids are left alone.
    """
    if "_" not in text:  # fast path: no key can be in there
        return text
    return _SECRET.sub(_mask, text)


_KEY_PREFIX = re.compile(r"(?:sk|rk|ek|pk)_(?:test|live)_|whsec_")


def mask_key(key: str) -> str:
    """An API key (or signing secret) as it may be shown: its kind and mode, nothing of the
    secret (`sk_test_abc_def` -> `sk_test_***`; a key of no known form -> `***`)."""
    prefix = _KEY_PREFIX.match(key)
    return f"{prefix.group()}***" if prefix else "***"


class Headers(Mapping[str, str]):
    """A read-only copy of response headers; lookups ignore case (`h["request-id"]`).

    Iterates over (and compares equal to a dict of) the names as they were received.
    """

    __slots__ = ("_data", "_folded")

    def __init__(self, headers: Mapping[str, str] | None = None) -> None:
        data: dict[str, str] = {}
        if headers is not None:
            for name, value in headers.items():
                data[str(name)] = str(value)
        self._data = data
        self._folded = {name.lower(): value for name, value in data.items()}

    def __getitem__(self, name: str) -> str:
        try:
            return self._data[name]
        except KeyError:
            if isinstance(name, str):
                return self._folded[name.lower()]
            raise

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and (name in self._data or name.lower() in self._folded)

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return repr(self._data)

    def __getstate__(self) -> dict[str, str]:
        return self._data

    def __setstate__(self, state: dict[str, str]) -> None:
        self._data = state
        self._folded = {name.lower(): value for name, value in state.items()}


def _parse_bool_header(value: str | None) -> bool | None:
    if value is None:
        return None
    value = value.strip().lower()
    if value == "true":
        return True
    if value == "false":
        return False
    return None


class StripeError(Exception):
    """Base class of every error this library raises for an API call.

    Every attribute is there on every error (`None` where it does not apply):

    - `message`: what went wrong (secrets masked); `str(err)` is `"(Request req_…) message"`.
    - `http_status`, `http_body` (the body as text), `json_body` (the decoded body, a dict),
      `headers` (the response headers, case-insensitive).
    - `error`: the `error` object of the body, typed (`aiostripe.models.ApiErrors`, built on
      first read; stripe-python's `ErrorObject`): `exc.error.message`, `exc.error.type`,
      `exc.error.payment_intent.id` (a `PaymentIntent`), … ; `None` when the body has none.
      The raw dict is `exc.error_data` (and `exc.json_body["error"]`). `code`, `param`,
      `decline_code`, `doc_url`, `user_message` come from it unless given.
    - `request_id`: the `Request-Id` response header, for Stripe support and the dashboard.
    - `should_retry`: the `Stripe-Should-Retry` response header (`True`/`False`), or `None`.
    """

    message: str
    http_status: int | None
    http_body: str | None
    json_body: dict[str, Any] | None
    headers: Headers
    code: str | None
    param: str | None
    request_id: str | None
    error_data: dict[str, Any] | None
    user_message: str | None
    decline_code: str | None
    doc_url: str | None
    should_retry: bool | None

    def __init__(
        self,
        message: str | None = None,
        *,
        http_status: int | None = None,
        http_body: str | bytes | None = None,
        json_body: dict[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        code: str | None = None,
        param: str | None = None,
        request_id: str | None = None,
        error: dict[str, Any] | None = None,
        user_message: str | None = None,
        decline_code: str | None = None,
        doc_url: str | None = None,
        should_retry: bool | None = None,
    ) -> None:
        message = redact(message) if message else ""
        super().__init__(message)
        self.message = message
        self.http_status = http_status
        if isinstance(http_body, bytes | bytearray):
            http_body = bytes(http_body).decode("utf-8", "replace")
        self.http_body = http_body
        self.json_body = json_body
        self.headers = headers if isinstance(headers, Headers) else Headers(headers)
        if error is None and isinstance(json_body, dict):
            candidate = json_body.get("error")
            if isinstance(candidate, dict):
                error = candidate
        self.error_data = error
        err: Mapping[str, Any] = error or {}
        self.code = code if code is not None else _str_or_none(err.get("code"))
        self.param = param if param is not None else _str_or_none(err.get("param"))
        self.user_message = (
            user_message if user_message is not None else _str_or_none(err.get("user_message"))
        )
        self.decline_code = (
            decline_code if decline_code is not None else _str_or_none(err.get("decline_code"))
        )
        self.doc_url = doc_url if doc_url is not None else _str_or_none(err.get("doc_url"))
        self.request_id = request_id if request_id is not None else self.headers.get("Request-Id")
        self.should_retry = (
            should_retry
            if should_retry is not None
            else _parse_bool_header(self.headers.get("Stripe-Should-Retry"))
        )

    @property
    def error(self) -> ApiErrors | None:
        """The body's `error` object as a typed `ApiErrors` (parsed on first read, tolerantly:
        fields of another shape read as described in README "Objects of other API versions");
        `None` without one. Reading it never raises."""
        typed: ApiErrors | None = self.__dict__.get("_typed_error", _UNPARSED)
        if typed is _UNPARSED:
            typed = self.__dict__["_typed_error"] = _typed_error(self.error_data)
        return typed

    def __str__(self) -> str:
        message = self.message or "<empty message>"
        if self.request_id is not None:
            return f"(Request {self.request_id}) {message}"
        return message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(message={self.message!r}, http_status={self.http_status!r}, "
            f"request_id={self.request_id!r}, code={self.code!r})"
        )


_UNPARSED: Any = object()


def _typed_error(data: dict[str, Any] | None) -> Any:
    """`data` parsed as `ApiErrors`; None for no data, a plain `StripeObject` if even the
    tolerant parse fails (it does not: any JSON object parses)."""
    if not isinstance(data, dict):
        return None
    from aiostripe._models import StripeObject, structure

    try:
        return structure(data, "ApiErrors")
    except Exception:  # noqa: BLE001 - an error is being reported: never raise another
        obj = StripeObject()
        obj._extra = dict(data)
        return obj


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


class CardError(StripeError):
    """The card was declined or cannot be charged (HTTP 402, `error.type == "card_error"`).

    `code` is the error code (`card_declined`, `expired_card`, …), `decline_code` the issuer's
    reason where there is one, `param` the field at fault.
    """


class InvalidRequestError(StripeError):
    """The request was wrong: a missing or invalid parameter, an unknown id (HTTP 400/404).

    OAuth errors (`{"error": "invalid_grant", "error_description": …}`) are raised as this class
    too, with `code` the OAuth error code.
    """


class IdempotencyError(StripeError):
    """An idempotency key was reused with other parameters (`error.type == "idempotency_error"`)."""


class AuthenticationError(StripeError):
    """The API key is missing, wrong, expired or revoked (HTTP 401)."""


class PermissionDeniedError(StripeError):
    """The API key is valid but may not make this request (HTTP 403)."""


PermissionError_ = PermissionDeniedError


class RateLimitError(StripeError):
    """Too many requests (HTTP 429), or a lock on an object timed out (`code == "lock_timeout"`).

    `retry_after` is the response's `Retry-After`, in seconds from when the error was built (the
    header may be a number of seconds or an HTTP date), or `None` without one.
    """

    retry_after: float | None

    def __init__(self, message: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = parse_retry_after(self.headers.get("Retry-After"))

    @property
    def is_lock_timeout(self) -> bool:
        """True when the object was locked by a concurrent request, not a rate limit as such."""
        return self.code == "lock_timeout"


class TemporarySessionExpiredError(StripeError):
    """The v2 meter event session's token has expired (`error.type ==
    "temporary_session_expired"`): create a new session and send again."""


class APIError(StripeError):
    """Stripe could not handle the request (HTTP 5xx), or an error of no more specific kind."""


class APIConnectionError(StripeError):
    """No HTTP response was received: DNS, connection refused or reset, TLS, a timeout.

    `should_retry` says whether sending the same request again is safe and may succeed.
    """

    def __init__(
        self, message: str | None = None, *, should_retry: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(message, should_retry=should_retry, **kwargs)


class ResponseParseError(APIError):
    """A response body that is not JSON, or not of the shape the API documents."""


class SignatureVerificationError(StripeError):
    """A webhook payload whose `Stripe-Signature` header does not verify; `sig_header` is it."""

    sig_header: str | None

    def __init__(
        self, message: str | None = None, sig_header: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(message, **kwargs)
        self.sig_header = sig_header


class ClientClosedError(StripeError, RuntimeError):
    """A call on a client that was closed (`await client.close()`, or its `async with` left).

    Nothing is sent and no new HTTP session is opened: make a new client instead. A client from
    `with_options` is closed when its parent is.
    """


class InvalidParameterError(StripeError, ValueError):
    """A parameter rejected on this side, before any request was sent; `param` names it."""

    def __init__(
        self, message: str | None = None, *, param: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(message, param=param, **kwargs)


# --- building an error from a response --------------------------------------------------------

_BY_TYPE: dict[str, type[StripeError]] = {
    "idempotency_error": IdempotencyError,
    "card_error": CardError,
    "authentication_error": AuthenticationError,
    "rate_limit_error": RateLimitError,
    "rate_limit": RateLimitError,  # v2's type
    "temporary_session_expired": TemporarySessionExpiredError,
}
_BY_STATUS_FIRST: dict[int, type[StripeError]] = {
    401: AuthenticationError,
    403: PermissionDeniedError,
    429: RateLimitError,
}
_BY_GENERIC_TYPE: dict[str, type[StripeError]] = {
    "invalid_request_error": InvalidRequestError,
    "api_error": APIError,
}
_BY_STATUS: dict[int, type[StripeError]] = {
    400: InvalidRequestError,
    402: CardError,
    404: InvalidRequestError,
}


def _error_class(status: int, error: Mapping[str, Any]) -> type[StripeError]:
    """The class for an `error` object, like stripe-python's `specific_v1_api_error`.

    A type that names the kind of error wins; then 401/403/429, because Stripe sends those with
    `"type": "invalid_request_error"` (a 429's code is `rate_limit` or `lock_timeout`); then the
    generic types; then the status. The legacy 400 with `code == "rate_limit"` is a rate limit.
    """
    type_ = error.get("type")
    if isinstance(type_, str) and type_ in _BY_TYPE:
        return _BY_TYPE[type_]
    if status in _BY_STATUS_FIRST:
        return _BY_STATUS_FIRST[status]
    if error.get("code") == "rate_limit":
        return RateLimitError
    if isinstance(type_, str) and type_ in _BY_GENERIC_TYPE:
        return _BY_GENERIC_TYPE[type_]
    return _BY_STATUS.get(status, APIError)


def _snippet(text: str, limit: int = 200) -> str:
    text = redact(text.strip())
    return repr(text if len(text) <= limit else text[:limit] + "…")


def error_from_response(status: int, body: bytes, headers: Mapping[str, str]) -> StripeError:
    """The `StripeError` for an HTTP error response (status, raw body, headers).

    - `{"error": {...}}`: the class by `error.type`/status (see `_error_class`), with `message`,
      `code`, `param`, `decline_code`, … from the error object.
    - `{"error": "invalid_grant", "error_description": "..."}` (OAuth): `InvalidRequestError`
      with `code` the OAuth error code.
    - anything else (not JSON, not an object, no usable `error`): `ResponseParseError`, whose
      message names the status and the request id and quotes the start of the body.
    """
    hdrs = Headers(headers)
    request_id = hdrs.get("Request-Id")
    text = body.decode("utf-8", "replace") if isinstance(body, bytes | bytearray) else str(body)
    common: dict[str, Any] = {"http_status": status, "http_body": text, "headers": hdrs}

    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        what = "an empty body" if not text.strip() else f"a body that is not JSON: {_snippet(text)}"
        return ResponseParseError(
            f"Stripe returned HTTP {status} (request id {request_id}) with {what}", **common
        )

    if not isinstance(data, dict):
        return ResponseParseError(
            f"Stripe returned HTTP {status} (request id {request_id}) with a JSON "
            f"{type(data).__name__} instead of an error object: {_snippet(text)}",
            **common,
        )
    error = data.get("error")

    if isinstance(error, str):  # OAuth: {"error": "invalid_grant", "error_description": "..."}
        description = data.get("error_description")
        message = description if isinstance(description, str) and description else error
        return InvalidRequestError(message, json_body=data, code=error, **common)

    if not isinstance(error, dict):
        return ResponseParseError(
            f"Stripe returned HTTP {status} (request id {request_id}) without an error object: "
            f"{_snippet(text)}",
            json_body=data,
            **common,
        )

    cls = _error_class(status, error)
    text_message = error.get("message")
    if not isinstance(text_message, str) or not text_message:
        kind = error.get("type") if isinstance(error.get("type"), str) else "error"
        text_message = f"Stripe returned HTTP {status} ({kind}) with no message"
    return cls(text_message, json_body=data, error=error, **common)
