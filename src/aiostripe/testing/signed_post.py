"""How the fake sends a webhook: one signed POST to a loopback URL, for the v1 webhook endpoints
(`behaviours/webhooks.py`) and the v2 event destinations (`v2/delivery.py`) alike.

Only to loopback URLs (`127.0.0.0/8`, `::1`, `localhost`; no userinfo), so that a fake anyone can
reach never posts to machines it should not; no redirect is followed (a 3xx is a failed delivery,
as at Stripe); the body is signed with the endpoint's `whsec_` secret in `Stripe-Signature`, as
Stripe signs it (https://docs.stripe.com/webhooks#verify-events).
"""

from __future__ import annotations

import ipaddress
import time
from typing import TypeGuard
from urllib.parse import urlsplit

import aiohttp

from aiostripe.webhooks import generate_test_header


def is_loopback_url(url: object) -> TypeGuard[str]:
    """Whether `url` is an http(s) URL whose host is a loopback address or `localhost`."""
    if not isinstance(url, str):
        return False
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return False
    host = parts.hostname
    if parts.scheme not in ("http", "https") or not host or parts.username is not None:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def post_signed(
    session: aiohttp.ClientSession, url: str, payload: bytes, secret: str, timeout: float
) -> tuple[int | None, str | None]:
    """POST `payload` signed with `secret` to `url`: (HTTP status, None) when it answered,
    (None, why) when it did not or the URL is not a loopback one."""
    if not is_loopback_url(url):  # (an endpoint's URL set past the API's check)
        return None, f"refused: {url!r} is not a loopback URL"
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Stripe-Signature": generate_test_header(payload, secret, timestamp=int(time.time())),
        "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
    }
    try:
        async with session.post(
            url, data=payload, headers=headers, timeout=aiohttp.ClientTimeout(total=timeout),
            allow_redirects=False,
        ) as response:
            await response.read()
            return response.status, None
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        return None, f"{type(exc).__name__}: {exc}"
