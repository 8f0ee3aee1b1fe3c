"""Options: per call (`request_options=`, the one keyword every generated method takes) and per
derived client (`StripeClient.with_options(...)`); their values are checked in `_validate`."""

from __future__ import annotations

from collections.abc import Mapping
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
    stripe_context: str
    """The context this call acts in (`Stripe-Context` header; v2's counterpart of
    `stripe_account`, e.g. an account id or `acct_1/acct_2`)."""
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
    stripe_context: str | None
    """Act in this context in every call (`Stripe-Context` header); None: no context."""
    timeout: float
    """Total seconds per call (every attempt and wait, retries included)."""
    max_retries: int
    """How many times a call may be retried (0: never)."""


CLIENT_OPTION_KEYS = frozenset(ClientOptions.__annotations__)
