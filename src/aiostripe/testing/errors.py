"""Stripe's error answers: the status and `{"error": {...}}` body of each kind the fake gives."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MISSING_KEY = (
    "You did not provide an API key. You need to provide your API key in the Authorization "
    "header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See "
    "https://stripe.com/docs/api#authentication for details, or we can help at "
    "https://support.stripe.com/."
)
IDEMPOTENCY_MISMATCH = (
    "Keys for idempotent requests can only be used with the same parameters they were first "
    "used with. Try using a key other than '{key}' if you meant to execute a different request."
)
RATE_LIMITED = (
    "Request rate limit exceeded. You can learn more about rate limits here "
    "https://stripe.com/docs/rate-limits."
)
LOCK_TIMEOUT = (
    "This object cannot be accessed right now because another API request or Stripe process is "
    "currently accessing it. If you see this error intermittently, retry the request. If you see "
    "this error frequently and are making multiple concurrent requests to a single object, make "
    "your requests serially or at a lower rate. See https://stripe.com/docs/rate-limits for more "
    "details."
)
SERVER_ERROR = (
    "Sorry, something went wrong. We've already been notified of the problem, but if you need "
    "any help, you can reach us at https://support.stripe.com/contact."
)


class ParamError(Exception):
    """A request parameter Stripe would reject: `param` is its bracketed wire name."""

    def __init__(self, message: str, param: str) -> None:
        super().__init__(message)
        self.message = message
        self.param = param


class StripeHTTPError(Exception):
    """An error answer: raised by the handlers, turned into a response by the app."""

    def __init__(
        self,
        status: int,
        error: Mapping[str, Any],
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(error.get("message", ""))
        self.status = status
        self.error: dict[str, Any] = dict(error)
        self.headers: dict[str, str] = dict(headers or {})

    def body(self) -> dict[str, Any]:
        """The JSON body of the error answer: `{"error": {...}}`."""
        return {"error": self.error}


def _error(
    type_: str,
    message: str,
    *,
    code: str | None = None,
    param: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    error: dict[str, Any] = {"type": type_, "message": message}
    if code is not None:
        error["code"] = code
        error["doc_url"] = f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}"
    if param is not None:
        error["param"] = param
    error.update(extra)
    return error


def invalid_request(
    message: str, *, param: str | None = None, code: str | None = None, status: int = 400
) -> StripeHTTPError:
    """A 400 `invalid_request_error` (a bad parameter names itself in `param`)."""
    if code is None and param is not None:
        code = "parameter_invalid" if not message.startswith("Missing") else "parameter_missing"
        if message.startswith("Received unknown"):
            code = "parameter_unknown"
    return StripeHTTPError(status, _error("invalid_request_error", message, code=code, param=param))


def resource_missing(kind: str, object_id: str, param: str) -> StripeHTTPError:
    """Stripe's 404 for an id it does not hold: `No such customer: 'cus_x'`."""
    return StripeHTTPError(
        404,
        _error(
            "invalid_request_error",
            f"No such {kind}: '{object_id}'",
            code="resource_missing",
            param=param,
        ),
    )


def unrecognized_url(method: str, path: str) -> StripeHTTPError:
    """Stripe's 404 for a path no operation serves."""
    message = (
        f"Unrecognized request URL ({method.upper()}: {path}). Please see https://stripe.com/docs "
        "or we can help at https://support.stripe.com/."
    )
    return StripeHTTPError(404, _error("invalid_request_error", message))


def authentication(message: str) -> StripeHTTPError:
    """A 401 for a missing or invalid API key."""
    return StripeHTTPError(401, _error("invalid_request_error", message))


def idempotency_mismatch(key: str) -> StripeHTTPError:
    """A key reused with other parameters."""
    return StripeHTTPError(400, _error("idempotency_error", IDEMPOTENCY_MISMATCH.format(key=key)))


def rate_limited(*, lock_timeout: bool = False) -> StripeHTTPError:
    """A 429: too many requests, or an object locked by another request (`lock_timeout`)."""
    if lock_timeout:
        return StripeHTTPError(
            429, _error("invalid_request_error", LOCK_TIMEOUT, code="lock_timeout")
        )
    return StripeHTTPError(429, _error("invalid_request_error", RATE_LIMITED, code="rate_limit"))


def default_error(status: int) -> dict[str, Any]:
    """The error object Stripe sends with an HTTP status, for injected failures."""
    if status == 402:
        return _error(
            "card_error",
            "Your card was declined.",
            code="card_declined",
            decline_code="generic_decline",
            param="",
        )
    if status == 401:
        return _error("invalid_request_error", "Invalid API Key provided: sk_test_***")
    if status == 403:
        return _error(
            "invalid_request_error",
            "The provided key does not have the required permissions for this endpoint.",
        )
    if status == 404:
        return _error("invalid_request_error", "No such object", code="resource_missing")
    if status == 409:
        return _error("invalid_request_error", "This request conflicts with another request.")
    if status == 429:
        return _error("invalid_request_error", RATE_LIMITED, code="rate_limit")
    if status >= 500:
        return _error("api_error", SERVER_ERROR)
    return _error("invalid_request_error", f"The request failed with status {status}.")
