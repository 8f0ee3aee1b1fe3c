"""Options: per call (`request_options=`, the one keyword every generated method takes) and per
derived client (`StripeClient.with_options(...)`), with the checks of the latter."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import TypedDict


class RequestOptions(TypedDict, total=False):
    """Options for one call, overriding the client's settings.

    `stripe.customers.create(email=..., request_options={"stripe_account": "acct_1",
    "idempotency_key": "order-42"})`
    """

    api_key: str
    """Another API key for this call."""
    stripe_account: str
    """Act on a connected account (`Stripe-Account` header)."""
    stripe_version: str
    """Another API version for this call (`Stripe-Version` header)."""
    idempotency_key: str
    """The idempotency key of a POST (generated when not given, reused on every retry)."""
    timeout: float
    """Total seconds for this call: every attempt, every wait between them, retries included."""
    connect_timeout: float
    """Seconds each attempt may take to connect (DNS, TCP and TLS)."""
    read_timeout: float
    """Seconds each attempt may wait for data before it counts as timed out (and is retried)."""
    max_retries: int
    """How many times this call may be retried (0: never)."""
    headers: Mapping[str, str]
    """Extra HTTP headers."""


OPTION_KEYS = frozenset(RequestOptions.__annotations__)


class ClientOptions(TypedDict, total=False):
    """The settings `StripeClient.with_options(...)` can change for a derived client."""

    api_key: str
    """Another API key (a secret or restricted key)."""
    stripe_account: str | None
    """Act on this connected account (`acct_...`) in every call; None: on your own account."""
    stripe_version: str
    """Another API version (`Stripe-Version` header)."""
    timeout: float
    """Total seconds per call (every attempt and wait, retries included)."""
    max_retries: int
    """How many times a call may be retried (0: never)."""


CLIENT_OPTION_KEYS = frozenset(ClientOptions.__annotations__)


def check_client_options(options: Mapping[str, object]) -> None:
    """Refuse an unknown or ill-typed `with_options` setting with an error that names it."""
    unknown = options.keys() - CLIENT_OPTION_KEYS
    if unknown:
        raise TypeError(
            f"with_options: unknown option(s) {sorted(unknown)}; "
            f"expected some of {sorted(CLIENT_OPTION_KEYS)}"
        )
    for name, value in options.items():
        problem = _CHECKS[name](value)
        if problem is not None:
            error, expected = problem
            raise error(f"with_options: {name}: expected {expected}, got {value!r}")


_Problem = tuple[type[Exception], str] | None


def _check_key(value: object) -> _Problem:
    if not isinstance(value, str):
        return TypeError, "a Stripe secret key such as 'sk_test_...'"
    if not value.strip() or value != value.strip():
        return ValueError, "a Stripe secret key such as 'sk_test_...'"
    return None


def _check_account(value: object) -> _Problem:
    if value is None:
        return None
    if not isinstance(value, str):
        return TypeError, "a connected account id such as 'acct_1032D82eZvKYlo2C', or None"
    if not value.startswith("acct_") or len(value) == 5 or not value.isprintable():
        return ValueError, "a connected account id such as 'acct_1032D82eZvKYlo2C', or None"
    return None


def _check_version(value: object) -> _Problem:
    if not isinstance(value, str):
        return TypeError, "an API version such as '2024-04-10'"
    if not value or not value.isprintable() or value != value.strip():
        return ValueError, "an API version such as '2024-04-10'"
    return None


def _check_timeout(value: object) -> _Problem:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return TypeError, "a number of seconds > 0"
    if not (value > 0 and math.isfinite(value)):
        return ValueError, "a number of seconds > 0"
    return None


def _check_retries(value: object) -> _Problem:
    if isinstance(value, bool) or not isinstance(value, int):
        return TypeError, "an int >= 0"
    if value < 0:
        return ValueError, "an int >= 0"
    return None


_CHECKS: dict[str, Callable[[object], _Problem]] = {
    "api_key": _check_key,
    "stripe_account": _check_account,
    "stripe_version": _check_version,
    "timeout": _check_timeout,
    "max_retries": _check_retries,
}
