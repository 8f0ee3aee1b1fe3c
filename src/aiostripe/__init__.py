"""aiostripe: an async-first, fully typed client for the whole Stripe API.

```python
import aiostripe

async with aiostripe.StripeClient("sk_test_...") as stripe:
    customer = await stripe.customers.create(email="jo@example.com")
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiostripe._errors import (
    APIConnectionError,
    APIError,
    AuthenticationError,
    CardError,
    ClientClosedError,
    IdempotencyError,
    InvalidParameterError,
    InvalidRequestError,
    PermissionDeniedError,
    RateLimitError,
    ResponseParseError,
    SignatureVerificationError,
    StripeError,
    TemporarySessionExpiredError,
)
from aiostripe._models import (
    ListObject,
    SearchResult,
    StripeObject,
    StripeResponse,
    V2ListObject,
    construct_from,
)
from aiostripe._options import RequestOptions
from aiostripe._ratelimit import RateLimit
from aiostripe._retry import ClientStats, RetryEvent, RetryPolicy, WaitEvent
from aiostripe._version import VERSION as __version__

if TYPE_CHECKING:
    from aiostripe._client import StripeClient
    from aiostripe._pagination import (
        ItemIterator,
        ListPage,
        ListRequest,
        PageIterator,
        ParallelIterator,
        SearchPage,
        SearchRequest,
        V2ListPage,
        V2ListRequest,
        parallel_list,
    )
    from aiostripe._telemetry import RequestEvent, ResponseEvent

_PAGINATION = frozenset({
    "ItemIterator", "ListPage", "ListRequest", "PageIterator", "ParallelIterator", "SearchPage",
    "SearchRequest", "V2ListPage", "V2ListRequest", "parallel_list",
})
"""Loaded on first use, like `StripeClient` and the telemetry events: an app that lists nothing
does not import the pagination machinery (~4 ms of a ~60 ms cold start)."""

__all__ = [
    "APIConnectionError",
    "APIError",
    "AuthenticationError",
    "CardError",
    "ClientClosedError",
    "ClientStats",
    "IdempotencyError",
    "InvalidParameterError",
    "InvalidRequestError",
    "ItemIterator",
    "ListObject",
    "ListPage",
    "ListRequest",
    "PageIterator",
    "ParallelIterator",
    "PermissionDeniedError",
    "RateLimit",
    "RateLimitError",
    "RequestEvent",
    "RequestOptions",
    "ResponseEvent",
    "ResponseParseError",
    "RetryEvent",
    "RetryPolicy",
    "SearchPage",
    "SearchRequest",
    "SearchResult",
    "SignatureVerificationError",
    "StripeClient",
    "StripeError",
    "StripeObject",
    "StripeResponse",
    "TemporarySessionExpiredError",
    "V2ListObject",
    "V2ListPage",
    "V2ListRequest",
    "WaitEvent",
    "__version__",
    "construct_from",
    "parallel_list",
]


def __getattr__(name: str) -> Any:
    if name == "StripeClient":
        from aiostripe._client import StripeClient

        return StripeClient
    if name in _PAGINATION:
        from aiostripe import _pagination

        return getattr(_pagination, name)
    if name in ("RequestEvent", "ResponseEvent"):
        from aiostripe import _telemetry

        return getattr(_telemetry, name)
    raise AttributeError(f"module 'aiostripe' has no attribute {name!r}")
