"""The fake's v2 error answers: `{"error": {"type", "code", "message"}}` (the spec's `v2.error`)."""

from __future__ import annotations

from aiostripe.testing.errors import StripeHTTPError


def v2_error(
    status: int, type_: str, code: str, message: str, doc_url: str | None = None
) -> StripeHTTPError:
    error = {"type": type_, "code": code, "message": message}
    if doc_url is not None:
        error["doc_url"] = doc_url
    return StripeHTTPError(status, error)


def not_found(kind: str, object_id: str) -> StripeHTTPError:
    return v2_error(404, "invalid_request_error", "not_found", f"No such {kind}: '{object_id}'")


def invalid(message: str, code: str = "invalid_request") -> StripeHTTPError:
    return v2_error(400, "invalid_request_error", code, message)


def missing(param: str) -> StripeHTTPError:
    return invalid(f"Missing required param: {param}.", "parameter_missing")


def session_expired() -> StripeHTTPError:
    """The spec's `v2.error.billing_meter_event_session_expired`."""
    return v2_error(401, "temporary_session_expired", "billing_meter_event_session_expired",
                    "The meter event session has expired: create a new one.",
                    "https://docs.stripe.com/api/v2/billing-meter-stream")
