"""The errors of lifecycles, as Stripe words them (https://docs.stripe.com/error-codes)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from aiostripe.testing.errors import StripeHTTPError


def _doc_url(code: str) -> str:
    return f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}"


def card_error(
    code: str,
    message: str,
    *,
    decline_code: str | None = None,
    param: str | None = None,
    **extra: Any,
) -> StripeHTTPError:
    """A 402 `card_error` (a declined or invalid card)."""
    error: dict[str, Any] = {
        "type": "card_error",
        "code": code,
        "message": message,
        "doc_url": _doc_url(code),
    }
    if decline_code is not None:
        error["decline_code"] = decline_code
    if param is not None:
        error["param"] = param
    error.update(extra)
    return StripeHTTPError(402, error)


def invalid(
    message: str,
    *,
    code: str | None = None,
    param: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> StripeHTTPError:
    """A 400 `invalid_request_error` of a lifecycle (a state that does not allow the call)."""
    error: dict[str, Any] = {"type": "invalid_request_error", "message": message}
    if code is not None:
        error["code"] = code
        error["doc_url"] = _doc_url(code)
    if param is not None:
        error["param"] = param
    error.update(extra or {})
    return StripeHTTPError(400, error)


def unexpected_state(
    kind: str, action: str, status: str, allowed: Iterable[str], obj: dict[str, Any]
) -> StripeHTTPError:
    """Stripe's `*_unexpected_state` error: the object's status does not allow `action`."""
    readable = kind.replace("_", "")
    names = {"payment_intent": "PaymentIntent", "setup_intent": "SetupIntent"}
    title = names.get(kind, readable)
    return invalid(
        f"This {title} could not be {action} because it has a status of {status}. Only a "
        f"{title} with one of the following statuses may be {action}: {', '.join(allowed)}.",
        code=f"{kind}_unexpected_state",
        extra={kind: obj},
    )
